"""dec_ref.py — reference forward passes of the decoder families, following
Hugging Face transformers' modeling code (modeling_llama.py, _mistral,
_qwen2, _qwen3, _gemma, _gemma2, _gemma3, _phi3, _gpt_neox, _olmo2) and
modeling_rope_utils.py, for the decoder parity and generation tests and the
benchmark (no test of its own: tests/py/test_dec_parity.py):

  * forward(cfg, W, ids, dtype, logits=False) -> (attentions [layers,
        heads, n, n], the logits of the last position or None): config.json
        read with each config
        class's defaults; the embeddings (Gemma: × √hidden_size); per layer
        the family's norms (RMSNorm, Gemma's 1 + w, LayerNorm), q/k/v
        projections (Phi-3 and GPT-NeoX fused), q/k norms, rotary
        embeddings (every rope_type: default, linear, dynamic, yarn, llama3,
        longrope; partial rotary), repeat_kv, scores · scaling, soft-capping,
        the causal and sliding-window masks, softmax, the output projection,
        the MLP (gated or not), the family's residual wiring; the final norm,
        the language-model head and the final soft-capping;
  * greedy(cfg, W, ids, n_new, eos) -> (new ids, smallest margin between the
        best and second logit): the prompt and every new token recomputed
        in full at each step (float64), argmax taking the first of equal
        values.

The inverse frequencies and the cos/sin tables are computed in float32, as
the modeling code forces them ("Force float32"), then cast to dtype; the rest
runs in dtype (float64 for the tests). Run with Debian's /usr/bin/python3.
"""
import math

import torch
import torch.nn.functional as F

GEMMAS = ("gemma", "gemma2", "gemma3_text")


def _get(cfg, key, dflt):
    v = cfg.get(key)
    return dflt if v is None else v


def defaults(family):
    """The config class's defaults attnviz and transformers fall back on."""
    return {
        "llama": dict(max_pos=2048, theta=10000.0, eps=1e-6, act="silu"),
        "mistral": dict(max_pos=131072, theta=10000.0, eps=1e-6, act="silu", window=4096),
        "qwen2": dict(max_pos=32768, theta=10000.0, eps=1e-6, act="silu"),
        "qwen3": dict(max_pos=32768, theta=10000.0, eps=1e-6, act="silu"),
        "gemma": dict(max_pos=8192, theta=10000.0, eps=1e-6, act="gelu_pytorch_tanh"),
        "gemma2": dict(max_pos=8192, theta=10000.0, eps=1e-6, act="gelu_pytorch_tanh", window=4096),
        "gemma3_text": dict(max_pos=131072, theta=1000000.0, eps=1e-6, act="gelu_pytorch_tanh", window=4096),
        "phi3": dict(max_pos=4096, theta=10000.0, eps=1e-5, act="silu"),
        "gpt_neox": dict(max_pos=2048, theta=10000.0, eps=1e-5, act="gelu"),
        "olmo2": dict(max_pos=2048, theta=10000.0, eps=1e-5, act="silu"),
    }[family]


