// ALBERT checkpoints bound into the BERT-family weight structure: the factorised embeddings with
// their projection, and every encoder layer as run pointing at the tensors of its shared group.
#include "core/bert_weights.h"

namespace pb {
namespace {

// albert_layer_groups.{g}.albert_layers.{k}: the same four sublayers as BERT under other names.
EncoderLayerWeights bind_albert_layer(TensorBinder& b, const ModelConfig& c, int group, int index) {
    const std::string p =
        "encoder.albert_layer_groups." + std::to_string(group) + ".albert_layers." + std::to_string(index) + ".";
    const int H = c.hidden_size, I = c.intermediate_size;
    EncoderLayerWeights l;
    l.query = b.linear(p + "attention.query", H, H);
    l.key = b.linear(p + "attention.key", H, H);
    l.value = b.linear(p + "attention.value", H, H);
    l.attention_output = b.linear(p + "attention.dense", H, H);
    l.attention_norm = b.norm(p + "attention.LayerNorm", H);
    l.intermediate = b.linear(p + "ffn", I, H);
    l.output = b.linear(p + "ffn_output", H, I);
    l.output_norm = b.norm(p + "full_layer_layer_norm", H);
    return l;
}

}  // namespace

BertWeights bind_albert_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& c) {
    BertWeights w;
    w.widened = std::make_shared<std::vector<std::vector<float>>>();
    TensorBinder b(file, *w.widened, "albert.", "embeddings.word_embeddings.weight");
    const int H = c.hidden_size, E = c.embedding_width();
    w.word_embeddings = b.matrix("embeddings.word_embeddings.weight", c.vocab_size, E);
    w.position_embeddings = b.matrix("embeddings.position_embeddings.weight", c.max_position, E);
    w.token_type_embeddings = b.matrix("embeddings.token_type_embeddings.weight", c.type_vocab_size, E);
    w.embedding_norm = b.norm("embeddings.LayerNorm", E);
    w.embedding_projection = b.linear("encoder.embedding_hidden_mapping_in", H, E);

    // Bind each shared layer once (so a missing tensor is reported once), then view it per layer.
    std::vector<std::vector<EncoderLayerWeights>> groups(c.num_hidden_groups);
    for (int g = 0; g < c.num_hidden_groups; ++g)
        for (int k = 0; k < c.inner_group_num; ++k) groups[g].push_back(bind_albert_layer(b, c, g, k));
    for (int layer = 0; layer < c.num_layers; ++layer) {
        const auto [group, index] = c.layer_weights(layer);
        w.layers.push_back(groups[group][index]);
    }
    if (b.has("pooler.weight", true)) w.pooler = b.linear("pooler", H, H);
    if (b.has("classifier.weight", false)) {
        if (!w.pooler) b.tensor("pooler.weight", {H, H});  // a classifier needs the pooler: report it missing
        w.classifier = b.linear("classifier", c.num_labels, H, false);
    }
    b.finish();
    w.file = std::move(file);
    return w;
}

}  // namespace pb
