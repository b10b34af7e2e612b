#include "core/train/task_head_grad.h"

#include "core/train/dropout.h"
#include "core/train/linear_grad.h"
#include "core/train/softmax_cross_entropy.h"

#include <cmath>

namespace pb::train {

template <class S>
void head_forward(const ConstMatRef<S>& cls, const S* pooler_w, const S* pooler_b, const S* classifier_w,
                  const S* classifier_b, int labels, double dropout_p, std::span<const uint64_t> dropout_keys,
                  HeadCache<S>& cache) {
    const int rows = static_cast<int>(cls.rows()), H = static_cast<int>(cls.cols());
    cache.cls = cls;
    cache.pooled.resize(rows, H);
    linear_forward<S>(cache.pooled, cache.cls, pooler_w, pooler_b, H, H);
    cache.pooled = cache.pooled.array().tanh().matrix();
    if (dropout_p > 0) {
        cache.mask.resize(rows, H);
        for (int i = 0; i < rows; ++i) fill_dropout_mask(&cache.mask(i, 0), size_t(H), dropout_p, dropout_keys[i]);
        cache.dropped = cache.pooled.cwiseProduct(cache.mask);
    } else {
        cache.mask.resize(0, 0);
        cache.dropped = cache.pooled;
    }
    cache.logits.resize(rows, labels);
    linear_forward<S>(cache.logits, cache.dropped, classifier_w, classifier_b, labels, H);
}

template <class S>
double head_loss(const Mat<S>& logits, std::span<const float> labels, bool regression, S scale, Mat<S>& dlogits) {
    const Eigen::Index rows = logits.rows(), C = logits.cols();
    dlogits.resize(rows, C);
    double total = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
        if (regression) {
            const S diff = logits(i, 0) - S(labels[i]);
            total += double(diff) * double(diff);
            dlogits(i, 0) = scale * S(2) * diff;
            continue;
        }
        total += softmax_cross_entropy(logits.row(i), static_cast<int>(labels[i]), dlogits.row(i));
        dlogits.row(i) *= scale;
    }
    return total;
}

template <class S>
void head_backward(const Mat<S>& dlogits, const HeadCache<S>& cache, const S* pooler_w, const S* classifier_w, int labels,
                   S* dpooler_w, S* dpooler_b, S* dclassifier_w, S* dclassifier_b, Mat<S>& dcls) {
    const int rows = static_cast<int>(dlogits.rows()), H = static_cast<int>(cache.cls.cols());
    Mat<S> dpooled(rows, H);
    MatRef<S> dpooled_ref(dpooled);
    linear_backward<S>(dlogits, cache.dropped, classifier_w, labels, H, dclassifier_w, dclassifier_b, &dpooled_ref, false);
    if (cache.mask.size()) dpooled = dpooled.cwiseProduct(cache.mask);
    dpooled = dpooled.cwiseProduct((S(1) - cache.pooled.array().square()).matrix());
    dcls.resize(rows, H);
    MatRef<S> dcls_ref(dcls);
    linear_backward<S>(dpooled, cache.cls, pooler_w, H, H, dpooler_w, dpooler_b, &dcls_ref, false);
}

#define PB_INSTANTIATE(S)                                                                                          \
    template void head_forward<S>(const ConstMatRef<S>&, const S*, const S*, const S*, const S*, int, double,       \
                                  std::span<const uint64_t>, HeadCache<S>&);                                       \
    template double head_loss<S>(const Mat<S>&, std::span<const float>, bool, S, Mat<S>&);                         \
    template void head_backward<S>(const Mat<S>&, const HeadCache<S>&, const S*, const S*, int, S*, S*, S*, S*,     \
                                   Mat<S>&);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
