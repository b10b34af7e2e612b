// Dataset evaluation and the dataset experiments on a tiny seeded model and a small TSV written
// here. Every expected value is recomputed in the test from single runs of run_model (or by hand
// from predictions and gold labels), never taken from the code under test.
#include "core/dataset_evaluation.h"
#include "core/dataset_experiments.h"
#include "core/error.h"
#include "core/flops.h"
#include "core/information.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <thread>

using namespace pb;

namespace {

const std::filesystem::path kVocab =
    std::filesystem::path(POWERBERT_FIXTURES) / ".." / ".." / "resources" / "vocab" / "bert-base-uncased.txt";

// Seed of the tiny model's weights: chosen (by trying seeds) so that the untrained model predicts
// both labels on the sentences below; initTestCase checks that this still holds.
constexpr uint64_t kSeed = 1;
constexpr int kLayers = 3;

// label<TAB>sentence, lengths from 3 tokens ("[CLS] good [SEP]") to a few dozen.
const char* const kRows[] = {
    "1\tgood",
    "0\tbad",
    "1\ta gorgeous , witty , seductive movie .",
    "0\tthe film is strictly routine .",
    "1\tit 's a charming and often affecting journey .",
    "0\tunflinchingly bleak and desperate",
    "1\tallows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker .",
    "0\tthe acting , costumes , music , cinematography and sound are all astounding given the production 's austere locales .",
    "1\tit 's slow -- very , very slow .",
    "0\ta sometimes tedious film .",
    "1\tor doing last year 's taxes with your ex-wife .",
    "0\tyou do n't have to know about music to appreciate the film 's easygoing blend of comedy and romance .",
    "1\tin exactly 89 minutes , most of which passed as slowly as if i 'd been sitting naked on an igloo , formula 51 sank from quirky to jerky to utter turkey .",
    "0\tthe mesmerizing performances of the leads keep the film grounded and keep the audience riveted .",
    "1\tit takes a strange kind of laziness to waste the talents of robert forster , anne meara , eugene levy , and reginald veljohnson all in the same movie .",
    "0\t... the film suffers from a lack of humor ( something needed to balance out the violence ) ...",
    "1\twe root for ( clara and paul ) , even like them , though perhaps it 's an emotion closer to pity .",
    "0\teven horror fans will most likely not find what they 're seeking with trouble every day ; the movie lacks both thrills and humor .",
    "1\ta gorgeous , high-spirited musical from india that exquisitely blends music , dance , song , and high drama .",
    "0\tthe emotions are raw and will strike a nerve with anyone who 's ever had family trauma .",
    "1\tfine",
    "0\tawful mess",
    "1\tthe story gives ample opportunity for large-scale action and suspense , which director shekhar kapur supplies with tremendous skill .",
    "0\tred dragon never cuts corners .",
    "1\tfresnadillo has something serious to say about the ways in which extravagant chance can distort our perspective and throw us off the path of good sense .",
    "0\tthrows in enough clever and unexpected twists to make the formula feel fresh .",
    "1\tweighty and ponderous but every bit as filling as the treat of the title .",
    "0\ta real audience-pleaser that will strike a chord with anyone who 's ever waited in a doctor 's office , emergency room , hospital bed or insurance company office .",
    "1\tgenerates an enormous feeling of empathy for its characters .",
    "0\tperhaps no picture ever made has more literally showed that the road to hell is paved with good intentions .",
};

double entropy_of(const std::vector<double>& labels) {
    std::map<double, double> counts;
    for (double x : labels) counts[x] += 1;
    double h = 0;
    for (const auto& [label, c] : counts) h -= c / labels.size() * std::log2(c / labels.size());
    return h;
}

// MI from the joint histogram, written out independently of core/information.cpp.
double mutual_information_by_hand(const std::vector<int>& x, const std::vector<int>& y) {
    std::map<std::pair<int, int>, double> joint;
    std::map<int, double> px, py;
    const double n = static_cast<double>(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        joint[{x[i], y[i]}] += 1 / n;
        px[x[i]] += 1 / n;
        py[y[i]] += 1 / n;
    }
    double mi = 0;
    for (const auto& [xy, p] : joint) mi += p * std::log2(p / (px[xy.first] * py[xy.second]));
    return mi;
}

double accuracy_by_hand(const std::vector<double>& predicted, const GlueDataset& data) {
    double correct = 0;
    for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == double(*data.examples[i].label);
    return correct / static_cast<double>(predicted.size());
}

std::optional<double> metric(const std::vector<MetricValue>& metrics, const std::string& name) {
    for (const auto& m : metrics)
        if (m.name == name) return m.value;
    return std::nullopt;
}

}  // namespace

