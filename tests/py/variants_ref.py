"""variants_ref.py — references for the attention variants of issue 5.

Written from the issue text and src/compute/transformer.h, not from the C code:

  * torch_variant()     the layer stack in torch: nn.MultiheadAttention for
                        scaled_dot / dot (causal through attn_mask,
                        cross-attention as mha(x_t, x_s, x_s)), the additive
                        (Bahdanau) score written out as a torch formula,
                        nn.LayerNorm modules for pre / post layer norm;
                        returns weights [layers, heads, n_q, n_k] (float64);
  * numpy_rollout(), numpy_aggregate(): attention rollout (Abnar & Zuidema
                        2020) and the mean / max over heads, in numpy;
  * numpy_explain()     the chain --explain prints (q, raw scores, scaling,
                        max, shifted, exponentials, weights, head output), in
                        numpy float64, per layer and head, for one query;
  * parse_csv_any(), parse_json_any(): read attnviz's CSV / JSON output when
                        query and key tokens differ (cross-attention) and the
                        head column is a label ("rollout", "mean", "max").

Tensor names (model.h): layers.{i}.attn.{q,k,v,o}.{weight,bias},
layers.{i}.ln.{weight,bias}, layers.{i}.attn.additive.{q.weight,k.weight,v}.
Run everything with /usr/bin/python3.
"""
import csv
import io
import json
import math

import numpy as np

CSV_HEADER = "layer,head,query_index,query_token,key_index,key_token,weight"


def layer_params(tensors, layer, cfg):
    """float32 numpy parameters of one layer, defaults filled in."""
    d, h = cfg["d_model"], cfg["n_heads"]
    dh = d // h
    proj = cfg.get("projections", True)
    p = {}
    for c in "qkvo":
        w = tensors.get("layers.%d.attn.%s.weight" % (layer, c))
        b = tensors.get("layers.%d.attn.%s.bias" % (layer, c))
        if not proj:
            assert w is None and b is None, "plain model with projection tensors"
            w = np.eye(d, dtype=np.float32)
        p[c] = np.asarray(w, dtype=np.float32)
        p["b" + c] = np.zeros(d, np.float32) if b is None else np.asarray(b, np.float32)
    p["ln_w"] = np.asarray(tensors.get("layers.%d.ln.weight" % layer, np.ones(d)), np.float32)
    p["ln_b"] = np.asarray(tensors.get("layers.%d.ln.bias" % layer, np.zeros(d)), np.float32)
    if cfg.get("score", "scaled_dot") == "additive":
        aq = np.asarray(tensors["layers.%d.attn.additive.q.weight" % layer], np.float32)
        ak = np.asarray(tensors["layers.%d.attn.additive.k.weight" % layer], np.float32)
        av = np.asarray(tensors["layers.%d.attn.additive.v" % layer], np.float32)
        assert aq.shape == (d, dh) and ak.shape == (d, dh) and av.shape == (h, dh)
        p["add_q"], p["add_k"], p["add_v"] = aq, ak, av
    return p


