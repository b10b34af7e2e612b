#include "core/wordpiece_tokenizer.h"

#include "core/error.h"
#include "core/json_reader.h"
#include "core/unicode_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>

namespace pb {

namespace {

using Json = nlohmann::json;
constexpr std::size_t no_limit = unlimited_tokens;

// One character of normalised text and the bytes of the original input it came from, so that
// every token maps back to the user's text however the normaliser rewrote it.
struct NormChar {
    char32_t cp;
    int32_t begin;
    int32_t end;
};
using NormText = std::vector<NormChar>;

struct NormalizerSettings {
    bool clean_text, chinese_chars, strip_accents, lowercase;
};

NormalizerSettings normalizer_settings(const TokenizerOptions& o) {
    return {o.clean_text, o.tokenize_chinese_chars, o.strip_accents.value_or(o.lowercase), o.lowercase};
}

bool removed_by_cleaning(char32_t cp) {
    return cp == 0 || cp == replacement_character || is_bert_control(cp);
}

// A raw character that reaches the pre-tokenizer as whitespace. No later normalisation step
// creates or removes whitespace, so the text can be normalised chunk by chunk between these.
bool splits_words(char32_t cp, const NormalizerSettings& s) {
    if (s.clean_text) return !removed_by_cleaning(cp) && is_bert_whitespace(cp);
    return is_white_space(cp);
}

// BertNormalizer step 1 and 2: drop controls, unify whitespace, space out CJK ideographs.
NormText clean_and_space(std::string_view text, std::size_t begin, std::size_t end, const NormalizerSettings& s) {
    NormText out;
    out.reserve(end - begin);
    for (std::size_t pos = begin; pos < end;) {
        const auto from = static_cast<int32_t>(pos);
        char32_t cp = next_code_point(text, pos);
        const auto to = static_cast<int32_t>(pos);
        if (s.clean_text) {
            if (removed_by_cleaning(cp)) continue;
            if (is_bert_whitespace(cp)) cp = U' ';
        }
        if (s.chinese_chars && is_cjk_ideograph(cp)) {
            out.insert(out.end(), {{U' ', from, to}, {cp, from, to}, {U' ', from, to}});
        } else {
            out.push_back({cp, from, to});
        }
    }
    return out;
}

// BertNormalizer step 3: NFD, then drop nonspacing marks.
NormText strip_accents(const NormText& in) {
    NormText out;
    out.reserve(in.size());
    for (const NormChar& c : in)
        for (char32_t d : canonical_decomposition(c.cp)) out.push_back({d, c.begin, c.end});
    // Canonical ordering within each run of non-starters, before the marks disappear, as NFD does.
    const auto ccc = [](const NormChar& c) { return canonical_combining_class(c.cp); };
    for (auto run = out.begin(); run != out.end();) {
        auto run_end = std::find_if(run, out.end(), [&](const NormChar& c) { return ccc(c) == 0; });
        std::stable_sort(run, run_end, [&](const NormChar& a, const NormChar& b) { return ccc(a) < ccc(b); });
        run = run_end == out.end() ? run_end : run_end + 1;
    }
    std::erase_if(out, [](const NormChar& c) { return is_nonspacing_mark(c.cp); });
    return out;
}

// BertNormalizer step 4: per-character full lowercase, expansions keep the source span.
NormText lowercase(const NormText& in) {
    NormText out;
    out.reserve(in.size());
    for (const NormChar& c : in)
        for (char32_t l : lowercase_full(c.cp)) out.push_back({l, c.begin, c.end});
    return out;
}

NormText normalize(std::string_view text, std::size_t begin, std::size_t end, const NormalizerSettings& s) {
    NormText out = clean_and_space(text, begin, end, s);
    if (s.strip_accents) out = strip_accents(out);
    if (s.lowercase) out = lowercase(out);
    return out;
}

std::string to_utf8(const NormText& t, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) append_utf8(out, t[i].cp);
    return out;
}

// The code point that ends just before byte `pos` (U+FFFD if those bytes are ill-formed).
char32_t code_point_before(std::string_view s, std::size_t pos, std::size_t& start) {
    start = pos - 1;
    while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t p = start;
    const char32_t cp = next_code_point(s, p);
    if (p == pos) return cp;
    start = pos - 1;
    return replacement_character;
}

bool ends_with_word(std::string_view s, std::size_t pos) {
    std::size_t start;
    return pos > 0 && is_word_character(code_point_before(s, pos, start));
}

bool starts_with_word(std::string_view s, std::size_t pos) {
    return pos < s.size() && is_word_character(next_code_point(s, pos));
}

std::size_t whitespace_start_before(std::string_view s, std::size_t pos, std::size_t floor) {
    while (pos > floor) {
        std::size_t start;
        if (!is_white_space(code_point_before(s, pos, start))) break;
        pos = start;
    }
    return std::max(pos, floor);
}

std::size_t whitespace_end_after(std::string_view s, std::size_t pos) {
    while (pos < s.size()) {
        std::size_t next = pos;
        if (!is_white_space(next_code_point(s, next))) break;
        pos = next;
    }
    return pos;
}

struct Split {
    std::size_t begin, end;
    const AddedToken* token;  // null for plain text
};

const AddedToken* longest_match_at(std::string_view s, std::size_t pos, const std::vector<AddedToken>& tokens) {
    const AddedToken* best = nullptr;
    for (const AddedToken& t : tokens)
        if (!t.content.empty() && s.compare(pos, t.content.size(), t.content) == 0 &&
            (best == nullptr || t.content.size() > best->content.size()))
            best = &t;
    return best;
}

// HF AddedVocabulary::find_matches: leftmost-longest, non-overlapping matches; a rejected
// single-word match still consumes its bytes, exactly like the Aho-Corasick iterator there.
std::vector<Split> find_added_tokens(std::string_view s, const std::vector<AddedToken>& tokens) {
    std::vector<Split> splits;
    std::array<bool, 256> starts{};  // bytes that begin some token: the rest are skipped at once
    for (const AddedToken& t : tokens)
        if (!t.content.empty()) starts[static_cast<unsigned char>(t.content.front())] = true;
    std::size_t done = 0;
    for (std::size_t pos = 0; !tokens.empty() && pos < s.size();) {
        const AddedToken* t = starts[static_cast<unsigned char>(s[pos])] ? longest_match_at(s, pos, tokens) : nullptr;
        if (t == nullptr) {
            ++pos;
            continue;
        }
        std::size_t start = pos, stop = pos + t->content.size();
        pos = stop;
        if (t->single_word && (ends_with_word(s, start) || starts_with_word(s, stop))) continue;
        if (t->lstrip) start = whitespace_start_before(s, start, done);
        if (t->rstrip) stop = whitespace_end_after(s, stop);
        if (done < start) splits.push_back({done, start, nullptr});
        splits.push_back({start, stop, t});
        done = pos = stop;
    }
    if (done < s.size() || s.empty()) splits.push_back({done, s.size(), nullptr});
    return splits;
}

// Walks one input the way HF's pipeline does: raw added tokens, normaliser, normalised added
// tokens, pre-tokenizer. Handlers return false to stop early (enough tokens already).
class TextWalker {
public:
    using AddedHandler = std::function<bool(const std::string& text, int32_t id, int32_t begin, int32_t end)>;
    using WordHandler = std::function<bool(const NormText& text, std::size_t begin, std::size_t end)>;

