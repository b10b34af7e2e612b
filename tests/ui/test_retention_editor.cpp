// RetentionEditor: non-increasing values through spin boxes and plot drags, the documented presets,
// clamping to the sentence length, multiply-adds, retention.json load/save, and the edits it reports
// for undo (their states set back exactly).
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

// Shown (for real mouse events on the plot) on n = 20 with linear decay to 4: 16, 12, 8, 4.
bool showWithLinearDecay(RetentionEditor& editor) {
    editor.resize(420, 640);
    editor.setSentenceLength(20);
    editor.setModelConfig(smallConfig());
    editor.applyLinearDecay(4);
    editor.show();
    if (!QTest::qWaitForWindowExposed(&editor)) return false;
    editor.plot()->replot();
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
        QVERIFY(showWithLinearDecay(editor));  // 16, 12, 8, 4 on n = 20

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

    void userEditsAreReportedWithTheStateBeforeAndAfter() {
        RetentionEditor editor;
        QVERIFY(showWithLinearDecay(editor));  // 16, 12, 8, 4 on n = 20
        QSignalSpy edits(&editor, &RetentionEditor::edited);

        // What the program does is not an edit: a new sentence, a new model, the API's own setters.
        editor.setSentenceLength(18);
        editor.setKeep({9, 9, 3, 1});
        editor.applyLinearDecay(4);
        QCOMPARE(edits.count(), 0);
        const std::vector<int> start = editor.keep();  // 15, 11, 8, 4 for n = 18
        QCOMPARE(start, (std::vector<int>{15, 11, 8, 4}));

        // A drag is one edit, however many moves it takes; before = the press, after = the release.
        QCustomPlot* plot = editor.plot();
        const QPoint from = editor.pointPixel(2);
        const QPoint to(from.x(), qRound(plot->yAxis->coordToPixel(13.0)));
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, from);
        for (int step = 1; step <= 4; ++step) QTest::mouseMove(plot, QPoint(from.x(), from.y() + (to.y() - from.y()) * step / 4));
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, to);
        QCOMPARE(edits.count(), 1);
        auto before = edits.at(0).at(0).value<RetentionEditor::State>();
        auto after = edits.at(0).at(1).value<RetentionEditor::State>();
        QCOMPARE(before.keep, start);
        QCOMPARE(before.preset, RetentionEditor::Preset::LinearDecay);
        QCOMPARE(after.keep, (std::vector<int>{15, 13, 13, 4}));
        QCOMPARE(after.preset, RetentionEditor::Preset::Custom);
        QCOMPARE(edits.at(0).at(2).toString(), QStringLiteral("layer 3 = 13 (drag)"));
        QCOMPARE(edits.at(0).at(3).toInt(), int(RetentionEditor::kNoMerge));

        // A spin box step: keyed by its layer, so that the main window can merge the steps.
        editor.spinBox(3)->stepUp();
        QCOMPARE(edits.count(), 2);
        QCOMPARE(edits.at(1).at(1).value<RetentionEditor::State>().keep, (std::vector<int>{15, 13, 13, 5}));
        QCOMPARE(edits.at(1).at(3).toInt(), RetentionEditor::kFirstLayerEdit + 3);

        // The strategy combo, as a user picks it.
        const int random = editor.strategyCombo()->findData(int(pb::Strategy::Random));
        editor.strategyCombo()->setCurrentIndex(random);
        emit editor.strategyCombo()->activated(random);
        QCOMPARE(edits.count(), 3);
        QCOMPARE(edits.at(2).at(0).value<RetentionEditor::State>().strategy, pb::Strategy::Attention);
        QCOMPARE(edits.at(2).at(1).value<RetentionEditor::State>().strategy, pb::Strategy::Random);

        // A click that changes nothing is not an edit.
        const QPoint same = editor.pointPixel(0);
        QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, same);
        QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, same);
        QCOMPARE(edits.count(), 3);
    }

    void setStateRestoresCustomValuesAndPresetsForTheSentence() {
        RetentionEditor editor;
        editor.setSentenceLength(20);
        editor.setModelConfig(smallConfig());
        editor.setStrategy(pb::Strategy::Random, 9);
        editor.setKeep({17, 6, 6, 2});
        const RetentionEditor::State custom = editor.state();
        editor.applyKeepFraction(0.5);  // ceil(20 * 0.5^j) = 10, 5, 3, 2
        const RetentionEditor::State fraction = editor.state();
        QCOMPARE(fraction.keep, (std::vector<int>{10, 5, 3, 2}));

        QSignalSpy plans(&editor, &RetentionEditor::planChanged);
        QSignalSpy edits(&editor, &RetentionEditor::edited);
        editor.setState(custom);
        QCOMPARE(editor.state(), custom);
        QCOMPARE(plans.count(), 1);
        QCOMPARE(edits.count(), 0);  // setting a state is how undo works: not an edit itself
        QCOMPARE(editor.spinBox(0)->value(), 17);
        QCOMPARE(editor.seedSpin()->value(), 9);

        // A preset's state follows the sentence it is set on: keep fraction 0.5 on n = 12 is 6, 3, 2, 1.
        editor.setSentenceLength(12);
        editor.setState(fraction);
        QCOMPARE(editor.preset(), RetentionEditor::Preset::KeepFraction);
        QCOMPARE(editor.keepFraction(), 0.5);
        QCOMPARE(editor.keep(), (std::vector<int>{6, 3, 2, 1}));
        // A custom one is clamped to it: 17 becomes 12.
        editor.setState(custom);
        QCOMPARE(editor.keep(), (std::vector<int>{12, 6, 6, 2}));

        // A state of another layer count is ignored.
        RetentionEditor::State wrong = custom;
        wrong.keep = {3, 2};
        editor.setState(wrong);
        QCOMPARE(editor.keep(), (std::vector<int>{12, 6, 6, 2}));
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
