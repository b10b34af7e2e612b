#include "ui/model_summary_panel.h"

#include "ui/number_format.h"
#include "ui/qt_paths.h"

#include <QFormLayout>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>

namespace pb::ui {

ModelSummaryPanel::ModelSummaryPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    empty_ = new QLabel(QStringLiteral("No model loaded.\nFile > Open model folder (Ctrl+O)."));
    empty_->setWordWrap(true);
    layout->addWidget(empty_);
    form_ = new QFormLayout;
    form_->setLabelAlignment(Qt::AlignLeft);
    form_->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->addLayout(form_);
    layout->addStretch(1);
    setToolTip(QStringLiteral("The loaded model (config.json, model.safetensors, tokenizer)"));
}

void ModelSummaryPanel::addRow(const QString& key, const QString& value, const QString& tip) {
    auto* label = new QLabel(value);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setToolTip(tip.isEmpty() ? value : tip);
    label->setObjectName(key);
    form_->addRow(key + QLatin1Char(':'), label);
}

void ModelSummaryPanel::setModel(std::shared_ptr<const pb::ModelFolder> model) {
    while (form_->rowCount() > 0) form_->removeRow(0);
    empty_->setVisible(!model);
    if (!model) return;
    const pb::ModelConfig& c = model->model.config;
    const QString path = fromFsPath(model->path);
    QStringList labels;
    for (const std::string& l : c.id2label) labels << QString::fromStdString(l);
    addRow(QStringLiteral("Folder"), fromFsPath(model->path.filename().empty() ? model->path.parent_path().filename()
                                                                              : model->path.filename()),
           path);
    addRow(QStringLiteral("Path"), path);
    addRow(QStringLiteral("Type"), QString::fromStdString(c.model_type));
    addRow(QStringLiteral("Layers"), QString::number(c.num_layers), QStringLiteral("Encoder layers (one keep value each)"));
    addRow(QStringLiteral("Heads"), QString::number(c.num_heads), QStringLiteral("Attention heads per layer"));
    addRow(QStringLiteral("Hidden size"), QString::number(c.hidden_size));
    addRow(QStringLiteral("Intermediate"), QString::number(c.intermediate_size), QStringLiteral("Feed-forward width"));
    if (c.is_albert()) {
        addRow(QStringLiteral("Shared layers"),
               QStringLiteral("%1 distinct for %2 layers").arg(c.num_hidden_groups * c.inner_group_num).arg(c.num_layers),
               QStringLiteral("ALBERT: layers share the weights of their group, but every layer still costs its full "
                              "multiply-adds"));
        addRow(QStringLiteral("Embeddings"), QStringLiteral("%1 → %2").arg(c.embedding_width()).arg(c.hidden_size),
               QStringLiteral("ALBERT: the embeddings are projected to the hidden size"));
    }
    addRow(QStringLiteral("Vocabulary"),
           QStringLiteral("%1 tokens").arg(model->tokenizer ? model->tokenizer->vocab_size() : c.vocab_size),
           QStringLiteral("%1 vocabulary of the tokenizer (config: %2)")
               .arg(model->tokenizer ? QString::fromUtf8(model->tokenizer->kind().data(),
                                                         static_cast<qsizetype>(model->tokenizer->kind().size()))
                                     : QStringLiteral("WordPiece"))
               .arg(c.vocab_size));
    addRow(QStringLiteral("Max tokens"), QString::number(model->max_tokens),
           QStringLiteral("Longer inputs are truncated (longest-first for pairs)"));
    addRow(QStringLiteral("Labels"),
           c.regression ? QStringLiteral("regression") : (labels.isEmpty() ? QStringLiteral("—") : labels.join(QStringLiteral(", "))));
    addRow(QStringLiteral("Weights"), formatBytes(model->weight_bytes), QStringLiteral("Size of model.safetensors"));
    QString retention = QStringLiteral("none");
    if (model->retention) {
        QStringList values;
        for (int k : model->retention->keep) values << QString::number(k);
        retention = values.join(QLatin1Char(',')) + QStringLiteral(" (") +
                    QString::fromUtf8(pb::strategy_name(model->retention->strategy).data(), qsizetype(pb::strategy_name(model->retention->strategy).size())) + QLatin1Char(')');
    }
    addRow(QStringLiteral("retention.json"), retention, QStringLiteral("The folder's own retention configuration, if any"));
}

QString ModelSummaryPanel::summaryText() const {
    QStringList lines;
    for (int r = 0; r < form_->rowCount(); ++r) {
        auto* label = qobject_cast<QLabel*>(form_->itemAt(r, QFormLayout::FieldRole)->widget());
        if (label) lines << label->objectName() + QStringLiteral(": ") + label->text();
    }
    return lines.join(QLatin1Char('\n'));
}

}  // namespace pb::ui
