// The roofline behind `powerbert bench`'s attainable speedup, by hand.
#include "core/inference_benchmark.h"
#include "tests/shared/tiny_bert_config.h"

#include <QtTest>

using namespace pb;

class TestInferenceBenchmark : public QObject {
    Q_OBJECT

private slots:
    void rooflineTakesTheSlowerOfReadingAndArithmetic() {
        const ModelConfig c = pb_test::tiny_bert_config();  // hidden 4, intermediate 8
        // Multiply-adds of a layer with n_in rows in and n_out kept (H 4, I 8): Q, K, V 3*n_in*16,
        // scores n_in*n_in*4, context n_out*n_in*4, output n_out*16, feed-forward 2*n_out*4*8.
        // 6 -> 3: 288 + 144 + 72 + 48 + 192 = 744; 3 -> 1: 144 + 36 + 12 + 16 + 64 = 272.
        // Two sequences: 1488 and 544 multiply-adds.
        const std::vector<int> keep = {3, 1};
        // 1000 multiply-adds per ms, 1 ms to read a layer: the first layer is bound by arithmetic
        // (1.488 ms), the second by reading (1 ms, not 0.544).
        QCOMPARE(roofline_floor_ms(c, keep, 6, 2, 1000.0, 1.0), 2.488);
        // Reading slower than all arithmetic: two layers, two reads.
        QCOMPARE(roofline_floor_ms(c, keep, 6, 2, 1000.0, 2.0), 4.0);
        // Keeping every row: the full model's floor, 6 -> 6 is 288 + 144 + 144 + 96 + 384 = 1056.
        QCOMPARE(roofline_floor_ms(c, {6, 6}, 6, 1, 100.0, 1.0), 2 * 10.56);
    }
};

QTEST_APPLESS_MAIN(TestInferenceBenchmark)
#include "test_inference_benchmark.moc"
