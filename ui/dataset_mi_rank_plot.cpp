#include "ui/dataset_mi_rank_plot.h"

#include "ui/color_map.h"
#include "ui/dataset_plot_items.h"
#include "ui/plot_series.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QLabel>

#include <algorithm>

namespace pb::ui {
namespace {

const QCPScatterStyle::ScatterShape kMarkers[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                  QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                  QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross};

}  // namespace

DatasetMiRankPlot::DatasetMiRankPlot(QWidget* parent) : DatasetSlotView(parent) {
    quantity_ = new QComboBox;
    quantity_->addItem(tr("Mutual information (bits)"), int(Quantity::MutualInformation));
    quantity_->addItem(tr("Normalised mutual information"), int(Quantity::NormalizedMutualInformation));
    quantity_->addItem(tr("Agreement with the full model"), int(Quantity::Agreement));
    quantity_->setToolTip(tr("What is plotted against the rank of the eliminated vector"));
    plot_ = new QCustomPlot;
    title_ = addPlotTitle(plot_);
    plot_->xAxis->setLabel(tr("significance rank k of the one eliminated vector (1 = most significant besides [CLS])"));
    setIntegerTicks(plot_->xAxis);
    placeLegendRight(plot_);
    layOutPlot(this, plot_, {new QLabel(tr("Plot:")), quantity_});
    connect(quantity_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    refresh();
}

QString DatasetMiRankPlot::title() const { return tr("MI vs rank"); }

void DatasetMiRankPlot::setQuantity(Quantity quantity) {
    quantity_->setCurrentIndex(std::max(0, quantity_->findData(int(quantity))));
}

const std::vector<std::vector<double>>& DatasetMiRankPlot::values(Quantity quantity) const {
    switch (quantity) {
    case Quantity::MutualInformation: break;
    case Quantity::NormalizedMutualInformation: return result_->normalized_mutual_information;
    case Quantity::Agreement: return result_->agreement;
    }
    return result_->mutual_information_bits;
}

void DatasetMiRankPlot::refresh() {
    clearPlot(plot_);
    stylePlot(plot_, palette());
    title_->setTextColor(palette().color(QPalette::Text));
    plot_->legend->setVisible(result_ != nullptr);
    const auto quantity = Quantity(quantity_->currentData().toInt());
    plot_->yAxis->setLabel(quantity_->currentText());
    if (!result_) {
        title_->setText(tr("No MI-vs-rank result yet: press MI vs rank"));
        plot_->replot();
        return;
    }
    const pb::MiRankResult& r = *result_;
    const auto& matrix = values(quantity);
    double top = 0;
    for (int j = 0; j < r.layers && j < int(matrix.size()); ++j) {
        const QColor colour = layerColor(j, r.layers, palette());
        addValueLine(plot_, matrix[size_t(j)], colour, tr("encoder %1").arg(j + 1), kMarkers[size_t(j) % std::size(kMarkers)],
                     colour, 1);
        for (double v : matrix[size_t(j)]) top = std::max(top, v);
    }
    const QString reference = quantity == Quantity::MutualInformation
                                  ? tr("H(full model's labels) = %1 bits").arg(r.label_entropy_bits, 0, 'f', 3)
                                  : tr("no information lost");
    const double ceiling = quantity == Quantity::MutualInformation ? r.label_entropy_bits : 1.0;
    addReferenceLine(ceiling, reference);
    top = std::max(top, ceiling);
    title_->setText(tr("Eliminating the single vector of rank k at encoder j, over %1 examples").arg(r.examples));
    setIntegerTicks(plot_->xAxis, std::min(r.ranks, 20));  // every rank while they fit
    plot_->rescaleAxes(true);
    plot_->xAxis->setRange(0.6, double(std::max(r.ranks, 2)) + 0.4);
    const double low = plot_->yAxis->range().lower, span = std::max(top - low, 1e-3);
    plot_->yAxis->setRange(low - 0.05 * span, top + 0.08 * span);
    plot_->replot();
}

void DatasetMiRankPlot::addReferenceLine(double y, const QString& text) {
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(0, y);
    line->point2->setCoords(1, y);
    const QColor muted = mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.55);
    line->setPen(QPen(muted, 1, Qt::DashLine));
    auto* label = addValueLabel(plot_->axisRect(), 0.6, y, text, muted);
    label->position->setType(QCPItemPosition::ptPlotCoords);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
}

}  // namespace pb::ui
