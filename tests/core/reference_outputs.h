#pragma once
// Comparing the engine's traces with the PyTorch reference outputs stored in fixtures
// (tools/make_bert_fixtures.py, tools/make_albert_fixtures.py).
#include "core/safetensors.h"
#include "core/trace.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

inline nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in);
}

inline std::vector<int32_t> ints(const nlohmann::json& j) { return j.get<std::vector<int32_t>>(); }

// Largest absolute difference between a computed matrix and an expected tensor.
inline double max_difference(std::span<const float> actual, const pb::SafetensorsFile& expected, const std::string& name) {
    const pb::TensorView* t = expected.find(name);
    if (!t) throw std::runtime_error("fixture lacks " + name);
    auto values = pb::to_float32(*t, expected.path());
    if (values.size() != actual.size())
        throw std::runtime_error(name + ": size " + std::to_string(actual.size()) + " vs " + std::to_string(values.size()));
    double worst = 0;
    for (size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::abs(double(actual[i]) - double(values[i])));
    return worst;
}

// Every recorded output of a run (hidden states, pooled, and logits and probabilities where the
// fixture has them) within `tolerance`; `worst` gets the largest difference seen.
inline void compare_run(const pb::Trace& trace, const pb::SafetensorsFile& expected, const std::string& prefix,
                        double tolerance, double& worst) {
    auto check = [&](std::span<const float> actual, const std::string& name) {
        const double d = max_difference(actual, expected, name);
        worst = std::max(worst, d);
        if (d >= tolerance) QFAIL(qPrintable(QString::fromStdString(name) + " differs by " + QString::number(d)));
    };
    check(trace.embedding_hidden.values, prefix + "hidden_states.0");
    for (size_t j = 0; j < trace.layers.size(); ++j)
        check(trace.layers[j].hidden.values, prefix + "hidden_states." + std::to_string(j + 1));
    check(trace.pooled, prefix + "pooled");
    if (!expected.find(prefix + "logits")) return;
    check(trace.logits, prefix + "logits");
    if (!trace.regression) check(trace.probabilities, prefix + "probabilities");
}

inline void compare_run(const pb::Trace& trace, const pb::SafetensorsFile& expected, const std::string& prefix,
                        double tolerance) {
    double worst = 0;
    compare_run(trace, expected, prefix, tolerance, worst);
}
