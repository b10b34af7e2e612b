#pragma once
// The loaded model at a glance: layers, heads, hidden size, vocabulary, labels, weights, path.
#include "core/model_folder.h"

#include <QWidget>

#include <memory>

class QFormLayout;
class QLabel;

namespace pb::ui {

class ModelSummaryPanel : public QWidget {
    Q_OBJECT

public:
    explicit ModelSummaryPanel(QWidget* parent = nullptr);

    // nullptr: "no model".
    void setModel(std::shared_ptr<const pb::ModelFolder> model);
    // "key: value" lines of what is shown (for tests and the clipboard).
    QString summaryText() const;

private:
    void addRow(const QString& key, const QString& value, const QString& tip = {});

    QFormLayout* form_ = nullptr;
    QLabel* empty_ = nullptr;
};

}  // namespace pb::ui
