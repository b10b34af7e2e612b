#pragma once
// The evaluation of a dataset at a glance: a table of the numbers (task metric of both models,
// agreement, mutual information, mean KL, multiply-adds and measured time of both, the speedup
// against the packed and the padded full model) and a plot of the metric, the time per example
// and the multiply-adds per example side by side.
#include "ui/dataset_result_view.h"

#include <memory>
#include <vector>

class QCPAxisRect;
class QCPTextElement;
class QTableWidget;

namespace pb::ui {

class DatasetSummaryView : public DatasetSlotView<pb::DatasetEvaluation, &DatasetResults::evaluation> {
    Q_OBJECT

public:
    explicit DatasetSummaryView(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }

    QTableWidget* table() const { return table_; }
    // The table's text in `column` (1 = full model, 2 = PoWER-BERT) of the row named `quantity`
    // (its first column); empty when there is no such row. A value of the comparison as a whole
    // (configuration, ratios, speedups) spans both columns and is in column 1.
    QString valueText(const QString& quantity, int column) const;

protected:
    void refresh() override;

private:
    void fillTable();
    void addRow(const QString& quantity, const QString& full, const QString& power, const QString& tip = {});
    void addBatchedRows(const pb::BatchedTiming& batched, const pb::DatasetEvaluation& evaluation);
    void buildLayout();
    void buildPlot();
    void plotMetric(const pb::DatasetEvaluation& e);
    void plotCosts(const pb::DatasetEvaluation& e);

    QTableWidget* table_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    std::vector<QCPAxisRect*> rects_;  // metric, time, multiply-adds
    std::vector<QCPTextElement*> captions_;
};

}  // namespace pb::ui
