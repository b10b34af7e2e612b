// Retention configurations and the invariants of word-vector elimination.
#include "core/bert_model.h"
#include "core/elimination.h"
#include "core/error.h"
#include "core/flops.h"
#include "core/linear_kernel.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "core/similarity.h"
#include "elimination_checks.h"

#include <QTemporaryDir>
#include <QtTest>

#include <omp.h>

#include <numeric>
#include <random>

using namespace pb;

namespace {

ModelConfig small_config() {
    ModelConfig c;
    c.vocab_size = 500;
    c.hidden_size = 32;
    c.num_layers = 4;
    c.num_heads = 4;
    c.intermediate_size = 64;
    c.max_position = 64;
    c.num_labels = 3;
    c.id2label = {"a", "b", "c"};
    return c;
}

// A feed-forward of 2 MB: large enough that a forward runs on a team of threads.
ModelConfig wide_config() {
    ModelConfig c = small_config();
    c.intermediate_size = 16384;
    c.num_layers = 3;
    return c;
}

// Everything a forward pass reports, for bit-for-bit comparisons.
void compare_traces(const std::vector<Trace>& a, const std::vector<Trace>& b) {
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].logits, b[i].logits);
        QCOMPARE(a[i].multiply_adds, b[i].multiply_adds);
        QCOMPARE(a[i].layers.size(), b[i].layers.size());
        for (size_t j = 0; j < a[i].layers.size(); ++j) {
            QCOMPARE(a[i].layers[j].significance, b[i].layers[j].significance);
            QCOMPARE(a[i].layers[j].alive_out, b[i].layers[j].alive_out);
            QCOMPARE(a[i].layers[j].hidden.values, b[i].layers[j].hidden.values);
            QCOMPARE(a[i].layers[j].mean_cosine, b[i].layers[j].mean_cosine);
        }
    }
}

}  // namespace

class TestElimination : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    BertModel model_;

