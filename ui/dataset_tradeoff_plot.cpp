#include "ui/dataset_tradeoff_plot.h"

#include "ui/color_map.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_plot_items.h"

#include <qcustomplot.h>

#include <algorithm>

namespace pb::ui {
namespace {

// "0.5" for "fraction 0.5" and "factor 0.5": the axis title says which family it is.
QString shortName(const pb::TradeoffPoint& point) {
    if (point.fraction) return QString::number(*point.fraction, 'g', 3);
    if (point.factor) return QStringLiteral("×%1").arg(*point.factor, 0, 'g', 3);
    return QString::fromStdString(point.name);
}

}  // namespace

DatasetTradeoffPlot::DatasetTradeoffPlot(QWidget* parent) : DatasetSlotView(parent) {
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("measured time per example (ms)"));
    placeLegendRight(plot_);
    plot_->setToolTip(tr("Up and to the left is better; the Pareto front joins the configurations no other one beats "
                         "in both time and metric. One at a time, examples run side by side on all cores; in batches "
                         "(\"Also time in batches of\"), each pass has all cores to itself and the front is drawn on "
                         "those times. Either way the times carry the machine's noise"));
    layOutPlot(this, plot_, {});
    refresh();
}

QString DatasetTradeoffPlot::title() const { return tr("Trade-off"); }

QCPGraph* DatasetTradeoffPlot::addPoints(const QString& name, const QCPScatterStyle& style) {
    QCPGraph* graph = plot_->addGraph();
    graph->setName(name);
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(style);
    return graph;
}

// Below right of the point, or the first other corner where the label covers neither an earlier
// label nor another point's marker; where every corner covers something, the one covering least.
// Boxes are compared in fractions of the axis ranges, so the choice holds at any export size.
void DatasetTradeoffPlot::labelPoint(QPointF at, const QString& text, std::span<const QPointF> points,
                                     std::vector<QRectF>& taken) {
    const QCPRange xr = plot_->xAxis->range(), yr = plot_->yAxis->range();
    auto fraction = [&](QPointF p) { return QPointF((p.x() - xr.lower) / xr.size(), (p.y() - yr.lower) / yr.size()); };
    const QPointF f = fraction(at);
    const double w = 0.012 * double(text.size()) + 0.01, h = 0.045;
    const double markerWidth = 0.016, markerHeight = 0.036;  // an 8-pixel circle in a typical plot
    const Qt::Alignment corners[] = {Qt::AlignLeft | Qt::AlignTop, Qt::AlignLeft | Qt::AlignBottom,
                                     Qt::AlignRight | Qt::AlignTop, Qt::AlignRight | Qt::AlignBottom};
    auto boxAt = [&](Qt::Alignment corner) {
        return QRectF(corner & Qt::AlignLeft ? f.x() : f.x() - w, corner & Qt::AlignTop ? f.y() - h : f.y(), w, h);
    };
    auto covered = [&](const QRectF& box) {
        auto hits = std::count_if(taken.begin(), taken.end(), [&](const QRectF& r) { return r.intersects(box); });
        for (QPointF p : points) {
            if (p == at) continue;  // its own marker (or one on it, which no corner avoids)
            p = fraction(p);
            hits += box.intersects(QRectF(p.x() - markerWidth / 2, p.y() - markerHeight / 2, markerWidth, markerHeight));
        }
        return hits;
    };
    const Qt::Alignment chosen = *std::min_element(std::begin(corners), std::end(corners), [&](auto a, auto b) {
        return covered(boxAt(a)) < covered(boxAt(b));
    });
    taken.push_back(boxAt(chosen));

    auto* label = new QCPItemText(plot_);
    label->position->setCoords(at);
    label->setPositionAlignment(chosen);
    label->setPadding(QMargins(6, 3, 6, 3));
    label->setText(text);
    label->setColor(mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.8));
}

void DatasetTradeoffPlot::refresh() {
    clearPlot(plot_);
    stylePlot(plot_, palette());
    const QColor text = palette().color(QPalette::Text), base = palette().color(QPalette::Base);
    title_->setTextColor(text);
    plot_->legend->setVisible(result_ != nullptr);
    if (!result_) {
        title_->setText(tr("No trade-off yet: press Trade-off"));
        plot_->yAxis->setLabel(QString());
        plot_->replot();
        return;
    }
    const pb::TradeoffResult& r = *result_;
    const double ms = 1e3 / double(std::max<size_t>(r.examples, 1));
    // The front first, so the points are drawn over its line.
    QCPGraph* front = plot_->addGraph();
    front->setName(tr("Pareto front"));
    front->setPen(QPen(powerBertColor(), 2));
    QCPGraph* beaten = addPoints(tr("beaten configuration"),
                                 QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(mix(base, text, 0.5), 1.5), base, 8));
    QCPGraph* best = addPoints(tr("on the front"), QCPScatterStyle(QCPScatterStyle::ssCircle, powerBertColor(), powerBertColor(), 8));
    QCPGraph* full = addPoints(tr("full model"), QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(fullModelColor(), 2), fullModelColor(), 12));
    std::vector<QPointF> at;  // every point, in plot coordinates
    for (const pb::TradeoffPoint& p : r.points) {
        const double x = p.timed_seconds() * ms;
        const bool isFull = !p.fraction && !p.factor;
        (isFull ? full : p.pareto ? best : beaten)->addData(x, p.metric);
        if (p.pareto) front->addData(x, p.metric);
        at.emplace_back(x, p.metric);
    }
    // The result does not record Rand-WS's seed, so the strategy is named without it.
    const QString strategy = strategyLabel(r.strategy, 0).section(QLatin1Char(' '), 0, 0);
    const bool fractions = std::any_of(r.points.begin(), r.points.end(), [](const auto& p) { return p.fraction.has_value(); });
    plot_->yAxis->setLabel(QString::fromStdString(r.metric_name));
    plot_->xAxis->setLabel(r.batch > 1 ? tr("measured time per example, in batches of %1 (ms)").arg(r.batch)
                                       : tr("measured time per example, one at a time (ms)"));
    title_->setText(tr("%1 vs time over %2 examples: %3 (%4)")
                        .arg(QString::fromStdString(r.metric_name))
                        .arg(r.examples)
                        .arg(fractions ? tr("keep fractions per example length") : tr("the configuration scaled by ×f"))
                        .arg(strategy));
    plot_->rescaleAxes();
    const QCPRange xr = plot_->xAxis->range(), yr = plot_->yAxis->range();
    const double dx = std::max(xr.size(), 1e-3), dy = std::max(yr.size(), 1e-3);
    plot_->xAxis->setRange(std::max(0.0, xr.lower - 0.06 * dx), xr.upper + 0.12 * dx);
    plot_->yAxis->setRange(yr.lower - 0.12 * dy, yr.upper + 0.08 * dy);
    std::vector<QRectF> taken;  // labels last: their placement needs the final ranges
    for (size_t i = 0; i < r.points.size(); ++i) {
        const pb::TradeoffPoint& p = r.points[i];
        labelPoint(at[i], !p.fraction && !p.factor ? tr("full") : shortName(p), at, taken);
    }
    plot_->replot();
}

}  // namespace pb::ui
