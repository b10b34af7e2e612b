#include "core/tokenizer.h"

#include "core/sentencepiece_tokenizer.h"
#include "core/wordpiece_tokenizer.h"

namespace pb {

std::string truncation_notice(std::size_t from, bool from_known, int max_length) {
    return "input truncated from " + std::string(from_known ? "" : "at least ") + std::to_string(from) + " to " +
           std::to_string(max_length) + " tokens (longest-first)";
}

std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& folder) {
    std::error_code ec;
    // ALBERT folders hold spiece.model (AlbertTokenizer) and often tokenizer.json too; the
    // SentencePiece model is the tokenizer's own definition, so it wins.
    if (std::filesystem::is_regular_file(folder / "spiece.model", ec))
        return std::make_shared<SentencepieceTokenizer>(SentencepieceTokenizer::from_model_folder(folder));
    return std::make_shared<WordpieceTokenizer>(WordpieceTokenizer::from_model_folder(folder));
}

}  // namespace pb
