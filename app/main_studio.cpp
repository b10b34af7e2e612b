// powerbert-studio: the Qt GUI. Argument parsing and wiring only; everything else lives in ui/.
//   powerbert-studio [MODEL_DIR] [--model DIR] [--session FILE] [--screenshot DIR] [--dataset FILE]
//                    [--dataset-screenshot DIR]
#include "app/openmp_spin.h"
#include "core/analysis.h"
#include "core/version.h"
#include "ui/about_text.h"
#include "ui/analysis_controller.h"
#include "ui/dataset_ablation_plot.h"
#include "ui/dataset_panel.h"
#include "ui/default_model_search.h"
#include "ui/main_window.h"
#include "ui/retention_editor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QIcon>
#include <QStyleFactory>
#include <QTimer>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <variant>
#include <vector>

namespace {

const char* kUsage =
    "Usage: powerbert-studio [MODEL_DIR] [--model DIR] [--session FILE] [--screenshot DIR]\n"
    "                        [--dataset FILE [--dataset-screenshot DIR]]\n"
    "\n"
    "PoWER-BERT Studio: see and tune PoWER-BERT's word-vector elimination on a BERT model.\n"
    "\n"
    "  MODEL_DIR, --model DIR  a Hugging Face BERT folder (config.json, model.safetensors, vocab.txt);\n"
    "                          default: resources/default-model when it exists, else a start page\n"
    "  --session FILE          open a saved session (its model, input, retention, tab, highlight)\n"
    "  --screenshot DIR        analyse the first example sentence (the model's retention.json, else keep\n"
    "                          fraction 0.7), write one PNG per view and window.png into DIR, then exit\n"
    "                          (use under xvfb-run)\n"
    "  --dataset FILE          open the Dataset panel on this GLUE .tsv file\n"
    "  --dataset-screenshot DIR  with --dataset: run every dataset analysis (the model's retention.json\n"
    "                          when it has one, else keep fraction 0.7), write the panel's PNGs into DIR, exit\n"
    "                          (the ablation plot zoomed in on the differences)\n"
    "  -h, --help              this text\n"
    "  --version               the version\n";

bool hasArgument(int argc, char** argv, const char* a, const char* b = nullptr) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], a) == 0 || (b && std::strcmp(argv[i], b) == 0)) return true;
    return false;
}

bool displayAvailable(int argc, char** argv) {
    auto set = [](const char* name) {
        const char* v = std::getenv(name);
        return v && *v;
    };
    return set("QT_QPA_PLATFORM") || set("DISPLAY") || set("WAYLAND_DISPLAY") || hasArgument(argc, argv, "-platform");
}

// --dataset-screenshot: once the model is analysed, every dataset analysis in turn, then the PNGs.
void runDatasetScreenshots(pb::ui::MainWindow& window, const QString& folder) {
    auto started = std::make_shared<bool>(false);
    pb::ui::DatasetPanel* panel = window.datasetPanel();
    // The strategies' differences are small next to their values: the picture shows them zoomed.
    if (auto* ablation = qobject_cast<pb::ui::DatasetAblationPlot*>(panel->view(pb::ui::DatasetAnalysis::Ablation)))
        ablation->setZoomed(true);
    QObject::connect(&window, &pb::ui::MainWindow::viewsUpdated, panel, [&window, panel, started](auto analysis) {
        if (!analysis || *started) return;
        *started = true;
        if (!panel->runAll()) {
            std::cerr << "powerbert-studio: --dataset-screenshot: " << panel->statusText().toStdString() << '\n';
            QApplication::exit(2);
        }
    });
    QObject::connect(panel, &pb::ui::DatasetPanel::runFinished, panel, [panel](pb::ui::DatasetAnalysis analysis) {
        std::cerr << "powerbert-studio: " << pb::ui::datasetAnalysisName(analysis).toStdString() << ": "
                  << panel->statusText().toStdString() << '\n';
    });
    QObject::connect(panel, &pb::ui::DatasetPanel::runFailed, panel, [](const QString& message) {
        std::cerr << "powerbert-studio: --dataset-screenshot: " << message.toStdString() << '\n';
        QApplication::exit(1);
    });
    QObject::connect(panel, &pb::ui::DatasetPanel::sequenceFinished, panel, [panel, folder] {
        try {
            for (const QString& file : panel->saveScreenshots(folder)) std::cout << file.toStdString() << '\n';
            QApplication::exit(0);
        } catch (const std::exception& e) {
            std::cerr << "powerbert-studio: " << e.what() << '\n';
            QApplication::exit(1);
        }
    });
}

