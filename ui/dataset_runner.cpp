#include "ui/dataset_runner.h"

#include "core/error.h"
#include "core/model_folder.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace pb::ui {

std::optional<double> DatasetRunProgress::etaSeconds() const {
    if (done == 0 || total == 0) return std::nullopt;
    return double(total - std::min(done, total)) / examplesPerSecond();
}

DatasetRunner::DatasetRunner(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);
    ticker_.setInterval(100);
    connect(&ticker_, &QTimer::timeout, this, [this] { emit progressed(progress()); });
}

DatasetRunner::~DatasetRunner() {
    if (state_) state_->cancel.store(true);
    pool_.waitForDone();
}

bool DatasetRunner::start(std::shared_ptr<const pb::ModelFolder> model, const DatasetJob& job) {
    if (running_ || !model) return false;
    job_ = job;
    state_ = std::make_shared<RunState>();
    running_ = true;
    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher] {
        watcher->deleteLater();
        deliver(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(&pool_, [model = std::move(model), job, state = state_] {
        return work(*model, job, *state);
    }));
    ticker_.start();
    emit started(job.analysis);
    emit progressed(progress());
    return true;
}

DatasetRunner::Outcome DatasetRunner::work(const pb::ModelFolder& model, const DatasetJob& job, RunState& state) {
    Outcome out;
    const pb::Progress progress = [&state](size_t done, size_t total, std::string_view message) {
        {
            std::lock_guard lock(state.stageMutex);
            if (total > 0 && message != state.stage) {  // "loading" (no total yet) is not a stage
                state.stage = message;
                ++state.stages;
                state.stageStart = Clock::now();
            }
        }
        state.done.store(done);
        if (total > 0) state.total.store(total);
        return !state.cancel.load();
    };
    // pb::Error carries the precise message; anything else is a bug, still reported, never a crash.
    try {
        out.results = runDatasetJob(model, job, progress);
    } catch (const pb::Cancelled&) {
        out.cancelled = true;
    } catch (const pb::Error& e) {
        out.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        out.error = QStringLiteral("internal error: %1").arg(QString::fromStdString(e.what()));
    }
    const auto elapsed = Clock::now() - state.start;
    out.endNs = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    out.seconds = std::chrono::duration<double>(elapsed).count();
    return out;
}

void DatasetRunner::cancel() {
    if (!running_ || state_->cancel.load()) return;
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - state_->start).count();
    state_->cancelAtNs.store(now);
    state_->cancel.store(true);
}

DatasetRunProgress DatasetRunner::progress() const {
    DatasetRunProgress p;
    if (!state_) return p;
    p.done = state_->done.load();
    p.total = state_->total.load();
    std::lock_guard lock(state_->stageMutex);
    p.seconds = std::chrono::duration<double>(Clock::now() - state_->stageStart).count();
    if (state_->stages > 1) p.stage = QString::fromStdString(state_->stage);
    return p;
}

void DatasetRunner::deliver(const Outcome& outcome) {
    running_ = false;
    ticker_.stop();
    const int64_t cancelAt = state_->cancelAtNs.load();
    if (cancelAt >= 0) {
        lastCancelLatency_ = double(outcome.endNs - cancelAt) * 1e-9;
        // A job that completed just as it was cancelled is still thrown away: the user asked to stop.
        emit cancelled(lastCancelLatency_);
    } else if (outcome.cancelled) {
        emit cancelled(0.0);
    } else if (!outcome.error.isEmpty()) {
        emit failed(outcome.error);
    } else {
        emit finished(outcome.results, outcome.seconds);
    }
}

}  // namespace pb::ui
