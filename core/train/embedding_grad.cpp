#include "core/train/embedding_grad.h"

namespace pb::train {

template <class S>
void embedding_forward(MatRef<S> out, std::span<const int32_t> ids, std::span<const int32_t> type_ids, const S* word,
                       const S* position, const S* token_type, int H) {
    for (size_t i = 0; i < ids.size(); ++i)
        out.row(i) = ConstRowVecMap<S>(word + size_t(ids[i]) * H, H) + ConstRowVecMap<S>(position + i * H, H) +
                     ConstRowVecMap<S>(token_type + size_t(type_ids[i]) * H, H);
}

template <class S>
void embedding_backward(const ConstMatRef<S>& dout, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                        S* dword, S* dposition, S* dtoken_type, int H) {
    for (size_t i = 0; i < ids.size(); ++i) {
        if (dword) RowVecMap<S>(dword + size_t(ids[i]) * H, H) += dout.row(i);
        if (dposition) RowVecMap<S>(dposition + i * H, H) += dout.row(i);
        if (dtoken_type) RowVecMap<S>(dtoken_type + size_t(type_ids[i]) * H, H) += dout.row(i);
    }
}

#define PB_INSTANTIATE(S)                                                                                              \
    template void embedding_forward<S>(MatRef<S>, std::span<const int32_t>, std::span<const int32_t>, const S*, const S*, \
                                       const S*, int);                                                                 \
    template void embedding_backward<S>(const ConstMatRef<S>&, std::span<const int32_t>, std::span<const int32_t>, S*,  \
                                        S*, S*, int);
PB_INSTANTIATE(float)
PB_INSTANTIATE(double)
#undef PB_INSTANTIATE

}  // namespace pb::train