    TextWalker(const TokenizerOptions& options, const std::vector<AddedToken>& raw_tokens,
               const std::vector<AddedToken>& normalized_tokens, AddedHandler on_added, WordHandler on_word)
        : settings_(normalizer_settings(options)),
          raw_tokens_(raw_tokens),
          normalized_tokens_(normalized_tokens),
          on_added_(std::move(on_added)),
          on_word_(std::move(on_word)) {}

    void walk(std::string_view text) {
        for (const Split& split : find_added_tokens(text, raw_tokens_)) {
            const bool go_on =
                split.token != nullptr
                    ? on_added_(std::string(text.substr(split.begin, split.end - split.begin)), split.token->id,
                                static_cast<int32_t>(split.begin), static_cast<int32_t>(split.end))
                    : walk_plain(text, split.begin, split.end);
            if (!go_on) return;
        }
    }

private:
    bool walk_plain(std::string_view text, std::size_t begin, std::size_t end) {
        if (!normalized_tokens_.empty()) return walk_with_normalized_tokens(normalize(text, begin, end, settings_));
        // Chunk at whitespace so that a huge input is only normalised as far as it is needed.
        for (std::size_t pos = begin; pos < end;) {
            std::size_t chunk_end = pos, next = pos;
            while (chunk_end < end) {
                next = chunk_end;
                if (splits_words(next_code_point(text, next), settings_)) break;
                chunk_end = next;
            }
            const NormText chunk = normalize(text, pos, chunk_end, settings_);
            if (!walk_words(chunk, 0, chunk.size())) return false;
            pos = chunk_end < end ? next : end;
        }
        return true;
    }

