// Training on ALBERT: gradients of shared layers and of the embedding projection against finite
// differences, the training forward pass against the inference engine, and the three steps
// (finetune, search, retrain) on an ALBERT folder with its SentencePiece tokenizer.
#include "core/bert_model.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "core/train/bert_backprop.h"
#include "core/train/parameter_store.h"
#include "core/train/training_loop.h"
#include "core/train/training_steps.h"
#include "finite_differences.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <random>

using namespace pb;
using namespace pb::train;
namespace fs = std::filesystem;

namespace {

const fs::path kSpiece = fs::path(POWERBERT_FIXTURES) / ".." / ".." / "resources" / "vocab" / "albert-spiece-8k.model";

// 3 Hugging Face layers over 2 groups of 2 inner layers: 6 layers as run, group of each
// layer 0, 0, 1 -> every tensor is used by two or four layers. Embeddings narrower than hidden.
ModelConfig tiny_albert(int labels = 3) {
    ModelConfig c;
    c.model_type = "albert";
    c.vocab_size = 40;
    c.embedding_size = 6;
    c.hidden_size = 8;
    c.num_layers = 6;
    c.num_hidden_groups = 2;
    c.inner_group_num = 2;
    c.num_heads = 2;
    c.intermediate_size = 12;
    c.max_position = 16;
    c.num_labels = labels;
    c.regression = labels == 1;
    c.activation = Activation::GeluTanh;
    c.activation_name = "gelu_new";
    return c;
}

std::vector<TrainExample> tiny_batch() {
    return {{{2, 17, 5, 33, 8, 21, 3}, {0, 0, 0, 0, 0, 0, 0}, 1},
            {{2, 9, 30, 3, 12, 7, 25, 14, 3}, {0, 0, 0, 0, 1, 1, 1, 1, 1}, 2},
            {{2, 4, 38, 11, 3}, {0, 0, 0, 0, 0}, 0}};
}

void write_text(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

// Sentences whose label is whether they mention a good word: learnable in a few steps.
std::string synthetic_tsv(int count, uint64_t seed) {
    const std::vector<std::string> good = {"wonderful", "great", "lovely", "excellent"};
    const std::vector<std::string> filler = {"the", "film", "story", "was", "a", "very", "long", "day", "of", "and"};
    std::mt19937_64 rng(seed);
    std::string tsv = "sentence\tlabel\n";
    for (int i = 0; i < count; ++i) {
        std::string s;
        for (int k = 0; k < 5 + int(rng() % 6); ++k) s += (k ? " " : "") + filler[rng() % filler.size()];
        const bool positive = rng() % 2;
        if (positive) s += " " + good[rng() % good.size()];
        tsv += s + "\t" + (positive ? "1" : "0") + "\n";
    }
    return tsv;
}

}  // namespace

class TestAlbertTraining : public QObject {
    Q_OBJECT

private slots:
    void layoutSharesSlots() {
        const ParameterLayout L = make_parameter_layout(tiny_albert(), 0);
        QCOMPARE(int(L.layers.size()), 6);
        QCOMPARE(L.layers[0].query_w, L.layers[2].query_w);  // group 0, inner layer 0, applied twice
        QCOMPARE(L.layers[1].output_w, L.layers[3].output_w);
        QVERIFY(L.layers[0].query_w != L.layers[1].query_w);
        QVERIFY(L.layers[4].query_w != L.layers[0].query_w);  // group 1
        QCOMPARE(L.tensors[L.word].shape, (std::vector<int64_t>{40, 6}));
        QCOMPARE(L.tensors[L.embedding_projection_w].name, std::string("albert.encoder.embedding_hidden_mapping_in.weight"));
        // Each tensor is stored once: 2 groups x 2 inner layers x 16 tensors, plus 7 embedding and 4 head tensors.
        QCOMPARE(int(L.tensors.size()), 2 * 2 * 16 + 7 + 4);
    }

