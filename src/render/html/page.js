// page.js — the page: its state, the bar of controls (view, token set,
// layer, heads, colormap, scale), switching views, and window.attnviz, the
// small interface the tests (and curious readers) use.

const T_DATA = performance.now(); // the weights decoded

const VIEWS = [["head", "Head view"], ["model", "Model view"], ["matrix", "Matrix view"]];

class App {
  constructor() {
    const s0 = SETS[0];
    const firstExtra = s0.columns.findIndex((c) => c.aggregate);
    this.state = {
      // the head view first, unless it would be a mass of lines (many heads of
      // many tokens: the matrix view opens faster and reads better), or a query
      // was asked for (its keys are ranked in the matrix view)
      view: s0.query >= 0 || s0.nq * s0.nk * s0.columns.length > 60000 ? "matrix" : "head",
      set: 0,
      layer: 0,
      visible: new Set(s0.columns.filter((c) => c.head != null).map((c) => c.index)),
      column: firstExtra >= 0 ? firstExtra : 0,
      query: s0.query,
      cmap: CMAPS[D.colormap] ? D.colormap : "viridis",
      scale: { norm: NORMS.includes(D.scale.norm) ? D.scale.norm : "all", vmin: D.scale.vmin, vmax: D.scale.vmax,
        log: !!D.scale.log },
    };
    this.debug = false;
    this.timings = { script: T_SCRIPT, data: T_DATA }; // ms from navigation; ready: the first view drawn
    this.colors = columnColors(s0.columns.length);
    this.readHash();
  }

  /** The address's fragment names what the page shows, so that a view can be
   *  bookmarked or shared: #view=matrix&set=words&layer=3&head=1&query=10
   *  (layer and head as the model counts them; head may be "mean", "max" or
   *  "rollout"; query a 0-based index). */
  readHash() {
    const p = new URLSearchParams(location.hash.slice(1)), st = this.state;
    const si = SETS.findIndex((x) => x.name === p.get("set"));
    if (si >= 0) st.set = si;
    const s = this.set();
    if (VIEWS.some(([v]) => v === p.get("view"))) st.view = p.get("view");
    const li = s.layers.indexOf(Number(p.get("layer")));
    if (li >= 0) st.layer = li;
    const h = p.get("head"), ci = s.columns.findIndex((c) => String(c.head ?? c.aggregate) === h);
    if (ci >= 0) st.column = ci;
    const q = p.has("query") ? Number(p.get("query")) : NaN;
    if (Number.isInteger(q) && q >= -1 && q < s.nq) st.query = q;
  }

  writeHash() {
    const s = this.set(), st = this.state, c = s.columns[st.column];
    const p = new URLSearchParams({ view: st.view, ...(SETS.length > 1 ? { set: s.name } : {}),
      layer: s.layers[st.layer], head: c.head ?? c.aggregate, ...(st.query >= 0 ? { query: st.query } : {}) });
    try {
      history.replaceState(null, "", "#" + p);
    } catch (e) { /* a browser that refuses it for file:// keeps the address */ }
  }

  set() { return SETS[this.state.set]; }

  /** Indices of the columns the head view draws, in order. */
  visibleColumns() { return [...this.state.visible].sort((a, b) => a - b); }

