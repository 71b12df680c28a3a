"""seq2seq_ckpt.py — tiny random encoder-decoder checkpoints in the exact
Hugging Face layout (bart, mbart, marian, t5, T5 v1.1, mt5), for the
reference tests (tests/py/test_seq2seq_ref.py), the binary's parity tests
(phase B of issue 19) and the trained demo (scripts/train_dates.py writes
data/dates/ with config_json() and generation_config_json() from here, so
the demo and the random checkpoints cannot drift apart).

make_checkpoint(directory, Spec(...)) writes what `save_pretrained` of the
*ForConditionalGeneration class writes with transformers 4.36.2:

  * config.json: PretrainedConfig.to_diff_dict() — every attribute the
        config class sets, plus the PretrainedConfig attributes whose value
        differs from the base class's default (token ids, is_encoder_decoder,
        forced_eos_token_id, BART's three labels, ...), sorted keys, indent 2;
        Spec.hub_extras adds the legacy keys real hub files still carry
        (BART's normalize_before / add_final_layer_norm / no_repeat_ngram_size,
        Marian's bad_words_ids / num_beams / max_length, T5's n_positions /
        task_specific_params), which a loader must ignore;
  * generation_config.json: GenerationConfig.from_model_config(config) with
        use_diff=True ("_from_model_config": true);
  * model.safetensors (or shards + model.safetensors.index.json): the state
        dict with tied weights removed as save_pretrained removes them
        (_tied_weights_keys: of a group of tensors sharing storage the first
        names in sorted order are dropped, so model.shared.weight /
        shared.weight stays and lm_head.weight only when
        tie_word_embeddings is false; Marian drops its sinusoidal
        embed_positions, _keys_to_ignore_on_save); Spec.legacy writes every
        copy instead (encoder/decoder embed_tokens, lm_head, Marian's
        positions), as checkpoints converted from pytorch_model.bin do;
        Spec.base writes the bare *Model (no "model." prefix, no lm_head, no
        final_logits_bias); F32, F16 or BF16 (st_io.py);
  * the tokenizer files of the architecture: bart/mbart a byte-level BPE
        (vocab.json + merges.txt, or tokenizer.json with Spec.tokenizer =
        "json"), marian source.spm + target.spm + vocab.json, t5/mt5
        spiece.model (SentencePiece models trained here with Debian's
        python3-sentencepiece), each with tokenizer_config.json.

Tokenizer.encode(text) gives the input ids the model expects (with its
specials); decode(ids) the target text.
"""
import json
import math
import os
import random

import numpy as np

import hf_tok
from st_io import write_safetensors, write_sharded

TRANSFORMERS_VERSION = "4.36.2"
ARCHS = ("bart", "mbart", "marian", "t5", "mt5")
CLASS = {"bart": "Bart", "mbart": "MBart", "marian": "MarianMT", "t5": "T5", "mt5": "MT5"}


