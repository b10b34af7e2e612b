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

class DatasetDiffusionPlot : public DatasetResultView {
    Q_OBJECT

public:
    explicit DatasetDiffusionPlot(QWidget* parent = nullptr);

    QString title() const override;
    QCustomPlot* plot() const override { return plot_; }
    void setResults(const DatasetResults& results) override;
    bool hasResult() const override { return result_ != nullptr; }
    nlohmann::json resultJson() const override;

    void setShowBand(bool show);
    QCPGraph* fullGraph() const { return fullGraph_; }
    QCPGraph* powerGraph() const { return powerGraph_; }

protected:
    void refresh() override;

private:
    QCPGraph* addLine(const std::vector<double>& mean, const QColor& colour, const QString& name, int marker);
    void addBand(const std::vector<double>& mean, const std::vector<double>& sd, const QColor& colour, const QString& name,
                 bool hatched);
    std::vector<double> powerMeanShown() const;

    std::shared_ptr<const pb::DiffusionResult> result_;
    QCheckBox* band_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPGraph* fullGraph_ = nullptr;
    QCPGraph* powerGraph_ = nullptr;
};

}  // namespace pb::ui
