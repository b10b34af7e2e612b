#include "ui/significance_view.h"

#include "ui/color_map.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

constexpr int kMaxLabelChars = 12;
constexpr double kTickLabelRotation = -60.0;  // ends at the tick, reads upwards

bool contains(const std::vector<int>& values, int value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

// Significance scaled to [0, 1] within one layer: raw scores shrink as vectors are eliminated.
std::vector<double> normalised(const std::vector<float>& significance) {
    std::vector<double> out(significance.size(), 1.0);
    if (significance.empty()) return out;
    const auto [low, high] = std::minmax_element(significance.begin(), significance.end());
    if (*high > *low)
        for (size_t i = 0; i < significance.size(); ++i) out[i] = (significance[i] - *low) / double(*high - *low);
    return out;
}

}  // namespace

SignificanceView::SignificanceView(QWidget* parent) : AnalysisView(parent) {
    layer_ = new QSpinBox;
    layer_->setPrefix(tr("Layer "));
    layer_->setRange(1, 1);
    layer_->setToolTip(tr("Encoder layer whose significance scores are shown (1 = first layer)"));
    order_ = new QComboBox;
    order_->addItem(tr("Sentence order"));
    order_->addItem(tr("By significance (kept first)"));
    order_->setToolTip(tr("Order of the bars: as in the sentence, or kept vectors first, each group by falling significance"));
    heatmap_ = new QCheckBox(tr("All layers (heatmap)"));
    heatmap_->setToolTip(tr("Show the significance of every token in every layer as a heatmap instead of bars"));

    buildBarPlot();
    buildHeatmap();

    stack_ = new QStackedWidget;
    stack_->addWidget(bars_);
    stack_->addWidget(heat_);

    auto* controls = new QHBoxLayout;
    controls->addWidget(layer_);
    controls->addWidget(order_);
    controls->addWidget(heatmap_);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(stack_, 1);

    for (QCustomPlot* p : {bars_, heat_}) p->installEventFilter(this);  // tooltips, tick spacing on resize
    restyle();
    connect(layer_, &QSpinBox::valueChanged, this, [this] { rebuild(); });
    connect(order_, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });
    connect(heatmap_, &QCheckBox::toggled, this, [this](bool on) {
        stack_->setCurrentWidget(on ? heat_ : bars_);
        layer_->setEnabled(on ? false : analysis_ != nullptr);
        order_->setEnabled(!on);
        rebuild();
    });
    connect(bars_, &QCustomPlot::mouseRelease, this, &SignificanceView::onBarClicked);
    connect(heat_, &QCustomPlot::mouseRelease, this, &SignificanceView::onHeatmapClicked);
    setAnalysis(nullptr);
}

void SignificanceView::buildBarPlot() {
    bars_ = new QCustomPlot;
    bars_title_ = addPlotTitle(bars_);
    bars_->yAxis->setLabel(tr("significance"));
    bars_->xAxis->setTickLabelRotation(kTickLabelRotation);
    bars_->xAxis->grid()->setVisible(false);
    bars_->legend->setVisible(true);
    placeLegendRight(bars_);
    bars_->setToolTip(tr("Hover a bar for its token and rank; click it to highlight the token in every view"));
}

void SignificanceView::buildHeatmap() {
    heat_ = new QCustomPlot;
    heat_title_ = addPlotTitle(heat_);
    heat_->xAxis->setTickLabelRotation(kTickLabelRotation);
    heat_->yAxis->setRangeReversed(true);  // layer 1 on top, as in the token survival view
    heat_->xAxis->grid()->setVisible(false);
    heat_->yAxis->grid()->setVisible(false);
    scale_ = addViridisColorScale(heat_, tr("significance (normalised per layer)"));
    scale_->setDataRange(QCPRange(0, 1));
    heat_->setToolTip(tr("Grey: the token was eliminated before this layer. Click a column to highlight its token"));
}

void SignificanceView::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = std::move(analysis);
    const int layers = analysis_ ? int(analysis_->power.layers.size()) : 0;
    const QSignalBlocker block(layer_);  // one rebuild below, not one per property
    layer_->setRange(1, std::max(1, layers));
    layer_->setEnabled(layers > 0 && !heatmap());
    order_->setEnabled(layers > 0 && !heatmap());
    heatmap_->setEnabled(layers > 0);
    rebuild();
}

void SignificanceView::setHighlightedPosition(int position) {
    highlighted_ = position;
    rebuild();
}

QString SignificanceView::title() const { return tr("Significance"); }
QCustomPlot* SignificanceView::plot() const { return heatmap() ? heat_ : bars_; }
QString SignificanceView::plotTitle() const { return heatmap() ? heat_title_->text() : bars_title_->text(); }

