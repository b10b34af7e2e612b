#pragma once
// Eigen types of the training engine, templated on the scalar: float for training, double for the
// gradient checks (central finite differences need the precision).
#include <Eigen/Core>

namespace pb::train {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using RowVec = Eigen::Matrix<S, 1, Eigen::Dynamic>;
template <class S>
using MatMap = Eigen::Map<Mat<S>>;
template <class S>
using ConstMatMap = Eigen::Map<const Mat<S>>;
template <class S>
using RowVecMap = Eigen::Map<RowVec<S>>;
template <class S>
using ConstRowVecMap = Eigen::Map<const RowVec<S>>;

// A mutable or read-only block of rows, as the ops take them (a whole matrix, a map or rows of one).
template <class S>
using MatRef = Eigen::Ref<Mat<S>>;
template <class S>
using ConstMatRef = Eigen::Ref<const Mat<S>>;

}  // namespace pb::train
