// config.json: the fuzz input is the file's text. A config that parses must survive to_json and
// parse back to the same values.
#include "fuzz_common.h"

#include "core/model_config.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (json.is_discarded()) return 0;
    pb::ModelConfig config;
    if (!pb_fuzz::expect_pb_error([&] { config = pb::parse_model_config(json, "config.json"); })) return 0;

    PB_FUZZ_CHECK(config.hidden_size > 0 && config.num_heads > 0 && config.hidden_size % config.num_heads == 0);
    PB_FUZZ_CHECK(config.num_layers > 0 && config.vocab_size > 0 && config.intermediate_size > 0);
    PB_FUZZ_CHECK(config.num_labels > 0 && static_cast<int>(config.id2label.size()) == config.num_labels);
    PB_FUZZ_CHECK(config.layer_norm_eps > 0);
    // Our own output must always be accepted.
    const pb::ModelConfig again = pb::parse_model_config(pb::to_json(config), "round trip");
    PB_FUZZ_CHECK(again.vocab_size == config.vocab_size && again.hidden_size == config.hidden_size);
    PB_FUZZ_CHECK(again.num_layers == config.num_layers && again.num_heads == config.num_heads);
    PB_FUZZ_CHECK(again.num_labels == config.num_labels && again.id2label == config.id2label);
    PB_FUZZ_CHECK(again.activation == config.activation && again.layer_norm_eps == config.layer_norm_eps);
    // to_json writes "problem_type" only for regression, so a one-label classifier reads back as a
    // regression model (see the hardening report); every other case must agree.
    PB_FUZZ_CHECK(again.regression == config.regression || config.num_labels == 1);
    return 0;
}
