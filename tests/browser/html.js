// html.js — the -f html page (issue 18) in Debian's Chromium, driven by
// playwright-core: it loads with no console error and no network request
// (every request intercepted), reads without JavaScript, pointing at a
// token draws exactly its lines, a thumbnail opens its head, the tooltip's
// weight is the CSV's, hiding a head hides its lines, the keyboard reaches
// heads and tokens, hostile token text stays text, dark and print styles
// apply, and the screenshots of the three views match docs/html-*.png
// (UPDATE_GOLDEN=1 rewrites them). Timings of the size targets are measured
// with performance.now() and printed, never asserted.
// Run by tests/e2e/browser.sh; prints PASS/FAIL lines. Needs $ATTNVIZ and
// playwright-core on NODE_PATH.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");
const zlib = require("zlib");
const { ROOT, EXAMPLE, TMP, pass, fail, check, info, attnviz, csvWeights, run } = require("./lib.js");

const UPDATE = process.env.UPDATE_GOLDEN === "1";

// ---- PNG: decode the screenshots to compare them with the goldens
function decodePNG(buf) {
  let pos = 8, w = 0, h = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const n = buf.readUInt32BE(pos), kind = buf.toString("latin1", pos + 4, pos + 8);
    const d = buf.subarray(pos + 8, pos + 8 + n);
    if (kind === "IHDR") { w = d.readUInt32BE(0); h = d.readUInt32BE(4); type = d[9]; }
    if (kind === "IDAT") idat.push(d);
    pos += 12 + n;
  }
  const bpp = type === 6 ? 4 : 3, stride = w * bpp, raw = zlib.inflateSync(Buffer.concat(idat));
  const px = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp] : 0, b = y ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y ? px[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      px[y * stride + x] = (src[x] + pred) & 255;
    }
  }
  return { w, h, bpp, px };
}

/** Screenshot against its golden: same size, at most 0.2 % of pixels off by
 *  more than 48 in a channel, mean difference under 1 per channel. */
function compareGolden(name, png, golden) {
  if (UPDATE) {
    fs.writeFileSync(golden, png);
    return pass(name, `golden rewritten: ${path.relative(ROOT, golden)}`);
  }
  if (!fs.existsSync(golden)) return fail(name, `no golden ${path.relative(ROOT, golden)} (UPDATE_GOLDEN=1 makes it)`);
  const a = decodePNG(png), b = decodePNG(fs.readFileSync(golden));
  if (a.w !== b.w || a.h !== b.h) return fail(name, `size ${a.w}x${a.h}, golden ${b.w}x${b.h}`);
  let off = 0, sum = 0;
  for (let i = 0; i < a.w * a.h; i++) {
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.px[i * a.bpp + c] - b.px[i * b.bpp + c]);
      sum += d;
      worst = Math.max(worst, d);
    }
    if (worst > 48) off++;
  }
  const frac = off / (a.w * a.h), mean = sum / (3 * a.w * a.h);
  if (frac > 0.002 || mean > 1.0) {
    fs.writeFileSync(path.join(os.tmpdir(), path.basename(golden)), png);
    return fail(name, `${(100 * frac).toFixed(2)} % of pixels differ, mean ${mean.toFixed(2)} ` +
      `(got: ${path.join(os.tmpdir(), path.basename(golden))})`);
  }
  pass(name, `${(100 * frac).toFixed(3)} % of pixels differ, mean ${mean.toFixed(3)}`);
}

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A page of the browser with every console error, page error, dialog and
 *  request recorded; only `allow` may be requested (served from memory). */
async function open(browser, file, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 1000 }, deviceScaleFactor: 1,
    colorScheme: "light", ...opts });
  const rec = { errors: [], requests: [], dialogs: [] };
  const url = "http://attnviz.invalid/" + path.basename(file);
  await ctx.route("**/*", (route) => {
    const u = route.request().url();
    rec.requests.push(u);
    if (u === url) return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: fs.readFileSync(file) });
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") rec.errors.push(m.text()); });
  page.on("pageerror", (e) => rec.errors.push(e.message));
  page.on("dialog", (d) => { rec.dialogs.push(d.message()); d.dismiss(); });
  page.on("request", (r) => { if (!r.url().startsWith("http://attnviz.invalid/")) rec.requests.push(r.url()); });
  await page.goto(opts.javaScriptEnabled === false ? url : url);
  if (opts.javaScriptEnabled !== false) await page.waitForSelector('html[data-ready="1"]', { timeout: 20000 });
  return { ctx, page, rec, url };
}

