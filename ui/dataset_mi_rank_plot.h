#pragma once
// The paper's check of the significance score: eliminating only the vector of significance rank k
// at encoder j, how much information about the full model's prediction is left (mutual information
// of the two predicted labels over the dataset). One line per encoder j against k; when the score
// ranks well, removing a top-ranked vector costs more than removing a low-ranked one.
#include "ui/dataset_result_view.h"

#include <memory>

class QComboBox;
class QCPTextElement;

namespace pb::ui {

class DatasetMiRankPlot : public DatasetSlotView<pb::MiRankResult, &DatasetResults::miRank> {
    Q_OBJECT

public:
    enum class Quantity { MutualInformation, NormalizedMutualInformation, Agreement };

    explicit DatasetMiRankPlot(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }

    void setQuantity(Quantity quantity);

protected:
    void refresh() override;

private:
    const std::vector<std::vector<double>>& values(Quantity quantity) const;
    void addReferenceLine(double y, const QString& text);

    QComboBox* quantity_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
};

}  // namespace pb::ui
