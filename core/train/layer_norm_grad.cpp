#include "core/train/layer_norm_grad.h"

#include <cmath>

namespace pb::train {

template <class S>
void layer_norm_forward(MatRef<S> y, const ConstMatRef<S>& x, const S* gamma, const S* beta, S eps, LayerNormCache<S>& cache) {
    const Eigen::Index rows = x.rows(), H = x.cols();
    cache.normalized.resize(rows, H);
    cache.inverse_std.resize(rows);
    ConstRowVecMap<S> g(gamma, H), b(beta, H);
    const S inv_h = S(1) / S(H);
    for (Eigen::Index i = 0; i < rows; ++i) {
        auto n = cache.normalized.row(i);
        n = x.row(i).array() - x.row(i).sum() * inv_h;
        const S variance = n.squaredNorm() * inv_h;
        const S rstd = S(1) / std::sqrt(variance + eps);
        n *= rstd;
        cache.inverse_std[i] = rstd;
        y.row(i) = n.cwiseProduct(g) + b;
    }
}

template <class S>
void layer_norm_backward(MatRef<S> dx, const ConstMatRef<S>& dy, const S* gamma, const LayerNormCache<S>& cache, S* dgamma,
                         S* dbeta) {
    const Eigen::Index rows = dy.rows(), H = dy.cols();
    ConstRowVecMap<S> g(gamma, H);
    // Reductions go through aligned temporaries (see linear_backward): bit-reproducible sums.
    if (dgamma) {
        const RowVec<S> sum = (dy.array() * cache.normalized.array()).colwise().sum().matrix();
        RowVecMap<S>(dgamma, H) += sum;
    }
    if (dbeta) {
        const RowVec<S> sum = dy.colwise().sum();
        RowVecMap<S>(dbeta, H) += sum;
    }
    const S inv_h = S(1) / S(H);
    RowVec<S> dn(H);
    for (Eigen::Index i = 0; i < rows; ++i) {
        dn = dy.row(i).cwiseProduct(g);
        const auto n = cache.normalized.row(i);
        const S mean_dn = dn.sum() * inv_h;
        const S mean_dn_n = dn.dot(n) * inv_h;
        dx.row(i) = cache.inverse_std[i] * (dn.array() - mean_dn - n.array() * mean_dn_n).matrix();
    }
}

template void layer_norm_forward<float>(MatRef<float>, const ConstMatRef<float>&, const float*, const float*, float,
                                        LayerNormCache<float>&);
template void layer_norm_forward<double>(MatRef<double>, const ConstMatRef<double>&, const double*, const double*, double,
                                         LayerNormCache<double>&);
template void layer_norm_backward<float>(MatRef<float>, const ConstMatRef<float>&, const float*, const LayerNormCache<float>&,
                                         float*, float*);
template void layer_norm_backward<double>(MatRef<double>, const ConstMatRef<double>&, const double*,
                                          const LayerNormCache<double>&, double*, double*);

}  // namespace pb::train
