// GLUE metrics against values worked out by hand (the arithmetic is in the comments; the
// decimal forms were evaluated with /usr/bin/python3's math module, no project code involved).
#include "core/error.h"
#include "core/glue_metrics.h"
#include "error_assertions.h"
#include "near_assertions.h"

#include <QtTest>

#include <cmath>
#include <vector>

using pb::GlueTask;
using VI = std::vector<int>;
using VD = std::vector<double>;

class TestGlueMetrics : public QObject {
    Q_OBJECT
private slots:
    void accuracyCounts() {
        COMPARE_NEAR(pb::accuracy(VI{0, 1, 1, 0, 1}, VI{0, 1, 0, 0, 0}), 3.0 / 5.0);
        COMPARE_NEAR(pb::accuracy(VI{2, 2}, VI{2, 2}), 1.0);
    }

    void f1() {
        // pred 1 1 1 1 0 / gold 1 1 0 0 0. Class 1: tp 2, fp 2, fn 0 -> 2*2/(4+2+0) = 2/3.
        // Class 0: tp 1, fp 0, fn 2 -> 2/(2+0+2) = 1/2.
        COMPARE_NEAR(pb::f1_binary(VI{1, 1, 1, 1, 0}, VI{1, 1, 0, 0, 0}), 2.0 / 3.0);
        COMPARE_NEAR(pb::f1_binary(VI{1, 1, 1, 1, 0}, VI{1, 1, 0, 0, 0}, 0), 0.5);
        // No positive anywhere: 0/0, reported as 0 like sklearn.
        COMPARE_NEAR(pb::f1_binary(VI{0, 0}, VI{0, 0}), 0.0);
        COMPARE_NEAR(pb::f1_binary(VI{1, 0}, VI{1, 0}), 1.0);
    }

    void matthews() {
        // TP 2, FP 2, FN 0, TN 1: (2*1 - 2*0) / sqrt(4*2*3*1) = 2/sqrt(24).
        COMPARE_NEAR(pb::matthews_correlation(VI{1, 1, 1, 1, 0}, VI{1, 1, 0, 0, 0}), 0.4082482904638631);
        COMPARE_NEAR(pb::matthews_correlation(VI{0, 1, 0, 1}, VI{0, 1, 0, 1}), 1.0);
        COMPARE_NEAR(pb::matthews_correlation(VI{1, 0, 1, 0}, VI{0, 1, 0, 1}), -1.0);
        // A constant prediction makes MCC 0/0: 0, as sklearn.
        COMPARE_NEAR(pb::matthews_correlation(VI{1, 1, 1, 1}, VI{0, 1, 0, 1}), 0.0);
        // Three classes (Gorodkin): gold 0 0 1 1 2 2, pred 0 1 1 1 2 0. s = 6, correct c = 4,
        // gold totals t = (2,2,2), predicted totals p = (2,3,1), sum t.p = 12:
        // (c s - t.p) / sqrt((s^2 - p.p)(s^2 - t.t)) = 12 / sqrt(22 * 24).
        COMPARE_NEAR(pb::matthews_correlation(VI{0, 1, 1, 1, 2, 0}, VI{0, 0, 1, 1, 2, 2}), 0.5222329678670935);
    }

    void pearsonKnown() {
        // Means 3 and 4; sxy = 6, sxx = 10, syy = 6: 6/sqrt(60).
        COMPARE_NEAR(pb::pearson(VD{1, 2, 3, 4, 5}, VD{2, 4, 5, 4, 5}), 0.7745966692414834);
        COMPARE_NEAR(pb::pearson(VD{1, 2, 3}, VD{-2, -4, -6}), -1.0);
        COMPARE_NEAR(pb::pearson(VD{1, 2, 3}, VD{7, 7, 7}), 0.0);  // undefined -> 0
    }

    void spearmanWithTies() {
        // y ranks with ties averaged: 2 -> 1, (4, 4) -> 2.5, (5, 5) -> 4.5; x ranks 1..5.
        // Deviations from 3: x -2 -1 0 1 2, y -2 -0.5 1.5 -0.5 1.5: 7 / sqrt(10 * 9).
        COMPARE_NEAR(pb::spearman(VD{1, 2, 3, 4, 5}, VD{2, 4, 5, 4, 5}), 0.7378647873726218);
        // Ties on both sides: ranks (1.5 1.5 3 4) and (1 2.5 2.5 4): 3.75 / 4.5.
        COMPARE_NEAR(pb::spearman(VD{1, 1, 2, 3}, VD{1, 2, 2, 3}), 3.75 / 4.5);
        // Monotone but not linear: ranks agree exactly.
        COMPARE_NEAR(pb::spearman(VD{1, 2, 3, 4}, VD{1, 8, 27, 64}), 1.0);
        QVERIFY(pb::pearson(VD{1, 2, 3, 4}, VD{1, 8, 27, 64}) < 0.99);
        COMPARE_NEAR(pb::spearman(VD{0.1, 0.2, 0.3}, VD{3, 2, 1}), -1.0);
    }

