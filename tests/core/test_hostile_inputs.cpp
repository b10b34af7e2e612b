// Hostile inputs: every malformed file in tests/fixtures/hostile/ (written by make_hostile.py there)
// and the large ones generated below must give a pb::Error whose message names the file and what is
// wrong -- never a crash, a hang, or any other exception. Huge texts must tokenize and truncate.
// Also: pb::write_file_atomically never leaves a half-written file or a temporary behind.
#include "core/atomic_file.h"
#include "core/bert_weights.h"
#include "core/elimination.h"
#include "core/error.h"
#include "core/glue_dataset.h"
#include "core/model_config.h"
#include "core/safetensors.h"
#include "core/wordpiece_tokenizer.h"
#include "tests/shared/tiny_bert_config.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <typeinfo>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace pb;

namespace {

const fs::path kHostile = fs::path(POWERBERT_FIXTURES) / "hostile";
const fs::path kTokenizerFolder = fs::path(POWERBERT_FIXTURES) / "tokenizer" / "bert-base-uncased";

constexpr int kRetentionLayers = 4;

struct Case {
    const char* file;      // under tests/fixtures/hostile/
    const char* kind;      // how it is read: see load()
    const char* expected;  // a substring of the message (which must also contain the file's path)
};

// clang-format off
constexpr Case kCases[] = {
    // safetensors: opened with pb::SafetensorsFile, then bound to pb_test::tiny_bert_config() by pb::bind_bert_weights.
    {"safetensors/empty.safetensors", "safetensors", "file is 0 bytes, too short for a safetensors header"},
    {"safetensors/short.safetensors", "safetensors", "file is 3 bytes, too short"},
    {"safetensors/truncated_data.safetensors", "safetensors", "lie outside the data section"},
    {"safetensors/truncated_header.safetensors", "safetensors", "reaches beyond the end of the file (200 bytes)"},
    {"safetensors/header_len_huge.safetensors", "safetensors", "header length 18446744073709551615 reaches beyond the end of the file"},
    {"safetensors/header_len_beyond_file.safetensors", "safetensors", "header length 1000 reaches beyond the end of the file"},
    {"safetensors/not_json.safetensors", "safetensors", "header is not valid JSON"},
    {"safetensors/binary_header.safetensors", "safetensors", "header is not valid JSON"},
    {"safetensors/header_array.safetensors", "safetensors", "header is not a JSON object"},
    {"safetensors/nested_garbage.safetensors", "safetensors", "tensor 'w': entry is not an object"},
    {"safetensors/entry_not_object.safetensors", "safetensors", "tensor 'w': entry is not an object"},
    {"safetensors/overlapping_offsets.safetensors", "safetensors", "two tensors overlap in the data section at byte 8"},
    {"safetensors/negative_shape.safetensors", "safetensors", "tensor 'w': shape entries must be non-negative integers"},
    {"safetensors/float_shape.safetensors", "safetensors", "tensor 'w': shape entries must be non-negative integers"},
    {"safetensors/huge_shape.safetensors", "safetensors", "tensor 'w': shape is too large"},
    {"safetensors/overflowing_shape.safetensors", "safetensors", "tensor 'w': shape is too large (element count overflows)"},
    {"safetensors/rank_9.safetensors", "safetensors", "tensor 'w': rank 9 is too large"},
    {"safetensors/unknown_dtype.safetensors", "safetensors", "tensor 'w': unknown dtype \"F8_E4M3\""},
    {"safetensors/missing_dtype.safetensors", "safetensors", "tensor 'w': missing \"dtype\""},
    {"safetensors/missing_shape.safetensors", "safetensors", "tensor 'w': missing \"shape\""},
    {"safetensors/wrong_data_size.safetensors", "safetensors", "data_offsets span 12 bytes but shape and dtype need 16"},
    {"safetensors/reversed_offsets.safetensors", "safetensors", "data_offsets [16, 0] lie outside the data section"},
    {"safetensors/offsets_beyond_data.safetensors", "safetensors", "lie outside the data section of 16 bytes"},
    {"safetensors/offsets_not_pair.safetensors", "safetensors", "\"data_offsets\" must be two non-negative integers"},
    {"safetensors/metadata_not_object.safetensors", "safetensors", "\"__metadata__\" is not an object"},
    {"safetensors/shape_disagrees_with_config.safetensors", "safetensors",
     "tensor 'embeddings.word_embeddings.weight' has shape [9, 4] but config.json implies [8, 4]"},
    {"safetensors/missing_layer_tensors.safetensors", "safetensors",
     "6 required tensors are missing: encoder.layer.0.attention.self.query.weight"},
    {"safetensors/integer_weights.safetensors", "safetensors",
     "tensor 'embeddings.word_embeddings.weight' has dtype I32 (supported: F32, F16, BF16)"},

    // config.json: pb::load_model_config.
    {"config/layers_1e9.json", "config", "\"num_hidden_layers\" = 1000000000 is outside the supported range [1, 1000]"},
    {"config/hidden_not_divisible_by_heads.json", "config", "\"hidden_size\" 770 is not divisible by \"num_attention_heads\" 12"},
    {"config/negative_hidden.json", "config", "\"hidden_size\" = -768 is outside the supported range"},
    {"config/negative_vocab.json", "config", "\"vocab_size\" = -1 is outside the supported range"},
    {"config/zero_heads.json", "config", "\"num_attention_heads\" = 0 is outside the supported range"},
    {"config/uint64_max_vocab.json", "config", "\"vocab_size\" = 18446744073709551615 is outside the supported range"},
    {"config/string_for_number.json", "config", "\"vocab_size\" must be an integer, found \"30522\""},
    {"config/float_for_integer.json", "config", "\"intermediate_size\" must be an integer, found 3072.5"},
    {"config/bigger_than_int64.json", "config", "\"max_position_embeddings\" must be an integer"},
    {"config/not_object.json", "config", "not a JSON object"},
    {"config/missing_key.json", "config", "missing required key \"intermediate_size\""},
    {"config/eps_out_of_range.json", "config", "\"layer_norm_eps\" = 5.000000 must lie in (0, 1)"},
    {"config/eps_negative.json", "config", "must lie in (0, 1)"},
    {"config/eps_underflows_float.json", "config", "must lie in (0, 1)"},
    {"config/eps_string.json", "config", "\"layer_norm_eps\" must be a number"},
    {"config/not_json.json", "config", "not valid JSON"},
    {"config/empty.json", "config", "not valid JSON"},
    {"config/binary.json", "config", "not valid JSON"},
    {"config/wrong_model_type.json", "config", "\"model_type\" = \"roberta\" is not supported (bert, albert)"},
    {"config/unknown_activation.json", "config", "\"hidden_act\" = \"swish\" is not supported"},
    {"config/relative_positions.json", "config", "\"position_embedding_type\" = \"relative_key\" is not supported"},
    {"config/nested_value.json", "config", "\"vocab_size\" must be an integer, found an array"},
    {"config/id2label_key_not_number.json", "config", "\"id2label\" key \"first\" is not a number"},
    {"config/id2label_out_of_range.json", "config", "\"id2label\" entry \"5\" is out of range or not a string"},
    {"config/num_labels_disagree.json", "config", "\"num_labels\" = 2 disagrees with the 3 entries of \"id2label\""},

    // vocab.txt: pb::WordpieceTokenizer::from_vocab_file.
    {"vocab/empty.txt", "vocab", "the vocabulary file is empty"},
    {"vocab/binary.txt", "vocab", "line 1 is not valid UTF-8"},
    {"vocab/missing_unk.txt", "vocab", "the vocabulary has no '[UNK]' token"},
    {"vocab/missing_cls.txt", "vocab", "the vocabulary has no '[CLS]' token"},
    {"vocab/missing_sep.txt", "vocab", "the vocabulary has no '[SEP]' token"},
    {"vocab/blank_lines.txt", "vocab", "the vocabulary has no '[UNK]' token"},
    {"vocab/utf16.txt", "vocab", "line 1 is not valid UTF-8"},
    {"vocab/bad_utf8_line_4.txt", "vocab", "line 4 is not valid UTF-8"},
    {"vocab/surrogate_line_2.txt", "vocab", "line 2 is not valid UTF-8"},

    // tokenizer.json: pb::WordpieceTokenizer::from_tokenizer_json.
    {"tokenizer/not_json.json", "tokenizer", "not valid JSON"},
    {"tokenizer/empty.json", "tokenizer", "not valid JSON"},
    {"tokenizer/binary.json", "tokenizer", "not valid JSON"},
    {"tokenizer/truncated.json", "tokenizer", "not valid JSON"},
    {"tokenizer/root_array.json", "tokenizer", "key '(root)' must be an object"},
    {"tokenizer/bpe_model.json", "tokenizer", "key 'model.type' is 'BPE', only WordPiece is supported"},
    {"tokenizer/missing_model.json", "tokenizer", "key 'model' is missing"},
    {"tokenizer/missing_vocab.json", "tokenizer", "key 'model.vocab' is missing"},
    {"tokenizer/empty_vocab.json", "tokenizer", "key 'model.vocab' is empty"},
    {"tokenizer/vocab_array.json", "tokenizer", "key 'model.vocab' must be an object"},
    {"tokenizer/negative_id.json", "tokenizer", "key 'model.vocab.hello' must be between 0 and"},
    {"tokenizer/huge_id.json", "tokenizer", "key 'model.vocab.hello' must be between 0 and"},
    {"tokenizer/string_id.json", "tokenizer", "key 'model.vocab.hello' must be an integer"},
    {"tokenizer/duplicate_id.json", "tokenizer", "reuses id 5 of 'hello'"},
    {"tokenizer/missing_unk.json", "tokenizer", "the vocabulary has no '[UNK]' token"},
    {"tokenizer/byte_level_pre_tokenizer.json", "tokenizer", "key 'pre_tokenizer.type' is 'ByteLevel', only BertPreTokenizer"},
    {"tokenizer/missing_pre_tokenizer.json", "tokenizer", "key 'pre_tokenizer.type' is missing"},
    {"tokenizer/nfc_normalizer.json", "tokenizer", "key 'normalizer.type' is 'NFC', only BertNormalizer is supported"},
    {"tokenizer/lowercase_string.json", "tokenizer", "key 'normalizer.lowercase' must be true or false"},
    {"tokenizer/added_tokens_object.json", "tokenizer", "key 'added_tokens' must be an array"},
    {"tokenizer/added_token_huge_id.json", "tokenizer", "key 'added_tokens[0].id' must be between 0 and"},
    {"tokenizer/roberta_post_processor.json", "tokenizer", "key 'post_processor.type' is 'RobertaProcessing'"},
    {"tokenizer/template_too_short.json", "tokenizer", "key 'post_processor.single' must be a template"},

    // GLUE TSV: pb::load_glue_tsv as the task after the colon (Reject policy; "glue-skip:" = Skip).
    {"glue/binary_with_nul.tsv", "glue:generic", "not a text file (NUL byte at offset 300)"},
    {"glue/binary_no_nul.tsv", "glue:sst2", "the header does not fit SST-2"},
    {"glue/invalid_utf8_row.tsv", "glue:sst2", ":2: not valid UTF-8 text"},
    {"glue/bad_label.tsv", "glue:sst2", ":3: label 'great' is not a class index from 0 to 1"},
    {"glue/too_few_fields.tsv", "glue:mnli", ":2: expected 4 tab-separated fields, found 2"},
    {"glue/too_many_fields.tsv", "glue:sst2", ":2: expected 2 tab-separated fields, found 3"},
    {"glue/empty.tsv", "glue:sst2", "the file is empty"},
    {"glue/blank_lines.tsv", "glue:generic", "the file is empty"},
    {"glue/whitespace_only.tsv", "glue:generic", ":2: column 'sentence' is empty"},
    {"glue/header_only.tsv", "glue:rte", "no examples (only a header)"},
    {"glue/nul_bytes.tsv", "glue:sst2", "not a text file (NUL byte at offset 20)"},
    {"glue/stsb_score_out_of_range.tsv", "glue:stsb", ":2: score '7.5' is not a number from 0 to 5"},
    {"glue/stsb_score_nan.tsv", "glue:stsb", ":2: score 'nan' is not a number from 0 to 5"},
    {"glue/mnli_unknown_label.tsv", "glue:mnli", ":2: label 'maybe' is not one of contradiction, entailment, neutral"},
    {"glue/generic_huge_label.tsv", "glue:generic", ":2: label '5000' is not a class index from 0 to 999"},
    {"glue/generic_negative_label.tsv", "glue:generic", ":2: label '-1' is not a class index"},
    {"glue/qqp_missing_question2.tsv", "glue:qqp", ":1: the header has no 'question2' column, which QQP needs"},
    {"glue/empty_sentence.tsv", "glue:sst2", ":2: column 'sentence' is empty"},
    {"glue/cola_not_cola.tsv", "glue:cola", "it is not a header-less CoLA row"},
    {"glue/all_rows_bad.tsv", "glue-skip:sst2", "no valid examples (2 malformed lines skipped; first at line 2"},
    {"glue/bom_crlf_header_only.tsv", "glue:sst2", "no examples (only a header)"},

    // Retention: *.txt through pb::parse_retention (as --retention text), *.json through
    // pb::load_retention_json, both for a 4-layer model.
    {"retention/empty.txt", "retention", "has 0 values but the model has 4 layers"},
    {"retention/non_numeric.txt", "retention", "\"4,3,two,1\" is not a comma-separated list of integers"},
    {"retention/increasing.txt", "retention", "layer 3 keeps 5, more than layer 2 (3); a retention configuration must be non-increasing"},
    {"retention/zero.txt", "retention", "layer 3 keeps 0 word vectors; every layer must keep at least 1"},
    {"retention/negative.txt", "retention", "layer 2 keeps -1 word vectors"},
    {"retention/too_many_values.txt", "retention", "has 5 values but the model has 4 layers"},
    {"retention/too_few_values.txt", "retention", "has 2 values but the model has 4 layers"},
    {"retention/overflowing_value.txt", "retention", "is not a comma-separated list of integers"},
    {"retention/binary.txt", "retention", "is not a comma-separated list of integers"},
    {"retention/json_array.json", "retention", "not a JSON object"},
    {"retention/json_empty.json", "retention", "not a JSON object"},
    {"retention/json_not_json.json", "retention", "not a JSON object"},
    {"retention/json_missing_retention.json", "retention", "missing the array \"retention\""},
    {"retention/json_retention_object.json", "retention", "missing the array \"retention\""},
    {"retention/json_strings.json", "retention", "\"retention\" must hold integers only"},
    {"retention/json_floats.json", "retention", "\"retention\" must hold integers only"},
    {"retention/json_wraps_around_int.json", "retention", "\"retention\" value 4294967300 is out of range"},
    {"retention/json_increasing.json", "retention", "must be non-increasing"},
    {"retention/json_zero.json", "retention", "layer 3 keeps 0 word vectors"},
    {"retention/json_unknown_strategy.json", "retention", "strategy: \"greedy\" is not one of attn, head, rand"},
    {"retention/json_strategy_number.json", "retention", "\"strategy\" must be a string"},
};
// clang-format on

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_text(const fs::path& file, std::string_view text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// Reads `file` the way the application reads that kind of file.
void load(const std::string& kind, const fs::path& file) {
    if (kind == "safetensors") {
        auto weights = std::make_shared<const SafetensorsFile>(file);
        (void)bind_bert_weights(weights, pb_test::tiny_bert_config());
    } else if (kind == "config") {
        (void)load_model_config(file);
    } else if (kind == "vocab") {
        (void)WordpieceTokenizer::from_vocab_file(file);
    } else if (kind == "tokenizer") {
        (void)WordpieceTokenizer::from_tokenizer_json(file);
    } else if (kind.starts_with("glue:") || kind.starts_with("glue-skip:")) {
        const auto task = glue_task_from_name(kind.substr(kind.find(':') + 1));
        if (!task) QTest::qFail(("unknown task in kind " + kind).c_str(), __FILE__, __LINE__);
        const auto policy = kind.starts_with("glue-skip:") ? MalformedPolicy::Skip : MalformedPolicy::Reject;
        (void)load_glue_tsv(file, task, policy);
    } else if (kind == "retention" && file.extension() == ".json") {
        (void)load_retention_json(file, kRetentionLayers);
    } else if (kind == "retention") {
        (void)parse_retention(read_text(file), kRetentionLayers, file.string());
    } else {
        QTest::qFail(("unknown kind " + kind).c_str(), __FILE__, __LINE__);
    }
}

// The pb::Error message `f` threw; anything else (no error, another exception) fails the test.
QString pb_error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("<not a pb::Error but %1: %2>").arg(typeid(e).name(), e.what());
    }
    return QStringLiteral("<no error>");
}

