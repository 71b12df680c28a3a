"""attnviz_ref.py — shared helpers for the Python test suites.

An independent reference for attnviz's attention weights, written from the
specification (DESIGN.md, src/model/model.h, src/compute/transformer.h, src/model/rng.h), not
from the C code:

  * write_model_json()   writes a version-1 JSON weight file (nested-array or
                          {"shape","data"} spelling, optional biases);
  * torch_attention()    runs torch.nn.MultiheadAttention layer by layer on the
                          same float32 weights (in float64 or float32) and
                          returns weights[layer][head][query][key];
  * manual_attention()   the same forward pass written out in numpy (float64),
                          a cross-check of how the reference drives torch;
  * sinusoidal(), hashed_embedding(), seeded_weights(): the documented
                          positional encoding, hashed embeddings and seeded
                          Xavier-uniform weights (xoshiro256** + splitmix64 +
                          FNV-1a), re-implemented with Python integers;
  * run_attnviz(), parse_csv(), parse_json(): drive the binary and read its
                          output back into weights[layer][head][q][k].

Run everything with /usr/bin/python3 (Debian's torch and numpy).
"""
import csv
import io
import json
import math
import os
import subprocess

import numpy as np

MASK64 = (1 << 64) - 1
CSV_HEADER = "layer,head,query_index,query_token,key_index,key_token,weight"


# ---- the documented PRNG (rng.h) ------------------------------------------

