// The forward pass against an independent float64 PyTorch reference (tools/make_bert_fixtures.py).
#include "core/bert_model.h"
#include "core/model_folder.h"
#include "core/safetensors.h"
#include "core/seeded_weights.h"
#include "reference_outputs.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <bit>
#include <fstream>

using namespace pb;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(POWERBERT_FIXTURES) / "bert";

}  // namespace

class TestBertModel : public QObject {
    Q_OBJECT

private slots:
    void seededWeightsAreBitExactWithPython() {
        auto check = read_json(kFixtures / "seeded_weights_check.json");
        auto config = parse_model_config(check["config"], "seeded_weights_check.json");
        for (const auto& t : check["tensors"]) {
            auto values = seeded_values(t["name"], t["shape"].get<std::vector<int64_t>>(), check["seed"].get<uint64_t>());
            for (size_t i = 0; i < t["first8_bits"].size(); ++i) {
                auto bits = std::stoul(t["first8_bits"][i].get<std::string>(), nullptr, 16);
                QCOMPARE(std::bit_cast<uint32_t>(values[i]), uint32_t(bits));
            }
            double sum = 0;
            for (float v : values) sum += v;
            QCOMPARE(sum, t["sum"].get<double>());
        }
        QVERIFY(!seeded_model_tensors(config, 7).empty());
    }

    void smallModels_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("f32") << "small_f32" << 1e-5;
        QTest::newRow("f16") << "small_f16" << 1e-5;
        QTest::newRow("bf16") << "small_bf16" << 1e-5;
        QTest::newRow("regression") << "small_regression" << 1e-5;
    }

    // Full model and both elimination strategies, from the stored (possibly half-precision) weights.
    void smallModels() {
        QFETCH(QString, folder);
        QFETCH(double, tolerance);
        auto dir = kFixtures / folder.toStdString();
        BertModel model = load_bert_model(dir);
        SafetensorsFile expected(dir / "expected.safetensors");
        auto info = read_json(dir / "expected.json");
        RunOptions options;
        options.record_hidden = true;
        for (const auto& input : info["inputs"]) {
            auto ids = ints(input["ids"]), types = ints(input["type_ids"]);
            std::string prefix = input["name"].get<std::string>() + ".";
            Trace full = run_model(model, ids, types, {}, options);
            compare_run(full, expected, prefix, tolerance);
            if (!full.regression) QCOMPARE(full.predicted_label, input["predicted"].get<int>());
            for (size_t j = 0; j < full.layers.size(); ++j)
                for (size_t k = 0; k < full.layers[j].significance.size(); ++k)
                    QVERIFY(std::abs(full.layers[j].significance[k] - input["significance"][j][k].get<double>()) < 1e-5);
            if (!input.contains("power")) continue;
            for (const auto& power : input["power"]) {
                RetentionPlan plan{power["retention"].get<std::vector<int>>(), parse_strategy(power["strategy"].get<std::string>())};
                Trace t = run_model(model, ids, types, plan, options);
                for (size_t j = 0; j < t.layers.size(); ++j)
                    QCOMPARE(t.layers[j].alive_out, power["kept_positions"][j].get<std::vector<int>>());
                compare_run(t, expected, power["tensor_prefix"].get<std::string>(), tolerance);
            }
        }
    }

    // BERT-base shape (12 x 768, 110 M parameters): weights regenerated here from the shared seed spec.
    void baseModelMatchesPyTorch() {
        auto info = read_json(kFixtures / "base_expected.json");
        auto config = load_model_config(kFixtures / "base_config.json");
        QTemporaryDir tmp;
        std::filesystem::path dir = tmp.path().toStdString();
        write_seeded_bert_folder(dir, config, info["seed"].get<uint64_t>());
        BertModel model = load_bert_model(dir);
        SafetensorsFile expected(kFixtures / "base_expected.safetensors");
        auto ids = ints(info["ids"]), types = ints(info["type_ids"]);
        RunOptions options;
        options.record_hidden = true;
        Trace full = run_model(model, ids, types, {}, options);
        compare_run(full, expected, "", 1e-4);

        const auto& power = info["power"];
        RetentionPlan plan{power["retention"].get<std::vector<int>>(), Strategy::Attention};
        Trace t = run_model(model, ids, types, plan, options);
        for (size_t j = 0; j < t.layers.size(); ++j)
            QCOMPARE(t.layers[j].alive_out, power["kept_positions"][j].get<std::vector<int>>());
        QVERIFY(max_difference(t.layers.back().hidden.values, expected, "power.hidden_states.12") < 1e-4);
        QVERIFY(max_difference(t.logits, expected, "power.logits") < 1e-4);
        QVERIFY(t.multiply_adds < full.multiply_adds);
    }
};

QTEST_APPLESS_MAIN(TestBertModel)
#include "test_bert_model.moc"
