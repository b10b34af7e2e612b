#include "ui/dataset_panel.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/model_folder.h"
#include "ui/dataset_ablation_plot.h"
#include "ui/dataset_diffusion_plot.h"
#include "ui/dataset_disagreement_model.h"
#include "ui/dataset_mi_rank_plot.h"
#include "ui/dataset_runner.h"
#include "ui/dataset_summary_view.h"
#include "ui/dataset_tradeoff_plot.h"
#include "ui/glue_task_names.h"
#include "ui/number_format.h"
#include "ui/export_dialog.h"
#include "ui/plot_export.h"
#include "ui/qt_paths.h"
#include "ui/retention_editor.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <climits>

namespace pb::ui {
namespace {

const char* kLastFileSetting = "dataset/lastFile";

QString runButtonTip(DatasetAnalysis analysis) {
    switch (analysis) {
    case DatasetAnalysis::Evaluate:
        return QStringLiteral("Both models over the file: task metric, agreement, mutual information, KL, multiply-adds, "
                              "measured time and speedup, and the examples whose label changes");
    case DatasetAnalysis::Diffusion:
        return QStringLiteral("Mean pairwise cosine similarity of the word vectors per layer, averaged over the examples");
    case DatasetAnalysis::MiRank:
        return QStringLiteral("For each encoder j and rank k, eliminate only the vector of rank k: mutual information "
                              "between the full and the modified predictions");
    case DatasetAnalysis::Ablation:
        return QStringLiteral("Attn-WS vs Head-WS vs Rand-WS (several seeds) at the same configuration");
    case DatasetAnalysis::Tradeoff:
        return QStringLiteral("Task metric vs measured time for a family of configurations, Pareto front marked");
    }
    return {};
}

}  // namespace

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
    runner_ = new DatasetRunner(this);
    auto* layout = new QVBoxLayout(this);
    auto* inputs = new QHBoxLayout;
    inputs->addWidget(buildDataBox(), 3);
    inputs->addWidget(buildConfigurationBox(), 2);
    layout->addLayout(inputs);
    layout->addWidget(buildRunRow());
    layout->addWidget(buildResults(), 1);

    connect(runner_, &DatasetRunner::started, this, &DatasetPanel::onStarted);
    connect(runner_, &DatasetRunner::progressed, this, &DatasetPanel::onProgress);
    connect(runner_, &DatasetRunner::finished, this, &DatasetPanel::onFinished);
    connect(runner_, &DatasetRunner::cancelled, this, &DatasetPanel::onCancelled);
    connect(runner_, &DatasetRunner::failed, this, &DatasetPanel::onFailed);

    const QString last = QSettings().value(QString::fromLatin1(kLastFileSetting)).toString();
    if (!last.isEmpty() && QFileInfo(last).isFile()) setDataFile(last);
    updateConfigurationText();
    updateButtons();
    setStatus(tr("Choose a GLUE .tsv file (e.g. SST-2/dev.tsv) and press Evaluate."));
}

DatasetPanel::~DatasetPanel() = default;

// ---- building ----

