"""The numbers in an -f html page (issue 18) are attnviz's numbers: every
matrix the page holds, decoded as the page's script decodes it, against the
CSV attnviz writes for the same sentence and options: the heads, --aggregate
mean and max, --rollout, --words and --no-special (float32 pages: bit for
bit), and a page past 262,144 weights in 16 bits (every weight within 2^-10
relative, 0 exactly 0; deflated, inflated here with zlib); its colormaps
against matplotlib's. Prints PASS/FAIL
lines."""
import base64
import csv
import io
import json
import os
import re
import subprocess
import sys
import zlib

import numpy as np

import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
EXAMPLE = "The animal didn't cross the street because it was too tired."


def attnviz(*args):
    p = subprocess.run([BIN, *args], capture_output=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(f"attnviz {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[:300]}")
    return p.stdout.decode("utf-8")


def page_sets(args):
    """{set name: (queries, layers, column labels, weights [L, C, q, k])} of the page."""
    page = attnviz("-f", "html", *args)
    d = json.loads(re.search(r'<script type="application/json" id="attnviz-data">(.*?)</script>', page, re.S)
                   .group(1))
    out = {}
    for s in d["sets"]:
        raw = base64.b64decode(s["weights"])
        if s["encoding"] == "f32":
            w = np.frombuffer(raw, dtype="<f4")
        else:  # u16z: raw deflate of the high bytes, then the low bytes, of codes: the float32 of bits code << 14
            planes = np.frombuffer(zlib.decompress(raw, wbits=-15), dtype=np.uint8).astype(np.uint32)
            n = len(planes) // 2
            w = ((planes[:n] << 22) | (planes[n:] << 14)).view(np.float32)
        cols = [str(c.get("head", c.get("aggregate"))) for c in s["columns"]]
        n_q, n_k = len(s["queries"]), len(s["keys"] or s["queries"])
        out[s["name"]] = (s["queries"], s["layers"], cols, s["encoding"],
                          w.reshape(len(s["layers"]), len(cols), n_q, n_k))
    return out


def csv_mats(args):
    """{(layer, head label): matrix}, tokens of the CSV attnviz writes."""
    rows = list(csv.reader(io.StringIO(attnviz("-f", "csv", *args))))[1:]
    n = max(int(r[2]) for r in rows) + 1
    m = max(int(r[4]) for r in rows) + 1
    mats, toks = {}, [None] * n
    for layer, head, q, qt, k, kt, w in rows:
        mats.setdefault((int(layer), head), np.zeros((n, m), np.float32))[int(q), int(k)] = np.float32(w)
        toks[int(q)] = qt
    return mats, toks


def compare(name, page_args, csv_args, set_name, columns):
    """The page's set set_name, columns (labels), against the CSV."""
    try:
        sets = page_sets(page_args)
        mats, toks = csv_mats(csv_args)
    except RuntimeError as e:
        check(name, False, str(e))
        return
    queries, layers, cols, enc, w = sets[set_name]
    worst, n = 0.0, 0
    for li, layer in enumerate(layers):
        for c in columns:
            want = mats.get((layer, c))
            if want is None or want.shape != w.shape[2:]:
                check(name, False, f"layer {layer} {c}: no such matrix in the CSV or shapes differ")
                return
            got = w[li, cols.index(c)]
            worst = max(worst, float(np.max(np.abs(got - want))))
            n += got.size
    check(name, worst == 0.0 and queries == toks and enc == "f32",
          f"{n} weights, max |page - csv| = {worst:g}, tokens {'equal' if queries == toks else 'differ'}")


heads = ["1", "2", "3", "4"]
compare("html-heads-equal-csv", [EXAMPLE], [EXAMPLE], "tokens", heads)
compare("html-mean-equals-csv", ["--aggregate", "mean", EXAMPLE], ["--aggregate", "mean", EXAMPLE],
        "tokens", ["mean"])
compare("html-heads-beside-mean", ["--aggregate", "mean", EXAMPLE], [EXAMPLE], "tokens", heads)
compare("html-max-equals-csv", ["--aggregate", "max", "-l", "3", EXAMPLE], ["--aggregate", "max", "-l", "3", EXAMPLE],
        "tokens", ["max"])
compare("html-rollout-equals-csv", ["--rollout", "-l", "2,4", EXAMPLE], ["--rollout", "-l", "2,4", EXAMPLE],
        "tokens", ["rollout"])
compare("html-heads-beside-rollout", ["--rollout", "-l", "2,4", EXAMPLE], ["-l", "2,4", EXAMPLE], "tokens", heads)
compare("html-rollout-of-shown-heads", ["--rollout", "-H", "1,3", EXAMPLE], ["--rollout", "-H", "1,3", EXAMPLE],
        "tokens", ["rollout"])
compare("html-words-equal-csv", ["--words", EXAMPLE], ["--words", EXAMPLE], "words", heads)
compare("html-words-tokens-set-is-plain", ["--words", EXAMPLE], [EXAMPLE], "tokens", heads)
compare("html-words-mean-equals-csv", ["--words", "--aggregate", "mean", EXAMPLE],
        ["--words", "--aggregate", "mean", EXAMPLE], "words", ["mean"])
compare("html-no-special-equals-csv", ["--no-special", "-H", "2", EXAMPLE], ["--no-special", "-H", "2", EXAMPLE],
        "tokens", ["2"])
compare("html-words-no-special-equals-csv", ["--words", "--no-special", EXAMPLE], ["--words", "--no-special", EXAMPLE],
        "words", heads)
compare("html-cross-attention-equals-csv", ["--seed", "3", "--source", "Le chat dort sur le tapis .", "The cat sleeps ."],
        ["--seed", "3", "--source", "Le chat dort sur le tapis .", "The cat sleeps ."], "tokens", heads)
compare("html-causal-equals-csv", ["--seed", "3", "--causal", EXAMPLE], ["--seed", "3", "--causal", EXAMPLE],
        "tokens", heads)

# 16 bits: a page of 2 layers x 4 heads x 256 tokens (524,288 weights)
words = " ".join(f"w{i % 37}" for i in range(256))
try:
    _, layers, cols, enc, w = page_sets(["--seed", "1", "--layers", "2", words])["tokens"]
    mats, _ = csv_mats(["--seed", "1", "--layers", "2", words])
    want = np.stack([np.stack([mats[(l, c)] for c in cols]) for l in layers])
    rel = np.abs(w - want) / np.where(want > 0, want, 1)
    zeros = bool(np.all((w == 0) == (want == 0)))
    check("html-16-bit-within-2^-10", enc == "u16z" and float(rel.max()) <= 2.0 ** -10 and zeros,
          f"{enc}, {want.size} weights, max relative error {float(rel.max()):.3g} (bound {2.0 ** -10:.3g}), "
          f"zeros {'kept' if zeros else 'changed'}, smallest weight {float(want[want > 0].min()):.3g}")
except RuntimeError as e:
    check("html-16-bit-within-2^-10", False, str(e))

# the colormaps the page draws with are the figures': matplotlib's tables
# at t = i / 255, rounded to 8 bits (within 1: float rounding of the table)
try:
    import matplotlib
    page = attnviz("-f", "html", EXAMPLE)
    d = json.loads(re.search(r'<script type="application/json" id="attnviz-data">(.*?)</script>', page, re.S)
                   .group(1))
    for name, b64 in sorted(d["colormaps"].items()):
        got = np.frombuffer(base64.b64decode(b64), np.uint8).reshape(256, 3).astype(int)
        cm = matplotlib.colormaps[{"grays": "Greys"}.get(name, name)]
        table = (np.asarray(cm.colors, np.float64)[:, :3] if hasattr(cm, "colors") and len(cm.colors) == 256
                 else cm(np.linspace(0, 1, 256))[:, :3])
        want = np.floor(table * 255.0 + 0.5).astype(int)
        check(f"html-colormap-{name}-is-matplotlib's", int(np.abs(got - want).max()) <= 1,
              f"max difference {int(np.abs(got - want).max())} of 255")
    check("html-has-every-colormap", sorted(d["colormaps"]) == sorted(
        ["viridis", "magma", "inferno", "plasma", "cividis", "grays"]), str(sorted(d["colormaps"])))
except ImportError as e:
    print(f"SKIP html-colormaps: {e} (needs python3-matplotlib)")

sys.exit(suite.status())
