#pragma once
// The full model and PoWER-BERT over a whole GLUE file: task metrics of both, how often and how far
// PoWER-BERT's outputs moved (agreement, mutual information, KL), the work saved (multiply-adds)
// and the time saved, against two honest baselines (packed inputs, and inputs padded to the task's
// reference length as the paper timed them).
//
// Examples run in parallel (OpenMP, one Workspace per thread) and every per-example result is
// written by index, so everything except the measured times is identical from run to run and
// whatever the number of threads.
#include "core/batched_timing.h"
#include "core/bert_model.h"
#include "core/elimination.h"
#include "core/glue_dataset.h"
#include "core/glue_metrics.h"
#include "core/progress.h"
#include "core/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pb {

struct ModelFolder;

struct EvaluationOptions {
    // When set, every example gets geometric_retention(its own length, fraction, layers) instead of
    // the plan's fixed keep values (the plan's strategy and seed still apply).
    std::optional<double> keep_fraction;
    size_t max_examples = 0;  // 0 = all
    // The padded baseline's length; 0 = reference_padded_length(task). Examples longer than it run
    // at their own length (they are counted).
    int padded_length = 0;
    bool time_padded = true;  // also time the full model on padded inputs (costs one more run per example)
    int threads = 0;          // 0 = OpenMP's default
    // Above 1: also time both models (and the padded baseline) on sequences grouped by length,
    // `batch` per pass (time_in_batches), after the one-at-a-time pass.
    int batch = 1;
};

// The reference implementation's SEQ_LEN (POWER-BERT.md section 5): 64 for CoLA, SST-2, STS-B;
// 256 for RTE; 128 otherwise.
int reference_padded_length(GlueTask task);

// The plan one input of `length` tokens runs with. A fixed configuration (e.g. the paper's, made
// for N = 64/128/256) needs no change: run_model keeps min(current length, keep[j]) at layer j.
RetentionPlan plan_for_length(const RetentionPlan& plan, std::optional<double> keep_fraction, int length,
                              int num_layers);

Encoding encode_example(const ModelFolder& folder, const GlueExample& example);

// An input padded with pad_id (token type 0) to `length` tokens, for timing the padded baseline
// only: run_model has no attention mask, so its outputs on it are not BERT's on a padded batch.
struct PaddedInput {
    std::vector<int32_t> ids, type_ids;
};
PaddedInput padded_input(const Encoding& encoding, int length, int32_t pad_id);

// Throws pb::Error unless the model can be scored on the dataset: it has a classifier head, is a
// regression model exactly when the task is, and has as many classes as the task (a Generic file:
// at least as many as its labels use).
void check_model_fits_dataset(const ModelConfig& config, const BertWeights& weights, const GlueDataset& dataset);

// Given to each example's work: an example may be many model runs (MI vs rank: 1 + L*K), far longer
// than the 200 ms a user waits after Cancel, so work calls it between runs. On the calling thread it
// asks progress; on the others it throws pb::Cancelled once the run is stopping.
using CheckCancelled = std::function<void()>;

// Runs work(i, workspace, check) for every i in [0, count) on OpenMP threads, one Workspace per
// thread (reserved for `reserve_rows` rows first, so first-touch costs do not land in a
// measurement). progress(done, count, message) is called from the calling (master) thread only,
// after each of its own examples and at each check, so cancellation is checked every few examples.
// When progress asks to stop (pb::Cancelled) or work throws, the remaining iterations are skipped
// and the exception is rethrown after the parallel region.
void parallel_over_examples(size_t count, const ModelConfig& config, int reserve_rows, const Progress& progress,
                            std::string_view message,
                            const std::function<void(size_t, Workspace&, const CheckCancelled&)>& work,
                            int threads = 0);

// The part of a Trace the dataset analyses keep.
struct ExampleRun {
    double prediction = 0;             // class index, or the score of a regression model
    std::vector<float> probabilities;  // empty for regression
    int64_t multiply_adds = 0;
    double seconds = 0;
};
ExampleRun example_run(const Trace& trace);