QWidget* DatasetPanel::buildDataBox() {
    auto* box = new QGroupBox(tr("Data"));
    auto* form = new QFormLayout(box);
    fileEdit_ = new QLineEdit;
    fileEdit_->setPlaceholderText(tr("a GLUE .tsv file (or label<TAB>sentence)"));
    fileEdit_->setToolTip(tr("GLUE TSV of any of the nine tasks; columns are found by the header"));
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setToolTip(tr("Choose the data file"));
    connect(browse, &QPushButton::clicked, this, &DatasetPanel::chooseDataFile);
    connect(fileEdit_, &QLineEdit::editingFinished, this, [this] { setDataFile(fileEdit_->text()); });
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(fileEdit_, 1);
    fileRow->addWidget(browse);
    form->addRow(tr("File:"), fileRow);

    taskCombo_ = new QComboBox;
    taskCombo_->addItem(tr("Guess from the file"), -1);
    addGlueTaskItems(taskCombo_);
    taskCombo_->setToolTip(tr("The GLUE task decides the columns, the labels and the metric"));
    malformedCombo_ = new QComboBox;
    malformedCombo_->addItem(tr("Reject (stop at the first)"), int(pb::MalformedPolicy::Reject));
    malformedCombo_->addItem(tr("Skip and report"), int(pb::MalformedPolicy::Skip));
    malformedCombo_->setToolTip(tr("A malformed line is reported with its line number; choose whether it stops the run"));
    limitSpin_ = new QSpinBox;
    limitSpin_->setRange(0, 10'000'000);
    limitSpin_->setSpecialValueText(tr("all"));
    limitSpin_->setSingleStep(100);
    limitSpin_->setToolTip(tr("Use only the first N examples of the file (all when 0)"));
    auto* row = new QHBoxLayout;
    row->addWidget(taskCombo_, 1);
    row->addWidget(new QLabel(tr("Malformed lines:")));
    row->addWidget(malformedCombo_, 1);
    row->addWidget(new QLabel(tr("Examples:")));
    row->addWidget(limitSpin_);
    form->addRow(tr("Task:"), row);
    return box;
}

QWidget* DatasetPanel::buildConfigurationBox() {
    auto* box = new QGroupBox(tr("Configuration"));
    auto* grid = new QGridLayout(box);
    followEditor_ = new QRadioButton(tr("Retention editor:"));
    followEditor_->setToolTip(tr("The configuration and strategy of the retention editor. Its preset carries over: "
                                 "a keep fraction applies per example length, the model's retention.json unclamped"));
    useFraction_ = new QRadioButton(tr("Keep fraction per example:"));
    useFraction_->setToolTip(tr("keep[j] = ceil(n · ρ^j) for each example's own length n (the editor's strategy)"));
    auto* group = new QButtonGroup(box);
    group->addButton(followEditor_);
    group->addButton(useFraction_);
    followEditor_->setChecked(true);
    editorText_ = new QLabel;
    editorText_->setWordWrap(true);
    fractionSpin_ = new QDoubleSpinBox;
    fractionSpin_->setRange(0.05, 1.0);
    fractionSpin_->setSingleStep(0.05);
    fractionSpin_->setValue(0.7);
    fractionSpin_->setPrefix(QStringLiteral("ρ = "));
    rankSpin_ = new QSpinBox;
    rankSpin_->setRange(1, 128);
    rankSpin_->setValue(10);
    rankSpin_->setToolTip(tr("MI vs rank: ranks 1..K at every encoder (one model run per example, layer and rank)"));
    seedSpin_ = new QSpinBox;
    seedSpin_->setRange(1, 50);
    seedSpin_->setValue(5);
    seedSpin_->setToolTip(tr("Ablation: Rand-WS is run with seeds 1..S"));
    batchSpin_ = new QSpinBox;
    batchSpin_->setRange(1, 256);
    batchSpin_->setValue(32);
    batchSpin_->setSpecialValueText(tr("off"));
    batchSpin_->setToolTip(tr("Evaluate and Trade-off: besides one example at a time, also time the models on examples "
                              "grouped by length, this many per pass, as the paper timed inference. Batches share each "
                              "pass over the weights, so the speedup follows the multiply-adds more closely; the "
                              "trade-off then draws its Pareto front on the batched times"));
    grid->addWidget(followEditor_, 0, 0);
    grid->addWidget(editorText_, 0, 1, 1, 3);
    grid->addWidget(useFraction_, 1, 0);
    grid->addWidget(fractionSpin_, 1, 1);
    grid->addWidget(new QLabel(tr("MI ranks K:")), 2, 0);
    grid->addWidget(rankSpin_, 2, 1);
    grid->addWidget(new QLabel(tr("Rand-WS seeds:")), 2, 2);
    grid->addWidget(seedSpin_, 2, 3);
    grid->addWidget(new QLabel(tr("Also time in batches of:")), 3, 0);
    grid->addWidget(batchSpin_, 3, 1);
    grid->setColumnStretch(1, 1);
    connect(useFraction_, &QRadioButton::toggled, this, [this] { updateConfigurationText(); });
    connect(fractionSpin_, &QDoubleSpinBox::valueChanged, this, [this] { updateConfigurationText(); });
    return box;
}

