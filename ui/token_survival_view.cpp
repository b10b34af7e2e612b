#include "ui/token_survival_view.h"

#include "ui/color_map.h"

#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>

namespace pb::ui {
namespace {

constexpr int kMargin = 8;
constexpr int kInputGap = 4;       // separates the input row from the layers
constexpr int kMaxLabelChars = 14; // longer tokens are elided in the column header
constexpr int kLegendRampWidth = 120;

bool contains(const std::vector<int>& values, int value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

SurvivalCanvas::SurvivalCanvas(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);  // for the pointing-hand cursor over clickable columns
    setAttribute(Qt::WA_OpaquePaintEvent);
    setAccessibleName(tr("Token survival grid"));
    setToolTip(tr("Hover a cell for details; click a token to highlight it in every view"));
}

void SurvivalCanvas::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = std::move(analysis);
    rebuildCells();
    updateGeometry();
    update();
}

void SurvivalCanvas::setHighlightedPosition(int position) {
    highlighted_ = (position >= 0 && position < columnCount()) ? position : -1;
    update();
}

void SurvivalCanvas::rebuildCells() {
    cells_.clear();
    eliminated_at_.clear();
    if (!analysis_) return;
    const int n = int(analysis_->encoding.tokens.size());
    const auto& layers = analysis_->power.layers;
    cells_.assign(layers.size() + 1, std::vector<Cell>(size_t(n)));
    eliminated_at_.assign(size_t(n), 0);
    for (Cell& c : cells_[0]) c.state = CellState::Input;
    for (size_t j = 0; j < layers.size(); ++j) {
        const pb::LayerTrace& layer = layers[j];
        if (layer.significance.size() != layer.alive_in.size()) continue;  // a malformed trace shows as gone
        const auto [low, high] = std::minmax_element(layer.significance.begin(), layer.significance.end());
        for (size_t i = 0; i < layer.alive_in.size(); ++i) {
            const int p = layer.alive_in[i];
            if (p < 0 || p >= n) continue;
            Cell& c = cells_[j + 1][size_t(p)];
            c.significance = layer.significance[i];
            c.rank = i < layer.rank.size() ? layer.rank[i] : 0;
            c.candidates = int(layer.alive_in.size());
            // Per-layer min-max scaling: raw scores shrink as fewer vectors remain, so only the order
            // within a layer is comparable.
            c.normalised = *high > *low ? (c.significance - *low) / double(*high - *low) : 1.0;
            c.state = contains(layer.alive_out, p) ? CellState::Alive : CellState::EliminatedHere;
            if (c.state == CellState::EliminatedHere && eliminated_at_[size_t(p)] == 0)
                eliminated_at_[size_t(p)] = int(j) + 1;
        }
    }
}

int SurvivalCanvas::minimumCellWidth() const { return fontMetrics().height() + 8; }

SurvivalCanvas::Metrics SurvivalCanvas::metrics() const {
    const QFontMetrics fm = fontMetrics();
    Metrics m{};
    m.margin = kMargin;
    int labelWidth = fm.horizontalAdvance(tr("input"));
    for (int row = 1; row < rowCount(); ++row) labelWidth = std::max(labelWidth, fm.horizontalAdvance(rowLabel(row)));
    m.rowLabelWidth = labelWidth + 12;
    int header = fm.horizontalAdvance(QStringLiteral("[CLS]"));
    if (analysis_)
        for (int p = 0; p < columnCount(); ++p)
            header = std::max(header, fm.horizontalAdvance(tokenText(*analysis_, p, kMaxLabelChars)));
    m.headerHeight = header + 10;
    m.minimumCellHeight = fm.height() + 10;
    m.legendHeight = fm.height() + 20;
    // Cells grow to use spare space, but not so much that a short sentence becomes a row of slabs.
    const int minimum = minimumCellWidth();
    const int spareWidth = columnCount() > 0 ? (width() - 2 * kMargin - m.rowLabelWidth) / columnCount() : minimum;
    m.cellWidth = std::clamp(spareWidth, minimum, 3 * minimum);
    // Only the layer rows stretch: the input row carries no data, so it stays compact.
    const int fixedHeight = 2 * kMargin + m.headerHeight + m.minimumCellHeight + kInputGap + m.legendHeight;
    const int spareHeight = rowCount() > 1 ? (height() - fixedHeight) / (rowCount() - 1) : m.minimumCellHeight;
    m.cellHeight = std::clamp(spareHeight, m.minimumCellHeight, 2 * m.minimumCellHeight);
    return m;
}

QRect SurvivalCanvas::cellRect(int row, int position) const {
    const Metrics m = metrics();
    const int x = m.margin + m.rowLabelWidth + position * m.cellWidth;
    const int top = m.margin + m.headerHeight;
    if (row == 0) return QRect(x, top, m.cellWidth, m.minimumCellHeight);
    const int y = top + m.minimumCellHeight + kInputGap + (row - 1) * m.cellHeight;
    return QRect(x, y, m.cellWidth, m.cellHeight);
}

int SurvivalCanvas::positionAt(const QPoint& point) const {
    if (columnCount() == 0) return -1;
    const Metrics m = metrics();
    const int left = m.margin + m.rowLabelWidth;
    const int bottom = cellRect(rowCount() - 1, 0).bottom();
    if (point.x() < left || point.y() < m.margin || point.y() > bottom) return -1;
    const int position = (point.x() - left) / m.cellWidth;
    return position < columnCount() ? position : -1;
}

QSize SurvivalCanvas::contentSize(int cellWidth) const {
    if (!analysis_) return QSize(200, 80);
    const Metrics m = metrics();
    const QFontMetrics fm = fontMetrics();
    const int legendWidth = kLegendRampWidth + fm.horizontalAdvance(tr("low  high significance (per layer)")) +
                            fm.horizontalAdvance(tr("eliminated here  eliminated earlier")) + 6 * m.cellHeight;
    const int gridWidth = m.rowLabelWidth + columnCount() * cellWidth;
    const int height = m.headerHeight + rowCount() * m.minimumCellHeight + kInputGap + m.legendHeight;
    return QSize(std::max(gridWidth, legendWidth) + 2 * m.margin, height + 2 * m.margin);
}

QSize SurvivalCanvas::sizeHint() const { return contentSize(minimumCellWidth() * 3 / 2); }
QSize SurvivalCanvas::minimumSizeHint() const { return contentSize(minimumCellWidth()); }

QString SurvivalCanvas::rowLabel(int row) const { return row == 0 ? tr("input") : tr("layer %1").arg(row); }

QColor SurvivalCanvas::cellColor(const Cell& cell) const {
    switch (cell.state) {
        case CellState::Input: return palette().color(QPalette::Base);
        case CellState::Alive: return viridis(cell.normalised);
        case CellState::EliminatedHere: return eliminatedColor(palette());
        case CellState::Gone: break;
    }
    return goneColor(palette());
}

void SurvivalCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    painter.setPen(palette().color(QPalette::Text));
    if (!analysis_ || columnCount() == 0) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No analysis yet: enter a sentence to see which tokens survive each layer."));
        return;
    }
    const Metrics m = metrics();
    paintRowLabels(painter, m);
    paintHeader(painter);
    paintCells(painter);
    paintHighlight(painter, m);
    paintLegend(painter, m);
}