def torch_variant(cfg, tensors, x_t, x_s=None, dtype="float64"):
    """Attention weights [L, H, n_q, n_k] (numpy float64) of every layer and
    head, computed in torch in the given dtype. x_t: [n_q, d] embeddings of
    the sentence; x_s: [n_k, d] embeddings of the source (cross-attention:
    keys and values from x_s in every layer, x_s never updated nor
    layer-normed) or None (self-attention)."""
    import torch
    import torch.nn.functional as F
    tdt = torch.float64 if dtype == "float64" else torch.float32
    d, h, L = cfg["d_model"], cfg["n_heads"], cfg["n_layers"]
    dh = d // h
    score = cfg.get("score", "scaled_dot")
    ln = cfg.get("layer_norm", "none")
    causal = bool(cfg.get("causal", False))

    def T(a):
        return torch.tensor(np.asarray(a, dtype=np.float32)).to(tdt)

    x = T(x_t).unsqueeze(0)                         # [1, n_q, d]
    src = None if x_s is None else T(x_s).unsqueeze(0)  # [1, n_k, d]
    n_q = x.shape[1]
    n_k = n_q if src is None else src.shape[1]
    mask = None
    if causal:
        mask = torch.triu(torch.ones(n_q, n_k, dtype=torch.bool), diagonal=1)
    out = []
    with torch.no_grad():
        for layer in range(L):
            p = layer_params(tensors, layer, cfg)
            norm = torch.nn.LayerNorm(d, eps=1e-5).to(tdt)
            norm.weight.copy_(T(p["ln_w"]))
            norm.bias.copy_(T(p["ln_b"]))
            hin = norm(x) if ln == "pre" else x
            kv = hin if src is None else src
            if score in ("scaled_dot", "dot"):
                mha = torch.nn.MultiheadAttention(d, h, bias=True, batch_first=True).to(tdt)
                wq, bq = T(p["q"]), T(p["bq"])
                if score == "dot":   # MHA divides by sqrt(d_head): undo it on Q
                    wq, bq = wq * math.sqrt(dh), bq * math.sqrt(dh)
                mha.in_proj_weight.copy_(torch.cat([wq, T(p["k"]), T(p["v"])]))
                mha.in_proj_bias.copy_(torch.cat([bq, T(p["bk"]), T(p["bv"])]))
                mha.out_proj.weight.copy_(T(p["o"]))
                mha.out_proj.bias.copy_(T(p["bo"]))
                y, w = mha(hin, kv, kv, need_weights=True, average_attn_weights=False,
                           attn_mask=mask)
                out.append(w[0].to(torch.float64).numpy())
            else:   # additive: score_ij = v_h . tanh(Wq_h q_i^h + Wk_h k_j^h)
                Q = F.linear(hin[0], T(p["q"]), T(p["bq"]))   # [n_q, d]
                K = F.linear(kv[0], T(p["k"]), T(p["bk"]))    # [n_k, d]
                V = F.linear(kv[0], T(p["v"]), T(p["bv"]))    # [n_k, d]
                ws, ctx = [], []
                for hh in range(h):
                    sl = slice(hh * dh, (hh + 1) * dh)
                    a = Q[:, sl] @ T(p["add_q"][sl]).T        # [n_q, dh]
                    b = K[:, sl] @ T(p["add_k"][sl]).T        # [n_k, dh]
                    s = torch.tanh(a[:, None, :] + b[None, :, :]) @ T(p["add_v"][hh])  # [n_q, n_k]
                    if mask is not None:
                        s = s.masked_fill(mask, float("-inf"))
                    a_w = torch.softmax(s, dim=-1)
                    ws.append(a_w)
                    ctx.append(a_w @ V[:, sl])
                out.append(torch.stack(ws).to(torch.float64).numpy())
                y = F.linear(torch.cat(ctx, dim=1), T(p["o"]), T(p["bo"])).unsqueeze(0)
            x = x + y
            if ln == "post":
                x = norm(x)
    return np.stack(out)


def numpy_rollout(A, heads=None):
    """A [L, H, n, n] -> rollout [L, n, n]: Â_l = rownorm(mean_h A_l + I),
    R_l = Â_l · R_(l-1), R_0 = Â_0. heads: 0-based indices to average."""
    A = np.asarray(A, dtype=np.float64)
    if heads is not None:
        A = A[:, list(heads)]
    n = A.shape[-1]
    out, R = [], np.eye(n)
    for layer in range(A.shape[0]):
        M = A[layer].mean(axis=0) + np.eye(n)
        M = M / M.sum(axis=1, keepdims=True)
        R = M @ R
        out.append(R)
    return np.stack(out)


def numpy_aggregate(A, how, heads=None):
    """A [L, H, n_q, n_k] -> [L, n_q, n_k], mean or max over the heads."""
    A = np.asarray(A, dtype=np.float64)
    if heads is not None:
        A = A[:, list(heads)]
    return A.mean(axis=1) if how == "mean" else A.max(axis=1)


def _layernorm(x, w, b):
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * w + b


