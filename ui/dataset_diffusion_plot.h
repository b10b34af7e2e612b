#pragma once
// Diffusion of information over a dataset (the paper's figure): the mean pairwise cosine similarity
// of the word vectors after each layer, averaged over the examples, for the full model and for
// PoWER-BERT, each with a band of one standard deviation across the examples.
#include "ui/dataset_result_view.h"

#include <memory>

class QCheckBox;
class QCPGraph;
class QCPTextElement;

namespace pb::ui {

class DatasetDiffusionPlot : public DatasetSlotView<pb::DiffusionResult, &DatasetResults::diffusion> {
    Q_OBJECT

public:
    explicit DatasetDiffusionPlot(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }

    QCPGraph* fullGraph() const { return fullGraph_; }
    QCPGraph* powerGraph() const { return powerGraph_; }

protected:
    void refresh() override;

private:
    std::vector<double> powerMeanShown() const;

    QCheckBox* band_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPGraph* fullGraph_ = nullptr;
    QCPGraph* powerGraph_ = nullptr;
};

}  // namespace pb::ui