QWidget* DatasetPanel::buildRunRow() {
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (DatasetAnalysis analysis : kAllDatasetAnalyses) {
        auto* button = new QPushButton(datasetAnalysisName(analysis));
        button->setToolTip(runButtonTip(analysis));
        connect(button, &QPushButton::clicked, this, [this, analysis] { run(analysis); });
        layout->addWidget(button);
        runButtons_[analysis] = button;
    }
    runAllButton_ = new QPushButton(tr("Run all"));
    runAllButton_->setToolTip(tr("Every analysis in turn"));
    connect(runAllButton_, &QPushButton::clicked, this, &DatasetPanel::runAll);
    layout->addWidget(runAllButton_);
    auto* progressBox = new QVBoxLayout;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(QString());
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progressBox->addWidget(progress_);
    progressBox->addWidget(status_);
    layout->addLayout(progressBox, 1);
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setToolTip(tr("Stop the run; the results shown stay as they were (Esc)"));
    cancelButton_->setShortcut(Qt::Key_Escape);
    connect(cancelButton_, &QPushButton::clicked, this, &DatasetPanel::cancel);
    layout->addWidget(cancelButton_);
    return row;
}

QWidget* DatasetPanel::buildResults() {
    tabs_ = new QTabWidget;
    tabs_->setDocumentMode(true);
    const std::pair<DatasetAnalysis, DatasetResultView*> views[] = {
        {DatasetAnalysis::Evaluate, new DatasetSummaryView},  {DatasetAnalysis::Diffusion, new DatasetDiffusionPlot},
        {DatasetAnalysis::MiRank, new DatasetMiRankPlot},     {DatasetAnalysis::Ablation, new DatasetAblationPlot},
        {DatasetAnalysis::Tradeoff, new DatasetTradeoffPlot}};
    for (const auto& [analysis, view] : views) {
        views_[analysis] = view;
        tabs_->addTab(view, view->title());
        if (analysis == DatasetAnalysis::Evaluate) tabs_->addTab(buildDisagreementPage(), tr("Disagreements"));
    }
    auto* corner = new QWidget;
    auto* cornerLayout = new QHBoxLayout(corner);
    cornerLayout->setContentsMargins(0, 0, 0, 2);
    exportButton_ = new QPushButton(tr("Export plot…"));
    exportButton_->setToolTip(tr("Write the current plot as PNG, PDF or SVG"));
    jsonButton_ = new QPushButton(tr("Save JSON…"));
    jsonButton_->setToolTip(tr("Write the current result as JSON (the schema of `powerbert eval` / `powerbert experiment`)"));
    cornerLayout->addWidget(exportButton_);
    cornerLayout->addWidget(jsonButton_);
    tabs_->setCornerWidget(corner);
    connect(exportButton_, &QPushButton::clicked, this, &DatasetPanel::exportCurrentPlot);
    connect(jsonButton_, &QPushButton::clicked, this, &DatasetPanel::saveCurrentResultJson);
    connect(tabs_, &QTabWidget::currentChanged, this, [this] { updateButtons(); });
    return tabs_;
}

