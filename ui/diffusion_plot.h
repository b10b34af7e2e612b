#pragma once
// Diffusion of information (POWER-BERT.md section 7): the mean pairwise cosine similarity of the
// word vectors after each layer, full model vs PoWER-BERT, optionally with the spread of all pairs
// (first to third quartile) from the recorded cosine matrices.
#include "ui/analysis_view.h"

#include <vector>

class QCheckBox;
class QCPGraph;
class QCPTextElement;

namespace pb::ui {

class DiffusionPlot : public AnalysisView {
    Q_OBJECT

public:
    // One value per x = 0 (embeddings) .. L; NaN where there is nothing to measure.
    struct Series {
        std::vector<double> mean, q1, q3;
        std::vector<int> vectors;  // word vectors the value is computed over
    };

    explicit DiffusionPlot(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) override;
    QString title() const override;
    QCustomPlot* plot() const override;
    QString tableCsv() const override;

    void setShowSpread(bool show);
    bool showSpread() const;
    QCPGraph* fullGraph() const { return full_graph_; }
    QCPGraph* powerGraph() const { return power_graph_; }

    static Series seriesOf(const pb::Trace& trace);

protected:
    void changeEvent(QEvent* event) override;

private:
    void restyle();
    void rebuild();

    std::shared_ptr<const pb::Analysis> analysis_;
    Series full_, power_;
    QCheckBox* spread_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPGraph* full_graph_ = nullptr;
    QCPGraph* power_graph_ = nullptr;
};

}  // namespace pb::ui
