#include "ui/dataset_plot_items.h"

#include "ui/color_map.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>

namespace pb::ui {

void layOutPlot(QWidget* view, QCustomPlot* plot, const QList<QWidget*>& controls) {
    auto* layout = new QVBoxLayout(view);
    layout->setContentsMargins(0, 0, 0, 0);
    if (!controls.isEmpty()) {
        auto* row = new QHBoxLayout;
        for (QWidget* control : controls) row->addWidget(control);
        row->addStretch(1);
        layout->addLayout(row);
    }
    layout->addWidget(plot, 1);
}

QCPBars* addBar(QCPAxisRect* rect, double x, double value, const QColor& colour, double width) {
    auto* bars = new QCPBars(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    bars->setWidth(width);
    bars->addData(x, value);
    bars->setBrush(colour);
    bars->setPen(QPen(colour.darker(130), 1));
    bars->removeFromLegend();
    return bars;
}

QCPItemText* addValueLabel(QCPAxisRect* rect, double x, double value, const QString& text, const QColor& colour) {
    auto* label = new QCPItemText(rect->parentPlot());
    label->setClipAxisRect(rect);
    label->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    label->position->setCoords(x, value);
    label->setPositionAlignment(Qt::AlignHCenter | (value >= 0 ? Qt::AlignBottom : Qt::AlignTop));
    label->setPadding(QMargins(2, 2, 2, 2));
    label->setText(text);
    label->setColor(colour);
    return label;
}

void showPlotMessage(QCustomPlot* plot, const QString& text, const QPalette& palette) {
    auto* label = new QCPItemText(plot);
    label->setClipToAxisRect(false);
    label->position->setType(QCPItemPosition::ptAxisRectRatio);
    label->position->setAxisRect(plot->axisRect());
    label->position->setCoords(0.5, 0.5);
    label->setPositionAlignment(Qt::AlignCenter);
    label->setText(text);
    label->setColor(mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.6));
}

void setBarRange(QCPAxisRect* rect, double low, double high) {
    low = std::min(0.0, low);
    high = std::max(0.0, high);
    const double span = std::max(high - low, 1e-12);
    rect->axis(QCPAxis::atLeft)->setRange(low < 0 ? low - 0.15 * span : 0.0, high + 0.15 * span);
}

void clearPlot(QCustomPlot* plot) {
    plot->clearPlottables();
    plot->clearItems();
}

}  // namespace pb::ui
