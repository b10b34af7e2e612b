// Gradient checks of the training engine: every op and the whole model against central finite
// differences (in double), and one mini-batch against PyTorch autograd
// (tools/make_training_fixtures.py, float64 reference).
#include "core/safetensors.h"
#include "core/train/activation_grad.h"
#include "core/train/attention_grad.h"
#include "core/train/bert_backprop.h"
#include "core/train/embedding_grad.h"
#include "core/train/extract_grad.h"
#include "core/train/layer_norm_grad.h"
#include "core/train/linear_grad.h"
#include "core/train/parameter_store.h"
#include "core/train/task_head_grad.h"
#include "finite_differences.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <random>

using namespace pb;
using namespace pb::train;
using MatD = Mat<double>;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(POWERBERT_FIXTURES) / "training";

MatD random_matrix(int rows, int cols, std::mt19937_64& rng, double scale = 1.0) {
    std::uniform_real_distribution<double> u(-scale, scale);
    MatD m(rows, cols);
    for (int i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
    return m;
}

std::vector<double> as_vector(const MatD& m) { return std::vector<double>(m.data(), m.data() + m.size()); }

// A fixed random linear functional of the output: loss = sum(out .* weights).
double weighted_sum(const MatD& out, const MatD& weights) { return out.cwiseProduct(weights).sum(); }

nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in);
}

ModelConfig tiny_config(int labels = 3) {
    ModelConfig c;
    c.vocab_size = 40;
    c.hidden_size = 16;
    c.num_layers = 2;
    c.num_heads = 2;
    c.intermediate_size = 32;
    c.max_position = 16;
    c.num_labels = labels;
    c.regression = labels == 1;
    return c;
}

std::vector<TrainExample> tiny_batch() {
    return {{{2, 17, 5, 33, 8, 21, 3}, {0, 0, 0, 0, 0, 0, 0}, 1},
            {{2, 9, 30, 3, 12, 7, 25, 14, 3}, {0, 0, 0, 0, 1, 1, 1, 1, 1}, 2},
            {{2, 4, 38, 11, 3}, {0, 0, 0, 0, 0}, 0}};
}

}  // namespace

class TestTrainGradients : public QObject {
    Q_OBJECT

private slots:
    void linearLayer() {
        std::mt19937_64 rng(1);
        MatD x = random_matrix(5, 7, rng), w = random_matrix(4, 7, rng), b = random_matrix(1, 4, rng),
             probe = random_matrix(5, 4, rng);
        auto f = [&] {
            MatD y(5, 4);
            linear_forward<double>(y, x, w.data(), b.data(), 4, 7);
            return weighted_sum(y, probe);
        };
        MatD dw = MatD::Zero(4, 7), db = MatD::Zero(1, 4), dx(5, 7);
        MatRef<double> dx_ref(dx);
        linear_backward<double>(probe, x, w.data(), 4, 7, dw.data(), db.data(), &dx_ref, false);
        double e = std::max({check_entries(x.data(), x.size(), as_vector(dx), f),
                             check_entries(w.data(), w.size(), as_vector(dw), f),
                             check_entries(b.data(), b.size(), as_vector(db), f)});
        qInfo("linear: max relative error %.3g", e);
        QVERIFY(e < 1e-6);
    }

    void layerNorm() {
        std::mt19937_64 rng(2);
        MatD x = random_matrix(4, 9, rng, 2.0), g = random_matrix(1, 9, rng), b = random_matrix(1, 9, rng),
             probe = random_matrix(4, 9, rng);
        auto f = [&] {
            MatD y(4, 9);
            LayerNormCache<double> c;
            layer_norm_forward<double>(y, x, g.data(), b.data(), 1e-12, c);
            return weighted_sum(y, probe);
        };
        MatD y(4, 9), dx(4, 9), dg = MatD::Zero(1, 9), db = MatD::Zero(1, 9);
        LayerNormCache<double> cache;
        layer_norm_forward<double>(y, x, g.data(), b.data(), 1e-12, cache);
        layer_norm_backward<double>(dx, probe, g.data(), cache, dg.data(), db.data());
        double e = std::max({check_entries(x.data(), x.size(), as_vector(dx), f),
                             check_entries(g.data(), g.size(), as_vector(dg), f),
                             check_entries(b.data(), b.size(), as_vector(db), f)});
        qInfo("layer norm: max relative error %.3g", e);
        QVERIFY(e < 1e-6);
    }