QWidget* DatasetPanel::buildDisagreementPage() {
    disagreementModel_ = new DisagreementModel(this);
    disagreementSort_ = new QSortFilterProxyModel(this);
    disagreementSort_->setSourceModel(disagreementModel_);
    disagreementSort_->setSortRole(DisagreementModel::SortRole);
    disagreements_ = new QTableView;
    disagreements_->setModel(disagreementSort_);
    disagreements_->setSortingEnabled(true);
    disagreements_->sortByColumn(DisagreementModel::Kl, Qt::DescendingOrder);
    disagreements_->setSelectionBehavior(QAbstractItemView::SelectRows);
    disagreements_->setSelectionMode(QAbstractItemView::SingleSelection);
    disagreements_->setAlternatingRowColors(true);
    disagreements_->setWordWrap(false);
    disagreements_->verticalHeader()->hide();
    disagreements_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    disagreements_->horizontalHeader()->setSectionResizeMode(DisagreementModel::Input, QHeaderView::Stretch);
    connect(disagreements_, &QTableView::clicked, this, [this](const QModelIndex& index) { openDisagreement(index.row()); });
    connect(disagreements_, &QTableView::activated, this, [this](const QModelIndex& index) { openDisagreement(index.row()); });
    disagreementPage_ = new QWidget;
    auto* layout = new QVBoxLayout(disagreementPage_);
    layout->setContentsMargins(0, 4, 0, 0);
    auto* hint = new QLabel(tr("Examples where PoWER-BERT changes the full model's label. Click a row to analyse it in "
                               "the sentence views; click a header to sort."));
    hint->setWordWrap(true);
    layout->addWidget(hint);
    layout->addWidget(disagreements_, 1);
    return disagreementPage_;
}

// ---- inputs ----

void DatasetPanel::setModel(std::shared_ptr<const pb::ModelFolder> model) {
    model_ = std::move(model);
    updateConfigurationText();
    updateButtons();
}

void DatasetPanel::followRetentionEditor(const RetentionEditor* editor) {
    editor_ = editor;
    if (editor_) connect(editor_, &RetentionEditor::planChanged, this, [this] { updateConfigurationText(); });
    updateConfigurationText();
}

void DatasetPanel::setDataFile(const QString& path) {
    if (fileEdit_->text() != path) fileEdit_->setText(path);
    if (!path.isEmpty() && QFileInfo(path).isFile())
        QSettings().setValue(QString::fromLatin1(kLastFileSetting), QFileInfo(path).absoluteFilePath());
    updateTaskGuess();
    updateButtons();
}

QString DatasetPanel::dataFile() const { return fileEdit_->text().trimmed(); }

void DatasetPanel::setTask(std::optional<pb::GlueTask> task) {
    taskCombo_->setCurrentIndex(std::max(0, taskCombo_->findData(task ? int(*task) : -1)));
}

void DatasetPanel::setMalformedPolicy(pb::MalformedPolicy policy) {
    malformedCombo_->setCurrentIndex(std::max(0, malformedCombo_->findData(int(policy))));
}

void DatasetPanel::setMaxExamples(int examples) { limitSpin_->setValue(examples); }
void DatasetPanel::setMaxRank(int ranks) { rankSpin_->setValue(ranks); }
void DatasetPanel::setSeeds(int seeds) { seedSpin_->setValue(seeds); }

void DatasetPanel::setKeepFractionOverride(std::optional<double> fraction) {
    if (fraction) fractionSpin_->setValue(*fraction);
    (fraction ? useFraction_ : followEditor_)->setChecked(true);
}

void DatasetPanel::chooseDataFile() {
    const QString start = dataFile().isEmpty() ? QDir::homePath() : QFileInfo(dataFile()).path();
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a GLUE data file"), start,
                                                      tr("GLUE TSV (*.tsv);;All files (*)"));
    if (!path.isEmpty()) setDataFile(path);
}

void DatasetPanel::updateTaskGuess() {
    QString guess = tr("Guess from the file");
    if (QFileInfo(dataFile()).isFile()) {
        try {
            guess = tr("Guessed: %1").arg(glueTaskName(pb::guess_glue_task(toFsPath(dataFile()))));
        } catch (const pb::Error& e) {
            setStatus(QString::fromStdString(e.what()), true);
        }
    }
    taskCombo_->setItemText(0, guess);
}

