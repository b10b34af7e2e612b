#pragma once
// config.json of a Hugging Face BERT (or ALBERT) folder, validated into a value type.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pb {

enum class Activation { Gelu, GeluTanh, Relu };

struct ModelConfig {
    std::string model_type = "bert";
    int vocab_size = 0;
    int hidden_size = 0;
    int num_layers = 0;
    int num_heads = 0;
    int intermediate_size = 0;
    int max_position = 512;
    int type_vocab_size = 2;
    float layer_norm_eps = 1e-12f;
    Activation activation = Activation::Gelu;
    std::string activation_name = "gelu";
    int num_labels = 2;
    std::vector<std::string> id2label;
    bool regression = false;

    int head_dim() const { return hidden_size / num_heads; }
};

// Throws pb::Error "<source>: <key>: <problem>" for missing keys, wrong types and absurd values.
ModelConfig parse_model_config(const nlohmann::json& json, const std::string& source);
ModelConfig load_model_config(const std::filesystem::path& config_json);
nlohmann::json to_json(const ModelConfig& config);

}  // namespace pb
