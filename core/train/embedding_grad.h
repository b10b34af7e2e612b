#pragma once
// BERT's input embeddings for one sequence: word[id] + position[i] + token_type[type]; the
// backward pass scatter-adds into the three tables.
#include "core/train/matrix_types.h"

#include <cstdint>
#include <span>

namespace pb::train {

template <class S>
void embedding_forward(MatRef<S> out, std::span<const int32_t> ids, std::span<const int32_t> type_ids, const S* word,
                       const S* position, const S* token_type, int hidden);

// Any table gradient may be null (skipped).
template <class S>
void embedding_backward(const ConstMatRef<S>& dout, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                        S* dword, S* dposition, S* dtoken_type, int hidden);

}  // namespace pb::train
