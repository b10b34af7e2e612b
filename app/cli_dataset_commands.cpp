// powerbert eval | experiment: the full model against PoWER-BERT over a GLUE file (metrics, agreement,
// MI, KL, speedups), and the paper's dataset analyses (diffusion, mi-rank, ablation, tradeoff).
// Progress goes to stderr, the summary to stdout, the JSON to --out and/or stdout (--json).
#include "app/cli_commands.h"
#include "app/cli_model_choice.h"
#include "core/atomic_file.h"
#include "core/dataset_evaluation.h"
#include "core/dataset_experiments.h"
#include "core/error.h"
#include "core/model_folder.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace pb::cli {
namespace {

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

}  // namespace

void add_dataset_commands(CLI::App& app, Commands& out) {
    auto e = std::make_shared<DatasetArgs>();
    out.push_back(with_default_model(add_eval_command(app, *e), e, eval_dataset));
    auto x = std::make_shared<DatasetArgs>();
    out.push_back(with_default_model(add_experiment_command(app, *x), x, run_experiment));
}

}  // namespace pb::cli
