// The packed product (linear_kernel, packed_weights) against a float64 loop over the checkpoint
// layout: every row-tile size, partial panels, several passes over long rows, stacked groups,
// each epilogue, bfloat16 weights, and the same bits whatever the number of threads.
#include "core/linear_kernel.h"
#include "core/packed_weights.h"

#include <QtTest>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace pb;

namespace {

struct Problem {
    int rows, outputs, inputs, groups;
    std::vector<float> x, bias, residual;
    std::vector<std::vector<float>> weights, biases;  // per group
    std::vector<int> residual_rows;

    Problem(int m, int n, int k, int g, uint64_t seed) : rows(m), outputs(n), inputs(k), groups(g) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        x.resize(size_t(m) * k);
        for (auto& v : x) v = u(rng);
        for (int i = 0; i < g; ++i) {
            weights.emplace_back(size_t(n) * k);
            for (auto& v : weights.back()) v = u(rng);
            biases.emplace_back(n);
            for (auto& v : biases.back()) v = u(rng);
        }
        residual.resize(size_t(m + 3) * n);
        for (auto& v : residual) v = u(rng);
        for (int r = 0; r < m; ++r) residual_rows.push_back((r * 7 + 2) % (m + 3));
    }

    std::vector<LinearWeights> views() const {
        std::vector<LinearWeights> v;
        for (int i = 0; i < groups; ++i) v.push_back({{weights[i].data(), outputs, inputs}, {biases[i].data(), outputs}});
        return v;
    }
};

// What bfloat16 rounding to nearest even gives, computed on the bits.
float to_bfloat16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

double activate(double v, Activation a) {
    switch (a) {
    case Activation::Gelu: return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    case Activation::GeluTanh: return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
    case Activation::Relu: return v > 0 ? v : 0.0;
    }
    return v;
}

// Runs the packed product and checks every output against float64 within a bound on float
// rounding: 1e-5 of the sum of |x w| (the products' magnitudes) plus 1e-6.
void check(const Problem& p, WeightPrecision precision, const LinearEpilogue& epilogue) {
    PackedBertWeights storage;
    const auto views = p.views();
    const PackedMatrix packed = pack_matrices(views, precision, storage);
    std::vector<std::vector<float>> out(p.groups, std::vector<float>(size_t(p.rows) * p.outputs, NAN));
    std::vector<float*> targets;
    for (auto& o : out) targets.push_back(o.data());
    std::vector<float> scratch(linear_scratch_size(p.rows, p.inputs));
    linear_packed(ConstMatrixMap(p.x.data(), p.rows, p.inputs), packed, targets, epilogue, scratch.data());
    for (int g = 0; g < p.groups; ++g)
        for (int m = 0; m < p.rows; ++m)
            for (int n = 0; n < p.outputs; ++n) {
                double sum = p.biases[g][n], magnitude = 0;
                for (int k = 0; k < p.inputs; ++k) {
                    float w = p.weights[g][size_t(n) * p.inputs + k];
                    if (precision == WeightPrecision::BF16) w = to_bfloat16(w);
                    sum += double(p.x[size_t(m) * p.inputs + k]) * w;
                    magnitude += std::abs(double(p.x[size_t(m) * p.inputs + k]) * w);
                }
                if (epilogue.residual) {
                    const int row = epilogue.residual_rows.empty() ? m : epilogue.residual_rows[m];
                    sum += epilogue.residual[size_t(row) * p.outputs + n];
                }
                if (epilogue.activation) sum = activate(sum, *epilogue.activation);
                const double error = std::abs(out[g][size_t(m) * p.outputs + n] - sum);
                if (!(error <= 1e-5 * magnitude + 1e-6))
                    QFAIL(qPrintable(QString("rows %1 outputs %2 inputs %3 groups %4: out[%5][%6][%7] = %8, expected %9")
                                         .arg(p.rows).arg(p.outputs).arg(p.inputs).arg(p.groups).arg(g).arg(m).arg(n)
                                         .arg(out[g][size_t(m) * p.outputs + n]).arg(sum)));
            }
}

}  // namespace

