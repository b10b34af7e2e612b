#include "core/train/dropout.h"

namespace pb::train {
namespace {

uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

uint64_t dropout_key(uint64_t example_seed, DropoutSite site, int layer, int head) {
    uint64_t k = mix(example_seed ^ 0x5DEECE66Dull);
    k = mix(k + static_cast<uint64_t>(site) * 0x9E3779B97F4A7C15ull);
    k = mix(k + static_cast<uint64_t>(layer + 1) * 0xC2B2AE3D27D4EB4Full);
    return mix(k + static_cast<uint64_t>(head + 1) * 0x165667B19E3779F9ull);
}

template <class S>
void fill_dropout_mask(S* mask, size_t count, double p, uint64_t key) {
    const S scale = S(1.0 / (1.0 - p));
    // Compare 24-bit integers: u < p  <=>  (z >> 40) < p * 2^24.
    const uint64_t threshold = static_cast<uint64_t>(p * 16777216.0);
    for (size_t i = 0; i < count; ++i) {
        const uint64_t z = mix(key + (i + 1) * 0x9E3779B97F4A7C15ull) >> 40;
        mask[i] = z < threshold ? S(0) : scale;
    }
}

template void fill_dropout_mask<float>(float*, size_t, double, uint64_t);
template void fill_dropout_mask<double>(double*, size_t, double, uint64_t);

}  // namespace pb::train
