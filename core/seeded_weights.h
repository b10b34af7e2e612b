#pragma once
// Deterministic pseudo-random BERT and ALBERT weights, defined bit-exactly so that an independent
// implementation (tools/seeded_weights.py, PyTorch) can build the very same model. Used by the
// numeric tests and by `powerbert bench` (a BERT-base-shaped model without shipping 440 MB).
#include "core/model_config.h"
#include "core/safetensors.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pb {

struct NamedTensor {
    std::string name;
    std::vector<int64_t> shape;
    std::vector<float> values;
};

// The tensors of BertForSequenceClassification (with the "bert." prefix) or, for an ALBERT config,
// of AlbertForSequenceClassification (with "albert."; each shared layer once).
std::vector<NamedTensor> seeded_model_tensors(const ModelConfig& config, uint64_t seed);
// One tensor, by the role its name implies (see tools/seeded_weights.py for the same rules).
std::vector<float> seeded_values(const std::string& name, const std::vector<int64_t>& shape, uint64_t seed);

// Writes config.json and model.safetensors (in `dtype`) of a BERT or ALBERT (config.model_type)
// into `folder`, creating it; copies `tokenizer_file` there when given (the untrained demo model
// needs a tokenizer): as vocab.txt for BERT, as spiece.model for ALBERT.
void write_seeded_bert_folder(const std::filesystem::path& folder, const ModelConfig& config, uint64_t seed,
                              DType dtype = DType::F32, const std::filesystem::path& tokenizer_file = {});

}  // namespace pb
