#pragma once
// The paper's anecdote figure, live: one row per layer, one column per token; a cell shows the
// token's significance in that layer (viridis, normalised per layer) while the token is alive and
// turns grey from the layer that eliminates it.
#include "ui/analysis_view.h"

#include <vector>

class QScrollArea;

namespace pb::ui {

// The painted grid. Separate from the view so it can live in a scroll area and be exported whole.
class SurvivalCanvas : public QWidget {
    Q_OBJECT

public:
    enum class CellState { Input, Alive, EliminatedHere, Gone };
    struct Cell {
        CellState state = CellState::Gone;
        float significance = 0.0f;
        int rank = 0;
        int candidates = 0;       // vectors scored in this layer (alive_in size)
        double normalised = 0.0;  // significance scaled to [0, 1] within the layer
    };

    explicit SurvivalCanvas(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis);
    void setHighlightedPosition(int position);
    int highlightedPosition() const { return highlighted_; }

    int rowCount() const { return int(cells_.size()); }  // input row + one per layer
    int columnCount() const { return cells_.empty() ? 0 : int(cells_.front().size()); }
    const Cell& cell(int row, int position) const { return cells_[size_t(row)][size_t(position)]; }
    // Encoder layer (1-based) that eliminated the token, 0 when it survives every layer.
    int eliminatedAt(int position) const { return eliminated_at_[size_t(position)]; }
    // Row 0 is the input; row j is layer j. Widget coordinates.
    QRect cellRect(int row, int position) const;
    // The token column under a point (grid or column header), -1 for none.
    int positionAt(const QPoint& point) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void positionClicked(int position);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Metrics {
        int margin, rowLabelWidth, headerHeight, cellWidth, cellHeight, minimumCellHeight, legendHeight;
    };
    Metrics metrics() const;
    int minimumCellWidth() const;
    QSize contentSize(int cellWidth) const;
    void rebuildCells();
    void paintRowLabels(QPainter& painter, const Metrics& m) const;
    void paintHeader(QPainter& painter) const;
    void paintCells(QPainter& painter) const;
    void paintHighlight(QPainter& painter, const Metrics& m) const;
    void paintLegend(QPainter& painter, const Metrics& m) const;
    QColor cellColor(const Cell& cell) const;
    QString rowLabel(int row) const;
    QString tooltipFor(int row, int position) const;

    std::shared_ptr<const pb::Analysis> analysis_;
    std::vector<std::vector<Cell>> cells_;  // [row][position]
    std::vector<int> eliminated_at_;        // per position
    int highlighted_ = -1;
};

class TokenSurvivalView : public AnalysisView {
    Q_OBJECT

public:
    explicit TokenSurvivalView(QWidget* parent = nullptr);

    void setAnalysis(std::shared_ptr<const pb::Analysis> analysis) override;
    void setHighlightedPosition(int position) override;
    QString title() const override;
    QWidget* exportWidget() override;
    QString tableCsv() const override;

    SurvivalCanvas* canvas() const { return canvas_; }

private:
    std::shared_ptr<const pb::Analysis> analysis_;
    SurvivalCanvas* canvas_ = nullptr;
    QScrollArea* scroll_ = nullptr;
};

}  // namespace pb::ui