class Spec:
    """One checkpoint. arch: bart, mbart, marian, t5, mt5. d (d_model), enc_layers,
    dec_layers, enc_heads, dec_heads (t5: heads = num_heads, both stacks),
    ffn (all FFNs), d_kv (t5: head size, default d // heads), max_pos
    (bart/mbart/marian), activation (bart/mbart/marian: activation_function;
    marian's real files say "swish"), gated (t5: feed_forward_proj
    "gated-gelu", T5 v1.1 / mT5), tie (tie_word_embeddings; None: the class
    default), share (marian: share_encoder_decoder_embeddings; False: separate
    encoder and decoder embeddings of the same size), scale_embedding (None: class default; marian's real files say true),
    buckets / max_distance (t5), eps (t5 layer_norm_epsilon), dtype (F32, F16,
    BF16), legacy (write the tied copies too), base (the bare *Model),
    shards (0: one file), tokenizer ("files" or, bart/mbart, "json"),
    hub_extras (the legacy config keys of real hub files), seed, scale (of
    the attention projections), extra_vocab (t5: model rows beyond the
    tokenizer, as t5-small's 32128 > 32100), more (extra config.json keys),
    gen (generation_config.json overrides, e.g. {"forced_bos_token_id": 0})."""

    def __init__(self, arch, d=32, enc_layers=2, dec_layers=2, enc_heads=4, dec_heads=4, ffn=None, d_kv=None,
                 max_pos=64, activation="gelu", gated=False, tie=None, share=True,
                 scale_embedding=None, buckets=32, max_distance=128, eps=None, dtype="F32", legacy=False,
                 base=False, shards=0, tokenizer="files", hub_extras=False, seed=0, scale=1.0, extra_vocab=0,
                 more=None, gen=None):
        assert arch in ARCHS, arch
        self.__dict__.update(locals())
        del self.__dict__["self"]
        if ffn is None:
            self.ffn = 2 * d
        if arch == "mt5":
            self.gated = True
        if tie is None:
            self.tie = arch != "mt5" and not (arch == "t5" and gated)
        if d_kv is None and arch in ("t5", "mt5"):
            self.d_kv = d // enc_heads

    def name(self):
        s = "%s-d%d-e%dd%d-h%d" % (self.arch, self.d, self.enc_layers, self.dec_layers, self.enc_heads)
        if self.arch not in ("t5", "mt5"):
            s += "x%d" % self.dec_heads
        for flag, text in ((self.gated and self.arch == "t5", "gated"), (not self.tie, "untied"),
                           (not self.share, "sep-emb"), (self.legacy, "legacy"), (self.base, "base"),
                           (self.shards, "sharded"), (self.tokenizer == "json", "tokjson")):
            if flag:
                s += "-" + text
        return s + "-" + self.dtype


# ---- config.json and generation_config.json ----------------------------------------------

def _labels(n):
    return ({str(i): "LABEL_%d" % i for i in range(n)}, {"LABEL_%d" % i: i for i in range(n)})


