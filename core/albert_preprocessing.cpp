#include "core/albert_preprocessing.h"

#include "core/unicode_text.h"

namespace pb {
namespace {

struct SourcedChar {
    char32_t cp;
    int32_t begin, end;
};
using SourcedText = std::vector<SourcedChar>;

SourcedText decode(std::string_view input, int32_t offset) {
    SourcedText out;
    out.reserve(input.size());
    for (std::size_t pos = 0; pos < input.size();) {
        const auto begin = static_cast<int32_t>(pos);
        const char32_t cp = next_code_point(input, pos);
        out.push_back({cp, offset + begin, offset + static_cast<int32_t>(pos)});
    }
    return out;
}

// Each character replaced by its mapping, which keeps the character's source.
template <typename Mapping>
SourcedText map_each(const SourcedText& text, Mapping mapping) {
    SourcedText out;
    out.reserve(text.size());
    for (const SourcedChar& c : text)
        for (char32_t cp : mapping(c.cp)) out.push_back({cp, c.begin, c.end});
    return out;
}

// " ".join(text.strip().split()): a run of whitespace inside becomes one space sourced from the run.
SourcedText collapse_whitespace(const SourcedText& text) {
    SourcedText out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (!is_python_whitespace(text[i].cp)) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && is_python_whitespace(text[end].cp)) ++end;
        if (!out.empty() && end < text.size()) out.push_back({U' ', text[i].begin, text[end - 1].end});
        i = end;
    }
    return out;
}

// text.replace(quote_pair, '"'), left to right without overlaps, as Python does.
SourcedText replace_quote_pairs(const SourcedText& text, char32_t quote) {
    SourcedText out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i].cp == quote && i + 1 < text.size() && text[i + 1].cp == quote) {
            out.push_back({U'"', text[i].begin, text[i + 1].end});
            ++i;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// unicodedata.normalize("NFKD") then dropping every character with a combining class: the
// dropped marks are exactly the ones canonical reordering would move, so order needs no work.
SourcedText strip_accents(const SourcedText& text) {
    SourcedText out;
    out.reserve(text.size());
    for (const SourcedChar& c : text)
        for (char32_t cp : compatibility_decomposition(c.cp))
            if (canonical_combining_class(cp) == 0) out.push_back({cp, c.begin, c.end});
    return out;
}

// Python's Final_Sigma: a cased letter before (skipping case-ignorables) and none after.
bool is_final_sigma(const SourcedText& text, std::size_t i) {
    std::size_t j = i;
    while (j > 0 && is_case_ignorable(text[j - 1].cp)) --j;
    if (j == 0 || !is_cased(text[j - 1].cp)) return false;
    std::size_t k = i + 1;
    while (k < text.size() && is_case_ignorable(text[k].cp)) ++k;
    return k == text.size() || !is_cased(text[k].cp);
}

// str.lower() of the whole text.
SourcedText lower_in_context(const SourcedText& text) {
    SourcedText out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const SourcedChar& c = text[i];
        if (c.cp == U'\u03A3') {
            out.push_back({is_final_sigma(text, i) ? U'\u03C2' : U'\u03C3', c.begin, c.end});
            continue;
        }
        for (char32_t cp : lowercase_full(c.cp)) out.push_back({cp, c.begin, c.end});
    }
    return out;
}

PreparedText encode(const SourcedText& text) {
    PreparedText out;
    out.text.reserve(text.size());
    out.source.reserve(text.size());
    for (const SourcedChar& c : text) {
        const std::size_t before = out.text.size();
        append_utf8(out.text, c.cp);
        out.source.insert(out.source.end(), out.text.size() - before, {c.begin, c.end});
    }
    return out;
}

}  // namespace

PreparedText prepare_albert_text(std::string_view input, const AlbertTextOptions& o, int32_t offset) {
    SourcedText text = decode(input, offset);
    // The base tokenizer lowercases character by character (a regex over each char) before
    // preprocess_text runs, so a capital sigma there never sees its context.
    if (o.lowercase) text = map_each(text, [](char32_t cp) { return lowercase_full(cp); });
    if (o.remove_space) text = collapse_whitespace(text);
    text = replace_quote_pairs(replace_quote_pairs(text, U'`'), U'\'');
    if (!o.keep_accents) text = strip_accents(text);
    if (o.lowercase) text = lower_in_context(text);
    return encode(text);
}

}  // namespace pb
