"""bench_attention.py — attnviz against torch.nn.MultiheadAttention, same
weights, same input, same machine, same run.

For each n (default 16 256 1024 2048 4096) at d_model 768, 12 heads:

  * one set of random float32 weights from torch.manual_seed(SEED): an
    nn.MultiheadAttention(768, 12) with its own initialisation (Xavier-uniform
    in_proj_weight, so the logits stay O(1) and float32 is well conditioned),
    biases randn*0.02, and embeddings randn for a vocabulary of distinct words
    w0..w{n-1}. It is written as an attnviz JSON weight file (positional
    "none", so attnviz's input is exactly the embedding rows) and fed the
    sentence "w0 w1 ... w{n-1}".
  * attnviz: in-process compute from `--time -f none` (best and median of
    --reps runs), and the whole-process wall time of the same command (which
    also parses the JSON weight file: reported as "load").
  * torch: mha(x, x, x, need_weights=True, average_attn_weights=False) under
    torch.inference_mode() with torch.set_num_threads(os.cpu_count()), one
    warm-up, then best and median of --reps runs.
  * for n <= --verify-max: attnviz's weights (-f csv, every head) against
    torch's float32 weights and against a float64 evaluation of the same
    formula; the max absolute differences are printed. At n = --serial-n
    also against attnviz itself on one thread (ATTNVIZ_THREADS=1,
    OPENBLAS_NUM_THREADS=1: no row split, serial BLAS).

FLOPs (multiply + add = 2):
  weights = 2·2·n·d² (Q, K projections) + 2·n²·d (Q·Kᵀ over all heads):
            what attnviz does for the last shown layer (softmax not counted;
            the V projection is skipped there: nothing reads it).
  full    = 3·2·n·d² (Q, K, V) + 2·n²·d (Q·Kᵀ) + 2·n²·d (A·V) + 2·n·d²
            (output projection): what nn.MultiheadAttention does.
The speed-up is torch time / attnviz compute time for the same task (the
weights of every head); GFLOP/s is given for both counts so either reading
is available. "%ceil" is attnviz's weights-GFLOP/s over the all-core SGEMM
ceiling measured by build/bench/sgemm in this run: serial OpenBLAS in each
of nproc threads at once, the way attnviz computes; the same on one thread,
and torch.mm on all its threads (a threaded BLAS) are printed beside it.

Run: /usr/bin/python3 bench/bench_attention.py [--sizes 16,256] [--reps 5]
Writes a JSON summary to --json (default build/bench/attention.json).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
D_MODEL, N_HEADS, SEED = 768, 12, 20240601
TIME_RE = re.compile(r"attnviz: time: load ([\d.]+) ms, tokenize ([\d.]+) ms, compute ([\d.]+) ms, "
                     r"render ([\d.]+) ms, write ([\d.]+) ms, total ([\d.]+) ms")


def make_weights(n_max):
    """The one set of weights and embeddings every n uses (rows [:n])."""
    torch.manual_seed(SEED)
    mha = torch.nn.MultiheadAttention(D_MODEL, N_HEADS, bias=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(torch.randn(3 * D_MODEL) * 0.02)
        mha.out_proj.bias.copy_(torch.randn(D_MODEL) * 0.02)
    emb = torch.randn(n_max, D_MODEL, dtype=torch.float32)
    mha.eval()
    return mha, emb


def tensors_of(mha):
    d = D_MODEL
    w, b = mha.in_proj_weight.detach(), mha.in_proj_bias.detach()
    return {
        "layers.0.attn.q.weight": w[:d], "layers.0.attn.k.weight": w[d:2 * d],
        "layers.0.attn.v.weight": w[2 * d:], "layers.0.attn.o.weight": mha.out_proj.weight.detach(),
        "layers.0.attn.q.bias": b[:d], "layers.0.attn.k.bias": b[d:2 * d], "layers.0.attn.v.bias": b[2 * d:],
        "layers.0.attn.o.bias": mha.out_proj.bias.detach(),
    }


def write_tensor(f, arr):
    """{"shape": [...], "data": [...]}, '%.9g' round-trips every float32."""
    arr = np.ascontiguousarray(arr.numpy() if hasattr(arr, "numpy") else arr, dtype=np.float32)
    f.write('{"shape": %s, "data": [' % json.dumps(list(arr.shape)))
    f.flush()
    arr.reshape(-1).tofile(f, sep=",", format="%.9g")
    f.write("]}")


def write_model(path, n, mha, emb):
    """attnviz JSON weight file: vocabulary w0..w{n-1} plus [UNK] (never used)."""
    vocab = ["w%d" % i for i in range(n)] + ["[UNK]"]
    unk_row = np.zeros((1, D_MODEL), dtype=np.float32)
    with open(path + ".part", "w") as f:
        f.write('{"attnviz_model": 1, "config": {"architecture": "attention", "d_model": %d, '
                '"n_heads": %d, "n_layers": 1, "score": "scaled_dot", "causal": false, '
                '"positional": "none"},\n' % (D_MODEL, N_HEADS))
        f.write('"tokenizer": {"type": "words", "lowercase": false, "unk": "[UNK]", "vocab": %s},\n'
                % json.dumps(vocab))
        f.write('"tensors": {"embeddings.token": ')
        write_tensor(f, np.concatenate([emb[:n].numpy(), unk_row]))
        for name, t in sorted(tensors_of(mha).items()):
            f.write(',\n"%s": ' % name)
            write_tensor(f, t)
        f.write("}}\n")
    os.replace(path + ".part", path)


def run_attnviz(attnviz, model, sentence, extra):
    cmd = [attnviz, "-m", model, "--time"] + extra + [sentence]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        sys.exit("bench_attention: %s failed (%d): %s" % (" ".join(cmd[:4]), p.returncode, p.stderr.strip()))
    m = TIME_RE.search(p.stderr)
    if not m:
        sys.exit("bench_attention: no --time line in: %r" % p.stderr)
    load, tok, comp, rend, wr, tot = (float(v) for v in m.groups())
    return {"wall": wall, "load": load, "compute": comp, "total": tot}


def time_torch(mha, x, reps):
    times = []
    with torch.inference_mode():
        out = None
        for r in range(reps + 1):
            t0 = time.perf_counter()
            out = mha(x, x, x, need_weights=True, average_attn_weights=False)
            dt = (time.perf_counter() - t0) * 1e3
            if r > 0:
                times.append(dt)
        return times, out[1][0]  # [heads, n, n]


def torch_f64_weights(mha, x):
    """The same formula in float64: softmax((xWqᵀ+bq)_h (xWkᵀ+bk)_hᵀ / √d_head)."""
    d, h = D_MODEL, N_HEADS
    dh = d // h
    w = mha.in_proj_weight.detach().double()
    b = mha.in_proj_bias.detach().double()
    xd = x[:, 0, :].double()
    q = (xd @ w[:d].T + b[:d]).view(-1, h, dh).transpose(0, 1)
    k = (xd @ w[d:2 * d].T + b[d:2 * d]).view(-1, h, dh).transpose(0, 1)
    return torch.softmax(q @ k.transpose(1, 2) / dh ** 0.5, dim=-1)


def read_csv_weights(path, n):
    """Last column of attnviz's CSV as [heads, n, n] (rows are in head, query, key order)."""
    with open(path, "rb") as f:
        header = f.readline().decode()
        if header.strip() != "layer,head,query_index,query_token,key_index,key_token,weight":
            sys.exit("bench_attention: unexpected CSV header %r" % header)
        data = f.read()
    # Every field but the last is an integer or a token w<digits>: drop the
    # leading fields of each line and let numpy parse the weights.
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) != N_HEADS * n * n:
        sys.exit("bench_attention: CSV has %d rows, expected %d" % (len(lines), N_HEADS * n * n))
    heads = np.fromiter((int(l.split(b",", 2)[1]) for l in lines[:: n * n]), dtype=np.int64)
    if list(heads) != list(range(1, N_HEADS + 1)):
        sys.exit("bench_attention: CSV heads out of order: %s" % list(heads))
    w = np.array([l.rsplit(b",", 1)[1] for l in lines], dtype=np.float32)
    return w.reshape(N_HEADS, n, n)