    void activations() {
        for (Activation a : {Activation::Gelu, Activation::GeluTanh}) {
            std::mt19937_64 rng(3);
            MatD x = random_matrix(3, 11, rng, 3.0), probe = random_matrix(3, 11, rng);
            auto f = [&] {
                MatD y(3, 11);
                activation_forward<double>(y, x, a);
                return weighted_sum(y, probe);
            };
            MatD dx(3, 11);
            activation_backward<double>(dx, probe, x, a);
            double e = check_entries(x.data(), x.size(), as_vector(dx), f);
            qInfo("activation %d: max relative error %.3g", int(a), e);
            QVERIFY(e < 1e-6);
        }
        // Float GELU (Eigen's vectorised erf) agrees with the double one.
        std::mt19937_64 rng(4);
        MatD x = random_matrix(8, 64, rng, 5.0);
        Mat<float> xf = x.cast<float>(), yf(8, 64), dyf = Mat<float>::Ones(8, 64), dxf(8, 64);
        MatD y(8, 64), dx(8, 64), ones = MatD::Ones(8, 64);
        activation_forward<float>(yf, xf, Activation::Gelu);
        activation_forward<double>(y, xf.cast<double>(), Activation::Gelu);
        activation_backward<float>(dxf, dyf, xf, Activation::Gelu);
        activation_backward<double>(dx, ones, xf.cast<double>(), Activation::Gelu);
        QVERIFY((yf.cast<double>() - y).cwiseAbs().maxCoeff() < 1e-5);
        QVERIFY((dxf.cast<double>() - dx).cwiseAbs().maxCoeff() < 1e-5);
    }

    void attentionWithDropout() {
        for (double p : {0.0, 0.3}) {
            std::mt19937_64 rng(5);
            const int n = 6, H = 8, heads = 2;
            MatD q = random_matrix(n, H, rng), k = random_matrix(n, H, rng), v = random_matrix(n, H, rng),
                 probe = random_matrix(n, H, rng);
            auto f = [&] {
                MatD ctx(n, H);
                AttentionCache<double> c;
                attention_forward<double>(ctx, q, k, v, heads, p, 77, c);
                return weighted_sum(ctx, probe);
            };
            MatD ctx(n, H), dq(n, H), dk(n, H), dv(n, H);
            AttentionCache<double> cache;
            attention_forward<double>(ctx, q, k, v, heads, p, 77, cache);
            attention_backward<double>(probe, q, k, v, heads, cache, dq, dk, dv);
            double e = std::max({check_entries(q.data(), q.size(), as_vector(dq), f),
                                 check_entries(k.data(), k.size(), as_vector(dk), f),
                                 check_entries(v.data(), v.size(), as_vector(dv), f)});
            qInfo("attention (dropout %.1f): max relative error %.3g", p, e);
            QVERIFY(e < 1e-6);
        }
    }

    void embeddings() {
        std::mt19937_64 rng(6);
        const int H = 5;
        MatD word = random_matrix(7, H, rng), pos = random_matrix(6, H, rng), type = random_matrix(2, H, rng);
        std::vector<int32_t> ids = {1, 4, 4, 0, 6}, types = {0, 0, 1, 1, 1};
        MatD probe = random_matrix(5, H, rng);
        auto f = [&] {
            MatD out(5, H);
            embedding_forward<double>(out, ids, types, word.data(), pos.data(), type.data(), H);
            return weighted_sum(out, probe);
        };
        MatD dw = MatD::Zero(7, H), dp = MatD::Zero(6, H), dt = MatD::Zero(2, H);
        embedding_backward<double>(probe, ids, types, dw.data(), dp.data(), dt.data(), H);
        double e = std::max({check_entries(word.data(), word.size(), as_vector(dw), f),
                             check_entries(pos.data(), pos.size(), as_vector(dp), f),
                             check_entries(type.data(), type.size(), as_vector(dt), f)});
        qInfo("embeddings: max relative error %.3g", e);
        QVERIFY(e < 1e-6);
    }

