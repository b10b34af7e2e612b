#include "ui/search_plots.h"

#include "core/train/training_steps.h"
#include "ui/color_map.h"

#include <qcustomplot.h>

#include <QGridLayout>

#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kSmoothing = 0.9;  // weight of the past in the smoothed loss (about 10 steps)

// Okabe-Ito bluish green: the re-train series, distinct from the search's blue for every common
// colour-vision deficiency.
QColor retrainColor() { return QColor(0x00, 0x9e, 0x73); }

// The value axis around every graph's data with a 5% margin; a single value (the first epoch) gets
// +-5% of itself, where QCustomPlot's own rescale would keep the previous, unrelated width.
void fitValues(QCustomPlot* plot) {
    bool any = false;
    QCPRange all;
    for (int i = 0; i < plot->graphCount(); ++i) {
        bool found = false;
        const QCPRange r = plot->graph(i)->getValueRange(found);
        if (!found) continue;
        all = any ? QCPRange(std::min(all.lower, r.lower), std::max(all.upper, r.upper)) : r;
        any = true;
    }
    if (!any) return;
    const double pad = all.size() > 1e-12 ? 0.05 * all.size() : std::max(0.05 * std::abs(all.center()), 0.01);
    plot->yAxis->setRange(all.lower - pad, all.upper + pad);
}

QCPGraph* addSeries(QCustomPlot* plot, const QString& name, const QPen& pen, QCPScatterStyle::ScatterShape shape,
                    bool line = true) {
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setPen(pen);
    g->setLineStyle(line ? QCPGraph::lsLine : QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(shape, pen.color(), pen.color(), 7));
    return g;
}

int phaseIndex(SearchPhase phase) { return phase == SearchPhase::Search ? 0 : 1; }

}  // namespace

SearchPlots::SearchPlots(QWidget* parent) : QWidget(parent) {
    loss_ = makePlot(tr("Training loss"), tr("epoch"), tr("loss (cross-entropy or MSE)"));
    metric_ = makePlot(tr("Dev metric"), tr("epoch"), tr("dev metric"));
    massPlot_ = makePlot(tr("Mass per layer  Σₖ rⱼ[k]"), tr("epoch"), tr("mass (word vectors)"));
    configPlot_ = makePlot(tr("Configuration it implies"), tr("after encoder layer"), tr("vectors kept"));

    stepLoss_ = addSeries(loss_, tr("per step"), QPen(Qt::gray, 1), QCPScatterStyle::ssNone);
    smoothLoss_ = addSeries(loss_, tr("smoothed"), QPen(fullModelColor(), 2), QCPScatterStyle::ssNone);
    epochLoss_[0] = addSeries(loss_, tr("epoch mean"), QPen(powerBertColor(), 1.5), QCPScatterStyle::ssCircle);
    epochLoss_[1] = addSeries(loss_, tr("re-train epoch mean"), QPen(retrainColor(), 1.5), QCPScatterStyle::ssSquare);
    epochMetric_[0] = addSeries(metric_, tr("search (Soft-Extract)"), QPen(fullModelColor(), 2), QCPScatterStyle::ssCircle);
    epochMetric_[1] = addSeries(metric_, tr("re-train (Extract)"), QPen(retrainColor(), 2), QCPScatterStyle::ssSquare);
    finetuned_ = addSeries(metric_, tr("fine-tuned"), QPen(Qt::gray, 1.5, Qt::DashLine), QCPScatterStyle::ssNone);
    extract_ = addSeries(metric_, tr("Extract, before re-train"), QPen(powerBertColor(), 2),
                         QCPScatterStyle::ssDiamond, false);
    configSteps_ = addSeries(configPlot_, tr("keep[j] = ⌊mass⌋"), QPen(fullModelColor(), 2), QCPScatterStyle::ssNone);
    configSteps_->setLineStyle(QCPGraph::lsStepCenter);
    configMass_ = addSeries(configPlot_, tr("mass"), QPen(powerBertColor(), 1.5), QCPScatterStyle::ssCircle, false);
    setIntegerTicks(configPlot_->xAxis);  // layers
    for (QCustomPlot* plot : {loss_, metric_, massPlot_, configPlot_}) {
        plot->legend->setVisible(true);
        placeLegendRight(plot);
    }

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    grid->addWidget(loss_, 0, 0);
    grid->addWidget(metric_, 0, 1);
    grid->addWidget(massPlot_, 1, 0);
    grid->addWidget(configPlot_, 1, 1);
    restyle();
    begin(1, 0, 1);
}

