#pragma once
// LayerNorm over each row (biased variance, as BERT): y = (x - mean) / sqrt(var + eps) * gamma + beta.
#include "core/train/matrix_types.h"

#include <vector>

namespace pb::train {

template <class S>
struct LayerNormCache {
    Mat<S> normalized;           // (x - mean) * rstd, per row
    std::vector<S> inverse_std;  // rstd per row
};

// y may alias x.
template <class S>
void layer_norm_forward(MatRef<S> y, const ConstMatRef<S>& x, const S* gamma, const S* beta, S eps, LayerNormCache<S>& cache);

// dx = d/dx given dy; dgamma += sum dy * normalized, dbeta += sum dy. dx may alias dy.
template <class S>
void layer_norm_backward(MatRef<S> dx, const ConstMatRef<S>& dy, const S* gamma, const LayerNormCache<S>& cache, S* dgamma,
                         S* dbeta);

}  // namespace pb::train
