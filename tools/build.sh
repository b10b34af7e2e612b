#!/usr/bin/env bash
# Configures and builds into build/ (Release, -O3 -march=native; POWERBERT_NATIVE=OFF for portable binaries).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
ninja -C "$root/build" -j"$(nproc)"
