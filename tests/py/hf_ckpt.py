"""hf_ckpt.py — random tiny checkpoints in the exact Hugging Face layout, for
the model-parity tests and the benchmark.

make_checkpoint(directory, Spec(...)) writes
  * config.json as transformers' config classes write it (BertConfig,
    RobertaConfig, DistilBertConfig, GPT2Config: sorted keys, indent 2);
  * the weights (st_io.py) under the base-model names (BertModel, GPT2Model,
    RobertaModel, DistilBertModel) or the prefixed names of the task models
    ("bert." / "roberta." / "distilbert." / "transformer."), optionally with
    the tensors a real checkpoint carries and attnviz must ignore
    (cls.predictions.*, pooler.*, embeddings.position_ids as I64, lm_head.*,
    vocab_transform/vocab_layer_norm/vocab_projector, GPT-2's old
    h.{i}.attn.bias / masked_bias buffers) and the legacy LayerNorm.gamma /
    .beta names of old BERT checkpoints; in one file or sharded;
  * the tokenizer files of a small synthetic vocabulary (hf_tok.py):
    vocab.txt + tokenizer_config.json or tokenizer.json (WordPiece), vocab.json
    + merges.txt or tokenizer.json (byte-level BPE).
Tokenizer encodes a sentence with the specials the model expects;
random_sentence() finds a sentence of exactly n tokens.
"""
import json
import math
import os
import random

import numpy as np
import torch

import hf_tok
from st_io import write_safetensors, write_sharded

# ---- configurations and random weights -------------------------------------------

PREFIX = {"bert": "bert.", "roberta": "roberta.", "distilbert": "distilbert.", "gpt2": "transformer."}
ARCH_CLASS = {"bert": "BertForMaskedLM", "roberta": "RobertaForMaskedLM",
              "distilbert": "DistilBertForMaskedLM", "gpt2": "GPT2LMHeadModel"}


class Spec:
    """One checkpoint: arch (bert, roberta, distilbert, gpt2), d (hidden size),
    heads, layers, ffn (intermediate size; gpt2: None = n_inner null, 4·d),
    max_pos, eps (None: the config class's default), dtype (F32, F16, BF16),
    prefixed (the *ForMaskedLM / LMHeadModel names), extras (the tensors a
    real checkpoint has and attnviz must ignore), shards (0: one file),
    tokenizer ("vocab" files or "json" tokenizer.json), lowercase, legacy_ln
    (BERT LayerNorm.gamma / .beta), seed, scale (of the projection weights),
    more (extra config.json keys), vocab_seed (shuffles the WordPiece
    vocabulary), vocab_size (WordPiece: padded with [unusedN] entries to it)."""

    def __init__(self, arch, d, heads, layers, ffn=None, max_pos=160, eps=None, dtype="F32",
                 prefixed=False, extras=False, shards=0, tokenizer="vocab", lowercase=True,
                 legacy_ln=False, seed=0, scale=1.0, more=None, vocab_seed=None, vocab_size=None):
        self.__dict__.update(locals())
        del self.__dict__["self"]
        if ffn is None and arch != "gpt2":
            self.ffn = 4 * d


