// safetensors header + tensor table: the fuzz input is a whole file. When it parses, every tensor
// is widened to float32 (touching every data byte) and bound as the weights of a tiny BERT.
#include "fuzz_common.h"

#include "core/bert_weights.h"
#include "core/model_config.h"
#include "core/safetensors.h"
#include "tests/shared/tiny_bert_config.h"

#include <memory>

namespace {

// Reads every value a view promises, so a view larger than its tensor shows up under ASan
// (widened copies) or as a fault past the mapping.
float touch(const float* data, size_t count) {
    PB_FUZZ_CHECK(data != nullptr);
    volatile float sum = 0;
    for (size_t i = 0; i < count; ++i) sum = sum + data[i];
    return sum;
}
float touch(const pb::MatrixView& m) { return touch(m.data, size_t(m.rows) * size_t(m.cols)); }
float touch(const pb::VectorView& v) { return touch(v.data, size_t(v.size)); }
float touch(const pb::LinearWeights& l) { return touch(l.weight) + touch(l.bias); }
float touch(const pb::LayerNormWeights& n) { return touch(n.gamma) + touch(n.beta); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const pb::ModelConfig config = pb_test::tiny_bert_config();
    const auto path = pb_fuzz::write_scratch("model.safetensors", data, size);
    std::shared_ptr<const pb::SafetensorsFile> file;
    if (!pb_fuzz::expect_pb_error([&] { file = std::make_shared<const pb::SafetensorsFile>(path); })) return 0;

    PB_FUZZ_CHECK(file->file_size() == size);
    for (const auto& t : file->tensors()) {
        PB_FUZZ_CHECK(t.numel() >= 0);
        PB_FUZZ_CHECK(t.bytes.size() == static_cast<size_t>(t.numel()) * pb::dtype_size(t.dtype));
        if (t.dtype == pb::DType::F32 || t.dtype == pb::DType::F16 || t.dtype == pb::DType::BF16 ||
            t.dtype == pb::DType::F64) {
            auto values = pb::to_float32(t, path);
            PB_FUZZ_CHECK(values.size() == static_cast<size_t>(t.numel()));
        } else {
            pb_fuzz::expect_pb_error([&] { pb::to_float32(t, path); });
        }
    }
    pb_fuzz::expect_pb_error([&] {
        auto weights = pb::bind_bert_weights(file, config);
        PB_FUZZ_CHECK(weights.layers.size() == 1);
        touch(weights.word_embeddings);
        touch(weights.position_embeddings);
        touch(weights.token_type_embeddings);
        touch(weights.embedding_norm);
        for (const auto& l : weights.layers) {
            touch(l.query), touch(l.key), touch(l.value), touch(l.attention_output), touch(l.attention_norm);
            touch(l.intermediate), touch(l.output), touch(l.output_norm);
        }
        if (weights.pooler) touch(*weights.pooler);
        if (weights.classifier) touch(*weights.classifier);
    });
    return 0;
}
