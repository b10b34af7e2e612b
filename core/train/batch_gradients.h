#pragma once
// A mini-batch's gradient with OpenMP: the examples are split into a fixed number of chunks
// (balanced by token count), each chunk runs one stacked forward/backward pass into its own
// gradient buffer, and the buffers are summed in chunk order. The split does not depend on the
// number of threads, so results are the same bit for bit with 1 or 2 threads.
#include "core/train/bert_backprop.h"
#include "core/train/parameter_store.h"

#include <span>
#include <vector>

namespace pb::train {

class BatchGradients {
public:
    explicit BatchGradients(int chunks = 2) : chunks_(chunks < 1 ? 1 : chunks) {}

    // grads += loss_scale * d(sum of the items' losses)/d(params). Returns the loss sum and logits.
    PassOutput<float> accumulate(const TrainableBert& model, std::span<const PassItem> items, const PassSettings& settings,
                                 float loss_scale, std::vector<float>& grads);

private:
    int chunks_;
    std::vector<std::vector<float>> buffers_;
};

// Forward passes only (evaluation), in parallel pieces of `piece` examples; logits in item order.
PassOutput<float> predict(const TrainableBert& model, std::span<const PassItem> items, const PassSettings& settings,
                          int piece = 32);

}  // namespace pb::train
