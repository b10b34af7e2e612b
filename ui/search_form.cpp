#include "ui/search_form.h"

#include "core/error.h"
#include "ui/glue_task_names.h"
#include "ui/qt_paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace pb::ui {
namespace {

constexpr int kGuess = -1;
// Learning rates and lambda span 1e-6 .. 1e-1: plain text with exponents reads better than a spin box.
QString numberText(double value) { return QString::number(value, 'g', 6); }

QSpinBox* spin(int low, int high, int value, const QString& tip, const QString& special = {}) {
    auto* box = new QSpinBox;
    box->setRange(low, high);
    box->setValue(value);
    box->setToolTip(tip);
    if (!special.isEmpty()) box->setSpecialValueText(special);
    box->setGroupSeparatorShown(true);
    return box;
}

// A line edit with a "…" button that asks for a file (or a folder when `filter` is empty).
QWidget* browseRow(QLineEdit* edit, const QString& caption, const QString& filter, QWidget* parent) {
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* button = new QPushButton(QStringLiteral("…"));
    button->setToolTip(caption);
    button->setFixedWidth(32);
    layout->addWidget(edit, 1);
    layout->addWidget(button);
    QObject::connect(button, &QPushButton::clicked, parent, [edit, caption, filter, parent] {
        const QString start = edit->text().isEmpty() ? QDir::homePath() : edit->text();
        const QString chosen = filter.isEmpty() ? QFileDialog::getExistingDirectory(parent, caption, start)
                                                : QFileDialog::getOpenFileName(parent, caption, start, filter);
        if (chosen.isEmpty()) return;
        edit->setText(chosen);
        emit edit->textEdited(chosen);  // as if typed: the form reacts the same way
    });
    return row;
}

}  // namespace

SearchForm::SearchForm(QWidget* parent) : QWidget(parent) {
    modelLabel_ = new QLabel;
    modelLabel_->setWordWrap(true);
    modelLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    modelLabel_->setToolTip(QStringLiteral("The main window's model. The search starts from it, so it should be "
                                           "fine-tuned on the task (powerbert train finetune)."));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(modelLabel_);
    layout->addWidget(buildDataGroup());
    layout->addWidget(buildSearchGroup());
    layout->addWidget(buildOutputGroup());
    layout->addStretch(1);
    setModelFolder(QString());
    applyTaskDefaults();
}

QWidget* SearchForm::buildDataGroup() {
    auto* group = new QGroupBox(QStringLiteral("Task data"));
    auto* form = new QFormLayout(group);
    const QString tsv = QStringLiteral("GLUE TSV files (*.tsv);;All files (*)");
    trainEdit_ = new QLineEdit;
    trainEdit_->setToolTip(QStringLiteral("Labelled training examples: a GLUE task's train.tsv, or label<TAB>sentence"));
    form->addRow(QStringLiteral("&Train TSV:"), browseRow(trainEdit_, QStringLiteral("Choose the training file"), tsv, this));
    devEdit_ = new QLineEdit;
    devEdit_->setToolTip(QStringLiteral("Labelled examples for the dev metric after each epoch (e.g. dev.tsv)"));
    form->addRow(QStringLiteral("&Dev TSV:"), browseRow(devEdit_, QStringLiteral("Choose the dev file"), tsv, this));
    taskCombo_ = new QComboBox;
    taskCombo_->addItem(QString(), kGuess);
    addGlueTaskItems(taskCombo_);
    taskCombo_->setToolTip(QStringLiteral("The GLUE task: the file layout, the labels, the dev metric and the "
                                          "reference's hyper-parameters. Choosing one fills them in."));
    form->addRow(QStringLiteral("Tas&k:"), taskCombo_);
    trainLimitSpin_ = spin(0, 10'000'000, 0, QStringLiteral("Use only the first N training examples (0: all). "
                                                            "A few thousand give a first answer in minutes."),
                           QStringLiteral("all"));
    form->addRow(QStringLiteral("Train e&xamples:"), trainLimitSpin_);
    devLimitSpin_ = spin(0, 10'000'000, 0, QStringLiteral("Use only the first N dev examples (0: all)"), QStringLiteral("all"));
    form->addRow(QStringLiteral("Dev exa&mples:"), devLimitSpin_);

    connect(trainEdit_, &QLineEdit::textEdited, this, [this] { updateGuess(); });
    connect(taskCombo_, &QComboBox::activated, this, [this] {
        applyTaskDefaults();
        suggestOutputFolder();
    });
    return group;
}