private slots:
    void initTestCase() {
        write_seeded_bert_folder(tmp_.path().toStdString(), small_config(), 11);
        model_ = load_bert_model(tmp_.path().toStdString());
    }

    void validation() {
        QVERIFY_THROWS_EXCEPTION(Error, validate_retention(std::vector<int>{4, 3, 2}, 4));
        QVERIFY_THROWS_EXCEPTION(Error, validate_retention(std::vector<int>{4, 3, 2, 0}, 4));
        QVERIFY_THROWS_EXCEPTION(Error, validate_retention(std::vector<int>{4, 5, 2, 1}, 4));
        QVERIFY_THROWS_EXCEPTION(Error, validate_retention(std::vector<int>{-1, -1, -1, -1}, 4));
        validate_retention(std::vector<int>{9, 9, 2, 1}, 4);
        QCOMPARE(parse_retention("7, 7,5 ,2", 4), (std::vector<int>{7, 7, 5, 2}));
        QVERIFY_THROWS_EXCEPTION(Error, parse_retention("7,7,x,2", 4));
        QVERIFY_THROWS_EXCEPTION(Error, parse_retention("", 4));
        QVERIFY_THROWS_EXCEPTION(Error, parse_retention("7;7;5;2", 4));
        try {
            validate_retention(std::vector<int>{4, 5, 2, 1}, 4, "my.json");
            QFAIL("no error");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("my.json: layer 2 keeps 5, more than layer 1 (4); a retention "
                                                "configuration must be non-increasing"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, parse_strategy("best"));
        QCOMPARE(scale_retention(std::vector<int>{153, 125, 5}, 256, 128), (std::vector<int>{77, 63, 3}));
    }

    void significanceByHand() {
        // Abar rows = queries. Column sums minus diagonal: k0: .2+.5 = .7, k1: .3+.3 = .6, k2: .2+.3 = .5
        std::vector<float> a = {0.5f, 0.3f, 0.2f, 0.2f, 0.5f, 0.3f, 0.5f, 0.3f, 0.2f};
        auto sig = significance_scores(a, 3);
        QVERIFY(std::abs(sig[0] - 0.7f) < 1e-6f && std::abs(sig[1] - 0.6f) < 1e-6f && std::abs(sig[2] - 0.5f) < 1e-6f);
        QCOMPARE(significance_ranks(sig), (std::vector<int>{1, 2, 3}));
        QCOMPARE(select_survivors(sig, 2, Strategy::Attention, 0, 0), (std::vector<int>{0, 1}));
        QCOMPARE(drop_single_rank(sig, 1), (std::vector<int>{0, 2}));
        QCOMPARE(drop_single_rank(sig, 2), (std::vector<int>{0, 1}));
        // Ties: the earlier position wins.
        std::vector<float> tied = {0.f, 1.f, 1.f, 1.f};
        QCOMPARE(select_survivors(tied, 3, Strategy::Attention, 0, 0), (std::vector<int>{0, 1, 2}));
    }

    void keepingEverythingIsTheFullModel() { check_keeping_everything_is_the_full_model(model_); }

    void survivorsInvariants() {
        auto ids = random_ids(24, 2);
        std::vector<int32_t> types(24, 0);
        const std::vector<int> keep = {16, 9, 5, 2};
        for (Strategy s : {Strategy::Attention, Strategy::Head, Strategy::Random}) {
            Trace t = run_model(model_, ids, types, {keep, s, 7});
            for (size_t j = 0; j < t.layers.size(); ++j) {
                const auto& l = t.layers[j];
                QCOMPARE(int(l.alive_out.size()), keep[j]);
                QCOMPARE(l.alive_out.front(), 0);  // [CLS] always survives
                QVERIFY(std::is_sorted(l.alive_out.begin(), l.alive_out.end()));
                QVERIFY(std::includes(l.alive_in.begin(), l.alive_in.end(), l.alive_out.begin(), l.alive_out.end()));
                if (j + 1 < t.layers.size()) QCOMPARE(t.layers[j + 1].alive_in, l.alive_out);
                if (s == Strategy::Head) {
                    std::vector<int> first(keep[j]);
                    std::iota(first.begin(), first.end(), 0);
                    QCOMPARE(l.alive_out, first);
                }
                if (s == Strategy::Attention) {  // every survivor is at least as significant as every casualty
                    float weakest_kept = 1e30f, strongest_dropped = -1e30f;
                    for (size_t i = 1; i < l.alive_in.size(); ++i) {
                        bool kept = std::binary_search(l.alive_out.begin(), l.alive_out.end(), l.alive_in[i]);
                        (kept ? weakest_kept : strongest_dropped) =
                            kept ? std::min(weakest_kept, l.significance[i]) : std::max(strongest_dropped, l.significance[i]);
                    }
                    QVERIFY(weakest_kept >= strongest_dropped);
                }
            }
            std::vector<int> lengths = {24};
            lengths.insert(lengths.end(), keep.begin(), keep.end());
            QCOMPARE(t.multiply_adds, model_multiply_adds(model_.config, lengths, true));
        }
        // Rand-WS is reproducible for a seed and differs across seeds.
        Trace a = run_model(model_, ids, types, {keep, Strategy::Random, 7});
        Trace b = run_model(model_, ids, types, {keep, Strategy::Random, 7});
        Trace c = run_model(model_, ids, types, {keep, Strategy::Random, 8});
        QCOMPARE(a.layers[0].alive_out, b.layers[0].alive_out);
        QVERIFY(a.layers[0].alive_out != c.layers[0].alive_out);
    }

    // Computing only the kept rows after the scores must equal computing all rows, then dropping.
    void rowsOnlyEqualsComputeThenDrop() { check_rows_only_equals_compute_then_drop(model_); }

    // Stacking sequences of different lengths into one pass changes nothing but speed.
    void batchEqualsSeparateRuns() { check_batch_equals_separate_runs(model_); }

    void singleEliminationRemovesOneVector() {
        auto ids = random_ids(10, 4);
        std::vector<int32_t> types(10, 0);
        RetentionPlan plan;
        plan.single = SingleElimination{2, 1};
        Trace t = run_model(model_, ids, types, plan);
        QCOMPARE(int(t.layers[1].alive_out.size()), 10);
        QCOMPARE(int(t.layers[2].alive_out.size()), 9);
        QCOMPARE(int(t.layers[3].alive_out.size()), 9);
        const auto& l = t.layers[2];
        int removed = -1;
        for (int p : l.alive_in)
            if (!std::binary_search(l.alive_out.begin(), l.alive_out.end(), p)) removed = p;
        // The removed vector is the most significant one other than [CLS].
        auto it = std::find(l.alive_in.begin(), l.alive_in.end(), removed);
        float removed_sig = l.significance[it - l.alive_in.begin()];
        for (size_t i = 1; i < l.alive_in.size(); ++i) QVERIFY(l.significance[i] <= removed_sig);
    }

    // A forward keeps one team of threads for all its layers when its products are large; the team
    // must give the bits of one thread, and a forward started inside another parallel region (the
    // dataset evaluation runs examples on all threads) must keep to its own thread.
    void teamOfThreadsGivesTheBitsOfOneThread() {
        QTemporaryDir dir;
        write_seeded_bert_folder(dir.path().toStdString(), wide_config(), 12);
        BertModel wide = load_bert_model(dir.path().toStdString());
        QVERIFY(linear_wants_threads(7, wide.packed->layers.front().intermediate));
        std::vector<std::vector<int32_t>> ids = {random_ids(7, 8), random_ids(23, 9), random_ids(16, 10)};
        std::vector<std::vector<int32_t>> types = {std::vector<int32_t>(7, 0), std::vector<int32_t>(23, 1),
                                                   std::vector<int32_t>(16, 0)};
        std::vector<SequenceInput> inputs;
        for (size_t i = 0; i < ids.size(); ++i) inputs.push_back({ids[i], types[i]});
        RunOptions o;
        o.record_hidden = true;
        const std::vector<RetentionPlan> plans = {
            {}, {{12, 5, 2}, Strategy::Attention}, {{6, 6, 1}, Strategy::Random, 3}};
        auto run_all = [&](Workspace& ws) {
            std::vector<std::vector<Trace>> runs;
            for (const auto& plan : plans) {
                runs.push_back(run_batch(wide, inputs, plan, o, ws));
                runs.push_back({run_model(wide, ids[1], types[1], plan, o, ws)});
            }
            return runs;
        };
        const int threads = omp_get_max_threads();
        omp_set_num_threads(1);
        Workspace ws;
        const auto one = run_all(ws);
        omp_set_num_threads(2);
        const auto team = run_all(ws);
        std::vector<std::vector<std::vector<Trace>>> nested(2);
#pragma omp parallel num_threads(2)
        {
            Workspace own;
            nested[omp_get_thread_num()] = run_all(own);
        }
        omp_set_num_threads(threads);
        for (size_t r = 0; r < one.size(); ++r) {
            compare_traces(team[r], one[r]);
            for (const auto& n : nested) compare_traces(n[r], one[r]);
        }
    }

    void meanCosineByHand() {
        RowMatrix rows(3, 2);
        rows << 1, 0, 0, 1, 1, 1;  // pairs: 0, 1/sqrt2, 1/sqrt2
        double expected = (0 + 2 * M_SQRT1_2) / 3.0;
        RunOptions o;
        QVERIFY(std::abs(mean_pairwise_cosine(rows) - expected) < 1e-6);
    }
};

QTEST_APPLESS_MAIN(TestElimination)
#include "test_elimination.moc"
