// powerbert: the scriptable command line over the same core as the GUI.
#include "app/openmp_spin.h"
#include "core/analysis.h"
#include "core/analysis_report.h"
#include "core/atomic_file.h"
#include "core/dataset_evaluation.h"
#include "core/dataset_experiments.h"
#include "core/error.h"
#include "core/forward_timing.h"
#include "core/inference_benchmark.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "core/sentencepiece_tokenizer.h"
#include "core/trace_json.h"
#include "core/train/pretraining.h"
#include "core/train/train_benchmark.h"
#include "core/train/training_steps.h"

#include <atomic>
#include <csignal>

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

namespace {

struct AnalyzeArgs {
    std::string model, text, retention, retention_file;
    std::optional<std::string> pair, strategy;
    std::optional<uint64_t> seed;
    std::optional<double> keep_fraction;
    bool json = false, attention = false, hidden = false, bf16 = false;
};

// --bf16: weights rounded to bfloat16 (products still accumulate in float); never the default.
pb::WeightPrecision precision_of(bool bf16) { return bf16 ? pb::WeightPrecision::BF16 : pb::WeightPrecision::F32; }

struct BenchArgs {
    std::string out;
    std::vector<int> lengths = {16, 64, 128};
    int repeats = 20, warmup = 3, batch = 1;
    std::string shape = "base";
    std::string arch = "bert";  // bert, albert, or both (one after the other in this run)
    bool bf16 = false;
};

// BERT-base or ALBERT-base, or their 4 x 256 versions (`small`).
pb::ModelConfig benchmark_config(const std::string& arch, const std::string& shape) {
    pb::ModelConfig c = arch == "albert" ? pb::albert_base_config() : pb::bert_base_config();
    if (shape == "small") {
        c.hidden_size = 256;
        c.num_layers = 4;
        c.num_heads = 4;
        c.intermediate_size = 1024;
    }
    return c;
}

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

// An input without a word piece would analyse [CLS] and [SEP] alone: refused rather than answered.
void require_word_pieces(const pb::Encoding& e, bool pair) {
    auto pieces = [&](int segment) { return std::count(e.segment.begin(), e.segment.end(), segment); };
    const char* why = " no word pieces (empty, or only characters the tokenizer drops)";
    if (pieces(0) == 0) throw pb::Error(std::string("--text:") + why);
    if (pair && pieces(1) == 0) throw pb::Error(std::string("--pair:") + why);
}

int analyze(const AnalyzeArgs& a) {
    auto folder = pb::load_model_folder(a.model, precision_of(a.bf16));
    pb::RunOptions options{a.attention, a.hidden, false};
    const pb::Encoding encoding = a.pair ? folder.encode(a.text, *a.pair) : folder.encode(a.text);
    require_word_pieces(encoding, a.pair.has_value());
    const auto length = static_cast<int>(encoding.ids.size());
    auto analysis = pb::analyze(folder, a.text, a.pair, plan_from(a, folder, length), options);
    if (analysis.encoding.truncated) std::cerr << "powerbert: " << analysis.encoding.notice << '\n';
    if (a.json) std::cout << pb::analysis_to_json(analysis).dump(1) << '\n';
    else std::cout << pb::format_analysis(analysis);
    return 0;
}

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
        o.config = benchmark_config(arch, b.shape);
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

struct DemoArgs {
    std::string out, vocab, shape = "small", arch = "bert";
    uint64_t seed = 1;
};

// An untrained, seeded model with a real vocabulary: enough to exercise every view and command
// before a trained model is at hand. Its predictions mean nothing, and its config says so.
int make_demo_model(const DemoArgs& d) {
    pb::ModelConfig c = benchmark_config(d.arch, d.shape);
    c.id2label = {"negative", "positive"};
    if (c.is_albert()) c.vocab_size = pb::SentencepieceTokenizer::from_model_file(d.vocab).vocab_size();
    pb::write_seeded_bert_folder(d.out, c, d.seed, pb::DType::F32, d.vocab);
    if (c.is_albert())  // AlbertTokenizer's settings (the defaults, written out for the reader)
        pb::write_file_atomically(std::filesystem::path(d.out) / "tokenizer_config.json",
                                  nlohmann::json{{"tokenizer_class", "AlbertTokenizer"}, {"do_lower_case", true},
                                                 {"remove_space", true}, {"keep_accents", false},
                                                 {"model_max_length", 512}}
                                          .dump(2) + "\n");
    std::cerr << "powerbert: wrote an untrained seeded " << d.shape << " " << d.arch << " model to " << d.out << '\n';
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


// ---- eval and experiment: the full model vs PoWER-BERT over a GLUE file ----------------------

struct DatasetArgs {
    std::string model, data, task, retention, retention_file, out, experiment;
    std::optional<std::string> strategy;
    std::optional<uint64_t> seed;
    std::optional<double> keep_fraction;
    size_t max_examples = 0;
    int padded_length = 0, threads = 0, ranks = 10, seeds = 5, batch = 1;
    bool skip_malformed = false, json = false, bf16 = false;
    std::vector<double> fractions, factors;
};

void add_dataset_options(CLI::App* cmd, DatasetArgs& d) {
    cmd->add_option("--model", d.model, "Hugging Face model folder (default: the embedded default model)");
    cmd->add_option("--data", d.data, "A GLUE .tsv file (or label<TAB>sentence)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--task", d.task, "GLUE task (SST-2, CoLA, MRPC, STS-B, QQP, MNLI, QNLI, RTE, generic); default: guessed from the file");
    auto* r = cmd->add_option("--retention", d.retention, "Word vectors kept per layer, e.g. 7,7,7,7 (for inputs shorter than a value, all are kept)");
    auto* f = cmd->add_option("--keep-fraction", d.keep_fraction, "Keep ceil(n * f^j) vectors after layer j, n = each example's length");
    auto* rf = cmd->add_option("--retention-file", d.retention_file, "A retention.json file")->check(CLI::ExistingFile);
    r->excludes(f)->excludes(rf);
    f->excludes(rf);
    cmd->add_option("--strategy", d.strategy, "attn (Attn-WS), head (Head-WS) or rand (Rand-WS)");
    cmd->add_option("--seed", d.seed, "Seed of Rand-WS");
    cmd->add_option("--max-examples", d.max_examples, "Use only the first N examples (0 = all)");
    cmd->add_flag("--skip-malformed", d.skip_malformed, "Leave out malformed lines instead of stopping at the first");
    cmd->add_option("--padded-length", d.padded_length, "Length of the padded baseline (default: the task's reference SEQ_LEN: 64, 128 or 256)");
    cmd->add_option("--threads", d.threads, "Examples run in parallel (default: OpenMP's)");
    cmd->add_option("--out", d.out, "Write the full JSON result to this file (atomically)");
    cmd->add_flag("--json", d.json, "Print the full JSON result to stdout instead of the summary");
    cmd->add_flag("--bf16", d.bf16, "Encoder weights rounded to bfloat16 (faster on short inputs, slightly less accurate)");
}

struct DatasetInputs {
    pb::ModelFolder folder;
    pb::GlueDataset dataset;
    pb::RetentionPlan plan;
    pb::EvaluationOptions options;
};

DatasetInputs load_dataset_inputs(const DatasetArgs& d) {
    DatasetInputs in;
    std::optional<pb::GlueTask> task;
    if (!d.task.empty()) {
        task = pb::glue_task_from_name(d.task);
        if (!task) throw pb::Error("--task: \"" + d.task + "\" is not one of CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI, generic");
    }
    in.folder = pb::load_model_folder(d.model, precision_of(d.bf16));
    const auto policy = d.skip_malformed ? pb::MalformedPolicy::Skip : pb::MalformedPolicy::Reject;
    in.dataset = pb::load_glue_tsv(d.data, task, policy, d.max_examples);
    if (!in.dataset.skipped.empty())
        std::cerr << "powerbert: skipped " << in.dataset.skipped.size()
                  << (in.dataset.skipped.size() == 1 ? " malformed line (line " : " malformed lines (first: line ")
                  << in.dataset.skipped.front().line << ": " << in.dataset.skipped.front().problem << ")\n";
    const int layers = in.folder.model.config.num_layers;
    if (!d.retention_file.empty()) in.plan = pb::load_retention_json(d.retention_file, layers);
    else if (!d.retention.empty()) in.plan.keep = pb::parse_retention(d.retention, layers);
    else if (d.keep_fraction) in.options.keep_fraction = d.keep_fraction;
    else if (in.folder.retention) in.plan = *in.folder.retention;
    if (d.strategy) in.plan.strategy = pb::parse_strategy(*d.strategy);
    if (d.seed) in.plan.seed = *d.seed;
    in.options.max_examples = d.max_examples;
    in.options.padded_length = d.padded_length;
    in.options.threads = d.threads;
    in.options.batch = d.batch;
    return in;
}

// "[done/total] N ex/s, ETA Ts" on stderr, at most 4 times a second (and once at the end).
pb::Progress progress_printer() {
    using Clock = std::chrono::steady_clock;
    struct State {
        Clock::time_point start = Clock::now(), last{};
        size_t printed = size_t(-1);
        bool tty = isatty(STDERR_FILENO) != 0;
    };
    auto state = std::make_shared<State>();
    return [state](size_t done, size_t total, std::string_view message) {
        const auto now = Clock::now();
        const bool final = done >= total;
        if (done == state->printed || (!final && now - state->last < std::chrono::milliseconds(250))) return true;
        state->last = now;
        state->printed = done;
        const double elapsed = std::chrono::duration<double>(now - state->start).count();
        const double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
        const double eta = rate > 0 ? double(total - std::min(done, total)) / rate : 0.0;
        char line[160];
        std::snprintf(line, sizeof line, "[%zu/%zu] %.1f ex/s, ETA %.0fs  %.*s", done, total, rate, eta,
                      static_cast<int>(message.size()), message.data());
        std::cerr << (state->tty ? "\r" : "") << line << (state->tty && !final ? "" : "\n") << std::flush;
        return true;
    };
}

// --out (atomically) and/or --json; returns whether the summary should still be printed.
bool emit_json(const nlohmann::json& j, const DatasetArgs& d) {
    const std::string text = j.dump(2) + "\n";
    if (!d.out.empty()) pb::write_file_atomically(d.out, text);
    if (d.json) std::cout << text;
    return !d.json;
}

std::string fixed(double value, int digits = 4) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

std::string optional_fixed(const std::optional<double>& value, int digits = 4) {
    return value ? fixed(*value, digits) : std::string("n/a");
}

std::string describe_plan(const pb::RetentionPlan& plan, const std::optional<double>& fraction) {
    std::string s;
    if (fraction) s = "keep-fraction " + fixed(*fraction, 2) + " per example length";
    else if (plan.keep.empty()) s = "none (PoWER-BERT = the full model)";
    else {
        for (int k : plan.keep) s += (s.empty() ? "" : ",") + std::to_string(k);
        s = "retention " + s;
    }
    s += ", " + std::string(pb::strategy_name(plan.strategy));
    if (plan.strategy == pb::Strategy::Random) s += " seed " + std::to_string(plan.seed);
    return s;
}

void print_batched_timing(const pb::BatchedTiming& b, int padded_length) {
    std::cout << "time in batches of up to " << b.batch << " equally long sequences (" << b.passes
              << " passes): full " << fixed(b.full_seconds, 3) << " s, PoWER-BERT " << fixed(b.power_seconds, 3)
              << " s: speedup " << fixed(b.packed_speedup(), 2) << "x packed";
    if (b.padded_timed)
        std::cout << ", " << fixed(b.padded_speedup(), 2) << "x against the full model padded to " << padded_length
                  << " tokens (" << fixed(b.padded_full_seconds, 3) << " s)";
    std::cout << '\n';
}

int eval_dataset(const DatasetArgs& d) {
    auto in = load_dataset_inputs(d);
    if (in.plan.keep.empty() && !in.options.keep_fraction)
        std::cerr << "powerbert: no retention configuration (--retention, --keep-fraction, --retention-file or the "
                     "model's retention.json): PoWER-BERT equals the full model\n";
    auto r = pb::evaluate_dataset(in.folder, in.dataset, in.plan, in.options, progress_printer());
    if (!emit_json(pb::to_json(r), d)) return 0;
    double mean_length = 0;
    for (int n : r.lengths) mean_length += n;
    mean_length /= double(std::max<size_t>(1, r.lengths.size()));
    const std::string metric(pb::main_metric_name(r.task));
    std::cout << pb::glue_task_name(r.task) << " " << r.data_file << ": " << r.examples << " examples, mean length "
              << fixed(mean_length, 1) << " tokens" << (r.truncated ? ", " + std::to_string(r.truncated) + " truncated" : "")
              << "\nretention: " << describe_plan(r.plan, r.keep_fraction) << '\n'
              << metric << ": full " << optional_fixed(pb::main_metric(r.task, r.full.metrics)) << ", PoWER-BERT "
              << optional_fixed(pb::main_metric(r.task, r.power.metrics)) << '\n';
    if (r.regression)
        std::cout << "mean |full - PoWER| score difference: " << optional_fixed(r.power.mean_absolute_difference) << '\n';
    else
        std::cout << "agreement " << optional_fixed(r.power.agreement) << ", MI " << optional_fixed(r.power.mutual_information_bits, 3)
                  << " bits of H(full) " << optional_fixed(r.full_label_entropy_bits, 3) << " (normalised "
                  << optional_fixed(r.power.normalized_mutual_information, 3) << "), mean KL "
                  << optional_fixed(r.power.mean_kl, 5) << " nats, " << r.disagreements.size() << " disagreements\n";
    std::cout << "multiply-adds: " << fixed(double(r.full.multiply_adds) / 1e9, 3) << " G full, "
              << fixed(double(r.power.multiply_adds) / 1e9, 3) << " G PoWER-BERT (" << fixed(r.multiply_add_ratio(), 2)
              << "x fewer)\n"
              << "time, one example at a time: full " << fixed(r.full.seconds, 3) << " s, PoWER-BERT " << fixed(r.power.seconds, 3)
              << " s: speedup " << fixed(r.packed_speedup(), 2) << "x packed";
    if (r.padded_timed)
        std::cout << ", " << fixed(r.padded_speedup(), 2) << "x against the full model padded to " << r.padded_length
                  << " tokens (" << fixed(r.padded_full_seconds, 3) << " s; PoWER-BERT on packed inputs"
                  << (r.longer_than_padded ? "; " + std::to_string(r.longer_than_padded) + " longer examples unpadded" : "")
                  << ")";
    std::cout << '\n';
    if (r.batched) print_batched_timing(*r.batched, r.padded_length);
    const int runs = (r.padded_timed ? 3 : 2) * (r.batched ? 2 : 1);
    std::cout << "throughput: " << fixed(r.wall_seconds > 0 ? r.examples / r.wall_seconds : 0.0, 1)
              << " examples/s on " << r.threads << " threads (" << runs << " model runs per example), "
              << fixed(r.wall_seconds, 2) << " s in all\n";
    return 0;
}

void print_matrix(const std::string& title, const std::vector<std::vector<double>>& m, int digits) {
    std::cout << title << " (rows: encoder 1..L, columns: rank 1..K)\n";
    for (size_t j = 0; j < m.size(); ++j) {
        std::cout << "  " << (j + 1 < 10 ? " " : "") << j + 1 << ":";
        for (double v : m[j]) std::cout << ' ' << fixed(v, digits);
        std::cout << '\n';
    }
}

void print_diffusion(const pb::DiffusionResult& r) {
    std::cout << "diffusion of information over " << r.examples << " examples (" << describe_plan(r.plan, r.keep_fraction)
              << ")\nlayer  full cosine (sd)    PoWER cosine (sd)   PoWER vectors\n";
    for (size_t j = 0; j < r.full_mean.size(); ++j)
        std::cout << (j == 0 ? "  emb" : "  " + std::string(j < 10 ? "  " : " ") + std::to_string(j)) << "  "
                  << fixed(r.full_mean[j]) << " (" << fixed(r.full_std[j]) << ")  " << fixed(r.power_mean[j]) << " ("
                  << fixed(r.power_std[j]) << ")  " << fixed(r.power_mean_vectors[j], 1) << '\n';
}

void print_mi_rank(const pb::MiRankResult& r) {
    std::cout << "mutual information, full model vs one vector of rank k removed at encoder j, over " << r.examples
              << " examples; H(full labels) = " << fixed(r.label_entropy_bits, 3) << " bits\n";
    print_matrix("MI (bits)", r.mutual_information_bits, 3);
    print_matrix("agreement", r.agreement, 3);
}

// `j`: the result's JSON, whose Rand-WS summary (mean, min, max over seeds) is printed last.
void print_ablation(const pb::AblationResult& r, const nlohmann::json& j) {
    std::cout << "ablation over " << r.examples << " examples (" << describe_plan(r.plan, r.keep_fraction) << ")\n";
    auto row = [](const std::string& name, const std::string& metric, const std::string& agreement, const std::string& mi,
                  const std::string& kl, const std::string& madds) {
        char line[200];
        std::snprintf(line, sizeof line, "%-16s %9s %10s %9s %10s %16s\n", name.c_str(), metric.c_str(),
                      agreement.c_str(), mi.c_str(), kl.c_str(), madds.c_str());
        std::cout << line;
    };
    auto variant = [&](const std::string& name, const pb::VariantSummary& v) {
        row(name, optional_fixed(pb::main_metric(r.task, v.metrics)), optional_fixed(v.agreement),
            optional_fixed(v.mutual_information_bits, 3), optional_fixed(v.mean_kl, 5), fixed(double(v.multiply_adds) / 1e9, 3));
    };
    row("strategy", std::string(pb::main_metric_name(r.task)), "agreement", "MI bits", "mean KL", "G multiply-adds");
    variant("full", r.full);
    variant("Attn-WS", r.attention);
    variant("Head-WS", r.head);
    for (size_t s = 0; s < r.random.size(); ++s) variant("Rand-WS seed " + std::to_string(r.random_seeds[s]), r.random[s]);
    const auto& summary = j["rand_ws"]["summary"];
    auto show = [](const nlohmann::json& v) { return v.is_number() ? fixed(v.get<double>()) : std::string("n/a"); };
    std::cout << "Rand-WS agreement mean " << show(summary["agreement"]["mean"]) << " (min "
              << show(summary["agreement"]["min"]) << ", max " << show(summary["agreement"]["max"]) << ")\n";
}

void print_tradeoff(const pb::TradeoffResult& r) {
    std::cout << "trade-off over " << r.examples << " examples (" << pb::strategy_name(r.strategy) << "); metric: "
              << r.metric_name << "; * = Pareto front (no other point is as fast and as good"
              << (r.batch > 1 ? ", timed in batches of " + std::to_string(r.batch) : std::string()) << ")\n";
    for (const auto& p : r.points) {
        std::cout << (p.pareto ? "* " : "  ") << p.name << std::string(p.name.size() < 14 ? 14 - p.name.size() : 1, ' ')
                  << fixed(p.metric) << "  " << fixed(p.seconds, 3) << " s one at a time  ";
        if (p.batched_seconds) std::cout << fixed(*p.batched_seconds, 3) << " s in batches  ";
        std::cout << fixed(double(p.multiply_adds) / 1e9, 3) << " G multiply-adds\n";
    }
}

int run_experiment(const DatasetArgs& d) {
    if (d.batch > 1 && d.experiment != "tradeoff")
        throw pb::Error("--batch times the trade-off's configurations; experiment " + d.experiment + " times nothing");
    auto in = load_dataset_inputs(d);
    const auto progress = progress_printer();
    if (d.experiment == "diffusion") {
        const auto r = pb::diffusion_experiment(in.folder, in.dataset, in.plan, in.options, progress);
        if (emit_json(pb::to_json(r), d)) print_diffusion(r);
    } else if (d.experiment == "mi-rank") {
        const auto r = pb::mi_rank_experiment(in.folder, in.dataset, d.ranks, in.options, progress);
        if (emit_json(pb::to_json(r), d)) print_mi_rank(r);
    } else if (d.experiment == "ablation") {
        const auto r = pb::ablation_experiment(in.folder, in.dataset, in.plan, d.seeds, in.options, progress);
        const auto j = pb::to_json(r);
        if (emit_json(j, d)) print_ablation(r, j);
    } else {
        pb::TradeoffOptions t;
        if (!d.fractions.empty()) t.fractions = d.fractions;
        if (!d.factors.empty()) t.factors = d.factors;
        const auto r = pb::tradeoff_experiment(in.folder, in.dataset, in.plan, t, in.options, progress);
        if (emit_json(pb::to_json(r), d)) print_tradeoff(r);
    }
    return 0;
}

CLI::App* add_eval_command(CLI::App& app, DatasetArgs& d) {
    auto* cmd = app.add_subcommand("eval", "Full model vs PoWER-BERT over a GLUE file: metrics, agreement, MI, KL, speedups");
    add_dataset_options(cmd, d);
    cmd->add_option("--batch", d.batch,
                    "Also time both models on sequences grouped by length, this many per pass, as the paper "
                    "timed inference (default 1: one at a time only)")
        ->check(CLI::Range(1, 256));
    return cmd;
}

CLI::App* add_experiment_command(CLI::App& app, DatasetArgs& d) {
    auto* cmd = app.add_subcommand("experiment", "The paper's dataset analyses: diffusion, mi-rank, ablation, tradeoff");
    cmd->add_option("name", d.experiment, "diffusion, mi-rank, ablation or tradeoff")
        ->required()
        ->check(CLI::IsMember({"diffusion", "mi-rank", "ablation", "tradeoff"}));
    add_dataset_options(cmd, d);
    cmd->add_option("--ranks", d.ranks, "mi-rank: ranks 1..K per encoder (default 10)");
    cmd->add_option("--seeds", d.seeds, "ablation: Rand-WS seeds 1..S (default 5)");
    cmd->add_option("--fractions", d.fractions, "tradeoff: keep fractions (default 0.3,...,1.0)")->delimiter(',');
    cmd->add_option("--factors", d.factors, "tradeoff: scale factors of --retention (default 0.3,...,1.0)")->delimiter(',');
    cmd->add_option("--batch", d.batch,
                    "tradeoff: also time every configuration on sequences grouped by length, this many per pass, "
                    "and draw the Pareto front on those times (default 1: one at a time only)")
        ->check(CLI::Range(1, 256));
    return cmd;
}

// ---- train finetune|search|retrain and bench-train: the training engine (core/train) -------------

std::atomic<bool> g_train_interrupted{false};

// Ctrl-C asks the training loop to stop: it saves a checkpoint (every file is written atomically)
// and the same command resumes from it. A second Ctrl-C exits at once.
void on_train_interrupt(int) {
    if (g_train_interrupted.exchange(true)) std::_Exit(130);
}

// Progress on stderr, at most one line every 2 seconds; false once Ctrl-C was pressed.
pb::Progress train_progress() {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [last](size_t done, size_t total, std::string_view message) {
        const auto now = std::chrono::steady_clock::now();
        if (done == total || now - *last >= std::chrono::seconds(2)) {
            *last = now;
            std::cerr << "powerbert: " << message << '\n';
        }
        return !g_train_interrupted.load();
    };
}

using TrainRun = std::function<nlohmann::json(const pb::Progress&, const pb::train::TrainLog&)>;

int run_train_cli(const TrainRun& run, const std::filesystem::path& out) {
    g_train_interrupted = false;
    std::signal(SIGINT, on_train_interrupt);
    try {
        auto summary = run(train_progress(), [](const std::string& line) { std::cerr << "powerbert: " << line << '\n'; });
        std::cout << summary.dump(2) << '\n';
    } catch (const pb::Cancelled&) {
        std::cerr << "powerbert: interrupted; a checkpoint is in " << (out / "checkpoint").string()
                  << " (run the same command again to resume)\n";
        return 130;
    }
    return 0;
}

int run_train_cli(const pb::train::StepOptions& options) {
    return run_train_cli([&](const pb::Progress& p, const pb::train::TrainLog& l) { return pb::train::run_train_step(options, p, l); },
                         options.out);
}

int train_pretrain(const pb::train::PretrainOptions& options) {
    return run_train_cli([&](const pb::Progress& p, const pb::train::TrainLog& l) { return pb::train::run_pretrain(options, p, l); },
                         options.out);
}

void add_pretrain_options(CLI::App* cmd, pb::train::PretrainOptions& o) {
    cmd->add_option("--model", o.model, "Initial Hugging Face folder (e.g. from make-demo-model); its tokenizer is used")->required();
    cmd->add_option("--corpus", o.corpus, "Text files (.txt, paragraphs separated by blank lines) or GLUE .tsv files")
        ->required()->check(CLI::ExistingFile);
    cmd->add_option("--heldout", o.heldout, "Text to measure masked-token accuracy on (best checkpoint kept)")->check(CLI::ExistingFile);
    cmd->add_option("--out", o.out, "Output folder (BertForMaskedLM Hugging Face folder + training.json)")->required();
    cmd->add_option("--epochs", o.epochs, "Passes over the corpus, each with fresh masks (default 1)");
    cmd->add_option("--batch", o.batch, "Sequences per optimizer step (default 32)");
    cmd->add_option("--max-length", o.max_length, "Tokens per sequence (default 128)");
    cmd->add_option("--lr", o.lr, "Peak learning rate (default 5e-4)");
    cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay (default 0.01)");
    cmd->add_option("--mask-probability", o.mask_probability, "Share of word pieces predicted (default 0.15)");
    cmd->add_option("--max-sequences", o.max_sequences, "Use only the first N sequences per pass");
    cmd->add_option("--seed", o.seed, "Seed of masking, shuffling and dropout");
    cmd->add_option("--checkpoint-every", o.checkpoint_every, "Also checkpoint every N steps");
    cmd->add_flag("--from-scratch", o.from_scratch, "Re-initialise every weight as Hugging Face's BERT does first");
    cmd->add_flag("!--no-resume", o.resume, "Ignore an existing checkpoint in --out");
}

int train_finetune(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Finetune;
    return run_train_cli(options);
}

int train_search(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Search;
    return run_train_cli(options);
}

int train_retrain(pb::train::StepOptions options) {
    options.step = pb::train::TrainStep::Retrain;
    return run_train_cli(options);
}

void add_train_options(CLI::App* cmd, pb::train::StepOptions& o) {
    cmd->add_option("--model", o.model, "Input Hugging Face model folder")->required();
    cmd->add_option("--task", o.task, "GLUE task (cola, sst-2, mrpc, sts-b, qqp, mnli, qnli, rte, generic); default: guessed from --train");
    cmd->add_option("--train", o.train_file, "Training TSV file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--dev", o.dev_file, "Dev TSV file (the best epoch on it is kept)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--out", o.out, "Output folder (a Hugging Face folder + training.json)")->required();
    cmd->add_option("--epochs", o.epochs, "Epochs (default 3)");
    cmd->add_option("--batch", o.batch, "Examples per optimizer step (default: the reference's, per task)");
    cmd->add_option("--accumulation", o.accumulation, "Micro-batches per step (gradient accumulation)");
    cmd->add_option("--lr", o.lr, "Learning rate of the BERT weights (default: the reference's LR_BERT)");
    cmd->add_option("--max-length", o.max_length, "Tokens per example (default: the reference's SEQ_LEN)");
    cmd->add_option("--seed", o.seed, "Seed of shuffling, dropout and new heads");
    cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay (default 0: Adam, as the reference)");
    cmd->add_option("--max-train", o.max_train_examples, "Use only the first N training examples");
    cmd->add_option("--max-dev", o.max_dev_examples, "Use only the first N dev examples");
    cmd->add_option("--checkpoint-every", o.checkpoint_every, "Also checkpoint every N steps (default: each epoch)");
    cmd->add_flag("!--no-resume", o.resume, "Ignore an existing checkpoint in --out");
}

struct TrainCommands {
    CLI::App *pretrain = nullptr, *finetune = nullptr, *search = nullptr, *retrain = nullptr, *bench = nullptr;
};

TrainCommands add_train_commands(CLI::App& app, pb::train::StepOptions& o, pb::train::PretrainOptions& p,
                                 pb::train::TrainBenchmarkOptions& b, std::string& bench_out) {
    TrainCommands c;
    auto* train = app.add_subcommand("train", "Training: pretrain (masked LM), then PoWER-BERT's finetune, search, retrain");
    train->require_subcommand(1);
    c.pretrain = train->add_subcommand("pretrain", "Masked-LM pre-training on plain text (writes a BertForMaskedLM folder)");
    add_pretrain_options(c.pretrain, p);
    c.finetune = train->add_subcommand("finetune", "Fine-tune a pre-trained folder on a GLUE task (best dev checkpoint kept)");
    add_train_options(c.finetune, o);
    c.search = train->add_subcommand("search", "Configuration search with Soft-Extract layers (writes retention.json)");
    add_train_options(c.search, o);
    c.search->add_option("--lambda", o.lambda, "Penalty lambda * sum_j j * mass_j (default: the reference's, per task)");
    c.search->add_option("--lr-soft", o.lr_soft, "Learning rate of r (default: the reference's LR_SOFT_EXTRACT)");
    c.retrain = train->add_subcommand("retrain", "Re-train with Extract layers at a configuration (best dev kept)");
    add_train_options(c.retrain, o);
    c.retrain->add_option("--retention-file", o.retention_file, "retention.json (default: the model folder's)")->check(CLI::ExistingFile);
    c.retrain->add_flag("--with-full-pass", o.with_full_pass,
                        "Each step also trains the weights without elimination (mean loss of both passes), so they serve as the full model too");
    for (auto* cmd : {c.finetune, c.retrain}) {
        auto* teacher =
            cmd->add_option("--teacher", o.teacher, "Distil from this fine-tuned folder: its class probabilities join the labels in the loss")
                ->check(CLI::ExistingDirectory);
        cmd->add_option("--distill-weight", o.distill.weight, "Weight of the teacher's term in the loss (default 0.5)")
            ->check(CLI::Range(0.0, 1.0))
            ->needs(teacher);
        cmd->add_option("--distill-temperature", o.distill.temperature, "Temperature of the teacher's and the student's softmax in that term (default 2)")
            ->check(CLI::Range(1e-3, 1e3))
            ->needs(teacher);
    }

    c.bench = app.add_subcommand("bench-train", "Training examples/s (forward, backward, AdamW) of a 4x256 BERT on ~25-token inputs");
    c.bench->add_option("--out", bench_out, "Also write the JSON result to this file");
    c.bench->add_option("--batch", b.batch, "Examples per step");
    c.bench->add_option("--steps", b.steps, "Timed steps");
    c.bench->add_option("--warmup", b.warmup_steps, "Untimed steps first");
    return c;
}

int bench_train(pb::train::TrainBenchmarkOptions options, const std::string& out) {
    options.config = pb::train::small_bert_config();
    auto result = pb::train::run_train_benchmark(options);
    const std::string text = result.dump(2) + "\n";
    if (!out.empty()) pb::write_file_atomically(out, text);
    std::cout << text;
    return 0;
}
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
    throw pb::Error("--model: not given, and no default model was found beside " + dir.string() +
                    " (expected resources/default-model)");
}

void use_default_model(std::string& model) {
    if (model.empty()) model = default_model_folder();
}

CLI::App* add_analyze_command(CLI::App& app, AnalyzeArgs& a) {
    auto* cmd = app.add_subcommand("analyze", "Run the full model and PoWER-BERT on one input and compare them");
    cmd->add_option("--model", a.model, "Hugging Face model folder (default: the embedded default model)");
    cmd->add_option("--text", a.text, "The sentence to analyse")->required();
    cmd->add_option("--pair", a.pair, "An optional second sentence");
    cmd->add_option("--retention", a.retention, "Word vectors kept per layer, e.g. 12,10,8,...");
    cmd->add_option("--retention-file", a.retention_file, "A retention.json file");
    cmd->add_option("--keep-fraction", a.keep_fraction, "Keep ceil(n * f^j) vectors after layer j (a quick preset)");
    cmd->add_option("--strategy", a.strategy, "attn (Attn-WS), head (Head-WS) or rand (Rand-WS)");
    cmd->add_option("--seed", a.seed, "Seed of Rand-WS");
    cmd->add_flag("--json", a.json, "Print one JSON document (schema in README.md)");
    cmd->add_flag("--attention", a.attention, "Include per-head attention matrices in the JSON");
    cmd->add_flag("--bf16", a.bf16, "Encoder weights rounded to bfloat16 (faster on short inputs, slightly less accurate)");
    return cmd;
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

CLI::App* add_demo_command(CLI::App& app, DemoArgs& d) {
    auto* cmd = app.add_subcommand("make-demo-model", "Write an untrained seeded BERT or ALBERT with a real vocabulary (for trying the tool)");
    cmd->add_option("--out", d.out, "Folder to create")->required();
    cmd->add_option("--vocab", d.vocab,
                    "vocab.txt (BERT, e.g. resources/vocab/bert-base-uncased.txt) or spiece.model (ALBERT, e.g. "
                    "resources/vocab/albert-spiece-8k.model) to copy")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--arch", d.arch, "bert or albert")->check(CLI::IsMember({"bert", "albert"}));
    cmd->add_option("--shape", d.shape, "small (4x256) or base (12x768)")->check(CLI::IsMember({"base", "small"}));
    cmd->add_option("--seed", d.seed, "Weight seed");
    return cmd;
}

}  // namespace

int main(int argc, char** argv) {
    restart_with_short_openmp_spin(argv);
    CLI::App app{"powerbert: inspect and benchmark PoWER-BERT (progressive word-vector elimination) on BERT models"};
    app.require_subcommand(1);

    AnalyzeArgs a;
    auto* analyze_cmd = add_analyze_command(app, a);
    BenchArgs b;
    auto* bench_cmd = add_bench_command(app, b);
    TimeArgs t;
    auto* time_cmd = add_time_command(app, t);
    DemoArgs d;
    auto* demo_cmd = add_demo_command(app, d);
    std::string info_model;
    auto* info_cmd = app.add_subcommand("info", "Print the model's configuration and files");
    info_cmd->add_option("--model", info_model, "Hugging Face model folder (default: the embedded default model)");

    DatasetArgs eval_args, experiment_args;
    auto* eval_cmd = add_eval_command(app, eval_args);
    auto* experiment_cmd = add_experiment_command(app, experiment_args);

    pb::train::StepOptions train_args;
    pb::train::PretrainOptions pretrain_args;
    pb::train::TrainBenchmarkOptions bench_train_args;
    std::string bench_train_out;
    auto train_cmds = add_train_commands(app, train_args, pretrain_args, bench_train_args, bench_train_out);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (*analyze_cmd) use_default_model(a.model);
        if (*info_cmd) use_default_model(info_model);
        if (*eval_cmd) use_default_model(eval_args.model);
        if (*experiment_cmd) use_default_model(experiment_args.model);
        if (*analyze_cmd) return analyze(a);
        if (*bench_cmd) return bench(b);
        if (*time_cmd) return time_model(t);
        if (*info_cmd) return info(info_model);
        if (*demo_cmd) return make_demo_model(d);
        if (*eval_cmd) return eval_dataset(eval_args);
        if (*experiment_cmd) return run_experiment(experiment_args);
        if (*train_cmds.pretrain) return train_pretrain(pretrain_args);
        if (*train_cmds.finetune) return train_finetune(train_args);
        if (*train_cmds.search) return train_search(train_args);
        if (*train_cmds.retrain) return train_retrain(train_args);
        if (*train_cmds.bench) return bench_train(bench_train_args, bench_train_out);
    } catch (const pb::Error& e) {
        std::cerr << "powerbert: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "powerbert: unexpected error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
