#!/usr/bin/env bash
# Retrains resources/default-model from the data, with the project's own engine (about 75 minutes on
# 2 quiet cores, an hour of it pre-training): seeded initialisation -> masked-LM pre-training on the
# corpus and SST-2's training text -> fine-tune on SST-2 -> configuration search -> re-train -> F16.
# Needs ../shared/data (SST-2 and corpus/) and a build (tools/build.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${POWERBERT_SHARED_DATA:-$root/../shared/data}"
data="$shared/glue/SST-2"
corpus="$shared/corpus"
bin="$root/build/app/powerbert"
work="${1:-$root/build/default-model-training}"
rm -rf "$work" && mkdir -p "$work"
common=(--task sst-2 --train "$data/train.tsv" --dev "$data/dev.tsv" --batch 32 --max-length 64 --seed 1)
"$bin" make-demo-model --out "$work/init" --vocab "$root/resources/vocab/bert-base-uncased.txt" --seed 3
"$bin" train pretrain --from-scratch --model "$work/init" --out "$work/mlm" \
  --corpus "$data/train.tsv" "$corpus/tinyshakespeare/input.txt" "$corpus"/gutenberg/*.txt \
  --heldout "$corpus/wikitext-2/valid.txt" --epochs 5 --batch 32 --max-length 64 --lr 5e-4 --seed 1
"$bin" train finetune --model "$work/mlm" --out "$work/ft" "${common[@]}" --epochs 2 --lr 2e-4
"$bin" train search --model "$work/ft" --out "$work/search" "${common[@]}" --epochs 1 --max-train 24000 \
  --lr 3e-5 --lambda 2e-3 --lr-soft 3e-3
"$bin" train retrain --model "$work/search" --out "$work/final" "${common[@]}" --epochs 1 --lr 5e-5
rm -rf "$root/resources/default-model.new"
/usr/bin/python3 "$root/tools/convert_to_f16.py" "$work/final" "$root/resources/default-model.new"
cp "$root/resources/default-model/README.md" "$root/resources/default-model.new/" 2>/dev/null || true
rm -rf "$root/resources/default-model" && mv "$root/resources/default-model.new" "$root/resources/default-model"
"$bin" eval --model "$root/resources/default-model" --data "$data/dev.tsv"
