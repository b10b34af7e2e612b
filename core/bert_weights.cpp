#include "core/bert_weights.h"

#include "core/error.h"

#include <cstdint>
#include <sstream>

namespace pb {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Resolves names and collects every problem before failing, so one error lists them all.
class Binder {
public:
    Binder(std::shared_ptr<const SafetensorsFile> file, BertWeights& out)
        : file_(std::move(file)), out_(out) {
        prefix_ = file_->find("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        out_.widened = std::make_shared<std::vector<std::vector<float>>>();
    }

    const TensorView* lookup(const std::string& name) const {
        if (auto* t = file_->find(name)) return t;
        // Checkpoints converted from TensorFlow name LayerNorm parameters gamma/beta.
        auto swap_suffix = [&](std::string_view from, std::string_view to) -> const TensorView* {
            if (name.size() > from.size() && name.ends_with(from))
                return file_->find(name.substr(0, name.size() - from.size()) + std::string(to));
            return nullptr;
        };
        if (auto* t = swap_suffix("LayerNorm.weight", "LayerNorm.gamma")) return t;
        if (auto* t = swap_suffix("LayerNorm.bias", "LayerNorm.beta")) return t;
        return nullptr;
    }

    bool has(const std::string& name, bool in_model) const { return lookup(in_model ? prefix_ + name : name) != nullptr; }

    const float* tensor(const std::string& short_name, std::vector<int64_t> shape, bool in_model = true) {
        std::string name = in_model ? prefix_ + short_name : short_name;
        const TensorView* t = lookup(name);
        if (!t) {
            missing_.push_back(name);
            return nullptr;
        }
        if (t->shape != shape) {
            problems_.push_back("tensor '" + name + "' has shape " + shape_text(t->shape) + " but config.json implies " +
                                shape_text(shape));
            return nullptr;
        }
        if (t->dtype == DType::F32 && reinterpret_cast<uintptr_t>(t->bytes.data()) % alignof(float) == 0)
            return reinterpret_cast<const float*>(t->bytes.data());
        if (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16 && t->dtype != DType::F64) {
            problems_.push_back("tensor '" + name + "' has dtype " + std::string(dtype_name(t->dtype)) +
                                " (supported: F32, F16, BF16)");
            return nullptr;
        }
        out_.widened->push_back(to_float32(*t, file_->path()));
        return out_.widened->back().data();
    }

    MatrixView matrix(const std::string& name, int rows, int cols, bool in_model = true) {
        return {tensor(name, {rows, cols}, in_model), rows, cols};
    }
    VectorView vector(const std::string& name, int size, bool in_model = true) {
        return {tensor(name, {size}, in_model), size};
    }
    LinearWeights linear(const std::string& name, int out, int in, bool in_model = true) {
        return {matrix(name + ".weight", out, in, in_model), vector(name + ".bias", out, in_model)};
    }
    LayerNormWeights norm(const std::string& name, int size) {
        return {vector(name + ".weight", size), vector(name + ".bias", size)};
    }

    void finish() const {
        if (missing_.empty() && problems_.empty()) return;
        std::ostringstream msg;
        msg << file_->path().string() << ": ";
        if (!missing_.empty()) {
            msg << missing_.size() << " required tensor" << (missing_.size() > 1 ? "s are" : " is") << " missing: ";
            for (size_t i = 0; i < missing_.size() && i < 8; ++i) msg << (i ? ", " : "") << missing_[i];
            if (missing_.size() > 8) msg << ", ... (" << missing_.size() - 8 << " more)";
            if (!problems_.empty()) msg << "; ";
        }
        for (size_t i = 0; i < problems_.size() && i < 8; ++i) msg << (i ? "; " : "") << problems_[i];
        if (problems_.size() > 8) msg << "; ... (" << problems_.size() - 8 << " more problems)";
        throw Error(msg.str());
    }

private:
    std::shared_ptr<const SafetensorsFile> file_;
    BertWeights& out_;
    std::string prefix_;
    std::vector<std::string> missing_;
    std::vector<std::string> problems_;
};

EncoderLayerWeights bind_layer(Binder& b, const ModelConfig& c, int i) {
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
    Binder b(file, w);
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

}  // namespace pb
