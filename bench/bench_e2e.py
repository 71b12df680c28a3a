"""bench_e2e.py — the whole process, for the example sentence: attnviz
against the same pipeline written in Python (bench/python_equivalent.py:
tokenize, one torch nn.MultiheadAttention layer, matplotlib heatmaps).

Commands timed (wall clock of the whole process, start to exit, output to
/dev/null or to a directory under --tmp):

  attnviz ansi     ./attnviz --seed 42 -f ansi --color always SENTENCE
  attnviz csv      ./attnviz --seed 42 -f csv SENTENCE
  attnviz png      ./attnviz --seed 42 -f png -o DIR SENTENCE (one PNG per head)
  pretrained ansi  ./attnviz -f ansi --color always SENTENCE (the default
                   model, data/pretrained: 4 BERT layers, F16 weights)
  pretrained csv   ./attnviz -f csv SENTENCE
  python png       python_equivalent.py -f png -o DIR SENTENCE
  python csv       python_equivalent.py -f csv SENTENCE   (no matplotlib import)

With hyperfine (Debian package, installed by scripts/deps.sh test) each is
run with --shell=none, warm-up runs first; without it, a Python loop of
subprocess.run with time.perf_counter does the same (said in the output).
Prints median, mean, min and max in ms, and the ratios python / attnviz of
the medians. Writes a JSON summary to --json.

Run: /usr/bin/python3 bench/bench_e2e.py [--runs 200] [--py-runs 10]
"""
import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXAMPLE = "The animal didn't cross the street because it was too tired."
PY = "/usr/bin/python3"


def loop_time(argv, runs, warmup):
    """Fallback without hyperfine: wall ms of each run."""
    times = []
    for r in range(warmup + runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = (time.perf_counter() - t0) * 1e3
        if p.returncode != 0:
            sys.exit("bench_e2e: %s exited %d" % (" ".join(argv), p.returncode))
        if r >= warmup:
            times.append(dt)
    return times


def hyperfine_time(argv, runs, warmup, tmp):
    out = os.path.join(tmp, "hf.json")
    cmd = " ".join(shlex.quote(a) for a in argv)
    subprocess.run(["hyperfine", "--shell=none", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                    "--export-json", out, cmd], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    with open(out) as f:
        res = json.load(f)["results"][0]
    if any(c != 0 for c in res.get("exit_codes", [])):
        sys.exit("bench_e2e: %s failed" % cmd)
    return [t * 1e3 for t in res["times"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--before", default="", help="an older attnviz: its ansi runs beside these")
    ap.add_argument("--runs", type=int, default=200, help="runs of each attnviz command")
    ap.add_argument("--py-runs", type=int, default=10, help="runs of each Python command")
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--no-hyperfine", action="store_true")
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "e2e.json"))
    a = ap.parse_args()
    tmp = a.tmp or tempfile.mkdtemp(prefix="attnviz-bench-")
    use_hf = shutil.which("hyperfine") is not None and not a.no_hyperfine
    pyeq = os.path.join(ROOT, "bench", "python_equivalent.py")
    av_png, py_png = os.path.join(tmp, "av-png"), os.path.join(tmp, "py-png")
    os.makedirs(av_png, exist_ok=True)

    # png support: attnviz may not have it yet; then say so and skip it.
    png_ok = subprocess.run([a.attnviz, "--seed", "42", "-f", "png", "-o", av_png, EXAMPLE],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    cases = [
        ("attnviz ansi", [a.attnviz, "--seed", "42", "-f", "ansi", "--color", "always", EXAMPLE], a.runs, 20),
        ("attnviz csv", [a.attnviz, "--seed", "42", "-f", "csv", EXAMPLE], a.runs, 20),
        ("pretrained ansi", [a.attnviz, "-f", "ansi", "--color", "always", EXAMPLE], a.runs, 20),
        ("pretrained csv", [a.attnviz, "-f", "csv", EXAMPLE], a.runs, 20),
    ]
    if a.before:  # the older binary, the same commands
        cases += [("before ansi", [a.before] + cases[0][1][1:], a.runs, 20),
                  ("before pretr. ansi", [a.before] + cases[2][1][1:], a.runs, 20)]
    if png_ok.returncode == 0:
        cases.append(("attnviz png", [a.attnviz, "--seed", "42", "-f", "png", "-o", av_png, EXAMPLE],
                      max(20, a.runs // 4), 5))
    cases += [
        ("python png", [PY, pyeq, "-f", "png", "-o", py_png, EXAMPLE], a.py_runs, 1),
        ("python csv", [PY, pyeq, "-f", "csv", EXAMPLE], a.py_runs, 1),
    ]
    print("== end to end: the example sentence, whole process wall time (%s) ==" %
          ("hyperfine %s --shell=none" % subprocess.run(["hyperfine", "--version"], capture_output=True,
                                                        text=True).stdout.split()[-1]
           if use_hf else "Python subprocess loop: hyperfine not installed"))
    if png_ok.returncode != 0:
        print("attnviz png: not available (%s)" % png_ok.stderr.strip())
    if a.before:
        print("before = %s" % a.before)
    print("%-18s %6s %9s %9s %9s %9s" % ("command", "runs", "median", "mean", "min", "max"))
    res = {}
    for name, argv, runs, warm in cases:
        t = hyperfine_time(argv, runs, warm, tmp) if use_hf else loop_time(argv, runs, warm)
        r = {"runs": len(t), "median": statistics.median(t), "mean": statistics.fmean(t), "min": min(t),
             "max": max(t)}
        res[name] = r
        print("%-18s %6d %9.2f %9.2f %9.2f %9.2f" % (name, r["runs"], r["median"], r["mean"], r["min"], r["max"]),
              flush=True)
    print("ratios of medians (python / attnviz):")
    pairs = [("python png", "attnviz ansi"), ("python csv", "attnviz csv"), ("python png", "attnviz png"),
             ("python csv", "attnviz ansi")]
    ratios = {}
    for p, c in pairs:
        if p in res and c in res:
            ratios["%s / %s" % (p, c)] = res[p]["median"] / res[c]["median"]
            print("  %-12s / %-13s %8.1fx" % (p, c, ratios["%s / %s" % (p, c)]))
    for kind in ("ansi", "csv"):
        ratios["pretrained %s / attnviz %s" % (kind, kind)] = q = (res["pretrained " + kind]["median"] /
                                                                  res["attnviz " + kind]["median"])
        print("  pretrained %-4s / seeded %-4s %8.2fx (target <= 3x: %s)" % (kind, kind, q,
                                                                           "met" if q <= 3 else "MISSED"))
    ansi = res["attnviz ansi"]["median"]
    pre = res["pretrained ansi"]["median"]
    print("target: pretrained (default model) ansi median <= 5 ms: %.2f ms (%s); seeded ansi %.2f ms; "
          ">= 100x faster than python png: %.0fx (%s)" % (
              pre, "met" if pre <= 5 else "MISSED", ansi, ratios["python png / attnviz ansi"],
              "met" if ratios["python png / attnviz ansi"] >= 100 else "MISSED"))
    if a.before:
        print("before -> after, medians: default model %.2f -> %.2f ms, seeded %.2f -> %.2f ms" % (
            res["before pretr. ansi"]["median"], pre, res["before ansi"]["median"], ansi))
    os.makedirs(os.path.dirname(a.json), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump({"tool": "hyperfine" if use_hf else "loop", "results": res, "ratios": ratios,
                   "png": png_ok.returncode == 0}, f, indent=1)
    if not a.tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
