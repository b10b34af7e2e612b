#include "core/bert_weights.h"

namespace pb {
namespace {

EncoderLayerWeights bind_layer(TensorBinder& b, const ModelConfig& c, int i) {
    const std::string p = "encoder.layer." + std::to_string(i) + ".";
    const int H = c.hidden_size, I = c.intermediate_size;
    EncoderLayerWeights l;
    l.query = b.linear(p + "attention.self.query", H, H);
    l.key = b.linear(p + "attention.self.key", H, H);
    l.value = b.linear(p + "attention.self.value", H, H);
    l.attention_output = b.linear(p + "attention.output.dense", H, H);
    l.attention_norm = b.norm(p + "attention.output.LayerNorm", H);
    l.intermediate = b.linear(p + "intermediate.dense", I, H);
    l.output = b.linear(p + "output.dense", H, I);
    l.output_norm = b.norm(p + "output.LayerNorm", H);
    return l;
}

}  // namespace

BertWeights bind_bert_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& c) {
    BertWeights w;
    w.widened = std::make_shared<std::vector<std::vector<float>>>();
    TensorBinder b(file, *w.widened, "bert.", "embeddings.word_embeddings.weight");
    const int H = c.hidden_size;
    w.word_embeddings = b.matrix("embeddings.word_embeddings.weight", c.vocab_size, H);
    w.position_embeddings = b.matrix("embeddings.position_embeddings.weight", c.max_position, H);
    w.token_type_embeddings = b.matrix("embeddings.token_type_embeddings.weight", c.type_vocab_size, H);
    w.embedding_norm = b.norm("embeddings.LayerNorm", H);
    for (int i = 0; i < c.num_layers; ++i) w.layers.push_back(bind_layer(b, c, i));
    if (b.has("pooler.dense.weight", true)) w.pooler = b.linear("pooler.dense", H, H);
    if (b.has("classifier.weight", false)) {
        if (!w.pooler) b.tensor("pooler.dense.weight", {H, H});  // a classifier needs the pooler: report it missing
        w.classifier = b.linear("classifier", c.num_labels, H, false);
    }
    b.finish();
    w.file = std::move(file);
    return w;
}

BertWeights bind_model_weights(std::shared_ptr<const SafetensorsFile> file, const ModelConfig& config) {
    return config.is_albert() ? bind_albert_weights(std::move(file), config) : bind_bert_weights(std::move(file), config);
}

}  // namespace pb
