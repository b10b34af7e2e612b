#pragma once
// The live plots of a configuration search, fed with the core's records as they arrive:
//   loss           per optimizer step (faint), smoothed, and the mean of each epoch (points);
//   dev metric     after each epoch (and, once known, the fine-tuned model's and that of Extract at the
//                  configuration found, before any re-training);
//   mass per layer sum_k r_j[k] per step (lines) and at the end of each epoch (points);
//   configuration  the one the latest masses imply (configuration_from_mass) as a step plot, with the
//                  masses themselves as points.
// The x axis of the first three is in epochs: step s of S in an E-epoch run sits at s * E / S, so the
// last step of epoch k and the point of epoch k share x = k. A re-train after the search continues
// the loss and metric plots as its own series, after the search's epochs.
#include "core/train/training_loop.h"
#include "ui/search_run.h"

#include <QVector>
#include <QWidget>

#include <optional>
#include <vector>

class QCPGraph;
class QCustomPlot;

namespace pb::ui {

class SearchPlots : public QWidget {
    Q_OBJECT

public:
    explicit SearchPlots(QWidget* parent = nullptr);

    // Empties every plot for a search of `searchEpochs` epochs with N = `retentionLength`, followed by
    // a re-train of `retrainEpochs` (0: none).
    void begin(int searchEpochs, int retrainEpochs, int retentionLength);
    void addStep(SearchPhase phase, const pb::train::StepRecord& record);
    void addEpoch(SearchPhase phase, const pb::train::EpochRecord& record);
    // The search's end: the fine-tuned model's dev metric and Extract's at the configuration.
    void setReferenceMetrics(double finetuned, double extract);

    // The configuration the latest masses imply (empty before the first record with masses).
    const std::vector<int>& configuration() const { return configuration_; }
    const std::vector<double>& latestMass() const { return mass_; }

    QCustomPlot* lossPlot() const { return loss_; }
    QCustomPlot* metricPlot() const { return metric_; }
    QCustomPlot* massPlot() const { return massPlot_; }
    QCustomPlot* configurationPlot() const { return configPlot_; }
    // Per-epoch series, for tests and exports: one point per epoch.
    QCPGraph* epochLossGraph(SearchPhase phase) const;
    QCPGraph* epochMetricGraph(SearchPhase phase) const;
    QCPGraph* epochMassGraph(int layer) const;  // 0-based layer; nullptr before the first masses
    QCPGraph* stepLossGraph() const { return stepLoss_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    QCustomPlot* makePlot(const QString& title, const QString& xLabel, const QString& yLabel);
    void ensureLayers(int layers);
    void addMass(const std::vector<QCPGraph*>& series, double x, const std::vector<double>& mass);
    void setMass(const std::vector<double>& mass);
    void restyle();
    void refresh(QCustomPlot* plot);
    double stepX(SearchPhase phase, const pb::train::StepRecord& record) const;

    QCustomPlot* loss_ = nullptr;
    QCustomPlot* metric_ = nullptr;
    QCustomPlot* massPlot_ = nullptr;
    QCustomPlot* configPlot_ = nullptr;
    QCPGraph* stepLoss_ = nullptr;
    QCPGraph* smoothLoss_ = nullptr;
    QCPGraph* epochLoss_[2] = {nullptr, nullptr};
    QCPGraph* epochMetric_[2] = {nullptr, nullptr};
    QCPGraph* finetuned_ = nullptr;
    QCPGraph* extract_ = nullptr;
    QCPGraph* configSteps_ = nullptr;
    QCPGraph* configMass_ = nullptr;
    std::vector<QCPGraph*> stepMass_, epochMass_;

    int searchEpochs_ = 1;
    int retrainEpochs_ = 0;
    int retentionLength_ = 1;
    double smoothed_ = 0;  // exponential moving average of the step loss, before bias correction
    int smoothedCount_ = 0;
    std::optional<SearchPhase> stepPhase_;  // of the last step shown
    std::vector<double> mass_;
    std::vector<int> configuration_;
};

}  // namespace pb::ui
