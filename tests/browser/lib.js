// lib.js — what the browser suites (html.js, firefox.js) share: the lines
// tests/run.sh counts, a scratch directory, running attnviz in it, and the
// weights of attnviz's CSV to compare the page with.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const ATTNVIZ = process.env.ATTNVIZ || path.join(ROOT, "attnviz");
const EXAMPLE = "The animal didn't cross the street because it was too tired.";
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "attnviz-browser-"));
let failed = 0;

const pass = (name, detail) => console.log(`PASS ${name}${detail ? ": " + detail : ""}`);
const fail = (name, why) => { failed++; console.log(`FAIL ${name}: ${why}`); };
const check = (name, ok, detail) => (ok ? pass(name, detail) : fail(name, detail || "failed"));
const info = (text) => console.log(`INFO ${text}`);

/** attnviz ARGS in TMP; its standard output, also written to TMP/out when given. */
function attnviz(args, out) {
  const p = spawnSync(ATTNVIZ, args, { cwd: TMP, maxBuffer: 1 << 30 });
  if (p.status !== 0) throw new Error(`attnviz ${args.join(" ")}: exit ${p.status}: ${String(p.stderr).slice(0, 300)}`);
  if (out) fs.writeFileSync(path.join(TMP, out), p.stdout);
  return p.stdout;
}

/** attnviz -f csv ARGS: Map "layer,head,query,key" → the weight as CSV writes it
 *  (the suites' sentences hold no comma in a token). */
function csvWeights(args) {
  const m = new Map();
  for (const r of String(attnviz(["-f", "csv", ...args])).trim().split("\n").slice(1)) {
    const f = r.split(",");
    m.set(`${f[0]},${f[1]},${f[2]},${f[4]}`, f[6]);
  }
  return m;
}

/** Runs main(), then exits 1 if anything failed (or main threw), after removing TMP. */
function run(name, main) {
  const done = (code) => { fs.rmSync(TMP, { recursive: true, force: true }); process.exit(code); };
  main().then(() => done(failed ? 1 : 0), (e) => { fail(name, e.stack || String(e)); done(1); });
}

module.exports = { ROOT, EXAMPLE, TMP, pass, fail, check, info, attnviz, csvWeights, run };