def act_fn(name):
    if name in ("silu", "swish"):
        return F.silu
    if name in ("gelu_pytorch_tanh", "gelu_new"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "gelu":
        return F.gelu
    raise ValueError(name)


# ---- rotary embeddings (modeling_rope_utils.py) ---------------------------------------------


def head_dim(cfg, family):
    """config.head_dim, or the class's default (Qwen3 128, Gemma 256), or
    hidden_size / num_attention_heads."""
    dflt = {"qwen3": 128, "gemma": 256, "gemma2": 256, "gemma3_text": 256}.get(family)
    return cfg.get("head_dim") or dflt or cfg["hidden_size"] // cfg["num_attention_heads"]


def rope_dims(cfg, family):
    hd = head_dim(cfg, family)
    partial = cfg.get("rotary_pct", 0.25) if family == "gpt_neox" else cfg.get("partial_rotary_factor", 1.0)
    return hd, int(hd * partial)


def inv_freq(cfg, family, seq_len, local=False):
    """(inv_freq float32 [dim/2], attention_scaling) for a pass of seq_len."""
    _, dim = rope_dims(cfg, family)
    dft = defaults(family)
    max_pos = _get(cfg, "max_position_embeddings", dft["max_pos"])
    if family == "gpt_neox":
        base = _get(cfg, "rotary_emb_base", 10000.0)
    else:
        base = _get(cfg, "rope_theta", dft["theta"])
    rs = cfg.get("rope_scaling") or {}
    if local:  # Gemma 3's sliding layers
        base, rs = _get(cfg, "rope_local_base_freq", 10000.0), {}
    kind = rs.get("rope_type", rs.get("type", "default"))

    def default(b):
        return 1.0 / (b ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))

    if kind == "default":
        return default(base), 1.0
    if kind == "linear":
        inv = default(base)
        inv /= rs["factor"]
        return inv, 1.0
    if kind == "dynamic":
        factor = rs["factor"]
        seq = max(seq_len, max_pos)
        b = base * ((factor * seq / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        return default(b), 1.0
    if kind == "yarn":
        factor = rs["factor"]
        orig = rs.get("original_max_position_embeddings") or max_pos

        def get_mscale(scale, mscale=1):
            return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0
        att = rs.get("attention_factor")
        if att is None:
            if rs.get("mscale") and rs.get("mscale_all_dim"):
                att = float(get_mscale(factor, rs["mscale"]) / get_mscale(factor, rs["mscale_all_dim"]))
            else:
                att = get_mscale(factor)
        beta_fast = rs.get("beta_fast") or 32
        beta_slow = rs.get("beta_slow") or 1

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))
        low, high = corr_dim(beta_fast), corr_dim(beta_slow)
        if rs.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        pos_freqs = base ** (torch.arange(0, dim, 2).to(dtype=torch.float) / dim)
        extra, inter = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
        ef = 1 - ramp
        return inter * (1 - ef) + extra * ef, att
    if kind == "llama3":
        inv = default(base)
        factor, lff, hff = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_wl, high_wl = old / lff, old / hff
        wl = 2 * math.pi / inv
        inv_l = torch.where(wl > low_wl, inv / factor, inv)
        smooth = (old / wl - lff) / (hff - lff)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        medium = ~(wl < high_wl) * ~(wl > low_wl)
        return torch.where(medium, smoothed, inv_l), 1.0
    if kind in ("longrope", "su"):
        orig = cfg.get("original_max_position_embeddings")
        if orig:
            factor = max_pos / orig
        else:
            factor, orig = rs.get("factor"), max_pos
        att = rs.get("attention_factor")
        if att is None:
            att = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(orig))
        ext = torch.tensor(rs["long_factor"] if seq_len > orig else rs["short_factor"], dtype=torch.float32)
        shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
        return 1.0 / (ext * base ** shape), att
    raise ValueError("rope_type %r" % kind)


def cos_sin(cfg, family, n, dtype, local=False):
    inv, att = inv_freq(cfg, family, n, local)
    pos = torch.arange(n)[None, None, :].float()
    freqs = (inv[None, :, None].float() @ pos).transpose(1, 2)[0]  # [n, dim/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    return (emb.cos() * att).to(dtype), (emb.sin() * att).to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(q, cos, sin):
    """q [heads, n, head_dim]: the first cos.shape[-1] components rotated
    (partial rotary: q_rot, q_pass as Phi-3 and GPT-NeoX split them)."""
    r = cos.shape[-1]
    q_rot, q_pass = q[..., :r], q[..., r:]
    return torch.cat(((q_rot * cos) + (rotate_half(q_rot) * sin), q_pass), dim=-1)


def apply_rope_interleaved(q, cos, sin):
    """The GPT-J rotation of pairs (2i, 2i+1), for the mutation of that name."""
    r = cos.shape[-1]
    q_rot, q_pass = q[..., :r], q[..., r:]
    c, s = cos[..., : r // 2].repeat_interleave(2, -1), sin[..., : r // 2].repeat_interleave(2, -1)
    rh = torch.stack((-q_rot[..., 1::2], q_rot[..., ::2]), dim=-1).flatten(-2)
    return torch.cat((q_rot * c + rh * s, q_pass), dim=-1)


# ---- the forward pass ---------------------------------------------------------------------


def sliding_layers(cfg, family):
    """[window or None] per layer, as the config classes set layer_types."""
    L = cfg["num_hidden_layers"]
    window = cfg.get("sliding_window", defaults(family).get("window"))
    if family in ("qwen2", "qwen3"):
        window = window if cfg.get("use_sliding_window") else None
    types = cfg.get("layer_types")
    if types is None:
        if family in ("mistral", "phi3"):
            types = ["sliding_attention"] * L
        elif family in ("qwen2", "qwen3"):
            types = ["sliding_attention" if window is not None and i >= cfg.get("max_window_layers", 28)
                     else "full_attention" for i in range(L)]
        elif family == "gemma2":
            types = ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(L)]
        elif family == "gemma3_text":
            pat = cfg.get("sliding_window_pattern", 6)
            types = ["sliding_attention" if (i + 1) % pat else "full_attention" for i in range(L)]
        else:
            types = ["full_attention"] * L
    return [window if t == "sliding_attention" else None for t in types]


