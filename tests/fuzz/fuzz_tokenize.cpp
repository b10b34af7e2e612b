// Tokenizer input text: the fuzz input is arbitrary bytes (not necessarily UTF-8), encoded alone
// and split into a pair, with a small max_length and with the default (512), by bert-base-uncased's
// tokenizer.json and by its vocab.txt with other normaliser settings (cased; no cleaning/accents/CJK).
#include "fuzz_encoding_checks.h"

#include <filesystem>
#include <vector>

namespace {

const std::vector<pb::WordpieceTokenizer>& tokenizers() {
    static const std::vector<pb::WordpieceTokenizer> all = [] {
        const auto folder = std::filesystem::path(POWERBERT_FIXTURES) / "tokenizer" / "bert-base-uncased";
        std::vector<pb::WordpieceTokenizer> t;
        t.push_back(pb::WordpieceTokenizer::from_tokenizer_json(folder / "tokenizer.json"));
        pb::TokenizerOptions cased;  // BERT-cased behaviour on the same vocabulary
        cased.lowercase = false;
        t.push_back(pb::WordpieceTokenizer::from_vocab_file(folder / "vocab.txt", cased));
        pb::TokenizerOptions raw;  // the other normaliser switches
        raw.strip_accents = false;
        raw.tokenize_chinese_chars = false;
        raw.clean_text = false;
        t.push_back(pb::WordpieceTokenizer::from_vocab_file(folder / "vocab.txt", raw));
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
    // The pair splits at a position taken from the input itself, so both halves vary.
    const size_t cut = text.empty() ? 0 : (static_cast<size_t>(data[0]) * 131) % (text.size() + 1);
    pb_fuzz::encode_and_check(tokenizer, text.substr(0, cut), text.substr(cut));
    pb_fuzz::expect_pb_error([&] { (void)tokenizer.basic_tokens(text); });
    return 0;
}
