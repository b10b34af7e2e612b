// The five analysis views on a real Analysis of a small seeded (untrained) BERT: each view must show
// exactly what the traces recorded, react to clicks, clear on nullptr, and paint something.
#include "small_test_model.h"
#include "core/analysis.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "ui/attention_view.h"
#include "ui/color_map.h"
#include "ui/diffusion_plot.h"
#include "ui/prediction_panel.h"
#include "ui/significance_view.h"
#include "ui/token_survival_view.h"

#include <qcustomplot.h>

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

using namespace pb::ui;

namespace {

const char* kSentence = "the movie was surprisingly good, although the ending felt rushed and predictable.";

// One CSV record without embedded line breaks (RFC 4180 quoting).
QStringList parseCsvLine(const QString& line) {
    QStringList fields;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

QList<QStringList> parseCsv(const QString& csv) {
    QList<QStringList> rows;
    for (const QString& line : csv.split('\n', Qt::SkipEmptyParts)) rows << parseCsvLine(line);
    return rows;
}

bool contains(const std::vector<int>& values, int value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

int totalBars(QCustomPlot* plot) {
    int bars = 0;
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* b = qobject_cast<QCPBars*>(plot->plottable(i))) bars += b->data()->size();
    return bars;
}

QPalette darkTestPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b2b2b));
    p.setColor(QPalette::Base, QColor(0x1e1e1e));
    p.setColor(QPalette::Text, QColor(0xe8e8e8));
    p.setColor(QPalette::WindowText, QColor(0xe8e8e8));
    p.setColor(QPalette::Button, QColor(0x3a3a3a));
    p.setColor(QPalette::ButtonText, QColor(0xe8e8e8));
    return p;
}

// Not blank: more than a handful of colours, and a real share of pixels unlike the background.
void verifyNotBlank(const QImage& image, const char* what) {
    QVERIFY2(!image.isNull(), what);
    const QRgb background = image.pixel(image.width() - 1, image.height() - 1);
    std::set<QRgb> colours;
    qint64 different = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) {
            const QRgb c = image.pixel(x, y);
            colours.insert(c);
            different += c != background ? 1 : 0;
        }
    const double share = double(different) / (double(image.width() / 2) * double(image.height() / 2));
    QVERIFY2(colours.size() > 8, what);
    QVERIFY2(share > 0.02, what);
}

}  // namespace

class TestAnalysisViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void survivalCsvMarksEliminatedTokens();
    void survivalClickEmitsPosition();
    void significanceBarsFollowSelectedLayer();
    void significanceHeatmapCoversAllLayers();
    void diffusionGraphsEqualMeanCosine();
    void diffusionSpreadIsQuartileBand();
    void predictionShowsLabelNames();
    void predictionWithoutClassifierSaysSo();
    void predictionShowsRegressionValue();
    void attentionMapEqualsTrace();
    void attentionMarksEliminatedTokens();
    void highlightIsHonoured();
    void nullAnalysisClears();
    void rendersNotBlank_data();
    void rendersNotBlank();
    void longInputScrollsAndThinsLabels();

private:
    std::shared_ptr<const pb::Analysis> analyzeText(const std::string& text, std::vector<int> keep) const;

    QTemporaryDir dir_;
    std::filesystem::path folder_;
    std::shared_ptr<const pb::Analysis> analysis_;
};

void TestAnalysisViews::initTestCase() {
    QVERIFY(dir_.isValid());
    const std::filesystem::path vocab = bundledVocab();
    QVERIFY(std::filesystem::exists(vocab));
    folder_ = std::filesystem::path(dir_.path().toStdString()) / "model";
    pb::write_seeded_bert_folder(folder_, smallConfig(), 7, pb::DType::F32, vocab);
    analysis_ = analyzeText(kSentence, {8, 6, 4, 2});
    QVERIFY(analysis_->encoding.tokens.size() > 12);  // long enough for every layer to eliminate
    QCOMPARE(analysis_->power.layers.size(), size_t(4));
    QCOMPARE(analysis_->power.layers[3].alive_out.size(), size_t(2));
}

