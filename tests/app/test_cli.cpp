// The `powerbert` command line end to end, run as a user runs it (the built executable, through
// QProcess): from text to numbers against the PyTorch fixtures, token ids to logits, exit codes
// and messages on bad input, and the JSON it writes to a file.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <csignal>

#include <sys/types.h>

namespace {

const QString kCli = QStringLiteral(POWERBERT_CLI);
const QString kFixture = QStringLiteral(POWERBERT_FIXTURES "/bert/small_f32");
const QString kSource = QStringLiteral(POWERBERT_SOURCE_DIR);

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run powerbert(const QStringList& args) {
    QProcess p;
    p.start(kCli, args);
    Run r;
    if (!p.waitForFinished(120000)) {
        p.kill();
        r.err = "timed out";
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QJsonObject readJson(const QByteArray& bytes) { return QJsonDocument::fromJson(bytes).object(); }

QJsonObject fixtureExpected() {
    QFile f(kFixture + QStringLiteral("/expected.json"));
    return f.open(QIODevice::ReadOnly) ? readJson(f.readAll()) : QJsonObject();
}

double maxDifference(const QJsonArray& a, const QJsonArray& b) {
    if (a.size() != b.size() || a.isEmpty()) return INFINITY;
    double worst = 0;
    for (qsizetype i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i].toDouble() - b[i].toDouble()));
    return worst;
}

// An untrained small BERT with the real uncased vocabulary, written by the CLI itself.
bool makeDemoModel(const QString& folder) {
    const Run made = powerbert({"make-demo-model", "--out", folder, "--vocab",
                                kSource + QStringLiteral("/resources/vocab/bert-base-uncased.txt")});
    if (made.code != 0) qWarning("make-demo-model: %s", made.err.constData());
    return made.code == 0;
}

bool write(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString model_;  // the small_f32 fixture with a vocabulary that spells its inputs: "w7" is id 7

private slots:
    void initTestCase() {
        QVERIFY(QFileInfo(kCli).isExecutable());
        model_ = tmp_.filePath(QStringLiteral("model"));
        QVERIFY(QDir().mkpath(model_));
        for (const char* name : {"config.json", "model.safetensors"})
            QVERIFY(QFile::copy(kFixture + u'/' + QLatin1String(name), model_ + u'/' + QLatin1String(name)));
        QByteArray vocab;
        for (int id = 0; id < 120; ++id) {
            const QByteArray special = id == 0 ? "[PAD]" : id == 100 ? "[UNK]" : id == 101 ? "[CLS]" : id == 102 ? "[SEP]"
                                                       : id == 103 ? "[MASK]" : "";
            vocab += (special.isEmpty() ? "w" + QByteArray::number(id) : special) + '\n';
        }
        QVERIFY(write(model_ + QStringLiteral("/vocab.txt"), vocab));
    }

    // Text in, PoWER-BERT out: the tokens, every layer's survivors and significance scores, and both
    // models' logits as PyTorch computed them (tools/make_bert_fixtures.py), for a sentence and a pair.
    void analyzeMatchesPyTorch_data() {
        QTest::addColumn<int>("input");
        QTest::addColumn<QStringList>("text");
        QTest::addColumn<QString>("strategy");
        QTest::newRow("sentence, Attn-WS") << 0 << QStringList{"w7 w8 w9 w10 w11 w12 w13 w14"} << "attn";
        QTest::newRow("sentence, Head-WS") << 0 << QStringList{"w7 w8 w9 w10 w11 w12 w13 w14"} << "head";
        QTest::newRow("pair, Attn-WS") << 1 << QStringList{"w20 W21 w22", "w30  w31"} << "attn";
    }
    void analyzeMatchesPyTorch() {
        QFETCH(int, input);
        QFETCH(QStringList, text);
        QFETCH(QString, strategy);
        const QJsonObject expected = fixtureExpected()[QStringLiteral("inputs")].toArray()[input].toObject();
        QJsonObject power;
        for (const auto& p : expected[QStringLiteral("power")].toArray())
            if (p.toObject()[QStringLiteral("strategy")].toString() == strategy) power = p.toObject();
        QVERIFY(!power.isEmpty());

        QStringList args{"analyze", "--model", model_, "--text", text[0], "--retention", "6,4,3,2", "--strategy", strategy, "--json"};
        if (text.size() > 1) args << "--pair" << text[1];
        const Run r = powerbert(args);
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject j = readJson(r.out);
        QCOMPARE(j[QStringLiteral("schema")].toString(), QStringLiteral("powerbert-analysis/1"));
        QCOMPARE(j[QStringLiteral("input")][QStringLiteral("ids")].toArray(), expected[QStringLiteral("ids")].toArray());
        QCOMPARE(j[QStringLiteral("input")][QStringLiteral("type_ids")].toArray(), expected[QStringLiteral("type_ids")].toArray());

        const QJsonObject full = j[QStringLiteral("full")].toObject(), pruned = j[QStringLiteral("power")].toObject();
        QVERIFY(maxDifference(full[QStringLiteral("logits")].toArray(), expected[QStringLiteral("logits")].toArray()) < 1e-4);
        QVERIFY(maxDifference(pruned[QStringLiteral("logits")].toArray(), power[QStringLiteral("logits")].toArray()) < 1e-4);
        const QJsonArray layers = pruned[QStringLiteral("layers")].toArray();
        QCOMPARE(layers.size(), 4);
        for (int l = 0; l < 4; ++l) {
            const QJsonObject layer = layers[l].toObject();
            QCOMPARE(layer[QStringLiteral("alive_out")].toArray(), power[QStringLiteral("kept_positions")].toArray()[l].toArray());
            QVERIFY(maxDifference(layer[QStringLiteral("significance")].toArray(),
                                  power[QStringLiteral("significance")].toArray()[l].toArray()) < 1e-4);
        }
        QCOMPARE(pruned[QStringLiteral("predicted_label")].toInt(), power[QStringLiteral("predicted")].toInt());
    }

    // Token ids in, logits out (the peers' benchmark path), against the same fixture.
    void timeMatchesPyTorch() {
        const QJsonArray inputs = fixtureExpected()[QStringLiteral("inputs")].toArray();
        QJsonArray request;
        for (const auto& in : inputs)
            request.append(QJsonObject{{"ids", in.toObject()[QStringLiteral("ids")]},
                                       {"type_ids", in.toObject()[QStringLiteral("type_ids")]}});
        const QString file = tmp_.filePath(QStringLiteral("inputs.json"));
        QVERIFY(write(file, QJsonDocument(QJsonObject{{"inputs", request}}).toJson()));
        const Run r = powerbert({"time", "--model", kFixture, "--inputs", file, "--repeats", "1", "--warmup", "0"});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonArray results = readJson(r.out)[QStringLiteral("results")].toArray();
        QCOMPARE(results.size(), inputs.size());
        for (qsizetype i = 0; i < inputs.size(); ++i)
            QVERIFY(maxDifference(results[i].toObject()[QStringLiteral("logits")].toArray(),
                                  inputs[i].toObject()[QStringLiteral("logits")].toArray()) < 1e-4);
    }

    // Every refusal: exit code 1, one line on stderr that names what is wrong, nothing on stdout.
    void badInputIsRefusedWithItsReason_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString m = QStringLiteral("MODEL");  // replaced by the test's model folder
        QTest::newRow("no such folder") << QStringList{"analyze", "--model", "/no/such/model", "--text", "a"}
                                        << "powerbert: error: /no/such/model: no such folder";
        QTest::newRow("empty sentence") << QStringList{"analyze", "--model", m, "--text", " \t"}
                                        << "--text: no word pieces";
        QTest::newRow("empty pair") << QStringList{"analyze", "--model", m, "--text", "w7", "--pair", ""}
                                    << "--pair: no word pieces";
        QTest::newRow("increasing retention") << QStringList{"analyze", "--model", m, "--text", "w7", "--retention", "2,3,1,1"}
                                              << "--retention: layer 2 keeps 3, more than layer 1 (2)";
        QTest::newRow("retention per layer") << QStringList{"analyze", "--model", m, "--text", "w7", "--retention", "2,1"}
                                             << "--retention: has 2 values but the model has 4 layers";
        QTest::newRow("retention not numbers") << QStringList{"analyze", "--model", m, "--text", "w7", "--retention", "3,x"}
                                               << "is not a comma-separated list of integers";
        QTest::newRow("unknown strategy") << QStringList{"analyze", "--model", m, "--text", "w7", "--strategy", "best"}
                                          << "best";
    }
    void badInputIsRefusedWithItsReason() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        args.replaceInStrings(QStringLiteral("MODEL"), model_);
        const Run r = powerbert(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    // The token-id path names the file and the input at fault, before timing anything.
    void badTimedInputsAreNamed_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("id outside the vocabulary")
            << QByteArray(R"({"inputs": [{"ids": [101, 5, 102], "type_ids": [0, 0, 0]},
                                         {"ids": [101, 120, 102], "type_ids": [0, 0, 0]}]})")
            << "inputs[1]: token id 120 at position 1 is outside the vocabulary of 120";
        QTest::newRow("longer than the model") << QByteArray(R"({"inputs": [{"ids": [)" + QByteArray("5,").repeated(64) +
                                                             R"(5], "type_ids": [)" + QByteArray("0,").repeated(64) + "0]}]}")
                                               << "inputs[0]: 65 tokens exceed the model's maximum of 64";
        QTest::newRow("type ids missing") << QByteArray(R"({"inputs": [{"ids": [101, 102]}]})")
                                          << R"(inputs[0]: needs "ids" and "type_ids")";
        QTest::newRow("nothing to time") << QByteArray(R"({"inputs": []})") << R"("inputs" is empty)";
    }
    void badTimedInputsAreNamed() {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const QString file = tmp_.filePath(QStringLiteral("bad-inputs.json"));
        QVERIFY(write(file, json));
        const Run r = powerbert({"time", "--model", kFixture, "--inputs", file, "--repeats", "1"});
        QCOMPARE(r.code, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(file + QStringLiteral(": ") + message), r.err.constData());
    }

    void brokenWeightsAreNamed() {
        const QString broken = tmp_.filePath(QStringLiteral("broken"));
        QVERIFY(QDir().mkpath(broken));
        for (const char* name : {"config.json", "vocab.txt"})
            QVERIFY(QFile::copy(model_ + u'/' + QLatin1String(name), broken + u'/' + QLatin1String(name)));
        QFile weights(model_ + QStringLiteral("/model.safetensors"));
        QVERIFY(weights.open(QIODevice::ReadOnly));
        QVERIFY(write(broken + QStringLiteral("/model.safetensors"), weights.read(weights.size() / 2)));
        const Run r = powerbert({"analyze", "--model", broken, "--text", "w7"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains((broken + QStringLiteral("/model.safetensors")).toUtf8()), r.err.constData());
    }

    void versionIsTheProjects() {
        const Run r = powerbert({"--version"});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.trimmed(), QByteArray("powerbert " POWERBERT_PROJECT_VERSION));
    }

    void usageErrorsAreNotModelErrors() {
        const Run none = powerbert({});
        QVERIFY(none.code != 0 && none.code != 1);
        QVERIFY2(none.err.contains("A subcommand is required"), none.err.constData());
        const Run missing = powerbert({"analyze", "--model", model_});
        QVERIFY(missing.code != 0 && missing.code != 1);
        QVERIFY2(missing.err.contains("--text is required"), missing.err.constData());
    }

    // A dataset: a malformed line stops the run with file and line, or is skipped and counted; the
    // JSON written with --out is the JSON printed with --json; progress goes to stderr.
    void evalOnATsvFile() {
        // label<TAB>sentence rows, three classes like the model's; line 3 lacks its tab.
        const QString tsv = tmp_.filePath(QStringLiteral("three.tsv"));
        QVERIFY(write(tsv, "1\tw7 w8 w9\n0\tw10 w11\n2 w12 w13 w14 without a tab\n2\tw20 w21\n"));
        const Run bad = powerbert({"eval", "--model", model_, "--data", tsv, "--task", "generic"});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains((tsv + QStringLiteral(":3")).toUtf8()), bad.err.constData());

        const QString out = tmp_.filePath(QStringLiteral("eval.json"));
        const Run ok = powerbert({"eval", "--model", model_, "--data", tsv, "--task", "generic", "--skip-malformed",
                                  "--retention", "3,2,1,1", "--out", out, "--json"});
        QVERIFY2(ok.code == 0, ok.err.constData());
        const QJsonObject printed = readJson(ok.out);
        QFile written(out);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(readJson(written.readAll()), printed);
        QCOMPARE(printed[QStringLiteral("examples")].toInt(), 3);
        QCOMPARE(printed[QStringLiteral("plan")][QStringLiteral("retention")].toArray(), (QJsonArray{3, 2, 1, 1}));
        QCOMPARE(printed[QStringLiteral("per_example")][QStringLiteral("length")].toArray(), (QJsonArray{5, 4, 4}));
        QVERIFY2(ok.err.contains("skipped 1 malformed line (line 3: expected 2 tab-separated fields, found 1)"),
                 ok.err.constData());
        QVERIFY2(ok.err.contains("[3/3]"), ok.err.constData());  // progress
    }

    // PoWER-BERT's three steps from the command line on a demo model and six sentences: each writes
    // its folder and prints its summary; the search's retention.json goes with the model into the
    // re-training, whose folder then runs at that configuration by default.
    void threeTrainingSteps() {
        const QString root = tmp_.filePath(QStringLiteral("steps"));
        QVERIFY(makeDemoModel(root + QStringLiteral("/demo")));
        const QString tsv = root + QStringLiteral("/train.tsv");
        QVERIFY(write(tsv, "sentence\tlabel\na fine film\t1\na dull film\t0\ngreat acting\t1\nboring plot\t0\n"
                           "lovely\t1\nawful\t0\n"));
        QString from = root + QStringLiteral("/demo");
        for (const char* step : {"finetune", "search", "retrain"}) {
            const QString out = root + u'/' + QLatin1String(step);
            const Run r = powerbert({"train", step, "--model", from, "--train", tsv, "--dev", tsv, "--task", "sst-2",
                                     "--out", out, "--epochs", "1", "--batch", "4", "--max-length", "16"});
            QVERIFY2(r.code == 0, r.err.constData());
            const QJsonObject summary = readJson(r.out);
            QCOMPARE(summary[QStringLiteral("step")].toString(), QLatin1String(step));
            QCOMPARE(summary[QStringLiteral("train_examples")].toInt(), 6);
            QVERIFY(QFile::exists(out + QStringLiteral("/training.json")));
            QVERIFY(QFile::exists(out + QStringLiteral("/model.safetensors")));
            QVERIFY2(r.err.contains("epoch 1"), r.err.constData());  // progress
            from = out;
        }
        QFile retention(root + QStringLiteral("/search/retention.json"));
        QVERIFY(retention.open(QIODevice::ReadOnly));
        const QJsonArray keep = readJson(retention.readAll())[QStringLiteral("retention")].toArray();
        QCOMPARE(keep.size(), 4);
        for (qsizetype j = 0; j < 4; ++j) {
            QVERIFY(keep[j].toInt() >= 1 && keep[j].toInt() <= 16);
            if (j) QVERIFY(keep[j].toInt() <= keep[j - 1].toInt());
        }
        const Run analysed = powerbert({"analyze", "--model", root + "/retrain", "--text", "a fine film", "--json"});
        QVERIFY2(analysed.code == 0, analysed.err.constData());
        QCOMPARE(readJson(analysed.out)[QStringLiteral("plan")][QStringLiteral("retention")].toArray(), keep);

        const Run noDev = powerbert({"train", "search", "--model", from, "--train", tsv, "--out", root + "/x"});
        QVERIFY(noDev.code != 0 && noDev.code != 1);
        QVERIFY2(noDev.err.contains("--dev is required"), noDev.err.constData());
    }

    // Ctrl-C during training: exit code 130, a checkpoint and the message saying so; the same command
    // then resumes from it and finishes.
    void interruptedTrainingResumes() {
        const QString root = tmp_.filePath(QStringLiteral("interrupt"));
        QVERIFY(makeDemoModel(root + QStringLiteral("/demo")));
        QByteArray rows = "sentence\tlabel\n";
        for (int i = 0; i < 300; ++i) rows += (i % 2 ? "a fine and moving film\t1\n" : "a dull and boring plot\t0\n");
        const QString tsv = root + QStringLiteral("/train.tsv");
        QVERIFY(write(tsv, rows));
        const QStringList args{"train", "finetune", "--model", root + "/demo", "--train", tsv, "--dev", tsv, "--task", "sst-2",
                               "--out", root + "/out", "--epochs", "1", "--batch", "8", "--max-length", "16", "--max-dev", "8"};
        QProcess p;
        p.start(kCli, args);
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("step") && clock.elapsed() < 60000 && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("step"), err.constData());
        QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("interrupted; a checkpoint is in"), err.constData());

        const Run resumed = powerbert(args);
        QVERIFY2(resumed.code == 0, resumed.err.constData());
        QCOMPARE(readJson(resumed.out)[QStringLiteral("resumed")].toBool(), true);
        QVERIFY(!QFileInfo::exists(root + QStringLiteral("/out/checkpoint")));
    }

    // A user's first steps without a model of their own: a demo model, its summary, an analysis.
    void demoModelInfoAndAnalysis() {
        const QString demo = tmp_.filePath(QStringLiteral("demo"));
        const Run made = powerbert({"make-demo-model", "--out", demo, "--vocab",
                                    kSource + QStringLiteral("/resources/vocab/bert-base-uncased.txt"), "--shape", "small"});
        QVERIFY2(made.code == 0, made.err.constData());
        const Run info = powerbert({"info", "--model", demo});
        QVERIFY2(info.code == 0, info.err.constData());
        QVERIFY2(info.out.contains("4") && info.out.contains("256"), info.out.constData());
        const Run analysed = powerbert({"analyze", "--model", demo, "--text", "a charming film", "--keep-fraction", "0.5", "--json"});
        QVERIFY2(analysed.code == 0, analysed.err.constData());
        const QJsonObject j = readJson(analysed.out);
        QCOMPARE(j[QStringLiteral("input")][QStringLiteral("tokens")].toArray(),
                 (QJsonArray{"[CLS]", "a", "charming", "film", "[SEP]"}));
        // keep fraction 0.5 on 5 tokens: ceil(5 * 0.5^j) = 3, 2, 1, 1
        QCOMPARE(j[QStringLiteral("plan")][QStringLiteral("retention")].toArray(), (QJsonArray{3, 2, 1, 1}));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
