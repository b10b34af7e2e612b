#pragma once
// The BERT forward pass with PoWER-BERT's Extract layers. The full model is the same code path
// with an empty retention plan, so full-vs-PoWER comparisons are like for like.
#include "core/bert_weights.h"
#include "core/elimination.h"
#include "core/model_config.h"
#include "core/packed_weights.h"
#include "core/team_backoff.h"
#include "core/trace.h"

#include <Eigen/Core>

#include <span>
#include <vector>

namespace pb {

struct RunOptions {
    bool record_attention = false;      // per-head attention probabilities of every layer
    bool record_hidden = false;         // hidden states of every layer's output
    bool record_cosine_matrix = false;  // full pairwise cosine matrices (the mean is always recorded)
};

// Working memory for one forward pass, reused across runs: touching fresh pages costs more than
// small products, so buffers only ever grow. One Workspace per thread.
class Workspace {
public:
    // rows: all rows of a batch; squares: sum over its sequences of length^2.
    void reserve(const ModelConfig& config, int rows, size_t squares);
    float* x() { return x_.data(); }
    float* q() { return q_.data(); }
    float* k() { return k_.data(); }
    float* v() { return v_.data(); }
    float* context() { return context_.data(); }
    float* attended() { return attended_.data(); }
    float* intermediate() { return intermediate_.data(); }
    float* probabilities() { return probabilities_.data(); }
    float* mean_attention() { return mean_attention_.data(); }
    float* embedded() { return embedded_.data(); }  // ALBERT's embeddings before the projection
    float* scratch() { return scratch_.data(); }  // linear_packed's rearranged inputs

    // Aligned so that vectorised reductions split rows the same way in every run: results are
    // bit-for-bit reproducible, and keeping every vector gives exactly the full model.
    using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;

    // Whether this caller's forwards may run on a team of threads, from how its last ones fared.
    TeamBackoff team_backoff;

private:
    Buffer x_, q_, k_, v_, context_, attended_, intermediate_, probabilities_, mean_attention_, embedded_, scratch_;
};

struct BertModel {
    ModelConfig config;
    BertWeights weights;
    // The encoder's matrices packed for linear_packed; load_bert_model makes them, and running a
    // model without them is an error.
    std::shared_ptr<const PackedBertWeights> packed;
};

// Checks ids against the vocabulary, type ids against type_vocab_size and the length against
// max_position_embeddings; throws pb::Error with the offending position.
void validate_input(const ModelConfig& config, std::span<const int32_t> ids, std::span<const int32_t> type_ids);

struct SequenceInput {
    std::span<const int32_t> ids;
    std::span<const int32_t> type_ids;
};

// Several sequences in one pass, stacked without padding: the linear layers see all rows at once
// (the batched setting of the paper's timings), attention stays within each sequence. Each
// trace's `seconds` is the batch time divided evenly.
std::vector<Trace> run_batch(const BertModel& model, std::span<const SequenceInput> inputs, const RetentionPlan& plan,
                             const RunOptions& options, Workspace& workspace);

Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan, const RunOptions& options, Workspace& workspace);
Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan = {}, const RunOptions& options = {});

}  // namespace pb
