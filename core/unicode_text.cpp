#include "core/unicode_text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>

namespace pb {

namespace {

struct LeadByte {
    int trail_count;          // continuation bytes that must follow
    unsigned char second_lo;  // the second byte's range narrows to exclude overlongs,
    unsigned char second_hi;  // surrogates and values past U+10FFFF
};

LeadByte classify_lead(unsigned char b) {
    if (b >= 0xC2 && b <= 0xDF) return {1, 0x80, 0xBF};
    if (b == 0xE0) return {2, 0xA0, 0xBF};
    if (b == 0xED) return {2, 0x80, 0x9F};
    if (b >= 0xE1 && b <= 0xEF) return {2, 0x80, 0xBF};
    if (b == 0xF0) return {3, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3) return {3, 0x80, 0xBF};
    if (b == 0xF4) return {3, 0x80, 0x8F};
    return {-1, 0, 0};
}

bool is_continuation(unsigned char b) {
    return b >= 0x80 && b <= 0xBF;
}

bool is_scalar_value(char32_t cp) {
    return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

// ICU's C API speaks UTF-16; one code point needs at most two units.
int to_utf16(char32_t cp, UChar (&units)[2]) {
    int length = 0;
    UBool error = false;
    U16_APPEND(units, length, 2, static_cast<UChar32>(cp), error);
    return error ? 0 : length;
}

void append_utf16(std::u32string& out, const UChar* units, int length) {
    for (int i = 0; i < length;) {
        UChar32 cp;
        U16_NEXT(units, i, length, cp);
        out.push_back(static_cast<char32_t>(cp));
    }
}

const UNormalizer2* nfd_instance() {
    static const UNormalizer2* instance = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UNormalizer2* n = unorm2_getNFDInstance(&status);
        return U_SUCCESS(status) ? n : nullptr;
    }();
    return instance;
}

// The full decomposition of `cp` by a decomposing normaliser (itself when it has none).
std::u32string decomposition(const UNormalizer2* normalizer, char32_t cp) {
    UChar units[2];
    if (normalizer == nullptr || to_utf16(cp, units) == 0) return std::u32string(1, cp);
    UChar buffer[64];  // the longest decomposition (compatibility) is 18 code points
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = unorm2_getDecomposition(normalizer, static_cast<UChar32>(cp), buffer, 64, &status);
    if (U_FAILURE(status) || length < 0) return std::u32string(1, cp);
    std::u32string out;
    append_utf16(out, buffer, length);
    return out;
}

bool has_category(char32_t cp, std::uint32_t mask) {
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & mask) != 0;
}

bool is_ascii_punctuation(char32_t cp) {
    return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
}

}  // namespace

char32_t next_code_point(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos++);
    if (lead < 0x80) return lead;
    const LeadByte shape = classify_lead(lead);
    if (shape.trail_count < 0) return replacement_character;
    if (pos >= text.size() || byte(pos) < shape.second_lo || byte(pos) > shape.second_hi) return replacement_character;
    char32_t cp = lead & (0x3F >> shape.trail_count);
    for (int i = 0; i < shape.trail_count; ++i) {
        // The second byte was range-checked above; later ones only need to be continuations.
        if (i > 0 && (pos >= text.size() || !is_continuation(byte(pos)))) return replacement_character;
        cp = (cp << 6) | (byte(pos++) & 0x3F);
    }
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (!is_scalar_value(cp)) cp = replacement_character;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) out.push_back(next_code_point(text, pos));
    return out;
}

std::string encode_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text) append_utf8(out, cp);
    return out;
}

std::string to_valid_utf8(std::string_view text) {
    return encode_utf8(decode_utf8(text));
}

bool is_valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t start = pos;
        // A literal U+FFFD in the input is valid; only a substituted one marks an error.
        if (next_code_point(text, pos) == replacement_character && text.substr(start, pos - start) != "\xEF\xBF\xBD")
            return false;
    }
    return true;
}

std::string_view general_category(char32_t cp) {
    // Indexed by ICU's UCharCategory enumeration.
    static constexpr std::array<std::string_view, U_CHAR_CATEGORY_COUNT> names = {
        "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Me", "Mc", "Nd", "Nl", "No", "Zs", "Zl", "Zp",
        "Cc", "Cf", "Co", "Cs", "Pd", "Ps", "Pe", "Pc", "Po", "Sm", "Sc", "Sk", "So", "Pi", "Pf"};
    const int type = u_charType(static_cast<UChar32>(cp));
    return type >= 0 && type < U_CHAR_CATEGORY_COUNT ? names[static_cast<std::size_t>(type)] : "Cn";
}