const frame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function main() {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ARGS });
  try {
    await suite(browser);
  } finally {
    await browser.close();
  }
}

async function suite(browser) {
  attnviz(["-f", "html", EXAMPLE], "ex.html");
  const ex = path.join(TMP, "ex.html");
  const csv = csvWeights([EXAMPLE]);

  // ---- loads: no error, no request but the page, from http and from file://
  // (first a page that does request something, to show the record sees it)
  const control = path.join(TMP, "control.html");
  fs.writeFileSync(control, '<!DOCTYPE html><img src="http://attnviz.invalid/x.png"><script>' +
    'console.error("control"); document.documentElement.dataset.ready = "1";</script>');
  let { ctx, page, rec, url } = await open(browser, control);
  await page.waitForTimeout(300);
  check("checks-see-requests-and-errors", rec.requests.includes("http://attnviz.invalid/x.png") &&
    rec.errors.some((e) => e.includes("control")), `${rec.requests.join(", ")} | ${rec.errors.join(" | ")}`);
  await ctx.close();
  ({ ctx, page, rec, url } = await open(browser, ex));
  check("loads-without-console-error", rec.errors.length === 0, rec.errors.join(" | ") || "no error");
  check("no-network-request", rec.requests.length === 1 && rec.requests[0] === url,
    `${rec.requests.length} request(s): ${rec.requests.slice(0, 5).join(", ")}`);
  const fctx = await browser.newContext();
  const fpage = await fctx.newPage();
  const freq = [], ferr = [];
  fpage.on("request", (r) => freq.push(r.url()));
  fpage.on("pageerror", (e) => ferr.push(e.message));
  fpage.on("console", (m) => { if (m.type() === "error") ferr.push(m.text()); });
  await fpage.goto("file://" + ex);
  const fready = await fpage.waitForSelector('html[data-ready="1"]', { timeout: 20000 }).then(() => true, () => false);
  check("opens-from-file-url", fready && ferr.length === 0 && freq.length === 1,
    `ready ${fready}, errors ${ferr.join(" | ") || "none"}, requests ${freq.join(", ")}`);
  await fctx.close();

  // ---- hovering a token draws exactly its lines
  await page.evaluate(() => { attnviz.debug = true; attnviz.app.state.layer = 2; attnviz.render(); });
  const full = await page.evaluate(() => attnviz.lines);
  const it = 10; // "it" in [CLS] the animal didn ' t cross the street because it …
  await page.hover(`#hv-q${it}`);
  const hov = await page.evaluate(() => attnviz.lines);
  // expected: the keys of "it" whose weight is at least LINE_CUT of the shared scale (norm all: the
  // largest weight of every head and layer), for every head, from the CSV
  let max = 0;
  for (const v of csv.values()) max = Math.max(max, Number(v));
  const cut = await page.evaluate(() => attnviz.lineCut);
  const want = [];
  for (let h = 1; h <= 4; h++)
    for (let k = 0; k < 16; k++) if (Number(csv.get(`3,${h},${it},${k}`)) / max >= cut) want.push(`${h - 1},${k}`);
  const got = hov.map(([c, q, k]) => `${c},${k}`).sort();
  check("hover-token-draws-exactly-its-lines", hov.every(([, q]) => q === it) && got.join() === want.sort().join() &&
    full.some(([, q]) => q !== it),
    `${full.length} lines before, ${hov.length} after (all from query ${it}); expected ${want.length}`);
  const nums = await page.evaluate(() => [...document.querySelectorAll("#view-head .col.k .num")]
    .map((n) => [...n.children].map((s) => s.textContent)));
  const animal = nums[2].join(" ");
  const fmt = (v) => (v !== 0 && Math.abs(v) < 0.005 ? v.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2") : v.toFixed(2));
  const wantAnimal = [1, 2, 3, 4].map((h) => fmt(Number(csv.get(`3,${h},${it},2`)))).join(" ");
  check("hover-shows-weights-as-numbers", nums.every((n) => n.length === 4) && animal === wantAnimal,
    `beside "animal": ${animal}, CSV ${wantAnimal}`);
  await page.hover("#hv-k2", { position: { x: 8, y: 10 } }); // the label, not a number that goes away
  const keyLines = await page.evaluate(() => attnviz.lines);
  check("hover-key-draws-its-lines", keyLines.length > 0 && keyLines.every(([, , k]) => k === 2),
    `${keyLines.length} lines, into keys ${[...new Set(keyLines.map((l) => l[2]))].join(",")}`);
  // the canvas holds only lines of the hovered token: every line's middle is drawn
  await page.mouse.move(5, 5);
  await frame(page);

  // ---- toggling a head hides its lines (in the record and on the canvas)
  const colors = await page.evaluate(() => attnviz.app.colors);
  for (const c of [1, 2, 3]) await page.click(`.heads button[data-column="${c}"]`);
  await frame(page);
  const one = await page.evaluate(() => {
    const cv = document.querySelector("#view-head canvas"), d = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
    let n = 0, other = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 96) continue;
      n++;
      const [r, g, b] = attnviz.app.colors[0];
      if (Math.abs(d[i] - r) > 12 || Math.abs(d[i + 1] - g) > 12 || Math.abs(d[i + 2] - b) > 12) other++;
    }
    return { lines: attnviz.lines, n, other };
  });
  check("toggle-head-hides-its-lines", one.lines.length > 0 && one.lines.every(([c]) => c === 0) && one.n > 0 &&
    one.other === 0, `${one.lines.length} lines, all of head 1; ${one.n} strong pixels, ${one.other} not head 1's colour ` +
    `rgb(${colors[0]})`);
  const pressed = await page.evaluate(() => [...document.querySelectorAll(".heads button")].map((b) => b.getAttribute("aria-pressed")));
  check("head-buttons-say-pressed", pressed.join() === "true,false,false,false", pressed.join());
  await page.click('.heads button[data-column="1"]');
  const two = await page.evaluate(() => new Set(attnviz.lines.map((l) => l[0])).size);
  check("toggle-head-shows-its-lines-again", two === 2, `${two} heads drawn`);

  // ---- keyboard: tab reaches the heads, arrows move through tokens
  await page.evaluate(() => attnviz.app.show("head"));
  await page.focus('.heads button[data-column="0"]');
  await page.keyboard.press("Tab");
  const tabbed = await page.evaluate(() => document.activeElement.dataset.column);
  await page.focus("#hv-q0");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const k1 = await page.evaluate(() => [document.activeElement.id, attnviz.app.views.head.active]);
  await page.keyboard.press("ArrowRight");
  const k2 = await page.evaluate(() => [document.activeElement.id, attnviz.lines.every((l) => l[2] === 2)]);
  check("keyboard-heads-and-tokens", tabbed === "1" && k1[0] === "hv-q2" && k1[1].i === 2 && k2[0] === "hv-k2" && k2[1],
    `tab → head column ${tabbed}; ArrowDown ×2 → ${k1[0]}; ArrowRight → ${k2[0]}`);
  await page.keyboard.press("Escape");

  // ---- the model view: a click opens that head
  await page.click("#tab-model");
  await page.click('button.thumb[data-layer="2"][data-column="0"]');
  const opened = await page.evaluate(() => [attnviz.state.view, attnviz.state.layer, attnviz.state.column,
    document.querySelector("#view-matrix h2").textContent, !document.getElementById("view-matrix").hidden]);
  check("thumbnail-opens-its-head", opened.join() === "matrix,2,0,layer 3 · head 1,true", opened.join(" | "));
  await page.click("#tab-model");
  const thumbs = await page.locator("button.thumb").count();
  await page.click('button.thumb[data-layer="3"][data-column="2"]');
  const opened2 = await page.evaluate(() => document.querySelector("#view-matrix h2").textContent);
  check("model-view-has-every-head", thumbs === 16 && opened2 === "layer 4 · head 3", `${thumbs} thumbnails; → ${opened2}`);

  // ---- the matrix view: tooltip weight = CSV, the row outlined, the keys ranked
  await page.evaluate(() => { attnviz.app.open(2, 0); });
  const geo = await page.evaluate(() => { const v = attnviz.app.views.matrix; return { left: v.left, top: v.top, cs: v.cs }; });
  const box = await page.locator("#view-matrix canvas.overlay").boundingBox();
  const cells = [[it, 2], [0, 0], [15, 15], [5, 11], [3, 9]];
  const tips = [];
  for (const [q, k] of cells) {
    await page.mouse.move(box.x + geo.left + (k + 0.5) * geo.cs, box.y + geo.top + (q + 0.5) * geo.cs);
    tips.push(await page.evaluate(() => ({ ...document.getElementById("mx-tooltip").dataset,
      hidden: document.getElementById("mx-tooltip").hidden, text: document.getElementById("mx-tooltip").textContent })));
  }
  const bad = cells.map(([q, k], i) => [q, k, tips[i], csv.get(`3,1,${q},${k}`)])
    .filter(([q, k, t, w]) => t.hidden || Number(t.q) !== q || Number(t.k) !== k || t.weight !== w);
  check("tooltip-weight-equals-csv", bad.length === 0, bad.length ? bad.map(([q, k, t, w]) =>
    `(${q},${k}) tooltip ${t.weight} csv ${w}`).join("; ") : `${cells.length} cells, e.g. "${tips[0].text}" = CSV ${csv.get(`3,1,${it},2`)}`);
  await page.mouse.click(box.x + geo.left + 2.5 * geo.cs, box.y + geo.top + (it + 0.5) * geo.cs);
  const ranked = await page.evaluate(() => [attnviz.state.query,
    [...document.querySelectorAll(".focus li")].map((li) => [Number(li.dataset.k), li.querySelector(".v").textContent])]);
  const wantRank = [...Array(16).keys()].sort((a, b) => Number(csv.get(`3,1,${it},${b}`)) - Number(csv.get(`3,1,${it},${a}`)) || a - b);
  check("click-ranks-keys-of-query", ranked[0] === it && ranked[1].map((r) => r[0]).join() === wantRank.join() &&
    ranked[1].every(([k, v]) => v === fmt(Number(csv.get(`3,1,${it},${k}`)))),
    `query ${ranked[0]}: ${ranked[1].slice(0, 3).map((r) => r.join("=")).join(", ")}`);
  const outlined = await page.evaluate(([q]) => {
    const v = attnviz.app.views.matrix, cv = v.overlay, s = cv.width / v.W;
    const d = cv.getContext("2d").getImageData(0, Math.round((v.top + q * v.cs) * s) - 1, cv.width, 3).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, [it]);
  check("row-of-query-outlined", outlined > geo.cs * 16, `${outlined} outline pixels along the row's top edge`);
  await page.focus("#view-matrix .plot");
  await page.keyboard.press("ArrowRight");
  const kb = await page.evaluate(() => ({ ...document.getElementById("mx-tooltip").dataset }));
  check("keyboard-moves-matrix-cell", Number(kb.q) === it && Number(kb.k) === 3 && kb.weight === csv.get(`3,1,${it},3`),
    `(${kb.q},${kb.k}) ${kb.weight}`);
  await page.keyboard.press("Escape");

  // ---- scale controls: a fixed range and per-row
  await page.selectOption("#norm", "row");
  const rowCap = await page.evaluate(() => document.querySelector("#view-matrix .cbar .caption").textContent);
  await page.fill("#vmax", "0.5");
  await page.dispatchEvent("#vmax", "change");
  const fixed = await page.evaluate(() => [attnviz.state.scale.vmax,
    [...document.querySelectorAll("#view-matrix .ticks span")].map((e) => e.textContent).join(" "),
    document.querySelector("#view-matrix .cbar .caption").textContent]);
  // the wording of scale_caption() and the ticks of scale_ticks() (src/render/scale.c)
  check("scale-controls", rowCap === "0 to max weight of each row" && fixed[0] === 0.5 &&
    fixed[1] === "0.0 0.1 0.2 0.3 0.4 0.5" && fixed[2] === "0 to 0.5 of each row",
    `${rowCap} | vmax ${fixed[0]}: ticks ${fixed[1]}; ${fixed[2]}`);
  await page.fill("#vmin", "0.7");
  await page.dispatchEvent("#vmin", "change");
  const refused = await page.evaluate(() => [attnviz.state.scale.vmin, document.getElementById("vmin").getAttribute("aria-invalid"),
    document.getElementById("vmin").validationMessage]);
  check("scale-refuses-vmin-above-vmax", refused[0] === null && refused[1] === "true" && refused[2].includes("below"),
    refused.join(" | "));
  check("no-console-error-after-use", rec.errors.length === 0 && rec.dialogs.length === 0 && rec.requests.length === 1,
    rec.errors.concat(rec.dialogs, rec.requests.slice(1)).join(" | ") || "none");
  await ctx.close();

  // ---- without JavaScript: title, tokens, a note
  ({ ctx, page } = await open(browser, ex, { javaScriptEnabled: false }));
  const text = await page.innerText("body");
  check("readable-without-javascript", text.includes(`“${EXAMPLE}”`) && text.includes("Tokens (16): [CLS] the animal didn ' t") &&
    text.includes("with JavaScript, which is turned off") && !(await page.isVisible("#app")), text.slice(0, 200).replace(/\n+/g, " | "));
  await ctx.close();

  // ---- dark scheme, print
  ({ ctx, page } = await open(browser, ex, { colorScheme: "dark" }));
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check("prefers-color-scheme-dark", bg === "rgb(22, 24, 28)", bg);
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => [getComputedStyle(document.querySelector("nav.bar")).display,
    getComputedStyle(document.querySelector("#view-head")).display]);
  check("print-hides-controls", printed.join() === "none,block", printed.join());
  const pdf = await page.pdf({ format: "A4", printBackground: true }).then((b) => b.length, () => 0);
  check("prints-to-pdf", pdf > 10000, `${pdf} bytes`);
  await ctx.close();

  // ---- the command line's scale is the page's first one
  attnviz(["--norm", "head", "--log", "--colormap", "magma", "-q", "it", "-f", "html", EXAMPLE], "scale.html");
  ({ ctx, page } = await open(browser, path.join(TMP, "scale.html")));
  const first = await page.evaluate(() => [attnviz.state.view, attnviz.state.query, attnviz.state.cmap,
    document.getElementById("norm").value, document.getElementById("log").checked, document.getElementById("cmap").value,
    document.querySelector("#view-matrix .cbar .caption").textContent,
    document.querySelector("#view-matrix .focus h3").textContent]);
  check("command-line-scale-and-query", first.join("|") ===
    "matrix|10|magma|head|true|magma|log, max/1000 to max weight of each head|Query “it” (10) attends to", first.join(" | "));
  await ctx.close();

  // ---- --words and --aggregate: matrices to choose; the address names the view
  attnviz(["--words", "--aggregate", "mean", "-f", "html", EXAMPLE], "words.html");
  const wcsv = csvWeights(["--words", "--aggregate", "mean", EXAMPLE]);
  ({ ctx, page, url } = await open(browser, path.join(TMP, "words.html")));
  await page.goto(url + "#view=matrix&set=words&layer=3&head=mean&query=9");
  await page.reload();
  await page.waitForSelector('html[data-ready="1"]');
  const w = await page.evaluate(() => [attnviz.state.view, attnviz.app.set().name, attnviz.state.layer, attnviz.state.column,
    attnviz.state.query, document.querySelector("#view-matrix h2").textContent, document.getElementById("set").value,
    [...document.querySelectorAll(".focus li")].slice(0, 1).map((li) => [li.dataset.k, li.querySelector(".v").title])[0]]);
  // words: [CLS] the animal didn't cross the street because it(9) ...; the mean matrix is column 4
  const wrank = [...Array(14).keys()].sort((a, b) => Number(wcsv.get(`3,mean,9,${b}`)) - Number(wcsv.get(`3,mean,9,${a}`)));
  check("words-and-mean-from-the-address", w.slice(0, 7).join("|") === "matrix|words|2|4|9|layer 3 · mean (words)|1" &&
    Number(w[7][0]) === wrank[0] && w[7][1] === wcsv.get(`3,mean,9,${wrank[0]}`), w.join(" | "));
  await page.selectOption("#set", "0");
  const back = await page.evaluate(() => [attnviz.app.set().name, attnviz.app.set().nq, location.hash]);
  check("set-switch-and-address-follows", back[0] === "tokens" && back[1] === 16 && back[2].includes("view=matrix") &&
    back[2].includes("set=tokens") && back[2].includes("head=mean"), back.join(" | "));
  await ctx.close();

  await hostile(browser);
  await screenshots(browser, ex);
  await targets(browser, ex);
}