    bool walk_with_normalized_tokens(const NormText& t) {
        // Match on the UTF-8 form, then map byte offsets back to characters.
        std::string utf8;
        std::vector<std::size_t> char_at_byte;
        for (std::size_t i = 0; i < t.size(); ++i) {
            const std::size_t before = utf8.size();
            append_utf8(utf8, t[i].cp);
            char_at_byte.insert(char_at_byte.end(), utf8.size() - before, i);
        }
        char_at_byte.push_back(t.size());
        for (const Split& split : find_added_tokens(utf8, normalized_tokens_)) {
            const std::size_t b = char_at_byte[split.begin], e = char_at_byte[split.end];
            const bool go_on = split.token != nullptr ? on_added_(utf8.substr(split.begin, split.end - split.begin),
                                                                  split.token->id, t[b].begin, t[e - 1].end)
                                                      : walk_words(t, b, e);
            if (!go_on) return false;
        }
        return true;
    }

    // BertPreTokenizer: split on whitespace (dropped) and on punctuation (kept alone).
    bool walk_words(const NormText& t, std::size_t begin, std::size_t end) {
        std::size_t word = begin;
        for (std::size_t i = begin; i < end; ++i) {
            const char32_t cp = t[i].cp;
            const bool space = is_white_space(cp), punct = !space && is_bert_punctuation(cp);
            if (!space && !punct) continue;
            if (word < i && !on_word_(t, word, i)) return false;
            if (punct && !on_word_(t, i, i + 1)) return false;
            word = i + 1;
        }
        return word >= end || on_word_(t, word, end);
    }

