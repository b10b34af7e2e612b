#include "core/team_backoff.h"

#include <sys/resource.h>

#include <algorithm>

namespace pb {

bool TeamBackoff::team_allowed() {
    if (single_left_ == 0) return true;
    --single_left_;
    return false;
}

void TeamBackoff::record_team_run(int64_t switches, double thread_ms) {
    window_switches_ += switches;
    window_ms_ += thread_ms;
    const bool above = double(window_switches_) > kContendedRate * window_ms_;
    if (above && window_switches_ >= kEarlySwitches) verdict(true);
    else if (window_ms_ >= kEvidenceMs) verdict(above);
}

void TeamBackoff::verdict(bool contended) {
    window_switches_ = 0;
    window_ms_ = 0;
    if (!contended) {
        backoff_ = kFirstBackoff;
        return;
    }
    single_left_ = backoff_;
    backoff_ = std::min(2 * backoff_, kMaxBackoff);
}

int64_t involuntary_context_switches() {
    rusage usage{};
    if (getrusage(RUSAGE_THREAD, &usage) != 0) return 0;  // then no run looks contended
    return usage.ru_nivcsw;
}

}  // namespace pb
