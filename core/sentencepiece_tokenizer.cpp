#include "core/sentencepiece_tokenizer.h"

#include "core/error.h"
#include "core/json_reader.h"
#include "core/sentencepiece_charsmap_check.h"
#include "core/sentencepiece_model_proto.h"
#include "core/unicode_text.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <fstream>

namespace pb {
namespace {

constexpr std::string_view word_boundary = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// PreTrainedTokenizer.truncate_sequences, longest_first: one token at a time from the longer
// side, from the pair when both are equal. The same result without the loop.
std::pair<std::size_t, std::size_t> longest_first(std::size_t a, std::size_t b, std::size_t budget) {
    if (a + b <= budget) return {a, b};
    std::size_t remove = a + b - budget;
    std::size_t& longer = a > b ? a : b;
    const std::size_t shorter = a > b ? b : a;
    const std::size_t first = std::min(longer - shorter, remove);
    longer -= first;
    remove -= first;
    b -= (remove + 1) / 2;  // now a == b: the pair loses the first of each two
    a -= remove / 2;
    return {a, b};
}

// The model is read here, checked, then handed to the library as bytes (so what was checked is what is loaded).
std::string read_model_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw Error(file.string() + ": missing or not a file");
    const auto size = std::filesystem::file_size(file, ec);
    if (ec || size > (std::uintmax_t(1) << 30)) throw Error(file.string() + ": unreadable or larger than 1 GiB");
    std::ifstream in(file, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) throw Error(file.string() + ": cannot read the file");
    return bytes;
}

// The library trusts more of the model than it checks: its normalisation map is checked first, and
// what it throws (e.g. Darts on an empty piece) becomes a pb::Error naming the file.
std::shared_ptr<const sentencepiece::SentencePieceProcessor> load_processor(std::string_view proto,
                                                                            const std::string& source) {
    check_model_charsmaps(proto, source);
    auto processor = std::make_shared<sentencepiece::SentencePieceProcessor>();
    sentencepiece::util::Status status;
    try {
        status = processor->LoadFromSerializedProto(proto);
    } catch (const std::exception& e) {
        throw Error(source + ": not a usable SentencePiece model (" + e.what() + ")");
    }
    if (!status.ok())
        throw Error(source + ": not a readable SentencePiece model (" + std::string(status.message()) + ")");
    return processor;
}

SentencepieceOptions read_tokenizer_config(const std::filesystem::path& path) {
    SentencepieceOptions o;
    const nlohmann::json config = read_json(path);
    const JsonReader r(path.string());
    if (!config.is_object()) r.fail("(root)", "must be an object");
    o.text.lowercase = r.boolean(config, "do_lower_case", "do_lower_case", true);
    o.text.remove_space = r.boolean(config, "remove_space", "remove_space", true);
    o.text.keep_accents = r.boolean(config, "keep_accents", "keep_accents", false);
    if (auto n = sane_model_max_length(config)) o.model_max_length = *n;
    read_special_tokens(r, config, o);
    return o;
}

}  // namespace

