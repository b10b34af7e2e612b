// End to end on a task the test generates: a tiny BERT learns "does token 7 occur?", the
// configuration search shrinks the configuration as lambda grows, re-training with Extract keeps
// the accuracy; plus save/load round trips, agreement with the inference engine, reproducibility
// and resumable checkpoints.
#include "core/bert_model.h"
#include "core/model_folder.h"
#include "core/train/adamw.h"
#include "core/train/batch_gradients.h"
#include "core/train/distillation.h"
#include "core/train/training_loop.h"
#include "core/train/training_steps.h"
#include "tests/shared/tiny_bert_config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <numeric>
#include <random>

using namespace pb;
using namespace pb::train;

namespace {

constexpr int32_t kMarker = 7;

ModelConfig tiny_config() {
    ModelConfig c = pb_test::two_layer_config(50);
    c.id2label = {"absent", "present"};
    return c;
}

// [CLS]=1, 4..13 random tokens from 3..49 without the marker, [SEP]=2; half get the marker.
std::vector<TrainExample> synthetic(size_t count, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<TrainExample> out;
    for (size_t i = 0; i < count; ++i) {
        TrainExample e;
        const int n = 4 + int(rng() % 10);
        e.ids.push_back(1);
        for (int k = 0; k < n; ++k) {
            int32_t id;
            do id = 3 + int32_t(rng() % 47);
            while (id == kMarker);
            e.ids.push_back(id);
        }
        const bool present = rng() % 2;
        if (present) e.ids[1 + rng() % n] = kMarker;
        e.ids.push_back(2);
        e.type_ids.assign(e.ids.size(), 0);
        e.label = present ? 1.0f : 0.0f;
        out.push_back(std::move(e));
    }
    return out;
}

TrainSettings finetune_settings() {
    TrainSettings s;
    s.epochs = 4;
    s.batch = 16;
    s.lr_bert = 2e-3;
    s.seed = 5;
    return s;
}

// Re-training with Extract at `keep` (the fine-tuned model's settings, a smaller learning rate).
TrainSettings retrain_settings(std::vector<int> keep, int epochs) {
    TrainSettings s = finetune_settings();
    s.mode = ExtractMode::Hard;
    s.keep = std::move(keep);
    s.epochs = epochs;
    s.lr_bert = 5e-4;
    return s;
}

// A fine-tuned tiny model, trained once for the whole suite.
TrainableBert& finetuned() {
    static TrainableBert model = [] {
        TrainableBert m = seeded_trainable_bert(tiny_config(), 3);
        train_model(m, synthetic(1200, 1), synthetic(200, 2), finetune_settings());
        return m;
    }();
    return model;
}

}  // namespace

class TestTrainSynthetic : public QObject {
    Q_OBJECT

private slots:
    void scheduleAndPenalty() {
        auto s = make_schedule(100);
        QCOMPARE(s.warmup_steps, int64_t(10));
        QCOMPARE(s.factor(5), 0.5);
        QCOMPARE(s.factor(10), 1.0);
        QCOMPARE(s.factor(55), 0.5);
        QCOMPARE(s.factor(100), 0.0);
        TrainableBert m = seeded_trainable_bert(tiny_config(), 1);
        m.add_retention(4);
        std::vector<float> grads(m.layout.total, 0.0f);
        const double penalty = add_retention_penalty(m.layout, m.values, grads, 0.5);
        QCOMPARE(penalty, 0.5 * 1 * 4 + 0.5 * 2 * 4);
        QCOMPARE(grads[m.layout.offset(m.layout.retention[1])], 1.0f);
        m.values[m.layout.offset(m.layout.retention[0])] = 1.5f;
        m.values[m.layout.offset(m.layout.retention[0]) + 1] = -0.5f;
        clip_retention(m.layout, m.values);
        QCOMPARE(m.values[m.layout.offset(m.layout.retention[0])], 1.0f);
        QCOMPARE(m.values[m.layout.offset(m.layout.retention[0]) + 1], 0.0f);
        QCOMPARE(configuration_from_mass(std::vector<double>{7.9, 8.5, 0.2, 3.0}, 10), (std::vector<int>{7, 7, 1, 1}));
    }

