#include "core/version.h"

namespace pb {

// POWERBERT_VERSION is defined for this file alone (core/CMakeLists.txt), so a new version rebuilds one file.
const char* version() { return POWERBERT_VERSION; }

}  // namespace pb
