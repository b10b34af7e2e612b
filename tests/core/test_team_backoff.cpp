// When a forward pass leaves its team of threads for one thread, and when it tries the team again.
#include "core/team_backoff.h"

#include <QtTest>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace pb;

namespace {

// How many runs in a row go to one thread before the team is allowed again.
int single_runs_in_a_row(TeamBackoff& b) {
    int n = 0;
    while (!b.team_allowed()) ++n;
    return n;
}

}  // namespace

class TestTeamBackoff : public QObject {
    Q_OBJECT

private slots:
    void quietTeamRunsKeepTheTeam() {
        TeamBackoff b;
        for (int i = 0; i < 100; ++i) {
            QVERIFY(b.team_allowed());
            b.record_team_run(1, 40.0);  // 0.025 switches per thread-ms: a quiet machine's rate
        }
    }

    void contendedRunsBackOffTwiceAsLongUpToTheCap() {
        TeamBackoff b;
        QVERIFY(b.team_allowed());
        const int expected[] = {4, 8, 16, 32, 64, 64, 64};
        for (int want : expected) {
            b.record_team_run(20, 10.0);  // 2 per thread-ms, as with a busy process beside the team
            QCOMPARE(single_runs_in_a_row(b), want);  // the call that returned true is the next team run
        }
    }

    void aQuietVerdictStartsTheCountOver() {
        TeamBackoff b;
        b.record_team_run(20, 10.0);
        QCOMPARE(single_runs_in_a_row(b), 4);
        b.record_team_run(20, 10.0);
        QCOMPARE(single_runs_in_a_row(b), 8);
        b.record_team_run(0, TeamBackoff::kEvidenceMs);
        QVERIFY(b.team_allowed());
        b.record_team_run(20, 10.0);
        QCOMPARE(single_runs_in_a_row(b), 4);
    }

    // Switches add up over runs until there is evidence either way: 0.3 per thread-ms is contended
    // once 8 switches have been seen, 0.2 per thread-ms is quiet once 50 thread-ms have passed.
    void evidenceAddsUpOverRuns() {
        TeamBackoff contended;
        contended.record_team_run(3, 10.0);
        contended.record_team_run(3, 10.0);
        QVERIFY(contended.team_allowed());  // 6 switches: not yet
        contended.record_team_run(3, 10.0);
        QCOMPARE(single_runs_in_a_row(contended), 4);

        TeamBackoff quiet;
        for (int i = 0; i < 5; ++i) quiet.record_team_run(2, 10.0);  // 10 switches in 50 thread-ms
        QVERIFY(quiet.team_allowed());
        quiet.record_team_run(20, 10.0);  // a new window: this alone is contended
        QCOMPARE(single_runs_in_a_row(quiet), 4);
    }

    // The signal itself: two busy threads pinned to one core take turns by preemption, and count
    // it as involuntary switches (here about 40 each in 0.3 s).
    void preemptionIsCountedAsInvoluntarySwitches() {
        cpu_set_t allowed;
        CPU_ZERO(&allowed);
        QCOMPARE(sched_getaffinity(0, sizeof allowed, &allowed), 0);
        int cpu = 0;
        while (!CPU_ISSET(cpu, &allowed)) ++cpu;
        std::atomic<int64_t> switches[2] = {0, 0};
        std::atomic<bool> pinned[2] = {false, false};
        auto busy_on_cpu = [&](int which) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            pinned[which] = pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
            const int64_t before = involuntary_context_switches();
            const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
            volatile double x = 0;
            while (std::chrono::steady_clock::now() < end) x = x + 1;
            switches[which] = involuntary_context_switches() - before;
        };
        std::thread a(busy_on_cpu, 0), b(busy_on_cpu, 1);
        a.join();
        b.join();
        if (!pinned[0] || !pinned[1]) QSKIP("this machine does not let a thread be pinned to one core");
        const QString counted = QString("%1 and %2 involuntary switches").arg(switches[0]).arg(switches[1]);
        QVERIFY2(switches[0] + switches[1] >= 2, qPrintable(counted));
    }
};

QTEST_APPLESS_MAIN(TestTeamBackoff)
#include "test_team_backoff.moc"