def config_json(spec, vocab_size):
    """config.json as save_pretrained writes it (to_diff_dict: the class's own
    attributes always, PretrainedConfig's when they differ from its default)."""
    s = spec
    dtype = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[s.dtype]
    arch_name = CLASS[s.arch] + ("Model" if s.base else ("ForConditionalGeneration" if s.arch != "marian"
                                                         else "Model"))
    if s.arch == "marian" and s.base:
        arch_name = "MarianModel"
    if s.arch in ("bart", "mbart", "marian"):
        c = {"activation_dropout": 0.0, "activation_function": s.activation, "attention_dropout": 0.0,
             "d_model": s.d, "decoder_attention_heads": s.dec_heads, "decoder_ffn_dim": s.ffn,
             "decoder_layerdrop": 0.0, "decoder_layers": s.dec_layers, "dropout": 0.1,
             "encoder_attention_heads": s.enc_heads, "encoder_ffn_dim": s.ffn, "encoder_layerdrop": 0.0,
             "encoder_layers": s.enc_layers, "init_std": 0.02, "is_encoder_decoder": True,
             "max_position_embeddings": s.max_pos, "model_type": s.arch, "num_hidden_layers": s.enc_layers,
             "scale_embedding": bool(s.scale_embedding) if s.scale_embedding is not None else s.arch == "marian",
             "use_cache": True, "vocab_size": vocab_size}
        if s.arch == "marian":
            pad = vocab_size - 1
            c.update({"decoder_start_token_id": pad, "decoder_vocab_size": vocab_size,
                      "eos_token_id": 0, "forced_eos_token_id": 0, "pad_token_id": pad,
                      "share_encoder_decoder_embeddings": s.share})
            if s.scale_embedding is None:
                c["scale_embedding"] = True  # every Opus-MT config.json says so
            if s.hub_extras:  # what convert_marian_to_pytorch.py wrote into opus-mt's config.json
                c.update({"bad_words_ids": [[pad]], "bos_token_id": 0, "max_length": 512, "num_beams": 4,
                          "normalize_before": False, "normalize_embedding": False,
                          "static_position_embeddings": True, "add_bias_logits": False,
                          "add_final_layer_norm": False, "extra_pos_embeddings": pad + 1})
        else:
            c.update({"bos_token_id": 0, "classifier_dropout": 0.0, "eos_token_id": 2,
                      "forced_eos_token_id": 2, "pad_token_id": 1})
            if s.arch == "bart":
                c["decoder_start_token_id"] = 2
                c["id2label"], c["label2id"] = _labels(3)
            if s.hub_extras:
                c.update({"add_bias_logits": False, "add_final_layer_norm": s.arch == "mbart",
                          "normalize_before": s.arch == "mbart", "normalize_embedding": True,
                          "static_position_embeddings": False, "early_stopping": True, "num_beams": 4,
                          "no_repeat_ngram_size": 3, "gradient_checkpointing": False,
                          "task_specific_params": {"summarization": {"length_penalty": 1.0, "max_length": 128,
                                                                     "min_length": 12, "num_beams": 4}}})
    else:
        gated = s.gated
        c = {"classifier_dropout": 0.0, "d_ff": s.ffn, "d_kv": s.d_kv, "d_model": s.d,
             "decoder_start_token_id": 0, "dense_act_fn": "gelu_new" if gated else "relu",
             "dropout_rate": 0.1, "eos_token_id": 1, "feed_forward_proj": "gated-gelu" if gated else "relu",
             "initializer_factor": 1.0, "is_encoder_decoder": True, "is_gated_act": gated,
             "layer_norm_epsilon": 1e-6 if s.eps is None else s.eps, "model_type": s.arch,
             "num_decoder_layers": s.dec_layers, "num_heads": s.enc_heads, "num_layers": s.enc_layers,
             "pad_token_id": 0, "relative_attention_max_distance": s.max_distance,
             "relative_attention_num_buckets": s.buckets, "use_cache": True, "vocab_size": vocab_size}
        if s.arch == "mt5":
            c["tokenizer_class"] = "T5Tokenizer"
        if s.hub_extras:
            c.update({"n_positions": 512, "output_past": True, "task_specific_params": {
                "translation_en_to_de": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                                         "prefix": "translate English to German: "}}})
    if not s.tie or s.arch == "mt5":  # to_diff_dict: False differs from PretrainedConfig's default;
        c["tie_word_embeddings"] = s.tie  # for MT5 either value differs from its own or MT5Config's (False)
    c["architectures"] = [arch_name]
    c["torch_dtype"] = dtype
    c["transformers_version"] = TRANSFORMERS_VERSION
    c.update(s.more or {})
    return c


GENERATION_KEYS = ("bad_words_ids", "begin_suppress_tokens", "bos_token_id", "decoder_start_token_id",
                   "diversity_penalty", "do_sample", "early_stopping", "encoder_no_repeat_ngram_size",
                   "eos_token_id", "exponential_decay_length_penalty", "forced_bos_token_id",
                   "forced_eos_token_id", "length_penalty", "max_length", "min_length", "no_repeat_ngram_size",
                   "num_beam_groups", "num_beams", "num_return_sequences", "output_scores", "pad_token_id",
                   "remove_invalid_values", "repetition_penalty", "return_dict_in_generate", "suppress_tokens",
                   "temperature", "top_k", "top_p", "typical_p")
GENERATION_DEFAULTS = {"max_length": 20, "min_length": 0, "do_sample": False, "early_stopping": False,
                       "num_beams": 1, "num_beam_groups": 1, "diversity_penalty": 0.0, "temperature": 1.0,
                       "top_k": 50, "top_p": 1.0, "typical_p": 1.0, "repetition_penalty": 1.0,
                       "length_penalty": 1.0, "no_repeat_ngram_size": 0, "encoder_no_repeat_ngram_size": 0,
                       "num_return_sequences": 1, "output_scores": False, "return_dict_in_generate": False,
                       "remove_invalid_values": False}


