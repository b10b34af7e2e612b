#include "ui/plot_series.h"

#include <qcustomplot.h>

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

}  // namespace pb::ui
