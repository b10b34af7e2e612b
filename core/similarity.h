#pragma once
// Cosine similarity between word vectors: the paper's measure of diffusion of information.
#include "core/tensor_map.h"
#include "core/trace.h"

namespace pb {

// Mean over all ordered pairs i != j of cos(x_i, x_j); 1 for a single vector.
// Uses |sum of unit rows|^2 = sum over all pairs, so it costs O(n H), not O(n^2 H).
double mean_pairwise_cosine(const Eigen::Ref<const RowMatrix>& rows);
FloatMatrix pairwise_cosine(const Eigen::Ref<const RowMatrix>& rows);

}  // namespace pb
