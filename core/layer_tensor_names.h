#pragma once
// Hugging Face's names of one encoder layer's tensors (before ".weight" / ".bias"), for BERT and
// for ALBERT, so that binding weights, laying out trainable parameters and generating seeded
// weights all read them from one place.
#include <string>

namespace pb {

struct LayerTensorNames {
    std::string query, key, value, attention_output, attention_norm, intermediate, output, output_norm;
};

// "encoder.layer.{layer}.attention.self.query", ...
LayerTensorNames bert_layer_names(int layer);
// "encoder.albert_layer_groups.{group}.albert_layers.{index}.attention.query", ...
LayerTensorNames albert_layer_names(int group, int index);

}  // namespace pb
