#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (small valid and invalid examples).

Re-run after changing it: `python3 tests/fuzz/make_seeds.py`. Only the standard library is used;
the safetensors seeds follow the format byte for byte (8-byte little-endian header length, JSON
header padded with spaces to a multiple of 8, then the data section)."""
import json
import shutil
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
FIXTURES = HERE.parent / "fixtures"


def put(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# ---------- safetensors: a tiny BERT matching fuzz_safetensors.cpp's config ----------

VOCAB, HIDDEN, INTER, MAXPOS, TYPES, LABELS = 8, 4, 8, 8, 2, 2


def bert_tensors(prefix="", norm=("weight", "bias"), pooler=False, classifier=False):
    t = [(f"{prefix}embeddings.word_embeddings.weight", [VOCAB, HIDDEN]),
         (f"{prefix}embeddings.position_embeddings.weight", [MAXPOS, HIDDEN]),
         (f"{prefix}embeddings.token_type_embeddings.weight", [TYPES, HIDDEN]),
         (f"{prefix}embeddings.LayerNorm.{norm[0]}", [HIDDEN]),
         (f"{prefix}embeddings.LayerNorm.{norm[1]}", [HIDDEN])]
    p = f"{prefix}encoder.layer.0."
    for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
        t += [(p + name + ".weight", [HIDDEN, HIDDEN]), (p + name + ".bias", [HIDDEN])]
    t += [(p + f"attention.output.LayerNorm.{norm[0]}", [HIDDEN]), (p + f"attention.output.LayerNorm.{norm[1]}", [HIDDEN])]
    t += [(p + "intermediate.dense.weight", [INTER, HIDDEN]), (p + "intermediate.dense.bias", [INTER])]
    t += [(p + "output.dense.weight", [HIDDEN, INTER]), (p + "output.dense.bias", [HIDDEN])]
    t += [(p + f"output.LayerNorm.{norm[0]}", [HIDDEN]), (p + f"output.LayerNorm.{norm[1]}", [HIDDEN])]
    if pooler:
        t += [(f"{prefix}pooler.dense.weight", [HIDDEN, HIDDEN]), (f"{prefix}pooler.dense.bias", [HIDDEN])]
    if classifier:
        t += [("classifier.weight", [LABELS, HIDDEN]), ("classifier.bias", [LABELS])]
    return t


def encode_value(dtype, v):
    if dtype == "F32":
        return struct.pack("<f", v)
    if dtype == "F64":
        return struct.pack("<d", v)
    if dtype == "F16":
        return struct.pack("<e", v)
    if dtype == "BF16":
        return struct.pack("<f", v)[2:]
    raise ValueError(dtype)


def safetensors(tensors, dtype="F32", metadata=None):
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for i, (name, shape) in enumerate(tensors):
        n = 1
        for d in shape:
            n *= d
        blob = b"".join(encode_value(dtype, ((i * 7 + k) % 13 - 6) / 8.0) for k in range(n))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    return raw_safetensors(json.dumps(header, separators=(",", ":")), data)


def raw_safetensors(header_text, data=b"", header_len=None):
    text = header_text.encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text) if header_len is None else header_len) + text + data


def safetensors_seeds():
    put("safetensors", "tiny_bert_f32.safetensors", safetensors(bert_tensors(), "F32", {"format": "pt"}))
    put("safetensors", "tiny_bert_f16_prefixed.safetensors",
        safetensors(bert_tensors("bert.", pooler=True, classifier=True), "F16"))
    put("safetensors", "tiny_bert_bf16_gamma_beta.safetensors", safetensors(bert_tensors(norm=("gamma", "beta")), "BF16"))
    put("safetensors", "tiny_bert_f64_pooler.safetensors", safetensors(bert_tensors(pooler=True), "F64")[:4096])
    put("safetensors", "two_tensors.safetensors",
        raw_safetensors('{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},'
                        '"b":{"dtype":"U8","shape":[0],"data_offsets":[8,8]}}', bytes(8)))
    put("safetensors", "empty_header.safetensors", raw_safetensors("{}"))
    put("safetensors", "truncated.safetensors", safetensors(bert_tensors(), "F16")[:600])
    put("safetensors", "overlap.safetensors",
        raw_safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                        '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12)))
    put("safetensors", "not_json.safetensors", raw_safetensors("not json at all"))
    put("safetensors", "header_too_long.safetensors", raw_safetensors("{}", header_len=1 << 40))


# ---------- config.json ----------

def config_seeds():
    small = json.loads((FIXTURES / "bert" / "small_f32" / "config.json").read_text())
    put("model_config", "small_f32.json", json.dumps(small, indent=1))
    put("model_config", "base.json", (FIXTURES / "bert" / "base_config.json").read_text())
    minimal = {"vocab_size": 8, "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2,
               "intermediate_size": 8}
    put("model_config", "minimal.json", json.dumps(minimal))
    put("model_config", "regression.json", json.dumps(dict(minimal, num_labels=1, problem_type="regression",
                                                           hidden_act="gelu_new", layer_norm_eps=1e-5)))
    put("model_config", "labels.json", json.dumps(dict(minimal, id2label={"0": "a", "1": "b", "2": "c"})))
    put("model_config", "bad_divisible.json", json.dumps(dict(minimal, num_attention_heads=3)))
    put("model_config", "bad_type.json", json.dumps(dict(minimal, vocab_size="8")))
    put("model_config", "bad_position.json", json.dumps(dict(minimal, position_embedding_type="relative_key")))
    put("model_config", "albert_grouped.json", (FIXTURES / "albert" / "grouped_bare" / "config.json").read_text())
    put("model_config", "albert_minimal.json", json.dumps(dict(minimal, model_type="albert", embedding_size=2,
                                                              num_hidden_groups=1, inner_group_num=3)))
    put("model_config", "not_object.json", "[1, 2, 3]")


# ---------- vocab.txt and tokenizer.json ----------

TINY_VOCAB = ["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "!", ",", ".", "the", "quick", "brown",
              "fox", "hello", "world", "un", "##aff", "##able", "caf", "##e", "\u6771", "\u4eac", "a", "##a", "x"]


def tokenizer_json(vocab=TINY_VOCAB, added=True, normalizer=True, post="template", extra_added=()):
    added_tokens = []
    if added:
        for i, t in enumerate(vocab):
            if t.startswith("[") and t.endswith("]") and not t.startswith("[unused"):
                added_tokens.append({"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                                     "normalized": False, "special": True})
    added_tokens += list(extra_added)
    doc = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True} if normalizer else None,
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None, "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}},
    }
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    if post == "template":
        doc["post_processor"] = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}}}
    elif post == "bert":
        doc["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", sep], "cls": ["[CLS]", cls]}
    return json.dumps(doc, indent=1, ensure_ascii=False)


def tokenizer_seeds():
    put("vocab", "tiny.txt", "\n".join(TINY_VOCAB) + "\n")
    put("vocab", "crlf_trailing_space.txt", "\r\n".join(t + "  " for t in TINY_VOCAB))
    put("vocab", "no_unk.txt", "\n".join(t for t in TINY_VOCAB if t != "[UNK]"))
    put("vocab", "duplicates.txt", "\n".join(TINY_VOCAB + ["the", "[UNK]"]))
    put("vocab", "bad_utf8.txt", b"[UNK]\n[CLS]\n[SEP]\n\xff\xfe\n")
    put("vocab", "empty.txt", b"")

    put("tokenizer_json", "tiny_template.json", tokenizer_json())
    put("tokenizer_json", "tiny_bert_processing.json", tokenizer_json(post="bert"))
    put("tokenizer_json", "no_normalizer.json", tokenizer_json(normalizer=False, post=None))
    special = [{"id": len(TINY_VOCAB), "content": "<mask>", "single_word": True, "lstrip": True, "rstrip": False,
                "normalized": False, "special": True},
               {"id": len(TINY_VOCAB) + 1, "content": "Caf\u00e9!", "single_word": False, "lstrip": False,
                "rstrip": True, "normalized": True, "special": False}]
    put("tokenizer_json", "added_tokens.json", tokenizer_json(extra_added=special))
    put("tokenizer_json", "bpe.json", tokenizer_json().replace('"type": "WordPiece", "unk', '"type": "BPE", "unk'))
    put("tokenizer_json", "truncated.json", tokenizer_json()[:700])

    texts = ["Hello, world! The quick brown fox.", "unaffable caf\u00e9 \u6771\u4eac [MASK] [SEP]x",
             "A\u0301\u0300 \u00c5ngstr\u00f6m \u0130stanbul \u1e9e \ufb01 \U0001F600 \u200b\u00a0tab\there",
             "[CLS]" * 20, "word " * 300, "x" * 500]
    for tokenizer in range(3):
        for i, text in enumerate(texts):
            put("tokenize", f"t{tokenizer}_{i}.txt", bytes([tokenizer + 3 * i]) + text.encode())
    put("tokenize", "invalid_utf8.bin", b"\x01abc\xff\xc0\x80\xed\xa0\x80def\xf4\x90\x80\x80 \x00\x7f\x1b")


# ---------- GLUE TSV ----------

def glue_seeds():
    for f in sorted((FIXTURES / "glue").glob("*.tsv")):
        if f.stat().st_size:
            shutil.copyfile(f, CORPUS / "glue_tsv" / f.name)
    put("glue_tsv", "cola_noheader.tsv", "gj04\t1\t\tOur friends won't buy this analysis.\ngj04\t0\t*\tThey drank the pub.\n")
    put("glue_tsv", "stsb.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                                "0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane.\tAn air plane.\t5.000\n")
    put("glue_tsv", "qnli.tsv", "index\tquestion\tsentence\tlabel\n0\tWhat?\tThat.\tentailment\n")
    put("glue_tsv", "generic_pair.tsv", "label\tsentence\tsentence2\n3\ta\tb\n0\tc\td\n")


# ---------- retention ----------

def retention_seeds():
    put("retention", "text_12.txt", b"\x0c" + b"12,11,10,9,8,7,6,5,4,3,2,1")
    put("retention", "text_4_spaces.txt", b"\x04" + b"64 32\t16 , 8")
    put("retention", "text_bad.txt", b"\x03" + b"3,x,1")
    put("retention", "json_12.json", b"\x0c" + json.dumps(
        {"retention": [128, 120, 110, 100, 90, 80, 70, 60, 50, 40, 30, 20], "strategy": "attn", "seed": 7,
         "found_by": "search"}).encode())
    put("retention", "json_rand.json", b"\x02" + b'{"retention": [5, 5], "strategy": "Rand-WS", "seed": 18446744073709551615}')
    put("retention", "json_bad.json", b"\x02" + b'{"retention": [5, 6], "strategy": 3}')
    put("retention", "json_array.json", b"\x02" + b"[5, 4]")


# ---------- studio sessions (ui/session.h) ----------

def session_seeds():
    good = {"schema": "powerbert-studio-session/1", "model": "/models/bert-base-uncased-sst2",
            "sentence": "a gripping, funny film", "pair": None, "strategy": "attn", "seed": 0,
            "retention": [6, 4, 3, 2], "retention_preset": {"name": "Keep fraction \u03c1 per layer", "parameter": 0.7},
            "current_tab": "Token survival", "highlighted_position": -1}
    put("session", "good.json", json.dumps(good, indent=2, ensure_ascii=False))
    put("session", "pair_rand.json", json.dumps(dict(good, pair="second sentence", strategy="rand",
                                                     seed=18446744073709551615, highlighted_position=3)))
    put("session", "no_model.json", json.dumps(dict(good, model="", retention=[], retention_preset=None)))
    put("session", "wrong_schema.json", json.dumps(dict(good, schema="powerbert-studio-session/2")))
    put("session", "increasing.json", json.dumps(dict(good, retention=[2, 3])))
    put("session", "not_json.json", '{"schema": "powerbert-studio-session/1", ')


# ---------- ALBERT's SentencePiece tokenizer: input texts, and model files ----------

def sentencepiece_seeds():
    # The first byte picks the tokenizer settings (fuzz_sentencepiece_tokenize.cpp).
    put("sentencepiece_tokenize", "s0.txt", "\x00Hello, world! Caf\u00e9 1,000,000 and 9, then")
    put("sentencepiece_tokenize", "s1.txt", "\x01  ``Quoted'' \ufb01ne \uff21 [MASK] \u03a3\u039f\u03a6\u039f\u03a3 <unk>")
    put("sentencepiece_tokenize", "s2.bin", b"\x02\xff\xfe bad \x00 bytes \xe2\x96\x81 \x1c sep")
    model = (FIXTURES / "albert" / "tokenizer" / "digit-comma.model").read_bytes()
    put("spiece_model", "digit-comma.model", model)
    put("spiece_model", "truncated.model", model[:300])
    # Crashes found by the fuzzer (a corrupt normalisation map, an empty piece), kept as regression seeds.
    for name in ("corrupt-charsmap.model", "empty-piece.model"):
        put("spiece_model", name, (FIXTURES / "albert" / "tokenizer" / name).read_bytes())


# Inputs the fuzzer found that this script cannot write: they survive a re-run as regression seeds.
FUZZER_FOUND = {CORPUS / "session" / "number-overflow.json"}


def main():
    if CORPUS.exists():
        for path in CORPUS.rglob("*"):
            if path.is_file() and path not in FUZZER_FOUND:
                path.unlink()
    for target in ("safetensors", "model_config", "vocab", "tokenizer_json", "tokenize", "glue_tsv", "retention",
                   "session", "sentencepiece_tokenize", "spiece_model"):
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
    safetensors_seeds()
    config_seeds()
    tokenizer_seeds()
    glue_seeds()
    retention_seeds()
    session_seeds()
    sentencepiece_seeds()


if __name__ == "__main__":
    main()
