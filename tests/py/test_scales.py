#!/usr/bin/python3
"""Colour scales (--norm all|layer|head|row, --vmin/--vmax, --log), checked
from the outside and against the contract in src/render/scale.h: for every
scale, the colour of every cell in the terminal (truecolor --values), the
PNG (pixel at the cell's centre, from "attnviz:cells") and the SVG (the
<rect> fill) is the colour the weight gets when the scale is computed here
from the weights of -f json (numpy) and mapped with matplotlib's colormap
tables; and the three views agree cell by cell. The captions say which
scale (terminal caption, PNG "attnviz:scale", SVG caption line), and bad
values are refused.

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
    import matplotlib  # noqa: F401 (mpl_colours needs it)
    from mpl_colours import expected_rgb, lut
except ImportError as e:
    print(f"SKIP scales: {e} (needs python3-pil, python3-numpy, python3-matplotlib)")
    sys.exit(0)


def expected_t(W, norm, vmin=None, vmax=None, log=False):
    """scale.h's contract, written again: W is [L, H, q, k] (float32)."""
    W = W.astype(np.float64)
    L, H, Q, K = W.shape
    if vmin is not None and vmax is not None:
        norm = "all"
    if norm == "all":
        hi = np.full((L, H, Q, 1), W.max())
    elif norm == "layer":
        hi = np.broadcast_to(W.max(axis=(1, 2, 3), keepdims=True), (L, H, Q, 1))
    elif norm == "head":
        hi = np.broadcast_to(W.max(axis=(2, 3), keepdims=True), (L, H, Q, 1))
    else:
        hi = W.max(axis=3, keepdims=True)
    hi = hi.astype(np.float32).astype(np.float64)
    if vmax is not None:
        hi = np.full_like(hi, vmax)
    if vmin is not None:
        lo = np.full_like(hi, vmin)
    elif log:
        lo = (hi.astype(np.float32) / np.float32(1000)).astype(np.float64)
    else:
        lo = np.zeros_like(hi)
    if log:
        t = np.where(W <= lo, 0.0, np.log(np.maximum(W, 1e-300) / lo) / np.log(hi / lo))
    else:
        t = (W - lo) / (hi - lo)
    t = np.clip(t, 0, 1).astype(np.float32).astype(np.float64)
    return t


