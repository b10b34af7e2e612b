#pragma once
// The Dataset panel: a GLUE file through the loaded model, full model vs PoWER-BERT under the
// retention editor's configuration (or a keep fraction). Runs (Evaluate, Diffusion, MI vs rank,
// Ablation, Trade-off, or all in turn) go to a DatasetRunner off the GUI thread with a progress bar
// (examples per second, ETA) and a Cancel button that leaves the previous results untouched.
// Results show in tabs; each plot exports like the sentence views, each result saves as the core's
// JSON, and the table of disagreements opens an example in the sentence views (exampleRequested).
#include "core/glue_dataset.h"
#include "ui/dataset_configuration.h"
#include "ui/dataset_job.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <map>
#include <memory>
#include <optional>
#include <vector>

class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace pb {
struct ModelFolder;
}

namespace pb::ui {

class DatasetResultView;
class DatasetRunner;
struct DatasetRunProgress;
class DisagreementModel;
class RetentionEditor;

class DatasetPanel : public QWidget {
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget* parent = nullptr);
    ~DatasetPanel() override;

    void setModel(std::shared_ptr<const pb::ModelFolder> model);
    // The configuration follows this editor (see dataset_configuration.h) unless a keep fraction is set.
    void followRetentionEditor(const RetentionEditor* editor);

    // Inputs (the same as the controls).
    void setDataFile(const QString& path);  // guesses the task from the file
    QString dataFile() const;
    void setTask(std::optional<pb::GlueTask> task);  // nullopt: the guess
    void setMalformedPolicy(pb::MalformedPolicy policy);
    void setMaxExamples(int examples);  // 0 = all
    void setKeepFractionOverride(std::optional<double> fraction);  // nullopt: follow the editor
    void setMaxRank(int ranks);
    void setSeeds(int seeds);
    DatasetConfiguration configuration() const;
    DatasetJob job(DatasetAnalysis analysis) const;

    // Starts a run; false (with the reason in statusText) when one is running or inputs are missing.
    bool run(DatasetAnalysis analysis);
    // Every analysis in turn; stops at a cancellation or a failure.
    bool runAll();
    void cancel();
    bool isRunning() const;

    const DatasetResults& results() const { return results_; }
    DatasetRunner* runner() const { return runner_; }
    DatasetResultView* view(DatasetAnalysis analysis) const;
    QTabWidget* resultTabs() const { return tabs_; }
    QTableView* disagreementTable() const { return disagreements_; }
    QProgressBar* progressBar() const { return progress_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QPushButton* runButton(DatasetAnalysis analysis) const;
    QString statusText() const;

    // Opens the disagreement in `row` of the table (as sorted on screen) in the sentence views.
    void openDisagreement(int row);

    // Throw pb::Error naming the file; written atomically.
    void exportPlot(DatasetAnalysis analysis, const QString& path) const;
    void saveResultJson(DatasetAnalysis analysis, const QString& path) const;
    // Every result tab's page as "dataset-<n>-<title>.png" and its plot as
    // "dataset-plot-<n>-<title>.png", plus "dataset-panel.png"; returns the files.
    QStringList saveScreenshots(const QString& folder);

public slots:
    void chooseDataFile();
    void exportCurrentPlot();
    void saveCurrentResultJson();

signals:
    void exampleRequested(const QString& text, const std::optional<QString>& pair);
    void runFinished(pb::ui::DatasetAnalysis analysis);
    void runCancelled(double latencySeconds);
    void runFailed(const QString& message);
    void sequenceFinished();

private:
    QWidget* buildDataBox();
    QWidget* buildConfigurationBox();
    QWidget* buildRunRow();
    QWidget* buildResults();
    QWidget* buildDisagreementPage();

    void onStarted(DatasetAnalysis analysis);
    void onProgress(const DatasetRunProgress& progress);
    void onFinished(const DatasetResults& results, double seconds);
    void onCancelled(double latencySeconds);
    void onFailed(const QString& message);
    void startNextInQueue();
    void endSequence();
    void showResults(DatasetAnalysis analysis);
    void updateConfigurationText();
    void updateTaskGuess();
    void updateButtons();
    void setStatus(const QString& text, bool error = false);
    std::optional<DatasetAnalysis> currentAnalysis() const;

    std::shared_ptr<const pb::ModelFolder> model_;
    const RetentionEditor* editor_ = nullptr;
    DatasetRunner* runner_ = nullptr;
    DatasetResults results_;
    std::vector<DatasetAnalysis> queue_;  // Run all: the analyses still to run
    bool inSequence_ = false;

    QLineEdit* fileEdit_ = nullptr;
    QComboBox* taskCombo_ = nullptr;
    QComboBox* malformedCombo_ = nullptr;
    QSpinBox* limitSpin_ = nullptr;
    QRadioButton* followEditor_ = nullptr;
    QRadioButton* useFraction_ = nullptr;
    QLabel* editorText_ = nullptr;
    QDoubleSpinBox* fractionSpin_ = nullptr;
    QSpinBox* rankSpin_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QSpinBox* batchSpin_ = nullptr;
    std::map<DatasetAnalysis, QPushButton*> runButtons_;
    QPushButton* runAllButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    std::map<DatasetAnalysis, DatasetResultView*> views_;
    DisagreementModel* disagreementModel_ = nullptr;
    QSortFilterProxyModel* disagreementSort_ = nullptr;
    QTableView* disagreements_ = nullptr;
    QWidget* disagreementPage_ = nullptr;
    QPushButton* exportButton_ = nullptr;
    QPushButton* jsonButton_ = nullptr;
};

}  // namespace pb::ui
