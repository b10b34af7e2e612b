#pragma once
// Invariants of every Encoding, checked by the tokenizer fuzz targets.
#include "fuzz_common.h"

#include "core/sentencepiece_tokenizer.h"
#include "core/wordpiece_tokenizer.h"

#include <optional>
#include <string_view>

namespace pb_fuzz {

inline void check_encoding(const pb::Tokenizer& tokenizer, const pb::Encoding& e, std::string_view text,
                           std::optional<std::string_view> pair, int max_length) {
    const size_t n = e.ids.size();
    PB_FUZZ_CHECK(e.type_ids.size() == n && e.tokens.size() == n && e.segment.size() == n && e.spans.size() == n);
    PB_FUZZ_CHECK(n >= (pair ? 3u : 2u));
    const int limit = max_length > 0 ? max_length : tokenizer.model_max_length();
    if (limit > 0) PB_FUZZ_CHECK(n <= static_cast<size_t>(limit));
    PB_FUZZ_CHECK(e.truncated == !e.notice.empty());
    PB_FUZZ_CHECK(e.segment.front() == -1 && e.segment.back() == -1);
    for (size_t i = 0; i < n; ++i) {
        PB_FUZZ_CHECK(e.ids[i] >= 0 && e.ids[i] < tokenizer.vocab_size());
        (void)tokenizer.token(e.ids[i]);  // must not throw for an id the tokenizer produced
        PB_FUZZ_CHECK(e.type_ids[i] == 0 || e.type_ids[i] == 1);
        const auto [begin, end] = e.spans[i];
        PB_FUZZ_CHECK(0 <= begin && begin <= end);
        if (e.segment[i] == 0) PB_FUZZ_CHECK(static_cast<size_t>(end) <= text.size());
        else if (e.segment[i] == 1) PB_FUZZ_CHECK(pair && static_cast<size_t>(end) <= pair->size());
        else PB_FUZZ_CHECK(e.segment[i] == -1 && begin == 0 && end == 0);
        if (i > 0 && e.segment[i] >= 0 && e.segment[i] == e.segment[i - 1])
            PB_FUZZ_CHECK(e.spans[i - 1].first <= begin);  // tokens come in text order
    }
}

// Encodes `text` (and `pair`) with a small limit and with the tokenizer's default, checking both.
inline void encode_and_check(const pb::Tokenizer& tokenizer, std::string_view text,
                             std::optional<std::string_view> pair = std::nullopt) {
    for (int max_length : {5, 0}) {
        expect_pb_error([&] {
            check_encoding(tokenizer, tokenizer.encode(text, pair, max_length), text, pair, max_length);
        });
    }
}

}  // namespace pb_fuzz
