#pragma once
// The JSON schema shared by `powerbert analyze --json` and the GUI's JSON export (see README).
#include "core/analysis.h"
#include "core/comparison.h"
#include "core/elimination.h"
#include "core/model_config.h"
#include "core/trace.h"
#include "core/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

namespace pb {

nlohmann::json trace_to_json(const Trace& trace, const ModelConfig& config);
nlohmann::json encoding_to_json(const Encoding& encoding, std::string_view text, std::optional<std::string_view> pair);
nlohmann::json plan_to_json(const RetentionPlan& plan);
nlohmann::json comparison_to_json(const Comparison& comparison);

nlohmann::json analysis_to_json(const Analysis& analysis);

}  // namespace pb
