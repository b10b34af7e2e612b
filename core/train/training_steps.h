#pragma once
// PoWER-BERT's three training steps on GLUE task files (design doc, sections 4 and 5):
//   finetune  pre-trained folder -> fine-tuned folder (best dev checkpoint kept)
//   search    fine-tuned folder -> configuration search with Soft-Extract (retention.json + r)
//   retrain   search folder + configuration -> Extract model, re-trained (best dev kept)
// Every output folder is a Hugging Face folder plus training.json (settings, per-epoch log,
// result); checkpoint/ inside it makes an interrupted run resumable.
#include "core/glue_dataset.h"
#include "core/progress.h"
#include "core/train/training_loop.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pb::train {

enum class TrainStep { Finetune, Search, Retrain };

// The reference's hyper-parameters (design doc, section 5 table).
struct TaskDefaults {
    int seq_len = 128;
    double lr_bert = 3e-5;
    double lr_soft = 1e-4;
    double lambda = 1e-4;
    int batch = 32;
};
TaskDefaults reference_defaults(GlueTask task);

// keep[j] = floor(mass_j), at least 1, at most N, forced non-increasing (the reference's rule).
std::vector<int> configuration_from_mass(std::span<const double> mass, int max_length);

// Issue #10 of the reference: r can shrink uniformly while the LayerNorm after the feed-forward
// absorbs the scale, so sum(r) stops meaning a token count. Criterion used here:
//   a layer is scale-collapsed when mass_j < 1 and max_k r_j[k] < 0.5 (no word vector keeps even
//   half its scale, yet the layer is still used); the search is reported as collapsed when any
//   layer is, while the soft-mode dev metric stays within 0.05 of the fine-tuned one.
// Independently, `unfaithful` is set when the Extract model at the derived configuration scores
// more than 0.05 below the Soft-Extract model (the masses overstate what can be removed).
struct CollapseReport {
    bool collapsed = false;
    bool unfaithful = false;
    std::vector<int> layers;  // 1-based scale-collapsed layers
    std::string message;
};
CollapseReport detect_collapse(const TrainableBert& model, double finetuned_metric, double soft_metric,
                               double hard_metric);

struct StepOptions {
    TrainStep step = TrainStep::Finetune;
    std::filesystem::path model, train_file, dev_file, out;
    std::string task;  // GLUE name; guessed from the train file when empty
    std::optional<int> epochs, batch, max_length;
    std::optional<double> lr, lr_soft, lambda;
    int accumulation = 1;
    uint64_t seed = 42;
    double weight_decay = 0;
    std::filesystem::path retention_file;  // retrain: else the model folder's retention.json
    size_t max_train_examples = 0, max_dev_examples = 0;  // 0 = all
    bool resume = true;
    int checkpoint_every = 0;
    bool dropout = true;
    // Distillation (core/train/distillation.h): a fine-tuned folder whose class probabilities join
    // the labels in the loss with this weight, at this temperature; empty: the labels alone.
    std::filesystem::path teacher;
    Distillation distill{0.5, 2};
    bool with_full_pass = false;  // retrain: also train the weights without elimination (TrainSettings)
};

// Runs one step; returns the summary also written to <out>/training.json.
// `observer` receives the loop's per-step and per-epoch records.
nlohmann::json run_train_step(const StepOptions& options, const Progress& progress = {}, const TrainLog& log = {},
                              const TrainObserver& observer = {});

}  // namespace pb::train
