#include "ui/attention_view.h"

#include "ui/color_map.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pb::ui {
namespace {

constexpr int kMaxLabelChars = 12;
constexpr int kMaxOutlinedColumns = 40;
constexpr double kTickLabelRotation = -60.0;  // ends at the tick, reads upwards
// Prefixed to the tick labels of eliminated tokens; the multiplication sign is in every font.
const QString kEliminatedMark = QStringLiteral("\u00d7 ");

bool contains(const std::vector<int>& values, int value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

AttentionView::AttentionView(QWidget* parent) : AnalysisView(parent) {
    trace_ = new QComboBox;
    trace_->addItem(tr("PoWER-BERT"));
    trace_->addItem(tr("Full model"));
    trace_->setToolTip(tr("Which run's attention to show: PoWER-BERT (only the vectors still alive) or the full model"));
    layer_ = new QSpinBox;
    layer_->setPrefix(tr("Layer "));
    layer_->setRange(1, 1);
    layer_->setToolTip(tr("Encoder layer (1 = first)"));
    head_ = new QComboBox;
    head_->setToolTip(tr("One attention head, or the mean over heads (what the significance score is computed from)"));

    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("key (attended to)"));
    plot_->yAxis->setLabel(tr("query (attending)"));
    plot_->xAxis->setTickLabelRotation(kTickLabelRotation);
    plot_->yAxis->setRangeReversed(true);  // first token on top, as a matrix is read
    plot_->xAxis->grid()->setVisible(false);
    plot_->yAxis->grid()->setVisible(false);
    scale_ = addViridisColorScale(plot_, tr("attention probability"));
    plot_->setToolTip(tr("Row q, column k: how much token q attends to token k. "
                         "\u00d7 and red marks: eliminated at this layer"));
    plot_->installEventFilter(this);

    auto* controls = new QHBoxLayout;
    controls->addWidget(trace_);
    controls->addWidget(layer_);
    controls->addWidget(head_);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(plot_, 1);

    connect(trace_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(layer_, &QSpinBox::valueChanged, this, [this] { rebuild(); });
    connect(head_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, &AttentionView::onClicked);
    restyle();
    setAnalysis(nullptr);
}

void AttentionView::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = std::move(analysis);
    syncSelectors();
    rebuild();
}

void AttentionView::syncSelectors() {
    const QSignalBlocker blockLayer(layer_), blockHead(head_);  // one rebuild, by the caller
    const int layers = analysis_ ? int(analysis_->power.layers.size()) : 0;
    const int heads = analysis_ ? analysis_->config.num_heads : 0;
    layer_->setRange(1, std::max(1, layers));
    if (head_->count() != heads + 1) {
        const int previous = head_->currentIndex();
        head_->clear();
        head_->addItem(tr("Mean over heads"));
        for (int h = 1; h <= heads; ++h) head_->addItem(tr("Head %1").arg(h));
        head_->setCurrentIndex(std::clamp(previous, 0, heads));
    }
    for (QWidget* w : std::initializer_list<QWidget*>{trace_, layer_, head_}) w->setEnabled(layers > 0);
}

void AttentionView::setHighlightedPosition(int position) {
    highlighted_ = position;
    rebuild();
}

QString AttentionView::title() const { return tr("Attention"); }
QCustomPlot* AttentionView::plot() const { return plot_; }
QString AttentionView::plotTitle() const { return title_->text(); }
void AttentionView::setLayer(int layer) { layer_->setValue(layer); }
int AttentionView::layer() const { return layer_->value(); }
void AttentionView::setHead(int head) { head_->setCurrentIndex(head); }
int AttentionView::head() const { return std::max(0, head_->currentIndex()); }
void AttentionView::setShowPowerTrace(bool power) { trace_->setCurrentIndex(power ? 0 : 1); }
bool AttentionView::showsPowerTrace() const { return trace_->currentIndex() == 0; }

const pb::LayerTrace* AttentionView::layerTrace() const {
    if (!analysis_) return nullptr;
    const pb::Trace& trace = showsPowerTrace() ? analysis_->power : analysis_->full;
    const int j = layer() - 1;
    return j >= 0 && j < int(trace.layers.size()) ? &trace.layers[size_t(j)] : nullptr;
}

pb::FloatMatrix AttentionView::shownMatrix() const {
    const pb::LayerTrace* t = layerTrace();
    if (!t || t->attention.empty()) return {};
    if (head() > 0 && head() <= int(t->attention.size())) return t->attention[size_t(head() - 1)];
    pb::FloatMatrix mean = t->attention.front();
    for (size_t h = 1; h < t->attention.size(); ++h)
        for (size_t i = 0; i < mean.values.size(); ++i) mean.values[i] += t->attention[h].values[i];
    for (float& v : mean.values) v /= float(t->attention.size());
    return mean;
}

QString AttentionView::selectionName() const {
    const QString head = this->head() == 0 ? tr("mean over heads") : tr("head %1").arg(this->head());
    const QString run = showsPowerTrace() ? tr("PoWER-BERT") : tr("full model");
    return tr("Layer %1, %2 (%3)").arg(layer()).arg(head, run);
}

void AttentionView::rebuild() {
    plot_->clearPlottables();
    plot_->clearItems();
    map_ = nullptr;
    positions_.clear();
    marked_.clear();
    labels_.clear();
    const pb::LayerTrace* t = layerTrace();
    const pb::FloatMatrix matrix = shownMatrix();
    if (!t || matrix.rows == 0 || matrix.rows != int(t->alive_in.size())) {
        title_->setText(!analysis_ ? tr("No analysis")
                                   : tr("Attention was not recorded for this analysis (enable it in the run options)"));
        updateTicks();
        plot_->replot();
        return;
    }
    positions_ = t->alive_in;
    for (int p : positions_)
        if (showsPowerTrace() && !contains(t->alive_out, p)) marked_.push_back(p);
    for (int p : positions_) labels_ << (contains(marked_, p) ? kEliminatedMark : QString()) + tokenText(*analysis_, p, kMaxLabelChars);
    fillMap(matrix);
    addEliminationMarks();
    addHighlight();
    title_->setText(selectionName() + tr(": %1 vectors").arg(positions_.size()) +
                    (marked_.empty() ? QString() : tr(", %1 eliminated here (\u00d7)").arg(marked_.size())));
    updateTicks();
    plot_->replot();
}

void AttentionView::fillMap(const pb::FloatMatrix& matrix) {
    const int n = matrix.rows;
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    map_->data()->setSize(n, n);
    map_->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    double top = 0.0;
    // x = key (column), y = query (row): cell(k, q) holds A[q][k].
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) {
            map_->data()->setCell(k, q, matrix.at(q, k));
            top = std::max(top, double(matrix.at(q, k)));
        }
    map_->setInterpolate(false);
    map_->setColorScale(scale_);
    map_->setGradient(viridisGradient());
    map_->setDataRange(QCPRange(0.0, top > 0.0 ? top : 1.0));  // 0..max: single heads are often peaked
    plot_->xAxis->setRange(-0.5, n - 0.5);
    plot_->yAxis->setRange(-0.5, n - 0.5);
}