void SignificanceView::setLayer(int layer) { layer_->setValue(layer); }
int SignificanceView::layer() const { return layer_->value(); }
void SignificanceView::setHeatmap(bool heatmap) { heatmap_->setChecked(heatmap); }
bool SignificanceView::heatmap() const { return heatmap_->isChecked(); }
void SignificanceView::setSortedBySignificance(bool sorted) { order_->setCurrentIndex(sorted ? 1 : 0); }
bool SignificanceView::sortedBySignificance() const { return order_->currentIndex() == 1; }

QString SignificanceView::tableCsv() const {
    QString csv = QStringLiteral("layer,position,token,significance,rank,kept\n");
    if (!analysis_) return csv;
    const auto& layers = analysis_->power.layers;
    for (size_t j = 0; j < layers.size(); ++j) {
        const pb::LayerTrace& t = layers[j];
        for (size_t i = 0; i < t.alive_in.size() && i < t.significance.size(); ++i) {
            const int p = t.alive_in[i];
            const QStringList fields = {QString::number(j + 1), QString::number(p), csvField(tokenText(*analysis_, p)),
                                        QString::number(double(t.significance[i]), 'g', 7),
                                        QString::number(i < t.rank.size() ? t.rank[i] : 0),
                                        QString::number(contains(t.alive_out, p) ? 1 : 0)};
            csv += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    }
    return csv;
}

void SignificanceView::rebuild() {
    if (heatmap())
        rebuildHeatmap();
    else
        rebuildBars();
}

std::vector<int> SignificanceView::barOrder(const pb::LayerTrace& layer) const {
    std::vector<int> order(std::min(layer.alive_in.size(), layer.significance.size()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    if (!sortedBySignificance()) return order;
    // Kept first: [CLS] is kept whatever its score, and Head-/Rand-WS keep by position, so a pure
    // significance sort would not separate kept from eliminated.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const bool keptA = contains(layer.alive_out, layer.alive_in[size_t(a)]);
        const bool keptB = contains(layer.alive_out, layer.alive_in[size_t(b)]);
        if (keptA != keptB) return keptA;
        return layer.significance[size_t(a)] > layer.significance[size_t(b)];
    });
    return order;
}

void SignificanceView::rebuildBars() {
    bars_->clearPlottables();
    bars_->clearItems();
    bar_positions_.clear();
    bar_labels_.clear();
    const bool empty = !analysis_ || analysis_->power.layers.empty();
    bars_->legend->setVisible(!empty);
    if (empty) {
        bars_title_->setText(tr("No analysis"));
        updateTicks();
        bars_->replot();
        return;
    }
    const pb::LayerTrace& t = analysis_->power.layers[size_t(layer() - 1)];
    const std::vector<int> order = barOrder(t);
    auto* kept = new QCPBars(bars_->xAxis, bars_->yAxis);
    auto* eliminated = new QCPBars(bars_->xAxis, bars_->yAxis);
    kept->setName(tr("kept"));
    eliminated->setName(tr("eliminated at this layer"));
    kept->setBrush(viridis(0.4));
    eliminated->setBrush(eliminatedColor(palette()));
    kept->setPen(Qt::NoPen);
    eliminated->setPen(Qt::NoPen);
    double top = 0.0;
    int keptCount = 0;
    for (size_t slot = 0; slot < order.size(); ++slot) {
        const int i = order[slot], p = t.alive_in[size_t(i)];
        const bool isKept = contains(t.alive_out, p);
        (isKept ? kept : eliminated)->addData(double(slot), double(t.significance[size_t(i)]));
        keptCount += isKept ? 1 : 0;
        top = std::max(top, double(t.significance[size_t(i)]));
        bar_positions_.push_back(p);
        bar_labels_ << tokenText(*analysis_, p, kMaxLabelChars);
    }
    bars_->xAxis->setRange(-0.7, double(order.size()) - 0.3);
    bars_->yAxis->setRange(0.0, top > 0.0 ? top * 1.12 : 1.0);
    addCutLine(t, order, keptCount);
    addBarHighlight(t, order);
    bars_title_->setText(tr("Layer %1: keep %2 of %3").arg(layer()).arg(keptCount).arg(order.size()));
    updateTicks();
    bars_->replot();
}

void SignificanceView::addCutLine(const pb::LayerTrace& t, const std::vector<int>& order, int kept) {
    if (kept <= 0 || kept >= int(order.size())) return;  // nothing eliminated: no cut to show
    const QPen pen(palette().color(QPalette::Text), 1.5, Qt::DashLine);
    auto* line = new QCPItemStraightLine(bars_);
    line->setPen(pen);
    auto* label = new QCPItemText(bars_);
    label->setColor(palette().color(QPalette::Text));
    label->setBrush(QBrush(palette().color(QPalette::Base)));  // readable where it crosses a bar
    label->setPadding(QMargins(3, 1, 3, 1));
    label->setText(tr("keep %1").arg(kept));
    if (sortedBySignificance()) {
        // Kept bars come first, so the cut is simply between bar kept-1 and bar kept.
        line->point1->setCoords(kept - 0.5, 0.0);
        line->point2->setCoords(kept - 0.5, 1.0);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setType(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(kept - 0.4, bars_->yAxis->range().upper);
        return;
    }
    // In sentence order the cut is a score: the least significant vector Attn-WS kept ([CLS] aside,
    // it is kept whatever its score). Head-WS and Rand-WS do not keep by score, so no line there.
    float threshold = std::numeric_limits<float>::max();
    for (size_t i = 1; i < t.alive_in.size() && i < t.significance.size(); ++i)
        if (contains(t.alive_out, t.alive_in[i])) threshold = std::min(threshold, t.significance[i]);
    if (analysis_->plan.strategy != pb::Strategy::Attention || threshold == std::numeric_limits<float>::max()) {
        bars_->removeItem(line);
        bars_->removeItem(label);
        return;
    }
    line->point1->setCoords(0.0, threshold);
    line->point2->setCoords(1.0, threshold);
    label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    label->position->setType(QCPItemPosition::ptPlotCoords);
    label->position->setCoords(bars_->xAxis->range().upper, threshold + 0.01 * bars_->yAxis->range().size());
}

void SignificanceView::addBarHighlight(const pb::LayerTrace& t, const std::vector<int>& order) {
    const auto it = std::find(bar_positions_.begin(), bar_positions_.end(), highlighted_);
    if (highlighted_ < 0 || it == bar_positions_.end()) return;
    const int slot = int(it - bar_positions_.begin());
    const double value = t.significance[size_t(order[size_t(slot)])];
    auto* box = new QCPItemRect(bars_);
    box->setPen(QPen(palette().color(QPalette::Text), 2));
    box->topLeft->setCoords(slot - 0.5, value + bars_->yAxis->range().upper * 0.02);
    box->bottomRight->setCoords(slot + 0.5, 0.0);
}

void SignificanceView::rebuildHeatmap() {
    heat_->clearPlottables();
    heat_->clearItems();
    heat_labels_.clear();
    const int layers = analysis_ ? int(analysis_->power.layers.size()) : 0;
    const int tokens = analysis_ ? int(analysis_->encoding.tokens.size()) : 0;
    heat_->axisRect()->setBackground(QBrush(goneColor(palette())));
    if (layers == 0 || tokens == 0) {
        heat_title_->setText(tr("No analysis"));
        updateTicks();
        heat_->replot();
        return;
    }
    auto* map = new QCPColorMap(heat_->xAxis, heat_->yAxis);
    map->data()->setSize(tokens, layers);
    map->data()->setRange(QCPRange(0, tokens - 1), QCPRange(1, layers));
    map->data()->fill(std::numeric_limits<double>::quiet_NaN());  // NaN: vector already gone
    for (int j = 0; j < layers; ++j) {
        const pb::LayerTrace& t = analysis_->power.layers[size_t(j)];
        const std::vector<double> scaled = normalised(t.significance);
        for (size_t i = 0; i < t.alive_in.size() && i < scaled.size(); ++i)
            if (t.alive_in[i] >= 0 && t.alive_in[i] < tokens) map->data()->setCell(t.alive_in[i], j, scaled[i]);
    }
    map->setInterpolate(false);
    map->setColorScale(scale_);
    map->setGradient(viridisGradient());
    map->setDataRange(QCPRange(0, 1));
    for (int p = 0; p < tokens; ++p) heat_labels_ << tokenText(*analysis_, p, kMaxLabelChars);
    heat_->xAxis->setRange(-0.5, tokens - 0.5);
    heat_->yAxis->setRange(0.5, layers + 0.5);
    QSharedPointer<QCPAxisTickerText> layerTicks(new QCPAxisTickerText);
    for (int j = 1; j <= layers; ++j) layerTicks->addTick(j, tr("layer %1").arg(j));
    heat_->yAxis->setTicker(layerTicks);
    if (highlighted_ >= 0 && highlighted_ < tokens) {
        auto* box = new QCPItemRect(heat_);
        box->setPen(QPen(palette().color(QPalette::Text), 2));
        box->topLeft->setCoords(highlighted_ - 0.5, 0.5);
        box->bottomRight->setCoords(highlighted_ + 0.5, layers + 0.5);
    }
    heat_title_->setText(tr("Significance in every layer (%1 tokens, %2 layers)").arg(tokens).arg(layers));
    updateTicks();
    heat_->replot();
}

void SignificanceView::updateTicks() {
    // Rotated labels need about one line height of axis each; skip labels rather than overlap them.
    const int spacing = int(fontMetrics().height() * 1.2);
    setTextTicks(bars_->xAxis, bar_labels_, labelStride(int(bar_labels_.size()), bars_->axisRect()->width(), spacing));
    setTextTicks(heat_->xAxis, heat_labels_, labelStride(int(heat_labels_.size()), heat_->axisRect()->width(), spacing));
}

QString SignificanceView::barTooltip(int slot) const {
    const pb::LayerTrace& t = analysis_->power.layers[size_t(layer() - 1)];
    const int p = bar_positions_[size_t(slot)];
    const auto i = size_t(std::find(t.alive_in.begin(), t.alive_in.end(), p) - t.alive_in.begin());
    return tr("<b>%1</b> (position %2)<br>significance %3, rank %4 of %5<br>%6")
        .arg(tokenText(*analysis_, p).toHtmlEscaped(), QString::number(p),
             QString::number(double(t.significance[i]), 'g', 4), QString::number(t.rank[i]),
             QString::number(t.alive_in.size()),
             contains(t.alive_out, p) ? tr("kept") : tr("eliminated at layer %1").arg(layer()));
}

QString SignificanceView::heatmapTooltip(int position, int layer) const {
    const pb::LayerTrace& t = analysis_->power.layers[size_t(layer - 1)];
    const auto it = std::find(t.alive_in.begin(), t.alive_in.end(), position);
    const QString head = tr("<b>%1</b> (position %2), layer %3<br>")
                             .arg(tokenText(*analysis_, position).toHtmlEscaped(), QString::number(position),
                                  QString::number(layer));
    if (it == t.alive_in.end()) return head + tr("eliminated before this layer");
    const auto i = size_t(it - t.alive_in.begin());
    return head + tr("significance %1, rank %2 of %3")
                      .arg(QString::number(double(t.significance[i]), 'g', 4), QString::number(t.rank[i]),
                           QString::number(t.alive_in.size()));
}

bool SignificanceView::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize && (watched == bars_ || watched == heat_)) {
        // The axis rect gets its new size in a replot; the second one draws the re-spaced labels.
        QMetaObject::invokeMethod(this, [this] {
            plot()->replot();
            updateTicks();
            plot()->replot();
        }, Qt::QueuedConnection);
    }
    if (event->type() != QEvent::ToolTip || !analysis_ || analysis_->power.layers.empty())
        return AnalysisView::eventFilter(watched, event);
    auto* help = static_cast<QHelpEvent*>(event);
    QString text;
    if (watched == bars_) {
        const int slot = int(std::lround(bars_->xAxis->pixelToCoord(help->pos().x())));
        if (slot >= 0 && slot < int(bar_positions_.size())) text = barTooltip(slot);
    } else if (watched == heat_) {
        const int p = int(std::lround(heat_->xAxis->pixelToCoord(help->pos().x())));
        const int j = int(std::lround(heat_->yAxis->pixelToCoord(help->pos().y())));
        if (p >= 0 && p < int(heat_labels_.size()) && j >= 1 && j <= int(analysis_->power.layers.size()))
            text = heatmapTooltip(p, j);
    }
    if (text.isEmpty()) return AnalysisView::eventFilter(watched, event);
    QToolTip::showText(help->globalPos(), text, static_cast<QWidget*>(watched));
    return true;
}

void SignificanceView::onBarClicked(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !bars_->axisRect()->rect().contains(event->position().toPoint())) return;
    const int slot = int(std::lround(bars_->xAxis->pixelToCoord(event->position().x())));
    if (slot >= 0 && slot < int(bar_positions_.size())) emit positionClicked(bar_positions_[size_t(slot)]);
}

void SignificanceView::onHeatmapClicked(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !heat_->axisRect()->rect().contains(event->position().toPoint())) return;
    const int p = int(std::lround(heat_->xAxis->pixelToCoord(event->position().x())));
    if (p >= 0 && p < int(heat_labels_.size())) emit positionClicked(p);
}

void SignificanceView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        restyle();
        rebuild();
    }
    AnalysisView::changeEvent(event);
}

void SignificanceView::restyle() {
    for (QCustomPlot* p : {bars_, heat_}) stylePlot(p, palette());
    styleAxis(scale_->axis(), palette());
    bars_title_->setTextColor(palette().color(QPalette::Text));
    heat_title_->setTextColor(palette().color(QPalette::Text));
}

}  // namespace pb::ui
