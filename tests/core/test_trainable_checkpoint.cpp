// Loading a checkpoint for training (load_trainable_bert): what a folder may lack (the pooler, the
// classifier, the masked-LM head) is initialised and noted; what it must have (every encoder tensor,
// in the shape config.json implies, and whole soft_extract r vectors) is an error naming the file
// and every tensor at fault.
#include "core/safetensors.h"
#include "core/seeded_weights.h"
#include "core/train/parameter_store.h"
#include "error_assertions.h"
#include "tests/shared/tiny_bert_config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>

using namespace pb;
using namespace pb::train;

namespace {

constexpr uint64_t kSeed = 4;

// A seeded folder whose model.safetensors holds the seeded tensors after `edit` (drop or reshape some).
std::filesystem::path folder_with(const QTemporaryDir& dir, const std::function<void(std::vector<NamedTensor>&)>& edit) {
    const std::filesystem::path folder = dir.path().toStdString();
    write_seeded_bert_folder(folder, pb_test::tiny_bert_config(), kSeed);
    auto tensors = seeded_model_tensors(pb_test::tiny_bert_config(), kSeed);
    edit(tensors);
    std::vector<TensorToWrite> out;
    for (const auto& t : tensors) out.push_back({t.name, t.shape, t.values});
    write_safetensors(folder / "model.safetensors", out);
    return folder;
}

void drop(std::vector<NamedTensor>& tensors, const std::string& part) {
    std::erase_if(tensors, [&](const NamedTensor& t) { return t.name.find(part) != std::string::npos; });
}

std::vector<float> slot_values(const TrainableBert& m, int slot) {
    const float* p = m.at(slot);
    return {p, p + m.layout.tensors[size_t(slot)].size};
}

std::vector<float> seeded(const std::string& name) {
    for (const auto& t : seeded_model_tensors(pb_test::tiny_bert_config(), kSeed))
        if (t.name == name) return t.values;
    return {};
}

}  // namespace

class TestTrainableCheckpoint : public QObject {
    Q_OBJECT

private slots:
    void aCompleteFolderLoadsEveryTensorAsWritten() {
        QTemporaryDir dir;
        const auto folder = folder_with(dir, [](auto&) {});
        const TrainableBert m = load_trainable_bert(folder);
        QVERIFY(m.notes.empty());
        for (const auto& t : seeded_model_tensors(pb_test::tiny_bert_config(), kSeed)) {
            const ParamSlot* slot = m.layout.find(t.name);
            QVERIFY2(slot, t.name.c_str());
            QVERIFY2(std::equal(t.values.begin(), t.values.end(), m.values.begin() + slot->offset), t.name.c_str());
        }
    }

    // A pre-trained encoder without the task's pooler and classifier (an MLM checkpoint, say): both
    // initialised as BERT does (normal(0, 0.02), bias 0), the encoder untouched, and each noted.
    void absentHeadsAreInitialisedAndNoted() {
        QTemporaryDir dir;
        const auto folder = folder_with(dir, [](auto& t) {
            drop(t, "pooler");
            drop(t, "classifier");
        });
        const TrainableBert m = load_trainable_bert(folder);
        QCOMPARE(int(m.notes.size()), 2);
        QVERIFY(QString::fromStdString(m.notes[0]).startsWith("pooler initialised"));
        QVERIFY(QString::fromStdString(m.notes[1]).startsWith("classifier initialised for 2 output(s)"));
        const auto pooler = slot_values(m, m.layout.pooler_w);
        const auto bias = slot_values(m, m.layout.classifier_b);
        QVERIFY(std::all_of(bias.begin(), bias.end(), [](float v) { return v == 0.0f; }));
        double sum_sq = 0;
        for (float v : pooler) sum_sq += double(v) * v;
        const double rms = std::sqrt(sum_sq / double(pooler.size()));
        QVERIFY2(rms > 0.005 && rms < 0.06, qPrintable(QString::number(rms)));  // 16 draws of normal(0, 0.02)
        const ParamSlot* query = m.layout.find("bert.encoder.layer.0.attention.self.query.weight");
        QVERIFY(query);
        const auto expected = seeded(query->name);
        QVERIFY(std::equal(expected.begin(), expected.end(), m.values.begin() + query->offset));
        // A teacher must not get a fresh head.
        LoadOptions teacher;
        teacher.require_head = true;
        const std::string name = folder.string();  // the macro's parts must outlive its loop
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder, teacher), name.c_str(), "no trained classification head");
    }

    void missingAndMisShapedEncoderTensorsAreNamedTogether() {
        QTemporaryDir dir;
        const auto folder = folder_with(dir, [](auto& t) {
            drop(t, "layer.0.output.dense.weight");
            drop(t, "layer.0.intermediate.dense.bias");
            for (auto& x : t)
                if (x.name == "bert.embeddings.LayerNorm.weight") x.shape = {2, 2};
        });
        const std::string file = (folder / "model.safetensors").string();
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder), file.c_str(), "2 required tensor(s) missing: ", "bert.encoder.layer.0.intermediate.dense.bias",
                               "bert.encoder.layer.0.output.dense.weight",
                               "tensor 'bert.embeddings.LayerNorm.weight' has shape [2, 2] but config.json implies [4]");
    }

    void softExtractValuesComeBackOrTheFileIsNamed() {
        QTemporaryDir dir;
        const auto folder = folder_with(dir, [](auto&) {});
        const std::vector<float> r = {1.0f, 0.75f, 0.5f, 0.25f, 0.0f};
        write_safetensors(folder / "soft_extract.safetensors", {{"soft_extract.layer.0.r", {5}, r}});
        const TrainableBert m = load_trainable_bert(folder);
        QCOMPARE(int(m.layout.retention.size()), 1);
        QCOMPARE(slot_values(m, m.layout.retention[0]), r);
        QCOMPARE(m.retention_mass(), (std::vector<double>{2.5}));

        // Layer 0's r has 5 values; a 2-layer model's layer 1 must have 5 too.
        QTemporaryDir two;
        const std::filesystem::path folder2 = two.path().toStdString();
        ModelConfig c = pb_test::tiny_bert_config();
        c.num_layers = 2;
        write_seeded_bert_folder(folder2, c, kSeed);
        write_safetensors(folder2 / "soft_extract.safetensors",
                          {{"soft_extract.layer.0.r", {5}, r}, {"soft_extract.layer.1.r", {3}, std::span(r).first(3)}});
        const std::string file = (folder2 / "soft_extract.safetensors").string();
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder2), file.c_str(),
                               "soft_extract.layer.1.r is missing or mis-sized");
    }

    void aFolderWithoutWeightsOrConfigIsNamed() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        const std::string config = (folder / "config.json").string(), weights = (folder / "model.safetensors").string();
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder), config.c_str(), "missing");
        write_seeded_bert_folder(folder, pb_test::tiny_bert_config(), kSeed);
        std::filesystem::remove(weights);
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder), weights.c_str(),
                               "missing (a model folder needs model.safetensors)");
    }
};

QTEST_APPLESS_MAIN(TestTrainableCheckpoint)
#include "test_trainable_checkpoint.moc"