    NormalizerSettings settings_;
    const std::vector<AddedToken>& raw_tokens_;
    const std::vector<AddedToken>& normalized_tokens_;
    AddedHandler on_added_;
    WordHandler on_word_;
};

using Piece = WordpieceTokenizer::Piece;

struct WordpieceModel {
    const TokenIdMap& vocab;
    const std::string& prefix;
    std::size_t longest_token;  // bytes; longer candidates cannot match
    std::size_t max_chars;
    int32_t unk_id;
    const std::string& unk_token;
};

// HF WordPiece::tokenize: greedy longest-match-first; a word with an unmatched rest, or with too
// many characters, becomes a single [UNK] over the whole word.
void append_wordpieces(const NormText& t, std::size_t begin, std::size_t end, const WordpieceModel& m,
                       std::vector<Piece>& out) {
    const std::size_t n = end - begin;
    const Piece unknown{m.unk_id, m.unk_token, t[begin].begin, t[end - 1].end};
    if (n > m.max_chars) {
        out.push_back(unknown);
        return;
    }
    std::string word;
    std::vector<std::size_t> offset;  // byte offset of each char in `word`, plus the end
    for (std::size_t i = begin; i < end; ++i) {
        offset.push_back(word.size());
        append_utf8(word, t[i].cp);
    }
    offset.push_back(word.size());
    const std::size_t first_new = out.size();
    std::string candidate;
    for (std::size_t start = 0, stop = 0; start < n; start = stop) {
        const std::size_t prefix = start > 0 ? m.prefix.size() : 0;
        // Hardening fix: start at most longest_token characters ahead (every character is at least a
        // byte, so longer candidates cannot match). Counting down from n made a long word quadratic,
        // which hung on a 1 MB word when tokenizer.json allows it (huge max_input_chars_per_word).
        for (stop = std::min(n, start + m.longest_token);
             stop > start && offset[stop] - offset[start] + prefix > m.longest_token;)
            --stop;
        for (; stop > start; --stop) {
            candidate.assign(m.prefix, 0, prefix);
            candidate.append(word, offset[start], offset[stop] - offset[start]);
            if (auto it = m.vocab.find(candidate); it != m.vocab.end()) {
                out.push_back({it->second, candidate, t[begin + start].begin, t[begin + stop - 1].end});
                break;
            }
        }
        if (stop == start) {
            out.resize(first_new);
            out.push_back(unknown);
            return;
        }
    }
}

// HF truncate_encodings, LongestFirst, for a pair whose sides hold n1 and n2 tokens.
std::pair<std::size_t, std::size_t> longest_first(std::size_t n1, std::size_t n2, std::size_t max_length) {
    if (n1 + n2 <= max_length) return {n1, n2};
    const bool swap = n1 > n2;
    if (swap) std::swap(n1, n2);
    n2 = n1 > max_length ? n1 : std::max(n1, max_length - n1);
    if (n1 + n2 > max_length) {
        n1 = max_length / 2;
        n2 = n1 + max_length % 2;
    }
    if (swap) std::swap(n1, n2);
    return {n1, n2};
}

// ----- loading -----

std::string path_string(const std::filesystem::path& p) {
    return p.string();
}

// Rust's str::trim_end, which the tokenizers crate applies to every vocab.txt line.
std::string_view trim_end_white_space(std::string_view s) {
    while (!s.empty()) {
        std::size_t start;
        if (!is_white_space(code_point_before(s, s.size(), start))) break;
        s = s.substr(0, start);
    }
    return s;
}

std::vector<std::string> read_vocab_lines(const std::filesystem::path& path) {
    // Hardening fix (here and below): the error_code overloads, because the throwing ones leaked
    // std::filesystem::filesystem_error for e.g. a name that is too long, instead of pb::Error.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(path_string(path) + ": is a folder, not a vocabulary file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path_string(path) + ": cannot open the vocabulary file");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!is_valid_utf8(line))
            throw Error(path_string(path) + ": line " + std::to_string(lines.size() + 1) + " is not valid UTF-8");
        lines.emplace_back(trim_end_white_space(line));
    }
    if (in.bad()) throw Error(path_string(path) + ": cannot read the vocabulary file");
    if (lines.empty()) throw Error(path_string(path) + ": the vocabulary file is empty");
    return lines;
}

struct JsonVocab {
    std::vector<std::string> id_to_token;
    std::vector<std::pair<std::string, int32_t>> entries;
};

JsonVocab read_json_vocab(const JsonReader& r, const Json& vocab, std::size_t added_count) {
    JsonVocab out;
    // HF writes dense ids; the bound keeps a hostile file from demanding a huge table.
    const auto max_id = static_cast<int64_t>(vocab.size() + added_count);
    for (const auto& [token, id_json] : vocab.items()) {
        const auto id = static_cast<int32_t>(r.integer(id_json, "model.vocab." + token, 0, max_id - 1));
        out.entries.emplace_back(token, id);
    }
    int32_t largest = 0;
    for (const auto& entry : out.entries) largest = std::max(largest, entry.second);
    out.id_to_token.resize(static_cast<std::size_t>(largest) + 1);
    std::vector<bool> used(out.id_to_token.size(), false);
    for (const auto& [token, id] : out.entries) {
        if (used[static_cast<std::size_t>(id)])
            r.fail("model.vocab." + token,
                   "reuses id " + std::to_string(id) + " of '" + out.id_to_token[static_cast<std::size_t>(id)] + "'");
        used[static_cast<std::size_t>(id)] = true;
        out.id_to_token[static_cast<std::size_t>(id)] = token;
    }
    return out;
}

