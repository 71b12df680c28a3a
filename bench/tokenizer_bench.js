#!/usr/bin/env node
// tokenizer_bench.js — the same measurements as bench/tokenizer_bench.c,
// with Hugging Face's `tokenizers` npm binding: load FILE (Tokenizer.fromFile)
// LOAD_REPS times and encode TEXT (without special tokens) ENCODE_REPS
// times after one warm-up; one JSON line with the best and median
// wall-clock and CPU (process.cpuUsage: all the process's threads)
// milliseconds, the tokens and the first ids.
//
//   NODE_PATH=build/npm/node_modules node bench/tokenizer_bench.js FILE TEXT [LOAD_REPS [ENCODE_REPS]]
'use strict';
const fs = require('fs');
const { Tokenizer } = require('tokenizers');

function stats(out, name, t) {
  t.sort((a, b) => a - b);
  out[name + '_best'] = t[0];
  out[name + '_median'] = t[Math.floor(t.length / 2)];
}

async function main() {
  const [file, textFile, lr = '5', er = '20'] = process.argv.slice(2);
  const text = fs.readFileSync(textFile, 'utf8');
  const out = {};
  let wall = [], cpu = [], tok;
  for (let r = 0; r < Number(lr); r++) {
    const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
    tok = Tokenizer.fromFile(file);
    wall.push(Number(process.hrtime.bigint() - w0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  stats(out, 'load_wall', wall);
  stats(out, 'load_cpu', cpu);
  wall = [];
  cpu = [];
  let e;
  for (let r = 0; r <= Number(er); r++) {
    const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
    e = await tok.encode(text, null, { addSpecialTokens: false });
    const w = Number(process.hrtime.bigint() - w0) / 1e6, c = process.cpuUsage(c0);
    if (r > 0) {
      wall.push(w);
      cpu.push((c.user + c.system) / 1e3);
    }
  }
  stats(out, 'encode_wall', wall);
  stats(out, 'encode_cpu', cpu);
  out.bytes = Buffer.byteLength(text, 'utf8');
  out.tokens = e.getIds().length;
  out.first_ids = e.getIds().slice(0, 32);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