def config_json(spec, vocab_size):
    """config.json as transformers' config classes write it (to_json_string:
    sorted keys, indent 2)."""
    s = spec
    if s.arch in ("bert", "roberta"):
        c = {"architectures": [ARCH_CLASS[s.arch] if s.prefixed else s.arch.capitalize() + "Model"],
             "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "hidden_act": "gelu",
             "hidden_dropout_prob": 0.1, "hidden_size": s.d, "initializer_range": 0.02,
             "intermediate_size": s.ffn, "layer_norm_eps": 1e-12 if s.eps is None else s.eps,
             "max_position_embeddings": s.max_pos, "model_type": s.arch, "num_attention_heads": s.heads,
             "num_hidden_layers": s.layers, "pad_token_id": 0, "position_embedding_type": "absolute",
             "type_vocab_size": 2, "use_cache": True, "vocab_size": vocab_size}
        if s.arch == "roberta":
            c.update({"bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1, "type_vocab_size": 1,
                      "layer_norm_eps": 1e-5 if s.eps is None else s.eps})
    elif s.arch == "distilbert":
        c = {"activation": "gelu", "architectures": [ARCH_CLASS[s.arch] if s.prefixed else "DistilBertModel"],
             "attention_dropout": 0.1, "dim": s.d, "dropout": 0.1, "hidden_dim": s.ffn,
             "initializer_range": 0.02, "max_position_embeddings": s.max_pos, "model_type": "distilbert",
             "n_heads": s.heads, "n_layers": s.layers, "pad_token_id": 0, "qa_dropout": 0.1,
             "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True,
             "vocab_size": vocab_size}
    else:
        c = {"activation_function": "gelu_new", "architectures": [ARCH_CLASS["gpt2"] if s.prefixed else "GPT2Model"],
             "attn_pdrop": 0.1, "bos_token_id": vocab_size - 1, "embd_pdrop": 0.1,
             "eos_token_id": vocab_size - 1, "initializer_range": 0.02,
             "layer_norm_epsilon": 1e-5 if s.eps is None else s.eps, "model_type": "gpt2",
             "n_ctx": s.max_pos, "n_embd": s.d, "n_head": s.heads, "n_inner": s.ffn, "n_layer": s.layers,
             "n_positions": s.max_pos, "reorder_and_upcast_attn": False, "resid_pdrop": 0.1,
             "scale_attn_by_inverse_layer_idx": False, "scale_attn_weights": True,
             "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
             "summary_type": "cls_index", "summary_use_proj": True, "use_cache": True,
             "vocab_size": vocab_size}
    c["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[s.dtype]
    c["transformers_version"] = "4.36.2"
    c.update(s.more or {})
    return c


def random_weights(spec, vocab_size, type_vocab=2):
    """Base-model tensors (BertModel / GPT2Model / DistilBertModel names, no
    prefix) as float32: embeddings N(0, 1) (GPT-2: N(0, 0.5)), projections
    N(0, (scale/sqrt(d))²) so the logits are O(1) and the softmaxes neither
    flat nor one-hot, biases N(0, 0.1²), layer-norm gains 1 + N(0, 0.1²)."""
    s, d = spec, spec.d
    g = np.random.default_rng(1000 + s.seed)

    def w(*shape, std=1.0):
        return (g.standard_normal(shape) * std).astype(np.float32)

    lin = s.scale / math.sqrt(d)
    t = {}
    if s.arch in ("bert", "roberta", "distilbert"):
        e = "embeddings."
        t[e + "word_embeddings.weight"] = w(vocab_size, d)
        t[e + "position_embeddings.weight"] = w(s.max_pos, d)
        if s.arch != "distilbert":
            t[e + "token_type_embeddings.weight"] = w(type_vocab, d)
        t[e + "LayerNorm.weight"] = 1 + w(d, std=0.1)
        t[e + "LayerNorm.bias"] = w(d, std=0.1)
        for i in range(s.layers):
            if s.arch == "distilbert":
                p = "transformer.layer.%d." % i
                names = {"q": "attention.q_lin", "k": "attention.k_lin", "v": "attention.v_lin",
                         "o": "attention.out_lin", "ln1": "sa_layer_norm", "f1": "ffn.lin1",
                         "f2": "ffn.lin2", "ln2": "output_layer_norm"}
            else:
                p = "encoder.layer.%d." % i
                names = {"q": "attention.self.query", "k": "attention.self.key",
                         "v": "attention.self.value", "o": "attention.output.dense",
                         "ln1": "attention.output.LayerNorm", "f1": "intermediate.dense",
                         "f2": "output.dense", "ln2": "output.LayerNorm"}
            for k in "qkvo":
                t[p + names[k] + ".weight"] = w(d, d, std=lin)
                t[p + names[k] + ".bias"] = w(d, std=0.1)
            t[p + names["f1"] + ".weight"] = w(s.ffn, d, std=1 / math.sqrt(d))
            t[p + names["f1"] + ".bias"] = w(s.ffn, std=0.1)
            t[p + names["f2"] + ".weight"] = w(d, s.ffn, std=1 / math.sqrt(s.ffn))
            t[p + names["f2"] + ".bias"] = w(d, std=0.1)
            for k in ("ln1", "ln2"):
                t[p + names[k] + ".weight"] = 1 + w(d, std=0.1)
                t[p + names[k] + ".bias"] = w(d, std=0.1)
    else:
        inner = s.ffn or 4 * d
        t["wte.weight"] = w(vocab_size, d, std=0.5)
        t["wpe.weight"] = w(s.max_pos, d, std=0.5)
        for i in range(s.layers):
            p = "h.%d." % i
            for ln in ("ln_1", "ln_2"):
                t[p + ln + ".weight"] = 1 + w(d, std=0.1)
                t[p + ln + ".bias"] = w(d, std=0.1)
            t[p + "attn.c_attn.weight"] = w(d, 3 * d, std=lin)   # Conv1D: [in, out]
            t[p + "attn.c_attn.bias"] = w(3 * d, std=0.1)
            t[p + "attn.c_proj.weight"] = w(d, d, std=1 / math.sqrt(d))
            t[p + "attn.c_proj.bias"] = w(d, std=0.1)
            t[p + "mlp.c_fc.weight"] = w(d, inner, std=1 / math.sqrt(d))
            t[p + "mlp.c_fc.bias"] = w(inner, std=0.1)
            t[p + "mlp.c_proj.weight"] = w(inner, d, std=1 / math.sqrt(inner))
            t[p + "mlp.c_proj.bias"] = w(d, std=0.1)
        t["ln_f.weight"] = 1 + w(d, std=0.1)
        t["ln_f.bias"] = w(d, std=0.1)
    return t


def extra_tensors(spec, vocab_size):
    """Tensors of the task heads and old buffers that a real checkpoint
    carries beside the base model (full names; attnviz must ignore them)."""
    s, d = spec, spec.d
    g = np.random.default_rng(2000 + s.seed)

    def w(*shape):
        return g.standard_normal(shape).astype(np.float32) * 0.02

    out = {}
    pre = PREFIX[s.arch] if s.prefixed else ""
    if s.arch == "bert":
        out[pre + "pooler.dense.weight"], out[pre + "pooler.dense.bias"] = w(d, d), w(d)
        out[pre + "embeddings.position_ids"] = (np.arange(s.max_pos, dtype=np.int64)[None, :], "I64")
        out["cls.predictions.bias"] = w(vocab_size)
        out["cls.predictions.transform.dense.weight"] = w(d, d)
        out["cls.predictions.transform.dense.bias"] = w(d)
        out["cls.predictions.transform.LayerNorm.weight"] = 1 + w(d)
        out["cls.predictions.transform.LayerNorm.bias"] = w(d)
        out["cls.predictions.decoder.weight"] = w(vocab_size, d)
        out["cls.seq_relationship.weight"], out["cls.seq_relationship.bias"] = w(2, d), w(2)
    elif s.arch == "roberta":
        out[pre + "embeddings.position_ids"] = (np.arange(s.max_pos, dtype=np.int64)[None, :], "I64")
        out["lm_head.dense.weight"], out["lm_head.dense.bias"] = w(d, d), w(d)
        out["lm_head.layer_norm.weight"], out["lm_head.layer_norm.bias"] = 1 + w(d), w(d)
        out["lm_head.bias"] = w(vocab_size)
        out["lm_head.decoder.weight"] = w(vocab_size, d)
    elif s.arch == "distilbert":
        out["vocab_transform.weight"], out["vocab_transform.bias"] = w(d, d), w(d)
        out["vocab_layer_norm.weight"], out["vocab_layer_norm.bias"] = 1 + w(d), w(d)
        out["vocab_projector.weight"], out["vocab_projector.bias"] = w(vocab_size, d), w(vocab_size)
    else:
        tril = np.tril(np.ones((s.max_pos, s.max_pos), dtype=np.float32))[None, None]
        for i in range(s.layers):
            out[pre + "h.%d.attn.bias" % i] = (tril, "F32")            # the old causal-mask buffer
            out[pre + "h.%d.attn.masked_bias" % i] = (np.array(-1e4, dtype=np.float32), "F32")  # shape []
        if s.prefixed:
            out["lm_head.weight"] = w(vocab_size, d)
    return out


# ---- tokenizer files ------------------------------------------------------------------


def _bert_tokenizer_json(vocab, lowercase):
    ids = {t: i for i, t in enumerate(vocab)}
    added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                           "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                                    {"Sequence": {"id": "A", "type_id": 0}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 1}},
                                    {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                           "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]}
                                              for t in ("[CLS]", "[SEP]")}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def _bpe_tokenizer_json(vocab, merges):
    ids = {t: i for i, t in enumerate(vocab)}
    eot = vocab[-1]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": ids[eot], "content": eot, "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": ids,
                  "merges": ["%s %s" % m for m in merges]},
    }