# Plausible implementation mistakes forward() can make on purpose (mut=...):
# a parity suite sees a feature only if some configuration moves by more than
# its tolerance under the mistake.
MUTATIONS = {
    "gqa-modulo": "query head h uses key/value head h % kv_heads instead of h // (heads / kv_heads)",
    "window-off-by-one": "a sliding window that also sees the key window positions back",
    "rope-scaling-ignored": "rope_scaling left out (default rotary frequencies)",
    "rope-full": "partial rotary ignored (every component of a head rotated)",
    "rope-interleaved": "rotation of pairs (2i, 2i+1), GPT-J style, instead of rotate_half",
    "gemma-gain": "Gemma's RMSNorm gain w instead of 1 + w",
    "qk-norm-skipped": "Qwen3 / Gemma 3 / OLMo 2 q and k norms left out",
    "softcap-skipped": "Gemma 2's attention soft-capping left out",
    "query-scale": "Gemma 2/3 scores scaled by 1/sqrt(head_dim) instead of query_pre_attn_scalar",
    "neox-blocked": "GPT-NeoX's query_key_value read as q | k | v blocks, not per head",
    "local-rope-global": "Gemma 3's sliding layers rotated with the global rope_theta",
    "parallel-serial": "GPT-NeoX's parallel residual computed in series",
}


