// ALBERT: config, weight binding, the forward pass against an independent float64 PyTorch
// reference (tools/make_albert_fixtures.py), elimination invariants and per-layer costs.
#include "core/bert_model.h"
#include "core/error.h"
#include "core/flops.h"
#include "core/model_folder.h"
#include "core/safetensors.h"
#include "core/seeded_weights.h"
#include "elimination_checks.h"
#include "reference_outputs.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <bit>
#include <fstream>
#include <random>

using namespace pb;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(POWERBERT_FIXTURES) / "albert";

nlohmann::json albert_json() {
    return {{"model_type", "albert"}, {"vocab_size", 100},     {"hidden_size", 32},
            {"num_hidden_layers", 4}, {"num_attention_heads", 4}, {"intermediate_size", 64}};
}

ModelConfig small_albert() {
    auto c = parse_model_config(albert_json(), "test");
    c.embedding_size = 16;
    c.num_hidden_groups = 2;
    c.vocab_size = 500;
    c.max_position = 64;
    c.num_labels = 3;
    c.id2label = {"a", "b", "c"};
    return c;
}

}  // namespace

class TestAlbertModel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    BertModel model_;  // small_albert(), seeded

private slots:
    void initTestCase() {
        write_seeded_bert_folder(tmp_.path().toStdString(), small_albert(), 11);
        model_ = load_bert_model(tmp_.path().toStdString());
    }

    void configDefaultsAndLayerGroups() {
        auto c = parse_model_config(albert_json(), "test");
        QVERIFY(c.is_albert());
        QCOMPARE(c.embedding_width(), 128);  // AlbertConfig's defaults
        QCOMPARE(c.activation, Activation::GeluTanh);
        QCOMPARE(c.num_layers, 4);
        QCOMPARE(c.layer_weights(3), std::make_pair(0, 0));

        auto j = albert_json();
        j["num_hidden_layers"] = 3;
        j["num_hidden_groups"] = 2;
        j["inner_group_num"] = 2;
        j["embedding_size"] = 8;
        j["hidden_act"] = "gelu";
        c = parse_model_config(j, "test");
        QCOMPARE(c.num_layers, 6);  // layers as run
        // Hugging Face: group = int(i / (3 / 2)) for i = 0, 1, 2 -> 0, 0, 1; each runs 2 inner layers.
        const std::vector<std::pair<int, int>> expected = {{0, 0}, {0, 1}, {0, 0}, {0, 1}, {1, 0}, {1, 1}};
        for (int l = 0; l < 6; ++l) QCOMPARE(c.layer_weights(l), expected[l]);
        QCOMPARE(c.activation, Activation::Gelu);
        auto back = to_json(c);
        QCOMPARE(back["num_hidden_layers"].get<int>(), 3);
        QCOMPARE(back["inner_group_num"].get<int>(), 2);
        QCOMPARE(parse_model_config(back, "round trip").layer_weights(4), std::make_pair(1, 0));

        j["num_hidden_groups"] = 4;  // more groups than layers
        QVERIFY_THROWS_EXCEPTION(Error, parse_model_config(j, "test"));
        j["num_hidden_groups"] = 1;
        j["inner_group_num"] = 400;  // 1200 layers as run
        QVERIFY_THROWS_EXCEPTION(Error, parse_model_config(j, "test"));
        QCOMPARE(parse_model_config({{"model_type", "bert"}, {"vocab_size", 10}, {"hidden_size", 8},
                                     {"num_hidden_layers", 2}, {"num_attention_heads", 2}, {"intermediate_size", 8}},
                                    "bert")
                     .layer_weights(1),
                 std::make_pair(1, 0));
    }

    void seededWeightsAreBitExactWithPython() {
        auto check = read_json(kFixtures / "seeded_weights_check.json");
        const auto seed = check["seed"].get<uint64_t>();
        for (const auto& t : check["tensors"]) {
            auto values = seeded_values(t["name"], t["shape"].get<std::vector<int64_t>>(), seed);
            for (size_t i = 0; i < t["first8_bits"].size(); ++i)
                QCOMPARE(std::bit_cast<uint32_t>(values[i]),
                         uint32_t(std::stoul(t["first8_bits"][i].get<std::string>(), nullptr, 16)));
            double sum = 0;
            for (float v : values) sum += v;
            QCOMPARE(sum, t["sum"].get<double>());
        }
        auto config = parse_model_config(check["config"], "seeded_weights_check.json");
        QCOMPARE(int(seeded_model_tensors(config, seed).size()), check["tensor_count"].get<int>());
    }

    // Layers of one group view the same memory: sharing costs no copies.
    void sharedLayersViewOneTensor() {
        const auto& layers = model_.weights.layers;
        QCOMPARE(int(layers.size()), 4);
        QCOMPARE(layers[0].query.weight.data, layers[1].query.weight.data);  // int(i / 2): 0, 0, 1, 1
        QCOMPARE(layers[2].output_norm.gamma.data, layers[3].output_norm.gamma.data);
        QVERIFY(layers[0].query.weight.data != layers[2].query.weight.data);
        QVERIFY(model_.weights.embedding_projection.has_value());
        QCOMPARE(model_.weights.word_embeddings.cols, 16);
    }

    void smallModels_data() {
        QTest::addColumn<QString>("folder");
        QTest::newRow("two groups, albert. prefix, classifier") << "small_f32";
        QTest::newRow("inner groups, bare AlbertModel, gelu") << "grouped_bare";
    }

    // Full model and both elimination strategies, kept positions and outputs (compute-then-drop).
    void smallModels() {
        QFETCH(QString, folder);
        auto dir = kFixtures / folder.toStdString();
        BertModel model = load_bert_model(dir);
        SafetensorsFile expected(dir / "expected.safetensors");
        auto info = read_json(dir / "expected.json");
        QCOMPARE(model.config.num_layers, info["layers_as_run"].get<int>());
        RunOptions options;
        options.record_hidden = true;
        double worst = 0;
        for (const auto& input : info["inputs"]) {
            auto ids = ints(input["ids"]), types = ints(input["type_ids"]);
            std::string prefix = input["name"].get<std::string>() + ".";
            Trace full = run_model(model, ids, types, {}, options);
            compare_run(full, expected, prefix, 1e-5, worst);
            if (input.contains("predicted")) QCOMPARE(full.predicted_label, input["predicted"].get<int>());
            for (size_t j = 0; j < full.layers.size(); ++j)
                for (size_t k = 0; k < full.layers[j].significance.size(); ++k)
                    QVERIFY(std::abs(full.layers[j].significance[k] - input["significance"][j][k].get<double>()) < 1e-5);
            for (const auto& power : input["power"]) {
                RetentionPlan plan{power["retention"].get<std::vector<int>>(),
                                   parse_strategy(power["strategy"].get<std::string>())};
                Trace t = run_model(model, ids, types, plan, options);
                for (size_t j = 0; j < t.layers.size(); ++j)
                    QCOMPARE(t.layers[j].alive_out, power["kept_positions"][j].get<std::vector<int>>());
                compare_run(t, expected, power["tensor_prefix"].get<std::string>(), 1e-5, worst);
            }
        }
        qInfo("%s: max |difference| to PyTorch %.3g", qPrintable(folder), worst);
    }

    // ALBERT-base shape (12 x 768, embedding 128, one shared group): weights regenerated from the seed.
    void baseModelMatchesPyTorch() {
        auto info = read_json(kFixtures / "base_expected.json");
        auto config = load_model_config(kFixtures / "base_config.json");
        QCOMPARE(config.embedding_width(), 128);
        QCOMPARE(config.activation, Activation::GeluTanh);
        QTemporaryDir tmp;
        std::filesystem::path dir = tmp.path().toStdString();
        write_seeded_bert_folder(dir, config, info["seed"].get<uint64_t>());
        BertModel model = load_bert_model(dir);
        SafetensorsFile expected(kFixtures / "base_expected.safetensors");
        auto ids = ints(info["ids"]), types = ints(info["type_ids"]);
        RunOptions options;
        options.record_hidden = true;
        Trace full = run_model(model, ids, types, {}, options);
        double worst = 0;
        compare_run(full, expected, "", 1e-4, worst);
        qInfo("ALBERT-base, 13 hidden states, pooled, logits: max |difference| to PyTorch %.3g", worst);

        const auto& power = info["power"];
        RetentionPlan plan{power["retention"].get<std::vector<int>>(), Strategy::Attention};
        Trace t = run_model(model, ids, types, plan, options);
        for (size_t j = 0; j < t.layers.size(); ++j)
            QCOMPARE(t.layers[j].alive_out, power["kept_positions"][j].get<std::vector<int>>());
        QVERIFY(max_difference(t.layers.back().hidden.values, expected, "power.hidden_states.12") < 1e-4);
        QVERIFY(max_difference(t.pooled, expected, "power.pooled") < 1e-4);
        QVERIFY(max_difference(t.logits, expected, "power.logits") < 1e-4);
    }

    // Shared weights do not make layers free: every layer costs what a BERT layer of its shape
    // costs, plus the embedding projection once.
    void costsCountEveryLayer() {
        const auto& c = model_.config;
        auto ids = random_ids(20, 1);
        std::vector<int32_t> types(20, 0);
        const std::vector<int> keep = {12, 8, 5, 2};
        Trace t = run_model(model_, ids, types, {keep, Strategy::Attention});
        const int64_t H = 32, I = 64, E = 16;
        const std::vector<int64_t> lengths = {20, 12, 8, 5, 2};
        int64_t expected = 20 * E * H + H * H + H * 3;  // projection, pooler, classifier
        for (int j = 0; j < 4; ++j) {
            const int64_t n = lengths[j], m = lengths[j + 1];
            const int64_t layer = 3 * n * H * H + n * n * H + m * n * H + m * H * H + 2 * m * H * I;
            QCOMPARE(t.layers[j].multiply_adds, layer);
            expected += layer;
        }
        QCOMPARE(t.multiply_adds, expected);
        const std::vector<int> counts(lengths.begin(), lengths.end());
        QCOMPARE(model_multiply_adds(c, counts, true), expected);
        QCOMPARE(embedding_multiply_adds(c, 20), 20 * E * H);
    }

    void keepingEverythingIsTheFullModel() { check_keeping_everything_is_the_full_model(model_); }

    void rowsOnlyEqualsComputeThenDrop() { check_rows_only_equals_compute_then_drop(model_); }

    void batchEqualsSeparateRuns() { check_batch_equals_separate_runs(model_); }

    void missingTensorsAreListed() {
        QTemporaryDir tmp;
        std::filesystem::path dir = tmp.path().toStdString();
        std::filesystem::copy_file(kFixtures / "small_f32" / "config.json", dir / "config.json");
        std::vector<TensorToWrite> table;
        auto tensors = seeded_model_tensors(load_model_config(dir / "config.json"), 1);
        for (const auto& t : tensors)
            if (!t.name.ends_with("embedding_hidden_mapping_in.weight") && !t.name.ends_with("1.albert_layers.0.ffn.bias"))
                table.push_back({t.name, t.shape, t.values, DType::F32});
        write_safetensors(dir / "model.safetensors", table, {});
        try {
            load_bert_model(dir);
            QFAIL("no error");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("model.safetensors: 2 required tensors are missing"), qPrintable(message));
            QVERIFY(message.contains("albert.encoder.embedding_hidden_mapping_in.weight"));
            QVERIFY(message.contains("albert.encoder.albert_layer_groups.1.albert_layers.0.ffn.bias"));
        }
    }
};

QTEST_APPLESS_MAIN(TestAlbertModel)
#include "test_albert_model.moc"