def weights(args):
    p = run("-f", "json", *args)
    d = json.loads(p.stdout)
    W = np.array([[h["weights"] for h in lay["heads"]] for lay in d["layers"]], dtype=np.float32)
    return W


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def ansi_colours(out, L, H, Q, K):
    """Cell colours of a truecolor --values terminal view: a line of cells has
    H * K numbers of 5 columns, each on the background set by the SGR state."""
    rows = []
    for line in out.split("\n"):
        bg, cells, pos = None, [], 0
        for m in list(SGR.finditer(line)) + [None]:
            text = line[pos:m.start() if m else len(line)]
            for num in re.finditer(r"[ -][0-9 ][0-9.<>]{3}", text):
                if re.fullmatch(r" *[0-9.]+| +[<>]9| +<0", num.group()) and bg is not None:
                    cells.append(bg)
            if m is None:
                break
            pos = m.end()
            p = [int(x) for x in m.group(1).split(";") if x] or [0]
            i = 0
            while i < len(p):
                if p[i] == 0:
                    bg = None
                elif p[i] == 48 and p[i + 1] == 2:
                    bg = tuple(p[i + 2:i + 5])
                    i += 4
                elif p[i] == 38 and p[i + 1] == 2:
                    i += 4
                elif p[i] == 49:
                    bg = None
                i += 1
        if cells and len(cells) % K == 0:
            rows.append(cells)
    maps = []  # heads go side by side in bands of Q lines
    for b in range(0, len(rows), Q):
        band = np.array(rows[b:b + Q])
        if band.shape[0] != Q:
            return None
        maps += [band[:, j * K:(j + 1) * K] for j in range(band.shape[1] // K)]
    if len(maps) != L * H:
        return None
    return np.array(maps).reshape(L, H, Q, K, 3)


def png_colours(path, L, H, Q, K):
    img = Image.open(path)
    px = np.asarray(img.convert("RGB")).astype(int)
    out = np.zeros((L, H, Q, K, 3), dtype=int)
    cells = [list(map(int, l.split())) for l in img.text["attnviz:cells"].split("\n")]
    for i, (layer, head, x, y, cell, n_q, n_k) in enumerate(cells):
        li, hi = divmod(i, H)
        ys = y + cell // 2 + cell * np.arange(n_q)[:, None]
        xs = x + cell // 2 + cell * np.arange(n_k)[None, :]
        out[li, hi] = px[ys, xs]
    return out, img.text


def svg_colours(text, L, H, Q, K):
    out = np.zeros((L, H, Q, K, 3), dtype=int)
    groups = re.findall(r'<g class="matrix"[^>]*>(.*?)</g>', text, re.S)
    if len(groups) != L * H:
        return None
    for i, g in enumerate(groups):
        fills = re.findall(r'<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="#([0-9a-f]{6})"', g)
        if len(fills) != Q * K:
            return None
        a = np.array([[int(f[j:j + 2], 16) for j in (0, 2, 4)] for f in fills]).reshape(Q, K, 3)
        out[divmod(i, H)] = a
    return out


def case(tmp, name, model_args, scale_args, norm, vmin=None, vmax=None, log=False, cmap="viridis"):
    W = weights(model_args)
    L, H, Q, K = W.shape
    want = expected_rgb(lut(cmap), expected_t(W, norm, vmin, vmax, log))
    extra = list(scale_args) + (["--colormap", cmap] if cmap != "viridis" else [])
    p = run("-f", "ansi", "--color", "always", "--values", "--width", "2000", *extra, *model_args)
    a = ansi_colours(p.stdout.decode(), L, H, Q, K) if p.returncode == 0 else None
    png = os.path.join(tmp, name + ".png")
    q = run("-f", "png", "--grid", "-o", png, *extra, *model_args)
    b, chunks = png_colours(png, L, H, Q, K) if q.returncode == 0 else (None, {})
    r = run("-f", "svg", "--grid", *extra, *model_args)
    svg = r.stdout.decode()
    c = svg_colours(svg, L, H, Q, K) if r.returncode == 0 else None
    for view, got in (("terminal", a), ("png", b), ("svg", c)):
        if got is None:
            check(f"{name}: {view} renders", False, (p.stderr + q.stderr + r.stderr).decode()[-300:])
            continue
        err = np.abs(got - want).max()
        check(f"{name}: {view} colours follow the scale ({L}x{H} heads, {Q}x{K})", err <= 1,
              f"largest difference {err} at {np.unravel_index(np.abs(got - want).argmax(), got.shape)}")
    if a is not None and b is not None and c is not None:
        check(f"{name}: terminal, PNG and SVG give the same colour to every cell",
              (a == b).all() and (b == c).all(), f"{(a != b).sum()} / {(b != c).sum()} components differ")
    return p.stdout.decode(), chunks, svg


def main():
    tiny = ["-m", os.path.join(ROOT, "data", "tiny-2head.json"), "the cat sat"]
    ex = ["-l", "2-3", EXAMPLE]
    with tempfile.TemporaryDirectory() as tmp:
        out, chunks, svg = case(tmp, "tiny-all", tiny, [], "all")
        check("tiny-all: terminal caption names the shared scale",
              "0 to max weight, shared by all heads" in out.replace("\n", " "), out[-300:])
        check("tiny-all: PNG names the scale", chunks.get("attnviz:scale") == "0 to max weight, shared by all heads",
              chunks.get("attnviz:scale"))
        check("tiny-all: default SVG has no scale caption line", 'class="note"' not in svg)
        for norm in ("layer", "head", "row"):
            out, chunks, svg = case(tmp, f"ex-{norm}", ex, ["--norm", norm], norm)
            want = f"0 to max weight of each {norm}"
            flat = " ".join(out.split())
            check(f"ex-{norm}: terminal caption says '{want}'", want in flat, flat[-200:].replace("\n", "|"))
            check(f"ex-{norm}: PNG attnviz:scale says it", chunks.get("attnviz:scale") == want,
                  chunks.get("attnviz:scale"))
            check(f"ex-{norm}: SVG caption line says it",
                  f'class="note"' in svg and f"colour scale: {want}" in svg)
            check(f"ex-{norm}: terminal colour bar reads 0 to max", re.search(r"\n0 ▕.*▏ max", out) is not None,
                  out[-120:].replace("\n", "|"))
            check(f"ex-{norm}: SVG colour bar labelled as a fraction of the maximum",
                  "max of each " + norm in svg)
        out, chunks, svg = case(tmp, "ex-fixed-0-1", ex, ["--vmin", "0", "--vmax", "1"], "all", 0.0, 1.0)
        check("ex-fixed-0-1: caption 'fixed, 0 to 1'", "fixed, 0 to 1" in " ".join(out.split()))
        check("ex-fixed-0-1: terminal bar 0.00 to 1.00", re.search(r"\n0\.00 ▕.*▏ 1\.00", out) is not None)
        case(tmp, "ex-vmax-0.5-head", ex, ["--vmax", "0.5", "--norm", "head"], "head", None, 0.5)
        case(tmp, "ex-vmin-0.2", ex, ["--vmin", "0.2"], "all", 0.2, None)
        out, chunks, svg = case(tmp, "ex-log", ex, ["--log"], "all", None, None, True)
        check("ex-log: caption says log", "log, max/1000 to max weight" in " ".join(out.split()))
        check("ex-log: SVG bar ticks are powers of ten", ">0.001<" in svg and ">0.1<" in svg)
        case(tmp, "ex-log-row-magma", ex, ["--log", "--norm", "row"], "row", None, None, True, "magma")
        case(tmp, "ex-log-fixed", ex, ["--log", "--vmin", "0.01", "--vmax", "1"], "all", 0.01, 1.0, True)

        # one head, per-head scale: every figure's own maximum is the top colour
        d = os.path.join(tmp, "heads")
        p = run("-f", "png", "--norm", "head", "-l", "4", "-o", d, EXAMPLE)
        tops = []
        for h in range(1, 5):
            path = os.path.join(d, f"layer4-head{h}.png")
            if os.path.exists(path):
                img = Image.open(path)
                _, _, x, y, cell, n_q, n_k = map(int, img.text["attnviz:cells"].split())
                m = img.convert("RGB").crop((x, y, x + cell * n_k, y + cell * n_q))
                tops.append((253, 231, 37) in {c for _, c in m.getcolors(1 << 20)})
        check("--norm head: every head's figure reaches viridis(1.0)", p.returncode == 0 and tops == [True] * 4,
              p.stderr.decode() + str(tops))
        p = run("-f", "png", "-l", "4", "-o", os.path.join(tmp, "shared"), EXAMPLE)
        tops = []
        for h in range(1, 5):
            img = Image.open(os.path.join(tmp, "shared", f"layer4-head{h}.png"))
            _, _, x, y, cell, n_q, n_k = map(int, img.text["attnviz:cells"].split())
            m = img.convert("RGB").crop((x, y, x + cell * n_k, y + cell * n_q))
            tops.append((253, 231, 37) in {c for _, c in m.getcolors(1 << 20)})
        check("--norm all: only the strongest head of layer 4 reaches the top colour", tops.count(True) == 1,
              str(tops))

        # the focus view's bars follow the scale too
        p = run("--color", "never", "-q", "it", "-l", "4", "--norm", "head", EXAMPLE)
        check("focus view: --norm head names the scale", "of each head" in " ".join(p.stdout.decode().split()),
              p.stdout.decode()[:200].replace("\n", "|"))

    # refusals
    for name, args, pat in [
        ("vmin-above-vmax", ["--vmin", "0.5", "--vmax", "0.2"], "vmin"),
        ("log-vmin-0", ["--log", "--vmin", "0"], "--log"),
        ("norm-bogus", ["--norm", "cells"], "--norm"),
        ("vmax-not-a-number", ["--vmax", "high"], "--vmax"),
        ("norm-with-csv", ["--norm", "head", "-f", "csv"], "--norm"),
        ("log-with-json", ["--log", "-f", "json"], "--log"),
    ]:
        p = run(*args, EXAMPLE)
        err = p.stderr.decode()
        check(f"refused: {name}", p.returncode == 2 and err.count("\n") == 1 and pat in err and not p.stdout,
              f"exit {p.returncode}: {err.strip()}")
    p = run("--norm", "HEAD", "-f", "ANSI", "--color", "never", "-l", "1", EXAMPLE)
    check("--norm and -f values in any case", p.returncode == 0, p.stderr.decode())
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
