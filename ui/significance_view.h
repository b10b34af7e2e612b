#pragma once
// Significance scores (POWER-BERT.md section 2) of the vectors entering one encoder layer of the
// PoWER-BERT run: kept vectors coloured, eliminated ones grey, and the cut where keep[j] falls.
// A checkbox swaps the bars for a layers x tokens heatmap of every layer.
#include "ui/analysis_view.h"

#include <QStringList>

#include <vector>

class QCheckBox;
class QComboBox;
class QCPColorScale;
class QCPTextElement;
class QSpinBox;
class QStackedWidget;

namespace pb::ui {

class SignificanceView : public AnalysisView {
    Q_OBJECT

public:
    explicit SignificanceView(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) override;
    void setHighlightedPosition(int position) override;
    QString title() const override;
    QCustomPlot* plot() const override;
    QString tableCsv() const override;

    void setLayer(int layer);  // 1-based encoder layer
    int layer() const;
    void setHeatmap(bool heatmap);
    bool heatmap() const;
    void setSortedBySignificance(bool sorted);
    // Original token position of each bar, left to right (bar mode).
    const std::vector<int>& barPositions() const { return bar_positions_; }
    QString plotTitle() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildBarPlot();
    void buildHeatmap();
    void restyle();
    void rebuild();
    void rebuildBars();
    void rebuildHeatmap();
    void addCutLine(const pb::LayerTrace& layer, const std::vector<int>& order, int kept);
    void addBarHighlight(const pb::LayerTrace& layer, const std::vector<int>& order);
    void updateTicks();
    std::vector<int> barOrder(const pb::LayerTrace& layer) const;
    bool sortedBySignificance() const;
    QString barTooltip(int slot) const;
    QString heatmapTooltip(int position, int layer) const;
    void onBarClicked(QMouseEvent* event);
    void onHeatmapClicked(QMouseEvent* event);

    std::shared_ptr<const pb::Analysis> analysis_;
    int highlighted_ = -1;
    std::vector<int> bar_positions_;
    QStringList bar_labels_, heat_labels_;

    QSpinBox* layer_ = nullptr;
    QComboBox* order_ = nullptr;
    QCheckBox* heatmap_ = nullptr;
    QStackedWidget* stack_ = nullptr;
    QCustomPlot* bars_ = nullptr;
    QCustomPlot* heat_ = nullptr;
    QCPTextElement* bars_title_ = nullptr;
    QCPTextElement* heat_title_ = nullptr;
    QCPColorScale* scale_ = nullptr;
};

}  // namespace pb::ui
