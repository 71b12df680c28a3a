#!/usr/bin/env node
// hf_encode.js — Hugging Face's answers for the tokenizer parity tests:
// encodes every case of a cases file with the `tokenizers` npm binding
// (Hugging Face's Rust library) and prints one JSON line per case:
//   {"ids": [...], "special": [0|1, ...], "offsets": [[start, end], ...]}
// with the special tokens the tokenizer.json's post-processor adds, and
// offsets in UTF-8 bytes of the case (the binding gives code points).
//
//   node tests/npm/hf_encode.js TOKENIZER.json CASES.inp...
//
// (the lines of each file's cases in turn). CASES.inp: cases each followed by "\n__ggml_vocab_test__\n" (llama.cpp's
// format). Exit status 0, or 1 with the reason on stderr. Needs
// $NODE_PATH to hold the `tokenizers` package (tests/run.sh sets it).
'use strict';
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

const SEP = '\n__ggml_vocab_test__\n';

function byteOffsets(s) {
  const at = [0];
  for (const c of Array.from(s)) at.push(at[at.length - 1] + Buffer.byteLength(c, 'utf8'));
  return at;
}

async function main() {
  const [file, ...casesFiles] = process.argv.slice(2);
  const tok = Tokenizer.fromFile(file);
  const cases = [];
  for (const f of casesFiles) {
    const c = fs.readFileSync(f, 'utf8').split(SEP);
    c.pop(); // what follows the last separator
    cases.push(...c);
  }
  const out = [];
  for (const c of cases) {
    const e = await tok.encode(c, null, { addSpecialTokens: true });
    const at = byteOffsets(c);
    out.push(JSON.stringify({
      ids: e.getIds(),
      special: e.getSpecialTokensMask(),
      offsets: e.getOffsets().map(([a, b]) => [at[a], at[b]]),
    }));
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