/** Token text that tries to leave the data or run script stays text. */
async function hostile(browser) {
  const evil = `</script><script>window.pwned=1;alert(1)</script> <img src=x onerror="window.pwned=2"> "q'uo" ` +
    `<!-- <script> a\u202Eb \u0001\u001f </style> end`;
  attnviz(["--seed", "42", "--title", `<b onmouseover=alert(3)>${evil}`, "-f", "html", evil], "evil.html");
  const { ctx, page, rec } = await open(browser, path.join(TMP, "evil.html"));
  await page.evaluate(() => attnviz.app.show("matrix"));
  await page.evaluate(() => attnviz.app.show("model"));
  await page.evaluate(() => attnviz.app.show("head"));
  await page.hover("#hv-q1");
  const dom = await page.evaluate(() => ({
    pwned: window.pwned, scripts: document.scripts.length, imgs: document.images.length,
    bold: document.querySelectorAll("b[onmouseover]").length,
    handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
    title: document.title, h1: document.querySelector("h1").textContent,
    tokens: [...document.querySelectorAll("#view-head .col.q .label")].map((e) => e.textContent),
  }));
  const tokens = String(attnviz(["--seed", "42", "-f", "csv", "-H", "1", evil])).trim().split("\n").slice(1)
    .map((r) => r.split(",")).filter((f) => f[4] === "0").map((f) => f[3].replace(/^"(.*)"$/, "$1").replace(/""/g, '"'));
  check("hostile-text-runs-no-script", dom.pwned === undefined && rec.dialogs.length === 0 && dom.scripts === 2 &&
    dom.imgs === 0 && dom.bold === 0 && dom.handlers === 0 && rec.errors.length === 0 && rec.requests.length === 1,
    JSON.stringify({ ...dom, tokens: undefined, title: undefined, h1: undefined, dialogs: rec.dialogs, errors: rec.errors }));
  check("hostile-title-is-text", dom.title.startsWith("<b onmouseover=alert(3)></script><script>window.pwned=1") &&
    dom.title.includes("a\\u202Eb \\u0001\\u001F </style> end") && dom.h1 === dom.title, dom.title);
  // labels as the terminal's: a repeated token with its index as subscript
  const unsub = (t) => t.replace(/[\u2080-\u2089]+$/, "");
  check("hostile-tokens-shown-as-csv-shows-them", dom.tokens.map(unsub).join(" ") === tokens.join(" ") &&
    dom.tokens.some((t) => t !== unsub(t)),
    `page: ${dom.tokens.join(" ")} | csv: ${tokens.join(" ")}`);
  await ctx.close();
}