DatasetConfiguration DatasetPanel::configuration() const {
    if (editor_ && !useFraction_->isChecked()) return configurationFromEditor(*editor_, model_.get());
    if (editor_) return keepFractionConfiguration(fractionSpin_->value(), *editor_);
    DatasetConfiguration c;  // no editor to follow (a panel on its own): the fraction with Attn-WS
    c.keepFraction = fractionSpin_->value();
    c.description = describeDatasetPlan(c.plan, c.keepFraction);
    return c;
}

void DatasetPanel::updateConfigurationText() {
    const DatasetConfiguration c = editor_ ? configurationFromEditor(*editor_, model_.get()) : DatasetConfiguration{};
    editorText_->setText(editor_ ? c.description : tr("(no retention editor)"));
    followEditor_->setEnabled(editor_ != nullptr);
    fractionSpin_->setEnabled(useFraction_->isChecked());
}

DatasetJob DatasetPanel::job(DatasetAnalysis analysis) const {
    DatasetJob job;
    job.analysis = analysis;
    job.dataFile = toFsPath(dataFile());
    const int task = taskCombo_->currentData().toInt();
    if (task >= 0) job.task = pb::GlueTask(task);
    job.malformed = pb::MalformedPolicy(malformedCombo_->currentData().toInt());
    job.maxExamples = size_t(limitSpin_->value());
    const DatasetConfiguration c = configuration();
    job.plan = c.plan;
    job.keepFraction = c.keepFraction;
    job.maxRank = rankSpin_->value();
    job.seeds = seedSpin_->value();
    job.batch = batchSpin_->value();
    return job;
}

// ---- running ----

bool DatasetPanel::run(DatasetAnalysis analysis) {
    if (runner_->isRunning()) return false;
    if (!model_) {
        setStatus(tr("No model is loaded."), true);
        return false;
    }
    if (!QFileInfo(dataFile()).isFile()) {
        setStatus(dataFile().isEmpty() ? tr("Choose a data file first.") : tr("%1: no such file").arg(dataFile()), true);
        return false;
    }
    return runner_->start(model_, job(analysis));
}

bool DatasetPanel::runAll() {
    if (runner_->isRunning()) return false;
    queue_.assign(std::begin(kAllDatasetAnalyses), std::end(kAllDatasetAnalyses));
    inSequence_ = true;
    startNextInQueue();
    return isRunning();
}

void DatasetPanel::startNextInQueue() {
    if (!queue_.empty()) {
        const DatasetAnalysis next = queue_.front();
        queue_.erase(queue_.begin());
        if (run(next)) return;
    }
    endSequence();
}

void DatasetPanel::endSequence() {
    queue_.clear();
    if (!inSequence_) return;
    inSequence_ = false;
    emit sequenceFinished();
}

void DatasetPanel::cancel() {
    queue_.clear();  // a sequence ends with this run
    runner_->cancel();
}

bool DatasetPanel::isRunning() const { return runner_->isRunning(); }

void DatasetPanel::onStarted(DatasetAnalysis analysis) {
    progress_->setRange(0, 0);  // busy until the file is loaded and the count is known
    progress_->setFormat(tr("%1: loading…").arg(datasetAnalysisName(analysis)));
    setStatus(tr("%1 running on %2").arg(datasetAnalysisName(analysis), QFileInfo(dataFile()).fileName()));
    updateButtons();
}

void DatasetPanel::onProgress(const DatasetRunProgress& p) {
    if (p.total == 0) return;
    progress_->setRange(0, int(std::min<size_t>(p.total, INT_MAX)));
    progress_->setValue(int(std::min(p.done, p.total)));
    const auto eta = p.etaSeconds();
    const QString name = datasetAnalysisName(runner_->job().analysis);
    progress_->setFormat(tr("%1: %2 / %3 examples · %4 examples/s · ETA %5")
                             .arg(p.stage.isEmpty() ? name : tr("%1, %2").arg(name, p.stage))
                             .arg(p.done)
                             .arg(p.total)
                             .arg(p.examplesPerSecond(), 0, 'f', 1)
                             .arg(eta ? formatDuration(*eta) : tr("…")));
}

