// The WordPiece tokenizer against reference encodings from Hugging Face tokenizers (fixtures made
// by tools/make_tokenizer_fixtures.mjs), plus spans, robustness and loading errors.
#include "core/error.h"
#include "core/wordpiece_tokenizer.h"
#include "error_assertions.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>

using namespace pb;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path fixtures = fs::path(POWERBERT_FIXTURES) / "tokenizer";
const fs::path uncased_dir = fixtures / "bert-base-uncased";
const fs::path cased_vocab = fs::path(POWERBERT_SHARED_DATA) / "vocab" / "bert-base-cased" / "vocab.txt";

Json read_json(const fs::path& p) {
    std::ifstream in(p);
    return Json::parse(in);
}

void write_file(const fs::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary);
    out << content;
}

// Tokenizers are slow enough to load (30k tokens) that each is built once per process.
const WordpieceTokenizer& cached(const std::string& key) {
    static std::map<std::string, std::unique_ptr<WordpieceTokenizer>> cache;
    auto& slot = cache[key];
    if (!slot) {
        if (key == "tokenizer.json") {
            slot = std::make_unique<WordpieceTokenizer>(
                WordpieceTokenizer::from_tokenizer_json(uncased_dir / "tokenizer.json"));
        } else if (key == "vocab.txt") {
            slot = std::make_unique<WordpieceTokenizer>(WordpieceTokenizer::from_vocab_file(uncased_dir / "vocab.txt"));
        } else if (key == "model folder") {
            slot = std::make_unique<WordpieceTokenizer>(WordpieceTokenizer::from_model_folder(uncased_dir));
        } else {
            TokenizerOptions cased;
            cased.lowercase = false;
            slot = std::make_unique<WordpieceTokenizer>(WordpieceTokenizer::from_vocab_file(cased_vocab, cased));
        }
    }
    return *slot;
}

const WordpieceTokenizer& uncased() {
    return cached("tokenizer.json");
}

// A small vocabulary for tests that need precise control over what exists.
std::vector<std::string> tiny_vocab() {
    return {"[PAD]", "[UNK]",  "[CLS]", "[SEP]", "[MASK]", "hello", "world",
            "token", "##izer", "##s",   "cafe",  "café",   ",",     "!"};
}

std::string slice(std::string_view text, std::pair<int32_t, int32_t> span) {
    return std::string(
        text.substr(static_cast<std::size_t>(span.first), static_cast<std::size_t>(span.second - span.first)));
}

// Everything an Encoding promises regardless of the input.
void check_invariants(const Encoding& e, std::string_view a, std::optional<std::string_view> b,
                      const WordpieceTokenizer& t) {
    const std::size_t n = e.ids.size();
    QCOMPARE(e.tokens.size(), n);
    QCOMPARE(e.type_ids.size(), n);
    QCOMPARE(e.segment.size(), n);
    QCOMPARE(e.spans.size(), n);
    QVERIFY(n >= 2);
    for (std::size_t i = 0; i < n; ++i) {
        QVERIFY(e.ids[i] >= 0 && e.ids[i] < t.vocab_size());
        const int32_t seg = e.segment[i];
        QVERIFY(seg >= -1 && seg <= 1);
        const auto [begin, end] = e.spans[i];
        if (seg == -1) {
            QCOMPARE(e.spans[i], (std::pair<int32_t, int32_t>{0, 0}));
            continue;
        }
        const std::size_t size = seg == 0 ? a.size() : b->size();
        QVERIFY2(begin >= 0 && begin <= end && static_cast<std::size_t>(end) <= size,
                 qPrintable(QString("span %1..%2 of %3 bytes").arg(begin).arg(end).arg(size)));
    }
}

QStringList qlist(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << QString::fromStdString(s);
    return out;
}

QList<int> qlist(const std::vector<int32_t>& v) {
    return QList<int>(v.begin(), v.end());
}

QList<int> qlist(const Json& j) {
    QList<int> out;
    for (const auto& v : j) out << v.get<int>();
    return out;
}

QStringList qstrings(const Json& j) {
    QStringList out;
    for (const auto& v : j) out << QString::fromStdString(v.get<std::string>());
    return out;
}

