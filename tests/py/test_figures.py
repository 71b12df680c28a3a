#!/usr/bin/python3
"""PNG figures, checked from the outside: decodes attnviz's PNGs with PIL and
compares every cell's colour with matplotlib's colormap tables applied to the
weights attnviz prints as CSV; checks sizes, pHYs, text chunks, the golden
hashes of the pixel data, and the 12 heads x 32 tokens timing. The figures
are of the generated model, --seed 42, which the goldens were made with.

Prints PASS/FAIL/SKIP lines. UPDATE_GOLDEN=1 rewrites tests/golden/figures/
png_pixels.sha256 (only after looking at the images)."""
import csv
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
GOLDEN = os.path.join(ROOT, "tests", "golden", "figures", "png_pixels.sha256")
EXAMPLE = "The animal didn't cross the street because it was too tired."

try:
    import numpy as np
    from PIL import Image
    import matplotlib  # noqa: F401 (mpl_colours needs it)
    from mpl_colours import expected_rgb, lut
except ImportError as e:
    print(f"SKIP figures: {e} (needs python3-pil, python3-numpy, python3-matplotlib)")
    sys.exit(0)



def run(*args, env=None):
    return subprocess.run([ATTNVIZ, *args], capture_output=True, env=env)


def chunks(data):
    """(type, payload) of every PNG chunk, CRC checked."""
    out, pos = [], 8
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        typ, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        import zlib
        if zlib.crc32(typ + body) != crc:
            raise ValueError("bad CRC in " + typ.decode())
        out.append((typ.decode(), body))
        pos += 12 + n
    return out


def weights(extra):
    """{(layer, head): n_q x n_k array} and the token lists from -f csv."""
    p = run("--seed", "42", "-f", "csv", *extra, EXAMPLE)
    rows = list(csv.DictReader(io.StringIO(p.stdout.decode())))
    heads, qtok = {}, {}
    for r in rows:
        key = (int(r["layer"]), int(r["head"]))
        heads.setdefault(key, []).append((int(r["query_index"]), int(r["key_index"]), float(r["weight"])))
        qtok[int(r["query_index"])] = r["query_token"]
    out = {}
    for key, cells in heads.items():
        n_q = max(c[0] for c in cells) + 1
        n_k = max(c[1] for c in cells) + 1
        m = np.zeros((n_q, n_k))
        for q, k, w in cells:
            m[q, k] = w
        out[key] = m
    return out, [qtok[i] for i in sorted(qtok)]