    // Adam on a quadratic matches the closed form of the first steps.
    void adamStep() {
        ParameterLayout L = make_parameter_layout(tiny_config(), 0);
        std::vector<float> values(L.total, 1.0f), grads(L.total, 0.5f);
        AdamW adam(L, AdamOptions{});
        adam.update(L, values, grads, 0.1, 0.0);
        // m_hat = g, v_hat = g^2: the step is lr * g / (|g| + eps).
        QVERIFY(std::abs(values[0] - (1.0f - 0.1f * 0.5f / (0.5f + 1e-6f))) < 1e-6);
    }

    void parallelGradientsMatchOnePass() {
        TrainableBert m = seeded_trainable_bert(tiny_config(), 4);
        auto data = synthetic(9, 7);
        std::vector<PassItem> items;
        for (size_t i = 0; i < data.size(); ++i) items.push_back({&data[i], 100 + i});
        PassSettings s;
        s.hidden_dropout = s.attention_dropout = 0.1;
        std::vector<float> one(m.layout.total, 0.0f), chunked(m.layout.total, 0.0f);
        auto a = forward_backward<float>(m.config, m.layout, m.values.data(), one.data(), items, s, 1.0f / 9);
        BatchGradients gradients(2);
        auto b = gradients.accumulate(m, items, s, 1.0f / 9, chunked);
        QVERIFY(std::abs(a.loss_sum - b.loss_sum) < 1e-4);
        double worst = 0, top = 0;
        for (size_t i = 0; i < one.size(); ++i) {
            worst = std::max(worst, double(std::abs(one[i] - chunked[i])));
            top = std::max(top, double(std::abs(one[i])));
        }
        QVERIFY2(worst <= 1e-5 * top, qPrintable(QString::number(worst / top)));
    }

    void learnsSyntheticTask() {
        const auto start = std::chrono::steady_clock::now();
        TrainableBert& m = finetuned();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto [name, accuracy] = evaluate(m, synthetic(400, 3), PassSettings{}, GlueTask::Generic);
        qInfo("fine-tuned on 1200 synthetic examples x 4 epochs in %.2f s: held-out %s %.4f", seconds, name.c_str(), accuracy);
        QVERIFY(accuracy >= 0.95);
    }

