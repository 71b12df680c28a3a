"""The encoder-decoder references (seq2seq_ref.py) and checkpoint writer
(seq2seq_ckpt.py) checked against independent code, before the C side
(phase B of issue 19) is compared with them:

  - the writer: every checkpoint reads back under the safetensors rules, holds
    exactly the tensor names listed here from the naming rules of each
    *ForConditionalGeneration / *Model (tied copies dropped as
    save_pretrained drops them, or all written for legacy files), in its
    dtype; config.json holds exactly the keys transformers 4.36.2 writes for
    the class; generation_config.json its generation keys;
  - the forward pass: a second formulation written here from the papers'
    description with torch.nn.MultiheadAttention (T5: with the position bias
    as a float attn_mask and q multiplied by sqrt(d_kv) to undo MHA's
    scaling), hand-written layer/RMS norms and its own sinusoid and bucket
    tables, gives the same encoder, decoder and cross-attention of every
    layer and head and the same logits, in float64, on 6+ configurations
    per architecture (layers 1-3, heads 1-8, shared and separate
    embeddings, tied and untied heads, F32/F16/BF16);
  - greedy generation: the reference's ids equal a plain argmax loop over the
    second formulation's logits, and the generation_config rules hold
    (forced BOS / EOS, Marian's bad_words_ids, min_length, max_new_tokens);
  - T5's bucketing against a numpy float32 implementation, and where a
    float64 computation would put a distance in another bucket.
"""
import math
import os
import shutil
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

import seq2seq_ckpt as C
import seq2seq_ref as R
import suite
from st_io import read_checkpoint
from suite import check

TMP = None  # made by main()

SPECS = [
    # bart
    C.Spec("bart", d=32, enc_layers=1, dec_layers=1, enc_heads=1, dec_heads=1, seed=1),
    C.Spec("bart", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dec_heads=4, dtype="F16", seed=2),
    C.Spec("bart", d=48, enc_layers=3, dec_layers=2, enc_heads=8, dec_heads=2, dtype="BF16", legacy=True, seed=3),
    C.Spec("bart", d=32, enc_layers=2, dec_layers=3, enc_heads=2, dec_heads=8, tie=False, activation="relu",
           scale_embedding=True, seed=4),
    C.Spec("bart", d=32, enc_layers=1, dec_layers=2, enc_heads=4, dec_heads=2, base=True, seed=5),
    C.Spec("bart", d=40, enc_layers=2, dec_layers=1, enc_heads=5, dec_heads=5, shards=2, tokenizer="json",
           hub_extras=True, gen={"forced_bos_token_id": 0}, seed=6),
    # mbart
    C.Spec("mbart", d=32, enc_layers=1, dec_layers=1, enc_heads=1, dec_heads=1, seed=11),
    C.Spec("mbart", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dec_heads=4, scale_embedding=True, seed=12),
    C.Spec("mbart", d=48, enc_layers=3, dec_layers=3, enc_heads=8, dec_heads=6, dtype="F16", seed=13),
    C.Spec("mbart", d=32, enc_layers=2, dec_layers=1, enc_heads=2, dec_heads=4, dtype="BF16", legacy=True,
           tokenizer="json", seed=14),
    C.Spec("mbart", d=32, enc_layers=1, dec_layers=2, enc_heads=4, dec_heads=8, tie=False, activation="gelu_new",
           gen={"decoder_start_token_id": 2}, seed=15),
    C.Spec("mbart", d=32, enc_layers=2, dec_layers=2, enc_heads=2, dec_heads=2, base=True, seed=16),
    # marian
    C.Spec("marian", d=32, enc_layers=1, dec_layers=1, enc_heads=1, dec_heads=1, activation="swish", seed=21),
    C.Spec("marian", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dec_heads=4, hub_extras=True, seed=22),
    C.Spec("marian", d=48, enc_layers=3, dec_layers=2, enc_heads=8, dec_heads=3, share=False, dtype="F16", seed=23),
    C.Spec("marian", d=32, enc_layers=2, dec_layers=3, enc_heads=2, dec_heads=8, legacy=True, dtype="BF16",
           scale_embedding=False, seed=24),
    C.Spec("marian", d=34, enc_layers=1, dec_layers=2, enc_heads=2, dec_heads=2, share=False, legacy=True,
           hub_extras=True, seed=25),
    C.Spec("marian", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dec_heads=4, shards=3, tie=False, seed=26),
    # t5 (v1.0: relu, tied; v1.1: gated-gelu, untied)
    C.Spec("t5", d=32, enc_layers=1, dec_layers=1, enc_heads=1, seed=31),
    C.Spec("t5", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dtype="F16", hub_extras=True, seed=32),
    C.Spec("t5", d=32, enc_layers=3, dec_layers=2, enc_heads=8, gated=True, dtype="BF16", seed=33),
    C.Spec("t5", d=32, enc_layers=2, dec_layers=3, enc_heads=3, d_kv=8, buckets=8, max_distance=20, eps=1e-5,
           seed=34),
    C.Spec("t5", d=32, enc_layers=2, dec_layers=1, enc_heads=2, gated=True, legacy=True, extra_vocab=5, seed=35),
    C.Spec("t5", d=32, enc_layers=1, dec_layers=2, enc_heads=4, legacy=True, shards=2, seed=36),
    C.Spec("t5", d=32, enc_layers=2, dec_layers=2, enc_heads=4, base=True, seed=37),
    # mt5
    C.Spec("mt5", d=32, enc_layers=1, dec_layers=1, enc_heads=1, seed=41),
    C.Spec("mt5", d=32, enc_layers=2, dec_layers=2, enc_heads=4, dtype="F16", seed=42),
    C.Spec("mt5", d=48, enc_layers=3, dec_layers=3, enc_heads=6, dtype="BF16", seed=43),
    C.Spec("mt5", d=32, enc_layers=2, dec_layers=2, enc_heads=8, d_kv=6, buckets=16, max_distance=32, seed=44),
    C.Spec("mt5", d=32, enc_layers=2, dec_layers=1, enc_heads=2, legacy=True, extra_vocab=3, seed=45),
    C.Spec("mt5", d=32, enc_layers=1, dec_layers=3, enc_heads=4, tie=True, seed=46),
]
SOURCES = ["The cat sat on the street because it was tired.", "A big brown dog walked into the river",
           "unbelievable happiness, quickly!"]


