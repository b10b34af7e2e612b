#include "ui/diffusion_plot.h"

#include "ui/color_map.h"
#include "ui/plot_series.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Linear interpolation between order statistics (numpy's default), so the band matches what an
// analyst would compute from the exported matrices.
double quantile(const std::vector<float>& sorted, double p) {
    const double h = (double(sorted.size()) - 1.0) * p;
    const size_t low = size_t(std::floor(h));
    const size_t high = std::min(low + 1, sorted.size() - 1);
    return sorted[low] + (h - double(low)) * (double(sorted[high]) - double(sorted[low]));
}

// Off-diagonal pairs only: the diagonal is 1 by definition and would pull the band up.
std::vector<float> pairValues(const pb::FloatMatrix& cosine) {
    std::vector<float> values;
    values.reserve(size_t(cosine.rows) * size_t(std::max(cosine.rows - 1, 0)) / 2);
    for (int r = 0; r < cosine.rows; ++r)
        for (int c = r + 1; c < cosine.cols; ++c) values.push_back(cosine.at(r, c));
    std::sort(values.begin(), values.end());
    return values;
}

QString csvNumber(double value) { return std::isfinite(value) ? QString::number(value, 'g', 10) : QString(); }

}  // namespace

DiffusionPlot::Series DiffusionPlot::seriesOf(const pb::Trace& trace) {
    Series s;
    // The embeddings' pairwise matrix is not recorded, so the band starts at layer 1.
    s.mean.push_back(trace.embedding_mean_cosine);
    s.q1.push_back(kNaN);
    s.q3.push_back(kNaN);
    s.vectors.push_back(trace.layers.empty() ? 0 : int(trace.layers.front().alive_in.size()));
    for (const pb::LayerTrace& layer : trace.layers) {
        const int n = int(layer.alive_out.size());
        // A single vector has no pairs; the core reports 1.0 by convention, which is no measurement.
        s.mean.push_back(n >= 2 ? layer.mean_cosine : kNaN);
        s.vectors.push_back(n);
        const std::vector<float> pairs = layer.cosine.rows >= 2 ? pairValues(layer.cosine) : std::vector<float>{};
        s.q1.push_back(pairs.empty() ? kNaN : quantile(pairs, 0.25));
        s.q3.push_back(pairs.empty() ? kNaN : quantile(pairs, 0.75));
    }
    return s;
}

DiffusionPlot::DiffusionPlot(QWidget* parent) : AnalysisView(parent) {
    spread_ = new QCheckBox(tr("Show spread (quartiles of all pairs)"));
    spread_->setToolTip(tr("Shade the band between the first and third quartile of the cosine similarity of all "
                           "pairs of word vectors after each layer"));
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("layer (0 = embeddings)"));
    plot_->yAxis->setLabel(tr("mean pairwise cosine similarity"));
    setIntegerTicks(plot_->xAxis);  // deep models: every 2nd, 5th, ... layer
    placeLegendRight(plot_);
    plot_->setToolTip(tr("Higher similarity means the word vectors carry more of the same information; "
                         "the paper observes it rising with depth"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(spread_);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);
    connect(spread_, &QCheckBox::toggled, this, [this] { rebuild(); });
    restyle();
    setAnalysis(nullptr);
}

void DiffusionPlot::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = std::move(analysis);
    full_ = analysis_ ? seriesOf(analysis_->full) : Series{};
    power_ = analysis_ ? seriesOf(analysis_->power) : Series{};
    const bool recorded = std::any_of(full_.q1.begin(), full_.q1.end(), [](double v) { return std::isfinite(v); });
    spread_->setEnabled(recorded);
    spread_->setToolTip(recorded ? tr("Shade the band between the first and third quartile of the cosine similarity "
                                      "of all pairs of word vectors after each layer")
                                 : tr("The spread needs the pairwise cosine matrices, which this analysis did not record"));
    rebuild();
}

QString DiffusionPlot::title() const { return tr("Diffusion of information"); }
QCustomPlot* DiffusionPlot::plot() const { return plot_; }
void DiffusionPlot::setShowSpread(bool show) { spread_->setChecked(show); }
bool DiffusionPlot::showSpread() const { return spread_->isChecked(); }

QString DiffusionPlot::tableCsv() const {
    QString csv = QStringLiteral(
        "layer,full_mean_cosine,power_mean_cosine,full_q1,full_q3,power_q1,power_q3,full_vectors,power_vectors\n");
    for (size_t x = 0; x < full_.mean.size() && x < power_.mean.size(); ++x) {
        const QStringList fields = {QString::number(x),           csvNumber(full_.mean[x]),  csvNumber(power_.mean[x]),
                                    csvNumber(full_.q1[x]),        csvNumber(full_.q3[x]),    csvNumber(power_.q1[x]),
                                    csvNumber(power_.q3[x]),       QString::number(full_.vectors[x]),
                                    QString::number(power_.vectors[x])};
        csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return csv;
}

void DiffusionPlot::rebuild() {
    plot_->clearGraphs();
    full_graph_ = power_graph_ = nullptr;
    plot_->legend->setVisible(analysis_ != nullptr);
    if (!analysis_) {
        title_->setText(tr("No analysis"));
        plot_->replot();
        return;
    }
    // Bands first, so the mean lines are drawn on top of them.
    if (showSpread()) {
        addValueBand(plot_, full_.q1, full_.q3, fullModelColor(), tr("full model: middle 50% of pairs"));
        addValueBand(plot_, power_.q1, power_.q3, powerBertColor(), tr("PoWER-BERT: middle 50% of pairs"));
    }
    const QColor base = palette().color(QPalette::Base);
    full_graph_ = addValueLine(plot_, full_.mean, fullModelColor(), tr("full model"), QCPScatterStyle::ssCircle, base);
    power_graph_ = addPowerBertCosineLine(plot_, power_.mean, base);
    title_->setText(tr("Diffusion of information: mean pairwise cosine similarity per layer"));
    fitCosineAxes(plot_, full_.mean.size());
    plot_->replot();
}

void DiffusionPlot::restyle() {
    stylePlot(plot_, palette());
    plot_->xAxis->grid()->setZeroLinePen(Qt::NoPen);  // x = 0 is the embeddings, not an origin
    title_->setTextColor(palette().color(QPalette::Text));
}

void DiffusionPlot::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        restyle();
        rebuild();
    }
    AnalysisView::changeEvent(event);
}

}  // namespace pb::ui
