#pragma once
// `powerbert bench`: full model vs PoWER-BERT latency on a seeded BERT-base- or ALBERT-base-shaped
// model, next to plain matrix products of the same shapes, measured alternately in one run.
#include "core/model_config.h"
#include "core/packed_weights.h"
#include "core/progress.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace pb {

struct InferenceBenchmarkOptions {
    ModelConfig config;  // the shape to measure
    uint64_t seed = 20200;
    std::vector<int> lengths = {16, 64, 128};
    int warmup = 3;
    int repeats = 20;
    int batch = 1;  // sequences of the same length stacked into one pass (run_batch)
    WeightPrecision precision = WeightPrecision::F32;
    // The paper's N=256 example configuration, scaled to each length.
    std::vector<int> reference_retention = {153, 125, 111, 105, 85, 80, 72, 48, 35, 27, 22, 5};
    int reference_length = 256;
    std::filesystem::path scratch_folder;  // where the seeded checkpoint is written (removed afterwards)
};

ModelConfig bert_base_config();
// ALBERT-base: 12 layers sharing one group, hidden 768, embeddings 128, vocabulary 30000, gelu_new.
ModelConfig albert_base_config();

// The least time the encoder layers of a run keeping `keep` (one value per layer) of n tokens can
// take, a roofline: each layer at least reads its weights (layer_read_ms) and at least does its
// multiply-adds (times batch) at macs_per_ms. Attention's other costs are left out, so the bound
// is optimistic. The benchmark's attainable speedup is the full model's time over this.
double roofline_floor_ms(const ModelConfig& config, const std::vector<int>& keep, int n, int batch, double macs_per_ms,
                         double layer_read_ms);

nlohmann::json run_inference_benchmark(const InferenceBenchmarkOptions& options, const Progress& progress = {});

}  // namespace pb
