#pragma once
// config.json of a Hugging Face BERT (or ALBERT) folder, validated into a value type.
#include <filesystem>
#include <string>
#include <utility>
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
    // ALBERT (model_type "albert"): embeddings embedding_size wide, projected to hidden_size;
    // num_hidden_layers applications of num_hidden_groups shared groups of inner_group_num layers.
    // num_layers counts encoder layers as run (num_hidden_layers * inner_group_num): each has its
    // own Extract and its own cost, whichever weights it shares.
    int embedding_size = 0;  // 0: hidden_size (BERT)
    int num_hidden_groups = 1;
    int inner_group_num = 1;

    int head_dim() const { return hidden_size / num_heads; }
    bool is_albert() const { return model_type == "albert"; }
    int embedding_width() const { return embedding_size > 0 ? embedding_size : hidden_size; }
    bool has_embedding_projection() const { return is_albert(); }
    // The shared weights encoder layer `layer` (0-based, of num_layers) runs: {group, index in the group}.
    // BERT: {layer, 0}. ALBERT: Hugging Face's group_idx = int(i / (num_hidden_layers / num_hidden_groups)).
    std::pair<int, int> layer_weights(int layer) const;
};

// Throws pb::Error "<source>: <key>: <problem>" for missing keys, wrong types and absurd values.
ModelConfig parse_model_config(const nlohmann::json& json, const std::string& source);
ModelConfig load_model_config(const std::filesystem::path& config_json);
nlohmann::json to_json(const ModelConfig& config);

}  // namespace pb