def _splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class Rng:
    """xoshiro256** seeded by four splitmix64 outputs (rng.h)."""

    def __init__(self, seed):
        x = seed & MASK64
        self.s = []
        for _ in range(4):
            x, z = _splitmix64(x)
            self.s.append(z)

    def next(self):
        s = self.s
        result = (_rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def uniform(self):
        """u = (x >> 40) * 2^-24, exact in float32."""
        return np.float32((self.next() >> 40) * 2.0 ** -24)

    def symmetric(self, a):
        """(2u - 1) * a computed in float32."""
        u = self.uniform()
        return np.float32(np.float32(np.float32(2.0) * u - np.float32(1.0)) * np.float32(a))


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & MASK64
    return h


def hashed_embedding(word, d):
    """d floats uniform in [-sqrt3, sqrt3) from Rng(fnv1a64(word)) (transformer.h)."""
    r = Rng(fnv1a64(word))
    a = np.float32(math.sqrt(3.0))
    return np.array([r.symmetric(a) for _ in range(d)], dtype=np.float32)


def seeded_weights(seed, d, n_layers):
    """Xavier-uniform q, k, v, o weights ([d, d] each, bound sqrt(6/(2d))),
    drawn in the order layer 0..L-1, q, k, v, o, row-major (model.h)."""
    r = Rng(seed)
    a = np.float32(math.sqrt(6.0 / (d + d)))
    out = {}
    for layer in range(n_layers):
        for p in "qkvo":
            w = np.array([r.symmetric(a) for _ in range(d * d)], dtype=np.float32)
            out["layers.%d.attn.%s.weight" % (layer, p)] = w.reshape(d, d)
    return out


# ---- positional encodings ------------------------------------------------

def sinusoidal(n, d):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...), in
    double, rounded to float32. Returns float32 [n, d]."""
    pe = np.zeros((n, d), dtype=np.float64)
    for pos in range(n):
        for j in range(d):
            i2 = j - (j % 2)
            ang = pos / math.pow(10000.0, i2 / d)
            pe[pos, j] = math.sin(ang) if j % 2 == 0 else math.cos(ang)
    return pe.astype(np.float32)


# ---- model files -----------------------------------------------------------

def _tensor_json(arr, spelling):
    arr = np.asarray(arr, dtype=np.float32)
    # repr of a float64 made from a float32 round-trips the float32 exactly
    if spelling == "shape":
        return {"shape": list(arr.shape), "data": [float(v) for v in arr.reshape(-1)]}
    return arr.astype(np.float64).tolist()


def write_model_json(path, cfg, tensors, vocab=None, lowercase=False, unk="[UNK]",
                     spelling="nested", extra=None):
    """cfg: dict of config keys (d_model, n_heads, n_layers, optional score,
    positional, max_positions, causal). tensors: name -> float32 array.
    spelling: "nested", "shape" or "mixed" (alternating per tensor)."""
    doc = {"attnviz_model": 1, "config": dict({"architecture": "attention"}, **cfg)}
    if vocab is not None:
        doc["tokenizer"] = {"type": "words", "lowercase": bool(lowercase), "unk": unk,
                            "vocab": list(vocab)}
    tj = {}
    for i, name in enumerate(sorted(tensors)):
        sp = spelling if spelling != "mixed" else ("nested", "shape")[i % 2]
        tj[name] = _tensor_json(tensors[name], sp)
    doc["tensors"] = tj
    if extra is not None:
        doc["extra"] = extra
    with open(path, "w") as f:
        json.dump(doc, f)


def read_model_json(path):
    """Returns (doc, tensors name -> float32 array) of a version-1 file."""
    with open(path) as f:
        doc = json.load(f)
    tensors = {}
    for name, t in doc["tensors"].items():
        if isinstance(t, dict):
            tensors[name] = np.array(t["data"], dtype=np.float32).reshape(t["shape"])
        else:
            tensors[name] = np.array(t, dtype=np.float32)
    return doc, tensors


# ---- the reference forward pass ------------------------------------------

def embed(cfg, tensors, ids=None, words=None):
    """x [n, d] float32: token embedding (vocabulary row, or hashed from the
    word when ids is None) plus the positional encoding."""
    d = cfg["d_model"]
    if ids is not None:
        x = tensors["embeddings.token"][np.asarray(ids)].astype(np.float32)
    else:
        x = np.stack([hashed_embedding(w, d) for w in words]).astype(np.float32)
    n = x.shape[0]
    pos = cfg.get("positional", "sinusoidal")
    if pos == "sinusoidal":
        x = x + sinusoidal(n, d)          # float32 + float32, as the C code
    elif pos == "learned":
        x = x + tensors["embeddings.position"][:n].astype(np.float32)
    return x.astype(np.float32)


def _layer_params(tensors, layer, d, projections=True):
    p = {}
    for w in "qkvo":
        if projections:
            p[w] = tensors["layers.%d.attn.%s.weight" % (layer, w)]
        else:   # a model without projections: Q = K = V = h, no output matrix
            p[w] = np.eye(d, dtype=np.float32)
        b = tensors.get("layers.%d.attn.%s.bias" % (layer, w))
        p["b" + w] = b if b is not None else np.zeros(d, dtype=np.float32)
    p["ln_w"] = tensors.get("layers.%d.ln.weight" % layer, np.ones(d, dtype=np.float32))
    p["ln_b"] = tensors.get("layers.%d.ln.bias" % layer, np.zeros(d, dtype=np.float32))
    return p


def torch_attention(cfg, tensors, x0, dtype="float64"):
    """weights [layers, heads, n, n] (numpy float64) from
    torch.nn.MultiheadAttention, one module per layer, residual between;
    config layer_norm "pre" (x + Attn(LN(x))) or "post" (LN(x + Attn(x)))
    with torch.nn.functional.layer_norm (eps 1e-5); causal through attn_mask;
    projections false through identity in/out projections."""
    import torch
    import torch.nn.functional as F
    tdt = torch.float64 if dtype == "float64" else torch.float32
    d, h, L = cfg["d_model"], cfg["n_heads"], cfg["n_layers"]
    dh = d // h
    score = cfg.get("score", "scaled_dot")
    ln = cfg.get("layer_norm", "none")
    proj = cfg.get("projections", True)
    x = torch.tensor(np.asarray(x0, dtype=np.float32)).to(tdt).unsqueeze(0)
    n = x.shape[1]
    mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1) if cfg.get("causal") else None
    T = lambda a: torch.tensor(np.asarray(a)).to(tdt)  # noqa: E731
    out = []
    with torch.no_grad():
        for layer in range(L):
            p = _layer_params(tensors, layer, d, proj)
            mha = torch.nn.MultiheadAttention(d, h, bias=True, batch_first=True).to(tdt)
            wq, bq = T(p["q"]), T(p["bq"])
            if score == "dot":
                # MHA always divides by sqrt(d_head); undo it on the queries,
                # which only enter the scores.
                wq = wq * math.sqrt(dh)
                bq = bq * math.sqrt(dh)
            mha.in_proj_weight.copy_(torch.cat([wq, T(p["k"]), T(p["v"])]))
            mha.in_proj_bias.copy_(torch.cat([bq, T(p["bk"]), T(p["bv"])]))
            mha.out_proj.weight.copy_(T(p["o"]))
            mha.out_proj.bias.copy_(T(p["bo"]))
            hin = F.layer_norm(x, (d,), T(p["ln_w"]), T(p["ln_b"]), 1e-5) if ln == "pre" else x
            y, w = mha(hin, hin, hin, need_weights=True, average_attn_weights=False,
                       attn_mask=mask)
            out.append(w[0].to(torch.float64).numpy())
            x = x + y
            if ln == "post":
                x = F.layer_norm(x, (d,), T(p["ln_w"]), T(p["ln_b"]), 1e-5)
    return np.stack(out)


def _layernorm(x, w, b):
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * w + b


def manual_attention(cfg, tensors, x0):
    """The same forward pass in numpy float64, written from transformer.h."""
    d, h, L = cfg["d_model"], cfg["n_heads"], cfg["n_layers"]
    dh = d // h
    scale = 1.0 / math.sqrt(dh) if cfg.get("score", "scaled_dot") == "scaled_dot" else 1.0
    ln = cfg.get("layer_norm", "none")
    x = np.asarray(x0, dtype=np.float64)
    n = x.shape[0]
    out = []
    for layer in range(L):
        p = {k: np.asarray(v, dtype=np.float64)
             for k, v in _layer_params(tensors, layer, d, cfg.get("projections", True)).items()}
        hin = _layernorm(x, p["ln_w"], p["ln_b"]) if ln == "pre" else x
        q, k, v = (hin @ p[c].T + p["b" + c] for c in "qkv")
        heads = np.zeros((h, n, n))
        ctx = np.zeros((n, d))
        for hh in range(h):
            sl = slice(hh * dh, (hh + 1) * dh)
            s = scale * (q[:, sl] @ k[:, sl].T)
            if cfg.get("causal"):
                s = np.where(np.triu(np.ones((n, n), dtype=bool), 1), -np.inf, s)
            s = s - s.max(axis=1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(axis=1, keepdims=True)
            heads[hh] = a
            ctx[:, sl] = a @ v[:, sl]
        out.append(heads)
        x = x + ctx @ p["o"].T + p["bo"]
        if ln == "post":
            x = _layernorm(x, p["ln_w"], p["ln_b"])
    return np.stack(out)


# ---- running the binary ------------------------------------------------------

def attnviz_path():
    p = os.environ.get("ATTNVIZ")
    if p:
        return p
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "attnviz")


def run_attnviz(args, stdin=None):
    """Returns (returncode, stdout bytes, stderr bytes)."""
    r = subprocess.run([attnviz_path()] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return r.returncode, r.stdout, r.stderr


def parse_csv(data):
    """CSV bytes -> (tokens, weights [layers, heads, n, n] float64, layer
    numbers, head numbers). Raises ValueError on a malformed table."""
    text = data.decode("utf-8")
    if not text.startswith(CSV_HEADER + "\n") and not text.startswith(CSV_HEADER + "\r\n"):
        raise ValueError("bad header: %r" % text[:80])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    layers = sorted({int(r[0]) for r in rows})
    heads = sorted({int(r[1]) for r in rows})
    n = 1 + max(int(r[2]) for r in rows)
    nk = 1 + max(int(r[4]) for r in rows)
    if len(rows) != len(layers) * len(heads) * n * nk:
        raise ValueError("%d rows, expected %d" % (len(rows), len(layers) * len(heads) * n * nk))
    toks = [None] * nk
    w = np.full((len(layers), len(heads), n, nk), np.nan)
    li = {l: i for i, l in enumerate(layers)}
    hi = {h: i for i, h in enumerate(heads)}
    for r in rows:
        if len(r) != 7:
            raise ValueError("row with %d fields: %r" % (len(r), r))
        q, k = int(r[2]), int(r[4])
        w[li[int(r[0])], hi[int(r[1])], q, k] = float(r[6])
        toks[k] = r[5]
    if np.isnan(w).any():
        raise ValueError("missing cells")
    return toks, w, layers, heads


def _tok_text(t):
    if isinstance(t, dict):
        return t.get("text", t.get("token"))
    return t


def parse_json(data):
    """JSON result bytes -> (tokens, weights [layers, heads, n, n], layer
    numbers, head numbers)."""
    doc = json.loads(data.decode("utf-8"))
    toks = [_tok_text(t) for t in doc["tokens"]]
    layers, heads, mats = [], None, []
    for lay in doc["layers"]:
        layers.append(lay["layer"])
        hs = [hd["head"] for hd in lay["heads"]]
        if heads is None:
            heads = hs
        mats.append([np.array(hd["weights"], dtype=np.float64) for hd in lay["heads"]])
    return toks, np.array(mats, dtype=np.float64), layers, heads
