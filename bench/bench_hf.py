"""bench_hf.py — attnviz on base-sized Hugging Face checkpoints against a
PyTorch implementation of the same forward pass, same machine, same run:
BERT-base (BertModel) and GPT-2 small (GPT2Model), the encoder and the
GPT-2 families (the decoder families: bench_llama.py).

The models: random weights in the exact Hugging Face layout (config.json as
the config classes write it, the tokenizer files), 12 layers, d 768, 12
heads, FFN 3072, F32, written once by tests/py/hf_ref.py into --workdir
(BERT: vocabulary 30522, 512 positions, about 440 MB; GPT-2: the tests'
byte-level BPE of 657 entries, 1024 positions). Projection weights are
N(0, (2/sqrt(768))²) so the attention is not flat.

First the ceilings of this machine (bench_attention.print_ceilings): serial
OpenBLAS SGEMM in each of nproc threads at once (how attnviz computes: the
all-core ceiling), one thread, and torch.mm on torch's threads.

For each n (default 128 and 512 tokens, BERT's [CLS] and [SEP] included),
interleaved after a warm-up, --reps times: one `attnviz -m DIR -f none
--time SENTENCE` (compute, load, whole-process wall time) and the torch
forward (tests/py/hf_ref.py: transformers' code line by line, attentions of
every layer, float32, torch.inference_mode()) with torch.set_num_threads(
os.cpu_count()) and with 1 thread (Debian's torch runs OpenMP threads over a
threaded OpenBLAS: on a small machine one thread can be faster). Then one
run under /usr/bin/time -v for the peak RSS and one whose /proc/PID/status
is sampled every millisecond (RssAnon: memory of its own; RssFile: the
mmap'd weights).

  * ratio = torch median (the faster thread setting) / attnviz compute
    median; proc.rat = the same / attnviz's whole-process wall time
    (median: start, map the weights, tokenize, compute).
  * GF/s = the FLOPs attnviz does (flops()) / compute median; %ceil = that
    over the all-core SGEMM ceiling.
  * bound = the same products alone (build/bench/sgemm -l 768,3072,n,layers:
    the Q, K, V, O, up and down products of every layer at their own
    shapes, split into attnviz's 128-column chunks over the same threads,
    weights already in memory, nothing between products: what OpenBLAS
    does at these shapes on this machine), run once in each interleaved
    round; %bnd = attnviz's GF/s over that round's bound GF/s (median of
    the rounds), so a change of the machine's speed hits both. GPT-2
    stores its weights [in, out]; the bound uses the [out, in] layout.
  * parity: attnviz `-f csv` for --verify-layers (default all at n <= 128,
    first and last above) against the float64 reference; max |difference|
    <= 1e-4 or the script fails, so the benchmark times the right computation.

Both sides do the whole forward pass the way transformers does it with
output_attentions=True, except that attnviz may skip what no shown attention
depends on (the last layer's value projection, output projection and FFN):
that is part of what it is measured on.

Run: /usr/bin/python3 bench/bench_hf.py [--archs bert,gpt2] [--sizes 128,512] [--reps 5] [--layers 12]
Exit status 1 when attnviz fails or its weights are more than 1e-4 off.
"""
import argparse
import json
import os
import re
import resource
import shutil
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
import hf_ref  # noqa: E402
import hf_tok  # noqa: E402
from bench_attention import TIME_RE, print_ceilings, stats  # noqa: E402

TOL = 1e-4


def kb_field(text, name):
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1].split()[0])
    return None


