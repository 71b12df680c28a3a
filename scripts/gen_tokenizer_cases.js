#!/usr/bin/env node
// gen_tokenizer_cases.js — writes tests/data/tokenizer-extra/{bert-base-uncased,gpt2}.{inp,out,spans}:
// hard tokenizer cases, tokenized by Hugging Face's own `tokenizers` (the npm
// binding of the Rust library), as an independent reference for
// tests/unit/test_subword_parity.c. Not run by the tests; run it again after
// changing the case list:
//
//   mkdir -p /tmp/hf && (cd /tmp/hf && npm install tokenizers)
//   NODE_PATH=/tmp/hf/node_modules node scripts/gen_tokenizer_cases.js [REFERENCE_DIR]
//
// REFERENCE_DIR (default ../shared/reference) holds bert-base-uncased/tokenizer.json
// and gpt2/{encoder.json,vocab.bpe}; for GPT-2 a tokenizer.json is built from
// those two files the way Hugging Face's gpt2 tokenizer.json is laid out.
//
// Formats, as in the llama.cpp tokenizer tests: .inp holds the cases, each
// followed by "\n__ggml_vocab_test__\n"; .out one line a case, each id
// preceded by a space, no special tokens added; .spans (ours) one line a
// case, " start:end" a token, byte offsets into the UTF-8 case (Hugging
// Face's character offsets converted to bytes).
'use strict';
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const ref = process.argv[2] || path.join(__dirname, '..', '..', 'shared', 'reference');
const outDir = path.join(__dirname, '..', 'tests', 'data', 'tokenizer-extra');
const SEP = '\n__ggml_vocab_test__\n';

const cases = [
  "İstanbul'da İyi günler, IĞDIR ıi",                          // Turkish dotted/dotless i
  'Straße STRASSE ß ẞ groß',                                     // German sharp s
  'ﬁnance ﬂow ﬀ ﬃ ﬆ',                                             // ligatures (no NFKC here)
  'Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ！１２３ ＡＢＣ ａｂｃ',                  // full-width, ideographic space
  '👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 ok',                                // ZWJ sequences, modifiers
  'a\u0000b\u0001c\u007fd\u0085e\u200bf\u200dg\ufeffh\u00adi',   // controls and format characters
  'a'.repeat(200),                                               // 200-character word
  'supercalifragilistic'.repeat(10),                             // 200 characters again
  "'S 'LL 'll've 'd've y'all'd've I'M YOU'RE",                   // contractions, upper case
  "''s 's's 'ss' '''' 'm'",                                      // quotes next to contractions
  'a\tb\r\nc\rd\t\t e \t f',                                     // tabs and CR
  'e\u0301 cafe\u0301 n\u0303 a\u0308\u0304 Z\u0335\u0321\u0322a\u0337l\u0336g\u0338o', // combining marks
  'Hello мир 世界 عالم שלום नमस्ते Γειά',                          // mixed scripts
  'ภาษาไทยเป็นภาษาที่ไม่มีช่องว่าง',                                 // Thai (Mn vowel signs)
  '한국어 텍스트와 조합형',                                         // Hangul (NFD splits syllables)
  '日本語のテキスト、カタカナ。ひらがな',                              // Japanese
  'ΟΔΟΣ Σίσυφος ΣΑΣ όσο',                                        // Greek final sigma
  '1,234,567.89 3.14e-10 0x1F 1e100 ²³ ½ ٣٤٥ १२३ ①②',           // numbers of every kind
  'a  b   c    d     e',                                         // runs of spaces
  '   leading and trailing   ',                                  // spaces at both ends
  ' \n \n\n  \n',                                                // whitespace only
  'a\u00a0b\u2003c\u3000d\u2028e\u2029f\u205fg\u1680h\u000bi\u000cj', // Unicode spaces
  '\ue000\ue001 x\u0378y \u{F0000}\u{10FFFD} z',                  // private use, unassigned
  '¿Qué? ¡Hola! «quotes» „German“ ‘single’ — dash – en … end',   // Unicode punctuation
  '$100 €50 £30 ¥20 ₹10 © ® ™ ° ± × ÷ √ ∞ ≠ ≤',                  // symbols
  'def f(x):\n\treturn x**2  # comment\nif (a && b || !c) { ++i; }', // code
  'https://example.com/path?q=1&r=2#frag user@example.org',      // URL, e-mail
  'ÀÉÎÕÜ àéîõü ÇçÑñ Œœ Æ Ø Å ǅ',                                 // accented capitals, titlecase
  'Tiếng Việt có dấu, Cửa Việt',                                 // Vietnamese
  'مَرْحَبًا بِكُمْ ١٢٣',                                           // Arabic with harakat
  'שָׁלוֹם עוֹלָם',                                                 // Hebrew with niqqud
  'ПРИВЕТ Мир ЁЖ ёж',                                            // Cyrillic
  '豈 更 𠀀𠀁 𫠠 𬺰 㐀',                                             // CJK compatibility, extensions B, E, F, A
  '1️⃣ #️⃣ 🇺🇸🇬🇧 👋🏿 ❤️',                                           // keycaps, flags, skin tones
  'abc123def 123abc 4th 1st 2nd 12345678901234567890',           // letters and digits
  'don’t can\'t it\'s I\'m you\'re we\'ve they\'ll he\'d',        // apostrophes
  'The [MASK] sat on [SEP] the mat [CLS] [mask] [PAD][UNK]',     // BERT's added tokens
  '<|endoftext|>Hello<|endoftext|> world <|endoftext|>',         // GPT-2's added token
  '∑_{i=1}^{n} x_i² ≈ ∫ f(x) dx ⇒ ∀ε>0',                         // mathematics
  '┌─┐ ⠁⠃⠉ ♠♣♥♦ ☃',                                               // box drawing, braille, symbols
  'é'.repeat(101) + ' ' + 'e\u0301'.repeat(60),                  // long words with accents
  '?!?!?!... ---- ____ **** ~~~ ```',                            // punctuation runs
  'co\u00adoperate zero\u200cwidth',                             // soft hyphen, ZWNJ
  'Ⅻ ⅻ ℌ ℍ ℃ ㎏',                                                 // letterlike, roman numerals
  'hello😀world😀😀!',                                           // emoji between letters
  'hello \nworld  \n  x',                                        // space before newline
  '「こんにちは」『世界』【テスト】',                                  // ideographic brackets
  'Ǆ ǅ ǆ Ϊ ΐ Å Ω K',                                               // case and compatibility oddities
  'a\u001cb\u001fc\u001dd \u180e e\u2060f',                   // separators that are not White_Space
  '\u0301abc \u0301 x\u0301',                                   // combining marks with nothing to combine
  "end'",                                                        // a quote at the very end
  "it' s ' ll 'LL'",                                            // quotes before spaces
  ' '.repeat(300) + 'x',                                         // a long run of spaces
  '\n'.repeat(12) + 'y\n\n',                                    // newline runs
  'x\u00b2\u00b3 H\u2082O 10\u2076 \u2155',                      // superscripts and fractions
  '\ud83d\ude00\ud83d\ude01\ud83d\ude02 \u2764\ufe0f\u200d\ud83d\udd25', // emoji runs, ZWJ with VS16
];