void DatasetPanel::onFinished(const DatasetResults& results, double seconds) {
    const DatasetAnalysis analysis = runner_->job().analysis;
    mergeResults(results_, results);
    showResults(analysis);
    const DatasetRunProgress p = runner_->progress();
    progress_->setRange(0, 1);
    progress_->setValue(1);
    progress_->setFormat(tr("%1: done").arg(datasetAnalysisName(analysis)));
    QString text = tr("%1: %2 examples in %3 (%4 examples/s).")
                       .arg(datasetAnalysisName(analysis))
                       .arg(p.total)
                       .arg(formatDuration(seconds))
                       .arg(seconds > 0 ? double(p.total) / seconds : 0.0, 0, 'f', 1);
    if (!results.skipped.empty())
        text += (results.skipped.size() == 1 ? tr(" Skipped %1 malformed line (line %2: %3).")
                                              : tr(" Skipped %1 malformed lines (first: line %2: %3)."))
                    .arg(results.skipped.size())
                    .arg(results.skipped.front().line)
                    .arg(QString::fromStdString(results.skipped.front().problem));
    setStatus(text);
    updateButtons();
    emit runFinished(analysis);
    if (inSequence_) startNextInQueue();
}

void DatasetPanel::showResults(DatasetAnalysis analysis) {
    for (const auto& [kind, view] : views_) view->setResults(results_);
    if (analysis == DatasetAnalysis::Evaluate) {
        disagreementModel_->setEvaluation(results_.evaluation);
        const size_t count = results_.evaluation ? results_.evaluation->disagreements.size() : 0;
        tabs_->setTabText(tabs_->indexOf(disagreementPage_), tr("Disagreements (%1)").arg(count));
    }
    tabs_->setCurrentWidget(views_.at(analysis));
}

void DatasetPanel::onCancelled(double latencySeconds) {
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("%1: cancelled").arg(datasetAnalysisName(runner_->job().analysis)));
    setStatus(tr("Cancelled (stopped %1 after the request); the results shown are unchanged.")
                  .arg(formatDuration(std::max(0.0, latencySeconds))));
    updateButtons();
    emit runCancelled(latencySeconds);
    endSequence();
}

void DatasetPanel::onFailed(const QString& message) {
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("%1: failed").arg(datasetAnalysisName(runner_->job().analysis)));
    setStatus(message, true);
    updateButtons();
    emit runFailed(message);
    endSequence();
}

void DatasetPanel::setStatus(const QString& text, bool error) {
    status_->setText(text);
    status_->setToolTip(text);
    status_->setStyleSheet(error ? QStringLiteral("color: #d55e00;") : QString());
}

QString DatasetPanel::statusText() const { return status_->text(); }

void DatasetPanel::updateButtons() {
    const bool running = runner_->isRunning();
    const bool ready = !running && model_ && !dataFile().isEmpty();
    for (const auto& [analysis, button] : runButtons_) button->setEnabled(ready);
    runAllButton_->setEnabled(ready);
    cancelButton_->setEnabled(running);
    const auto shown = currentAnalysis();
    const bool has = shown && results_.has(*shown);
    exportButton_->setEnabled(has);
    jsonButton_->setEnabled(has);
}

QPushButton* DatasetPanel::runButton(DatasetAnalysis analysis) const { return runButtons_.at(analysis); }

DatasetResultView* DatasetPanel::view(DatasetAnalysis analysis) const { return views_.at(analysis); }

std::optional<DatasetAnalysis> DatasetPanel::currentAnalysis() const {
    if (tabs_->currentWidget() == disagreementPage_) return DatasetAnalysis::Evaluate;
    for (const auto& [analysis, view] : views_)
        if (tabs_->currentWidget() == view) return analysis;
    return std::nullopt;
}

