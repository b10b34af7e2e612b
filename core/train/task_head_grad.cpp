#include "core/train/task_head_grad.h"

#include "core/error.h"
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
double head_loss(const Mat<S>& logits, std::span<const float> labels, bool regression, S scale, Mat<S>& dlogits,
                 const DistillTerm& distill) {
    const Eigen::Index rows = logits.rows(), C = logits.cols();
    const bool distilling = distill.weight > 0;
    if (distilling && (regression || distill.teacher.size() != size_t(rows * C)))
        throw Error("head loss: distillation needs one row of " + std::to_string(C) +
                    " teacher probabilities per example (classification only)");
    if (distilling && !(distill.temperature > 0)) throw Error("head loss: the distillation temperature must be > 0");
    dlogits.resize(rows, C);
    const S w = S(distill.weight), T = S(distill.temperature);
    RowVec<S> soft_grad(C);
    double total = 0;
    for (Eigen::Index i = 0; i < rows; ++i) {
        if (regression) {
            const S diff = logits(i, 0) - S(labels[i]);
            total += double(diff) * double(diff);
            dlogits(i, 0) = scale * S(2) * diff;
            continue;
        }
        const double hard = softmax_cross_entropy(logits.row(i), static_cast<int>(labels[i]), dlogits.row(i));
        if (!distilling) {
            total += hard;
            dlogits.row(i) *= scale;
            continue;
        }
        const Eigen::Map<const Eigen::RowVectorXf> q(&distill.teacher[size_t(i * C)], C);
        const double soft = softmax_cross_entropy(RowVec<S>(logits.row(i) / T), q, soft_grad);
        total += (1 - distill.weight) * hard + distill.weight * distill.temperature * distill.temperature * soft;
        // d/dz of T^2 * CE(q, softmax(z / T)) is T * (softmax(z / T) - q).
        dlogits.row(i) = scale * ((S(1) - w) * dlogits.row(i) + w * T * soft_grad);
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
    template double head_loss<S>(const Mat<S>&, std::span<const float>, bool, S, Mat<S>&, const DistillTerm&);    \
    template void head_backward<S>(const Mat<S>&, const HeadCache<S>&, const S*, const S*, int, S*, S*, S*, S*,     \
                                   Mat<S>&);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
