// util.js — what every part of the page shares: making elements (text only
// ever through textContent, never parsed as HTML), showing token text
// safely, number formats as attnviz's other views write them, base64, and
// the colours of the heads.

const T_SCRIPT = performance.now(); // the page's script starts (the data is parsed as HTML by now)

/** el("div", {class: "x", text: "…", onclick: f}, child, …): an element.
 *  Attributes are set with setAttribute, text with textContent; children
 *  that are strings become text nodes. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// The code points attnviz never shows as they are (src/base/textesc.h):
// controls, bidirectional controls, line and paragraph separators,
// non-characters. Each is shown as \uXXXX, as in the terminal and CSV.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffe\uffff]/g;
const shown = (s) => s.replace(UNSAFE, (c) => "\\u" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0"));

const stripZeros = (s) => (s.includes(".") ? s.replace(/\.?0+$/, "") : s);

/** v as C's printf("%.<p>g") writes it ("%.9g" is how CSV writes weights). */
function fmtG(v, p) {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const [m, e] = v.toExponential(p - 1).split("e");
  const x = Number(e);
  if (x < -4 || x >= p) return stripZeros(m) + cExp(x);
  return stripZeros(v.toFixed(Math.max(0, p - 1 - x)));
}

const cExp = (x) => "e" + (x < 0 ? "-" : "+") + String(Math.abs(x)).padStart(2, "0");

/** A weight in a few characters, as the terminal's focus view writes it:
 *  "0.24", "1.00", "5.7e-07". */
function fmtShort(v) {
  if (v !== 0 && Math.abs(v) < 0.005) {
    const [m, e] = v.toExponential(1).split("e");
    return m + cExp(Number(e));
  }
  return v.toFixed(2);
}

function fromBase64(s) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A CSS custom property of the page (its colours follow the colour scheme). */
const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** "#rrggbb" or "rgb(r, g, b)" → [r, g, b] */
function parseColor(c) {
  const h = /^#([0-9a-f]{6})$/i.exec(c);
  if (h) return [0, 2, 4].map((i) => parseInt(h[1].slice(i, i + 2), 16));
  const m = /(\d+)\D+(\d+)\D+(\d+)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

// The heads' colours: Tableau 10 for up to 10 columns, else hues spaced
// around the circle. An aggregate is a column like any other.
const TABLEAU = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac"];

function columnColors(n) {
  if (n <= TABLEAU.length) return TABLEAU.slice(0, n).map(parseColor);
  return Array.from({ length: n }, (_, i) => hsl((i * 360) / n, 0.62, 0.52));
}

function hsl(h, s, l) {
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const rgbCss = ([r, g, b], a = 1) => (a === 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${a})`);

const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));

/** A canvas of w × h CSS pixels, sharp on this screen (at most maxPx device
 *  pixels a side); returns its 2D context, scaled to CSS pixels. */
function sizeCanvas(canvas, w, h, maxPx = 16384) {
  const dpr = Math.min(window.devicePixelRatio || 1, maxPx / Math.max(w, h, 1));
  canvas.width = Math.max(1, Math.round(w * dpr));
  canvas.height = Math.max(1, Math.round(h * dpr));
  canvas.style.width = w + "px";
  canvas.style.height = h + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
  return ctx;
}
