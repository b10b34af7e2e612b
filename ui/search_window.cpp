#include "ui/search_window.h"

#include "core/error.h"
#include "ui/qt_paths.h"
#include "ui/search_form.h"
#include "ui/search_plots.h"

#include <QDir>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>
#include <fstream>

namespace pb::ui {
namespace {

QString minutesAndSeconds(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("?");
    const long s = std::lround(seconds);
    if (s >= 3600) return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60) return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QStringLiteral("%1 s").arg(s);
}

QString joined(const std::vector<int>& values) {
    QStringList parts;
    for (int v : values) parts << QString::number(v);
    return parts.join(QStringLiteral(", "));
}

QString number(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? QString::number(j[key].get<double>(), 'f', 4) : QStringLiteral("?");
}

QString metricName(const nlohmann::json& summary) {
    const auto& epochs = summary.value("epochs", nlohmann::json::array());
    return epochs.empty() ? QStringLiteral("metric") : QString::fromStdString(epochs.back().value("metric", "metric"));
}

// The provenance the core wrote into its retention.json, reused when the result is saved elsewhere.
std::string foundByIn(const std::filesystem::path& retentionJson) {
    std::ifstream in(retentionJson);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded() && j.contains("found_by") && j["found_by"].is_string()) return j["found_by"];
    return "configuration search (Soft-Extract) in PoWER-BERT Studio";
}

}  // namespace

SearchWindow::SearchWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setWindowTitle(QStringLiteral("Find a retention configuration"));
    run_ = new SearchRun(this);
    plots_ = new SearchPlots;
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(1000);
    log_->setPlaceholderText(QStringLiteral("The core's log: fine-tuned metric, one line per epoch, the configuration"));
    log_->setToolTip(QStringLiteral("What the command line would print (powerbert train search)"));

    auto* progressRow = new QHBoxLayout;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setMaximumWidth(260);
    progressLabel_ = new QLabel(QStringLiteral("Choose the task data, then Start."));
    progressRow->addWidget(progress_);
    progressRow->addWidget(progressLabel_, 1);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(progressRow);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(plots_);
    split->addWidget(buildResultPanel());
    split->addWidget(log_);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 0);
    split->setStretchFactor(2, 1);
    split->setChildrenCollapsible(false);
    rightLayout->addWidget(split, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(buildControls());
    layout->addWidget(right, 1);
    resize(1400, 900);

    connect(run_, &SearchRun::phaseStarted, this, &SearchWindow::onPhaseStarted);
    connect(run_, &SearchRun::stepRecorded, this, &SearchWindow::onStep);
    connect(run_, &SearchRun::epochRecorded, plots_, &SearchPlots::addEpoch);
    connect(run_, &SearchRun::logged, log_, &QPlainTextEdit::appendPlainText);
    connect(run_, &SearchRun::finished, this, &SearchWindow::onFinished);
    setRunning(false);
}

