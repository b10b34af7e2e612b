#include "core/comparison.h"

#include "core/information.h"

#include <algorithm>
#include <cmath>

namespace pb {
namespace {

int vectors_processed(const Trace& t) {
    int total = 0;
    for (const auto& layer : t.layers) total += static_cast<int>(layer.alive_in.size());
    return total;
}

}  // namespace

Comparison compare_runs(const Trace& full, const Trace& power) {
    Comparison c;
    if (!full.probabilities.empty() && full.probabilities.size() == power.probabilities.size()) {
        std::vector<double> p(full.probabilities.begin(), full.probabilities.end());
        std::vector<double> q(power.probabilities.begin(), power.probabilities.end());
        c.kl_divergence = kl_divergence(p, q);
    }
    c.label_flipped = full.predicted_label != power.predicted_label;
    for (size_t i = 0; i < std::min(full.logits.size(), power.logits.size()); ++i)
        c.max_logit_difference = std::max(c.max_logit_difference, double(std::abs(full.logits[i] - power.logits[i])));
    c.full_multiply_adds = full.multiply_adds;
    c.power_multiply_adds = power.multiply_adds;
    c.multiply_add_ratio = power.multiply_adds > 0 ? double(full.multiply_adds) / double(power.multiply_adds) : 1.0;
    c.full_vectors = vectors_processed(full);
    c.power_vectors = vectors_processed(power);
    return c;
}

}  // namespace pb
