// modelview.js — the model view: every shown layer × column (head or
// aggregate) as a small heatmap; a click (or Enter) opens it in the matrix
// view. Large matrices are max-pooled to the thumbnail's pixels, as the
// terminal pools them.

class ModelView {
  constructor(app, root) {
    this.app = app;
    this.root = root;
  }

  build() {
    const s = this.app.set();
    const C = s.columns.length;
    const avail = Math.max(320, (this.root.clientWidth || document.documentElement.clientWidth - 40) - 90);
    const side = clamp(Math.floor(avail / C) - 10, 40, 120);
    const k = side / Math.max(s.nq, s.nk);
    this.w = Math.max(8, Math.round(s.nk * k));
    this.h = Math.max(8, Math.round(s.nq * k));
    const grid = el("div", { class: "mv", role: "group", "aria-label": "Every layer and head" });
    grid.style.gridTemplateColumns = `auto repeat(${C}, auto)`;
    grid.append(el("div", { class: "lab" }), ...s.columns.map((c) => el("div", {
      class: "lab", text: c.head != null ? `head ${c.head}` : c.aggregate,
    })));
    this.thumbs = [];
    s.layers.forEach((layer, li) => {
      grid.append(el("div", { class: "lab row", text: `layer ${layer}` }));
      s.columns.forEach((c, ci) => {
        const canvas = el("canvas");
        const b = el("button", {
          class: "thumb", "data-layer": li, "data-column": ci,
          "aria-label": `${s.title(li, ci)}: open in the matrix view`, title: s.title(li, ci),
          onclick: () => this.app.open(li, ci),
        }, canvas);
        this.thumbs.push([canvas, li, ci]);
        grid.append(b);
      });
    });
    this.root.replaceChildren(el("p", {
      class: "note hint", text: "Rows are layers, columns heads; each small map has queries down and keys across. " +
        "Click one (or tab to it and press Enter) to open it.",
    }), grid);
  }

  draw() {
    const s = this.app.set(), st = this.app.state;
    const dpr = window.devicePixelRatio || 1;
    const f = Math.max(1, Math.floor(Math.max(s.nq, s.nk) / (Math.max(this.w, this.h) * dpr)));
    for (const [canvas, li, ci] of this.thumbs) {
      const img = matrixImage(s, st.scale, st.cmap, li, ci, f);
      canvas.width = img.width;
      canvas.height = img.height;
      canvas.getContext("2d").putImageData(img, 0, 0);
      canvas.style.width = this.w + "px";
      canvas.style.height = this.h + "px";
    }
  }
}
