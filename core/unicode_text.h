#pragma once
// UTF-8 and Unicode character properties, as the tokenizers (BERT, ALBERT) need them.
// Character data comes from ICU so that categories, decompositions and case mappings
// follow one Unicode version instead of hand-copied tables.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pb {

inline constexpr char32_t replacement_character = U'\uFFFD';

// Decodes the code point that starts at byte `pos` and advances `pos` past it.
// Ill-formed input never throws: each maximal ill-formed subpart (Unicode 15, §3.9 U+FFFD
// substitution, the same policy as ICU and WHATWG) becomes one U+FFFD, so every byte
// string has exactly one decoding and `pos` always moves forward.
char32_t next_code_point(std::string_view text, std::size_t& pos);

// Appends the UTF-8 form of `cp`; surrogates and values past U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);

std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);
// Same text with every ill-formed sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);
bool is_valid_utf8(std::string_view text);

// The two-letter General_Category ("Lu", "Mn", "Cf", ...); "Cn" for unassigned code points.
std::string_view general_category(char32_t cp);

bool is_white_space(char32_t cp);          // the White_Space property (Rust's char::is_whitespace)
bool is_nonspacing_mark(char32_t cp);      // Mn
bool is_unicode_punctuation(char32_t cp);  // any P* category
std::uint8_t canonical_combining_class(char32_t cp);

// Full canonical decomposition of one code point (itself when it has none).
std::u32string canonical_decomposition(char32_t cp);
std::u32string nfd(std::u32string_view text);

// Full compatibility decomposition of one code point (NFKD before canonical reordering).
std::u32string compatibility_decomposition(char32_t cp);

// Python's str methods, which AlbertTokenizer's preprocessing uses:
bool is_python_whitespace(char32_t cp);  // str.isspace(): bidi class WS, B or S, or category Zs
bool is_python_digit(char32_t cp);       // str.isdigit(): Numeric_Type Decimal or Digit
bool is_cased(char32_t cp);              // Cased, for str.lower()'s Final_Sigma rule
bool is_case_ignorable(char32_t cp);     // Case_Ignorable, likewise

// Full lowercase mapping of one code point without context (so "İ" gives "i̇" and "Σ" always
// gives "σ"): Rust's char::to_lowercase, which is what the tokenizers crate applies per char.
std::u32string lowercase_full(char32_t cp);
// Per-code-point lowercase of a whole string; ill-formed UTF-8 becomes U+FFFD first.
std::string lowercase_per_char(std::string_view text);

// The character classes of Hugging Face's BertNormalizer / BertPreTokenizer.
// \t \n \r count as whitespace although they are Cc.
bool is_bert_whitespace(char32_t cp);
// Cc, Cf and Co (the unicode_categories crate's is_other()), except \t \n \r.
// Unassigned (Cn) and surrogates are not controls.
bool is_bert_control(char32_t cp);
// ASCII punctuation (33-47, 58-64, 91-96, 123-126, which includes symbols like $ + < = > ^ ` | ~)
// or any Unicode P* category.
bool is_bert_punctuation(char32_t cp);
// The CJK ideograph blocks that BertNormalizer surrounds with spaces (its ranges verbatim,
// including its 0x2B920 lower bound for the Extension E range).
bool is_cjk_ideograph(char32_t cp);
// A \w character of the regex engine HF uses to decide "single word" added-token matches.
bool is_word_character(char32_t cp);

}  // namespace pb
