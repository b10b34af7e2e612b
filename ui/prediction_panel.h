#pragma once
// What elimination did to the output: class probabilities of the full model and PoWER-BERT side by
// side (or the regression value), KL divergence, whether the label flipped, and the work and time
// each run took.
#include "ui/analysis_view.h"

#include <QStringList>

class QLabel;
class QStackedWidget;
class QCPTextElement;

namespace pb::ui {

class PredictionPanel : public AnalysisView {
    Q_OBJECT

public:
    explicit PredictionPanel(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) override;
    QString title() const override;
    // nullptr when there is no prediction to plot (no analysis, or a model without a classifier).
    QCustomPlot* plot() const override;
    QString tableCsv() const override;

    // The label of each bar group (class names from config.id2label, or the regression output).
    QStringList barLabels() const { return bar_labels_; }
    // The summary beside the plot, or the message shown instead of it, as plain text.
    QString summaryText() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void restyle();
    void rebuild();
    void rebuildBars();
    QString labelName(int index) const;
    QString summaryHtml() const;
    QString costRowsHtml() const;
    QString savingHtml() const;
    void addValueLabel(double key, double value, const QString& text);

    std::shared_ptr<const pb::Analysis> analysis_;
    QStringList bar_labels_;
    QStackedWidget* stack_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QLabel* summary_ = nullptr;
    QLabel* message_ = nullptr;
};

}  // namespace pb::ui
