// The Dataset panel end to end on a small seeded model and TSV files written here: the evaluation
// it shows agrees with the models run example by example in this test (predictions, accuracy,
// agreement, mutual information counted by hand), the configuration follows the retention editor's
// preset, malformed lines are rejected or skipped, a cancelled run leaves the previous results as
// they were, every analysis reaches its plot, the trade-off's labels cover no other point, and
// clicking a disagreement makes it the input of the sentence views.
#include "small_test_model.h"
#include "core/analysis.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "ui/analysis_controller.h"
#include "ui/dataset_ablation_plot.h"
#include "ui/dataset_diffusion_plot.h"
#include "ui/dataset_panel.h"
#include "ui/dataset_runner.h"
#include "ui/dataset_summary_view.h"
#include "ui/dataset_tradeoff_plot.h"
#include "ui/main_window.h"
#include "ui/retention_editor.h"
#include "ui/sentence_panel.h"

#include <qcustomplot.h>

#include <QDockWidget>
#include <QFile>
#include <QImage>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;
using pb::ui::DatasetAnalysis;
using pb::ui::DatasetPanel;

namespace {

struct Example {
    std::string text;
    int label;  // 0 negative, 1 positive
};

const std::vector<Example> kExamples = {
    {"a warm , funny and thoroughly charming film", 1},
    {"the plot is thin and the jokes fall flat", 0},
    {"one of the best performances of the year", 1},
    {"tedious , overlong and utterly forgettable", 0},
    {"a delightful surprise from start to finish", 1},
    {"i wanted to leave after twenty minutes", 0},
    {"beautifully shot and quietly moving", 1},
    {"a mess of clichés with nothing to say", 0},
    {"the cast is wonderful and the script sparkles", 1},
    {"boring characters stuck in a boring story", 0},
    {"smart , tender and full of life", 1},
    {"the dialogue is clumsy and the pacing drags", 0},
    {"an uplifting tale told with real care", 1},
    {"loud , dumb and strangely joyless", 0},
    {"a small gem that deserves a wide audience", 1},
    {"even the actors look bored", 0},
    {"funny in a way that never feels cheap", 1},
    {"a sequel nobody asked for and nobody needs", 0},
    {"the music alone is worth the ticket", 1},
    {"it confuses noise with excitement", 0},
};

// SST-2's layout: a header, then sentence<TAB>label.
void writeSst2(const QString& path, const std::vector<Example>& examples, int repeat = 1) {
    std::ofstream out(path.toStdString());
    out << "sentence\tlabel\n";
    for (int r = 0; r < repeat; ++r)
        for (const Example& e : examples) out << e.text << '\t' << e.label << '\n';
}

// I(X;Y) in bits from the joint counts of two binary labels, the textbook formula.
double mutualInformationBits(const std::vector<int>& x, const std::vector<int>& y) {
    const double n = double(x.size());
    double joint[2][2] = {{0, 0}, {0, 0}}, px[2] = {0, 0}, py[2] = {0, 0};
    for (size_t i = 0; i < x.size(); ++i) {
        joint[x[i]][y[i]] += 1 / n;
        px[x[i]] += 1 / n;
        py[y[i]] += 1 / n;
    }
    double mi = 0;
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
            if (joint[a][b] > 0) mi += joint[a][b] * std::log2(joint[a][b] / (px[a] * py[b]));
    return mi;
}

// The full model and PoWER-BERT (keep fraction rho per example length, Attn-WS) on one input,
// through pb::analyze: not the dataset code the panel runs.
std::pair<int, int> predictions(const pb::ModelFolder& model, const std::string& text, double rho) {
    const int n = int(model.encode(text).ids.size());
    pb::RetentionPlan plan;
    plan.keep = pb::geometric_retention(n, rho, model.model.config.num_layers);
    const pb::Analysis a = pb::analyze(model, text, std::nullopt, plan);
    return {a.full.predicted_label, a.power.predicted_label};
}

bool runAndWait(DatasetPanel& panel, DatasetAnalysis analysis) {
    QSignalSpy finished(&panel, &DatasetPanel::runFinished);
    QSignalSpy failed(&panel, &DatasetPanel::runFailed);
    if (!panel.run(analysis)) return false;
    return QTest::qWaitFor([&] { return finished.count() + failed.count() > 0; }, 120000) && failed.isEmpty();
}

}  // namespace

