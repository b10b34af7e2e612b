// plot_export: PNG, PDF and SVG of a plot view and of a widget view, CSV of a view's table, JSON of an
// analysis, every file written atomically (an existing file is replaced, no temporary files remain).
#include "small_test_model.h"
#include "core/analysis.h"
#include "core/error.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "ui/analysis_view.h"
#include "ui/plot_export.h"

#include <qcustomplot.h>

#include <QFile>
#include <QImage>
#include <QLabel>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <QXmlStreamReader>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace {

// A view whose plot is a QCustomPlot (like the significance or diffusion views).
class StubPlotView : public pb::ui::AnalysisView {
public:
    explicit StubPlotView(QWidget* parent = nullptr) : AnalysisView(parent), plot_(new QCustomPlot(this)) {
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(plot_);
        auto* graph = plot_->addGraph();
        graph->setData({0, 1, 2, 3, 4}, {0.3, 0.45, 0.6, 0.7, 0.8});
        plot_->xAxis->setLabel(QStringLiteral("layer"));
        plot_->yAxis->setLabel(QStringLiteral("mean cosine"));
        plot_->rescaleAxes();
    }
    void setAnalysis(std::shared_ptr<const pb::Analysis>) override {}
    QString title() const override { return QStringLiteral("Stub plot"); }
    QCustomPlot* plot() const override { return plot_; }
    QString tableCsv() const override { return QStringLiteral("layer,value\n0,0.3\n1,0.45\n2,0.6\n"); }

private:
    QCustomPlot* plot_;
};

// A view that is not a plot (like the token survival grid): exportWidget() is rendered.
class StubWidgetView : public pb::ui::AnalysisView {
public:
    explicit StubWidgetView(QWidget* parent = nullptr) : AnalysisView(parent) {
        auto* layout = new QVBoxLayout(this);
        layout->addWidget(new QLabel(QStringLiteral("[CLS] the film is charming [SEP]")));
    }
    void setAnalysis(std::shared_ptr<const pb::Analysis>) override {}
    QString title() const override { return QStringLiteral("Stub widget"); }
    QString tableCsv() const override { return QStringLiteral("position,token\n0,[CLS]\n1,the\n"); }
};

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool isSvg(const QByteArray& bytes) {
    QXmlStreamReader xml(bytes);
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement) {
            if (xml.name() != QLatin1String("svg")) return false;
            while (!xml.atEnd()) xml.readNext();  // the whole document must parse
            return !xml.hasError();
        }
    }
    return false;
}

}  // namespace

class TestPlotExport : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    QStringList folderEntries(const QString& dir) const {
        return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
    }

    void checkAllFormats(pb::ui::AnalysisView& view, const QString& dir) {
        QDir().mkpath(dir);
        const QString png = dir + QStringLiteral("/view.png"), pdf = dir + QStringLiteral("/view.pdf"),
                      svg = dir + QStringLiteral("/view.svg"), csv = dir + QStringLiteral("/view.csv");
        pb::ui::exportViewImage(view, png);
        pb::ui::exportViewImage(view, pdf);
        pb::ui::exportViewImage(view, svg);
        pb::ui::exportViewCsv(view, csv);

        QImage image;
        QVERIFY(image.load(png));
        QVERIFY(image.width() >= 100 && image.height() >= 100);
        // Not a blank canvas: more than one colour.
        const QRgb first = image.pixel(0, 0);
        bool varied = false;
        for (int y = 0; y < image.height() && !varied; y += 3)
            for (int x = 0; x < image.width() && !varied; x += 3) varied = image.pixel(x, y) != first;
        QVERIFY(varied);

        const QByteArray pdfBytes = readAll(pdf);
        QVERIFY(pdfBytes.startsWith("%PDF"));
        QVERIFY2(pdfBytes.size() > 1000, qPrintable(QString::number(pdfBytes.size())));
        QVERIFY(pdfBytes.trimmed().endsWith("%%EOF"));

        const QByteArray svgBytes = readAll(svg);
        QVERIFY2(isSvg(svgBytes), svgBytes.left(300).constData());
        QSvgRenderer renderer(svgBytes);
        QVERIFY(renderer.isValid());

        const QStringList lines = QString::fromUtf8(readAll(csv)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 2);
        QCOMPARE(lines.front(), view.tableCsv().split(QLatin1Char('\n')).front());

        QCOMPARE(folderEntries(dir), (QStringList{QStringLiteral("view.csv"), QStringLiteral("view.pdf"),
                                                  QStringLiteral("view.png"), QStringLiteral("view.svg")}));
    }