def generation_config_json(cfg, overrides=None):
    """generation_config.json: GenerationConfig.from_model_config(config),
    written with use_diff=True (only what differs from GenerationConfig())."""
    g = {"_from_model_config": True}
    for k in GENERATION_KEYS:
        if k in cfg and cfg[k] is not None and cfg[k] != GENERATION_DEFAULTS.get(k):
            g[k] = cfg[k]
    g.update(overrides or {})
    g["transformers_version"] = cfg.get("transformers_version", TRANSFORMERS_VERSION)
    return g


# ---- random weights, under the names of the *ForConditionalGeneration state dict ------------

def marian_positions(n_pos, dim):
    """MarianSinusoidalPositionalEmbedding._init_weight: float64 numpy angles,
    sin in the first half of each row, cos in the second (not interleaved),
    stored as float32."""
    position_enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)]
                             for pos in range(n_pos)])
    out = np.empty((n_pos, dim), dtype=np.float32)
    sentinel = dim // 2 if dim % 2 == 0 else (dim // 2) + 1
    out[:, 0:sentinel] = np.sin(position_enc[:, 0::2]).astype(np.float32)
    out[:, sentinel:] = np.cos(position_enc[:, 1::2]).astype(np.float32)
    return out


def random_weights(spec, vocab_size):
    """{full state-dict name: float32 array}, every tensor once (the tied ones
    under the name save_pretrained keeps). Projections N(0, (scale/sqrt(d))²),
    biases and final_logits_bias N(0, 0.1²), norm gains 1 + N(0, 0.1²),
    embeddings N(0, 1), T5 relative biases N(0, 1)."""
    s, d = spec, spec.d
    g = np.random.default_rng(5000 + s.seed)

    def w(*shape, std=1.0):
        return (g.standard_normal(shape) * std).astype(np.float32)

    def lin(out_f, in_f, std=None):
        return w(out_f, in_f, std=(s.scale / math.sqrt(in_f)) if std is None else std)

    t = {}
    if s.arch in ("t5", "mt5"):
        inner = s.enc_heads * s.d_kv
        t["shared.weight"] = w(vocab_size, d)

        def attn(p, rel):
            for k in "qkv":
                t[p + k + ".weight"] = lin(inner, d)
            t[p + "o.weight"] = lin(d, inner, std=1 / math.sqrt(inner))
            if rel:
                t[p + "relative_attention_bias.weight"] = w(s.buckets, s.enc_heads)

        def ff(p):
            if s.gated:
                t[p + "DenseReluDense.wi_0.weight"] = lin(s.ffn, d, std=1 / math.sqrt(d))
                t[p + "DenseReluDense.wi_1.weight"] = lin(s.ffn, d, std=1 / math.sqrt(d))
            else:
                t[p + "DenseReluDense.wi.weight"] = lin(s.ffn, d, std=1 / math.sqrt(d))
            t[p + "DenseReluDense.wo.weight"] = lin(d, s.ffn, std=1 / math.sqrt(s.ffn))
            t[p + "layer_norm.weight"] = 1 + w(d, std=0.1)
        for i in range(s.enc_layers):
            p = "encoder.block.%d.layer." % i
            attn(p + "0.SelfAttention.", i == 0)
            t[p + "0.layer_norm.weight"] = 1 + w(d, std=0.1)
            ff(p + "1.")
        t["encoder.final_layer_norm.weight"] = 1 + w(d, std=0.1)
        for i in range(s.dec_layers):
            p = "decoder.block.%d.layer." % i
            attn(p + "0.SelfAttention.", i == 0)
            t[p + "0.layer_norm.weight"] = 1 + w(d, std=0.1)
            attn(p + "1.EncDecAttention.", False)
            t[p + "1.layer_norm.weight"] = 1 + w(d, std=0.1)
            ff(p + "2.")
        t["decoder.final_layer_norm.weight"] = 1 + w(d, std=0.1)
        if not s.tie:
            t["lm_head.weight"] = w(vocab_size, d, std=1 / math.sqrt(d))
        return t

    dv = vocab_size
    if s.arch == "marian" and not s.share:
        t["model.encoder.embed_tokens.weight"] = w(vocab_size, d)
        t["model.decoder.embed_tokens.weight"] = w(dv, d)
    else:
        t["model.shared.weight"] = w(vocab_size, d)
    t["final_logits_bias"] = w(1, dv, std=0.1)
    if not s.tie:
        t["lm_head.weight"] = w(dv, d, std=1 / math.sqrt(d))

    def ln(p):
        t[p + ".weight"] = 1 + w(d, std=0.1)
        t[p + ".bias"] = w(d, std=0.1)

    def attn(p):
        for k in ("k_proj", "v_proj", "q_proj"):
            t[p + k + ".weight"] = lin(d, d)
            t[p + k + ".bias"] = w(d, std=0.1)
        t[p + "out_proj.weight"] = lin(d, d, std=1 / math.sqrt(d))
        t[p + "out_proj.bias"] = w(d, std=0.1)

    for side, n in (("encoder", s.enc_layers), ("decoder", s.dec_layers)):
        m = "model.%s." % side
        if s.arch != "marian":
            t[m + "embed_positions.weight"] = w(s.max_pos + 2, d)
            ln(m + "layernorm_embedding")
        for i in range(n):
            p = m + "layers.%d." % i
            attn(p + "self_attn.")
            ln(p + "self_attn_layer_norm")
            if side == "decoder":
                attn(p + "encoder_attn.")
                ln(p + "encoder_attn_layer_norm")
            t[p + "fc1.weight"] = lin(s.ffn, d, std=1 / math.sqrt(d))
            t[p + "fc1.bias"] = w(s.ffn, std=0.1)
            t[p + "fc2.weight"] = lin(d, s.ffn, std=1 / math.sqrt(s.ffn))
            t[p + "fc2.bias"] = w(d, std=0.1)
            ln(p + "final_layer_norm")
        if s.arch == "mbart":
            ln(m + "layer_norm")
    return t


