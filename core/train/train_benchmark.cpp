#include "core/train/train_benchmark.h"

#include "core/train/adamw.h"
#include "core/train/batch_gradients.h"
#include "core/train/parameter_store.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace pb::train {

ModelConfig small_bert_config() {
    ModelConfig c;
    c.vocab_size = 30522;
    c.hidden_size = 256;
    c.num_layers = 4;
    c.num_heads = 4;
    c.intermediate_size = 1024;
    c.max_position = 512;
    c.num_labels = 2;
    c.id2label = {"LABEL_0", "LABEL_1"};
    return c;
}

nlohmann::json run_train_benchmark(const TrainBenchmarkOptions& o, const Progress& progress) {
    TrainableBert model = seeded_trainable_bert(o.config, o.seed);
    std::mt19937_64 rng(o.seed);
    const int total = (o.warmup_steps + o.steps) * o.batch;
    std::vector<TrainExample> data(total);
    size_t tokens = 0;
    for (auto& e : data) {
        const int n = o.min_length + int(rng() % uint64_t(o.max_length - o.min_length + 1));
        e.ids.resize(n);
        e.ids.front() = 101, e.ids.back() = 102;
        for (int i = 1; i + 1 < n; ++i) e.ids[i] = 1000 + int32_t(rng() % 29000);
        e.type_ids.assign(n, 0);
        e.label = float(rng() % 2);
    }
    PassSettings pass;
    if (o.dropout) pass.hidden_dropout = pass.attention_dropout = 0.1;
    AdamW adam(model.layout, AdamOptions{});
    BatchGradients gradients(2);
    std::vector<float> grads(model.layout.total);
    double timed = 0;
    for (int step = 0; step < o.warmup_steps + o.steps; ++step) {
        std::vector<PassItem> items;
        for (int i = 0; i < o.batch; ++i) items.push_back({&data[size_t(step) * o.batch + i], uint64_t(step * 1000 + i)});
        const auto start = std::chrono::steady_clock::now();
        std::fill(grads.begin(), grads.end(), 0.0f);
        gradients.accumulate(model, items, pass, 1.0f / float(o.batch), grads);
        adam.update(model.layout, model.values, grads, 1e-5, 0.0);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (step >= o.warmup_steps) {
            timed += seconds;
            for (const auto& it : items) tokens += it.example->ids.size();
        }
        report(progress, size_t(step + 1), size_t(o.warmup_steps + o.steps), "training step");
    }
    nlohmann::json j;
    j["engine"] = "powerbert (C++/Eigen, packed sequences, 2 gradient chunks)";
    j["config"] = {{"layers", o.config.num_layers}, {"hidden", o.config.hidden_size}, {"heads", o.config.num_heads},
                   {"intermediate", o.config.intermediate_size}, {"vocab", o.config.vocab_size}};
    j["batch"] = o.batch;
    j["lengths"] = {o.min_length, o.max_length};
    j["mean_length"] = double(tokens) / double(std::max(1, o.steps * o.batch));
    j["dropout"] = o.dropout;
    j["threads"] = omp_get_max_threads();
    j["steps"] = o.steps;
    j["seconds_per_step"] = timed / std::max(1, o.steps);
    j["examples_per_second"] = double(o.steps * o.batch) / std::max(timed, 1e-12);
    j["tokens_per_second"] = double(tokens) / std::max(timed, 1e-12);
    j["step"] = "forward + backward + AdamW update (all parameters, dense word-embedding gradient)";
    return j;
}

}  // namespace pb::train