  build() {
    const app = document.getElementById("app");
    const st = this.state;
    this.live = el("div", { class: "sr-only", "aria-live": "polite" });
    this.tabs = VIEWS.map(([v, label]) => el("button", {
      role: "tab", id: `tab-${v}`, "aria-controls": `view-${v}`, "aria-selected": "false", text: label,
      onclick: () => this.show(v),
    }));
    const tablist = el("div", { class: "tabs", role: "tablist", "aria-label": "Views" }, ...this.tabs);
    tablist.addEventListener("keydown", (e) => {
      const i = VIEWS.findIndex(([v]) => v === st.view);
      const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!d) return;
      this.show(VIEWS[(i + d + VIEWS.length) % VIEWS.length][0]);
      this.tabs[VIEWS.findIndex(([v]) => v === st.view)].focus();
    });
    const select = (id, label, options, value, onchange) => {
      const s = el("select", { id, onchange: (e) => onchange(e.target.value) },
        ...options.map(([v, text]) => el("option", { value: v, text })));
      s.value = String(value);
      return el("label", { for: id, id: `${id}-label` }, label, s);
    };
    this.setSel = SETS.length > 1 ? select("set", "Matrices", SETS.map((s, i) => [i, s.name]), st.set, (v) => {
      st.set = Number(v);
      st.query = SETS[st.set].query; // indices differ between tokens and words
      this.rebuild();
    }) : null;
    this.layerSel = select("layer", "Layer", [], 0, (v) => { st.layer = Number(v); this.render(); });
    const cmap = select("cmap", "Colormap", Object.keys(CMAPS).map((n) => [n, n]), st.cmap, (v) => {
      st.cmap = v;
      this.render();
    });
    const norm = select("norm", "Scale", NORMS.map((n) => [n, n === "all" ? "all (shared)" : `per ${n}`]),
      st.scale.norm, (v) => { st.scale.norm = v; this.render(); });
    // a range the scale cannot take (as the command line's scale_check()
    // refuses it) is said on the field and not applied
    const invalid = (sc) => (sc.vmin != null && sc.vmax != null && !(sc.vmin < sc.vmax) ? "“from” must be below “to”"
      : sc.log && ((sc.vmin != null && !(sc.vmin > 0)) || (sc.vmax != null && !(sc.vmax > 0)))
        ? "a log scale needs ends above 0" : "");
    const apply = (field, change) => {
      const next = { ...st.scale, ...change }, why = invalid(next);
      field.setCustomValidity(why);
      field.setAttribute("aria-invalid", String(!!why));
      if (why) return field.reportValidity();
      for (const f of [vmin, vmax, log]) { f.setCustomValidity(""); f.setAttribute("aria-invalid", "false"); }
      st.scale = next;
      this.render();
    };
    const num = (id, label, key) => {
      const i = el("input", { id, type: "number", step: "any", placeholder: "auto", "aria-label": label });
      if (st.scale[key] != null) i.value = String(st.scale[key]);
      i.addEventListener("change", () => {
        const v = i.value === "" ? null : Number(i.value);
        apply(i, { [key]: v == null || Number.isFinite(v) ? v : null });
      });
      return i;
    };
    const vmin = num("vmin", "scale from (empty: 0)", "vmin"), vmax = num("vmax", "scale to (empty: the largest weight)", "vmax");
    const log = el("input", { type: "checkbox", id: "log" });
    log.checked = st.scale.log;
    log.addEventListener("change", () => apply(log, { log: log.checked }));
    const scale = el("span", { class: "scale", role: "group", "aria-label": "Colour scale" }, norm,
      el("label", {}, "from", vmin), el("label", {}, "to", vmax),
      el("label", { for: "log" }, log, "log"));
    this.headsBar = el("div", { class: "heads", role: "group", "aria-label": "Heads" });
    this.sections = Object.fromEntries(VIEWS.map(([v]) => [v, el("section", {
      class: "view", id: `view-${v}`, role: "tabpanel", "aria-labelledby": `tab-${v}`, hidden: true,
    })]));
    this.views = {
      head: new HeadView(this, this.sections.head),
      model: new ModelView(this, this.sections.model),
      matrix: new MatrixView(this, this.sections.matrix),
    };
    const s0 = SETS[0];
    const precision = s0.exact ? "Weights are stored exactly (float32); the tooltip shows them as CSV does."
      : "Weights are stored in 16 bits (within 0.1 %); the tooltip shows 3 significant digits. " +
        "attnviz -f csv gives every digit.";
    app.replaceChildren(
      el("nav", { class: "bar", "aria-label": "Controls" }, tablist, this.setSel, this.layerSel, cmap, scale),
      this.headsBar, ...Object.values(this.sections),
      el("p", { class: "note", id: "precision", text: precision }), this.live);
    app.hidden = false;
    document.getElementById("static").hidden = true;
    this.rebuild();
  }

  /** After the set changed: layer options, head buttons, every view. */
  rebuild() {
    const s = this.set(), st = this.state;
    st.layer = Math.min(st.layer, s.layers.length - 1);
    st.column = Math.min(st.column, s.columns.length - 1);
    if (st.query >= s.nq) st.query = -1;
    const sel = this.layerSel.querySelector("select");
    sel.replaceChildren(...s.layers.map((l, i) => el("option", { value: i, text: `${l}` })));
    sel.value = String(st.layer);
    this.headButtons = s.columns.map((c) => {
      const b = el("button", { type: "button", "data-column": c.index, "aria-pressed": "false" },
        el("span", { class: "sw" }), c.head != null ? `head ${c.head}` : c.aggregate);
      b.style.setProperty("--c", rgbCss(this.colors[c.index]));
      b.addEventListener("click", () => this.pickColumn(c.index));
      return b;
    });
    this.headHint = el("span", { class: "hint" });
    this.headsBar.replaceChildren(el("span", { class: "label", text: "Heads" }), ...this.headButtons, this.headHint);
    for (const v of Object.values(this.views)) v.built = false;
    this.render();
  }

  pickColumn(c) {
    const st = this.state;
    if (st.view === "matrix") {
      st.column = c;
    } else if (st.visible.has(c)) {
      st.visible.delete(c);
    } else {
      st.visible.add(c);
    }
    this.render();
  }

  /** Opens matrix (li, ci) in the matrix view (the model view's click). */
  open(li, ci) {
    this.state.layer = li;
    this.state.column = ci;
    this.layerSel.querySelector("select").value = String(li);
    this.show("matrix");
    this.sections.matrix.querySelector(".plot").focus({ preventScroll: true });
  }

  show(view) {
    this.state.view = view;
    this.render();
  }

  render() {
    const st = this.state, view = st.view;
    for (const [v, sec] of Object.entries(this.sections)) sec.hidden = v !== view;
    this.tabs.forEach((t, i) => {
      const on = VIEWS[i][0] === view;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
    });
    this.layerSel.hidden = view === "model";
    this.layerSel.querySelector("select").value = String(st.layer);
    this.headsBar.hidden = view === "model";
    this.headButtons.forEach((b, c) => b.setAttribute("aria-pressed",
      String(view === "matrix" ? c === st.column : st.visible.has(c))));
    this.headHint.textContent = view === "matrix" ? "choose one" : "show or hide";
    const v = this.views[view];
    if (!v.built) { v.build(); v.built = true; }
    v.draw();
    this.writeHash();
  }

  announce(text) { this.live.textContent = text; }
}

const app = new App();
app.build();
const media = window.matchMedia("(prefers-color-scheme: dark)");
media.addEventListener("change", () => app.render());
window.addEventListener("scroll", () => app.views.head.scrolled(), { passive: true });
window.addEventListener("hashchange", () => { // a bookmark or an edited address while open
  const set = app.state.set;
  app.readHash();
  if (app.state.set !== set) app.rebuild();
  else app.render();
});
let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    app.views.model.built = false;
    app.render();
  }, 150);
});
requestAnimationFrame(() => requestAnimationFrame(() => {
  app.timings.ready = performance.now();
  document.documentElement.dataset.ready = "1";
}));

// For the tests and for anyone curious in the console: the state, the data
// and the views (attnviz.debug = true records the head view's lines).
window.attnviz = {
  app, data: D, sets: SETS, lineCut: LINE_CUT,
  get state() { return app.state; },
  get timings() { return app.timings; },
  get debug() { return app.debug; },
  set debug(v) { app.debug = !!v; },
  get lines() { return app.views.head.log; },
  render: () => app.render(),
};
