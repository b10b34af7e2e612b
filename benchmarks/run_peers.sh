#!/usr/bin/env bash
# This project vs PyTorch vs ONNX Runtime on the same seeded BERT, batch 1, side by side.
#
#   benchmarks/run_peers.sh [--rounds 5] [--repeats 5] [--warmup 2] [--lengths 8,16,32,64,128]
#                           [--shapes base,small] [--threads 2] [--seed 20200] [--openblas-coretype SkylakeX|auto]
#                           [--gomp-spincount 1000] [--bf16] [--out build/peers]
#
# For each shape it writes the seeded model as a Hugging Face folder (`powerbert make-demo-model`),
# loads the very same weights into a plain PyTorch BertForSequenceClassification
# (benchmarks/torch_peer.py, Debian's python3-torch) and exports that to ONNX (torch.onnx) for
# ONNX Runtime (benchmarks/ort_peer.mjs, npm onnxruntime-node). Then, round after round, each
# engine in turn (project, PyTorch, ONNX Runtime, project, ...) loads its model and times every
# length; summarize_peers.py prints medians with min-max spreads and ratios, checks that the
# three agree on the logits, and writes OUT/summary.json. --bf16 adds the project with bfloat16
# weights (`powerbert time --bf16`) to each round, reported with its own logit difference.
#
# Needs: build/app/powerbert (ninja -C build powerbert), /usr/bin/python3 with torch, node, and
# `npm ci` in benchmarks/ (ONNXRUNTIME_NODE_INSTALL=skip: its install script fetches GPU files).
# PyTorch links libblas.so.3; it is given OpenBLAS (Debian's libopenblas0-pthread, unpacked under
# OUT when not installed) with OPENBLAS_CORETYPE=SkylakeX by default: OpenBLAS 0.3.21 does not
# recognise this CPU and otherwise falls back to much slower kernels (--openblas-coretype auto).
# The project and PyTorch both run on libgomp, whose threads by default spin about 300,000 times
# at a barrier before sleeping: on a machine shared with other jobs a spinning thread holds a core
# that its partner needs, and 2-thread latencies grow several-fold. Both get GOMP_SPINCOUNT=1000
# (ONNX Runtime's own thread pool spins briefly and then blocks too); --gomp-spincount default
# restores libgomp's default.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rounds=5 repeats=5 warmup=2 lengths=8,16,32,64,128 shapes=base,small threads=2 seed=20200
coretype=SkylakeX spincount=1000 bf16=0 out="$root/build/peers"
while [ $# -gt 0 ]; do
  if [ "$1" = --bf16 ]; then bf16=1; shift; continue; fi
  case "$1" in
    --rounds) rounds=$2 ;;
    --repeats) repeats=$2 ;;
    --warmup) warmup=$2 ;;
    --lengths) lengths=$2 ;;
    --shapes) shapes=$2 ;;
    --threads) threads=$2 ;;
    --seed) seed=$2 ;;
    --openblas-coretype) coretype=$2 ;;
    --gomp-spincount) spincount=$2 ;;
    --out) out=$2 ;;
    *) echo "run_peers.sh: unknown option $1 (see the header of this script)" >&2; exit 1 ;;
  esac
  shift 2
done

powerbert="$root/build/app/powerbert"
python=/usr/bin/python3
[ -x "$powerbert" ] || { echo "run_peers.sh: $powerbert missing: ninja -C build powerbert" >&2; exit 1; }
[ -d "$root/benchmarks/node_modules/onnxruntime-node" ] ||
  { echo "run_peers.sh: onnxruntime-node missing: (cd benchmarks && ONNXRUNTIME_NODE_INSTALL=skip npm ci)" >&2; exit 1; }
mkdir -p "$out"

# OpenBLAS for PyTorch only, without changing the machine's default BLAS.
openblas_dir=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ ! -e "$openblas_dir/libblas.so.3" ]; then
  if [ ! -e "$out/openblas$openblas_dir/libblas.so.3" ]; then
    (cd "$out" && apt-get download libopenblas0-pthread >/dev/null && dpkg -x libopenblas0-pthread_*.deb openblas)
  fi
  openblas_dir="$out/openblas$openblas_dir"
fi
torch_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_LIBRARY_PATH="$openblas_dir" OMP_NUM_THREADS="$threads"
           OPENBLAS_NUM_THREADS="$threads")
[ "$coretype" = auto ] || torch_env+=(OPENBLAS_CORETYPE="$coretype")
project_env=(env OMP_NUM_THREADS="$threads")
if [ "$spincount" != default ]; then
  torch_env+=(GOMP_SPINCOUNT="$spincount")
  project_env+=(GOMP_SPINCOUNT="$spincount")
fi

IFS=, read -r -a shape_list <<< "$shapes"
for shape in "${shape_list[@]}"; do
  dir="$out/$shape"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$powerbert" make-demo-model --shape "$shape" --seed "$seed" --out "$dir/model" \
    --vocab "$root/resources/vocab/bert-base-uncased.txt" 2>/dev/null
  vocab=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['vocab_size'])" "$dir/model/config.json")
  "$python" "$root/benchmarks/torch_peer.py" inputs --lengths "$lengths" --vocab-size "$vocab" --out "$dir/inputs.json"
  "${torch_env[@]}" "$python" "$root/benchmarks/torch_peer.py" export --model "$dir/model" --onnx "$dir/model.onnx" 2>/dev/null
done

for round in $(seq 1 "$rounds"); do
  for shape in "${shape_list[@]}"; do
    dir="$out/$shape"
    echo "round $round/$rounds, $shape (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
    "${project_env[@]}" "$powerbert" time --model "$dir/model" --inputs "$dir/inputs.json" \
      --repeats "$repeats" --warmup "$warmup" --out "$dir/round-$round-powerbert.json"
    if [ "$bf16" = 1 ]; then
      "${project_env[@]}" "$powerbert" time --model "$dir/model" --inputs "$dir/inputs.json" --bf16 \
        --repeats "$repeats" --warmup "$warmup" --out "$dir/round-$round-powerbert_bf16.json"
    fi
    "${torch_env[@]}" "$python" "$root/benchmarks/torch_peer.py" time --model "$dir/model" --inputs "$dir/inputs.json" \
      --repeats "$repeats" --warmup "$warmup" --threads "$threads" --out "$dir/round-$round-pytorch.json"
    node "$root/benchmarks/ort_peer.mjs" --model "$dir/model.onnx" --inputs "$dir/inputs.json" \
      --repeats "$repeats" --warmup "$warmup" --threads "$threads" --out "$dir/round-$round-onnxruntime.json"
  done
done

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$python" "$root/benchmarks/summarize_peers.py" "$out"
