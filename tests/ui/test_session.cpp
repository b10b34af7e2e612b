// Sessions: the JSON round trip restores every field, in the file and in the main window; a missing
// or corrupt session gives a precise error and leaves the window's state untouched.
#include "small_test_model.h"
#include "core/error.h"
#include "core/seeded_weights.h"
#include "ui/analysis_controller.h"
#include "ui/main_window.h"
#include "ui/retention_editor.h"
#include "ui/sentence_panel.h"
#include "ui/session.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>

namespace fs = std::filesystem;
using pb::ui::MainWindow;
using pb::ui::SessionState;

namespace {

QString makeModel(const QString& dir, uint64_t seed) {
    pb::write_seeded_bert_folder(dir.toStdString(), smallConfig(), seed, pb::DType::F32,
                                 bundledVocab());
    return dir;
}

void writeText(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

SessionState sampleState(const QString& model) {
    SessionState s;
    s.modelPath = model;
    s.sentence = QStringLiteral("The film is a charming, funny and moving piece of work.");
    s.pair = QStringLiteral("It is a très bon film.");
    s.strategy = pb::Strategy::Random;
    s.seed = 12345678901ull;
    s.retention = {20, 11, 7, 2};
    s.retentionPreset = QString();
    s.presetParameter = 0.0;
    s.currentTab = QStringLiteral("Attention");
    s.highlightedPosition = 3;
    return s;
}

QString errorOf(const QString& path) {
    try {
        pb::ui::loadSession(path);
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestSession : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString modelA_, modelB_;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("powerbert-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_session"));
        modelA_ = makeModel(tmp_.filePath(QStringLiteral("model-a")), 1);
        modelB_ = makeModel(tmp_.filePath(QStringLiteral("model-b")), 2);
    }

    void fileRoundTripKeepsEveryField() {
        const SessionState s = sampleState(modelA_);
        const QString path = tmp_.filePath(QStringLiteral("round.json"));
        pb::ui::saveSession(path, s);
        QCOMPARE(pb::ui::loadSession(path), s);

        SessionState t = s;
        t.pair.reset();
        t.strategy = pb::Strategy::Head;
        t.seed = 0;
        t.retentionPreset = pb::ui::RetentionEditor::presetName(pb::ui::RetentionEditor::Preset::KeepFraction);
        t.presetParameter = 0.65;
        t.highlightedPosition = -1;
        pb::ui::saveSession(path, t);  // replaces the file atomically
        QCOMPARE(pb::ui::loadSession(path), t);
        const auto entries = QDir(tmp_.path()).entryList(QStringList{QStringLiteral("*round*")}, QDir::Files | QDir::Hidden);
        QCOMPARE(entries, QStringList{QStringLiteral("round.json")});

        const auto j = pb::ui::sessionToJson(t);
        QCOMPARE(QString::fromStdString(j.at("schema").get<std::string>()), QString::fromLatin1(pb::ui::kSessionSchema));
        QVERIFY(j.at("pair").is_null());
    }

    void corruptFilesGivePreciseErrors() {
        const QString missing = tmp_.filePath(QStringLiteral("missing.json"));
        QCOMPARE(errorOf(missing), missing + QStringLiteral(": no such file"));

        const QString notJson = tmp_.filePath(QStringLiteral("not-json.json"));
        writeText(notJson, "{\"schema\": \"powerbert-studio-session/1\", \"model\": ");
        QVERIFY2(errorOf(notJson).startsWith(notJson + QStringLiteral(": not valid JSON")), qPrintable(errorOf(notJson)));

        auto json = pb::ui::sessionToJson(sampleState(modelA_));
        const QString badSeed = tmp_.filePath(QStringLiteral("bad-seed.json"));
        auto j = json;
        j["seed"] = "seven";
        writeText(badSeed, QByteArray::fromStdString(j.dump()));
        QCOMPARE(errorOf(badSeed), badSeed + QStringLiteral(": seed: must be a non-negative integer, not \"seven\""));

        const QString badRetention = tmp_.filePath(QStringLiteral("bad-retention.json"));
        j = json;
        j["retention"] = {4, 6, 2};
        writeText(badRetention, QByteArray::fromStdString(j.dump()));
        QVERIFY2(errorOf(badRetention).contains(QStringLiteral("non-increasing")), qPrintable(errorOf(badRetention)));

        const QString noSentence = tmp_.filePath(QStringLiteral("no-sentence.json"));
        j = json;
        j.erase("sentence");
        writeText(noSentence, QByteArray::fromStdString(j.dump()));
        QCOMPARE(errorOf(noSentence), noSentence + QStringLiteral(": sentence: missing"));

        const QString badStrategy = tmp_.filePath(QStringLiteral("bad-strategy.json"));
        j = json;
        j["strategy"] = "best";
        writeText(badStrategy, QByteArray::fromStdString(j.dump()));
        QVERIFY(errorOf(badStrategy).startsWith(badStrategy + QStringLiteral(": strategy: ")));

        const QString wrongSchema = tmp_.filePath(QStringLiteral("wrong-schema.json"));
        writeText(wrongSchema, R"({"schema": "powerbert-analysis/1"})");
        QVERIFY(errorOf(wrongSchema).startsWith(wrongSchema + QStringLiteral(": schema: expected")));
    }

    void windowRoundTripRestoresEveryField() {
        MainWindow window;
        window.setErrorDialogsEnabled(false);
        window.show();
        QSignalSpy ready(window.controller(), &pb::ui::AnalysisController::analysisReady);
        window.openModelFolder(modelA_);
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->analysis() != nullptr, 10000);

        // A state touching every field.
        window.sentencePanel()->setInput(QStringLiteral("a cat sat on the mat and looked at the dog"),
                                         QStringLiteral("the dog did not care"));
        window.retentionEditor()->setStrategy(pb::Strategy::Random, 99);
        window.retentionEditor()->setKeep({12, 9, 4, 2});
        window.tabs()->setCurrentIndex(2);
        window.setHighlightedPosition(5);
        QVERIFY(window.isSessionModified());
        const SessionState saved = window.sessionState();
        QCOMPARE(saved.retention, (std::vector<int>{12, 9, 4, 2}));
        QCOMPARE(saved.seed, uint64_t(99));
        QCOMPARE(saved.highlightedPosition, 5);

        const QString path = tmp_.filePath(QStringLiteral("window.json"));
        QVERIFY(window.saveSessionTo(path));
        QVERIFY(!window.isSessionModified());

        // Change everything, then open the session again.
        window.sentencePanel()->setInput(QStringLiteral("something else entirely"), std::nullopt);
        window.retentionEditor()->setStrategy(pb::Strategy::Head, 0);
        window.retentionEditor()->applyFullModel();
        window.tabs()->setCurrentIndex(0);
        window.setHighlightedPosition(-1);
        QVERIFY(window.sessionState() != saved);
        QVERIFY(window.openSession(path));
        QCOMPARE(window.sessionState(), saved);
        QVERIFY(!window.isSessionModified());
        QCOMPARE(window.sessionPath(), path);
        // ...and the analysis follows the restored state.
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->analysis() &&
                                     window.controller()->analysis()->pair.value_or("") == "the dog did not care" &&
                                     window.controller()->analysis()->plan.keep == saved.retention,
                                 10000);