def run_attnviz(attnviz, args):
    """(returncode, stderr text, wall ms)."""
    t0 = time.perf_counter()
    p = subprocess.run([attnviz] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stderr, (time.perf_counter() - t0) * 1e3


def sampled_rss(attnviz, args):
    """Largest VmHWM, RssAnon, RssFile (kB) seen in /proc/PID/status while
    the process runs, sampled every millisecond, and the ru_maxrss of the
    child from wait4."""
    p = subprocess.Popen([attnviz] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    path = "/proc/%d/status" % p.pid
    while True:
        try:
            with open(path) as f:
                text = f.read()
            for k in peak:
                v = kb_field(text, k)
                if v is not None:
                    peak[k] = max(peak[k], v)
        except OSError:
            pass
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            peak["ru_maxrss"] = ru.ru_maxrss
            return p.returncode, peak
        time.sleep(0.001)


def time_v_rss(attnviz, args, workdir):
    out = os.path.join(workdir, "time-v.txt")
    p = subprocess.run(["/usr/bin/time", "-v", "-o", out, attnviz] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if p.returncode != 0 or not os.path.exists(out):
        return None
    return kb_field(open(out).read(), "Maximum resident set size (kbytes)")


def read_csv_weights(path, n_layers, n_heads, n):
    """attnviz's CSV (layer, head, query, key order) as [layers, heads, n, n];
    the weight is the last field, the layer and head the first two."""
    with open(path, "rb") as f:
        f.readline()
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != n_layers * n_heads * n * n:
        raise ValueError("CSV has %d rows, expected %d" % (len(lines), n_layers * n_heads * n * n))
    w = np.array([l.rsplit(b",", 1)[1] for l in lines], dtype=np.float64)
    return w.reshape(n_layers, n_heads, n, n)


def time_torch(cfg, W, ids, reps, threads):
    torch.set_num_threads(threads)
    times, att = [], None
    with torch.inference_mode():
        for r in range(reps + 1):
            t0 = time.perf_counter()
            att = hf_ref.hf_attentions("bert", cfg, W, ids, torch.float32)
            dt = (time.perf_counter() - t0) * 1e3
            if r:
                times.append(dt)
    return times, att


LAYERS_RE = re.compile(r"best_ms=([\d.]+) median_ms=([\d.]+) gflops_best=([\d.]+)")


def products_bound(sgemm, n, layers, d=768, ffn=3072):
    """GFLOP/s of the products alone at these shapes (sgemm -l), best of
    its passes; None when it fails."""
    p = subprocess.run([sgemm, "-l", "%d,%d,%d,%d" % (d, ffn, n, layers)], capture_output=True, text=True)
    m = LAYERS_RE.search(p.stdout)
    return float(m.group(3)) if p.returncode == 0 and m else None


def pct_of_bound(runs, gflop):
    """Median over the rounds of a binary's GFLOP/s over the bound of its
    own round (each run carries it), in %; None without a bound."""
    paired = [gflop / (x["compute"] / 1e3) / x["bound"] for x in runs if x["bound"]]
    return 100.0 * statistics.median(paired) if paired else None


def flops(arch, n, layers, d=768, ffn=3072):
    """What attnviz computes (multiply + add = 2): every layer's projections,
    Q·Kᵀ, A·V and feed-forward block, except that the last layer stops at
    its attention weights (Q and K projections and Q·Kᵀ)."""
    full = 2 * n * (4 * d * d + 2 * d * ffn) + 2 * 2 * n * n * d
    last = 2 * n * 2 * d * d + 2 * n * n * d
    return (layers - 1) * full + last


def bench_arch(arch, a, work, ceiling, words, threads, results, failed):
    model = os.path.join(work, "%s-base-random" % arch)
    spec = (hf_ref.Spec("bert", 768, 12, a.layers, ffn=3072, max_pos=512, vocab_size=30522, seed=99, scale=2.0)
            if arch == "bert" else hf_ref.Spec("gpt2", 768, 12, a.layers, ffn=3072, max_pos=1024, seed=99, scale=2.0))
    specials = 2 if arch == "bert" else 0
    t0 = time.perf_counter()
    cfg, tok, _ = hf_ref.make_checkpoint(model, spec)
    write_s = time.perf_counter() - t0
    size = os.path.getsize(os.path.join(model, "model.safetensors"))
    W = hf_ref.base_weights(arch, hf_ref.read_checkpoint(model), torch.float32)
    print("-- %s: %d layers, d 768, 12 heads, FFN 3072, vocab %d, F32 model.safetensors %.0f MB (written in %.1f s)"
          % ("BERT (BertModel)" if arch == "bert" else "GPT-2 (GPT2Model)", a.layers, len(tok.vocab), size / 1e6,
             write_s))
    print("%5s %17s %9s %9s %17s %17s %7s %7s %7s %6s %7s %5s %8s %8s %8s %9s" % (
        "n", "attnviz compute", "load", "process", "torch %d thr" % threads, "torch 1 thr", "ratio",
        "proc.rat", "GF/s", "%ceil", "bound", "%bnd", "maxRSS", "RssAnon", "RssFile", "max|d|"))
    res = results["archs"][arch] = {"model_bytes": size, "sizes": {}}
    for n in a.sizes:
        sentence = hf_ref.random_sentence(tok, n - specials, n, words=words)
        ids = tok.encode(sentence)
        args = ["-m", model, "-f", "none", "--time", sentence]
        runs, before, err = [], [], None
        t_n, t_1 = [], []
        att32 = None
        # interleaved: one attnviz run, one torch forward at each thread setting, a.reps times after a warm-up
        with torch.inference_mode():
            for r in range(a.reps + 1):
                rc, stderr, wall = run_attnviz(a.attnviz, args)
                m = TIME_RE.search(stderr)
                if rc != 0 or not m:
                    msg = [l for l in stderr.strip().splitlines() if not TIME_RE.search(l)]
                    err = "exit %d: %s" % (rc, (msg or ["no --time line"])[0])
                    break
                for th, out in ((threads, t_n), (1, t_1)):
                    torch.set_num_threads(th)
                    t0 = time.perf_counter()
                    att = hf_ref.hf_attentions(arch, cfg, W, ids, torch.float32)
                    if r:
                        out.append((time.perf_counter() - t0) * 1e3)
                    if th == threads:
                        att32 = att
                bound = products_bound(a.sgemm, n, a.layers) if r else None  # this round's bound
                if r:
                    runs.append({"wall": wall, "load": float(m.group(1)), "compute": float(m.group(3)),
                                 "bound": bound})
                if a.before:  # the older binary in the same loop, so a change of load hits both
                    brc, bstderr, bwall = run_attnviz(a.before, args)
                    bm = TIME_RE.search(bstderr)
                    if r and brc == 0 and bm:
                        before.append({"wall": bwall, "load": float(bm.group(1)), "compute": float(bm.group(3)),
                                       "bound": bound})
        torch.set_num_threads(threads)
        if err:
            failed.append("%s n=%d: attnviz %s" % (arch, n, err))
            print("%5d   attnviz failed: %s" % (n, err))
            continue
        comp_b, comp_m = stats([x["compute"] for x in runs])
        wall_m = statistics.median(x["wall"] for x in runs)
        load_m = statistics.median(x["load"] for x in runs)
        torch_m = min(statistics.median(t_n), statistics.median(t_1))
        gflop = flops(arch, n, a.layers) / 1e9
        gfs = gflop / (comp_m / 1e3)
        bounds = [x["bound"] for x in runs if x["bound"]]
        bound_m = statistics.median(bounds) if bounds else None
        pct_bound = pct_of_bound(runs, gflop)
        maxrss = time_v_rss(a.attnviz, args, work)
        _, peak = sampled_rss(a.attnviz, args)
        layers = list(range(1, a.layers + 1)) if n <= a.verify_all_max else sorted({1, a.layers})
        csv = os.path.join(work, "w.csv")
        rc, stderr, _ = run_attnviz(a.attnviz, ["-m", model, "-f", "csv", "-o", csv, "-l",
                                                ",".join(map(str, layers)), "-H", "all", sentence])
        diff = diff32 = None
        if rc != 0:
            failed.append("%s n=%d: attnviz -f csv exit %d: %s" % (arch, n, rc, stderr.strip()))
        else:
            got = read_csv_weights(csv, len(layers), 12, n)
            os.remove(csv)
            ref64 = hf_ref.hf_attentions(arch, cfg, W, ids, torch.float64).numpy()
            sel = [l - 1 for l in layers]
            diff = float(np.abs(got - ref64[sel]).max())
            diff32 = float(np.abs(att32.double().numpy()[sel] - ref64[sel]).max())
            del got, ref64
            if diff > TOL:
                failed.append("%s n=%d: max |attnviz - float64 reference| %.2e > %.0e" % (arch, n, diff, TOL))
        r = {"torch_best": min(t_n), "torch_median": statistics.median(t_n), "torch1_best": min(t_1),
             "torch1_median": statistics.median(t_1), "attnviz_compute_best": comp_b,
             "attnviz_compute_median": comp_m, "attnviz_wall_median": wall_m, "attnviz_load_median": load_m,
             "ratio": torch_m / comp_m, "process_ratio": torch_m / wall_m, "gflop": gflop, "gflops": gfs,
             "pct_ceiling": 100.0 * gfs / ceiling, "bound_gflops": bound_m, "pct_bound": pct_bound,
             "bound_pct_ceiling": 100.0 * bound_m / ceiling if bound_m else None, "maxrss_kb": maxrss, "sampled": peak, "maxdiff_f64": diff,
             "torch_f32_maxdiff_f64": diff32, "verified_layers": layers}
        if before:
            b = {k: statistics.median(x[k] for x in before) for k in ("wall", "load", "compute")}
            r["before"] = dict(b, ratio=torch_m / b["compute"], process_ratio=torch_m / b["wall"],
                               pct_ceiling=100.0 * gflop / (b["compute"] / 1e3) / ceiling,
                               pct_bound=pct_of_bound(before, gflop))
        res["sizes"][n] = r
        print("%5d %8.1f/%8.1f %9.1f %9.1f %8.1f/%8.1f %8.1f/%8.1f %6.2fx %6.2fx %7.1f %5.0f%% %7s %5s %7.0fM %7.0fM %7.0fM %9s" % (
            n, comp_b, comp_m, load_m, wall_m, min(t_n), statistics.median(t_n), min(t_1),
            statistics.median(t_1), r["ratio"], r["process_ratio"], gfs, r["pct_ceiling"],
            "%.1f" % bound_m if bound_m else "-", "%.0f%%" % pct_bound if pct_bound else "-", (maxrss or 0) / 1024,
            peak["RssAnon"] / 1024, peak["RssFile"] / 1024, "%.1e" % diff if diff is not None else "-"),
            flush=True)
        if "before" in r:
            b = r["before"]
            print("%5s %8s/%8.1f %9.1f %9.1f %35s %6.2fx %6.2fx %7.1f %5.0f%% %7s %5s   (before: %s)" % (
                "", "", b["compute"], b["load"], b["wall"], "", b["ratio"], b["process_ratio"],
                gflop / (b["compute"] / 1e3), b["pct_ceiling"], "",
                "%.0f%%" % b["pct_bound"] if b["pct_bound"] else "-", a.before), flush=True)
    for n, r in res["sizes"].items():
        if r.get("bound_gflops"):
            print("%s n=%d: the products alone (bound) %.1f GFLOP/s = %.0f %% of the all-core ceiling; attnviz's "
                  "whole compute %.0f %% of the bound" % (arch, n, r["bound_gflops"], r["bound_pct_ceiling"],
                                                         r["pct_bound"]))
        if r.get("maxdiff_f64") is not None:
            print("%s n=%d: layers %s: max |attnviz - float64 reference| = %.2e, max |torch float32 - float64| = %.2e"
                  % (arch, n, ",".join(map(str, r["verified_layers"])), r["maxdiff_f64"],
                     r["torch_f32_maxdiff_f64"]))
    shutil.rmtree(model, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--archs", default="bert,gpt2", help="bert, gpt2 (comma list)")
    ap.add_argument("--sizes", default="128,512")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--layers", type=int, default=12, help="layers (12: BERT-base, GPT-2 small)")
    ap.add_argument("--verify-all-max", type=int, default=128,
                    help="largest n at which every layer is checked (above: the first and the last)")
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--before", default="", help="an older attnviz, run in the same loop (medians, ratios)")
    ap.add_argument("--sgemm", default=os.path.join(ROOT, "build", "bench", "sgemm"))
    ap.add_argument("--workdir", default=os.environ.get("BENCH_TMP", "/tmp"))
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "hf.json"))
    a = ap.parse_args()
    a.sizes = [int(s) for s in a.sizes.split(",")]
    threads = os.cpu_count()
    work = tempfile.mkdtemp(prefix="attnviz-hf-", dir=a.workdir)
    print("== Hugging Face checkpoints: attnviz -m DIR vs PyTorch (transformers' forward in float32, every layer's "
          "attentions; torch %s), %d threads ==" % (torch.__version__, threads))
    ceiling, ceil = print_ceilings(a.sgemm, threads)
    print("ms: best/median of %d interleaved runs after 1 warm-up; ratio = torch median (faster thread setting) / "
          "attnviz compute median; proc.rat = the same / attnviz whole process (median); GF/s = attnviz's FLOPs / "
          "compute median; %%ceil = that over the all-core SGEMM ceiling (%.1f GFLOP/s); bound = GF/s of the same "
          "products alone (sgemm -l: their shapes, 128-column chunks, warm weights; median of the rounds, one a round); "
          "%%bnd = attnviz's GF/s over its round's bound (median); bound/ceiling says how far these shapes let any "
          "caller of OpenBLAS go" % (a.reps, ceiling))
    results = {"threads": threads, "reps": a.reps, "layers": a.layers, "torch": torch.__version__,
               "ceiling_gflops": ceiling, "ceilings": ceil, "archs": {}}
    failed = []
    words = " ".join(hf_tok.WORDS).split()
    for arch in a.archs.split(","):
        bench_arch(arch, a, work, ceiling, words, threads, results, failed)
    print("load = attnviz's config + tokenizer + weights (mmap) time; process = whole attnviz process, wall ms "
          "(median);")
    print("maxRSS = peak RSS from /usr/bin/time -v (MiB); RssAnon / RssFile = the largest anonymous and "
          "file-backed RSS sampled from /proc/PID/status every 1 ms (the weights are mmap'd: RssFile)")
    print("torch process peak RSS (this script: models built in numpy, kept as torch tensors, attentions): %.0f MiB"
          % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    for f in failed:
        print("FAILED " + f)
    print("parity (<= 1e-4 against the float64 reference): %s" % ("FAIL" if failed else "ok"))
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
