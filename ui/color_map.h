#pragma once
// Colours and plot styling shared by the analysis views. Continuous data uses viridis, which is
// perceptually uniform, readable in greyscale and safe for the common colour-vision deficiencies;
// categorical series (full model vs PoWER-BERT) use the Okabe-Ito palette for the same reason.
#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

class QCPAxis;
class QCPColorGradient;
class QCPColorScale;
class QCPTextElement;
class QCustomPlot;
class QPalette;

namespace pb {
struct Analysis;
}

namespace pb::ui {

// Viridis at t in [0, 1] (clamped; NaN gives the low end), interpolated between sampled stops.
QColor viridis(double t);
// The same map for QCPColorMap / QCPColorScale; NaN cells are transparent so that the axis
// background (see styleHeatmapBackground) shows "no vector here".
QCPColorGradient viridisGradient();

// One colour per encoder layer (0-based of `layers`) for line series: viridis without the end that
// vanishes into the palette's background (its yellow on light palettes, its dark purple on dark ones).
QColor layerColor(int layer, int layers, const QPalette& palette);

// Okabe-Ito blue and vermillion: distinguishable for all common colour-vision deficiencies.
QColor fullModelColor();
QColor powerBertColor();
// Marks eliminated tokens in the matrix views; viridis has no red, so it cannot be mistaken for data.
QColor eliminationMarkColor();

// a + (b - a) * t per channel: greys that follow the palette (light on light themes, dark on dark).
QColor mix(const QColor& a, const QColor& b, double t);
// "Gone" cells and bars: a low-contrast grey relative to the palette's base colour.
QColor goneColor(const QPalette& palette);
// A vector eliminated at this very layer: a little stronger than goneColor.
QColor eliminatedColor(const QPalette& palette);

// Background, axes, grid, tick labels and legend in the widget palette's colours, so plots are
// readable in light and dark themes alike.
void stylePlot(QCustomPlot* plot, const QPalette& palette);
// The same for one axis (colour scales keep theirs outside the plot's axis rects).
void styleAxis(QCPAxis* axis, const QPalette& palette);
// A viridis colour scale right of the plot's main axis rect, labelled, its top and bottom aligned
// with the rect's (the matrix views: significance heatmap, attention).
QCPColorScale* addViridisColorScale(QCustomPlot* plot, const QString& label);
// A bold title row above the plot's main axis rect.
QCPTextElement* addPlotTitle(QCustomPlot* plot);
// Moves the legend out of the axis rect to its right (top-aligned), so it never covers data.
void placeLegendRight(QCustomPlot* plot);
// Text ticks at 0..labels.size()-1, showing every stride-th label so that long inputs stay legible.
void setTextTicks(QCPAxis* axis, const QStringList& labels, int stride = 1);
// Ticks on whole numbers only (layers, ranks), thinned to multiples (every 2nd, 5th, ...) when more
// than about `count` would crowd the axis.
void setIntegerTicks(QCPAxis* axis, int count = 5);
// How many labels to skip so that labels `labelPixels` apart fit in `pixelLength`.
int labelStride(int count, int pixelLength, int labelPixels);

// The token at an original position, shortened for axis labels when `maxChars` > 0.
QString tokenText(const pb::Analysis& analysis, int position, int maxChars = 0);
// One CSV field, quoted when it contains a separator, quote or line break (RFC 4180).
QString csvField(const QString& text);

}  // namespace pb::ui