function toBytes(s, offs) {
  // Hugging Face gives offsets in code points; convert them to UTF-8 bytes.
  const cps = Array.from(s);
  const at = [0];
  for (const c of cps) at.push(at[at.length - 1] + Buffer.byteLength(c, 'utf8'));
  return offs.map(([a, b]) => `${at[a]}:${at[b]}`);
}

function gpt2Json() {
  const vocab = JSON.parse(fs.readFileSync(path.join(ref, 'gpt2', 'encoder.json'), 'utf8'));
  const merges = fs.readFileSync(path.join(ref, 'gpt2', 'vocab.bpe'), 'utf8')
    .split('\n').filter((l, i) => l && !(i === 0 && l.startsWith('#version')));
  const bl = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false,
                     rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...bl },
    post_processor: { type: 'ByteLevel', ...bl, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...bl },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '',
             end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  });
}

async function write(name, tok) {
  const ids = [], spans = [];
  for (const s of cases) {
    if (s.includes(SEP)) throw new Error('a case contains the separator');
    const e = await tok.encode(s, null, { addSpecialTokens: false });
    ids.push(e.getIds().map((i) => ' ' + i).join(''));
    spans.push(toBytes(s, e.getOffsets()).map((x) => ' ' + x).join(''));
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, name + '.inp'), cases.map((s) => s + SEP).join(''));
  fs.writeFileSync(path.join(outDir, name + '.out'), ids.join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, name + '.spans'), spans.join('\n') + '\n');
  console.log(`${name}: ${cases.length} cases`);
}

(async () => {
  await write('bert-base-uncased',
              Tokenizer.fromFile(path.join(ref, 'bert-base-uncased', 'tokenizer.json')));
  await write('gpt2', Tokenizer.fromString(gpt2Json()));
})();