// As the GUI controller runs it: attention and cosine matrices recorded.
std::shared_ptr<const pb::Analysis> TestAnalysisViews::analyzeText(const std::string& text, std::vector<int> keep) const {
    const pb::ModelFolder model = pb::load_model_folder(folder_);
    pb::RetentionPlan plan;
    plan.keep = std::move(keep);
    pb::RunOptions options;
    options.record_attention = true;
    options.record_cosine_matrix = true;
    return std::make_shared<const pb::Analysis>(pb::analyze(model, text, std::nullopt, plan, options));
}

void TestAnalysisViews::survivalCsvMarksEliminatedTokens() {
    TokenSurvivalView view;
    view.setAnalysis(analysis_);
    const QList<QStringList> rows = parseCsv(view.tableCsv());
    QCOMPARE(rows.first(), (QStringList{"layer", "position", "token", "significance", "rank", "alive"}));
    const int n = int(analysis_->encoding.tokens.size()), layers = int(analysis_->power.layers.size());
    QCOMPARE(rows.size(), 1 + (layers + 1) * n);
    for (const QStringList& r : rows.mid(1)) {
        QCOMPARE(r.size(), 6);
        const int layer = r[0].toInt(), p = r[1].toInt();
        QCOMPARE(r[2], QString::fromStdString(analysis_->encoding.tokens[size_t(p)]));  // "," survives quoting
        if (layer == 0) {
            QCOMPARE(r[5], QString("1"));
            continue;
        }
        const pb::LayerTrace& t = analysis_->power.layers[size_t(layer - 1)];
        QCOMPARE(r[5] == "1", contains(t.alive_out, p));
        const auto it = std::find(t.alive_in.begin(), t.alive_in.end(), p);
        QCOMPARE(r[3].isEmpty(), it == t.alive_in.end());
        if (it != t.alive_in.end()) {
            const size_t i = size_t(it - t.alive_in.begin());
            QVERIFY(std::abs(r[3].toDouble() - t.significance[i]) <= 1e-5 * std::max(1.0f, std::abs(t.significance[i])));
            QCOMPARE(r[4].toInt(), t.rank[i]);
        }
    }
    // Each eliminated token's "eliminated at" layer is the first whose alive_out lacks it.
    const SurvivalCanvas* canvas = view.canvas();
    for (int p = 0; p < n; ++p) {
        int expected = 0;
        for (int j = 0; j < layers && expected == 0; ++j)
            if (!contains(analysis_->power.layers[size_t(j)].alive_out, p)) expected = j + 1;
        QCOMPARE(canvas->eliminatedAt(p), expected);
    }
}

void TestAnalysisViews::survivalClickEmitsPosition() {
    TokenSurvivalView view;
    view.resize(900, 500);
    view.setAnalysis(analysis_);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy spy(&view, &AnalysisView::positionClicked);
    for (int p : {0, 3, int(analysis_->encoding.tokens.size()) - 1}) {
        const QRect cell = view.canvas()->cellRect(2, p);
        QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), p);
    }
    // The row labels are not a token.
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, QPoint(2, view.canvas()->cellRect(1, 0).center().y()));
    QCOMPARE(spy.count(), 0);
}

