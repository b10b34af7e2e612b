#include "ui/prediction_panel.h"

#include "core/comparison.h"
#include "ui/color_map.h"
#include "ui/number_format.h"

#include <qcustomplot.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace pb::ui {
namespace {

constexpr double kBarWidth = 0.36;

QString formatRatio(double ratio) { return QStringLiteral("%1\u00d7").arg(ratio, 0, 'f', 2); }

QString row(const QString& name, const QString& full, const QString& power) {
    return QStringLiteral("<tr><td>%1</td><td align=right>%2</td><td align=right>%3</td></tr>").arg(name, full, power);
}

QString header() {
    return row(QString(), PredictionPanel::tr("<b>Full model</b>"), PredictionPanel::tr("<b>PoWER-BERT</b>"));
}

}  // namespace

PredictionPanel::PredictionPanel(QWidget* parent) : AnalysisView(parent) {
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->grid()->setVisible(false);
    plot_->legend->setVisible(true);
    placeLegendRight(plot_);
    plot_->setToolTip(tr("The output of the full model and of PoWER-BERT on the same input"));
    summary_ = new QLabel;
    summary_->setTextFormat(Qt::RichText);
    summary_->setWordWrap(true);
    summary_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setToolTip(tr("KL divergence KL(full || PoWER-BERT) of the class probabilities, the predicted labels, "
                            "and the multiply-adds and measured time of both runs"));
    summary_->setMinimumWidth(260);
    message_ = new QLabel;
    message_->setTextFormat(Qt::RichText);
    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignCenter);
    message_->setMargin(24);

    auto* page = new QWidget;
    page->setAutoFillBackground(true);  // one surface with the plot, which paints the base colour
    page->setBackgroundRole(QPalette::Base);
    summary_->setForegroundRole(QPalette::Text);
    auto* pageLayout = new QHBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 8, 0);
    pageLayout->addWidget(plot_, 3);
    pageLayout->addWidget(summary_, 2);
    stack_ = new QStackedWidget;
    stack_->addWidget(page);
    stack_->addWidget(message_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(stack_);
    restyle();
    setAnalysis(nullptr);
}

void PredictionPanel::setAnalysis(std::shared_ptr<const pb::Analysis> analysis) {
    analysis_ = std::move(analysis);
    rebuild();
}

QString PredictionPanel::title() const { return tr("Prediction"); }

QCustomPlot* PredictionPanel::plot() const { return stack_->currentIndex() == 0 ? plot_ : nullptr; }

QString PredictionPanel::summaryText() const {
    QTextDocument document;
    document.setHtml(stack_->currentIndex() == 0 ? summary_->text() : message_->text());
    return document.toPlainText();
}

QString PredictionPanel::labelName(int index) const {
    const auto& names = analysis_->config.id2label;
    if (index >= 0 && index < int(names.size()) && !names[size_t(index)].empty())
        return QString::fromStdString(names[size_t(index)]);
    return QStringLiteral("LABEL_%1").arg(index);  // Hugging Face's name for an unnamed class
}

void PredictionPanel::rebuild() {
    bar_labels_.clear();
    if (!analysis_) {
        message_->setText(tr("No analysis yet: enter a sentence to compare the predictions."));
        stack_->setCurrentWidget(message_);
        return;
    }
    if (!analysis_->full.has_head() || !analysis_->power.has_head()) {
        // Still worth showing the cost: elimination saves work even on a bare encoder.
        message_->setText(tr("<p><b>This model has no classification head</b> (it is a bare encoder), so there is "
                             "no prediction to compare.</p><p>Load a fine-tuned model (with a classifier and "
                             "<tt>id2label</tt> in config.json) to see how elimination changes the output.</p>"
                             "<table cellspacing=6>%1%2</table><p>%3</p>")
                              .arg(header(), costRowsHtml(), savingHtml()));
        stack_->setCurrentWidget(message_);
        return;
    }
    rebuildBars();
    summary_->setText(summaryHtml());
    stack_->setCurrentIndex(0);
}

