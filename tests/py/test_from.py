#!/usr/bin/python3
"""--from FILE (issue 17): attention computed elsewhere, drawn by every view.

Round trips: the example's attention written by attnviz as CSV and JSON, and
the same numbers saved by numpy as .npy (float32, float64, Fortran order,
big-endian; [layers, heads, q, k], [heads, q, k] and [q, k]), read back with
--from, must give in every format what attnviz gives directly: the same CSV
bytes, the same JSON tokens and weights, the same PNG pixels (every head,
and --grid), the same SVG except its <desc> (model and command line), the
same terminal heatmaps and focus view. Also: a causal model through JSON
(the mask travels), --aggregate mean and cross-attention through CSV, -l/-H
on the file's layers and heads, --rollout and --aggregate on a file,
standard input (-), and a matrix whose rows do not sum to 1 (drawn as it
is, with a note in every view).

Prints PASS/FAIL/SKIP lines."""
import io
import json
import os
import re
import subprocess
import sys
import tempfile

import suite
from runner import run
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
EXAMPLE = "The animal didn't cross the street because it was too tired."

try:
    import numpy as np
    from PIL import Image
except ImportError as e:
    print(f"SKIP from: {e} (needs python3-numpy, python3-pil)")
    sys.exit(0)


def pixels(data):
    return np.asarray(Image.open(io.BytesIO(data)))


def strip_desc(svg):
    return re.sub(rb"<desc>.*?</desc>", b"", svg, flags=re.S)


