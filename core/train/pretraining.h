#pragma once
// Masked-LM pre-training (BertForMaskedLM, no next-sentence prediction): a model folder + plain
// text -> a pre-trained Hugging Face folder with the `cls.predictions` head, ready for
// `train finetune`. Shares the training loop (AdamW, warm-up/decay, checkpoints, resume) with the
// three PoWER-BERT steps; the held-out metric is masked-token accuracy.
#include "core/progress.h"
#include "core/train/training_loop.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <vector>

namespace pb::train {

struct PretrainOptions {
    std::filesystem::path model, out;
    std::vector<std::filesystem::path> corpus;  // .txt (paragraphs) or GLUE .tsv (sentences)
    std::filesystem::path heldout;              // text to measure masked-LM accuracy on (optional)
    int epochs = 1;       // passes over the corpus, each with fresh masks
    int batch = 32;
    int max_length = 128;
    double lr = 5e-4;
    double weight_decay = 0.01;
    double mask_probability = 0.15;
    uint64_t seed = 1;
    size_t max_sequences = 0;        // 0 = all (per pass)
    size_t max_heldout_sequences = 1000;
    bool from_scratch = false;  // re-initialise every weight as Hugging Face does before training
    bool resume = true;
    int checkpoint_every = 0;
};

// Runs the pre-training; returns the summary also written to <out>/training.json. The best
// held-out checkpoint is kept (the last one without held-out text).
nlohmann::json run_pretrain(const PretrainOptions& options, const Progress& progress = {}, const TrainLog& log = {});

}  // namespace pb::train