bool is_white_space(char32_t cp) {
    return u_isUWhiteSpace(static_cast<UChar32>(cp));
}

bool is_nonspacing_mark(char32_t cp) {
    return has_category(cp, U_GC_MN_MASK);
}

bool is_unicode_punctuation(char32_t cp) {
    return has_category(cp, U_GC_P_MASK);
}

std::uint8_t canonical_combining_class(char32_t cp) {
    return u_getCombiningClass(static_cast<UChar32>(cp));
}

std::u32string canonical_decomposition(char32_t cp) {
    // Nothing below U+00C0 has a canonical decomposition: skip ICU for plain text.
    return cp < 0xC0 ? std::u32string(1, cp) : decomposition(nfd_instance(), cp);
}

std::u32string compatibility_decomposition(char32_t cp) {
    static const UNormalizer2* nfkd = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UNormalizer2* n = unorm2_getNFKDInstance(&status);
        return U_SUCCESS(status) ? n : nullptr;
    }();
    // U+00A0 (no-break space) is the first code point with a compatibility decomposition.
    return cp < 0xA0 ? std::u32string(1, cp) : decomposition(nfkd, cp);
}

bool is_python_whitespace(char32_t cp) {
    const auto c = static_cast<UChar32>(cp);
    const UCharDirection d = u_charDirection(c);
    return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR ||
           u_charType(c) == U_SPACE_SEPARATOR;
}

bool is_python_digit(char32_t cp) {
    const int type = u_getIntPropertyValue(static_cast<UChar32>(cp), UCHAR_NUMERIC_TYPE);
    return type == U_NT_DECIMAL || type == U_NT_DIGIT;
}

bool is_cased(char32_t cp) {
    return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_CASED);
}

bool is_case_ignorable(char32_t cp) {
    return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_CASE_IGNORABLE);
}

std::u32string nfd(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (char32_t cp : text) out += canonical_decomposition(cp);
    // Canonical ordering: a stable sort by combining class within each run of non-starters.
    for (std::size_t begin = 0; begin < out.size();) {
        std::size_t end = begin;
        while (end < out.size() && canonical_combining_class(out[end]) != 0) ++end;
        std::stable_sort(
            out.begin() + static_cast<std::ptrdiff_t>(begin), out.begin() + static_cast<std::ptrdiff_t>(end),
            [](char32_t a, char32_t b) { return canonical_combining_class(a) < canonical_combining_class(b); });
        begin = end + 1;
    }
    return out;
}

std::u32string lowercase_full(char32_t cp) {
    if (cp < 0x80) return std::u32string(1, cp >= U'A' && cp <= U'Z' ? cp + 32 : cp);
    UChar units[2];
    const int length = to_utf16(cp, units);
    if (length == 0) return std::u32string(1, cp);
    // The root locale and a lone code point leave no context: no Final_Sigma, no tr/lt rules.
    UChar buffer[8];
    UErrorCode status = U_ZERO_ERROR;
    const int32_t out_length = u_strToLower(buffer, 8, units, length, "", &status);
    if (U_FAILURE(status)) return std::u32string(1, cp);
    std::u32string out;
    append_utf16(out, buffer, out_length);
    return out;
}

std::string lowercase_per_char(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();)
        for (char32_t cp : lowercase_full(next_code_point(text, pos))) append_utf8(out, cp);
    return out;
}

bool is_bert_whitespace(char32_t cp) {
    return cp == U'\t' || cp == U'\n' || cp == U'\r' || is_white_space(cp);
}

bool is_bert_control(char32_t cp) {
    if (cp == U'\t' || cp == U'\n' || cp == U'\r') return false;
    return has_category(cp, U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CO_MASK);
}

bool is_bert_punctuation(char32_t cp) {
    return is_ascii_punctuation(cp) || is_unicode_punctuation(cp);
}

bool is_cjk_ideograph(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool is_word_character(char32_t cp) {
    const auto c = static_cast<UChar32>(cp);
    return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL) ||
           has_category(cp, U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK);
}

}  // namespace pb
