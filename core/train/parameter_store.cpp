#include "core/train/parameter_store.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/layer_tensor_names.h"
#include "core/safetensors.h"
#include "core/seeded_weights.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

namespace pb::train {
namespace {

int add_slot(ParameterLayout& L, std::string name, std::vector<int64_t> shape, ParamGroup group = ParamGroup::Bert) {
    ParamSlot s;
    s.name = std::move(name);
    s.shape = std::move(shape);
    s.size = 1;
    for (auto d : s.shape) s.size *= size_t(d);
    s.offset = L.total;
    s.group = group;
    L.total += s.size;
    L.tensors.push_back(std::move(s));
    return static_cast<int>(L.tensors.size()) - 1;
}

std::string retention_name(int layer) { return "soft_extract.layer." + std::to_string(layer) + ".r"; }

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// A checkpoint tensor by HF name: with or without the "bert." ("albert.") prefix, or with legacy gamma/beta.
const TensorView* lookup(const SafetensorsFile& file, const std::string& name) {
    std::vector<std::string> candidates = {name};
    if (name.starts_with("bert.")) candidates.push_back(name.substr(5));
    if (name.starts_with("albert.")) candidates.push_back(name.substr(7));
    for (size_t i = 0, n = candidates.size(); i < n; ++i) {
        const std::string c = candidates[i];
        if (c.ends_with("LayerNorm.weight")) candidates.push_back(c.substr(0, c.size() - 6) + "gamma");
        if (c.ends_with("LayerNorm.bias")) candidates.push_back(c.substr(0, c.size() - 4) + "beta");
    }
    for (const auto& c : candidates)
        if (const TensorView* t = file.find(c)) return t;
    return nullptr;
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

void init_normal(float* values, size_t n, double stddev, uint64_t seed) {
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < n; ++i) {
        // Box-Muller on raw 53-bit draws: the same values on every platform.
        double u1 = (double(rng() >> 11) + 1.0) / 9007199254740993.0, u2 = double(rng() >> 11) / 9007199254740992.0;
        values[i] = static_cast<float>(stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2));
    }
}

double read_probability(const nlohmann::json& j, const char* key, double fallback) {
    if (!j.contains(key) || !j[key].is_number()) return fallback;
    double p = j[key].get<double>();
    if (!(p >= 0 && p < 1)) throw Error(std::string("config.json: \"") + key + "\" must lie in [0, 1)");
    return p;
}

// The sixteen tensors of one encoder layer under `prefix` + its names.
LayerSlots add_layer_slots(ParameterLayout& L, const std::string& prefix, const LayerTensorNames& n, int64_t H,
                           int64_t I) {
    auto weight = [&](const std::string& name, std::vector<int64_t> shape) {
        return add_slot(L, prefix + name + ".weight", std::move(shape));
    };
    auto bias = [&](const std::string& name, int64_t size) { return add_slot(L, prefix + name + ".bias", {size}); };
    LayerSlots s;
    s.query_w = weight(n.query, {H, H});
    s.query_b = bias(n.query, H);
    s.key_w = weight(n.key, {H, H});
    s.key_b = bias(n.key, H);
    s.value_w = weight(n.value, {H, H});
    s.value_b = bias(n.value, H);
    s.attention_out_w = weight(n.attention_output, {H, H});
    s.attention_out_b = bias(n.attention_output, H);
    s.attention_norm_g = weight(n.attention_norm, {H});
    s.attention_norm_b = bias(n.attention_norm, H);
    s.intermediate_w = weight(n.intermediate, {I, H});
    s.intermediate_b = bias(n.intermediate, I);
    s.output_w = weight(n.output, {H, I});
    s.output_b = bias(n.output, H);
    s.output_norm_g = weight(n.output_norm, {H});
    s.output_norm_b = bias(n.output_norm, H);
    return s;
}

// ALBERT: each shared layer has one set of slots, which every layer of its group refers to.
void add_albert_layers(ParameterLayout& L, const ModelConfig& c) {
    std::vector<std::vector<LayerSlots>> groups(c.num_hidden_groups);
    for (int g = 0; g < c.num_hidden_groups; ++g)
        for (int k = 0; k < c.inner_group_num; ++k)
            groups[g].push_back(
                add_layer_slots(L, "albert.", albert_layer_names(g, k), c.hidden_size, c.intermediate_size));
    for (int l = 0; l < c.num_layers; ++l) {
        const auto [group, index] = c.layer_weights(l);
        L.layers.push_back(groups[group][index]);
    }
}

}  // namespace

