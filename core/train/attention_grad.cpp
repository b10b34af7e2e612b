#include "core/train/attention_grad.h"

#include "core/train/dropout.h"

#include <cmath>

namespace pb::train {

template <class S>
void attention_forward(MatRef<S> context, const ConstMatRef<S>& q, const ConstMatRef<S>& k, const ConstMatRef<S>& v,
                       int heads, double dropout_p, uint64_t key, AttentionCache<S>& cache) {
    const Eigen::Index n = q.rows(), H = q.cols(), d = H / heads;
    const S scale = S(1) / std::sqrt(S(d));
    cache.probabilities.resize(heads);
    cache.mask.resize(dropout_p > 0 ? heads : 0);
    for (int h = 0; h < heads; ++h) {
        Mat<S>& p = cache.probabilities[h];
        p.noalias() = (q.middleCols(h * d, d) * k.middleCols(h * d, d).transpose()) * scale;
        for (Eigen::Index i = 0; i < n; ++i) {
            auto row = p.row(i).array();
            row = (row - row.maxCoeff()).exp();
            row /= row.sum();
        }
        if (dropout_p > 0) {
            Mat<S>& m = cache.mask[h];
            m.resize(n, n);
            fill_dropout_mask(m.data(), size_t(n * n), dropout_p, key + uint64_t(h) * 0x9E3779B97F4A7C15ull);
            context.middleCols(h * d, d).noalias() = p.cwiseProduct(m) * v.middleCols(h * d, d);
        } else {
            context.middleCols(h * d, d).noalias() = p * v.middleCols(h * d, d);
        }
    }
}

template <class S>
void attention_backward(const ConstMatRef<S>& dcontext, const ConstMatRef<S>& q, const ConstMatRef<S>& k,
                        const ConstMatRef<S>& v, int heads, const AttentionCache<S>& cache, MatRef<S> dq, MatRef<S> dk,
                        MatRef<S> dv) {
    const Eigen::Index n = q.rows(), H = q.cols(), d = H / heads;
    const S scale = S(1) / std::sqrt(S(d));
    Mat<S> dp(n, n), dropped;
    for (int h = 0; h < heads; ++h) {
        const Mat<S>& p = cache.probabilities[h];
        const auto dctx = dcontext.middleCols(h * d, d);
        dp.noalias() = dctx * v.middleCols(h * d, d).transpose();
        if (!cache.mask.empty()) {
            dropped = p.cwiseProduct(cache.mask[h]);
            dv.middleCols(h * d, d).noalias() = dropped.transpose() * dctx;
            dp = dp.cwiseProduct(cache.mask[h]);
        } else {
            dv.middleCols(h * d, d).noalias() = p.transpose() * dctx;
        }
        // softmax backward: ds = p * (dp - rowsum(dp * p)), then the 1/sqrt(d) scale.
        for (Eigen::Index i = 0; i < n; ++i) {
            const S dot = dp.row(i).dot(p.row(i));
            dp.row(i) = (p.row(i).array() * (dp.row(i).array() - dot) * scale).matrix();
        }
        dq.middleCols(h * d, d).noalias() = dp * k.middleCols(h * d, d);
        dk.middleCols(h * d, d).noalias() = dp.transpose() * q.middleCols(h * d, d);
    }
}

template <class S>
Mat<S> mean_attention(const AttentionCache<S>& cache) {
    Mat<S> mean = cache.probabilities.front();
    for (size_t h = 1; h < cache.probabilities.size(); ++h) mean += cache.probabilities[h];
    mean *= S(1) / S(cache.probabilities.size());
    return mean;
}

#define PB_INSTANTIATE(S)                                                                                            \
    template void attention_forward<S>(MatRef<S>, const ConstMatRef<S>&, const ConstMatRef<S>&, const ConstMatRef<S>&, \
                                       int, double, uint64_t, AttentionCache<S>&);                                   \
    template void attention_backward<S>(const ConstMatRef<S>&, const ConstMatRef<S>&, const ConstMatRef<S>&,          \
                                        const ConstMatRef<S>&, int, const AttentionCache<S>&, MatRef<S>, MatRef<S>,  \
                                        MatRef<S>);                                                                  \
    template Mat<S> mean_attention<S>(const AttentionCache<S>&);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
