#pragma once
// The tensors of a BERT checkpoint, by role. F32 tensors point into the memory-mapped
// safetensors file; F16/BF16 tensors are widened once into storage owned here.
#include "core/model_config.h"
#include "core/safetensors.h"
#include "core/tensor_map.h"

#include <memory>
#include <optional>
#include <vector>

namespace pb {

struct LinearWeights {
    MatrixView weight;  // [out, in]
    VectorView bias;    // [out]
};

struct LayerNormWeights {
    VectorView gamma;
    VectorView beta;
};

struct EncoderLayerWeights {
    LinearWeights query, key, value, attention_output;
    LayerNormWeights attention_norm;
    LinearWeights intermediate, output;
    LayerNormWeights output_norm;
};

struct BertWeights {
    MatrixView word_embeddings, position_embeddings, token_type_embeddings;
    LayerNormWeights embedding_norm;
    std::vector<EncoderLayerWeights> layers;
    std::optional<LinearWeights> pooler;
    std::optional<LinearWeights> classifier;

    // Keeps the mapped file and any widened copies alive as long as the views above.
    std::shared_ptr<const SafetensorsFile> file;
    std::shared_ptr<std::vector<std::vector<float>>> widened;
};

// Checks every tensor's presence, dtype and shape against the config; lists all missing tensors
// in one message. Accepts names with or without the "bert." prefix and legacy gamma/beta names.
BertWeights bind_bert_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& config);

}  // namespace pb
