#pragma once
// Building blocks of the Dataset panel's plots on top of color_map's styling: single bars with a
// value label, a caption above an axis rect, a "no result yet" message.
#include <QColor>
#include <QList>
#include <QString>

class QCPAxisRect;
class QCPBars;
class QCPItemText;
class QCustomPlot;
class QPalette;
class QWidget;

namespace pb::ui {

// The view's layout: a row of `controls` (left-aligned; none: no row) above the plot, which takes the rest.
void layOutPlot(QWidget* view, QCustomPlot* plot, const QList<QWidget*>& controls);
// One bar at x (its own QCPBars, so every bar can have its colour), outlined in a darker shade.
QCPBars* addBar(QCPAxisRect* rect, double x, double value, const QColor& colour, double width = 0.6);
// Text centred above (value >= 0) or below (value < 0) the point (x, value) of the rect's axes.
QCPItemText* addValueLabel(QCPAxisRect* rect, double x, double value, const QString& text, const QColor& colour);
// A centred message in the middle of the plot's first axis rect (no data yet, or why not).
void showPlotMessage(QCustomPlot* plot, const QString& text, const QPalette& palette);
// Bars from zero: y from min(0, low) to max(0, high), with headroom for value labels.
void setBarRange(QCPAxisRect* rect, double low, double high);
// Removes every plottable and item; the axis rects and layout stay.
void clearPlot(QCustomPlot* plot);

}  // namespace pb::ui
