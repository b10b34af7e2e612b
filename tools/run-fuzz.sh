#!/usr/bin/env bash
# Fuzzes every parser that reads a user's file (tests/fuzz/fuzz_*.cpp) with libFuzzer + ASan/UBSan.
#
#   tools/run-fuzz.sh [SECONDS_PER_TARGET]     (default 60; CI runs it with the default)
#
# Builds build-fuzz/ with clang, runs each target for the given time on a scratch copy of its seed
# corpus (tests/fuzz/corpus/<target>/ is never modified), prints one line per target and exits
# non-zero if any target found a crash, a sanitizer report, a leak, a timeout (>10 s for one input)
# or an out-of-memory (>2 GB). Reproducers and logs are kept in build-fuzz/fuzz-results/<target>/;
# replay one with build-fuzz/tests/fuzz/fuzz_<target> <file>.
# Environment: POWERBERT_JOBS (build parallelism, default 2), POWERBERT_FUZZ_TARGETS (a space-
# separated subset, e.g. "safetensors retention"), POWERBERT_FUZZ_SEED (libFuzzer's -seed; unset:
# a fresh random seed each run). With a fixed seed a target explores the same inputs in the same
# order, so a run of N seconds covers what a shorter run on a similar machine covers: CI uses one,
# and a longer local run with the same seed shows beforehand that CI's run will be clean.
set -euo pipefail
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
jobs="${POWERBERT_JOBS:-2}"

# --- what the build needs: the project's packages, plus clang with libFuzzer and libomp ---
"$root/tools/setup-debian.sh"
links_fuzzer() {
  local dir
  dir="$(mktemp -d)"
  printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' \
    >"$dir/probe.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$dir/probe.cpp" -o "$dir/probe" >/dev/null 2>&1
  local ok=$?
  rm -rf "$dir"
  return $ok
}
missing=()
for p in clang libclang-rt-14-dev libomp-dev llvm; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || ! command -v clang++ >/dev/null || ! links_fuzzer; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing: ${missing[*]:-clang libclang-rt-14-dev}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev libomp-dev llvm >&2
  links_fuzzer || { echo "run-fuzz: clang++ -fsanitize=fuzzer does not link" >&2; exit 1; }
fi

# --- build ---
build_start=$SECONDS
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPOWERBERT_FUZZ=ON -DPOWERBERT_BUILD_GUI=OFF -DPOWERBERT_BUILD_TESTS=OFF -DPOWERBERT_NATIVE=OFF \
  -DPOWERBERT_SANITIZE=OFF >/dev/null
if ! ninja -C "$build" -j"$jobs" powerbert_fuzz >"$build/build.log" 2>&1; then
  grep -E -A5 'error|FAILED' "$build/build.log" | head -60 >&2
  echo "run-fuzz: the build failed (log: $build/build.log)" >&2
  exit 1
fi
echo "run-fuzz: built the fuzz targets in $((SECONDS - build_start)) s; fuzzing each for ${seconds} s" >&2

# --- fuzz ---
targets="${POWERBERT_FUZZ_TARGETS:-}"
if [ -z "$targets" ]; then
  targets="$(cd "$root/tests/fuzz" && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//' | tr '\n' ' ')"
fi
scratch="$(mktemp -d "${TMPDIR:-/tmp}/powerbert-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
results="$build/fuzz-results"
mkdir -p "$results"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OMP_NUM_THREADS=1

seed_flag=""
if [ -n "${POWERBERT_FUZZ_SEED:-}" ]; then seed_flag="-seed=${POWERBERT_FUZZ_SEED}"; fi

failed=0
summary=()
for t in $targets; do
  exe="$build/tests/fuzz/fuzz_$t"
  out="$results/$t"
  if [ ! -x "$exe" ]; then  # fuzz_session is built only when ui/session.cpp exists
    line=$(printf '%-16s skipped (not built: its source is not in this checkout)' "$t")
    summary+=("$line")
    echo "$line" >&2
    continue
  fi
  rm -rf "$out"
  mkdir -p "$out" "$scratch/$t"
  if [ -d "$root/tests/fuzz/corpus/$t" ]; then cp -r "$root/tests/fuzz/corpus/$t/." "$scratch/$t/"; fi
  seeds=$(find "$scratch/$t" -type f | wc -l)
  start=$SECONDS
  set +e
  "$exe" "$scratch/$t" ${seed_flag} -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/" >"$out/fuzz.log" 2>&1
  rc=$?
  set -e
  took=$((SECONDS - start))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/fuzz.log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$out/fuzz.log" | tail -1 | grep -o '[0-9]*' || true)
  corpus=$(find "$scratch/$t" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    line=$(printf '%-16s ok      %9s runs in %3d s, coverage %5s, corpus %3d -> %4d inputs' \
      "$t" "${runs:-?}" "$took" "${cov:-?}" "$seeds" "$corpus")
  else
    failed=1
    kind="crash"
    if grep -q 'ERROR: libFuzzer: timeout' "$out/fuzz.log"; then kind="timeout";
    elif grep -q 'ERROR: libFuzzer: out-of-memory\|ERROR: libFuzzer: malloc' "$out/fuzz.log"; then kind="out-of-memory";
    elif grep -q 'ERROR: LeakSanitizer' "$out/fuzz.log"; then kind="leak";
    elif grep -q 'runtime error:' "$out/fuzz.log"; then kind="undefined behaviour";
    elif grep -q 'ERROR: AddressSanitizer' "$out/fuzz.log"; then kind="memory error";
    elif grep -q 'invariant failed\|terminate called\|uncaught exception' "$out/fuzz.log"; then kind="uncaught exception or broken invariant";
    fi
    reproducer=$(ls "$out"/{crash,leak,timeout,oom,slow-unit}-* 2>/dev/null | head -1 || true)
    line=$(printf '%-16s FAILED  %s after %d s (exit %d); reproducer %s; log %s' \
      "$t" "$kind" "$took" "$rc" "${reproducer:-none}" "$out/fuzz.log")
    # The report itself, so that a CI log shows what went wrong.
    grep -m1 -B2 -A25 'ERROR:\|runtime error:\|invariant failed\|terminate called' "$out/fuzz.log" >&2 || tail -40 "$out/fuzz.log" >&2
  fi
  summary+=("$line")
  echo "$line" >&2
done

echo "---- run-fuzz summary (${seconds} s per target, seed ${POWERBERT_FUZZ_SEED:-random}) ----"
printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
  echo "run-fuzz: FAILED (see build-fuzz/fuzz-results/)" >&2
  exit 1
fi
echo "run-fuzz: all targets clean"
