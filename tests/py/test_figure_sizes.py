#!/usr/bin/python3
"""Figures that grow with the input (issue 17): PNG cells keep a least size
(--cell, default 10 pixels) so the image grows with the tokens and every
label is drawn, until the matrices span 6000 pixels; SVG embeds a matrix of
more than 4096 cells as one PNG <image>, so a 1,000-token head is under
5 MB, is well-formed XML, and rsvg-convert draws it with every cell's
centre in the colour of the PNG figure; a 12 x 12 grid of 217 tokens stays
small. Prints the sizes it measured ("# ...").

Prints PASS/FAIL/SKIP lines."""
import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import suite
from runner import run
from suite import check

try:
    import numpy as np
    from PIL import Image
except ImportError as e:
    print(f"SKIP figure-sizes: {e} (needs python3-numpy, python3-pil)")
    sys.exit(0)

EXAMPLE = "The animal didn't cross the street because it was too tired."


def words(n, seed):
    rnd = random.Random(seed)
    w = "the animal did not cross the street because it was too tired and the dog barked".split()
    return " ".join(rnd.choice(w) for _ in range(n))


def cells(png):
    img = Image.open(io.BytesIO(png))
    return img, [list(map(int, l.split())) for l in img.text["attnviz:cells"].split("\n")]


def main():
    sizes = {}
    p = run("-f", "png", "-l", "3", "-H", "1", EXAMPLE)
    img, c = cells(p.stdout)
    check("16 tokens: 30-pixel cells, the figure as before (656 x 644)", c[0][4] == 30 and img.size == (656, 644),
          (c[0][4], img.size))
    for n in (300, 1000):
        s = words(n, n)
        png = run("--seed", "42", "-l", "1", "-H", "1", "-f", "png", s)
        svg = run("--seed", "42", "-l", "1", "-H", "1", "-f", "svg", s)
        img, c = cells(png.stdout)
        sizes[n] = (img.size, len(png.stdout), len(svg.stdout))
        print(f"# {n} tokens: PNG {img.size[0]}x{img.size[1]}, {len(png.stdout)} bytes; SVG {len(svg.stdout)} bytes")
        text = svg.stdout.decode()
        qlabels = len(re.findall(r'<text class="qlabel"', text))
        if n == 300:
            check("300 tokens: PNG cells stay 10 pixels, the image grows past 3000 pixels",
                  c[0][4] == 10 and img.size[0] > 3000, (c[0][4], img.size))
            check("300 tokens: every query and key label is drawn", qlabels == 300 and
                  len(re.findall(r'<text class="klabel"', text)) == 300, qlabels)
        else:
            check("1000 tokens: matrix capped at 6000 pixels (6-pixel cells), every 2nd label",
                  c[0][4] == 6 and c[0][4] * 1000 == 6000 and qlabels == 500, (c[0][4], qlabels))
            check("1000 tokens: the SVG is under 5 MB", len(svg.stdout) < 5_000_000, len(svg.stdout))
        groups = re.findall(r'<g class="matrix"[^>]*>(.*?)</g>', text, re.S)
        check(f"{n} tokens: the SVG matrix is one embedded image, no cell elements", len(groups) == 1 and
              groups[0].count("<image ") == 1 and "<rect" not in groups[0], len(groups))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "f.svg")
            open(path, "wb").write(svg.stdout)
            if shutil.which("xmllint"):
                x = subprocess.run(["xmllint", "--noout", path], capture_output=True)
                check(f"{n} tokens: the SVG is well-formed XML (xmllint)", x.returncode == 0, x.stderr[:200])
            if n == 1000 and not shutil.which("rsvg-convert"):
                print("SKIP rsvg-convert-draws-1000: rsvg-convert not installed (librsvg2-bin, scripts/deps.sh test)")
            elif n == 1000:
                out = os.path.join(tmp, "r.png")
                r = subprocess.run(["rsvg-convert", path, "-o", out], capture_output=True)
                ok = r.returncode == 0 and os.path.exists(out)
                check("1000 tokens: rsvg-convert draws the SVG", ok, r.stderr[:200])
                if ok:
                    a = np.asarray(img.convert("RGB")).astype(int)
                    b = np.asarray(Image.open(out).convert("RGB")).astype(int)
                    _, _, x0, y0, cell, nq, nk = c[0]
                    ys = y0 + cell // 2 + cell * np.arange(nq)[:, None]
                    xs = x0 + cell // 2 + cell * np.arange(nk)[None, :]
                    check("1000 tokens: rsvg-convert's cells have the PNG's colours at their centres",
                          a.shape == b.shape and np.abs(a[ys, xs] - b[ys, xs]).max() <= 1,
                          (a.shape, b.shape))
    p = run("--seed", "42", "-l", "1", "-H", "1", "--cell", "40", "-f", "png", EXAMPLE)
    img, c = cells(p.stdout)
    check("--cell 40: 12 tokens get 40-pixel cells", c[0][4] == 40, c[0][4])
    p = run("--seed", "42", "-l", "1", "-H", "1", "--cell", "3", "-f", "svg", words(300, 3))
    check("--cell 3 at 300 tokens: cells of 3, labels thinned", p.returncode == 0 and
          len(re.findall(rb'<text class="qlabel"', p.stdout)) == 75)
    s = words(217, 217)
    g = run("--seed", "42", "--layers", "12", "--heads", "12", "--dim", "144", "--grid", "-f", "svg", s)
    print(f"# 12 x 12 grid of 217 tokens: SVG {len(g.stdout)} bytes")
    check("12 x 12 grid of 217 tokens: SVG under 10 MB, 144 images", g.returncode == 0 and len(g.stdout) < 10_000_000
          and g.stdout.count(b"<image ") == 144, (len(g.stdout), g.stderr[:200]))
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
