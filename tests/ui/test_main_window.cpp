// The main window end to end on a small seeded model: typing updates every view, editing the
// retention configuration changes the survivors, a bad model folder reports its precise error and
// the previous model stays, stale analyses are dropped, the unsaved-changes prompt works, and
// Edit > Undo / Redo walk the retention edits back and forth.
#include "small_test_model.h"
#include "core/seeded_weights.h"
#include "ui/analysis_controller.h"
#include "ui/analysis_view.h"
#include "ui/main_window.h"
#include "ui/model_summary_panel.h"
#include "ui/plot_export.h"
#include "ui/retention_editor.h"
#include "ui/search_window.h"
#include "ui/sentence_panel.h"
#include "ui/shortcut_table.h"
#include "ui/token_survival_view.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMenuBar>
#include <QFile>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QUrl>
#include <QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using pb::ui::AnalysisController;
using pb::ui::MainWindow;

namespace {

const fs::path kVocab = bundledVocab();

pb::ui::TokenSurvivalView* survivalView(const MainWindow& w) {
    for (auto* view : w.views())
        if (auto* s = qobject_cast<pb::ui::TokenSurvivalView*>(view)) return s;
    return nullptr;
}

// The Edit menu's action whose text starts with `prefix` ("&Undo", "Re&do").
QAction* editAction(const MainWindow& w, const QString& prefix) {
    for (QAction* menu : w.menuBar()->actions()) {
        if (menu->text() != QStringLiteral("&Edit") || !menu->menu()) continue;
        for (QAction* a : menu->menu()->actions())
            if (a->text().startsWith(prefix)) return a;
    }
    return nullptr;
}

int csvRows(const QString& csv) { return int(csv.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size()) - 1; }

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString model_;

    // A window with the model loaded and its first analysis shown.
    std::unique_ptr<MainWindow> openWindow() {
        auto w = std::make_unique<MainWindow>();
        w->setErrorDialogsEnabled(false);
        w->setClosePrompt([] { return QMessageBox::Discard; });
        w->show();
        if (!QTest::qWaitForWindowExposed(w.get())) return nullptr;
        w->openModelFolder(model_);
        if (!QTest::qWaitFor([&] { return w->controller()->analysis() != nullptr; }, 10000)) return nullptr;
        return w;
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("powerbert-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
        QSettings().clear();
        model_ = tmp_.filePath(QStringLiteral("model"));
        pb::write_seeded_bert_folder(model_.toStdString(), smallConfig(), 5, pb::DType::F32, kVocab);
    }

    void startPageUntilAModelIsOpen() {
        MainWindow w;
        w.setErrorDialogsEnabled(false);
        QVERIFY(w.isStartPageShown());
        QVERIFY(w.retentionEditor()->numLayers() == 0);
        QElapsedTimer clock;
        clock.start();
        w.show();
        w.openModelFolder(model_);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->analysis() != nullptr, 10000);
        qInfo("open model -> first analysis shown: %lld ms", static_cast<long long>(clock.elapsed()));
        QVERIFY2(clock.elapsed() < 3000, "startup to the first analysis must be fast on a small model");
        QVERIFY(!w.isStartPageShown());
        QCOMPARE(w.retentionEditor()->numLayers(), 4);
        QVERIFY(w.modelSummary()->summaryText().contains(QStringLiteral("Layers: 4")));
        QVERIFY(w.modelSummary()->summaryText().contains(QStringLiteral("negative, positive")));
        QCOMPARE(w.recentModels().value(0), QFileInfo(model_).absoluteFilePath());
        // The first example sentence is analysed at once.
        QVERIFY(!w.sentencePanel()->text().isEmpty());
        QVERIFY(!w.isSessionModified());
    }