    void extractLayers() {
        std::mt19937_64 rng(7);
        const int n = 7, H = 4;
        MatD x = random_matrix(n, H, rng), r = random_matrix(1, 10, rng, 1.0).cwiseAbs();
        std::vector<double> sig = {0.3, 0.9, 0.1, 0.9, 0.5, 0.05, 0.7};
        const auto order = significance_order<double>(sig);
        QCOMPARE(order, (std::vector<int>{1, 3, 6, 4, 0, 2, 5}));
        const auto rows = extract_rows<double>(sig, 4);
        QCOMPARE(rows, (std::vector<int>{0, 1, 3, 6}));
        MatD probe = random_matrix(n, H, rng);
        auto soft = [&] {
            MatD out(n, H);
            soft_extract_forward<double>(out, x, order, r.data());
            return weighted_sum(out, probe);
        };
        MatD dx(n, H), dr = MatD::Zero(1, 10);
        soft_extract_backward<double>(dx, probe, x, order, r.data(), dr.data());
        double e = std::max(check_entries(x.data(), x.size(), as_vector(dx), soft),
                            check_entries(r.data(), r.size(), as_vector(dr), soft));
        MatD probe_hard = random_matrix(4, H, rng);
        auto hard = [&] {
            MatD out(4, H);
            hard_extract_forward<double>(out, x, rows);
            return weighted_sum(out, probe_hard);
        };
        MatD dxh(n, H);
        hard_extract_backward<double>(dxh, probe_hard, rows);
        e = std::max(e, check_entries(x.data(), x.size(), as_vector(dxh), hard));
        QCOMPARE(dxh.row(2).cwiseAbs().sum(), 0.0);  // an eliminated row gets no gradient
        qInfo("extract layers: max relative error %.3g", e);
        QVERIFY(e < 1e-6);
    }

    void taskHeads() {
        for (int labels : {3, 1}) {
            std::mt19937_64 rng(8);
            const int H = 6, rows = 3;
            MatD cls = random_matrix(rows, H, rng), pw = random_matrix(H, H, rng), pb_ = random_matrix(1, H, rng),
                 cw = random_matrix(labels, H, rng), cb = random_matrix(1, labels, rng);
            std::vector<float> y = labels == 1 ? std::vector<float>{0.5f, 2.0f, -1.0f} : std::vector<float>{2, 0, 1};
            std::vector<uint64_t> keys = {1, 2, 3};
            auto f = [&] {
                HeadCache<double> c;
                head_forward<double>(cls, pw.data(), pb_.data(), cw.data(), cb.data(), labels, 0.2, keys, c);
                MatD d;
                return head_loss<double>(c.logits, y, labels == 1, 0.5, d) * 0.5;
            };
            HeadCache<double> cache;
            head_forward<double>(cls, pw.data(), pb_.data(), cw.data(), cb.data(), labels, 0.2, keys, cache);
            MatD dlogits, dcls;
            head_loss<double>(cache.logits, y, labels == 1, 0.5, dlogits);
            MatD dpw = MatD::Zero(H, H), dpb = MatD::Zero(1, H), dcw = MatD::Zero(labels, H), dcb = MatD::Zero(1, labels);
            head_backward<double>(dlogits, cache, pw.data(), cw.data(), labels, dpw.data(), dpb.data(), dcw.data(),
                                  dcb.data(), dcls);
            double e = std::max({check_entries(cls.data(), cls.size(), as_vector(dcls), f),
                                 check_entries(pw.data(), pw.size(), as_vector(dpw), f),
                                 check_entries(pb_.data(), pb_.size(), as_vector(dpb), f),
                                 check_entries(cw.data(), cw.size(), as_vector(dcw), f),
                                 check_entries(cb.data(), cb.size(), as_vector(dcb), f)});
            qInfo("head (%s): max relative error %.3g", labels == 1 ? "MSE" : "cross-entropy", e);
            QVERIFY(e < 1e-6);
        }
    }