    // Every parameter of a tiny ALBERT in double, dropout on, for each extract mode: the gradient of
    // a shared tensor is the sum over the layers that use it.
    void wholeModel_data() {
        QTest::addColumn<int>("mode");
        QTest::newRow("plain") << int(ExtractMode::None);
        QTest::newRow("soft") << int(ExtractMode::Soft);
        QTest::newRow("hard") << int(ExtractMode::Hard);
    }
    void wholeModel() {
        QFETCH(int, mode);
        const ModelConfig c = tiny_albert();
        TrainableBert model = seeded_trainable_bert(c, 11);
        PassSettings s;
        s.mode = ExtractMode(mode);
        s.keep = {7, 6, 5, 4, 3, 2};
        s.hidden_dropout = 0.1;
        s.attention_dropout = 0.1;
        if (s.mode == ExtractMode::Soft) {
            model.add_retention(12);
            for (int j = 0; j < 6; ++j)
                for (int k = 0; k < 12; ++k)
                    model.at(model.layout.retention[j])[k] = std::max(0.05f, 1.0f - 0.04f * k - 0.05f * j);
        }
        auto batch = tiny_batch();
        std::vector<PassItem> items;
        for (size_t i = 0; i < batch.size(); ++i) items.push_back({&batch[i], 1000 + i});
        std::vector<double> params(model.values.begin(), model.values.end());
        std::vector<double> grads(params.size(), 0.0);
        const double scale = 1.0 / 3.0;
        forward_backward<double>(c, model.layout, params.data(), grads.data(), items, s, scale);
        auto f = [&] {
            return forward_backward<double>(c, model.layout, params.data(), nullptr, items, s, scale).loss_sum * scale;
        };
        double worst = 0;
        std::string worst_name;
        for (const auto& slot : model.layout.tensors) {
            std::vector<double> analytic(grads.begin() + slot.offset, grads.begin() + slot.offset + slot.size);
            const double e = check_entries(params.data() + slot.offset, slot.size, analytic, f, 1e-6, 1e-5);
            if (e > worst) worst = e, worst_name = slot.name;
        }
        qInfo("ALBERT whole model (%s): max relative error %.3g (%s)", QTest::currentDataTag(), worst, worst_name.c_str());
        QVERIFY(worst < 1e-4);
    }

    // The training forward pass (no dropout) equals the inference engine on the saved folder.
    void savedFolderMatchesInferenceEngine() {
        QTemporaryDir dir;
        const fs::path folder = dir.path().toStdString();
        TrainableBert m = seeded_trainable_bert(tiny_albert(), 5);
        save_hf_folder(m, folder);
        TrainableBert back = load_trainable_bert(folder);
        QVERIFY(back.values == m.values);
        QCOMPARE(back.config.num_layers, 6);
        BertModel engine = load_bert_model(folder);
        for (const auto& keep : {std::vector<int>{}, std::vector<int>{7, 6, 4, 4, 3, 2}}) {
            PassSettings s;
            RetentionPlan plan;
            if (!keep.empty()) s.mode = ExtractMode::Hard, s.keep = keep, plan.keep = keep;
            double worst = 0;
            for (const auto& e : tiny_batch()) {
                PassItem item{&e, 0};
                auto out = forward_backward<float>(m.config, m.layout, m.values.data(), nullptr, std::span(&item, 1), s, 1.0f);
                Trace t = run_model(engine, e.ids, e.type_ids, plan);
                for (int k = 0; k < 3; ++k) worst = std::max(worst, double(std::abs(out.logits(0, k) - t.logits[k])));
            }
            QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        }
    }

    // finetune -> search -> retrain on an ALBERT folder tokenized by its spiece.model.
    void threeStepsOnAnAlbertFolder() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        ModelConfig c = tiny_albert(2);
        c.vocab_size = 8000;
        c.embedding_size = 16;
        c.hidden_size = 32;
        c.intermediate_size = 64;
        c.num_layers = 2;
        c.num_hidden_groups = 1;
        c.inner_group_num = 1;
        c.max_position = 64;
        c.id2label = {"negative", "positive"};
        write_seeded_bert_folder(root / "pretrained", c, 3, DType::F32, kSpiece);
        write_text(root / "train.tsv", synthetic_tsv(160, 1));
        write_text(root / "dev.tsv", synthetic_tsv(40, 2));
        StepOptions o;
        o.train_file = root / "train.tsv";
        o.dev_file = root / "dev.tsv";
        o.task = "sst-2";
        o.epochs = 2;
        o.batch = 16;
        o.lr = 1e-3;
        o.max_length = 32;
        o.dropout = false;
        o.model = root / "pretrained";
        o.out = root / "finetuned";
        auto finetune = run_train_step(o);
        o.step = TrainStep::Search;
        o.model = root / "finetuned";
        o.out = root / "search";
        o.lambda = 1e-2;
        o.lr_soft = 5e-2;
        run_train_step(o);
        QVERIFY(fs::exists(root / "search" / "retention.json"));
        o.step = TrainStep::Retrain;
        o.model = root / "search";
        o.out = root / "final";
        auto retrain = run_train_step(o);
        qInfo("finetune: %s\nretrain: %s", finetune.dump().substr(0, 300).c_str(), retrain.dump().substr(0, 300).c_str());

        const ModelFolder final_model = load_model_folder(root / "final");
        QVERIFY(final_model.model.config.is_albert());
        QCOMPARE(std::string(final_model.tokenizer->kind()), std::string("SentencePiece"));
        QVERIFY(final_model.retention.has_value());
        const Encoding e = final_model.encode("the film was a long day and wonderful");
        Trace t = run_model(final_model.model, e.ids, e.type_ids, *final_model.retention);
        QCOMPARE(int(t.layers.size()), 2);
        QCOMPARE(int(t.probabilities.size()), 2);
    }
};

QTEST_APPLESS_MAIN(TestAlbertTraining)
#include "test_albert_training.moc"
