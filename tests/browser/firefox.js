// firefox.js — the -f html page in Firefox (issue 18), driven over
// WebDriver BiDi (Firefox's own remote protocol; a small client here, over
// node's WebSocket): each view opens from file:// with no console error and
// no request but the page (and the data: icon), a deflated page's weights
// are inflated and read as the CSV's to the stated precision, the tooltip
// gives the CSV's weight, pointing at a token draws only its lines, and
// hostile token text opens no dialog and runs nothing. Chromium's suite
// (html.js) tests the behaviour in detail; this one, that Firefox runs it.
// Run by tests/e2e/firefox.sh; prints PASS/FAIL lines.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const { EXAMPLE, TMP, check, attnviz, csvWeights, run } = require("./lib.js");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Firefox, headless, in a fresh profile, and a BiDi session to it. */
async function firefox() {
  const prof = path.join(TMP, "profile");
  fs.mkdirSync(prof);
  const proc = spawn("firefox-esr", ["--headless", "--no-remote", "--profile", prof, "--remote-debugging-port=0",
    "--window-size=1100,1000"], { env: { ...process.env, HOME: TMP }, stdio: ["ignore", "ignore", "pipe"] });
  let log = "", port = null;
  proc.stderr.on("data", (d) => {
    log += d;
    const m = /WebDriver BiDi listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(log);
    if (m) port = m[1];
  });
  for (let i = 0; i < 600 && !port; i++) await sleep(100);
  if (!port) throw new Error("Firefox did not start its BiDi server: " + log.slice(-300));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/session`);
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error("BiDi: no connection")); });
  let id = 0;
  const pending = new Map(), events = [];
  ws.onmessage = (m) => {
    const d = JSON.parse(m.data);
    if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } else events.push(d);
  };
  const send = (method, params) => new Promise((res, rej) => {
    const i = ++id;
    pending.set(i, (d) => (d.type === "error" ? rej(new Error(`${method}: ${d.error}: ${d.message}`)) : res(d.result)));
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  await send("session.new", { capabilities: {} });
  await send("session.subscribe", { events: ["log.entryAdded", "network.beforeRequestSent", "browsingContext.userPromptOpened"] });
  const ctx = (await send("browsingContext.getTree", {})).contexts[0].context;
  const evaluate = async (expression) => {
    const r = await send("script.evaluate", { expression, target: { context: ctx }, awaitPromise: true });
    if (r.type === "exception") throw new Error("script: " + r.exceptionDetails.text);
    return r.result.value;
  };
  const open = async (file, hash = "") => {
    await send("browsingContext.navigate", { context: ctx, url: "about:blank", wait: "complete" }); // a fresh load
    events.length = 0;
    await send("browsingContext.navigate", { context: ctx, url: `file://${file}${hash}`, wait: "complete" });
    for (let i = 0; i < 300; i++) { // the page decodes its weights after the load event: wait for it
      if (await evaluate('document.documentElement.dataset.ready === "1"')) {
        await sleep(500); // and let late events arrive
        return true;
      }
      await sleep(100);
    }
    return false;
  };
  /** what the page did that it must not: errors, requests, dialogs */
  const misdeeds = (file) => events.filter((e) =>
    (e.method === "log.entryAdded" && e.params.level === "error") ||
    (e.method === "network.beforeRequestSent" && !e.params.request.url.startsWith("data:") &&
      e.params.request.url.split("#")[0] !== `file://${file}`) ||
    e.method === "browsingContext.userPromptOpened").map((e) => `${e.method} ${e.params.text || e.params.message ||
      (e.params.request && e.params.request.url) || ""}`);
  const close = async () => {
    try { await send("session.end", {}); } catch (e) { /* Firefox may close first */ }
    proc.kill();
  };
  return { open, evaluate, misdeeds, close };
}

