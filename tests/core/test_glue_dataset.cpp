// Loader tests: the real GLUE files under ../shared/data (skipped when absent) and small
// hand-made fixtures for each layout and each way a file can be broken.
#include "core/error.h"
#include "core/glue_dataset.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <functional>

namespace fs = std::filesystem;
using pb::GlueTask;
using pb::MalformedPolicy;

Q_DECLARE_METATYPE(GlueTask)

namespace {

fs::path fixture(const char* name) { return fs::path(POWERBERT_FIXTURES) / "glue" / name; }
fs::path shared_glue() { return fs::path(POWERBERT_SHARED_DATA) / "glue"; }

// The message of the pb::Error thrown by `f`, or an empty string if it did not throw.
QString error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const pb::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void write_file(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

#define SKIP_WITHOUT_SHARED_DATA()                                                                    \
    if (!fs::exists(shared_glue()))                                                                   \
    QSKIP(qPrintable("needs the GLUE files in " + QString::fromStdString(shared_glue().string()) +    \
                     " (the project's ../shared/data, present in CI but not in a user's clone)"))

#define VERIFY_ERROR(expr, ...)                                                                       \
    do {                                                                                              \
        const QString message = error_of([&] { (void)(expr); });                                      \
        QVERIFY2(!message.isEmpty(), "expected a pb::Error from " #expr);                             \
        for (const char* part : {__VA_ARGS__})                                                        \
            QVERIFY2(message.contains(QLatin1String(part)),                                           \
                     qPrintable("'" + message + "' lacks '" + QLatin1String(part) + "'"));            \
    } while (0)

class TestGlueDataset : public QObject {
    Q_OBJECT
private slots:
    void taskNames() {
        QCOMPARE(pb::glue_task_from_name("sst-2"), GlueTask::SST2);
        QCOMPARE(pb::glue_task_from_name("SST2"), GlueTask::SST2);
        QCOMPARE(pb::glue_task_from_name("sst2"), GlueTask::SST2);
        QCOMPARE(pb::glue_task_from_name("cola"), GlueTask::CoLA);
        QCOMPARE(pb::glue_task_from_name("STS-B"), GlueTask::STSB);
        QCOMPARE(pb::glue_task_from_name("mnli"), GlueTask::MNLI);
        QCOMPARE(pb::glue_task_from_name("mnli-mm"), GlueTask::MNLI);
        QCOMPARE(pb::glue_task_from_name("MNLI_matched"), GlueTask::MNLI);
        QCOMPARE(pb::glue_task_from_name("Qqp"), GlueTask::QQP);
        QCOMPARE(pb::glue_task_from_name("generic"), GlueTask::Generic);
        QVERIFY(!pb::glue_task_from_name("imdb").has_value());
        QVERIFY(!pb::glue_task_from_name("").has_value());
        for (auto task : {GlueTask::CoLA, GlueTask::SST2, GlueTask::MRPC, GlueTask::STSB, GlueTask::QQP,
                          GlueTask::MNLI, GlueTask::QNLI, GlueTask::RTE, GlueTask::WNLI, GlueTask::Generic})
            QCOMPARE(pb::glue_task_from_name(pb::glue_task_name(task)), task);
        QCOMPARE(pb::glue_task_name(GlueTask::SST2), std::string_view("SST-2"));
    }

    void sharedFiles_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<GlueTask>("task");
        QTest::addColumn<int>("rows");
        QTest::addColumn<bool>("pair");
        QTest::newRow("SST-2 train") << "SST-2/train.tsv" << GlueTask::SST2 << 67349 << false;
        QTest::newRow("SST-2 dev") << "SST-2/dev.tsv" << GlueTask::SST2 << 872 << false;
        QTest::newRow("CoLA train") << "CoLA/train.tsv" << GlueTask::CoLA << 8551 << false;
        // The data README says 1,042 (wc -l), but the last line has no newline: 1,043 rows, which is
        // also GLUE's CoLA validation size.
        QTest::newRow("CoLA dev") << "CoLA/dev.tsv" << GlueTask::CoLA << 1043 << false;
        QTest::newRow("MRPC train") << "MRPC/train.tsv" << GlueTask::MRPC << 3668 << true;
        QTest::newRow("MRPC dev") << "MRPC/dev.tsv" << GlueTask::MRPC << 408 << true;
        QTest::newRow("RTE train") << "RTE/train.tsv" << GlueTask::RTE << 2490 << true;
        QTest::newRow("RTE dev") << "RTE/dev.tsv" << GlueTask::RTE << 277 << true;
        QTest::newRow("STS-B train") << "STS-B/train.tsv" << GlueTask::STSB << 5749 << true;
        QTest::newRow("STS-B dev") << "STS-B/dev.tsv" << GlueTask::STSB << 1500 << true;
        QTest::newRow("QNLI dev") << "QNLI/dev.tsv" << GlueTask::QNLI << 5463 << true;
    }

    void sharedFiles() {
        SKIP_WITHOUT_SHARED_DATA();
        QFETCH(QString, path);
        QFETCH(GlueTask, task);
        QFETCH(int, rows);
        QFETCH(bool, pair);
        const fs::path file = shared_glue() / path.toStdString();
        QCOMPARE(pb::guess_glue_task(file), task);
        const auto data = pb::load_glue_tsv(file);  // the default policy rejects any bad line
        QCOMPARE(data.task, task);
        QCOMPARE(int(data.examples.size()), rows);
        QVERIFY(data.skipped.empty());
        QCOMPARE(data.num_labels(), task == GlueTask::STSB ? 1 : 2);
        for (const auto& e : data.examples) {
            QVERIFY(e.label.has_value());
            QCOMPARE(e.text_b.has_value(), pair);
            QVERIFY(!e.text_a.empty());
            QVERIFY(e.text_a.find('\r') == std::string::npos && e.text_a.find('\t') == std::string::npos);
        }
    }

    void sharedContent() {
        SKIP_WITHOUT_SHARED_DATA();
        const auto g = shared_glue();
        auto sst_dev = pb::load_glue_tsv(g / "SST-2/dev.tsv");
        QCOMPARE(sst_dev.examples.front().text_a, std::string("one long string of cliches ."));
        QCOMPARE(*sst_dev.examples.front().label, 0.0f);
        QCOMPARE(sst_dev.examples.front().line, 2);
        // Counted with awk on the file: 428 negative and 444 positive sentences.
        QCOMPARE(std::count_if(sst_dev.examples.begin(), sst_dev.examples.end(),
                               [](const auto& e) { return *e.label == 1.0f; }),
                 444L);

        auto sst_train = pb::load_glue_tsv(g / "SST-2/train.tsv", std::nullopt, MalformedPolicy::Reject, 1);
        QCOMPARE(sst_train.examples.size(), size_t(1));
        QCOMPARE(sst_train.examples.front().text_a, std::string("hide new secretions from the parental units"));

        auto cola = pb::load_glue_tsv(g / "CoLA/train.tsv");
        QCOMPARE(cola.examples.front().line, 1);  // no header
        QCOMPARE(cola.examples.front().text_a,
                 std::string("Our friends won't buy this analysis, let alone the next one we propose."));
        QCOMPARE(std::count_if(cola.examples.begin(), cola.examples.end(),
                               [](const auto& e) { return *e.label == 0.0f; }),
                 2528L);  // awk count of the label column

        auto mrpc = pb::load_glue_tsv(g / "MRPC/dev.tsv");
        QCOMPARE(*mrpc.examples.front().label, 1.0f);
        // The unbalanced quote stays part of the text and does not swallow the next line.
        QCOMPARE(*mrpc.examples.front().text_b,
                 std::string("\"The foodservice pie business does not fit our long-term growth strategy."));
        QCOMPARE(*mrpc.examples[1].label, 0.0f);

        auto rte = pb::load_glue_tsv(g / "RTE/dev.tsv");
        QCOMPARE(*rte.examples.front().label, 1.0f);  // not_entailment
        QCOMPARE(*rte.examples[1].label, 0.0f);       // entailment
        QCOMPARE(*rte.examples.front().text_b, std::string("Christopher Reeve had an accident."));

        auto stsb = pb::load_glue_tsv(g / "STS-B/dev.tsv");
        QVERIFY(stsb.is_regression());
        QCOMPARE(*stsb.examples[0].label, 5.0f);
        QCOMPARE(*stsb.examples[1].label, 4.75f);
        QCOMPARE(stsb.examples[1].text_a, std::string("A young child is riding a horse."));
        QCOMPARE(*stsb.examples.back().label, 0.0f);

        auto qnli = pb::load_glue_tsv(g / "QNLI/dev.tsv");
        QCOMPARE(*qnli.examples[0].label, 0.0f);  // entailment
        QCOMPARE(*qnli.examples[1].label, 1.0f);  // not_entailment
        QCOMPARE(qnli.examples[0].text_a, std::string("What came into force after the new constitution was herald?"));
    }

    void sst2TrainLoadsInUnderASecond() {
        SKIP_WITHOUT_SHARED_DATA();
        QElapsedTimer timer;
        timer.start();
        auto data = pb::load_glue_tsv(shared_glue() / "SST-2/train.tsv");
        const auto ms = timer.elapsed();
        QCOMPARE(data.examples.size(), size_t(67349));
        QVERIFY2(ms < 1000, qPrintable(QString("took %1 ms").arg(ms)));
    }

    void labelOrders() {
        auto names = [](GlueTask task, const char* file) { return pb::load_glue_tsv(fixture(file), task).label_names; };
        using V = std::vector<std::string>;
        QCOMPARE(names(GlueTask::MNLI, "mnli_dev_matched.tsv"), (V{"contradiction", "entailment", "neutral"}));
        QCOMPARE(names(GlueTask::QQP, "qqp_test.tsv"), (V{"not_duplicate", "duplicate"}));
        QCOMPARE(names(GlueTask::SST2, "sst2_crlf.tsv"), (V{"negative", "positive"}));
        QCOMPARE(names(GlueTask::MRPC, "mrpc_bom_quotes.tsv"), (V{"not_equivalent", "equivalent"}));
    }

    void crlf() {
        auto data = pb::load_glue_tsv(fixture("sst2_crlf.tsv"));
        QCOMPARE(data.task, GlueTask::SST2);
        QCOMPARE(data.examples.size(), size_t(3));
        QCOMPARE(data.examples[0].text_a, std::string("it is a charming film ."));
        QCOMPARE(data.examples[2].text_a, std::string("a \"gem of a movie"));
        QCOMPARE(*data.examples[0].label, 1.0f);
        QCOMPARE(*data.examples[1].label, 0.0f);
        QCOMPARE(*data.examples[2].label, 1.0f);
        QCOMPARE(data.examples[2].line, 4);
    }

    void bomAndUnbalancedQuotes() {
        auto data = pb::load_glue_tsv(fixture("mrpc_bom_quotes.tsv"));
        QCOMPARE(data.task, GlueTask::MRPC);
        QCOMPARE(data.examples.size(), size_t(2));
        QCOMPARE(data.examples[0].text_a, std::string("He said \"the deal is done."));
        QCOMPARE(*data.examples[0].text_b, std::string("The deal is done, he said."));
        QCOMPARE(*data.examples[0].label, 1.0f);
        QCOMPARE(*data.examples[1].text_b, std::string("\"Shares rose\" on Tuesday, analysts said.\""));
        QCOMPARE(*data.examples[1].label, 0.0f);
    }

    void missingColumn() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("rte_missing_column.tsv")), "rte_missing_column.tsv:1:",
                     "'sentence2'", "RTE");
    }

    void wrongTaskForHeader() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("sst2_crlf.tsv"), GlueTask::RTE), "sst2_crlf.tsv:1:", "RTE",
                     "'sentence1'");
    }

    void nonNumericLabel() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("sst2_bad_label.tsv")), "sst2_bad_label.tsv:3:", "'pos'");
        auto data = pb::load_glue_tsv(fixture("sst2_bad_label.tsv"), std::nullopt, MalformedPolicy::Skip);
        QCOMPARE(data.examples.size(), size_t(2));
        QCOMPARE(data.skipped.size(), size_t(1));
        QCOMPARE(data.skipped[0].line, 3);
        QVERIFY(data.skipped[0].problem.find("'pos'") != std::string::npos);
        QCOMPARE(data.examples[1].text_a, std::string("bad ."));
        QCOMPARE(data.examples[1].line, 4);
    }

    void emptyFile() {
        for (auto policy : {MalformedPolicy::Reject, MalformedPolicy::Skip})
            VERIFY_ERROR(pb::load_glue_tsv(fixture("empty.tsv"), std::nullopt, policy), "empty.tsv:", "empty");
    }

    void headerOnly() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("rte_header_only.tsv")), "rte_header_only.tsv:", "no examples");
    }

    void binaryGarbage() {
        for (auto task : {std::optional<GlueTask>{}, std::optional<GlueTask>{GlueTask::SST2}})
            VERIFY_ERROR(pb::load_glue_tsv(fixture("garbage.tsv"), task, MalformedPolicy::Skip), "garbage.tsv:",
                         "not a text file");
    }

    void tooFewFields() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("cola_too_few_fields.tsv")), "cola_too_few_fields.tsv:2:",
                     "expected 4", "found 2");
        auto data = pb::load_glue_tsv(fixture("cola_too_few_fields.tsv"), GlueTask::CoLA, MalformedPolicy::Skip);
        QCOMPARE(data.examples.size(), size_t(2));
        QCOMPARE(data.skipped.size(), size_t(1));
        QCOMPARE(data.skipped[0].line, 2);
        QCOMPARE(data.examples[1].text_a, std::string("The book read Mary by."));
        QCOMPARE(*data.examples[1].label, 0.0f);
        QCOMPARE(data.examples[1].line, 3);
    }

    void invalidUtf8() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("sst2_bad_utf8.tsv"), GlueTask::SST2), "sst2_bad_utf8.tsv:2:", "UTF-8");
    }

    void scoreOutOfRange() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("stsb_bad_score.tsv")), "stsb_bad_score.tsv:3:", "'7.5'");
        auto data = pb::load_glue_tsv(fixture("stsb_bad_score.tsv"), std::nullopt, MalformedPolicy::Skip);
        QVERIFY(data.is_regression());
        QCOMPARE(data.num_labels(), 1);
        QCOMPARE(data.examples.size(), size_t(1));
        QCOMPARE(*data.examples[0].label, 4.8f);
        QCOMPARE(*data.examples[0].text_b, std::string("A man is singing."));
    }

    void qqpLayout() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("qqp_train.tsv")), "qqp_train.tsv:4:", "expected 6", "found 4");
        auto data = pb::load_glue_tsv(fixture("qqp_train.tsv"), std::nullopt, MalformedPolicy::Skip);
        QCOMPARE(data.task, GlueTask::QQP);
        QCOMPARE(data.examples.size(), size_t(3));
        QCOMPARE(data.examples[0].text_a, std::string("How do I learn C++?"));
        QCOMPARE(*data.examples[0].text_b, std::string("What is the best way to learn C++?"));
        QCOMPARE(*data.examples[0].label, 1.0f);
        QCOMPARE(data.examples[1].text_a, std::string("What does \"carpe diem mean?"));
        QCOMPARE(*data.examples[2].label, 0.0f);
        QCOMPARE(data.skipped.size(), size_t(1));
        QCOMPARE(data.skipped[0].line, 4);
    }

    void mnliLayout() {
        auto data = pb::load_glue_tsv(fixture("mnli_dev_matched.tsv"));
        QCOMPARE(data.task, GlueTask::MNLI);
        QCOMPARE(data.num_labels(), 3);
        QCOMPARE(data.examples.size(), size_t(3));
        QCOMPARE(data.examples[0].text_a, std::string("The dog ran home."));  // sentence1, not its parse
        QCOMPARE(*data.examples[0].text_b, std::string("An animal moved."));
        QCOMPARE(*data.examples[0].label, 1.0f);  // entailment
        QCOMPARE(*data.examples[1].label, 0.0f);  // contradiction
        QCOMPARE(*data.examples[2].label, 2.0f);  // neutral: gold_label, not label5
        QCOMPARE(data.examples[1].text_a, std::string("She said \"no."));
    }

    void testFilesHaveNoLabels() {
        auto mnli = pb::load_glue_tsv(fixture("mnli_test_mismatched.tsv"));
        QCOMPARE(mnli.task, GlueTask::MNLI);
        QCOMPARE(mnli.examples.size(), size_t(1));
        QVERIFY(!mnli.examples[0].label.has_value());
        QCOMPARE(*mnli.examples[0].text_b, std::string("No letter was sent."));

        auto sst = pb::load_glue_tsv(fixture("sst2_test.tsv"));
        QCOMPARE(sst.examples.size(), size_t(2));
        QCOMPARE(sst.examples[0].text_a, std::string("uneasy mishmash of styles and genres ."));
        QVERIFY(!sst.examples[0].label.has_value() && !sst.examples[1].label.has_value());
        QCOMPARE(sst.num_labels(), 2);

        auto qqp = pb::load_glue_tsv(fixture("qqp_test.tsv"));
        QCOMPARE(qqp.task, GlueTask::QQP);
        QCOMPARE(*qqp.examples[1].text_b, std::string("How do I brew tea?"));
        QVERIFY(!qqp.examples[1].label.has_value());
    }

    void genericWithoutHeader() {
        auto data = pb::load_glue_tsv(fixture("generic_noheader.tsv"));
        QCOMPARE(data.task, GlueTask::Generic);
        QCOMPARE(data.examples.size(), size_t(3));  // the trailing blank line is not an example
        QCOMPARE(data.examples[0].text_a, std::string("very good"));
        QCOMPARE(*data.examples[0].label, 2.0f);
        QCOMPARE(data.label_names, (std::vector<std::string>{"0", "1", "2"}));
        QCOMPARE(data.num_labels(), 3);
        QCOMPARE(pb::load_glue_tsv(fixture("generic_noheader.tsv"), std::nullopt, MalformedPolicy::Reject, 2)
                     .examples.size(),
                 size_t(2));
    }

    void missingFile() {
        VERIFY_ERROR(pb::load_glue_tsv(fixture("no_such_file.tsv"), GlueTask::SST2), "no_such_file.tsv:",
                     "cannot open");
    }

    void guessFromHeaderOrFolder() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const fs::path root = dir.path().toStdString();
        struct Case {
            const char* name;
            std::string bytes;
            GlueTask expected;
        };
        const Case cases[] = {
            {"qqp", "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n0\t1\t2\ta?\tb?\t0\n", GlueTask::QQP},
            {"mnli", "index\tpromptID\tpairID\tgenre\tsentence1\tsentence2\tgold_label\n", GlueTask::MNLI},
            {"rte", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tnot_entailment\n", GlueTask::RTE},
            {"wnli", "index\tsentence1\tsentence2\tlabel\n0\ta\tb\t1\n", GlueTask::WNLI},
            {"qnli", "index\tquestion\tsentence\tlabel\n", GlueTask::QNLI},
            {"stsb", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n",
             GlueTask::STSB},
            {"mrpc", "\xEF\xBB\xBFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n", GlueTask::MRPC},
            {"cola", "gj04\t1\t\tThe sailors rode the breeze.\n", GlueTask::CoLA},
            {"sst2", "sentence\tlabel\ngood .\t1\n", GlueTask::SST2},
            {"generic", "label\tsentence\n1\tgood .\n", GlueTask::Generic},
        };
        for (const auto& c : cases) {
            // "x_" keeps the folder from being a task name, so only the header can tell.
            const fs::path file = root / (std::string("x_") + c.name) / "data.tsv";
            write_file(file, c.bytes);
            QVERIFY2(pb::guess_glue_task(file) == c.expected, c.name);
        }
        // A GLUE folder name wins over the header: SST-2's label-first copy reads as SST-2.
        write_file(root / "SST-2" / "dev.tsv", "label\tcontent\n0\tdull .\n");
        QCOMPARE(pb::guess_glue_task(root / "SST-2" / "dev.tsv"), GlueTask::SST2);
        auto data = pb::load_glue_tsv(root / "SST-2" / "dev.tsv");
        QCOMPARE(data.examples.at(0).text_a, std::string("dull ."));
        write_file(root / "glue" / "dev_mismatched.tsv", "index\tsentence1\tsentence2\n");
        QCOMPARE(pb::guess_glue_task(root / "glue" / "dev_mismatched.tsv"), GlueTask::MNLI);
    }
};

QTEST_APPLESS_MAIN(TestGlueDataset)
#include "test_glue_dataset.moc"