QCustomPlot* SearchPlots::makePlot(const QString& title, const QString& xLabel, const QString& yLabel) {
    auto* plot = new QCustomPlot;
    plot->setMinimumSize(280, 200);
    addPlotTitle(plot)->setText(title);
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    plot->legend->setFont(font());
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return plot;
}

void SearchPlots::begin(int searchEpochs, int retrainEpochs, int retentionLength) {
    searchEpochs_ = std::max(1, searchEpochs);
    retrainEpochs_ = std::max(0, retrainEpochs);
    retentionLength_ = std::max(1, retentionLength);
    smoothed_ = 0;
    smoothedCount_ = 0;
    stepPhase_.reset();
    mass_.clear();
    configuration_.clear();
    for (QCustomPlot* plot : {loss_, metric_, configPlot_})
        for (int i = 0; i < plot->graphCount(); ++i) plot->graph(i)->data()->clear();
    massPlot_->clearGraphs();
    stepMass_.clear();
    epochMass_.clear();
    metric_->yAxis->setLabel(tr("dev metric"));
    for (QCustomPlot* plot : {loss_, metric_, massPlot_, configPlot_}) refresh(plot);
}

QCPGraph* SearchPlots::epochLossGraph(SearchPhase phase) const { return epochLoss_[phaseIndex(phase)]; }
QCPGraph* SearchPlots::epochMetricGraph(SearchPhase phase) const { return epochMetric_[phaseIndex(phase)]; }
QCPGraph* SearchPlots::epochMassGraph(int layer) const {
    return layer >= 0 && layer < int(epochMass_.size()) ? epochMass_[size_t(layer)] : nullptr;
}

double SearchPlots::stepX(SearchPhase phase, const pb::train::StepRecord& r) const {
    const double offset = phase == SearchPhase::Search ? 0.0 : searchEpochs_;
    const int epochs = phase == SearchPhase::Search ? searchEpochs_ : retrainEpochs_;
    return offset + double(r.step) * epochs / double(std::max<int64_t>(r.total_steps, 1));
}

void SearchPlots::addStep(SearchPhase phase, const pb::train::StepRecord& r) {
    const double x = stepX(phase, r);
    if (stepPhase_ != phase) {  // the re-train starts a new line (a NaN breaks it) and a new average
        if (stepPhase_) {
            stepLoss_->addData(x, kNaN);
            smoothLoss_->addData(x, kNaN);
        }
        stepPhase_ = phase;
        smoothed_ = 0;
        smoothedCount_ = 0;
    }
    ++smoothedCount_;
    smoothed_ = kSmoothing * smoothed_ + (1 - kSmoothing) * r.loss;
    stepLoss_->addData(x, r.loss);
    smoothLoss_->addData(x, smoothed_ / (1 - std::pow(kSmoothing, smoothedCount_)));  // bias-corrected, as Adam
    refresh(loss_);
    if (phase == SearchPhase::Search) addMass(stepMass_, x, r.mass);
}

void SearchPlots::addEpoch(SearchPhase phase, const pb::train::EpochRecord& r) {
    const double x = (phase == SearchPhase::Search ? 0 : searchEpochs_) + r.epoch;
    epochLoss_[phaseIndex(phase)]->addData(x, r.train_loss);
    epochMetric_[phaseIndex(phase)]->addData(x, r.dev_metric);
    metric_->yAxis->setLabel(tr("dev %1").arg(QString::fromStdString(r.metric_name)));
    refresh(loss_);
    refresh(metric_);
    if (phase == SearchPhase::Search) addMass(epochMass_, x, r.mass);
}

