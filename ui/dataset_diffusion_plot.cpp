#include "ui/dataset_diffusion_plot.h"

#include "ui/color_map.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_plot_items.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

// A layer after which PoWER-BERT keeps a single vector in every example has no pairs: the core
// reports 1 by convention, which is no measurement, so it is left out of the line.
constexpr double kSingleVector = 1.0 + 1e-9;

}  // namespace

DatasetDiffusionPlot::DatasetDiffusionPlot(QWidget* parent) : DatasetResultView(parent) {
    band_ = new QCheckBox(tr("Show ± 1 standard deviation across examples"));
    band_->setChecked(true);
    band_->setToolTip(tr("Shade mean ± one standard deviation of the per-example mean cosine similarity"));
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("layer (0 = embeddings)"));
    plot_->yAxis->setLabel(tr("mean pairwise cosine similarity"));
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->xAxis->setTicker(ticker);
    placeLegendRight(plot_);
    plot_->setToolTip(tr("Word vectors grow more alike with depth: the redundancy PoWER-BERT removes"));
    auto* controls = new QHBoxLayout;
    controls->addWidget(band_);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);
    connect(band_, &QCheckBox::toggled, this, [this] { refresh(); });
    refresh();
}

QString DatasetDiffusionPlot::title() const { return tr("Diffusion"); }

void DatasetDiffusionPlot::setResults(const DatasetResults& results) {
    if (results.diffusion == result_) return;
    result_ = results.diffusion;
    refresh();
}

nlohmann::json DatasetDiffusionPlot::resultJson() const { return result_ ? pb::to_json(*result_) : nlohmann::json(); }

void DatasetDiffusionPlot::setShowBand(bool show) { band_->setChecked(show); }

std::vector<double> DatasetDiffusionPlot::powerMeanShown() const {
    std::vector<double> mean = result_->power_mean;
    for (size_t j = 1; j < mean.size() && j < result_->power_mean_vectors.size(); ++j)
        if (result_->power_mean_vectors[j] <= kSingleVector) mean[j] = std::numeric_limits<double>::quiet_NaN();
    return mean;
}

void DatasetDiffusionPlot::refresh() {
    clearPlot(plot_);
    stylePlot(plot_, palette());
    plot_->xAxis->grid()->setZeroLinePen(Qt::NoPen);
    title_->setTextColor(palette().color(QPalette::Text));
    fullGraph_ = powerGraph_ = nullptr;
    plot_->legend->setVisible(result_ != nullptr);
    if (!result_) {
        title_->setText(tr("No diffusion result yet: press Diffusion"));
        plot_->replot();
        return;
    }
    const pb::DiffusionResult& r = *result_;
    const std::vector<double> powerMean = powerMeanShown();
    if (band_->isChecked()) {
        // PoWER-BERT's band hatched, so both stay readable where they overlap.
        addBand(r.full_mean, r.full_std, fullModelColor(), tr("full model ± 1 sd"), false);
        addBand(powerMean, r.power_std, powerBertColor(), tr("PoWER-BERT ± 1 sd"), true);
    }
    fullGraph_ = addLine(r.full_mean, fullModelColor(), tr("full model"), QCPScatterStyle::ssCircle);
    powerGraph_ = addLine(powerMean, powerBertColor(), tr("PoWER-BERT"), QCPScatterStyle::ssSquare);
    title_->setText(tr("Diffusion of information over %1 examples (%2)")
                        .arg(r.examples)
                        .arg(describeDatasetPlan(r.plan, r.keep_fraction)));
    const bool single = std::any_of(powerMean.begin(), powerMean.end(), [](double v) { return std::isnan(v); });
    if (single) powerGraph_->setName(tr("PoWER-BERT (not shown where one vector is left)"));
    plot_->rescaleAxes();
    const QCPRange y = plot_->yAxis->range();
    const double pad = std::max(0.02, 0.06 * y.size());
    plot_->yAxis->setRange(std::max(-1.05, y.lower - pad), std::min(1.05, y.upper + pad));
    plot_->xAxis->setRange(-0.3, double(std::max<size_t>(r.full_mean.size(), 2) - 1) + 0.3);
    plot_->replot();
}

QCPGraph* DatasetDiffusionPlot::addLine(const std::vector<double>& mean, const QColor& colour, const QString& name,
                                        int marker) {
    QCPGraph* graph = plot_->addGraph();
    for (size_t x = 0; x < mean.size(); ++x) graph->addData(double(x), mean[x]);
    graph->setName(name);
    graph->setPen(QPen(colour, 2));
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ScatterShape(marker), colour, palette().color(QPalette::Base), 7));
    return graph;
}

void DatasetDiffusionPlot::addBand(const std::vector<double>& mean, const std::vector<double>& sd, const QColor& colour,
                                   const QString& name, bool hatched) {
    QCPGraph* low = plot_->addGraph();
    QCPGraph* high = plot_->addGraph();
    // A cosine similarity lies in [-1, 1]; so does the band drawn for it (NaN, no point, stays NaN).
    auto bounded = [](double v) { return std::isnan(v) ? v : std::clamp(v, -1.0, 1.0); };
    for (size_t x = 0; x < mean.size() && x < sd.size(); ++x) {
        low->addData(double(x), bounded(mean[x] - sd[x]));
        high->addData(double(x), bounded(mean[x] + sd[x]));
    }
    QColor fill = colour, edge = colour;
    fill.setAlpha(hatched ? 150 : 45);
    edge.setAlpha(110);
    low->setPen(QPen(edge, 1));
    high->setPen(QPen(edge, 1));
    high->setBrush(QBrush(fill, hatched ? Qt::BDiagPattern : Qt::SolidPattern));
    high->setChannelFillGraph(low);
    high->setName(name);
    low->removeFromLegend();
}

}  // namespace pb::ui
