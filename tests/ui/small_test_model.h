#pragma once
// The small untrained model every UI test builds: real vocabulary, seeded weights, two labels.
#include "core/model_config.h"

#include <filesystem>

namespace {

inline pb::ModelConfig smallConfig() {
    pb::ModelConfig c;
    c.vocab_size = 30522;
    c.hidden_size = 64;
    c.num_layers = 4;
    c.num_heads = 4;
    c.intermediate_size = 128;
    c.max_position = 128;
    c.num_labels = 2;
    c.id2label = {"negative", "positive"};
    return c;
}

inline std::filesystem::path bundledVocab() {
    return std::filesystem::path(POWERBERT_FIXTURES) / ".." / ".." / "resources" / "vocab" / "bert-base-uncased.txt";
}

}  // namespace