    // The training forward pass (no dropout) gives what the inference engine gives on the saved folder,
    // for the full model and for Extract at a configuration.
    void savedFolderMatchesInferenceEngine() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        TrainableBert& m = finetuned();
        save_hf_folder(m, folder);
        TrainableBert back = load_trainable_bert(folder);
        QVERIFY(back.values == m.values);
        BertModel engine = load_bert_model(folder);
        auto data = synthetic(20, 9);
        for (const auto& keep : {std::vector<int>{}, std::vector<int>{6, 3}}) {
            PassSettings s;
            RetentionPlan plan;
            if (!keep.empty()) s.mode = ExtractMode::Hard, s.keep = keep, plan.keep = keep;
            double worst = 0;
            for (const auto& e : data) {
                PassItem item{&e, 0};
                auto out = forward_backward<float>(m.config, m.layout, m.values.data(), nullptr, std::span(&item, 1), s, 1.0f);
                Trace t = run_model(engine, e.ids, e.type_ids, plan);
                for (int k = 0; k < 2; ++k) worst = std::max(worst, double(std::abs(out.logits(0, k) - t.logits[k])));
            }
            qInfo("training forward vs inference engine (%s): max logit difference %.3g", keep.empty() ? "full" : "Extract 6,3", worst);
            QVERIFY(worst < 1e-4);
        }
    }

    void searchShrinksWithLambda() {
        auto train = synthetic(600, 11), dev = synthetic(200, 12);
        std::vector<int> totals;
        for (double lambda : {0.0, 2e-3, 2e-2}) {
            TrainableBert m = finetuned();
            m.add_retention(16);
            TrainSettings s;
            s.mode = ExtractMode::Soft;
            s.epochs = 2;
            s.batch = 16;
            s.lr_bert = 5e-4;
            s.lr_retention = 2e-2;
            s.lambda = lambda;
            s.seed = 8;
            auto outcome = train_model(m, train, dev, s);
            auto keep = configuration_from_mass(m.retention_mass(), 16);
            PassSettings hard;
            hard.mode = ExtractMode::Hard;
            hard.keep = keep;
            const double hard_accuracy = evaluate(m, dev, hard, GlueTask::Generic).second;
            totals.push_back(std::accumulate(keep.begin(), keep.end(), 0));
            qInfo("lambda %g: mass [%.2f, %.2f] -> keep [%d, %d] (total %d), soft accuracy %.3f, Extract accuracy %.3f",
                  lambda, m.retention_mass()[0], m.retention_mass()[1], keep[0], keep[1], totals.back(),
                  outcome.epochs.back().dev_metric, hard_accuracy);
        }
        QVERIFY(totals[1] <= totals[0]);
        QVERIFY(totals[2] <= totals[1]);
        QVERIFY(totals[2] < totals[0]);
    }

    void retrainWithExtract() {
        TrainableBert m = finetuned();
        auto outcome = train_model(m, synthetic(600, 13), synthetic(200, 14), retrain_settings({4, 2}, 2));
        qInfo("re-trained with Extract 4,2: dev accuracy %.3f", outcome.best_metric);
        QVERIFY(outcome.best_metric >= 0.9);
    }

    // Distillation: a teacher that puts all its probability on the labels, at T = 1, makes the loss
    // the labels' (1/2 g + 1/2 g = g exactly), so training is the same bit for bit as without one;
    // the fine-tuned model as teacher at T = 2 changes the weights and the Extract model still
    // learns the task.
    void retrainWithDistillation() {
        TrainSettings s = retrain_settings({4, 2}, 1);
        auto train = synthetic(300, 13);
        const auto dev = synthetic(200, 14);
        TrainableBert plain = finetuned(), onehot_teacher = finetuned(), weight_half = finetuned();
        train_model(plain, train, dev, s);
        for (auto& e : train) e.target = e.label ? std::vector<float>{0, 1} : std::vector<float>{1, 0};
        s.distill.weight = 0.5;
        train_model(onehot_teacher, train, dev, s);
        QVERIFY(onehot_teacher.values == plain.values);
        attach_teacher_targets(train, teacher_logits(finetuned(), train), 2.0);
        s.distill.temperature = 2;
        s.epochs = 2;
        auto outcome = train_model(weight_half, train, dev, s);
        qInfo("re-trained with Extract 4,2 and the fine-tuned model as teacher (weight 0.5, T = 2): dev accuracy %.3f",
              outcome.best_metric);
        QVERIFY(weight_half.values != plain.values);
        QVERIFY(outcome.best_metric >= 0.9);
    }

    // Training with a full pass alongside. Where Extract keeps every word vector (16 >= any length
    // here) the two passes are the same computation, so the loss and the weights must equal plain
    // re-training's (1/2 g + 1/2 g = g; up to float rounding, as the halves are summed in another
    // order). At Extract 2,1 both the Extract model and the same weights without elimination keep
    // the task. Only Extract training may ask for it.
    void retrainWithAFullPassAlongside() {
        TrainSettings s = retrain_settings({16, 16}, 1);
        const auto train = synthetic(300, 13), dev = synthetic(200, 14);
        TrainableBert plain = finetuned(), joint = finetuned();
        const auto plain_outcome = train_model(plain, train, dev, s);
        s.with_full_pass = true;
        const auto joint_outcome = train_model(joint, train, dev, s);
        const double plain_loss = plain_outcome.epochs[0].train_loss, joint_loss = joint_outcome.epochs[0].train_loss;
        QVERIFY2(std::abs(joint_loss - plain_loss) <= 1e-6 * plain_loss, qPrintable(QString::number(joint_loss - plain_loss)));
        float drift = 0;
        for (size_t i = 0; i < plain.values.size(); ++i) drift = std::max(drift, std::abs(joint.values[i] - plain.values[i]));
        qInfo("full pass alongside where Extract keeps everything: loss %.9g vs %.9g, largest weight difference %.3g",
              joint_loss, plain_loss, drift);
        QVERIFY(drift < 1e-4f);

        s.keep = {2, 1};
        s.epochs = 2;
        TrainableBert m = finetuned();
        const auto outcome = train_model(m, train, dev, s);
        const double extract = outcome.best_metric;
        const double full = evaluate(m, dev, PassSettings{}, GlueTask::Generic).second;
        // Each epoch records the dev metric without elimination too; the last one is the final weights'.
        QVERIFY(outcome.epochs.back().full_dev_metric.has_value());
        QCOMPARE(*outcome.epochs.back().full_dev_metric, full);
        QVERIFY(!plain_outcome.epochs[0].full_dev_metric.has_value());
        qInfo("re-trained with Extract 2,1 and a full pass alongside: dev accuracy %.3f with Extract, %.3f without",
              extract, full);
        QVERIFY(extract >= 0.9 && full >= 0.9);
        s.mode = ExtractMode::None;
        QVERIFY_EXCEPTION_THROWN(train_model(m, synthetic(16, 1), dev, s), pb::Error);
    }

    // The observer: one record per optimizer step, numbered, with its batch size, a loss whose
    // example-weighted mean is the epoch's loss and masses that end at the model's; one record per epoch
    // equal to the outcome's.
    void observerSeesEveryStepAndEpoch() {
        TrainableBert m = seeded_trainable_bert(tiny_config(), 3);
        m.add_retention(16);
        TrainSettings s = finetune_settings();
        s.mode = ExtractMode::Soft, s.epochs = 2, s.batch = 16, s.lambda = 1e-3, s.lr_retention = 1e-2;
        std::vector<StepRecord> steps;
        std::vector<EpochRecord> epochs;
        TrainObserver observer{[&](const StepRecord& r) { steps.push_back(r); },
                               [&](const EpochRecord& r) { epochs.push_back(r); }};
        auto outcome = train_model(m, synthetic(40, 31), synthetic(16, 32), s, {}, {}, {}, observer);
        QCOMPARE(steps.size(), size_t(6));  // ceil(40 / 16) = 3 per epoch
        const std::vector<size_t> sizes{16, 16, 8, 16, 16, 8};
        for (size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].step, int64_t(i + 1));
            QCOMPARE(steps[i].total_steps, int64_t(6));
            QCOMPARE(steps[i].epoch, int(i / 3) + 1);
            QCOMPARE(steps[i].examples, sizes[i]);
            QCOMPARE(steps[i].mass.size(), size_t(2));
        }
        QCOMPARE(epochs.size(), size_t(2));
        for (int e = 0; e < 2; ++e) {
            double weighted = 0;
            for (int i = 3 * e; i < 3 * e + 3; ++i) weighted += steps[i].loss * double(steps[i].examples);
            QVERIFY(std::abs(weighted / 40 - epochs[e].train_loss) < 1e-12);
            QCOMPARE(epochs[e].dev_metric, outcome.epochs[e].dev_metric);
            QCOMPARE(epochs[e].mass, outcome.epochs[e].mass);
            QCOMPARE(steps[3 * e + 2].mass, epochs[e].mass);
        }
        QCOMPARE(steps.back().mass, m.retention_mass());
    }

    // A one-step epoch sees the whole training set, so its loss is the mean loss of a plain forward pass
    // at the initial weights (no dropout).
    void stepLossIsTheBatchMeanLoss() {
        auto train = synthetic(24, 33);
        TrainableBert m = seeded_trainable_bert(tiny_config(), 3);
        std::vector<PassItem> items;
        for (const auto& e : train) items.push_back({&e, 0});
        const double expected =
            forward_backward<float>(m.config, m.layout, m.values.data(), nullptr, items, PassSettings{}, 1.0f).loss_sum / 24;
        TrainSettings s = finetune_settings();
        s.epochs = 1, s.batch = 24, s.dropout = false;
        std::vector<StepRecord> steps;
        train_model(m, train, synthetic(8, 34), s, {}, {}, {}, TrainObserver{[&](const StepRecord& r) { steps.push_back(r); }, {}});
        QCOMPARE(steps.size(), size_t(1));
        QVERIFY2(std::abs(steps[0].loss - expected) < 1e-5 * expected, qPrintable(QString::number(steps[0].loss - expected)));
        QVERIFY(steps[0].mass.empty());
    }

    void reproducibleAndResumable() {
        QTemporaryDir dir;
        auto train = synthetic(96, 21), dev = synthetic(32, 22);
        TrainSettings s = finetune_settings();
        s.epochs = 2;
        s.checkpoint_dir = std::filesystem::path(dir.path().toStdString()) / "ckpt";
        s.mode = ExtractMode::Soft;
        s.lambda = 1e-3;
        s.lr_retention = 1e-2;
        TrainableBert a = seeded_trainable_bert(tiny_config(), 3), b = a, c = a;
        a.add_retention(16), b.add_retention(16), c.add_retention(16);
        TrainSettings plain = s;
        plain.checkpoint_dir.clear();
        const auto uninterrupted = train_model(a, train, dev, plain);
        train_model(b, train, dev, plain);
        QVERIFY(a.values == b.values);  // same seed, same bits

        // Interrupt after 8 steps (in the second epoch), then resume from the checkpoint: the same final weights.
        int calls = 0;
        bool cancelled = false;
        try {
            train_model(c, train, dev, s, [&](size_t, size_t, std::string_view) { return ++calls < 8; });
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        TrainableBert d = seeded_trainable_bert(tiny_config(), 3);
        d.add_retention(16);
        std::vector<EpochRecord> replayed;
        int64_t firstStep = 0;
        TrainObserver observer{[&](const StepRecord& r) { firstStep = firstStep ? firstStep : r.step; },
                               [&](const EpochRecord& r) { replayed.push_back(r); }};
        auto outcome = train_model(d, train, dev, s, {}, {}, {}, observer);
        QVERIFY(outcome.resumed);
        QCOMPARE(firstStep, int64_t(9));  // the cancelled 8th step is in the checkpoint
        // Every epoch once: the first replayed from the checkpoint, the second run now.
        QCOMPARE(replayed.size(), size_t(2));
        QCOMPARE(replayed[1].dev_metric, outcome.epochs[1].dev_metric);
        // The replayed epoch is the one the interrupted run finished: as the uninterrupted run saw it.
        for (size_t e = 0; e < 2; ++e) {
            QCOMPARE(replayed[e].dev_metric, uninterrupted.epochs[e].dev_metric);
            QVERIFY2(replayed[e].train_loss == uninterrupted.epochs[e].train_loss, qPrintable(QString("epoch %1").arg(e + 1)));
            QCOMPARE(replayed[e].mass, uninterrupted.epochs[e].mass);
        }
        size_t differ = 0;
        double worst = 0;
        for (size_t i = 0; i < a.values.size(); ++i)
            if (a.values[i] != d.values[i]) ++differ, worst = std::max(worst, double(std::abs(a.values[i] - d.values[i])));
        qInfo("resumed vs uninterrupted: %zu of %zu values differ (max %.3g)", differ, a.values.size(), worst);
        QVERIFY(d.values == a.values);
    }
};

QTEST_GUILESS_MAIN(TestTrainSynthetic)
#include "test_train_synthetic.moc"
