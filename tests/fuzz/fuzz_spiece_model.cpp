// spiece.model: the fuzz input is the file (read by libsentencepiece, which is not instrumented:
// this finds crashes and our own misuse of what it returns). A model that loads must tokenize a
// fixed text, or refuse it with a pb::Error (e.g. no [CLS] piece).
#include "fuzz_encoding_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = pb_fuzz::write_scratch("spiece.model", data, size);
    std::optional<pb::SentencepieceTokenizer> tokenizer;
    if (!pb_fuzz::expect_pb_error([&] { tokenizer.emplace(pb::SentencepieceTokenizer::from_model_file(path)); }))
        return 0;
    PB_FUZZ_CHECK(tokenizer->vocab_size() > 0);
    pb_fuzz::encode_and_check(*tokenizer, "Hello, [MASK] world! Caf\xC3\xA9 1,000, 9, \xE6\x9D\xB1\xE4\xBA\xAC [SEP]x");
    pb_fuzz::encode_and_check(*tokenizer, "the quick brown fox", std::string_view("[CLS] jumps ``over''\tthe lazy dog"));
    return 0;
}