def check_colours(tag, png_path, mats, cmap, causal=False):
    img = Image.open(png_path)
    px = np.asarray(img.convert("RGBA")).astype(int)
    cells = [list(map(int, l.split())) for l in img.text["attnviz:cells"].split("\n")]
    vmax = max(m.max() for m in mats.values()) if not causal else max(
        np.where(np.tril(np.ones_like(m)) > 0, m, 0).max() for m in mats.values())
    table = lut(cmap)
    worst, top_ok = 0, None
    for layer, head, x, y, cell, n_q, n_k in cells:
        m = mats[(layer, head)]
        # independent geometry check: the frame (dark) hugs the matrix
        frame = px[y + cell // 2, x - 1, :3], px[y + n_q * cell, x + cell // 2, :3]
        check(f"{tag}: frame around matrix L{layer}H{head}", all(f.max() < 80 for f in frame),
              f"frame pixels {frame}")
        centres = px[y + cell // 2 + cell * np.arange(n_q)[:, None], x + cell // 2 + cell * np.arange(n_k)[None, :], :3]
        want = expected_rgb(table, m / vmax)
        mask = np.tril(np.ones((n_q, n_k), bool)) if causal else np.ones((n_q, n_k), bool)
        worst = max(worst, int(np.abs(centres - want)[mask].max()))
        if causal:
            masked = centres[~mask]
            check(f"{tag}: masked cells gray L{layer}H{head}", masked.size == 0 or (
                (masked[:, 0] == masked[:, 1]).all() and (masked[:, 1] == masked[:, 2]).all()))
        if np.isclose(m.max(), vmax, rtol=0, atol=1e-9):
            q, k = np.unravel_index(np.argmax(np.where(mask, m, -1)), m.shape)
            top = np.floor(table[255] * 255 + 0.5).astype(int)
            top_ok = bool((centres[q, k] == top).all())
    check(f"{tag}: every cell's colour is {cmap}(w / max) (max diff {worst})", worst <= 1)
    if top_ok is not None:  # only the figure holding the largest weight
        check(f"{tag}: the largest weight has {cmap}'s top colour exactly", top_ok)
    return top_ok


def main():
    if not os.access(ATTNVIZ, os.X_OK):
        print(f"FAIL figures: no binary {ATTNVIZ}")
        return 1
    tmp = tempfile.mkdtemp(prefix="attnviz_fig_")
    mats, tokens = weights([])
    d = os.path.join(tmp, "heads")
    p = run("--seed", "42", "-f", "png", "-o", d, EXAMPLE)
    check("png: example renders", p.returncode == 0, p.stderr.decode())
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    want = sorted(f"layer{l}-head{h}.png" for l, h in mats)
    check("png: one file per head, named layer<L>-head<H>.png", names == want, f"{names} != {want}")
    digests, tops = {}, []
    for name in names:
        path = os.path.join(d, name)
        data = open(path, "rb").read()
        img = Image.open(path)
        w, h = img.size
        check(f"{name}: 600-800 px wide at scale 1", 600 <= w <= 800 and 500 <= h <= 800, f"{w}x{h}")
        check(f"{name}: RGB", img.mode == "RGB", img.mode)
        types = [t for t, _ in chunks(data)]
        check(f"{name}: pHYs, no tIME", "pHYs" in types and "tIME" not in types, types)
        phys = dict(chunks(data))["pHYs"]
        check(f"{name}: pHYs = 96 dpi", struct.unpack(">IIB", phys) == (3780, 3780, 1), phys)
        t = img.text
        layer, head = (int(s) for s in name[5:-4].split("-head"))
        check(f"{name}: Title", t.get("Title") == f"Layer {layer} \u00b7 Head {head}", t.get("Title"))
        check(f"{name}: Software", t.get("Software", "").startswith("attnviz "), t.get("Software"))
        check(f"{name}: tokens", json.loads(t.get("attnviz:tokens", "null")) == tokens, t.get("attnviz:tokens"))
        check(f"{name}: model and seed", t.get("attnviz:model") == "seeded" and t.get("attnviz:seed") == "42",
              (t.get("attnviz:model"), t.get("attnviz:seed")))
        check(f"{name}: command line in Comment", "--seed 42 -f png" in t.get("Comment", ""), t.get("Comment"))
        digests[name] = hashlib.sha256(np.asarray(img).tobytes()).hexdigest()
        tops.append(check_colours(name, path, mats, "viridis"))  # one scale over all shown heads

    check("png: one head holds the largest weight, drawn in the top colour", tops.count(True) >= 1, tops)

    g = os.path.join(tmp, "grid.png")
    p = run("--seed", "42", "-f", "png", "--grid", "--scale", "2", "-o", g, EXAMPLE)
    check("grid: renders to -o FILE.png", p.returncode == 0 and os.path.exists(g), p.stderr.decode())
    if os.path.exists(g):
        img = Image.open(g)
        check("grid: 1400-2400 px wide at scale 2", 1400 <= img.size[0] <= 2400, img.size)
        phys = dict(chunks(open(g, "rb").read()))["pHYs"]
        check("grid: pHYs = 192 dpi", struct.unpack(">IIB", phys) == (7559, 7559, 1), phys)
        check("grid: a matrix per head", len(img.text["attnviz:cells"].split("\n")) == len(mats))
        digests["grid-scale2.png"] = hashlib.sha256(np.asarray(img).tobytes()).hexdigest()
        check("grid: the largest weight is drawn in the top colour",
              check_colours("grid", g, mats, "viridis") is True)

    # other colormaps, causal masking, transparency
    cm, _ = weights(["--causal"])
    c = os.path.join(tmp, "causal")
    p = run("--seed", "42", "-f", "png", "--causal", "--colormap", "magma", "--transparent", "-H", "1", "-o", c, EXAMPLE)
    path = os.path.join(c, "layer1-head1.png")
    check("causal magma transparent: renders", p.returncode == 0 and os.path.exists(path), p.stderr.decode())
    if os.path.exists(path):
        img = Image.open(path)
        check("transparent: RGBA with alpha 0 in the corner", img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0,
              (img.mode, img.getpixel((0, 0))))
        check_colours("causal magma", path, {(1, 1): cm[(1, 1)]}, "magma", causal=True)
        digests["causal-magma-transparent.png"] = hashlib.sha256(np.asarray(img).tobytes()).hexdigest()

    # golden hashes of the pixel data (font rendering is tied to these versions)
    versions = subprocess.run(["dpkg-query", "-W", "-f", "${Package}=${Version} ", "libfreetype6",
                               "fonts-dejavu-core"], capture_output=True).stdout.decode().strip()
    lines = [f"# made with {versions}"] + [f"{digests[k]}  {k}" for k in sorted(digests)]
    if os.environ.get("UPDATE_GOLDEN") == "1":
        os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
        open(GOLDEN, "w").write("\n".join(lines) + "\n")
        print(f"PASS golden: rewrote {GOLDEN}")
    elif not os.path.exists(GOLDEN):
        check("golden: png pixel hashes", False, f"missing {GOLDEN}")
    else:
        gold = open(GOLDEN).read().split("\n")
        if gold[0] != lines[0]:
            print(f"SKIP golden: {gold[0][2:]}, this machine has {versions}")
        else:
            for k in sorted(digests):
                check(f"golden: pixels of {k}", f"{digests[k]}  {k}" in gold, digests[k])

    # 12 heads x 32 tokens: whole-process time, PNG against CSV
    words = ("the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat "
             "and birds sing in tall green trees near a quiet river bank today at noon").split()
    s32 = " ".join(words)
    assert len(words) == 32

    def best(*args):
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            p = run("--seed", "42", "--heads", "12", "--dim", "96", *args, s32)
            ts.append(time.perf_counter() - t0)
            if p.returncode != 0:
                return None, p.stderr.decode()
        return min(ts), ""

    t_png, e = best("-f", "png", "-o", os.path.join(tmp, "perf"))
    t_csv, _ = best("-f", "csv")
    n = len(os.listdir(os.path.join(tmp, "perf"))) if t_png is not None else 0
    check("perf: 12 heads x 32 tokens give 12 PNGs", n == 12, e)
    if t_png is not None:
        print(f"# 12 heads x 32 tokens: png {t_png * 1e3:.1f} ms, csv {t_csv * 1e3:.1f} ms (best of 5, whole process)")
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
