#pragma once
// The accuracy-vs-time trade-off: the task metric against the measured time per example for a
// family of configurations (keep fractions, or a fixed configuration scaled), the full model as its
// own point and the Pareto front (no other point both faster and at least as good) highlighted.
#include "ui/dataset_result_view.h"

#include <QPointF>
#include <QRectF>

#include <memory>
#include <span>
#include <vector>

class QCPGraph;
class QCPScatterStyle;
class QCPTextElement;

namespace pb::ui {

class DatasetTradeoffPlot : public DatasetSlotView<pb::TradeoffResult, &DatasetResults::tradeoff> {
    Q_OBJECT

public:
    explicit DatasetTradeoffPlot(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }

protected:
    void refresh() override;

private:
    QCPGraph* addPoints(const QString& name, const QCPScatterStyle& style);
    // `at` and `points` (all of them) in plot coordinates; `taken` holds the labels placed so far,
    // in fractions of the axis ranges.
    void labelPoint(QPointF at, const QString& text, std::span<const QPointF> points, std::vector<QRectF>& taken);

    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
};

}  // namespace pb::ui
