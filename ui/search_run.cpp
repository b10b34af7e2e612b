#include "ui/search_run.h"

#include "core/error.h"

#include <QtConcurrent/QtConcurrentRun>

namespace pb::ui {

SearchRun::SearchRun(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<SearchOutcome>::finished, this, [this] {
        running_ = false;
        emit finished(watcher_.result());
    });
}

SearchRun::~SearchRun() {
    cancel();
    watcher_.waitForFinished();
}

void SearchRun::start(const pb::train::StepOptions& search, const std::optional<pb::train::StepOptions>& retrain) {
    if (running_) return;
    running_ = true;
    cancelled_->store(false);
    watcher_.setFuture(QtConcurrent::run([this, search, retrain] { return work(search, retrain); }));
}

void SearchRun::cancel() { cancelled_->store(true); }

SearchOutcome SearchRun::work(const pb::train::StepOptions& search, const std::optional<pb::train::StepOptions>& retrain) {
    SearchOutcome outcome;
    try {
        outcome.search = runPhase(SearchPhase::Search, search);
        if (retrain) outcome.retrain = runPhase(SearchPhase::Retrain, *retrain);
    } catch (const pb::Cancelled&) {
        outcome.cancelled = true;
    } catch (const std::exception& e) {
        // pb::Error names the file or option; anything else (e.g. bad_alloc) is reported as it is.
        outcome.error = QString::fromStdString(e.what());
    }
    return outcome;
}

// Runs on the worker thread; every record is copied into a queued call so that the GUI thread
// emits it (and a destroyed SearchRun simply drops what is still queued).
nlohmann::json SearchRun::runPhase(SearchPhase phase, const pb::train::StepOptions& options) {
    QMetaObject::invokeMethod(this, [this, phase] { emit phaseStarted(phase); }, Qt::QueuedConnection);
    const auto cancelled = cancelled_;
    pb::Progress progress = [cancelled](size_t, size_t, std::string_view) { return !cancelled->load(); };
    pb::train::TrainLog log = [this](const std::string& line) {
        QMetaObject::invokeMethod(this, [this, text = QString::fromStdString(line)] { emit logged(text); },
                                  Qt::QueuedConnection);
    };
    pb::train::TrainObserver observer;
    observer.on_step = [this, phase](const pb::train::StepRecord& r) {
        QMetaObject::invokeMethod(this, [this, phase, r] { emit stepRecorded(phase, r); }, Qt::QueuedConnection);
    };
    observer.on_epoch = [this, phase](const pb::train::EpochRecord& r) {
        QMetaObject::invokeMethod(this, [this, phase, r] { emit epochRecorded(phase, r); }, Qt::QueuedConnection);
    };
    return pb::train::run_train_step(options, progress, log, observer);
}

}  // namespace pb::ui
