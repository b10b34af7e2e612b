#!/usr/bin/env bash
# Retrains resources/default-model from the data, with the project's own engine (about 3.4 hours on
# 2 quiet cores, 3.2 of them pre-training): seeded initialisation -> three masked-LM pre-training
# runs on the corpus and GLUE training text -> fine-tune on SST-2 (the full model, kept in the work
# folder) -> configuration search -> re-train the pre-trained weights with Extract layers, distilling
# from the fine-tuned model and training the weights without elimination alongside -> F16.
# Needs ../shared/data (SST-2, CoLA, MRPC, RTE, STS-B and corpus/) and a build (tools/build.sh).
# Every step resumes from its checkpoint when the script is run again with the same work folder
# after an interruption (pass --fresh to start over).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${POWERBERT_SHARED_DATA:-$root/../shared/data}"
glue="$shared/glue"
data="$glue/SST-2"
corpus="$shared/corpus"
bin="$root/build/app/powerbert"
fresh=0
if [[ "${1:-}" == "--fresh" ]]; then fresh=1; shift; fi
work="${1:-$root/build/default-model-training}"
[[ $fresh == 1 ]] && rm -rf "$work"
mkdir -p "$work"
text=("$data/train.tsv" "$corpus/tinyshakespeare/input.txt" "$corpus"/gutenberg/*.txt)
glue_text=("$glue/CoLA/train.tsv" "$glue/MRPC/train.tsv" "$glue/RTE/train.tsv" "$glue/STS-B/train.tsv")
mlm=(--heldout "$corpus/wikitext-2/valid.txt" --batch 32 --max-length 64 --lr 5e-4)
common=(--task sst-2 --train "$data/train.tsv" --dev "$data/dev.tsv" --batch 32 --max-length 64 --seed 1)

[[ -f "$work/init/config.json" ]] ||
  "$bin" make-demo-model --out "$work/init" --vocab "$root/resources/vocab/bert-base-uncased.txt" --seed 3
[[ -f "$work/mlm1/training.json" ]] ||
  "$bin" train pretrain --from-scratch --model "$work/init" --out "$work/mlm1" --corpus "${text[@]}" "${mlm[@]}" --epochs 5 --seed 1
[[ -f "$work/mlm2/training.json" ]] ||
  "$bin" train pretrain --model "$work/mlm1" --out "$work/mlm2" --corpus "${text[@]}" "${glue_text[@]}" "${mlm[@]}" --epochs 4 --seed 2
[[ -f "$work/mlm3/training.json" ]] ||
  "$bin" train pretrain --model "$work/mlm2" --out "$work/mlm3" --corpus "${text[@]}" "${glue_text[@]}" "${mlm[@]}" --epochs 4 --seed 3
[[ -f "$work/ft/training.json" ]] ||
  "$bin" train finetune --model "$work/mlm3" --out "$work/ft" "${common[@]}" --epochs 3 --lr 1e-4
[[ -f "$work/search/training.json" ]] ||
  "$bin" train search --model "$work/ft" --out "$work/search" "${common[@]}" --epochs 1 --max-train 24000 \
    --lr 3e-5 --lambda 2e-3 --lr-soft 3e-3
[[ -f "$work/final/training.json" ]] ||
  "$bin" train retrain --model "$work/mlm3" --retention-file "$work/search/retention.json" --out "$work/final" \
    "${common[@]}" --epochs 3 --lr 1e-4 --teacher "$work/ft" --distill-weight 1 --distill-temperature 1 --with-full-pass
rm -rf "$root/resources/default-model.new"
/usr/bin/python3 "$root/tools/convert_to_f16.py" "$work/final" "$root/resources/default-model.new"
cp "$root/resources/default-model/README.md" "$root/resources/default-model.new/" 2>/dev/null || true
rm -rf "$root/resources/default-model" && mv "$root/resources/default-model.new" "$root/resources/default-model"
"$bin" eval --model "$work/ft" --data "$data/dev.tsv" --retention 64,64,64,64
"$bin" eval --model "$root/resources/default-model" --data "$data/dev.tsv" --batch 32
