#pragma once
// The human-readable report of `powerbert analyze`.
#include "core/analysis.h"

#include <string>

namespace pb {

std::string format_analysis(const Analysis& analysis);

}  // namespace pb
