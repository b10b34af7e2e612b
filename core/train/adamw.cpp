#include "core/train/adamw.h"

#include <algorithm>
#include <cmath>

namespace pb::train {

double LinearSchedule::factor(int64_t t) const {
    if (t <= 0) return 0.0;
    if (warmup_steps > 0 && t <= warmup_steps) return double(t) / double(warmup_steps);
    const int64_t decay = total_steps - warmup_steps;
    if (decay <= 0) return 1.0;
    return std::max(0.0, double(total_steps - t) / double(decay));
}

LinearSchedule make_schedule(int64_t total_steps, double warmup_fraction) {
    LinearSchedule s;
    s.total_steps = std::max<int64_t>(1, total_steps);
    s.warmup_steps = static_cast<int64_t>(double(s.total_steps) * warmup_fraction);
    return s;
}

AdamW::AdamW(const ParameterLayout& layout, AdamOptions options)
    : options_(options), m_(layout.total, 0.0f), v_(layout.total, 0.0f) {
    for (const auto& s : layout.tensors) {
        const bool no_decay = s.group == ParamGroup::Retention || s.name.ends_with(".bias") ||
                              s.name.find("LayerNorm") != std::string::npos ||
                              s.name.find("layer_norm") != std::string::npos;  // ALBERT's full_layer_layer_norm
        decay_.push_back(no_decay ? 0 : 1);
    }
}

void AdamW::update(const ParameterLayout& layout, std::vector<float>& values, const std::vector<float>& grads,
                   double lr_bert, double lr_retention) {
    ++step_;
    const double b1 = options_.beta1, b2 = options_.beta2, eps = options_.epsilon;
    const double c1 = 1.0 - std::pow(b1, double(step_)), c2 = 1.0 - std::pow(b2, double(step_));
    const float fb1 = float(b1), fb2 = float(b2), fc1 = float(1.0 / c1), fsc2 = float(1.0 / std::sqrt(c2));
    const float feps = float(eps);
    for (size_t si = 0; si < layout.tensors.size(); ++si) {
        const ParamSlot& s = layout.tensors[si];
        const float lr = float(s.group == ParamGroup::Retention ? lr_retention : lr_bert);
        const float decay = decay_[si] ? float(options_.weight_decay) : 0.0f;
        float* p = values.data() + s.offset;
        const float* g = grads.data() + s.offset;
        float* m = m_.data() + s.offset;
        float* v = v_.data() + s.offset;
        const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(s.size);
#pragma omp parallel for if (n > 65536) schedule(static)
        for (std::ptrdiff_t i = 0; i < n; ++i) {
            m[i] = fb1 * m[i] + (1.0f - fb1) * g[i];
            v[i] = fb2 * v[i] + (1.0f - fb2) * g[i] * g[i];
            const float update = (m[i] * fc1) / (std::sqrt(v[i]) * fsc2 + feps);
            p[i] -= lr * (update + decay * p[i]);
        }
    }
}

double add_retention_penalty(const ParameterLayout& layout, const std::vector<float>& values, std::vector<float>& grads,
                             double lambda) {
    double penalty = 0;
    for (size_t j = 0; j < layout.retention.size(); ++j) {
        const ParamSlot& s = layout.tensors[layout.retention[j]];
        const double weight = lambda * double(j + 1);
        for (size_t k = 0; k < s.size; ++k) {
            penalty += weight * values[s.offset + k];
            grads[s.offset + k] += float(weight);
        }
    }
    return penalty;
}

void clip_retention(const ParameterLayout& layout, std::vector<float>& values) {
    for (int slot : layout.retention) {
        const ParamSlot& s = layout.tensors[slot];
        for (size_t k = 0; k < s.size; ++k) values[s.offset + k] = std::clamp(values[s.offset + k], 0.0f, 1.0f);
    }
}

}  // namespace pb::train