class TestDatasetEvaluation : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    ModelFolder folder_;
    GlueDataset data_;
    std::vector<Encoding> encodings_;

    // The full model and a plan on every example, one at a time on this thread.
    std::vector<Trace> serial(const RetentionPlan& plan, std::optional<double> fraction = std::nullopt) const {
        std::vector<Trace> out;
        for (const auto& e : encodings_)
            out.push_back(run_model(folder_.model, e.ids, e.type_ids,
                                    plan_for_length(plan, fraction, int(e.ids.size()), kLayers)));
        return out;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY2(std::filesystem::exists(kVocab), qPrintable(QString::fromStdString(kVocab.string())));
        ModelConfig c;
        c.vocab_size = 30522;
        c.hidden_size = 32;
        c.num_layers = kLayers;
        c.num_heads = 4;
        c.intermediate_size = 64;
        c.max_position = 128;
        c.num_labels = 2;
        c.id2label = {"negative", "positive"};
        const std::filesystem::path root = dir_.path().toStdString();
        write_seeded_bert_folder(root / "model", c, kSeed, DType::F32, kVocab);
        folder_ = load_model_folder(root / "model");

        std::filesystem::create_directories(root / "SST-2");
        std::ofstream tsv(root / "SST-2" / "dev.tsv");
        tsv << "label\tsentence\n";
        for (const char* row : kRows) tsv << row << '\n';
        tsv.close();
        data_ = load_glue_tsv(root / "SST-2" / "dev.tsv");
        QCOMPARE(data_.task, GlueTask::SST2);
        QCOMPARE(data_.examples.size(), std::size(kRows));
        for (const auto& ex : data_.examples) encodings_.push_back(folder_.encode(ex.text_a));

        // The MI checks below mean something only if the full model's labels vary.
        std::vector<double> labels;
        for (const auto& t : serial({})) labels.push_back(t.predicted_label);
        QVERIFY2(entropy_of(labels) > 0.3, "the seeded model predicts (almost) one label: pick another kSeed");
    }

    void noEliminationEqualsFull() {
        const auto r = evaluate_dataset(folder_, data_, RetentionPlan{});
        const size_t n = data_.examples.size();
        QCOMPARE(r.examples, n);
        QCOMPARE(r.power_predictions, r.full_predictions);
        QCOMPARE(*r.power.agreement, 1.0);
        QCOMPARE(*r.power.mean_kl, 0.0);
        for (double kl : r.kl) QCOMPARE(kl, 0.0);
        QVERIFY(r.disagreements.empty());
        const double h = entropy_of(r.full_predictions);
        QVERIFY(h > 0);
        QVERIFY(std::abs(*r.power.mutual_information_bits - h) < 1e-12);
        QVERIFY(std::abs(*r.full_label_entropy_bits - h) < 1e-12);
        QVERIFY(std::abs(*r.power.normalized_mutual_information - 1.0) < 1e-12);
        QCOMPARE(r.power.multiply_adds, r.full.multiply_adds);
        QCOMPARE(r.multiply_add_ratio(), 1.0);
        // Both metrics are the accuracy worked out here from the predictions and the gold labels.
        const double acc = accuracy_by_hand(r.full_predictions, data_);
        QCOMPARE(*metric(r.full.metrics, "accuracy"), acc);
        QCOMPARE(*metric(r.power.metrics, "accuracy"), acc);
        // The full model's own agreement etc. are not reported.
        QVERIFY(!r.full.agreement && !r.full.mutual_information_bits);
        // Layer 0 is the embeddings, then one value per encoder; identical for both models.
        QCOMPARE(r.full_layer_cosine.size(), size_t(kLayers + 1));
        QCOMPARE(r.power_layer_cosine, r.full_layer_cosine);
        QVERIFY(r.full.seconds > 0 && r.power.seconds > 0);
    }

    void strongConfigurationSavesMultiplyAdds() {
        RetentionPlan plan;
        plan.keep = {4, 2, 1};
        const auto r = evaluate_dataset(folder_, data_, plan);
        int64_t full = 0, power = 0, padded = 0;
        const auto& c = folder_.model.config;
        for (const auto& e : encodings_) {
            const int n = int(e.ids.size());
            const std::vector<int> all = {n, n, n, n};
            const std::vector<int> kept = {n, std::min(n, 4), std::min(n, 2), std::min(n, 1)};
            const int p = std::max(n, 64);  // SST-2's reference padded length
            const std::vector<int> pad = {p, p, p, p};
            full += model_multiply_adds(c, all, true);
            power += model_multiply_adds(c, kept, true);
            padded += model_multiply_adds(c, pad, true);
        }
        QCOMPARE(r.full.multiply_adds, full);
        QCOMPARE(r.power.multiply_adds, power);
        QCOMPARE(r.multiply_add_ratio(), double(full) / double(power));
        QVERIFY(r.multiply_add_ratio() > 2.0);
        QCOMPARE(r.padded_length, 64);
        QVERIFY(r.padded_timed);
        QCOMPARE(r.padded_full_multiply_adds, padded);
        QCOMPARE(r.longer_than_padded, size_t(0));
        // The power model's metric is still its own accuracy against gold.
        QCOMPARE(*metric(r.power.metrics, "accuracy"), accuracy_by_hand(r.power_predictions, data_));
        // Disagreements are exactly the changed labels, with their texts.
        size_t changed = 0;
        for (size_t i = 0; i < r.examples; ++i) changed += r.full_predictions[i] != r.power_predictions[i];
        QVERIFY(changed > 0);  // otherwise the checks below say nothing
        QCOMPARE(r.disagreements.size(), changed);
        QCOMPARE(*r.power.agreement, 1.0 - double(changed) / double(r.examples));
        for (const auto& d : r.disagreements) QCOMPARE(d.text_a, data_.examples[d.index].text_a);

        // The geometric family per example length.
        EvaluationOptions o;
        o.keep_fraction = 0.5;
        o.time_padded = false;
        const auto g = evaluate_dataset(folder_, data_, RetentionPlan{}, o);
        int64_t expected = 0;
        for (const auto& e : encodings_) {
            const int n = int(e.ids.size());
            std::vector<int> lengths = {n};
            for (int k : geometric_retention(n, 0.5, kLayers)) lengths.push_back(k);
            expected += model_multiply_adds(c, lengths, true);
        }
        QCOMPARE(g.power.multiply_adds, expected);
        QVERIFY(!g.padded_timed);
        QVERIFY(to_json(g)["padded"]["speedup"].is_null());
    }

    void parallelEqualsSerial() {
        RetentionPlan plan;
        plan.keep = {6, 4, 2};
        EvaluationOptions o;
        o.threads = 3;
        const auto r = evaluate_dataset(folder_, data_, plan, o);
        const auto full = serial({}), power = serial(plan);
        std::vector<double> full_cos(kLayers + 1, 0.0);
        for (size_t i = 0; i < encodings_.size(); ++i) {
            QCOMPARE(r.lengths[i], int(encodings_[i].ids.size()));
            QCOMPARE(r.full_predictions[i], double(full[i].predicted_label));
            QCOMPARE(r.power_predictions[i], double(power[i].predicted_label));
            const std::vector<double> p(full[i].probabilities.begin(), full[i].probabilities.end());
            const std::vector<double> q(power[i].probabilities.begin(), power[i].probabilities.end());
            QCOMPARE(r.kl[i], kl_divergence(p, q));
            full_cos[0] += full[i].embedding_mean_cosine;
            for (int j = 0; j < kLayers; ++j) full_cos[j + 1] += full[i].layers[j].mean_cosine;
        }
        for (double& v : full_cos) v /= double(encodings_.size());
        QCOMPARE(r.full_layer_cosine, full_cos);
        QVERIFY(!r.disagreements.empty());
        for (const auto& d : r.disagreements) {
            QCOMPARE(d.full_probabilities, full[d.index].probabilities);
            QCOMPARE(d.power_probabilities, power[d.index].probabilities);
        }
        // One thread gives the very same numbers (times aside).
        o.threads = 1;
        const auto one = evaluate_dataset(folder_, data_, plan, o);
        QCOMPARE(one.power_predictions, r.power_predictions);
        QCOMPARE(one.kl, r.kl);
        QCOMPARE(one.power_layer_cosine, r.power_layer_cosine);
        QCOMPARE(*one.power.mutual_information_bits, *r.power.mutual_information_bits);
    }

    void lengthBatchesGroupEquallyLongSequences() {
        const std::vector<int> lengths = {5, 3, 5, 5, 3, 7};
        const std::vector<std::vector<size_t>> expected = {{1, 4}, {0, 2}, {3}, {5}};
        QCOMPARE(length_batches(lengths, 2), expected);
        const std::vector<std::vector<size_t>> one_each = {{1}, {4}, {0}, {2}, {3}, {5}};
        QCOMPARE(length_batches(lengths, 1), one_each);
        QVERIFY_THROWS_EXCEPTION(Error, length_batches(lengths, 0));
    }

    void batchedTimingKeepsOutputsAndCountsPasses() {
        RetentionPlan plan;
        plan.keep = {4, 2, 1};
        EvaluationOptions o;
        o.batch = 4;
        const auto r = evaluate_dataset(folder_, data_, plan, o);
        const auto one = evaluate_dataset(folder_, data_, plan);
        QCOMPARE(r.power_predictions, one.power_predictions);
        QCOMPARE(r.kl, one.kl);
        QVERIFY(!one.batched && to_json(one)["batched"].is_null());
        QVERIFY(r.batched.has_value());
        std::map<size_t, size_t> per_length;
        for (const auto& e : encodings_) ++per_length[e.ids.size()];
        size_t passes = 0;
        for (const auto& [length, n] : per_length) passes += (n + 3) / 4;
        QVERIFY(passes < encodings_.size());  // some lengths repeat, or this checks nothing batch-specific
        QCOMPARE(r.batched->passes, passes);
        QCOMPARE(r.batched->batch, 4);
        QVERIFY(r.batched->full_seconds > 0 && r.batched->power_seconds > 0);
        QVERIFY(r.batched->padded_timed && r.batched->padded_full_seconds > 0);
        const auto j = to_json(r)["batched"];
        QCOMPARE(j["passes"].get<size_t>(), passes);
        QCOMPARE(j["speedup"].get<double>(), r.batched->full_seconds / r.batched->power_seconds);
        for (int bad : {0, 257}) {
            o.batch = bad;
            QVERIFY_THROWS_EXCEPTION(Error, evaluate_dataset(folder_, data_, plan, o));
        }
    }

    void maxExamplesAndJson() {
        EvaluationOptions o;
        o.max_examples = 7;
        o.padded_length = 16;
        const auto r = evaluate_dataset(folder_, data_, RetentionPlan{}, o);
        QCOMPARE(r.examples, size_t(7));
        size_t longer = 0;
        for (int i = 0; i < 7; ++i) longer += encodings_[i].ids.size() > 16;
        QCOMPARE(r.longer_than_padded, longer);
        const auto j = to_json(r);
        QCOMPARE(j["examples"].get<size_t>(), size_t(7));
        QCOMPARE(j["per_example"]["full"].size(), size_t(7));
        QCOMPARE(j["main_metric"]["name"].get<std::string>(), std::string("accuracy"));
        QVERIFY(j["padded"].contains("power_seconds_on_packed_inputs"));
        QCOMPARE(j["padded"]["length"].get<int>(), 16);
        o.padded_length = 1000;  // beyond max_position_embeddings
        QVERIFY_THROWS_EXCEPTION(Error, evaluate_dataset(folder_, data_, RetentionPlan{}, o));
    }

    void cancellationKeepsPreviousResult() {
        DatasetEvaluation previous = evaluate_dataset(folder_, data_, RetentionPlan{});
        const std::string before = to_json(previous).dump();
        const auto caller = std::this_thread::get_id();
        size_t calls = 0, last_done = 0;
        bool other_thread = false;
        Progress stop_early = [&](size_t done, size_t total, std::string_view) {
            other_thread |= std::this_thread::get_id() != caller;
            ++calls;
            last_done = done;
            return done < 3 && total > 0;
        };
        EvaluationOptions o;
        o.threads = 2;
        bool cancelled = false;
        try {
            previous = evaluate_dataset(folder_, data_, RetentionPlan{}, o, stop_early);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY(!other_thread);  // progress is reported from the calling thread only
        QVERIFY(last_done >= 3 && last_done < data_.examples.size());
        QCOMPARE(to_json(previous).dump(), before);

        // The experiments stop the same way.
        QVERIFY_THROWS_EXCEPTION(Cancelled, mi_rank_experiment(folder_, data_, 3, o, stop_early));
    }

    void experimentsAskBetweenTheRunsOfAnExample() {
        // One example is several model runs (MI vs rank 1 + L*K, ablation 3 + seeds, trade-off one per
        // point): a cancellation must not wait for all of them.
        const int ranks = 2, layers = folder_.model.config.num_layers;
        RetentionPlan plan;
        plan.keep = {5, 3, 2};
        TradeoffOptions points;
        points.factors = {0.5, 0.7, 1.0};  // 4 runs with the full model
        struct Experiment {
            const char* name;
            size_t runs;
            std::function<void(const Progress&)> run;
        };
        EvaluationOptions o;
        o.max_examples = 1;
        o.threads = 1;  // the calling thread runs the example (with two, either thread may take it)
        const std::vector<Experiment> experiments = {
            {"mi-rank", size_t(1 + layers * ranks), [&](const Progress& p) { mi_rank_experiment(folder_, data_, ranks, o, p); }},
            {"ablation", 3 + 2, [&](const Progress& p) { ablation_experiment(folder_, data_, plan, 2, o, p); }},
            {"tradeoff", 4, [&](const Progress& p) { tradeoff_experiment(folder_, data_, plan, points, o, p); }},
        };
        const auto caller = std::this_thread::get_id();
        for (const auto& experiment : experiments) {
            size_t calls = 0;
            bool other_thread = false;
            Progress count_calls = [&](size_t, size_t, std::string_view) {
                other_thread |= std::this_thread::get_id() != caller;
                ++calls;
                return true;
            };
            experiment.run(count_calls);
            QVERIFY2(calls >= experiment.runs - 1, qPrintable(QString("%1: %2 calls").arg(experiment.name).arg(calls)));
            QVERIFY(!other_thread);
            // Stopping at the third question ends the run inside that example.
            size_t asked = 0;
            Progress stop_inside = [&](size_t, size_t, std::string_view) { return ++asked < 3; };
            QVERIFY_THROWS_EXCEPTION(Cancelled, experiment.run(stop_inside));
            QVERIFY2(asked == 3, experiment.name);
        }
    }

    void modelMustFitTheData() {
        const std::filesystem::path file = dir_.path().toStdString() + "/three_classes.tsv";
        std::ofstream(file) << "0\tone\n1\ttwo\n2\tthree\n";
        const auto three = load_glue_tsv(file);
        QCOMPARE(three.num_labels(), 3);
        QVERIFY_THROWS_EXCEPTION(Error, evaluate_dataset(folder_, three, RetentionPlan{}));
        RetentionPlan wrong;
        wrong.keep = {3, 4, 1};  // increasing
        QVERIFY_THROWS_EXCEPTION(Error, evaluate_dataset(folder_, data_, wrong));
    }

    void miRankMatrix() {
        const int K = 4;
        const auto r = mi_rank_experiment(folder_, data_, K);
        QCOMPARE(r.mutual_information_bits.size(), size_t(kLayers));
        std::vector<int> x;
        std::vector<double> xd;
        for (const auto& t : serial({})) {
            x.push_back(t.predicted_label);
            xd.push_back(t.predicted_label);
        }
        const double h = entropy_of(xd);
        QVERIFY(std::abs(r.label_entropy_bits - h) < 1e-12);
        for (int j = 0; j < kLayers; ++j) {
            QCOMPARE(r.mutual_information_bits[j].size(), size_t(K));
            for (int k = 1; k <= K; ++k) {
                const double mi = r.mutual_information_bits[j][k - 1];
                QVERIFY(mi >= 0 && mi <= h + 1e-12);
                size_t short_inputs = 0;
                for (const auto& e : encodings_) short_inputs += int(e.ids.size()) - 1 < k;
                QCOMPARE(r.kept_everything[j][k - 1], short_inputs);
            }
        }
        QVERIFY(r.kept_everything[0][K - 1] > 0);  // "good", "bad", "fine" are too short
        // One cell recomputed from single runs.
        for (const auto& [j, k] : {std::pair{0, 1}, std::pair{kLayers - 1, K}}) {
            RetentionPlan plan;
            plan.single = SingleElimination{j, k};
            std::vector<int> y;
            double agree = 0;
            for (size_t i = 0; i < encodings_.size(); ++i) {
                const auto t = run_model(folder_.model, encodings_[i].ids, encodings_[i].type_ids, plan);
                y.push_back(t.predicted_label);
                agree += y.back() == x[i];
            }
            QVERIFY(std::abs(r.mutual_information_bits[j][k - 1] - mutual_information_by_hand(x, y)) < 1e-12);
            QCOMPARE(r.agreement[j][k - 1], agree / double(x.size()));
        }
        const auto j = to_json(r);
        QCOMPARE(j["mutual_information_bits"].size(), size_t(kLayers));
        QCOMPARE(j["mutual_information_bits"][0].size(), size_t(K));
    }

    void ablationHeadKeepsFirst() {
        RetentionPlan plan;
        plan.keep = {5, 3, 2};
        plan.strategy = Strategy::Random;  // ignored: every strategy is run
        const auto r = ablation_experiment(folder_, data_, plan, 3);
        QCOMPARE(r.random.size(), size_t(3));
        QCOMPARE(r.random_seeds, (std::vector<uint64_t>{1, 2, 3}));
        RetentionPlan head = plan;
        head.strategy = Strategy::Head;
        const auto full = serial({}), manual = serial(head);
        double agree = 0;
        std::vector<double> predicted;
        for (size_t i = 0; i < manual.size(); ++i) {
            const int n = int(encodings_[i].ids.size());
            for (int l = 0; l < kLayers; ++l) {
                std::vector<int> first(std::min(n, plan.keep[l]));
                std::iota(first.begin(), first.end(), 0);
                QCOMPARE(manual[i].layers[l].alive_out, first);
            }
            agree += manual[i].predicted_label == full[i].predicted_label;
            predicted.push_back(manual[i].predicted_label);
        }
        QCOMPARE(*r.head.agreement, agree / double(manual.size()));
        QCOMPARE(*metric(r.head.metrics, "accuracy"), accuracy_by_hand(predicted, data_));
        // Same configuration, same number of vectors: the same work for every strategy.
        QCOMPARE(r.head.multiply_adds, r.attention.multiply_adds);
        for (const auto& v : r.random) QCOMPARE(v.multiply_adds, r.attention.multiply_adds);
        QVERIFY(r.full.multiply_adds > r.attention.multiply_adds);
        const auto j = to_json(r);
        QCOMPARE(j["rand_ws"]["seeds"].size(), size_t(3));
        QVERIFY(j["rand_ws"]["summary"]["agreement"]["min"].get<double>() <=
                j["rand_ws"]["summary"]["agreement"]["max"].get<double>());
        QVERIFY_THROWS_EXCEPTION(Error, ablation_experiment(folder_, data_, RetentionPlan{}, 3));
    }

    void diffusionAndTradeoff() {
        const auto d = diffusion_experiment(folder_, data_, RetentionPlan{});
        QCOMPARE(d.full_mean.size(), size_t(kLayers + 1));
        QCOMPARE(d.power_mean, d.full_mean);
        for (double s : d.full_std) QVERIFY(s >= 0);
        const auto e = evaluate_dataset(folder_, data_, RetentionPlan{});
        for (int j = 0; j <= kLayers; ++j) QVERIFY(std::abs(d.full_mean[j] - e.full_layer_cosine[j]) < 1e-12);

        TradeoffOptions t;
        t.fractions = {0.4, 1.0};
        const auto r = tradeoff_experiment(folder_, data_, RetentionPlan{}, t);
        QCOMPARE(r.points.size(), size_t(3));
        QCOMPARE(r.metric_name, std::string("accuracy"));
        QCOMPARE(r.points[0].name, std::string("full"));
        QCOMPARE(r.points[2].multiply_adds, r.points[0].multiply_adds);  // fraction 1 keeps everything
        QCOMPARE(r.points[2].metric, r.points[0].metric);
        QVERIFY(r.points[1].multiply_adds < r.points[0].multiply_adds);
        QCOMPARE(r.points[0].metric, accuracy_by_hand(e.full_predictions, data_));

        // A fixed configuration is scaled by the factors instead.
        RetentionPlan fixed;
        fixed.keep = {10, 8, 4};
        t.factors = {0.5};
        const auto s = tradeoff_experiment(folder_, data_, fixed, t);
        QCOMPARE(s.points.size(), size_t(2));
        QCOMPARE(s.points[1].keep, (std::vector<int>{5, 4, 2}));
        QVERIFY(!s.points[0].batched_seconds && !s.points[1].batched_seconds);
        QCOMPARE(s.batch, 1);
    }

    // Timed in batches too: every point gets a batched time; the outputs and the front's metric
    // are those of the one-at-a-time pass.
    void tradeoffInBatches() {
        TradeoffOptions t;
        t.fractions = {0.4, 1.0};
        EvaluationOptions o;
        o.batch = 4;
        const auto r = tradeoff_experiment(folder_, data_, RetentionPlan{}, t, o);
        const auto one = tradeoff_experiment(folder_, data_, RetentionPlan{}, t);
        QCOMPARE(r.batch, 4);
        QCOMPARE(r.points.size(), one.points.size());
        for (size_t v = 0; v < r.points.size(); ++v) {
            QVERIFY(r.points[v].batched_seconds && *r.points[v].batched_seconds > 0);
            QCOMPARE(r.points[v].metric, one.points[v].metric);
            QCOMPARE(r.points[v].multiply_adds, one.points[v].multiply_adds);
        }
        const auto j = to_json(r);
        QCOMPARE(j["batch"].get<int>(), 4);
        QVERIFY(j["points"][1]["batched_seconds"].is_number());
        QVERIFY(to_json(one)["points"][1]["batched_seconds"].is_null());
        // Cancelling during the batched stage keeps to the contract: pb::Cancelled.
        size_t calls = 0;
        const Progress stop_in_batches = [&](size_t, size_t, std::string_view message) {
            ++calls;
            return message.find("batches") == std::string_view::npos;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 tradeoff_experiment(folder_, data_, RetentionPlan{}, t, o, stop_in_batches));
        QVERIFY(calls > 0);
    }

    void paretoFront() {
        auto point = [](double metric, double seconds) {
            TradeoffPoint p;
            p.metric = metric;
            p.seconds = seconds;
            return p;
        };
        std::vector<TradeoffPoint> points = {
            point(0.9, 10.0),  // a: slow, best
            point(0.8, 5.0),   // b: faster, worse
            point(0.7, 6.0),   // c: dominated by b
            point(0.8, 5.0),   // d: ties b, neither dominates
        };
        mark_pareto_front(points);
        QVERIFY(points[0].pareto);
        QVERIFY(points[1].pareto);
        QVERIFY(!points[2].pareto);
        QVERIFY(points[3].pareto);
        // Timed in batches, the front is drawn on those times: c is now faster than b.
        points[0].batched_seconds = 4.0;
        points[1].batched_seconds = 3.0;
        points[2].batched_seconds = 1.0;
        points[3].batched_seconds = 3.5;
        mark_pareto_front(points);
        QVERIFY(points[0].pareto);
        QVERIFY(points[1].pareto);
        QVERIFY(points[2].pareto);
        QVERIFY(!points[3].pareto);  // as good as b, slower
    }
};

QTEST_GUILESS_MAIN(TestDatasetEvaluation)
#include "test_dataset_evaluation.moc"
