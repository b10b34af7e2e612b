#pragma once
// ALBERT's tokenizer: Hugging Face's AlbertTokenizer (the SentencePiece one, spiece.model) id for
// id, on Debian's libsentencepiece. Special tokens typed in the text are matched first; the text
// between them is prepared as AlbertTokenizer does (albert_preprocessing) and segmented by the
// SentencePiece model; "9,"-style pieces are split like AlbertTokenizer._tokenize; [CLS] a [SEP]
// (b [SEP]) with token type ids; longest-first truncation as PreTrainedTokenizer.truncate_sequences.
#include "core/albert_preprocessing.h"
#include "core/tokenizer.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace pb {

struct SentencepieceOptions {
    AlbertTextOptions text;
    int model_max_length = 512;  // <= 0: no limit unless encode() is given one
    std::string unk_token = "<unk>", cls_token = "[CLS]", sep_token = "[SEP]", pad_token = "<pad>",
                mask_token = "[MASK]";
};

class SentencepieceTokenizer : public Tokenizer {
public:
    // Throws pb::Error naming the file when it is not a SentencePiece model or lacks [CLS]/[SEP].
    static SentencepieceTokenizer from_model_file(const std::filesystem::path& spiece_model,
                                                  SentencepieceOptions options = {});
    // A Unigram tokenizer.json (AlbertTokenizerFast's), run by libsentencepiece with AlbertTokenizer's
    // steps: its pieces, scores and normalisation map, lowercasing and accent stripping as its
    // normalizer says.
    static SentencepieceTokenizer from_tokenizer_json(const std::filesystem::path& tokenizer_json,
                                                      SentencepieceOptions options = {});
    // spiece.model (else a Unigram tokenizer.json) plus tokenizer_config.json (do_lower_case,
    // remove_space, keep_accents, model_max_length, special tokens) when present.
    static SentencepieceTokenizer from_model_folder(const std::filesystem::path& dir);

    Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                    int max_length = 0) const override;
    // The content tokens of one text (AlbertTokenizer.tokenize), for tests and debugging.
    std::vector<std::string> tokenize(std::string_view text) const;

    int vocab_size() const override;
    std::optional<int32_t> token_id(std::string_view token) const override;
    const std::string& token(int32_t id) const override;
    int model_max_length() const override { return options_.model_max_length; }
    std::optional<int32_t> pad_id() const override { return token_id(options_.pad_token); }
    std::string_view kind() const override { return "SentencePiece"; }
    const SentencepieceOptions& options() const { return options_; }

    using Piece = TokenPiece;

private:
    SentencepieceTokenizer(std::shared_ptr<const sentencepiece::SentencePieceProcessor> processor,
                           SentencepieceOptions options, const std::string& source);

    std::vector<Piece> pieces(std::string_view text) const;
    void append_segment(std::string_view chunk, int32_t offset, std::vector<Piece>& out) const;
    void split_digit_comma(const Piece& piece, std::vector<Piece>& out) const;
    int32_t id_of(const std::string& piece) const;

    std::shared_ptr<const sentencepiece::SentencePieceProcessor> processor_;
    SentencepieceOptions options_;
    std::vector<std::string> id_to_piece_;
    std::vector<std::pair<std::string, int32_t>> specials_;  // matched in raw text, longest first
    int32_t cls_id_ = 0, sep_id_ = 0;
};

}  // namespace pb
