#pragma once
// Invariants of word-vector elimination that every model family must keep (BERT in
// test_elimination, ALBERT in test_albert_model), on a seeded 4-layer model with a vocabulary of 500.
#include "core/bert_model.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

inline std::vector<int32_t> random_ids(int n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<int32_t> ids(n);
    for (auto& id : ids) id = 1 + static_cast<int32_t>(rng() % 499);
    return ids;
}

// Keeping every vector is bit for bit the full model, whatever the strategy.
inline void check_keeping_everything_is_the_full_model(const pb::BertModel& model) {
    auto ids = random_ids(20, 1);
    std::vector<int32_t> types(20, 0);
    pb::RunOptions o;
    o.record_hidden = true;
    pb::Trace full = pb::run_model(model, ids, types, {}, o);
    for (pb::Strategy s : {pb::Strategy::Attention, pb::Strategy::Head, pb::Strategy::Random}) {
        pb::Trace same = pb::run_model(model, ids, types, {{30, 30, 20, 20}, s, 5}, o);
        QCOMPARE(same.logits, full.logits);
        QCOMPARE(same.layers.back().hidden.values, full.layers.back().hidden.values);
        QCOMPARE(same.multiply_adds, full.multiply_adds);
    }
}

// Computing only the kept rows after the scores equals computing all rows, then dropping.
inline void check_rows_only_equals_compute_then_drop(const pb::BertModel& model) {
    auto ids = random_ids(30, 3);
    std::vector<int32_t> types(30, 0);
    pb::RunOptions o;
    o.record_hidden = true;
    pb::Trace full = pb::run_model(model, ids, types, {}, o);
    pb::Trace power = pb::run_model(model, ids, types, {{12, 12, 12, 12}, pb::Strategy::Attention}, o);
    const auto& kept = power.layers[0].alive_out;
    const int H = model.config.hidden_size;
    for (size_t i = 0; i < kept.size(); ++i)
        for (int h = 0; h < H; ++h)
            QVERIFY(std::abs(power.layers[0].hidden.at(int(i), h) - full.layers[0].hidden.at(kept[i], h)) < 1e-5f);
    QCOMPARE(power.layers[0].significance, full.layers[0].significance);
}

// Stacking sequences of different lengths into one pass changes nothing but speed.
inline void check_batch_equals_separate_runs(const pb::BertModel& model) {
    std::vector<std::vector<int32_t>> ids = {random_ids(7, 5), random_ids(19, 6), random_ids(12, 7)};
    std::vector<std::vector<int32_t>> types = {std::vector<int32_t>(7, 0), std::vector<int32_t>(19, 1),
                                               std::vector<int32_t>(12, 0)};
    std::vector<pb::SequenceInput> inputs;
    for (size_t i = 0; i < ids.size(); ++i) inputs.push_back({ids[i], types[i]});
    const pb::RetentionPlan plan{{10, 8, 4, 2}, pb::Strategy::Attention};
    pb::Workspace ws;
    auto batch = pb::run_batch(model, inputs, plan, {}, ws);
    QCOMPARE(batch.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        pb::Trace alone = pb::run_model(model, ids[i], types[i], plan);
        for (size_t j = 0; j < alone.layers.size(); ++j) QCOMPARE(batch[i].layers[j].alive_out, alone.layers[j].alive_out);
        for (size_t k = 0; k < alone.logits.size(); ++k) QVERIFY(std::abs(batch[i].logits[k] - alone.logits[k]) < 1e-5f);
        QCOMPARE(batch[i].multiply_adds, alone.multiply_adds);
    }
}