void SurvivalCanvas::paintRowLabels(QPainter& painter, const Metrics& m) const {
    painter.setPen(palette().color(QPalette::Text));
    for (int row = 0; row < rowCount(); ++row) {
        const QRect cell = cellRect(row, 0);
        const QRect label(m.margin, cell.top(), m.rowLabelWidth - 8, cell.height());
        painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter, rowLabel(row));
    }
}

void SurvivalCanvas::paintHeader(QPainter& painter) const {
    const QFontMetrics fm = fontMetrics();
    QFont bold = font();
    bold.setBold(true);
    for (int p = 0; p < columnCount(); ++p) {
        const QRect cell = cellRect(0, p);
        // Rotated -90 degrees the baseline runs upwards and glyphs extend to its left, so the
        // baseline sits right of the column centre by half the glyph height.
        const qreal x = cell.center().x() + 0.5 + (fm.ascent() - fm.descent()) / 2.0;
        painter.save();
        painter.setFont(p == highlighted_ ? bold : font());
        painter.setPen(palette().color(QPalette::Text));
        painter.translate(x, cell.top() - 6);
        painter.rotate(-90);
        painter.drawText(QPointF(0, 0), tokenText(*analysis_, p, kMaxLabelChars));
        painter.restore();
    }
}

void SurvivalCanvas::paintCells(QPainter& painter) const {
    const QColor outline = mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.45);
    const QColor cross = mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.8);
    painter.setRenderHint(QPainter::Antialiasing, true);
    for (int row = 0; row < rowCount(); ++row) {
        for (int p = 0; p < columnCount(); ++p) {
            const Cell& c = cells_[size_t(row)][size_t(p)];
            const QRectF r = QRectF(cellRect(row, p)).adjusted(1, 1, -1, -1);
            painter.fillRect(r, cellColor(c));
            if (c.state == CellState::Input) {
                painter.setPen(QPen(outline, 1));
                painter.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
            } else if (c.state == CellState::EliminatedHere) {
                // The cross marks the layer that dropped the token; later cells are plain grey.
                painter.setPen(QPen(cross, 1.5));
                const double side = 0.4 * std::min(r.width(), r.height());  // square whatever the cell shape
                const QRectF x(r.center() - QPointF(side / 2, side / 2), QSizeF(side, side));
                painter.drawLine(x.topLeft(), x.bottomRight());
                painter.drawLine(x.bottomLeft(), x.topRight());
            }
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
}

void SurvivalCanvas::paintHighlight(QPainter& painter, const Metrics& m) const {
    if (highlighted_ < 0) return;
    const QRect top = cellRect(0, highlighted_), bottom = cellRect(rowCount() - 1, highlighted_);
    const QRectF column(QPointF(top.left(), m.margin), QPointF(bottom.right() + 1, bottom.bottom() + 1));
    // Two outlines (text colour outside, base colour inside) stay visible on every viridis shade.
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(palette().color(QPalette::Text), 2));
    painter.drawRect(column.adjusted(-1, -1, 1, 1));
    painter.setPen(QPen(palette().color(QPalette::Base), 1));
    painter.drawRect(column.adjusted(0.5, 0.5, -0.5, -0.5));
}

