"""seq2seq_ref.py — float64 reference forward passes and greedy generation of
Hugging Face's encoder-decoder models (bart, mbart, marian, t5, T5 v1.1, mt5),
written from transformers' modeling_bart.py, modeling_mbart.py,
modeling_marian.py, modeling_t5.py and generation/utils.py (4.36; the math
has not changed since 4.9, only the attention plumbing), for the tests:

  * load(directory) -> Model: config.json, generation_config.json and the
        weights (one file or shards, F32/F16/BF16 dequantized to float64),
        tied and missing tensors resolved as from_pretrained resolves them;
  * forward(model, src_ids, dec_ids) -> {"encoder": [L, H, S, S],
        "decoder": [L, H, T, T], "cross": [L, H, T, S], "logits": [T, V],
        "encoder_hidden": [S, d], "decoder_hidden": [T, d]}: the attention
        probabilities of every layer and head (output_attentions=True), batch
        1, no padding; dec_ids starts with decoder_start_token_id;
  * generate(model, src_ids, max_new_tokens=None) -> (ids, margins): greedy
        search as model.generate() does it with the directory's
        generation_config.json, ids with the start token first; margins[i]
        = top-1 minus top-2 processed score of step i (a near-tie check);
  * relative_position_bucket(): T5's bucketing, including its float32 log.

No test of its own beyond tests/py/test_seq2seq_ref.py (which checks it
against a second formulation built on torch.nn.MultiheadAttention) and
tests/py/test_dates_demo.py (against the training code of data/dates/).

DESIGN NOTE FOR THE C SIDE (phase B of issue 19)
================================================

Tensor names (a *ForConditionalGeneration checkpoint; the bare *Model has
the same names without "model." and no lm_head / final_logits_bias).
Linear weights are [out, in] (y = x Wᵀ + b). i = layer index.

bart / mbart / marian:
  model.shared.weight                                  [V, d]  tied: encoder/decoder embed_tokens, lm_head
  model.encoder.embed_tokens.weight, model.decoder.embed_tokens.weight
                                                       written only by old savers (= shared) or by Marian
                                                       with share_encoder_decoder_embeddings=false (then
                                                       there is no model.shared.weight)
  model.{encoder,decoder}.embed_positions.weight       [max_position_embeddings + 2, d]  bart/mbart only
  model.{encoder,decoder}.layernorm_embedding.{weight,bias}   bart/mbart only
  model.{encoder,decoder}.layers.i.self_attn.{q,k,v,out}_proj.{weight,bias}   [d, d], [d]
  model.{encoder,decoder}.layers.i.self_attn_layer_norm.{weight,bias}
  model.decoder.layers.i.encoder_attn.{q,k,v,out}_proj.{weight,bias}   (cross-attention)
  model.decoder.layers.i.encoder_attn_layer_norm.{weight,bias}
  model.{encoder,decoder}.layers.i.fc1.{weight,bias}   [ffn, d]; fc2 [d, ffn]
  model.{encoder,decoder}.layers.i.final_layer_norm.{weight,bias}
  model.{encoder,decoder}.layer_norm.{weight,bias}     mbart only (after the last layer)
  final_logits_bias                                    [1, V]  a buffer; absent -> zeros
  lm_head.weight                                       [V, d]  only when tie_word_embeddings is false
                                                       (an old saver may write it tied: ignore it then)
t5 / T5 v1.1 / mt5 (no "model." prefix, no biases anywhere):
  shared.weight                                        [V, d]  (encoder/decoder.embed_tokens = copies)
  {encoder,decoder}.block.i.layer.0.SelfAttention.{q,k,v}.weight   [H*d_kv, d]; .o.weight [d, H*d_kv]
  {encoder,decoder}.block.0.layer.0.SelfAttention.relative_attention_bias.weight  [num_buckets, H]
                                                       block 0 only; every block uses it
  {encoder,decoder}.block.i.layer.0.layer_norm.weight
  decoder.block.i.layer.1.EncDecAttention.{q,k,v,o}.weight, decoder.block.i.layer.1.layer_norm.weight
  encoder.block.i.layer.1.DenseReluDense.{wi,wo}.weight, .layer.1.layer_norm.weight   (decoder: layer.2)
  ... gated: DenseReluDense.wi_0.weight, wi_1.weight, wo.weight
  {encoder,decoder}.final_layer_norm.weight
  lm_head.weight                                       only when tie_word_embeddings is false (v1.1, mt5)

Config keys that matter (config.json; everything else is training or
legacy and must be ignored: dropout, init_std, normalize_before,
static_position_embeddings, num_beams, task_specific_params, ...):
  bart/mbart/marian: model_type, d_model, encoder_layers, decoder_layers,
    encoder_attention_heads, decoder_attention_heads (self- and
    cross-attention of the decoder), encoder_ffn_dim, decoder_ffn_dim,
    activation_function (gelu = erf, gelu_new, relu, silu/swish, ...),
    max_position_embeddings, scale_embedding, vocab_size,
    tie_word_embeddings (default true), pad/bos/eos/decoder_start_token_id;
    marian also share_encoder_decoder_embeddings (default true) and
    decoder_vocab_size. LayerNorm eps is 1e-5 (nn.LayerNorm's default, not
    a config key).
  t5/mt5: d_model, d_kv (head size; H*d_kv need not be d_model), d_ff,
    num_layers, num_decoder_layers (default num_layers), num_heads,
    relative_attention_num_buckets, relative_attention_max_distance
    (default 128; old files lack it), layer_norm_epsilon,
    feed_forward_proj ("relu" | "gated-gelu" | "gated-silu" ...; "gated-X":
    act(wi_0 x) * (wi_1 x), and "gated-gelu" means gelu_new, the tanh
    form), tie_word_embeddings (t5: true; v1.1 and mt5: false),
    decoder_start_token_id (0), eos_token_id (1).
  generation_config.json wins over config.json for decoder_start_token_id,
    eos_token_id (an int or a list), forced_bos_token_id,
    forced_eos_token_id, bad_words_ids, min_length, max_length,
    no_repeat_ngram_size, suppress_tokens; with neither file giving
    decoder_start_token_id generate() falls back to bos_token_id (mbart).

Input ids (what seq2seq_ckpt.Tokenizer.encode gives, = transformers' slow
tokenizers):
  bart: byte-level BPE (vocab.json + merges.txt, or tokenizer.json with a
    RobertaProcessing post-processor): <s> X </s>.
  mbart: X </s> lang_code (the writer uses en_XX).
  marian: source.spm cuts the text into pieces (SentencePiece's pieces, not
    its ids); each piece's id is its entry in vocab.json (<unk>'s id when
    absent), then </s>. Generated ids -> vocab.json pieces -> target.spm
    decodes them. SentencePiece's own ids are never the model's ids.
  t5/mt5: spiece.model's ids, then </s> (1); no BOS.
  data/dates (the demo): tokenizer.json (Lowercase; Whitespace + Digits
    with individual_digits; WordLevel; "<s> $A </s>"; Fuse decoder).

Quirks, each one a way to be wrong by more than 1e-4:
  * BART/mBART positions: row = position + 2 of embed_positions (the
    offset is BartLearnedPositionalEmbedding.offset, rows 0 and 1 are never
    used); decoder positions count from 0 at the decoder start token.
  * embed_scale = sqrt(d_model) when scale_embedding (Marian's real files,
    mbart-large-cc25), else 1; it multiplies the token embedding only,
    before the positions are added.
  * BART: layernorm_embedding after token + position, post-LN layers
    (x = LN(x + attn(x)); x = LN(x + fc2(act(fc1(x))))), no final LN.
    mBART: pre-LN (x = x + attn(LN(x)); x = x + fc2(act(fc1(LN(x))))) and a
    final model.{encoder,decoder}.layer_norm. Marian: post-LN like BART but
    no layernorm_embedding.
  * Marian positions are not in the file (_keys_to_ignore_on_save): row p,
    column j of a [max_position_embeddings, d] table is, with
    angle(p, j) = p / 10000^(2*floor(j/2)/d) computed in double:
    j < d/2: sin(angle(p, 2j)); j >= d/2: cos(angle(p, 2(j - d/2) + 1)),
    i.e. all sines first then all cosines (not interleaved), same
    frequencies in both halves, rounded to float32. Positions start at 0.
  * Attention scaling: BART family multiplies q (after its bias) by
    head_dim^-0.5 before q·k; T5 does not scale at all (its init absorbs it).
  * final_logits_bias is added to the logits (non-zero in real Marian
    checkpoints); lm_head of the BART family is never scaled.
  * T5 with tie_word_embeddings: the decoder output is multiplied by
    d_model^-0.5 before the (shared) lm_head; untied (v1.1, mt5): no scaling.
  * T5 RMS norm: x * rsqrt(mean(x²) + eps) * weight, no mean, no bias;
    pre-norm blocks, a final norm per stack, no position embeddings, no
    embedding scale.
  * T5 relative positions: bias[h, q, k] = relative_attention_bias[bucket(k
    - q), h], added to the scores of every layer of the stack (computed from
    block 0's table). Encoder: bidirectional (num_buckets halved, keys after
    the query get the upper half); decoder self-attention: causal
    (positive distances are clamped to 0, all num_buckets for the past);
    cross-attention: no position bias at all. Buckets: n < max_exact =
    num_buckets/2 (per direction) are exact; larger ones are
    max_exact + trunc(log(n / max_exact) / log(max_distance / max_exact) *
    (num_buckets - max_exact)), capped at num_buckets - 1, where the log
    and the division are float32 (torch's .float()), the denominator
    math.log in double then rounded to float; truncation toward zero.
    Computing it so in float is the safe choice; test_seq2seq_ref.py
    ("t5-buckets") also shows that for the (num_buckets, max_distance)
    pairs 32/128, 32/64, 16/32, 8/20, 64/256, 128/512 and |distance| <= 700
    a double computation gives the same buckets.
  * Masks: the decoder's causal mask adds finfo.min, so masked weights are
    exactly 0 and rows still sum to 1; with batch 1 there is no padding
    mask.
  * Cross-attention keys/values come from the encoder's final output (after
    mBART's / T5's final norm); the cross-attention matrix is [T, S]
    (target rows, source columns). Row t is computed from decoder input
    t, i.e. it is the step that outputs token t + 1 of dec_ids.
  * Generation (greedy): dec_ids = [decoder_start_token_id]; bart 2 (</s>),
    marian pad_token_id, t5 0 (pad). Each step argmax over the processed
    logits of the last row: bad_words_ids (Marian: [[pad]]) -> -inf;
    min_length: eos -inf while len(dec_ids) < min_length; forced_bos: at
    len 1 every token but it -inf; forced_eos: at len max_length - 1 every
    token but eos -inf (bart/marian set forced_eos_token_id, so a run cut by
    --max-new N ends with EOS as its N-th token); no_repeat_ngram_size
    bans tokens completing a seen n-gram. Stop after EOS or at max_length
    (= 1 + max_new_tokens when that is given, counting the start token).
    torch.argmax takes the first of equal maxima.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from st_io import read_checkpoint
from seq2seq_ckpt import marian_positions

BART_LIKE = ("bart", "mbart", "marian")
BARE = {"BartModel", "MBartModel", "MarianModel", "T5Model", "MT5Model"}  # no LM head: no generation


class Model:
    """arch, cfg (config.json), gen (generation_config.json, or {}), W (name ->
    float64 tensor, "model." stripped), and the resolved embeddings:
    enc_embed, dec_embed, lm_head [V, d] (None for a bare *Model, whose
    config.json names it in "architectures"), logits_bias [V]."""

    def __init__(self, arch, cfg, gen, W):
        self.arch, self.cfg, self.gen, self.W = arch, cfg, gen or {}, W
        c = cfg
        tie = c.get("tie_word_embeddings", arch != "mt5")  # MT5Config's default is False
        if arch in BART_LIKE:
            shared = W.get("shared.weight")
            self.enc_embed = shared if shared is not None else W["encoder.embed_tokens.weight"]
            self.dec_embed = shared if shared is not None else W["decoder.embed_tokens.weight"]
            if arch == "marian" and not c.get("share_encoder_decoder_embeddings", True):
                self.enc_embed, self.dec_embed = W["encoder.embed_tokens.weight"], W["decoder.embed_tokens.weight"]
            self.lm_head = self.dec_embed if tie else W.get("lm_head.weight")
            bias = W.get("final_logits_bias")
            self.logits_bias = bias.reshape(-1) if bias is not None else None
            if self.lm_head is not None and self.logits_bias is None:
                self.logits_bias = torch.zeros(self.lm_head.shape[0], dtype=self.lm_head.dtype)
        else:
            shared = W.get("shared.weight", W.get("encoder.embed_tokens.weight"))
            self.enc_embed = self.dec_embed = shared
            self.lm_head = shared if tie else W.get("lm_head.weight")
            self.logits_bias = None
        if set(c.get("architectures") or []) & BARE:
            self.lm_head = self.logits_bias = None


def load(directory, dtype=torch.float64):
    cfg = json.load(open(os.path.join(directory, "config.json")))
    gpath = os.path.join(directory, "generation_config.json")
    gen = json.load(open(gpath)) if os.path.exists(gpath) else {}
    W = {}
    for name, (arr, _) in read_checkpoint(directory).items():
        if name.startswith("model."):
            name = name[len("model."):]
        W[name] = torch.from_numpy(np.array(arr, dtype=np.float32)).to(dtype)
    return Model(cfg["model_type"], cfg, gen, W)


def from_tensors(cfg, tensors, gen=None, dtype=torch.float64):
    """A Model from {saved name: (array, dtype)} as seq2seq_ckpt writes them."""
    from st_io import quantize
    W = {}
    for name, (arr, dt) in tensors.items():
        if name.startswith("model."):
            name = name[len("model."):]
        W[name] = torch.from_numpy(quantize(arr, dt)).to(dtype)
    return Model(cfg["model_type"], cfg, gen, W)


# ---- shared pieces --------------------------------------------------------------------------

def act_fn(name):
    """activations.ACT2FN[name]."""
    if name in ("gelu", "gelu_python"):
        return lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "gelu_fast":
        return lambda x: 0.5 * x * (1.0 + torch.tanh(x * 0.7978845608 * (1.0 + 0.044715 * x * x)))
    if name == "relu":
        return torch.relu
    if name in ("silu", "swish"):
        return lambda x: x * torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh
    raise ValueError("activation_function %r" % name)


def causal_mask(t, dtype):
    """[T, T]: 0 on and below the diagonal, finfo.min above (the
    _prepare_4d_causal_attention_mask of 4.36)."""
    m = torch.full((t, t), torch.finfo(dtype).min, dtype=dtype)
    return torch.triu(m, diagonal=1)


# ---- BART, mBART, Marian ---------------------------------------------------------------------

def _bart_attention(W, p, hidden, kv, heads, mask):
    """BartAttention.forward (eager), batch 1: hidden [T, d], kv [S, d] ->
    (output [T, d], probabilities [H, T, S])."""
    tgt_len, embed_dim = hidden.shape
    head_dim = embed_dim // heads
    scaling = head_dim ** -0.5
    query_states = F.linear(hidden, W[p + "q_proj.weight"], W[p + "q_proj.bias"]) * scaling
    key_states = F.linear(kv, W[p + "k_proj.weight"], W[p + "k_proj.bias"])
    value_states = F.linear(kv, W[p + "v_proj.weight"], W[p + "v_proj.bias"])

    def shape(t):
        return t.view(-1, heads, head_dim).transpose(0, 1)        # [H, n, dh]
    query_states, key_states, value_states = shape(query_states), shape(key_states), shape(value_states)
    attn_weights = torch.bmm(query_states, key_states.transpose(1, 2))   # [H, T, S]
    if mask is not None:
        attn_weights = attn_weights + mask
    attn_weights = F.softmax(attn_weights, dim=-1)
    attn_output = torch.bmm(attn_weights, value_states)                 # [H, T, dh]
    attn_output = attn_output.transpose(0, 1).reshape(tgt_len, embed_dim)
    return F.linear(attn_output, W[p + "out_proj.weight"], W[p + "out_proj.bias"]), attn_weights


def _ln(W, p, x, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), W[p + ".weight"], W[p + ".bias"], eps)


def _residual(W, norm, pre, hidden, fn):
    """One sublayer with its residual: x + f(LN(x)) (pre-LN: mBART) or
    LN(x + f(x)) (post-LN: BART, Marian). fn returns (output, attention)."""
    residual = hidden
    if pre:
        hidden = _ln(W, norm, hidden)
    hidden, w = fn(hidden)
    hidden = residual + hidden
    if not pre:
        hidden = _ln(W, norm, hidden)
    return hidden, w


def _bart_stack(m, side, ids, enc_out=None):
    """BartEncoder / BartDecoder (and the MBart / Marian variants) forward:
    (hidden [n, d], self-attention [L, H, n, n], cross [L, H, n, S] or None)."""
    c, W, arch = m.cfg, m.W, m.arch
    d = c["d_model"]
    n = len(ids)
    heads = c["encoder_attention_heads" if side == "encoder" else "decoder_attention_heads"]
    n_layers = c["encoder_layers" if side == "encoder" else "decoder_layers"]
    act = act_fn(c.get("activation_function", "gelu"))
    embed_scale = math.sqrt(d) if c.get("scale_embedding", False) else 1.0
    table = m.enc_embed if side == "encoder" else m.dec_embed
    inputs_embeds = F.embedding(torch.tensor(ids), table) * embed_scale
    positions = torch.arange(n)
    if arch == "marian":
        pos_table = W.get(side + ".embed_positions.weight")
        if pos_table is None:
            pos_table = torch.from_numpy(marian_positions(c["max_position_embeddings"], d)).to(table.dtype)
        embed_pos = F.embedding(positions, pos_table)
    else:
        embed_pos = F.embedding(positions + 2, W[side + ".embed_positions.weight"])  # offset 2
    hidden = inputs_embeds + embed_pos
    if arch != "marian":
        hidden = _ln(W, side + ".layernorm_embedding", hidden)
    mask = causal_mask(n, hidden.dtype) if side == "decoder" else None
    self_attns, cross_attns = [], []
    pre = arch == "mbart"

    def ffn(x):
        x = act(F.linear(x, W[p + "fc1.weight"], W[p + "fc1.bias"]))
        return F.linear(x, W[p + "fc2.weight"], W[p + "fc2.bias"]), None
    for i in range(n_layers):
        p = "%s.layers.%d." % (side, i)
        hidden, w = _residual(W, p + "self_attn_layer_norm", pre, hidden,
                              lambda x: _bart_attention(W, p + "self_attn.", x, x, heads, mask))
        self_attns.append(w)
        if side == "decoder":
            hidden, w = _residual(W, p + "encoder_attn_layer_norm", pre, hidden,
                                  lambda x: _bart_attention(W, p + "encoder_attn.", x, enc_out, heads, None))
            cross_attns.append(w)
        hidden, _ = _residual(W, p + "final_layer_norm", pre, hidden, ffn)
    if pre:
        hidden = _ln(W, side + ".layer_norm", hidden)
    return hidden, torch.stack(self_attns), (torch.stack(cross_attns) if cross_attns else None)


# ---- T5, T5 v1.1, mT5 ------------------------------------------------------------------------

def relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    """T5Attention._relative_position_bucket, line by line (the log in float32)."""
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets


def _t5_bias(m, table, query_length, key_length, bidirectional):
    """T5Attention.compute_bias: [H, q, k]."""
    c = m.cfg
    context_position = torch.arange(query_length, dtype=torch.long)[:, None]
    memory_position = torch.arange(key_length, dtype=torch.long)[None, :]
    relative_position = memory_position - context_position
    bucket = relative_position_bucket(relative_position, bidirectional=bidirectional,
                                      num_buckets=c.get("relative_attention_num_buckets", 32),
                                      max_distance=c.get("relative_attention_max_distance", 128))
    return F.embedding(bucket, table).permute(2, 0, 1)


def _t5_norm(W, name, x, eps):
    """T5LayerNorm (RMS norm)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return W[name] * (x * torch.rsqrt(variance + eps))