def saved_tensors(spec, weights):
    """{name: (array, dtype)} as the checkpoint holds them: the tied copies
    added for Spec.legacy, Marian's positions too; Spec.base: the bare
    *Model's names (no "model." prefix, no lm_head / final_logits_bias)."""
    s = spec
    t = dict(weights)
    if s.legacy:
        if s.arch in ("t5", "mt5"):
            for k in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
                t[k] = weights["shared.weight"]
            if s.tie:
                t["lm_head.weight"] = weights["shared.weight"]
        else:
            if "model.shared.weight" in weights:
                for k in ("model.encoder.embed_tokens.weight", "model.decoder.embed_tokens.weight"):
                    t[k] = weights["model.shared.weight"]
            if s.tie:
                t["lm_head.weight"] = weights.get("model.shared.weight", weights.get("model.decoder.embed_tokens.weight"))
            if s.arch == "marian":
                pos = marian_positions(s.max_pos, s.d)
                t["model.encoder.embed_positions.weight"] = pos
                t["model.decoder.embed_positions.weight"] = pos
    if s.base:
        t = {k[len("model."):] if k.startswith("model.") else k: v for k, v in t.items()
             if k not in ("lm_head.weight", "final_logits_bias")}
    return {k: (v, s.dtype) for k, v in t.items()}


# ---- tokenizers -------------------------------------------------------------------------

class Tokenizer:
    """encode(text) -> the model's input ids; decode(ids) -> text; size: the
    tokenizer's vocabulary size (the model's may be larger)."""

    def __init__(self, arch, encode, decode, size, display):
        self.arch, self.encode, self.decode, self.size, self.display = arch, encode, decode, size, display


def _corpus(seed, n=400):
    rnd = random.Random(seed)
    words = list(hf_tok.WORDS) + hf_tok.SUBWORD_WORDS
    return [" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 12))).capitalize() + "."
            for _ in range(n)]


_BPE = {}


