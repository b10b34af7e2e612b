#pragma once
// Owns the current model, input and retention plan, and runs the core OFF the GUI thread:
// model folders load on a worker, analyses run on another, debounced after the last edit, and only
// the newest request's result is ever delivered (a generation counter drops stale ones).
#include "core/analysis.h"
#include "core/elimination.h"
#include "core/model_folder.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>

namespace pb::ui {

class AnalysisController : public QObject {
    Q_OBJECT

public:
    explicit AnalysisController(QObject* parent = nullptr);
    ~AnalysisController() override;  // waits for running work (a few ms; a model load at most its read)

    std::shared_ptr<const pb::ModelFolder> model() const { return model_; }
    QString modelPath() const;  // empty without a model
    // The newest delivered analysis (nullptr before the first one, or after a clearing one).
    std::shared_ptr<const pb::Analysis> analysis() const { return analysis_; }
    QString text() const { return text_; }
    std::optional<QString> pair() const { return pair_; }
    const pb::RetentionPlan& plan() const { return plan_; }

    // Tokens of the current input under the current model ([CLS] and [SEP] included); 0 without a
    // model. Tokenising is microseconds, so it runs on the caller's thread.
    int tokenCount() const { return tokenCount_; }
    bool tokenCountTruncated() const { return truncated_; }
    // False for an input without a word piece (empty, or only characters the tokenizer drops): it is
    // not analysed, as [CLS] and [SEP] alone say nothing about a sentence.
    bool hasWordPieces() const { return hasWordPieces_; }

    bool isLoadingModel() const { return loadsInFlight_ > 0; }
    bool isAnalysing() const { return analysesInFlight_ > 0 || debounce_.isActive(); }
    // Wall-clock seconds of the worker's pb::analyze call (full model + PoWER-BERT) that produced analysis().
    double lastAnalysisSeconds() const { return lastSeconds_; }
    // Seconds from the load request of the current model to its first delivered analysis (startup time).
    double firstAnalysisLatency() const { return firstLatency_; }

    int debounceMs() const { return debounce_.interval(); }
    void setDebounceMs(int ms) { debounce_.setInterval(ms); }

public slots:
    // Loads on a worker thread; modelLoaded or modelLoadFailed follows. On failure the previous model,
    // input and plan stay as they were.
    void loadModel(const QString& folder);
    // Installs an already loaded model (nullptr: none) at once and analyses the current input.
    void setModel(std::shared_ptr<const pb::ModelFolder> model);
    void setInput(const QString& text, const std::optional<QString>& pair);
    void setPlan(const pb::RetentionPlan& plan);
    // Debounced (debounceMs after the last call) analysis of the current model, input and plan.
    void requestAnalysis();
    // The same without waiting.
    void analyzeNow();

signals:
    void modelLoadStarted(const QString& folder);
    void modelLoaded(std::shared_ptr<const pb::ModelFolder> model);
    // `message` is the pb::Error text, which names the file at fault.
    void modelLoadFailed(const QString& folder, const QString& message);
    void tokenCountChanged(int tokens);
    void busyChanged(bool busy);
    // nullptr clears the views (no model, or an empty input).
    void analysisReady(std::shared_ptr<const pb::Analysis> analysis);
    void failed(const QString& message);

private:
    struct AnalysisResult {
        uint64_t generation = 0;
        std::shared_ptr<const pb::Analysis> analysis;
        QString error;
        double seconds = 0.0;
    };
    struct LoadResult {
        uint64_t generation = 0;
        QString folder;
        std::shared_ptr<const pb::ModelFolder> model;
        QString error;
    };

    void updateTokenCount();
    void deliver(const AnalysisResult& result);
    void finishLoad(const LoadResult& result);
    void setBusy();

    std::shared_ptr<const pb::ModelFolder> model_;
    std::shared_ptr<const pb::Analysis> analysis_;
    QString text_;
    std::optional<QString> pair_;
    pb::RetentionPlan plan_;
    int tokenCount_ = 0;
    bool truncated_ = false;
    bool hasWordPieces_ = false;

    QTimer debounce_;
    QThreadPool analysisPool_;  // one thread: requests run in order, stale ones are skipped
    QThreadPool loadPool_;
    uint64_t generation_ = 0;
    // Read by queued workers so that superseded requests skip the work altogether.
    std::shared_ptr<std::atomic<uint64_t>> latestGeneration_ = std::make_shared<std::atomic<uint64_t>>(0);
    uint64_t loadGeneration_ = 0;
    int analysesInFlight_ = 0;
    int loadsInFlight_ = 0;
    bool busy_ = false;
    double lastSeconds_ = 0.0;
    QElapsedTimer sinceLoadRequest_;
    bool awaitingFirstAnalysis_ = false;
    double firstLatency_ = 0.0;
};

}  // namespace pb::ui
