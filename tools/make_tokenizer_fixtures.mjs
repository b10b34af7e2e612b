// Generates tests/fixtures/tokenizer/*.json: reference encodings from @huggingface/tokenizers
// (the JS port of Hugging Face tokenizers), which the C++ WordpieceTokenizer must reproduce.
//
//   cd tools && npm ci && node make_tokenizer_fixtures.mjs
//
// Reads the vocabularies from ../shared/data/vocab (or $POWERBERT_SHARED_DATA/vocab) and also
// copies the uncased tokenizer files into the fixtures so the C++ test needs no shared data.
//
// Two things are not taken from the JS port as is:
// * Truncation: the port has none, so truncate_encodings() below transcribes the Rust crate's
//   LongestFirst rule (tokenizers/src/utils/truncation.rs) and applies it to the port's output.
// * Cases where the port is known to differ from the Rust crate carry `reference_text`: the
//   port encodes that equivalent text instead, and `note` says why (see KNOWN_PORT_DIFFERENCES).
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const sharedData = process.env.POWERBERT_SHARED_DATA ?? path.resolve(repo, "../shared/data");
const vocabRoot = path.join(sharedData, "vocab");
const outDir = path.join(repo, "tests/fixtures/tokenizer");
const portVersion = JSON.parse(
  fs.readFileSync(path.join(here, "node_modules/@huggingface/tokenizers/package.json"), "utf8"),
).version;

const KNOWN_PORT_DIFFERENCES = {
  finalSigma:
    "the JS port lowercases with String.toLowerCase (final sigma becomes ς); the Rust crate maps each char " +
    "alone (Σ always becomes σ), so the reference is the port's encoding of the text with σ already in place",
  astralCjk:
    "the JS port spaces CJK ideographs per UTF-16 unit and so misses Extension B and later; the Rust crate " +
    "spaces them, so the reference is the port's encoding of the text with the spaces already in place",
  emptyPair:
    "the JS port drops an empty pair (text_pair || null) and adds one [SEP]; the Rust crate keeps it, " +
    "so the reference is [CLS] A [SEP] [SEP], assembled from the port's tokens of A",
};

// ---------------------------------------------------------------------------------------------
// Inputs

const longSentence =
  "The tokenizer must cut this rather long sentence down to the requested number of word pieces, " +
  "keeping the beginning and dropping whatever does not fit.";
const otherSentence = "A second, somewhat shorter sentence follows it as the pair.";

