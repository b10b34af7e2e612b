#pragma once
// The trainable parameters of a BERT sequence classifier: owned float tensors with their
// Hugging Face names, laid out in one flat vector (so gradients, optimizer moments and
// per-thread gradient buffers are flat vectors of the same layout). Soft-Extract's retention
// parameters r_j, when present, follow the BERT weights in the same vector.
#include "core/model_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pb::train {

enum class ParamGroup { Bert, Retention };

struct ParamSlot {
    std::string name;  // Hugging Face name, e.g. "bert.encoder.layer.0.attention.self.query.weight"
    std::vector<int64_t> shape;
    size_t offset = 0;
    size_t size = 0;
    ParamGroup group = ParamGroup::Bert;
};

struct LayerSlots {
    int query_w, query_b, key_w, key_b, value_w, value_b, attention_out_w, attention_out_b;
    int attention_norm_g, attention_norm_b, intermediate_w, intermediate_b, output_w, output_b;
    int output_norm_g, output_norm_b;
};

// BertForMaskedLM's head (`cls.predictions.*`); its decoder is tied to the word embeddings.
struct MaskedLmSlots {
    int dense_w, dense_b, norm_g, norm_b, bias;
};

struct ParameterLayout {
    std::vector<ParamSlot> tensors;
    size_t total = 0;
    int word = 0, position = 0, token_type = 0, embedding_norm_g = 0, embedding_norm_b = 0;
    int embedding_projection_w = -1, embedding_projection_b = -1;  // ALBERT only
    // One entry per encoder layer as run. ALBERT's layers of one group hold the same slots, so
    // the gradients of every layer that uses a tensor add up in its one slot.
    std::vector<LayerSlots> layers;
    int pooler_w = 0, pooler_b = 0, classifier_w = 0, classifier_b = 0;
    std::optional<MaskedLmSlots> masked_lm;  // pre-training only
    std::vector<int> retention;  // Soft-Extract r_j, one slot per layer; empty when absent
    int retention_length = 0;    // N: entries of each r_j
    size_t bert_end = 0;         // [0, bert_end): BERT weights; [bert_end, total): r
    size_t dense_begin = 0;      // [dense_begin, total): everything but the word embeddings

    size_t offset(int slot) const { return tensors[slot].offset; }
    const ParamSlot* find(const std::string& name) const;
};

// The layout of BertForSequenceClassification (AlbertForSequenceClassification for an ALBERT
// config) for `config`, plus r_j of `retention_length` entries per layer when retention_length > 0,
// plus the masked-LM head when asked. The word embeddings come first.
ParameterLayout make_parameter_layout(const ModelConfig& config, int retention_length = 0, bool masked_lm = false);

struct TrainableBert {
    ModelConfig config;
    double hidden_dropout = 0.1;     // config.json hidden_dropout_prob
    double attention_dropout = 0.1;  // config.json attention_probs_dropout_prob
    ParameterLayout layout;
    std::vector<float> values;
    std::filesystem::path source;  // the folder it was loaded from (tokenizer files are copied from it)
    std::vector<std::string> notes;  // e.g. "classifier initialised (absent from the checkpoint)"

    float* at(int slot) { return values.data() + layout.offset(slot); }
    const float* at(int slot) const { return values.data() + layout.offset(slot); }

    // Adds Soft-Extract r_j (N entries per layer, initialised to 1); replaces existing ones.
    void add_retention(int length);
    // Removes r (the re-training step and exported models have none).
    void drop_retention();
    // mass_j = sum_k r_j[k], one per layer (empty without r).
    std::vector<double> retention_mass() const;
};

// A seeded BertForSequenceClassification (tools/seeded_weights.py): tests and benchmarks.
TrainableBert seeded_trainable_bert(const ModelConfig& config, uint64_t seed, double hidden_dropout = 0.1,
                                    double attention_dropout = 0.1);

// Gives the layout's masked-LM head a fresh initialisation (Hugging Face's for BertForMaskedLM).
void init_masked_lm_head(TrainableBert& model, uint64_t seed);

// Re-initialises every BERT weight (and the masked-LM head) as Hugging Face's
// BertPreTrainedModel._init_weights does: matrices and embeddings normal(0, 0.02) (the padding
// row, id 0, zero), biases 0, LayerNorm 1/0. Pre-training from scratch starts here.
void init_like_hugging_face(TrainableBert& model, uint64_t seed);

struct LoadOptions {
    std::optional<int> num_labels;  // the task's; a classifier of another size is re-initialised
    std::optional<bool> regression;
    std::vector<std::string> label_names;  // written to config.json's id2label when non-empty
    uint64_t init_seed = 42;               // for a new pooler/classifier: normal(0, 0.02), bias 0
    bool masked_lm = false;                // include the masked-LM head (loaded, or initialised when absent)
    bool require_head = false;  // throw instead of initialising a missing or mis-sized pooler/classifier (a teacher)
};

// config.json + model.safetensors (F32/F16/BF16; names with or without "bert."; legacy
// gamma/beta). A missing or mis-sized head is initialised and noted; other problems throw pb::Error.
// soft_extract.safetensors, when present, restores r.
TrainableBert load_trainable_bert(const std::filesystem::path& folder, const LoadOptions& options = {});

// Writes a Hugging Face folder: config.json, model.safetensors (HF names, F32), the tokenizer
// files of the source folder copied, and soft_extract.safetensors when r is present. Every file
// is written atomically. `extra_config` keys are merged into config.json.
void save_hf_folder(const TrainableBert& model, const std::filesystem::path& folder,
                    const nlohmann::json& extra_config = nlohmann::json::object());

// The names of the tokenizer files a folder may hold, copied by save_hf_folder.
const std::vector<std::string>& tokenizer_file_names();

}  // namespace pb::train
