#include "ui/main_window.h"

#include "core/comparison.h"
#include "core/error.h"
#include "ui/about_text.h"
#include "ui/analysis_controller.h"
#include "ui/analysis_view.h"
#include "ui/app_palette.h"
#include "ui/attention_view.h"
#include "ui/dataset_panel.h"
#include "ui/diffusion_plot.h"
#include "ui/model_summary_panel.h"
#include "ui/number_format.h"
#include "ui/export_dialog.h"
#include "ui/plot_export.h"
#include "ui/prediction_panel.h"
#include "ui/retention_editor.h"
#include "ui/retention_undo_command.h"
#include "ui/sample_sentences.h"
#include "ui/search_window.h"
#include "ui/sentence_panel.h"
#include "ui/shortcut_table.h"
#include "ui/significance_view.h"
#include "ui/token_survival_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace pb::ui {

namespace {

constexpr int kMaxRecent = 8;
const char* kRecentSetting = "recentModels";
const char* kGeometrySetting = "window/geometry";
const char* kStateSetting = "window/state";

// Counts nested program-driven changes so that they do not mark the session modified.
class StateGuard {
public:
    explicit StateGuard(int& depth) : depth_(depth) { ++depth_; }
    ~StateGuard() { --depth_; }
    StateGuard(const StateGuard&) = delete;
    StateGuard& operator=(const StateGuard&) = delete;

private:
    int& depth_;
};

bool samePath(const QString& a, const QString& b) {
    if (a.isEmpty() || b.isEmpty()) return false;
    const QString ca = QFileInfo(a).canonicalFilePath(), cb = QFileInfo(b).canonicalFilePath();
    return !ca.isEmpty() ? ca == cb : QDir::cleanPath(QFileInfo(a).absoluteFilePath()) == QDir::cleanPath(QFileInfo(b).absoluteFilePath());
}

QAction* makeAction(QObject* parent, const QString& text, const QString& tip, const QKeySequence& shortcut = {}) {
    auto* action = new QAction(text, parent);
    action->setToolTip(tip);
    action->setStatusTip(tip);
    if (!shortcut.isEmpty()) action->setShortcut(shortcut);
    return action;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    ensureStudioResources();
    setWindowIcon(QIcon(QStringLiteral(":/icons/powerbert-studio.svg")));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    controller_ = new AnalysisController(this);

    buildViews();
    buildStartPage();
    buildDocks();
    buildMenus();
    buildStatusBar();
    buildDatasetDock();
    connectController();

    central_ = new QStackedWidget;
    central_->addWidget(startPage_);
    central_->addWidget(tabs_);
    setCentralWidget(central_);

    QSettings settings;
    const bool dark = settings.value(QString::fromLatin1(kDarkPaletteSetting), false).toBool();
    darkPaletteAction_->setChecked(dark);
    applyStudioPalette(dark);
    // First start: a comfortable size that fits the screen; later starts restore the last geometry.
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    resize(std::min(1560, screen.width() * 95 / 100), std::min(960, screen.height() * 95 / 100));
    restoreGeometry(settings.value(QString::fromLatin1(kGeometrySetting)).toByteArray());
    restoreState(settings.value(QString::fromLatin1(kStateSetting)).toByteArray());

    {
        StateGuard guard(applyingState_);
        sentencePanel_->chooseSample(0);
    }
    rebuildRecentMenu();
    updateStartPage();
    updateActions();
    updateTitle();
    updateStatus(nullptr);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildViews() {
    tabs_ = new QTabWidget;
    tabs_->setDocumentMode(true);
    tabs_->setUsesScrollButtons(true);
    views_ = {new TokenSurvivalView, new SignificanceView, new DiffusionPlot, new PredictionPanel, new AttentionView};
    const QStringList tips = {
        QStringLiteral("Which word vectors survive each encoder layer (click a token to highlight it everywhere)"),
        QStringLiteral("Significance scores (attention received) of every vector, layer by layer"),
        QStringLiteral("Diffusion of information: mean pairwise cosine similarity per layer, full model vs PoWER-BERT"),
        QStringLiteral("The prediction of the full model and of PoWER-BERT, their KL divergence and the cost"),
        QStringLiteral("Attention maps per layer and head"),
    };
    for (size_t i = 0; i < views_.size(); ++i) {
        AnalysisView* view = views_[i];
        const int index = tabs_->addTab(view, view->title());
        tabs_->setTabToolTip(index, i < size_t(tips.size()) ? tips[int(i)] : view->title());
        connect(view, &AnalysisView::positionClicked, this, &MainWindow::onViewClicked);
    }
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        updateActions();
        if (!applyingState_) markModified();
    });
}

void MainWindow::buildStartPage() {
    startPage_ = new QWidget;
    auto* outer = new QVBoxLayout(startPage_);
    outer->addStretch(1);
    auto* box = new QWidget;
    box->setMaximumWidth(720);
    auto* layout = new QVBoxLayout(box);
    auto* icon = new QLabel;
    icon->setPixmap(QIcon(QStringLiteral(":/icons/powerbert-studio.svg")).pixmap(96, 96));
    icon->setAlignment(Qt::AlignHCenter);
    layout->addWidget(icon);
    startText_ = new QLabel;
    startText_->setWordWrap(true);
    startText_->setTextFormat(Qt::RichText);
    startText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(startText_);
    auto* open = new QPushButton(QStringLiteral("Open model folder…"));
    open->setToolTip(QStringLiteral("Choose a Hugging Face BERT folder (config.json, model.safetensors, vocab.txt) — Ctrl+O"));
    connect(open, &QPushButton::clicked, this, &MainWindow::chooseModelFolder);
    layout->addWidget(open, 0, Qt::AlignHCenter);
    startRecentLayout_ = new QVBoxLayout;
    layout->addLayout(startRecentLayout_);
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(box, 4);
    row->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
}

