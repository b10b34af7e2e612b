#include "core/train/extract_grad.h"

#include <algorithm>
#include <numeric>

namespace pb::train {

template <class S>
std::vector<S> significance(const Mat<S>& mean) {
    const Eigen::Index n = mean.rows();
    std::vector<S> sig(n);
    for (Eigen::Index k = 0; k < n; ++k) sig[k] = mean.col(k).sum() - mean(k, k);
    return sig;
}

template <class S>
std::vector<int> significance_order(std::span<const S> sig) {
    std::vector<int> order(sig.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sig[a] > sig[b]; });
    return order;
}

template <class S>
std::vector<int> extract_rows(std::span<const S> sig, int keep) {
    const int n = static_cast<int>(sig.size());
    keep = std::clamp(keep, 1, n);
    std::vector<int> order(n - 1);
    std::iota(order.begin(), order.end(), 1);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sig[a] > sig[b]; });
    std::vector<int> rows(order.begin(), order.begin() + (keep - 1));
    rows.push_back(0);
    std::sort(rows.begin(), rows.end());
    return rows;
}

template <class S>
void hard_extract_forward(MatRef<S> out, const ConstMatRef<S>& in, std::span<const int> rows) {
    for (size_t i = 0; i < rows.size(); ++i) out.row(i) = in.row(rows[i]);
}

template <class S>
void hard_extract_backward(MatRef<S> din, const ConstMatRef<S>& dout, std::span<const int> rows) {
    din.setZero();
    for (size_t i = 0; i < rows.size(); ++i) din.row(rows[i]) = dout.row(i);
}

template <class S>
void soft_extract_forward(MatRef<S> out, const ConstMatRef<S>& in, std::span<const int> order, const S* r) {
    for (size_t k = 0; k < order.size(); ++k) out.row(order[k]) = in.row(order[k]) * r[k];
}

template <class S>
void soft_extract_backward(MatRef<S> din, const ConstMatRef<S>& dout, const ConstMatRef<S>& in, std::span<const int> order,
                           const S* r, S* dr) {
    for (size_t k = 0; k < order.size(); ++k) {
        const int p = order[k];
        if (dr) dr[k] += dout.row(p).dot(in.row(p));
        din.row(p) = dout.row(p) * r[k];
    }
}

#define PB_INSTANTIATE(S)                                                                                         \
    template std::vector<S> significance<S>(const Mat<S>&);                                                      \
    template std::vector<int> significance_order<S>(std::span<const S>);                                         \
    template std::vector<int> extract_rows<S>(std::span<const S>, int);                                           \
    template void hard_extract_forward<S>(MatRef<S>, const ConstMatRef<S>&, std::span<const int>);                \
    template void hard_extract_backward<S>(MatRef<S>, const ConstMatRef<S>&, std::span<const int>);               \
    template void soft_extract_forward<S>(MatRef<S>, const ConstMatRef<S>&, std::span<const int>, const S*);       \
    template void soft_extract_backward<S>(MatRef<S>, const ConstMatRef<S>&, const ConstMatRef<S>&,                 \
                                           std::span<const int>, const S*, S*);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
