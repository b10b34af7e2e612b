#pragma once
// The feed-forward activations of BERT checkpoints (config.json's hidden_act), in place.
#include "core/model_config.h"
#include "core/tensor_map.h"

namespace pb {

// A block of a row-major matrix (rows of `stride` floats, `cols` of them used).
using StridedMatrixMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

void apply_activation(StridedMatrixMap x, Activation activation);

}  // namespace pb
