"""hf_ref.py — reference forward passes of Hugging Face BERT, RoBERTa,
DistilBERT and GPT-2 for the model-parity tests and the benchmark (no test of
its own; see tests/py/test_hf_parity.py and bench/bench_hf.py), and the one
import for the rest of the Python side:

  * hf_attentions(arch, config, weights, ids, dtype) -> [layers, heads, n, n]:
        the attention probabilities of every layer and head, following
        transformers' modeling code line by line (modeling_bert.py
        BertEmbeddings / BertSelfAttention / BertSelfOutput / BertIntermediate
        / BertOutput; modeling_roberta.py create_position_ids_from_input_ids;
        modeling_distilbert.py Embeddings / MultiHeadSelfAttention / FFN /
        TransformerBlock; modeling_gpt2.py GPT2Attention._attn / GPT2MLP /
        GPT2Block; pytorch_utils.Conv1D; activations.GELUActivation /
        NewGELUActivation), in float64 (or float32 for the benchmark) from
        the dequantized F32/F16/BF16 weights; BERT-like models get
        token_type_ids 0 and no padding, GPT-2 the causal mask;
  * mha_attentions(): the same models assembled from
        torch.nn.MultiheadAttention, a second formulation that cross-checks
        the first;
  * re-exported: the safetensors writer and reader (st_io.py), the random
        checkpoints in the Hugging Face layout and their tokenizers
        (hf_ckpt.py: Spec, make_checkpoint, tokenizer_for, base_weights,
        random_sentence, ...).

Run with Debian's /usr/bin/python3 (torch, numpy).
"""
import math

import torch
import torch.nn.functional as F

from st_io import (bf16_bits, bf16_to_f32, quantize, read_checkpoint, read_safetensors,  # noqa: F401
                   safetensors_bytes, write_safetensors, write_sharded)
from hf_ckpt import (PREFIX, Spec, Tokenizer, base_weights, checkpoint_tensors, config_json,  # noqa: F401
                     extra_tensors, make_checkpoint, random_sentence, random_weights, tokenizer_for,
                     write_tokenizer)

__all__ = ["hf_attentions", "mha_attentions", "gelu_act", "linear", "conv1d", "create_position_ids_from_input_ids",
           "bf16_bits", "bf16_to_f32", "quantize", "read_checkpoint", "read_safetensors", "safetensors_bytes",
           "write_safetensors", "write_sharded", "PREFIX", "Spec", "Tokenizer", "base_weights",
           "checkpoint_tensors", "config_json", "extra_tensors", "make_checkpoint", "random_sentence",
           "random_weights", "tokenizer_for", "write_tokenizer"]

# ---- reference forward passes (transformers' modeling code, line by line) -------------

def gelu_act(name):
    """activations.ACT2FN[name]."""
    if name in ("gelu", "gelu_python"):
        return lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))             # GELUActivation
    if name in ("gelu_new", "gelu_pytorch_tanh"):                                      # NewGELUActivation
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "gelu_fast":
        return lambda x: 0.5 * x * (1.0 + torch.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)))
    if name == "relu":
        return torch.relu
    raise ValueError("activation %r" % name)


def linear(x, W, b):
    """nn.Linear: weight [out, in]."""
    return F.linear(x, W, b)


def conv1d(x, W, b):
    """pytorch_utils.Conv1D: weight [in (nx), out (nf)]; addmm(bias, x, weight)."""
    size_out = x.size()[:-1] + (W.size(1),)
    return torch.addmm(b, x.view(-1, x.size(-1)), W).view(size_out)


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    """modeling_roberta.py: non-padding tokens count from padding_idx + 1."""
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