class TestLinearKernel : public QObject {
    Q_OBJECT

private slots:
    void matchesFloat64_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("inputs");
        QTest::addColumn<int>("groups");
        // Rows: one, every tile size up to kTileRows, and several tiles; outputs: whole and
        // partial panels; inputs: shorter than a vector, one pass, and two and three passes.
        for (int rows : {1, 2, 5, 11, 12, 13, 25, 40})
            QTest::addRow("rows %d", rows) << rows << 64 << 96 << 1;
        QTest::addRow("partial panel") << 7 << 45 << 96 << 1;
        QTest::addRow("short rows") << 6 << 32 << 5 << 1;
        QTest::addRow("two passes") << 14 << 32 << 1000 << 1;
        QTest::addRow("three passes") << 3 << 40 << 1600 << 1;
        QTest::addRow("three groups") << 9 << 64 << 64 << 3;
        QTest::addRow("three partial groups") << 9 << 48 << 64 << 3;
    }

    void matchesFloat64() {
        QFETCH(int, rows);
        QFETCH(int, outputs);
        QFETCH(int, inputs);
        QFETCH(int, groups);
        const Problem p(rows, outputs, inputs, groups, 1000u * rows + outputs + inputs + groups);
        for (auto precision : {WeightPrecision::F32, WeightPrecision::BF16}) {
            check(p, precision, {});
            if (groups == 1) {
                check(p, precision, LinearEpilogue::add(p.residual.data()));
                check(p, precision, LinearEpilogue::add(p.residual.data(), p.residual_rows));
                for (auto a : {Activation::Gelu, Activation::GeluTanh, Activation::Relu})
                    check(p, precision, LinearEpilogue::activate(a));
            }
        }
    }

    void bfloat16IsRoundedToNearestEven() {
        const Problem p(1, 40, 70, 1, 5);
        PackedBertWeights storage;
        const auto views = p.views();
        const PackedMatrix packed = pack_matrices(views, WeightPrecision::BF16, storage);
        for (int n = 0; n < p.outputs; ++n)
            for (int k = 0; k < p.inputs; ++k)
                QCOMPARE(packed_weight(packed, 0, n, k), to_bfloat16(p.weights[0][size_t(n) * p.inputs + k]));
        QCOMPARE(to_bfloat16(1.0f + 1.0f / 256), 1.0f);  // a tie goes to the even neighbour
        QCOMPARE(to_bfloat16(1.0f + 3.0f / 256), 1.0f + 1.0f / 64);
    }

    void sameBitsOnOneOrTwoThreads() {
        const Problem p(50, 384, 800, 1, 9);  // large enough for linear_packed to use both threads
        PackedBertWeights storage;
        const auto views = p.views();
        const PackedMatrix packed = pack_matrices(views, WeightPrecision::F32, storage);
        std::vector<float> scratch(linear_scratch_size(p.rows, p.inputs)), one(size_t(p.rows) * p.outputs),
            two(one.size());
        const int threads = omp_get_max_threads();
        for (auto* out : {&one, &two}) {
            omp_set_num_threads(out == &one ? 1 : 2);
            float* const target[] = {out->data()};
            linear_packed(ConstMatrixMap(p.x.data(), p.rows, p.inputs), packed, target, {}, scratch.data());
        }
        omp_set_num_threads(threads);
        QVERIFY(one == two);
    }

    void sharedLayersArePackedOnce() {
        const Problem p(1, 32, 32, 1, 3);
        const auto v = p.views().front();
        EncoderLayerWeights layer{v, v, v, v, {}, v, v, {}};
        BertWeights weights;
        weights.layers = {layer, layer, layer};
        const auto packed = pack_bert_weights(weights, WeightPrecision::F32);
        QCOMPARE(int(packed->layers.size()), 3);
        QCOMPARE(packed->layers[2].intermediate.panels, packed->layers[0].intermediate.panels);
        QCOMPARE(packed->layers[0].query_key_value.groups, 3);
    }

    void mismatchedOutputsAreAnError() {
        const Problem p(2, 32, 16, 3, 4);
        PackedBertWeights storage;
        const auto views = p.views();
        const PackedMatrix packed = pack_matrices(views, WeightPrecision::F32, storage);
        std::vector<float> out(64), scratch(32);
        float* const one[] = {out.data()};
        QVERIFY_THROWS_EXCEPTION(std::exception, linear_packed(ConstMatrixMap(p.x.data(), 2, 16), packed, one, {}, scratch.data()));
    }
};

QTEST_GUILESS_MAIN(TestLinearKernel)
#include "test_linear_kernel.moc"
