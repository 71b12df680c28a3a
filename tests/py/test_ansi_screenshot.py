#!/usr/bin/python3
"""scripts/ansi_screenshot.py: the ANSI parser and the PNG renderer, checked
on small known streams (pixel colours, cell geometry, wide characters,
auto-wrap, block elements, the xterm 256 palette with xterm's own values),
determinism (same bytes twice, and from a second process), the direct way
against a real terminal emulator (tmux, when installed), and that the
README screenshots in docs/ are what attnviz prints today.

Prints PASS/FAIL/SKIP lines."""
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile
import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "ansi_screenshot.py")
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
EXAMPLE = "The animal didn't cross the street because it was too tired."
DOCS = [("terminal-heatmap.png", ["-l", "3"]), ("terminal-focus.png", ["-l", "3", "-q", "it"])]

try:
    from PIL import Image
except ImportError as e:
    print(f"SKIP ansi_screenshot: {e} (needs python3-pil)")
    sys.exit(0)
if not os.path.exists("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"):
    print("SKIP ansi_screenshot: needs fonts-dejavu-core")
    sys.exit(0)

spec = importlib.util.spec_from_file_location("ansi_screenshot", SCRIPT)
shot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shot)

BG = (0x1E, 0x1E, 0x1E)


def image(text, cols, scale=1):
    return Image.open(io.BytesIO(shot.screenshot(text, cols, scale))).convert("RGB")


def geometry(scale=1):
    f = shot.Fonts(scale)
    off = max(1, round(scale)) + round(12 * scale)   # frame + padding
    return f.cw, f.lh, off


def cell_pixels(img, col, row, scale=1):
    """Every pixel of one cell."""
    cw, lh, off = geometry(scale)
    x0, y0 = off + col * cw, off + row * lh
    return [img.getpixel((x, y)) for y in range(y0, y0 + lh) for x in range(x0, x0 + cw)]