void TestAnalysisViews::significanceBarsFollowSelectedLayer() {
    SignificanceView view;
    view.setAnalysis(analysis_);
    for (int layer = 1; layer <= 4; ++layer) {
        view.setLayer(layer);
        const pb::LayerTrace& t = analysis_->power.layers[size_t(layer - 1)];
        QCOMPARE(totalBars(view.plot()), int(t.alive_in.size()));
        QCOMPARE(view.barPositions(), t.alive_in);  // sentence order
        QCOMPARE(view.plotTitle(), QString("Layer %1: keep %2 of %3").arg(layer).arg(t.alive_out.size()).arg(t.alive_in.size()));
        auto* kept = qobject_cast<QCPBars*>(view.plot()->plottable(0));
        QVERIFY(kept);
        QCOMPARE(kept->data()->size(), int(t.alive_out.size()));
        for (auto it = kept->data()->constBegin(); it != kept->data()->constEnd(); ++it) {
            const size_t slot = size_t(std::lround(it->key));
            QVERIFY(contains(t.alive_out, t.alive_in[slot]));
            QCOMPARE(float(it->value), t.significance[slot]);
        }
    }
    view.setSortedBySignificance(true);
    view.setLayer(2);
    const pb::LayerTrace& t = analysis_->power.layers[1];
    const std::vector<int> firstBars(view.barPositions().begin(), view.barPositions().begin() + long(t.alive_out.size()));
    QCOMPARE(std::set<int>(firstBars.begin(), firstBars.end()), std::set<int>(t.alive_out.begin(), t.alive_out.end()));
    QCOMPARE(parseCsv(view.tableCsv()).first(), (QStringList{"layer", "position", "token", "significance", "rank", "kept"}));
}

void TestAnalysisViews::significanceHeatmapCoversAllLayers() {
    SignificanceView view;
    view.setAnalysis(analysis_);
    view.setHeatmap(true);
    QCPColorMap* map = nullptr;
    for (int i = 0; i < view.plot()->plottableCount(); ++i)
        if (auto* m = qobject_cast<QCPColorMap*>(view.plot()->plottable(i))) map = m;
    QVERIFY(map);
    const int n = int(analysis_->encoding.tokens.size());
    QCOMPARE(map->data()->keySize(), n);
    QCOMPARE(map->data()->valueSize(), 4);
    for (int j = 0; j < 4; ++j)
        for (int p = 0; p < n; ++p)
            QCOMPARE(std::isfinite(map->data()->cell(p, j)), contains(analysis_->power.layers[size_t(j)].alive_in, p));
}

void TestAnalysisViews::diffusionGraphsEqualMeanCosine() {
    DiffusionPlot view;
    view.setAnalysis(analysis_);
    for (auto [graph, trace] : {std::pair{view.fullGraph(), &analysis_->full}, std::pair{view.powerGraph(), &analysis_->power}}) {
        QVERIFY(graph);
        QCOMPARE(graph->data()->size(), int(trace->layers.size()) + 1);
        QCOMPARE(graph->data()->at(0)->value, trace->embedding_mean_cosine);
        for (size_t j = 0; j < trace->layers.size(); ++j) {
            QCOMPARE(graph->data()->at(int(j) + 1)->key, double(j + 1));
            QCOMPARE(graph->data()->at(int(j) + 1)->value, trace->layers[j].mean_cosine);
        }
    }
    const QList<QStringList> rows = parseCsv(view.tableCsv());
    QCOMPARE(rows.size(), 1 + 5);
    QVERIFY(std::abs(rows[3][2].toDouble() - analysis_->power.layers[1].mean_cosine) < 1e-8);
}

void TestAnalysisViews::diffusionSpreadIsQuartileBand() {
    DiffusionPlot view;
    view.setAnalysis(analysis_);
    QCOMPARE(view.plot()->graphCount(), 2);
    view.setShowSpread(true);
    QCOMPARE(view.plot()->graphCount(), 6);
    for (const pb::Trace* trace : {&analysis_->full, &analysis_->power}) {
        const DiffusionPlot::Series s = DiffusionPlot::seriesOf(*trace);
        QVERIFY(std::isnan(s.q1[0]));  // no matrix for the embeddings
        for (size_t j = 0; j < trace->layers.size(); ++j) {
            const pb::FloatMatrix& m = trace->layers[j].cosine;
            std::vector<float> pairs;
            for (int r = 0; r < m.rows; ++r)
                for (int c = r + 1; c < m.cols; ++c) pairs.push_back(m.at(r, c));
            std::sort(pairs.begin(), pairs.end());
            QVERIFY(!pairs.empty());
            QVERIFY(s.q1[j + 1] >= pairs.front() - 1e-6 && s.q1[j + 1] <= s.q3[j + 1]);
            QVERIFY(s.q3[j + 1] <= pairs.back() + 1e-6);
            if (pairs.size() == 1) QCOMPARE(s.q1[j + 1], double(pairs.front()));
        }
    }
}

