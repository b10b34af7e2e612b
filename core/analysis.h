#pragma once
// One analysed input: the full model and PoWER-BERT run on the same encoding.
#include "core/bert_model.h"
#include "core/elimination.h"
#include "core/trace.h"
#include "core/wordpiece_tokenizer.h"

#include <optional>
#include <string>

namespace pb {

struct ModelFolder;

struct Analysis {
    std::string model_path;
    ModelConfig config;
    std::string text;
    std::optional<std::string> pair;
    Encoding encoding;
    RetentionPlan plan;
    Trace full;
    Trace power;
};

// Tokenises, then runs both models. An empty plan.keep means "no elimination" for PoWER too.
Analysis analyze(const ModelFolder& model, const std::string& text, const std::optional<std::string>& pair,
                 const RetentionPlan& plan, const RunOptions& options = {});

}  // namespace pb