QWidget* SearchWindow::buildControls() {
    form_ = new SearchForm;
    auto* scroll = new QScrollArea;
    scroll->setWidget(form_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    startButton_ = new QPushButton(QStringLiteral("&Start"));
    startButton_->setToolTip(QStringLiteral("Run the search (and the re-train when ticked) on a background thread; "
                                            "a checkpoint from the same settings is resumed"));
    startButton_->setDefault(true);
    cancelButton_ = new QPushButton(QStringLiteral("&Cancel"));
    cancelButton_->setToolTip(QStringLiteral("Stop after the current optimizer step; the checkpoint is kept, so "
                                             "Start with the same settings continues from it"));
    connect(startButton_, &QPushButton::clicked, this, &SearchWindow::start);
    connect(cancelButton_, &QPushButton::clicked, this, &SearchWindow::cancel);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(startButton_);
    buttons->addWidget(cancelButton_);

    auto* box = new QWidget;
    box->setMinimumWidth(360);
    box->setMaximumWidth(440);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    layout->addLayout(buttons);
    return box;
}

QWidget* SearchWindow::buildResultPanel() {
    auto* group = new QGroupBox(QStringLiteral("Result"));
    auto* layout = new QVBoxLayout(group);
    auto label = [layout] {
        auto* l = new QLabel;
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(l);
        return l;
    };
    resultLabel_ = label();
    resultLabel_->setText(QStringLiteral("No configuration yet."));
    metricsLabel_ = label();
    collapseLabel_ = label();
    collapseLabel_->setToolTip(QStringLiteral(
        "r collapse (the reference's issue #10): a layer has mass < 1 with every r below 0.5 while the dev metric "
        "holds, so sum(r) no longer counts word vectors. Unfaithful: Extract at the configuration scores more than "
        "0.05 below Soft-Extract."));
    retrainLabel_ = label();
    applyButton_ = new QPushButton(QStringLiteral("&Apply to the retention editor"));
    applyButton_->setToolTip(QStringLiteral("Put this configuration (Attn-WS) into the main window's retention editor"));
    saveButton_ = new QPushButton(QStringLiteral("Sa&ve retention.json…"));
    saveButton_->setToolTip(QStringLiteral("Write this configuration as retention.json (atomically), with how it was found"));
    connect(applyButton_, &QPushButton::clicked, this, &SearchWindow::applyResult);
    connect(saveButton_, &QPushButton::clicked, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save retention configuration"),
                                                    QDir(outputFolder_).filePath(QStringLiteral("retention.json")),
                                                    QStringLiteral("Retention configuration (*.json)"));
        if (path.isEmpty()) return;
        if (!path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) path += QStringLiteral(".json");
        if (const QString error = saveResultTo(path); !error.isEmpty()) showError(error);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(applyButton_);
    buttons->addWidget(saveButton_);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    return group;
}

void SearchWindow::setModelFolder(const QString& folder) { form_->setModelFolder(folder); }

bool SearchWindow::isRunning() const { return run_->isRunning(); }

void SearchWindow::setRunning(bool running) {
    startButton_->setEnabled(!running);
    cancelButton_->setEnabled(running);
    form_->setEnabled(!running);
    applyButton_->setEnabled(!running && result_.has_value());
    saveButton_->setEnabled(!running && result_.has_value());
}

void SearchWindow::start() {
    if (run_->isRunning()) return;
    pb::train::StepOptions search;
    std::optional<pb::train::StepOptions> retrain;
    try {
        search = form_->searchOptions();
        retrain = form_->retrainOptions();
    } catch (const pb::Error& e) {
        showError(QString::fromStdString(e.what()));
        return;
    }
    lastError_.clear();
    result_.reset();
    summary_ = nlohmann::json();
    outputFolder_ = form_->outputFolder();
    resultLabel_->setText(QStringLiteral("Searching…"));
    for (QLabel* l : {metricsLabel_, collapseLabel_, retrainLabel_}) l->clear();
    log_->clear();
    plots_->begin(*search.epochs, retrain ? *retrain->epochs : 0, *search.max_length);
    lastStep_ = 0;
    elapsed_.start();
    setRunning(true);
    run_->start(search, retrain);
}

void SearchWindow::cancel() {
    if (!run_->isRunning()) return;
    run_->cancel();
    progressLabel_->setText(QStringLiteral("Cancelling after the current step…"));
    cancelButton_->setEnabled(false);
}

void SearchWindow::applyResult() {
    if (result_) emit configurationApplied(*result_);
}

void SearchWindow::onPhaseStarted(SearchPhase phase) {
    progress_->setRange(0, 0);  // busy until the first step: reading, tokenising, evaluating the start
    progressLabel_->setText(phase == SearchPhase::Search
                                ? QStringLiteral("Search: reading the data and evaluating the fine-tuned model…")
                                : QStringLiteral("Re-train: reading the data…"));
}

void SearchWindow::onStep(SearchPhase phase, const pb::train::StepRecord& r) {
    plots_->addStep(phase, r);
    lastStep_ = r.step;
    progress_->setRange(0, int(r.total_steps));
    progress_->setValue(int(r.step));
    progressLabel_->setText(QStringLiteral("%1: step %2 of %3 (epoch %4) · loss %5 · %6 examples/s · about %7 left · %8 so far")
                                .arg(phase == SearchPhase::Search ? QStringLiteral("Search") : QStringLiteral("Re-train"))
                                .arg(r.step)
                                .arg(r.total_steps)
                                .arg(r.epoch)
                                .arg(r.loss, 0, 'f', 4)
                                .arg(std::lround(r.examples_per_second))
                                .arg(minutesAndSeconds(r.seconds_left), minutesAndSeconds(elapsed_.elapsed() / 1000.0)));
    if (phase == SearchPhase::Search && !plots_->configuration().empty())
        resultLabel_->setText(QStringLiteral("Implied so far: keep %1").arg(joined(plots_->configuration())));
}

void SearchWindow::onFinished(const SearchOutcome& outcome) {
    if (!outcome.search.is_null()) showSearchResult(outcome.search);
    if (outcome.retrain) showRetrainResult(*outcome.retrain);
    progress_->setRange(0, 1);
    progress_->setValue(outcome.cancelled || !outcome.error.isEmpty() ? 0 : 1);
    if (outcome.cancelled) {
        progressLabel_->setText(QStringLiteral("Cancelled after step %1. The checkpoint in %2 stays: Start with the "
                                               "same settings continues from it.")
                                    .arg(lastStep_)
                                    .arg(QDir::toNativeSeparators(outputFolder_)));
        if (outcome.search.is_null()) resultLabel_->setText(QStringLiteral("No configuration (cancelled)."));
    } else if (!outcome.error.isEmpty()) {
        if (outcome.search.is_null()) resultLabel_->setText(QStringLiteral("No configuration."));
        showError(outcome.error);
    } else {
        progressLabel_->setText(QStringLiteral("Done in %1. Output: %2")
                                    .arg(minutesAndSeconds(elapsed_.elapsed() / 1000.0), QDir::toNativeSeparators(outputFolder_)));
    }
    setRunning(false);
    emit runFinished(outcome);
}

void SearchWindow::showSearchResult(const nlohmann::json& s) {
    summary_ = s;
    pb::RetentionPlan plan;
    plan.keep = s.at("retention").get<std::vector<int>>();
    plan.strategy = pb::Strategy::Attention;  // Soft-Extract ranks word vectors by attention received
    result_ = plan;
    const std::filesystem::path folder = toFsPath(outputFolder_) / "search";
    foundBy_ = foundByIn(folder / "retention.json");
    const int layers = int(plan.keep.size());
    const int n = s.at("settings").value("retention_length", 0);
    resultLabel_->setText(QStringLiteral("<b>Configuration: keep %1</b> word vectors after layers 1–%2 "
                                         "(%3 of %4 kept over all layers, N = %5)")
                              .arg(joined(plan.keep))
                              .arg(layers)
                              .arg(s.value("word_vectors_kept", 0))
                              .arg(layers * n)
                              .arg(n));
    const QString metric = metricName(s);
    metricsLabel_->setText(QStringLiteral("Dev %1: fine-tuned %2 · Soft-Extract (end of search) %3 · Extract at this "
                                          "configuration %4")
                               .arg(metric, number(s, "finetuned_dev_metric"), number(s, "soft_dev_metric"),
                                    number(s, "extract_dev_metric_at_configuration")));
    plots_->setReferenceMetrics(s.value("finetuned_dev_metric", 0.0), s.value("extract_dev_metric_at_configuration", 0.0));
    const auto& collapse = s.value("collapse", nlohmann::json::object());
    const bool warn = collapse.value("collapsed", false) || collapse.value("unfaithful", false);
    const QString message = QString::fromStdString(collapse.value("message", std::string()));
    collapseLabel_->setText(warn ? QStringLiteral("⚠ %1").arg(message) : message);
    collapseLabel_->setStyleSheet(warn ? QStringLiteral("color: #d55e00; font-weight: bold;") : QString());
}

void SearchWindow::showRetrainResult(const nlohmann::json& s) {
    retrainLabel_->setText(QStringLiteral("Re-trained with Extract: best dev %1 %2 (epoch %3); the model is in %4")
                               .arg(metricName(s), number(s, "best_dev_metric"))
                               .arg(s.value("best_epoch", 0))
                               .arg(QDir::toNativeSeparators(QDir(outputFolder_).filePath(QStringLiteral("retrain")))));
}

QString SearchWindow::saveResultTo(const QString& path) const {
    if (!result_) return QStringLiteral("%1: no configuration to save yet").arg(path);
    try {
        pb::save_retention_json(toFsPath(path), *result_, foundBy_);
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void SearchWindow::showError(const QString& message) {
    lastError_ = message;
    progressLabel_->setText(QStringLiteral("Error: %1").arg(message));
    if (!errorDialogs_) return;
    auto* box = new QMessageBox(QMessageBox::Warning, windowTitle(), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

}  // namespace pb::ui
