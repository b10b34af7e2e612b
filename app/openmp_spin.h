#pragma once

// libgomp's idle threads spin about 300,000 times at a barrier before they sleep. On a machine
// shared with other jobs a spinning thread holds the core its partner needs, and a 2-thread forward
// pass of the default model took 250 ms instead of 12-19 ms. libgomp reads GOMP_SPINCOUNT only
// once, when it is loaded (before main), so the executables set it and start themselves again.
// Does nothing when GOMP_SPINCOUNT or OMP_WAIT_POLICY is already set (the user's choice wins).
void restart_with_short_openmp_spin(char** argv);