void MainWindow::buildDocks() {
    sentencePanel_ = new SentencePanel;
    retentionEditor_ = new RetentionEditor;
    summaryPanel_ = new ModelSummaryPanel;

    auto* inputBox = new QWidget;
    auto* inputLayout = new QVBoxLayout(inputBox);
    auto* inputTitle = new QLabel(QStringLiteral("<b>Input</b>"));
    inputLayout->addWidget(inputTitle);
    inputLayout->addWidget(sentencePanel_);
    inputLayout->addSpacing(6);
    inputLayout->addWidget(new QLabel(QStringLiteral("<b>Retention configuration</b>")));
    inputLayout->addWidget(retentionEditor_, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(inputBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    inputBox->setMinimumWidth(360);

    inputDock_ = new QDockWidget(QStringLiteral("Input and retention"), this);
    inputDock_->setObjectName(QStringLiteral("inputDock"));
    inputDock_->setWidget(scroll);
    inputDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                            QDockWidget::DockWidgetClosable);
    inputDock_->setMinimumWidth(390);
    addDockWidget(Qt::LeftDockWidgetArea, inputDock_);

    auto* summaryScroll = new QScrollArea;
    summaryScroll->setWidget(summaryPanel_);
    summaryScroll->setWidgetResizable(true);
    summaryScroll->setFrameShape(QFrame::NoFrame);
    modelDock_ = new QDockWidget(QStringLiteral("Model"), this);
    modelDock_->setObjectName(QStringLiteral("modelDock"));
    modelDock_->setWidget(summaryScroll);
    modelDock_->setMinimumWidth(190);
    addDockWidget(Qt::RightDockWidgetArea, modelDock_);
    resizeDocks({inputDock_, modelDock_}, {410, 215}, Qt::Horizontal);

    connect(sentencePanel_, &SentencePanel::inputChanged, this, &MainWindow::onInputEdited);
    connect(retentionEditor_, &RetentionEditor::planChanged, this, [this](const pb::RetentionPlan& plan) {
        controller_->setPlan(plan);
        if (!applyingState_) markModified();
    });
    connect(retentionEditor_, &RetentionEditor::errorOccurred, this, [this](const QString& m) { reportError(m); });
    retentionHistory_ = new QUndoStack(this);
    connect(retentionEditor_, &RetentionEditor::edited, this,
            [this](const RetentionEditor::State& before, const RetentionEditor::State& after, const QString& description,
                   int key) {
                retentionHistory_->push(new RetentionUndoCommand(retentionEditor_, before, after, description, key));
            });
}

void MainWindow::buildMenus() {
    buildFileMenu();
    buildEditMenu();
    buildViewMenu();
    buildToolsMenu();
    buildHelpMenu();
}

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(QStringLiteral("&File"));
    QAction* open = makeAction(this, QStringLiteral("&Open model folder…"),
                               QStringLiteral("Open a Hugging Face BERT folder (config.json, model.safetensors, vocab.txt)"),
                               QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    file->addAction(open);
    recentMenu_ = file->addMenu(QStringLiteral("&Recent models"));
    recentMenu_->setToolTipsVisible(true);
    file->addSeparator();
    QAction* openSession = makeAction(this, QStringLiteral("Open sess&ion…"),
                                      QStringLiteral("Restore a saved session: model, input, retention, tab, highlight"),
                                      QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(openSession, &QAction::triggered, this, &MainWindow::chooseSessionToOpen);
    file->addAction(openSession);
    saveSessionAction_ = makeAction(this, QStringLiteral("&Save session"), QStringLiteral("Save the session to its file"),
                                    QKeySequence::Save);
    connect(saveSessionAction_, &QAction::triggered, this, &MainWindow::saveSession);
    file->addAction(saveSessionAction_);
    QAction* saveAs = makeAction(this, QStringLiteral("Save session &as…"), QStringLiteral("Save the session to a new file"),
                                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(saveAs, &QAction::triggered, this, &MainWindow::saveSessionAs);
    file->addAction(saveAs);
    file->addSeparator();
    exportImageAction_ = makeAction(this, QStringLiteral("&Export current view (PNG/PDF/SVG)…"),
                                    QStringLiteral("Write the current view as a PNG image, a PDF or an SVG drawing"),
                                    QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportImageAction_, &QAction::triggered, this, &MainWindow::exportCurrentView);
    file->addAction(exportImageAction_);
    exportCsvAction_ = makeAction(this, QStringLiteral("Export view &data (CSV)…"),
                                  QStringLiteral("Write the numbers behind the current view as CSV"),
                                  QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(exportCsvAction_, &QAction::triggered, this, &MainWindow::exportCurrentViewData);
    file->addAction(exportCsvAction_);
    exportJsonAction_ = makeAction(this, QStringLiteral("Export analysis &JSON…"),
                                   QStringLiteral("Write the whole analysis as JSON (the schema of `powerbert analyze --json`)"),
                                   QKeySequence(Qt::CTRL | Qt::Key_J));
    connect(exportJsonAction_, &QAction::triggered, this, &MainWindow::exportAnalysisJson);
    file->addAction(exportJsonAction_);
    exportAllAction_ = makeAction(this, QStringLiteral("Export a&ll views…"),
                                  QStringLiteral("Write every view as PNG, PDF, SVG and CSV, and the analysis as JSON, into a folder"),
                                  QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
    connect(exportAllAction_, &QAction::triggered, this, &MainWindow::exportAllViewsToFolder);
    file->addAction(exportAllAction_);
    file->addSeparator();
    QAction* quit = makeAction(this, QStringLiteral("&Quit"), QStringLiteral("Quit (asks about unsaved session changes)"),
                               QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    file->addAction(quit);
    file->setToolTipsVisible(true);
}

void MainWindow::buildEditMenu() {
    QMenu* edit = menuBar()->addMenu(QStringLiteral("&Edit"));
    // The sentence field keeps its own Ctrl+Z while it has the focus (Qt gives it the shortcut first).
    QAction* undo = retentionHistory_->createUndoAction(this, QStringLiteral("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setToolTip(QStringLiteral("Undo the last change of the retention configuration or strategy"));
    edit->addAction(undo);
    QAction* redo = retentionHistory_->createRedoAction(this, QStringLiteral("Re&do"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setToolTip(QStringLiteral("Redo the retention edit just undone"));
    edit->addAction(redo);
    edit->addSeparator();
    copyPlotAction_ = makeAction(this, QStringLiteral("&Copy plot to clipboard"),
                                 QStringLiteral("Copy the current view as an image"),
                                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(copyPlotAction_, &QAction::triggered, this, &MainWindow::copyPlotToClipboard);
    edit->addAction(copyPlotAction_);
    QAction* focusSentence = makeAction(this, QStringLiteral("Edit &sentence"), QStringLiteral("Move the focus to the sentence"),
                                        QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(focusSentence, &QAction::triggered, this, [this] {
        inputDock_->show();
        sentencePanel_->sentenceEdit()->setFocus();
        sentencePanel_->sentenceEdit()->selectAll();
    });
    edit->addAction(focusSentence);
    QAction* rerun = makeAction(this, QStringLiteral("&Re-run analysis"), QStringLiteral("Analyse the current input again"),
                                QKeySequence::Refresh);
    connect(rerun, &QAction::triggered, controller_, &AnalysisController::analyzeNow);
    edit->addAction(rerun);
    edit->setToolTipsVisible(true);
}

void MainWindow::buildViewMenu() {
    viewMenu_ = menuBar()->addMenu(QStringLiteral("&View"));
    for (size_t i = 0; i < views_.size(); ++i) {
        QAction* show = makeAction(this, views_[i]->title(), QStringLiteral("Show the %1 view").arg(views_[i]->title()),
                                   i < 9 ? QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + int(i))) : QKeySequence());
        connect(show, &QAction::triggered, this, [this, i] { tabs_->setCurrentIndex(int(i)); });
        viewMenu_->addAction(show);
    }
    viewMenu_->addSeparator();
    QAction* inputToggle = inputDock_->toggleViewAction();
    inputToggle->setToolTip(QStringLiteral("Show or hide the input and retention dock"));
    viewMenu_->addAction(inputToggle);
    QAction* modelToggle = modelDock_->toggleViewAction();
    modelToggle->setToolTip(QStringLiteral("Show or hide the model summary dock"));
    viewMenu_->addAction(modelToggle);
    viewMenu_->addSeparator();
    darkPaletteAction_ = makeAction(this, QStringLiteral("&Dark palette"), QStringLiteral("Switch between the light and the dark palette"),
                                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    darkPaletteAction_->setCheckable(true);
    connect(darkPaletteAction_, &QAction::toggled, this, &MainWindow::setDarkPalette);
    viewMenu_->addAction(darkPaletteAction_);
    viewMenu_->setToolTipsVisible(true);
}

void MainWindow::buildToolsMenu() {
    QMenu* tools = menuBar()->addMenu(QStringLiteral("&Tools"));
    QAction* search = makeAction(this, QStringLiteral("&Find a retention configuration…"),
                                 QStringLiteral("Learn a configuration for the current (fine-tuned) model on a task's "
                                                "data: PoWER-BERT's search step with live plots"),
                                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(search, &QAction::triggered, this, &MainWindow::openSearchWindow);
    tools->addAction(search);
    tools->setToolTipsVisible(true);
}

void MainWindow::buildHelpMenu() {
    QMenu* help = menuBar()->addMenu(QStringLiteral("&Help"));
    QAction* keys = makeAction(this, QStringLiteral("&Keyboard shortcuts"), QStringLiteral("Every shortcut of the menus"));
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    help->addAction(keys);
    QAction* about = makeAction(this, QStringLiteral("&About PoWER-BERT Studio"),
                                QStringLiteral("Versions of the application, Qt, Eigen and QCustomPlot"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    help->addAction(about);
    QAction* aboutQt = makeAction(this, QStringLiteral("About &Qt"), QStringLiteral("Qt's own about box"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
    help->addAction(aboutQt);
    help->setToolTipsVisible(true);
}

// The Dataset panel floats as a window of its own at first (its plots need room) and docks like
// the others; View > Dataset panel (Ctrl+D) shows it. A clicked disagreement becomes the input.
void MainWindow::buildDatasetDock() {
    datasetPanel_ = new DatasetPanel;
    datasetPanel_->followRetentionEditor(retentionEditor_);
    datasetDock_ = new QDockWidget(QStringLiteral("Dataset"), this);
    datasetDock_->setObjectName(QStringLiteral("datasetDock"));
    datasetDock_->setWidget(datasetPanel_);
    addDockWidget(Qt::BottomDockWidgetArea, datasetDock_);
    datasetDock_->setFloating(true);
    datasetDock_->resize(1280, 860);
    datasetDock_->hide();
    QAction* toggle = datasetDock_->toggleViewAction();
    toggle->setText(QStringLiteral("D&ataset panel"));
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    toggle->setToolTip(QStringLiteral("Evaluate a GLUE file and run the paper's experiments (Ctrl+D)"));
    viewMenu_->insertAction(darkPaletteAction_, toggle);
    connect(controller_, &AnalysisController::modelLoaded, datasetPanel_, &DatasetPanel::setModel);
    connect(datasetPanel_, &DatasetPanel::exampleRequested, this, [this](const QString& text, const std::optional<QString>& pair) {
        sentencePanel_->setInput(text, pair);
        inputDock_->show();
    });
}

void MainWindow::buildStatusBar() {
    auto makeLabel = [this](const QString& tip) {
        auto* label = new QLabel;
        label->setToolTip(tip);
        label->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(label);
        return label;
    };
    busyBar_ = new QProgressBar;
    busyBar_->setRange(0, 0);
    busyBar_->setMaximumWidth(110);
    busyBar_->setMaximumHeight(14);
    busyBar_->setTextVisible(false);
    busyBar_->setToolTip(QStringLiteral("Working on a background thread (the window stays responsive)"));
    QSizePolicy keepSpace = busyBar_->sizePolicy();
    keepSpace.setRetainSizeWhenHidden(true);  // the labels beside it do not jump when it shows
    busyBar_->setSizePolicy(keepSpace);
    busyBar_->hide();
    statusBar()->addPermanentWidget(busyBar_);
    tokensLabel_ = makeLabel(QStringLiteral("Tokens of the input, [CLS] and [SEP] included"));
    keptLabel_ = makeLabel(QStringLiteral("Word vectors leaving the encoder layers, summed over layers: PoWER-BERT of the full model"));
    ratioLabel_ = makeLabel(QStringLiteral("Multiply-adds of the full model divided by those of PoWER-BERT on this input"));
    timeLabel_ = makeLabel(QStringLiteral("Wall time of the last analysis (full model + PoWER-BERT) on the worker thread"));
}

void MainWindow::connectController() {
    connect(controller_, &AnalysisController::modelLoadStarted, this, [this](const QString& folder) {
        loadingFolder_ = folder;
        busyBar_->show();
        statusBar()->showMessage(QStringLiteral("Loading %1…").arg(folder));
        updateStartPage();
    });
    connect(controller_, &AnalysisController::modelLoaded, this, [this] { onModelLoaded(); });
    connect(controller_, &AnalysisController::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    connect(controller_, &AnalysisController::analysisReady, this, &MainWindow::onAnalysisReady);
    connect(controller_, &AnalysisController::failed, this, [this](const QString& message) {
        reportError(QStringLiteral("Analysis failed: %1").arg(message), false);
    });
    // The busy bar appears only for work that takes a noticeable time (a model load, a long input):
    // analyses of a few milliseconds on every keystroke would make it flicker.
    auto* busyDelay = new QTimer(this);
    busyDelay->setSingleShot(true);
    busyDelay->setInterval(150);
    connect(busyDelay, &QTimer::timeout, this, [this] { busyBar_->setVisible(controller_->isLoadingModel() || controller_->isAnalysing()); });
    connect(controller_, &AnalysisController::busyChanged, this, [this, busyDelay](bool busy) {
        if (busy) {
            if (controller_->isLoadingModel()) busyBar_->show();
            else busyDelay->start();
        } else {
            busyDelay->stop();
            busyBar_->hide();
        }
    });
}

AnalysisView* MainWindow::currentView() const { return qobject_cast<AnalysisView*>(tabs_->currentWidget()); }

bool MainWindow::isStartPageShown() const { return central_->currentWidget() == startPage_; }

// ---- input, model, analysis ----

void MainWindow::onInputEdited() {
    controller_->setInput(sentencePanel_->text(), sentencePanel_->pair());
    updateTokenInfo();
    if (!applyingState_) markModified();
}

void MainWindow::updateTokenInfo() {
    if (!controller_->model()) {
        sentencePanel_->setTokenInfo(QString());
        return;
    }
    const int n = controller_->tokenCount();
    retentionEditor_->setSentenceLength(n);
    QString info = QStringLiteral("%1 tokens").arg(n);
    const auto pair = sentencePanel_->pair();
    const bool blank = sentencePanel_->text().trimmed().isEmpty() && (!pair || pair->trimmed().isEmpty());
    if (!controller_->hasWordPieces() && !blank)
        info += QStringLiteral(" — no word pieces (only characters the tokenizer drops): nothing to analyse");
    if (controller_->tokenCountTruncated())
        info += QStringLiteral(" — truncated to the model's limit of %1").arg(controller_->model()->max_tokens);
    sentencePanel_->setTokenInfo(info);
}

void MainWindow::openModelFolder(const QString& folder) {
    controller_->loadModel(QFileInfo(folder).absoluteFilePath());
}

void MainWindow::onModelLoaded() {
    StateGuard guard(applyingState_);
    const auto model = controller_->model();
    loadingFolder_.clear();
    summaryPanel_->setModel(model);
    retentionHistory_->clear();  // its states belong to the previous model's layers
    if (model) {
        retentionEditor_->setSentenceLength(controller_->tokenCount());
        retentionEditor_->setModelConfig(model->model.config, model->retention);
        // A folder's own retention.json is the configuration it was re-trained for: start there (a
        // session being opened sets its own).
        if (model->retention && !pendingSession_) retentionEditor_->applyModelRetention();
        controller_->setPlan(retentionEditor_->plan());
        addRecentModel(controller_->modelPath());
        statusBar()->showMessage(QStringLiteral("Loaded %1").arg(controller_->modelPath()), 4000);
    } else {
        retentionEditor_->clearModel();
    }
    updateTokenInfo();
    if (pendingSession_) {
        const SessionState state = *pendingSession_;
        const QString path = pendingSessionPath_;
        pendingSession_.reset();
        applySessionState(state, path);
    } else if (!sessionPath_.isEmpty()) {
        modified_ = true;  // the model is part of the open session
    }
    updateStartPage();
    updateActions();
    updateTitle();
}

void MainWindow::onModelLoadFailed(const QString& folder, const QString& message) {
    loadingFolder_.clear();
    QString text = QStringLiteral("Cannot open the model folder %1:\n%2").arg(folder, message);
    if (pendingSession_) {
        text = QStringLiteral("Cannot open the session %1: its model could not be loaded.\n%2").arg(pendingSessionPath_, message);
        pendingSession_.reset();
    }
    if (controller_->model()) text += QStringLiteral("\n\nStill using %1.").arg(controller_->modelPath());
    updateStartPage();
    reportError(text);
}

void MainWindow::onAnalysisReady(std::shared_ptr<const pb::Analysis> analysis) {
    const int tokens = analysis ? static_cast<int>(analysis->encoding.ids.size()) : 0;
    if (highlighted_ >= tokens) highlighted_ = -1;
    for (AnalysisView* view : views_) {
        view->setAnalysis(analysis);
        view->setHighlightedPosition(highlighted_);
    }
    updateStatus(analysis.get());
    updateActions();
    emit viewsUpdated(analysis);
}

void MainWindow::onViewClicked(int position) {
    setHighlightedPosition(position == highlighted_ ? -1 : position);
    markModified();
}

void MainWindow::setHighlightedPosition(int position) {
    highlighted_ = std::max(-1, position);
    for (AnalysisView* view : views_) view->setHighlightedPosition(highlighted_);
}

void MainWindow::updateStatus(const pb::Analysis* a) {
    if (!a) {
        tokensLabel_->setText(controller_->model() ? QStringLiteral("Tokens: %1").arg(controller_->tokenCount())
                                                   : QStringLiteral("No model"));
        keptLabel_->setText(QString());
        ratioLabel_->setText(QString());
        timeLabel_->setText(QString());
        return;
    }
    const pb::Comparison c = pb::compare_runs(a->full, a->power);
    tokensLabel_->setText(QStringLiteral("Tokens: %1%2").arg(a->encoding.ids.size()).arg(a->encoding.truncated ? QStringLiteral(" (truncated)") : QString()));
    QStringList perLayer;
    int64_t kept = 0, all = 0;
    for (const auto& layer : a->power.layers) {
        perLayer << QString::number(layer.alive_out.size());
        kept += static_cast<int64_t>(layer.alive_out.size());
    }
    for (const auto& layer : a->full.layers) all += static_cast<int64_t>(layer.alive_out.size());
    keptLabel_->setText(QStringLiteral("Kept vectors: %1 of %2 (%3%)")
                            .arg(kept)
                            .arg(all)
                            .arg(all > 0 ? 100.0 * double(kept) / double(all) : 100.0, 0, 'f', 0));
    keptLabel_->setToolTip(QStringLiteral("Word vectors leaving each encoder layer under PoWER-BERT: %1\n"
                                          "summed over layers, against the full model's")
                               .arg(perLayer.join(QStringLiteral(", "))));
    ratioLabel_->setText(QStringLiteral("Multiply-adds: %1× fewer").arg(c.multiply_add_ratio, 0, 'f', 2));
    ratioLabel_->setToolTip(QStringLiteral("Full model %1, PoWER-BERT %2 multiply-adds on this input")
                                .arg(formatCount(c.full_multiply_adds), formatCount(c.power_multiply_adds)));
    timeLabel_->setText(QStringLiteral("Analysis: %1").arg(formatDuration(controller_->lastAnalysisSeconds())));
    timeLabel_->setToolTip(QStringLiteral("Full model + PoWER-BERT on a worker thread (full %1, PoWER-BERT %2); "
                                          "model open to first analysis: %3")
                               .arg(formatDuration(a->full.seconds), formatDuration(a->power.seconds),
                                    formatDuration(controller_->firstAnalysisLatency())));
}

QString MainWindow::statusText() const {
    QStringList lines;
    for (QLabel* l : {tokensLabel_, keptLabel_, ratioLabel_, timeLabel_})
        if (!l->text().isEmpty()) lines << l->text();
    return lines.join(QLatin1Char('\n'));
}

// ---- sessions ----

SessionState MainWindow::sessionState() const {
    SessionState s;
    const QString model = controller_->modelPath();
    s.modelPath = model.isEmpty() ? QString() : QFileInfo(model).absoluteFilePath();
    s.sentence = sentencePanel_->text();
    s.pair = sentencePanel_->pair();
    s.strategy = retentionEditor_->strategy();
    s.seed = retentionEditor_->seed();
    s.retention = retentionEditor_->keep();
    if (retentionEditor_->preset() != RetentionEditor::Preset::Custom) {
        s.retentionPreset = RetentionEditor::presetName(retentionEditor_->preset());
        s.presetParameter = retentionEditor_->presetParameter();
    }
    if (AnalysisView* view = currentView()) s.currentTab = view->title();
    s.highlightedPosition = highlighted_;
    return s;
}

bool MainWindow::openSession(const QString& path) {
    SessionState state;
    try {
        state = loadSession(path);
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot open the session:\n%1").arg(QString::fromStdString(e.what())));
        return false;
    }
    if (state.modelPath.isEmpty() || samePath(state.modelPath, controller_->modelPath())) {
        applySessionState(state, path);
        return true;
    }
    if (!QFileInfo(state.modelPath).isDir()) {
        reportError(QStringLiteral("Cannot open the session %1:\nmodel: %2: no such folder").arg(path, state.modelPath));
        return false;
    }
    pendingSession_ = state;
    pendingSessionPath_ = path;
    controller_->loadModel(state.modelPath);
    return true;
}

void MainWindow::applySessionState(const SessionState& state, const QString& path) {
    {
        StateGuard guard(applyingState_);
        sentencePanel_->setInput(state.sentence, state.pair);
        bool known = false;
        RetentionEditor::Preset preset = RetentionEditor::presetFromName(state.retentionPreset, &known);
        if (!known) preset = RetentionEditor::Preset::Custom;
        if (!state.retention.empty() && static_cast<int>(state.retention.size()) != retentionEditor_->numLayers()) {
            reportError(QStringLiteral("%1: retention: has %2 values but the model has %3 layers; the configuration "
                                       "was not restored")
                            .arg(path)
                            .arg(state.retention.size())
                            .arg(retentionEditor_->numLayers()),
                        false);
            retentionEditor_->setStrategy(state.strategy, state.seed);
        } else if (!state.retention.empty()) {
            retentionEditor_->restore(preset, state.presetParameter, state.retention, state.strategy, state.seed);
        } else {
            retentionEditor_->setStrategy(state.strategy, state.seed);
        }
        for (size_t i = 0; i < views_.size(); ++i)
            if (views_[i]->title() == state.currentTab) tabs_->setCurrentIndex(int(i));
        setHighlightedPosition(state.highlightedPosition);
    }
    retentionHistory_->clear();
    controller_->requestAnalysis();
    sessionPath_ = path;
    modified_ = false;
    updateTitle();
    statusBar()->showMessage(QStringLiteral("Opened session %1").arg(path), 4000);
    emit sessionOpened(path);
}

bool MainWindow::saveSessionTo(const QString& path) {
    try {
        pb::ui::saveSession(path, sessionState());
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot save the session:\n%1").arg(QString::fromStdString(e.what())));
        return false;
    }
    sessionPath_ = path;
    modified_ = false;
    updateTitle();
    statusBar()->showMessage(QStringLiteral("Saved session %1").arg(path), 4000);
    return true;
}

bool MainWindow::saveSession() { return sessionPath_.isEmpty() ? saveSessionAs() : saveSessionTo(sessionPath_); }

bool MainWindow::saveSessionAs() {
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Save session"),
                                                sessionPath_.isEmpty() ? QStringLiteral("session.json") : sessionPath_,
                                                QStringLiteral("PoWER-BERT Studio session (*.json)"));
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
    return saveSessionTo(path);
}

void MainWindow::chooseSessionToOpen() {
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open session"), QFileInfo(sessionPath_).path(),
                                                      QStringLiteral("PoWER-BERT Studio session (*.json);;All files (*)"));
    if (!path.isEmpty()) openSession(path);
}

void MainWindow::chooseModelFolder() {
    const QStringList recent = recentModels();
    const QString folder = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Open model folder (config.json, model.safetensors, vocab.txt)"),
        recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.front()).path());
    if (!folder.isEmpty()) openModelFolder(folder);
}

void MainWindow::markModified() {
    if (modified_) return;
    modified_ = true;
    updateTitle();
}

void MainWindow::updateTitle() {
    QString title = QStringLiteral("PoWER-BERT Studio");
    if (controller_->model()) title += QStringLiteral(" — ") + QFileInfo(controller_->modelPath()).fileName();
    if (!sessionPath_.isEmpty()) title += QStringLiteral(" — ") + QFileInfo(sessionPath_).fileName();
    setWindowTitle(title + QStringLiteral("[*]"));
    setWindowModified(modified_);
}

// ---- exports ----

void MainWindow::exportCurrentView() {
    AnalysisView* view = currentView();
    if (!view || !controller_->analysis()) return;
    const QString path = askImageExportPath(this, QStringLiteral("Export %1").arg(view->title()), fileSlug(view->title()));
    if (path.isEmpty()) return;
    try {
        exportViewImage(*view, path);
        rememberExportFolder(path);
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 4000);
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot export the view:\n%1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::exportCurrentViewData() {
    AnalysisView* view = currentView();
    if (!view || !controller_->analysis()) return;
    const QString path = askExportPath(this, QStringLiteral("Export %1 data").arg(view->title()),
                                       fileSlug(view->title()) + QStringLiteral(".csv"), QStringLiteral("CSV table (*.csv)"));
    if (path.isEmpty()) return;
    try {
        exportViewCsv(*view, path);
        rememberExportFolder(path);
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 4000);
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot export the view data:\n%1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::exportAnalysisJson() {
    const auto analysis = controller_->analysis();
    if (!analysis) return;
    const QString path =
        askExportPath(this, QStringLiteral("Export analysis"), QStringLiteral("analysis.json"), QStringLiteral("JSON (*.json)"));
    if (path.isEmpty()) return;
    try {
        pb::ui::exportAnalysisJson(*analysis, path);
        rememberExportFolder(path);
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 4000);
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot export the analysis:\n%1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::exportAllViewsToFolder() {
    const auto analysis = controller_->analysis();
    if (!analysis) return;
    const QString folder = QFileDialog::getExistingDirectory(this, QStringLiteral("Export all views into"), lastExportFolder());
    if (folder.isEmpty()) return;
    try {
        const QStringList written = exportAllViews(views_, *analysis, folder);
        rememberExportFolder(written.back());
        statusBar()->showMessage(QStringLiteral("Wrote %1 files to %2").arg(written.size()).arg(folder), 4000);
    } catch (const pb::Error& e) {
        reportError(QStringLiteral("Cannot export the views:\n%1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::copyPlotToClipboard() {
    AnalysisView* view = currentView();
    if (!view || !controller_->analysis()) return;
    QApplication::clipboard()->setImage(viewImage(*view));
    statusBar()->showMessage(QStringLiteral("Copied %1 to the clipboard").arg(view->title()), 3000);
}

QStringList MainWindow::saveScreenshots(const QString& folder) {
    if (!QDir().mkpath(folder)) throw pb::Error(folder.toStdString() + ": cannot create the folder");
    QStringList written;
    const int original = tabs_->currentIndex();
    {
        StateGuard guard(applyingState_);
        for (int i = 0; i < tabs_->count(); ++i) {
            tabs_->setCurrentIndex(i);
            settleBeforeGrab();
            const QString path = QDir(folder).filePath(QStringLiteral("view-%1-%2.png").arg(i + 1).arg(fileSlug(tabs_->tabText(i))));
            writePngAtomically(path, tabs_->widget(i)->grab());
            written << path;
        }
        tabs_->setCurrentIndex(original);
    }
    settleBeforeGrab();
    const QString path = QDir(folder).filePath(QStringLiteral("window.png"));
    writePngAtomically(path, grab());
    written << path;
    return written;
}

// ---- recent models, start page, palette, about ----

QStringList MainWindow::recentModels() const {
    return QSettings().value(QString::fromLatin1(kRecentSetting)).toStringList();
}

void MainWindow::addRecentModel(const QString& folder) {
    if (folder.isEmpty()) return;
    QStringList recent = recentModels();
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent) recent.removeLast();
    QSettings().setValue(QString::fromLatin1(kRecentSetting), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = recentModels();
    for (int i = 0; i < recent.size(); ++i) {
        const QString folder = recent[i];
        QAction* action = recentMenu_->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(folder));
        action->setToolTip(QStringLiteral("Open %1").arg(folder));
        connect(action, &QAction::triggered, this, [this, folder] { openModelFolder(folder); });
    }
    if (recent.isEmpty()) recentMenu_->addAction(QStringLiteral("(none yet)"))->setEnabled(false);
    recentMenu_->addSeparator();
    QAction* clear = recentMenu_->addAction(QStringLiteral("Clear list"));
    clear->setToolTip(QStringLiteral("Forget the recently opened models"));
    clear->setEnabled(!recent.isEmpty());
    connect(clear, &QAction::triggered, this, [this] {
        QSettings().remove(QString::fromLatin1(kRecentSetting));
        rebuildRecentMenu();
    });

    // The start page lists them too.
    while (QLayoutItem* item = startRecentLayout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    if (!recent.isEmpty()) {
        auto* label = new QLabel(QStringLiteral("Recent models:"));
        label->setAlignment(Qt::AlignHCenter);
        startRecentLayout_->addSpacing(10);
        startRecentLayout_->addWidget(label);
    }
    for (const QString& folder : recent) {
        auto* button = new QPushButton(folder);
        button->setFlat(true);
        button->setToolTip(QStringLiteral("Open %1").arg(folder));
        button->setCursor(Qt::PointingHandCursor);
        connect(button, &QPushButton::clicked, this, [this, folder] { openModelFolder(folder); });
        startRecentLayout_->addWidget(button, 0, Qt::AlignHCenter);
    }
}

void MainWindow::updateStartPage() {
    const bool hasModel = controller_->model() != nullptr;
    central_->setCurrentWidget(hasModel ? static_cast<QWidget*>(tabs_) : startPage_);
    if (hasModel) return;
    QString text = QStringLiteral("<h2 align='center'>PoWER-BERT Studio</h2>");
    if (!loadingFolder_.isEmpty()) {
        text += QStringLiteral("<p align='center'>Loading <code>%1</code>…</p>").arg(loadingFolder_.toHtmlEscaped());
    } else {
        text += QStringLiteral(
            "<p>No model is open. PoWER-BERT Studio needs a Hugging Face BERT folder "
            "(<code>config.json</code>, <code>model.safetensors</code>, <code>vocab.txt</code> or "
            "<code>tokenizer.json</code>).</p>"
            "<ul>"
            "<li><b>File &gt; Open model folder</b> (Ctrl+O), drop a folder onto this window, or start "
            "<code>powerbert-studio MODEL_DIR</code>.</li>"
            "<li>No model at hand? Make an untrained demo model with the real BERT vocabulary:<br>"
            "<code>powerbert make-demo-model --out DIR --vocab resources/vocab/bert-base-uncased.txt</code></li>"
            "<li>The studio opens <code>resources/default-model</code> by itself when it exists.</li>"
            "</ul>");
    }
    startText_->setText(text);
}

void MainWindow::updateActions() {
    const bool analysed = controller_->analysis() != nullptr && currentView() != nullptr;
    exportImageAction_->setEnabled(analysed);
    exportCsvAction_->setEnabled(analysed);
    exportJsonAction_->setEnabled(controller_->analysis() != nullptr);
    exportAllAction_->setEnabled(controller_->analysis() != nullptr);
    copyPlotAction_->setEnabled(analysed);
}

void MainWindow::setDarkPalette(bool dark) {
    applyStudioPalette(dark);
    QSettings().setValue(QString::fromLatin1(kDarkPaletteSetting), dark);
    if (darkPaletteAction_->isChecked() != dark) darkPaletteAction_->setChecked(dark);
}

void MainWindow::showShortcuts() {
    auto* box = new QMessageBox(QMessageBox::NoIcon, QStringLiteral("Keyboard shortcuts"),
                                shortcutTableHtml(menuShortcuts(*menuBar())), QMessageBox::Close, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::RichText);
    box->open();
}

void MainWindow::showAbout() { QMessageBox::about(this, QStringLiteral("About PoWER-BERT Studio"), aboutText()); }

void MainWindow::reportError(const QString& message, bool dialog) {
    lastError_ = message;
    statusBar()->showMessage(QString(message).replace(QLatin1Char('\n'), QLatin1Char(' ')), 10000);
    emit errorReported(message);
    if (dialog && errorDialogs_) {
        auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("PoWER-BERT Studio"), message, QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setTextInteractionFlags(Qt::TextSelectableByMouse);
        box->open();  // window-modal but not blocking: the app (and a test) keeps running
    }
}

// ---- events ----

void MainWindow::closeEvent(QCloseEvent* event) {
    if (modified_) {
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        if (closePrompt_) {
            answer = closePrompt_();
        } else {
            answer = QMessageBox::question(this, QStringLiteral("Unsaved session"),
                                           QStringLiteral("The session has unsaved changes. Save them before quitting?"),
                                           QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        }
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !saveSession())) {
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(QString::fromLatin1(kGeometrySetting), saveGeometry());
    settings.setValue(QString::fromLatin1(kStateSetting), saveState());
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile()) {
        const QFileInfo info(urls.front().toLocalFile());
        if (info.isDir() || info.suffix().compare(QStringLiteral("json"), Qt::CaseInsensitive) == 0) {
            event->acceptProposedAction();
            return;
        }
    }
    event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile()) return;
    const QString path = urls.front().toLocalFile();
    if (QFileInfo(path).isDir()) openModelFolder(path);  // a model folder
    else openSession(path);                               // a session file
    event->acceptProposedAction();
}

void MainWindow::openSearchWindow() {
    if (!searchWindow_) {
        searchWindow_ = new SearchWindow(this);
        connect(searchWindow_, &SearchWindow::configurationApplied, this, [this](const pb::RetentionPlan& plan) {
            if (static_cast<int>(plan.keep.size()) != retentionEditor_->numLayers()) {
                reportError(QStringLiteral("The configuration has %1 layers, the loaded model %2: open the model it "
                                           "was searched on first.").arg(plan.keep.size()).arg(retentionEditor_->numLayers()));
                return;
            }
            retentionEditor_->applyUserEdit(QStringLiteral("searched configuration"), RetentionEditor::kNoMerge, [&] {
                retentionEditor_->setStrategy(plan.strategy, plan.seed);
                retentionEditor_->setKeep(plan.keep);
            });
            inputDock_->show();
            statusBar()->showMessage(QStringLiteral("Searched configuration applied to the retention editor"), 4000);
        });
    }
    if (!searchWindow_->isRunning()) searchWindow_->setModelFolder(controller_->modelPath());
    searchWindow_->show();
    searchWindow_->raise();
    searchWindow_->activateWindow();
}

void MainWindow::changeEvent(QEvent* event) {
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && startText_) updateStartPage();
}

}  // namespace pb::ui