const uncasedCases = [
  // plain text
  { name: "greeting", text: "Hello, world!" },
  { name: "pangram", text: "The quick brown fox jumps over the lazy dog." },
  { name: "empty", text: "" },
  { name: "only spaces", text: "     " },
  { name: "only whitespace controls", text: "\t\n\r \t" },
  { name: "mixed case", text: "HELLO World MiXeD CaSe" },
  // accents and combining marks
  { name: "cafe precomposed", text: "café" },
  { name: "cafe capitalised", text: "Café au lait" },
  { name: "naive diaeresis", text: "naïve" },
  { name: "angstrom", text: "Ångström" },
  { name: "ecole uppercase", text: "ÉCOLE" },
  { name: "resume", text: "résumé vs resume" },
  { name: "french phrase", text: "Crème brûlée à la française" },
  { name: "combining acute", text: "cafe\u0301 nai\u0308ve" },
  { name: "stacked combining marks", text: "a\u0323\u0302 o\u0302\u0323 e\u0300\u0316\u0301" },
  { name: "german cities", text: "Zürich, Köln, Düsseldorf" },
  { name: "spanish n tilde", text: "Ñandú" },
  { name: "dotted capital I", text: "İstanbul" },
  { name: "titlecase digraph", text: "ǅemal ǈubljana" },
  { name: "ligature fi", text: "ﬁnance" },
  { name: "sharp s", text: "Straße" },
  { name: "kelvin and ohm signs", text: "5 \u212A and 3 \u2126 and \u212B" },
  { name: "greek tonos", text: "Ελληνικά" },
  { name: "devanagari", text: "नमस्ते दुनिया" },
  { name: "vietnamese", text: "Tiếng Việt có dấu" },
  // CJK, kana, hangul
  { name: "cjk chinese", text: "中文字符" },
  { name: "cjk mixed with latin", text: "日本語text" },
  { name: "cjk sentence with ideographic full stop", text: "我爱北京天安门。" },
  { name: "kana are not cjk-split", text: "ひらがなとカタカナ" },
  { name: "kanji and katakana", text: "東京タワー" },
  { name: "cjk compatibility ideograph", text: "\uF900\uFA0E" },
  { name: "hangul", text: "안녕하세요 세계" },
  { name: "hangul mixed with latin", text: "한국어text" },
  // punctuation
  { name: "inverted question mark", text: "¿Qué tal?" },
  { name: "guillemets", text: "«Bonjour»" },
  { name: "em dash and ellipsis", text: "wait—what…" },
  { name: "right single quote apostrophe", text: "It’s John’s" },
  { name: "curly quotes", text: "“quoted” ‘single’" },
  { name: "ascii punctuation run", text: "a.b,c;d:e!f?g" },
  { name: "ascii symbols count as punctuation", text: "$100 + 50% = <tag> ^ ` | ~ @ #" },
  { name: "brackets", text: "(parens) [brackets] {braces}" },
  { name: "dash and underscore", text: "dash-separated_underscored" },
  { name: "repeated punctuation", text: "!!!???..." },
  { name: "greek varia decomposes to backtick", text: "a\u1FEFb" },
  // control and invisible characters
  { name: "nul", text: "a\u0000b" },
  { name: "bell", text: "bell\u0007char" },
  { name: "zero width space", text: "zero\u200bwidth" },
  { name: "byte order mark", text: "\ufeffBOM start" },
  { name: "soft hyphen", text: "soft\u00adhyphen" },
  { name: "private use", text: "private\ue000use" },
  { name: "replacement character", text: "replacement\ufffdchar" },
  { name: "delete", text: "del\u007fchar" },
  { name: "vertical tab and form feed", text: "vertical\u000btab form\u000cfeed" },
  { name: "next line", text: "next\u0085line" },
  { name: "no-break space", text: "nbsp\u00a0here" },
  { name: "ideographic space", text: "ideographic\u3000space" },
  { name: "tabs and newlines", text: "tabs\tand\nnewlines\r\nwindows" },
  { name: "line separator", text: "line\u2028separator\u2029para" },
  { name: "unassigned code point", text: "un\u0378assigned" },
  // emoji
  { name: "emoji", text: "😀" },
  { name: "emoji with skin tone", text: "I love it 👍🏽" },
  { name: "flags", text: "flags 🇺🇸🇯🇵" },
  { name: "zwj family", text: "family 👨‍👩‍👧" },
  { name: "heart with variation selector", text: "❤️ heart" },
  // long words
  { name: "101 chars is unknown", text: "a".repeat(101) },
  { name: "100 chars is word-pieced", text: "a".repeat(100) },
  { name: "101 accented chars", text: "é".repeat(101) },
  { name: "very long word then word", text: "x".repeat(250) + " ok" },
  { name: "supercalifragilistic", text: "supercalifragilisticexpialidocious" },
  { name: "antidisestablishmentarianism", text: "antidisestablishmentarianism" },
  // numbers, urls, e-mail, contractions
  { name: "numbers", text: "3.14159 and 1,000,000" },
  { name: "timestamp", text: "2024-01-15T10:30:00Z" },
  { name: "hex and decimal", text: "0x1F600 is 128512" },
  { name: "url", text: "https://huggingface.co/bert-base-uncased?x=1&y=2#frag" },
  { name: "e-mail", text: "contact: john.doe+tag@example.com" },
  { name: "contractions", text: "don't can't won't I'm you're" },
  { name: "rock and roll", text: "rock'n'roll" },
  // other scripts
  { name: "cyrillic", text: "Привет, мир!" },
  { name: "arabic", text: "مرحبا بالعالم" },
  { name: "hebrew", text: "שלום" },
  // where the JS port differs from the Rust crate
  { name: "final sigma", text: "ΟΔΟΣ ΟΔΟΣ.", reference_text: "οδοσ οδοσ.", note: "finalSigma" },
  { name: "cjk extension b", text: "a\u{20000}b", reference_text: "a \u{20000} b", note: "astralCjk" },
  // special tokens typed in the text
  { name: "mask in text", text: "Paris is the [MASK] of France." },
  { name: "cls and sep in text", text: "[CLS] already [SEP] there" },
  { name: "lowercase mask is not special", text: "[mask] lowercase" },
  { name: "mask glued to words", text: "x[MASK]y" },
  // pairs
  { name: "pair", text: "How old are you?", pair: "I am 6 years old." },
  { name: "pair empty first", text: "", pair: "only the pair" },
  { name: "pair empty second", text: "only the first", pair: "", note: "emptyPair" },
  { name: "pair both empty", text: "", pair: "", note: "emptyPair" },
  { name: "pair accents and cjk", text: "Café", pair: "中文字符" },
  // truncation (longest-first, max_length includes [CLS]/[SEP])
  { name: "truncate single to 8", text: longSentence, max_length: 8 },
  { name: "truncate single to 16", text: longSentence, max_length: 16 },
  { name: "single exactly fits", text: "one two three", max_length: 5 },
  { name: "single one over", text: "one two three four", max_length: 5 },
  { name: "single only specials", text: longSentence, max_length: 2 },
  { name: "truncate pair to 16", text: longSentence, pair: otherSentence, max_length: 16 },
  { name: "truncate pair to 8, long first", text: longSentence, pair: "short", max_length: 8 },
  { name: "truncate pair to 8, long second", text: "short", pair: longSentence, max_length: 8 },
  { name: "truncate pair to 10, odd budget, first longer", text: longSentence, pair: otherSentence, max_length: 10 },
  { name: "truncate pair to 10, odd budget, second longer", text: otherSentence, pair: longSentence, max_length: 10 },
  { name: "truncate pair to 10, equal lengths", text: otherSentence, pair: otherSentence, max_length: 10 },
  { name: "truncate pair to 16, first fits", text: "tiny one", pair: longSentence, max_length: 16 },
  { name: "pair only specials", text: longSentence, pair: otherSentence, max_length: 3 },
  { name: "pair not truncated at limit", text: "one two", pair: "three four", max_length: 7 },
  { name: "truncate pair with unknown long word", text: "z".repeat(150) + " " + longSentence, pair: "ok", max_length: 8 },
];