// Exits before Qt starts: --help, --version, or no display (the message points to xvfb-run and the CLI).
std::optional<int> exitBeforeQt(int argc, char** argv) {
    if (hasArgument(argc, argv, "-h", "--help")) {
        std::cout << kUsage;
        return 0;
    }
    if (hasArgument(argc, argv, "--version")) {
        std::cout << "powerbert-studio " << pb::version() << '\n';
        return 0;
    }
    if (!displayAvailable(argc, argv)) {
        std::cerr << "powerbert-studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset, and so is "
                     "QT_QPA_PLATFORM).\n"
                     "  Run it under a virtual display:  xvfb-run -a powerbert-studio [MODEL_DIR]\n"
                     "  or use the command line:         powerbert analyze --model DIR --text \"...\" --keep-fraction 0.7\n"
                     "  (screenshots without a display:  QT_QPA_PLATFORM=offscreen powerbert-studio DIR --screenshot OUT)\n";
        return 3;
    }
    return std::nullopt;
}

// Qt takes "-session"/"--session" for X11 session management: ours is taken out of argv before it does.
// Returns the session file; `qtArgs` gets the rest, null-terminated.
QString takeSessionArgument(int argc, char** argv, std::vector<char*>& qtArgs) {
    QString session;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--session") == 0 && i + 1 < argc)
            session = QString::fromLocal8Bit(argv[++i]);
        else if (std::strncmp(argv[i], "--session=", 10) == 0)
            session = QString::fromLocal8Bit(argv[i] + 10);
        else
            qtArgs.push_back(argv[i]);
    }
    qtArgs.push_back(nullptr);
    return session;
}

struct StudioOptions {
    QString model;
    QString screenshotDir;  // --screenshot
    QString dataset;        // --dataset
    QString datasetShotDir; // --dataset-screenshot
};

// The options after Qt's own; an exit code with the usage on a bad command line.
std::variant<StudioOptions, int> parseOptions() {
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("MODEL_DIR"), QStringLiteral("Hugging Face BERT folder"));
    const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Hugging Face BERT folder"), QStringLiteral("DIR"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"), QStringLiteral("Write screenshots into DIR and exit"),
                                              QStringLiteral("DIR"));
    const QCommandLineOption datasetOption(QStringLiteral("dataset"), QStringLiteral("Open the Dataset panel on FILE"),
                                           QStringLiteral("FILE"));
    const QCommandLineOption datasetShotOption(QStringLiteral("dataset-screenshot"),
                                               QStringLiteral("Run every dataset analysis, write PNGs into DIR and exit"),
                                               QStringLiteral("DIR"));
    parser.addOptions({modelOption, screenshotOption, datasetOption, datasetShotOption});
    if (!parser.parse(QApplication::arguments())) {
        std::cerr << "powerbert-studio: " << parser.errorText().toStdString() << "\n\n" << kUsage;
        return 2;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::cerr << "powerbert-studio: one MODEL_DIR at most, got " << positional.size() << "\n\n" << kUsage;
        return 2;
    }
    for (const QCommandLineOption* option : {&screenshotOption, &datasetOption, &datasetShotOption})
        if (parser.isSet(*option) && parser.value(*option).isEmpty()) {
            std::cerr << "powerbert-studio: --" << option->names().front().toStdString() << " needs a non-empty value\n\n"
                      << kUsage;
            return 2;
        }
    if (parser.isSet(datasetShotOption) && !parser.isSet(datasetOption)) {
        std::cerr << "powerbert-studio: --dataset-screenshot needs --dataset FILE\n\n" << kUsage;
        return 2;
    }
    return StudioOptions{parser.isSet(modelOption) ? parser.value(modelOption) : positional.value(0),
                         parser.value(screenshotOption), parser.value(datasetOption), parser.value(datasetShotOption)};
}