        // A preset is restored as a preset.
        window.retentionEditor()->applyKeepFraction(0.6);
        const SessionState presetState = window.sessionState();
        QVERIFY(!presetState.retentionPreset.isEmpty());
        QVERIFY(window.saveSessionTo(path));
        window.retentionEditor()->applyFullModel();
        QVERIFY(window.openSession(path));
        QCOMPARE(window.retentionEditor()->preset(), pb::ui::RetentionEditor::Preset::KeepFraction);
        QCOMPARE(window.retentionEditor()->keepFraction(), 0.6);
        QCOMPARE(window.sessionState(), presetState);
    }

    void sessionOfAnotherModelLoadsIt() {
        MainWindow window;
        window.setErrorDialogsEnabled(false);
        window.openModelFolder(modelA_);
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->analysis() != nullptr, 10000);
        SessionState s = sampleState(QFileInfo(modelB_).absoluteFilePath());
        s.retention = {9, 7, 5, 3};
        const QString path = tmp_.filePath(QStringLiteral("model-b.json"));
        pb::ui::saveSession(path, s);
        QSignalSpy opened(&window, &MainWindow::sessionOpened);
        QVERIFY(window.openSession(path));
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 10000);
        QCOMPARE(window.sessionState(), s);
        QCOMPARE(QFileInfo(window.controller()->modelPath()).canonicalFilePath(), QFileInfo(modelB_).canonicalFilePath());
    }

    void corruptSessionLeavesTheWindowUntouched() {
        MainWindow window;
        window.setErrorDialogsEnabled(false);
        window.openModelFolder(modelA_);
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->analysis() != nullptr, 10000);
        window.sentencePanel()->setInput(QStringLiteral("keep this sentence"), std::nullopt);
        window.retentionEditor()->setKeep({5, 4, 3, 2});
        window.tabs()->setCurrentIndex(1);
        const SessionState before = window.sessionState();
        const bool modified = window.isSessionModified();

        const QString corrupt = tmp_.filePath(QStringLiteral("corrupt.json"));
        writeText(corrupt, "{\"schema\": \"powerbert-studio-session/1\", \"model\": 42}");
        QSignalSpy errors(&window, &MainWindow::errorReported);
        QVERIFY(!window.openSession(corrupt));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(window.lastError().contains(corrupt + QStringLiteral(": model: must be a string")), qPrintable(window.lastError()));
        QCOMPARE(window.sessionState(), before);
        QCOMPARE(window.isSessionModified(), modified);

        QVERIFY(!window.openSession(tmp_.filePath(QStringLiteral("nope.json"))));
        QVERIFY(window.lastError().contains(QStringLiteral("nope.json: no such file")));
        QCOMPARE(window.sessionState(), before);

        // A session whose model folder fails to load: the error names the file, the state stays.
        const QString brokenModel = tmp_.filePath(QStringLiteral("broken-model"));
        QDir().mkpath(brokenModel);
        writeText(brokenModel + QStringLiteral("/config.json"), "{ not json");
        SessionState s = sampleState(brokenModel);
        const QString path = tmp_.filePath(QStringLiteral("broken-model.json"));
        pb::ui::saveSession(path, s);
        QSignalSpy errors2(&window, &MainWindow::errorReported);
        QVERIFY(window.openSession(path));  // accepted; the model loads in the background...
        QTRY_COMPARE_WITH_TIMEOUT(errors2.count(), 1, 10000);  // ...and fails
        QVERIFY2(window.lastError().contains(QStringLiteral("config.json")), qPrintable(window.lastError()));
        QCOMPARE(window.sessionState(), before);
        QCOMPARE(QFileInfo(window.controller()->modelPath()).canonicalFilePath(), QFileInfo(modelA_).canonicalFilePath());
    }
};

QTEST_MAIN(TestSession)
#include "test_session.moc"
