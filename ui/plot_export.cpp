#include "ui/plot_export.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/trace_json.h"
#include "ui/export_dialog.h"
#include "ui/qt_paths.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QPixmap>
#include <QSvgGenerator>

#include <algorithm>
#include <span>

namespace pb::ui {

namespace {

constexpr double kPngScale = 2.0;

// Lays out a widget that was never shown (a view in a tab not yet visited). A widget on screen is left
// alone (resizing it would disturb the window); only the region of `size` is rendered from it.
void ensureLaidOut(QWidget* widget, QSize size) {
    if (!widget->isVisible() && widget->size() != size) widget->resize(size);
    widget->ensurePolished();
    if (widget->layout()) widget->layout()->activate();
}

void renderWidget(QWidget* widget, QPainter& painter, QSize size) {
    widget->render(&painter, QPoint(), QRegion(QRect(QPoint(0, 0), size)),
                   QWidget::DrawWindowBackground | QWidget::DrawChildren);
}

// The height down to the last row that is not plain background, plus a margin.
int contentHeight(QWidget* widget, QSize size) {
    ensureLaidOut(widget, size);
    QImage probe(size, QImage::Format_RGB32);
    const QColor background = widget->palette().color(QPalette::Window);
    probe.fill(background);
    QPainter painter(&probe);
    renderWidget(widget, painter, size);
    painter.end();
    const QRgb plain = probe.pixel(0, size.height() - 1);
    int last = size.height() - 1;
    for (; last > 0; --last) {
        const QRgb* row = reinterpret_cast<const QRgb*>(probe.constScanLine(last));
        if (std::any_of(row, row + size.width(), [plain](QRgb p) { return p != plain; })) break;
    }
    return std::clamp(last + 1 + 12, std::min(50, size.height()), size.height());
}

QByteArray pngBytes(const QImage& image, const QString& what) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) throw pb::Error(what.toStdString() + ": cannot encode the PNG image");
    return bytes;
}

QImage widgetImage(QWidget* widget, QSize size) {
    ensureLaidOut(widget, size);
    QImage image(size * kPngScale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(kPngScale);
    image.fill(widget->palette().color(QPalette::Window));
    QPainter painter(&image);
    renderWidget(widget, painter, size);
    painter.end();
    return image;
}

pb::Error cannotStart(const QString& title, const char* kind) {
    return pb::Error(title.toStdString() + ": cannot start the " + kind);
}

void paintPlot(QCustomPlot& plot, QPaintDevice& device, QSize size, const QString& title, const char* kind) {
    QCPPainter painter;
    if (!painter.begin(&device)) throw cannotStart(title, kind);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    painter.setWindow(QRect(QPoint(0, 0), size));
    plot.toPainter(&painter, size.width(), size.height());
    painter.end();
}

// A plot is drawn as vectors; a widget that is not a plot is rendered.
void paintContent(QCustomPlot* plot, QWidget* widget, QPaintDevice& device, QSize size, const QString& title,
                  const char* kind) {
    if (plot) {
        paintPlot(*plot, device, size, title, kind);
        return;
    }
    ensureLaidOut(widget, size);
    QPainter painter;
    if (!painter.begin(&device)) throw cannotStart(title, kind);
    painter.setWindow(QRect(QPoint(0, 0), size));
    renderWidget(widget, painter, size);
    painter.end();
}

// A PDF page of exactly the content's size (1 unit = 1 point), vector for plots.
QByteArray pdfBytes(QCustomPlot* plot, QWidget* widget, QSize size, const QString& title) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setResolution(72);
        writer.setCreator(QStringLiteral("PoWER-BERT Studio"));
        writer.setTitle(title);
        writer.setPageLayout(QPageLayout(QPageSize(QSizeF(size), QPageSize::Point), QPageLayout::Portrait, QMarginsF()));
        paintContent(plot, widget, writer, size, title, "PDF");
    }
    return bytes;
}

QByteArray svgBytes(QCustomPlot* plot, QWidget* widget, QSize size, const QString& title) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(title);
    generator.setDescription(QStringLiteral("Exported by PoWER-BERT Studio"));
    paintContent(plot, widget, generator, size, title, "SVG");
    return bytes;
}

QSize plotExportSize(const QCustomPlot& plot) {
    const QSize size = plot.size();
    const bool usable = plot.isVisible() && size.width() >= 50 && size.height() >= 50;
    return usable ? size : QSize(1000, 650);
}

QImage plotImage(QCustomPlot& plot, QSize size) {
    QImage image = plot.toPixmap(size.width(), size.height(), kPngScale).toImage();
    image.setDevicePixelRatio(kPngScale);
    return image;
}

QByteArray renderContent(QCustomPlot* plot, QWidget* widget, QSize size, const QString& title, ImageFormat format) {
    switch (format) {
    case ImageFormat::Png: return pngBytes(plot ? plotImage(*plot, size) : widgetImage(widget, size), title);
    case ImageFormat::Pdf: return pdfBytes(plot, widget, size, title);
    case ImageFormat::Svg: return svgBytes(plot, widget, size, title);
    }
    return {};
}

