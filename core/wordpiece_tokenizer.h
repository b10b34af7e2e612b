#pragma once
// BERT WordPiece tokenization that reproduces Hugging Face's BertTokenizerFast
// (tokenizers crate: AddedVocabulary + BertNormalizer + BertPreTokenizer + WordPiece +
// BertProcessing, longest-first truncation) id for id.
#include "core/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pb {

struct TokenizerOptions {
    bool lowercase = true;
    std::optional<bool> strip_accents;  // unset: follows lowercase, like HF
    bool tokenize_chinese_chars = true;
    bool clean_text = true;
    int max_chars_per_word = 100;
    int model_max_length = 512;  // <= 0: no limit unless encode() is given one
    std::string unk_token = "[UNK]", cls_token = "[CLS]", sep_token = "[SEP]", pad_token = "[PAD]",
                mask_token = "[MASK]";
    std::string continuing_prefix = "##";
};

// Token -> id with lookups by string_view, so the hot loop builds no temporary strings.
struct TokenHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TokenIdMap = std::unordered_map<std::string, int32_t, TokenHash, std::equal_to<>>;

// A token matched verbatim in the input before normalisation (HF "added tokens"): BERT's
// special tokens, so that a user typing "[MASK]" gets the mask id.
struct AddedToken {
    std::string content;
    int32_t id = 0;
    bool single_word = false;  // only when not touching word characters on either side
    bool lstrip = false;       // swallows whitespace on its left
    bool rstrip = false;       // swallows whitespace on its right
    bool normalized = false;   // matched against the normalised text instead of the raw one
};

class WordpieceTokenizer : public Tokenizer {
public:
    // vocab[i] is the token with id i. Throws pb::Error when [UNK], [CLS] or [SEP] is missing.
    WordpieceTokenizer(std::vector<std::string> vocab, TokenizerOptions options);
    static WordpieceTokenizer from_vocab_file(const std::filesystem::path& vocab_txt, TokenizerOptions options = {});
    // Reads the vocabulary, added tokens and BertNormalizer/BertPreTokenizer/WordPiece options.
    static WordpieceTokenizer from_tokenizer_json(const std::filesystem::path& tokenizer_json);
    // A Hugging Face model folder: tokenizer.json if present, else vocab.txt + tokenizer_config.json
    // (do_lower_case, strip_accents, tokenize_chinese_chars, model_max_length) when present.
    static WordpieceTokenizer from_model_folder(const std::filesystem::path& dir);

    // max_length <= 0 means options().model_max_length. Adds [CLS]/[SEP]; longest-first truncation
    // for pairs, like HF. Throws pb::Error when max_length cannot even hold the special tokens.
    Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                    int max_length = 0) const override;
    // After normalisation + pre-tokenisation (for tests/debugging).
    std::vector<std::string> basic_tokens(std::string_view text) const;

    int vocab_size() const override;
    std::optional<int32_t> token_id(std::string_view token) const override;
    const std::string& token(int32_t id) const override;  // throws pb::Error for an id outside the vocabulary
    int model_max_length() const override { return options_.model_max_length; }
    std::optional<int32_t> pad_id() const override { return token_id(options_.pad_token); }
    std::string_view kind() const override { return "WordPiece"; }
    const TokenizerOptions& options() const;
    const std::vector<AddedToken>& added_tokens() const;

    using Piece = TokenPiece;

private:
    WordpieceTokenizer(std::vector<std::string> id_to_token, TokenIdMap vocab, std::vector<AddedToken> added,
                       TokenizerOptions options, const std::string& source);

    // Tokens of one input; stops early once more than `limit` exist (sets `complete` false).
    std::vector<Piece> tokenize(std::string_view text, std::size_t limit, bool& complete) const;
    int32_t required_id(const std::string& token, const std::string& source) const;

    std::vector<std::string> id_to_token_;
    TokenIdMap vocab_;               // the WordPiece model's own tokens; added tokens live apart, as in HF
    std::vector<AddedToken> added_;  // as configured
    std::vector<AddedToken> raw_patterns_, normalized_patterns_;  // the same, split by where they match
    TokenizerOptions options_;
    int32_t unk_id_ = 0, cls_id_ = 0, sep_id_ = 0;
    std::size_t longest_token_ = 0;  // in bytes: no longer candidate can match
};

}  // namespace pb
