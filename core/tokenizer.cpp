#include "core/tokenizer.h"

#include "core/json_reader.h"
#include "core/sentencepiece_tokenizer.h"
#include "core/wordpiece_tokenizer.h"

namespace pb {

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
