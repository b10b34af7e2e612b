#include "ui/color_map.h"

#include "core/analysis.h"
#include "ui/app_palette.h"

#include <qcustomplot.h>

#include <QPalette>

#include <algorithm>
#include <array>
#include <cmath>

namespace pb::ui {
namespace {

// matplotlib's viridis sampled at 0, 1/8, ..., 1; linear interpolation between these stays within a
// few levels of the full 256-entry table, far below what a cell colour needs.
constexpr std::array<QRgb, 9> kViridisStops = {0x440154, 0x472c7a, 0x3b518b, 0x2c718e, 0x21908d,
                                               0x27ad81, 0x5cc863, 0xaadc32, 0xfde725};

}  // namespace

QColor viridis(double t) {
    if (!std::isfinite(t)) t = 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double scaled = t * double(kViridisStops.size() - 1);
    const int low = std::min(int(scaled), int(kViridisStops.size()) - 2);
    return mix(QColor(kViridisStops[low]), QColor(kViridisStops[low + 1]), scaled - low);
}

QCPColorGradient viridisGradient() {
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (size_t i = 0; i < kViridisStops.size(); ++i)
        gradient.setColorStopAt(double(i) / double(kViridisStops.size() - 1), QColor(kViridisStops[i]));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    return gradient;
}

QColor layerColor(int layer, int layers, const QPalette& palette) {
    const double t = layers > 1 ? double(layer) / (layers - 1) : 0.0;
    return isDarkPalette(palette) ? viridis(0.25 + 0.75 * t) : viridis(0.88 * t);
}

QColor fullModelColor() { return QColor(0x0072b2); }
QColor powerBertColor() { return QColor(0xd55e00); }
QColor eliminationMarkColor() { return QColor(0xe0301e); }

QColor mix(const QColor& a, const QColor& b, double t) {
    auto channel = [t](int x, int y) { return int(std::lround(x + (y - x) * t)); };
    return QColor(channel(a.red(), b.red()), channel(a.green(), b.green()), channel(a.blue(), b.blue()),
                  channel(a.alpha(), b.alpha()));
}

QColor goneColor(const QPalette& palette) {
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.16);
}

QColor eliminatedColor(const QPalette& palette) {
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.38);
}

void styleAxis(QCPAxis* axis, const QPalette& palette) {
    const QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    axis->setBasePen(QPen(text, 1));
    axis->setTickPen(QPen(text, 1));
    axis->setSubTickPen(QPen(text, 1));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(mix(base, text, 0.14), 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(QPen(mix(base, text, 0.4), 1));
}

void stylePlot(QCustomPlot* plot, const QPalette& palette) {
    const QColor text = palette.color(QPalette::Text), base = palette.color(QPalette::Base);
    plot->setBackground(QBrush(base));
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) styleAxis(axis, palette);
    plot->legend->setBrush(QBrush(base));
    plot->legend->setTextColor(text);
    plot->legend->setBorderPen(QPen(mix(base, text, 0.3)));
}

QCPColorScale* addViridisColorScale(QCustomPlot* plot, const QString& label) {
    auto* scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(label);
    scale->setGradient(viridisGradient());
    auto* margins = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    return scale;
}

QCPTextElement* addPlotTitle(QCustomPlot* plot) {
    plot->plotLayout()->insertRow(0);
    QFont font = plot->font();
    font.setBold(true);
    if (font.pointSizeF() > 0)  // fonts set in pixels report no point size
        font.setPointSizeF(font.pointSizeF() * 1.15);
    auto* title = new QCPTextElement(plot, QString(), font);
    plot->plotLayout()->addElement(0, 0, title);
    return title;
}

void placeLegendRight(QCustomPlot* plot) {
    QCPAxisRect* rect = plot->axisRect();
    int row = 0;
    for (int r = 0; r < plot->plotLayout()->rowCount(); ++r)
        if (plot->plotLayout()->element(r, 0) == rect) row = r;
    rect->insetLayout()->take(plot->legend);
    rect->insetLayout()->simplify();
    // A column of its own beside the axis rect; the empty cell below takes the spare height so the
    // legend keeps its natural size instead of stretching (and framing) the whole column.
    auto* side = new QCPLayoutGrid;
    plot->plotLayout()->addElement(row, 1, side);
    side->addElement(0, 0, plot->legend);
    side->addElement(1, 0, new QCPLayoutElement(plot));
    side->setRowStretchFactor(0, 0.001);
    side->setMargins(QMargins(4, 0, 8, 0));  // off the axis rect and the widget's right edge
    plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    plot->legend->setMargins(QMargins(6, 4, 6, 4));
}

void setTextTicks(QCPAxis* axis, const QStringList& labels, int stride) {
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    stride = std::max(stride, 1);
    for (int i = 0; i < labels.size(); i += stride) ticker->addTick(i, labels[i]);
    ticker->setSubTickCount(0);
    axis->setTicker(ticker);
}

void setIntegerTicks(QCPAxis* axis, int count) {
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ticker->setTickCount(std::max(count, 1));
    axis->setTicker(ticker);
}

int labelStride(int count, int pixelLength, int labelPixels) {
    if (count <= 0 || pixelLength <= 0) return 1;
    return std::max(1, int(std::ceil(double(count) * labelPixels / double(pixelLength))));
}

QString tokenText(const pb::Analysis& analysis, int position, int maxChars) {
    if (position < 0 || position >= int(analysis.encoding.tokens.size())) return QString();
    QString token = QString::fromStdString(analysis.encoding.tokens[size_t(position)]);
    if (maxChars > 0 && token.size() > maxChars) token = token.left(maxChars - 1) + QChar(0x2026);
    return token;
}

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace pb::ui