def forward(cfg, W, ids, dtype=torch.float64, mut=(), logits=False):
    family = cfg["model_type"]
    if "rope-scaling-ignored" in mut:
        cfg = dict(cfg, rope_scaling=None)
    if "rope-full" in mut:
        cfg = dict(cfg, partial_rotary_factor=1.0, rotary_pct=1.0)
    if "local-rope-global" in mut:
        cfg = dict(cfg, rope_local_base_freq=_get(cfg, "rope_theta", 1000000.0))
    if "parallel-serial" in mut:
        cfg = dict(cfg, use_parallel_residual=False)
    big = ("embed_tokens.weight", "embed_in.weight", "lm_head.weight", "embed_out.weight")
    E = W  # the vocabulary-sized matrices are converted only where used (rows, or the logits on demand)
    W = {k: v.to(dtype) for k, v in W.items() if k not in big}
    dft = defaults(family)
    n = len(ids)
    d, H = cfg["hidden_size"], cfg["num_attention_heads"]
    KV = cfg.get("num_key_value_heads") or H
    hd = head_dim(cfg, family)
    neox, gemma = family == "gpt_neox", family in GEMMAS
    eps = _get(cfg, "layer_norm_eps" if neox else "rms_norm_eps", dft["eps"])
    if family in ("gemma2", "gemma3_text"):
        act = act_fn(_get(cfg, "hidden_activation", "gelu_pytorch_tanh"))
    elif family == "gemma":
        act = act_fn(cfg.get("hidden_activation") or _get(cfg, "hidden_act", "gelu_pytorch_tanh"))
    else:
        act = act_fn(_get(cfg, "hidden_act", dft["act"]))
    if family in ("gemma2", "gemma3_text") and "query-scale" not in mut:
        scaling = _get(cfg, "query_pre_attn_scalar", 256) ** -0.5
    else:
        scaling = hd ** -0.5
    softcap = _get(cfg, "attn_logit_softcapping", 50.0) if family == "gemma2" and "softcap-skipped" not in mut else None

    def rms(x, w):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        return y * (1.0 + w) if gemma and "gemma-gain" not in mut else w * y

    def norm(x, name):
        if neox:
            return F.layer_norm(x, (x.shape[-1],), W[name + ".weight"], W[name + ".bias"], eps)
        return rms(x, W[name + ".weight"])

    def lin(x, name):
        return F.linear(x, W[name + ".weight"], W.get(name + ".bias"))

    ids_t = torch.tensor(list(ids), dtype=torch.long)
    x = F.embedding(ids_t, E["embed_in.weight" if neox else "embed_tokens.weight"]).to(dtype)
    if family in ("gemma", "gemma2"):
        x = x * torch.tensor(d ** 0.5, dtype=x.dtype)            # normalizer
    elif family == "gemma3_text":
        x = x * torch.tensor(d ** 0.5).to(x.dtype)               # embed_scale, a float32 buffer
    cos, sin = cos_sin(cfg, family, n, dtype)
    if family == "gemma3_text":
        cos_l, sin_l = cos_sin(cfg, family, n, dtype, local=True)
    windows = sliding_layers(cfg, family)
    q_idx, k_idx = torch.arange(n)[:, None], torch.arange(n)[None, :]
    atts = []
    for i in range(cfg["num_hidden_layers"]):
        p = "layers.%d." % i

        def attention(h):
            if family == "phi3":
                qkv = lin(h, p + "self_attn.qkv_proj")
                q, k, v = qkv[:, :H * hd], qkv[:, H * hd:H * hd + KV * hd], qkv[:, H * hd + KV * hd:]
            elif neox and "neox-blocked" in mut:
                q, k, v = lin(h, p + "attention.query_key_value").chunk(3, dim=-1)
            elif neox:
                qkv = lin(h, p + "attention.query_key_value").view(n, H, 3 * hd)
                q, k, v = (t.reshape(n, H * hd) for t in qkv.chunk(3, dim=-1))
            else:
                q, k, v = (lin(h, p + "self_attn.%s_proj" % c) for c in "qkv")
            qk_norm = "qk-norm-skipped" not in mut
            if family == "olmo2" and qk_norm:
                q, k = rms(q, W[p + "self_attn.q_norm.weight"]), rms(k, W[p + "self_attn.k_norm.weight"])
            q = q.view(n, -1, hd).transpose(0, 1)
            k = k.view(n, -1, hd).transpose(0, 1)
            v = v.view(n, -1, hd).transpose(0, 1)
            if family in ("qwen3", "gemma3_text") and qk_norm:
                q, k = rms(q, W[p + "self_attn.q_norm.weight"]), rms(k, W[p + "self_attn.k_norm.weight"])
            c, s = (cos_l, sin_l) if family == "gemma3_text" and windows[i] is not None else (cos, sin)
            rot = apply_rope_interleaved if "rope-interleaved" in mut else apply_rope
            q, k = rot(q, c, s), rot(k, c, s)
            if "gqa-modulo" in mut:
                k, v = k.repeat(H // k.shape[0], 1, 1), v.repeat(H // v.shape[0], 1, 1)
            else:
                k = k.repeat_interleave(H // k.shape[0], dim=0)          # repeat_kv
                v = v.repeat_interleave(H // v.shape[0], dim=0)
            w = torch.matmul(q, k.transpose(1, 2)) * scaling
            if softcap is not None:
                w = torch.tanh(w / softcap) * softcap
            allowed = k_idx <= q_idx
            if windows[i] is not None:
                allowed = allowed & (k_idx > q_idx - windows[i] - int("window-off-by-one" in mut))
            w = w + torch.zeros(n, n, dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)
            w = F.softmax(w, dim=-1)
            atts.append(w)
            out = torch.matmul(w, v).transpose(0, 1).reshape(n, H * hd)
            return lin(out, p + ("attention.dense" if neox else "self_attn.o_proj"))

        def mlp(h):
            if neox:
                return lin(act(lin(h, p + "mlp.dense_h_to_4h")), p + "mlp.dense_4h_to_h")
            if family == "phi3":
                gate, up = lin(h, p + "mlp.gate_up_proj").chunk(2, dim=-1)
                return lin(up * act(gate), p + "mlp.down_proj")
            return lin(act(lin(h, p + "mlp.gate_proj")) * lin(h, p + "mlp.up_proj"), p + "mlp.down_proj")

        if neox:
            a = attention(norm(x, p + "input_layernorm"))
            if _get(cfg, "use_parallel_residual", True):
                x = mlp(norm(x, p + "post_attention_layernorm")) + a + x
            else:
                a = a + x
                x = mlp(norm(a, p + "post_attention_layernorm")) + a
        elif family in ("gemma2", "gemma3_text"):
            x = x + norm(attention(norm(x, p + "input_layernorm")), p + "post_attention_layernorm")
            x = x + norm(mlp(norm(x, p + "pre_feedforward_layernorm")), p + "post_feedforward_layernorm")
        elif family == "olmo2":
            x = x + norm(attention(x), p + "post_attention_layernorm")
            x = x + norm(mlp(x), p + "post_feedforward_layernorm")
        else:
            x = x + attention(norm(x, p + "input_layernorm"))
            x = x + mlp(norm(x, p + "post_attention_layernorm"))
    x = norm(x, "final_layer_norm" if neox else "norm")
    tied = _get(cfg, "tie_word_embeddings", family in GEMMAS)
    if not logits:
        return torch.stack(atts).view(cfg["num_hidden_layers"], H, n, n), None
    head = E["embed_in.weight" if neox else "embed_tokens.weight"] if tied else \
        E["embed_out.weight" if neox else "lm_head.weight"]
    logits = x[-1] @ head.to(dtype).T
    final = None
    if family == "gemma2":
        final = _get(cfg, "final_logit_softcapping", 30.0)
    elif family == "gemma3_text":
        final = cfg.get("final_logit_softcapping")
    if final:
        logits = torch.tanh(logits / final) * final
    return torch.stack(atts).view(cfg["num_hidden_layers"], H, n, n), logits


def greedy(cfg, W, ids, n_new, eos=()):
    """(new ids, the smallest gap between the best and the second logit over
    the steps): greedy decoding by full recomputation."""
    ids, out, margin = list(ids), [], float("inf")
    for _ in range(n_new):
        _, logits = forward(cfg, W, ids, logits=True)
        top = torch.topk(logits, 2)
        margin = min(margin, float(top.values[0] - top.values[1]))
        nxt = int(torch.argmax(logits))
        out.append(nxt)
        ids.append(nxt)
        if nxt in eos:
            break
    return out, margin