def stats(xs):
    return min(xs), statistics.median(xs)


def sgemm_ceiling(binary, threads=None, sizes=("1024", "2048")):
    """{n: figures} from build/bench/sgemm: serial BLAS in each of threads
    threads at once (default: every core)."""
    args = [binary] + (["-t", str(threads)] if threads else []) + list(sizes)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.search(r"n=(\d+) threads=(\d+) best_ms=([\d.]+) median_ms=([\d.]+) gflops_best=([\d.]+) "
                      r"gflops_median=([\d.]+)", line)
        if m:
            res[int(m.group(1))] = {"threads": int(m.group(2)), "best_ms": float(m.group(3)),
                                    "gflops_best": float(m.group(5)), "gflops_median": float(m.group(6))}
    return res


def torch_mm_gflops(n=1024, reps=5):
    """torch.mm(a, b.T) of n x n float32 on torch's threads (a threaded
    BLAS): best GFLOP/s of reps after a warm-up."""
    a, b = torch.rand(n, n), torch.rand(n, n)
    best = float("inf")
    for r in range(reps + 1):
        t0 = time.perf_counter()
        torch.mm(a, b.t())
        if r:
            best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def print_ceilings(binary, threads):
    """Prints the three ceilings; returns (all-core best GFLOP/s, {details})."""
    ceil = sgemm_ceiling(binary)
    one = sgemm_ceiling(binary, 1, ("1024",))
    tmm = torch_mm_gflops()
    ceiling = max(v["gflops_best"] for v in ceil.values())
    for n, v in sorted(ceil.items()):
        print("SGEMM ceiling n=%d: best %.1f GFLOP/s, median %.1f GFLOP/s (serial OpenBLAS in each of %d threads at"
              " once: how attnviz computes)" % (n, v["gflops_best"], v["gflops_median"], v["threads"]))
    print("  for comparison: one thread %.1f GFLOP/s (n=1024); torch.mm on %d threads %.1f GFLOP/s (threaded BLAS)"
          % (one[1024]["gflops_best"], threads, tmm))
    return ceiling, {"all_core": ceil, "one_thread": one, "torch_mm": tmm}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="16,256,1024,2048,4096")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--verify-max", type=int, default=1024)
    ap.add_argument("--serial-n", type=int, default=256, help="n at which the 1-thread path is compared")
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--sgemm", default=os.path.join(ROOT, "build", "bench", "sgemm"))
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "attention.json"))
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    os.makedirs(a.workdir, exist_ok=True)
    threads = os.cpu_count()
    torch.set_num_threads(threads)

    print("== attention: attnviz vs torch %s nn.MultiheadAttention(need_weights=True, "
          "average_attn_weights=False), d_model %d, %d heads, %d threads ==" % (torch.__version__, D_MODEL,
                                                                              N_HEADS, threads))
    ceiling, ceil = print_ceilings(a.sgemm, threads)
    print("ms: best/median of %d runs (torch: after 1 warm-up). speed-up = torch best / attnviz compute best."
          % a.reps)
    print("%5s %17s %17s %17s %8s %8s %9s %9s %8s %8s %6s %9s %9s" % (
        "n", "attnviz compute", "torch %d thr" % threads, "torch 1 thr", "speedup", "vs best",
        "process", "load", "GF wts", "av GF/s", "%ceil", "torch GF/s", "max|d|32"))
    mha, emb = make_weights(max(sizes))
    results = {"sgemm": ceil, "ceiling_gflops": ceiling, "threads": threads, "reps": a.reps,
               "torch": torch.__version__, "sizes": {}}
    for n in sizes:
        model = os.path.join(a.workdir, "attn-n%d.json" % n)
        write_model(model, n, mha, emb)
        sentence = " ".join("w%d" % i for i in range(n))
        av = [run_attnviz(a.attnviz, model, sentence, ["-f", "none"]) for _ in range(a.reps + 1)][1:]
        comp_b, comp_m = stats([r["compute"] for r in av])
        wall_b, wall_m = stats([r["wall"] for r in av])
        load_m = statistics.median(r["load"] for r in av)
        x = emb[:n].unsqueeze(1).contiguous()  # [n, batch 1, d]
        torch.set_num_threads(threads)
        tt, w32 = time_torch(mha, x, a.reps)
        tor_b, tor_m = stats(tt)
        t1_b = t1_m = None
        if threads > 1:  # torch's OpenMP threads and OpenBLAS's own threads contend: also try 1
            torch.set_num_threads(1)
            t1, _ = time_torch(mha, x, a.reps)
            t1_b, t1_m = stats(t1)
            torch.set_num_threads(threads)
        d = D_MODEL
        gf_w = (2 * 2 * n * d * d + 2 * n * n * d) / 1e9
        gf_full = (3 * 2 * n * d * d + 2 * n * n * d + 2 * n * n * d + 2 * n * d * d) / 1e9
        diff32 = diff64 = None
        if n <= a.verify_max:
            csv = os.path.join(a.workdir, "attn-n%d.csv" % n)
            run_attnviz(a.attnviz, model, sentence, ["-f", "csv", "-o", csv])
            got = read_csv_weights(csv, n)
            os.remove(csv)
            diff32 = float(np.max(np.abs(got - w32.numpy())))
            diff64 = float(np.max(np.abs(got.astype(np.float64) - torch_f64_weights(mha, x).numpy())))
            if n == a.serial_n:  # the serial path: one attnviz thread, one BLAS thread
                env = dict(os.environ, ATTNVIZ_THREADS="1", OPENBLAS_NUM_THREADS="1")
                subprocess.run([a.attnviz, "-m", model, "-f", "csv", "-o", csv, sentence], env=env, check=True)
                serial = read_csv_weights(csv, n)
                os.remove(csv)
                results["serial_n"] = n
                results["serial_maxdiff"] = float(np.max(np.abs(serial - got)))
                del serial
        del w32
        r = {"attnviz_compute_best": comp_b, "attnviz_compute_median": comp_m, "attnviz_wall_best": wall_b,
             "attnviz_wall_median": wall_m, "attnviz_load_median": load_m, "torch_best": tor_b,
             "torch_median": tor_m, "torch1_best": t1_b, "torch1_median": t1_m,
             "speedup_vs_torch1": (min(tor_b, t1_b) if t1_b else tor_b) / comp_b, "speedup_best": tor_b / comp_b, "speedup_median": tor_m / comp_m,
             "gflop_weights": gf_w, "gflop_full": gf_full, "attnviz_gflops": gf_w / (comp_b / 1e3),
             "torch_gflops_full": gf_full / (tor_b / 1e3), "torch_gflops_weights": gf_w / (tor_b / 1e3),
             "pct_ceiling": 100.0 * gf_w / (comp_b / 1e3) / ceiling, "maxdiff_f32": diff32,
             "maxdiff_f64": diff64, "model_bytes": os.path.getsize(model)}
        results["sizes"][n] = r
        print("%5d %8.2f/%8.2f %8.2f/%8.2f %17s %7.2fx %7.2fx %9.1f %9.1f %8.2f %8.1f %5.0f%% %9.1f %9s" % (
            n, comp_b, comp_m, tor_b, tor_m, "%8.2f/%8.2f" % (t1_b, t1_m) if t1_b else "-",
            r["speedup_best"], r["speedup_vs_torch1"], wall_m, load_m, gf_w, r["attnviz_gflops"], r["pct_ceiling"],
            r["torch_gflops_full"], "%.1e" % diff32 if diff32 is not None else "-"), flush=True)
        os.remove(model)
    print("GF wts = 2·2·n·d² + 2·n²·d GFLOP (the weights: attnviz's work); av GF/s = GF wts / attnviz compute;")
    print("torch GF/s = torch's full MHA FLOPs (+ A·V + output projection) / torch best; vs best = speed-up")
    print("against the faster torch thread setting; process = whole attnviz process wall ms (median), load = its")
    print("JSON parse (ms, median); max|d|32 = max |attnviz - torch float32| over every head's weights")
    for n, r in results["sizes"].items():
        if r["maxdiff_f64"] is not None:
            print("n=%d: max |attnviz - float64 reference| = %.2e, max |torch float32 - attnviz| = %.2e"
                  % (n, r["maxdiff_f64"], r["maxdiff_f32"]))
    if "serial_n" in results:
        print("n=%d: max |attnviz 2 threads - attnviz ATTNVIZ_THREADS=1 OPENBLAS_NUM_THREADS=1| = %.2e"
              % (results["serial_n"], results["serial_maxdiff"]))
    bad = [n for n, r in results["sizes"].items() if r["maxdiff_f32"] is not None and r["maxdiff_f32"] > 1e-5]
    print("parity (<= 1e-5 against torch float32, n <= %d): %s" % (a.verify_max, "FAIL at n=%s" % bad
                                                                 if bad else "ok"))
    with open(a.json, "w") as f:
        json.dump(results, f, indent=1)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
