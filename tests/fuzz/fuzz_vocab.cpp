// vocab.txt: the fuzz input is the file. A vocabulary that loads must tokenize a fixed text.
#include "fuzz_encoding_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = pb_fuzz::write_scratch("vocab.txt", data, size);
    pb::TokenizerOptions options;
    options.lowercase = size % 2 == 0;  // both normaliser paths, chosen by something stable
    std::optional<pb::WordpieceTokenizer> tokenizer;
    if (!pb_fuzz::expect_pb_error([&] { tokenizer.emplace(pb::WordpieceTokenizer::from_vocab_file(path, options)); }))
        return 0;
    PB_FUZZ_CHECK(tokenizer->vocab_size() > 0);
    pb_fuzz::encode_and_check(*tokenizer, "Hello, [MASK] world! Caf\xC3\xA9 \xE6\x9D\xB1\xE4\xBA\xAC unaffable [SEP]x");
    pb_fuzz::encode_and_check(*tokenizer, "the quick brown fox", std::string_view("[CLS] jumps over\tthe lazy dog"));
    return 0;
}