std::vector<AddedToken> read_added_tokens(const JsonReader& r, const Json& root, std::size_t vocab_size) {
    std::vector<AddedToken> out;
    if (!root.contains("added_tokens") || root.at("added_tokens").is_null()) return out;
    const Json& list = root.at("added_tokens");
    if (!list.is_array()) r.fail("added_tokens", "must be an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string key = "added_tokens[" + std::to_string(i) + "]";
        const Json& t = list.at(i);
        if (!t.is_object()) r.fail(key, "must be an object");
        if (!t.contains("content") || !t.at("content").is_string()) r.fail(key + ".content", "must be a string");
        if (!t.contains("id")) r.fail(key + ".id", "is missing");
        AddedToken a;
        a.content = t.at("content").get<std::string>();
        a.id = static_cast<int32_t>(
            r.integer(t.at("id"), key + ".id", 0, static_cast<int64_t>(vocab_size + list.size()) - 1));
        a.single_word = r.boolean(t, "single_word", key + ".single_word", false);
        a.lstrip = r.boolean(t, "lstrip", key + ".lstrip", false);
        a.rstrip = r.boolean(t, "rstrip", key + ".rstrip", false);
        a.normalized = r.boolean(t, "normalized", key + ".normalized", false);
        if (!a.content.empty()) out.push_back(std::move(a));
    }
    return out;
}

void read_normalizer(const JsonReader& r, const Json& root, TokenizerOptions& o) {
    const std::string type = r.type_of(root, "normalizer", "normalizer");
    if (type.empty()) {  // no normaliser: text reaches the pre-tokenizer untouched
        o.clean_text = o.tokenize_chinese_chars = o.lowercase = false;
        o.strip_accents = false;
        return;
    }
    if (type != "BertNormalizer") r.fail("normalizer.type", "is '" + type + "', only BertNormalizer is supported");
    const Json& n = root.at("normalizer");
    o.clean_text = r.boolean(n, "clean_text", "normalizer.clean_text", true);
    o.tokenize_chinese_chars = r.boolean(n, "handle_chinese_chars", "normalizer.handle_chinese_chars", true);
    o.strip_accents = r.optional_boolean(n, "strip_accents", "normalizer.strip_accents");
    o.lowercase = r.boolean(n, "lowercase", "normalizer.lowercase", true);
}

void read_post_processor(const JsonReader& r, const Json& root, TokenizerOptions& o) {
    const std::string type = r.type_of(root, "post_processor", "post_processor");
    if (type.empty()) return;
    const Json& p = root.at("post_processor");
    if (type == "BertProcessing") {
        for (auto [name, target] : {std::pair{"cls", &o.cls_token}, std::pair{"sep", &o.sep_token}}) {
            const std::string key = std::string("post_processor.") + name;
            if (!p.contains(name) || !p.at(name).is_array() || p.at(name).empty() || !p.at(name).at(0).is_string())
                r.fail(key, "must be [token, id]");
            *target = p.at(name).at(0).get<std::string>();
        }
        return;
    }
    if (type != "TemplateProcessing")
        r.fail("post_processor.type", "is '" + type + "', only BertProcessing and TemplateProcessing are supported");
    // BERT's template is [CLS] $A [SEP]: take the special tokens at both ends.
    if (!p.contains("single") || !p.at("single").is_array() || p.at("single").size() < 2)
        r.fail("post_processor.single", "must be a template like [CLS] $A [SEP]");
    const auto special = [&](const Json& piece, const std::string& key) {
        if (!piece.is_object() || !piece.contains("SpecialToken") || !piece.at("SpecialToken").is_object())
            r.fail(key, "must be a SpecialToken");
        return r.string(piece.at("SpecialToken"), "id", key + ".SpecialToken.id", "");
    };
    const Json& single = p.at("single");
    o.cls_token = special(single.front(), "post_processor.single[0]");
    o.sep_token = special(single.back(), "post_processor.single[" + std::to_string(single.size() - 1) + "]");
}

