#include "ui/dataset_diffusion_plot.h"

#include "ui/color_map.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_plot_items.h"
#include "ui/plot_series.h"

#include <qcustomplot.h>

#include <QCheckBox>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

// A layer after which PoWER-BERT keeps a single vector in every example has no pairs: the core
// reports 1 by convention, which is no measurement, so it is left out of the line.
constexpr double kSingleVector = 1.0 + 1e-9;

// mean + sign * sd, within [-1, 1] where a cosine similarity lies (NaN, no point, stays NaN).
std::vector<double> shifted(const std::vector<double>& mean, const std::vector<double>& sd, double sign) {
    std::vector<double> out;
    for (size_t x = 0; x < mean.size() && x < sd.size(); ++x) {
        const double v = mean[x] + sign * sd[x];
        out.push_back(std::isnan(v) ? v : std::clamp(v, -1.0, 1.0));
    }
    return out;
}

}  // namespace

DatasetDiffusionPlot::DatasetDiffusionPlot(QWidget* parent) : DatasetSlotView(parent) {
    band_ = new QCheckBox(tr("Show ± 1 standard deviation across examples"));
    band_->setChecked(true);
    band_->setToolTip(tr("Shade mean ± one standard deviation of the per-example mean cosine similarity"));
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("layer (0 = embeddings)"));
    plot_->yAxis->setLabel(tr("mean pairwise cosine similarity"));
    setIntegerTicks(plot_->xAxis);
    placeLegendRight(plot_);
    plot_->setToolTip(tr("Word vectors grow more alike with depth: the redundancy PoWER-BERT removes"));
    layOutPlot(this, plot_, {band_});
    connect(band_, &QCheckBox::toggled, this, [this] { refresh(); });
    refresh();
}

QString DatasetDiffusionPlot::title() const { return tr("Diffusion"); }

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
        addValueBand(plot_, shifted(r.full_mean, r.full_std, -1), shifted(r.full_mean, r.full_std, 1), fullModelColor(),
                     tr("full model ± 1 sd"));
        addValueBand(plot_, shifted(powerMean, r.power_std, -1), shifted(powerMean, r.power_std, 1), powerBertColor(),
                     tr("PoWER-BERT ± 1 sd"), Qt::BDiagPattern);
    }
    const QColor base = palette().color(QPalette::Base);
    fullGraph_ = addValueLine(plot_, r.full_mean, fullModelColor(), tr("full model"), QCPScatterStyle::ssCircle, base);
    powerGraph_ = addPowerBertCosineLine(plot_, powerMean, base);
    title_->setText(tr("Diffusion of information over %1 examples (%2)")
                        .arg(r.examples)
                        .arg(describeDatasetPlan(r.plan, r.keep_fraction)));
    fitCosineAxes(plot_, r.full_mean.size());
    plot_->replot();
}

}  // namespace pb::ui