    // The whole model in double, every parameter (and r), with dropout on (fixed seeds make the
    // loss a deterministic function), for each extract mode.
    void wholeModel_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("labels");
        QTest::newRow("plain") << int(ExtractMode::None) << 3;
        QTest::newRow("regression") << int(ExtractMode::None) << 1;
        QTest::newRow("soft") << int(ExtractMode::Soft) << 3;
        QTest::newRow("hard") << int(ExtractMode::Hard) << 3;
    }
    void wholeModel() {
        QFETCH(int, mode);
        QFETCH(int, labels);
        const ModelConfig c = tiny_config(labels);
        TrainableBert model = seeded_trainable_bert(c, 11);
        PassSettings s;
        s.mode = ExtractMode(mode);
        s.keep = {5, 3};
        s.hidden_dropout = 0.1;
        s.attention_dropout = 0.1;
        if (s.mode == ExtractMode::Soft) {
            model.add_retention(12);
            for (int j = 0; j < 2; ++j)
                for (int k = 0; k < 12; ++k) model.at(model.layout.retention[j])[k] = std::max(0.05f, 1.0f - 0.04f * k - 0.1f * j);
        }
        auto batch = tiny_batch();
        if (labels == 1) batch[0].label = 0.5f, batch[1].label = 3.25f, batch[2].label = 1.75f;
        std::vector<PassItem> items;
        for (size_t i = 0; i < batch.size(); ++i) items.push_back({&batch[i], 1000 + i});
        std::vector<double> params(model.values.begin(), model.values.end());
        std::vector<double> grads(params.size(), 0.0);
        const double scale = 1.0 / 3.0;
        forward_backward<double>(c, model.layout, params.data(), grads.data(), items, s, scale);
        auto f = [&] { return forward_backward<double>(c, model.layout, params.data(), nullptr, items, s, scale).loss_sum * scale; };
        // Every parameter of a tiny model is checked. Gradients below 1e-6 (e.g. the key biases, whose
        // true gradient is 0: softmax ignores a constant added to a row of scores) are compared in
        // absolute terms against that floor, where finite differences are only noise.
        double worst = 0;
        std::string worst_name;
        for (const auto& slot : model.layout.tensors) {
            std::vector<double> analytic(grads.begin() + slot.offset, grads.begin() + slot.offset + slot.size);
            double e = check_entries(params.data() + slot.offset, slot.size, analytic, f, 1e-6, 1e-5);
            if (e > worst) worst = e, worst_name = slot.name;
        }
        qInfo("whole model (%s): max relative error %.3g (%s)", QTest::currentDataTag(), worst, worst_name.c_str());
        QVERIFY(worst < 1e-4);
    }

    // Pre-training: the masked-LM head with its decoder tied to the word embeddings, so the word
    // embeddings get gradient both from the lookup and from the decoder.
    void wholeModelMaskedLm() {
        const ModelConfig c = tiny_config();
        TrainableBert model = seeded_trainable_bert(c, 12);
        model.layout = make_parameter_layout(c, 0, true);
        model.values.resize(model.layout.total);
        init_masked_lm_head(model, 5);
        std::mt19937_64 rng(3);
        for (int slot : {model.layout.masked_lm->dense_b, model.layout.masked_lm->norm_g, model.layout.masked_lm->bias})
            for (size_t k = 0; k < model.layout.tensors[slot].size; ++k)
                model.at(slot)[k] += float(int(rng() % 200) - 100) / 500.0f;
        auto batch = tiny_batch();
        batch[0].mlm_targets = {-1, 17, -1, -1, 8, -1, -1};
        batch[1].mlm_targets = {-1, -1, 30, -1, -1, -1, 25, -1, -1};
        batch[2].mlm_targets = {-1, -1, 38, 11, -1};
        batch[0].ids[1] = batch[1].ids[2] = batch[2].ids[3] = 39;  // "[MASK]"
        std::vector<PassItem> items;
        for (size_t i = 0; i < batch.size(); ++i) items.push_back({&batch[i], 2000 + i});
        PassSettings s;
        s.masked_lm = true;
        s.hidden_dropout = 0.1;
        s.attention_dropout = 0.1;
        std::vector<double> params(model.values.begin(), model.values.end());
        std::vector<double> grads(params.size(), 0.0);
        const double scale = 1.0 / 3.0;
        auto out = forward_backward<double>(c, model.layout, params.data(), grads.data(), items, s, scale);
        QCOMPARE(out.mlm_rows, int64_t(6));
        auto f = [&] { return forward_backward<double>(c, model.layout, params.data(), nullptr, items, s, scale).loss_sum * scale; };
        double worst = 0;
        std::string worst_name;
        for (const auto& slot : model.layout.tensors) {
            std::vector<double> analytic(grads.begin() + slot.offset, grads.begin() + slot.offset + slot.size);
            // The key biases' true gradient is 0 (softmax ignores a constant added to a row of
            // scores): there finite differences of this larger loss are only noise near 1e-10.
            const double floor = slot.name.ends_with("key.bias") ? 1e-5 : 1e-6;
            double e = check_entries(params.data() + slot.offset, slot.size, analytic, f, floor, 1e-5);
            if (e > worst) worst = e, worst_name = slot.name;
        }
        qInfo("whole model (masked LM): max relative error %.3g (%s)", worst, worst_name.c_str());
        QVERIFY(worst < 1e-4);
        // The decoder really reaches the word embeddings: the row of token 1, which occurs nowhere in
        // the batch, still gets gradient.
        double unseen = 0;
        for (int k = 0; k < c.hidden_size; ++k) unseen += std::abs(grads[model.layout.offset(model.layout.word) + size_t(1) * c.hidden_size + k]);
        QVERIFY(unseen > 0);
    }

    // One mini-batch against PyTorch autograd (float64 reference): the float engine within 1e-3
    // relative (per tensor: max |a - e| / max |e|), the double engine within 1e-6.
    void againstPyTorch_data() {
        QTest::addColumn<QString>("name");
        for (const char* n : {"plain", "regression", "soft", "hard"}) QTest::newRow(n) << QString(n);
    }
    void againstPyTorch() {
        QFETCH(QString, name);
        const auto folder = kFixtures / name.toStdString();
        const auto expected = read_json(folder / "expected.json");
        const ModelConfig c = parse_model_config(expected["config"], "expected.json");
        TrainableBert model = seeded_trainable_bert(c, expected["seed"].get<uint64_t>(), 0, 0);
        PassSettings s;
        const std::string mode = expected["mode"];
        double lambda = expected["lambda"];
        if (mode == "soft") {
            s.mode = ExtractMode::Soft;
            model.add_retention(expected["retention_length"]);
            for (int j = 0; j < c.num_layers; ++j)
                for (size_t k = 0; k < expected["r"][j].size(); ++k)
                    model.at(model.layout.retention[j])[k] = expected["r"][j][k].get<float>();
        } else if (mode == "hard") {
            s.mode = ExtractMode::Hard;
            s.keep = expected["keep"].get<std::vector<int>>();
        }
        std::vector<TrainExample> batch;
        for (const auto& e : expected["batch"])
            batch.push_back({e["ids"].get<std::vector<int32_t>>(), e["type_ids"].get<std::vector<int32_t>>(), e["label"].get<float>()});
        std::vector<PassItem> items;
        for (auto& e : batch) items.push_back({&e, 0});
        SafetensorsFile reference(folder / "gradients.safetensors");
        const double scale = 1.0 / batch.size();

        auto compare = [&](auto tag, const auto& params, auto& grads, double loss) {
            using S = std::decay_t<decltype(params[0])>;
            double penalty = 0;
            for (size_t j = 0; j < model.layout.retention.size(); ++j) {
                const auto& slot = model.layout.tensors[model.layout.retention[j]];
                for (size_t k = 0; k < slot.size; ++k) {
                    penalty += lambda * (j + 1) * params[slot.offset + k];
                    grads[slot.offset + k] += S(lambda * (j + 1));
                }
            }
            const double total = loss * scale + penalty;
            const double loss_error = std::abs(total - expected["loss"].get<double>()) / std::abs(expected["loss"].get<double>());
            // Per tensor: max |a - e| / max(max |e| of the tensor, 1e-3 * max |e| of the model), so
            // that a tensor whose true gradient is 0 (the key biases) is judged against the model's scale.
            double global = 0;
            for (const auto& tv : reference.tensors())
                for (float v : to_float32(tv, reference.path())) global = std::max(global, std::abs(double(v)));
            double worst = 0;
            std::string worst_name;
            for (const auto& slot : model.layout.tensors) {
                const TensorView* t = reference.find(slot.name);
                if (!t) throw std::runtime_error("fixture lacks " + slot.name);
                auto want = to_float32(*t, reference.path());
                double max_expected = 0, max_diff = 0;
                for (size_t i = 0; i < slot.size; ++i) {
                    max_expected = std::max(max_expected, std::abs(double(want[i])));
                    max_diff = std::max(max_diff, std::abs(double(grads[slot.offset + i]) - double(want[i])));
                }
                const double e = max_diff / std::max(max_expected, 1e-3 * global);
                if (e > worst) worst = e, worst_name = slot.name;
            }
            qInfo("%s vs PyTorch (%s): loss relative error %.3g, gradients max relative error %.3g (%s)", tag,
                  qPrintable(name), loss_error, worst, worst_name.c_str());
            return std::pair{loss_error, worst};
        };
        {
            std::vector<float> grads(model.values.size(), 0.0f);
            auto out = forward_backward<float>(c, model.layout, model.values.data(), grads.data(), items, s, float(scale));
            auto [loss_error, worst] = compare("float ", model.values, grads, out.loss_sum);
            QVERIFY(loss_error < 1e-5);
            QVERIFY(worst < 1e-3);
        }
        {
            std::vector<double> params(model.values.begin(), model.values.end()), grads(params.size(), 0.0);
            auto out = forward_backward<double>(c, model.layout, params.data(), grads.data(), items, s, scale);
            auto [loss_error, worst] = compare("double", params, grads, out.loss_sum);
            QVERIFY(loss_error < 1e-10);
            QVERIFY(worst < 1e-6);  // the fixture stores float32 gradients
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainGradients)
#include "test_train_gradients.moc"
