"""bench_hf.py — attnviz on a BERT-base-sized Hugging Face checkpoint against a
PyTorch implementation of the same forward pass, same machine, same run.

The model: random weights in the exact Hugging Face layout (BertModel names,
config.json as BertConfig writes it, vocab.txt), 12 layers, d 768, 12 heads,
FFN 3072, vocabulary 30522, 512 positions, F32, written once by
tests/py/hf_ref.py into --workdir (about 440 MB). Projection weights are
N(0, (2/sqrt(768))²) so the attention is not flat.

For each n (default 128 and 512 tokens, [CLS] and [SEP] included):

  * attnviz: `attnviz -m DIR -f none --time SENTENCE`, one warm-up then
    --reps runs: the in-process compute time (best, median), load (reading
    config, tokenizer and the mmap'd weights) and the whole-process wall time
    (median); one more run under /usr/bin/time -v for the peak RSS, and one
    whose /proc/PID/status is sampled every millisecond for the largest
    RssAnon (memory of its own) and RssFile (file pages mapped in: the mmap'd
    weights are counted here, not copied).
  * torch: tests/py/hf_ref.py's BertModel forward (the transformers code line
    by line, attentions of every layer) in float32 under
    torch.inference_mode(), with torch.set_num_threads(os.cpu_count()) and
    with 1 thread (Debian's torch runs OpenMP threads over a threaded
    OpenBLAS: on a small machine one thread can be faster), one warm-up then
    --reps runs each.
  * ratio = torch best (the faster thread setting) / attnviz compute best;
    process ratio = the same torch time / attnviz's whole-process wall time
    (which also starts the process, maps the weights and tokenizes).
  * parity: attnviz `-f csv` for --verify-layers (default all at n <= 128,
    first and last above: 12 heads x 512² x 12 layers would be 38 M rows)
    against the float64 reference; max |difference| <= 1e-4 or the script
    fails, so the benchmark times the right computation.

Both sides do the whole forward pass the way transformers does it with
output_attentions=True, except that attnviz may skip what no shown attention
depends on (the last layer's value projection, output projection and FFN):
that is part of what it is measured on.

Run: /usr/bin/python3 bench/bench_hf.py [--sizes 128,512] [--reps 5] [--layers 12]
Exit status 1 when attnviz fails or its weights are more than 1e-4 off.
"""
import argparse
import json
import os
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
from bench_attention import TIME_RE, stats  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,512")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--layers", type=int, default=12, help="encoder layers (12: BERT-base)")
    ap.add_argument("--verify-all-max", type=int, default=128,
                    help="largest n at which every layer is checked (above: the first and the last)")
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--workdir", default=os.environ.get("BENCH_TMP", "/tmp"))
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "hf.json"))
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    threads = os.cpu_count()
    work = tempfile.mkdtemp(prefix="attnviz-hf-", dir=a.workdir)
    model = os.path.join(work, "bert-base-random")

    spec = hf_ref.Spec("bert", 768, 12, a.layers, ffn=3072, max_pos=512, vocab_size=30522, seed=99, scale=2.0)
    t0 = time.perf_counter()
    cfg, tok, _ = hf_ref.make_checkpoint(model, spec)
    write_s = time.perf_counter() - t0
    size = os.path.getsize(os.path.join(model, "model.safetensors"))
    W = hf_ref.base_weights("bert", hf_ref.read_checkpoint(model), torch.float32)
    print("== Hugging Face BERT: attnviz -m DIR vs PyTorch (transformers' BertModel forward in float32, "
          "torch %s), %d threads ==" % (torch.__version__, threads))
    print("model: %d layers, d 768, 12 heads, FFN 3072, vocab %d, positions 512, F32 model.safetensors "
          "%.0f MB (written in %.1f s to %s)" % (a.layers, len(tok.vocab), size / 1e6, write_s, a.workdir))
    print("ms: best/median of %d runs after 1 warm-up; ratio = torch best (faster thread setting) / attnviz "
          "compute best" % a.reps)
    print("%5s %17s %9s %9s %17s %17s %7s %8s %8s %8s %8s %9s" % (
        "n", "attnviz compute", "load", "process", "torch %d thr" % threads, "torch 1 thr", "ratio",
        "proc.rat", "maxRSS", "RssAnon", "RssFile", "max|d|"))
    results = {"threads": threads, "reps": a.reps, "layers": a.layers, "model_bytes": size,
               "torch": torch.__version__, "sizes": {}}
    failed = []
    words = " ".join(hf_tok.WORDS)
    for n in sizes:
        sentence = hf_ref.random_sentence(tok, n - 2, n, words=words.split())
        ids = tok.encode(sentence)
        args = ["-m", model, "-f", "none", "--time", sentence]
        runs, err = [], None
        for r in range(a.reps + 1):
            rc, stderr, wall = run_attnviz(a.attnviz, args)
            m = TIME_RE.search(stderr)
            if rc != 0 or not m:
                msg = [l for l in stderr.strip().splitlines() if not TIME_RE.search(l)]
                err = "exit %d: %s" % (rc, (msg or ["no --time line"])[0])
                break
            if r:
                runs.append({"wall": wall, "load": float(m.group(1)), "compute": float(m.group(3))})
        t_n, att32 = time_torch(cfg, W, ids, a.reps, threads)
        t_1, _ = time_torch(cfg, W, ids, a.reps, 1) if threads > 1 else (t_n, None)
        torch.set_num_threads(threads)
        torch_best = min(min(t_n), min(t_1))
        r = {"torch_best": min(t_n), "torch_median": statistics.median(t_n), "torch1_best": min(t_1),
             "torch1_median": statistics.median(t_1)}
        if err:
            failed.append("n=%d: attnviz %s" % (n, err))
            print("%5d %17s %9s %9s %8.1f/%8.1f %8.1f/%8.1f   attnviz failed: %s" % (
                n, "-", "-", "-", min(t_n), statistics.median(t_n), min(t_1), statistics.median(t_1), err))
            results["sizes"][n] = r
            continue
        comp_b, comp_m = stats([x["compute"] for x in runs])
        wall_m = statistics.median(x["wall"] for x in runs)
        load_m = statistics.median(x["load"] for x in runs)
        maxrss = time_v_rss(a.attnviz, args, work)
        _, peak = sampled_rss(a.attnviz, args)
        # parity: every layer at small n, the first and the last above
        layers = list(range(1, a.layers + 1)) if n <= a.verify_all_max else sorted({1, a.layers})
        csv = os.path.join(work, "w.csv")
        rc, stderr, _ = run_attnviz(a.attnviz, ["-m", model, "-f", "csv", "-o", csv, "-l",
                                                ",".join(map(str, layers)), "-H", "all", sentence])
        diff = diff32 = None
        if rc != 0:
            failed.append("n=%d: attnviz -f csv exit %d: %s" % (n, rc, stderr.strip()))
        else:
            got = read_csv_weights(csv, len(layers), 12, n)
            os.remove(csv)
            ref64 = hf_ref.hf_attentions("bert", cfg, W, ids, torch.float64).numpy()
            sel = [l - 1 for l in layers]
            diff = float(np.abs(got - ref64[sel]).max())
            diff32 = float(np.abs(att32.double().numpy()[sel] - ref64[sel]).max())
            del got, ref64
            if diff > TOL:
                failed.append("n=%d: max |attnviz - float64 reference| %.2e > %.0e" % (n, diff, TOL))
        r.update({"attnviz_compute_best": comp_b, "attnviz_compute_median": comp_m,
                  "attnviz_wall_median": wall_m, "attnviz_load_median": load_m,
                  "ratio": torch_best / comp_b, "process_ratio": torch_best / wall_m,
                  "maxrss_kb": maxrss, "sampled": peak, "maxdiff_f64": diff, "torch_f32_maxdiff_f64": diff32,
                  "verified_layers": layers})
        results["sizes"][n] = r
        print("%5d %8.1f/%8.1f %9.1f %9.1f %8.1f/%8.1f %8.1f/%8.1f %6.2fx %7.2fx %7.0fM %7.0fM %7.0fM %9s" % (
            n, comp_b, comp_m, load_m, wall_m, min(t_n), statistics.median(t_n), min(t_1),
            statistics.median(t_1), r["ratio"], r["process_ratio"], (maxrss or 0) / 1024,
            peak["RssAnon"] / 1024, peak["RssFile"] / 1024, "%.1e" % diff if diff is not None else "-"),
            flush=True)
    print("load = attnviz's config + tokenizer + weights (mmap) time; process = whole attnviz process, wall ms "
          "(median);")
    print("maxRSS = peak RSS from /usr/bin/time -v (MiB); RssAnon / RssFile = the largest anonymous and "
          "file-backed RSS sampled")
    print("from /proc/PID/status every 1 ms (the weights are mmap'd: they show up as RssFile, %.0f MiB of file)"
          % (size / 2**20))
    for n, r in results["sizes"].items():
        if r.get("maxdiff_f64") is not None:
            print("n=%d: layers %s: max |attnviz - float64 reference| = %.2e, max |torch float32 - float64| = %.2e"
                  % (n, ",".join(map(str, r["verified_layers"])), r["maxdiff_f64"], r["torch_f32_maxdiff_f64"]))
    print("torch process peak RSS (this script: model built in numpy, kept as torch tensors, attentions): %.0f MiB"
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