class Tokenizer:
    """The Python tokenizer of a checkpoint: encode(text) -> ids with the
    specials the model expects; display(id) -> attnviz's label."""

    def __init__(self, arch, vocab, merges=None, lowercase=True):
        self.arch, self.vocab, self.lowercase = arch, vocab, lowercase
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.bpe = hf_tok.Bpe(self.ids, merges) if merges is not None else None

    def pieces(self, text):
        if self.bpe:
            return self.bpe.pieces(text)
        return hf_tok.bert_tokenize(text, self.ids, self.lowercase)

    def encode(self, text):
        ids = [self.ids[p] for p in self.pieces(text)]
        if self.arch in ("bert", "distilbert"):
            return [self.ids["[CLS]"]] + ids + [self.ids["[SEP]"]]
        if self.arch == "roberta":
            return [self.ids["<s>"]] + ids + [self.ids["</s>"]]
        return ids

    def display(self, i):
        t = self.vocab[i]
        if self.bpe and t not in ("<s>", "</s>", "<pad>", "<unk>", "<mask>", "<|endoftext|>"):
            return hf_tok.bpe_display(t)
        return t


def tokenizer_for(spec):
    if spec.arch in ("bert", "distilbert"):
        vocab = hf_tok.bert_vocab(spec.vocab_seed)
        vocab += ["[unused%d]" % i for i in range((spec.vocab_size or 0) - len(vocab))]
        return Tokenizer(spec.arch, vocab, lowercase=spec.lowercase)
    first = ("<s>", "<pad>", "</s>", "<unk>") if spec.arch == "roberta" else ()
    last = ("<mask>",) if spec.arch == "roberta" else ("<|endoftext|>",)
    vocab, merges = _bpe_cached(first, last)
    return Tokenizer(spec.arch, vocab, merges)