// --screenshot: once the first analysis is shown, the PNGs, then exit; give up after 60 s.
void runScreenshots(pb::ui::MainWindow& window, const QString& folder) {
    window.setErrorDialogsEnabled(false);
    window.resize(1560, 960);
    QObject::connect(&window, &pb::ui::MainWindow::errorReported, [](const QString& message) {
        std::cerr << "powerbert-studio: " << message.toStdString() << '\n';
    });
    QObject::connect(window.controller(), &pb::ui::AnalysisController::modelLoadFailed, qApp, [] { QApplication::exit(2); });
    auto done = std::make_shared<bool>(false);
    QObject::connect(&window, &pb::ui::MainWindow::viewsUpdated, qApp,
                     [&window, folder, done](std::shared_ptr<const pb::Analysis> analysis) {
                         if (!analysis || *done) return;
                         *done = true;
                         std::cerr << "powerbert-studio: first analysis " << int(window.controller()->firstAnalysisLatency() * 1000)
                                   << " ms after the model load request\n";
                         QTimer::singleShot(400, &window, [&window, folder] {
                             try {
                                 for (const QString& file : window.saveScreenshots(folder))
                                     std::cout << file.toStdString() << '\n';
                                 QApplication::exit(0);
                             } catch (const std::exception& e) {
                                 std::cerr << "powerbert-studio: " << e.what() << '\n';
                                 QApplication::exit(1);
                             }
                         });
                     });
    QTimer::singleShot(60000, qApp, [] {
        std::cerr << "powerbert-studio: --screenshot: no analysis after 60 s\n";
        QApplication::exit(1);
    });
}

void openDataset(pb::ui::MainWindow& window, const StudioOptions& options) {
    if (options.dataset.isEmpty()) return;
    window.datasetPanel()->setDataFile(options.dataset);
    window.datasetDock()->show();
    if (options.datasetShotDir.isEmpty()) return;
    window.setErrorDialogsEnabled(false);
    window.datasetDock()->setFloating(true);
    window.datasetDock()->resize(1400, 900);
    runDatasetScreenshots(window, options.datasetShotDir);
}

}  // namespace

int main(int argc, char** argv) {
    restart_with_short_openmp_spin(argv);
    if (const auto code = exitBeforeQt(argc, argv)) return *code;

    std::vector<char*> qtArgs;
    const QString session = takeSessionArgument(argc, argv, qtArgs);
    int qtArgc = static_cast<int>(qtArgs.size()) - 1;
    QApplication app(qtArgc, qtArgs.data());
    QApplication::setApplicationName(QStringLiteral("PoWER-BERT Studio"));
    QApplication::setOrganizationName(QStringLiteral("powerbert"));
    QApplication::setApplicationVersion(QString::fromLatin1(pb::version()));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    const auto parsed = parseOptions();
    if (const int* code = std::get_if<int>(&parsed)) return *code;
    StudioOptions options = std::get<StudioOptions>(parsed);
    if (options.model.isEmpty() && session.isEmpty())
        options.model = pb::ui::findDefaultModel(QApplication::applicationDirPath());

    pb::ui::MainWindow window;
    const bool screenshots = !options.screenshotDir.isEmpty();
    if (screenshots) {
        if (options.model.isEmpty() && session.isEmpty()) {
            std::cerr << "powerbert-studio: --screenshot needs a model: none was given and no default model was found in:\n";
            for (const QString& c : pb::ui::defaultModelCandidates(QApplication::applicationDirPath()))
                std::cerr << "  " << c.toStdString() << '\n';
            return 2;
        }
        runScreenshots(window, options.screenshotDir);
    }
    openDataset(window, options);
    window.show();
    if (!options.model.isEmpty()) window.openModelFolder(options.model);
    if (!session.isEmpty() && !window.openSession(session) && screenshots) return 2;
    const int code = app.exec();
    if (screenshots) window.setClosePrompt([] { return QMessageBox::Discard; });
    return code;
}