#define VERIFY_PB_ERROR(expr, file, expected)                                                              \
    do {                                                                                                   \
        const QString message_ = pb_error_of([&] { (void)(expr); });                                       \
        const QString file_ = QString::fromStdString(fs::path(file).string());                             \
        QVERIFY2(message_.contains(file_) && message_.contains(QString::fromUtf8(expected)),               \
                 qPrintable("message '" + message_.left(600) + "' should name " + file_ + " and say '" +   \
                            QString::fromUtf8(expected) + "'"));                                           \
    } while (0)

std::set<std::string> directory_entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

// A tokenizer.json for a vocabulary of "a" and "##a" that lets a word be any length: the case that
// made WordPiece quadratic in the word's length.
std::string unlimited_word_tokenizer_json() {
    return R"({"added_tokens": [], "normalizer": {"type": "BertNormalizer", "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": null,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 2147483647,
                  "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5, "##a": 6}}})";
}

}  // namespace

class TestHostileInputs : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    int counter_ = 0;
    std::unique_ptr<WordpieceTokenizer> bert_;

    fs::path fresh_dir() {
        fs::path dir = fs::path(tmp_.path().toStdString()) / ("d" + std::to_string(counter_++));
        fs::create_directories(dir);
        return dir;
    }

    void expect_truncated_to_512(const Encoding& e) {
        QCOMPARE(e.ids.size(), size_t(512));
        QCOMPARE(e.tokens.size(), size_t(512));
        QCOMPARE(e.type_ids.size(), size_t(512));
        QCOMPARE(e.spans.size(), size_t(512));
        QVERIFY(e.truncated);
        QVERIFY2(QString::fromStdString(e.notice).contains("to 512 tokens"), e.notice.c_str());
        QCOMPARE(e.tokens.front(), std::string("[CLS]"));
        QCOMPARE(e.tokens.back(), std::string("[SEP]"));
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QVERIFY(fs::is_directory(kHostile));
        bert_ = std::make_unique<WordpieceTokenizer>(WordpieceTokenizer::from_model_folder(kTokenizerFolder));
        QCOMPARE(bert_->options().model_max_length, 512);
    }

    // ----- the committed corpus -----

    void hostileFile_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        for (const Case& c : kCases) QTest::newRow(c.file) << QString(c.kind) << QString::fromUtf8(c.expected);
    }

    void hostileFile() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const fs::path file = kHostile / QTest::currentDataTag();
        QVERIFY2(fs::exists(file), file.c_str());
        VERIFY_PB_ERROR(load(kind.toStdString(), file), file, expected.toUtf8().constData());
    }

    // Every committed file is in the table (so none is silently left untested), and there are enough.
    void everyFixtureIsListed() {
        std::set<std::string> listed;
        for (const Case& c : kCases) QVERIFY2(listed.insert(c.file).second, c.file);
        std::set<std::string> kinds;
        int files = 0;
        for (const auto& entry : fs::recursive_directory_iterator(kHostile)) {
            if (!entry.is_regular_file() || entry.path().extension() == ".py") continue;
            const std::string relative = fs::relative(entry.path(), kHostile).generic_string();
            QVERIFY2(listed.count(relative),
                     qPrintable("not in the test's table: " + QString::fromStdString(relative)));
            kinds.insert(relative.substr(0, relative.find('/')));
            ++files;
        }
        QCOMPARE(files, static_cast<int>(listed.size()));
        QVERIFY(files >= 50);
        QCOMPARE(kinds.size(), size_t(6));
    }

    // ----- generated: too big to commit, or not a plain file -----

    void folderInsteadOfFile() {
        const fs::path dir = fresh_dir();
        for (const char* name : {"model.safetensors", "config.json", "vocab.txt", "tokenizer.json", "train.tsv",
                                 "retention.json"})
            fs::create_directories(dir / name);
        VERIFY_PB_ERROR(SafetensorsFile(dir / "model.safetensors"), dir / "model.safetensors", "not a regular file");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_vocab_file(dir / "vocab.txt"), dir / "vocab.txt",
                        "is a folder, not a vocabulary file");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_tokenizer_json(dir / "tokenizer.json"), dir / "tokenizer.json",
                        "is a folder, not a JSON file");
        VERIFY_PB_ERROR(load_glue_tsv(dir / "train.tsv"), dir / "train.tsv", "is a folder, not a TSV file");
        // These two read a folder as empty text; the message names the file and says it is unusable.
        VERIFY_PB_ERROR(load_model_config(dir / "config.json"), dir / "config.json", "not valid JSON");
        VERIFY_PB_ERROR(load_retention_json(dir / "retention.json", 4), dir / "retention.json", "not a JSON object");
    }

    void missingFiles() {
        const fs::path dir = fresh_dir();
        VERIFY_PB_ERROR(SafetensorsFile(dir / "none.safetensors"), dir / "none.safetensors", "cannot open");
        VERIFY_PB_ERROR(load_model_config(dir / "none.json"), dir / "none.json", "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_vocab_file(dir / "none.txt"), dir / "none.txt", "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_tokenizer_json(dir / "none.json"), dir / "none.json", "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_model_folder(dir), dir.string(), "no tokenizer.json or vocab.txt");
        VERIFY_PB_ERROR(load_glue_tsv(dir / "none.tsv", GlueTask::SST2), dir / "none.tsv", "cannot open");
        VERIFY_PB_ERROR(load_retention_json(dir / "none.json", 4), dir / "none.json", "cannot open");
    }

    // A name longer than the file system allows used to leak std::filesystem::filesystem_error.
    void nameTooLong() {
        const fs::path dir = fresh_dir();
        const std::string long_name(300, 'n');
        VERIFY_PB_ERROR(SafetensorsFile(dir / (long_name + ".safetensors")), dir / (long_name + ".safetensors"),
                        "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_vocab_file(dir / long_name), dir / long_name, "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_tokenizer_json(dir / long_name), dir / long_name, "cannot open");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_model_folder(dir / long_name), dir / long_name,
                        "no tokenizer.json or vocab.txt");
        VERIFY_PB_ERROR(load_model_config(dir / long_name), dir / long_name, "cannot open");
        VERIFY_PB_ERROR(load_glue_tsv(dir / long_name, GlueTask::SST2), dir / long_name, "cannot open");
        VERIFY_PB_ERROR(load_retention_json(dir / long_name, 4), dir / long_name, "cannot open");
    }

    // A header longer than SafetensorsLimits::max_header_bytes (100 MiB), in a sparse 150 MB file.
    void safetensorsHeaderOverLimit() {
        const fs::path file = fresh_dir() / "big.safetensors";
        {
            std::string header_len(8, '\0');
            const uint64_t len = 120u << 20;
            for (int i = 0; i < 8; ++i) header_len[i] = char((len >> (8 * i)) & 0xff);
            write_text(file, header_len);
        }
        fs::resize_file(file, 150u << 20);
        VERIFY_PB_ERROR(SafetensorsFile(file), file, "header of 125829120 bytes exceeds the limit of 104857600");
    }

    // A tensor with a zero in its shape owns no bytes; widening it must not read from (or memcpy
    // out of) the null pointer an empty span may carry. The fuzzer found this; UBSan checks it.
    void emptyTensorsWidenToNothing() {
        const fs::path file = fresh_dir() / "empty.safetensors";
        for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
            write_safetensors(file, {{"e", {0, 4}, {}, dtype}});
            const SafetensorsFile st(file);
            QCOMPARE(st.tensors().size(), size_t(1));
            QCOMPARE(st.tensors()[0].numel(), int64_t(0));
            QVERIFY(to_float32(st.tensors()[0], file).empty());
        }
    }

    // A million nesting levels: parsing must not recurse, and neither may the error message.
    void deeplyNestedJson() {
        const fs::path dir = fresh_dir();
        const int depth = 1000000;
        const std::string nest = std::string(depth, '[') + std::string(depth, ']');

        std::string header = "{\"w\": " + nest + "}";
        header.append((8 - header.size() % 8) % 8, ' ');
        std::string bytes(8, '\0');
        for (int i = 0; i < 8; ++i) bytes[i] = char((uint64_t(header.size()) >> (8 * i)) & 0xff);
        write_text(dir / "model.safetensors", bytes + header);
        VERIFY_PB_ERROR(SafetensorsFile(dir / "model.safetensors"), dir / "model.safetensors",
                        "tensor 'w': entry is not an object");

        // Used to overflow the stack: the message quoted the value with json::dump().
        write_text(dir / "config.json", "{\"vocab_size\": " + nest + "}");
        VERIFY_PB_ERROR(load_model_config(dir / "config.json"), dir / "config.json",
                        "\"vocab_size\" must be an integer, found an array");

        write_text(dir / "tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": " + nest +
                                               "}}, \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}");
        VERIFY_PB_ERROR(WordpieceTokenizer::from_tokenizer_json(dir / "tokenizer.json"), dir / "tokenizer.json",
                        "key 'model.vocab.[UNK]' must be an integer");

        write_text(dir / "retention.json", "{\"retention\": " + nest + "}");
        VERIFY_PB_ERROR(load_retention_json(dir / "retention.json", 4), dir / "retention.json",
                        "\"retention\" must hold integers only");
    }

    void millionLinesOfGarbageVocab() {
        const fs::path file = fresh_dir() / "vocab.txt";
        std::string text;
        uint32_t x = 7;
        for (int line = 0; line < 1000000; ++line) {
            for (int i = 0; i < 8; ++i) {
                x = x * 1103515245u + 12345u;
                text.push_back(static_cast<char>('!' + (x >> 16) % 90));  // printable ASCII, never '['+"UNK]"
            }
            text.push_back('\n');
        }
        write_text(file, text);
        VERIFY_PB_ERROR(WordpieceTokenizer::from_vocab_file(file), file, "the vocabulary has no '[UNK]' token");
    }

    void hugeGlueFiles() {
        const fs::path dir = fresh_dir();
        // One 10 MB sentence is a valid example: it loads whole (the tokenizer truncates it later).
        write_text(dir / "long.tsv", "sentence\tlabel\n" + std::string(10 << 20, 'w') + "\t1\n");
        const GlueDataset data = load_glue_tsv(dir / "long.tsv", GlueTask::SST2);
        QCOMPARE(data.examples.size(), size_t(1));
        QCOMPARE(data.examples[0].text_a.size(), size_t(10 << 20));

        // 200000 bad lines, skipped: one error that counts them, not 200000 messages.
        std::string bad = "sentence\tlabel\n";
        for (int i = 0; i < 200000; ++i) bad += "text\t9\n";
        write_text(dir / "bad.tsv", bad);
        VERIFY_PB_ERROR(load_glue_tsv(dir / "bad.tsv", GlueTask::SST2, MalformedPolicy::Skip), dir / "bad.tsv",
                        "no valid examples (200000 malformed lines skipped; first at line 2");
    }

    // A megabyte of garbage as --retention: the message quotes only the start of it.
    void hugeRetentionText() {
        const std::string garbage(1 << 20, 'x');
        const QString message = pb_error_of([&] { (void)parse_retention(garbage, 12, "--retention"); });
        QVERIFY2(message.startsWith("--retention: \"xxx") && message.contains("is not a comma-separated list"),
                 qPrintable(message.left(200)));
        QVERIFY(message.size() < 200);

        std::string many;
        for (int i = 0; i < 500000; ++i) many += "1,";
        VERIFY_PB_ERROR(parse_retention(many, 12, "--retention"), "--retention",
                        "has 500000 values but the model has 12 layers");
    }

    // ----- huge texts: tokenized and truncated, never an error -----

    void oneMegabyteSentenceIsTruncatedTo512() {
        std::string text;
        while (text.size() < (1u << 20)) text += "The quick brown fox jumps over the lazy dog. ";
        const Encoding e = bert_->encode(text);
        expect_truncated_to_512(e);
        const std::vector<std::string> start = {"[CLS]", "the", "quick", "brown", "fox", "jumps", "over", "the",
                                                "lazy", "dog", ".", "the"};
        QCOMPARE(std::vector<std::string>(e.tokens.begin(), e.tokens.begin() + 12), start);
        QCOMPARE(e.ids[1], *bert_->token_id("the"));
        QVERIFY2(QString::fromStdString(e.notice).contains("from at least"), e.notice.c_str());
        QVERIFY(std::all_of(e.type_ids.begin(), e.type_ids.end(), [](int t) { return t == 0; }));
        // Token 511 ("[SEP]") follows content token 510, which ends within the first few kilobytes.
        QVERIFY(e.spans[510].second > 0 && e.spans[510].second < 4096);
    }

    void oneMegabytePairIsTruncatedTo512() {
        std::string a, b;
        while (a.size() < (1u << 20)) a += "hello world ";
        while (b.size() < (1u << 20)) b += "goodbye moon ";
        const Encoding e = bert_->encode(a, std::string_view(b));
        expect_truncated_to_512(e);
        const auto second = std::count(e.type_ids.begin(), e.type_ids.end(), 1);
        // Longest-first: 509 content tokens shared as evenly as possible.
        QVERIFY2(second == 255 || second == 256, qPrintable(QString::number(second)));
        QCOMPARE(static_cast<int>(std::count(e.tokens.begin(), e.tokens.end(), std::string("[SEP]"))), 2);
    }

    void pathologicalTexts() {
        // One 16 MB "word": longer than max_input_chars_per_word (100), so a single [UNK].
        Encoding e = bert_->encode(std::string(16 << 20, 'a'));
        QCOMPARE(e.tokens, (std::vector<std::string>{"[CLS]", "[UNK]", "[SEP]"}));
        QVERIFY(!e.truncated);

        // Invalid UTF-8 throughout: every byte becomes U+FFFD, which BERT's cleaning removes.
        e = bert_->encode(std::string(1 << 20, '\xff'));
        QCOMPARE(e.tokens, (std::vector<std::string>{"[CLS]", "[SEP]"}));

        // A megabyte of combining accents on nothing: stripped away.
        std::string marks;
        while (marks.size() < (1u << 20)) marks += "\xCC\x81";  // U+0301
        e = bert_->encode(marks);
        QCOMPARE(e.tokens, (std::vector<std::string>{"[CLS]", "[SEP]"}));

        // Each CJK ideograph and each punctuation mark is a word of its own: truncated at 512.
        std::string cjk;
        while (cjk.size() < (1u << 20)) cjk += "\xE4\xB8\x80";  // U+4E00
        expect_truncated_to_512(bert_->encode(cjk));
        expect_truncated_to_512(bert_->encode(std::string(1 << 20, '!')));

        // A megabyte of special tokens typed by the user.
        std::string masks;
        while (masks.size() < (1u << 20)) masks += "[MASK]";
        e = bert_->encode(masks);
        expect_truncated_to_512(e);
        QCOMPARE(e.ids[1], *bert_->token_id("[MASK]"));

        // Control characters and NULs only.
        e = bert_->encode(std::string(1 << 20, '\0'));
        QCOMPARE(e.tokens, (std::vector<std::string>{"[CLS]", "[SEP]"}));
    }

    // tokenizer.json may lift the word-length limit; a 1 MB word used to take minutes (quadratic).
    void unlimitedWordLength() {
        const fs::path file = fresh_dir() / "tokenizer.json";
        write_text(file, unlimited_word_tokenizer_json());
        const auto tokenizer = WordpieceTokenizer::from_tokenizer_json(file);
        const Encoding e = tokenizer.encode(std::string(1 << 20, 'a'), std::nullopt, 512);
        expect_truncated_to_512(e);
        QCOMPARE(e.tokens[1], std::string("a"));
        QCOMPARE(e.tokens[2], std::string("##a"));
        QCOMPARE(e.tokens[510], std::string("##a"));
    }

    // ----- pb::write_file_atomically -----

    void atomicWriteReplacesWholeFile() {
        const fs::path dir = fresh_dir();
        const fs::path target = dir / "results.json";
        write_text(target, std::string(100000, 'o'));  // longer than the new content
        write_file_atomically(target, std::string_view("{\"new\": true}\n"));
        QCOMPARE(read_text(target), std::string("{\"new\": true}\n"));
        QCOMPARE(directory_entries(dir), (std::set<std::string>{"results.json"}));

        // And creates a file that did not exist.
        write_file_atomically(dir / "fresh.txt", std::string_view("x"));
        QCOMPARE(read_text(dir / "fresh.txt"), std::string("x"));
        QCOMPARE(directory_entries(dir), (std::set<std::string>{"results.json", "fresh.txt"}));
    }

    void atomicWriteOverFolderFails() {
        const fs::path dir = fresh_dir();
        const fs::path target = dir / "results.json";
        fs::create_directories(target);
        write_text(target / "keep.txt", "precious");
        VERIFY_PB_ERROR(write_file_atomically(target, std::string_view("new")), target, "cannot replace the file");
        QVERIFY(fs::is_directory(target));
        QCOMPARE(read_text(target / "keep.txt"), std::string("precious"));
        QCOMPARE(directory_entries(dir), (std::set<std::string>{"results.json"}));
    }

    // The write itself fails half-way (the file size limit stands in for a full disk).
    void atomicWriteFailingMidwayKeepsOldFile() {
        const fs::path dir = fresh_dir();
        const fs::path target = dir / "model.safetensors";
        write_text(target, "old contents");
        rlimit saved{};
        QVERIFY(getrlimit(RLIMIT_FSIZE, &saved) == 0);
        auto* previous_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of the signal
        rlimit small = saved;
        small.rlim_cur = 64 * 1024;
        QVERIFY(setrlimit(RLIMIT_FSIZE, &small) == 0);
        const QString message = pb_error_of([&] { write_file_atomically(target, std::string(1 << 20, 'n')); });
        setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previous_handler);
        QVERIFY2(message.contains(QString::fromStdString(target.string())) && message.contains("cannot write"),
                 qPrintable(message));
        QCOMPARE(read_text(target), std::string("old contents"));
        QCOMPARE(directory_entries(dir), (std::set<std::string>{"model.safetensors"}));
    }

    void atomicWriteIntoReadOnlyFolderFails() {
        if (geteuid() == 0) QSKIP("running as root: permissions do not stop root from writing");
        const fs::path dir = fresh_dir();
        const fs::path target = dir / "retention.json";
        write_text(target, "old");
        fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
        const QString message = pb_error_of([&] { write_file_atomically(target, std::string_view("new")); });
        fs::permissions(dir, fs::perms::owner_all);
        QVERIFY2(message.contains(QString::fromStdString(target.string())) &&
                     message.contains("cannot create a temporary file beside it"),
                 qPrintable(message));
        QCOMPARE(read_text(target), std::string("old"));
        QCOMPARE(directory_entries(dir), (std::set<std::string>{"retention.json"}));
    }

    void atomicWriteIntoMissingFolderFails() {
        const fs::path target = fresh_dir() / "no" / "such" / "folder" / "out.json";
        VERIFY_PB_ERROR(write_file_atomically(target, std::string_view("x")), target,
                        "cannot create a temporary file beside it");
        QVERIFY(!fs::exists(target.parent_path()));
    }
};

QTEST_APPLESS_MAIN(TestHostileInputs)
#include "test_hostile_inputs.moc"
