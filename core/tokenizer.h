#pragma once
// What the engine needs from a tokenizer, whichever kind a model folder holds (BERT's WordPiece,
// ALBERT's SentencePiece): an encoding with special tokens, type ids and byte spans.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb {

struct Encoding {
    std::vector<int32_t> ids;
    std::vector<int32_t> type_ids;  // 0 for [CLS] a [SEP], 1 for b [SEP]
    std::vector<std::string> tokens;
    // Which input text the token came from: 0, 1, or -1 for special tokens.
    std::vector<int32_t> segment;
    // Byte offsets [begin,end) into that input's UTF-8 text; {0,0} for special tokens. As in HF, a
    // token covers the characters it was normalised from: "Café" -> "cafe" spans all 5 bytes, but a
    // separate combining mark that accent stripping removed is not part of any token.
    std::vector<std::pair<int32_t, int32_t>> spans;
    bool truncated = false;
    // Human-readable truncation notice, e.g. "input truncated from 700 to 512 tokens (longest-first)";
    // "from at least N" when the rest of a very long text was not tokenized.
    std::string notice;
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // max_length <= 0 means model_max_length(). Adds [CLS]/[SEP]; longest-first truncation for
    // pairs. Throws pb::Error when max_length cannot even hold the special tokens.
    virtual Encoding encode(std::string_view text, std::optional<std::string_view> pair = std::nullopt,
                            int max_length = 0) const = 0;
    virtual int vocab_size() const = 0;
    virtual std::optional<int32_t> token_id(std::string_view token) const = 0;
    virtual const std::string& token(int32_t id) const = 0;  // throws pb::Error outside the vocabulary
    virtual int model_max_length() const = 0;                // <= 0: no limit
    virtual std::optional<int32_t> pad_id() const = 0;
    virtual std::string_view kind() const = 0;  // "WordPiece", "SentencePiece"
};

// ---- shared by the tokenizer implementations ----

struct TokenPiece {  // one content token of one input
    int32_t id;
    std::string token;
    int32_t begin, end;  // bytes of that input
};

inline constexpr std::size_t unlimited_tokens = static_cast<std::size_t>(-1) / 2;

// Spans are int32_t byte offsets: throws pb::Error for a text of 2 GiB or more.
void check_tokenizer_input(std::string_view text);
// Checks both inputs and that `limit` (<= 0: none) holds the 2 or 3 special tokens; returns how
// many content tokens fit (unlimited_tokens without a limit).
std::size_t content_token_budget(std::string_view text, std::optional<std::string_view> pair, int limit);
void append_special_token(Encoding& e, int32_t id, const std::string& token, int32_t type_id);
// The first `keep` pieces, as text `side` (0 or 1: segment and token type id).
void append_content_tokens(Encoding& e, const std::vector<TokenPiece>& pieces, std::size_t keep, int32_t side);
// Encoding::notice: "input truncated from [at least ]N to M tokens (longest-first)".
std::string truncation_notice(std::size_t from, bool from_known, int max_length);

// The tokenizer of a Hugging Face model folder: spiece.model (ALBERT's AlbertTokenizer), else
// tokenizer.json or vocab.txt (WordPiece), with tokenizer_config.json's settings.
std::shared_ptr<const Tokenizer> load_tokenizer(const std::filesystem::path& folder);

}  // namespace pb