TokenizerOptions read_tokenizer_config(const std::filesystem::path& path) {
    TokenizerOptions o;
    const Json config = read_json(path);
    const JsonReader r(path_string(path));
    if (!config.is_object()) r.fail("(root)", "must be an object");
    o.lowercase = r.boolean(config, "do_lower_case", "do_lower_case", true);
    o.strip_accents = r.optional_boolean(config, "strip_accents", "strip_accents");
    o.tokenize_chinese_chars = r.boolean(config, "tokenize_chinese_chars", "tokenize_chinese_chars", true);
    if (auto n = sane_model_max_length(config)) o.model_max_length = *n;
    read_special_tokens(r, config, o);
    return o;
}

}  // namespace

// ----- construction -----

WordpieceTokenizer::WordpieceTokenizer(std::vector<std::string> vocab, TokenizerOptions options)
    : WordpieceTokenizer(std::move(vocab), {}, {}, std::move(options), "vocabulary") {}

WordpieceTokenizer::WordpieceTokenizer(std::vector<std::string> id_to_token, TokenIdMap vocab,
                                       std::vector<AddedToken> added, TokenizerOptions options,
                                       const std::string& source)
    : id_to_token_(std::move(id_to_token)),
      vocab_(std::move(vocab)),
      added_(std::move(added)),
      options_(std::move(options)) {
    if (id_to_token_.empty()) throw Error(source + ": the vocabulary is empty");
    if (id_to_token_.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max()))
        throw Error(source + ": the vocabulary is too large");
    if (vocab_.empty()) {
        // A plain list: like HF's vocab.txt reader, a repeated token keeps its last line's id.
        for (std::size_t i = 0; i < id_to_token_.size(); ++i) vocab_[id_to_token_[i]] = static_cast<int32_t>(i);
        // BertTokenizerFast registers its special tokens as added tokens matched in raw text.
        for (const std::string* t :
             {&options_.pad_token, &options_.unk_token, &options_.cls_token, &options_.sep_token, &options_.mask_token})
            if (auto it = vocab_.find(*t); !t->empty() && it != vocab_.end()) added_.push_back({*t, it->second});
    }
    for (const AddedToken& a : added_) {
        const auto id = static_cast<std::size_t>(a.id);
        if (id >= id_to_token_.size()) id_to_token_.resize(id + 1);
        id_to_token_[id] = a.content;
    }
    for (const auto& entry : vocab_) longest_token_ = std::max(longest_token_, entry.first.size());
    unk_id_ = required_id(options_.unk_token, source);
    cls_id_ = required_id(options_.cls_token, source);
    sep_id_ = required_id(options_.sep_token, source);
    for (AddedToken a : added_) {
        if (a.normalized) {  // matched in normalised text, so the pattern is normalised too
            const NormText t = normalize(a.content, 0, a.content.size(), normalizer_settings(options_));
            a.content = to_utf8(t, 0, t.size());
        }
        if (!a.content.empty()) (a.normalized ? normalized_patterns_ : raw_patterns_).push_back(std::move(a));
    }
}

int32_t WordpieceTokenizer::required_id(const std::string& token, const std::string& source) const {
    const std::optional<int32_t> id = token_id(token);
    if (token.empty() || !id) throw Error(source + ": the vocabulary has no '" + token + "' token");
    return *id;
}

