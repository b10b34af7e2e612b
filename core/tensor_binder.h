#pragma once
// Resolves the tensors of a checkpoint by name for the weight binders (BERT, ALBERT): checks
// presence, shape and dtype, maps F32 in place and widens F16/BF16 once, and collects every
// problem so that one error lists them all.
#include "core/safetensors.h"
#include "core/tensor_map.h"

#include <memory>
#include <string>
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

class TensorBinder {
public:
    // `prefix` ("bert.", "albert.") is put before in-model names when the file uses it, that is
    // when it holds prefix + `probe`; checkpoints of the bare model omit it.
    TensorBinder(std::shared_ptr<const SafetensorsFile> file, std::vector<std::vector<float>>& widened,
                 const std::string& prefix, const std::string& probe);

    bool has(const std::string& name, bool in_model) const;
    // nullptr (and the problem recorded) when missing or mis-shaped.
    const float* tensor(const std::string& short_name, std::vector<int64_t> shape, bool in_model = true);
    MatrixView matrix(const std::string& name, int rows, int cols, bool in_model = true);
    VectorView vector(const std::string& name, int size, bool in_model = true);
    LinearWeights linear(const std::string& name, int out, int in, bool in_model = true);
    // `name`.weight and `name`.bias (or the legacy `name`.gamma and `name`.beta).
    LayerNormWeights norm(const std::string& name, int size);

    // Throws pb::Error naming the file and every missing or mis-shaped tensor.
    void finish() const;

private:
    const TensorView* lookup(const std::string& name) const;

    std::shared_ptr<const SafetensorsFile> file_;
    std::vector<std::vector<float>>& widened_;
    std::string prefix_;
    std::vector<std::string> missing_;
    std::vector<std::string> problems_;
};

}  // namespace pb
