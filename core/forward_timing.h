#pragma once
// `powerbert time`: the full model's latency on given token ids, one input per pass, for
// side-by-side comparisons with other engines on the same model and inputs
// (benchmarks/run_peers.sh runs it next to PyTorch and ONNX Runtime).
#include "core/bert_model.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pb {

struct TimedInput {
    std::vector<int32_t> ids, type_ids;
    std::string where;  // "FILE: inputs[i]", for errors
};

// {"inputs": [{"ids": [...], "type_ids": [...]}, ...]}, at least one; errors name the file and the input.
std::vector<TimedInput> load_timed_inputs(const std::filesystem::path& json_file);

// Every repeat runs every input once (so a burst of load on a shared machine hits all lengths);
// reports each input's times in ms and its logits. An input the model cannot take (ids outside the
// vocabulary, too long, ...) is an error naming it before anything runs.
nlohmann::json time_forward(const BertModel& model, const std::vector<TimedInput>& inputs, int warmup, int repeats);

}  // namespace pb
