#pragma once
// The examples of an evaluation where PoWER-BERT changes the full model's label, as a table model:
// file line, input, gold label, both predictions with their probability, and the KL divergence.
// Qt::UserRole gives a sort key (numbers as numbers) for a QSortFilterProxyModel.
#include "core/dataset_evaluation.h"

#include <QAbstractTableModel>

#include <memory>

namespace pb::ui {

class DisagreementModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Line, Input, Gold, Full, FullProbability, Power, PowerProbability, Kl, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setEvaluation(std::shared_ptr<const pb::DatasetEvaluation> evaluation);
    const pb::Disagreement* disagreement(int row) const;  // nullptr when out of range

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString labelName(double prediction) const;
    QVariant display(const pb::Disagreement& d, int column) const;
    QVariant sortKey(const pb::Disagreement& d, int column) const;

    std::shared_ptr<const pb::DatasetEvaluation> evaluation_;
};

}  // namespace pb::ui
