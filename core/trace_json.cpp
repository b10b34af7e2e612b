#include "core/trace_json.h"

namespace pb {

nlohmann::json trace_to_json(const Trace& t, const ModelConfig& config) {
    nlohmann::json layers = nlohmann::json::array();
    for (size_t j = 0; j < t.layers.size(); ++j) {
        const auto& l = t.layers[j];
        nlohmann::json layer = {{"layer", j + 1},           {"alive_in", l.alive_in},
                                {"alive_out", l.alive_out}, {"significance", l.significance},
                                {"rank", l.rank},           {"mean_cosine", l.mean_cosine},
                                {"multiply_adds", l.multiply_adds}};
        if (!l.cosine.values.empty()) layer["cosine_matrix"] = l.cosine.values;
        if (!l.attention.empty()) {
            layer["attention"] = nlohmann::json::array();
            for (const auto& head : l.attention) layer["attention"].push_back(head.values);
        }
        layers.push_back(std::move(layer));
    }
    nlohmann::json j = {{"embedding_mean_cosine", t.embedding_mean_cosine},
                        {"layers", layers},
                        {"logits", t.logits},
                        {"probabilities", t.probabilities},
                        {"regression", t.regression},
                        {"predicted_label", t.predicted_label},
                        {"multiply_adds", t.multiply_adds},
                        {"seconds", t.seconds}};
    if (t.predicted_label >= 0 && t.predicted_label < static_cast<int>(config.id2label.size()))
        j["predicted_name"] = config.id2label[t.predicted_label];
    return j;
}

nlohmann::json encoding_to_json(const Encoding& e, std::string_view text, std::optional<std::string_view> pair) {
    nlohmann::json spans = nlohmann::json::array();
    for (const auto& [begin, end] : e.spans) spans.push_back({begin, end});
    nlohmann::json j = {{"text", text},          {"tokens", e.tokens},       {"ids", e.ids},
                        {"type_ids", e.type_ids}, {"segment", e.segment},    {"spans", spans},
                        {"truncated", e.truncated}, {"notice", e.notice}};
    if (pair) j["pair"] = *pair;
    return j;
}

nlohmann::json plan_to_json(const RetentionPlan& plan) {
    return {{"retention", plan.keep}, {"strategy", strategy_name(plan.strategy)}, {"seed", plan.seed}};
}

nlohmann::json comparison_to_json(const Comparison& c) {
    return {{"kl_divergence", c.kl_divergence},
            {"label_flipped", c.label_flipped},
            {"max_logit_difference", c.max_logit_difference},
            {"full_multiply_adds", c.full_multiply_adds},
            {"power_multiply_adds", c.power_multiply_adds},
            {"multiply_add_ratio", c.multiply_add_ratio},
            {"full_vectors", c.full_vectors},
            {"power_vectors", c.power_vectors}};
}

nlohmann::json analysis_to_json(const Analysis& a) {
    const auto& c = a.config;
    return {{"schema", "powerbert-analysis/1"},
            {"model",
             {{"path", a.model_path},
              {"layers", c.num_layers},
              {"heads", c.num_heads},
              {"hidden_size", c.hidden_size},
              {"labels", c.id2label},
              {"regression", c.regression}}},
            {"input", encoding_to_json(a.encoding, a.text, a.pair)},
            {"plan", plan_to_json(a.plan)},
            {"full", trace_to_json(a.full, c)},
            {"power", trace_to_json(a.power, c)},
            {"comparison", comparison_to_json(compare_runs(a.full, a.power))}};
}

}  // namespace pb