class TestDatasetPanel : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString modelDir_, sst2_;
    std::shared_ptr<const pb::ModelFolder> model_;
    static constexpr double kRho = 0.3;  // keeps few vectors, so some predictions change

    QString file(const QString& name) const { return tmp_.filePath(name); }

    std::unique_ptr<DatasetPanel> evaluatedPanel() {
        auto panel = std::make_unique<DatasetPanel>();
        panel->setModel(model_);
        panel->setDataFile(sst2_);
        panel->setKeepFractionOverride(kRho);
        if (!runAndWait(*panel, DatasetAnalysis::Evaluate)) return nullptr;
        return panel;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("powerbert-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_dataset_panel"));
        QSettings().clear();
        modelDir_ = file(QStringLiteral("model"));
        pb::write_seeded_bert_folder(modelDir_.toStdString(), smallConfig(), 5, pb::DType::F32, bundledVocab());
        model_ = std::make_shared<const pb::ModelFolder>(pb::load_model_folder(modelDir_.toStdString()));
        sst2_ = file(QStringLiteral("sst2.tsv"));
        writeSst2(sst2_, kExamples);
    }

    void evaluationMatchesTheModelsRunExampleByExample() {
        std::vector<int> full, power;
        int fullCorrect = 0, powerCorrect = 0, same = 0;
        std::vector<int> changedLines;
        for (size_t i = 0; i < kExamples.size(); ++i) {
            const auto [f, p] = predictions(*model_, kExamples[i].text, kRho);
            full.push_back(f);
            power.push_back(p);
            fullCorrect += f == kExamples[i].label;
            powerCorrect += p == kExamples[i].label;
            same += f == p;
            if (f != p) changedLines.push_back(int(i) + 2);  // line 1 is the header
        }
        const int n = int(kExamples.size());
        QVERIFY2(same < n, "the test needs at least one changed prediction");

        auto panel = evaluatedPanel();
        QVERIFY(panel);
        auto* summary = qobject_cast<pb::ui::DatasetSummaryView*>(panel->view(DatasetAnalysis::Evaluate));
        QVERIFY(summary && summary->hasResult());
        QVERIFY2(summary->valueText(QStringLiteral("Agreement"), 2).endsWith(QStringLiteral("(%1 of %2)").arg(same).arg(n)),
                 qPrintable(summary->valueText(QStringLiteral("Agreement"), 2)));
        QCOMPARE(summary->valueText(QStringLiteral("accuracy"), 1).toDouble(), std::round(1e4 * fullCorrect / n) / 1e4);
        QCOMPARE(summary->valueText(QStringLiteral("accuracy"), 2).toDouble(), std::round(1e4 * powerCorrect / n) / 1e4);
        const QString mi = summary->valueText(QStringLiteral("Mutual information"), 2);
        QVERIFY2(std::fabs(mi.section(QLatin1Char(' '), 0, 0).toDouble() - mutualInformationBits(full, power)) < 6e-4, qPrintable(mi));
        QCOMPARE(summary->valueText(QStringLiteral("Examples"), 1), QString::number(n));
        QVERIFY(summary->valueText(QStringLiteral("Speedup vs packed full"), 1).endsWith(QStringLiteral("×")));
        // The panel also times in batches by default (32 per pass).
        QVERIFY(summary->valueText(QStringLiteral("Batched speedup vs packed full"), 1).endsWith(QStringLiteral("×")));
        QVERIFY(!summary->valueText(QStringLiteral("Time per example, batched"), 2).isEmpty());

        // The disagreements table lists exactly the changed examples, by file line.
        QTableView* table = panel->disagreementTable();
        QCOMPARE(table->model()->rowCount(), n - same);
        std::vector<int> shownLines;
        for (int r = 0; r < table->model()->rowCount(); ++r) shownLines.push_back(table->model()->index(r, 0).data().toInt());
        std::sort(shownLines.begin(), shownLines.end());
        QCOMPARE(shownLines, changedLines);
        // Sorting by line (ascending) through the header's sort puts them in file order.
        table->sortByColumn(0, Qt::AscendingOrder);
        QCOMPARE(table->model()->index(0, 0).data().toInt(), changedLines.front());
        QCOMPARE(table->model()->index(0, 1).data().toString(),
                 QString::fromStdString(kExamples[size_t(changedLines.front() - 2)].text));
        QCOMPARE(panel->progressBar()->value(), panel->progressBar()->maximum());
        QVERIFY(panel->statusText().contains(QStringLiteral("%1 examples").arg(n)));
    }

    void resultsExportAsPlotsAndJson() {
        auto panel = evaluatedPanel();
        QVERIFY(panel);
        const QString png = file(QStringLiteral("evaluation.png")), json = file(QStringLiteral("evaluation.json"));
        panel->exportPlot(DatasetAnalysis::Evaluate, png);
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() >= 1000);
        panel->saveResultJson(DatasetAnalysis::Evaluate, json);
        QFile in(json);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(in.readAll().toStdString());
        QCOMPARE(QString::fromStdString(j.at("schema").get<std::string>()), QStringLiteral("powerbert-dataset-evaluation/1"));
        // Nothing to export yet for an analysis that was not run: a precise error, no file.
        const QString missing = file(QStringLiteral("diffusion.png"));
        QVERIFY_THROWS_EXCEPTION(pb::Error, panel->exportPlot(DatasetAnalysis::Diffusion, missing));
        QVERIFY(!QFile::exists(missing));
    }

    void cancellingKeepsThePreviousResults() {
        auto panel = evaluatedPanel();
        QVERIFY(panel);
        const auto evaluation = panel->results().evaluation;
        auto* summary = qobject_cast<pb::ui::DatasetSummaryView*>(panel->view(DatasetAnalysis::Evaluate));
        const QString agreement = summary->valueText(QStringLiteral("Agreement"), 2);

        // A run far longer than the wait for its first progress: 4000 examples x (1 + 4 layers x 24 ranks).
        const QString big = file(QStringLiteral("big.tsv"));
        writeSst2(big, kExamples, 200);
        panel->setDataFile(big);
        panel->setMaxRank(24);
        QSignalSpy finished(panel.get(), &DatasetPanel::runFinished);
        QSignalSpy cancelled(panel.get(), &DatasetPanel::runCancelled);
        QVERIFY(panel->run(DatasetAnalysis::MiRank));
        QVERIFY(panel->cancelButton()->isEnabled());
        QVERIFY(!panel->runButton(DatasetAnalysis::Evaluate)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(panel->runner()->progress().done > 0, 60000);
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        QVERIFY(cancelled.wait(60000));
        const double latency = panel->runner()->lastCancelLatency();
        qInfo("cancel -> worker stopped: %.1f ms (MI vs rank, %zu of %zu examples done)", latency * 1e3,
              panel->runner()->progress().done, panel->runner()->progress().total);
        QVERIFY(latency >= 0);
        QVERIFY(panel->runner()->progress().done < panel->runner()->progress().total);
        QCOMPARE(finished.count(), 0);
        QVERIFY(!panel->isRunning());
        QCOMPARE(panel->results().evaluation, evaluation);
        QVERIFY(!panel->results().miRank);
        QCOMPARE(summary->valueText(QStringLiteral("Agreement"), 2), agreement);
        QVERIFY(panel->statusText().contains(QStringLiteral("unchanged")));
        QVERIFY(panel->runButton(DatasetAnalysis::Evaluate)->isEnabled());

        // Cancelled before the worker even looked at the file: the same.
        QVERIFY(panel->run(DatasetAnalysis::Diffusion));
        panel->cancel();
        QVERIFY(cancelled.wait(60000));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!panel->results().diffusion);
        QCOMPARE(panel->results().evaluation, evaluation);
    }

    void everyAnalysisReachesItsPlot() {
        DatasetPanel panel;
        panel.setModel(model_);
        panel.setDataFile(sst2_);
        panel.setKeepFractionOverride(0.5);
        panel.setMaxRank(3);
        panel.setSeeds(2);
        QSignalSpy done(&panel, &DatasetPanel::sequenceFinished);
        QSignalSpy finished(&panel, &DatasetPanel::runFinished);
        QVERIFY(panel.runAll());
        QVERIFY(done.wait(120000));
        QCOMPARE(finished.count(), 5);
        for (DatasetAnalysis a : pb::ui::kAllDatasetAnalyses) {
            QVERIFY2(panel.results().has(a), qPrintable(pb::ui::datasetAnalysisName(a)));
            QVERIFY(panel.view(a)->hasResult());
            QVERIFY(!panel.view(a)->resultJson().is_null());
            QVERIFY(panel.view(a)->plot()->plottableCount() > 0);
        }
        // The diffusion plot's full-model line: at the embeddings, the mean over the examples of each
        // input's own mean pairwise cosine (pb::analyze, one input at a time).
        double embedding = 0;
        for (const Example& e : kExamples)
            embedding += pb::analyze(*model_, e.text, std::nullopt, {}).full.embedding_mean_cosine / double(kExamples.size());
        auto* diffusion = qobject_cast<pb::ui::DatasetDiffusionPlot*>(panel.view(DatasetAnalysis::Diffusion));
        QVERIFY(diffusion && diffusion->fullGraph());
        QCOMPARE(diffusion->fullGraph()->dataCount(), smallConfig().num_layers + 1);
        QVERIFY(std::fabs(diffusion->fullGraph()->data()->at(0)->value - embedding) < 1e-6);
        // MI vs rank: one line per encoder; trade-off: the full model and 8 fractions.
        QCOMPARE(panel.view(DatasetAnalysis::MiRank)->plot()->graphCount(), smallConfig().num_layers);
        QCOMPARE(int(panel.results().tradeoff->points.size()), 9);
        // The panel's batch setting (32 by default) times the trade-off in batches too, and its plot
        // places the points at those times.
        QCOMPARE(panel.results().tradeoff->batch, 32);
        for (const auto& p : panel.results().tradeoff->points) QVERIFY(p.batched_seconds.has_value());
        QVERIFY(panel.view(DatasetAnalysis::Tradeoff)->plot()->xAxis->label().contains("in batches of 32"));
        QCOMPARE(int(panel.results().ablation->random.size()), 2);
        // A palette change restyles every plot.
        QPalette dark = panel.palette();
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
        dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
        panel.setPalette(dark);
        for (DatasetAnalysis a : pb::ui::kAllDatasetAnalyses)
            QCOMPARE(panel.view(a)->plot()->axisRect()->axis(QCPAxis::atLeft)->tickLabelColor(), QColor(0xe6, 0xe6, 0xe6));
    }

    // Points as close as the README's picture had them (×0.5 and ×0.6): no label may cover another
    // point's marker, and no two labels may overlap, at the size the plot is shown or exported.
    void tradeoffLabelsCoverNoOtherPoint() {
        auto result = std::make_shared<pb::TradeoffResult>();
        result->metric_name = "accuracy";
        result->examples = 1;
        const std::pair<double, double> points[] = {{0.29, 0.767}, {0.33, 0.772}, {0.39, 0.7866}, {0.415, 0.7865},
                                                    {0.46, 0.798}, {0.515, 0.8027}, {0.56, 0.8176}, {0.585, 0.828}};
        for (size_t i = 0; i < std::size(points); ++i) {
            pb::TradeoffPoint p;
            p.factor = 0.3 + 0.1 * double(i);
            p.seconds = points[i].first * 1e-3;
            p.metric = points[i].second;
            result->points.push_back(p);
        }
        pb::TradeoffPoint full;
        full.name = "full";
        full.seconds = 1.32e-3;
        full.metric = 0.828;
        result->points.push_back(full);
        pb::ui::DatasetTradeoffPlot view;
        pb::ui::DatasetResults results;
        results.tradeoff = result;
        view.setResults(results);
        for (QSize size : {QSize(1400, 660), QSize(900, 500)}) {
            view.resize(size);
            view.plot()->replot();
            QCustomPlot* plot = view.plot();
            std::vector<QRectF> labels;
            for (int i = 0; i < plot->itemCount(); ++i) {
                auto* label = qobject_cast<QCPItemText*>(plot->item(i));
                if (!label) continue;
                const QRectF box = QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition()).normalized();
                const QPointF own = label->position->pixelPosition();
                for (const auto& p : result->points) {
                    const QPointF marker(plot->xAxis->coordToPixel(p.seconds * 1e3), plot->yAxis->coordToPixel(p.metric));
                    if (QLineF(marker, own).length() < 1) continue;
                    QVERIFY2(!box.adjusted(-3, -3, 3, 3).contains(marker), qPrintable(label->text()));
                }
                for (const QRectF& other : labels) QVERIFY2(!box.intersects(other), qPrintable(label->text()));
                labels.push_back(box);
            }
            QCOMPARE(int(labels.size()), int(result->points.size()));
        }
    }

    void configurationFollowsTheEditorPreset() {
        // A model with its own retention.json, longer than the sentence on screen.
        const QString dir = file(QStringLiteral("model-with-retention"));
        pb::write_seeded_bert_folder(dir.toStdString(), smallConfig(), 5, pb::DType::F32, bundledVocab());
        pb::RetentionPlan own;
        own.keep = {9, 6, 3, 2};
        pb::save_retention_json(fs::path(dir.toStdString()) / "retention.json", own, "test");
        const auto model = std::make_shared<const pb::ModelFolder>(pb::load_model_folder(dir.toStdString()));
        pb::ui::RetentionEditor editor;
        editor.setSentenceLength(5);
        editor.setModelConfig(model->model.config, model->retention);
        DatasetPanel panel;
        panel.setModel(model);
        panel.followRetentionEditor(&editor);

        editor.applyModelRetention();
        QCOMPARE(editor.keep(), (std::vector<int>{5, 5, 3, 2}));  // fitted to the 5-token sentence
        pb::ui::DatasetJob job = panel.job(DatasetAnalysis::Evaluate);
        QCOMPARE(job.plan.keep, own.keep);  // the dataset gets the model's own values
        QVERIFY(!job.keepFraction);

        editor.applyKeepFraction(0.5);
        job = panel.job(DatasetAnalysis::Evaluate);
        QVERIFY(job.plan.keep.empty());
        QCOMPARE(job.keepFraction.value_or(0), 0.5);

        editor.setKeep({4, 3, 3, 1});
        editor.setStrategy(pb::Strategy::Random, 7);
        job = panel.job(DatasetAnalysis::Ablation);
        QCOMPARE(job.plan.keep, (std::vector<int>{4, 3, 3, 1}));
        QCOMPARE(job.plan.strategy, pb::Strategy::Random);
        QCOMPARE(job.plan.seed, uint64_t(7));

        editor.applyFullModel();
        QVERIFY(panel.job(DatasetAnalysis::Evaluate).plan.keep.empty());
        QVERIFY(!panel.job(DatasetAnalysis::Evaluate).keepFraction);

        // The panel's own keep fraction overrides the editor's values, not its strategy.
        panel.setKeepFractionOverride(0.4);
        job = panel.job(DatasetAnalysis::Evaluate);
        QCOMPARE(job.keepFraction.value_or(0), 0.4);
        QCOMPARE(job.plan.strategy, pb::Strategy::Random);
    }

    void malformedLinesAreRejectedOrSkipped() {
        const QString bad = file(QStringLiteral("bad.tsv"));
        {
            std::ofstream out(bad.toStdString());
            out << "sentence\tlabel\n" << kExamples[0].text << "\t1\n" << "a line without its label\n"
                << kExamples[1].text << "\t0\n";
        }
        DatasetPanel panel;
        panel.setModel(model_);
        panel.setDataFile(bad);
        QSignalSpy failed(&panel, &DatasetPanel::runFailed);
        QVERIFY(panel.run(DatasetAnalysis::Evaluate));
        QVERIFY(failed.wait(60000));
        const QString message = failed.front().front().toString();
        QVERIFY2(message.contains(QStringLiteral("bad.tsv:3")), qPrintable(message));
        QVERIFY(panel.statusText().contains(QStringLiteral("bad.tsv:3")));
        QVERIFY(!panel.results().evaluation);

        panel.setMalformedPolicy(pb::MalformedPolicy::Skip);
        QVERIFY(runAndWait(panel, DatasetAnalysis::Evaluate));
        QCOMPARE(panel.results().evaluation->examples, size_t(2));
        QVERIFY2(panel.statusText().contains(QStringLiteral("Skipped 1 malformed line (line 3")),
                 qPrintable(panel.statusText()));
    }

    void clickingADisagreementOpensItInTheSentenceViews() {
        // RTE's layout, so the example is a pair.
        const QString rte = file(QStringLiteral("RTE/dev.tsv"));
        QVERIFY(QDir().mkpath(file(QStringLiteral("RTE"))));
        {
            std::ofstream out(rte.toStdString());
            out << "index\tsentence1\tsentence2\tlabel\n";
            for (size_t i = 0; i + 1 < kExamples.size(); ++i)
                out << i << '\t' << kExamples[i].text << '\t' << kExamples[i + 1].text << '\t'
                    << (i % 2 ? "entailment" : "not_entailment") << '\n';
        }
        pb::ui::MainWindow window;
        window.setErrorDialogsEnabled(false);
        window.setClosePrompt([] { return QMessageBox::Discard; });
        window.show();
        window.controller()->setModel(model_);
        DatasetPanel* panel = window.datasetPanel();
        panel->setDataFile(rte);
        panel->setKeepFractionOverride(0.2);
        window.datasetDock()->show();
        QVERIFY(runAndWait(*panel, DatasetAnalysis::Evaluate));
        QCOMPARE(panel->results().evaluation->task, pb::GlueTask::RTE);
        QTableView* table = panel->disagreementTable();
        QVERIFY2(table->model()->rowCount() > 0, "the test needs a changed prediction");
        panel->resultTabs()->setCurrentWidget(table->parentWidget());
        QVERIFY(QTest::qWaitForWindowExposed(table->window()));

        const int line = table->model()->index(0, 0).data().toInt();
        const size_t i = size_t(line - 2);
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(table->model()->index(0, 1)).center());
        QCOMPARE(window.sentencePanel()->text(), QString::fromStdString(kExamples[i].text));
        QCOMPARE(window.sentencePanel()->pair().value_or(QString()), QString::fromStdString(kExamples[i + 1].text));
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->analysis() &&
                                     window.controller()->analysis()->text == kExamples[i].text,
                                 10000);
        QCOMPARE(window.controller()->analysis()->pair.value_or(""), kExamples[i + 1].text);
    }
};

QTEST_MAIN(TestDatasetPanel)
#include "test_dataset_panel.moc"
