#!/usr/bin/python3
"""Renders one attention head of the example sentence twice, with attnviz
(-f png) and with matplotlib (imshow, same colormap, same 0..max scale), and
saves both into docs/ (compare-attnviz.png, compare-matplotlib.png). Then
samples every cell centre in both images and prints how far the colours are
apart.

    scripts/compare_matplotlib.py [--attnviz ./attnviz] [--head 1] [--colormap viridis]
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = "The animal didn't cross the street because it was too tired."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--attnviz", default=os.path.join(ROOT, "attnviz"))
    ap.add_argument("--head", type=int, default=1)
    ap.add_argument("--colormap", default="viridis")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    a = ap.parse_args()
    sel = ["-l", "1", "-H", str(a.head), "--colormap", a.colormap]

    p = subprocess.run([a.attnviz, "-f", "csv", *sel, EXAMPLE], capture_output=True, check=True)
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode())))
    n = max(int(r["query_index"]) for r in rows) + 1
    m = np.zeros((n, n))
    toks = [""] * n
    for r in rows:
        m[int(r["query_index"]), int(r["key_index"])] = float(r["weight"])
        toks[int(r["query_index"])] = r["query_token"]

    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp()
    # a relative -o keeps the command line in the PNG's metadata reproducible
    subprocess.run([os.path.abspath(a.attnviz), "-f", "png", *sel, "-o", "out", EXAMPLE],
                   check=True, cwd=tmp)
    ours = os.path.join(a.out, "compare-attnviz.png")
    shutil.copyfile(os.path.join(tmp, "out", f"layer1-head{a.head}.png"), ours)
    shutil.rmtree(tmp)

    # matplotlib, at the same pixel size and dpi
    img = Image.open(ours)
    dpi = 96
    fig, ax = plt.subplots(figsize=(img.size[0] / dpi, img.size[1] / dpi), dpi=dpi)
    mpl_name = {"grays": "Greys"}.get(a.colormap, a.colormap)
    im = ax.imshow(m, cmap=mpl_name, vmin=0, vmax=m.max(), interpolation="nearest")
    ax.set_xticks(range(n), toks, rotation=90)
    ax.set_yticks(range(n), toks)
    ax.set_xlabel("key \u2192")
    ax.set_ylabel("query \u2193")
    ax.set_title(f"Layer 1 \u00b7 Head {a.head}")
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.tight_layout()
    theirs = os.path.join(a.out, "compare-matplotlib.png")
    fig.savefig(theirs, dpi=dpi)

    # cell centres in both images
    fig.canvas.draw()
    mpl_px = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)
    h = mpl_px.shape[0]
    ours_px = np.asarray(img.convert("RGB")).astype(int)
    _, _, x0, y0, cell, _, _ = map(int, img.text["attnviz:cells"].split("\n")[0].split())
    diffs = []
    for q in range(n):
        for k in range(n):
            x, y = ax.transData.transform((k, q))
            c_mpl = mpl_px[int(round(h - y)), int(round(x))]
            c_ours = ours_px[y0 + q * cell + cell // 2, x0 + k * cell + cell // 2]
            diffs.append(np.abs(c_mpl - c_ours).max())
    diffs = np.array(diffs)
    print(f"attnviz:    {ours} ({img.size[0]}x{img.size[1]})")
    print(f"matplotlib: {theirs}")
    print(f"cell colours: max difference {diffs.max()}/255, mean {diffs.mean():.2f}, "
          f"{(diffs == 0).mean() * 100:.0f}% identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
