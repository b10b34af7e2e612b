#pragma once
// out = in * W^T + b on packed weights (core/packed_weights.h), with what follows a linear layer
// in BERT fused into the store: the activation, or the residual connection.
//
// Register tiles of up to kTileRows input rows x kPanelWidth outputs accumulate in AVX-512
// registers while the weight panel streams by once; the input rows are rearranged first (into
// `scratch`) so each step reads them sequentially. Few rows (short inputs, late PoWER-BERT layers)
// make the product a single pass over the weights, bound by memory bandwidth: each thread streams
// its own contiguous half of the panels and prefetches the next panel into L2 while it works on
// the current one. Many rows make it bound by multiply-add throughput: the panel then stays in
// cache while every tile of rows passes over it.
#include "core/model_config.h"
#include "core/packed_weights.h"
#include "core/tensor_map.h"

#include <optional>
#include <span>

namespace pb {

inline constexpr int kTileRows = 12;
inline constexpr int kInputChunk = 16;  // the rearranged input rows are grouped in chunks of this many

struct LinearEpilogue {
    std::optional<Activation> activation;  // applied to out (the feed-forward's first layer)
    // out += residual rows (the residual connections): row r of out adds row residual_rows[r]
    // (or row r when residual_rows is empty) of `residual`, which has out's row length.
    const float* residual = nullptr;
    std::span<const int> residual_rows;

    static LinearEpilogue activate(Activation a) {
        LinearEpilogue e;
        e.activation = a;
        return e;
    }
    static LinearEpilogue add(const float* residual, std::span<const int> rows = {}) {
        LinearEpilogue e;
        e.residual = residual;
        e.residual_rows = rows;
        return e;
    }
};

// Floats of scratch that linear_packed needs for `rows` input rows of `cols` values.
inline size_t linear_scratch_size(int rows, int cols) {
    return size_t(rows) * ((cols + kInputChunk - 1) / kInputChunk * kInputChunk);
}

// Who shares a product's work.
enum class LinearThreads {
    Own,         // a team of its own, when the product is large enough to pay for waking one
    CallerTeam,  // the caller's OpenMP parallel region: every thread of it calls linear_packed with
                 // the same arguments (a forward pass that keeps its threads between steps)
};

// Whether a product of `rows` input rows pays for a second thread (linear_packed's own rule).
bool linear_wants_threads(int rows, const PackedMatrix& weight);

// For every column group g of `weight`: outputs[g] (rows x group_rows, row-major) = in * W_g^T + b_g,
// then the epilogue.
void linear_packed(ConstMatrixMap in, const PackedMatrix& weight, std::span<float* const> outputs,
                   const LinearEpilogue& epilogue, float* scratch, LinearThreads threads = LinearThreads::Own);

}  // namespace pb
