#pragma once
// The application shell: the input and the retention editor in a left dock, the model summary in a
// right dock, the five views in tabs (all updated together from the controller's analysisReady),
// menus, status bar, sessions, exports, recent models, drag and drop, light/dark palettes.
#include "core/analysis.h"
#include "ui/session.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QUndoStack;
class QVBoxLayout;

namespace pb::ui {

class AnalysisController;
class AnalysisView;
class DatasetPanel;
class ModelSummaryPanel;
class RetentionEditor;
class SearchWindow;
class SentencePanel;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    AnalysisController* controller() const { return controller_; }
    SentencePanel* sentencePanel() const { return sentencePanel_; }
    RetentionEditor* retentionEditor() const { return retentionEditor_; }
    // Edit > Undo / Redo of the retention editor's edits (cleared when a model or a session is opened).
    QUndoStack* retentionHistory() const { return retentionHistory_; }
    ModelSummaryPanel* modelSummary() const { return summaryPanel_; }
    DatasetPanel* datasetPanel() const { return datasetPanel_; }
    QDockWidget* datasetDock() const { return datasetDock_; }
    QTabWidget* tabs() const { return tabs_; }
    SearchWindow* searchWindow() const { return searchWindow_; }  // nullptr until first opened
    const std::vector<AnalysisView*>& views() const { return views_; }
    AnalysisView* currentView() const;
    bool isStartPageShown() const;

    // Errors: shown in a non-modal message box (unless disabled), in the status bar, kept in
    // lastError() and announced by errorReported.
    QString lastError() const { return lastError_; }
    void setErrorDialogsEnabled(bool enabled) { errorDialogs_ = enabled; }

    // Status bar contents, one "key: value" per line (tokens, kept vectors, multiply-adds, time).
    QString statusText() const;

    int highlightedPosition() const { return highlighted_; }
    void setHighlightedPosition(int position);

    // Sessions. openSession returns false (state untouched) when the file is missing or corrupt;
    // when the session names another model it loads it first, and sessionOpened follows.
    SessionState sessionState() const;
    bool openSession(const QString& path);
    bool saveSessionTo(const QString& path);
    QString sessionPath() const { return sessionPath_; }
    bool isSessionModified() const { return modified_; }

    // The unsaved-changes question on close; replaceable for tests (default: a QMessageBox).
    void setClosePrompt(std::function<QMessageBox::StandardButton()> prompt) { closePrompt_ = std::move(prompt); }

    QStringList recentModels() const;

    // One PNG per view tab ("view-1-<title>.png", ...) and "window.png" of the whole window, via
    // grab(), written atomically. Returns the files; throws pb::Error naming a file that failed.
    QStringList saveScreenshots(const QString& folder);

public slots:
    void openModelFolder(const QString& folder);  // off the GUI thread; keeps the old model on failure
    void chooseModelFolder();                     // File > Open model folder
    void chooseSessionToOpen();
    bool saveSession();    // to the current file, or asks for one
    bool saveSessionAs();
    void exportCurrentView();
    void exportCurrentViewData();
    void exportAnalysisJson();
    void exportAllViewsToFolder();  // File > Export all views
    void copyPlotToClipboard();
    void setDarkPalette(bool dark);
    void showAbout();
    void showShortcuts();
    void openSearchWindow();  // Tools > Find a retention configuration, on the current model

signals:
    void errorReported(const QString& message);
    // After every view got the analysis (nullptr: cleared).
    void viewsUpdated(std::shared_ptr<const pb::Analysis> analysis);
    void sessionOpened(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void buildViews();
    void buildDocks();
    void buildStartPage();
    void buildMenus();
    void buildFileMenu();
    void buildEditMenu();
    void buildViewMenu();
    void buildToolsMenu();
    void buildHelpMenu();
    void buildStatusBar();
    void buildDatasetDock();
    void connectController();

    void onInputEdited();
    void onModelLoaded();
    void onModelLoadFailed(const QString& folder, const QString& message);
    void onAnalysisReady(std::shared_ptr<const pb::Analysis> analysis);
    void onViewClicked(int position);
    void applySessionState(const SessionState& state, const QString& path);
    void updateTokenInfo();
    void updateStatus(const pb::Analysis* analysis);
    void updateTitle();
    void updateActions();
    void updateStartPage();
    void rebuildRecentMenu();
    void addRecentModel(const QString& folder);
    void markModified();
    void reportError(const QString& message, bool dialog = true);

    AnalysisController* controller_ = nullptr;
    SentencePanel* sentencePanel_ = nullptr;
    RetentionEditor* retentionEditor_ = nullptr;
    QUndoStack* retentionHistory_ = nullptr;
    ModelSummaryPanel* summaryPanel_ = nullptr;
    QStackedWidget* central_ = nullptr;
    QWidget* startPage_ = nullptr;
    QLabel* startText_ = nullptr;
    QVBoxLayout* startRecentLayout_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    std::vector<AnalysisView*> views_;
    QDockWidget* inputDock_ = nullptr;
    QDockWidget* modelDock_ = nullptr;
    DatasetPanel* datasetPanel_ = nullptr;
    QDockWidget* datasetDock_ = nullptr;

    QLabel* tokensLabel_ = nullptr;
    QLabel* keptLabel_ = nullptr;
    QLabel* ratioLabel_ = nullptr;
    QLabel* timeLabel_ = nullptr;
    QProgressBar* busyBar_ = nullptr;

    QMenu* recentMenu_ = nullptr;
    QMenu* viewMenu_ = nullptr;
    QAction* saveSessionAction_ = nullptr;
    QAction* exportImageAction_ = nullptr;
    QAction* exportCsvAction_ = nullptr;
    QAction* exportJsonAction_ = nullptr;
    QAction* exportAllAction_ = nullptr;
    QAction* copyPlotAction_ = nullptr;
    QAction* darkPaletteAction_ = nullptr;

    QString sessionPath_;
    bool modified_ = false;
    int applyingState_ = 0;  // > 0 while the program (not the user) changes inputs: no "modified"
    int highlighted_ = -1;
    QString lastError_;
    bool errorDialogs_ = true;
    std::function<QMessageBox::StandardButton()> closePrompt_;
    std::optional<SessionState> pendingSession_;
    QString pendingSessionPath_;
    QString loadingFolder_;
    SearchWindow* searchWindow_ = nullptr;
};

}  // namespace pb::ui
