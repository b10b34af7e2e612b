#pragma once
// Eigen views used throughout the engine. Weights keep Hugging Face's row-major [out, in] layout
// and are mapped, never copied, so a linear layer is x * W^T on a memory-mapped matrix.
#include <Eigen/Core>

namespace pb {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;

// A weight matrix as stored: rows x cols floats, row-major, owned elsewhere.
struct MatrixView {
    const float* data = nullptr;
    int rows = 0;
    int cols = 0;
    ConstMatrixMap map() const { return ConstMatrixMap(data, rows, cols); }
};

struct VectorView {
    const float* data = nullptr;
    int size = 0;
    ConstRowVectorMap map() const { return ConstRowVectorMap(data, size); }
};

}  // namespace pb
