#include "ui/dataset_summary_view.h"

#include "ui/color_map.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_plot_items.h"
#include "ui/number_format.h"

#include <qcustomplot.h>

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QTableWidget>

#include <algorithm>
#include <numeric>

namespace pb::ui {
namespace {

QString fixed(double value, int digits = 4) { return QString::number(value, 'f', digits); }
QString optionalFixed(const std::optional<double>& value, int digits = 4) {
    return value ? fixed(*value, digits) : QStringLiteral("—");
}
QString ratio(double value) { return QStringLiteral("%1×").arg(value, 0, 'f', 2); }

double perExample(double total, size_t examples) { return examples > 0 ? total / double(examples) : 0.0; }

}  // namespace

DatasetSummaryView::DatasetSummaryView(QWidget* parent) : DatasetSlotView(parent) {
    table_ = new QTableWidget(0, 3);
    table_->setHorizontalHeaderLabels({tr("Quantity"), tr("Full model"), tr("PoWER-BERT")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setMinimumWidth(420);

    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->legend->setVisible(false);
    buildLayout();

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(table_);
    splitter->addWidget(plot_);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    refresh();
}

QString DatasetSummaryView::title() const { return tr("Evaluation"); }

QString DatasetSummaryView::valueText(const QString& quantity, int column) const {
    for (int r = 0; r < table_->rowCount(); ++r)
        if (table_->item(r, 0) && table_->item(r, 0)->text() == quantity)
            return table_->item(r, column) ? table_->item(r, column)->text() : QString();
    return {};
}

// Three axis rects in a row under the title, each with a caption above it.
void DatasetSummaryView::buildLayout() {
    QCPAxisRect* first = plot_->axisRect();
    plot_->plotLayout()->take(first);
    plot_->plotLayout()->simplify();
    auto* grid = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(1, 0, grid);
    const QStringList yLabels = {tr("score"), tr("milliseconds"), tr("millions")};
    for (int i = 0; i < 3; ++i) {
        QCPAxisRect* rect = i == 0 ? first : new QCPAxisRect(plot_);
        rect->axis(QCPAxis::atTop)->setVisible(false);
        rect->axis(QCPAxis::atRight)->setVisible(false);
        rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
        rect->axis(QCPAxis::atLeft)->setLabel(yLabels[i]);
        auto* caption = new QCPTextElement(plot_, QString(), plot_->font());
        grid->addElement(0, i, caption);
        grid->addElement(1, i, rect);
        rects_.push_back(rect);
        captions_.push_back(caption);
    }
    grid->setRowStretchFactor(0, 0.01);
    grid->setColumnStretchFactors({0.7, 1.0, 1.0});
}

void DatasetSummaryView::refresh() {
    fillTable();
    buildPlot();
}

void DatasetSummaryView::addRow(const QString& quantity, const QString& full, const QString& power, const QString& tip) {
    const int row = table_->rowCount();
    table_->insertRow(row);
    // A value of the comparison as a whole (configuration, speedup) spans both model columns.
    const bool whole = full.isEmpty();
    const QStringList texts = {quantity, whole ? power : full, whole ? QString() : power};
    for (int c = 0; c < 3; ++c) {
        auto* item = new QTableWidgetItem(texts[c]);
        if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (!tip.isEmpty()) item->setToolTip(tip);
        table_->setItem(row, c, item);
    }
    if (whole) table_->setSpan(row, 1, 1, 2);
}

void DatasetSummaryView::fillTable() {
    table_->clearSpans();
    table_->setRowCount(0);
    if (!result_) return;
    const pb::DatasetEvaluation& e = *result_;
    const double meanLength =
        e.lengths.empty() ? 0.0 : std::accumulate(e.lengths.begin(), e.lengths.end(), 0.0) / double(e.lengths.size());
    addRow(tr("Data"), QString::fromLatin1(pb::glue_task_name(e.task).data()),
           QFileInfo(QString::fromStdString(e.data_file)).fileName(), QString::fromStdString(e.data_file));
    addRow(tr("Examples"), QString::number(e.examples),
           tr("mean %1 tokens%2").arg(meanLength, 0, 'f', 1).arg(e.truncated ? tr(", %1 truncated").arg(e.truncated) : QString()));
    addRow(tr("Configuration"), QString(), describeDatasetPlan(e.plan, e.keep_fraction));
    for (size_t m = 0; m < e.full.metrics.size(); ++m) {
        const auto& metric = e.full.metrics[m];
        const QString power = m < e.power.metrics.size() ? fixed(e.power.metrics[m].value) : QStringLiteral("—");
        addRow(QString::fromStdString(metric.name), fixed(metric.value), power,
               tr("GLUE's %1 against the file's gold labels").arg(QString::fromStdString(metric.name)));
    }
    if (e.full.metrics.empty()) addRow(tr("Task metric"), tr("no gold labels"), tr("no gold labels"));
    if (e.regression) {
        addRow(tr("Mean |score difference|"), QStringLiteral("—"), optionalFixed(e.power.mean_absolute_difference));
    } else {
        const size_t same = e.examples - e.disagreements.size();  // the core lists every changed label
        addRow(tr("Agreement"), QStringLiteral("—"),
               tr("%1% (%2 of %3)").arg(100.0 * perExample(double(same), e.examples), 0, 'f', 2).arg(same).arg(e.examples),
               tr("Examples where PoWER-BERT predicts the full model's label"));
        addRow(tr("Mutual information"), tr("H = %1 bits").arg(optionalFixed(e.full_label_entropy_bits, 3)),
               tr("%1 bits").arg(optionalFixed(e.power.mutual_information_bits, 3)),
               tr("MI between the two models' predicted labels; H(full) is the most it can be"));
        addRow(tr("Normalised MI"), QStringLiteral("—"), optionalFixed(e.power.normalized_mutual_information, 3),
               tr("MI / sqrt(H(full) H(PoWER-BERT))"));
        addRow(tr("Mean KL divergence"), QStringLiteral("—"), tr("%1 nats").arg(optionalFixed(e.power.mean_kl, 5)),
               tr("KL(full || PoWER-BERT) of the class probabilities, mean over the examples"));
        addRow(tr("Disagreements"), QStringLiteral("—"), QString::number(e.disagreements.size()));
    }
    addRow(tr("Multiply-adds per example"), formatCount(int64_t(perExample(double(e.full.multiply_adds), e.examples))),
           formatCount(int64_t(perExample(double(e.power.multiply_adds), e.examples))));
    addRow(tr("Multiply-add ratio"), QString(), ratio(e.multiply_add_ratio()));
    addRow(tr("Time per example"), formatDuration(perExample(e.full.seconds, e.examples)),
           formatDuration(perExample(e.power.seconds, e.examples)), tr("Measured, inputs packed at their own length"));
    addRow(tr("Time in all"), formatDuration(e.full.seconds), formatDuration(e.power.seconds));
    if (e.padded_timed) {
        addRow(tr("Full model padded to %1").arg(e.padded_length), formatDuration(perExample(e.padded_full_seconds, e.examples)),
               QString(), tr("The paper's setting: every input padded to the task's SEQ_LEN (%1 longer examples unpadded)")
                              .arg(e.longer_than_padded));
        addRow(tr("Speedup vs padded full"), QString(), ratio(e.padded_speedup()),
               tr("Full model on inputs padded to %1 tokens / PoWER-BERT on packed inputs").arg(e.padded_length));
    }
    addRow(tr("Speedup vs packed full"), QString(), ratio(e.packed_speedup()), tr("Both on inputs packed at their own length"));
    if (e.batched) addBatchedRows(*e.batched, e);
    addRow(tr("Throughput"), QString(),
           tr("%1 examples/s on %2 threads").arg(e.wall_seconds > 0 ? double(e.examples) / e.wall_seconds : 0.0, 0, 'f', 1).arg(e.threads),
           tr("Examples over the wall time of the whole evaluation (%1)").arg(formatDuration(e.wall_seconds)));
}

void DatasetSummaryView::addBatchedRows(const pb::BatchedTiming& b, const pb::DatasetEvaluation& e) {
    const QString batches = tr("In batches of up to %1 equally long examples (%2 passes), as the paper timed inference")
                                .arg(b.batch)
                                .arg(b.passes);
    addRow(tr("Time per example, batched"), formatDuration(perExample(b.full_seconds, e.examples)),
           formatDuration(perExample(b.power_seconds, e.examples)), batches);
    if (b.padded_timed)
        addRow(tr("Batched speedup vs padded full"), QString(), ratio(b.padded_speedup()),
               tr("Full model on inputs padded to %1 tokens / PoWER-BERT on packed inputs, both batched").arg(e.padded_length));
    addRow(tr("Batched speedup vs packed full"), QString(), ratio(b.packed_speedup()), batches);
}

void DatasetSummaryView::buildPlot() {
    clearPlot(plot_);
    stylePlot(plot_, palette());
    const QColor text = palette().color(QPalette::Text);
    title_->setTextColor(text);
    for (QCPTextElement* caption : captions_) caption->setTextColor(text);
    if (!result_) {
        title_->setText(tr("No evaluation yet: choose a data file and press Evaluate"));
        for (QCPTextElement* caption : captions_) caption->setText(QString());
        plot_->replot();
        return;
    }
    const pb::DatasetEvaluation& e = *result_;
    title_->setText(tr("%1, %2 examples: full model vs PoWER-BERT (%3)")
                        .arg(QString::fromLatin1(pb::glue_task_name(e.task).data()))
                        .arg(e.examples)
                        .arg(describeDatasetPlan(e.plan, e.keep_fraction)));
    plotMetric(e);
    plotCosts(e);
    QString timing = e.padded_timed ? tr("ms per example, one at a time: %1 vs packed, %2 vs padded")
                                          .arg(ratio(e.packed_speedup()), ratio(e.padded_speedup()))
                                    : tr("ms per example, one at a time: %1 vs packed").arg(ratio(e.packed_speedup()));
    if (e.batched) timing += tr("\n(in batches of %1: %2 vs packed)").arg(e.batched->batch).arg(ratio(e.batched->packed_speedup()));
    captions_[1]->setText(timing);
    captions_[2]->setText(tr("multiply-adds per example (M): %1 fewer").arg(ratio(e.multiply_add_ratio())));
    plot_->replot();
}

// The task metric of both.
void DatasetSummaryView::plotMetric(const pb::DatasetEvaluation& e) {
    const QColor text = palette().color(QPalette::Text), full = fullModelColor(), power = powerBertColor();
    QCPAxisRect* metric = rects_[0];
    QSharedPointer<QCPAxisTickerText> metricTicks(new QCPAxisTickerText);
    double low = 0, high = 1e-9;
    if (!e.full.metrics.empty() && !e.power.metrics.empty()) {
        const double values[2] = {e.full.metrics.front().value, e.power.metrics.front().value};
        for (int i = 0; i < 2; ++i) {
            addBar(metric, i + 1, values[i], i == 0 ? full : power);
            addValueLabel(metric, i + 1, values[i], fixed(values[i]), text);
            low = std::min(low, values[i]);
            high = std::max(high, values[i]);
        }
        metricTicks->addTick(1, tr("full"));
        metricTicks->addTick(2, tr("PoWER-BERT"));
        captions_[0]->setText(QString::fromStdString(e.full.metrics.front().name));
    } else {
        captions_[0]->setText(tr("no gold labels"));
    }
    metric->axis(QCPAxis::atBottom)->setTicker(metricTicks);
    metric->axis(QCPAxis::atBottom)->setRange(0.3, 2.7);
    setBarRange(metric, low, high);
}

// Measured time and multiply-adds per example: padded full model, packed full model, PoWER-BERT.
void DatasetSummaryView::plotCosts(const pb::DatasetEvaluation& e) {
    const QColor text = palette().color(QPalette::Text), base = palette().color(QPalette::Base);
    const QColor full = fullModelColor(), power = powerBertColor(), padded = mix(fullModelColor(), base, 0.55);
    const double ms = 1e3 / double(std::max<size_t>(e.examples, 1)), mega = 1e-6 / double(std::max<size_t>(e.examples, 1));
    struct Bar {
        QString name;
        double time, work;
        QColor colour;
    };
    std::vector<Bar> bars;
    if (e.padded_timed)
        bars.push_back({tr("full, padded\nto %1").arg(e.padded_length), e.padded_full_seconds * ms,
                        double(e.padded_full_multiply_adds) * mega, padded});
    bars.push_back({tr("full,\npacked"), e.full.seconds * ms, double(e.full.multiply_adds) * mega, full});
    bars.push_back({tr("PoWER-BERT"), e.power.seconds * ms, double(e.power.multiply_adds) * mega, power});
    for (int which = 1; which <= 2; ++which) {
        QCPAxisRect* rect = rects_[size_t(which)];
        QSharedPointer<QCPAxisTickerText> ticks(new QCPAxisTickerText);
        double top = 1e-9;
        for (size_t b = 0; b < bars.size(); ++b) {
            const double value = which == 1 ? bars[b].time : bars[b].work;
            addBar(rect, double(b + 1), value, bars[b].colour);
            addValueLabel(rect, double(b + 1), value, QString::number(value, 'f', value < 10 ? 2 : 1), text);
            ticks->addTick(double(b + 1), bars[b].name);
            top = std::max(top, value);
        }
        rect->axis(QCPAxis::atBottom)->setTicker(ticks);
        rect->axis(QCPAxis::atBottom)->setRange(0.3, double(bars.size()) + 0.7);
        setBarRange(rect, 0, top);
    }
}

}  // namespace pb::ui
