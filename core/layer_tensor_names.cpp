#include "core/layer_tensor_names.h"

namespace pb {

LayerTensorNames bert_layer_names(int layer) {
    const std::string p = "encoder.layer." + std::to_string(layer) + ".";
    return {p + "attention.self.query", p + "attention.self.key",    p + "attention.self.value",
            p + "attention.output.dense", p + "attention.output.LayerNorm", p + "intermediate.dense",
            p + "output.dense",           p + "output.LayerNorm"};
}

LayerTensorNames albert_layer_names(int group, int index) {
    const std::string p =
        "encoder.albert_layer_groups." + std::to_string(group) + ".albert_layers." + std::to_string(index) + ".";
    return {p + "attention.query", p + "attention.key",       p + "attention.value", p + "attention.dense",
            p + "attention.LayerNorm", p + "ffn", p + "ffn_output", p + "full_layer_layer_norm"};
}

}  // namespace pb
