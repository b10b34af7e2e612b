#include "core/bert_weights.h"

namespace pb {
namespace {

EncoderLayerWeights bind_encoder_layer(TensorBinder& b, const ModelConfig& c, const LayerTensorNames& n) {
    const int H = c.hidden_size, I = c.intermediate_size;
    EncoderLayerWeights l;
    l.query = b.linear(n.query, H, H);
    l.key = b.linear(n.key, H, H);
    l.value = b.linear(n.value, H, H);
    l.attention_output = b.linear(n.attention_output, H, H);
    l.attention_norm = b.norm(n.attention_norm, H);
    l.intermediate = b.linear(n.intermediate, I, H);
    l.output = b.linear(n.output, H, I);
    l.output_norm = b.norm(n.output_norm, H);
    return l;
}

// ALBERT: each shared layer is bound once (so a missing tensor is reported once), then every layer
// as run views the tensors of its group.
std::vector<EncoderLayerWeights> bind_albert_layers(TensorBinder& b, const ModelConfig& c) {
    std::vector<std::vector<EncoderLayerWeights>> groups(c.num_hidden_groups);
    for (int g = 0; g < c.num_hidden_groups; ++g)
        for (int k = 0; k < c.inner_group_num; ++k)
            groups[g].push_back(bind_encoder_layer(b, c, albert_layer_names(g, k)));
    std::vector<EncoderLayerWeights> layers;
    for (int layer = 0; layer < c.num_layers; ++layer) {
        const auto [group, index] = c.layer_weights(layer);
        layers.push_back(groups[group][index]);
    }
    return layers;
}

}  // namespace

BertWeights bind_bert_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& c) {
    const bool albert = c.is_albert();
    BertWeights w;
    w.widened = std::make_shared<std::vector<std::vector<float>>>();
    TensorBinder b(file, *w.widened, albert ? "albert." : "bert.", "embeddings.word_embeddings.weight");
    const int H = c.hidden_size, E = c.embedding_width();
    w.word_embeddings = b.matrix("embeddings.word_embeddings.weight", c.vocab_size, E);
    w.position_embeddings = b.matrix("embeddings.position_embeddings.weight", c.max_position, E);
    w.token_type_embeddings = b.matrix("embeddings.token_type_embeddings.weight", c.type_vocab_size, E);
    w.embedding_norm = b.norm("embeddings.LayerNorm", E);
    if (albert) {
        w.embedding_projection = b.linear("encoder.embedding_hidden_mapping_in", H, E);
        w.layers = bind_albert_layers(b, c);
    } else {
        for (int i = 0; i < c.num_layers; ++i) w.layers.push_back(bind_encoder_layer(b, c, bert_layer_names(i)));
    }
    const std::string pooler = albert ? "pooler" : "pooler.dense";
    if (b.has(pooler + ".weight", true)) w.pooler = b.linear(pooler, H, H);
    if (b.has("classifier.weight", false)) {
        if (!w.pooler) b.tensor(pooler + ".weight", {H, H});  // a classifier needs the pooler: report it missing
        w.classifier = b.linear("classifier", c.num_labels, H, false);
    }
    b.finish();
    w.file = std::move(file);
    return w;
}

}  // namespace pb
