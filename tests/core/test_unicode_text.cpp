// UTF-8 handling and the Unicode character classes that the BERT tokenizer relies on.
#include "core/unicode_text.h"

#include <QtTest/QtTest>

#include <random>

using namespace pb;

namespace {

QString hex(std::u32string_view s) {
    QStringList parts;
    for (char32_t c : s) parts << QString::number(static_cast<uint>(c), 16).toUpper();
    return parts.join(' ');
}

bool all_scalar_values(std::u32string_view s) {
    return std::all_of(s.begin(), s.end(), [](char32_t c) { return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF); });
}

}  // namespace

class TestUnicodeText : public QObject {
    Q_OBJECT

private slots:
    void decodes_well_formed_utf8() {
        QCOMPARE(hex(decode_utf8("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80")), QString("61 E9 4E2D 1F600"));
        QCOMPARE(hex(decode_utf8("")), QString());
        QCOMPARE(hex(decode_utf8("\xEF\xBF\xBD")), QString("FFFD"));
    }

    void replaces_each_maximal_ill_formed_subpart_once_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        // The Unicode Standard's own example (chapter 3, U+FFFD substitution of maximal subparts).
        QTest::newRow("standard example") << QByteArray("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64")
                                          << "61 FFFD FFFD FFFD 62 FFFD 63 FFFD FFFD 64";
        QTest::newRow("lone continuation") << QByteArray("\x80") << "FFFD";
        QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << "FFFD FFFD";
        QTest::newRow("overlong three bytes") << QByteArray("\xE0\x80\xAF") << "FFFD FFFD FFFD";
        QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << "FFFD FFFD FFFD";
        QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << "FFFD FFFD FFFD FFFD";
        QTest::newRow("truncated at end") << QByteArray("\xF0\x9F\x98") << "FFFD";
        QTest::newRow("truncated before ascii") << QByteArray(
                                                       "\xE2\x82"
                                                       "A")
                                                << "FFFD 41";
        QTest::newRow("invalid bytes") << QByteArray("\xFF\xFE\xF5") << "FFFD FFFD FFFD";
        QTest::newRow("embedded nul") << QByteArray("a\0b", 3) << "61 0 62";
    }
    void replaces_each_maximal_ill_formed_subpart_once() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string_view text(bytes.constData(), static_cast<std::size_t>(bytes.size()));
        QCOMPARE(hex(decode_utf8(text)), expected);
        QVERIFY(is_valid_utf8(to_valid_utf8(text)));
    }

    void validity_check_accepts_a_literal_replacement_character() {
        QVERIFY(is_valid_utf8("caf\xC3\xA9 \xEF\xBF\xBD"));
        QVERIFY(!is_valid_utf8("caf\xC3"));
        QVERIFY(!is_valid_utf8("\xED\xA0\x80"));
        QCOMPARE(to_valid_utf8("a\xFF"
                               "b"),
                 std::string("a\xEF\xBF\xBD"
                             "b"));
    }

    void encodes_and_round_trips() {
        const std::u32string text = U"a\u00E9\u4E2D\U0001F600";
        QCOMPARE(decode_utf8(encode_utf8(text)), text);
        std::string out;
        append_utf8(out, 0xD800);
        append_utf8(out, 0x110000);
        QCOMPARE(out, std::string("\xEF\xBF\xBD\xEF\xBF\xBD"));
    }

    void never_fails_on_random_bytes() {
        std::mt19937 rng(20240601);
        std::uniform_int_distribution<int> byte(0, 255), length(0, 48);
        for (int round = 0; round < 5000; ++round) {
            std::string bytes(static_cast<std::size_t>(length(rng)), '\0');
            for (char& b : bytes) b = static_cast<char>(byte(rng));
            const std::u32string decoded = decode_utf8(bytes);
            QVERIFY(decoded.size() <= bytes.size());
            QVERIFY(all_scalar_values(decoded));
            QVERIFY(is_valid_utf8(encode_utf8(decoded)));
            QVERIFY(all_scalar_values(nfd(decoded)));
            QVERIFY(is_valid_utf8(lowercase_per_char(bytes)));
        }
    }

    void reports_general_categories() {
        QCOMPARE(general_category(U'A'), std::string_view("Lu"));
        QCOMPARE(general_category(U'a'), std::string_view("Ll"));
        QCOMPARE(general_category(0x0301), std::string_view("Mn"));
        QCOMPARE(general_category(0x0007), std::string_view("Cc"));
        QCOMPARE(general_category(0x200B), std::string_view("Cf"));
        QCOMPARE(general_category(0xE000), std::string_view("Co"));
        QCOMPARE(general_category(0x0378), std::string_view("Cn"));
        QCOMPARE(general_category(0x00BF), std::string_view("Po"));
        QCOMPARE(general_category(0x00AB), std::string_view("Pi"));
        QCOMPARE(general_category(0x2014), std::string_view("Pd"));
        QCOMPARE(general_category(U'$'), std::string_view("Sc"));
        QCOMPARE(general_category(0x1F600), std::string_view("So"));
        QCOMPARE(general_category(0x3000), std::string_view("Zs"));
    }

    void bert_control_is_cc_cf_co_except_tab_newline_return() {
        for (char32_t c : {U'\t', U'\n', U'\r'}) QVERIFY(!is_bert_control(c));
        for (char32_t c : {char32_t(0), char32_t(0x07), char32_t(0x7F), char32_t(0x85), char32_t(0x0B), char32_t(0xAD),
                           char32_t(0x200B), char32_t(0xFEFF), char32_t(0xE000), char32_t(0xF0000)})
            QVERIFY2(is_bert_control(c), qPrintable(hex(std::u32string(1, c))));
        for (char32_t c : {U'a', U' ', char32_t(0x0378), char32_t(0x0301), char32_t(0xFFFD)})
            QVERIFY(!is_bert_control(c));
    }

    void bert_whitespace_is_white_space_plus_tab_newline_return() {
        for (char32_t c : {U' ', U'\t', U'\n', U'\r', char32_t(0x0B), char32_t(0xA0), char32_t(0x1680),
                           char32_t(0x2000), char32_t(0x2028), char32_t(0x2029), char32_t(0x202F), char32_t(0x3000)})
            QVERIFY2(is_bert_whitespace(c), qPrintable(hex(std::u32string(1, c))));
        for (char32_t c : {U'a', char32_t(0x200B), char32_t(0xFEFF), char32_t(0x180E), char32_t(0x1C)})
            QVERIFY2(!is_bert_whitespace(c), qPrintable(hex(std::u32string(1, c))));
    }

    void bert_punctuation_covers_every_ascii_non_alphanumeric() {
        for (char32_t c = 33; c <= 126; ++c) {
            const bool alnum = (c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z');
            QVERIFY2(is_bert_punctuation(c) == !alnum, qPrintable(QString(QChar(char16_t(c)))));
        }
        for (char32_t c : {char32_t(0x00BF), char32_t(0x00AB), char32_t(0x00BB), char32_t(0x2014), char32_t(0x2026),
                           char32_t(0x2019), char32_t(0x3002), char32_t(0xFF01)})
            QVERIFY2(is_bert_punctuation(c), qPrintable(hex(std::u32string(1, c))));
        // Non-ASCII symbols are not punctuation: only the ASCII ones are special-cased.
        for (char32_t c : {U' ', char32_t(0x20AC), char32_t(0x00B1), char32_t(0x1F600), char32_t(0x00E9)})
            QVERIFY2(!is_bert_punctuation(c), qPrintable(hex(std::u32string(1, c))));
    }

    void cjk_ranges_are_hugging_faces() {
        for (char32_t c : {char32_t(0x4E2D), char32_t(0x3400), char32_t(0x9FFF), char32_t(0xF900), char32_t(0xFAFF),
                           char32_t(0x20000), char32_t(0x2A700), char32_t(0x2B740), char32_t(0x2B920),
                           char32_t(0x2CEAF), char32_t(0x2F800), char32_t(0x2FA1F)})
            QVERIFY2(is_cjk_ideograph(c), qPrintable(hex(std::u32string(1, c))));
        // Kana, hangul, CJK punctuation, and the 2B820..2B91F gap in the crate's ranges.
        for (char32_t c : {char32_t(0x3042), char32_t(0x30AB), char32_t(0xD55C), char32_t(0x3002), char32_t(0x2B820),
                           char32_t(0x2B91F), char32_t(0x30000), U'a'})
            QVERIFY2(!is_cjk_ideograph(c), qPrintable(hex(std::u32string(1, c))));
    }

    void decomposes_canonically() {
        QCOMPARE(hex(canonical_decomposition(0x00E9)), QString("65 301"));
        QCOMPARE(hex(canonical_decomposition(0x212B)), QString("41 30A"));          // ANGSTROM SIGN
        QCOMPARE(hex(canonical_decomposition(0xD55C)), QString("1112 1161 11AB"));  // hangul syllable
        QCOMPARE(hex(canonical_decomposition(0x1E69)), QString("73 323 307"));
        QCOMPARE(hex(canonical_decomposition(0xFB01)), QString("FB01"));  // compatibility only
        QCOMPARE(hex(canonical_decomposition(U'a')), QString("61"));
        // Marks are put in canonical order across characters.
        QCOMPARE(hex(nfd(U"a\u0301\u0323")), QString("61 323 301"));
        QCOMPARE(hex(nfd(U"\u1E0B\u0323")), QString("64 323 307"));
        QCOMPARE(canonical_combining_class(0x0301), std::uint8_t(230));
        QCOMPARE(canonical_combining_class(0x0323), std::uint8_t(220));
        QCOMPARE(canonical_combining_class(U'a'), std::uint8_t(0));
        QVERIFY(is_nonspacing_mark(0x0301));
        QVERIFY(!is_nonspacing_mark(0x0903));  // Mc
    }

    void lowercases_each_character_without_context() {
        QCOMPARE(hex(lowercase_full(U'A')), QString("61"));
        QCOMPARE(hex(lowercase_full(0x0130)), QString("69 307"));  // İ expands
        QCOMPARE(hex(lowercase_full(0x03A3)), QString("3C3"));     // Σ never becomes final ς
        QCOMPARE(hex(lowercase_full(0x1E9E)), QString("DF"));
        QCOMPARE(hex(lowercase_full(0x2126)), QString("3C9"));
        QCOMPARE(hex(lowercase_full(0x01C5)), QString("1C6"));
        QCOMPARE(hex(lowercase_full(0x10400)), QString("10428"));
        QCOMPARE(hex(lowercase_full(0x4E2D)), QString("4E2D"));
        QCOMPARE(lowercase_per_char("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"),
                 std::string("\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x83"));
        QCOMPARE(lowercase_per_char("\xC3\x89"
                                    "COLE\xFF"),
                 std::string("\xC3\xA9"
                             "cole\xEF\xBF\xBD"));
    }

    void word_characters_follow_regex_backslash_w() {
        for (char32_t c :
             {U'a', U'Z', U'5', U'_', char32_t(0x0301), char32_t(0x200D), char32_t(0x4E2D), char32_t(0x0663)})
            QVERIFY2(is_word_character(c), qPrintable(hex(std::u32string(1, c))));
        for (char32_t c : {U' ', U'-', U'!', U'[', char32_t(0x1F600)})
            QVERIFY2(!is_word_character(c), qPrintable(hex(std::u32string(1, c))));
    }
};

QTEST_APPLESS_MAIN(TestUnicodeText)
#include "test_unicode_text.moc"