def main():
    # 1. the brief's example: two red cells, then 'A' on the default background
    text = "\x1b[48;2;255;0;0m  \x1b[0mA"
    img = image(text, 10)
    for c in (0, 1):
        px = set(cell_pixels(img, c, 0))
        check(f"red cell {c}: every pixel (255,0,0)", px == {(255, 0, 0)}, f"{sorted(px)[:4]}")
    px = cell_pixels(img, 2, 0)
    check("'A' after reset: default background in the cell corners", px[0] == BG and px[-1] == BG,
          f"{px[0]} {px[-1]}")
    check("'A' is drawn in the default foreground", (0xD4, 0xD4, 0xD4) in px,
          f"brightest {max(px)}")
    check("nothing red past the reset", (255, 0, 0) not in px + cell_pixels(img, 3, 0))

    # 2. determinism: same bytes twice, and from another process via -i
    a, b = shot.screenshot(text, 10, 2), shot.screenshot(text, 10, 2)
    check("deterministic: same bytes twice", a == b)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.ansi"), os.path.join(tmp, "out.png")
        open(src, "w", encoding="utf-8").write(text)
        p = subprocess.run(["/usr/bin/python3", SCRIPT, "--cols", "10", "--scale", "2",
                            "-i", src, "-o", out], capture_output=True)
        same = p.returncode == 0 and open(out, "rb").read() == a
        check("deterministic: same bytes from a second process (-i)", same,
              p.stderr.decode()[-200:])

    # 3. geometry: DejaVu Sans Mono advances 1233/2048 em -> 8.43 px at 14 px
    # (cell 8), 16.86 px at 28 px (cell 17); lines 1.25 x size; 12 px padding
    # and a 1 px frame per scale unit
    check("cell 8x18 at scale 1", geometry(1)[:2] == (8, 18), f"{geometry(1)}")
    check("cell 17x35 at scale 2", geometry(2)[:2] == (17, 35), f"{geometry(2)}")
    img = image("x\ny", 100, 2)
    check("100 cols x 2 rows at scale 2 is 1752x122", img.size == (1752, 122), f"{img.size}")

    # 4. xterm 256 palette, against xterm's published values
    want = {0: (0, 0, 0), 1: (205, 0, 0), 12: (92, 92, 255), 16: (0, 0, 0), 21: (0, 0, 255),
            110: (0x87, 0xAF, 0xD7), 196: (255, 0, 0), 231: (255, 255, 255),
            232: (8, 8, 8), 244: (128, 128, 128), 255: (238, 238, 238)}
    bad = {n: shot.xterm256(n) for n, v in want.items() if shot.xterm256(n) != v}
    check("xterm 256 palette: system, cube, grey ramp", not bad, f"{bad}")
    img = image("\x1b[48;5;110m \x1b[38;5;196;48;5;244m█\x1b[49m \x1b[0m", 5)
    got = [cell_pixels(img, c, 0)[0] for c in range(3)]
    check("48;5 / 38;5 / 49 on the grid", got == [(0x87, 0xAF, 0xD7), (255, 0, 0), BG], f"{got}")

    # 5. block elements tile without seams; ▀ splits the cell; dim blends
    img = image("\x1b[38;2;0;200;0m█████\x1b[0m", 6)
    px = set(p for c in range(5) for p in cell_pixels(img, c, 0))
    check("a run of █ is one solid green rectangle", px == {(0, 200, 0)}, f"{sorted(px)[:4]}")
    img = image("\x1b[38;2;255;0;0;48;2;0;0;255m▀▀\x1b[0m", 4)
    cw, lh, off = geometry()
    col = [img.getpixel((off + 3, off + y)) for y in range(lh)]
    check("▀: upper half fg, lower half bg, nothing else",
          col == [(255, 0, 0)] * (lh // 2) + [(0, 0, 255)] * (lh - lh // 2), f"{col}")
    row = [img.getpixel((off + x, off + 1)) for x in range(2 * cw)]
    check("▀▀: no seam between the cells", set(row) == {(255, 0, 0)}, f"{set(row)}")
    img = image("\x1b[2;38;2;200;100;0m█\x1b[22m█\x1b[0m", 3)
    got = [cell_pixels(img, c, 0)[0] for c in range(2)]
    check("dim: fg halfway to #1e1e1e, 22 undoes it",
          got == [(115, 65, 15), (200, 100, 0)], f"{got}")
    img = image("\x1b[38;2;0;0;0;48;2;255;255;255m▕▏\x1b[0m", 3)
    r0 = [img.getpixel((off + x, off + 5)) for x in range(2 * cw)]
    check("▕▏: one-eighth bars meet at the cell edge",
          r0 == [(255, 255, 255)] * (cw - 1) + [(0, 0, 0)] * 2 + [(255, 255, 255)] * (cw - 1),
          f"{r0}")

    # 6. the parser: wide and combining characters, wrap, other escapes
    rows = shot.parse_ansi("猫x", 10)
    check("wide character takes 2 cells", [c[0] for c in rows[0][:3]] == ["猫", "", "x"],
          f"{[c[0] for c in rows[0][:3]]}")
    rows = shot.parse_ansi("e\u0301x", 10)
    check("combining mark takes 0 cells", [c[0] for c in rows[0][:2]] == ["e\u0301", "x"])
    rows = shot.parse_ansi("abcde", 3)
    check("auto-wrap at the right margin",
          ["".join(c[0] for c in r) for r in rows] == ["abc", "de "])
    rows = shot.parse_ansi("abc\nd", 3)
    check("a full line then \\n: no blank line", len(rows) == 2, f"{len(rows)} rows")
    rows = shot.parse_ansi("ab猫", 3)
    check("a wide character that does not fit wraps whole",
          [c[0] for c in rows[1][:2]] == ["猫", ""], f"{[[c[0] for c in r] for r in rows]}")
    rows = shot.parse_ansi("\x1b]0;title\x07\x1b[2J\x1b[H\x1b(BX\x1b[1mY\x1b[0m", 5)
    check("other escapes skipped; bold tracked",
          [(c[0], c[3]) for c in rows[0][:2]] == [("X", False), ("Y", True)], f"{rows[0][:2]}")

    # 7. the direct way equals a real terminal emulator's screen (tmux); the
    # heatmap ends lines with coloured spaces, which tmux drops without -N
    if not os.access(ATTNVIZ, os.X_OK):
        print(f"SKIP tmux-equals-direct: no attnviz binary at {ATTNVIZ}")
        print(f"SKIP docs-screenshots: no attnviz binary at {ATTNVIZ}")
        return suite.status()
    with tempfile.TemporaryDirectory() as tmp:
        def run(name, *args):
            out = os.path.join(tmp, name)
            p = subprocess.run(["/usr/bin/python3", SCRIPT, "--scale", "2", "-o", out, *args],
                               capture_output=True, env=dict(os.environ, ATTNVIZ=ATTNVIZ))
            return (open(out, "rb").read() if p.returncode == 0 else None), p.stderr.decode()

        if shutil.which("tmux"):
            d, e1 = run("direct.png", "--", "-l", "3", EXAMPLE)
            t, e2 = run("tmux.png", "--tmux", "--", "-l", "3", EXAMPLE)
            check("tmux-equals-direct: heatmap, same PNG bytes", d is not None and d == t,
                  (e1 + e2)[-300:])
        else:
            print("SKIP tmux-equals-direct: tmux not installed")

        # 8. docs/ screenshots are current, and show the colour scale's top
        for name, extra in DOCS:
            cur, err = run(name, "--", "--color", "always", "--width", "100", *extra, EXAMPLE)
            path = os.path.join(ROOT, "docs", name)
            if cur is None or not os.path.exists(path):
                check(f"docs/{name} is current", False, f"missing, or {err[-200:]}")
                continue
            a = Image.open(path).convert("RGB")
            b = Image.open(io.BytesIO(cur)).convert("RGB")
            check(f"docs/{name} is current (rerun the README command)",
                  a.size == b.size and a.tobytes() == b.tobytes(), f"{a.size} vs {b.size}")
            # the largest weight gets viridis(1.0) = #fde725 (matplotlib's table)
            colours = {c for _, c in a.getcolors(1 << 20)}
            check(f"docs/{name} shows viridis(1.0) = (253,231,37)", (253, 231, 37) in colours)

        # 9. the first screen in the README: a real 80 x 50 tmux pane (issue 17)
        path = os.path.join(ROOT, "docs", "terminal-first-screen.png")
        if not shutil.which("tmux"):
            print("SKIP docs/terminal-first-screen.png is current: tmux not installed")
        else:
            cur, err = run("first.png", "--tmux", "--cols", "80", "--rows", "50", "--", EXAMPLE)
            check("docs/terminal-first-screen.png is current (rerun the README command)",
                  cur is not None and os.path.exists(path) and open(path, "rb").read() == cur, err[-200:])
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
