#pragma once
// Full model vs PoWER-BERT on one input: how much the output moved and how much work was saved.
#include "core/trace.h"

#include <nlohmann/json_fwd.hpp>

namespace pb {

struct Comparison {
    double kl_divergence = 0.0;      // KL(full || power) of the class probabilities, nats
    bool label_flipped = false;
    double max_logit_difference = 0.0;
    int64_t full_multiply_adds = 0;
    int64_t power_multiply_adds = 0;
    double multiply_add_ratio = 1.0;  // full / power
    int full_vectors = 0;             // word vectors processed summed over layers
    int power_vectors = 0;
};

Comparison compare_runs(const Trace& full, const Trace& power);

}  // namespace pb
