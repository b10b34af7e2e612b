#pragma once
// The paper's ablation of the selection strategy at one configuration: Attn-WS (significance from
// attention), Head-WS (the first k positions) and Rand-WS (random vectors; the spread over its
// seeds as a min-max error bar and one dot per seed), with the full model as the reference.
#include "ui/dataset_result_view.h"

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QCPTextElement;

namespace pb::ui {

class DatasetAblationPlot : public DatasetSlotView<pb::AblationResult, &DatasetResults::ablation> {
    Q_OBJECT

public:
    enum class Quantity { TaskMetric, Agreement, MutualInformation };

    explicit DatasetAblationPlot(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }

    void setQuantity(Quantity quantity);
    // The value axis from just below the smallest to just above the largest value instead of from zero.
    void setZoomed(bool zoomed);

protected:
    void refresh() override;

private:
    std::optional<double> valueOf(const pb::VariantSummary& variant, Quantity quantity) const;
    void addRandomBar(double x, Quantity quantity, const QColor& colour);

    QComboBox* quantity_ = nullptr;
    QCheckBox* zoom_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
};

}  // namespace pb::ui