SentencepieceTokenizer::SentencepieceTokenizer(std::shared_ptr<const sentencepiece::SentencePieceProcessor> processor,
                                               SentencepieceOptions options, const std::string& source)
    : processor_(std::move(processor)), options_(std::move(options)) {
    const int size = processor_->GetPieceSize();
    if (size <= 0) throw Error(source + ": the SentencePiece model has no pieces");
    id_to_piece_.reserve(size);
    for (int i = 0; i < size; ++i) id_to_piece_.push_back(processor_->IdToPiece(i));
    auto require = [&](const std::string& token) {
        auto id = token_id(token);
        if (!id) throw Error(source + ": the SentencePiece model has no piece \"" + token + "\" (needed as a special token)");
        return *id;
    };
    cls_id_ = require(options_.cls_token);
    sep_id_ = require(options_.sep_token);
    // AlbertTokenizer splits every special token out of the text before SentencePiece runs.
    for (const std::string* t :
         {&options_.cls_token, &options_.sep_token, &options_.unk_token, &options_.pad_token, &options_.mask_token})
        if (auto id = token_id(*t); id && !t->empty()) specials_.emplace_back(*t, *id);
    std::sort(specials_.begin(), specials_.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

SentencepieceTokenizer SentencepieceTokenizer::from_model_file(const std::filesystem::path& spiece_model,
                                                               SentencepieceOptions options) {
    const std::string source = spiece_model.string();
    return SentencepieceTokenizer(load_processor(read_model_file(spiece_model), source), std::move(options), source);
}

SentencepieceTokenizer SentencepieceTokenizer::from_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                                                   SentencepieceOptions options) {
    const std::string source = tokenizer_json.string();
    const UnigramModelProto model = unigram_model_proto(read_json(tokenizer_json), JsonReader(source));
    options.text.lowercase = model.text.lowercase;
    options.text.keep_accents = model.text.keep_accents;
    return SentencepieceTokenizer(load_processor(model.serialized, source), std::move(options), source);
}

SentencepieceTokenizer SentencepieceTokenizer::from_model_folder(const std::filesystem::path& dir) {
    const auto config = dir / "tokenizer_config.json";
    std::error_code ec;
    SentencepieceOptions options =
        std::filesystem::is_regular_file(config, ec) ? read_tokenizer_config(config) : SentencepieceOptions{};
    if (!std::filesystem::is_regular_file(dir / "spiece.model", ec))
        return from_tokenizer_json(dir / "tokenizer.json", std::move(options));
    return from_model_file(dir / "spiece.model", std::move(options));
}

int32_t SentencepieceTokenizer::id_of(const std::string& piece) const {
    return processor_->PieceToId(piece);  // unknown pieces give the <unk> id, as in AlbertTokenizer
}

// AlbertTokenizer._tokenize: a piece like "9," is re-encoded without its comma and word boundary
// so that the number stands apart from the comma.
void SentencepieceTokenizer::split_digit_comma(const Piece& piece, std::vector<Piece>& out) const {
    const std::u32string chars = decode_utf8(piece.token);
    const std::size_t n = chars.size();
    if (n < 2 || chars[n - 1] != U',' || !is_python_digit(chars[n - 2])) {
        out.push_back(piece);
        return;
    }
    std::string stem = piece.token.substr(0, piece.token.size() - 1);
    for (std::size_t at; (at = stem.find(word_boundary)) != std::string::npos;) stem.erase(at, word_boundary.size());
    std::vector<std::string> parts;
    processor_->Encode(stem, &parts).IgnoreError();
    if (!piece.token.starts_with(word_boundary) && !parts.empty() && parts.front().starts_with(word_boundary)) {
        if (parts.front().size() == word_boundary.size()) parts.erase(parts.begin());
        else parts.front().erase(0, word_boundary.size());
    }
    parts.push_back(",");
    for (auto& part : parts) out.push_back({id_of(part), std::move(part), piece.begin, piece.end});
}

// One run of text between special tokens, prepared and segmented; spans map back to `offset` + chunk bytes.
void SentencepieceTokenizer::append_segment(std::string_view chunk, int32_t offset, std::vector<Piece>& out) const {
    const PreparedText prepared = prepare_albert_text(chunk, options_.text, offset);
    if (prepared.text.empty()) return;
    const auto encoded = processor_->EncodeAsImmutableProto(prepared.text);
    const auto size = static_cast<uint32_t>(prepared.text.size());
    const auto chunk_end = offset + static_cast<int32_t>(chunk.size());
    for (const auto& p : encoded.pieces()) {
        uint32_t begin = std::min(p.begin(), size);
        const uint32_t end = std::min(p.end(), size);
        while (begin < end && prepared.text[begin] == ' ') ++begin;  // a "▁" covers no word: spans start at it
        Piece piece{static_cast<int32_t>(p.id()), p.piece(), chunk_end, chunk_end};
        if (begin < end) {
            piece.begin = prepared.source[begin].first;
            piece.end = prepared.source[end - 1].second;
        } else if (begin < size) {  // the word boundary SentencePiece adds covers no input
            piece.begin = piece.end = prepared.source[begin].first;
        }
        split_digit_comma(piece, out);
    }
}

std::vector<SentencepieceTokenizer::Piece> SentencepieceTokenizer::pieces(std::string_view text) const {
    std::vector<Piece> out;
    std::size_t chunk = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto special = std::find_if(specials_.begin(), specials_.end(), [&](const auto& s) {
            return text.compare(pos, s.first.size(), s.first) == 0;
        });
        if (special == specials_.end()) {
            ++pos;
            continue;
        }
        append_segment(text.substr(chunk, pos - chunk), static_cast<int32_t>(chunk), out);
        const auto end = pos + special->first.size();
        out.push_back({special->second, special->first, static_cast<int32_t>(pos), static_cast<int32_t>(end)});
        pos = chunk = end;
    }
    append_segment(text.substr(chunk), static_cast<int32_t>(chunk), out);
    return out;
}

std::vector<std::string> SentencepieceTokenizer::tokenize(std::string_view text) const {
    check_tokenizer_input(text);
    std::vector<std::string> tokens;
    for (auto& p : pieces(text)) tokens.push_back(std::move(p.token));
    return tokens;
}

Encoding SentencepieceTokenizer::encode(std::string_view text, std::optional<std::string_view> pair,
                                        int max_length) const {
    const int limit = max_length > 0 ? max_length : options_.model_max_length;
    const std::size_t budget = content_token_budget(text, pair, limit);
    const std::size_t specials = pair ? 3 : 2;
    const std::vector<Piece> a = pieces(text);
    const std::vector<Piece> b = pair ? pieces(*pair) : std::vector<Piece>{};
    const auto [keep_a, keep_b] =
        pair ? longest_first(a.size(), b.size(), budget) : std::pair{std::min(a.size(), budget), std::size_t{0}};

    Encoding e;
    append_special_token(e, cls_id_, options_.cls_token, 0);
    append_content_tokens(e, a, keep_a, 0);
    append_special_token(e, sep_id_, options_.sep_token, 0);
    if (pair) {
        append_content_tokens(e, b, keep_b, 1);
        append_special_token(e, sep_id_, options_.sep_token, 1);
    }
    e.truncated = keep_a < a.size() || keep_b < b.size();
    if (e.truncated) e.notice = truncation_notice(a.size() + b.size() + specials, true, limit);
    return e;
}

int SentencepieceTokenizer::vocab_size() const {
    return static_cast<int>(id_to_piece_.size());
}

std::optional<int32_t> SentencepieceTokenizer::token_id(std::string_view token) const {
    const int id = processor_->PieceToId(token);
    if (id < 0 || id >= vocab_size() || id_to_piece_[id] != token) return std::nullopt;
    return id;
}

const std::string& SentencepieceTokenizer::token(int32_t id) const {
    if (id < 0 || id >= vocab_size())
        throw Error("tokenizer: id " + std::to_string(id) + " is outside the vocabulary of " +
                    std::to_string(vocab_size()));
    return id_to_piece_[id];
}

}  // namespace pb