void PredictionPanel::rebuildBars() {
    plot_->clearPlottables();
    plot_->clearItems();
    const pb::Trace& full = analysis_->full;
    const pb::Trace& power = analysis_->power;
    const bool regression = full.probabilities.empty();
    const std::vector<float>& a = regression ? full.logits : full.probabilities;
    const std::vector<float>& b = regression ? power.logits : power.probabilities;
    auto* group = new QCPBarsGroup(plot_);
    auto* fullBars = new QCPBars(plot_->xAxis, plot_->yAxis);
    auto* powerBars = new QCPBars(plot_->xAxis, plot_->yAxis);
    fullBars->setName(tr("full model"));
    powerBars->setName(tr("PoWER-BERT"));
    fullBars->setBrush(fullModelColor());
    powerBars->setBrush(powerBertColor());
    double low = 0.0, high = regression ? 0.0 : 1.0;
    for (QCPBars* bars : {fullBars, powerBars}) {
        bars->setPen(Qt::NoPen);
        bars->setWidth(kBarWidth);
        bars->setBarsGroup(group);
    }
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        fullBars->addData(double(i), a[i]);
        powerBars->addData(double(i), b[i]);
        low = std::min({low, double(a[i]), double(b[i])});
        high = std::max({high, double(a[i]), double(b[i])});
        bar_labels_ << (regression ? tr("predicted value") : labelName(int(i)));
    }
    const double pad = 0.12 * std::max(high - low, 1e-6);  // headroom for the value labels
    plot_->yAxis->setRange(low < 0.0 ? low - pad : 0.0, high + pad);
    plot_->xAxis->setRange(-0.6, double(bar_labels_.size()) - 0.4);
    setTextTicks(plot_->xAxis, bar_labels_);
    plot_->yAxis->setLabel(regression ? tr("regression output") : tr("probability"));
    // The verdict goes into the title too, so an exported plot is self-explanatory.
    const pb::Comparison c = pb::compare_runs(full, power);
    title_->setText(regression ? tr("Regression output")
                               : tr("Class probabilities: %1, KL %2 nats")
                                     .arg(c.label_flipped ? tr("label flipped") : tr("same label"),
                                          QString::number(c.kl_divergence, 'g', 2)));
    const double offset = kBarWidth / 2.0 + 0.01;  // bar centres within a group of two
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        addValueLabel(double(i) - offset, a[i], QString::number(a[i], 'f', 3));
        addValueLabel(double(i) + offset, b[i], QString::number(b[i], 'f', 3));
    }
    plot_->replot();
}

void PredictionPanel::addValueLabel(double key, double value, const QString& text) {
    auto* label = new QCPItemText(plot_);
    label->setText(text);
    label->setColor(palette().color(QPalette::Text));
    label->setPositionAlignment(value >= 0 ? (Qt::AlignHCenter | Qt::AlignBottom) : (Qt::AlignHCenter | Qt::AlignTop));
    label->position->setCoords(key, value);
    label->setPadding(QMargins(0, 2, 0, 2));
}

QString PredictionPanel::costRowsHtml() const {
    const pb::Comparison c = pb::compare_runs(analysis_->full, analysis_->power);
    return row(tr("Multiply-adds"), formatCount(c.full_multiply_adds), formatCount(c.power_multiply_adds)) +
           row(tr("Measured time"), formatDuration(analysis_->full.seconds), formatDuration(analysis_->power.seconds)) +
           row(tr("Word vectors processed"), QString::number(c.full_vectors), QString::number(c.power_vectors));
}

QString PredictionPanel::savingHtml() const {
    const pb::Comparison c = pb::compare_runs(analysis_->full, analysis_->power);
    const double speedup = analysis_->power.seconds > 0 ? analysis_->full.seconds / analysis_->power.seconds : 1.0;
    return tr("PoWER-BERT: %1 fewer multiply-adds, %2 faster (one run; time is noisy)")
        .arg(formatRatio(c.multiply_add_ratio), formatRatio(speedup));
}

