#pragma once
// Runs one DatasetJob at a time OFF the GUI thread (the core spreads the examples over all cores),
// reports progress (examples per second, ETA) about ten times a second, and cancels on request:
// the core's Progress callback returns false, the run throws pb::Cancelled at its next check and
// nothing is delivered, so the caller's previous results stay as they were.
#include "ui/dataset_job.h"

#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pb {
struct ModelFolder;
}

namespace pb::ui {

struct DatasetRunProgress {
    size_t done = 0, total = 0;  // examples; total is 0 until the file is loaded
    double seconds = 0;          // since the current stage started
    QString stage;               // the current stage's name, when the run has had more than one

    double examplesPerSecond() const { return seconds > 0 ? double(done) / seconds : 0.0; }
    // Unknown until the first examples are done.
    std::optional<double> etaSeconds() const;
};

class DatasetRunner : public QObject {
    Q_OBJECT

public:
    explicit DatasetRunner(QObject* parent = nullptr);
    ~DatasetRunner() override;  // cancels a running job and waits for it

    // False (nothing started) while another job runs or without a model.
    bool start(std::shared_ptr<const pb::ModelFolder> model, const DatasetJob& job);
    bool isRunning() const { return running_; }
    const DatasetJob& job() const { return job_; }
    DatasetRunProgress progress() const;
    // Seconds from the last cancel() to the moment the worker had stopped, measured on the worker
    // (so event delivery is not counted); negative before any cancellation.
    double lastCancelLatency() const { return lastCancelLatency_; }

public slots:
    void cancel();

signals:
    void started(pb::ui::DatasetAnalysis analysis);
    void progressed(const pb::ui::DatasetRunProgress& progress);
    void finished(const pb::ui::DatasetResults& results, double seconds);
    void cancelled(double latencySeconds);
    void failed(const QString& message);

private:
    using Clock = std::chrono::steady_clock;
    // Shared with the worker, which may outlive nothing but must not touch the runner itself.
    struct RunState {
        Clock::time_point start = Clock::now();
        std::atomic<bool> cancel{false};
        std::atomic<size_t> done{0}, total{0};
        std::atomic<int64_t> cancelAtNs{-1};  // since `start`
        // The work's current stage (its progress message) and when it began; a run with two
        // stages (evaluation, then timing in batches) counts examples from 0 in each.
        std::mutex stageMutex;
        std::string stage;
        int stages = 0;
        Clock::time_point stageStart = start;
    };
    struct Outcome {
        DatasetResults results;
        bool cancelled = false;
        QString error;
        double seconds = 0;
        int64_t endNs = 0;  // since `start`
    };

    static Outcome work(const pb::ModelFolder& model, const DatasetJob& job, RunState& state);
    void deliver(const Outcome& outcome);

    QThreadPool pool_;
    QTimer ticker_;
    DatasetJob job_;
    std::shared_ptr<RunState> state_;
    bool running_ = false;
    double lastCancelLatency_ = -1.0;
};

}  // namespace pb::ui

Q_DECLARE_METATYPE(pb::ui::DatasetRunProgress)
