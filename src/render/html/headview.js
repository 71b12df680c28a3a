// headview.js — the head view: the queries in a column on the left, the
// keys on the right, a line from each query to each key whose opacity is
// the weight on the colour scale, one colour per head (column). Pointing at
// a token, or moving to it with the keyboard, shows only its lines and its
// weights as numbers beside the other column; a click (Enter) keeps it.

const LINE_CUT = 0.01;       // lines below 1 % of the scale are not drawn
const ALPHA_STEPS = 32;      // opacities are drawn in this many steps
const FULL_LINES = 2000;     // at most this many lines at once (the strongest); a canvas
const HOVER_LINES = 1500;    // without a GPU fills about 30 M pixels a second

class HeadView {
  constructor(app, root) {
    this.app = app;
    this.root = root;
    this.active = null; // {side: "q" | "k", i}
    this.locked = false;
    this.log = null;     // the lines of the last draw, when app.debug: [column, q, k, alpha]
  }

  /** Rebuilds the columns of tokens for the current set. */
  build() {
    const s = this.app.set();
    const n = Math.max(s.nq, s.nk);
    this.rowH = n <= 60 ? 20 : n <= 300 ? 16 : 12;
    this.active = null;
    this.locked = false;
    const col = (side, tokens, head) => el("div", {
      class: `col ${side}`, role: "listbox", "aria-label": head,
      "aria-orientation": "vertical",
    }, el("div", { class: "colhead", text: head }), ...tokens.map((t, i) => el("div", {
      class: "tok", role: "option", id: `hv-${side}${i}`, "data-side": side, "data-i": i,
      tabindex: i === 0 ? 0 : -1, "aria-selected": "false",
    }, ...(side === "q"
      ? [el("span", { class: "num" }), el("span", { class: "label", text: shown(t) })]
      : [el("span", { class: "label", text: shown(t) }), el("span", { class: "num" })]))));
    this.qcol = col("q", s.qlabels, s.cross ? "queries (sentence)" : "queries");
    this.kcol = col("k", s.klabels, s.cross ? "keys (source)" : "keys");
    this.nums = { q: [...this.qcol.querySelectorAll(".num")], k: [...this.kcol.querySelectorAll(".num")] };
    this.filled = [];
    // The canvas is at most a window high and sticks to the top of the window
    // in a strip as high as the columns: a long text scrolls past it, and
    // only the lines that cross the window are drawn.
    this.canvas = el("canvas", { "aria-hidden": "true" });
    this.width = n > 300 ? 320 : 240;
    this.strip = el("div", { class: "lines" }, this.canvas);
    this.strip.style.width = this.width + "px";
    this.strip.style.height = n * this.rowH + "px";
    this.cw = this.ch = 0;
    const hv = el("div", { class: "hv" }, this.qcol, this.strip, this.kcol);
    hv.style.setProperty("--row", this.rowH + "px");
    this.hv = hv;
    this.note = el("p", { class: "note" });
    this.root.replaceChildren(
      el("p", { class: "note hint", text: "Point at a token (or tab to a column and use the arrow keys) to see only its " +
        "lines and weights; click or press Enter to keep it, Escape to let go." }), hv, this.note);
    for (const c of [this.qcol, this.kcol]) {
      c.addEventListener("pointerover", (e) => {
        const t = e.target.closest(".tok");
        if (t && !this.locked) this.setActive(t.dataset.side, Number(t.dataset.i));
      });
      c.addEventListener("pointerleave", () => { if (!this.locked) this.setActive(null); });
      c.addEventListener("click", (e) => {
        const t = e.target.closest(".tok");
        if (t) this.toggleLock(t.dataset.side, Number(t.dataset.i));
      });
      c.addEventListener("focusin", (e) => {
        const t = e.target.closest(".tok");
        if (t && !this.locked) this.setActive(t.dataset.side, Number(t.dataset.i));
      });
      c.addEventListener("keydown", (e) => this.key(e));
    }
    hv.addEventListener("focusout", (e) => {
      if (!this.locked && !hv.contains(e.relatedTarget)) this.setActive(null);
    });
  }