QLineEdit* SearchForm::addNumberField(QFormLayout* form, const QString& label, const QString& tip) {
    auto* edit = new QLineEdit;
    // Decimal or scientific notation, C locale (what the CLI and the JSON files use).
    edit->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral(R"([0-9]*\.?[0-9]*([eE][-+]?[0-9]*)?)")), edit));
    edit->setToolTip(tip);
    form->addRow(label, edit);
    return edit;
}

QWidget* SearchForm::buildSearchGroup() {
    auto* group = new QGroupBox(QStringLiteral("Search (Soft-Extract)"));
    auto* form = new QFormLayout(group);
    lambdaEdit_ = addNumberField(form, QStringLiteral("&λ (lambda):"),
                                 QStringLiteral("Penalty λ · Σ_j j · mass_j: larger values remove more word vectors"));
    lrBertEdit_ = addNumberField(form, QStringLiteral("Learning rate, &BERT:"),
                                 QStringLiteral("AdamW learning rate of the BERT weights (10% warm-up, then linear decay)"));
    lrSoftEdit_ = addNumberField(form, QStringLiteral("Learning rate, &r:"),
                                 QStringLiteral("AdamW learning rate of the retention parameters r (clipped to [0, 1])"));
    epochsSpin_ = spin(1, 1000, 3, QStringLiteral("Passes over the training examples"));
    form->addRow(QStringLiteral("&Epochs:"), epochsSpin_);
    batchSpin_ = spin(1, 4096, 32, QStringLiteral("Examples per optimizer step"));
    form->addRow(QStringLiteral("Batc&h:"), batchSpin_);
    maxLengthSpin_ = spin(2, 4096, 128, QStringLiteral("Tokens per input (longer ones are truncated); also N, the "
                                                       "number of r values per layer (capped by the model's limit)"));
    form->addRow(QStringLiteral("Max &length:"), maxLengthSpin_);
    seedSpin_ = spin(0, std::numeric_limits<int>::max(), 42, QStringLiteral("Seeds the shuffling and the dropout: "
                                                                            "the same seed gives the same bits"));
    form->addRow(QStringLiteral("Ra&ndom seed:"), seedSpin_);
    auto* defaults = new QPushButton(QStringLiteral("Reset to the task's defaults"));
    defaults->setToolTip(QStringLiteral("λ, both learning rates, batch and length from the reference's table "
                                        "(design doc, section 5)"));
    connect(defaults, &QPushButton::clicked, this, &SearchForm::applyTaskDefaults);
    form->addRow(defaults);
    return group;
}