void init_masked_lm_head(TrainableBert& m, uint64_t seed) {
    const auto& h = m.layout.masked_lm;
    if (!h) throw Error("masked-LM head: the parameter layout has none");
    const int H = m.config.hidden_size;
    init_normal(m.at(h->dense_w), size_t(H) * H, 0.02, seed);
    std::fill_n(m.at(h->dense_b), H, 0.0f);
    std::fill_n(m.at(h->norm_g), H, 1.0f);
    std::fill_n(m.at(h->norm_b), H, 0.0f);
    std::fill_n(m.at(h->bias), m.config.vocab_size, 0.0f);
    m.notes.push_back("masked-LM head initialised: normal(0, 0.02), LayerNorm 1/0, biases 0 (decoder tied to the word embeddings)");
}

void init_like_hugging_face(TrainableBert& m, uint64_t seed) {
    const auto& L = m.layout;
    for (size_t i = 0; i < L.tensors.size(); ++i) {
        const ParamSlot& s = L.tensors[i];
        if (s.group != ParamGroup::Bert) continue;
        float* v = m.values.data() + s.offset;
        if (s.name.ends_with("LayerNorm.weight")) std::fill_n(v, s.size, 1.0f);
        else if (s.name.ends_with("bias")) std::fill_n(v, s.size, 0.0f);
        else init_normal(v, s.size, 0.02, seed * 1000003ull + i);
    }
    std::fill_n(m.at(L.word), m.config.hidden_size, 0.0f);  // padding_idx 0
    m.notes.push_back("every weight initialised as Hugging Face's BERT does: normal(0, 0.02), biases 0, LayerNorm 1/0");
}

const ParamSlot* ParameterLayout::find(const std::string& name) const {
    for (const auto& s : tensors)
        if (s.name == name) return &s;
    return nullptr;
}

ParameterLayout make_parameter_layout(const ModelConfig& c, int retention_length, bool masked_lm) {
    ParameterLayout L;
    const bool albert = c.is_albert();
    const std::string p = albert ? "albert." : "bert.";
    const int64_t H = c.hidden_size, I = c.intermediate_size, E = c.embedding_width();
    L.word = add_slot(L, p + "embeddings.word_embeddings.weight", {c.vocab_size, E});
    L.dense_begin = L.total;
    L.position = add_slot(L, p + "embeddings.position_embeddings.weight", {c.max_position, E});
    L.token_type = add_slot(L, p + "embeddings.token_type_embeddings.weight", {c.type_vocab_size, E});
    L.embedding_norm_g = add_slot(L, p + "embeddings.LayerNorm.weight", {E});
    L.embedding_norm_b = add_slot(L, p + "embeddings.LayerNorm.bias", {E});
    if (albert) {
        L.embedding_projection_w = add_slot(L, p + "encoder.embedding_hidden_mapping_in.weight", {H, E});
        L.embedding_projection_b = add_slot(L, p + "encoder.embedding_hidden_mapping_in.bias", {H});
        add_albert_layers(L, c);
    } else {
        for (int l = 0; l < c.num_layers; ++l) L.layers.push_back(add_layer_slots(L, p, bert_layer_names(l), H, I));
    }
    const std::string pooler = p + (albert ? "pooler" : "pooler.dense");
    L.pooler_w = add_slot(L, pooler + ".weight", {H, H});
    L.pooler_b = add_slot(L, pooler + ".bias", {H});
    L.classifier_w = add_slot(L, "classifier.weight", {c.num_labels, H});
    L.classifier_b = add_slot(L, "classifier.bias", {c.num_labels});
    if (masked_lm) {
        // ALBERT's MLM head projects to embedding_size and its decoder reads the narrower embeddings.
        if (albert) throw Error("masked-LM pre-training: ALBERT models are not supported yet (BERT only)");
        MaskedLmSlots m;
        m.dense_w = add_slot(L, "cls.predictions.transform.dense.weight", {H, H});
        m.dense_b = add_slot(L, "cls.predictions.transform.dense.bias", {H});
        m.norm_g = add_slot(L, "cls.predictions.transform.LayerNorm.weight", {H});
        m.norm_b = add_slot(L, "cls.predictions.transform.LayerNorm.bias", {H});
        m.bias = add_slot(L, "cls.predictions.bias", {c.vocab_size});
        L.masked_lm = m;
    }
    L.bert_end = L.total;
    L.retention_length = retention_length;
    if (retention_length > 0)
        for (int l = 0; l < c.num_layers; ++l)
            L.retention.push_back(add_slot(L, retention_name(l), {retention_length}, ParamGroup::Retention));
    return L;
}

void TrainableBert::add_retention(int length) {
    drop_retention();
    layout = make_parameter_layout(config, length, layout.masked_lm.has_value());
    values.resize(layout.total, 1.0f);
}

void TrainableBert::drop_retention() {
    layout = make_parameter_layout(config, 0, layout.masked_lm.has_value());
    values.resize(layout.total);
}

