#include "core/dataset_evaluation.h"

#include "core/error.h"
#include "core/information.h"
#include "core/model_folder.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>

namespace pb {
namespace {

// Twice the paper's batch of 128; a guard against a typo asking for gigabytes of workspace.
constexpr int kMaxBatch = 256;

std::vector<double> to_doubles(std::span<const float> values) { return {values.begin(), values.end()}; }

std::vector<double> layer_cosines(const Trace& t) {
    std::vector<double> out;
    out.reserve(t.layers.size() + 1);
    out.push_back(t.embedding_mean_cosine);
    for (const auto& layer : t.layers) out.push_back(layer.mean_cosine);
    return out;
}

// Column means of equally long rows.
std::vector<double> mean_over(const std::vector<std::vector<double>>& rows) {
    if (rows.empty()) return {};
    std::vector<double> mean(rows.front().size(), 0.0);
    for (const auto& row : rows)
        for (size_t j = 0; j < row.size(); ++j) mean[j] += row[j];
    for (double& m : mean) m /= static_cast<double>(rows.size());
    return mean;
}

nlohmann::json optional_json(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json metrics_json(const std::vector<MetricValue>& metrics) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& m : metrics) j[m.name] = m.value;
    return j;
}

nlohmann::json batched_json(const std::optional<BatchedTiming>& b) {
    if (!b) return nullptr;
    return {{"batch", b->batch},
            {"passes", b->passes},
            {"grouped_by", "length"},
            {"full_seconds", b->full_seconds},
            {"power_seconds", b->power_seconds},
            {"speedup", b->packed_speedup()},
            {"padded_full_seconds", b->padded_timed ? nlohmann::json(b->padded_full_seconds) : nlohmann::json()},
            {"padded_speedup", b->padded_timed ? nlohmann::json(b->padded_speedup()) : nlohmann::json()}};
}

}  // namespace

int reference_padded_length(GlueTask task) {
    switch (task) {
    case GlueTask::CoLA:
    case GlueTask::SST2:
    case GlueTask::STSB: return 64;
    case GlueTask::RTE: return 256;
    default: return 128;
    }
}

RetentionPlan plan_for_length(const RetentionPlan& plan, std::optional<double> keep_fraction, int length,
                              int num_layers) {
    RetentionPlan out = plan;
    if (keep_fraction) out.keep = geometric_retention(length, *keep_fraction, num_layers);
    return out;
}

Encoding encode_example(const ModelFolder& folder, const GlueExample& example) {
    return example.text_b ? folder.encode(example.text_a, std::string_view(*example.text_b))
                          : folder.encode(example.text_a);
}

PaddedInput padded_input(const Encoding& encoding, int length, int32_t pad_id) {
    PaddedInput p{encoding.ids, encoding.type_ids};
    p.ids.resize(size_t(length), pad_id);
    p.type_ids.resize(size_t(length), 0);
    return p;
}

void check_model_fits_dataset(const ModelConfig& config, const BertWeights& weights, const GlueDataset& dataset) {
    const std::string task(glue_task_name(dataset.task));
    if (!weights.pooler || !weights.classifier)
        throw Error("the model has no classification head (pooler and classifier weights), so it cannot be scored on " +
                    task + " data");
    if (config.regression != dataset.is_regression())
        throw Error(config.regression
                        ? "the model is a regression model (one output score) but " + task + " is a classification task"
                        : "the model is a classifier but " + task + " is a regression task (one score per example)");
    if (dataset.is_regression()) return;
    const int classes = dataset.num_labels();
    if (dataset.task == GlueTask::Generic ? config.num_labels < classes : config.num_labels != classes)
        throw Error("the model has " + std::to_string(config.num_labels) + " output classes but the " + task + " file " +
                    dataset.file.string() + " uses " + std::to_string(classes));
}