QWidget* SearchForm::buildOutputGroup() {
    auto* group = new QGroupBox(QStringLiteral("Output"));
    auto* form = new QFormLayout(group);
    outputEdit_ = new QLineEdit;
    outputEdit_->setToolTip(QStringLiteral("The search writes <folder>/search (model with r, retention.json, "
                                           "training.json), the re-train <folder>/retrain. A checkpoint there "
                                           "from the same settings is resumed."));
    form->addRow(QStringLiteral("F&older:"), browseRow(outputEdit_, QStringLiteral("Choose the output folder"), {}, this));
    connect(outputEdit_, &QLineEdit::textEdited, this, [this] { outputEdited_ = true; });
    retrainCheck_ = new QCheckBox(QStringLiteral("Re-train &with Extract afterwards"));
    retrainCheck_->setToolTip(QStringLiteral("Then re-train the model with hard Extract layers at the configuration "
                                             "found (same data, epochs, batch and BERT learning rate; best dev kept)"));
    form->addRow(retrainCheck_);
    fullPassCheck_ = new QCheckBox(QStringLiteral("…training the weights witho&ut elimination too"));
    fullPassCheck_->setToolTip(QStringLiteral("Each step also runs the model without Extract layers (the loss is the "
                                              "mean of both passes), so the re-trained weights also serve as the "
                                              "full model. Twice the time per step."));
    form->addRow(fullPassCheck_);
    distillCheck_ = new QCheckBox(QStringLiteral("…d&istilling from the fine-tuned model"));
    distillCheck_->setToolTip(QStringLiteral("Knowledge distillation: the re-training loss adds the fine-tuned model's "
                                             "class probabilities (softened by the temperature) to the labels"));
    form->addRow(distillCheck_);
    const pb::train::StepOptions defaults;
    distillWeightEdit_ = addNumberField(form, QStringLiteral("Teacher wei&ght:"),
                                        QStringLiteral("Weight w of the teacher's term: (1 - w) · CE(label) + w · T² · "
                                                       "CE(teacher, student), both at temperature T"));
    distillWeightEdit_->setText(numberText(defaults.distill.weight));
    distillTemperatureEdit_ = addNumberField(form, QStringLiteral("Tem&perature:"),
                                             QStringLiteral("T: larger values soften both softmaxes, so the teacher's "
                                                            "confidence on the other class counts more"));
    distillTemperatureEdit_->setText(numberText(defaults.distill.temperature));
    auto enable = [this] {
        distillCheck_->setEnabled(retrainCheck_->isChecked());
        fullPassCheck_->setEnabled(retrainCheck_->isChecked());
        const bool on = retrainCheck_->isChecked() && distillCheck_->isChecked();
        distillWeightEdit_->setEnabled(on);
        distillTemperatureEdit_->setEnabled(on);
    };
    connect(retrainCheck_, &QCheckBox::toggled, this, enable);
    connect(distillCheck_, &QCheckBox::toggled, this, enable);
    enable();
    return group;
}

void SearchForm::setModelFolder(const QString& folder) {
    model_ = folder;
    modelLabel_->setText(folder.isEmpty() ? QStringLiteral("<b>No model is loaded.</b> Open a fine-tuned model in the "
                                                           "main window first.")
                                          : QStringLiteral("<b>Model:</b> %1").arg(folder.toHtmlEscaped()));
    suggestOutputFolder();
}

void SearchForm::setTrainFile(const QString& path) {
    trainEdit_->setText(path);
    updateGuess();
}

void SearchForm::setDevFile(const QString& path) { devEdit_->setText(path); }

void SearchForm::setOutputFolder(const QString& path) {
    outputEdit_->setText(path);
    outputEdited_ = true;
}

QString SearchForm::outputFolder() const { return outputEdit_->text().trimmed(); }

pb::GlueTask SearchForm::task() const {
    const int chosen = taskCombo_->currentData().toInt();
    if (chosen != kGuess) return static_cast<pb::GlueTask>(chosen);
    return guessed_.value_or(pb::GlueTask::Generic);
}

void SearchForm::updateGuess() {
    guessed_.reset();
    const QString file = trainEdit_->text().trimmed();
    if (!file.isEmpty() && QFileInfo(file).isFile()) {
        try {
            guessed_ = pb::guess_glue_task(toFsPath(file));
        } catch (const pb::Error&) {
            // Unreadable: the run names the file and the problem; no guess until then.
        }
    }
    taskCombo_->setItemText(0, guessed_ ? QStringLiteral("Guess from the file (%1)").arg(glueTaskName(*guessed_))
                                        : QStringLiteral("Guess from the file"));
    // Only a file of another task resets the hyper-parameters: a path half typed, or another file of
    // the same task, keeps what the user set.
    if (taskCombo_->currentData().toInt() == kGuess && guessed_ && *guessed_ != defaultsTask_) applyTaskDefaults();
    suggestOutputFolder();
}

