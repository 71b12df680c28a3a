// matrixview.js — the matrix view: one matrix as a heatmap (rows are
// queries, columns keys) in the figures' colormaps, a tooltip with the
// query, key and weight under the pointer (or the keyboard's cell), the
// query's row outlined, and the keys of a clicked query ranked beside it
// (the focus view). One canvas draws the cells, a second one over it the
// outlines, so that pointing redraws only a few rectangles.

const RANKED_SHOWN = 40;

class MatrixView {
  constructor(app, root) {
    this.app = app;
    this.root = root;
    this.cursor = null; // {q, k}
  }

  build() {
    this.heading = el("h2");
    this.heat = el("canvas", { class: "heat", "aria-hidden": "true" });
    this.overlay = el("canvas", { class: "overlay", "aria-hidden": "true" });
    this.tooltip = el("div", { class: "tooltip", role: "tooltip", id: "mx-tooltip", hidden: true });
    this.plot = el("div", {
      class: "plot", tabindex: 0, role: "application", "aria-describedby": "mx-help",
    }, this.heat, this.overlay, this.tooltip);
    this.cbar = el("canvas", { "aria-hidden": "true" });
    this.ticks = el("div", { class: "ticks" });
    this.caption = el("p", { class: "caption" });
    this.focusBox = el("aside", { class: "focus", "aria-live": "polite" });
    this.root.replaceChildren(this.heading, el("p", {
      class: "note hint", id: "mx-help", text: "Rows are queries, columns are keys. Point at a cell (or focus the map " +
        "and use the arrow keys) to read its weight; click a row (Enter) to rank the keys of its query.",
    }), el("div", { class: "mx" }, this.plot, el("div", { class: "cbar" }, el("div", { class: "cbarrow" },
      this.cbar, this.ticks), this.caption), this.focusBox));
    this.overlay.addEventListener("pointermove", (e) => this.point(e));
    this.overlay.addEventListener("pointerleave", () => this.setCursor(null));
    this.overlay.addEventListener("click", (e) => {
      const c = this.cellAt(e);
      if (c) this.focusQuery(c.q);
    });
    this.plot.addEventListener("keydown", (e) => this.key(e));
    this.plot.addEventListener("blur", () => this.setCursor(null));
  }

  /** Cell size and margins for the current set. */
  layout() {
    const s = this.app.set();
    // beside the map: the colour bar (~190 px) and, on a wide window, the
    // ranked keys (~320 px; on a narrow one they go below)
    const width = (document.documentElement.clientWidth || 1000) - 40;
    const avail = clamp(width - 190 - (width >= 960 ? 320 : 0), 240, 1100);
    this.font = getComputedStyle(document.body).fontFamily;
    let cs = clamp(Math.floor((avail - 120) / s.nk), 1, 32);
    this.labels = cs >= 9;
    this.fs = clamp(cs - 3, 7, 13);
    let left = 20, top = 20;
    if (this.labels) {
      const ctx = this.heat.getContext("2d");
      ctx.font = `${this.fs}px ${this.font}`;
      const widest = (ts) => Math.max(...ts.map((t) => ctx.measureText(shown(t)).width));
      left = Math.ceil(widest(s.qlabels)) + 10;
      top = Math.ceil(widest(s.klabels)) + 10;
      cs = clamp(Math.floor((avail - left) / s.nk), 9, 32);
    }
    Object.assign(this, { cs, left, top });
    this.W = left + s.nk * cs + 2;
    this.H = top + s.nq * cs + 2;
  }

