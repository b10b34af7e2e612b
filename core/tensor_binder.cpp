#include "core/tensor_binder.h"

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

}  // namespace

TensorBinder::TensorBinder(std::shared_ptr<const SafetensorsFile> file, std::vector<std::vector<float>>& widened,
                           const std::string& prefix, const std::string& probe)
    : file_(std::move(file)), widened_(widened) {
    prefix_ = file_->find(prefix + probe) ? prefix : "";
}

const TensorView* TensorBinder::lookup(const std::string& name) const {
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

bool TensorBinder::has(const std::string& name, bool in_model) const {
    return lookup(in_model ? prefix_ + name : name) != nullptr;
}

const float* TensorBinder::tensor(const std::string& short_name, std::vector<int64_t> shape, bool in_model) {
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
    widened_.push_back(to_float32(*t, file_->path()));
    return widened_.back().data();
}

MatrixView TensorBinder::matrix(const std::string& name, int rows, int cols, bool in_model) {
    return {tensor(name, {rows, cols}, in_model), rows, cols};
}

VectorView TensorBinder::vector(const std::string& name, int size, bool in_model) {
    return {tensor(name, {size}, in_model), size};
}

LinearWeights TensorBinder::linear(const std::string& name, int out, int in, bool in_model) {
    return {matrix(name + ".weight", out, in, in_model), vector(name + ".bias", out, in_model)};
}

LayerNormWeights TensorBinder::norm(const std::string& name, int size) {
    return {vector(name + ".weight", size), vector(name + ".bias", size)};
}

void TensorBinder::finish() const {
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

}  // namespace pb
