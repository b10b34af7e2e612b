#pragma once
// The text preparation Hugging Face's AlbertTokenizer applies before SentencePiece sees a piece
// of text, with a map from every output byte back to the input bytes it came from (for spans):
//   1. PreTrainedTokenizer.tokenize lowercases each character alone (do_lower_case);
//   2. preprocess_text: remove_space (" ".join(text.strip().split()), Python whitespace),
//      `` and '' -> ", NFKD with combining marks dropped (keep_accents=False), str.lower()
//      (do_lower_case; here with Python's Final_Sigma rule).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pb {

struct AlbertTextOptions {
    bool lowercase = true;      // do_lower_case
    bool remove_space = true;   // remove_space
    bool keep_accents = false;  // keep_accents
};

struct PreparedText {
    std::string text;  // UTF-8
    // For each byte of `text`: the [begin, end) bytes of the input it was made from.
    std::vector<std::pair<int32_t, int32_t>> source;
};

// Ill-formed UTF-8 in the input becomes U+FFFD first. `offset` is added to every source position.
PreparedText prepare_albert_text(std::string_view input, const AlbertTextOptions& options, int32_t offset = 0);

}  // namespace pb
