#include "core/model_folder.h"

#include "core/error.h"

namespace pb {
namespace {

void require_folder(const std::filesystem::path& folder) {
    std::error_code ec;
    if (!std::filesystem::exists(folder, ec)) throw Error(folder.string() + ": no such folder");
    if (!std::filesystem::is_directory(folder, ec))
        throw Error(folder.string() + ": not a folder (a model is a folder with config.json and model.safetensors)");
}

std::filesystem::path require_weights(const std::filesystem::path& folder) {
    auto weights = folder / "model.safetensors";
    if (std::filesystem::exists(weights)) return weights;
    if (std::filesystem::exists(folder / "model.safetensors.index.json"))
        throw Error((folder / "model.safetensors.index.json").string() +
                    ": sharded checkpoints are not supported; merge the shards into one model.safetensors");
    if (std::filesystem::exists(folder / "pytorch_model.bin"))
        throw Error((folder / "pytorch_model.bin").string() +
                    ": PyTorch pickle checkpoints are not read (unsafe to load); convert the folder to model.safetensors");
    throw Error(weights.string() + ": missing (a model folder needs model.safetensors)");
}

// Once packed, the encoder's matrices are not read from the mapped file again by inference, so
// their pages are dropped as soon as each is packed: the packed copy replaces them in memory
// instead of doubling it.
void release_pages(const SafetensorsFile& file, const MatrixView& m) {
    file.release_pages(m.data, size_t(m.rows) * m.cols * sizeof(float));
}

}  // namespace

BertModel load_bert_model(const std::filesystem::path& folder, WeightPrecision precision) {
    require_folder(folder);
    auto config_path = folder / "config.json";
    if (!std::filesystem::exists(config_path)) throw Error(config_path.string() + ": missing");
    BertModel model;
    model.config = load_model_config(config_path);
    auto file = std::make_shared<const SafetensorsFile>(require_weights(folder));
    model.weights = bind_bert_weights(std::move(file), model.config);
    const SafetensorsFile& mapped = *model.weights.file;
    model.packed = pack_bert_weights(model.weights, precision, [&](const MatrixView& m) { release_pages(mapped, m); });
    return model;
}

ModelFolder load_model_folder(const std::filesystem::path& folder, WeightPrecision precision) {
    ModelFolder out;
    out.path = folder;
    out.model = load_bert_model(folder, precision);
    out.weight_bytes = out.model.weights.file->file_size();

    auto tokenizer = load_tokenizer(folder);
    if (tokenizer->vocab_size() > out.model.config.vocab_size)
        throw Error(folder.string() + ": the tokenizer has " + std::to_string(tokenizer->vocab_size()) +
                    " tokens but config.json's vocab_size is " + std::to_string(out.model.config.vocab_size));
    out.max_tokens = std::min(tokenizer->model_max_length(), out.model.config.max_position);
    out.tokenizer = tokenizer;
    if (std::filesystem::exists(folder / "retention.json"))
        out.retention = load_retention_json(folder / "retention.json", out.model.config.num_layers);
    return out;
}

}  // namespace pb
