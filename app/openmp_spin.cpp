#include "app/openmp_spin.h"

#include <cstdlib>
#include <unistd.h>

void restart_with_short_openmp_spin(char** argv) {
    if (std::getenv("GOMP_SPINCOUNT") || std::getenv("OMP_WAIT_POLICY")) return;
    if (setenv("GOMP_SPINCOUNT", "1000", 1) != 0) return;
    execv("/proc/self/exe", argv);  // returns only on failure: then run on with libgomp's default spin
}