const casedCases = [
  { name: "greeting", text: "Hello, World!" },
  { name: "mixed case", text: "HELLO World MiXeD CaSe" },
  { name: "empty", text: "" },
  { name: "cafe keeps accent", text: "Café au lait" },
  { name: "naive diaeresis", text: "naïve" },
  { name: "angstrom", text: "Ångström" },
  { name: "ecole uppercase", text: "ÉCOLE" },
  { name: "combining acute is kept", text: "cafe\u0301" },
  { name: "dotted capital I", text: "İstanbul" },
  { name: "final sigma stays uppercase", text: "ΟΔΟΣ" },
  { name: "cjk chinese", text: "中文字符" },
  { name: "cjk mixed with latin", text: "日本語Text" },
  { name: "hangul", text: "안녕하세요" },
  { name: "curly apostrophe", text: "It’s John’s" },
  { name: "guillemets and dashes", text: "«Bonjour» — ¿Qué?" },
  { name: "control characters", text: "a\u0000b\u0007c\u200bd\ufeffe" },
  { name: "tabs and newlines", text: "Tabs\tand\nNewlines" },
  { name: "emoji", text: "Nice 👍🏽 😀" },
  { name: "101 chars is unknown", text: "A".repeat(101) },
  { name: "url", text: "https://Example.COM/Path?Q=1" },
  { name: "contractions", text: "Don't can't I'm" },
  { name: "mask in text", text: "Paris is the [MASK] of France." },
  { name: "pair", text: "Who are You?", pair: "I am Groot." },
  { name: "truncate single to 8", text: longSentence, max_length: 8 },
  { name: "truncate pair to 10, odd budget", text: longSentence, pair: otherSentence, max_length: 10 },
  { name: "truncate pair to 16", text: otherSentence, pair: longSentence, max_length: 16 },
];

// ---------------------------------------------------------------------------------------------
// Reference encoding

// Rust tokenizers, utils/truncation.rs, TruncationStrategy::LongestFirst (stride 0, right side).
function truncate_encodings(n1, n2, maxLength, isPair) {
  if (maxLength === 0) return [0, 0];
  if (n1 + n2 <= maxLength) return [n1, n2];
  if (!isPair) return [maxLength, 0];
  let swap = false;
  if (n1 > n2) {
    swap = true;
    [n1, n2] = [n2, n1];
  }
  n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
  if (n1 + n2 > maxLength) {
    n1 = Math.floor(maxLength / 2);
    n2 = n1 + (maxLength % 2);
  }
  if (swap) [n1, n2] = [n2, n1];
  return [n1, n2];
}

function contentTokens(tokenizer, text) {
  const e = tokenizer.encode(text, { add_special_tokens: false });
  return e.tokens.map((token, i) => ({ token, id: e.ids[i] }));
}

