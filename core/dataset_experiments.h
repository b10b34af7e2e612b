#pragma once
// The paper's dataset-level analyses (POWER-BERT.md section 7) on the loaded model: diffusion of
// information, the mutual-information check of the significance score, the Attn-WS / Head-WS /
// Rand-WS ablation and the accuracy-vs-time trade-off. Each runs over the examples in parallel
// like evaluate_dataset (deterministic except for measured times), reports through Progress
// (pb::Cancelled when asked to stop) and serialises to JSON.
//
// The retention configuration is either a fixed plan (the paper's, for a fixed length: an input
// shorter than keep[j] keeps min(its length, keep[j]), as run_model does) or, with
// EvaluationOptions::keep_fraction, geometric_retention per example length.
#include "core/dataset_evaluation.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pb {

struct ModelFolder;

// Diffusion of information: mean pairwise cosine similarity of the word vectors after each layer
// (index 0 = embeddings), over the examples: mean and population standard deviation.
struct DiffusionResult {
    std::string model_path, data_file;
    GlueTask task = GlueTask::Generic;
    RetentionPlan plan;
    std::optional<double> keep_fraction;
    size_t examples = 0;
    std::vector<double> full_mean, full_std, power_mean, power_std;
    std::vector<double> power_mean_vectors;  // word vectors left after each layer, mean over examples
};
DiffusionResult diffusion_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                     const EvaluationOptions& options = {}, const Progress& progress = {});
nlohmann::json to_json(const DiffusionResult& result);

// For encoder j and rank k (1 = the most significant vector other than [CLS]), only that vector is
// eliminated at encoder j (RetentionPlan::single); X = the full model's predicted labels, Y = the
// modified model's. Examples with fewer than k + 1 vectors at encoder j lose nothing (Y = X there)
// and are counted. Matrices are [layer][rank - 1]. Classification models only.
struct MiRankResult {
    std::string model_path, data_file;
    GlueTask task = GlueTask::Generic;
    size_t examples = 0;
    int layers = 0, ranks = 0;
    double label_entropy_bits = 0;  // H(X): the most any MI can be
    std::vector<std::vector<double>> mutual_information_bits;
    std::vector<std::vector<double>> normalized_mutual_information;
    std::vector<std::vector<double>> agreement;
    std::vector<std::vector<size_t>> kept_everything;  // examples too short to have rank k
};
MiRankResult mi_rank_experiment(const ModelFolder& folder, const GlueDataset& dataset, int max_rank = 10,
                                const EvaluationOptions& options = {}, const Progress& progress = {});
nlohmann::json to_json(const MiRankResult& result);

// Attn-WS vs Head-WS vs Rand-WS (seeds 1..S) at the same configuration, each against the full model.
struct AblationResult {
    std::string model_path, data_file;
    GlueTask task = GlueTask::Generic;
    RetentionPlan plan;  // its strategy and seed are ignored: every strategy is run
    std::optional<double> keep_fraction;
    size_t examples = 0;
    VariantSummary full, attention, head;
    std::vector<uint64_t> random_seeds;
    std::vector<VariantSummary> random;  // one per seed
};
AblationResult ablation_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   int seeds = 5, const EvaluationOptions& options = {},
                                   const Progress& progress = {});
nlohmann::json to_json(const AblationResult& result);

struct TradeoffOptions {
    // Geometric retention per example length with these fractions; used unless `plan` has a fixed
    // configuration and no keep_fraction is given, in which case that configuration is scaled by
    // `factors` (keep[j] * factor, rounded, at least 1).
    std::vector<double> fractions = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    std::vector<double> factors = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
};

struct TradeoffPoint {
    std::string name;                // "full", "fraction 0.5", "factor 0.5"
    std::optional<double> fraction;  // geometric family
    std::optional<double> factor;    // scaled fixed configuration
    std::vector<int> keep;           // the scaled fixed configuration (empty for the full model and fractions)
    // The task's main metric against gold labels, or agreement with the full model when the file has
    // no labels (metric_name says which).
    double metric = 0;
    std::optional<double> agreement;
    double seconds = 0;  // measured one example at a time, summed over examples
    // With EvaluationOptions::batch > 1: also measured on examples grouped by length, that many per
    // pass (time_in_batches), summed over the passes.
    std::optional<double> batched_seconds;
    int64_t multiply_adds = 0;
    bool pareto = false;  // no other point is at least as fast and at least as good, and better in one

    // The time the comparison uses: batched when measured so (as the paper timed inference).
    double timed_seconds() const { return batched_seconds.value_or(seconds); }
};

struct TradeoffResult {
    std::string model_path, data_file;
    GlueTask task = GlueTask::Generic;
    Strategy strategy = Strategy::Attention;
    size_t examples = 0;
    std::string metric_name;
    int batch = 1;  // above 1: every point also timed in batches of this many equally long examples
    std::vector<TradeoffPoint> points;  // the full model first
};
TradeoffResult tradeoff_experiment(const ModelFolder& folder, const GlueDataset& dataset, const RetentionPlan& plan,
                                   const TradeoffOptions& tradeoff = {}, const EvaluationOptions& options = {},
                                   const Progress& progress = {});
nlohmann::json to_json(const TradeoffResult& result);

// Marks points[i].pareto for lower timed_seconds() and higher metric.
void mark_pareto_front(std::vector<TradeoffPoint>& points);

}  // namespace pb