void parallel_over_examples(size_t count, const ModelConfig& config, int reserve_rows, const Progress& progress,
                            std::string_view message,
                            const std::function<void(size_t, Workspace&, const CheckCancelled&)>& work,
                            int threads) {
    report(progress, 0, count, message);
    if (count == 0) return;
    std::atomic<bool> stop{false};
    std::atomic<size_t> done{0};
    std::exception_ptr failure;
    auto fail = [&](std::exception_ptr e) {
#pragma omp critical(pb_parallel_over_examples)
        if (!failure) failure = e;
        stop.store(true);
    };
    const CheckCancelled check = [&] {
        if (omp_get_thread_num() == 0) report(progress, done.load(), count, message);
        else if (stop.load(std::memory_order_relaxed)) throw Cancelled();
    };
    const int team = std::max(1, threads > 0 ? threads : omp_get_max_threads());
    const long n = static_cast<long>(count);
    // Nothing may leave the parallel region by exception: failures are kept and rethrown after it.
#pragma omp parallel num_threads(team)
    {
        Workspace workspace;
        try {
            if (reserve_rows > 0) workspace.reserve(config, reserve_rows, size_t(reserve_rows) * reserve_rows);
        } catch (...) {
            fail(std::current_exception());
        }
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < n; ++i) {
            if (stop.load(std::memory_order_relaxed)) continue;
            try {
                work(static_cast<size_t>(i), workspace, check);
                const size_t finished = done.fetch_add(1) + 1;
                if (omp_get_thread_num() == 0) report(progress, finished, count, message);
            } catch (...) {
                fail(std::current_exception());
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    report(progress, count, count, message);
}

ExampleRun example_run(const Trace& t) {
    ExampleRun r;
    if (t.regression) r.prediction = t.logits.empty() ? 0.0 : double(t.logits.front());
    else r.prediction = t.predicted_label;
    r.probabilities = t.probabilities;
    r.multiply_adds = t.multiply_adds;
    r.seconds = t.seconds;
    return r;
}

VariantSummary summarize_variant(const GlueDataset& dataset, int num_classes, std::span<const ExampleRun> full,
                                 std::span<const ExampleRun> variant) {
    if (full.size() != variant.size() || full.size() > dataset.examples.size())
        throw Error("summarize_variant: " + std::to_string(full.size()) + " full runs, " +
                    std::to_string(variant.size()) + " variant runs, " + std::to_string(dataset.examples.size()) +
                    " examples");
    VariantSummary s;
    const size_t n = full.size();
    std::vector<double> predicted, gold;
    for (size_t i = 0; i < n; ++i) {
        s.multiply_adds += variant[i].multiply_adds;
        s.seconds += variant[i].seconds;
        if (dataset.examples[i].label) {
            predicted.push_back(variant[i].prediction);
            gold.push_back(*dataset.examples[i].label);
        }
    }
    const size_t needed = dataset.is_regression() ? 2 : 1;
    if (gold.size() >= needed) s.metrics = glue_metrics(dataset.task, predicted, gold);
    if (n == 0) return s;
    if (dataset.is_regression()) {
        double sum = 0;
        for (size_t i = 0; i < n; ++i) sum += std::abs(full[i].prediction - variant[i].prediction);
        s.mean_absolute_difference = sum / static_cast<double>(n);
        return s;
    }
    std::vector<int> x(n), y(n);
    double agree = 0, kl = 0;
    for (size_t i = 0; i < n; ++i) {
        x[i] = static_cast<int>(full[i].prediction);
        y[i] = static_cast<int>(variant[i].prediction);
        agree += x[i] == y[i];
        kl += kl_divergence(to_doubles(full[i].probabilities), to_doubles(variant[i].probabilities));
    }
    s.agreement = agree / static_cast<double>(n);
    s.mean_kl = kl / static_cast<double>(n);
    s.mutual_information_bits = mutual_information_bits(x, y, num_classes);
    s.normalized_mutual_information = normalized_mutual_information(x, y, num_classes);
    return s;
}

std::optional<double> main_metric(GlueTask task, const std::vector<MetricValue>& metrics) {
    for (const auto& m : metrics)
        if (m.name == main_metric_name(task)) return m.value;
    return std::nullopt;
}

nlohmann::json to_json(const VariantSummary& s) {
    return {{"metrics", metrics_json(s.metrics)},
            {"agreement", optional_json(s.agreement)},
            {"mutual_information_bits", optional_json(s.mutual_information_bits)},
            {"normalized_mutual_information", optional_json(s.normalized_mutual_information)},
            {"mean_kl_nats", optional_json(s.mean_kl)},
            {"mean_absolute_difference", optional_json(s.mean_absolute_difference)},
            {"multiply_adds", s.multiply_adds},
            {"seconds", s.seconds}};
}

DatasetEvaluation evaluate_dataset(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   const EvaluationOptions& options, const Progress& progress) {
    const BertModel& model = folder.model;
    const ModelConfig& config = model.config;
    const int layers = config.num_layers;
    check_model_fits_dataset(config, model.weights, dataset);
    if (!plan.keep.empty()) validate_retention(plan.keep, layers);
    if (options.keep_fraction) geometric_retention(1, *options.keep_fraction, layers);  // validates the fraction
    const size_t count =
        options.max_examples > 0 ? std::min(options.max_examples, dataset.examples.size()) : dataset.examples.size();
    if (count == 0) throw Error(dataset.file.string() + ": no examples to evaluate");
    if (options.padded_length < 0 || options.padded_length > config.max_position)
        throw Error("padded length " + std::to_string(options.padded_length) + " must lie in [1, " +
                    std::to_string(config.max_position) + "] (the model's max_position_embeddings)");
    const int padded = options.padded_length > 0 ? options.padded_length
                                                 : std::min(reference_padded_length(dataset.task), config.max_position);
    const int32_t pad_id = folder.tokenizer->pad_id().value_or(0);
    if (options.batch < 1 || options.batch > kMaxBatch)
        throw Error("batch size " + std::to_string(options.batch) + " must lie in [1, " + std::to_string(kMaxBatch) + "]");

    DatasetEvaluation r;
    r.model_path = folder.path.string();
    r.data_file = dataset.file.string();
    r.task = dataset.task;
    r.regression = dataset.is_regression();
    r.num_labels = config.num_labels;
    r.label_names = dataset.label_names;
    r.plan = plan;
    r.keep_fraction = options.keep_fraction;
    r.num_layers = layers;
    r.threads = std::max(1, options.threads > 0 ? options.threads : omp_get_max_threads());
    r.examples = count;
    r.padded_length = padded;
    r.padded_timed = options.time_padded;

    std::vector<ExampleRun> full(count), power(count);
    std::vector<std::vector<double>> full_cosine(count), power_cosine(count);
    std::vector<double> padded_seconds(count, 0.0);
    std::vector<int64_t> padded_multiply_adds(count, 0);
    std::vector<char> truncated(count, 0);
    std::vector<Encoding> encodings(options.batch > 1 ? count : 0);  // kept for the batched timing only
    r.lengths.assign(count, 0);

    const auto start = std::chrono::steady_clock::now();
    parallel_over_examples(
        count, config, padded, progress, "evaluating",
        [&](size_t i, Workspace& ws, const CheckCancelled&) {
            const Encoding e = encode_example(folder, dataset.examples[i]);
            const int n = static_cast<int>(e.ids.size());
            const RetentionPlan p = plan_for_length(plan, options.keep_fraction, n, layers);
            Trace f, q;
            // Alternate which model runs first, so neither always finds the caches warmed by the other.
            if (i % 2 == 0) {
                f = run_model(model, e.ids, e.type_ids, {}, {}, ws);
                q = run_model(model, e.ids, e.type_ids, p, {}, ws);
            } else {
                q = run_model(model, e.ids, e.type_ids, p, {}, ws);
                f = run_model(model, e.ids, e.type_ids, {}, {}, ws);
            }
            if (options.time_padded) {
                if (n < padded) {
                    const PaddedInput in = padded_input(e, padded, pad_id);  // timed only, outputs unused
                    const Trace t = run_model(model, in.ids, in.type_ids, {}, {}, ws);
                    padded_seconds[i] = t.seconds;
                    padded_multiply_adds[i] = t.multiply_adds;
                } else {
                    padded_seconds[i] = f.seconds;  // nothing to pad: the baseline runs it as it is
                    padded_multiply_adds[i] = f.multiply_adds;
                }
            }
            r.lengths[i] = n;
            truncated[i] = e.truncated;
            if (!encodings.empty()) encodings[i] = e;
            full_cosine[i] = layer_cosines(f);
            power_cosine[i] = layer_cosines(q);
            full[i] = example_run(f);
            power[i] = example_run(q);
        },
        options.threads);
    if (options.batch > 1)
        r.batched = time_in_batches(model,
                                    {encodings, plan, options.keep_fraction, options.batch,
                                     options.time_padded ? padded : 0, pad_id, options.threads},
                                    progress);
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    r.full = summarize_variant(dataset, config.num_labels, full, full);
    r.full.agreement.reset();
    r.full.mutual_information_bits.reset();
    r.full.normalized_mutual_information.reset();
    r.full.mean_kl.reset();
    r.full.mean_absolute_difference.reset();
    r.power = summarize_variant(dataset, config.num_labels, full, power);

    r.gold.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        r.gold.push_back(dataset.examples[i].label);
        r.full_predictions.push_back(full[i].prediction);
        r.power_predictions.push_back(power[i].prediction);
        r.truncated += truncated[i] != 0;
        r.padded_full_seconds += padded_seconds[i];
        r.padded_full_multiply_adds += padded_multiply_adds[i];
        r.longer_than_padded += r.lengths[i] > padded;
    }
    if (!r.regression) {
        std::vector<double> histogram(config.num_labels, 0.0);
        for (size_t i = 0; i < count; ++i) {
            r.kl.push_back(kl_divergence(to_doubles(full[i].probabilities), to_doubles(power[i].probabilities)));
            histogram[static_cast<size_t>(full[i].prediction)] += 1.0 / static_cast<double>(count);
            if (full[i].prediction != power[i].prediction) {
                const GlueExample& ex = dataset.examples[i];
                r.disagreements.push_back({i, ex.line, ex.text_a, ex.text_b, full[i].prediction, power[i].prediction,
                                           full[i].probabilities, power[i].probabilities});
            }
        }
        // The histogram's rounding stays far within entropy_bits' tolerance.
        r.full_label_entropy_bits = entropy_bits(histogram);
    }
    r.full_layer_cosine = mean_over(full_cosine);
    r.power_layer_cosine = mean_over(power_cosine);
    return r;
}

namespace {

nlohmann::json plan_json(const DatasetEvaluation& r) {
    nlohmann::json plan = {{"retention", r.plan.keep},
                           {"strategy", strategy_name(r.plan.strategy)},
                           {"seed", r.plan.seed},
                           {"keep_fraction", r.keep_fraction ? nlohmann::json(*r.keep_fraction) : nlohmann::json()}};
    if (r.plan.single) plan["single"] = {{"layer", r.plan.single->layer}, {"rank", r.plan.single->rank}};
    return plan;
}

nlohmann::json disagreements_json(const std::vector<Disagreement>& disagreements) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : disagreements) {
        nlohmann::json j = {{"index", d.index},
                            {"line", d.line},
                            {"text", d.text_a},
                            {"full_prediction", d.full_prediction},
                            {"power_prediction", d.power_prediction},
                            {"full_probabilities", d.full_probabilities},
                            {"power_probabilities", d.power_probabilities}};
        if (d.text_b) j["pair"] = *d.text_b;
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

nlohmann::json to_json(const DatasetEvaluation& r) {
    size_t labelled = 0;
    nlohmann::json gold = nlohmann::json::array();
    for (const auto& g : r.gold) {
        labelled += g.has_value();
        gold.push_back(g ? nlohmann::json(*g) : nlohmann::json());
    }
    double mean_length = 0;
    for (int n : r.lengths) mean_length += n;
    if (!r.lengths.empty()) mean_length /= static_cast<double>(r.lengths.size());

    const auto main = std::string(main_metric_name(r.task));
    nlohmann::json j = {
        {"schema", "powerbert-dataset-evaluation/1"},
        {"model", r.model_path},
        {"data", r.data_file},
        {"task", glue_task_name(r.task)},
        {"regression", r.regression},
        {"num_labels", r.num_labels},
        {"label_names", r.label_names},
        {"layers", r.num_layers},
        {"plan", plan_json(r)},
        {"examples", r.examples},
        {"labelled_examples", labelled},
        {"truncated_examples", r.truncated},
        {"mean_length", mean_length},
        {"threads", r.threads},
        {"wall_seconds", r.wall_seconds},
        {"examples_per_second", r.wall_seconds > 0 ? r.examples / r.wall_seconds : 0.0},
        {"main_metric",
         {{"name", main},
          {"full", optional_json(main_metric(r.task, r.full.metrics))},
          {"power", optional_json(main_metric(r.task, r.power.metrics))}}},
        {"full", to_json(r.full)},
        {"power", to_json(r.power)},
        {"full_label_entropy_bits", optional_json(r.full_label_entropy_bits)},
        {"multiply_add_ratio", r.multiply_add_ratio()},
        {"packed",
         {{"full_seconds", r.full.seconds}, {"power_seconds", r.power.seconds}, {"speedup", r.packed_speedup()}}},
        {"padded",
         {{"length", r.padded_length},
          {"timed", r.padded_timed},
          {"examples_longer_than_length", r.longer_than_padded},
          {"full_seconds", r.padded_timed ? nlohmann::json(r.padded_full_seconds) : nlohmann::json()},
          {"full_multiply_adds", r.padded_timed ? nlohmann::json(r.padded_full_multiply_adds) : nlohmann::json()},
          {"power_seconds_on_packed_inputs", r.power.seconds},
          {"speedup", r.padded_timed ? nlohmann::json(r.padded_speedup()) : nlohmann::json()}}},
        {"batched", batched_json(r.batched)},
        {"layer_mean_cosine", {{"full", r.full_layer_cosine}, {"power", r.power_layer_cosine}}},
        {"per_example",
         {{"length", r.lengths},
          {"gold", gold},
          {"full", r.full_predictions},
          {"power", r.power_predictions},
          {"kl_nats", r.kl}}},
        {"disagreements", disagreements_json(r.disagreements)}};
    return j;
}

}  // namespace pb
