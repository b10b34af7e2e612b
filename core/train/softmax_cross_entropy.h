#pragma once
// Softmax cross-entropy of one row of logits against a class, with its gradient: the numerics the
// classification head and the masked-LM head share. The row is shifted by its maximum so exp never
// overflows, and the log is taken in double so that a sum of many small losses keeps its digits.
#include <Eigen/Core>

#include <cmath>

namespace pb::train {

// log softmax(logits)[c] = logits[c] - top - log_sum.
struct LogNormaliser {
    double top, log_sum;
};

// Writes softmax(logits) into `grad` (a row of the same length).
template <class Row, class GradRow>
LogNormaliser softmax_into(const Eigen::MatrixBase<Row>& logits, GradRow&& grad) {
    using S = typename Row::Scalar;
    const S top = logits.maxCoeff();
    grad = (logits.array() - top).exp().matrix();
    const S sum = grad.sum();
    grad /= sum;
    return {double(top), std::log(double(sum))};
}

// Writes softmax(logits) - onehot(target) into `grad` (a row of the same length) and returns
// -log softmax(logits)[target].
template <class Row, class GradRow>
double softmax_cross_entropy(const Eigen::MatrixBase<Row>& logits, int target, GradRow&& grad) {
    using S = typename Row::Scalar;
    const LogNormaliser n = softmax_into(logits, grad);
    grad(target) -= S(1);
    return -(double(logits(target)) - n.top - n.log_sum);
}

// The same against a class distribution `target` (distillation: the teacher's probabilities):
// writes softmax(logits) - target and returns -sum_c target[c] log softmax(logits)[c].
template <class Row, class TargetRow, class GradRow>
double softmax_cross_entropy(const Eigen::MatrixBase<Row>& logits, const Eigen::MatrixBase<TargetRow>& target,
                             GradRow&& grad) {
    using S = typename Row::Scalar;
    const LogNormaliser n = softmax_into(logits, grad);
    double loss = 0;
    for (Eigen::Index c = 0; c < logits.size(); ++c)
        loss -= double(target(c)) * (double(logits(c)) - n.top - n.log_sum);
    grad -= target.template cast<S>();
    return loss;
}

}  // namespace pb::train
