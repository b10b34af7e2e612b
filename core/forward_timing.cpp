#include "core/forward_timing.h"

#include "core/error.h"
#include "core/json_reader.h"

#include <omp.h>

#include <chrono>

namespace pb {

std::vector<TimedInput> load_timed_inputs(const std::filesystem::path& json_file) {
    const nlohmann::json json = read_json(json_file);
    if (!json.contains("inputs") || !json["inputs"].is_array())
        throw Error(json_file.string() + ": expected {\"inputs\": [{\"ids\": [...], \"type_ids\": [...]}, ...]}");
    std::vector<TimedInput> inputs;
    for (const auto& item : json["inputs"]) {
        const std::string where = json_file.string() + ": inputs[" + std::to_string(inputs.size()) + "]";
        try {
            inputs.push_back({item.at("ids").get<std::vector<int32_t>>(), item.at("type_ids").get<std::vector<int32_t>>(), where});
        } catch (const nlohmann::json::exception&) {
            throw Error(where + ": needs \"ids\" and \"type_ids\", arrays of integers");
        }
    }
    if (inputs.empty()) throw Error(json_file.string() + ": \"inputs\" is empty: nothing to time");
    return inputs;
}

nlohmann::json time_forward(const BertModel& model, const std::vector<TimedInput>& inputs, int warmup, int repeats) {
    for (const auto& in : inputs) {
        try {
            validate_input(model.config, in.ids, in.type_ids);
        } catch (const Error& e) {
            // validate_input's message begins "input: "; here the input has a file and an index.
            std::string problem = e.what();
            if (problem.starts_with("input: ")) problem.erase(0, 7);
            throw Error((in.where.empty() ? std::string("input") : in.where) + ": " + problem);
        }
    }
    Workspace ws;
    std::vector<std::vector<double>> ms(inputs.size());
    std::vector<std::vector<float>> logits(inputs.size());
    for (int r = 0; r < warmup + repeats; ++r)
        for (size_t i = 0; i < inputs.size(); ++i) {
            const auto start = std::chrono::steady_clock::now();
            Trace t = run_model(model, inputs[i].ids, inputs[i].type_ids, {}, {}, ws);
            const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (r >= warmup) ms[i].push_back(elapsed);
            logits[i] = std::move(t.logits);
        }
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = 0; i < inputs.size(); ++i)
        results.push_back({{"length", inputs[i].ids.size()}, {"ms", ms[i]}, {"logits", logits[i]}});
    const bool bf16 = model.packed && model.packed->precision == WeightPrecision::BF16;
    return {{"engine", "powerbert"},
            {"threads", omp_get_max_threads()},
            {"precision", bf16 ? "bf16" : "f32"},
            {"results", results}};
}

}  // namespace pb
