#pragma once
// Long work (dataset evaluation, training, benchmarks) reports through this callback; returning
// false asks the work to stop, which it does by throwing pb::Cancelled at the next check.
#include <cstddef>
#include <functional>
#include <string_view>

namespace pb {

using Progress = std::function<bool(size_t done, size_t total, std::string_view message)>;

inline void report(const Progress& progress, size_t done, size_t total, std::string_view message);

}  // namespace pb

#include "core/error.h"

namespace pb {

inline void report(const Progress& progress, size_t done, size_t total, std::string_view message) {
    if (progress && !progress(done, total, message)) throw Cancelled();
}

}  // namespace pb
