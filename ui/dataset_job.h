#pragma once
// One dataset analysis of the Dataset panel: what to run (a GLUE file, the configuration, the
// experiment's own parameters) and what came out. runDatasetJob is the plain, blocking body of a
// run (the DatasetRunner puts it on a worker thread); it loads the file and calls the core.
#include "core/dataset_evaluation.h"
#include "core/dataset_experiments.h"
#include "core/glue_dataset.h"
#include "core/progress.h"

#include <QString>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace pb {
struct ModelFolder;
}

namespace pb::ui {

enum class DatasetAnalysis { Evaluate, Diffusion, MiRank, Ablation, Tradeoff };

inline constexpr DatasetAnalysis kAllDatasetAnalyses[] = {DatasetAnalysis::Evaluate, DatasetAnalysis::Diffusion,
                                                          DatasetAnalysis::MiRank, DatasetAnalysis::Ablation,
                                                          DatasetAnalysis::Tradeoff};

// "Evaluate", "Diffusion", "MI vs rank", "Ablation", "Trade-off".
QString datasetAnalysisName(DatasetAnalysis analysis);

struct DatasetJob {
    DatasetAnalysis analysis = DatasetAnalysis::Evaluate;
    std::filesystem::path dataFile;
    std::optional<pb::GlueTask> task;  // nullopt: guessed from the file
    pb::MalformedPolicy malformed = pb::MalformedPolicy::Reject;
    size_t maxExamples = 0;  // 0 = all
    // The configuration: fixed keep values (empty = none), or keep_fraction per example length.
    pb::RetentionPlan plan;
    std::optional<double> keepFraction;
    int maxRank = 10;  // MI vs rank
    int seeds = 5;     // ablation: Rand-WS seeds 1..seeds
    int batch = 1;     // Evaluate, trade-off: above 1, also timed in batches of equally long examples
    int threads = 0;   // 0 = OpenMP's default (all cores)
};

// Every analysis the panel has shown, newest of each kind; a run replaces only its own slot.
struct DatasetResults {
    std::shared_ptr<const pb::DatasetEvaluation> evaluation;
    std::shared_ptr<const pb::DiffusionResult> diffusion;
    std::shared_ptr<const pb::MiRankResult> miRank;
    std::shared_ptr<const pb::AblationResult> ablation;
    std::shared_ptr<const pb::TradeoffResult> tradeoff;
    std::vector<pb::MalformedLine> skipped;  // by the newest run's loader

    bool has(DatasetAnalysis analysis) const;
};

// The slots `update` has replace those of `into`; the others stay.
void mergeResults(DatasetResults& into, const DatasetResults& update);

// Loads the file and runs the job's analysis on the model; the result fills one slot. Throws
// pb::Error (bad file, model that does not fit the task, invalid configuration) and pb::Cancelled
// when `progress` returns false.
DatasetResults runDatasetJob(const pb::ModelFolder& model, const DatasetJob& job, const pb::Progress& progress);

}  // namespace pb::ui
