#!/usr/bin/env bash
# Builds the core, the CLI and the core and CLI test suites with AddressSanitizer + UndefinedBehaviorSanitizer
# (build-asan/, -DPOWERBERT_SANITIZE=ON, RelWithDebInfo) and runs them with ctest. Any sanitizer
# report fails the run: UBSan halts on the first finding, ASan and LeakSanitizer abort the test.
#
#   tools/run-sanitized-tests.sh [extra ctest arguments]
#
# The GUI and its tests (tests/ui) are not built here (-DPOWERBERT_BUILD_GUI=OFF): they need a
# display server and Qt's own uninstrumented libraries, and parse nothing the core does not.
# Every core suite runs, test_bert_model (the BERT-base-shaped model) included: under ASan it takes
# about 8 s here, the whole ctest run (21 core suites and test_cli) about 190 s, so nothing is excluded. Building
# takes about 5-10 min from scratch with 2 jobs on a 2-core machine.
# Environment: POWERBERT_JOBS (build parallelism, default 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-asan"
jobs="${POWERBERT_JOBS:-2}"
"$root/tools/setup-debian.sh"

start=$SECONDS
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOWERBERT_SANITIZE=ON \
  -DPOWERBERT_BUILD_GUI=OFF -DPOWERBERT_BUILD_TESTS=ON -DPOWERBERT_FUZZ=OFF >/dev/null
if ! ninja -C "$build" -j"$jobs" >"$build/build.log" 2>&1; then
  grep -E -A5 'error|FAILED' "$build/build.log" | head -60 >&2
  echo "run-sanitized-tests: the build failed (log: $build/build.log)" >&2
  exit 1
fi
echo "run-sanitized-tests: built in $((SECONDS - start)) s" >&2

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_QPA_PLATFORM=offscreen
cd "$build"
start=$SECONDS
QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j1 "$@"
echo "run-sanitized-tests: tests ran in $((SECONDS - start)) s" >&2
