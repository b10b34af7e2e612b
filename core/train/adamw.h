#pragma once
// AdamW over the flat parameter vector, with the learning-rate schedule of the reference
// (linear warm-up over the first 10% of the steps, then linear decay to 0) and two learning
// rates: one for the BERT weights, one for Soft-Extract's r (clipped to [0, 1] after every step).
//
// Update (PyTorch's AdamW, bias-corrected, eps added to sqrt(v_hat)):
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + wd * p)
// Defaults: b1 0.9, b2 0.999, eps 1e-6 (as the original BERT optimizer), weight decay 0 (Adam, as
// the PoWER-BERT reference). Weight decay, when set, skips biases, LayerNorm and r (as Hugging Face).
#include "core/train/parameter_store.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace pb::train {

struct AdamOptions {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-6;
    double weight_decay = 0.0;
};

struct LinearSchedule {
    int64_t total_steps = 1;
    int64_t warmup_steps = 0;  // usually int(0.1 * total_steps), as the reference's calc_train_steps
    // Multiplier of the base learning rate at optimizer step t (1-based): t/warmup during the
    // warm-up, then (total - t)/(total - warmup), reaching 0 at the last step.
    double factor(int64_t step) const;
};

LinearSchedule make_schedule(int64_t total_steps, double warmup_fraction = 0.1);

class AdamW {
public:
    AdamW() = default;
    AdamW(const ParameterLayout& layout, AdamOptions options);

    // One update of `values` from `grads` (same layout); increments step() first.
    void update(const ParameterLayout& layout, std::vector<float>& values, const std::vector<float>& grads, double lr_bert,
                double lr_retention);

    int64_t step() const { return step_; }
    void set_step(int64_t step) { step_ = step; }
    std::vector<float>& first_moment() { return m_; }
    std::vector<float>& second_moment() { return v_; }
    const AdamOptions& options() const { return options_; }

private:
    AdamOptions options_;
    std::vector<float> m_, v_;
    std::vector<uint8_t> decay_;  // per slot: weight decay applies
    int64_t step_ = 0;
};

// Adds the gradient of lambda * sum_j j * sum_k r_j[k] (j 1-based) to grads; returns the penalty.
double add_retention_penalty(const ParameterLayout& layout, const std::vector<float>& values, std::vector<float>& grads,
                             double lambda);
// Clips every r_j[k] to [0, 1].
void clip_retention(const ParameterLayout& layout, std::vector<float>& values);

}  // namespace pb::train