// `series` is stepMass_ or epochMass_ (ensureLayers may rebuild both, so it is taken by reference).
void SearchPlots::addMass(const std::vector<QCPGraph*>& series, double x, const std::vector<double>& mass) {
    if (mass.empty()) return;
    ensureLayers(int(mass.size()));
    for (size_t j = 0; j < mass.size(); ++j) series[j]->addData(x, mass[j]);
    setMass(mass);
    refresh(massPlot_);
}

void SearchPlots::setReferenceMetrics(double finetuned, double extract) {
    finetuned_->setData(QVector<double>{0.0, double(searchEpochs_ + retrainEpochs_)}, QVector<double>{finetuned, finetuned}, true);
    extract_->setData(QVector<double>{double(searchEpochs_)}, QVector<double>{extract}, true);
    refresh(metric_);
}

void SearchPlots::ensureLayers(int layers) {
    if (int(stepMass_.size()) == layers) return;
    massPlot_->clearGraphs();
    stepMass_.clear();
    epochMass_.clear();
    for (int j = 0; j < layers; ++j) {
        const QColor c = layerColor(j, layers, palette());
        stepMass_.push_back(addSeries(massPlot_, tr("layer %1").arg(j + 1), QPen(c, 1.5), QCPScatterStyle::ssNone));
        epochMass_.push_back(addSeries(massPlot_, tr("layer %1, epoch end").arg(j + 1), QPen(c, 1.5),
                                       QCPScatterStyle::ssCircle, false));
        epochMass_.back()->removeFromLegend();
    }
}

void SearchPlots::setMass(const std::vector<double>& mass) {
    mass_ = mass;
    configuration_ = pb::train::configuration_from_mass(mass, retentionLength_);
    QVector<double> x, keep, stepX, stepKeep;
    for (size_t j = 0; j < mass.size(); ++j) {
        x << double(j + 1);
        keep << mass[j];
    }
    // Centred steps, with half a layer at both ends so that every layer gets a full-width step.
    stepX << 0.5;
    stepKeep << configuration_.front();
    for (size_t j = 0; j < configuration_.size(); ++j) {
        stepX << double(j + 1);
        stepKeep << configuration_[j];
    }
    stepX << configuration_.size() + 0.5;
    stepKeep << configuration_.back();
    configSteps_->setData(stepX, stepKeep, true);
    configMass_->setData(x, keep, true);
    refresh(configPlot_);
}

// The x axes span the whole run from the start (the user sees where it is going); y follows the data
// with a margin. The replot is queued, so a burst of records costs one repaint.
void SearchPlots::refresh(QCustomPlot* plot) {
    fitValues(plot);
    if (plot == massPlot_ || plot == configPlot_) plot->yAxis->setRangeLower(0);
    if (plot == configPlot_) plot->xAxis->setRange(0.5, std::max<double>(1, double(mass_.size())) + 0.5);
    else {
        const int epochs = plot == massPlot_ ? searchEpochs_ : searchEpochs_ + retrainEpochs_;
        plot->xAxis->setRange(0, epochs * 1.03);  // the last epoch's markers whole, not cut by the edge
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void SearchPlots::restyle() {
    for (QCustomPlot* plot : {loss_, metric_, massPlot_, configPlot_}) {
        stylePlot(plot, palette());
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0)))
            title->setTextColor(palette().color(QPalette::Text));
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    const QColor faint = mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.35);
    stepLoss_->setPen(QPen(faint, 1));
    for (size_t j = 0; j < stepMass_.size(); ++j) {
        const QColor c = layerColor(int(j), int(stepMass_.size()), palette());
        stepMass_[j]->setPen(QPen(c, 1.5));
        epochMass_[j]->setPen(QPen(c, 1.5));
        epochMass_[j]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, c, c, 7));
    }
    finetuned_->setPen(QPen(mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.55), 1.5, Qt::DashLine));
}

void SearchPlots::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) restyle();
    QWidget::changeEvent(event);
}

}  // namespace pb::ui