    void glueMetricsPerTask() {
        auto cola = pb::glue_metrics(GlueTask::CoLA, VD{1, 1, 1, 1, 0}, VD{1, 1, 0, 0, 0});
        QCOMPARE(cola.size(), size_t(1));
        QCOMPARE(cola[0].name, std::string("mcc"));
        COMPARE_NEAR(cola[0].value, 0.4082482904638631);

        auto mrpc = pb::glue_metrics(GlueTask::MRPC, VD{1, 1, 1, 1, 0}, VD{1, 1, 0, 0, 0});
        QCOMPARE(mrpc.size(), size_t(2));
        QCOMPARE(mrpc[0].name, std::string("f1"));
        COMPARE_NEAR(mrpc[0].value, 2.0 / 3.0);
        QCOMPARE(mrpc[1].name, std::string("accuracy"));
        COMPARE_NEAR(mrpc[1].value, 3.0 / 5.0);
        QCOMPARE(pb::glue_metrics(GlueTask::QQP, VD{1}, VD{1})[0].name, std::string("f1"));

        auto stsb = pb::glue_metrics(GlueTask::STSB, VD{1, 2, 3, 4, 5}, VD{2, 4, 5, 4, 5});
        QCOMPARE(stsb.size(), size_t(2));
        QCOMPARE(stsb[0].name, std::string("spearman"));
        COMPARE_NEAR(stsb[0].value, 0.7378647873726218);
        QCOMPARE(stsb[1].name, std::string("pearson"));
        COMPARE_NEAR(stsb[1].value, 0.7745966692414834);

        auto mnli = pb::glue_metrics(GlueTask::MNLI, VD{0, 1, 2, 2}, VD{0, 1, 2, 1});
        QCOMPARE(mnli.size(), size_t(1));
        QCOMPARE(mnli[0].name, std::string("accuracy"));
        COMPARE_NEAR(mnli[0].value, 0.75);

        for (auto task : {GlueTask::CoLA, GlueTask::SST2, GlueTask::MRPC, GlueTask::STSB, GlueTask::QQP,
                          GlueTask::MNLI, GlueTask::QNLI, GlueTask::RTE, GlueTask::WNLI, GlueTask::Generic}) {
            auto values = pb::glue_metrics(task, VD{0, 1, 1}, VD{0, 1, 0});
            QCOMPARE(values.front().name, std::string(pb::main_metric_name(task)));
        }
        QCOMPARE(pb::main_metric_name(GlueTask::STSB), std::string_view("spearman"));
        QCOMPARE(pb::main_metric_name(GlueTask::RTE), std::string_view("accuracy"));
    }

    void validation() {
        QVERIFY_ERROR_MENTIONS(pb::accuracy(VI{0, 1}, VI{0}), "2 predictions but 1 gold");
        QVERIFY_ERROR_MENTIONS(pb::accuracy(VI{}, VI{}), "at least 1");
        QVERIFY_ERROR_MENTIONS(pb::f1_binary(VI{0, -1}, VI{0, 1}), "predicted label -1 at index 1");
        QVERIFY_ERROR_MENTIONS(pb::matthews_correlation(VI{0, 1}, VI{0, -3}), "gold label -3 at index 1");
        QVERIFY_ERROR_MENTIONS(pb::pearson(VD{1}, VD{1}), "at least 2");
        QVERIFY_ERROR_MENTIONS(pb::spearman(VD{1, NAN}, VD{1, 2}), "index 1 is not a finite number");
        QVERIFY_ERROR_MENTIONS(pb::glue_metrics(GlueTask::RTE, VD{0, 2}, VD{0, 1}), "from 0 to 1");
        QVERIFY_ERROR_MENTIONS(pb::glue_metrics(GlueTask::MNLI, VD{0, 3}, VD{0, 1}), "from 0 to 2");
        QVERIFY_ERROR_MENTIONS(pb::glue_metrics(GlueTask::SST2, VD{0, 0.5}, VD{0, 1}), "not a class index");
        QVERIFY_ERROR_MENTIONS(pb::glue_metrics(GlueTask::CoLA, VD{0, 1}, VD{0}), "2 predictions but 1 gold");
        QVERIFY_ERROR_MENTIONS(pb::glue_metrics(GlueTask::STSB, VD{}, VD{}), "at least");
    }
};

QTEST_APPLESS_MAIN(TestGlueMetrics)
#include "test_glue_metrics.moc"