def numpy_explain(cfg, tensors, x_t, query, x_s=None):
    """The --explain chain in numpy float64 for query index `query`:
    [layer][head] -> dict(q, raw, scaled, max, shifted, exp, sum_exp, weight,
    output, masked, scale; additive: Wq_q, v, and per key Wk_k, tanh)."""
    d, h, L = cfg["d_model"], cfg["n_heads"], cfg["n_layers"]
    dh = d // h
    score = cfg.get("score", "scaled_dot")
    ln = cfg.get("layer_norm", "none")
    causal = bool(cfg.get("causal", False))
    x = np.asarray(x_t, dtype=np.float64)
    src = None if x_s is None else np.asarray(x_s, dtype=np.float64)
    res = []
    for layer in range(L):
        p = {k: np.asarray(v, dtype=np.float64) for k, v in layer_params(tensors, layer, cfg).items()}
        hin = _layernorm(x, p["ln_w"], p["ln_b"]) if ln == "pre" else x
        kv = hin if src is None else src
        Q = hin @ p["q"].T + p["bq"]
        K = kv @ p["k"].T + p["bk"]
        V = kv @ p["v"].T + p["bv"]
        n_k = K.shape[0]
        heads, ctx = [], np.zeros((x.shape[0], d))
        for hh in range(h):
            sl = slice(hh * dh, (hh + 1) * dh)
            e = {"q": Q[query, sl].copy()}
            if score == "additive":
                a = p["add_q"][sl] @ Q[query, sl]
                e["Wq_q"] = a
                e["v"] = p["add_v"][hh]
                e["Wk_k"] = [p["add_k"][sl] @ K[j, sl] for j in range(n_k)]
                e["tanh"] = [np.tanh(a + b) for b in e["Wk_k"]]
                raw = np.array([p["add_v"][hh] @ t for t in e["tanh"]])
                scale = 1.0
            else:
                raw = K[:, sl] @ Q[query, sl]
                scale = 1.0 / math.sqrt(dh) if score == "scaled_dot" else 1.0
            masked = np.array([causal and j > query for j in range(n_k)])
            scaled = raw * scale
            m = scaled[~masked].max()
            shifted = scaled - m
            ex = np.where(masked, 0.0, np.exp(shifted))
            w = ex / ex.sum()
            e.update(raw=raw, scaled=scaled, max=m, shifted=shifted, exp=ex, sum_exp=ex.sum(),
                     weight=w, output=w @ V[:, sl], masked=masked, scale=scale)
            heads.append(e)
            # the full matrix for the residual stream
            if score == "additive":
                A = np.array([[p["add_v"][hh] @ np.tanh(p["add_q"][sl] @ Q[i, sl]
                                                        + p["add_k"][sl] @ K[j, sl])
                               for j in range(n_k)] for i in range(x.shape[0])])
            else:
                A = scale * (Q[:, sl] @ K[:, sl].T)
            if causal:
                A = np.where(np.triu(np.ones(A.shape, dtype=bool), 1), -np.inf, A)
            A = np.exp(A - A.max(axis=1, keepdims=True))
            A = A / A.sum(axis=1, keepdims=True)
            ctx[:, sl] = A @ V[:, sl]
        res.append(heads)
        x = x + ctx @ p["o"].T + p["bo"]
        if ln == "post":
            x = _layernorm(x, p["ln_w"], p["ln_b"])
    return res


def parse_csv_any(data):
    """CSV bytes -> dict(qtoks, ktoks, weights [layers, heads, n_q, n_k],
    layers [int], heads [str], cells {(layer, head, q, k): weight string}).
    Raises ValueError on a malformed table (header, field count, a missing
    or repeated cell, a token that changes between rows)."""
    text = data.decode("utf-8")
    if not text.startswith(CSV_HEADER + "\n"):
        raise ValueError("bad header: %r" % text[:80])
    rows = list(csv.reader(io.StringIO(text[len(CSV_HEADER) + 1:])))
    layers, heads = [], []
    qt, kt, cells = {}, {}, {}
    for r in rows:
        if len(r) != 7:
            raise ValueError("row with %d fields: %r" % (len(r), r))
        lay, hd, q, k = int(r[0]), r[1], int(r[2]), int(r[4])
        if lay not in layers:
            layers.append(lay)
        if hd not in heads:
            heads.append(hd)
        if qt.setdefault(q, r[3]) != r[3] or kt.setdefault(k, r[5]) != r[5]:
            raise ValueError("token changes at %r" % r)
        key = (lay, hd, q, k)
        if key in cells:
            raise ValueError("repeated cell %r" % (key,))
        cells[key] = r[6]
    n_q, n_k = len(qt), len(kt)
    if sorted(qt) != list(range(n_q)) or sorted(kt) != list(range(n_k)):
        raise ValueError("token indices not contiguous")
    if len(cells) != len(layers) * len(heads) * n_q * n_k:
        raise ValueError("%d rows, expected %d" % (len(cells), len(layers) * len(heads) * n_q * n_k))
    w = np.zeros((len(layers), len(heads), n_q, n_k))
    for (lay, hd, q, k), v in cells.items():
        w[layers.index(lay), heads.index(hd), q, k] = float(v)
    return {"qtoks": [qt[i] for i in range(n_q)], "ktoks": [kt[i] for i in range(n_k)],
            "weights": w, "layers": layers, "heads": heads, "cells": cells}


def parse_json_any(data):
    """JSON result bytes -> same dict as parse_csv_any (without cells); key
    tokens from "keys" when present (cross-attention), else "tokens"."""
    doc = json.loads(data.decode("utf-8"))

    def txt(t):
        return t["text"] if isinstance(t, dict) else t
    qt = [txt(t) for t in doc["tokens"]]
    kt = [txt(t) for t in doc.get("keys", doc["tokens"])]
    layers, heads, mats = [], None, []
    for lay in doc["layers"]:
        layers.append(lay["layer"])
        hs = [str(hd["head"]) for hd in lay["heads"]]
        if heads is None:
            heads = hs
        elif hs != heads:
            raise ValueError("heads differ between layers")
        mats.append([hd["weights"] for hd in lay["heads"]])
    w = np.array(mats, dtype=np.float64)
    if w.ndim != 4 or w.shape[2:] != (len(qt), len(kt)):
        raise ValueError("weights shape %s for %d x %d tokens" % (w.shape, len(qt), len(kt)))
    return {"qtoks": qt, "ktoks": kt, "weights": w, "layers": layers, "heads": heads, "doc": doc}
