// Checks the AlbertTokenizer reference encodings (tests/fixtures/albert/tokenizer/, made by
// make_albert_tokenizer_fixtures.py on libsentencepiece) against an independent implementation:
// @huggingface/tokenizers (a JS port of Hugging Face tokenizers: its own Unigram segmentation
// and its own reading of SentencePiece's normalisation map) on the tokenizer.json that
// transformers' AlbertConverter would make from the same spiece.model. Records, per case, whether
// the port's content tokens agree, and why not where they are known to differ.
//
//   /usr/bin/python3 tools/make_albert_tokenizer_fixtures.py
//   cd tools && npm ci && node make_albert_tokenizer_fixtures.mjs /tmp/albert-spiece-8k.tokenizer.json
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const fixtureFile = path.join(repo, "tests/fixtures/albert/tokenizer/albert_tokenizer_cases.json");
const tokenizerJson = process.argv[2];
if (!tokenizerJson) throw new Error("usage: node make_albert_tokenizer_fixtures.mjs TOKENIZER_JSON");
const portVersion = JSON.parse(
  fs.readFileSync(path.join(here, "node_modules/@huggingface/tokenizers/package.json"), "utf8"),
).version;

// Where the converted fast tokenizer (or this JS port of it) is known not to do what
// AlbertTokenizer does, per case name. Anything else that differs is reported as unexplained.
const SLOW_ONLY = {
  strip: "remove_space strips the text; the fast tokenizer's Metaspace still adds a lone \u2581 for trailing or only whitespace",
  pythonSpace: "remove_space splits on Python's whitespace (including \\x1c-\\x1f); the fast normalisers do not",
  specials: "special tokens typed in the text: the fast tokenizer adds a \u2581 before them, AlbertTokenizer strips the chunk",
  marks: "AlbertTokenizer drops characters with a combining class; StripAccents drops every Mn character, so U+FE0F goes too",
  sigma: "the JS port lowercases with String.toLowerCase (final sigma becomes \u03c2); AlbertTokenizer lowercases each character alone first",
  zwj: "the JS port's reading of the normalisation map turns U+200D ZERO WIDTH JOINER into a space; SentencePiece keeps it",
};
const KNOWN_DIFFERENCES = {
  "only spaces": SLOW_ONLY.strip,
  "whitespace controls": SLOW_ONLY.strip,
  "inner whitespace runs": SLOW_ONLY.strip,
  "file separator counts as space in Python": SLOW_ONLY.pythonSpace,
  "cls and sep typed": SLOW_ONLY.specials,
  "unk and pad typed": SLOW_ONLY.specials,
  "emoji": SLOW_ONLY.marks,
  "greek final sigma": SLOW_ONLY.sigma,
  "zero width and controls": SLOW_ONLY.zwj,
};

function contentTokens(tokenizer, text) {
  if (text === "") return { tokens: [], ids: [] };
  const e = tokenizer.encode(text, { add_special_tokens: false });
  return { tokens: e.tokens, ids: e.ids };
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const fixtures = JSON.parse(fs.readFileSync(fixtureFile, "utf8"));
const json = JSON.parse(fs.readFileSync(tokenizerJson, "utf8"));
const model = fixtures.models["albert-spiece-8k"];
let agree = 0, expected = 0, unexpected = [];
for (const c of model.cases) {
  if (c.options) { c.fast_port = "not checked (tokenizer_config options)"; continue; }
  const tokenizer = new Tokenizer(json, { do_lower_case: true });
  let ok = true;
  for (const [text, ref] of [[c.text, c.tokens_a], [c.pair, c.tokens_b]]) {
    if (text === undefined) continue;
    const port = contentTokens(tokenizer, text);
    if (!same(port.tokens, ref)) ok = false;
  }
  if (ok) {
    c.fast_port = "agrees";
    ++agree;
    continue;
  }
  const reason = KNOWN_DIFFERENCES[c.name];
  if (reason) {
    c.fast_port = `differs: ${reason}`;
    ++expected;
  } else {
    c.fast_port = "differs (unexplained)";
    unexpected.push(c.name);
  }
}
fixtures.fast_port_check = `@huggingface/tokenizers ${portVersion} on the AlbertConverter tokenizer.json: ` +
  `${agree} cases agree, ${expected} differ for known reasons, ${unexpected.length} unexplained` +
  (unexpected.length ? ` (${unexpected.join(", ")})` : "");
fs.writeFileSync(fixtureFile, JSON.stringify(fixtures, null, 1) + "\n");
console.log(fixtures.fast_port_check);
for (const c of model.cases) if (c.fast_port !== "agrees") console.log(`  ${c.name}: ${c.fast_port}`);
