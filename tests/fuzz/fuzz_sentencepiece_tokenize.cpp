// ALBERT tokenizer input text: arbitrary bytes encoded alone and split into a pair, with a small
// max_length and the default, by the 8k SentencePiece model with AlbertTokenizer's settings and
// with the other preprocessing switches (cased, spaces kept, accents kept).
#include "fuzz_encoding_checks.h"

#include <filesystem>
#include <vector>

namespace {

const std::vector<pb::SentencepieceTokenizer>& tokenizers() {
    static const std::vector<pb::SentencepieceTokenizer> all = [] {
        const auto model = std::filesystem::path(POWERBERT_FIXTURES) / ".." / ".." / "resources" / "vocab" /
                           "albert-spiece-8k.model";
        std::vector<pb::SentencepieceTokenizer> t;
        t.push_back(pb::SentencepieceTokenizer::from_model_file(model));
        pb::SentencepieceOptions other;
        other.text = {false, false, true};
        t.push_back(pb::SentencepieceTokenizer::from_model_file(model, other));
        return t;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const auto& tokenizer = tokenizers()[data[0] % tokenizers().size()];
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    pb_fuzz::encode_and_check(tokenizer, text);
    const size_t cut = text.empty() ? 0 : (static_cast<size_t>(data[0]) * 131) % (text.size() + 1);
    pb_fuzz::encode_and_check(tokenizer, text.substr(0, cut), text.substr(cut));
    return 0;
}
