#!/usr/bin/env bash
# Trains the small ALBERT-style SentencePiece model resources/vocab/albert-spiece-8k.model with
# Debian's spm_train (package sentencepiece) on the shared English corpus (Gutenberg books +
# Tiny Shakespeare; wikitext-2 is left out, it is for evaluation).
#
# The options mirror how ALBERT's own 30k model was made (google-research/albert README): unigram,
# <pad>=0, <unk>=1, no <s>/</s>, [CLS]=2 [SEP]=3 [MASK]=4 as control symbols (never matched in
# text: the tokenizer adds them), the same user-defined symbols and character coverage, and the
# default nmt_nfkc normalisation. Only the vocabulary is smaller (8000) to keep the file small.
# The corpus is first lowercased and stripped of accents the way AlbertTokenizer prepares its
# input (do_lower_case, keep_accents=False), so no pieces are spent on forms it never produces.
#
#   tools/train_albert_spiece.sh [SHARED_DATA_DIR]     (default: ../shared/data next to the repo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${1:-$root/../shared/data}"
corpus="$data/corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/corpus.txt" $(ls "$corpus"/gutenberg/*.txt | sort) "$corpus/tinyshakespeare/input.txt" <<'PY'
import sys, unicodedata
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for name in sys.argv[2:]:
        with open(name, encoding="utf-8-sig") as f:
            for line in f:
                line = unicodedata.normalize("NFKD", line.rstrip("\r\n"))
                out.write("".join(c for c in line if not unicodedata.combining(c)).lower() + "\n")
PY

spm_train --input="$work/corpus.txt" --model_prefix="$work/spiece" --vocab_size=8000 --model_type=unigram \
  --pad_id=0 --unk_id=1 --eos_id=-1 --bos_id=-1 --control_symbols='[CLS],[SEP],[MASK]' \
  --user_defined_symbols='(,),"""",-,.,–,£,€' --character_coverage=0.99995 \
  --num_threads=2 --random_seed=1 --minloglevel=1

mkdir -p "$root/resources/vocab"
cp "$work/spiece.model" "$root/resources/vocab/albert-spiece-8k.model"
ls -l "$root/resources/vocab/albert-spiece-8k.model"