void SurvivalCanvas::paintLegend(QPainter& painter, const Metrics& m) const {
    const QFontMetrics fm = fontMetrics();
    const int y = cellRect(rowCount() - 1, 0).bottom() + 12, h = fm.height();
    int x = m.margin + m.rowLabelWidth;
    painter.setPen(palette().color(QPalette::Text));
    auto text = [&](const QString& s) {
        painter.drawText(QRect(x, y, fm.horizontalAdvance(s) + 2, h), Qt::AlignVCenter, s);
        x += fm.horizontalAdvance(s) + h / 2;
    };
    text(tr("low"));
    QLinearGradient ramp(x, 0, x + kLegendRampWidth, 0);
    for (int i = 0; i <= 8; ++i) ramp.setColorAt(i / 8.0, viridis(i / 8.0));
    painter.fillRect(QRect(x, y, kLegendRampWidth, h), ramp);
    x += kLegendRampWidth + h / 2;
    text(tr("high significance (per layer)"));
    x += h;
    auto swatch = [&](const QColor& colour, bool crossed, const QString& label) {
        const QRect box(x, y, h, h);
        painter.fillRect(box, colour);
        if (crossed) {
            painter.save();
            painter.setPen(QPen(mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.8), 1.5));
            painter.drawLine(box.adjusted(4, 4, -4, -4).topLeft(), box.adjusted(4, 4, -4, -4).bottomRight());
            painter.drawLine(box.adjusted(4, 4, -4, -4).bottomLeft(), box.adjusted(4, 4, -4, -4).topRight());
            painter.restore();
        }
        x += h + h / 3;
        text(label);
        x += h / 2;
    };
    swatch(eliminatedColor(palette()), true, tr("eliminated here"));
    swatch(goneColor(palette()), false, tr("eliminated earlier"));
}

