// powerbert: the scriptable command line over the same core as the GUI.
#include "core/analysis.h"
#include "core/analysis_report.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/inference_benchmark.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "core/trace_json.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

struct AnalyzeArgs {
    std::string model, text, retention, retention_file;
    std::optional<std::string> pair, strategy;
    std::optional<uint64_t> seed;
    std::optional<double> keep_fraction;
    bool json = false, attention = false, hidden = false;
};

struct BenchArgs {
    std::string out;
    std::vector<int> lengths = {16, 64, 128};
    int repeats = 20, warmup = 3, batch = 1;
    std::string shape = "base";
};

pb::RetentionPlan plan_from(const AnalyzeArgs& a, const pb::ModelFolder& folder, int length) {
    const int layers = folder.model.config.num_layers;
    pb::RetentionPlan plan;
    if (!a.retention_file.empty()) plan = pb::load_retention_json(a.retention_file, layers);
    else if (!a.retention.empty()) plan.keep = pb::parse_retention(a.retention, layers);
    else if (a.keep_fraction) plan.keep = pb::geometric_retention(length, *a.keep_fraction, layers);
    else if (folder.retention) plan = *folder.retention;
    if (a.strategy) plan.strategy = pb::parse_strategy(*a.strategy);
    if (a.seed) plan.seed = *a.seed;
    return plan;
}

int analyze(const AnalyzeArgs& a) {
    auto folder = pb::load_model_folder(a.model);
    pb::RunOptions options{a.attention, a.hidden, false};
    auto length = static_cast<int>((a.pair ? folder.encode(a.text, *a.pair) : folder.encode(a.text)).ids.size());
    auto analysis = pb::analyze(folder, a.text, a.pair, plan_from(a, folder, length), options);
    if (analysis.encoding.truncated) std::cerr << "powerbert: " << analysis.encoding.notice << '\n';
    if (a.json) std::cout << pb::analysis_to_json(analysis).dump(1) << '\n';
    else std::cout << pb::format_analysis(analysis);
    return 0;
}

int bench(const BenchArgs& b) {
    pb::InferenceBenchmarkOptions o;
    o.config = pb::bert_base_config();
    if (b.shape == "small") {
        o.config.hidden_size = 256;
        o.config.num_layers = 4;
        o.config.num_heads = 4;
        o.config.intermediate_size = 1024;
        o.reference_retention.resize(4);
        o.reference_retention = {153, 105, 72, 27};
    }
    o.lengths = b.lengths;
    o.repeats = b.repeats;
    o.warmup = b.warmup;
    o.batch = b.batch;
    auto result = pb::run_inference_benchmark(o, [](size_t done, size_t total, std::string_view message) {
        std::cerr << "[" << done << "/" << total << "] " << message << '\n';
        return true;
    });
    std::string text = result.dump(2) + "\n";
    if (!b.out.empty()) pb::write_file_atomically(b.out, text);
    std::cout << text;
    return 0;
}

struct DemoArgs {
    std::string out, vocab, shape = "small";
    uint64_t seed = 1;
};

// An untrained, seeded model with a real vocabulary: enough to exercise every view and command
// before a trained model is at hand. Its predictions mean nothing, and its config says so.
int make_demo_model(const DemoArgs& d) {
    pb::ModelConfig c = pb::bert_base_config();
    if (d.shape == "small") {
        c.hidden_size = 256;
        c.num_layers = 4;
        c.num_heads = 4;
        c.intermediate_size = 1024;
    }
    c.id2label = {"negative", "positive"};
    pb::write_seeded_bert_folder(d.out, c, d.seed, pb::DType::F32, d.vocab);
    std::cerr << "powerbert: wrote an untrained seeded " << d.shape << " model to " << d.out << '\n';
    return 0;
}

int info(const std::string& model) {
    auto folder = pb::load_model_folder(model);
    nlohmann::json j = pb::to_json(folder.model.config);
    j["weight_bytes"] = folder.weight_bytes;
    j["tokenizer_vocabulary"] = folder.tokenizer->vocab_size();
    j["max_tokens"] = folder.max_tokens;
    if (folder.retention) j["retention"] = pb::plan_to_json(*folder.retention);
    std::cout << j.dump(2) << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"powerbert: inspect and benchmark PoWER-BERT (progressive word-vector elimination) on BERT models"};
    app.require_subcommand(1);

    AnalyzeArgs a;
    auto* analyze_cmd = app.add_subcommand("analyze", "Run the full model and PoWER-BERT on one input and compare them");
    analyze_cmd->add_option("--model", a.model, "Hugging Face model folder (config.json, model.safetensors, vocab)")->required();
    analyze_cmd->add_option("--text", a.text, "The sentence to analyse")->required();
    analyze_cmd->add_option("--pair", a.pair, "An optional second sentence");
    analyze_cmd->add_option("--retention", a.retention, "Word vectors kept per layer, e.g. 12,10,8,...");
    analyze_cmd->add_option("--retention-file", a.retention_file, "A retention.json file");
    analyze_cmd->add_option("--keep-fraction", a.keep_fraction, "Keep ceil(n * f^j) vectors after layer j (a quick preset)");
    analyze_cmd->add_option("--strategy", a.strategy, "attn (Attn-WS), head (Head-WS) or rand (Rand-WS)");
    analyze_cmd->add_option("--seed", a.seed, "Seed of Rand-WS");
    analyze_cmd->add_flag("--json", a.json, "Print one JSON document (schema in README.md)");
    analyze_cmd->add_flag("--attention", a.attention, "Include per-head attention matrices in the JSON");

    BenchArgs b;
    auto* bench_cmd = app.add_subcommand("bench", "Latency of the full model vs PoWER-BERT vs plain matrix products");
    bench_cmd->add_option("--out", b.out, "Also write the JSON result to this file");
    bench_cmd->add_option("--lengths", b.lengths, "Sequence lengths")->delimiter(',');
    bench_cmd->add_option("--repeats", b.repeats, "Timed repetitions per length (median reported)");
    bench_cmd->add_option("--warmup", b.warmup, "Untimed repetitions first");
    bench_cmd->add_option("--batch", b.batch, "Sequences per pass, stacked without padding (the paper timed batches)");
    bench_cmd->add_option("--shape", b.shape, "base (BERT-base, 12x768) or small (4x256)")->check(CLI::IsMember({"base", "small"}));

    DemoArgs d;
    auto* demo_cmd = app.add_subcommand("make-demo-model", "Write an untrained seeded BERT with a real vocabulary (for trying the tool)");
    demo_cmd->add_option("--out", d.out, "Folder to create")->required();
    demo_cmd->add_option("--vocab", d.vocab, "vocab.txt to copy (e.g. resources/vocab/bert-base-uncased.txt)")->required()->check(CLI::ExistingFile);
    demo_cmd->add_option("--shape", d.shape, "small (4x256) or base (12x768)")->check(CLI::IsMember({"base", "small"}));
    demo_cmd->add_option("--seed", d.seed, "Weight seed");

    std::string info_model;
    auto* info_cmd = app.add_subcommand("info", "Print the model's configuration and files");
    info_cmd->add_option("--model", info_model, "Hugging Face model folder")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*analyze_cmd) return analyze(a);
        if (*bench_cmd) return bench(b);
        if (*info_cmd) return info(info_model);
        if (*demo_cmd) return make_demo_model(d);
    } catch (const pb::Error& e) {
        std::cerr << "powerbert: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "powerbert: unexpected error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
