#include "ui/dataset_ablation_plot.h"

#include "ui/color_map.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_plot_items.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>

#include <algorithm>

namespace pb::ui {
namespace {

// Okabe-Ito, distinct from the full model's blue: bluish green, reddish purple, yellow-orange.
QColor attentionColour() { return QColor(0x009e73); }
QColor headColour() { return QColor(0xcc79a7); }
QColor randomColour() { return QColor(0xe69f00); }

QString valueText(double value) { return QString::number(value, 'f', 4); }

}  // namespace

DatasetAblationPlot::DatasetAblationPlot(QWidget* parent) : DatasetSlotView(parent) {
    quantity_ = new QComboBox;
    quantity_->addItem(tr("Task metric (gold labels)"), int(Quantity::TaskMetric));
    quantity_->addItem(tr("Agreement with the full model"), int(Quantity::Agreement));
    quantity_->addItem(tr("Mutual information with the full model (bits)"), int(Quantity::MutualInformation));
    zoom_ = new QCheckBox(tr("Zoom in on the differences"));
    zoom_->setToolTip(tr("Start the value axis just below the smallest value instead of at zero"));
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->grid()->setVisible(false);
    plot_->legend->setVisible(false);
    layOutPlot(this, plot_, {new QLabel(tr("Plot:")), quantity_, zoom_});
    connect(quantity_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(zoom_, &QCheckBox::toggled, this, [this] { refresh(); });
    refresh();
}

void DatasetAblationPlot::setZoomed(bool zoomed) { zoom_->setChecked(zoomed); }

QString DatasetAblationPlot::title() const { return tr("Ablation"); }

void DatasetAblationPlot::setQuantity(Quantity quantity) {
    quantity_->setCurrentIndex(std::max(0, quantity_->findData(int(quantity))));
}

std::optional<double> DatasetAblationPlot::valueOf(const pb::VariantSummary& variant, Quantity quantity) const {
    switch (quantity) {
    case Quantity::TaskMetric: return pb::main_metric(result_->task, variant.metrics);
    case Quantity::Agreement: return variant.agreement;
    case Quantity::MutualInformation: return variant.mutual_information_bits;
    }
    return std::nullopt;
}

void DatasetAblationPlot::refresh() {
    clearPlot(plot_);
    stylePlot(plot_, palette());
    plot_->xAxis->grid()->setVisible(false);
    const QColor text = palette().color(QPalette::Text);
    title_->setTextColor(text);
    const auto quantity = Quantity(quantity_->currentData().toInt());
    plot_->yAxis->setLabel(quantity == Quantity::TaskMetric && result_
                               ? QString::fromLatin1(pb::main_metric_name(result_->task).data())
                               : quantity_->currentText());
    if (!result_) {
        title_->setText(tr("No ablation yet: press Ablation"));
        plot_->replot();
        return;
    }
    const pb::AblationResult& r = *result_;
    QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
    double low = 1e300, high = -1e300;
    auto bar = [&](double x, const std::optional<double>& value, const QColor& colour, const QString& name) {
        ticks->addTick(x, name);
        if (!value) return;
        addBar(plot_->axisRect(), x, *value, colour);
        addValueLabel(plot_->axisRect(), x, *value, valueText(*value), text);
        low = std::min(low, *value);
        high = std::max(high, *value);
    };
    // Agreement and MI of the full model with itself say nothing; it is the reference for the metric only.
    if (quantity == Quantity::TaskMetric) bar(1, valueOf(r.full, quantity), fullModelColor(), tr("full model"));
    bar(2, valueOf(r.attention, quantity), attentionColour(), tr("Attn-WS"));
    bar(3, valueOf(r.head, quantity), headColour(), tr("Head-WS"));
    ticks->addTick(4, tr("Rand-WS\n(%1 seeds)").arg(r.random.size()));
    addRandomBar(4, quantity, randomColour());
    for (const auto& v : r.random)
        if (const auto value = valueOf(v, quantity)) high = std::max(high, *value), low = std::min(low, *value);
    plot_->xAxis->setTicker(ticks);
    plot_->xAxis->setRange(quantity == Quantity::TaskMetric ? 0.4 : 1.4, 4.6);
    if (high < low) {
        showPlotMessage(plot_, tr("%1 is not available for this task").arg(quantity_->currentText()), palette());
        plot_->yAxis->setRange(0, 1);
    } else if (zoom_->isChecked()) {
        const double span = std::max(high - low, 1e-3);  // room above for the two-line Rand-WS label
        plot_->yAxis->setRange(low - 0.25 * span, high + 0.45 * span);
    } else {
        setBarRange(plot_->axisRect(), std::min(low, 0.0), high);
    }
    title_->setText(tr("Selection strategies at the same configuration (%1), %2 examples")
                        .arg(describeKeep(r.plan, r.keep_fraction))
                        .arg(r.examples));
    plot_->replot();
}

// The mean over the seeds, a min-max error bar, and every seed as a dot beside the bar's centre.
void DatasetAblationPlot::addRandomBar(double x, Quantity quantity, const QColor& colour) {
    std::vector<double> values;
    for (const auto& v : result_->random)
        if (const auto value = valueOf(v, quantity)) values.push_back(*value);
    if (values.empty()) return;
    double mean = 0;
    for (double v : values) mean += v / double(values.size());
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    QCPBars* bars = addBar(plot_->axisRect(), x, mean, colour);
    auto* errors = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    errors->removeFromLegend();
    errors->setDataPlottable(bars);
    errors->addData(mean - *lo, *hi - mean);
    errors->setPen(QPen(palette().color(QPalette::Text), 1.5));
    errors->setWhiskerWidth(14);
    QCPGraph* seeds = plot_->addGraph();
    seeds->removeFromLegend();
    seeds->setLineStyle(QCPGraph::lsNone);
    seeds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, palette().color(QPalette::Text), colour.lighter(130), 6));
    for (size_t s = 0; s < values.size(); ++s)
        seeds->addData(x + 0.38 + 0.05 * double(s % 3), values[s]);
    addValueLabel(plot_->axisRect(), x, *hi, tr("%1\n(%2–%3)").arg(valueText(mean), valueText(*lo), valueText(*hi)),
                  palette().color(QPalette::Text));
}

}  // namespace pb::ui