# ---- the names a checkpoint must hold (from the naming rules, not from the writer) --------

def expected_names(s):
    t5 = s.arch in ("t5", "mt5")
    names = set()
    if t5:
        names.add("shared.weight")
        for side, n in (("encoder", s.enc_layers), ("decoder", s.dec_layers)):
            names.add(side + ".final_layer_norm.weight")
            names.add(side + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight")
            for i in range(n):
                b = "%s.block.%d.layer." % (side, i)
                subs = ["0.SelfAttention"] + (["1.EncDecAttention"] if side == "decoder" else [])
                for sub in subs:
                    names |= {"%s%s.%s.weight" % (b, sub, k) for k in "qkvo"}
                for j in range(len(subs) + 1):
                    names.add("%s%d.layer_norm.weight" % (b, j))
                ff = "%s%d.DenseReluDense." % (b, len(subs))
                names |= {ff + k + ".weight" for k in (("wi_0", "wi_1", "wo") if s.gated else ("wi", "wo"))}
        if s.legacy:
            names |= {"encoder.embed_tokens.weight", "decoder.embed_tokens.weight"}
            if s.tie and not s.base:
                names.add("lm_head.weight")
        if not s.tie and not s.base:
            names.add("lm_head.weight")
        return names
    pre = "" if s.base else "model."
    shared = s.arch != "marian" or s.share
    if shared:
        names.add(pre + "shared.weight")
    if not shared or s.legacy:
        names |= {pre + "encoder.embed_tokens.weight", pre + "decoder.embed_tokens.weight"}
    if not s.base:
        names.add("final_logits_bias")
        if not s.tie or s.legacy:
            names.add("lm_head.weight")
    for side, n in (("encoder", s.enc_layers), ("decoder", s.dec_layers)):
        m = pre + side + "."
        if s.arch != "marian" or s.legacy:
            names.add(m + "embed_positions.weight")
        if s.arch != "marian":
            names |= {m + "layernorm_embedding.weight", m + "layernorm_embedding.bias"}
        if s.arch == "mbart":
            names |= {m + "layer_norm.weight", m + "layer_norm.bias"}
        for i in range(n):
            p = m + "layers.%d." % i
            for a in ["self_attn"] + (["encoder_attn"] if side == "decoder" else []):
                names |= {"%s%s.%s.%s" % (p, a, k, wb) for k in ("q_proj", "k_proj", "v_proj", "out_proj")
                          for wb in ("weight", "bias")}
                names |= {"%s%s_layer_norm.%s" % (p, a, wb) for wb in ("weight", "bias")}
            names |= {p + k + "." + wb for k in ("fc1", "fc2", "final_layer_norm") for wb in ("weight", "bias")}
    return names


# transformers 4.36.2: the keys config.json holds for each class (to_diff_dict of a
# config built with the class defaults and the shape arguments)
BART_KEYS = {"activation_dropout", "activation_function", "attention_dropout", "d_model", "decoder_attention_heads",
             "decoder_ffn_dim", "decoder_layerdrop", "decoder_layers", "dropout", "encoder_attention_heads",
             "encoder_ffn_dim", "encoder_layerdrop", "encoder_layers", "init_std", "is_encoder_decoder",
             "max_position_embeddings", "model_type", "num_hidden_layers", "scale_embedding", "use_cache",
             "vocab_size", "architectures", "torch_dtype", "transformers_version", "pad_token_id", "eos_token_id",
             "forced_eos_token_id", "decoder_start_token_id"}
CONFIG_KEYS = {
    "bart": BART_KEYS | {"bos_token_id", "classifier_dropout", "id2label", "label2id"},
    "mbart": (BART_KEYS - {"decoder_start_token_id"}) | {"bos_token_id", "classifier_dropout"},
    "marian": BART_KEYS | {"decoder_vocab_size", "share_encoder_decoder_embeddings"},
    "t5": {"classifier_dropout", "d_ff", "d_kv", "d_model", "decoder_start_token_id", "dense_act_fn", "dropout_rate",
           "eos_token_id", "feed_forward_proj", "initializer_factor", "is_encoder_decoder", "is_gated_act",
           "layer_norm_epsilon", "model_type", "num_decoder_layers", "num_heads", "num_layers", "pad_token_id",
           "relative_attention_max_distance", "relative_attention_num_buckets", "use_cache", "vocab_size",
           "architectures", "torch_dtype", "transformers_version"},
}
CONFIG_KEYS["mt5"] = CONFIG_KEYS["t5"] | {"tokenizer_class", "tie_word_embeddings"}


def check_files(s, directory, cfg, gen, tensors):
    name = s.name()
    try:
        saved = read_checkpoint(directory)
    except ValueError as e:
        check("writer/%s" % name, False, str(e))
        return
    want = expected_names(s)
    got = set(saved)
    dtypes = {dt for _, dt in saved.values()}
    check("writer/%s" % name, got == want and dtypes == {s.dtype},
          "%d tensors, %s" % (len(got), sorted(dtypes)) if got == want else
          "missing %s, unexpected %s" % (sorted(want - got)[:4], sorted(got - want)[:4]))
    keys = set(cfg)
    want_keys = set(CONFIG_KEYS[s.arch])
    if not s.tie and s.arch != "mt5":
        want_keys.add("tie_word_embeddings")
    # mt5 writes it either way: False differs from PretrainedConfig's default, True from MT5Config's
    extra = keys - want_keys
    legacy_ok = s.hub_extras and extra
    check("config-keys/%s" % name, keys >= want_keys and (not extra or legacy_ok),
          "%d keys%s" % (len(keys), " (+%d legacy)" % len(extra) if extra else "") if keys >= want_keys else
          "missing %s, unexpected %s" % (sorted(want_keys - keys), sorted(extra)))
    if not s.base:
        g_keys = set(gen) - {"_from_model_config", "transformers_version"}
        want_g = {"decoder_start_token_id", "eos_token_id", "pad_token_id"}
        if s.arch in ("bart", "mbart"):
            want_g |= {"bos_token_id", "forced_eos_token_id"}
            if s.arch == "mbart":
                want_g.discard("decoder_start_token_id")
        if s.arch == "marian":
            want_g.add("forced_eos_token_id")
        want_g |= set(s.gen or {})
        if s.hub_extras:
            g_keys -= {"bad_words_ids", "bos_token_id", "max_length", "num_beams", "early_stopping",
                       "no_repeat_ngram_size"}
            want_g -= {"bos_token_id"}
        check("generation-config/%s" % name, g_keys >= want_g and gen.get("_from_model_config") is True,
              "%s" % sorted(g_keys))


# ---- the second formulation ----------------------------------------------------------------

def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def activation(name, x):
    return {"gelu": lambda: F.gelu(x), "gelu_new": lambda: F.gelu(x, approximate="tanh"), "relu": lambda: F.relu(x),
            "swish": lambda: F.silu(x), "silu": lambda: F.silu(x)}[name]()


def sinusoids(n, d):
    """Marian's table: frequencies 1/10000^(2i/d), all sines, then all cosines."""
    out = torch.zeros(n, d, dtype=torch.float64)
    half = (d + 1) // 2
    for p in range(n):
        for i in range(half):
            out[p, i] = math.sin(p / 10000 ** (2 * i / d))
        for i in range(d - half):
            out[p, half + i] = math.cos(p / 10000 ** (2 * i / d))
    return out.float().double()


def buckets_np(rel, bidirectional, num_buckets, max_distance):
    """T5's relative position buckets with numpy float32 arithmetic."""
    rel = np.asarray(rel, dtype=np.int64)
    out = np.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        out += (rel > 0) * num_buckets
        n = np.abs(rel)
    else:
        n = np.maximum(-rel, 0)
    max_exact = num_buckets // 2
    with np.errstate(divide="ignore"):
        ratio = np.log(np.maximum(n, 1).astype(np.float32) / np.float32(max_exact)) / np.float32(
            math.log(max_distance / max_exact))
    large = max_exact + (ratio * np.float32(num_buckets - max_exact)).astype(np.int64)  # n < max_exact: unused
    large = np.minimum(large, num_buckets - 1)
    return out + np.where(n < max_exact, n, large)


def mha(q_w, k_w, v_w, o_w, q_b, k_b, v_b, o_b, x, kv, mask, heads):
    """torch.nn.MultiheadAttention (float64) with the given projections;
    mask: bool [T, S] (True = masked) or float [H, T, S] added to the scores.
    The query is projected before MHA (its own q projection is the identity),
    so a head size times heads may differ from the model width (T5's d_kv)."""
    inner, d_in = q_w.shape
    m = torch.nn.MultiheadAttention(inner, heads, bias=q_b is not None, batch_first=True,
                                    kdim=d_in, vdim=d_in).double()
    eye = torch.eye(inner, dtype=torch.float64)
    with torch.no_grad():
        if m._qkv_same_embed_dim:
            m.in_proj_weight.copy_(torch.cat([eye, k_w, v_w]))
        else:
            m.q_proj_weight.copy_(eye)
            m.k_proj_weight.copy_(k_w)
            m.v_proj_weight.copy_(v_w)
        if q_b is not None:
            m.in_proj_bias.copy_(torch.cat([torch.zeros_like(q_b), k_b, v_b]))
            m.out_proj.bias.zero_()
        m.out_proj.weight.copy_(eye)
    q = x @ q_w.T + (q_b if q_b is not None else 0)
    out, w = m(q[None], kv[None], kv[None], attn_mask=mask, need_weights=True, average_attn_weights=False)
    out = out[0] @ o_w.T
    if o_b is not None:
        out = out + o_b
    return out, w[0]


def second_forward(s, m, src, dec):
    """(encoder, decoder, cross attention, logits) without seq2seq_ref's code."""
    W, c = m.W, m.cfg
    t5 = s.arch in ("t5", "mt5")
    T, S = len(dec), len(src)
    causal = torch.ones(T, T, dtype=torch.bool).triu(1)

    if t5:
        H, dk = c["num_heads"], c["d_kv"]
        eps = c["layer_norm_epsilon"]
        nb, md = c["relative_attention_num_buckets"], c["relative_attention_max_distance"]
        act = "gelu_new" if s.gated else "relu"
        emb = W["shared.weight"]

        def bias_of(side, n, bidir):
            rel = np.arange(n)[None, :] - np.arange(n)[:, None]
            table = W[side + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
            return table[torch.from_numpy(buckets_np(rel, bidir, nb, md))].permute(2, 0, 1)

        def attn(p, x, kv, bias):
            # MHA divides by sqrt(d_kv): give q that factor back
            return mha(W[p + "q.weight"] * math.sqrt(dk), W[p + "k.weight"], W[p + "v.weight"], W[p + "o.weight"],
                       None, None, None, None, x, kv, bias, H)

        def ff(p, x):
            h = rms_norm(x, W[p + "layer_norm.weight"], eps)
            if s.gated:
                h = activation(act, h @ W[p + "DenseReluDense.wi_0.weight"].T) * (h @ W[p + "DenseReluDense.wi_1.weight"].T)
            else:
                h = activation(act, h @ W[p + "DenseReluDense.wi.weight"].T)
            return x + h @ W[p + "DenseReluDense.wo.weight"].T

        x = emb[torch.tensor(src)]
        eb = bias_of("encoder", S, True)
        enc = []
        for i in range(c["num_layers"]):
            p = "encoder.block.%d.layer." % i
            a, w = attn(p + "0.SelfAttention.", rms_norm(x, W[p + "0.layer_norm.weight"], eps),
                        rms_norm(x, W[p + "0.layer_norm.weight"], eps), eb)
            x = ff(p + "1.", x + a)
            enc.append(w)
        e_out = rms_norm(x, W["encoder.final_layer_norm.weight"], eps)
        y = emb[torch.tensor(dec)]
        db = bias_of("decoder", T, False).masked_fill(causal, -float("inf"))
        zeros = torch.zeros(H, T, S, dtype=torch.float64)
        dself, cross = [], []
        for i in range(c["num_decoder_layers"]):
            p = "decoder.block.%d.layer." % i
            h = rms_norm(y, W[p + "0.layer_norm.weight"], eps)
            a, w = attn(p + "0.SelfAttention.", h, h, db)
            y = y + a
            dself.append(w)
            a, w = attn(p + "1.EncDecAttention.", rms_norm(y, W[p + "1.layer_norm.weight"], eps), e_out, zeros)
            y = y + a
            cross.append(w)
            y = ff(p + "2.", y)
        y = rms_norm(y, W["decoder.final_layer_norm.weight"], eps)
        if s.base:
            logits = None
        elif s.tie:
            logits = (y / math.sqrt(c["d_model"])) @ emb.T
        else:
            logits = y @ W["lm_head.weight"].T
        return torch.stack(enc), torch.stack(dself), torch.stack(cross), logits

    d = c["d_model"]
    scale = math.sqrt(d) if c["scale_embedding"] else 1.0
    act = c["activation_function"]
    pre = s.arch == "mbart"
    if s.arch == "marian" and not s.share:
        e_emb, d_emb = W["encoder.embed_tokens.weight"], W["decoder.embed_tokens.weight"]
    else:
        e_emb = d_emb = W["shared.weight"]

    def embed(side, table, ids):
        x = table[torch.tensor(ids)] * scale
        if s.arch == "marian":  # a table in the file (old savers) is what from_pretrained loads
            table = W.get(side + ".embed_positions.weight")
            return x + (table[:len(ids)] if table is not None else sinusoids(len(ids), d))
        x = x + W[side + ".embed_positions.weight"][2:2 + len(ids)]
        return layer_norm(x, W[side + ".layernorm_embedding.weight"], W[side + ".layernorm_embedding.bias"], 1e-5)

    def ln(name, x):
        return layer_norm(x, W[name + ".weight"], W[name + ".bias"], 1e-5)

    def attn(p, x, kv, mask, heads):
        return mha(*(W[p + k + "_proj.weight"] for k in ("q", "k", "v", "out")),
                   *(W[p + k + "_proj.bias"] for k in ("q", "k", "v", "out")), x, kv, mask, heads)

    def block(p, x, mask, heads, kv=None, name="self_attn", src_kv=False):
        h = ln(p + name + "_layer_norm", x) if pre else x
        a, w = attn(p + name + ".", h, kv if src_kv else h, mask, heads)
        x = x + a
        return (x if pre else ln(p + name + "_layer_norm", x)), w

    def ffn(p, x):
        h = ln(p + "final_layer_norm", x) if pre else x
        h = activation(act, h @ W[p + "fc1.weight"].T + W[p + "fc1.bias"]) @ W[p + "fc2.weight"].T + W[p + "fc2.bias"]
        return (x + h) if pre else ln(p + "final_layer_norm", x + h)

    x = embed("encoder", e_emb, src)
    enc = []
    for i in range(c["encoder_layers"]):
        p = "encoder.layers.%d." % i
        x, w = block(p, x, None, c["encoder_attention_heads"])
        x = ffn(p, x)
        enc.append(w)
    if pre:
        x = ln("encoder.layer_norm", x)
    y = embed("decoder", d_emb, dec)
    dself, cross = [], []
    for i in range(c["decoder_layers"]):
        p = "decoder.layers.%d." % i
        y, w = block(p, y, causal, c["decoder_attention_heads"])
        dself.append(w)
        y, w = block(p, y, None, c["decoder_attention_heads"], kv=x, name="encoder_attn", src_kv=True)
        cross.append(w)
        y = ffn(p, y)
    if pre:
        y = ln("decoder.layer_norm", y)
    logits = None
    if not s.base:
        head = d_emb if s.tie else W["lm_head.weight"]
        logits = y @ head.T + W["final_logits_bias"].reshape(-1)
    return torch.stack(enc), torch.stack(dself), torch.stack(cross), logits


# ---- the checks ------------------------------------------------------------------------------

def run_spec(s):
    name = s.name()
    directory = os.path.join(TMP, name)
    cfg, gen, tok, tensors = C.make_checkpoint(directory, s)
    check_files(s, directory, cfg, gen, tensors)
    m = R.load(directory)
    worst = {"encoder": 0.0, "decoder": 0.0, "cross": 0.0, "logits": 0.0}
    rows_ok = True
    for k, text in enumerate(SOURCES):
        src = tok.encode(text)
        if m.lm_head is not None:
            dec, _ = R.generate(m, src, max_new_tokens=9 + 3 * k)
        else:
            dec = [int(cfg.get("decoder_start_token_id", 0))] + [5 + (7 * j) % 40 for j in range(8 + k)]
        ref = R.forward(m, src, dec)
        with torch.no_grad():
            enc, dself, cross, logits = second_forward(s, m, src, dec)
        for key, got in (("encoder", enc), ("decoder", dself), ("cross", cross)):
            worst[key] = max(worst[key], float((ref[key] - got).abs().max()))
            rows_ok &= bool(torch.allclose(ref[key].sum(-1), torch.ones(()).double(), atol=1e-12))
        rows_ok &= bool((ref["decoder"].triu(1) == 0).all())
        if logits is not None:
            worst["logits"] = max(worst["logits"], float((ref["logits"] - logits).abs().max()))
    shapes = "enc %s dec %s cross %s" % (tuple(ref["encoder"].shape), tuple(ref["decoder"].shape),
                                         tuple(ref["cross"].shape))
    check("forward/%s" % name, max(worst.values()) <= 1e-10 and rows_ok,
          "max |diff| enc %.1e dec %.1e cross %.1e logits %.1e; %s" % (
              worst["encoder"], worst["decoder"], worst["cross"], worst["logits"], shapes))
    if m.lm_head is not None:
        check_generation(s, m, tok, cfg)


def check_generation(s, m, tok, cfg):
    """The reference's greedy ids against an argmax loop over the second
    formulation, and the generation_config rules."""
    name = s.name()
    src = tok.encode(SOURCES[0])
    ids, margins = R.generate(m, src, max_new_tokens=24)
    settings = R.generation_settings(m, 24)
    mine = [settings["start"]]
    while len(mine) < settings["max_length"]:
        with torch.no_grad():
            logits = second_forward(s, m, src, mine)[3][-1].clone()
        for bad in settings["bad_words"]:
            logits[bad[-1]] = -float("inf")
        n = settings["no_repeat"]
        if n:  # a token that would repeat an n-gram already in the output is banned
            seen = {tuple(mine[j:j + n]) for j in range(len(mine) - n + 1)}
            for t in range(logits.shape[0]):
                if tuple(mine[len(mine) - n + 1:]) + (t,) in seen:
                    logits[t] = -float("inf")
        if settings["forced_bos"] is not None and len(mine) == 1:
            nxt = settings["forced_bos"]
        elif settings["forced_eos"] is not None and len(mine) == settings["max_length"] - 1:
            nxt = settings["forced_eos"]
        else:
            nxt = int(torch.argmax(logits))
        mine.append(nxt)
        if nxt in settings["eos"]:
            break
    check("generate/%s" % name, ids == mine, "%d tokens, smallest margin %.3g" % (len(ids) - 1, min(margins))
          if ids == mine else "reference %s, second formulation %s" % (ids, mine))
    rules = []
    if settings["bad_words"]:
        rules.append(("bad_words_ids never generated", not any(b[0] in ids[1:] for b in settings["bad_words"])))
    if settings["forced_bos"] is not None:
        rules.append(("forced BOS first", ids[1] == settings["forced_bos"]))
    if settings["forced_eos"] is not None:
        short, _ = R.generate(m, src, max_new_tokens=3)
        rules.append(("forced EOS ends a cut run", len(short) <= 4 and short[-1] in settings["eos"]))
    m.gen = dict(m.gen, min_length=6)
    longer, _ = R.generate(m, src, max_new_tokens=10)
    rules.append(("min_length holds back EOS", not any(t in settings["eos"] for t in longer[1:5])))
    m.gen = dict(m.gen)
    del m.gen["min_length"]
    bad = [w for w, ok in rules if not ok]
    check("generate-rules/%s" % name, not bad, ", ".join(w for w, _ in rules) if not bad else "broken: %s" % bad)


def check_buckets():
    cases = [(32, 128), (32, 64), (16, 32), (8, 20), (64, 256), (128, 512)]
    rel = np.arange(-700, 701)[None, :]
    bad, notes = [], []
    for nb, md in cases:
        for bidir in (True, False):
            ref = R.relative_position_bucket(torch.from_numpy(rel), bidir, nb, md).numpy()
            mine = buckets_np(rel, bidir, nb, md)
            if not (ref == mine).all():
                bad.append((nb, md, bidir))
            # where a float64 computation would land elsewhere
            n = np.abs(rel[0]) if bidir else np.maximum(-rel[0], 0)
            half = nb // 2 if bidir else nb
            me = half // 2
            with np.errstate(divide="ignore"):
                f64 = me + np.floor(np.log(n / me) / math.log(md / me) * (half - me))
            f64 = np.where(n < me, n, np.minimum(f64, half - 1))
            diff = sorted({int(k) for k in n[(mine[0] - (rel[0] > 0) * half * bidir) != f64]})
            if diff:
                notes.append("%d/%d%s: n=%s" % (nb, md, "" if bidir else " causal", diff[:4]))
    check("t5-buckets", not bad, "torch float32 == numpy float32 on |rel| <= 700 for %d cases; float64 would "
          "differ at %s" % (2 * len(cases), "; ".join(notes) if notes else "no distance") if not bad else str(bad))


def check_sinusoids():
    worst = 0.0
    for n, d in ((64, 32), (40, 34), (10, 7)):
        worst = max(worst, float((torch.from_numpy(C.marian_positions(n, d)).double() - sinusoids(n, d)).abs().max()))
    check("marian-sinusoids", worst == 0.0, "max |diff| %.1e (float32 tables)" % worst)


def main():
    global TMP
    TMP = tempfile.mkdtemp(prefix="seq2seq-ref-")
    torch.set_num_threads(1)
    try:
        import sentencepiece  # noqa: F401
    except ImportError:
        print("SKIP marian/t5 checkpoints: python3-sentencepiece absent (scripts/deps.sh test installs it)")
    check_buckets()
    check_sinusoids()
    counts = {}
    for s in SPECS:
        if s.arch in ("marian", "t5", "mt5"):
            try:
                import sentencepiece  # noqa: F401,F811
            except ImportError:
                continue
        run_spec(s)
        counts[s.arch] = counts.get(s.arch, 0) + 1
    print("# configurations: %s" % ", ".join("%s %d" % kv for kv in sorted(counts.items())))
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(suite.status())