void TestAnalysisViews::predictionShowsLabelNames() {
    PredictionPanel view;
    view.setAnalysis(analysis_);
    QVERIFY(view.plot());
    QCOMPARE(view.barLabels(), (QStringList{"negative", "positive"}));
    auto* ticker = dynamic_cast<QCPAxisTickerText*>(view.plot()->xAxis->ticker().data());
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().values(), (QList<QString>{"negative", "positive"}));
    auto* full = qobject_cast<QCPBars*>(view.plot()->plottable(0));
    QVERIFY(full);
    QCOMPARE(float(full->data()->at(1)->value), analysis_->full.probabilities[1]);
    const QString summary = view.summaryText();
    const QString predicted = analysis_->full.predicted_label == 0 ? "negative" : "positive";
    QVERIFY2(summary.contains(predicted), qPrintable(summary));
    QVERIFY(summary.contains("same label") || summary.contains("label flipped"));
    QVERIFY(summary.contains("KL"));
    QVERIFY(view.tableCsv().contains("probability:positive"));
}

void TestAnalysisViews::predictionWithoutClassifierSaysSo() {
    auto bare = std::make_shared<pb::Analysis>(*analysis_);
    for (pb::Trace* t : {&bare->full, &bare->power}) {
        t->logits.clear();
        t->probabilities.clear();
        t->predicted_label = -1;
    }
    PredictionPanel view;
    view.setAnalysis(bare);
    QVERIFY(view.plot() == nullptr);
    QVERIFY2(view.summaryText().contains("no classification head"), qPrintable(view.summaryText()));
}

void TestAnalysisViews::predictionShowsRegressionValue() {
    auto regression = std::make_shared<pb::Analysis>(*analysis_);
    regression->config.regression = true;
    for (pb::Trace* t : {&regression->full, &regression->power}) {
        t->logits.resize(1);
        t->probabilities.clear();
        t->predicted_label = -1;
        t->regression = true;
    }
    PredictionPanel view;
    view.setAnalysis(regression);
    QVERIFY(view.plot());
    QCOMPARE(view.barLabels(), QStringList{"predicted value"});
    QCOMPARE(totalBars(view.plot()), 2);
    QVERIFY2(view.summaryText().contains("Predicted value"), qPrintable(view.summaryText()));
    QVERIFY(!view.tableCsv().contains("kl_divergence"));
}

void TestAnalysisViews::attentionMapEqualsTrace() {
    AttentionView view;
    view.setAnalysis(analysis_);
    view.setLayer(3);
    const pb::LayerTrace& t = analysis_->power.layers[2];
    for (int head = 1; head <= 4; ++head) {
        view.setHead(head);
        QCPColorMap* map = view.colorMap();
        QVERIFY(map);
        const pb::FloatMatrix& a = t.attention[size_t(head - 1)];
        QCOMPARE(map->data()->keySize(), a.cols);
        QCOMPARE(map->data()->valueSize(), a.rows);
        for (int q = 0; q < a.rows; ++q)
            for (int k = 0; k < a.cols; ++k) QCOMPARE(map->data()->cell(k, q), double(a.at(q, k)));
    }
    view.setHead(0);  // mean over heads
    const pb::FloatMatrix& a0 = t.attention[0];
    for (int q = 0; q < a0.rows; ++q)
        for (int k = 0; k < a0.cols; ++k) {
            double mean = 0.0;
            for (const auto& h : t.attention) mean += h.at(q, k);
            QVERIFY(std::abs(view.colorMap()->data()->cell(k, q) - mean / 4.0) < 1e-6);
        }
    QCOMPARE(view.positions(), t.alive_in);
    const int csvRows = int(parseCsv(view.tableCsv()).size());
    QCOMPARE(csvRows, 1 + a0.rows * a0.cols);
}