std::vector<double> TrainableBert::retention_mass() const {
    std::vector<double> mass;
    for (int slot : layout.retention) {
        double m = 0;
        for (size_t k = 0; k < layout.tensors[slot].size; ++k) m += at(slot)[k];
        mass.push_back(m);
    }
    return mass;
}

TrainableBert seeded_trainable_bert(const ModelConfig& config, uint64_t seed, double hidden_dropout,
                                    double attention_dropout) {
    TrainableBert m;
    m.config = config;
    m.hidden_dropout = hidden_dropout;
    m.attention_dropout = attention_dropout;
    m.layout = make_parameter_layout(config, 0);
    m.values.resize(m.layout.total);
    for (const auto& t : seeded_model_tensors(config, seed)) {
        const ParamSlot* s = m.layout.find(t.name);
        if (!s) throw Error("seeded weights: unexpected tensor " + t.name);
        std::copy(t.values.begin(), t.values.end(), m.values.begin() + s->offset);
    }
    return m;
}

namespace {

TrainableBert read_trainable_config(const std::filesystem::path& folder) {
    const auto config_path = folder / "config.json";
    if (!std::filesystem::exists(config_path)) throw Error(config_path.string() + ": missing");
    auto json = nlohmann::json::parse(read_text(config_path), nullptr, false);
    if (json.is_discarded()) throw Error(config_path.string() + ": not valid JSON");
    TrainableBert m;
    m.config = parse_model_config(json, config_path.string());
    try {
        m.hidden_dropout = read_probability(json, "hidden_dropout_prob", 0.1);
        m.attention_dropout = read_probability(json, "attention_probs_dropout_prob", 0.1);
    } catch (const Error& e) {
        throw Error(config_path.string() + ": " + std::string(e.what()).substr(13));
    }
    m.source = folder;
    return m;
}

// The caller's task head (labels, regression) over config.json's.
void apply_head_options(ModelConfig& config, const LoadOptions& options) {
    if (options.num_labels) config.num_labels = *options.num_labels;
    if (options.regression) config.regression = *options.regression;
    if (!options.label_names.empty()) config.id2label = options.label_names;
    if (static_cast<int>(config.id2label.size()) != config.num_labels) {
        config.id2label.clear();
        for (int i = 0; i < config.num_labels; ++i) config.id2label.push_back("LABEL_" + std::to_string(i));
    }
}

// The heads a checkpoint may lack (or have for another label count): initialised instead of refused.
struct AbsentHeads {
    bool classifier = false, pooler = false, masked_lm = false;
};

[[noreturn]] void throw_tensor_problems(const std::filesystem::path& weights, const std::vector<std::string>& missing,
                                        const std::vector<std::string>& problems) {
    std::string msg = weights.string() + ": ";
    if (!missing.empty()) {
        msg += std::to_string(missing.size()) + " required tensor(s) missing: ";
        for (size_t i = 0; i < missing.size() && i < 8; ++i) msg += (i ? ", " : "") + missing[i];
        if (!problems.empty()) msg += "; ";
    }
    for (size_t i = 0; i < problems.size() && i < 8; ++i) msg += (i ? "; " : "") + problems[i];
    throw Error(msg);
}

// Every slot of the layout from model.safetensors; a missing or mis-shaped encoder tensor is an error
// naming all of them, a missing head is reported back. `file_labels`: config.json's own label count.
AbsentHeads copy_checkpoint_tensors(TrainableBert& m, const std::filesystem::path& weights, int file_labels) {
    if (!std::filesystem::exists(weights)) throw Error(weights.string() + ": missing (a model folder needs model.safetensors)");
    SafetensorsFile file(weights);
    std::vector<int> masked_lm_slots;
    if (const auto& h = m.layout.masked_lm) masked_lm_slots = {h->dense_w, h->dense_b, h->norm_g, h->norm_b, h->bias};
    std::vector<std::string> missing, problems;
    AbsentHeads absent;
    for (int i = 0; i < static_cast<int>(m.layout.tensors.size()); ++i) {
        const ParamSlot& s = m.layout.tensors[i];
        const bool is_classifier = i == m.layout.classifier_w || i == m.layout.classifier_b;
        const TensorView* t = lookup(file, s.name);
        if (!t || (is_classifier && t->shape != s.shape && file_labels != m.config.num_labels)) {
            if (is_classifier) absent.classifier = true;
            else if (std::find(masked_lm_slots.begin(), masked_lm_slots.end(), i) != masked_lm_slots.end()) absent.masked_lm = true;
            else if (i == m.layout.pooler_w || i == m.layout.pooler_b) absent.pooler = true;
            else missing.push_back(s.name);
            continue;
        }
        if (t->shape != s.shape) {
            problems.push_back("tensor '" + t->name + "' has shape " + shape_text(t->shape) + " but config.json implies " +
                               shape_text(s.shape));
            continue;
        }
        auto values = to_float32(*t, weights);
        std::copy(values.begin(), values.end(), m.values.begin() + s.offset);
    }
    if (!missing.empty() || !problems.empty()) throw_tensor_problems(weights, missing, problems);
    return absent;
}

void initialise_absent_heads(TrainableBert& m, const AbsentHeads& absent, const LoadOptions& options,
                             const std::filesystem::path& folder) {
    const int H = m.config.hidden_size;
    if (options.require_head && (absent.pooler || absent.classifier))
        throw Error(folder.string() + ": no trained classification head with " + std::to_string(m.config.num_labels) +
                    " output(s) (a teacher needs its own)");
    if (absent.pooler) {
        init_normal(m.at(m.layout.pooler_w), size_t(H) * H, 0.02, options.init_seed);
        m.notes.push_back("pooler initialised: normal(0, 0.02), bias 0 (absent from the checkpoint)");
    }
    if (absent.classifier) {
        init_normal(m.at(m.layout.classifier_w), size_t(m.config.num_labels) * H, 0.02, options.init_seed + 1);
        std::fill_n(m.at(m.layout.classifier_b), m.config.num_labels, 0.0f);
        m.notes.push_back("classifier initialised for " + std::to_string(m.config.num_labels) +
                          " output(s): normal(0, 0.02), bias 0");
    }
    if (absent.masked_lm) init_masked_lm_head(m, options.init_seed + 2);
}

// A search's learned r values (soft_extract.safetensors), when the folder has them.
void read_soft_extract(TrainableBert& m, const std::filesystem::path& folder) {
    const auto soft = folder / "soft_extract.safetensors";
    if (!std::filesystem::exists(soft)) return;
    SafetensorsFile r(soft);
    const TensorView* first = r.find(retention_name(0));
    if (!first || first->shape.size() != 1) return;
    m.add_retention(static_cast<int>(first->shape[0]));
    for (int l = 0; l < m.config.num_layers; ++l) {
        const TensorView* t = r.find(retention_name(l));
        if (!t || t->shape != m.layout.tensors[m.layout.retention[l]].shape)
            throw Error(soft.string() + ": " + retention_name(l) + " is missing or mis-sized");
        auto values = to_float32(*t, soft);
        std::copy(values.begin(), values.end(), m.at(m.layout.retention[l]));
    }
}

}  // namespace

