#pragma once
// The training loop shared by the three PoWER-BERT steps: seeded shuffling, mini-batches with
// gradient accumulation, AdamW with warm-up and linear decay, Soft-Extract's penalty and clipping,
// per-epoch dev evaluation, best-checkpoint tracking and resumable checkpoints.
#include "core/glue_dataset.h"
#include "core/progress.h"
#include "core/train/adamw.h"
#include "core/train/bert_backprop.h"
#include "core/train/parameter_store.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pb::train {

struct TrainSettings {
    ExtractMode mode = ExtractMode::None;
    std::vector<int> keep;  // Hard mode
    int epochs = 3;
    int batch = 32;         // examples per optimizer step
    int accumulation = 1;   // micro-batches per step (gradient accumulation)
    double lr_bert = 3e-5;
    double lr_retention = 1e-3;  // Soft mode: learning rate of r
    double lambda = 0;           // Soft mode: penalty lambda * sum_j j * mass_j
    double warmup_fraction = 0.1;
    AdamOptions adam;
    uint64_t seed = 42;
    bool dropout = true;  // the model's hidden/attention dropout during training
    GlueTask task = GlueTask::Generic;  // chooses the dev metric (main metric of the task)
    std::filesystem::path checkpoint_dir;  // empty: no checkpoints
    int checkpoint_every = 0;              // optimizer steps between checkpoints (0: end of each epoch only)
    bool resume = true;                    // continue from checkpoint_dir when it holds a matching state
    int chunks = 2;                        // parallel gradient chunks (OpenMP)
    bool masked_lm = false;                // pre-training: the masked-LM head and loss (examples carry targets)
    Distillation distill;  // the teacher's term (the examples carry its probabilities)
    // Hard mode: each step also trains the same weights without elimination (the loss is the mean
    // of the two passes), so that one set of weights serves as the full model and as PoWER-BERT.
    bool with_full_pass = false;
    int passes = 1;  // pre-training: the one epoch holds this many passes over the corpus (progress counts them)
};

struct EpochRecord {
    int epoch = 0;  // 1-based
    double train_loss = 0;  // mean per-example loss (no penalty)
    double penalty = 0;     // lambda * sum_j j * mass_j at the end of the epoch
    std::string metric_name;
    double dev_metric = 0;
    std::optional<double> full_dev_metric;  // with_full_pass: the dev metric without elimination
    std::vector<double> mass;  // Soft mode: sum_k r_j[k] per layer
    double seconds = 0;
    double examples_per_second = 0;
};

struct TrainOutcome {
    std::vector<EpochRecord> epochs;
    double best_metric = -1e300;
    int best_epoch = 0;
    int64_t steps = 0;
    bool resumed = false;
};

// One optimizer step, for live plots (the Progress message carries the same as text).
struct StepRecord {
    int epoch = 0;  // 1-based
    int64_t step = 0, total_steps = 0;  // 1-based step of total_steps
    size_t examples = 0;                // in this step's batch
    double loss = 0;                    // mean per-example loss of this batch (no penalty)
    std::vector<double> mass;           // Soft mode: sum_k r_j[k] per layer after the step
    double examples_per_second = 0, seconds_left = 0;
};

// Structured records of a run, called on the training thread. A resumed run first replays the
// epochs restored from its checkpoint, so an observer always sees every epoch once.
struct TrainObserver {
    std::function<void(const StepRecord&)> on_step;
    std::function<void(const EpochRecord&)> on_epoch;
};

using TrainLog = std::function<void(const std::string&)>;
// Called when an epoch's dev metric is the best so far (e.g. to save the model).
using BestCallback = std::function<void(const TrainableBert&, const EpochRecord&)>;

// Dev metric (the task's main metric; accuracy for Generic) of the model under `pass`.
std::pair<std::string, double> evaluate(const TrainableBert& model, const std::vector<TrainExample>& dev,
                                        const PassSettings& pass, GlueTask task);

// Trains in place. Progress reports every optimizer step (a `false` answer saves a checkpoint,
// when configured, and throws pb::Cancelled). The model ends with its last weights.
TrainOutcome train_model(TrainableBert& model, const std::vector<TrainExample>& train,
                         const std::vector<TrainExample>& dev, const TrainSettings& settings,
                         const Progress& progress = {}, const TrainLog& log = {}, const BestCallback& on_best = {},
                         const TrainObserver& observer = {});

}  // namespace pb::train