WordpieceTokenizer WordpieceTokenizer::from_vocab_file(const std::filesystem::path& vocab_txt,
                                                       TokenizerOptions options) {
    return WordpieceTokenizer(read_vocab_lines(vocab_txt), {}, {}, std::move(options), path_string(vocab_txt));
}

WordpieceTokenizer WordpieceTokenizer::from_tokenizer_json(const std::filesystem::path& tokenizer_json) {
    const Json root = read_json(tokenizer_json);
    const JsonReader r(path_string(tokenizer_json));
    if (!root.is_object()) r.fail("(root)", "must be an object");
    const Json& model = r.object(root, "model", "model");
    if (const std::string type = r.string(model, "type", "model.type", "WordPiece"); type != "WordPiece")
        r.fail("model.type", "is '" + type + "', only WordPiece is supported");
    if (const std::string type = r.type_of(root, "pre_tokenizer", "pre_tokenizer"); type != "BertPreTokenizer")
        r.fail("pre_tokenizer.type", (type.empty() ? "is missing" : "is '" + type + "'") +
                                         std::string(", only BertPreTokenizer is supported"));
    const Json& vocab_json = r.object(model, "vocab", "model.vocab");
    if (vocab_json.empty()) r.fail("model.vocab", "is empty");

    TokenizerOptions o;
    o.unk_token = r.string(model, "unk_token", "model.unk_token", o.unk_token);
    o.continuing_prefix = r.string(model, "continuing_subword_prefix", "model.continuing_subword_prefix", "##");
    if (model.contains("max_input_chars_per_word"))
        o.max_chars_per_word = static_cast<int>(
            r.integer(model.at("max_input_chars_per_word"), "model.max_input_chars_per_word", 0, INT32_MAX));
    read_normalizer(r, root, o);
    read_post_processor(r, root, o);

    std::vector<AddedToken> added = read_added_tokens(r, root, vocab_json.size());
    JsonVocab v = read_json_vocab(r, vocab_json, added.size());
    TokenIdMap vocab;
    for (auto& [token, id] : v.entries) vocab.emplace(std::move(token), id);
    return WordpieceTokenizer(std::move(v.id_to_token), std::move(vocab), std::move(added), std::move(o), r.file());
}

WordpieceTokenizer WordpieceTokenizer::from_model_folder(const std::filesystem::path& dir) {
    const auto config_path = dir / "tokenizer_config.json";
    std::error_code ec;
    const bool has_config = std::filesystem::is_regular_file(config_path, ec);
    if (std::filesystem::is_regular_file(dir / "tokenizer.json", ec)) {
        WordpieceTokenizer t = from_tokenizer_json(dir / "tokenizer.json");
        // tokenizer.json has no notion of the model's length; the config keeps it.
        if (has_config) t.options_.model_max_length = read_tokenizer_config(config_path).model_max_length;
        return t;
    }
    if (!std::filesystem::is_regular_file(dir / "vocab.txt", ec))
        throw Error(path_string(dir) + ": no tokenizer.json or vocab.txt in this folder");
    return from_vocab_file(dir / "vocab.txt", has_config ? read_tokenizer_config(config_path) : TokenizerOptions{});
}

// ----- tokenization -----

std::vector<WordpieceTokenizer::Piece> WordpieceTokenizer::tokenize(std::string_view text, std::size_t limit,
                                                                    bool& complete) const {
    std::vector<Piece> pieces;
    const auto full = [&] { return pieces.size() > limit; };
    const WordpieceModel model{.vocab = vocab_,
                               .prefix = options_.continuing_prefix,
                               .longest_token = longest_token_,
                               .max_chars = static_cast<std::size_t>(std::max(options_.max_chars_per_word, 0)),
                               .unk_id = unk_id_,
                               .unk_token = options_.unk_token};
    const auto wordpiece = [&](const NormText& t, std::size_t begin, std::size_t end) {
        append_wordpieces(t, begin, end, model, pieces);
        return !full();
    };
    const auto added = [&](const std::string& content, int32_t id, int32_t begin, int32_t end) {
        pieces.push_back({id, content, begin, end});
        return !full();
    };
    TextWalker(options_, raw_patterns_, normalized_patterns_, added, wordpiece).walk(text);
    complete = !full();
    return pieces;
}

