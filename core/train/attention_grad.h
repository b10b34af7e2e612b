#pragma once
// Multi-head self-attention of one sequence (rows = its positions, no padding): per head h,
// P_h = softmax(Q_h K_h^T / sqrt(d)), dropout on P_h, context_h = P_h' V_h; and its backward pass.
#include "core/train/matrix_types.h"

#include <cstdint>
#include <vector>

namespace pb::train {

template <class S>
struct AttentionCache {
    std::vector<Mat<S>> probabilities;  // per head, n x n, before dropout (the significance uses these)
    std::vector<Mat<S>> mask;           // per head dropout scale factors; empty without dropout
};

// q, k, v, context: n x H (H = heads * d). dropout_p = 0 disables dropout; key seeds its masks.
template <class S>
void attention_forward(MatRef<S> context, const ConstMatRef<S>& q, const ConstMatRef<S>& k, const ConstMatRef<S>& v,
                       int heads, double dropout_p, uint64_t key, AttentionCache<S>& cache);

// Writes (not accumulates) dq, dk, dv.
template <class S>
void attention_backward(const ConstMatRef<S>& dcontext, const ConstMatRef<S>& q, const ConstMatRef<S>& k,
                        const ConstMatRef<S>& v, int heads, const AttentionCache<S>& cache, MatRef<S> dq, MatRef<S> dk,
                        MatRef<S> dv);

// Abar = mean over heads of the probabilities (n x n, rows = queries).
template <class S>
Mat<S> mean_attention(const AttentionCache<S>& cache);

}  // namespace pb::train