def _t5_attention(m, p, hidden, kv, position_bias):
    """T5Attention.forward: no biases, no 1/sqrt(d) scaling."""
    c, W = m.cfg, m.W
    heads, d_kv = c["num_heads"], c["d_kv"]

    def shape(t):
        return t.view(-1, heads, d_kv).transpose(0, 1)
    q = shape(F.linear(hidden, W[p + "q.weight"]))
    k = shape(F.linear(kv, W[p + "k.weight"]))
    v = shape(F.linear(kv, W[p + "v.weight"]))
    scores = torch.matmul(q, k.transpose(1, 2))          # [H, T, S]
    scores = scores + position_bias
    attn_weights = F.softmax(scores, dim=-1)
    out = torch.matmul(attn_weights, v).transpose(0, 1).reshape(hidden.shape[0], heads * d_kv)
    return F.linear(out, W[p + "o.weight"]), attn_weights


def _t5_ff(m, p, hidden, eps):
    c, W = m.cfg, m.W
    proj = c.get("feed_forward_proj", "relu")
    gated = proj.split("-")[0] == "gated"
    act_name = proj.split("-")[-1]
    if proj == "gated-gelu":
        act_name = "gelu_new"
    act = act_fn(act_name)
    x = _t5_norm(W, p + "layer_norm.weight", hidden, eps)
    if gated:
        x = act(F.linear(x, W[p + "DenseReluDense.wi_0.weight"])) * F.linear(x, W[p + "DenseReluDense.wi_1.weight"])
    else:
        x = act(F.linear(x, W[p + "DenseReluDense.wi.weight"]))
    return hidden + F.linear(x, W[p + "DenseReluDense.wo.weight"])