/** The README's three screenshots: the example sentence, layer 3. */
async function screenshots(browser, ex) {
  const { ctx, page } = await open(browser, ex);
  await page.evaluate(() => { attnviz.app.state.layer = 2; attnviz.app.show("head"); });
  await page.click("#hv-q10"); // "it", kept
  await page.mouse.move(1090, 990);
  await frame(page);
  compareGolden("screenshot-head-view", await page.screenshot({ fullPage: true }), path.join(ROOT, "docs", "html-head.png"));
  await page.click("#tab-model");
  await frame(page);
  compareGolden("screenshot-model-view", await page.screenshot({ fullPage: true }), path.join(ROOT, "docs", "html-model.png"));
  await page.click('button.thumb[data-layer="2"][data-column="0"]');
  const v = await page.evaluate(() => { const m = attnviz.app.views.matrix; return { left: m.left, top: m.top, cs: m.cs }; });
  const box = await page.locator("#view-matrix canvas.overlay").boundingBox();
  await page.mouse.click(box.x + v.left + 2.5 * v.cs, box.y + v.top + 10.5 * v.cs);
  await frame(page);
  compareGolden("screenshot-matrix-view", await page.screenshot({ fullPage: true }), path.join(ROOT, "docs", "html-matrix.png"));
  await ctx.close();
}

