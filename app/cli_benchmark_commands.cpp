// powerbert bench | time: the full model against PoWER-BERT and plain products on seeded BERT-base
// (or ALBERT-base) shapes, and the full model's latency on given token ids (the project's side of
// benchmarks/run_peers.sh).
#include "app/cli_commands.h"
#include "app/cli_model_choice.h"
#include "core/atomic_file.h"
#include "core/forward_timing.h"
#include "core/inference_benchmark.h"
#include "core/model_folder.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

namespace pb::cli {
namespace {

struct BenchArgs {
    std::string out;
    std::vector<int> lengths = {16, 64, 128};
    int repeats = 20, warmup = 3, batch = 1;
    std::string shape = "base";
    std::string arch = "bert";  // bert, albert, or both (one after the other in this run)
    bool bf16 = false;
};

// The benchmark's medians and ratios as a table on stderr, for a reader; stdout keeps the JSON.
void print_bench_summary(const std::string& arch, const nlohmann::json& run) {
    std::cerr << arch << ", " << run["threads"].get<int>() << " threads, " << run["precision"].get<std::string>()
              << ": medians in ms; speedup / ratio (goal 0.9) and / attainable (roofline)\n"
              << "  batch tokens      full     PoWER   ratio  attainable  speedup  /ratio  /attainable\n";
    for (const auto& r : run["results"]) {
        char line[160];
        std::snprintf(line, sizeof line, "  %5d %6d %9.2f %9.2f %7.2f %11.2f %8.2f %7.2f %12.2f\n", r["batch"].get<int>(),
                      r["length"].get<int>(), r["full_ms"]["median"].get<double>(), r["power_ms"]["median"].get<double>(),
                      r["multiply_add_ratio"].get<double>(), r["attainable_speedup"].get<double>(),
                      r["measured_speedup"].get<double>(), r["speedup_over_multiply_add_ratio"].get<double>(),
                      r["speedup_over_attainable"].get<double>());
        std::cerr << line;
    }
}

int bench(const BenchArgs& b) {
    nlohmann::json runs = nlohmann::json::array();
    for (const std::string arch : {"bert", "albert"}) {
        if (b.arch != arch && b.arch != "both") continue;
        pb::InferenceBenchmarkOptions o;
        o.config = shape_config(arch, b.shape);
        if (b.shape == "small") o.reference_retention = {153, 105, 72, 27};
        o.lengths = b.lengths;
        o.repeats = b.repeats;
        o.warmup = b.warmup;
        o.batch = b.batch;
        o.precision = precision_of(b.bf16);
        runs.push_back(pb::run_inference_benchmark(o, [&](size_t done, size_t total, std::string_view message) {
            std::cerr << "[" << arch << " " << done << "/" << total << "] " << message << '\n';
            return true;
        }));
        print_bench_summary(arch, runs.back());
    }
    const nlohmann::json result = runs.size() == 1 ? runs.front() : nlohmann::json{{"benchmark", "inference"}, {"runs", runs}};
    std::string text = result.dump(2) + "\n";
    if (!b.out.empty()) pb::write_file_atomically(b.out, text);
    std::cout << text;
    return 0;
}

struct TimeArgs {
    std::string model, inputs, out;
    int repeats = 10, warmup = 2;
    bool bf16 = false;
};

// Batch-1 latency of the full model on given ids: this engine's side of benchmarks/run_peers.sh.
int time_model(const TimeArgs& t) {
    const auto start = std::chrono::steady_clock::now();
    const pb::BertModel model = pb::load_bert_model(t.model, precision_of(t.bf16));
    const double load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    auto result = pb::time_forward(model, pb::load_timed_inputs(t.inputs), t.warmup, t.repeats);
    result["load_ms"] = load_ms;
    const std::string text = result.dump() + "\n";
    if (!t.out.empty()) pb::write_file_atomically(t.out, text);
    else std::cout << text;
    return 0;
}

CLI::App* add_bench_command(CLI::App& app, BenchArgs& b) {
    auto* cmd = app.add_subcommand("bench", "Latency of the full model vs PoWER-BERT vs plain matrix products");
    cmd->add_option("--out", b.out, "Also write the JSON result to this file");
    cmd->add_option("--lengths", b.lengths, "Sequence lengths")->delimiter(',');
    cmd->add_option("--repeats", b.repeats, "Timed repetitions per length (median reported)");
    cmd->add_option("--warmup", b.warmup, "Untimed repetitions first");
    cmd->add_option("--batch", b.batch, "Sequences per pass, stacked without padding (the paper timed batches)");
    cmd->add_option("--shape", b.shape, "base (BERT-base, 12x768) or small (4x256)")->check(CLI::IsMember({"base", "small"}));
    cmd->add_option("--arch", b.arch, "bert, albert (ALBERT-base: one shared layer group, embeddings 128), or both in one run")
        ->check(CLI::IsMember({"bert", "albert", "both"}));
    cmd->add_flag("--bf16", b.bf16, "Encoder weights rounded to bfloat16");
    return cmd;
}

CLI::App* add_time_command(CLI::App& app, TimeArgs& t) {
    auto* cmd = app.add_subcommand("time", "Batch-1 latency and logits of the full model on given token ids (see benchmarks/run_peers.sh)");
    cmd->add_option("--model", t.model, "Hugging Face model folder")->required();
    cmd->add_option("--inputs", t.inputs, "JSON file {\"inputs\": [{\"ids\": [...], \"type_ids\": [...]}, ...]}")->required()->check(CLI::ExistingFile);
    cmd->add_option("--repeats", t.repeats, "Timed passes over all inputs");
    cmd->add_option("--warmup", t.warmup, "Untimed passes first");
    cmd->add_option("--out", t.out, "Write the JSON result here (atomically) instead of stdout");
    cmd->add_flag("--bf16", t.bf16, "Encoder weights rounded to bfloat16");
    return cmd;
}

}  // namespace

void add_benchmark_commands(CLI::App& app, Commands& out) {
    auto b = std::make_shared<BenchArgs>();
    out.push_back({add_bench_command(app, *b), [b] { return bench(*b); }});
    auto t = std::make_shared<TimeArgs>();
    out.push_back({add_time_command(app, *t), [t] { return time_model(*t); }});
}

}  // namespace pb::cli
