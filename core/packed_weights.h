#pragma once
// The encoder's weight matrices rearranged once, at load time, for linear_kernel's product.
// The checkpoint stores a linear layer as W [out, in], row by row; a product over few input rows
// then reads W as many short strided streams, and a product over many rows repacks W on every
// call. Packed, W is a sequence of panels of kPanelWidth output columns, each holding, for every
// input index k, the kPanelWidth weights W[n][k] side by side: every product reads the weights
// exactly once, as one sequential stream per thread.
#include "core/bert_weights.h"
#include "core/model_config.h"

#include <Eigen/Core>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace pb {

inline constexpr int kPanelWidth = 32;  // two AVX-512 registers of float

enum class WeightPrecision {
    F32,   // the checkpoint's values (F16/BF16 checkpoints widened exactly)
    BF16,  // rounded to bfloat16 (half the bytes to read); products still accumulate in float
};

// One or more matrices with the same input size stacked by output (Q, K and V: three groups),
// each group padded with zero columns to whole panels, so that one product fills all of them.
struct PackedMatrix {
    WeightPrecision precision = WeightPrecision::F32;
    int groups = 0;
    int group_rows = 0;  // outputs per group (N)
    int cols = 0;        // inputs (K)
    const void* panels = nullptr;
    const float* bias = nullptr;  // groups * panels_per_group() * kPanelWidth, zero-padded like the panels

    int panels_per_group() const { return (group_rows + kPanelWidth - 1) / kPanelWidth; }
    int panel_count() const { return groups * panels_per_group(); }
    size_t panel_elements() const { return size_t(cols) * kPanelWidth; }
    explicit operator bool() const { return panels != nullptr; }
};

struct PackedEncoderLayer {
    PackedMatrix query_key_value;  // three groups: Q, K, V
    PackedMatrix attention_output, intermediate, output;
};

struct PackedBertWeights {
    WeightPrecision precision = WeightPrecision::F32;
    std::vector<PackedEncoderLayer> layers;
    size_t bytes = 0;  // panels and biases together

    // Storage behind the views above (64-byte aligned for aligned vector loads); deques, so that
    // adding a buffer never moves the others.
    std::deque<std::vector<float, Eigen::aligned_allocator<float>>> float_storage;
    std::deque<std::vector<uint16_t, Eigen::aligned_allocator<uint16_t>>> bf16_storage;
};

// Packs every encoder layer's linear weights; layers that share their weights (same tensors)
// share one packed copy. `packed_source` is told of each source matrix once it is packed (so its
// memory can be given back before the next one is packed).
std::shared_ptr<const PackedBertWeights> pack_bert_weights(
    const BertWeights& weights, WeightPrecision precision,
    const std::function<void(const MatrixView&)>& packed_source = {});

// The packed copy of `sources` stacked as groups (all of one shape), with their biases.
PackedMatrix pack_matrices(std::span<const LinearWeights> sources, WeightPrecision precision,
                           PackedBertWeights& storage);

// Weight [n][k] as the kernel sees it (after any rounding): for tests and checks.
float packed_weight(const PackedMatrix& m, int group, int n, int k);

}  // namespace pb
