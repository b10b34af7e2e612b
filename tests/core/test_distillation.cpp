// Distillation's pieces against hand-worked numbers: the teacher's probabilities at a temperature,
// the loss (1 - w) CE(label) + w T^2 CE(teacher_T, softmax(z / T)) and its gradient (finite
// differences), and the errors for a bad temperature, label, row count or a teacher without a
// trained head.
#include "core/seeded_weights.h"
#include "core/train/distillation.h"
#include "core/train/task_head_grad.h"
#include "error_assertions.h"
#include "finite_differences.h"
#include "tests/shared/tiny_bert_config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace pb;
using namespace pb::train;

namespace {

using MatD = Mat<double>;

TrainExample labelled(float label) {
    TrainExample e;
    e.ids = {1, 2};
    e.type_ids = {0, 0};
    e.label = label;
    return e;
}

// Row 0: softmax(0, ln 3) = (1/4, 3/4); row 1: softmax(2, 2) = (1/2, 1/2).
Mat<float> teacher_rows() {
    Mat<float> z(2, 2);
    z << 0.0f, float(std::log(3.0)), 2.0f, 2.0f;
    return z;
}

}  // namespace

class TestDistillation : public QObject {
    Q_OBJECT

private slots:
    void teacherProbabilitiesAtATemperature() {
        std::vector<TrainExample> data = {labelled(0), labelled(1)};
        attach_teacher_targets(data, teacher_rows(), 1.0);
        QVERIFY(std::abs(data[0].target[0] - 0.25f) < 1e-6f && std::abs(data[0].target[1] - 0.75f) < 1e-6f);
        QVERIFY(std::abs(data[1].target[0] - 0.5f) < 1e-6f && std::abs(data[1].target[1] - 0.5f) < 1e-6f);
        // T = 2: softmax(0, ln 3 / 2) = (1, sqrt 3) / (1 + sqrt 3).
        attach_teacher_targets(data, teacher_rows(), 2.0);
        const float root3 = float(std::sqrt(3.0));
        QVERIFY(std::abs(data[0].target[0] - 1 / (1 + root3)) < 1e-6f);
        QVERIFY(std::abs(data[0].target[1] - root3 / (1 + root3)) < 1e-6f);
        QVERIFY(std::abs(data[1].target[0] - 0.5f) < 1e-6f);
    }

    void rejectsBadInput() {
        std::vector<TrainExample> data = {labelled(0), labelled(1)};
        QVERIFY_ERROR_MENTIONS(attach_teacher_targets(data, teacher_rows(), 0.0), "not a number > 0");
        QVERIFY_ERROR_MENTIONS(attach_teacher_targets(data, teacher_rows(), std::nan("")), "not a number > 0");
        std::vector<TrainExample> three = {labelled(0), labelled(1), labelled(1)};
        QVERIFY_ERROR_MENTIONS(attach_teacher_targets(three, teacher_rows(), 0.5), "2 teacher predictions for 3");
        std::vector<TrainExample> bad = {labelled(0), labelled(2)};
        QVERIFY_ERROR_MENTIONS(attach_teacher_targets(bad, teacher_rows(), 0.5), "example 2", "teacher's 2");
        Mat<float> logits = teacher_rows(), d;
        const std::vector<float> y = {0, 1}, short_targets = {0.5f, 0.5f};
        QVERIFY_ERROR_MENTIONS(head_loss<float>(logits, y, false, 1.0f, d, DistillTerm{short_targets, 0.5, 1}),
                               "one row of 2");
        const std::vector<float> teacher = {0.5f, 0.5f, 0.5f, 0.5f};
        QVERIFY_ERROR_MENTIONS(head_loss<float>(logits, y, false, 1.0f, d, DistillTerm{teacher, 0.5, 0}),
                               "temperature must be > 0");
    }

    // The loss by hand at z = (0, ln 3), label 0, teacher (1/2, 1/2), w = 1/2, T = 1:
    // 1/2 ln 4 + 1/2 (ln 4 + ln 4/3) / 2. A one-hot teacher at T = 1 gives the label's loss and
    // gradient; at T = 2 the gradient matches finite differences.
    void lossWithATeacher() {
        MatD z(2, 2);
        z << 0.0, std::log(3.0), 0.3, -1.2;
        const std::vector<float> y = {0, 1}, teacher = {0.5f, 0.5f, 0.2f, 0.8f};
        MatD d;
        (void)head_loss<double>(z, y, false, 1.0, d, DistillTerm{teacher, 0.5, 1});
        MatD first = z.topRows(1), d_first;
        const double loss = head_loss<double>(first, std::span(y).first(1), false, 1.0, d_first,
                                              DistillTerm{std::span(teacher).first(2), 0.5, 1});
        const double by_hand = 0.5 * std::log(4.0) + 0.25 * (std::log(4.0) + std::log(4.0 / 3.0));
        QVERIFY2(std::abs(loss - by_hand) < 1e-6, qPrintable(QString::number(loss - by_hand)));
        // d/dz: 1/2 (softmax - onehot) + 1/2 (softmax - q) = (1/2 (1/4 - 1) + 1/2 (1/4 - 1/2), ...).
        QVERIFY(std::abs(d_first(0, 0) - (0.5 * (0.25 - 1) + 0.5 * (0.25 - 0.5))) < 1e-7);
        QVERIFY(std::abs(d_first(0, 1) - (0.5 * 0.75 + 0.5 * (0.75 - 0.5))) < 1e-7);

        MatD d_hard, d_onehot;
        const std::vector<float> onehot = {1, 0, 0, 1};
        const double hard = head_loss<double>(z, y, false, 0.5, d_hard);
        const double same = head_loss<double>(z, y, false, 0.5, d_onehot, DistillTerm{onehot, 0.7, 1});
        QVERIFY(std::abs(hard - same) < 1e-12);
        QVERIFY((d_hard - d_onehot).cwiseAbs().maxCoeff() < 1e-12);

        const DistillTerm warm{teacher, 0.6, 2.0};
        MatD d_warm;
        (void)head_loss<double>(z, y, false, 1.0, d_warm, warm);
        std::vector<double> analytic(d_warm.data(), d_warm.data() + d_warm.size());
        auto f = [&] {
            MatD unused;
            return head_loss<double>(z, y, false, 1.0, unused, warm);
        };
        const double e = check_entries(z.data(), size_t(z.size()), analytic, f);
        qInfo("distillation loss at T = 2: max relative gradient error %.3g", e);
        QVERIFY(e < 1e-6);
    }

    // A teacher must bring its own classifier: a folder with another number of labels is refused
    // (a student would get a fresh head instead), naming the folder.
    void teacherNeedsItsOwnHead() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.path().toStdString();
        write_seeded_bert_folder(folder, pb_test::tiny_bert_config(), 4);
        LoadOptions load;
        load.num_labels = 3;
        QCOMPARE(load_trainable_bert(folder, load).config.num_labels, 3);  // a student: new head, noted
        load.require_head = true;
        const std::string name = folder.string();
        QVERIFY_ERROR_MENTIONS(load_trainable_bert(folder, load), name.c_str(), "no trained classification head");
        load.num_labels = 2;
        QCOMPARE(load_trainable_bert(folder, load).config.num_labels, 2);
    }
};

QTEST_APPLESS_MAIN(TestDistillation)
#include "test_distillation.moc"