QString PredictionPanel::summaryHtml() const {
    const pb::Trace& full = analysis_->full;
    const pb::Trace& power = analysis_->power;
    const pb::Comparison c = pb::compare_runs(full, power);
    QString rows;
    QString verdict;
    if (full.probabilities.empty()) {
        rows = row(tr("Predicted value"), QString::number(full.logits[0], 'g', 5), QString::number(power.logits[0], 'g', 5));
        verdict = tr("Difference: %1").arg(std::abs(double(full.logits[0]) - double(power.logits[0])), 0, 'g', 4);
    } else {
        auto prediction = [this](const pb::Trace& t) {
            const int label = t.predicted_label;
            const double p = label >= 0 && label < int(t.probabilities.size()) ? t.probabilities[size_t(label)] : 0.0;
            return tr("%1 (%2%)").arg(labelName(label).toHtmlEscaped(), QString::number(p * 100.0, 'f', 1));
        };
        rows = row(tr("Predicted label"), prediction(full), prediction(power));
        const QString flip = c.label_flipped ? tr("<b style='color:%1'>label flipped</b>").arg(eliminationMarkColor().name())
                                             : tr("<b>same label</b>");
        verdict = tr("%1 &middot; KL(full &#8214; PoWER) = %2 nats").arg(flip).arg(c.kl_divergence, 0, 'g', 3);
    }
    return QStringLiteral("<table cellspacing=6>%1%2%3</table><p>%4<br>max |&Delta;logit| = %5</p><p>%6</p>")
        .arg(header(), rows, costRowsHtml(), verdict, QString::number(c.max_logit_difference, 'g', 3), savingHtml());
}

QString PredictionPanel::tableCsv() const {
    QString csv = QStringLiteral("quantity,full,power_bert\n");
    if (!analysis_) return csv;
    const pb::Trace& full = analysis_->full;
    const pb::Trace& power = analysis_->power;
    auto add = [&csv](const QString& name, const QString& a, const QString& b) {
        csv += QStringList{csvField(name), a, b}.join(QLatin1Char(',')) + QLatin1Char('\n');
    };
    for (size_t i = 0; i < full.logits.size() && i < power.logits.size(); ++i)
        add(QStringLiteral("logit:") + labelName(int(i)), QString::number(full.logits[i], 'g', 7),
            QString::number(power.logits[i], 'g', 7));
    for (size_t i = 0; i < full.probabilities.size() && i < power.probabilities.size(); ++i)
        add(QStringLiteral("probability:") + labelName(int(i)), QString::number(full.probabilities[i], 'g', 7),
            QString::number(power.probabilities[i], 'g', 7));
    if (full.predicted_label >= 0)
        add(QStringLiteral("predicted_label"), csvField(labelName(full.predicted_label)),
            csvField(labelName(power.predicted_label)));
    const pb::Comparison c = pb::compare_runs(full, power);
    add(QStringLiteral("multiply_adds"), QString::number(c.full_multiply_adds), QString::number(c.power_multiply_adds));
    add(QStringLiteral("milliseconds"), QString::number(full.seconds * 1e3, 'g', 6),
        QString::number(power.seconds * 1e3, 'g', 6));
    add(QStringLiteral("word_vectors"), QString::number(c.full_vectors), QString::number(c.power_vectors));
    if (!full.probabilities.empty()) {  // classification only: regression has no distribution
        add(QStringLiteral("kl_divergence"), QString(), QString::number(c.kl_divergence, 'g', 7));
        add(QStringLiteral("label_flipped"), QString(), c.label_flipped ? QStringLiteral("true") : QStringLiteral("false"));
    }
    return csv;
}

void PredictionPanel::restyle() {
    stylePlot(plot_, palette());
    title_->setTextColor(palette().color(QPalette::Text));
}

void PredictionPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        restyle();
        rebuild();
    }
    AnalysisView::changeEvent(event);
}

}  // namespace pb::ui
