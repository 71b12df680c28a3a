// scale.js — the colour scale: from a weight to t in [0, 1], then to a
// colour of the colormap, in every view of the page. The semantics are
// those of src/render/scale.h (the terminal and the figures), which the
// command line's --norm, --vmin, --vmax and --log set; the page starts
// from them (D.scale) and its controls change them:
//
//   groups  norm "all": every cell of every matrix of a kind (the model
//           heads together; each aggregate — mean, max, rollout — apart, as
//           the terminal shows either the heads or the aggregate); "layer":
//           those of one layer; "head": one matrix; "row": one query row.
//           Masked and non-finite cells never count.
//   range   hi = vmax, else the group's largest weight; lo = vmin, else
//           (log) hi / 1000, else 0 or the group's smallest weight when it is
//           negative; a group with nothing counted, or hi <= lo, gets
//           hi = lo + 1 (linear) or lo · 1000 (log). vmin and vmax both
//           given: one fixed range, whatever the norm.
//   t       linear (v − lo) / (hi − lo), log ln(v / lo) / ln(hi / lo) (0 for
//           v <= lo), clamped to [0, 1]; NaN gives 0.

const NORMS = ["all", "layer", "head", "row"];
const LOG_DECADES = 1000;

/** {min, max, seen} of the counted cells of matrix (li, ci), or of its row q. */
function cellStats(s, li, ci, q = -1) {
  const key = q < 0 ? `${li},${ci}` : null;
  if (key && s.maxCache.has(key)) return s.maxCache.get(key);
  let min = Infinity, max = -Infinity;
  const o = s.offset(li, ci), q0 = q < 0 ? 0 : q, q1 = q < 0 ? s.nq : q + 1, w = s.w;
  const causal = s.masked(0, 1); // masked cells: key after query
  for (let r = q0; r < q1; r++) {
    const base = o + r * s.nk, end = base + (causal ? Math.min(s.nk, r + 1) : s.nk);
    for (let i = base; i < end; i++) {
      const v = w[i];
      if (v > max && v !== Infinity) max = v; // NaN and ±Infinity never count
      if (v < min && v !== -Infinity) min = v;
    }
  }
  const seen = max >= min, st = { min: seen ? min : 0, max: seen ? max : 0, seen };
  if (key) s.maxCache.set(key, st);
  return st;
}

function mergeStats(list) {
  const seen = list.filter((x) => x.seen);
  return seen.length ? { min: Math.min(...seen.map((x) => x.min)), max: Math.max(...seen.map((x) => x.max)), seen: true }
    : { min: 0, max: 0, seen: false };
}

/** The norm in effect: a fixed range (vmin and vmax) is one group. */
const normOf = (sc) => (sc.vmin != null && sc.vmax != null ? "all" : sc.norm);

/** [lo, hi] of the group of matrix (li, ci), row q. */
function scaleRange(s, sc, li, ci, q = 0) {
  const kind = s.columns[ci].kind;
  const same = s.columns.filter((c) => c.kind === kind).map((c) => c.index);
  let g;
  switch (normOf(sc)) {
    case "row": g = cellStats(s, li, ci, q); break;
    case "head": g = cellStats(s, li, ci); break;
    case "layer": g = mergeStats(same.map((c) => cellStats(s, li, c))); break;
    default: g = mergeStats(s.layers.flatMap((_, l) => same.map((c) => cellStats(s, l, c))));
  }
  let hi = sc.vmax != null ? sc.vmax : g.max, lo;
  if (sc.vmin != null) lo = sc.vmin;
  else if (sc.log) lo = hi > 0 ? hi / LOG_DECADES : 1 / LOG_DECADES;
  else lo = g.seen && g.min < 0 ? g.min : 0;
  if (!g.seen && sc.vmax == null) hi = lo;
  if (!(hi > lo)) hi = sc.log ? lo * LOG_DECADES : lo + 1;
  return [Math.fround(lo), Math.fround(hi)];
}

