#!/usr/bin/env bash
# The main job: install, build, and open PoWER-BERT Studio on the default model.
# On a machine without a display it says so and runs the same analysis with the CLI instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/tools/setup-debian.sh"
"$root/tools/build.sh"
model="$root/resources/default-model"
if [ ! -f "$model/model.safetensors" ]; then
  model="$root/build/demo-model"
  if [ ! -f "$model/model.safetensors" ]; then
    echo "No default model in resources/: making an untrained seeded demo model in $model" >&2
    "$root/build/app/powerbert" make-demo-model --out "$model" --vocab "$root/resources/vocab/bert-base-uncased.txt"
  fi
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$root/build/app/powerbert-studio" "$model"
fi
echo "No display found (DISPLAY/WAYLAND_DISPLAY unset): the GUI needs one (try: xvfb-run -a tools/run-studio.sh)." >&2
echo "Running the same analysis with the command-line tool instead:" >&2
exec "$root/build/app/powerbert" analyze --model "$model" \
  --text "The film is a charming, funny and moving piece of work."
