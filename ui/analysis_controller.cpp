#include "ui/analysis_controller.h"

#include "core/error.h"
#include "ui/qt_paths.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace pb::ui {

namespace {

// pb::Error carries the precise message; anything else is a bug, still reported, never a crash.
template <class F>
QString runCatching(F&& work) {
    try {
        work();
        return {};
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("internal error: %1").arg(QString::fromStdString(e.what()));
    }
}

}  // namespace

AnalysisController::AnalysisController(QObject* parent) : QObject(parent) {
    debounce_.setSingleShot(true);
    debounce_.setInterval(60);
    connect(&debounce_, &QTimer::timeout, this, &AnalysisController::analyzeNow);
    analysisPool_.setMaxThreadCount(1);
    loadPool_.setMaxThreadCount(1);
}

AnalysisController::~AnalysisController() {
    latestGeneration_->store(~uint64_t(0));  // queued analyses skip their work
    analysisPool_.clear();
    loadPool_.clear();
    analysisPool_.waitForDone();
    loadPool_.waitForDone();
}

QString AnalysisController::modelPath() const { return model_ ? fromFsPath(model_->path) : QString(); }

void AnalysisController::loadModel(const QString& folder) {
    const uint64_t generation = ++loadGeneration_;
    ++loadsInFlight_;
    sinceLoadRequest_.start();
    setBusy();
    emit modelLoadStarted(folder);
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcher<LoadResult>::finished, this, [this, watcher] {
        --loadsInFlight_;
        finishLoad(watcher->result());
        watcher->deleteLater();
        setBusy();
    });
    watcher->setFuture(QtConcurrent::run(&loadPool_, [generation, folder] {
        LoadResult result;
        result.generation = generation;
        result.folder = folder;
        result.error = runCatching([&] {
            result.model = std::make_shared<const pb::ModelFolder>(pb::load_model_folder(toFsPath(folder)));
        });
        return result;
    }));
}

void AnalysisController::finishLoad(const LoadResult& result) {
    if (result.generation != loadGeneration_) return;  // a newer load was requested meanwhile
    if (!result.model) {
        emit modelLoadFailed(result.folder, result.error);
        return;
    }
    awaitingFirstAnalysis_ = true;
    setModel(result.model);
}

void AnalysisController::setModel(std::shared_ptr<const pb::ModelFolder> model) {
    model_ = std::move(model);
    updateTokenCount();
    // Listeners (the retention editor) adapt the plan to the new layer count before the analysis runs.
    emit modelLoaded(model_);
    analyzeNow();
}

void AnalysisController::setInput(const QString& text, const std::optional<QString>& pair) {
    if (text == text_ && pair == pair_) return;
    text_ = text;
    pair_ = pair;
    updateTokenCount();
    requestAnalysis();
}

void AnalysisController::setPlan(const pb::RetentionPlan& plan) {
    plan_ = plan;
    requestAnalysis();
}

void AnalysisController::updateTokenCount() {
    int count = 0;
    bool truncated = false, words = false;
    if (model_) {
        runCatching([&] {
            const std::string text = text_.toStdString();
            const auto encoding = pair_ ? model_->encode(text, std::string_view(pair_->toStdString()))
                                        : model_->encode(text);
            count = static_cast<int>(encoding.ids.size());
            truncated = encoding.truncated;
            words = std::any_of(encoding.segment.begin(), encoding.segment.end(), [](int32_t s) { return s >= 0; });
        });
    }
    truncated_ = truncated;
    hasWordPieces_ = words;
    if (count != tokenCount_) {
        tokenCount_ = count;
        emit tokenCountChanged(count);
    }
}

void AnalysisController::requestAnalysis() {
    debounce_.start();
    setBusy();
}

void AnalysisController::analyzeNow() {
    debounce_.stop();
    const uint64_t generation = ++generation_;
    latestGeneration_->store(generation);
    if (!model_ || !hasWordPieces_) {
        analysis_.reset();
        emit analysisReady(nullptr);
        setBusy();
        return;
    }
    ++analysesInFlight_;
    setBusy();
    auto* watcher = new QFutureWatcher<AnalysisResult>(this);
    connect(watcher, &QFutureWatcher<AnalysisResult>::finished, this, [this, watcher] {
        --analysesInFlight_;
        deliver(watcher->result());
        watcher->deleteLater();
        setBusy();
    });
    const std::string text = text_.toStdString();
    const std::optional<std::string> pair = pair_ ? std::optional<std::string>(pair_->toStdString()) : std::nullopt;
    watcher->setFuture(QtConcurrent::run(
        &analysisPool_, [model = model_, text, pair, plan = plan_, generation, latest = latestGeneration_] {
            AnalysisResult result;
            result.generation = generation;
            if (latest->load() != generation) return result;  // superseded before it started
            QElapsedTimer clock;
            clock.start();
            result.error = runCatching([&] {
                pb::RunOptions options;
                options.record_attention = true;
                options.record_cosine_matrix = true;
                result.analysis = std::make_shared<const pb::Analysis>(pb::analyze(*model, text, pair, plan, options));
            });
            result.seconds = clock.nsecsElapsed() * 1e-9;
            return result;
        }));
}

void AnalysisController::deliver(const AnalysisResult& result) {
    if (result.generation != generation_) return;  // stale: a newer request exists
    if (!result.analysis) {
        emit failed(result.error.isEmpty() ? QStringLiteral("the analysis produced no result") : result.error);
        return;
    }
    analysis_ = result.analysis;
    lastSeconds_ = result.seconds;
    if (awaitingFirstAnalysis_) {
        awaitingFirstAnalysis_ = false;
        firstLatency_ = sinceLoadRequest_.nsecsElapsed() * 1e-9;
    }
    emit analysisReady(analysis_);
}

void AnalysisController::setBusy() {
    const bool busy = loadsInFlight_ > 0 || analysesInFlight_ > 0 || debounce_.isActive();
    if (busy == busy_) return;
    busy_ = busy;
    emit busyChanged(busy);
}

}  // namespace pb::ui