def _bpe_tokenizer(spec):
    """BART's byte-level BPE (RoBERTa's specials <s> <pad> </s> <unk> ... <mask>);
    mBART: the same with a language code appended to the source, "X </s> en_XX"."""
    if "bpe" not in _BPE:
        _BPE["bpe"] = hf_tok.bpe_vocab(specials_first=("<s>", "<pad>", "</s>", "<unk>"),
                                       specials_last=("<mask>",))
    vocab, merges = _BPE["bpe"]
    vocab = list(vocab) + (["en_XX"] if spec.arch == "mbart" else [])
    ids = {t: i for i, t in enumerate(vocab)}
    bpe = hf_tok.Bpe(ids, merges)
    specials = {"<s>", "<pad>", "</s>", "<unk>", "<mask>", "en_XX"}

    def encode(text):
        body = bpe.encode(text)
        if spec.arch == "mbart":
            return body + [ids["</s>"], ids["en_XX"]]
        return [ids["<s>"]] + body + [ids["</s>"]]

    def decode(id_list):
        u2b = {u: b for b, u in hf_tok.bytes_to_unicode().items()}
        raw = b"".join(bytes(u2b[c] for c in vocab[i]) for i in id_list if vocab[i] not in specials)
        return raw.decode("utf-8", "replace")

    def display(i):
        return vocab[i] if vocab[i] in specials else hf_tok.bpe_display(vocab[i])
    return Tokenizer(spec.arch, encode, decode, len(vocab), display), vocab, merges


def _bpe_files(directory, spec, vocab, merges):
    ids = {t: i for i, t in enumerate(vocab)}
    specials = [t for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>", "en_XX") if t in ids]
    if spec.tokenizer == "json":
        added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": t == "<mask>", "rstrip": False,
                  "normalized": t == "<mask>", "special": True} for t in specials]
        if spec.arch == "mbart":
            post = {"type": "TemplateProcessing",
                    "single": [{"Sequence": {"id": "A", "type_id": 0}},
                               {"SpecialToken": {"id": "</s>", "type_id": 0}},
                               {"SpecialToken": {"id": "en_XX", "type_id": 0}}],
                    "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                             {"SpecialToken": {"id": "</s>", "type_id": 0}},
                             {"SpecialToken": {"id": "en_XX", "type_id": 0}}],
                    "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("</s>", "en_XX")}}
        else:
            post = {"type": "RobertaProcessing", "sep": ["</s>", ids["</s>"]], "cls": ["<s>", ids["<s>"]],
                    "trim_offsets": True, "add_prefix_space": False}
        tj = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
              "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                "use_regex": True},
              "post_processor": post,
              "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
              "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                        "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "vocab": ids,
                        "merges": ["%s %s" % m for m in merges]}}
        _dump(directory, "tokenizer.json", tj)
    else:
        _dump(directory, "vocab.json", ids)
        with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "".join("%s %s\n" % m for m in merges))
    cls = {"bart": "BartTokenizer", "mbart": "MBartTokenizer"}[spec.arch]
    tc = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
          "mask_token": "<mask>", "model_max_length": spec.max_pos, "tokenizer_class": cls,
          "add_prefix_space": False, "errors": "replace"}
    if spec.arch == "mbart":
        tc.update({"src_lang": "en_XX", "tgt_lang": "en_XX"})
    _dump(directory, "tokenizer_config.json", tc)


_SPM = {}


def _train_spm(kind, seed, size, ids):
    """A SentencePiece model (bytes) trained on a synthetic corpus; cached."""
    key = (kind, seed, size, tuple(sorted(ids.items())))
    if key not in _SPM:
        import io
        import sentencepiece as spm
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(_corpus(seed)), model_writer=buf,
                                       vocab_size=size, model_type=kind, num_threads=1, seed_sentencepiece_size=2000,
                                       character_coverage=1.0, hard_vocab_limit=False, minloglevel=2, **ids)
        _SPM[key] = buf.getvalue()
    return _SPM[key]


