#pragma once
// "Find a retention configuration": the search step of PoWER-BERT (Soft-Extract, then
// keep[j] = floor(sum_k r_j[k])) on the main window's model, optionally followed by the re-train
// step, run off the GUI thread with a progress bar, a working Cancel (the core keeps a checkpoint
// that the next Start with the same settings resumes), live plots, the r-collapse / unfaithful
// report, and the result: applied to the retention editor with one click (configurationApplied)
// or saved as retention.json. The core's own files in the output folder are left as written.
#include "core/elimination.h"
#include "ui/search_run.h"

#include <QElapsedTimer>
#include <QString>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace pb::ui {

class SearchForm;
class SearchPlots;

class SearchWindow : public QWidget {
    Q_OBJECT

public:
    explicit SearchWindow(QWidget* parent = nullptr);

    // The model the next search starts from (the main window's current one; empty: none).
    void setModelFolder(const QString& folder);

    bool isRunning() const;
    // The configuration found by the last finished search (strategy Attn-WS, as it was searched with).
    std::optional<pb::RetentionPlan> result() const { return result_; }
    // The last finished search's training.json as the core returned it (null before one).
    const nlohmann::json& searchSummary() const { return summary_; }

    // Writes the result through pb::save_retention_json (atomic), with the core's provenance text.
    // Returns an empty string on success, else the error naming the file.
    QString saveResultTo(const QString& path) const;

    QString lastError() const { return lastError_; }
    void setErrorDialogsEnabled(bool enabled) { errorDialogs_ = enabled; }

    SearchForm* form() const { return form_; }
    SearchPlots* plots() const { return plots_; }
    QPushButton* startButton() const { return startButton_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QPushButton* applyButton() const { return applyButton_; }
    QPushButton* saveButton() const { return saveButton_; }
    QProgressBar* progressBar() const { return progress_; }
    QLabel* progressLabel() const { return progressLabel_; }
    QLabel* resultLabel() const { return resultLabel_; }
    QLabel* collapseLabel() const { return collapseLabel_; }

public slots:
    void start();
    void cancel();
    void applyResult();  // emits configurationApplied

signals:
    void configurationApplied(const pb::RetentionPlan& plan);
    // After the window has shown the outcome of a run (finished, cancelled or failed).
    void runFinished(const pb::ui::SearchOutcome& outcome);

private:
    QWidget* buildControls();
    QWidget* buildResultPanel();
    void onPhaseStarted(SearchPhase phase);
    void onStep(SearchPhase phase, const pb::train::StepRecord& record);
    void onFinished(const SearchOutcome& outcome);
    void showSearchResult(const nlohmann::json& summary);
    void showRetrainResult(const nlohmann::json& summary);
    void showError(const QString& message);
    void setRunning(bool running);

    SearchRun* run_ = nullptr;
    SearchForm* form_ = nullptr;
    SearchPlots* plots_ = nullptr;
    QPushButton* startButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* applyButton_ = nullptr;
    QPushButton* saveButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QLabel* resultLabel_ = nullptr;
    QLabel* metricsLabel_ = nullptr;
    QLabel* collapseLabel_ = nullptr;
    QLabel* retrainLabel_ = nullptr;
    QPlainTextEdit* log_ = nullptr;

    QElapsedTimer elapsed_;
    int64_t lastStep_ = 0;
    QString outputFolder_;  // of the run in progress or last run
    std::optional<pb::RetentionPlan> result_;
    nlohmann::json summary_;
    std::string foundBy_;
    QString lastError_;
    bool errorDialogs_ = true;
};

}  // namespace pb::ui
