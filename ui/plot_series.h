#pragma once
// A line of values at x = first, first + 1, ... (layers, ranks) and the band between two such
// lines, drawn the way the diffusion plots draw them. NaN values leave a gap.
#include <QColor>
#include <QString>

#include <vector>

class QCPGraph;
class QCustomPlot;

namespace pb::ui {

// A line with hollow markers (filled with `markerFill`, e.g. the plot's base colour).
QCPGraph* addValueLine(QCustomPlot* plot, const std::vector<double>& values, const QColor& colour, const QString& name,
                       int markerShape, const QColor& markerFill, double firstX = 0);
// The area between `low` and `high`, outlined and filled in `colour` (hatched with Qt::BDiagPattern
// so that another band stays readable beneath it); one legend entry, `name`.
QCPGraph* addValueBand(QCustomPlot* plot, const std::vector<double>& low, const std::vector<double>& high,
                       const QColor& colour, const QString& name, Qt::BrushStyle style = Qt::SolidPattern);
// PoWER-BERT's mean-cosine line (addValueLine in its colour, square markers). Layers with one vector
// left have no pairs (NaN): the line stops there, and its legend name says so.
QCPGraph* addPowerBertCosineLine(QCustomPlot* plot, const std::vector<double>& mean, const QColor& markerFill);
// Axes of a per-layer cosine plot: y around every graph's finite values with a little padding, kept
// within [-1.05, 1.05]; x over `layers` points (at least two) with a margin for the markers.
void fitCosineAxes(QCustomPlot* plot, size_t layers);

}  // namespace pb::ui
