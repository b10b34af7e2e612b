#include "core/tokenizer.h"

#include "core/error.h"
#include "core/json_reader.h"
#include "core/sentencepiece_tokenizer.h"
#include "core/wordpiece_tokenizer.h"

#include <limits>

namespace pb {

void check_tokenizer_input(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max()))
        throw Error("tokenizer input: text of " + std::to_string(text.size()) + " bytes is larger than the 2 GiB limit");
}

std::size_t content_token_budget(std::string_view text, std::optional<std::string_view> pair, int limit) {
    check_tokenizer_input(text);
    if (pair) check_tokenizer_input(*pair);
    const std::size_t specials = pair ? 3 : 2;
    if (limit > 0 && static_cast<std::size_t>(limit) < specials)
        throw Error("tokenizer: max_length " + std::to_string(limit) + " cannot hold the " + std::to_string(specials) +
                    " special tokens [CLS]/[SEP]");
    return limit > 0 ? static_cast<std::size_t>(limit) - specials : unlimited_tokens;
}

void append_special_token(Encoding& e, int32_t id, const std::string& token, int32_t type_id) {
    e.ids.push_back(id);
    e.tokens.push_back(token);
    e.type_ids.push_back(type_id);
    e.segment.push_back(-1);
    e.spans.emplace_back(0, 0);
}

void append_content_tokens(Encoding& e, const std::vector<TokenPiece>& pieces, std::size_t keep, int32_t side) {
    for (std::size_t i = 0; i < keep; ++i) {
        e.ids.push_back(pieces[i].id);
        e.tokens.push_back(pieces[i].token);
        e.type_ids.push_back(side);
        e.segment.push_back(side);
        e.spans.emplace_back(pieces[i].begin, pieces[i].end);
    }
}

std::string truncation_notice(std::size_t from, bool from_known, int max_length) {
    return "input truncated from " + std::string(from_known ? "" : "at least ") + std::to_string(from) + " to " +
           std::to_string(max_length) + " tokens (longest-first)";
}

namespace {

// AlbertTokenizerFast's tokenizer.json (model type Unigram), without its spiece.model. Anything
// unreadable is left to the WordPiece loader, whose errors name the problem.
bool is_unigram_tokenizer_json(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return false;
    try {
        const auto json = read_json(file);
        return json.is_object() && json.contains("model") && json["model"].is_object() &&
               json["model"].value("type", "") == "Unigram";
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& folder) {
    std::error_code ec;
    // ALBERT folders hold spiece.model (AlbertTokenizer) and often tokenizer.json too; the
    // SentencePiece model is the tokenizer's own definition, so it wins.
    const bool spiece = std::filesystem::is_regular_file(folder / "spiece.model", ec);
    if (spiece || is_unigram_tokenizer_json(folder / "tokenizer.json"))
        return std::make_shared<SentencepieceTokenizer>(SentencepieceTokenizer::from_model_folder(folder));
    return std::make_shared<WordpieceTokenizer>(WordpieceTokenizer::from_model_folder(folder));
}

}  // namespace pb
