#include "core/flops.h"

namespace pb {

int64_t layer_multiply_adds(const ModelConfig& c, int64_t n_in, int64_t n_out) {
    const int64_t H = c.hidden_size, I = c.intermediate_size;
    int64_t projections = 3 * n_in * H * H;
    int64_t scores = n_in * n_in * H;
    int64_t context = n_out * n_in * H;
    int64_t output = n_out * H * H;
    int64_t feed_forward = 2 * n_out * H * I;
    return projections + scores + context + output + feed_forward;
}

int64_t embedding_multiply_adds(const ModelConfig& c, int64_t n) {
    return c.has_embedding_projection() ? n * c.embedding_width() * c.hidden_size : 0;
}

int64_t model_multiply_adds(const ModelConfig& c, std::span<const int> lengths, bool with_head) {
    int64_t total = lengths.empty() ? 0 : embedding_multiply_adds(c, lengths[0]);
    for (size_t j = 1; j < lengths.size(); ++j) total += layer_multiply_adds(c, lengths[j - 1], lengths[j]);
    if (with_head) total += int64_t(c.hidden_size) * c.hidden_size + int64_t(c.hidden_size) * c.num_labels;
    return total;
}

}  // namespace pb