TrainableBert load_trainable_bert(const std::filesystem::path& folder, const LoadOptions& options) {
    TrainableBert m = read_trainable_config(folder);
    const int file_labels = m.config.num_labels;
    apply_head_options(m.config, options);
    m.layout = make_parameter_layout(m.config, 0, options.masked_lm);
    m.values.assign(m.layout.total, 0.0f);
    const AbsentHeads absent = copy_checkpoint_tensors(m, folder / "model.safetensors", file_labels);
    initialise_absent_heads(m, absent, options, folder);
    read_soft_extract(m, folder);
    return m;
}

const std::vector<std::string>& tokenizer_file_names() {
    static const std::vector<std::string> names = {"vocab.txt", "tokenizer.json", "tokenizer_config.json",
                                                   "special_tokens_map.json", "spiece.model"};
    return names;
}

void save_hf_folder(const TrainableBert& m, const std::filesystem::path& folder, const nlohmann::json& extra_config) {
    std::filesystem::create_directories(folder);
    std::vector<TensorToWrite> table, retention;
    for (const auto& s : m.layout.tensors) {
        TensorToWrite t{s.name, s.shape, std::span<const float>(m.values.data() + s.offset, s.size), DType::F32};
        (s.group == ParamGroup::Bert ? table : retention).push_back(std::move(t));
    }
    write_safetensors(folder / "model.safetensors", table, {{"format", "pt"}});
    if (!retention.empty()) write_safetensors(folder / "soft_extract.safetensors", retention, {{"format", "pt"}});
    nlohmann::json config = to_json(m.config);
    config["hidden_dropout_prob"] = m.hidden_dropout;
    config["attention_probs_dropout_prob"] = m.attention_dropout;
    config["torch_dtype"] = "float32";
    for (const auto& [key, value] : extra_config.items()) config[key] = value;
    write_file_atomically(folder / "config.json", config.dump(2) + "\n");
    if (m.source.empty() || std::filesystem::equivalent(m.source, folder)) return;
    for (const auto& name : tokenizer_file_names()) {
        const auto from = m.source / name;
        if (std::filesystem::exists(from)) write_file_atomically(folder / name, read_text(from));
    }
}

}  // namespace pb::train
