#pragma once
// The sequence-classification head on the [CLS] rows (one row per example): pooler
// tanh(W h + b), dropout, classifier; cross-entropy (classes) or squared error (regression, one
// output) per example; and the backward pass.
#include "core/train/matrix_types.h"

#include <cstdint>
#include <span>

namespace pb::train {


template <class S>
struct HeadCache {
    Mat<S> cls;     // examples x H
    Mat<S> pooled;  // tanh output
    Mat<S> mask;    // dropout scales (empty without dropout)
    Mat<S> dropped; // pooled after dropout
    Mat<S> logits;  // examples x labels
};

// params: pooler weight [H,H], bias [H], classifier weight [C,H], bias [C]. dropout_keys: one per row.
template <class S>
void head_forward(const ConstMatRef<S>& cls, const S* pooler_w, const S* pooler_b, const S* classifier_w,
                  const S* classifier_b, int labels, double dropout_p, std::span<const uint64_t> dropout_keys,
                  HeadCache<S>& cache);

// Knowledge distillation's settings: the weight of the teacher's term in the loss (0: the labels
// alone) and the temperature of both softmaxes in it.
struct Distillation {
    double weight = 0;
    double temperature = 1;
};

// Knowledge distillation's term: the teacher's probabilities at `temperature`, one row per example
// (rows x labels, row-major), and the term's weight.
struct DistillTerm {
    std::span<const float> teacher;
    double weight = 0;
    double temperature = 1;
};

// Per-example losses are summed; dlogits = scale * dloss/dlogits (scale = 1/batch for a mean).
// Classification: -log softmax(z)[y]; with a distillation term (Hinton et al. 2015)
//   (1 - w) * -log softmax(z)[y] + w * T^2 * -sum_c q_c log softmax(z / T)_c
// (T^2 keeps the term's gradient scale independent of T). Regression: (z - y)^2 (MSE, as Hugging
// Face and the reference).
template <class S>
double head_loss(const Mat<S>& logits, std::span<const float> labels, bool regression, S scale, Mat<S>& dlogits,
                 const DistillTerm& distill = {});

// dcls = d/dcls; parameter gradients are accumulated (any may be null).
template <class S>
void head_backward(const Mat<S>& dlogits, const HeadCache<S>& cache, const S* pooler_w, const S* classifier_w,
                   int labels, S* dpooler_w, S* dpooler_b, S* dclassifier_w, S* dclassifier_b, Mat<S>& dcls);

}  // namespace pb::train