    void aFoldersRetentionJsonIsTheStartingConfiguration() {
        // Without one, the editor starts on keep fraction 0.7 ...
        auto plain = openWindow();
        QVERIFY(plain);
        QCOMPARE(plain->retentionEditor()->preset(), pb::ui::RetentionEditor::Preset::KeepFraction);
        // ... with one, on the configuration the folder was re-trained for.
        const QString searched = tmp_.filePath(QStringLiteral("searched"));
        pb::write_seeded_bert_folder(searched.toStdString(), smallConfig(), 5, pb::DType::F32, kVocab);
        std::ofstream(fs::path(searched.toStdString()) / "retention.json")
            << R"({"retention": [5, 3, 2, 1], "strategy": "rand", "seed": 7})";
        plain->openModelFolder(searched);
        QTRY_VERIFY_WITH_TIMEOUT(plain->modelSummary()->summaryText().contains(QStringLiteral("5,3,2,1")), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(plain->retentionEditor()->preset(), pb::ui::RetentionEditor::Preset::ModelRetention,
                                  10000);
        const pb::RetentionPlan plan = plain->retentionEditor()->plan();
        QCOMPARE(plan.keep, (std::vector<int>{5, 3, 2, 1}));
        QCOMPARE(plan.strategy, pb::Strategy::Random);
        QCOMPARE(plan.seed, uint64_t(7));
    }

    void typingASentenceUpdatesTheViews() {
        auto w = openWindow();
        QVERIFY(w);
        auto* survival = survivalView(*w);
        QVERIFY(survival);
        const QString before = survival->tableCsv();

        QSignalSpy updated(w.get(), &MainWindow::viewsUpdated);
        QPlainTextEdit* edit = w->sentencePanel()->sentenceEdit();
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Delete);
        QTest::keyClicks(edit, QStringLiteral("tiny cats nap"));
        // [CLS] tiny cats nap [SEP]
        const int tokens = int(w->controller()->model()->encode("tiny cats nap").ids.size());
        QCOMPARE(tokens, 5);
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis() && w->controller()->analysis()->text == "tiny cats nap", 10000);
        QTRY_VERIFY(updated.count() >= 1);
        QVERIFY2(w->statusText().contains(QStringLiteral("Tokens: 5")), qPrintable(w->statusText()));
        // Every view got it: the survival table has one row per (input + 4 layers) x 5 tokens.
        QVERIFY(survival->tableCsv() != before);
        QCOMPARE(csvRows(survival->tableCsv()), 5 * 5);
        QVERIFY(survival->tableCsv().contains(QStringLiteral("cats")));
        for (auto* view : w->views()) QVERIFY2(csvRows(view->tableCsv()) > 0, qPrintable(view->title()));
        QCOMPARE(w->retentionEditor()->sentenceLength(), 5);
        QVERIFY(w->isSessionModified());
    }

    void editingTheConfigurationChangesTheSurvivors() {
        auto w = openWindow();
        QVERIFY(w);
        w->sentencePanel()->setInput(QStringLiteral("the film is a charming and moving piece of work"), std::nullopt);
        const int n = w->controller()->tokenCount();
        QVERIFY(n > 8);
        w->retentionEditor()->applyFullModel();
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis() && !w->controller()->analysis()->plan.keep.empty() &&
                                     w->controller()->analysis()->plan.keep.back() == n,
                                 10000);
        QCOMPARE(int(w->controller()->analysis()->power.layers.back().alive_out.size()), n);

        // Through the spin box of the last layer.
        w->retentionEditor()->spinBox(3)->setValue(2);
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis()->power.layers.back().alive_out.size() == 2, 10000);
        // Layers before it were untouched (the rule only lowers later layers).
        QCOMPARE(int(w->controller()->analysis()->power.layers[0].alive_out.size()), n);
        QVERIFY(w->statusText().contains(QStringLiteral("Kept vectors: %1 of %2").arg(3 * n + 2).arg(4 * n)));

        // Through a drag of layer 1 down to 4: every later layer follows.
        w->retentionEditor()->dragPoint(0, 4.0);
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis()->power.layers[0].alive_out.size() == 4, 10000);
        const auto& layers = w->controller()->analysis()->power.layers;
        QCOMPARE(int(layers[1].alive_out.size()), 4);
        QCOMPARE(int(layers[3].alive_out.size()), 2);
        QVERIFY(w->statusText().contains(QStringLiteral("Multiply-adds:")));
        // The full model is untouched by the plan.
        QCOMPARE(int(w->controller()->analysis()->full.layers.back().alive_out.size()), n);
    }

    // Characters the tokenizer drops (zero-width spaces) leave no word piece: nothing is analysed and
    // the token line says why, rather than showing [CLS] and [SEP] alone as an answer.
    void anInputWithoutWordPiecesIsNotAnalysed() {
        auto w = openWindow();
        QVERIFY(w);
        QSignalSpy ready(w->controller(), &AnalysisController::analysisReady);
        w->sentencePanel()->setInput(QStringLiteral("\u200b \u200b"), std::nullopt);
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 10000);
        QVERIFY(ready.last().at(0).value<std::shared_ptr<const pb::Analysis>>() == nullptr);
        QVERIFY(w->controller()->analysis() == nullptr);
        QVERIFY2(w->sentencePanel()->tokenInfo().contains(QStringLiteral("no word pieces")),
                 qPrintable(w->sentencePanel()->tokenInfo()));
        w->sentencePanel()->setInput(QStringLiteral("\u200b fine \u200b"), std::nullopt);
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis() != nullptr, 10000);
        QCOMPARE(w->controller()->analysis()->encoding.tokens, (std::vector<std::string>{"[CLS]", "fine", "[SEP]"}));
        QVERIFY(!w->sentencePanel()->tokenInfo().contains(QStringLiteral("no word pieces")));
    }

    void undoAndRedoWalkTheRetentionEdits() {
        auto w = openWindow();
        QVERIFY(w);
        auto* editor = w->retentionEditor();
        w->sentencePanel()->setInput(QStringLiteral("the film is a charming and moving piece of work"), std::nullopt);
        const int n = w->controller()->tokenCount();
        QVERIFY(n > 8);
        QAction* undo = editAction(*w, QStringLiteral("&Undo"));
        QAction* redo = editAction(*w, QStringLiteral("Re&do"));
        QVERIFY(undo && redo);
        QCOMPARE(undo->shortcut(), QKeySequence(QKeySequence::Undo));
        QVERIFY(!undo->isEnabled());  // opening the model is not an edit
        const pb::ui::RetentionEditor::State start = editor->state();
        QCOMPARE(start.preset, pb::ui::RetentionEditor::Preset::KeepFraction);

        // Two steps of layer 1's spin box are one undo step; then the strategy.
        QVERIFY(start.keep[0] + 2 <= n);
        for (int i = 0; i < 2; ++i) editor->spinBox(0)->stepUp();
        const std::vector<int> stepped = editor->keep();
        QCOMPARE(stepped[0], start.keep[0] + 2);
        const int random = editor->strategyCombo()->findData(int(pb::Strategy::Random));
        editor->strategyCombo()->setCurrentIndex(random);
        emit editor->strategyCombo()->activated(random);
        QCOMPARE(w->retentionHistory()->count(), 2);
        QCOMPARE(undo->text(), QStringLiteral("&Undo strategy Rand-WS (random)"));

        undo->trigger();
        QCOMPARE(editor->strategy(), pb::Strategy::Attention);
        QCOMPARE(editor->keep(), stepped);
        undo->trigger();
        QCOMPARE(editor->state(), start);  // the preset too, not only its values
        QVERIFY(!undo->isEnabled());
        // The analysis follows the undone configuration.
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis()->plan.keep == start.keep, 10000);
        QVERIFY(w->isSessionModified());

        redo->trigger();
        QCOMPARE(editor->keep(), stepped);
        QCOMPARE(editor->preset(), pb::ui::RetentionEditor::Preset::Custom);
        redo->trigger();
        QCOMPARE(editor->strategy(), pb::Strategy::Random);
        QTRY_VERIFY_WITH_TIMEOUT(w->controller()->analysis()->plan.strategy == pb::Strategy::Random, 10000);

        // Ctrl+Z: in the sentence field it undoes the typing; elsewhere the retention edit.
        QPlainTextEdit* sentence = w->sentencePanel()->sentenceEdit();
        w->activateWindow();
        sentence->setFocus();
        sentence->moveCursor(QTextCursor::End);
        QTest::keyClicks(sentence, QStringLiteral(" indeed"));
        QVERIFY(sentence->toPlainText().endsWith(QStringLiteral(" indeed")));
        QTest::keySequence(sentence, QKeySequence::Undo);
        QVERIFY(!sentence->toPlainText().endsWith(QStringLiteral(" indeed")));
        QCOMPARE(editor->strategy(), pb::Strategy::Random);
        w->tabs()->setFocus();
        QTest::keySequence(w->tabs(), QKeySequence::Undo);
        QCOMPARE(editor->strategy(), pb::Strategy::Attention);
        redo->trigger();

        // A configuration applied from the search window is one edit too.
        w->openSearchWindow();
        QVERIFY(w->searchWindow());
        const pb::ui::RetentionEditor::State beforeSearch = editor->state();
        pb::RetentionPlan searched;
        searched.keep = {4, 3, 2, 1};
        emit w->searchWindow()->configurationApplied(searched);
        QCOMPARE(editor->keep(), searched.keep);
        QCOMPARE(editor->strategy(), pb::Strategy::Attention);
        QCOMPARE(undo->text(), QStringLiteral("&Undo searched configuration"));
        undo->trigger();
        QCOMPARE(editor->state(), beforeSearch);
        redo->trigger();
        QCOMPARE(editor->keep(), searched.keep);
        w->searchWindow()->close();

        // Steps that come back to where they began leave nothing to undo.
        const int undoable = w->retentionHistory()->count();
        editor->spinBox(0)->stepDown();
        editor->spinBox(0)->stepUp();
        QCOMPARE(w->retentionHistory()->count(), undoable);

        // A newly opened model starts a new history: the old states have its predecessor's layers.
        w->openModelFolder(model_);
        QTRY_VERIFY_WITH_TIMEOUT(w->retentionHistory()->count() == 0, 10000);
        QVERIFY(!undo->isEnabled());
    }

    // Help > Keyboard shortcuts reads the menus: the documented keys are there, under their menu, and
    // a shortcut added to a menu is listed without anything else changing.
    void shortcutListFollowsTheMenus() {
        MainWindow w;
        auto has = [](const std::vector<pb::ui::ShortcutEntry>& list, const char* menu, const char* action, QKeySequence keys) {
            return std::any_of(list.begin(), list.end(), [&](const pb::ui::ShortcutEntry& e) {
                return e.menu == QLatin1String(menu) && e.action.startsWith(QLatin1String(action)) &&
                       e.keys == keys.toString(QKeySequence::NativeText);
            });
        };
        auto list = pb::ui::menuShortcuts(*w.menuBar());
        QVERIFY(has(list, "File", "Open model folder", QKeySequence::Open));
        QVERIFY(has(list, "Edit", "Undo", QKeySequence::Undo));
        QVERIFY(has(list, "View", "Dataset panel", QKeySequence(Qt::CTRL | Qt::Key_D)));
        QVERIFY(has(list, "Tools", "Find a retention configuration", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F)));
        for (const auto& e : list) QVERIFY2(!e.action.contains(u'&') && !e.keys.isEmpty(), qPrintable(e.action));
        const int before = int(list.size());
        QMenu* help = nullptr;
        for (QAction* a : w.menuBar()->actions())
            if (a->text() == QStringLiteral("&Help")) help = a->menu();
        QVERIFY(help);
        help->addAction(QStringLiteral("&Tips && tricks"))->setShortcut(QKeySequence(Qt::Key_F1));
        list = pb::ui::menuShortcuts(*w.menuBar());
        QCOMPARE(int(list.size()), before + 1);
        QVERIFY(has(list, "Help", "Tips & tricks", QKeySequence(Qt::Key_F1)));
        QVERIFY(pb::ui::shortcutTableHtml(list).contains(QStringLiteral("Tips &amp; tricks")));
    }

    // Alt + a letter must reach one item: no two items of a menu (or two menus) share a mnemonic.
    void menuMnemonicsAreUnique() {
        MainWindow w;
        auto mnemonic = [](const QString& text) {
            for (qsizetype i = 0; i + 1 < text.size(); ++i) {
                if (text[i] != u'&') continue;
                if (text[i + 1] != u'&') return text[i + 1].toLower();
                ++i;  // "&&" is a literal '&'
            }
            return QChar();
        };
        auto check = [&](const QList<QAction*>& actions, const QString& where) {
            QMap<QChar, QString> seen;
            for (QAction* a : actions) {
                const QChar m = mnemonic(a->text());
                if (m.isNull()) continue;
                QVERIFY2(!seen.contains(m), qPrintable(where + ": '" + seen.value(m) + "' and '" + a->text() + "'"));
                seen.insert(m, a->text());
            }
        };
        check(w.menuBar()->actions(), QStringLiteral("menu bar"));
        for (QAction* top : w.menuBar()->actions())
            if (top->menu()) check(top->menu()->actions(), top->text());

        // In the window itself, Alt + a letter is shared by the menu bar and every visible label and button.
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QMap<QChar, QString> seen;
        auto add = [&](const QString& text, const QString& what) {
            const QChar m = mnemonic(text);
            if (m.isNull()) return;
            QVERIFY2(!seen.contains(m), qPrintable(QStringLiteral("Alt+%1: %2 and %3").arg(m).arg(seen.value(m), what)));
            seen.insert(m, what);
        };
        for (QAction* top : w.menuBar()->actions()) add(top->text(), QStringLiteral("menu ") + top->text());
        for (QLabel* label : w.findChildren<QLabel*>())
            if (label->buddy() && label->isVisibleTo(&w) && label->window() == &w) add(label->text(), label->text());
        for (QAbstractButton* button : w.findChildren<QAbstractButton*>())
            if (button->isVisibleTo(&w) && button->window() == &w) add(button->text(), button->text());

        // The same in the search window, a window of its own.
        w.openSearchWindow();
        QWidget* search = w.searchWindow();
        QVERIFY(search);
        seen.clear();
        for (QLabel* label : search->findChildren<QLabel*>())
            if (label->buddy() && label->isVisibleTo(search)) add(label->text(), label->text());
        for (QAbstractButton* button : search->findChildren<QAbstractButton*>())
            if (button->isVisibleTo(search)) add(button->text(), button->text());
        search->close();
    }

    void badFolderReportsTheErrorAndKeepsTheModel() {
        auto w = openWindow();
        QVERIFY(w);
        const QString text = w->sentencePanel()->text();
        const auto analysis = w->controller()->analysis();
        const auto model = w->controller()->model();

        const QString bad = tmp_.filePath(QStringLiteral("broken"));
        QDir().mkpath(bad);
        QFile::copy(model_ + QStringLiteral("/model.safetensors"), bad + QStringLiteral("/model.safetensors"));
        QFile::copy(model_ + QStringLiteral("/vocab.txt"), bad + QStringLiteral("/vocab.txt"));
        {
            QFile config(bad + QStringLiteral("/config.json"));
            QVERIFY(config.open(QIODevice::WriteOnly));
            config.write("{\"hidden_size\": 64, \"num_hidden_layers\": ");
        }
        QSignalSpy errors(w.get(), &MainWindow::errorReported);
        w->openModelFolder(bad);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        const QString message = w->lastError();
        QVERIFY2(message.contains(bad + QStringLiteral("/config.json")), qPrintable(message));
        // The previous model, input and analysis stay.
        QCOMPARE(w->controller()->model(), model);
        QCOMPARE(w->sentencePanel()->text(), text);
        QCOMPARE(w->controller()->analysis(), analysis);
        QVERIFY(!w->isStartPageShown());
        QCOMPARE(w->retentionEditor()->numLayers(), 4);

        // A folder that does not exist at all.
        w->openModelFolder(tmp_.filePath(QStringLiteral("nowhere")));
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, 10000);
        QVERIFY2(w->lastError().contains(QStringLiteral("nowhere")), qPrintable(w->lastError()));
        QCOMPARE(w->controller()->model(), model);
    }

    void clickingATokenHighlightsItEverywhere() {
        auto w = openWindow();
        QVERIFY(w);
        auto* survival = survivalView(*w);
        emit w->views()[1]->positionClicked(2);
        QCOMPARE(w->highlightedPosition(), 2);
        QCOMPARE(survival->canvas()->highlightedPosition(), 2);
        emit survival->positionClicked(2);  // clicking it again clears it
        QCOMPARE(w->highlightedPosition(), -1);
        QCOMPARE(survival->canvas()->highlightedPosition(), -1);
    }

    void staleResultsAreDropped() {
        AnalysisController controller;
        QSignalSpy loaded(&controller, &AnalysisController::modelLoaded);
        QSignalSpy ready(&controller, &AnalysisController::analysisReady);
        controller.loadModel(model_);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(ready.count() >= 1, 10000);  // the (empty) input after the load: nullptr
        QVERIFY(!ready.front().at(0).value<std::shared_ptr<const pb::Analysis>>());
        ready.clear();
        // Many requests without waiting: only the newest one is delivered.
        for (int i = 0; i < 20; ++i) {
            controller.setInput(QStringLiteral("sentence number %1 of the burst").arg(i), std::nullopt);
            controller.analyzeNow();
        }
        QTRY_VERIFY_WITH_TIMEOUT(!controller.isAnalysing(), 10000);
        QTest::qWait(50);
        QCOMPARE(ready.count(), 1);
        const auto delivered = ready.front().at(0).value<std::shared_ptr<const pb::Analysis>>();
        QVERIFY(delivered);
        QCOMPARE(QString::fromStdString(delivered->text), QStringLiteral("sentence number 19 of the burst"));

        // Debounced edits coalesce into one analysis.
        ready.clear();
        for (int i = 0; i < 5; ++i) controller.setInput(QStringLiteral("debounced %1").arg(i), std::nullopt);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 10000);
        QTest::qWait(150);
        QCOMPARE(ready.count(), 1);
    }

    void droppingAFolderOpensIt() {
        MainWindow w;
        w.setErrorDialogsEnabled(false);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(model_)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QTRY_VERIFY_WITH_TIMEOUT(w.controller()->analysis() != nullptr, 10000);
    }

    void unsavedChangesPromptOnClose() {
        auto w = openWindow();
        QVERIFY(w);
        w->sentencePanel()->setInput(QStringLiteral("an edit"), std::nullopt);
        QVERIFY(w->isSessionModified());
        int asked = 0;
        w->setClosePrompt([&] {
            ++asked;
            return QMessageBox::Cancel;
        });
        QVERIFY(!w->close());
        QCOMPARE(asked, 1);
        QVERIFY(w->isVisible());
        w->setClosePrompt([&] {
            ++asked;
            return QMessageBox::Discard;
        });
        QVERIFY(w->close());
        QCOMPARE(asked, 2);
    }

    void everyViewExportsInEveryFormat() {
        auto w = openWindow();
        QVERIFY(w);
        // POWERBERT_KEEP_EXPORTS=DIR keeps the files for a look.
        const QString keep = qEnvironmentVariable("POWERBERT_KEEP_EXPORTS");
        const QString dir = keep.isEmpty() ? tmp_.filePath(QStringLiteral("exports")) : keep;
        QDir().mkpath(dir);
        for (size_t i = 0; i < w->views().size(); ++i) {
            pb::ui::AnalysisView* view = w->views()[i];
            for (const char* suffix : {"png", "pdf", "svg"}) {
                const QString path = dir + QStringLiteral("/view%1.%2").arg(i).arg(QLatin1String(suffix));
                pb::ui::exportViewImage(*view, path);
                QVERIFY2(QFileInfo(path).size() > 500, qPrintable(path));
            }
            QImage image;
            QVERIFY(image.load(dir + QStringLiteral("/view%1.png").arg(i)));
            pb::ui::exportViewCsv(*view, dir + QStringLiteral("/view%1.csv").arg(i));
        }
        // File > Export all views: four files per view and the analysis, each one what the view gives.
        const QString all = tmp_.filePath(QStringLiteral("all/views"));
        const QStringList written = pb::ui::exportAllViews(w->views(), *w->controller()->analysis(), all);
        QCOMPARE(written.size(), 4 * int(w->views().size()) + 1);
        QCOMPARE(QDir(all).entryList(QDir::Files).size(), written.size());
        QVERIFY(written.contains(all + QStringLiteral("/1-token-survival.pdf")));
        for (size_t i = 0; i < w->views().size(); ++i) {
            const QString stem = written[int(4 * i)].chopped(3);
            QFile pdf(stem + QStringLiteral("pdf")), svg(stem + QStringLiteral("svg")), csv(stem + QStringLiteral("csv"));
            QVERIFY(pdf.open(QIODevice::ReadOnly) && svg.open(QIODevice::ReadOnly) && csv.open(QIODevice::ReadOnly));
            QVERIFY(pdf.read(5) == "%PDF-");
            QVERIFY(svg.readAll().contains("<svg"));
            QCOMPARE(QString::fromUtf8(csv.readAll()).trimmed(), w->views()[i]->tableCsv().trimmed());
            QImage png;
            QVERIFY(png.load(stem + QStringLiteral("png")));
        }
        QFile json(all + QStringLiteral("/analysis.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QVERIFY(json.readAll().contains("\"schema\": \"powerbert-analysis/1\""));
        QVERIFY(!w->saveScreenshots(tmp_.filePath(QStringLiteral("shots"))).isEmpty());
        QCOMPARE(QDir(tmp_.filePath(QStringLiteral("shots"))).entryList(QDir::Files).size(), int(w->views().size()) + 1);
    }

    void paletteToggleIsPersisted() {
        MainWindow w;
        w.setDarkPalette(true);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 128);
        QVERIFY(QSettings().value(QStringLiteral("view/darkPalette")).toBool());
        w.setDarkPalette(false);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() >= 128);
        QVERIFY(!QSettings().value(QStringLiteral("view/darkPalette")).toBool());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
