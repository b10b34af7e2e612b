#pragma once
// A Hugging Face model folder: config.json, model.safetensors, the tokenizer (vocab.txt and/or
// tokenizer.json, or ALBERT's spiece.model), tokenizer_config.json, and PoWER-BERT's own retention.json.
#include "core/bert_model.h"
#include "core/elimination.h"
#include "core/tokenizer.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace pb {

struct ModelFolder {
    std::filesystem::path path;
    BertModel model;
    std::shared_ptr<const Tokenizer> tokenizer;
    std::optional<RetentionPlan> retention;  // from retention.json, when the folder has one
    uint64_t weight_bytes = 0;               // size of model.safetensors
    int max_tokens = 512;                    // min(tokenizer's model_max_length, max_position_embeddings)

    Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt) const {
        return tokenizer->encode(text, pair, max_tokens);
    }
};

// Every problem is reported as pb::Error naming the file at fault.
// Config and weights only (no tokenizer needed): for token ids that come from elsewhere. The
// encoder's matrices are packed in `precision` (BF16: reduced precision, never the default).
BertModel load_bert_model(const std::filesystem::path& folder, WeightPrecision precision = WeightPrecision::F32);
ModelFolder load_model_folder(const std::filesystem::path& folder, WeightPrecision precision = WeightPrecision::F32);

}  // namespace pb