private slots:
    void plotViewExportsEveryFormat() {
        StubPlotView view;
        view.resize(640, 420);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        checkAllFormats(view, tmp_.filePath(QStringLiteral("plot")));
    }

    void hiddenPlotViewExportsAtADefaultSize() {
        StubPlotView view;  // never shown, as a view in a tab not yet visited
        const QByteArray png = pb::ui::renderView(view, pb::ui::ImageFormat::Png);
        QImage image;
        QVERIFY(image.loadFromData(png, "PNG"));
        QVERIFY(image.width() >= 1000);
    }

    void widgetViewExportsEveryFormat() {
        StubWidgetView view;
        view.resize(500, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        checkAllFormats(view, tmp_.filePath(QStringLiteral("widget")));
    }

    void existingFileIsReplacedAtomically() {
        const QString dir = tmp_.filePath(QStringLiteral("replace"));
        QDir().mkpath(dir);
        const QString png = dir + QStringLiteral("/plot.png");
        {
            QFile old(png);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("an old file that is not a PNG");
        }
        StubPlotView view;
        pb::ui::exportViewImage(view, png);
        QImage image;
        QVERIFY(image.load(png));
        pb::ui::exportViewImage(view, png);  // and once more over a valid one
        QVERIFY(image.load(png));
        QCOMPARE(folderEntries(dir), QStringList{QStringLiteral("plot.png")});
    }

    void failuresNameTheFileAndKeepTheOldOne() {
        StubPlotView view;
        try {
            pb::ui::exportViewImage(view, tmp_.filePath(QStringLiteral("plot.bmp")));
            QFAIL("an unknown suffix must throw");
        } catch (const pb::Error& e) {
            QVERIFY(QString::fromStdString(e.what()).contains(QStringLiteral("plot.bmp")));
        }
        const QString missing = tmp_.filePath(QStringLiteral("no/such/folder/plot.png"));
        try {
            pb::ui::exportViewImage(view, missing);
            QFAIL("a missing folder must throw");
        } catch (const pb::Error& e) {
            QVERIFY(QString::fromStdString(e.what()).contains(missing));
        }
        QVERIFY(!QFile::exists(missing));
    }

    void analysisJsonHasTheCliSchema() {
        const fs::path model = fs::path(tmp_.path().toStdString()) / "model";
        pb::write_seeded_bert_folder(model, smallConfig(), 3, pb::DType::F32,
                                     bundledVocab());
        const pb::ModelFolder folder = pb::load_model_folder(model);
        pb::RetentionPlan plan;
        plan.keep = {6, 4, 3, 2};
        const pb::Analysis analysis = pb::analyze(folder, "the film is a charming piece of work", std::nullopt, plan);

        const QString dir = tmp_.filePath(QStringLiteral("json"));
        QDir().mkpath(dir);
        const QString path = dir + QStringLiteral("/analysis.json");
        pb::ui::exportAnalysisJson(analysis, path);
        pb::ui::exportAnalysisJson(analysis, path);  // replaced, not appended
        const QByteArray bytes = readAll(path);
        const auto j = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size(), nullptr, false);
        QVERIFY(!j.is_discarded());
        QCOMPARE(QString::fromStdString(j.at("schema").get<std::string>()), QStringLiteral("powerbert-analysis/1"));
        QCOMPARE(j.at("plan").at("retention").get<std::vector<int>>(), plan.keep);
        QCOMPARE(j.at("model").at("layers").get<int>(), 4);
        QCOMPARE(folderEntries(dir), QStringList{QStringLiteral("analysis.json")});
    }
};

QTEST_MAIN(TestPlotExport)
#include "test_plot_export.moc"
