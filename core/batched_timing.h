#pragma once
// Dataset evaluation timed the way the paper timed inference: sequences grouped by length and run
// `batch` at a time. One short sequence at a time is bound by reading the weights, so eliminating
// its rows saves arithmetic that was not the bottleneck; stacked into batches, the products are
// bound by arithmetic and the time follows the multiply-adds. Both views are honest; the dataset
// evaluation reports this one next to its one-at-a-time timing, never instead of it.
#include "core/bert_model.h"
#include "core/elimination.h"
#include "core/progress.h"
#include "core/tokenizer.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pb {

struct BatchedTiming {
    int batch = 0;      // sequences per pass (at most; a length's last pass may hold fewer)
    size_t passes = 0;  // passes per model variant
    double full_seconds = 0, power_seconds = 0;
    bool padded_timed = false;
    double padded_full_seconds = 0;  // the full model on inputs padded to the evaluation's padded length

    double packed_speedup() const { return power_seconds > 0 ? full_seconds / power_seconds : 0.0; }
    double padded_speedup() const { return power_seconds > 0 ? padded_full_seconds / power_seconds : 0.0; }
};

// Indices of equally long sequences, at most `batch` per group; groups in order of length, indices
// ascending within each. Every index appears exactly once. Throws pb::Error unless batch >= 1.
std::vector<std::vector<size_t>> length_batches(std::span<const int> lengths, int batch);

struct BatchedTimingRequest {
    std::span<const Encoding> encodings;  // one per example, as the one-at-a-time pass ran them
    RetentionPlan plan;
    std::optional<double> keep_fraction;  // as EvaluationOptions::keep_fraction
    int batch = 1;
    int padded_length = 0;  // 0: no padded baseline
    int32_t pad_id = 0;
    int threads = 0;  // 0 = OpenMP's default
};

// Times the full model and PoWER-BERT (and the padded full model) over every batch, alternating
// which runs first. Outputs are not kept: the batched runs give the same outputs as separate runs
// (run_batch's contract), so only the clock differs. Throws pb::Cancelled when progress asks to stop.
BatchedTiming time_in_batches(const BertModel& model, const BatchedTimingRequest& request,
                              const Progress& progress = {});

}  // namespace pb