// ---- disagreements ----

void DatasetPanel::openDisagreement(int row) {
    const QModelIndex source = disagreementSort_->mapToSource(disagreementSort_->index(row, 0));
    const pb::Disagreement* d = disagreementModel_->disagreement(source.row());
    if (!d) return;
    const std::optional<QString> pair =
        d->text_b ? std::optional<QString>(QString::fromStdString(*d->text_b)) : std::nullopt;
    emit exampleRequested(QString::fromStdString(d->text_a), pair);
}

// ---- exports ----

void DatasetPanel::exportPlot(DatasetAnalysis analysis, const QString& path) const {
    DatasetResultView* v = views_.at(analysis);
    if (!v->hasResult()) throw pb::Error(path.toStdString() + ": there is no " + v->title().toStdString() + " result to export");
    exportPlotImage(*v->plot(), v->title(), path);
}

void DatasetPanel::saveResultJson(DatasetAnalysis analysis, const QString& path) const {
    DatasetResultView* v = views_.at(analysis);
    if (!v->hasResult()) throw pb::Error(path.toStdString() + ": there is no " + v->title().toStdString() + " result to save");
    pb::write_file_atomically(toFsPath(path), v->resultJson().dump(2) + "\n");
}

void DatasetPanel::exportCurrentPlot() {
    const auto analysis = currentAnalysis();
    if (!analysis || !results_.has(*analysis)) return;
    const QString path =
        askImageExportPath(this, tr("Export plot"), QStringLiteral("dataset-") + fileSlug(datasetAnalysisName(*analysis)));
    if (path.isEmpty()) return;
    try {
        exportPlot(*analysis, path);
        rememberExportFolder(path);
        setStatus(tr("Wrote %1").arg(path));
    } catch (const pb::Error& e) {
        setStatus(QString::fromStdString(e.what()), true);
    }
}

void DatasetPanel::saveCurrentResultJson() {
    const auto analysis = currentAnalysis();
    if (!analysis || !results_.has(*analysis)) return;
    const QString path = askExportPath(this, tr("Save results"),
                                       QStringLiteral("dataset-") + fileSlug(datasetAnalysisName(*analysis)) + QStringLiteral(".json"),
                                       tr("JSON (*.json)"));
    if (path.isEmpty()) return;
    try {
        saveResultJson(*analysis, path);
        rememberExportFolder(path);
        setStatus(tr("Wrote %1").arg(path));
    } catch (const pb::Error& e) {
        setStatus(QString::fromStdString(e.what()), true);
    }
}

QStringList DatasetPanel::saveScreenshots(const QString& folder) {
    if (!QDir().mkpath(folder)) throw pb::Error(folder.toStdString() + ": cannot create the folder");
    QStringList written;
    const QDir dir(folder);
    for (int i = 0; i < tabs_->count(); ++i) {
        tabs_->setCurrentIndex(i);
        settleBeforeGrab();
        auto* v = qobject_cast<DatasetResultView*>(tabs_->widget(i));
        const QString name = QStringLiteral("%1-%2").arg(i + 1).arg(fileSlug(v ? v->title() : tr("Disagreements")));
        written << dir.filePath(QStringLiteral("dataset-") + name + QStringLiteral(".png"));
        writePngAtomically(written.back(), tabs_->widget(i)->grab());
        if (v && v->hasResult()) {
            written << dir.filePath(QStringLiteral("dataset-plot-") + name + QStringLiteral(".png"));
            exportPlotImage(*v->plot(), v->title(), written.back());
        }
    }
    tabs_->setCurrentIndex(0);
    settleBeforeGrab();
    written << dir.filePath(QStringLiteral("dataset-panel.png"));
    writePngAtomically(written.back(), grab());
    return written;
}

}  // namespace pb::ui