def _spm_tokenizer(directory, spec):
    import sentencepiece as spm
    if spec.arch == "marian":
        # Opus-MT: two SentencePiece models (source, target) and one vocab.json
        # that numbers their pieces: </s> 0, <unk> 1, ..., <pad> last.
        src = _train_spm("unigram", 11, 160, {"unk_id": 1, "eos_id": 0, "bos_id": -1, "pad_id": -1})
        tgt = _train_spm("unigram", 12, 170, {"unk_id": 1, "eos_id": 0, "bos_id": -1, "pad_id": -1})
        sp_src, sp_tgt = spm.SentencePieceProcessor(model_proto=src), spm.SentencePieceProcessor(model_proto=tgt)
        pieces = ["</s>", "<unk>"]
        for sp in (sp_src, sp_tgt):
            for i in range(sp.get_piece_size()):
                p = sp.id_to_piece(i)
                if p not in pieces and not sp.is_control(i) and not sp.is_unknown(i):
                    pieces.append(p)
        pieces.append("<pad>")
        vocab = {p: i for i, p in enumerate(pieces)}
        for name, blob in (("source.spm", src), ("target.spm", tgt)):
            with open(os.path.join(directory, name), "wb") as f:
                f.write(blob)
        _dump(directory, "vocab.json", vocab)
        _dump(directory, "tokenizer_config.json", {
            "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "model_max_length": spec.max_pos,
            "source_lang": "en", "target_lang": "de", "separate_vocabs": False, "sp_model_kwargs": {},
            "tokenizer_class": "MarianTokenizer"})

        def encode(text):
            return [vocab.get(p, 1) for p in sp_src.encode(text, out_type=str)] + [0]

        def decode(ids):
            return sp_tgt.decode_pieces([pieces[i] for i in ids if pieces[i] not in ("</s>", "<unk>", "<pad>")])
        return Tokenizer("marian", encode, decode, len(pieces), lambda i: pieces[i])
    blob = _train_spm("unigram", 13, 180, {"pad_id": 0, "eos_id": 1, "unk_id": 2, "bos_id": -1})
    sp = spm.SentencePieceProcessor(model_proto=blob)
    with open(os.path.join(directory, "spiece.model"), "wb") as f:
        f.write(blob)
    _dump(directory, "tokenizer_config.json", {
        "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "extra_ids": 0,
        "additional_special_tokens": [], "model_max_length": 512, "sp_model_kwargs": {},
        "tokenizer_class": "T5Tokenizer", "legacy": True})

    def t5_encode(text):
        return sp.encode(text) + [1]

    def t5_decode(ids):
        return sp.decode([i for i in ids if 2 < i < sp.get_piece_size()])
    return Tokenizer(spec.arch, t5_encode, t5_decode, sp.get_piece_size(),
                     lambda i: sp.id_to_piece(i) if i < sp.get_piece_size() else "<extra%d>" % i)


def _dump(directory, name, obj):
    with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_tokenizer(directory, spec):
    if spec.arch in ("bart", "mbart"):
        tok, vocab, merges = _bpe_tokenizer(spec)
        _bpe_files(directory, spec, vocab, merges)
        return tok
    return _spm_tokenizer(directory, spec)


# ---- a whole checkpoint -------------------------------------------------------------------

def make_checkpoint(directory, spec, weights=None):
    """Writes spec's checkpoint into directory. Returns (config, generation
    config, Tokenizer, {saved name: (array, dtype)})."""
    os.makedirs(directory, exist_ok=True)
    tok = write_tokenizer(directory, spec)
    vocab_size = tok.size + (spec.extra_vocab if spec.arch in ("t5", "mt5") else 0)
    cfg = config_json(spec, vocab_size)
    if weights is None:
        weights = random_weights(spec, vocab_size)
    tensors = saved_tensors(spec, weights)
    meta = {"format": "pt"}
    if spec.shards:
        write_sharded(directory, tensors, spec.shards, meta)
    else:
        write_safetensors(os.path.join(directory, "model.safetensors"), tensors, meta)
    _dump(directory, "config.json", cfg)
    gen = None
    if not spec.base:
        gen = generation_config_json(cfg, spec.gen)
        _dump(directory, "generation_config.json", gen)
    return cfg, gen, tok, tensors
