#include "app/cli_model_choice.h"

#include "core/error.h"
#include "core/inference_benchmark.h"

#include <filesystem>

namespace pb::cli {
namespace {

// The embedded default model, looked up beside the executable: build/app/ in a source tree, bin/
// next to share/ when installed.
std::string default_model_folder() {
    std::error_code ec;
    auto dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    for (const char* relative : {"../../resources/default-model", "../resources/default-model",
                                 "../share/powerbert-studio/default-model"}) {
        auto candidate = (dir / relative).lexically_normal();
        if (std::filesystem::exists(candidate / "model.safetensors", ec)) return candidate.string();
    }
    throw Error("--model: not given, and no default model was found beside " + dir.string() +
                " (expected resources/default-model)");
}

}  // namespace

void use_default_model(std::string& model) {
    if (model.empty()) model = default_model_folder();
}

WeightPrecision precision_of(bool bf16) { return bf16 ? WeightPrecision::BF16 : WeightPrecision::F32; }

ModelConfig shape_config(const std::string& arch, const std::string& shape) {
    ModelConfig c = arch == "albert" ? albert_base_config() : bert_base_config();
    if (shape == "small") {
        c.hidden_size = 256;
        c.num_layers = 4;
        c.num_heads = 4;
        c.intermediate_size = 1024;
    }
    return c;
}

}  // namespace pb::cli
