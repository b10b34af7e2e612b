#include "core/dataset_experiments.h"

#include "core/error.h"
#include "core/information.h"
#include "core/model_folder.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace pb {
namespace {

size_t example_count(const GlueDataset& dataset, const EvaluationOptions& options, std::string_view experiment) {
    const size_t count =
        options.max_examples > 0 ? std::min(options.max_examples, dataset.examples.size()) : dataset.examples.size();
    if (count == 0) throw Error(std::string(experiment) + ": " + dataset.file.string() + ": no examples");
    return count;
}

void check_plan(const RetentionPlan& plan, const EvaluationOptions& options, int layers) {
    if (!plan.keep.empty()) validate_retention(plan.keep, layers);
    if (options.keep_fraction) geometric_retention(1, *options.keep_fraction, layers);  // validates the fraction
}

int reserve_rows(const ModelConfig& config, GlueTask task) {
    return std::min(reference_padded_length(task), config.max_position);
}

// Runs every plan on one input, starting at a different plan for each example so that none of
// them always runs first (on cold caches) or always right after the same one.
std::vector<Trace> run_plans(const BertModel& model, const Encoding& e, const std::vector<RetentionPlan>& plans,
                             size_t example, Workspace& ws, const CheckCancelled& check) {
    std::vector<Trace> traces(plans.size());
    for (size_t r = 0; r < plans.size(); ++r) {
        if (r > 0) check();
        const size_t p = (example + r) % plans.size();
        traces[p] = run_model(model, e.ids, e.type_ids, plans[p], {}, ws);
    }
    return traces;
}

std::string format_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

nlohmann::json optional_json(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json plan_json(const RetentionPlan& plan, const std::optional<double>& keep_fraction) {
    return {{"retention", plan.keep},
            {"strategy", strategy_name(plan.strategy)},
            {"seed", plan.seed},
            {"keep_fraction", optional_json(keep_fraction)}};
}

// Mean, min and max of the values present.
nlohmann::json spread(const std::vector<std::optional<double>>& values) {
    double sum = 0, lo = 0, hi = 0;
    size_t n = 0;
    for (const auto& v : values) {
        if (!v) continue;
        lo = n == 0 ? *v : std::min(lo, *v);
        hi = n == 0 ? *v : std::max(hi, *v);
        sum += *v;
        ++n;
    }
    if (n == 0) return {{"mean", nullptr}, {"min", nullptr}, {"max", nullptr}};
    return {{"mean", sum / static_cast<double>(n)}, {"min", lo}, {"max", hi}};
}

// Where a result came from: the model, the data file and its task, and how many examples ran.
template <class Result>
Result result_from(const ModelFolder& folder, const GlueDataset& dataset, size_t examples) {
    Result r;
    r.model_path = folder.path.string();
    r.data_file = dataset.file.string();
    r.task = dataset.task;
    r.examples = examples;
    return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
DiffusionResult diffusion_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                     const EvaluationOptions& options, const Progress& progress) {
    const BertModel& model = folder.model;
    const int layers = model.config.num_layers;
    check_plan(plan, options, layers);
    const size_t count = example_count(dataset, options, "diffusion");

    std::vector<std::vector<double>> full(count), power(count), vectors(count);
    parallel_over_examples(
        count, model.config, reserve_rows(model.config, dataset.task), progress, "diffusion",
        [&](size_t i, Workspace& ws, const CheckCancelled& check) {
            const Encoding e = encode_example(folder, dataset.examples[i]);
            const int n = static_cast<int>(e.ids.size());
            const auto traces =
                run_plans(model, e, {RetentionPlan{}, plan_for_length(plan, options.keep_fraction, n, layers)}, i, ws,
                          check);
            for (int side = 0; side < 2; ++side) {
                const Trace& t = traces[side];
                auto& out = side == 0 ? full[i] : power[i];
                out.push_back(t.embedding_mean_cosine);
                for (const auto& l : t.layers) out.push_back(l.mean_cosine);
            }
            vectors[i].push_back(n);
            for (const auto& l : traces[1].layers) vectors[i].push_back(static_cast<double>(l.alive_out.size()));
        },
        options.threads);

    auto r = result_from<DiffusionResult>(folder, dataset, count);
    r.plan = plan;
    r.keep_fraction = options.keep_fraction;
    const size_t points = static_cast<size_t>(layers) + 1;
    auto mean_std = [&](const std::vector<std::vector<double>>& rows, std::vector<double>& mean, std::vector<double>* sd) {
        mean.assign(points, 0.0);
        for (const auto& row : rows)
            for (size_t j = 0; j < points; ++j) mean[j] += row[j];
        for (double& m : mean) m /= static_cast<double>(count);
        if (!sd) return;
        sd->assign(points, 0.0);
        for (const auto& row : rows)
            for (size_t j = 0; j < points; ++j) (*sd)[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
        for (double& s : *sd) s = std::sqrt(s / static_cast<double>(count));
    };
    mean_std(full, r.full_mean, &r.full_std);
    mean_std(power, r.power_mean, &r.power_std);
    mean_std(vectors, r.power_mean_vectors, nullptr);
    return r;
}

nlohmann::json to_json(const DiffusionResult& r) {
    return {{"schema", "powerbert-diffusion/1"},
            {"model", r.model_path},
            {"data", r.data_file},
            {"task", glue_task_name(r.task)},
            {"plan", plan_json(r.plan, r.keep_fraction)},
            {"examples", r.examples},
            {"layer_index", "0 = embeddings, j = output of encoder j"},
            {"full", {{"mean", r.full_mean}, {"std", r.full_std}}},
            {"power", {{"mean", r.power_mean}, {"std", r.power_std}, {"mean_vectors", r.power_mean_vectors}}}};
}

// ---------------------------------------------------------------------------------------------
MiRankResult mi_rank_experiment(const ModelFolder& folder, const GlueDataset& dataset, int max_rank,
                                const EvaluationOptions& options, const Progress& progress) {
    const BertModel& model = folder.model;
    const ModelConfig& config = model.config;
    check_model_fits_dataset(config, model.weights, dataset);
    if (config.regression)
        throw Error("mi-rank: needs a classification model (mutual information of predicted labels); the model is a "
                    "regression model");
    if (max_rank < 1) throw Error("mi-rank: the number of ranks must be at least 1, not " + std::to_string(max_rank));
    const size_t count = example_count(dataset, options, "mi-rank");
    const int L = config.num_layers, K = max_rank;
    const size_t cells = size_t(L) * K;

    std::vector<int> original(count);
    std::vector<std::vector<int>> modified(count);
    std::vector<std::vector<char>> short_input(count);
    parallel_over_examples(
        count, config, reserve_rows(config, dataset.task), progress, "mi-rank",
        [&](size_t i, Workspace& ws, const CheckCancelled& check) {
            const Encoding e = encode_example(folder, dataset.examples[i]);
            const int n = static_cast<int>(e.ids.size());
            const int x = run_model(model, e.ids, e.type_ids, {}, {}, ws).predicted_label;
            original[i] = x;
            modified[i].assign(cells, x);
            short_input[i].assign(cells, 0);
            for (int j = 0; j < L; ++j)
                for (int k = 1; k <= K; ++k) {
                    const size_t cell = size_t(j) * K + (k - 1);
                    // Nothing before encoder j is removed, so n vectors enter it, n - 1 besides [CLS].
                    if (n - 1 < k) {
                        short_input[i][cell] = 1;  // drop_single_rank removes nothing: the full model's output
                        continue;
                    }
                    check();
                    RetentionPlan plan;
                    plan.single = SingleElimination{j, k};
                    modified[i][cell] = run_model(model, e.ids, e.type_ids, plan, {}, ws).predicted_label;
                }
        },
        options.threads);

    auto r = result_from<MiRankResult>(folder, dataset, count);
    r.layers = L;
    r.ranks = K;
    std::vector<double> histogram(config.num_labels, 0.0);
    for (int x : original) histogram[x] += 1.0 / static_cast<double>(count);
    r.label_entropy_bits = entropy_bits(histogram);
    r.mutual_information_bits.assign(L, std::vector<double>(K));
    r.normalized_mutual_information.assign(L, std::vector<double>(K));
    r.agreement.assign(L, std::vector<double>(K));
    r.kept_everything.assign(L, std::vector<size_t>(K));
    std::vector<int> y(count);
    for (int j = 0; j < L; ++j)
        for (int k = 0; k < K; ++k) {
            const size_t cell = size_t(j) * K + k;
            double agree = 0;
            size_t kept = 0;
            for (size_t i = 0; i < count; ++i) {
                y[i] = modified[i][cell];
                agree += y[i] == original[i];
                kept += short_input[i][cell] != 0;
            }
            r.mutual_information_bits[j][k] = mutual_information_bits(original, y, config.num_labels);
            r.normalized_mutual_information[j][k] = normalized_mutual_information(original, y, config.num_labels);
            r.agreement[j][k] = agree / static_cast<double>(count);
            r.kept_everything[j][k] = kept;
        }
    return r;
}

nlohmann::json to_json(const MiRankResult& r) {
    return {{"schema", "powerbert-mi-rank/1"},
            {"model", r.model_path},
            {"data", r.data_file},
            {"task", glue_task_name(r.task)},
            {"examples", r.examples},
            {"layers", r.layers},
            {"ranks", r.ranks},
            {"index", "[layer 0..L-1][rank 1..K, at index rank-1]; rank 1 = most significant besides [CLS]"},
            {"label_entropy_bits", r.label_entropy_bits},
            {"mutual_information_bits", r.mutual_information_bits},
            {"normalized_mutual_information", r.normalized_mutual_information},
            {"agreement", r.agreement},
            {"kept_everything", r.kept_everything}};
}

// ---------------------------------------------------------------------------------------------
AblationResult ablation_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   int seeds, const EvaluationOptions& options, const Progress& progress) {
    const BertModel& model = folder.model;
    const ModelConfig& config = model.config;
    const int layers = config.num_layers;
    check_model_fits_dataset(config, model.weights, dataset);
    check_plan(plan, options, layers);
    if (plan.keep.empty() && !options.keep_fraction)
        throw Error("ablation: needs a retention configuration (--retention, --retention-file, --keep-fraction or the "
                    "model's retention.json); without one every strategy keeps everything");
    if (seeds < 1) throw Error("ablation: the number of Rand-WS seeds must be at least 1, not " + std::to_string(seeds));
    const size_t count = example_count(dataset, options, "ablation");
    const size_t variants = 3 + static_cast<size_t>(seeds);  // full, attn, head, rand 1..S

    std::vector<std::vector<ExampleRun>> runs(variants, std::vector<ExampleRun>(count));
    parallel_over_examples(
        count, config, reserve_rows(config, dataset.task), progress, "ablation",
        [&](size_t i, Workspace& ws, const CheckCancelled& check) {
            const Encoding e = encode_example(folder, dataset.examples[i]);
            RetentionPlan base = plan_for_length(plan, options.keep_fraction, static_cast<int>(e.ids.size()), layers);
            base.single.reset();
            std::vector<RetentionPlan> plans(variants, base);
            plans[0] = RetentionPlan{};
            plans[1].strategy = Strategy::Attention;
            plans[2].strategy = Strategy::Head;
            for (int s = 0; s < seeds; ++s) {
                plans[3 + s].strategy = Strategy::Random;
                plans[3 + s].seed = static_cast<uint64_t>(s + 1);
            }
            const auto traces = run_plans(model, e, plans, i, ws, check);
            for (size_t v = 0; v < variants; ++v) runs[v][i] = example_run(traces[v]);
        },
        options.threads);

    auto r = result_from<AblationResult>(folder, dataset, count);
    r.plan = plan;
    r.keep_fraction = options.keep_fraction;
    r.full = summarize_variant(dataset, config.num_labels, runs[0], runs[0]);
    r.attention = summarize_variant(dataset, config.num_labels, runs[0], runs[1]);
    r.head = summarize_variant(dataset, config.num_labels, runs[0], runs[2]);
    for (int s = 0; s < seeds; ++s) {
        r.random_seeds.push_back(static_cast<uint64_t>(s + 1));
        r.random.push_back(summarize_variant(dataset, config.num_labels, runs[0], runs[3 + s]));
    }
    return r;
}

nlohmann::json to_json(const AblationResult& r) {
    std::vector<std::optional<double>> metric, agreement, mi, kl, madds, seconds;
    nlohmann::json per_seed = nlohmann::json::array();
    for (size_t s = 0; s < r.random.size(); ++s) {
        const auto& v = r.random[s];
        metric.push_back(main_metric(r.task, v.metrics));
        agreement.push_back(v.agreement);
        mi.push_back(v.mutual_information_bits);
        kl.push_back(v.mean_kl);
        madds.push_back(static_cast<double>(v.multiply_adds));
        seconds.push_back(v.seconds);
        auto j = to_json(v);
        j["seed"] = r.random_seeds[s];
        per_seed.push_back(std::move(j));
    }
    nlohmann::json random = {{"seeds", per_seed},
                             {"summary",
                              {{"main_metric", spread(metric)},
                               {"agreement", spread(agreement)},
                               {"mutual_information_bits", spread(mi)},
                               {"mean_kl_nats", spread(kl)},
                               {"multiply_adds", spread(madds)},
                               {"seconds", spread(seconds)}}}};
    return {{"schema", "powerbert-ablation/1"},
            {"model", r.model_path},
            {"data", r.data_file},
            {"task", glue_task_name(r.task)},
            {"main_metric", main_metric_name(r.task)},
            {"retention", r.plan.keep},
            {"keep_fraction", optional_json(r.keep_fraction)},
            {"examples", r.examples},
            {"full", to_json(r.full)},
            {"attn_ws", to_json(r.attention)},
            {"head_ws", to_json(r.head)},
            {"rand_ws", random}};
}

// ---------------------------------------------------------------------------------------------
void mark_pareto_front(std::vector<TradeoffPoint>& points) {
    for (auto& p : points) {
        p.pareto = true;
        for (const auto& q : points) {
            if (&p == &q) continue;
            const bool no_worse = q.timed_seconds() <= p.timed_seconds() && q.metric >= p.metric;
            const bool better = q.timed_seconds() < p.timed_seconds() || q.metric > p.metric;
            if (no_worse && better) {
                p.pareto = false;
                break;
            }
        }
    }
}

// Every configuration of the trade-off on examples grouped by length, `options.batch` per pass.
// time_in_batches times the full model next to each configuration; the full model's point gets the
// mean of those timings.
void time_tradeoff_in_batches(const BertModel& model, std::span<const Encoding> encodings, const RetentionPlan& plan,
                              const EvaluationOptions& options, std::vector<TradeoffPoint>& points,
                              const Progress& progress) {
    double full_seconds = 0;
    for (size_t v = 1; v < points.size(); ++v) {
        BatchedTimingRequest request{encodings, plan, points[v].fraction, options.batch, 0, 0, options.threads};
        request.plan.keep = points[v].keep;
        const Progress stage = [&](size_t done, size_t total, std::string_view message) {
            return !progress || progress(done, total, std::string(message) + " (" + points[v].name + ")");
        };
        const BatchedTiming t = time_in_batches(model, request, stage);
        points[v].batched_seconds = t.power_seconds;
        full_seconds += t.full_seconds;
    }
    if (points.size() > 1) points[0].batched_seconds = full_seconds / double(points.size() - 1);
}

TradeoffResult tradeoff_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   const TradeoffOptions& tradeoff, const EvaluationOptions& options,
                                   const Progress& progress) {
    const BertModel& model = folder.model;
    const ModelConfig& config = model.config;
    const int layers = config.num_layers;
    check_model_fits_dataset(config, model.weights, dataset);
    check_plan(plan, options, layers);
    const size_t count = example_count(dataset, options, "tradeoff");

    // The family of configurations: points[0] is the full model.
    const bool scaled = !plan.keep.empty() && !options.keep_fraction;
    std::vector<TradeoffPoint> points(1);
    points[0].name = "full";
    if (scaled) {
        if (tradeoff.factors.empty()) throw Error("tradeoff: no scale factors given");
        for (double f : tradeoff.factors) {
            if (!(f > 0.0 && f <= 1.0)) throw Error("tradeoff: scale factor " + format_number(f) + " must lie in (0, 1]");
            TradeoffPoint p;
            p.name = "factor " + format_number(f);
            p.factor = f;
            for (int k : plan.keep) p.keep.push_back(std::max(1, static_cast<int>(std::lround(k * f))));
            validate_retention(p.keep, layers, "tradeoff: " + p.name);
            points.push_back(std::move(p));
        }
    } else {
        if (tradeoff.fractions.empty()) throw Error("tradeoff: no fractions given");
        for (double f : tradeoff.fractions) {
            geometric_retention(1, f, layers);  // validates
            TradeoffPoint p;
            p.name = "fraction " + format_number(f);
            p.fraction = f;
            points.push_back(std::move(p));
        }
    }
    const size_t variants = points.size();

    std::vector<std::vector<ExampleRun>> runs(variants, std::vector<ExampleRun>(count));
    std::vector<Encoding> encodings(count);
    parallel_over_examples(
        count, config, reserve_rows(config, dataset.task), progress, "tradeoff",
        [&](size_t i, Workspace& ws, const CheckCancelled& check) {
            const Encoding& e = encodings[i] = encode_example(folder, dataset.examples[i]);
            const int n = static_cast<int>(e.ids.size());
            std::vector<RetentionPlan> plans(variants);
            for (size_t v = 1; v < variants; ++v) {
                plans[v].strategy = plan.strategy;
                plans[v].seed = plan.seed;
                plans[v].keep = points[v].fraction ? geometric_retention(n, *points[v].fraction, layers) : points[v].keep;
            }
            const auto traces = run_plans(model, e, plans, i, ws, check);
            for (size_t v = 0; v < variants; ++v) runs[v][i] = example_run(traces[v]);
        },
        options.threads);

    auto r = result_from<TradeoffResult>(folder, dataset, count);
    r.strategy = plan.strategy;
    std::vector<VariantSummary> summaries;
    for (size_t v = 0; v < variants; ++v) summaries.push_back(summarize_variant(dataset, config.num_labels, runs[0], runs[v]));
    const bool labelled = main_metric(dataset.task, summaries[0].metrics).has_value();
    const bool by_agreement = !labelled && !dataset.is_regression();
    if (!labelled && !by_agreement)
        throw Error("tradeoff: " + dataset.file.string() +
                    " has too few gold scores for a metric, and a regression model has no labels to agree on");
    r.metric_name = labelled ? std::string(main_metric_name(dataset.task)) : "agreement_with_full";
    for (size_t v = 0; v < variants; ++v) {
        auto& p = points[v];
        const auto& s = summaries[v];
        p.agreement = v == 0 && s.agreement ? std::optional<double>(1.0) : s.agreement;
        p.metric = labelled ? *main_metric(dataset.task, s.metrics) : p.agreement.value_or(0.0);
        p.seconds = s.seconds;
        p.multiply_adds = s.multiply_adds;
    }
    if (options.batch > 1) time_tradeoff_in_batches(model, encodings, plan, options, points, progress);
    r.batch = std::max(1, options.batch);
    mark_pareto_front(points);
    r.points = std::move(points);
    return r;
}

nlohmann::json to_json(const TradeoffResult& r) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : r.points) {
        nlohmann::json j = {{"name", p.name},
                            {"metric", p.metric},
                            {"agreement", optional_json(p.agreement)},
                            {"seconds", p.seconds},
                            {"batched_seconds", optional_json(p.batched_seconds)},
                            {"multiply_adds", p.multiply_adds},
                            {"pareto", p.pareto}};
        if (p.fraction) j["keep_fraction"] = *p.fraction;
        if (p.factor) {
            j["factor"] = *p.factor;
            j["retention"] = p.keep;
        }
        points.push_back(std::move(j));
    }
    return {{"schema", "powerbert-tradeoff/1"},
            {"model", r.model_path},
            {"data", r.data_file},
            {"task", glue_task_name(r.task)},
            {"strategy", strategy_name(r.strategy)},
            {"examples", r.examples},
            {"metric", r.metric_name},
            {"batch", r.batch},
            {"pareto", r.batch > 1 ? "lower batched_seconds and higher metric" : "lower seconds and higher metric"},
            {"points", points}};
}

}  // namespace pb
