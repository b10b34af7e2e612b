#pragma once
// The attention matrix of one layer and head (or the mean over heads, from which the significance
// scores are computed) over the vectors entering that layer. Tokens the PoWER-BERT run eliminates
// at this layer are marked.
#include "ui/analysis_view.h"

#include <QStringList>

#include <vector>

class QComboBox;
class QCPColorMap;
class QCPColorScale;
class QCPTextElement;
class QSpinBox;

namespace pb::ui {

class AttentionView : public AnalysisView {
    Q_OBJECT

public:
    explicit AttentionView(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) override;
    void setHighlightedPosition(int position) override;
    QString title() const override;
    QCustomPlot* plot() const override;
    QString tableCsv() const override;

    void setLayer(int layer);  // 1-based encoder layer
    int layer() const;
    void setHead(int head);  // 0: mean over heads; h: head h (1-based)
    int head() const;
    void setShowPowerTrace(bool power);  // false: the full model
    bool showsPowerTrace() const;

    // nullptr while there is nothing to show.
    QCPColorMap* colorMap() const { return map_; }
    // Original positions of the matrix rows/columns (alive_in of the shown layer).
    const std::vector<int>& positions() const { return positions_; }
    // Those eliminated at this layer (PoWER-BERT run only).
    const std::vector<int>& markedPositions() const { return marked_; }
    QString plotTitle() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    const pb::LayerTrace* layerTrace() const;
    pb::FloatMatrix shownMatrix() const;
    void syncSelectors();
    void restyle();
    void rebuild();
    void fillMap(const pb::FloatMatrix& matrix);
    void addEliminationMarks();
    void addHighlight();
    void updateTicks();
    QString selectionName() const;
    QString cellTooltip(int query, int key) const;
    void onClicked(QMouseEvent* event);

    std::shared_ptr<const pb::Analysis> analysis_;
    int highlighted_ = -1;
    std::vector<int> positions_, marked_;
    QStringList labels_;

    QComboBox* trace_ = nullptr;
    QSpinBox* layer_ = nullptr;
    QComboBox* head_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPTextElement* title_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPColorMap* map_ = nullptr;
};

}  // namespace pb::ui