async function main() {
  attnviz(["-f", "html", EXAMPLE], "ex.html");
  const ex = path.join(TMP, "ex.html");
  const csv = csvWeights([EXAMPLE]);
  const words = Array.from({ length: 256 }, (_, i) => `w${i % 37}`).join(" ");
  attnviz(["--seed", "1", "--layers", "2", "-f", "html", words], "big.html");
  const big = path.join(TMP, "big.html");
  const bigCsv = csvWeights(["--seed", "1", "--layers", "2", words]);
  // a page that does load something, to show the checks below would see it
  const control = path.join(TMP, "control.html");
  fs.writeFileSync(control, '<!DOCTYPE html><title>x</title><img src="http://127.0.0.1:65000/x.png">' +
    '<script>console.error("control error"); document.documentElement.dataset.ready = "1";</script>');
  const ff = await firefox();
  try {
    await ff.open(control);
    const seen = ff.misdeeds(control);
    check("firefox-checks-see-requests-and-errors", seen.some((m) => m.includes("127.0.0.1:65000")) &&
      seen.some((m) => m.includes("control error")), seen.join(" | ") || "saw nothing");
    // every view, from the address
    for (const [view, hash] of [["head", "#view=head&layer=3"], ["model", "#view=model"],
      ["matrix", "#view=matrix&layer=3&head=1&query=10"]]) {
      const ready = await ff.open(ex, hash);
      const st = JSON.parse(await ff.evaluate(`JSON.stringify([attnviz.state.view, attnviz.state.layer,
        document.getElementById("view-${view}").hidden, document.querySelectorAll("#view-${view} canvas").length])`));
      const bad = ff.misdeeds(ex);
      check(`firefox-${view}-view`, ready && st[0] === view && !st[2] && st[3] > 0 && bad.length === 0,
        `ready ${ready}, view ${st[0]}, ${st[3]} canvases, ${bad.length ? bad.join(" | ") : "no error, no request"}`);
    }
    // the tooltip's weight is the CSV's (matrix view, layer 3 head 1)
    await ff.open(ex, "#view=matrix&layer=3&head=1");
    const tips = JSON.parse(await ff.evaluate(`(() => {
      const v = attnviz.app.views.matrix, b = v.overlay.getBoundingClientRect(), out = [];
      for (const [q, k] of [[10, 2], [0, 0], [15, 15], [5, 11]]) {
        v.overlay.dispatchEvent(new PointerEvent("pointermove", { bubbles: true,
          clientX: b.left + v.left + (k + 0.5) * v.cs, clientY: b.top + v.top + (q + 0.5) * v.cs }));
        const d = document.getElementById("mx-tooltip").dataset;
        out.push([Number(d.q), Number(d.k), d.weight]);
      }
      return JSON.stringify(out);
    })()`));
    const wrong = tips.filter(([q, k, w]) => w !== csv.get(`3,1,${q},${k}`));
    check("firefox-tooltip-weight-equals-csv", tips.length === 4 && wrong.length === 0,
      wrong.length ? wrong.map(([q, k, w]) => `(${q},${k}) ${w} csv ${csv.get(`3,1,${q},${k}`)}`).join("; ")
        : tips.map(([q, k, w]) => `(${q},${k}) ${w}`).join(", "));
    // pointing at a token draws only its lines
    await ff.open(ex, "#view=head&layer=3");
    const lines = JSON.parse(await ff.evaluate(`(() => {
      attnviz.debug = true;
      attnviz.render();
      const all = attnviz.lines.length;
      document.getElementById("hv-q10").dispatchEvent(new PointerEvent("pointerover", { bubbles: true }));
      const mine = attnviz.lines;
      return JSON.stringify([all, mine.length, mine.every((l) => l[1] === 10)]);
    })()`));
    check("firefox-hover-draws-only-its-lines", lines[0] > lines[1] && lines[1] > 0 && lines[2],
      `${lines[0]} lines, then ${lines[1]} from "it"`);
    // a deflated page: inflated by Firefox, its weights as the CSV's within 2^-10
    const readyBig = await ff.open(big, "#view=matrix&layer=2&head=3");
    const cells = [[0, 0], [17, 200], [255, 255], [100, 3], [42, 42]];
    const got = JSON.parse(await ff.evaluate(`JSON.stringify([attnviz.sets[0].exact,
      ${JSON.stringify(cells)}.map(([q, k]) => attnviz.sets[0].value(1, 2, q, k))])`));
    const rel = cells.map(([q, k], i) => Math.abs(got[1][i] - Number(bigCsv.get(`2,3,${q},${k}`))) /
      Number(bigCsv.get(`2,3,${q},${k}`)));
    check("firefox-deflated-weights", readyBig && got[0] === false && rel.every((r) => r <= 2 ** -10) &&
      ff.misdeeds(big).length === 0, `ready ${readyBig}, max relative error ${Math.max(...rel).toExponential(2)} ` +
      `(bound ${(2 ** -10).toExponential(2)}); ${ff.misdeeds(big).join(" | ") || "no error"}`);
    // hostile text
    const evil = `</script><script>window.pwned=1;alert(1)</script> <img src=x onerror="window.pwned=2"> "q'uo" ` +
      "<!-- a\u202Eb \u0001 end";
    attnviz(["--seed", "42", "-f", "html", evil], "evil.html");
    const evilFile = path.join(TMP, "evil.html");
    const readyEvil = await ff.open(evilFile, "#view=head");
    const dom = JSON.parse(await ff.evaluate(`JSON.stringify([window.pwned === undefined, document.scripts.length,
      document.images.length, document.title])`));
    const bad = ff.misdeeds(evilFile);
    check("firefox-hostile-text-runs-nothing", readyEvil && dom[0] && dom[1] === 2 && dom[2] === 0 && bad.length === 0,
      `${dom.join(" | ")}; ${bad.join(" | ") || "no error, no dialog, no request"}`);
  } finally {
    await ff.close();
  }
}

run("firefox-suite", main);
