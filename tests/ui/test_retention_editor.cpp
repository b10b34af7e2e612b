// RetentionEditor: non-increasing values through spin boxes and plot drags, the documented presets,
// clamping to the sentence length, multiply-adds, retention.json load/save.
#include "small_test_model.h"
#include "core/elimination.h"
#include "core/flops.h"
#include "core/model_config.h"
#include "ui/retention_editor.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDir>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using pb::ui::RetentionEditor;

namespace {

bool nonIncreasing(const std::vector<int>& keep) {
    for (size_t j = 1; j < keep.size(); ++j)
        if (keep[j] > keep[j - 1]) return false;
    return true;
}

}  // namespace

class TestRetentionEditor : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

private slots:
    void presetsGiveTheDocumentedValues() {
        RetentionEditor editor;
        editor.setSentenceLength(20);
        editor.setModelConfig(smallConfig());
        QCOMPARE(editor.numLayers(), 4);

        editor.applyFullModel();
        QCOMPARE(editor.keep(), (std::vector<int>{20, 20, 20, 20}));
        QCOMPARE(editor.planMultiplyAdds(), editor.fullMultiplyAdds());

        // keep_j = ceil(n * rho^j): 20*0.5=10, 5, 2.5->3, 1.25->2
        editor.applyKeepFraction(0.5);
        QCOMPARE(editor.keep(), (std::vector<int>{10, 5, 3, 2}));
        QCOMPARE(editor.keep(), pb::geometric_retention(20, 0.5, 4));

        // keep_j = round(n - (n - k) * j / L): 16, 12, 8, 4
        editor.applyLinearDecay(4);
        QCOMPARE(editor.keep(), (std::vector<int>{16, 12, 8, 4}));
        QCOMPARE(editor.preset(), RetentionEditor::Preset::LinearDecay);

        // A preset follows the sentence length.
        editor.applyKeepFraction(0.5);
        editor.setSentenceLength(40);
        QCOMPARE(editor.keep(), (std::vector<int>{20, 10, 5, 3}));
    }

    void spinBoxesKeepTheConfigurationNonIncreasing() {
        RetentionEditor editor;
        editor.setSentenceLength(20);
        editor.setModelConfig(smallConfig());
        editor.applyLinearDecay(4);  // 16, 12, 8, 4
        QSignalSpy spy(&editor, &RetentionEditor::planChanged);

        // Raising layer 3 raises the earlier layers that are below it.
        editor.spinBox(2)->setValue(15);
        QCOMPARE(editor.keep(), (std::vector<int>{16, 15, 15, 4}));
        QCOMPARE(editor.preset(), RetentionEditor::Preset::Custom);
        QCOMPARE(editor.spinBox(1)->value(), 15);
        QVERIFY(spy.count() >= 1);
        QCOMPARE(spy.last().at(0).value<pb::RetentionPlan>().keep, editor.keep());

        // Lowering layer 2 lowers the later layers above it.
        editor.spinBox(1)->setValue(3);
        QCOMPARE(editor.keep(), (std::vector<int>{16, 3, 3, 3}));

        // Typing into a spin box applies the value on Enter, not digit by digit (typing "10" must not
        // apply "1" to the later layers on the way).
        editor.applyLinearDecay(4);  // 16, 12, 8, 4
        editor.spinBox(0)->selectAll();
        QTest::keyClicks(editor.spinBox(0), "10");
        QCOMPARE(editor.keep(), (std::vector<int>{16, 12, 8, 4}));
        QTest::keyClick(editor.spinBox(0), Qt::Key_Enter);
        QCOMPARE(editor.keep(), (std::vector<int>{10, 10, 8, 4}));
        QVERIFY(nonIncreasing(editor.keep()));
    }

    void valuesAreClampedToTheSentenceLength() {
        RetentionEditor editor;
        editor.setSentenceLength(12);
        editor.setModelConfig(smallConfig());
        editor.setLayerValue(0, 500);
        QCOMPARE(editor.keep().front(), 12);
        editor.setLayerValue(3, 0);
        QCOMPARE(editor.keep().back(), 1);
        QCOMPARE(editor.spinBox(0)->maximum(), 12);
        QCOMPARE(editor.spinBox(0)->minimum(), 1);

        editor.setKeep({12, 11, 9, 7});  // custom values
        editor.setSentenceLength(8);       // a shorter sentence clamps them
        QCOMPARE(editor.keep(), (std::vector<int>{8, 8, 8, 7}));
        QCOMPARE(editor.spinBox(3)->maximum(), 8);
        editor.setKeep({30, 2, 5, 1});  // clamped, then made non-increasing
        QCOMPARE(editor.keep(), (std::vector<int>{8, 2, 2, 1}));

        editor.applyLinearDecay(50);  // k beyond n: clamped to n (no elimination)
        QCOMPARE(editor.keep(), (std::vector<int>{8, 8, 8, 8}));
    }

    void draggingThePlotEnforcesTheRule() {
        RetentionEditor editor;
        editor.resize(420, 640);
        editor.setSentenceLength(20);
        editor.setModelConfig(smallConfig());
        editor.applyLinearDecay(4);  // 16, 12, 8, 4
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.plot()->replot();

        // The handler itself.
        editor.dragPoint(3, 17.6);  // rounds to 18: every earlier layer is raised to 18
        QCOMPARE(editor.keep(), (std::vector<int>{18, 18, 18, 18}));
        editor.dragPoint(1, 2.2);
        QCOMPARE(editor.keep(), (std::vector<int>{18, 2, 2, 2}));
        editor.dragPoint(0, -5.0);  // clamped to 1
        QCOMPARE(editor.keep(), (std::vector<int>{1, 1, 1, 1}));

        // Real mouse events: press on layer 3's point, drag it up to 14, release.
        editor.applyLinearDecay(4);
        QCustomPlot* plot = editor.plot();
        plot->replot();
        const QPoint start = editor.pointPixel(2);
        QCOMPARE(qRound(plot->xAxis->pixelToCoord(start.x())), 3);
        const QPoint target(start.x(), qRound(plot->yAxis->coordToPixel(14.0)));
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, start);
        QTest::mouseMove(plot, QPoint(start.x(), (start.y() + target.y()) / 2));
        QTest::mouseMove(plot, target);
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, target);
        QCOMPARE(editor.keep()[2], 14);
        QCOMPARE(editor.keep()[1], 14);  // raised from 12
        QCOMPARE(editor.keep()[0], 16);
        QCOMPARE(editor.keep()[3], 4);
        QVERIFY(nonIncreasing(editor.keep()));

        // Dragging the last layer far down lowers only it (nothing after it), clamped at 1.
        const QPoint last = editor.pointPixel(3);
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, last);
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, QPoint(last.x(), plot->height() - 2));
        QCOMPARE(editor.keep()[3], 1);
    }

    void strategyAndSeedArePartOfThePlan() {
        RetentionEditor editor;
        editor.setSentenceLength(10);
        editor.setModelConfig(smallConfig());
        QSignalSpy spy(&editor, &RetentionEditor::planChanged);
        editor.setStrategy(pb::Strategy::Random, 42);
        QCOMPARE(spy.count(), 1);
        const auto plan = spy.last().at(0).value<pb::RetentionPlan>();
        QCOMPARE(plan.strategy, pb::Strategy::Random);
        QCOMPARE(plan.seed, uint64_t(42));
        QVERIFY(editor.seedSpin()->isEnabled());
        editor.setStrategy(pb::Strategy::Head, 0);
        QVERIFY(!editor.seedSpin()->isEnabled());
        QCOMPARE(editor.strategyCombo()->currentData().toInt(), int(pb::Strategy::Head));
    }

    void multiplyAddsMatchTheCostModel() {
        RetentionEditor editor;
        editor.setSentenceLength(20);
        const pb::ModelConfig config = smallConfig();
        editor.setModelConfig(config);
        editor.setKeep({10, 5, 3, 2});
        const std::vector<int> full(5, 20), plan{20, 10, 5, 3, 2};
        QCOMPARE(editor.fullMultiplyAdds(), pb::model_multiply_adds(config, full, true));
        QCOMPARE(editor.planMultiplyAdds(), pb::model_multiply_adds(config, plan, true));
        QVERIFY(editor.planMultiplyAdds() < editor.fullMultiplyAdds());
        QVERIFY(editor.savingsText().contains(QStringLiteral("saved")));
    }

    void retentionJsonRoundTrip() {
        RetentionEditor editor;
        editor.setSentenceLength(30);
        editor.setModelConfig(smallConfig());
        editor.setKeep({25, 12, 6, 2});
        editor.setStrategy(pb::Strategy::Random, 7);
        const QString path = tmp_.filePath(QStringLiteral("retention.json"));
        QCOMPARE(editor.saveRetentionFile(path), QString());
        const pb::RetentionPlan read = pb::load_retention_json(path.toStdString(), 4);
        QCOMPARE(read.keep, (std::vector<int>{25, 12, 6, 2}));
        QCOMPARE(read.strategy, pb::Strategy::Random);
        QCOMPARE(read.seed, uint64_t(7));

        RetentionEditor other;
        other.setSentenceLength(20);  // shorter: 25 is clamped to 20 on load
        other.setModelConfig(smallConfig());
        QCOMPARE(other.loadRetentionFile(path), QString());
        QCOMPARE(other.keep(), (std::vector<int>{20, 12, 6, 2}));
        QCOMPARE(other.strategy(), pb::Strategy::Random);
        QCOMPARE(other.seed(), uint64_t(7));

        // A bad file: precise error naming the file, nothing changed.
        const QString bad = tmp_.filePath(QStringLiteral("bad.json"));
        std::ofstream(bad.toStdString()) << R"({"retention": [3, 5, 2, 1]})";
        const auto before = other.keep();
        const QString error = other.loadRetentionFile(bad);
        QVERIFY2(error.contains(bad) && error.contains(QStringLiteral("non-increasing")), qPrintable(error));
        QCOMPARE(other.keep(), before);
        QVERIFY(other.loadRetentionFile(tmp_.filePath(QStringLiteral("missing.json"))).contains(QStringLiteral("cannot open")));

        // Saving over an existing file leaves no temporary files behind.
        QCOMPARE(other.saveRetentionFile(path), QString());
        const QStringList entries = QDir(tmp_.path()).entryList(QDir::Files | QDir::Hidden);
        QCOMPARE(entries, (QStringList{QStringLiteral("bad.json"), QStringLiteral("retention.json")}));
    }

    void modelRetentionIsOfferedAsAPreset() {
        RetentionEditor editor;
        editor.setSentenceLength(10);
        pb::RetentionPlan own;
        own.keep = {40, 20, 8, 3};
        own.strategy = pb::Strategy::Head;
        editor.setModelConfig(smallConfig(), own);
        QVERIFY(editor.presetCombo()->findData(int(RetentionEditor::Preset::ModelRetention)) >= 0);
        editor.applyModelRetention();
        QCOMPARE(editor.keep(), (std::vector<int>{10, 10, 8, 3}));  // clamped to n = 10
        QCOMPARE(editor.strategy(), pb::Strategy::Head);
        editor.setModelConfig(smallConfig());  // a model without one: the preset disappears
        QCOMPARE(editor.presetCombo()->findData(int(RetentionEditor::Preset::ModelRetention)), -1);
        QVERIFY(editor.preset() != RetentionEditor::Preset::ModelRetention);
    }
};

QTEST_MAIN(TestRetentionEditor)
#include "test_retention_editor.moc"
