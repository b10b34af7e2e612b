#pragma once
// Seeded dropout masks. A mask depends only on (example seed, site, layer) and the element index,
// never on threads or batch composition, so a training run is reproducible bit for bit.
#include <cstddef>
#include <cstdint>

namespace pb::train {

enum class DropoutSite : uint32_t { Embeddings = 1, AttentionProbs = 2, AttentionOutput = 3, FeedForwardOutput = 4, Pooled = 5 };

uint64_t dropout_key(uint64_t example_seed, DropoutSite site, int layer, int head = 0);

// mask[i] = 0 with probability p, else 1/(1-p) (inverted dropout, as PyTorch).
template <class S>
void fill_dropout_mask(S* mask, size_t count, double p, uint64_t key);

}  // namespace pb::train