void SearchForm::applyTaskDefaults() {
    defaultsTask_ = task();
    const pb::train::TaskDefaults d = pb::train::reference_defaults(defaultsTask_);
    lambdaEdit_->setText(numberText(d.lambda));
    lrBertEdit_->setText(numberText(d.lr_bert));
    lrSoftEdit_->setText(numberText(d.lr_soft));
    batchSpin_->setValue(d.batch);
    maxLengthSpin_->setValue(d.seq_len);
}

// Until the user picks a folder: ~/powerbert-search/<model>-<task>, so runs on different models or
// tasks do not resume each other's checkpoints.
void SearchForm::suggestOutputFolder() {
    if (outputEdited_) return;
    const QString model = model_.isEmpty() ? QStringLiteral("model") : QFileInfo(model_).fileName();
    outputEdit_->setText(QDir(QDir::homePath()).filePath(
        QStringLiteral("powerbert-search/%1-%2").arg(model, glueTaskName(task()).toLower())));
}

double SearchForm::numberIn(const QLineEdit* edit, const QString& name, bool positive) const {
    bool ok = false;
    const double value = edit->text().trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0 || (positive && value == 0))
        throw pb::Error(QStringLiteral("%1: \"%2\" is not a number %3").arg(name, edit->text(), positive ? "> 0" : ">= 0").toStdString());
    return value;
}

pb::train::StepOptions SearchForm::searchOptions() const {
    if (model_.isEmpty()) throw pb::Error("No model is loaded: open a fine-tuned model folder in the main window first");
    if (trainEdit_->text().trimmed().isEmpty()) throw pb::Error("Train TSV: choose the training file");
    if (devEdit_->text().trimmed().isEmpty()) throw pb::Error("Dev TSV: choose the dev file");
    if (outputFolder().isEmpty()) throw pb::Error("Output folder: choose where the search writes its results");
    pb::train::StepOptions o;
    o.step = pb::train::TrainStep::Search;
    o.model = toFsPath(model_);
    o.train_file = toFsPath(trainEdit_->text().trimmed());
    o.dev_file = toFsPath(devEdit_->text().trimmed());
    o.out = toFsPath(outputFolder()) / "search";
    if (taskCombo_->currentData().toInt() != kGuess) o.task = std::string(pb::glue_task_name(task()));
    o.lambda = numberIn(lambdaEdit_, QStringLiteral("λ (lambda)"), false);
    o.lr = numberIn(lrBertEdit_, QStringLiteral("Learning rate, BERT"), true);
    o.lr_soft = numberIn(lrSoftEdit_, QStringLiteral("Learning rate, r"), true);
    o.epochs = epochsSpin_->value();
    o.batch = batchSpin_->value();
    o.max_length = maxLengthSpin_->value();
    o.seed = uint64_t(seedSpin_->value());
    o.max_train_examples = size_t(trainLimitSpin_->value());
    o.max_dev_examples = size_t(devLimitSpin_->value());
    return o;
}

std::optional<pb::train::StepOptions> SearchForm::retrainOptions() const {
    if (!retrainCheck_->isChecked()) return std::nullopt;
    pb::train::StepOptions o = searchOptions();
    o.step = pb::train::TrainStep::Retrain;
    o.model = o.out;  // the search's folder: its weights and its retention.json
    o.out = toFsPath(outputFolder()) / "retrain";
    o.lambda.reset();
    o.lr_soft.reset();
    o.with_full_pass = fullPassCheck_->isChecked();
    if (distillCheck_->isChecked()) {
        o.teacher = toFsPath(model_);
        o.distill.weight = numberIn(distillWeightEdit_, QStringLiteral("Teacher weight"), false);
        if (o.distill.weight > 1)
            throw pb::Error(QStringLiteral("Teacher weight: \"%1\" is above 1").arg(distillWeightEdit_->text()).toStdString());
        o.distill.temperature = numberIn(distillTemperatureEdit_, QStringLiteral("Temperature"), true);
    }
    return o;
}

}  // namespace pb::ui