void add_fixture_rows(const fs::path& file, const QStringList& loaders) {
    QTest::addColumn<QString>("loader");
    QTest::addColumn<QByteArray>("fixture");
    const Json cases = read_json(file).at("cases");
    for (const QString& loader : loaders)
        for (const Json& c : cases)
            QTest::addRow("%s: %s", qPrintable(loader), c.at("name").get<std::string>().c_str())
                << loader << QByteArray::fromStdString(c.dump());
}

void check_fixture(const WordpieceTokenizer& t, const Json& c) {
    const std::string text = c.at("text").get<std::string>();
    std::optional<std::string> pair;
    if (!c.at("pair").is_null()) pair = c.at("pair").get<std::string>();
    // No max_length in the fixture means HF encoded without truncation.
    const int max_length = c.at("max_length").is_null() ? (1 << 30) : c.at("max_length").get<int>();
    const Encoding e = t.encode(text, pair ? std::optional<std::string_view>(*pair) : std::nullopt, max_length);
    QCOMPARE(qlist(e.tokens), qstrings(c.at("tokens")));
    QCOMPARE(qlist(e.ids), qlist(c.at("ids")));
    QCOMPARE(qlist(e.type_ids), qlist(c.at("type_ids")));
    check_invariants(e, text, pair ? std::optional<std::string_view>(*pair) : std::nullopt, t);
    QCOMPARE(e.truncated,
             !c.at("max_length").is_null() &&
                 e.ids.size() <
                     t.encode(text, pair ? std::optional<std::string_view>(*pair) : std::nullopt, 1 << 30).ids.size());
}

