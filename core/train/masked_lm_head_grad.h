#pragma once
// BertForMaskedLM's prediction head on the masked rows (Hugging Face's `cls.predictions`):
// transform = LayerNorm(act(dense(h))), then a decoder tied to the word embeddings plus its own
// bias; cross-entropy against the original token. Forward and backward.
#include "core/model_config.h"
#include "core/train/layer_norm_grad.h"
#include "core/train/matrix_types.h"

#include <cstdint>
#include <span>

namespace pb::train {

template <class S>
struct MaskedLmCache {
    Mat<S> rows;       // masked rows of the last hidden states, M x H
    Mat<S> dense;      // before the activation
    Mat<S> activated;  // after it
    Mat<S> transformed;
    LayerNormCache<S> norm;
    Mat<S> logits;  // M x V
};

// Pointers of the head's tensors in the flat parameter vector.
template <class S>
struct MaskedLmWeights {
    const S *word = nullptr, *dense_w = nullptr, *dense_b = nullptr, *norm_g = nullptr, *norm_b = nullptr,
            *bias = nullptr;
};

template <class S>
void masked_lm_forward(const ConstMatRef<S>& rows, const MaskedLmWeights<S>& w, const ModelConfig& config,
                       MaskedLmCache<S>& cache);

struct MaskedLmScore {
    double loss_sum = 0;  // sum of weight * cross-entropy over the rows
    int64_t correct = 0;  // rows whose most likely token is the target
};

// targets: the original token per row; weights: each row's share of its example's loss (1 / the
// example's masked tokens, so an example's loss is its mean cross-entropy). dlogits = scale *
// weight * d(cross-entropy)/d(logits).
template <class S>
MaskedLmScore masked_lm_loss(const Mat<S>& logits, std::span<const int32_t> targets, std::span<const S> weights, S scale,
                             Mat<S>& dlogits);


// Accumulates the head's parameter gradients (the decoder's into `dword`, the tied word
// embeddings) and returns d/d rows in drows.
template <class S>
void masked_lm_backward(const Mat<S>& dlogits, const MaskedLmCache<S>& cache, const MaskedLmWeights<S>& w,
                        const ModelConfig& config, S* dword, S* ddense_w, S* ddense_b, S* dnorm_g, S* dnorm_b,
                        S* dbias, Mat<S>& drows);

}  // namespace pb::train
