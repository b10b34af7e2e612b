#pragma once
// out = in * W^T for a row-major weight W [out, in], as stored in the checkpoint.
// Few rows (short inputs, late PoWER-BERT layers) make a matrix product a pass over the weights:
// Eigen's general product repacks W on every call, which costs more than the arithmetic. For
// those, a kernel that streams each W row once and keeps a 4x4 tile of dot products in registers
// is used instead (up to 96 rows it beat Eigen on 2 threads here); more rows go to Eigen's blocked product.
#include "core/tensor_map.h"

namespace pb {

// Rows at or below this use the streaming kernel (measured with `powerbert bench --kernels`).
inline constexpr int kStreamingRowLimit = 96;

void multiply_transposed(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight);
// Always the streaming kernel (for tests and measurements).
void multiply_transposed_streaming(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight);

}  // namespace pb
