#pragma once
// Whether a forward pass runs on a team of threads or on one thread, learnt from its own recent
// team runs. On a quiet machine a team is faster (small model, 32 tokens: 1.10 ms against 1.57 on one
// thread). When another process takes a core, every barrier of the team waits for whichever of its
// threads the scheduler set aside, and one thread is faster (2.79 ms on the team).
//
// The sign is the rate of involuntary context switches of the team's threads: measured here, quiet
// team runs had 0.01-0.03 per thread-millisecond, and with one `yes > /dev/null` beside them 0.6-2.4.
// Team runs whose switches exceed kContendedRate send the next runs to one thread, twice as many each
// time it happens again in a row; team runs below it start the count over. Both ways give the same
// bits (test_elimination), so the choice only changes the speed.
#include <cstdint>

namespace pb {

class TeamBackoff {
public:
    static constexpr int kFirstBackoff = 4;        // single-thread runs after a first contended verdict
    static constexpr int kMaxBackoff = 64;         // ... at most: then team runs are tried again
    static constexpr double kContendedRate = 0.25; // involuntary switches per thread-millisecond
    static constexpr double kEvidenceMs = 50;      // thread-milliseconds of team runs for a verdict,
    static constexpr int kEarlySwitches = 8;       // ... or this many switches above the rate, sooner

    // Whether the next run may use a team; a run on one thread counts down the backoff.
    bool team_allowed();
    // After a run on a team: its threads' involuntary context switches and thread-milliseconds
    // (wall time times threads).
    void record_team_run(int64_t switches, double thread_ms);

private:
    void verdict(bool contended);

    int single_left_ = 0;
    int backoff_ = kFirstBackoff;
    int64_t window_switches_ = 0;
    double window_ms_ = 0;
};

// Involuntary context switches of the calling thread so far (getrusage, RUSAGE_THREAD).
int64_t involuntary_context_switches();

}  // namespace pb