ImageFormat formatOrThrow(const QString& path) {
    const auto format = imageFormatForPath(path);
    if (!format)
        throw pb::Error(path.toStdString() + ": unknown image format (the file name must end in .png, .pdf or .svg)");
    return *format;
}

}  // namespace

std::optional<ImageFormat> imageFormatForPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) return ImageFormat::Png;
    if (suffix == QLatin1String("pdf")) return ImageFormat::Pdf;
    if (suffix == QLatin1String("svg")) return ImageFormat::Svg;
    return std::nullopt;
}

QString suffixOf(ImageFormat format) {
    switch (format) {
    case ImageFormat::Png: return QStringLiteral("png");
    case ImageFormat::Pdf: return QStringLiteral("pdf");
    case ImageFormat::Svg: return QStringLiteral("svg");
    }
    return {};
}

QSize exportSize(AnalysisView& view) {
    const QSize fallback(1000, 650);
    if (QCustomPlot* plot = view.plot()) return plotExportSize(*plot);
    QWidget* widget = view.exportWidget();
    if (!widget) return fallback;
    // On screen: what the user sees. Never shown: laid out at its preferred size.
    QSize size = fallback;
    if (widget->isVisible() && widget->width() >= 50 && widget->height() >= 50) {
        size = widget->size();
    } else {
        const QSize hint = widget->sizeHint();
        if (hint.isValid() && hint.height() >= 50) size.setHeight(hint.height());
        if (hint.isValid() && hint.width() > size.width()) size.setWidth(hint.width());
    }
    // A painted widget that fills its scroll area leaves empty background below its content: cut it.
    size.setHeight(contentHeight(widget, size));
    return size;
}

QImage viewImage(AnalysisView& view) {
    const QSize size = exportSize(view);
    if (QCustomPlot* plot = view.plot()) return plotImage(*plot, size);
    return widgetImage(view.exportWidget(), size);
}

QByteArray renderView(AnalysisView& view, ImageFormat format) {
    QCustomPlot* plot = view.plot();
    return renderContent(plot, plot ? nullptr : view.exportWidget(), exportSize(view), view.title(), format);
}

namespace {

QByteArray renderPlot(QCustomPlot& plot, const QString& title, ImageFormat format) {
    return renderContent(&plot, nullptr, plotExportSize(plot), title, format);
}

}  // namespace

void writeFileAtomically(const QString& path, const QByteArray& bytes) {
    pb::write_file_atomically(toFsPath(path),
                              std::as_bytes(std::span<const char>(bytes.constData(), static_cast<size_t>(bytes.size()))));
}

void writePngAtomically(const QString& path, const QPixmap& pixmap) {
    writeFileAtomically(path, pngBytes(pixmap.toImage(), path));
}

void settleBeforeGrab() {
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 250) QCoreApplication::processEvents(QEventLoop::AllEvents, 25);
}

void exportViewImage(AnalysisView& view, const QString& path) {
    writeFileAtomically(path, renderView(view, formatOrThrow(path)));
}

void exportPlotImage(QCustomPlot& plot, const QString& title, const QString& path) {
    writeFileAtomically(path, renderPlot(plot, title, formatOrThrow(path)));
}

void exportViewCsv(const AnalysisView& view, const QString& path) {
    QString csv = view.tableCsv();
    if (csv.isEmpty()) throw pb::Error(path.toStdString() + ": the view \"" + view.title().toStdString() + "\" has no data to export");
    if (!csv.endsWith(QLatin1Char('\n'))) csv += QLatin1Char('\n');
    writeFileAtomically(path, csv.toUtf8());
}

void exportAnalysisJson(const pb::Analysis& analysis, const QString& path) {
    pb::write_file_atomically(toFsPath(path), pb::analysis_to_json(analysis).dump(1) + "\n");
}

QStringList exportAllViews(const std::vector<AnalysisView*>& views, const pb::Analysis& analysis, const QString& folder) {
    if (!QDir().mkpath(folder)) throw pb::Error(folder.toStdString() + ": cannot create the folder");
    QStringList written;
    for (size_t i = 0; i < views.size(); ++i) {
        const QString stem = QDir(folder).filePath(QStringLiteral("%1-%2.").arg(i + 1).arg(fileSlug(views[i]->title())));
        for (ImageFormat format : {ImageFormat::Png, ImageFormat::Pdf, ImageFormat::Svg}) {
            written << stem + suffixOf(format);
            writeFileAtomically(written.back(), renderView(*views[i], format));
        }
        written << stem + QStringLiteral("csv");
        exportViewCsv(*views[i], written.back());
    }
    written << QDir(folder).filePath(QStringLiteral("analysis.json"));
    exportAnalysisJson(analysis, written.back());
    return written;
}

}  // namespace pb::ui
