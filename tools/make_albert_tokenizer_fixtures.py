#!/usr/bin/python3
"""Reference encodings of Hugging Face's AlbertTokenizer; writes tests/fixtures/albert/tokenizer/.

Regenerate with:   /usr/bin/python3 tools/make_albert_tokenizer_fixtures.py
(needs Debian's python3-sentencepiece; the models come from tools/train_albert_spiece.sh and from
this script, which trains the small "digit-comma" model itself.)

There is no transformers package here, so AlbertTokenizer (the slow, SentencePiece one) is
transcribed below from transformers' tokenization_albert.py and tokenization_utils.py (4.x), in
Python, with Python's own str methods and unicodedata -- independent of the C++ code, which
re-implements these steps with ICU. The SentencePiece segmentation itself is the Python module's
(the same libsentencepiece the C++ code calls); tools/make_albert_tokenizer_fixtures.mjs checks the
whole pipeline once more against an independent Unigram implementation (@huggingface/tokenizers).

Steps of AlbertTokenizer.encode(text, pair, truncation=True, max_length=M):
  tokenize():   split out the special tokens ([CLS] [SEP] <unk> <pad> [MASK]) matched in the raw
                text; do_lower_case lowercases every other character alone (a regex sub);
  _tokenize():  preprocess_text: " ".join(text.strip().split()) (remove_space); `` and '' -> ";
                NFKD and drop combining characters (keep_accents=False); str.lower() (do_lower_case);
                sp.encode(text, out_type=str); a piece ending in digit + "," is re-encoded without
                the comma and "▁" and followed by ",";
  ids:          sp.PieceToId per token;
  truncation:   longest_first, one token at a time from the longer side (the pair on ties);
  assembly:     [CLS] A [SEP] (B [SEP]), token_type_ids 0 ... 0 (1 ... 1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata

import sentencepiece as spm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "albert", "tokenizer")
MODEL = os.path.join(ROOT, "resources", "vocab", "albert-spiece-8k.model")
DIGITS_MODEL = os.path.join(OUT, "digit-comma.model")
SPIECE_UNDERLINE = "▁"


class AlbertTokenizerReference:
    def __init__(self, model_file, do_lower_case=True, remove_space=True, keep_accents=False):
        self.sp = spm.SentencePieceProcessor(model_file=model_file)
        self.do_lower_case = do_lower_case
        self.remove_space = remove_space
        self.keep_accents = keep_accents
        self.cls_token, self.sep_token = "[CLS]", "[SEP]"
        self.special_tokens = ["[CLS]", "[SEP]", "<unk>", "<pad>", "[MASK]"]

    # tokenization_albert.py
    def preprocess_text(self, inputs):
        if self.remove_space:
            outputs = " ".join(inputs.strip().split())
        else:
            outputs = inputs
        outputs = outputs.replace("``", '"').replace("''", '"')
        if not self.keep_accents:
            outputs = unicodedata.normalize("NFKD", outputs)
            outputs = "".join([c for c in outputs if not unicodedata.combining(c)])
        if self.do_lower_case:
            outputs = outputs.lower()
        return outputs

    def _tokenize(self, text):
        text = self.preprocess_text(text)
        pieces = self.sp.encode(text, out_type=str)
        new_pieces = []
        for piece in pieces:
            if len(piece) > 1 and piece[-1] == str(",") and piece[-2].isdigit():
                cur_pieces = self.sp.EncodeAsPieces(piece[:-1].replace(SPIECE_UNDERLINE, ""))
                if piece[0] != SPIECE_UNDERLINE and cur_pieces[0][0] == SPIECE_UNDERLINE:
                    if len(cur_pieces[0]) == 1:
                        cur_pieces = cur_pieces[1:]
                    else:
                        cur_pieces[0] = cur_pieces[0][1:]
                cur_pieces.append(piece[-1])
                new_pieces.extend(cur_pieces)
            else:
                new_pieces.append(piece)
        return new_pieces

    # tokenization_utils.py: PreTrainedTokenizer.tokenize
    def tokenize(self, text):
        if self.do_lower_case:
            escaped = [re.escape(t) for t in self.special_tokens]
            pattern = r"(" + r"|".join(escaped) + r")|" + r"(.+?)"
            text = re.sub(pattern, lambda m: m.groups()[0] or m.groups()[1].lower(), text)
        chunks = self.split_on_special_tokens(text)
        tokens = []
        for chunk in chunks:
            if not chunk:
                continue
            if chunk in self.special_tokens:
                tokens.append(chunk)
            else:
                tokens.extend(self._tokenize(chunk))
        return tokens

    def split_on_special_tokens(self, text):
        """The added-tokens trie: leftmost, longest match."""
        out, start, i = [], 0, 0
        by_length = sorted(self.special_tokens, key=len, reverse=True)
        while i < len(text):
            match = next((t for t in by_length if text.startswith(t, i)), None)
            if match is None:
                i += 1
                continue
            out += [text[start:i], match]
            i = start = i + len(match)
        out.append(text[start:])
        return out

    def convert_tokens_to_ids(self, tokens):
        return [self.sp.PieceToId(t) for t in tokens]

    # tokenization_utils_base.py: truncate_sequences, longest_first
    @staticmethod
    def truncate(ids, pair_ids, remove):
        for _ in range(remove):
            if pair_ids is None or len(ids) > len(pair_ids):
                ids = ids[:-1]
            else:
                pair_ids = pair_ids[:-1]
        return ids, pair_ids

    def encode(self, text, pair=None, max_length=512):
        a = self.tokenize(text)
        b = self.tokenize(pair) if pair is not None else None
        total = len(a) + (len(b) if b is not None else 0) + (3 if b is not None else 2)
        a_trunc, b_trunc = self.truncate(a, b, max(0, total - max_length))
        cls, sep = self.cls_token, self.sep_token
        tokens = [cls] + a_trunc + [sep]
        type_ids = [0] * len(tokens)
        if b_trunc is not None:
            tokens += b_trunc + [sep]
            type_ids += [1] * (len(b_trunc) + 1)
        return {"tokens_a": a, "tokens_b": b, "tokens": tokens, "ids": self.convert_tokens_to_ids(tokens),
                "type_ids": type_ids, "truncated": len(a_trunc) < len(a) or (b is not None and len(b_trunc) < len(b))}


LONG = ("the tokenizer must cut this rather long sentence down to the requested number of pieces, keeping the "
        "beginning and dropping whatever does not fit.")
OTHER = "a second, somewhat shorter sentence follows it as the pair."

CASES = [
    # plain text and casing
    {"name": "greeting", "text": "Hello, world!"},
    {"name": "pangram", "text": "The quick brown fox jumps over the lazy dog."},
    {"name": "mixed case", "text": "HELLO World MiXeD CaSe"},
    {"name": "shakespeare", "text": "To be, or not to be: that is the question."},
    {"name": "unknown word pieces", "text": "Supercalifragilisticexpialidocious antidisestablishmentarianism"},
    # empty and whitespace
    {"name": "empty", "text": ""},
    {"name": "only spaces", "text": "     "},
    {"name": "whitespace controls", "text": "\t\n\r \t"},
    {"name": "inner whitespace runs", "text": "  many\t\tspaces   and\nnew\r\nlines  "},
    {"name": "no-break and ideographic spaces", "text": "a\u00a0b\u3000c\u2009d\u200be"},
    {"name": "file separator counts as space in Python", "text": "left\x1cright\x1fend"},
    # accents
    {"name": "cafe precomposed", "text": "Café au lait"},
    {"name": "cafe combining", "text": "Cafe\u0301 au lait"},
    {"name": "naive", "text": "naïve résumé façade"},
    {"name": "angstrom", "text": "Ångström Øresund Łódź"},
    {"name": "vietnamese", "text": "Tiếng Việt có dấu"},
    # punctuation and quotes
    {"name": "punctuation", "text": "Wait... what?! (Really) -- yes; no: maybe/perhaps [sic] {ok}"},
    {"name": "latex quotes", "text": "He said ``hello'' and left."},
    {"name": "curly quotes", "text": "\u201cQuoted\u201d and \u2018single\u2019 \u2013 dash \u2014 em"},
    {"name": "symbols", "text": "£5 or €10, 50% off & more #tags @user $x^2 ~ | \\"},
    # numbers
    {"name": "numbers", "text": "In 1894 there were 1,000,000 people and 3.14159 pies."},
    {"name": "digit comma", "text": "It costs 9, then 10,5 and 2,000,3"},
    {"name": "ordinals and years", "text": "the 1st, 2nd and 3rd of may 2020"},
    {"name": "superscript digits", "text": "x² y³ ¹⁄₂"},
    # unicode
    {"name": "ligatures and fullwidth", "text": "ﬁne ﬂour ＡＢＣ １２３ ｶﾀｶﾅ"},
    {"name": "cjk", "text": "日本語のテキストと中文"},
    {"name": "korean", "text": "한국어 문장"},
    {"name": "emoji", "text": "I love it 😀👍🏽 ❤️"},
    {"name": "greek final sigma", "text": "ΟΔΟΣ ΣΟΦΟΣ Σ"},
    {"name": "turkish dotted capital I", "text": "İSTANBUL ıi"},
    {"name": "german sharp s", "text": "Straße STRASSE ẞ"},
    {"name": "arabic and hebrew", "text": "مرحبا שלום"},
    {"name": "cyrillic", "text": "Привет, мир"},
    {"name": "roman numeral and circled", "text": "Ⅻ ⓐⓑ ① ㎏"},
    {"name": "zero width and controls", "text": "zero\u200dwidth\u00adsoft\x00nul\x07bell"},
    {"name": "replacement character", "text": "bad \ufffd char"},
    # special tokens typed in the text
    {"name": "mask token", "text": "The capital of France is [MASK]."},
    {"name": "cls and sep typed", "text": "a [CLS] b [SEP] c"},
    {"name": "lowercase mask is text", "text": "the [mask] stays text"},
    {"name": "unk and pad typed", "text": "<unk> and <pad> here"},
    # pairs
    {"name": "pair", "text": "Is this a question?", "pair": "Yes, it is."},
    {"name": "pair with accents", "text": "Où est la gare?", "pair": "Là-bas, à gauche."},
    {"name": "empty pair", "text": "only the first", "pair": ""},
    {"name": "empty first", "text": "", "pair": "only the second"},
    # truncation
    {"name": "truncate single", "text": LONG, "max_length": 12},
    {"name": "truncate pair longest first", "text": LONG, "pair": OTHER, "max_length": 20},
    {"name": "truncate pair equal sides odd", "text": LONG, "pair": LONG, "max_length": 16},
    {"name": "truncate pair second longer", "text": OTHER, "pair": LONG, "max_length": 19},
    {"name": "truncate pair short first", "text": "short", "pair": LONG, "max_length": 10},
    {"name": "no truncation needed", "text": OTHER, "pair": "ok", "max_length": 64},
    {"name": "long text default length", "text": " ".join([LONG] * 30)},
    # tokenizer_config.json settings
    {"name": "cased", "text": "Hello World ÀÉÎ", "options": {"do_lower_case": False}},
    {"name": "keep accents", "text": "Café naïve Ångström", "options": {"keep_accents": True}},
    {"name": "keep spaces", "text": "  two  spaces  ", "options": {"remove_space": False}},
]

DIGIT_CASES = [
    {"name": "digit comma pieces", "text": "item 1, item 22, and 9,5 or 7,"},
    {"name": "digit comma pair", "text": "3, 4,", "pair": "5, then 6,"},
    {"name": "normalisation rules", "text": "ﬁnd Ａ\u3000list 8,"},
    {"name": "uppercase kept by the rules, lowered by the tokenizer", "text": "ITEM Ａnd VALUE"},
    {"name": "rules without NFKD", "text": "ﬁnd Ａnd 1,", "options": {"keep_accents": True}},
]


def train_digit_model() -> None:
    """A tiny model whose pieces end in digit + comma (no real corpus needed): exercises
    AlbertTokenizer's re-encoding of such pieces, which the 8k model never produces. Its
    normalisation is three hand-written rules, so its compiled map (and its tokenizer.json) is small."""
    words = ["item", "and", "or", "then", "count", "number", "list", "value"]
    lines = []
    for i in range(400):
        a, b = i % 10, (i * 7) % 10
        lines.append(f"{words[i % 8]} {a}, {words[(i + 3) % 8]} {a}{b}, {b},{a} {words[(i + 5) % 8]} {b}, end")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w") as f:
            f.write("\n".join(lines) + "\n")
        rules = os.path.join(tmp, "rules.tsv")
        with open(rules, "w") as f:  # source code points <TAB> target code points: ﬁ -> fi, Ａ -> A, U+3000 -> space
            f.write("FB01\t66 69\nFF21\t41\n3000\t20\n")
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=os.path.join(tmp, "digits"), vocab_size=44, model_type="unigram",
            pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, control_symbols=["[CLS]", "[SEP]", "[MASK]"],
            user_defined_symbols=[f"{d}," for d in range(10)], normalization_rule_tsv=rules,
            num_threads=1, minloglevel=2)
        with open(os.path.join(tmp, "digits.model"), "rb") as f:
            data = f.read()
    with open(DIGITS_MODEL, "wb") as f:
        f.write(data)


def run_cases(model: str, cases: list[dict]) -> list[dict]:
    out = []
    for case in cases:
        options = case.get("options", {})
        ref = AlbertTokenizerReference(model, **options)
        r = ref.encode(case["text"], case.get("pair"), case.get("max_length", 512))
        item = dict(case)
        item.update({"tokens_a": r["tokens_a"], "ids": r["ids"], "type_ids": r["type_ids"], "tokens": r["tokens"],
                     "truncated": r["truncated"]})
        if r["tokens_b"] is not None:
            item["tokens_b"] = r["tokens_b"]
        out.append(item)
    return out


# ----------------------------------------------------------------------------------------------
# tokenizer.json, as transformers' AlbertConverter builds it (convert_slow_tokenizer.py), for the
# independent check in tools/make_albert_tokenizer_fixtures.mjs and the C++ tokenizer.json loader.
# ----------------------------------------------------------------------------------------------

def proto_fields(data: bytes):
    """(field number, wire type, value) of one protobuf message; enough for ModelProto."""
    i = 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while i < len(data):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, wire, varint()
        elif wire == 1:
            yield field, wire, data[i:i + 8]
            i += 8
        elif wire == 2:
            n = varint()
            yield field, wire, data[i:i + n]
            i += n
        elif wire == 5:
            yield field, wire, data[i:i + 4]
            i += 4
        else:
            raise ValueError(f"wire type {wire}")


def precompiled_charsmap(model_file: str) -> bytes:
    with open(model_file, "rb") as f:
        data = f.read()
    for field, _, value in proto_fields(data):
        if field == 3:  # normalizer_spec
            for f2, _, v2 in proto_fields(value):
                if f2 == 2:  # precompiled_charsmap
                    return v2
    return b""


def albert_tokenizer_json(model_file: str, do_lower_case=True, keep_accents=False) -> dict:
    import base64
    sp = spm.SentencePieceProcessor(model_file=model_file)
    specials = [("<pad>", False), ("<unk>", False), ("[CLS]", False), ("[SEP]", False), ("[MASK]", True)]
    added = [{"id": sp.PieceToId(t), "content": t, "single_word": False, "lstrip": lstrip, "rstrip": False,
              "normalized": False, "special": True} for t, lstrip in specials]
    normalizers = [{"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
                   {"type": "Replace", "pattern": {"String": "''"}, "content": '"'}]
    if not keep_accents:
        normalizers += [{"type": "NFKD"}, {"type": "StripAccents"}]
    if do_lower_case:
        normalizers.append({"type": "Lowercase"})
    charsmap = precompiled_charsmap(model_file)
    if charsmap:
        normalizers.append({"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap).decode()})
    normalizers.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    metaspace = {"type": "Metaspace", "replacement": SPIECE_UNDERLINE, "add_prefix_space": True,
                 "prepend_scheme": "always"}

    def special(token, type_id):
        return {"SpecialToken": {"id": token, "type_id": type_id}}

    def sequence(name, type_id):
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
            "pair": [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0), sequence("B", 1), special("[SEP]", 1)],
            "special_tokens": {t: {"id": t, "ids": [sp.PieceToId(t)], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": sp.unk_id(),
                  "vocab": [[sp.IdToPiece(i), sp.GetScore(i)] for i in range(sp.GetPieceSize())],
                  "byte_fallback": False},
    }


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    train_digit_model()
    fixtures = {
        "description": "AlbertTokenizer (slow, SentencePiece) reference encodings from "
                       "tools/make_albert_tokenizer_fixtures.py. tokens_a / tokens_b: tokenize() of each text; "
                       "tokens, ids, type_ids: the encoding with [CLS]/[SEP] after longest-first truncation to "
                       "max_length (512 when absent). options: tokenizer_config.json settings (defaults "
                       "do_lower_case true, remove_space true, keep_accents false).",
        "models": {
            "albert-spiece-8k": {"path": "resources/vocab/albert-spiece-8k.model", "sha256": sha256(MODEL),
                                 "cases": run_cases(MODEL, CASES)},
            "digit-comma": {"path": "tests/fixtures/albert/tokenizer/digit-comma.model", "sha256": sha256(DIGITS_MODEL),
                            "cases": run_cases(DIGITS_MODEL, DIGIT_CASES)},
        },
    }
    # 600 KB (the normaliser's character map): written for the .mjs check, not committed.
    converted = os.path.join(tempfile.gettempdir(), "albert-spiece-8k.tokenizer.json")
    with open(converted, "w", encoding="utf-8") as f:
        json.dump(albert_tokenizer_json(MODEL), f, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(OUT, "albert_tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump(fixtures, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(OUT, "digit-comma.tokenizer.json"), "w", encoding="utf-8") as f:
        # keep_accents: no NFKD in front of the model's own rules, so the tokenizer.json path uses them
        json.dump(albert_tokenizer_json(DIGITS_MODEL, keep_accents=True), f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{os.path.relpath(OUT, ROOT)}: {sum(len(m['cases']) for m in fixtures['models'].values())} cases; "
          f"tokenizer.json for the independent check: {converted}")
    print(f"next: cd tools && npm ci && node make_albert_tokenizer_fixtures.mjs {converted}")


if __name__ == "__main__":
    main()