void TestAnalysisViews::attentionMarksEliminatedTokens() {
    AttentionView view;
    view.setAnalysis(analysis_);
    view.setLayer(2);
    const pb::LayerTrace& t = analysis_->power.layers[1];
    std::vector<int> expected;
    for (int p : t.alive_in)
        if (!contains(t.alive_out, p)) expected.push_back(p);
    QVERIFY(!expected.empty());
    QCOMPARE(view.markedPositions(), expected);
    view.setShowPowerTrace(false);
    QCOMPARE(view.positions(), analysis_->full.layers[1].alive_in);
    QVERIFY(view.markedPositions().empty());
    QCOMPARE(view.colorMap()->data()->keySize(), int(analysis_->encoding.tokens.size()));
}

void TestAnalysisViews::highlightIsHonoured() {
    TokenSurvivalView survival;
    survival.setAnalysis(analysis_);
    survival.setHighlightedPosition(2);
    QCOMPARE(survival.canvas()->highlightedPosition(), 2);
    SignificanceView significance;
    significance.setAnalysis(analysis_);
    significance.setLayer(1);
    const int before = significance.plot()->itemCount();
    significance.setHighlightedPosition(2);
    QCOMPARE(significance.plot()->itemCount(), before + 1);
    AttentionView attention;
    attention.setAnalysis(analysis_);
    attention.setLayer(1);
    const int items = attention.plot()->itemCount();
    attention.setHighlightedPosition(2);
    QCOMPARE(attention.plot()->itemCount(), items + 2);  // its row and its column
}

void TestAnalysisViews::nullAnalysisClears() {
    TokenSurvivalView survival;
    SignificanceView significance;
    DiffusionPlot diffusion;
    PredictionPanel prediction;
    AttentionView attention;
    const std::vector<AnalysisView*> views = {&survival, &significance, &diffusion, &prediction, &attention};
    for (AnalysisView* v : views) v->setAnalysis(analysis_);
    for (AnalysisView* v : views) {
        v->setAnalysis(nullptr);
        QCOMPARE(v->tableCsv().count('\n'), 1);  // the header only
        QVERIFY(!v->title().isEmpty());
    }
    QCOMPARE(survival.canvas()->rowCount(), 0);
    QCOMPARE(totalBars(significance.plot()), 0);
    QCOMPARE(diffusion.plot()->graphCount(), 0);
    QVERIFY(prediction.plot() == nullptr);
    QVERIFY(attention.colorMap() == nullptr);
    QCOMPARE(attention.plot()->plottableCount(), 0);
}

void TestAnalysisViews::rendersNotBlank_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("variant");
    const char* names[] = {"survival", "significance", "diffusion", "prediction", "attention"};
    for (int i = 0; i < 5; ++i) {
        QTest::newRow(names[i]) << i << QString();
        QTest::newRow(qPrintable(QString(names[i]) + "-dark")) << i << QString("dark");
    }
    QTest::newRow("significance-heatmap") << 1 << QString("heatmap");
    QTest::newRow("significance-sorted") << 1 << QString("sorted");
    QTest::newRow("diffusion-spread") << 2 << QString("spread");
    QTest::newRow("attention-layer3-head2") << 4 << QString("head");
}

