#include "core/train/masked_lm_head_grad.h"

#include "core/train/activation_grad.h"
#include "core/train/linear_grad.h"
#include "core/train/softmax_cross_entropy.h"

#include <cmath>

namespace pb::train {

template <class S>
void masked_lm_forward(const ConstMatRef<S>& rows, const MaskedLmWeights<S>& w, const ModelConfig& c,
                       MaskedLmCache<S>& cache) {
    const int M = static_cast<int>(rows.rows()), H = c.hidden_size, V = c.vocab_size;
    cache.rows = rows;
    cache.dense.resize(M, H);
    linear_forward<S>(cache.dense, cache.rows, w.dense_w, w.dense_b, H, H);
    cache.activated.resize(M, H);
    activation_forward<S>(cache.activated, cache.dense, c.activation);
    cache.transformed.resize(M, H);
    layer_norm_forward<S>(cache.transformed, cache.activated, w.norm_g, w.norm_b, S(c.layer_norm_eps), cache.norm);
    cache.logits.resize(M, V);
    linear_forward<S>(cache.logits, cache.transformed, w.word, w.bias, V, H);
}

template <class S>
MaskedLmScore masked_lm_loss(const Mat<S>& logits, std::span<const int32_t> targets, std::span<const S> weights, S scale,
                             Mat<S>& dlogits) {
    MaskedLmScore score;
    dlogits.resize(logits.rows(), logits.cols());
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
        const int y = targets[i];
        Eigen::Index best = 0;
        logits.row(i).maxCoeff(&best);
        if (best == y) ++score.correct;
        score.loss_sum += double(weights[i]) * softmax_cross_entropy(logits.row(i), y, dlogits.row(i));
        dlogits.row(i) *= scale * weights[i];
    }
    return score;
}

template <class S>
void masked_lm_backward(const Mat<S>& dlogits, const MaskedLmCache<S>& cache, const MaskedLmWeights<S>& w,
                        const ModelConfig& c, S* dword, S* ddense_w, S* ddense_b, S* dnorm_g, S* dnorm_b, S* dbias,
                        Mat<S>& drows) {
    const int M = static_cast<int>(dlogits.rows()), H = c.hidden_size, V = c.vocab_size;
    Mat<S> dtransformed(M, H);
    MatRef<S> dt_ref(dtransformed);
    linear_backward<S>(dlogits, cache.transformed, w.word, V, H, dword, dbias, &dt_ref, false);
    layer_norm_backward<S>(dtransformed, dtransformed, w.norm_g, cache.norm, dnorm_g, dnorm_b);
    activation_backward<S>(dtransformed, dtransformed, cache.dense, c.activation);
    drows.resize(M, H);
    MatRef<S> drows_ref(drows);
    linear_backward<S>(dtransformed, cache.rows, w.dense_w, H, H, ddense_w, ddense_b, &drows_ref, false);
}

#define PB_INSTANTIATE(S)                                                                                          \
    template void masked_lm_forward<S>(const ConstMatRef<S>&, const MaskedLmWeights<S>&, const ModelConfig&,        \
                                       MaskedLmCache<S>&);                                                         \
    template MaskedLmScore masked_lm_loss<S>(const Mat<S>&, std::span<const int32_t>, std::span<const S>, S,        \
                                             Mat<S>&);                                                             \
    template void masked_lm_backward<S>(const Mat<S>&, const MaskedLmCache<S>&, const MaskedLmWeights<S>&,          \
                                        const ModelConfig&, S*, S*, S*, S*, S*, S*, Mat<S>&);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