  /** Scrolling moves the strip under the canvas: lines for the new part. */
  scrolled() {
    if (!this.strip || this.ch >= Math.max(this.app.set().nq, this.app.set().nk) * this.rowH || this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      if (this.app.state.view === "head") this.draw();
    });
  }

  key(e) {
    const t = e.target.closest(".tok");
    if (!t) return;
    const s = this.app.set();
    let side = t.dataset.side, i = Number(t.dataset.i);
    const n = side === "q" ? s.nq : s.nk;
    switch (e.key) {
      case "ArrowDown": i = Math.min(n - 1, i + 1); break;
      case "ArrowUp": i = Math.max(0, i - 1); break;
      case "Home": i = 0; break;
      case "End": i = n - 1; break;
      case "PageDown": i = Math.min(n - 1, i + 10); break;
      case "PageUp": i = Math.max(0, i - 10); break;
      case "ArrowRight": side = "k"; i = Math.min(i, s.nk - 1); break;
      case "ArrowLeft": side = "q"; i = Math.min(i, s.nq - 1); break;
      case "Enter": case " ": this.toggleLock(side, i); e.preventDefault(); return;
      case "Escape": this.locked = false; this.setActive(side, i); return;
      default: return;
    }
    e.preventDefault();
    if (this.locked) { this.locked = false; }
    this.focusToken(side, i);
  }

  focusToken(side, i) {
    const col = side === "q" ? this.qcol : this.kcol;
    for (const t of col.querySelectorAll('.tok[tabindex="0"]')) t.tabIndex = -1;
    const t = document.getElementById(`hv-${side}${i}`);
    t.tabIndex = 0;
    t.focus();
    this.setActive(side, i);
  }

  toggleLock(side, i) {
    const same = this.active && this.active.side === side && this.active.i === i;
    this.locked = !(this.locked && same);
    this.setActive(side, i);
  }

  setActive(side, i) {
    const next = side ? { side, i } : null;
    const a = this.active;
    if (a) {
      const t = document.getElementById(`hv-${a.side}${a.i}`);
      if (t) { t.classList.remove("active", "locked"); t.setAttribute("aria-selected", "false"); }
    }
    this.active = next;
    if (next) {
      const t = document.getElementById(`hv-${side}${i}`);
      t.classList.add("active");
      t.classList.toggle("locked", this.locked);
      t.setAttribute("aria-selected", "true");
    }
    this.draw();
    if (next) this.app.announce(this.describe());
  }

  /** The weights of the active token as numbers beside the other column,
   *  in the rows the window shows (a long text would relayout thousands).
   *  Each row keeps one span per shown head, refilled in place. */
  numbers() {
    const s = this.app.set(), li = this.app.state.layer, cols = this.app.visibleColumns();
    const a = this.active;
    const rows = new Set();
    if (a) {
      const other = a.side === "q" ? "k" : "q", nums = this.nums[other];
      const i0 = Math.max(0, Math.floor(this.off / this.rowH) - 1);
      const i1 = Math.min(nums.length, Math.ceil((this.off + this.ch) / this.rowH) + 1);
      for (let j = i0; j < i1; j++) {
        const q = a.side === "q" ? a.i : j, k = a.side === "q" ? j : a.i;
        if (s.masked(q, k)) continue;
        const num = nums[j];
        if (num.children.length !== cols.length || num.dataset.cols !== String(cols)) {
          num.replaceChildren(...cols.map((c) => {
            const sp = el("span", { "data-column": c });
            sp.style.color = rgbCss(this.app.colors[c]);
            return sp;
          }));
          num.dataset.cols = String(cols);
        }
        cols.forEach((c, x) => { num.children[x].textContent = fmtShort(s.value(li, c, q, k)); });
        rows.add(num);
      }
    }
    for (const num of this.filled)
      if (!rows.has(num)) for (const sp of num.children) sp.textContent = "";
    this.filled = [...rows];
  }

  describe() {
    const s = this.app.set(), li = this.app.state.layer, a = this.active;
    const cols = this.app.visibleColumns();
    const tok = a.side === "q" ? s.qlabels[a.i] : s.klabels[a.i];
    if (!cols.length) return `${shown(tok)}: no head shown`;
    const c = cols[0];
    const pairs = [];
    const n = a.side === "q" ? s.nk : s.nq;
    for (let j = 0; j < n; j++) {
      const q = a.side === "q" ? a.i : j, k = a.side === "q" ? j : a.i;
      if (!s.masked(q, k)) pairs.push([j, s.value(li, c, q, k)]);
    }
    pairs.sort((x, y) => y[1] - x[1]);
    const names = a.side === "q" ? s.klabels : s.qlabels;
    return `${a.side === "q" ? "query" : "key"} ${shown(tok)} (${a.i}), ${s.columns[c].label}: ` +
      pairs.slice(0, 3).map(([j, v]) => `${shown(names[j])} ${fmtShort(v)}`).join(", ");
  }

  draw() {
    const s = this.app.set(), li = this.app.state.layer, cols = this.app.visibleColumns();
    const n = Math.max(s.nq, s.nk), W = this.width, full = n * this.rowH;
    const H = Math.min(full, Math.max(200, window.innerHeight || full));
    const off = clamp(-this.strip.getBoundingClientRect().top, 0, full - H); // the strip's part in view
    if (this.cw !== W || this.ch !== H) { // resizing a canvas reallocates it: only when needed
      this.ctx = sizeCanvas(this.canvas, W, H);
      this.cw = W;
      this.ch = H;
    }
    this.off = off;
    const ctx = this.ctx;
    ctx.clearRect(0, 0, W, H);
    const y = (i) => (i + 0.5) * this.rowH - off;
    const outside = (q, k) => (y(q) < -2 && y(k) < -2) || (y(q) > H + 2 && y(k) > H + 2);
    const a = this.active;
    this.log = this.app.debug ? [] : null;
    this.hv.style.setProperty("--nums", cols.length);
    this.numbers();
    // the candidate lines: [column, q, k, opacity step] for every line at or above LINE_CUT
    const cand = [], hist = new Uint32Array(ALPHA_STEPS);
    const all = (m) => Array.from({ length: m }, (_, i) => i);
    const qs = a && a.side === "q" ? [a.i] : all(s.nq), ks = a && a.side === "k" ? [a.i] : all(s.nk);
    const sc = this.app.state.scale, w = s.w, causal = s.masked(0, 1);
    for (const c of cols) {
      const ranges = rowRanges(s, sc, li, c), o = s.offset(li, c);
      for (const q of qs) {
        const [lo, hi] = ranges(q), cut = scaleValueAt(lo, hi, sc.log, LINE_CUT), base = o + q * s.nk;
        for (const k of ks) {
          const v = w[base + k];
          if (!(v >= cut) || (causal && k > q) || outside(q, k)) continue; // the fast test first
          const t = scalePos(lo, hi, sc.log, v);
          if (t < LINE_CUT) continue;
          const b = Math.min(ALPHA_STEPS - 1, (t * ALPHA_STEPS) | 0);
          cand.push(c, q, k, b);
          hist[b]++;
        }
      }
    }
    // past the cap, only the strongest steps (a lighter line is lost in the mass anyway)
    const cap = a ? HOVER_LINES : FULL_LINES, total = cand.length / 4;
    let minStep = 0, kept = total;
    if (total > cap) {
      kept = 0;
      for (minStep = ALPHA_STEPS - 1; minStep > 0 && kept + hist[minStep] <= cap; minStep--) kept += hist[minStep];
      if (kept === 0) kept = hist[minStep]; // the strongest step alone is over the cap: draw it
      else minStep++;
    }
    this.shownLines = kept;
    this.note.textContent = kept < total ? `Showing the ${kept.toLocaleString("en")} strongest of ` +
      `${total.toLocaleString("en")} lines (opacity ≥ ${(minStep / ALPHA_STEPS).toFixed(2)}); ` +
      (a ? "fewer heads show more of them." : "point at a token to see its own lines.") : "";
    ctx.lineWidth = n > 60 ? 1 : a ? 2 : 1.5;
    for (let i = 0; i < cand.length;) {
      const c = cand[i], paths = new Array(ALPHA_STEPS).fill(null);
      for (; i < cand.length && cand[i] === c; i += 4) {
        const q = cand[i + 1], k = cand[i + 2], b = cand[i + 3];
        if (b < minStep) continue;
        const p = paths[b] || (paths[b] = new Path2D());
        p.moveTo(0, y(q));
        p.lineTo(W, y(k));
        if (this.log) this.log.push([c, q, k, (b + 0.5) / ALPHA_STEPS]);
      }
      ctx.strokeStyle = rgbCss(this.app.colors[c]);
      paths.forEach((p, b) => {
        if (!p) return;
        ctx.globalAlpha = (b + 0.5) / ALPHA_STEPS;
        ctx.stroke(p);
      });
    }
    ctx.globalAlpha = 1;
  }
}