def _t5_stack(m, side, ids, enc_out=None):
    c, W = m.cfg, m.W
    eps = c.get("layer_norm_epsilon", 1e-6)
    n_layers = c["num_layers"] if side == "encoder" else c.get("num_decoder_layers") or c["num_layers"]
    hidden = F.embedding(torch.tensor(ids), m.enc_embed if side == "encoder" else m.dec_embed)
    n = len(ids)
    bias = _t5_bias(m, W[side + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight"], n, n,
                    bidirectional=(side == "encoder"))
    if side == "decoder":
        bias = bias + causal_mask(n, hidden.dtype)
        cross_bias = torch.zeros(c["num_heads"], n, enc_out.shape[0], dtype=hidden.dtype)
    self_attns, cross_attns = [], []
    for i in range(n_layers):
        p = "%s.block.%d.layer." % (side, i)
        normed = _t5_norm(W, p + "0.layer_norm.weight", hidden, eps)
        out, w = _t5_attention(m, p + "0.SelfAttention.", normed, normed, bias)
        hidden = hidden + out
        self_attns.append(w)
        if side == "decoder":
            normed = _t5_norm(W, p + "1.layer_norm.weight", hidden, eps)
            out, w = _t5_attention(m, p + "1.EncDecAttention.", normed, enc_out, cross_bias)
            hidden = hidden + out
            cross_attns.append(w)
        hidden = _t5_ff(m, p + ("2." if side == "decoder" else "1."), hidden, eps)
    hidden = _t5_norm(W, side + ".final_layer_norm.weight", hidden, eps)
    return hidden, torch.stack(self_attns), (torch.stack(cross_attns) if cross_attns else None)


# ---- the model -------------------------------------------------------------------------------

def forward(m, src_ids, dec_ids):
    """Encoder on src_ids, decoder on dec_ids (teacher forcing)."""
    stack = _bart_stack if m.arch in BART_LIKE else _t5_stack
    with torch.no_grad():
        enc_hidden, enc_attn, _ = stack(m, "encoder", list(src_ids))
        dec_hidden, dec_attn, cross = stack(m, "decoder", list(dec_ids), enc_hidden)
        logits = lm_logits(m, dec_hidden) if m.lm_head is not None else None
    return {"encoder": enc_attn, "decoder": dec_attn, "cross": cross, "logits": logits,
            "encoder_hidden": enc_hidden, "decoder_hidden": dec_hidden}


def generation_settings(m, max_new_tokens=None):
    """The settings generate() takes from generation_config.json (else config.json)."""
    g = dict(m.cfg)
    g.update(m.gen)
    start = g.get("decoder_start_token_id")
    if start is None:
        start = g.get("bos_token_id")
    eos = g.get("eos_token_id")
    eos = set(eos if isinstance(eos, list) else ([] if eos is None else [eos]))
    max_length = 1 + max_new_tokens if max_new_tokens is not None else g.get("max_length", 20)
    return {"start": start, "eos": eos, "max_length": max_length, "min_length": g.get("min_length", 0),
            "forced_bos": g.get("forced_bos_token_id"), "forced_eos": g.get("forced_eos_token_id"),
            "bad_words": g.get("bad_words_ids") or [], "no_repeat": g.get("no_repeat_ngram_size", 0) or 0,
            "suppress": g.get("suppress_tokens") or [], "begin_suppress": g.get("begin_suppress_tokens") or []}


def process_scores(s, ids, scores):
    """The logits processors of greedy search (4.36 order), on scores [V]."""
    scores = scores.clone()
    cur_len = len(ids)
    inf = -float("inf")
    n = s["no_repeat"]
    if n and cur_len + 1 >= n:
        prefix = tuple(ids[cur_len - n + 1:])
        for j in range(cur_len - n + 1):
            if tuple(ids[j:j + n - 1]) == prefix:
                scores[ids[j + n - 1]] = inf
    for bad in s["bad_words"]:
        if len(bad) == 1 or list(ids[len(ids) - len(bad) + 1:]) == list(bad[:-1]):
            scores[bad[-1]] = inf
    if cur_len < s["min_length"]:
        for e in s["eos"]:
            scores[e] = inf
    if s["forced_bos"] is not None and cur_len == 1:
        scores[:] = inf
        scores[s["forced_bos"]] = 0
    if s["forced_eos"] is not None and cur_len == s["max_length"] - 1:
        scores[:] = inf
        for e in ([s["forced_eos"]] if isinstance(s["forced_eos"], int) else s["forced_eos"]):
            scores[e] = 0
    for t in s["suppress"]:
        scores[t] = inf
    if cur_len == 1:
        for t in s["begin_suppress"]:
            scores[t] = inf
    return scores


def generate(m, src_ids, max_new_tokens=None):
    """Greedy search (num_beams 1, no sampling) as model.generate(input_ids) runs it."""
    s = generation_settings(m, max_new_tokens)
    ids, margins = [s["start"]], []
    stack = _bart_stack if m.arch in BART_LIKE else _t5_stack
    with torch.no_grad():
        enc_hidden, _, _ = stack(m, "encoder", list(src_ids))
    while len(ids) < s["max_length"]:
        logits = forward_logits(m, enc_hidden, ids)
        scores = process_scores(s, ids, logits)
        top = torch.topk(scores, 2).values
        margins.append(float(top[0] - top[1]))
        nxt = int(torch.argmax(scores))
        ids.append(nxt)
        if nxt in s["eos"]:
            break
    return ids, margins


def lm_logits(m, dec_hidden):
    """*ForConditionalGeneration's head: T5 (tied) scales by d_model^-0.5,
    the BART family adds final_logits_bias."""
    out = dec_hidden
    if m.arch not in BART_LIKE and m.cfg.get("tie_word_embeddings", True):
        out = out * (m.cfg["d_model"] ** -0.5)
    logits = F.linear(out, m.lm_head)
    if m.logits_bias is not None:
        logits = logits + m.logits_bias
    return logits


def forward_logits(m, enc_hidden, ids):
    """The last row of the logits for decoder input ids (no cache: the same
    arithmetic as a cached step, recomputed)."""
    stack = _bart_stack if m.arch in BART_LIKE else _t5_stack
    with torch.no_grad():
        dec_hidden, _, _ = stack(m, "decoder", list(ids), enc_hidden)
        return lm_logits(m, dec_hidden[-1:])[0]
