#include "core/seeded_weights.h"

#include "core/atomic_file.h"
#include "core/layer_tensor_names.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace pb {
namespace {

uint64_t fnv1a64(const std::string& text) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

std::vector<float> seeded_values(const std::string& name, const std::vector<int64_t>& shape, uint64_t seed) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    const uint64_t base = fnv1a64(name) ^ seed;
    // Every product below is a float32 operation in the same order as the Python reference.
    float scale = 1.0f, offset = 0.0f;
    if (name.ends_with("LayerNorm.weight") || name.ends_with("layer_norm.weight")) {
        scale = 0.1f;
        offset = 1.0f;
    } else if (name.ends_with("LayerNorm.bias") || name.ends_with("layer_norm.bias")) {
        scale = 0.1f;
    } else if (name.ends_with(".bias")) {
        scale = 0.05f;
    } else if (name.find("embeddings") != std::string::npos) {
        scale = 1.0f;
    } else {
        scale = static_cast<float>(1.5 / std::sqrt(static_cast<double>(shape.back())));
    }
    std::vector<float> values(n);
    for (int64_t i = 0; i < n; ++i) {
        uint64_t z = mix(base + uint64_t(i + 1) * 0x9E3779B97F4A7C15ull);
        float u = static_cast<float>(z >> 40) / 8388608.0f - 1.0f;
        float scaled = scale * u;
        values[i] = offset != 0.0f ? offset + scaled : scaled;
    }
    return values;
}

std::vector<NamedTensor> seeded_model_tensors(const ModelConfig& c, uint64_t seed) {
    const bool albert = c.is_albert();
    const std::string p = albert ? "albert." : "bert.";
    const int64_t H = c.hidden_size, I = c.intermediate_size, E = c.embedding_width();
    std::vector<std::pair<std::string, std::vector<int64_t>>> specs = {
        {p + "embeddings.word_embeddings.weight", {c.vocab_size, E}},
        {p + "embeddings.position_embeddings.weight", {c.max_position, E}},
        {p + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, E}},
        {p + "embeddings.LayerNorm.weight", {E}},
        {p + "embeddings.LayerNorm.bias", {E}},
    };
    auto linear = [&](const std::string& name, int64_t out, int64_t in) {
        specs.push_back({p + name + ".weight", {out, in}});
        specs.push_back({p + name + ".bias", {out}});
    };
    auto layer = [&](const LayerTensorNames& n) {
        for (const auto* name : {&n.query, &n.key, &n.value, &n.attention_output}) linear(*name, H, H);
        specs.push_back({p + n.attention_norm + ".weight", {H}});
        specs.push_back({p + n.attention_norm + ".bias", {H}});
        linear(n.intermediate, I, H);
        linear(n.output, H, I);
        specs.push_back({p + n.output_norm + ".weight", {H}});
        specs.push_back({p + n.output_norm + ".bias", {H}});
    };
    if (albert) {
        linear("encoder.embedding_hidden_mapping_in", H, E);
        for (int g = 0; g < c.num_hidden_groups; ++g)
            for (int k = 0; k < c.inner_group_num; ++k) layer(albert_layer_names(g, k));
    } else {
        for (int l = 0; l < c.num_layers; ++l) layer(bert_layer_names(l));
    }
    linear(albert ? "pooler" : "pooler.dense", H, H);
    specs.push_back({"classifier.weight", {c.num_labels, H}});
    specs.push_back({"classifier.bias", {c.num_labels}});

    std::vector<NamedTensor> tensors;
    for (auto& [name, shape] : specs) tensors.push_back({name, shape, seeded_values(name, shape, seed)});
    return tensors;
}

void write_seeded_bert_folder(const std::filesystem::path& folder, const ModelConfig& config, uint64_t seed,
                              DType dtype, const std::filesystem::path& tokenizer_file) {
    std::filesystem::create_directories(folder);
    auto tensors = seeded_model_tensors(config, seed);
    std::vector<TensorToWrite> table;
    for (const auto& t : tensors) table.push_back({t.name, t.shape, t.values, dtype});
    write_safetensors(folder / "model.safetensors", table, {{"format", "pt"}});
    write_file_atomically(folder / "config.json", to_json(config).dump(2) + "\n");
    if (!tokenizer_file.empty())
        std::filesystem::copy_file(tokenizer_file, folder / (config.is_albert() ? "spiece.model" : "vocab.txt"),
                                   std::filesystem::copy_options::overwrite_existing);
}

}  // namespace pb
