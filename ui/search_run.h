#pragma once
// One "find a retention configuration" run OFF the GUI thread: the search step (Soft-Extract) and,
// optionally, the re-train step after it, through pb::train::run_train_step. The core's per-step
// and per-epoch records and its log lines arrive as signals on the GUI thread; cancel() makes the
// core's Progress answer false, so it saves its checkpoint and stops at the next optimizer step.
#include "core/train/training_steps.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>

namespace pb::ui {

enum class SearchPhase { Search, Retrain };

struct SearchOutcome {
    nlohmann::json search;                  // the search's training.json (null when it did not finish)
    std::optional<nlohmann::json> retrain;  // the re-train's, when it ran to the end
    bool cancelled = false;
    QString error;  // pb::Error text, naming the file or option at fault
};

class SearchRun : public QObject {
    Q_OBJECT

public:
    explicit SearchRun(QObject* parent = nullptr);
    ~SearchRun() override;  // cancels a running run and waits for its checkpoint

    // `retrain` runs after a finished search, on the search's output folder. No-op while running.
    void start(const pb::train::StepOptions& search, const std::optional<pb::train::StepOptions>& retrain);
    void cancel();
    bool isRunning() const { return running_; }

signals:
    void phaseStarted(pb::ui::SearchPhase phase);
    void stepRecorded(pb::ui::SearchPhase phase, const pb::train::StepRecord& record);
    void epochRecorded(pb::ui::SearchPhase phase, const pb::train::EpochRecord& record);
    void logged(const QString& line);
    void finished(const pb::ui::SearchOutcome& outcome);

private:
    SearchOutcome work(const pb::train::StepOptions& search, const std::optional<pb::train::StepOptions>& retrain);
    nlohmann::json runPhase(SearchPhase phase, const pb::train::StepOptions& options);

    QFutureWatcher<SearchOutcome> watcher_;
    std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
    bool running_ = false;
};

}  // namespace pb::ui
