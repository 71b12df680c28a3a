// scale.js — the colour scale: from a weight to t in [0, 1], then to a
// colour of the colormap, the same for every view.
//
//   norm "all":   one range for every matrix of a kind (the model heads
//                 together; each aggregate kind together), every layer
//        "layer": one range per layer (and kind)
//        "head":  one range per matrix
//        "row":   one range per query row
//   vmin, vmax:   a fixed range (null: 0, and the largest weight of the group)
//   log:          log10 between vmin (null: vmax / 1000) and vmax
// The command line sets the first scale (data: D.scale); the page's
// controls change it.

const NORMS = ["all", "layer", "head", "row"];

/** [lo, hi] of the matrix (li, ci) of set s (row q for norm "row"). */
function scaleRange(s, sc, li, ci, q = 0) {
  let hi = sc.vmax;
  if (hi == null) {
    const kind = s.columns[ci].kind;
    const same = s.columns.filter((c) => c.kind === kind).map((c) => c.index);
    switch (sc.norm) {
      case "row": hi = s.rowMax(li, ci, q); break;
      case "head": hi = s.matMax(li, ci); break;
      case "layer": hi = Math.max(...same.map((c) => s.matMax(li, c))); break;
      default: hi = Math.max(...s.layers.flatMap((_, l) => same.map((c) => s.matMax(l, c))));
    }
  }
  let lo = sc.vmin;
  if (lo == null) lo = sc.log ? hi / 1000 : 0;
  return [lo, hi];
}

/** The function weight → t for the range [lo, hi]. */
function scaleFn(sc, lo, hi) {
  if (sc.log) {
    if (!(lo > 0) || !(hi > lo)) return (v) => (v >= hi && hi > 0 ? 1 : 0);
    const a = Math.log10(lo), d = Math.log10(hi) - a;
    return (v) => (v <= lo ? 0 : v >= hi ? 1 : (Math.log10(v) - a) / d);
  }
  if (!(hi > lo)) return (v) => (v > lo ? 1 : 0);
  const d = hi - lo;
  return (v) => (v <= lo ? 0 : v >= hi ? 1 : (v - lo) / d);
}

/** The function t ↦ row q's t, for matrix (li, ci): one range for the
 *  matrix, or one per row under norm "row". */
function rowScaler(s, sc, li, ci) {
  if (sc.norm !== "row" || sc.vmax != null) {
    const [lo, hi] = scaleRange(s, sc, li, ci);
    const f = scaleFn(sc, lo, hi);
    return () => f;
  }
  const cache = new Map();
  return (q) => {
    let f = cache.get(q);
    if (!f) {
      const [lo, hi] = scaleRange(s, sc, li, ci, q);
      cache.set(q, (f = scaleFn(sc, lo, hi)));
    }
    return f;
  };
}

/** Words for the colour bar's caption. */
function scaleCaption(sc, s, ci) {
  const kind = s.columns[ci].kind === "head" ? "all heads" : `every ${s.columns[ci].kind} matrix`;
  const lo = sc.vmin != null ? fmtG(sc.vmin, 3) : sc.log ? "max/1000" : "0";
  const hi = sc.vmax != null ? fmtG(sc.vmax, 3) : {
    all: `the largest weight of ${kind}, every layer`,
    layer: `the largest weight of ${kind} in this layer`,
    head: "the largest weight of this matrix",
    row: "the largest weight of each row",
  }[sc.norm];
  return `${sc.log ? "log scale" : "scale"} ${lo} to ${hi} (norm ${sc.norm})`;
}

/** Pixels of matrix (li, ci) into an ImageData, one pixel per cell, or per
 *  f × f block of cells (the block's largest t) when f > 1. */
function matrixImage(s, sc, cmapName, li, ci, f = 1) {
  const lut = CMAPS[cmapName];
  const masked = parseColor(cssVar("--masked"));
  const w = Math.ceil(s.nk / f), h = Math.ceil(s.nq / f);
  const img = new ImageData(w, h);
  const px = img.data;
  const rowF = rowScaler(s, sc, li, ci);
  const o = s.offset(li, ci), nk = s.nk;
  const t = new Float32Array(w * h).fill(-1); // -1: every cell masked
  for (let q = 0; q < s.nq; q++) {
    const fn = rowF(q), r = ((q / f) | 0) * w, base = o + q * nk;
    for (let k = 0; k < nk; k++) {
      if (s.masked(q, k)) continue;
      const v = fn(s.w[base + k]), i = r + ((k / f) | 0);
      if (v > t[i]) t[i] = v;
    }
  }
  for (let i = 0; i < t.length; i++) {
    const p = 4 * i;
    if (t[i] < 0) {
      px[p] = masked[0]; px[p + 1] = masked[1]; px[p + 2] = masked[2];
    } else {
      const c = 3 * Math.round(t[i] * 255);
      px[p] = lut[c]; px[p + 1] = lut[c + 1]; px[p + 2] = lut[c + 2];
    }
    px[p + 3] = 255;
  }
  return img;
}

/** A vertical colour bar: t = 1 at the top. */
function drawColorbar(canvas, cmapName, w, h) {
  const ctx = sizeCanvas(canvas, w, h);
  const lut = CMAPS[cmapName];
  for (let y = 0; y < h; y++) {
    const c = 3 * Math.round((1 - y / Math.max(1, h - 1)) * 255);
    ctx.fillStyle = `rgb(${lut[c]}, ${lut[c + 1]}, ${lut[c + 2]})`;
    ctx.fillRect(0, y, w, 1);
  }
}
