#pragma once
// The tensors of a BERT (or ALBERT) checkpoint, by role. F32 tensors point into the memory-mapped
// safetensors file; F16/BF16 tensors are widened once into storage owned here.
#include "core/layer_tensor_names.h"
#include "core/model_config.h"
#include "core/safetensors.h"
#include "core/tensor_binder.h"
#include "core/tensor_map.h"

#include <memory>
#include <optional>
#include <vector>

namespace pb {

struct EncoderLayerWeights {
    LinearWeights query, key, value, attention_output;
    LayerNormWeights attention_norm;
    LinearWeights intermediate, output;
    LayerNormWeights output_norm;
};

struct BertWeights {
    MatrixView word_embeddings, position_embeddings, token_type_embeddings;  // config.embedding_width() wide
    LayerNormWeights embedding_norm;
    std::optional<LinearWeights> embedding_projection;  // ALBERT: embedding_size -> hidden_size
    // One entry per encoder layer as run; ALBERT's layers view the same tensors as the others of
    // their group, so the forward pass needs no notion of sharing.
    std::vector<EncoderLayerWeights> layers;
    std::optional<LinearWeights> pooler;
    std::optional<LinearWeights> classifier;

    // Keeps the mapped file and any widened copies alive as long as the views above.
    std::shared_ptr<const SafetensorsFile> file;
    std::shared_ptr<std::vector<std::vector<float>>> widened;
};

// Checks every tensor's presence, dtype and shape against the config; lists all missing tensors
// in one message. BERT names with or without the "bert." prefix, or for an ALBERT config, ALBERT
// names with or without "albert."; legacy gamma/beta names.
BertWeights bind_bert_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& config);

}  // namespace pb