void AttentionView::addEliminationMarks() {
    const int n = int(positions_.size());
    for (int k = 0; k < n; ++k) {
        if (!contains(marked_, positions_[size_t(k)])) continue;
        // A red tab above the column always; a full outline only while columns are few enough for
        // outlines not to drown the data.
        auto* tab = new QCPItemRect(plot_);
        tab->setClipToAxisRect(false);
        tab->setPen(Qt::NoPen);
        tab->setBrush(eliminationMarkColor());
        tab->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        tab->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        tab->topLeft->setCoords(k - 0.45, -0.025);
        tab->bottomRight->setCoords(k + 0.45, -0.004);
        if (n > kMaxOutlinedColumns) continue;
        auto* box = new QCPItemRect(plot_);
        box->setPen(QPen(eliminationMarkColor(), 2));
        box->topLeft->setCoords(k - 0.48, -0.48);
        box->bottomRight->setCoords(k + 0.48, n - 0.52);
    }
}

void AttentionView::addHighlight() {
    const auto it = std::find(positions_.begin(), positions_.end(), highlighted_);
    if (highlighted_ < 0 || it == positions_.end()) return;
    const int i = int(it - positions_.begin()), n = int(positions_.size());
    const QPen pen(palette().color(QPalette::Text), 2);
    auto* column = new QCPItemRect(plot_);
    column->setPen(pen);
    column->topLeft->setCoords(i - 0.5, -0.5);
    column->bottomRight->setCoords(i + 0.5, n - 0.5);
    auto* row = new QCPItemRect(plot_);
    row->setPen(pen);
    row->topLeft->setCoords(-0.5, i - 0.5);
    row->bottomRight->setCoords(n - 0.5, i + 0.5);
}

