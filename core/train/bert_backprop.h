#pragma once
// Forward and backward pass of BertForSequenceClassification over a set of examples, each at its
// own length: the sequences are stacked without padding (linear layers see all rows at once,
// attention stays within each sequence). Optionally with PoWER-BERT's Soft-Extract (configuration
// search) or Extract (re-training) layer after each block's attention add & LayerNorm. ALBERT runs
// through the same pass: its layout adds the embedding projection and gives the layers of one
// group the same parameter slots, so their gradients add up there.
#include "core/model_config.h"
#include "core/train/matrix_types.h"
#include "core/train/parameter_store.h"
#include "core/train/task_head_grad.h"

#include <cstdint>
#include <span>
#include <vector>

namespace pb::train {

struct TrainExample {
    std::vector<int32_t> ids;
    std::vector<int32_t> type_ids;
    float label = 0;  // class index, or the score for regression
    // Masked-LM pre-training: the original token at each position that is predicted, -1 elsewhere
    // (empty for task training).
    std::vector<int32_t> mlm_targets{};
    // Distillation: the teacher's class probabilities at the pass's temperature (num_labels
    // values; empty without a teacher).
    std::vector<float> target{};
};

enum class ExtractMode { None, Soft, Hard };

struct PassSettings {
    ExtractMode mode = ExtractMode::None;
    std::vector<int> keep;  // Hard: word vectors kept after each layer
    double hidden_dropout = 0;     // 0 (evaluation) disables dropout
    double attention_dropout = 0;
    bool masked_lm = false;  // the masked-LM head and loss instead of the task head (layout must have it)
    // Distillation (core/train/distillation.h); at weight 0 the examples' targets are ignored.
    Distillation distill;
};

struct PassItem {
    const TrainExample* example = nullptr;
    uint64_t dropout_seed = 0;  // seeds this example's dropout masks
};

template <class S>
struct PassOutput {
    double loss_sum = 0;  // sum of the per-example losses (no penalty)
    Mat<S> logits;        // one row per item (task head only)
    int64_t mlm_rows = 0, mlm_correct = 0;  // masked-LM: predicted positions, and those predicted right
};

// params: the flat parameter vector of `layout` (with r when mode is Soft).
// grads: null for a forward pass only; otherwise gradients of loss_scale * loss_sum are ADDED to
// it (same layout). word_rows: when given, the word-embedding gradient is returned as one row per
// token (items' tokens concatenated) instead of being added to grads, so that callers running
// several passes in parallel can scatter it in a fixed order.
// Throws pb::Error for an example longer than max_position (or than N in Soft mode).
template <class S>
PassOutput<S> forward_backward(const ModelConfig& config, const ParameterLayout& layout, const S* params, S* grads,
                               std::span<const PassItem> items, const PassSettings& settings, S loss_scale,
                               Mat<S>* word_rows = nullptr);

}  // namespace pb::train
