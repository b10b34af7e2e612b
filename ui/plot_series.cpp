#include "ui/plot_series.h"

#include "ui/color_map.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace pb::ui {

QCPGraph* addValueLine(QCustomPlot* plot, const std::vector<double>& values, const QColor& colour, const QString& name,
                       int markerShape, const QColor& markerFill, double firstX) {
    QCPGraph* graph = plot->addGraph();
    for (size_t i = 0; i < values.size(); ++i) graph->addData(firstX + double(i), values[i]);
    graph->setName(name);
    graph->setPen(QPen(colour, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ScatterShape(markerShape), colour, markerFill, 7));
    return graph;
}

QCPGraph* addValueBand(QCustomPlot* plot, const std::vector<double>& low, const std::vector<double>& high,
                       const QColor& colour, const QString& name, Qt::BrushStyle style) {
    QCPGraph* bottom = plot->addGraph();
    QCPGraph* top = plot->addGraph();
    for (size_t i = 0; i < low.size() && i < high.size(); ++i) {
        bottom->addData(double(i), low[i]);
        top->addData(double(i), high[i]);
    }
    QColor fill = colour, edge = colour;
    fill.setAlpha(style == Qt::SolidPattern ? 55 : 150);  // hatching is thin: it needs more colour
    edge.setAlpha(110);
    bottom->setPen(QPen(edge, 1));
    top->setPen(QPen(edge, 1));
    top->setBrush(QBrush(fill, style));
    top->setChannelFillGraph(bottom);
    top->setName(name);
    bottom->removeFromLegend();
    return top;
}

QCPGraph* addPowerBertCosineLine(QCustomPlot* plot, const std::vector<double>& mean, const QColor& markerFill) {
    const bool gaps = std::any_of(mean.begin(), mean.end(), [](double v) { return std::isnan(v); });
    const QString name = gaps ? QObject::tr("PoWER-BERT\n(none where one vector is left)") : QObject::tr("PoWER-BERT");
    return addValueLine(plot, mean, powerBertColor(), name, QCPScatterStyle::ssSquare, markerFill);
}

void fitCosineAxes(QCustomPlot* plot, size_t layers) {
    double lowest = 1.0, highest = -1.0;
    for (int i = 0; i < plot->graphCount(); ++i)
        for (auto it = plot->graph(i)->data()->constBegin(); it != plot->graph(i)->data()->constEnd(); ++it)
            if (std::isfinite(it->value)) {
                lowest = std::min(lowest, it->value);
                highest = std::max(highest, it->value);
            }
    if (lowest > highest) std::swap(lowest, highest);  // no finite value: the whole [-1, 1]
    const double pad = std::max(0.02, 0.08 * (highest - lowest));
    plot->yAxis->setRange(std::max(-1.05, lowest - pad), std::min(1.05, highest + pad));
    plot->xAxis->setRange(-0.3, double(std::max<size_t>(layers, 2) - 1) + 0.3);
}

}  // namespace pb::ui