_BPE_CACHE = {}


def _bpe_cached(first, last):
    if (first, last) not in _BPE_CACHE:
        _BPE_CACHE[(first, last)] = hf_tok.bpe_vocab(specials_first=first, specials_last=last)
    return _BPE_CACHE[(first, last)]


def write_tokenizer(directory, spec, tok):
    """vocab.txt (+ tokenizer_config.json) or tokenizer.json for WordPiece;
    vocab.json + merges.txt or tokenizer.json for BPE."""
    def dump(name, obj):
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=2)

    if tok.bpe is None:
        if spec.tokenizer == "json":
            dump("tokenizer.json", _bert_tokenizer_json(tok.vocab, spec.lowercase))
        else:
            with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
                f.write("".join(t + "\n" for t in tok.vocab))
            dump("tokenizer_config.json", {"do_lower_case": spec.lowercase,
                                           "tokenizer_class": "DistilBertTokenizer" if spec.arch == "distilbert"
                                           else "BertTokenizer", "model_max_length": spec.max_pos})
        return
    merges = [(a, b) for (a, b), _ in sorted(tok.bpe.ranks.items(), key=lambda kv: kv[1])]
    if spec.tokenizer == "json":
        dump("tokenizer.json", _bpe_tokenizer_json(tok.vocab, merges))
        return
    dump("vocab.json", tok.ids)
    with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join("%s %s\n" % m for m in merges))


