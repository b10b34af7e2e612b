// Information measures against values worked out by hand (decimal forms evaluated with
// /usr/bin/python3's math module from the closed forms in the comments).
#include "core/error.h"
#include "core/information.h"
#include "error_assertions.h"
#include "near_assertions.h"

#include <QtTest>

#include <cmath>
#include <vector>

using VI = std::vector<int>;
using VD = std::vector<double>;

class TestInformation : public QObject {
    Q_OBJECT
private slots:
    void entropy() {
        COMPARE_NEAR(pb::entropy_bits(VD{0.5, 0.5}), 1.0);
        COMPARE_NEAR(pb::entropy_bits(VD{1.0, 0.0}), 0.0);
        COMPARE_NEAR(pb::entropy_bits(VD{0.25, 0.25, 0.25, 0.25}), 2.0);
        COMPARE_NEAR(pb::entropy_bits(VD{0.5, 0.25, 0.25}), 1.5);
    }

    void independenceGivesZero() {
        // Every (x, y) pair once: p(x,y) = 1/4 = p(x) p(y).
        COMPARE_NEAR(pb::mutual_information_bits(VI{0, 0, 1, 1}, VI{0, 1, 0, 1}, 2), 0.0);
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 0, 1, 1}, VI{0, 1, 0, 1}, 2), 0.0);
    }

    void identicalLabels() {
        COMPARE_NEAR(pb::mutual_information_bits(VI{0, 1, 0, 1}, VI{0, 1, 0, 1}, 2), 1.0);
        COMPARE_NEAR(pb::mutual_information_bits(VI{0, 1, 2, 0, 1, 2}, VI{0, 1, 2, 0, 1, 2}, 3), std::log2(3.0));
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 1, 2, 0, 1, 2}, VI{0, 1, 2, 0, 1, 2}, 3), 1.0);
        // Only the grouping matters: swapped names still determine each other completely.
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 0, 1, 1}, VI{1, 1, 0, 0}, 2), 1.0);
    }

    void handWorkedJointTables() {
        // Counts (0,0)=3 (0,1)=1 (1,0)=1 (1,1)=3 of 8; marginals 1/2:
        // 2 (3/8) log2((3/8)/(1/4)) + 2 (1/8) log2((1/8)/(1/4)) = 0.75 log2 1.5 - 0.25.
        const VI x{0, 0, 0, 0, 1, 1, 1, 1}, y{0, 0, 0, 1, 0, 1, 1, 1};
        COMPARE_NEAR(pb::mutual_information_bits(x, y, 2), 0.18872187554086717);
        COMPARE_NEAR(pb::normalized_mutual_information(x, y, 2), 0.18872187554086717);  // H(X) = H(Y) = 1
        // Counts (0,0)=2 (0,1)=2 (1,0)=0 (1,1)=4; p(x) = 1/2 1/2, p(y) = 1/4 3/4:
        // MI = H(Y) - H(Y|X) = H(1/4) - 0.5 = 0.31127812445913283 bits;
        // NMI = MI / sqrt(1 * H(1/4)) = 0.3455920299442113.
        const VI a{0, 0, 0, 0, 1, 1, 1, 1}, b{0, 0, 1, 1, 1, 1, 1, 1};
        COMPARE_NEAR(pb::mutual_information_bits(a, b, 2), 0.31127812445913283);
        COMPARE_NEAR(pb::mutual_information_bits(b, a, 2), 0.31127812445913283);
        COMPARE_NEAR(pb::normalized_mutual_information(a, b, 2), 0.3455920299442113);
    }

    void nmiDegenerateCases() {
        COMPARE_NEAR(pb::normalized_mutual_information(VI{1, 1, 1}, VI{1, 1, 1}, 2), 1.0);  // both constant, identical
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 0, 0}, VI{1, 1, 1}, 2), 1.0);  // same grouping
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 0, 0}, VI{0, 1, 0}, 2), 0.0);  // one constant
        COMPARE_NEAR(pb::normalized_mutual_information(VI{0, 1, 0}, VI{1, 1, 1}, 2), 0.0);
        COMPARE_NEAR(pb::mutual_information_bits(VI{0, 0, 0}, VI{0, 1, 0}, 2), 0.0);
    }

    void klDivergence() {
        // 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 ln(4/3).
        COMPARE_NEAR(pb::kl_divergence(VD{0.5, 0.5}, VD{0.25, 0.75}), 0.14384103622589042);
        COMPARE_NEAR(pb::kl_divergence(VD{0.2, 0.3, 0.5}, VD{0.2, 0.3, 0.5}), 0.0);
        // p_i = 0 terms vanish: 1 ln(1/0.5) = ln 2.
        COMPARE_NEAR(pb::kl_divergence(VD{1.0, 0.0}, VD{0.5, 0.5}), std::log(2.0));
        // q_i = 0 under p_i > 0 is floored at 1e-12: 0.5 ln 0.5 + 0.5 ln(0.5 / 1e-12) = ln 0.5 + 6 ln 10.
        COMPARE_NEAR(pb::kl_divergence(VD{0.5, 0.5}, VD{1.0, 0.0}), 13.12236337740433);
    }

    void confusionMatrix() {
        const auto m = pb::confusion_matrix(VI{0, 1, 2, 2}, VI{0, 2, 2, 1}, 3);
        QCOMPARE(m, (std::vector<std::vector<int>>{{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}));
    }

    void validation() {
        QVERIFY_ERROR_MENTIONS(pb::mutual_information_bits(VI{0, 1}, VI{0}, 2), "x has 2 values but y has 1");
        QVERIFY_ERROR_MENTIONS(pb::mutual_information_bits(VI{}, VI{}, 2), "no values");
        QVERIFY_ERROR_MENTIONS(pb::mutual_information_bits(VI{0, 2}, VI{0, 1}, 2), "x[1] = 2 is outside 0..1");
        QVERIFY_ERROR_MENTIONS(pb::normalized_mutual_information(VI{0, 1}, VI{0, -1}, 2), "y[1] = -1 is outside 0..1");
        QVERIFY_ERROR_MENTIONS(pb::confusion_matrix(VI{0}, VI{0}, 0), "num_classes is 0");
        QVERIFY_ERROR_MENTIONS(pb::entropy_bits(VD{}), "empty");
        QVERIFY_ERROR_MENTIONS(pb::entropy_bits(VD{0.5, 0.4}), "sum to 0.9");
        QVERIFY_ERROR_MENTIONS(pb::entropy_bits(VD{1.5, -0.5}), "index 1");
        QVERIFY_ERROR_MENTIONS(pb::entropy_bits(VD{NAN, 1.0}), "index 0");
        QVERIFY_ERROR_MENTIONS(pb::kl_divergence(VD{0.5, 0.5}, VD{1.0}), "p has 2 values but q has 1");
        QVERIFY_ERROR_MENTIONS(pb::kl_divergence(VD{0.5, 0.5}, VD{0.5, 0.6}), "(q)");
    }
};

QTEST_APPLESS_MAIN(TestInformation)
#include "test_information.moc"