  draw() {
    const s = this.app.set(), st = this.app.state, li = st.layer, ci = st.column;
    this.heading.textContent = s.title(li, ci) + (s.name === "words" ? " (words)" : "");
    this.plot.setAttribute("aria-label", `Heatmap of ${s.title(li, ci)}, ${s.nq} queries by ${s.nk} keys`);
    this.layout();
    const { cs, left, top, W, H } = this;
    const ctx = sizeCanvas(this.heat, W, H);
    sizeCanvas(this.overlay, W, H);
    ctx.clearRect(0, 0, W, H);
    const off = el("canvas");
    const img = matrixImage(s, st.scale, st.cmap, li, ci);
    off.width = img.width;
    off.height = img.height;
    off.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, left, top, s.nk * cs, s.nq * cs);
    const fg = cssVar("--fg"), muted = cssVar("--muted");
    if (cs >= 10) { // a dot in each masked cell, as the terminal's "·"
      ctx.fillStyle = muted;
      for (let q = 0; q < s.nq; q++)
        for (let k = q + 1; k < s.nk; k++)
          if (s.masked(q, k)) ctx.fillRect(left + (k + 0.5) * cs - 1, top + (q + 0.5) * cs - 1, 2, 2);
    }
    ctx.fillStyle = fg;
    if (this.labels) {
      ctx.font = `${this.fs}px ${this.font}`;
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
      s.qlabels.forEach((t, q) => ctx.fillText(shown(t), left - 6, top + (q + 0.5) * cs));
      ctx.textAlign = "left";
      s.klabels.forEach((t, k) => {
        ctx.save();
        ctx.translate(left + (k + 0.5) * cs, top - 6);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(shown(t), 0, 0);
        ctx.restore();
      });
    } else {
      ctx.font = `11px ${this.font}`;
      ctx.fillStyle = muted;
      ctx.textBaseline = "alphabetic";
      ctx.textAlign = "left";
      ctx.fillText("keys →", left, top - 6);
      ctx.save();
      ctx.translate(left - 6, top);
      ctx.rotate(Math.PI / 2);
      ctx.fillText("queries →", 0, 0);
      ctx.restore();
    }
    this.drawBar();
    this.drawOverlay();
    this.drawFocus();
    if (this.cursor) this.showTooltip();
  }

  /** The colour bar of the shown matrix: its range's values, or under
   *  norm "row" the fraction of each row's largest weight ("× max"). */
  drawBar() {
    const s = this.app.set(), st = this.app.state, sc = st.scale;
    const h = clamp(s.nq * this.cs, 120, 320);
    drawColorbar(this.cbar, st.cmap, 14, h);
    this.ticks.style.height = h + "px";
    const fraction = normOf(sc) === "row" && sc.vmax == null; // else one range for every row
    const [lo, hi] = fraction ? [sc.log ? 1 / LOG_DECADES : 0, 1] : scaleRange(s, sc, st.layer, st.column);
    const { vals, decimals } = scaleTicks(lo, hi, sc.log);
    this.ticks.replaceChildren(...vals.map((v) => {
      const sp = el("span", { text: (decimals < 0 ? fmtG(v, 6) : v.toFixed(decimals)) + (fraction ? " × max" : "") });
      sp.style.top = (1 - scalePos(lo, hi, sc.log, v)) * h + "px";
      return sp;
    }));
    this.caption.textContent = scaleCaption(sc, s, st.column);
  }

  cellAt(e) {
    const s = this.app.set(), r = this.overlay.getBoundingClientRect();
    const k = Math.floor((e.clientX - r.left - this.left) / this.cs);
    const q = Math.floor((e.clientY - r.top - this.top) / this.cs);
    return q >= 0 && q < s.nq && k >= 0 && k < s.nk ? { q, k } : null;
  }

  point(e) {
    const t0 = performance.now();
    const c = this.cellAt(e);
    if (!c) return this.setCursor(null);
    if (!this.cursor || c.q !== this.cursor.q || c.k !== this.cursor.k) this.setCursor(c);
    this.app.timings.lastHover = performance.now() - t0;
  }

  setCursor(c) {
    this.cursor = c;
    this.drawOverlay();
    if (c) this.showTooltip();
    else this.tooltip.hidden = true;
  }

  drawOverlay() {
    const s = this.app.set(), { cs, left, top, W, H } = this;
    const ctx = this.overlay.getContext("2d");
    ctx.clearRect(0, 0, W, H);
    const row = (q, color, width) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(left - 0.5, top + q * cs - 0.5, s.nk * cs + 1, cs + 1);
    };
    const fq = this.app.state.query;
    if (fq >= 0) row(fq, cssVar("--accent"), 2);
    if (!this.cursor) return;
    const { q, k } = this.cursor;
    row(q, cssVar("--fg"), 1.5);
    ctx.strokeStyle = cssVar("--bg");
    ctx.lineWidth = 2;
    ctx.strokeRect(left + k * cs - 1, top + q * cs - 1, cs + 2, cs + 2);
    ctx.strokeStyle = cssVar("--fg");
    ctx.lineWidth = 1;
    ctx.strokeRect(left + k * cs - 2, top + q * cs - 2, cs + 4, cs + 4);
  }

  showTooltip() {
    const s = this.app.set(), st = this.app.state, { q, k } = this.cursor;
    const masked = s.masked(q, k);
    const v = s.value(st.layer, st.column, q, k);
    const text = masked ? "masked" : weightText(s, v);
    const tip = this.tooltip;
    const line = (label, value, idx) => el("div", {}, el("span", { class: "k", text: label }),
      el("span", { class: "tok", text: value }), idx != null ? ` (${idx})` : null);
    tip.replaceChildren(line("query", shown(s.qlabels[q]), q), line("key", shown(s.klabels[k]), k),
      el("div", {}, el("span", { class: "k", text: "weight" }), el("b", { class: "wv", text })),
      el("div", { class: "caption", text: s.title(st.layer, st.column) }));
    Object.assign(tip.dataset, { q, k, weight: text });
    tip.hidden = false;
    const x = this.left + (k + 1) * this.cs + 10, y = this.top + (q + 1) * this.cs + 6;
    const flip = x + tip.offsetWidth > Math.max(this.W, 260);
    tip.style.left = (flip ? Math.max(0, this.left + k * this.cs - tip.offsetWidth - 10) : x) + "px";
    tip.style.top = y + "px";
  }

  key(e) {
    const s = this.app.set();
    let c = this.cursor || { q: Math.max(0, this.app.state.query), k: 0 };
    const m = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
      PageUp: [-10, 0], PageDown: [10, 0] }[e.key];
    if (m) c = { q: clamp(c.q + m[0], 0, s.nq - 1), k: clamp(c.k + m[1], 0, s.nk - 1) };
    else if (e.key === "Home") c = { q: c.q, k: 0 };
    else if (e.key === "End") c = { q: c.q, k: s.nk - 1 };
    else if (e.key === "Enter" || e.key === " ") { this.focusQuery(c.q); e.preventDefault(); return; }
    else if (e.key === "Escape") { this.setCursor(null); this.focusQuery(-1); return; }
    else return;
    e.preventDefault();
    this.setCursor(c);
    const st = this.app.state;
    this.app.announce(`query ${shown(s.qlabels[c.q])} (${c.q}), key ${shown(s.klabels[c.k])} (${c.k}): ` +
      (s.masked(c.q, c.k) ? "masked" : weightText(s, s.value(st.layer, st.column, c.q, c.k))));
  }

  focusQuery(q) {
    this.app.state.query = q;
    this.drawOverlay();
    this.drawFocus();
    this.app.writeHash();
  }

  /** The keys of the focused query, ranked. */
  drawFocus() {
    const s = this.app.set(), st = this.app.state, q = st.query;
    if (q < 0 || q >= s.nq) {
      this.focusBox.replaceChildren(el("h3", { text: "Ranked keys" }), el("p", {
        class: "note hint", text: "Click a row of the map (or press Enter on it) to rank the keys its query attends to.",
      }));
      return;
    }
    const ranked = s.ranked(st.layer, st.column, q);
    const top = ranked.length ? s.value(st.layer, st.column, q, ranked[0]) : 0;
    const items = ranked.slice(0, RANKED_SHOWN).map((k) => {
      const v = s.value(st.layer, st.column, q, k);
      const bar = el("span");
      bar.style.width = (top > 0 ? (100 * v) / top : 0) + "%";
      return el("li", { "data-k": k }, el("span", { class: "key", text: shown(s.klabels[k]), title: `key ${k}` }),
        el("span", { class: "wbar" }, bar), el("span", { class: "v", text: fmtShort(v), title: weightText(s, v) }));
    });
    const more = ranked.length - RANKED_SHOWN;
    this.focusBox.replaceChildren(
      el("h3", {}, `Query “`, el("span", { class: "tok", text: shown(s.qlabels[q]) }), `” (${q}) attends to`),
      el("ol", { "aria-label": "keys, largest weight first" }, ...items),
      ...(more > 0 ? [el("p", { class: "note", text: `and ${more} more keys` })] : []));
  }
}

/** A weight as the tooltip writes it: as CSV does (%.9g) when the page holds
 *  the float32 weights, else 3 significant digits (16-bit weights). */
const weightText = (s, v) => (s.exact ? fmtG(v, 9) : fmtG(v, 3));