Encoding WordpieceTokenizer::encode(std::string_view text, std::optional<std::string_view> pair, int max_length) const {
    const int limit = max_length > 0 ? max_length : options_.model_max_length;
    const std::size_t budget = content_token_budget(text, pair, limit);
    const std::size_t specials = pair ? 3 : 2;
    // Tokenizing stops a little past the budget: enough to report how long a normal text was,
    // while a megabyte of text costs no more than a page.
    const std::size_t counted = budget == no_limit ? no_limit : budget + std::max<std::size_t>(budget, 1024);
    bool complete_a = true, complete_b = true;
    std::vector<Piece> a = tokenize(text, counted, complete_a);
    std::vector<Piece> b;
    if (pair) b = tokenize(*pair, counted, complete_b);
    // Both sides cut short and over budget: longest-first gives an odd budget's extra token to
    // the longer side, so only here does it matter which one that is. Count the side with fewer
    // bytes, then the other only until it is known to be longer.
    if (pair && !complete_a && !complete_b && budget % 2 == 1) {
        if (text.size() <= pair->size()) {
            a = tokenize(text, no_limit, complete_a);
            b = tokenize(*pair, a.size(), complete_b);
        } else {
            b = tokenize(*pair, no_limit, complete_b);
            a = tokenize(text, b.size(), complete_a);
        }
    }
    // A side that was cut short has at least as many tokens as it holds.
    const bool exact = complete_a && complete_b;
    const std::size_t total = a.size() + b.size() + specials;
    const auto [keep_a, keep_b] =
        pair ? longest_first(a.size(), b.size(), budget) : std::pair{std::min(a.size(), budget), std::size_t{0}};

    Encoding e;
    append_special_token(e, cls_id_, token(cls_id_), 0);
    append_content_tokens(e, a, keep_a, 0);
    append_special_token(e, sep_id_, token(sep_id_), 0);
    if (pair) {
        append_content_tokens(e, b, keep_b, 1);
        append_special_token(e, sep_id_, token(sep_id_), 1);
    }
    e.truncated = keep_a < a.size() || keep_b < b.size();
    if (e.truncated) e.notice = truncation_notice(total, exact, limit);
    return e;
}

std::vector<std::string> WordpieceTokenizer::basic_tokens(std::string_view text) const {
    check_tokenizer_input(text);
    std::vector<std::string> words;
    TextWalker(
        options_, raw_patterns_, normalized_patterns_,
        [&](const std::string& content, int32_t, int32_t, int32_t) {
            words.push_back(content);
            return true;
        },
        [&](const NormText& t, std::size_t begin, std::size_t end) {
            words.push_back(to_utf8(t, begin, end));
            return true;
        })
        .walk(text);
    return words;
}

// ----- vocabulary -----

int WordpieceTokenizer::vocab_size() const {
    return static_cast<int>(id_to_token_.size());
}

std::optional<int32_t> WordpieceTokenizer::token_id(std::string_view token) const {
    // HF looks in the added vocabulary first.
    for (const AddedToken& a : added_)
        if (a.content == token) return a.id;
    const auto it = vocab_.find(token);
    return it == vocab_.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

const std::string& WordpieceTokenizer::token(int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= id_to_token_.size())
        throw Error("vocabulary: token id " + std::to_string(id) + " is outside 0.." +
                    std::to_string(id_to_token_.size() - 1));
    return id_to_token_[static_cast<std::size_t>(id)];
}

const TokenizerOptions& WordpieceTokenizer::options() const {
    return options_;
}

const std::vector<AddedToken>& WordpieceTokenizer::added_tokens() const {
    return added_;
}

}  // namespace pb
