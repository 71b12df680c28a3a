// data.js — the data the C side wrote (src/render/html.c): one JSON object
// in the script element #attnviz-data, with every set's weights as base64,
// either little-endian float32 ("f32": exact) or 16-bit codes ("u16z": the
// float32 whose bits are code << 14, within 0.1 % of the weight; the high
// bytes, then the low bytes, raw-deflated). Decoded once into a
// Float32Array per set: [layer][column][query][key].

const D = JSON.parse(document.getElementById("attnviz-data").textContent);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

async function inflateRaw(bytes) {
  if (typeof DecompressionStream !== "function")
    throw new Error("this browser cannot unpack the weights of a page this large (it needs DecompressionStream: " +
      "Chromium 80, Firefox 113, Safari 16.4 or later)");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function decodeWeights(b64, encoding, n) {
  let bytes = fromBase64(b64);
  if (encoding === "u16z") bytes = await inflateRaw(bytes);
  const width = encoding === "f32" ? 4 : 2;
  if (bytes.length !== n * width) throw new Error(`weights: ${bytes.length} bytes for ${n} weights`);
  if (width === 4) {
    if (!LITTLE) // the data is little-endian
      for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
    return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  }
  const out = new Float32Array(n), bits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) bits[i] = (bytes[i] << 22) | (bytes[n + i] << 14);
  return out;
}

/** One set of matrices ("tokens" or "words"): the shown layers × columns
 *  (model heads, then the aggregates asked for). */
class MatrixSet {
  constructor(j, w) {
    this.name = j.name;
    this.queries = j.queries;
    this.keys = j.keys || j.queries;
    // as the terminal labels them: escaped, a repeated text with its index (the₁, the₇)
    this.qlabels = j.query_labels;
    this.klabels = j.key_labels || j.query_labels;
    this.cross = j.keys != null;
    this.layers = j.layers; // 1-based model layers
    this.columns = j.columns.map((c, i) => ({
      index: i,
      head: c.head ?? null,
      aggregate: c.aggregate ?? null,
      kind: c.head != null ? "head" : c.aggregate, // columns of one kind share an "all" scale
      short: c.head != null ? String(c.head) : c.aggregate,
      label: c.head != null ? `head ${c.head}` : c.aggregate,
    }));
    this.nq = this.queries.length;
    this.nk = this.keys.length;
    this.nn = this.nq * this.nk;
    this.query = j.query >= 0 && j.query < this.nq ? j.query : -1;
    this.exact = j.encoding === "f32";
    this.w = w;
    this.maxCache = new Map(); // scale.js: the counted weights' min and max of each matrix
  }

  offset(li, ci) { return (li * this.columns.length + ci) * this.nn; }
  matrix(li, ci) { const o = this.offset(li, ci); return this.w.subarray(o, o + this.nn); }
  value(li, ci, q, k) { return this.w[this.offset(li, ci) + q * this.nk + k]; }
  /** Masked (causal, key after query): drawn as masked, never as a low weight. */
  masked(q, k) { return D.causal && !this.cross && k > q; }

  /** Keys of query q in matrix (li, ci), largest weight first. */
  ranked(li, ci, q) {
    const ks = [];
    for (let k = 0; k < this.nk; k++) if (!this.masked(q, k)) ks.push(k);
    return ks.sort((a, b) => this.value(li, ci, q, b) - this.value(li, ci, q, a) || a - b);
  }

  title(li, ci) { return `layer ${this.layers[li]} · ${this.columns[ci].label}`; }
}

const SETS = await Promise.all(D.sets.map(async (j) => new MatrixSet(j, await decodeWeights(j.weights, j.encoding,
  j.layers.length * j.columns.length * j.queries.length * (j.keys || j.queries).length))));

/** The colormaps, as the figures draw them: 256 colours each at t = i/255. */
const CMAPS = Object.fromEntries(Object.entries(D.colormaps).map(([name, b64]) => [name, fromBase64(b64)]));
