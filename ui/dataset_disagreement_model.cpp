#include "ui/dataset_disagreement_model.h"

#include <cmath>

namespace pb::ui {
namespace {

QString inputText(const pb::Disagreement& d) {
    QString text = QString::fromStdString(d.text_a);
    if (d.text_b) text += QStringLiteral("  ‖  ") + QString::fromStdString(*d.text_b);
    return text;
}

// The probability a model gave the label it predicted.
double confidence(const std::vector<float>& probabilities, double prediction) {
    const auto label = static_cast<size_t>(std::lround(prediction));
    return label < probabilities.size() ? double(probabilities[label]) : std::nan("");
}

}  // namespace

void DisagreementModel::setEvaluation(std::shared_ptr<const pb::DatasetEvaluation> evaluation) {
    beginResetModel();
    evaluation_ = std::move(evaluation);
    endResetModel();
}

const pb::Disagreement* DisagreementModel::disagreement(int row) const {
    if (!evaluation_ || row < 0 || row >= int(evaluation_->disagreements.size())) return nullptr;
    return &evaluation_->disagreements[size_t(row)];
}

int DisagreementModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !evaluation_ ? 0 : int(evaluation_->disagreements.size());
}

int DisagreementModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString DisagreementModel::labelName(double prediction) const {
    const auto label = static_cast<size_t>(std::lround(prediction));
    return label < evaluation_->label_names.size() ? QString::fromStdString(evaluation_->label_names[label])
                                                   : QString::number(prediction);
}

QVariant DisagreementModel::display(const pb::Disagreement& d, int column) const {
    switch (column) {
    case Line: return d.line;
    case Input: return inputText(d);
    case Gold: {
        const auto& gold = d.index < evaluation_->gold.size() ? evaluation_->gold[d.index] : std::nullopt;
        return gold ? labelName(*gold) : QStringLiteral("—");
    }
    case Full: return labelName(d.full_prediction);
    case FullProbability: return QString::number(confidence(d.full_probabilities, d.full_prediction), 'f', 3);
    case Power: return labelName(d.power_prediction);
    case PowerProbability: return QString::number(confidence(d.power_probabilities, d.power_prediction), 'f', 3);
    case Kl: return d.index < evaluation_->kl.size() ? QString::number(evaluation_->kl[d.index], 'f', 4) : QString();
    }
    return {};
}

QVariant DisagreementModel::sortKey(const pb::Disagreement& d, int column) const {
    switch (column) {
    case Line: return d.line;
    case Input: return inputText(d).toLower();
    case FullProbability: return confidence(d.full_probabilities, d.full_prediction);
    case PowerProbability: return confidence(d.power_probabilities, d.power_prediction);
    case Kl: return d.index < evaluation_->kl.size() ? evaluation_->kl[d.index] : 0.0;
    default: return display(d, column);
    }
}

QVariant DisagreementModel::data(const QModelIndex& index, int role) const {
    const pb::Disagreement* d = index.isValid() ? disagreement(index.row()) : nullptr;
    if (!d) return {};
    switch (role) {
    case Qt::DisplayRole: return display(*d, index.column());
    case SortRole: return sortKey(*d, index.column());
    case Qt::ToolTipRole:
        return index.column() == Input ? inputText(*d) + tr("\n(click to open it in the sentence views)") : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Input || index.column() == Gold || index.column() == Full || index.column() == Power
                   ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant DisagreementModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const names[] = {"Line", "Input", "Gold", "Full model", "P(full)", "PoWER-BERT", "P(PoWER)", "KL (nats)"};
    static const char* const tips[] = {
        "Line in the data file", "The example (sentence pairs joined by ‖)", "The file's label",
        "The full model's prediction", "The full model's probability of its label", "PoWER-BERT's prediction",
        "PoWER-BERT's probability of its label", "KL(full || PoWER-BERT) of the class probabilities"};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(names[section]);
    if (role == Qt::ToolTipRole) return tr(tips[section]);
    return {};
}

}  // namespace pb::ui