// A minimal tokenizer.json around the tiny vocabulary; tests patch it to break one thing.
Json tiny_tokenizer_json() {
    Json vocab = Json::object();
    const auto words = tiny_vocab();
    for (std::size_t i = 0; i < words.size(); ++i) vocab[words[i]] = i;
    Json added = Json::array();
    for (int id : {0, 1, 2, 3, 4})
        added.push_back({{"id", id},
                         {"content", words[static_cast<std::size_t>(id)]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    return {{"version", "1.0"},
            {"added_tokens", added},
            {"normalizer",
             {{"type", "BertNormalizer"},
              {"clean_text", true},
              {"handle_chinese_chars", true},
              {"strip_accents", nullptr},
              {"lowercase", true}}},
            {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
            {"post_processor",
             {{"type", "BertProcessing"}, {"sep", Json::array({"[SEP]", 3})}, {"cls", Json::array({"[CLS]", 2})}}},
            {"model",
             {{"type", "WordPiece"},
              {"unk_token", "[UNK]"},
              {"continuing_subword_prefix", "##"},
              {"max_input_chars_per_word", 100},
              {"vocab", vocab}}}};
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace

class TestWordpieceTokenizer : public QObject {
    Q_OBJECT

    QTemporaryDir temp_;
    fs::path temp(const std::string& name) const { return fs::path(temp_.path().toStdString()) / name; }

private slots:
    // ----- reference fixtures -----

    void matches_hugging_face_uncased_data() {
        add_fixture_rows(fixtures / "bert-base-uncased.json", {"tokenizer.json", "vocab.txt", "model folder"});
    }
    void matches_hugging_face_uncased() {
        QFETCH(QString, loader);
        QFETCH(QByteArray, fixture);
        check_fixture(cached(loader.toStdString()), Json::parse(fixture.toStdString()));
    }

    void matches_hugging_face_cased_data() { add_fixture_rows(fixtures / "bert-base-cased.json", {"cased vocab.txt"}); }
    void matches_hugging_face_cased() {
        if (!fs::exists(cased_vocab))
            QSKIP(qPrintable("the cased vocabulary is not available: " + QString::fromStdString(cased_vocab.string()) +
                             " (configure with -DPOWERBERT_SHARED_DATA=<shared data folder>)"));
        QFETCH(QString, loader);
        QFETCH(QByteArray, fixture);
        check_fixture(cached(loader.toStdString()), Json::parse(fixture.toStdString()));
    }

    void fixtures_are_large_enough() {
        QVERIFY(read_json(fixtures / "bert-base-uncased.json").at("cases").size() >= 60);
    }

    // ----- spans -----

    void spans_cover_the_original_bytes_after_normalisation() {
        const std::string text =
            "Caf\xC3\xA9 \xC3\x89"
            "COLE cafe\xCC\x81 \xC4\xB0stanbul tokenizer \xE4\xB8\xAD\xE6\x96\x87";
        const Encoding e = uncased().encode(text);
        check_invariants(e, text, std::nullopt, uncased());
        std::vector<std::pair<std::string, std::string>> seen;
        for (std::size_t i = 1; i + 1 < e.ids.size(); ++i) seen.emplace_back(e.tokens[i], slice(text, e.spans[i]));
        const std::vector<std::pair<std::string, std::string>> expected = {
            // A separate combining mark is dropped with its bytes, as in HF's offsets: only a
            // precomposed "é" keeps its whole 2 bytes.
            {"cafe", "Caf\xC3\xA9"},
            {"ecole",
             "\xC3\x89"
             "COLE"},
            {"cafe", "cafe"},
            {"istanbul", "\xC4\xB0stanbul"},
            {"token", "token"},
            {"##izer", "izer"},
            {"\xE4\xB8\xAD", "\xE4\xB8\xAD"},
            {"\xE6\x96\x87", "\xE6\x96\x87"}};
        QCOMPARE(seen.size(), expected.size());
        for (std::size_t i = 0; i < seen.size(); ++i) {
            QCOMPARE(QString::fromStdString(seen[i].first), QString::fromStdString(expected[i].first));
            QCOMPARE(QString::fromStdString(seen[i].second), QString::fromStdString(expected[i].second));
        }
        QCOMPARE(e.spans[1], (std::pair<int32_t, int32_t>{0, 5}));  // "Café" is 5 bytes
    }

    void special_tokens_have_no_span_and_pairs_index_their_own_text() {
        const std::string a = "Hello, world!", b = "[MASK] token";
        const Encoding e = uncased().encode(a, b);
        check_invariants(e, a, b, uncased());
        QCOMPARE(qlist(e.tokens),
                 QStringList({"[CLS]", "hello", ",", "world", "!", "[SEP]", "[MASK]", "token", "[SEP]"}));
        QCOMPARE(qlist(e.segment), QList<int>({-1, 0, 0, 0, 0, -1, 1, 1, -1}));
        QCOMPARE(qlist(e.type_ids), QList<int>({0, 0, 0, 0, 0, 0, 1, 1, 1}));
        QCOMPARE(slice(b, e.spans[6]), std::string("[MASK]"));
        QCOMPARE(slice(b, e.spans[7]), std::string("token"));
        QCOMPARE(slice(a, e.spans[4]), std::string("!"));
        QCOMPARE(e.ids[6], 103);
    }

    void unknown_words_span_the_whole_word() {
        const std::string text = "ok \xF0\x9F\x98\x80\xF0\x9F\x98\x80x " + std::string(120, 'q');
        const Encoding e = uncased().encode(text);
        QCOMPARE(qlist(e.tokens), QStringList({"[CLS]", "ok", "[UNK]", "[UNK]", "[SEP]"}));
        QCOMPARE(slice(text, e.spans[2]), std::string("\xF0\x9F\x98\x80\xF0\x9F\x98\x80x"));
        QCOMPARE(slice(text, e.spans[3]), std::string(120, 'q'));
    }

    // ----- robustness -----

    void invalid_utf8_is_replaced_and_dropped() {
        const std::string text = "\xFF\xFEhello \xC3(world\xED\xA0\x80 \xF0\x9F\x98";
        const Encoding e = uncased().encode(text);
        QCOMPARE(qlist(e.tokens), QStringList({"[CLS]", "hello", "(", "world", "[SEP]"}));
        check_invariants(e, text, std::nullopt, uncased());
        QCOMPARE(slice(text, e.spans[1]), std::string("hello"));
        QCOMPARE(slice(text, e.spans[2]), std::string("("));
    }

    void invalid_utf8_without_cleaning_becomes_unknown() {
        TokenizerOptions o;
        o.clean_text = false;
        const WordpieceTokenizer t(tiny_vocab(), o);
        const Encoding e = t.encode("hello\xFF world");
        QCOMPARE(qlist(e.tokens), QStringList({"[CLS]", "[UNK]", "world", "[SEP]"}));
        QCOMPARE(e.spans[1], (std::pair<int32_t, int32_t>{0, 6}));
    }

    void random_bytes_never_break_it() {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> byte(0, 255), length(0, 80), pick(0, 9);
        const std::string alphabet[] = {"[MASK]", "[SEP]", " ",        "\xC3\xA9", "\xE4\xB8\xAD",
                                        "##",     "a",     "\xCC\x81", "\t",       "!"};
        for (int round = 0; round < 1500; ++round) {
            std::string a, b;
            for (int i = length(rng); i > 0; --i)
                a += byte(rng) < 128 ? alphabet[pick(rng)] : std::string(1, char(byte(rng)));
            for (int i = length(rng) / 4; i > 0; --i) b += char(byte(rng));
            const int max_length = round % 3 == 0 ? 5 + round % 11 : 0;
            const Encoding single = uncased().encode(a, std::nullopt, max_length);
            check_invariants(single, a, std::nullopt, uncased());
            const Encoding both = uncased().encode(a, b, max_length);
            check_invariants(both, a, b, uncased());
            if (max_length > 0) QVERIFY(both.ids.size() <= static_cast<std::size_t>(max_length));
            uncased().basic_tokens(a);
        }
    }

    void empty_input_gives_cls_sep() {
        QCOMPARE(qlist(uncased().encode("").tokens), QStringList({"[CLS]", "[SEP]"}));
        QCOMPARE(qlist(uncased().encode("", "").tokens), QStringList({"[CLS]", "[SEP]", "[SEP]"}));
        QCOMPARE(qlist(uncased().encode("", "").type_ids), QList<int>({0, 0, 1}));
        QVERIFY(uncased().basic_tokens("").empty());
        QVERIFY(!uncased().encode("").truncated);
    }

    void megabyte_input_is_truncated_to_the_model_length() {
        std::string text;
        while (text.size() < (1u << 20)) text += "The quick brown fox jumps over the lazy dog, again. ";
        const Encoding e = uncased().encode(text);
        QCOMPARE(e.ids.size(), std::size_t(512));
        QVERIFY(e.truncated);
        QCOMPARE(e.tokens.back(), std::string("[SEP]"));
        // Counting stops after the word that passes 510 + 1024 tokens: the total is a lower bound.
        QCOMPARE(QString::fromStdString(e.notice),
                 QString("input truncated from at least 1537 to 512 tokens (longest-first)"));
        check_invariants(e, text, std::nullopt, uncased());
    }

    void megabyte_inputs_of_every_shape_stay_bounded() {
        const std::string no_spaces(1u << 20, 'a');
        QCOMPARE(qlist(uncased().encode(no_spaces).tokens), QStringList({"[CLS]", "[UNK]", "[SEP]"}));
        std::string cjk;
        while (cjk.size() < (1u << 20)) cjk += "\xE4\xB8\xAD";
        QCOMPARE(uncased().encode(cjk).ids.size(), std::size_t(512));
        std::string masks;
        while (masks.size() < (1u << 20)) masks += "[MASK]";
        QCOMPARE(uncased().encode(masks, std::nullopt, 64).ids.size(), std::size_t(64));
    }

    void megabyte_pairs_are_cut_longest_first() {
        std::string longer, shorter;
        while (longer.size() < (1u << 20)) longer += "alpha beta gamma ";
        while (shorter.size() < (1u << 19)) shorter += "delta epsilon ";
        // 512 - 3 leaves an odd 509: the extra token goes to the longer side, whichever it is.
        Encoding e = uncased().encode(longer, shorter);
        QCOMPARE(e.ids.size(), std::size_t(512));
        QCOMPARE(int(std::count(e.type_ids.begin(), e.type_ids.end(), 1)), 254 + 1);
        e = uncased().encode(shorter, longer);
        QCOMPARE(int(std::count(e.type_ids.begin(), e.type_ids.end(), 1)), 255 + 1);
        QVERIFY(e.truncated);
        // More bytes do not mean more tokens: here the shorter text is the longer sequence.
        std::string many_short_words, fewer_long_words;
        for (int i = 0; i < 100000; ++i) many_short_words += "a ";
        for (int i = 0; i < 50000; ++i) fewer_long_words += "hello ";
        e = uncased().encode(fewer_long_words, many_short_words);
        QCOMPARE(int(std::count(e.type_ids.begin(), e.type_ids.end(), 1)), 255 + 1);
        // An even budget needs no full count.
        e = uncased().encode(longer, shorter, 511);
        QCOMPARE(int(std::count(e.type_ids.begin(), e.type_ids.end(), 1)), 254 + 1);
    }

    void truncation_notice_names_the_lengths() {
        std::string page;
        for (int i = 0; i < 300; ++i) page += "word ";
        QCOMPARE(QString::fromStdString(uncased().encode(page, std::nullopt, 128).notice),
                 QString("input truncated from 302 to 128 tokens (longest-first)"));
        const Encoding e = uncased().encode("one two three four five six", std::nullopt, 6);
        QCOMPARE(qlist(e.tokens), QStringList({"[CLS]", "one", "two", "three", "four", "[SEP]"}));
        QCOMPARE(QString::fromStdString(e.notice), QString("input truncated from 8 to 6 tokens (longest-first)"));
        const Encoding p = uncased().encode("one two three", "four five six", 7);
        QCOMPARE(qlist(p.tokens), QStringList({"[CLS]", "one", "two", "[SEP]", "four", "five", "[SEP]"}));
        QCOMPARE(QString::fromStdString(p.notice), QString("input truncated from 9 to 7 tokens (longest-first)"));
        QVERIFY(uncased().encode("one two", std::nullopt, 4).notice.empty());
    }

    void max_length_defaults_to_the_model_length_and_must_fit_the_specials() {
        TokenizerOptions o;
        o.model_max_length = 4;
        const WordpieceTokenizer t(tiny_vocab(), o);
        QCOMPARE(qlist(t.encode("hello world hello world").tokens), QStringList({"[CLS]", "hello", "world", "[SEP]"}));
        QCOMPARE(t.encode("hello world hello world", std::nullopt, 100).ids.size(), std::size_t(6));
        QVERIFY_ERROR_MENTIONS(t.encode("hello", std::nullopt, 1), "max_length 1");
        QVERIFY_ERROR_MENTIONS(t.encode("hello", "world", 2), "max_length 2");
        QCOMPARE(qlist(t.encode("hello", "world", 3).tokens), QStringList({"[CLS]", "[SEP]", "[SEP]"}));
        o.model_max_length = 0;  // no limit at all
        const WordpieceTokenizer unlimited(tiny_vocab(), o);
        QCOMPARE(unlimited.encode("hello world hello world hello world").ids.size(), std::size_t(8));
    }

    // ----- options -----

    void basic_tokens_show_normalisation_and_splitting() {
        QCOMPARE(qlist(uncased().basic_tokens("Héllo, WORLD!  中文 [MASK]x\u00A0y")),
                 QStringList({"hello", ",", "world", "!", "\u4E2D", "\u6587", "[MASK]", "x", "y"}));
    }

    void options_switch_each_normalisation_step() {
        const auto words = [](TokenizerOptions o, std::string_view text) {
            return qlist(WordpieceTokenizer(tiny_vocab(), std::move(o)).basic_tokens(text));
        };
        TokenizerOptions cased;
        cased.lowercase = false;
        QCOMPARE(words(cased, "Café"), QStringList({"Café"}));
        cased.strip_accents = true;
        QCOMPARE(words(cased, "Café"), QStringList({"Cafe"}));
        TokenizerOptions keep_accents;
        keep_accents.strip_accents = false;
        QCOMPARE(words(keep_accents, "CAFÉ"), QStringList({"café"}));
        TokenizerOptions no_cjk;
        no_cjk.tokenize_chinese_chars = false;
        QCOMPARE(words(no_cjk, "中文字"), QStringList({"中文字"}));
        TokenizerOptions no_clean;
        no_clean.clean_text = false;
        QCOMPARE(words(no_clean, "a\u200Bb\tc"), QStringList({"a\u200Bb", "c"}));
        QCOMPARE(words(TokenizerOptions{}, "a\u200Bb\tc"), QStringList({"ab", "c"}));
        TokenizerOptions short_words;
        short_words.max_chars_per_word = 5;
        const WordpieceTokenizer t(tiny_vocab(), short_words);
        QCOMPARE(qlist(t.encode("hello tokenizers").tokens), QStringList({"[CLS]", "hello", "[UNK]", "[SEP]"}));
    }

    void vocabulary_lookups() {
        QCOMPARE(uncased().vocab_size(), 30522);
        QCOMPARE(uncased().token(101), std::string("[CLS]"));
        QCOMPARE(uncased().token_id("hello"), std::optional<int32_t>(7592));
        QCOMPARE(uncased().token_id("no such token"), std::optional<int32_t>());
        QVERIFY_ERROR_MENTIONS(uncased().token(30522), "30522");
        QVERIFY_ERROR_MENTIONS(uncased().token(-1), "-1");
        QCOMPARE(uncased().added_tokens().size(), std::size_t(5));
        QVERIFY(uncased().options().lowercase);
        QVERIFY(!uncased().options().strip_accents.has_value());
    }

    // ----- vocab.txt errors -----

    void vocab_file_errors_name_the_file() {
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_vocab_file(temp("missing.txt")), "missing.txt", "cannot open");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_vocab_file(temp("")), "folder");
        write_file(temp("empty.txt"), "");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_vocab_file(temp("empty.txt")), "empty.txt", "empty");
        for (const char* special : {"[UNK]", "[CLS]", "[SEP]"}) {
            auto words = tiny_vocab();
            std::erase(words, special);
            write_file(temp("no_special.txt"), join_lines(words));
            QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_vocab_file(temp("no_special.txt")), "no_special.txt",
                                   special);
        }
        write_file(temp("bad_utf8.txt"), "[UNK]\n[CLS]\n[SEP]\nbad\xFF\n");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_vocab_file(temp("bad_utf8.txt")), "bad_utf8.txt", "line 4");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer({"[UNK]", "[CLS]"}, {}), "vocabulary", "[SEP]");
    }

    void vocab_file_lines_are_read_like_hugging_face() {
        // Trailing whitespace and CRLF are trimmed; a repeated token keeps its last line's id.
        write_file(temp("quirks.txt"), "[PAD]\r\n[UNK]  \n[CLS]\n[SEP]\nhello\nworld\nhello\n");
        const auto t = WordpieceTokenizer::from_vocab_file(temp("quirks.txt"));
        QCOMPARE(t.vocab_size(), 7);
        QCOMPARE(t.token_id("[UNK]"), std::optional<int32_t>(1));
        QCOMPARE(t.token_id("hello"), std::optional<int32_t>(6));
        QCOMPARE(qlist(t.encode("hello world").ids), QList<int>({2, 6, 5, 3}));
        QVERIFY(!t.token_id("[MASK]").has_value());
        QCOMPARE(qlist(t.encode("[MASK]").tokens), QStringList({"[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"}));
    }

    // ----- tokenizer.json errors -----

    void tokenizer_json_errors_name_the_file_and_key_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("key");
        const auto with = [](auto patch) {
            Json j = tiny_tokenizer_json();
            patch(j);
            return QByteArray::fromStdString(j.dump());
        };
        QTest::newRow("not json") << QByteArray("{\"model\": ") << "not valid JSON";
        QTest::newRow("array root") << QByteArray("[1, 2]") << "(root)";
        QTest::newRow("no model") << with([](Json& j) { j.erase("model"); }) << "'model'";
        QTest::newRow("bpe model") << with([](Json& j) { j["model"]["type"] = "BPE"; }) << "'model.type'";
        QTest::newRow("no vocab") << with([](Json& j) { j["model"].erase("vocab"); }) << "'model.vocab'";
        QTest::newRow("vocab list") << with([](Json& j) { j["model"]["vocab"] = Json::array({"a"}); })
                                    << "'model.vocab'";
        QTest::newRow("empty vocab") << with([](Json& j) { j["model"]["vocab"] = Json::object(); }) << "'model.vocab'";
        QTest::newRow("string id") << with([](Json& j) { j["model"]["vocab"]["hello"] = "5"; })
                                   << "'model.vocab.hello'";
        QTest::newRow("negative id") << with([](Json& j) { j["model"]["vocab"]["hello"] = -1; })
                                     << "'model.vocab.hello'";
        QTest::newRow("huge id") << with([](Json& j) { j["model"]["vocab"]["hello"] = 4000000000LL; })
                                 << "'model.vocab.hello'";
        QTest::newRow("reused id") << with([](Json& j) { j["model"]["vocab"]["hello"] = 6; }) << "reuses id 6";
        QTest::newRow("max chars") << with([](Json& j) { j["model"]["max_input_chars_per_word"] = "x"; })
                                   << "'model.max_input_chars_per_word'";
        QTest::newRow("unk token") << with([](Json& j) { j["model"]["unk_token"] = 7; }) << "'model.unk_token'";
        QTest::newRow("missing unk") << with([](Json& j) { j["model"]["unk_token"] = "<unk>"; }) << "'<unk>'";
        QTest::newRow("normalizer type") << with([](Json& j) {
            j["normalizer"] = {{"type", "Lowercase"}};
        }) << "'normalizer.type'";
        QTest::newRow("normalizer flag") << with([](Json& j) { j["normalizer"]["lowercase"] = "yes"; })
                                         << "'normalizer.lowercase'";
        QTest::newRow("no pre-tokenizer") << with([](Json& j) { j.erase("pre_tokenizer"); }) << "'pre_tokenizer.type'";
        QTest::newRow("pre-tokenizer type") << with([](Json& j) {
            j["pre_tokenizer"] = {{"type", "Whitespace"}};
        }) << "'pre_tokenizer.type'";
        QTest::newRow("added tokens") << with([](Json& j) { j["added_tokens"] = 5; }) << "'added_tokens'";
        QTest::newRow("added content") << with([](Json& j) { j["added_tokens"][2].erase("content"); })
                                       << "'added_tokens[2].content'";
        QTest::newRow("added id") << with([](Json& j) { j["added_tokens"][1]["id"] = "one"; })
                                  << "'added_tokens[1].id'";
        QTest::newRow("post processor") << with([](Json& j) {
            j["post_processor"] = {{"type", "RobertaProcessing"}};
        }) << "'post_processor.type'";
        QTest::newRow("bert processing") << with([](Json& j) { j["post_processor"]["cls"] = 2; })
                                         << "'post_processor.cls'";
        QTest::newRow("template") << with([](Json& j) {
            j["post_processor"] = {{"type", "TemplateProcessing"}, {"single", 1}};
        }) << "'post_processor.single'";
    }
    void tokenizer_json_errors_name_the_file_and_key() {
        QFETCH(QByteArray, content);
        QFETCH(QString, key);
        write_file(temp("broken.json"), content.toStdString());
        const QString message = error_of([&] { WordpieceTokenizer::from_tokenizer_json(temp("broken.json")); });
        QVERIFY2(message.contains(QString::fromStdString(temp("broken.json").string())), qPrintable(message));
        QVERIFY2(message.contains(key), qPrintable(message));
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_tokenizer_json(temp("absent.json")), "absent.json",
                               "cannot open");
    }

    void tokenizer_json_reads_options_and_added_tokens() {
        Json j = tiny_tokenizer_json();
        j["normalizer"]["lowercase"] = false;
        j["model"]["max_input_chars_per_word"] = 7;
        j["added_tokens"].push_back({{"id", 14}, {"content", "<ent>"}, {"lstrip", true}, {"rstrip", true}});
        j["added_tokens"].push_back({{"id", 15}, {"content", "ab"}, {"single_word", true}});
        j["added_tokens"].push_back({{"id", 16}, {"content", "Covid19"}, {"normalized", true}});
        j["normalizer"]["lowercase"] = true;
        write_file(temp("options.json"), j.dump());
        const auto t = WordpieceTokenizer::from_tokenizer_json(temp("options.json"));
        QCOMPARE(t.options().max_chars_per_word, 7);
        QCOMPARE(t.vocab_size(), 17);
        QCOMPARE(t.token(16), std::string("Covid19"));
        // lstrip/rstrip swallow the spaces around the token, so they are not in any word.
        const std::string text = "hello  <ent>  world";
        const Encoding e = t.encode(text);
        QCOMPARE(qlist(e.ids), QList<int>({2, 5, 14, 6, 3}));
        QCOMPARE(slice(text, e.spans[2]), std::string("  <ent>  "));
        // single_word: only a match with no word character on either side counts.
        QCOMPARE(qlist(t.encode("ab").ids), QList<int>({2, 15, 3}));
        QCOMPARE(qlist(t.encode("abs").ids), QList<int>({2, 1, 3}));
        // A normalised added token matches the normalised text: "COVID19" lowercases to "covid19".
        const Encoding n = t.encode("hello COVID19!");
        QCOMPARE(qlist(n.ids), QList<int>({2, 5, 16, 13, 3}));
        QCOMPARE(slice("hello COVID19!", n.spans[2]), std::string("COVID19"));
    }

    // ----- model folders -----

    void model_folder_prefers_tokenizer_json() {
        const fs::path dir = temp("both");
        fs::create_directories(dir);
        write_file(dir / "tokenizer.json", tiny_tokenizer_json().dump());
        write_file(dir / "vocab.txt", join_lines({"[UNK]", "[CLS]", "[SEP]", "Hello"}));
        write_file(dir / "tokenizer_config.json", R"({"do_lower_case": false, "model_max_length": 128})");
        const auto t = WordpieceTokenizer::from_model_folder(dir);
        QCOMPARE(t.vocab_size(), 14);
        QVERIFY(t.options().lowercase);  // tokenizer.json's normaliser wins over do_lower_case
        QCOMPARE(t.options().model_max_length, 128);
        QCOMPARE(qlist(t.encode("Hello").tokens), QStringList({"[CLS]", "hello", "[SEP]"}));
    }

    void model_folder_honours_tokenizer_config() {
        const fs::path dir = temp("vocab_only");
        fs::create_directories(dir);
        auto words = tiny_vocab();
        words.push_back("Hello");
        write_file(dir / "vocab.txt", join_lines(words));
        QCOMPARE(qlist(WordpieceTokenizer::from_model_folder(dir).encode("Hello").tokens),
                 QStringList({"[CLS]", "hello", "[SEP]"}));
        write_file(dir / "tokenizer_config.json",
                   R"({"do_lower_case": false, "tokenize_chinese_chars": false, "model_max_length": 1e30})");
        const auto t = WordpieceTokenizer::from_model_folder(dir);
        QVERIFY(!t.options().lowercase);
        QVERIFY(!t.options().tokenize_chinese_chars);
        QCOMPARE(t.options().model_max_length, 512);  // HF's "no limit" sentinel keeps BERT's own limit
        QCOMPARE(qlist(t.encode("Hello café").tokens), QStringList({"[CLS]", "Hello", "café", "[SEP]"}));
        write_file(dir / "tokenizer_config.json", R"({"do_lower_case": "no"})");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_model_folder(dir), "tokenizer_config.json", "'do_lower_case'");
        write_file(dir / "tokenizer_config.json", R"({"do_lower_case": )");
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_model_folder(dir), "tokenizer_config.json", "not valid JSON");
    }

    void model_folder_without_vocabulary_is_an_error() {
        const fs::path dir = temp("nothing");
        fs::create_directories(dir);
        QVERIFY_ERROR_MENTIONS(WordpieceTokenizer::from_model_folder(dir), "nothing", "tokenizer.json", "vocab.txt");
    }
};

QTEST_APPLESS_MAIN(TestWordpieceTokenizer)
#include "test_wordpiece_tokenizer.moc"