/** The size targets, and their timings (reported, not asserted). */
async function targets(browser, ex) {
  const sizes = {};
  const words = (n, seed) => Array.from({ length: n }, (_, i) => ["the", "animal", "street", "it", "was", "tired",
    "because", "wide", "river", "bank"][(i * 7 + seed * 3 + (i >> 3)) % 10]).join(" ");
  attnviz(["--seed", "1", "--layers", "12", "--heads", "12", "--dim", "768", "-f", "html", words(128, 1)], "big.html");
  attnviz(["--seed", "1", "-H", "1", "-f", "html", words(1000, 2)], "long.html");
  for (const [name, file] of [["example", ex], ["12x12-128", path.join(TMP, "big.html")],
    ["1000-tokens", path.join(TMP, "long.html")]]) sizes[name] = fs.statSync(file).size;
  check("size-example-under-150KB", sizes.example <= 150 * 1024, `${sizes.example} bytes`);
  check("size-12x12-128-under-8MB", sizes["12x12-128"] <= 8 * 1024 * 1024, `${sizes["12x12-128"]} bytes`);
  // Each page is opened 3 times, from file:// as a person opens it (through
  // the interception, the browser would wait for the test's own transfer of
  // the file); the median of each timing is reported. ready: from navigation
  // to the first view drawn and its handlers attached; a hover: from the
  // pointer event to the end of the frame that shows its result.
  const results = [];
  const median = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
  for (const [name, file] of [["example", ex], ["12x12-128", path.join(TMP, "big.html")],
    ["1000-tokens", path.join(TMP, "long.html")]]) {
    const runs = [];
    for (let rep = 0; rep < 3; rep++) {
      const ctx = await browser.newContext({ viewport: { width: 1100, height: 1000 }, deviceScaleFactor: 1 });
      const page = await ctx.newPage(), rec = { errors: [] };
      page.on("pageerror", (e) => rec.errors.push(e.message));
      page.on("console", (m) => { if (m.type() === "error") rec.errors.push(m.text()); });
      page.on("request", (r) => { if (r.url() !== "file://" + file) rec.errors.push("request " + r.url()); });
      await page.goto("file://" + file);
      await page.waitForSelector('html[data-ready="1"]', { timeout: 30000 });
      runs.push(await page.evaluate(async () => {
        const r = { ready: attnviz.timings.ready };
        const shown = () => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0)));
        const time = async (f) => { await shown(); const t0 = performance.now(); f(); await shown(); return performance.now() - t0; };
        for (const v of ["head", "model", "matrix"]) r["open-" + v] = await time(() => attnviz.app.show(v));
        attnviz.app.show("head");
        const hs = [];
        for (const i of [1, 5, 9, 13]) {
          const el = document.getElementById(`hv-q${i}`);
          hs.push(await time(() => el.dispatchEvent(new PointerEvent("pointerover", { bubbles: true }))));
        }
        r["hover-token"] = Math.max(...hs);
        attnviz.app.show("matrix");
        const ov = document.querySelector("#view-matrix canvas.overlay"), b = ov.getBoundingClientRect(), ms = [];
        for (const f of [0.2, 0.4, 0.6, 0.8]) {
          ms.push(await time(() => ov.dispatchEvent(new PointerEvent("pointermove", { bubbles: true,
            clientX: b.left + b.width * f, clientY: b.top + b.height * (1 - f) }))));
        }
        r["hover-cell"] = Math.max(...ms);
        return r;
      }));
      if (rec.errors.length) fail(`target-${name}-loads`, rec.errors.join(" | "));
      await ctx.close();
    }
    const t = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));
    results.push([name, t]);
    info(`${name}: ${sizes[name]} bytes; median of 3: ` +
      Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(", "));
  }
  info(`load average while measuring: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} on ${os.cpus().length} cores`);
  check("timings-measured", results.length === 3 && results.every(([, t]) => Object.values(t).every(Number.isFinite)),
    results.map(([n, t]) => `${n}: ready ${t.ready.toFixed(0)} ms, hover ${t["hover-token"].toFixed(0)}/${t["hover-cell"].toFixed(0)} ms`).join("; "));
}

run("browser-suite", main);