void AttentionView::updateTicks() {
    // Skip labels rather than let them overlap on long inputs.
    const int line = fontMetrics().height();
    const int n = int(labels_.size());
    setTextTicks(plot_->xAxis, labels_, labelStride(n, plot_->axisRect()->width(), int(line * 1.2)));
    setTextTicks(plot_->yAxis, labels_, labelStride(n, plot_->axisRect()->height(), line));
}

QString AttentionView::tableCsv() const {
    QString csv = QStringLiteral("run,layer,head,query_position,query_token,key_position,key_token,attention\n");
    const pb::FloatMatrix matrix = shownMatrix();
    if (!analysis_ || matrix.rows != int(positions_.size())) return csv;
    const QString run = showsPowerTrace() ? QStringLiteral("power_bert") : QStringLiteral("full");
    const QString head = this->head() == 0 ? QStringLiteral("mean") : QString::number(this->head());
    for (int q = 0; q < matrix.rows; ++q)
        for (int k = 0; k < matrix.cols; ++k) {
            const int pq = positions_[size_t(q)], pk = positions_[size_t(k)];
            const QStringList fields = {run,
                                        QString::number(layer()),
                                        head,
                                        QString::number(pq),
                                        csvField(tokenText(*analysis_, pq)),
                                        QString::number(pk),
                                        csvField(tokenText(*analysis_, pk)),
                                        QString::number(double(matrix.at(q, k)), 'g', 7)};
            csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    return csv;
}

QString AttentionView::cellTooltip(int query, int key) const {
    const int pq = positions_[size_t(query)], pk = positions_[size_t(key)];
    QString text = tr("<b>%1</b> (position %2) attends to <b>%3</b> (position %4)<br>%5: %6")
                       .arg(tokenText(*analysis_, pq).toHtmlEscaped(), QString::number(pq),
                            tokenText(*analysis_, pk).toHtmlEscaped(), QString::number(pk), selectionName(),
                            QString::number(map_->data()->cell(key, query), 'g', 4));
    if (contains(marked_, pk)) text += tr("<br>%1 is eliminated at this layer").arg(tokenText(*analysis_, pk).toHtmlEscaped());
    return text;
}

bool AttentionView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == plot_ && event->type() == QEvent::Resize) {
        // The axis rect gets its new size in a replot; the second one draws the re-spaced labels.
        QMetaObject::invokeMethod(this, [this] {
            plot_->replot();
            updateTicks();
            plot_->replot();
        }, Qt::QueuedConnection);
    }
    if (watched != plot_ || event->type() != QEvent::ToolTip || !map_) return AnalysisView::eventFilter(watched, event);
    auto* help = static_cast<QHelpEvent*>(event);
    const int k = int(std::lround(plot_->xAxis->pixelToCoord(help->pos().x())));
    const int q = int(std::lround(plot_->yAxis->pixelToCoord(help->pos().y())));
    const int n = int(positions_.size());
    if (k < 0 || q < 0 || k >= n || q >= n || !plot_->axisRect()->rect().contains(help->pos()))
        return AnalysisView::eventFilter(watched, event);
    QToolTip::showText(help->globalPos(), cellTooltip(q, k), plot_);
    return true;
}

void AttentionView::onClicked(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !map_ || !plot_->axisRect()->rect().contains(event->position().toPoint()))
        return;
    // A click picks the key token: the column is what elimination removes.
    const int k = int(std::lround(plot_->xAxis->pixelToCoord(event->position().x())));
    if (k >= 0 && k < int(positions_.size())) emit positionClicked(positions_[size_t(k)]);
}

void AttentionView::restyle() {
    stylePlot(plot_, palette());
    styleAxis(scale_->axis(), palette());
    title_->setTextColor(palette().color(QPalette::Text));
}

void AttentionView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        restyle();
        rebuild();
    }
    AnalysisView::changeEvent(event);
}

}  // namespace pb::ui