def _bert_forward(cfg, W, input_ids, roberta=False):
    """BertModel / RobertaModel with attention_mask all ones, token_type_ids 0."""
    H = cfg["num_attention_heads"]
    d = cfg["hidden_size"]
    dh = d // H
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = gelu_act(cfg.get("hidden_act", "gelu"))
    seq_length = input_ids.size(1)
    # BertEmbeddings.forward
    if roberta:
        position_ids = create_position_ids_from_input_ids(input_ids, cfg.get("pad_token_id", 1))
    else:
        position_ids = torch.arange(seq_length).unsqueeze(0)
    token_type_ids = torch.zeros_like(input_ids)
    inputs_embeds = F.embedding(input_ids, W["embeddings.word_embeddings.weight"])
    token_type_embeddings = F.embedding(token_type_ids, W["embeddings.token_type_embeddings.weight"])
    embeddings = inputs_embeds + token_type_embeddings
    embeddings = embeddings + F.embedding(position_ids, W["embeddings.position_embeddings.weight"])
    hidden = F.layer_norm(embeddings, (d,), W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
    # get_extended_attention_mask: (1 - mask) * finfo.min, all zeros here
    extended = (1.0 - torch.ones(1, 1, 1, seq_length, dtype=hidden.dtype)) * torch.finfo(hidden.dtype).min
    attentions = []
    for i in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % i

        def heads(x):  # transpose_for_scores
            return x.view(x.size()[:-1] + (H, dh)).permute(0, 2, 1, 3)
        # BertSelfAttention
        query_layer = heads(linear(hidden, W[p + "attention.self.query.weight"], W[p + "attention.self.query.bias"]))
        key_layer = heads(linear(hidden, W[p + "attention.self.key.weight"], W[p + "attention.self.key.bias"]))
        value_layer = heads(linear(hidden, W[p + "attention.self.value.weight"], W[p + "attention.self.value.bias"]))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(dh)
        attention_scores = attention_scores + extended
        attention_probs = F.softmax(attention_scores, dim=-1)
        attentions.append(attention_probs[0])
        context = torch.matmul(attention_probs, value_layer).permute(0, 2, 1, 3).contiguous()
        context = context.view(context.size()[:-2] + (d,))
        # BertSelfOutput
        h = linear(context, W[p + "attention.output.dense.weight"], W[p + "attention.output.dense.bias"])
        attention_output = F.layer_norm(h + hidden, (d,), W[p + "attention.output.LayerNorm.weight"],
                                        W[p + "attention.output.LayerNorm.bias"], eps)
        # BertIntermediate
        inter = act(linear(attention_output, W[p + "intermediate.dense.weight"], W[p + "intermediate.dense.bias"]))
        # BertOutput
        h = linear(inter, W[p + "output.dense.weight"], W[p + "output.dense.bias"])
        hidden = F.layer_norm(h + attention_output, (d,), W[p + "output.LayerNorm.weight"],
                              W[p + "output.LayerNorm.bias"], eps)
    return torch.stack(attentions), hidden[0]


def _distilbert_forward(cfg, W, input_ids):
    """DistilBertModel (Embeddings, Transformer of TransformerBlocks); its
    layer norms are hard-coded eps 1e-12."""
    H, d = cfg["n_heads"], cfg["dim"]
    dph = d // H
    act = gelu_act(cfg.get("activation", "gelu"))
    seq_length = input_ids.size(1)
    position_ids = torch.arange(seq_length).unsqueeze(0)
    e = F.embedding(input_ids, W["embeddings.word_embeddings.weight"]) + \
        F.embedding(position_ids, W["embeddings.position_embeddings.weight"])
    x = F.layer_norm(e, (d,), W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], 1e-12)
    mask = torch.ones(1, seq_length)
    attentions = []
    for i in range(cfg["n_layers"]):
        p = "transformer.layer.%d." % i

        def shape(t):
            return t.view(1, -1, H, dph).transpose(1, 2)
        q = shape(linear(x, W[p + "attention.q_lin.weight"], W[p + "attention.q_lin.bias"]))
        k = shape(linear(x, W[p + "attention.k_lin.weight"], W[p + "attention.k_lin.bias"]))
        v = shape(linear(x, W[p + "attention.v_lin.weight"], W[p + "attention.v_lin.bias"]))
        q = q / math.sqrt(dph)
        scores = torch.matmul(q, k.transpose(2, 3))
        m = (mask == 0).view(1, 1, 1, seq_length).expand_as(scores)
        scores = scores.masked_fill(m, torch.finfo(scores.dtype).min)
        weights = F.softmax(scores, dim=-1)
        attentions.append(weights[0])
        context = torch.matmul(weights, v).transpose(1, 2).contiguous().view(1, -1, H * dph)
        sa_output = linear(context, W[p + "attention.out_lin.weight"], W[p + "attention.out_lin.bias"])
        sa_output = F.layer_norm(sa_output + x, (d,), W[p + "sa_layer_norm.weight"], W[p + "sa_layer_norm.bias"], 1e-12)
        f = linear(act(linear(sa_output, W[p + "ffn.lin1.weight"], W[p + "ffn.lin1.bias"])),
                   W[p + "ffn.lin2.weight"], W[p + "ffn.lin2.bias"])
        x = F.layer_norm(f + sa_output, (d,), W[p + "output_layer_norm.weight"], W[p + "output_layer_norm.bias"], 1e-12)
    return torch.stack(attentions), x[0]


