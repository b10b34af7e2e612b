#pragma once
// Multiply-add counts of exactly the products the engine computes, so that a measured speedup
// can be compared with the arithmetic one.
#include "core/model_config.h"

#include <cstdint>
#include <span>

namespace pb {

// One encoder layer with n_in vectors entering and n_out leaving (Extract after the attention):
// Q,K,V on n_in rows, scores n_in x n_in, context and everything after it on the n_out kept rows.
int64_t layer_multiply_adds(const ModelConfig& config, int64_t n_in, int64_t n_out);
// ALBERT's projection of n embedding vectors to the hidden size (0 for BERT).
int64_t embedding_multiply_adds(const ModelConfig& config, int64_t n);
// The whole model for per-layer survivor counts (lengths[0] = input length, lengths[j] = keep after layer j).
// Every layer counts in full, whether or not it shares its weights (ALBERT).
int64_t model_multiply_adds(const ModelConfig& config, std::span<const int> lengths, bool with_head);

}  // namespace pb