// One model variant over the dataset, compared with the full model on the same examples.
struct VariantSummary {
    std::vector<MetricValue> metrics;  // GLUE's, main first; empty when fewer examples have gold labels than the metric needs
    // Classification only:
    std::optional<double> agreement;                      // fraction of examples with the full model's label
    std::optional<double> mutual_information_bits;        // MI(full label; variant label)
    std::optional<double> normalized_mutual_information;  // MI / sqrt(H(X) H(Y))
    std::optional<double> mean_kl;                        // mean KL(full || variant), nats
    // Regression only:
    std::optional<double> mean_absolute_difference;
    int64_t multiply_adds = 0;  // summed over examples
    double seconds = 0;         // measured, summed over examples
};

// `full` and `variant` hold one run per example, in the dataset's order (the first full.size() examples).
VariantSummary summarize_variant(const GlueDataset& dataset, int num_classes, std::span<const ExampleRun> full,
                                 std::span<const ExampleRun> variant);
// The value of the task's main metric in `metrics`, if there.
std::optional<double> main_metric(GlueTask task, const std::vector<MetricValue>& metrics);
nlohmann::json to_json(const VariantSummary& summary);

struct Disagreement {
    size_t index = 0;  // into the dataset's examples
    int line = 0;      // in the file
    std::string text_a;
    std::optional<std::string> text_b;
    double full_prediction = 0, power_prediction = 0;
    std::vector<float> full_probabilities, power_probabilities;
};

struct DatasetEvaluation {
    std::string model_path;
    std::string data_file;
    GlueTask task = GlueTask::Generic;
    bool regression = false;
    int num_labels = 0;
    std::vector<std::string> label_names;
    RetentionPlan plan;
    std::optional<double> keep_fraction;
    int num_layers = 0;
    int threads = 1;

    size_t examples = 0;
    size_t truncated = 0;  // inputs cut to the model's maximum length
    std::vector<int> lengths;  // tokens per example
    std::vector<std::optional<float>> gold;
    std::vector<double> full_predictions, power_predictions;  // class index or score
    std::vector<double> kl;  // per example, KL(full || power) in nats; empty for regression

    VariantSummary full;   // agreement etc. of the full model with itself are left empty
    VariantSummary power;  // agreement, MI, KL: PoWER-BERT against the full model
    std::optional<double> full_label_entropy_bits;  // H(full model's labels): the most MI can be

    // Per layer, 0 = embeddings, j = after encoder j: mean pairwise cosine similarity of the word
    // vectors, averaged over the examples (diffusion of information).
    std::vector<double> full_layer_cosine, power_layer_cosine;

    // Padded baseline: the full model timed on inputs padded with [PAD] to padded_length (outputs unused).
    int padded_length = 0;
    bool padded_timed = false;
    size_t longer_than_padded = 0;  // examples that ran at their own, longer, length
    int64_t padded_full_multiply_adds = 0;
    double padded_full_seconds = 0;

    std::optional<BatchedTiming> batched;  // when EvaluationOptions::batch > 1

    double wall_seconds = 0;  // the whole evaluation, all runs, as measured by the clock on the wall

    std::vector<Disagreement> disagreements;  // examples whose class label changed; none for regression

    double packed_speedup() const { return power.seconds > 0 ? full.seconds / power.seconds : 0.0; }
    // PoWER-BERT's time is on packed inputs: removing padding is part of what it gains.
    double padded_speedup() const { return power.seconds > 0 ? padded_full_seconds / power.seconds : 0.0; }
    double multiply_add_ratio() const {
        return power.multiply_adds > 0 ? double(full.multiply_adds) / double(power.multiply_adds) : 0.0;
    }
};

// Throws pb::Error when the model does not fit the dataset (check_model_fits_dataset) or the plan
// is invalid, pb::Cancelled when progress asks to stop.
DatasetEvaluation evaluate_dataset(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   const EvaluationOptions& options = {}, const Progress& progress = {});

nlohmann::json to_json(const DatasetEvaluation& evaluation);

}  // namespace pb