# ---- writing a checkpoint ---------------------------------------------------------------


def checkpoint_tensors(spec, base, vocab_size):
    """{full name: (array, dtype)}: the base tensors in spec.dtype under their
    (prefixed, legacy) names, plus the extras in their own dtypes."""
    pre = PREFIX[spec.arch] if spec.prefixed else ""
    out = {}
    for k, v in base.items():
        name = pre + k
        if spec.legacy_ln and ".LayerNorm." in name:
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out[name] = (v, spec.dtype)
    if spec.extras:
        for k, v in extra_tensors(spec, vocab_size).items():
            out[k] = v if isinstance(v, tuple) else (v, spec.dtype)
    return out


def make_checkpoint(directory, spec, base=None):
    """Writes config.json, the weights and the tokenizer files of spec into
    directory. base: the float32 base tensors (default: random_weights()).
    Returns (config dict, Tokenizer, the written {name: (array, dtype)})."""
    os.makedirs(directory, exist_ok=True)
    tok = tokenizer_for(spec)
    cfg = config_json(spec, len(tok.vocab))
    if base is None:
        base = random_weights(spec, len(tok.vocab), cfg.get("type_vocab_size", 2))
    tensors = checkpoint_tensors(spec, base, len(tok.vocab))
    write_weights_config(directory, tensors, spec.shards, cfg)
    write_tokenizer(directory, spec, tok)
    return cfg, tok, tensors


def write_weights_config(directory, tensors, shards, cfg):
    """model.safetensors (or shards shards and their index) and config.json
    (sorted keys, indent 2) into directory."""
    meta = {"format": "pt"}
    if shards:
        write_sharded(directory, tensors, shards, meta)
    else:
        write_safetensors(os.path.join(directory, "model.safetensors"), tensors, meta)
    with open(os.path.join(directory, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def base_weights(arch, tensors, dtype=torch.float64):
    """{base-model name: torch tensor}: prefixes and legacy gamma/beta names
    undone, task heads dropped, values dequantized to float32 then dtype."""
    pre = PREFIX[arch]
    out = {}
    for name, (arr, _) in tensors.items():
        if name.startswith(pre):
            name = name[len(pre):]
        name = name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        out[name] = torch.from_numpy(np.array(arr, dtype=np.float32)).to(dtype)
    return out


def random_sentence(tok, n_tokens, seed, words=None):
    """A sentence of WORDS (and SUBWORD_WORDS) whose tokenization without
    specials has exactly n_tokens tokens; the first word capitalized and a
    final "." when they fit."""
    rnd = random.Random(seed)
    words = words or (hf_tok.WORDS + hf_tok.SUBWORD_WORDS)
    singles = [w for w in hf_tok.WORDS if len(tok.pieces(" " + w)) == 1 and len(tok.pieces(w)) == 1]
    out = []
    for _ in range(10 * n_tokens + 20):
        have = len(tok.pieces(" ".join(out)))
        if have == n_tokens:
            break
        w = rnd.choice(words if n_tokens - have > 3 else singles)
        if not out and rnd.random() < 0.7:
            w = w.capitalize()
        if len(tok.pieces(" ".join(out + [w]))) <= n_tokens:
            out.append(w)
    s = " ".join(out)
    if len(tok.pieces(s)) != n_tokens:
        raise RuntimeError("random_sentence: no sentence of %d tokens (%r)" % (n_tokens, s))
    return s
