#pragma once
// `powerbert bench-train`: training throughput (examples per second of full optimizer steps:
// forward, backward, AdamW) on a seeded BERT, next to which tools/bench_train_torch.py measures
// the same step in PyTorch.
#include "core/model_config.h"
#include "core/progress.h"

#include <nlohmann/json.hpp>

namespace pb::train {

struct TrainBenchmarkOptions {
    ModelConfig config;  // default: 4 layers, hidden 256, 4 heads, intermediate 1024, BERT vocabulary
    int batch = 32;
    int min_length = 15, max_length = 35;  // uniform lengths (SST-2-like, mean 25)
    int warmup_steps = 2;
    int steps = 10;
    uint64_t seed = 1;
    bool dropout = true;
};

ModelConfig small_bert_config();  // 4 x 256, 4 heads, 1024, vocab 30522, 512 positions

nlohmann::json run_train_benchmark(const TrainBenchmarkOptions& options, const Progress& progress = {});

}  // namespace pb::train