/** t of weight v in [lo, hi] */
function scalePos(lo, hi, log, v) {
  if (Number.isNaN(v)) return 0;
  const t = log ? (v <= lo ? 0 : Math.log(v / lo) / Math.log(hi / lo)) : (v - lo) / (hi - lo);
  return Math.fround(t < 0 ? 0 : t > 1 ? 1 : t);
}

/** The weight at position t of [lo, hi] (scalePos's inverse): below it, t < t0. */
const scaleValueAt = (lo, hi, log, t) => (log ? lo * (hi / lo) ** t : lo + t * (hi - lo));

/** For matrix (li, ci): q ↦ [lo, hi], one range per matrix or per row. */
function rowRanges(s, sc, li, ci) {
  if (normOf(sc) !== "row") {
    const r = scaleRange(s, sc, li, ci);
    return () => r;
  }
  const cache = new Map();
  return (q) => {
    let r = cache.get(q);
    if (!r) cache.set(q, (r = scaleRange(s, sc, li, ci, q)));
    return r;
  };
}

/** For matrix (li, ci): q ↦ (v ↦ t), one range per matrix or per row. */
function rowScaler(s, sc, li, ci) {
  if (normOf(sc) !== "row") {
    const [lo, hi] = scaleRange(s, sc, li, ci);
    const f = (v) => scalePos(lo, hi, sc.log, v);
    return () => f;
  }
  const cache = new Map();
  return (q) => {
    let f = cache.get(q);
    if (!f) {
      const [lo, hi] = scaleRange(s, sc, li, ci, q);
      cache.set(q, (f = (v) => scalePos(lo, hi, sc.log, v)));
    }
    return f;
  };
}

/** The scale in words, as the terminal and the figures write it
 *  (scale_caption() in src/render/scale.c). */
function scaleCaption(sc, s, ci) {
  const kind = s.columns[ci].kind, norm = normOf(sc);
  const shared = kind === "head" ? "shared by all heads" : `shared by every layer's ${kind}`;
  const group = { layer: "of each layer", head: kind === "head" ? "of each head" : "of this matrix",
    row: "of each row" }[norm] || shared;
  let neg = false;
  if (sc.vmin == null && !sc.log) neg = scaleRange(s, sc, 0, ci)[0] < 0;
  const lo = sc.vmin != null ? fmtG(sc.vmin, 6) : sc.log ? "max/1000" : neg ? "min weight" : "0";
  const hi = sc.vmax != null ? fmtG(sc.vmax, 6) : "max weight";
  if (sc.vmin != null && sc.vmax != null) return `${sc.log ? "log, " : ""}fixed, ${lo} to ${hi}`;
  return `${sc.log ? "log, " : ""}${lo} to ${hi}${norm === "all" ? ", " : " "}${group}`;
}

/** Tick values of a bar over [lo, hi] (scale_ticks() in scale.c): linear,
 *  multiples of 1, 2, 2.5 or 5 × 10^k, about 6; log, the powers of ten. */
function scaleTicks(lo, hi, log) {
  const out = [];
  if (!(hi > lo)) return { vals: out, decimals: 0 };
  if (log) {
    for (let p = 10 ** Math.ceil(Math.log10(lo) - 1e-9); p <= hi * (1 + 1e-9) && out.length < 12; p *= 10) out.push(p);
    if (out.length < 2) return { vals: [lo, hi], decimals: -1 };
    return { vals: out, decimals: -1 };
  }
  const mult = [1, 2, 2.5, 5, 10], raw = (hi - lo) / 6, mag = 10 ** Math.floor(Math.log10(raw));
  let step = 10 * mag, mi = 4;
  for (let i = 0; i < 5; i++) if (mult[i] * mag >= raw * (1 - 1e-9)) { step = mult[i] * mag; mi = i; break; }
  let d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  if (mi === 2) d++;
  const first = Math.ceil(lo / step - 1e-9) * step;
  for (let k = 0; out.length < 12; k++) {
    const v = first + k * step;
    if (v > hi * (1 + 1e-9) + 1e-12) break;
    out.push(v === 0 ? 0 : v);
  }
  return { vals: out, decimals: d };
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
