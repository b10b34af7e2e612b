#pragma once
// Softmax cross-entropy of one row of logits against a class, with its gradient: the numerics the
// classification head and the masked-LM head share. The row is shifted by its maximum so exp never
// overflows, and the log is taken in double so that a sum of many small losses keeps its digits.
#include <Eigen/Core>

#include <cmath>

namespace pb::train {

// Writes softmax(logits) - onehot(target) into `grad` (a row of the same length) and returns
// -log softmax(logits)[target].
template <class Row, class GradRow>
double softmax_cross_entropy(const Eigen::MatrixBase<Row>& logits, int target, GradRow&& grad) {
    using S = typename Row::Scalar;
    const S top = logits.maxCoeff();
    grad = (logits.array() - top).exp().matrix();
    const S sum = grad.sum();
    grad /= sum;
    grad(target) -= S(1);
    return -(double(logits(target)) - double(top) - std::log(double(sum)));
}

// The same against a class distribution `target` (distillation: the teacher's probabilities): writes softmax(logits) - target and returns -sum_c target[c] log softmax(logits)[c].
template <class Row, class TargetRow, class GradRow>
double softmax_cross_entropy(const Eigen::MatrixBase<Row>& logits, const Eigen::MatrixBase<TargetRow>& target,
                             GradRow&& grad) {
    using S = typename Row::Scalar;
    const S top = logits.maxCoeff();
    grad = (logits.array() - top).exp().matrix();
    const S sum = grad.sum();
    grad /= sum;
    const double log_sum = std::log(double(sum));
    double loss = 0;
    for (Eigen::Index c = 0; c < logits.size(); ++c)
        loss -= double(target(c)) * (double(logits(c)) - double(top) - log_sum);
    grad -= target.template cast<S>();
    return loss;
}

}  // namespace pb::train