QString SurvivalCanvas::tooltipFor(int row, int position) const {
    const Cell& c = cell(row, position);
    QString text = tr("<b>%1</b> (position %2)<br>")
                       .arg(tokenText(*analysis_, position).toHtmlEscaped(), QString::number(position));
    if (row == 0) {
        text += tr("input");
    } else if (c.state == CellState::Gone) {
        text += tr("layer %1: not present").arg(row);
    } else {
        text += tr("layer %1: significance %2, rank %3 of %4")
                    .arg(row)
                    .arg(double(c.significance), 0, 'g', 4)
                    .arg(c.rank)
                    .arg(c.candidates);
    }
    const int at = eliminatedAt(position);
    text += QStringLiteral("<br>") + (at > 0 ? tr("eliminated at layer %1").arg(at) : tr("survives"));
    return text;
}

bool SurvivalCanvas::event(QEvent* event) {
    if (event->type() != QEvent::ToolTip) return QWidget::event(event);
    auto* help = static_cast<QHelpEvent*>(event);
    const int position = positionAt(help->pos());
    int row = -1;
    for (int r = 0; position >= 0 && r < rowCount(); ++r)
        if (cellRect(r, position).contains(help->pos())) row = r;
    if (row < 0) {
        // Outside the cells (header, legend) the general hint is more useful than nothing.
        QToolTip::showText(help->globalPos(), position >= 0 ? tooltipFor(0, position) : toolTip(), this);
        return true;
    }
    QToolTip::showText(help->globalPos(), tooltipFor(row, position), this, cellRect(row, position));
    return true;
}

void SurvivalCanvas::mouseMoveEvent(QMouseEvent* event) {
    setCursor(positionAt(event->position().toPoint()) >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QWidget::mouseMoveEvent(event);
}

void SurvivalCanvas::mouseReleaseEvent(QMouseEvent* event) {
    const int position = positionAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && position >= 0) emit positionClicked(position);
    QWidget::mouseReleaseEvent(event);
}

void SurvivalCanvas::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange) {
        updateGeometry();
        update();
    }
    QWidget::changeEvent(event);
}

TokenSurvivalView::TokenSurvivalView(QWidget* parent) : AnalysisView(parent) {
    canvas_ = new SurvivalCanvas;
    scroll_ = new QScrollArea(this);
    scroll_->setWidget(canvas_);
    scroll_->setWidgetResizable(true);  // the canvas widens its cells to fill the width first
    scroll_->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll_);
    connect(canvas_, &SurvivalCanvas::positionClicked, this, &AnalysisView::positionClicked);
}

void TokenSurvivalView::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = analysis;
    canvas_->setAnalysis(std::move(analysis));
}

void TokenSurvivalView::setHighlightedPosition(int position) {
    canvas_->setHighlightedPosition(position);
    if (canvas_->highlightedPosition() < 0) return;
    // A token picked in another view may be scrolled out of sight on long inputs.
    const QRect cell = canvas_->cellRect(0, position);
    scroll_->ensureVisible(cell.center().x(), cell.center().y(), cell.width() * 2, 0);
}

QString TokenSurvivalView::title() const { return tr("Token survival"); }

QWidget* TokenSurvivalView::exportWidget() { return canvas_; }

QString TokenSurvivalView::tableCsv() const {
    QString csv = QStringLiteral("layer,position,token,significance,rank,alive\n");
    if (!analysis_) return csv;
    for (int row = 0; row < canvas_->rowCount(); ++row) {
        for (int p = 0; p < canvas_->columnCount(); ++p) {
            const SurvivalCanvas::Cell& c = canvas_->cell(row, p);
            const bool scored = c.state == SurvivalCanvas::CellState::Alive ||
                                c.state == SurvivalCanvas::CellState::EliminatedHere;
            const bool alive = c.state == SurvivalCanvas::CellState::Alive || c.state == SurvivalCanvas::CellState::Input;
            // Joined rather than arg()-chained: a token such as "%1" must not be substituted again.
            const QStringList fields = {QString::number(row),
                                        QString::number(p),
                                        csvField(tokenText(*analysis_, p)),
                                        scored ? QString::number(double(c.significance), 'g', 7) : QString(),
                                        scored ? QString::number(c.rank) : QString(),
                                        QString::number(alive ? 1 : 0)};
            csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return csv;
}

}  // namespace pb::ui