def _gpt2_forward(cfg, W, input_ids):
    """GPT2Model: wte + wpe, pre-LN blocks, causal mask by torch.where with
    finfo.min (not an additive -1e4), ln_f."""
    H, d = cfg["n_head"], cfg["n_embd"]
    dh = d // H
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    act = gelu_act(cfg.get("activation_function", "gelu_new"))
    n = input_ids.size(1)
    hidden = F.embedding(input_ids, W["wte.weight"]) + F.embedding(torch.arange(n).unsqueeze(0), W["wpe.weight"])
    bias = torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n)
    attentions = []
    for i in range(cfg["n_layer"]):
        p = "h.%d." % i
        residual = hidden
        h = F.layer_norm(hidden, (d,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        query, key, value = conv1d(h, W[p + "attn.c_attn.weight"], W[p + "attn.c_attn.bias"]).split(d, dim=2)

        def split_heads(t):
            return t.view(t.size()[:-1] + (H, dh)).permute(0, 2, 1, 3)
        query, key, value = split_heads(query), split_heads(key), split_heads(value)
        # GPT2Attention._attn
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        if cfg.get("scale_attn_weights", True):
            attn_weights = attn_weights / torch.full([], value.size(-1) ** 0.5, dtype=attn_weights.dtype)
        if cfg.get("scale_attn_by_inverse_layer_idx", False):
            attn_weights = attn_weights / float(i + 1)
        causal_mask = bias[:, :, n - n:n, :n]
        mask_value = torch.full([], torch.finfo(attn_weights.dtype).min, dtype=attn_weights.dtype)
        attn_weights = torch.where(causal_mask, attn_weights, mask_value)
        attn_weights = F.softmax(attn_weights, dim=-1)
        attentions.append(attn_weights[0])
        attn_output = torch.matmul(attn_weights, value).permute(0, 2, 1, 3).contiguous()
        attn_output = attn_output.view(attn_output.size()[:-2] + (d,))
        attn_output = conv1d(attn_output, W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"])
        hidden = attn_output + residual
        residual = hidden
        h = F.layer_norm(hidden, (d,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        h = conv1d(act(conv1d(h, W[p + "mlp.c_fc.weight"], W[p + "mlp.c_fc.bias"])),
                   W[p + "mlp.c_proj.weight"], W[p + "mlp.c_proj.bias"])
        hidden = residual + h
    hidden = F.layer_norm(hidden, (d,), W["ln_f.weight"], W["ln_f.bias"], eps)
    return torch.stack(attentions), hidden[0]


def hf_attentions(arch, cfg, W, ids, dtype=torch.float64, with_hidden=False):
    """Attention probabilities [layers, heads, n, n] of every layer and head,
    as the *Model of arch computes them (output_attentions=True) from the
    config dict and the base weights W (converted to dtype)."""
    W = {k: v.to(dtype) for k, v in W.items()}
    input_ids = torch.tensor([list(ids)], dtype=torch.long)
    if arch in ("bert", "roberta"):
        att, hid = _bert_forward(cfg, W, input_ids, roberta=(arch == "roberta"))
    elif arch == "distilbert":
        att, hid = _distilbert_forward(cfg, W, input_ids)
    elif arch == "gpt2":
        att, hid = _gpt2_forward(cfg, W, input_ids)
    else:
        raise ValueError("arch %r" % arch)
    return (att, hid) if with_hidden else att


# ---- a second formulation: torch.nn.MultiheadAttention ----------------------------------

def _ln(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def mha_attentions(arch, cfg, W, ids, dtype=torch.float64):
    """The same models assembled from torch.nn.MultiheadAttention(need_weights=
    True, average_attn_weights=False) with q, k, v stacked into in_proj_weight
    (GPT-2: the Conv1D weights transposed, attn_mask the upper triangle),
    F.gelu (approximate="tanh" for gelu_new), and layer norm written out."""
    W = {k: v.to(dtype) for k, v in W.items()}
    n = len(ids)
    idx = torch.tensor(ids)
    if arch == "gpt2":
        H, d, L, eps = cfg["n_head"], cfg["n_embd"], cfg["n_layer"], cfg.get("layer_norm_epsilon", 1e-5)
        x = W["wte.weight"][idx] + W["wpe.weight"][:n]
        mask = torch.ones(n, n, dtype=torch.bool).triu(1)
    else:
        if arch == "distilbert":
            H, d, L, eps = cfg["n_heads"], cfg["dim"], cfg["n_layers"], 1e-12
        else:
            H, d, L = cfg["num_attention_heads"], cfg["hidden_size"], cfg["num_hidden_layers"]
            eps = cfg.get("layer_norm_eps", 1e-12)
        if arch == "roberta":
            pad = cfg.get("pad_token_id", 1)
            pos = torch.tensor([0] * n)
            count = 0
            for j, t in enumerate(ids):
                if t != pad:
                    count += 1
                    pos[j] = pad + count
                else:
                    pos[j] = pad
        else:
            pos = torch.arange(n)
        x = W["embeddings.word_embeddings.weight"][idx] + W["embeddings.position_embeddings.weight"][pos]
        if arch != "distilbert":
            x = x + W["embeddings.token_type_embeddings.weight"][0]
        x = _ln(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], eps)
        mask = None
    mha = torch.nn.MultiheadAttention(d, H, bias=True, batch_first=True).to(dtype)
    out = []
    for i in range(L):
        with torch.no_grad():
            if arch == "gpt2":
                p = "h.%d." % i
                # MHA divides q·k by sqrt(head size); the config's other scalings go into q
                f = 1.0 if cfg.get("scale_attn_weights", True) else math.sqrt(d // H)
                if cfg.get("scale_attn_by_inverse_layer_idx", False):
                    f /= i + 1
                qscale = torch.cat([torch.full((d,), f, dtype=dtype), torch.ones(2 * d, dtype=dtype)])
                mha.in_proj_weight.copy_(W[p + "attn.c_attn.weight"].T * qscale[:, None])
                mha.in_proj_bias.copy_(W[p + "attn.c_attn.bias"] * qscale)
                mha.out_proj.weight.copy_(W[p + "attn.c_proj.weight"].T)
                mha.out_proj.bias.copy_(W[p + "attn.c_proj.bias"])
            else:
                if arch == "distilbert":
                    p = "transformer.layer.%d.attention." % i
                    q, k, v, o = "q_lin", "k_lin", "v_lin", "out_lin"
                else:
                    p = "encoder.layer.%d.attention." % i
                    q, k, v, o = "self.query", "self.key", "self.value", "output.dense"
                mha.in_proj_weight.copy_(torch.cat([W[p + s + ".weight"] for s in (q, k, v)]))
                mha.in_proj_bias.copy_(torch.cat([W[p + s + ".bias"] for s in (q, k, v)]))
                mha.out_proj.weight.copy_(W[p + o + ".weight"])
                mha.out_proj.bias.copy_(W[p + o + ".bias"])
            if arch == "gpt2":
                h = _ln(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)[None]
                a, w = mha(h, h, h, attn_mask=mask, need_weights=True, average_attn_weights=False)
                x = x + a[0]
                h = _ln(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
                f = h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"]
                tanh = cfg.get("activation_function", "gelu_new") in ("gelu_new", "gelu_pytorch_tanh")
                f = F.gelu(f, approximate="tanh" if tanh else "none")
                x = x + f @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
            else:
                a, w = mha(x[None], x[None], x[None], need_weights=True, average_attn_weights=False)
                if arch == "distilbert":
                    p = "transformer.layer.%d." % i
                    ln1, f1, f2, ln2 = "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm"
                else:
                    p = "encoder.layer.%d." % i
                    ln1, f1, f2, ln2 = ("attention.output.LayerNorm", "intermediate.dense", "output.dense",
                                        "output.LayerNorm")
                x = _ln(x + a[0], W[p + ln1 + ".weight"], W[p + ln1 + ".bias"], eps)
                f = F.gelu(x @ W[p + f1 + ".weight"].T + W[p + f1 + ".bias"])
                f = f @ W[p + f2 + ".weight"].T + W[p + f2 + ".bias"]
                x = _ln(x + f, W[p + ln2 + ".weight"], W[p + ln2 + ".bias"], eps)
        out.append(w[0])
    return torch.stack(out)