function sameArrays(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function encodeCase(tokenizer, c) {
  const text = c.reference_text ?? c.text;
  const pair = c.pair === undefined ? undefined : (c.reference_pair ?? c.pair);
  const isPair = pair !== undefined;
  const a = contentTokens(tokenizer, text);
  const b = isPair ? contentTokens(tokenizer, pair) : [];
  const cls = { token: "[CLS]", id: tokenizer.token_to_id("[CLS]") };
  const sep = { token: "[SEP]", id: tokenizer.token_to_id("[SEP]") };

  // Assemble [CLS] A [SEP] (B [SEP]) and check it against the port's own post-processor.
  const assemble = (ka, kb) => {
    const tokens = [cls, ...a.slice(0, ka), sep];
    const typeIds = tokens.map(() => 0);
    if (isPair) {
      const second = [...b.slice(0, kb), sep];
      tokens.push(...second);
      typeIds.push(...second.map(() => 1));
    }
    return { tokens: tokens.map((t) => t.token), ids: tokens.map((t) => t.id), type_ids: typeIds };
  };
  const full = assemble(a.length, b.length);
  const port = tokenizer.encode(text, { text_pair: isPair ? pair : null, return_token_type_ids: true });
  const portDropsPair = isPair && pair === "";
  if (!portDropsPair && (!sameArrays(full.ids, port.ids) || !sameArrays(full.type_ids, port.token_type_ids)))
    throw new Error(`case '${c.name}': assembled encoding differs from the port's`);

  let result = full;
  if (c.max_length !== undefined) {
    const specials = isPair ? 3 : 2;
    const [ka, kb] = truncate_encodings(a.length, b.length, c.max_length - specials, isPair);
    result = assemble(ka, kb);
  }
  const out = { name: c.name, text: c.text, pair: isPair ? c.pair : null, max_length: c.max_length ?? null };
  if (c.reference_text !== undefined) out.reference_text = c.reference_text;
  if (c.note !== undefined) out.note = KNOWN_PORT_DIFFERENCES[c.note];
  return { ...out, ...result };
}

function writeFixture(file, tokenizerName, description, tokenizer, cases) {
  const encoded = cases.map((c) => encodeCase(tokenizer, c));
  // One case per line keeps diffs of regenerated fixtures readable.
  const lines = encoded.map((c) => "    " + JSON.stringify(c));
  const header = {
    tokenizer: tokenizerName,
    description,
    reference: `@huggingface/tokenizers ${portVersion}, truncation per tokenizers/src/utils/truncation.rs`,
    regenerate: "cd tools && npm ci && node make_tokenizer_fixtures.mjs",
  };
  const headerText = JSON.stringify(header, null, 2).slice(0, -2);
  fs.writeFileSync(file, `${headerText},\n  "cases": [\n${lines.join(",\n")}\n  ]\n}\n`);
  console.log(`${path.relative(repo, file)}: ${encoded.length} cases`);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

// bert-base-cased ships only vocab.txt: build its tokenizer.json from the uncased one with the
// cased vocabulary and lowercase off, which is what BertTokenizerFast(do_lower_case=False) uses.
function casedTokenizerJson(uncasedJson, vocabLines) {
  const vocab = Object.create(null);
  vocabLines.forEach((token, id) => {
    vocab[token] = id;  // a repeated line keeps its last id, like the Rust vocab reader
  });
  const json = structuredClone(uncasedJson);
  json.model.vocab = vocab;
  json.normalizer.lowercase = false;
  json.normalizer.strip_accents = null;
  json.added_tokens = json.added_tokens.map((t) => ({ ...t, id: vocab[t.content] }));
  for (const [name, special] of Object.entries(json.post_processor.special_tokens))
    special.ids = [vocab[name]];
  return json;
}

function readVocabLines(file) {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((l) => l.trimEnd());
}

function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const uncasedDir = path.join(vocabRoot, "bert-base-uncased");
  const uncasedJson = readJson(path.join(uncasedDir, "tokenizer.json"));
  const uncasedConfig = readJson(path.join(uncasedDir, "tokenizer_config.json"));

  const copyDir = path.join(outDir, "bert-base-uncased");
  fs.mkdirSync(copyDir, { recursive: true });
  for (const f of ["vocab.txt", "tokenizer.json", "tokenizer_config.json"]) {
    const target = path.join(copyDir, f);
    fs.rmSync(target, { force: true });
    fs.copyFileSync(path.join(uncasedDir, f), target);
    fs.chmodSync(target, 0o644);  // shared data is read-only; the copies are ordinary files
  }

  writeFixture(
    path.join(outDir, "bert-base-uncased.json"),
    "bert-base-uncased",
    "tests/fixtures/tokenizer/bert-base-uncased/tokenizer.json (a copy of shared/data/vocab/bert-base-uncased)",
    new Tokenizer(uncasedJson, uncasedConfig),
    uncasedCases,
  );

  const casedVocab = readVocabLines(path.join(vocabRoot, "bert-base-cased", "vocab.txt"));
  writeFixture(
    path.join(outDir, "bert-base-cased.json"),
    "bert-base-cased",
    "shared/data/vocab/bert-base-cased/vocab.txt with lowercase=false (strip_accents unset)",
    new Tokenizer(casedTokenizerJson(uncasedJson, casedVocab), { ...uncasedConfig, do_lower_case: false }),
    casedCases,
  );
}

main();