void TestAnalysisViews::rendersNotBlank() {
    QFETCH(int, which);
    QFETCH(QString, variant);
    std::unique_ptr<AnalysisView> view;
    switch (which) {
        case 0: view = std::make_unique<TokenSurvivalView>(); break;
        case 1: view = std::make_unique<SignificanceView>(); break;
        case 2: view = std::make_unique<DiffusionPlot>(); break;
        case 3: view = std::make_unique<PredictionPanel>(); break;
        default: view = std::make_unique<AttentionView>(); break;
    }
    if (variant == "dark") view->setPalette(darkTestPalette());
    view->resize(900, 500);
    view->setAnalysis(analysis_);
    view->setHighlightedPosition(3);
    if (auto* s = dynamic_cast<SignificanceView*>(view.get())) {
        s->setLayer(2);
        s->setHeatmap(variant == "heatmap");
        s->setSortedBySignificance(variant == "sorted");
    }
    if (auto* d = dynamic_cast<DiffusionPlot*>(view.get())) d->setShowSpread(variant == "spread");
    if (auto* a = dynamic_cast<AttentionView*>(view.get()); a && variant == "head") {
        a->setLayer(3);
        a->setHead(2);
    }
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view.get()));
    QTest::qWait(50);  // queued tick re-spacing after the first layout
    const QImage image = view->grab().toImage();
    verifyNotBlank(image, QTest::currentDataTag());
    const QImage exported = view->plot() ? view->plot()->toPixmap(900, 500).toImage() : view->exportWidget()->grab().toImage();
    verifyNotBlank(exported, QTest::currentDataTag());
    // POWERBERT_VIEW_PNGS=<dir> keeps the renders for a human to look at.
    const QString dir = qEnvironmentVariable("POWERBERT_VIEW_PNGS");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        QVERIFY(image.save(dir + "/" + QTest::currentDataTag() + ".png"));
        QVERIFY(exported.save(dir + "/" + QTest::currentDataTag() + "-export.png"));
    }
}

void TestAnalysisViews::longInputScrollsAndThinsLabels() {
    std::string text;
    for (int i = 0; i < 9; ++i) text += "the plot meanders, yet the performances keep it watchable. ";
    const auto analysis = analyzeText(text, {64, 32, 16, 8});
    const int n = int(analysis->encoding.tokens.size());
    QVERIFY(n > 100);
    TokenSurvivalView survival;
    SignificanceView significance;
    AttentionView attention;
    const QString dir = qEnvironmentVariable("POWERBERT_VIEW_PNGS");
    const char* names[] = {"long-survival", "long-significance", "long-attention"};
    int i = 0;
    for (AnalysisView* v : std::initializer_list<AnalysisView*>{&survival, &significance, &attention}) {
        v->resize(900, 500);
        v->setAnalysis(analysis);
        v->show();
        QVERIFY(QTest::qWaitForWindowExposed(v));
        QTest::qWait(50);
        const QImage image = v->grab().toImage();
        verifyNotBlank(image, names[i]);
        if (!dir.isEmpty()) QVERIFY(image.save(dir + "/" + names[i] + ".png"));
        ++i;
    }
    // Too many tokens for 900 pixels: the grid scrolls, and the exported canvas holds every column.
    QVERIFY(survival.canvas()->width() > 900);
    const QImage whole = survival.exportWidget()->grab().toImage();
    QVERIFY(whole.width() >= survival.canvas()->cellRect(0, n - 1).right());
    if (!dir.isEmpty()) QVERIFY(whole.save(dir + "/long-survival-export.png"));
    // Layer 1 has all n vectors: the axis shows only every k-th token rather than an unreadable smear.
    significance.setLayer(1);
    auto* ticker = dynamic_cast<QCPAxisTickerText*>(significance.plot()->xAxis->ticker().data());
    QVERIFY(ticker);
    QVERIFY(ticker->ticks().size() < n);
    QVERIFY(ticker->ticks().size() > 10);
}

QTEST_MAIN(TestAnalysisViews)
#include "test_analysis_views.moc"