def views(tmp, tag, direct, source, n_heads):
    """Every format drawn from source (--from ARGS) against direct (model ARGS)."""
    for fmt in ("csv",):
        a, b = run(*direct, "-f", fmt), run(*source, "-f", fmt)
        check(f"{tag}: -f csv identical", a.returncode == 0 and a.stdout == b.stdout, b.stderr.decode()[:200])
    a, b = run(*direct, "-f", "json"), run(*source, "-f", "json")
    if a.returncode == 0 and b.returncode == 0:
        ja, jb = json.loads(a.stdout), json.loads(b.stdout)
        same = [t["text"] for t in ja["tokens"]] == [t["text"] for t in jb["tokens"]] and ja["layers"] == jb["layers"]
        check(f"{tag}: -f json tokens and weights identical", same)
    else:
        check(f"{tag}: -f json", False, b.stderr.decode()[:200])
    for extra in ([], ["--grid"]):
        da, db = os.path.join(tmp, tag + "-a" + "".join(extra)), os.path.join(tmp, tag + "-b" + "".join(extra))
        a = run(*direct, "-f", "png", *extra, "-o", da + "/")
        b = run(*source, "-f", "png", *extra, "-o", db + "/")
        files = sorted(os.listdir(da)) if os.path.isdir(da) else []
        same = a.returncode == 0 and b.returncode == 0 and files == sorted(os.listdir(db)) and \
            len(files) == (1 if extra else n_heads) and \
            all(np.array_equal(pixels(open(os.path.join(da, f), "rb").read()),
                               pixels(open(os.path.join(db, f), "rb").read())) for f in files)
        check(f"{tag}: -f png {' '.join(extra) or 'per head'}: identical pixels ({len(files)} files)", same,
              (a.stderr + b.stderr).decode()[:200])
    a, b = run(*direct, "-f", "svg", "--grid"), run(*source, "-f", "svg", "--grid")
    check(f"{tag}: -f svg --grid identical but for <desc>", a.returncode == 0 and
          strip_desc(a.stdout) == strip_desc(b.stdout), b.stderr.decode()[:200])
    a = run(*direct, "-f", "ansi", "--color", "always", "--width", "120")
    b = run(*source, "-f", "ansi", "--color", "always", "--width", "120")
    check(f"{tag}: terminal heatmaps identical", a.returncode == 0 and a.stdout == b.stdout, b.stderr.decode()[:200])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, json_path = os.path.join(tmp, "ex.csv"), os.path.join(tmp, "ex.json")
        open(csv_path, "wb").write(run("-f", "csv", EXAMPLE).stdout)
        open(json_path, "wb").write(run("-f", "json", EXAMPLE).stdout)
        d = json.load(open(json_path))
        toks = [t["text"] for t in d["tokens"]]
        W = np.array([[h["weights"] for h in lay["heads"]] for lay in d["layers"]], dtype=np.float32)
        tok_file = os.path.join(tmp, "tokens.txt")
        open(tok_file, "w").write("\n".join(toks) + "\n")
        npys = {"f4": W, "f8": W.astype(np.float64), "fortran": np.asfortranarray(W), "big": W.astype(">f4")}
        for name, arr in npys.items():
            np.save(os.path.join(tmp, name + ".npy"), arr)

        direct = [EXAMPLE]
        views(tmp, "csv", direct, ["--from", csv_path], 16)
        views(tmp, "json", direct, ["--from", json_path], 16)
        views(tmp, "npy-f4", direct, ["--from", os.path.join(tmp, "f4.npy"), "--tokens", tok_file], 16)
        for name in ("f8", "fortran", "big"):
            a = run("-f", "csv", EXAMPLE)
            b = run("--from", os.path.join(tmp, name + ".npy"), "--tokens", tok_file, "-f", "csv")
            check(f"npy {name}: the same CSV", b.returncode == 0 and a.stdout == b.stdout, b.stderr.decode()[:200])
        # fewer dimensions: [heads, q, k] is layer 1, [q, k] layer 1 head 1
        np.save(os.path.join(tmp, "l3.npy"), W[2])
        np.save(os.path.join(tmp, "l3h1.npy"), W[2, 0])
        b = run("--from", os.path.join(tmp, "l3.npy"), "--tokens", " ".join(toks), "-f", "json")
        jb = json.loads(b.stdout) if b.returncode == 0 else {"layers": []}
        check("npy [heads, q, k]: one layer of 4 heads, the same numbers", len(jb["layers"]) == 1 and
              np.array_equal(np.array([h["weights"] for h in jb["layers"][0]["heads"]], dtype=np.float32), W[2]),
              b.stderr.decode()[:200])
        a = run("-f", "png", "-l", "3", "-H", "1", EXAMPLE)
        b = run("--from", os.path.join(tmp, "l3h1.npy"), "--tokens", tok_file, "-f", "png")
        check("npy [q, k]: one head, the pixels of layer 3 head 1 but for the title",
              b.returncode == 0 and pixels(a.stdout).shape == pixels(b.stdout).shape, b.stderr.decode()[:200])
        b = run("--from", os.path.join(tmp, "l3h1.npy"), "--tokens", tok_file, "-f", "png", "--title",
                "Layer 3 \u00b7 Head 1")
        check("npy [q, k] titled as layer 3 head 1: identical pixels",
              b.returncode == 0 and np.array_equal(pixels(a.stdout), pixels(b.stdout)))

        # standard input, selection, aggregate, rollout, focus view
        a = run("-f", "png", "-l", "3", "-H", "1", EXAMPLE)
        b = run("--from", "-", "-f", "png", "-l", "3", "-H", "1", stdin=run("-f", "csv", EXAMPLE).stdout)
        check("attnviz -f csv | attnviz --from - -f png: the pixels of -f png", b.returncode == 0 and
              np.array_equal(pixels(a.stdout), pixels(b.stdout)), b.stderr.decode()[:200])
        for args in (["--aggregate", "mean", "-f", "csv"], ["--aggregate", "max", "-l", "2,4", "-f", "csv"],
                     ["--rollout", "-l", "3", "-f", "csv"], ["-q", "it", "--color", "never"],
                     ["-l", "2-3", "-H", "2", "-f", "csv"]):
            a, b = run(*args, EXAMPLE), run("--from", json_path, *args)
            check(f"--from with {' '.join(args)}: the same as from the model", a.returncode == 0 and
                  a.stdout == b.stdout, b.stderr.decode()[:200])
        b = run("--from", csv_path, "-l", "5")
        check("--from: a layer the file lacks is refused", b.returncode == 2 and b"has no layer 5 (it has layers 1, 2, 3, 4)"
              in b.stderr, b.stderr.decode()[:200])
        agg = os.path.join(tmp, "mean.csv")
        open(agg, "wb").write(run("--aggregate", "mean", "-f", "csv", EXAMPLE).stdout)
        views(tmp, "aggregate-csv", ["--aggregate", "mean", EXAMPLE], ["--from", agg], 4)

        # a causal model: the mask travels in JSON
        causal = ["--seed", "7", "--causal", "--layers", "2", EXAMPLE]
        cj = os.path.join(tmp, "causal.json")
        open(cj, "wb").write(run("-f", "json", *causal).stdout)
        views(tmp, "causal-json", causal, ["--from", cj], 8)
        # cross-attention through CSV (queries and keys differ)
        cross = ["--seed", "3", "--source", "Le chat noir dort sur le tapis .", "The black cat sleeps ."]
        cc = os.path.join(tmp, "cross.csv")
        open(cc, "wb").write(run("-f", "csv", *cross).stdout)
        views(tmp, "cross-csv", cross, ["--from", cc], 4)

        # rows that do not sum to 1: drawn as they are, with a note everywhere
        rng = np.random.default_rng(5)
        M = rng.uniform(0.0, 0.5, size=(2, 6, 6)).astype(np.float32)
        np.save(os.path.join(tmp, "raw.npy"), M)
        src = ["--from", os.path.join(tmp, "raw.npy"), "--tokens", "a b c d e f"]
        b = run(*src, "-f", "json")
        jb = json.loads(b.stdout) if b.returncode == 0 else {}
        check("rows not summing to 1: the weights as they are", b.returncode == 0 and
              np.array_equal(np.array([h["weights"] for h in jb["layers"][0]["heads"]], dtype=np.float32), M))
        check("rows not summing to 1: JSON note", "rows do not sum to 1" in jb.get("note", ""), jb.get("note"))
        b = run(*src, "--color", "never")
        check("rows not summing to 1: terminal note", b.stdout.startswith(b"note: rows do not sum to 1 (from "),
              b.stdout[:80])
        b = run(*src, "-f", "png", "--grid")
        note = Image.open(io.BytesIO(b.stdout)).text.get("attnviz:note", "") if b.returncode == 0 else ""
        check("rows not summing to 1: PNG note", "rows do not sum to 1" in note, note)
        b = run(*src, "-f", "svg", "-H", "1")
        check("rows not summing to 1: SVG caption", b'class="note"' in b.stdout and b"rows do not sum to 1" in b.stdout)
        b = run(*src, "-f", "csv")
        check("rows not summing to 1: CSV note on stderr", b.returncode == 0 and
              b.stderr.startswith(b"attnviz: note: rows do not sum to 1"), b.stderr[:100])
        b = run("--from", json_path, "--overview", "--color", "never")
        check("--from: the overview names the file", b.stdout.startswith(b"attention read from ex.json (4 layers \xc3\x97 4 heads)"),
              b.stdout[:80])
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
