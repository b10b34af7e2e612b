#include "core/model_config.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>

namespace pb {
namespace {

[[noreturn]] void fail(const std::string& source, const std::string& problem) { throw Error(source + ": " + problem); }

// Hardening fix: json::dump() recurses once per nesting level, so quoting a hostile value such as
// 100000 nested arrays overflowed the stack. Arrays and objects are named by type, not printed.
std::string describe(const nlohmann::json& v) {
    return v.is_structured() ? std::string("an ") + v.type_name() : v.dump();
}

// Ranges generous enough for every published BERT, tight enough that a hostile config cannot make
// the tool allocate terabytes before the weights are even checked.
int read_int(const nlohmann::json& j, const char* key, const std::string& source, long lo, long hi,
             std::optional<int> fallback = std::nullopt) {
    if (!j.contains(key)) {
        if (fallback) return *fallback;
        fail(source, std::string("missing required key \"") + key + "\"");
    }
    const auto& v = j[key];
    if (!v.is_number_integer()) fail(source, std::string("\"") + key + "\" must be an integer, found " + describe(v));
    long value = v.get<long>();
    // Hardening fix: quote the value as written; get<long>() shows 18446744073709551615 as -1.
    if (value < lo || value > hi || (v.is_number_unsigned() && v.get<unsigned long>() > static_cast<unsigned long>(hi)))
        fail(source, std::string("\"") + key + "\" = " + v.dump() + " is outside the supported range [" +
                         std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return static_cast<int>(value);
}

Activation parse_activation(const std::string& name, const std::string& source) {
    if (name == "gelu" || name == "gelu_python") return Activation::Gelu;
    if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::GeluTanh;
    if (name == "relu") return Activation::Relu;
    fail(source, "\"hidden_act\" = \"" + name + "\" is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)");
}

std::vector<std::string> parse_labels(const nlohmann::json& j, const std::string& source, int& num_labels) {
    std::vector<std::string> labels;
    if (!j.contains("id2label")) return labels;
    const auto& map = j["id2label"];
    if (!map.is_object()) fail(source, "\"id2label\" must be an object");
    if (map.size() > 10000) fail(source, "\"id2label\" has too many labels");
    labels.resize(map.size());
    for (const auto& [key, value] : map.items()) {
        size_t index = 0;
        try {
            index = std::stoul(key);
        } catch (...) {
            fail(source, "\"id2label\" key \"" + key + "\" is not a number");
        }
        if (index >= labels.size() || !value.is_string())
            fail(source, "\"id2label\" entry \"" + key + "\" is out of range or not a string");
        labels[index] = value.get<std::string>();
    }
    if (!j.contains("num_labels")) num_labels = static_cast<int>(labels.size());
    return labels;
}

// The defaults are AlbertConfig's. num_layers becomes the number of encoder layers as run.
void read_albert_sizes(const nlohmann::json& j, const std::string& source, ModelConfig& c) {
    c.embedding_size = read_int(j, "embedding_size", source, 1, 1 << 16, 128);
    c.num_hidden_groups = read_int(j, "num_hidden_groups", source, 1, c.num_layers, 1);
    c.inner_group_num = read_int(j, "inner_group_num", source, 1, 1000, 1);
    if (c.num_layers * c.inner_group_num > 1000)
        fail(source, "\"num_hidden_layers\" x \"inner_group_num\" = " + std::to_string(c.num_layers * c.inner_group_num) +
                         " encoder layers is outside the supported range [1, 1000]");
    c.num_layers *= c.inner_group_num;
}

}  // namespace

std::pair<int, int> ModelConfig::layer_weights(int layer) const {
    if (!is_albert()) return {layer, 0};
    const int applied = layer / inner_group_num, hf_layers = num_layers / inner_group_num;
    // Hugging Face computes the group in floating point; the same expression gives the same group.
    const int group = static_cast<int>(applied / (static_cast<double>(hf_layers) / num_hidden_groups));
    return {group, layer % inner_group_num};
}

ModelConfig parse_model_config(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) fail(source, "not a JSON object");
    ModelConfig c;
    if (j.contains("model_type")) {
        if (!j["model_type"].is_string()) fail(source, "\"model_type\" must be a string");
        c.model_type = j["model_type"].get<std::string>();
    }
    if (c.model_type != "bert" && c.model_type != "albert")
        fail(source, "\"model_type\" = \"" + c.model_type + "\" is not supported (bert, albert)");
    c.vocab_size = read_int(j, "vocab_size", source, 1, 1 << 22);
    c.hidden_size = read_int(j, "hidden_size", source, 1, 1 << 16);
    c.num_layers = read_int(j, "num_hidden_layers", source, 1, 1000);
    if (c.is_albert()) read_albert_sizes(j, source, c);
    c.num_heads = read_int(j, "num_attention_heads", source, 1, 1024);
    c.intermediate_size = read_int(j, "intermediate_size", source, 1, 1 << 18);
    c.max_position = read_int(j, "max_position_embeddings", source, 1, 1 << 16, 512);
    c.type_vocab_size = read_int(j, "type_vocab_size", source, 1, 1024, 2);
    if (c.hidden_size % c.num_heads != 0)
        fail(source, "\"hidden_size\" " + std::to_string(c.hidden_size) + " is not divisible by \"num_attention_heads\" " +
                         std::to_string(c.num_heads));
    if (j.contains("layer_norm_eps")) {
        if (!j["layer_norm_eps"].is_number()) fail(source, "\"layer_norm_eps\" must be a number");
        double eps = j["layer_norm_eps"].get<double>();
        // Hardening fix: also reject an eps that is 0 as a float (1e-50 used to become 0).
        if (!(eps > 0 && eps < 1) || !(static_cast<float>(eps) > 0))
            fail(source, "\"layer_norm_eps\" = " + std::to_string(eps) + " must lie in (0, 1)");
        c.layer_norm_eps = static_cast<float>(eps);
    }
    if (c.is_albert()) c.activation_name = "gelu_new";  // AlbertConfig's default, unlike BertConfig's
    if (j.contains("hidden_act")) {
        if (!j["hidden_act"].is_string()) fail(source, "\"hidden_act\" must be a string");
        c.activation_name = j["hidden_act"].get<std::string>();
    }
    c.activation = parse_activation(c.activation_name, source);
    if (j.contains("position_embedding_type") && j["position_embedding_type"] != "absolute")
        fail(source, "\"position_embedding_type\" = " + describe(j["position_embedding_type"]) +
                         " is not supported (absolute)");
    c.id2label = parse_labels(j, source, c.num_labels);
    c.num_labels = read_int(j, "num_labels", source, 1, 10000, c.num_labels);
    if (!c.id2label.empty() && static_cast<int>(c.id2label.size()) != c.num_labels)
        fail(source, "\"num_labels\" = " + std::to_string(c.num_labels) + " disagrees with the " +
                         std::to_string(c.id2label.size()) + " entries of \"id2label\"");
    if (j.contains("problem_type") && j["problem_type"].is_string())
        c.regression = j["problem_type"].get<std::string>() == "regression";
    else
        c.regression = c.num_labels == 1;
    if (c.id2label.empty())
        for (int i = 0; i < c.num_labels; ++i) c.id2label.push_back("LABEL_" + std::to_string(i));
    return c;
}

ModelConfig load_model_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open");
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto j = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (j.is_discarded()) throw Error(path.string() + ": not valid JSON");
    return parse_model_config(j, path.string());
}

nlohmann::json to_json(const ModelConfig& c) {
    nlohmann::json labels = nlohmann::json::object(), ids = nlohmann::json::object();
    for (size_t i = 0; i < c.id2label.size(); ++i) {
        labels[std::to_string(i)] = c.id2label[i];
        ids[c.id2label[i]] = i;
    }
    nlohmann::json j = {
        {"model_type", c.model_type}, {"architectures", {"BertForSequenceClassification"}},
        {"vocab_size", c.vocab_size}, {"hidden_size", c.hidden_size}, {"num_hidden_layers", c.num_layers},
        {"num_attention_heads", c.num_heads}, {"intermediate_size", c.intermediate_size},
        {"max_position_embeddings", c.max_position}, {"type_vocab_size", c.type_vocab_size},
        {"layer_norm_eps", c.layer_norm_eps}, {"hidden_act", c.activation_name}, {"num_labels", c.num_labels},
        {"id2label", labels}, {"label2id", ids}, {"hidden_dropout_prob", 0.1},
        {"attention_probs_dropout_prob", 0.1}, {"initializer_range", 0.02}, {"pad_token_id", 0},
        {"position_embedding_type", "absolute"},
    };
    if (c.regression) j["problem_type"] = "regression";
    if (c.is_albert()) {
        j["architectures"] = {"AlbertForSequenceClassification"};
        j["num_hidden_layers"] = c.num_layers / c.inner_group_num;
        j["embedding_size"] = c.embedding_width();
        j["num_hidden_groups"] = c.num_hidden_groups;
        j["inner_group_num"] = c.inner_group_num;
        j["classifier_dropout_prob"] = 0.1;
        j["bos_token_id"] = 2;
        j["eos_token_id"] = 3;
    }
    return j;
}

}  // namespace pb
