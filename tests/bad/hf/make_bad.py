#!/usr/bin/python3
"""make_bad.py: writes the malformed Hugging Face model directories of this
directory, for tests/e2e/checkpoints.sh (attnviz -m DIR through the binary).

  bert/   a tiny valid BERT directory: config.json (d 8, 2 heads, 2 layers,
          intermediate 8, 16 positions), model.safetensors (F32, the
          BertModel tensor names), vocab.txt (30 entries);
  gpt2/   a tiny valid GPT-2 directory: config.json (d 8, 2 heads, 2 layers,
          16 positions), model.safetensors (F32, GPT2Model names),
          vocab.json (the 256 byte symbols, 5 merged tokens, <|endoftext|>)
          and merges.txt (those 5 merges);
  bert_*/, gpt2_*/  one directory per defect. Each holds exactly one broken
          (or missing, or added) file; every other file is a symbolic link
          to the valid directory's file (as in the Hugging Face cache, whose
          snapshot directories are links into blobs/), which keeps this
          corpus small and guarantees that a rejection can only come from
          that defect.

Also writes expect.tsv (variant, the argument to -m relative to the variant
directory ("." is the directory itself), the file the message must name
("." the directory), a substring the message must contain) and README.md.

The weights come from tests/py/hf_ckpt.py (config.json as transformers
writes it, random weights in the exact Hugging Face names) and
tests/py/st_io.py (the safetensors writer); the defects are made here.

Deterministic: running it again rewrites the same bytes.
Run: /usr/bin/python3 tests/bad/hf/make_bad.py
"""
import json
import os
import shutil
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "py"))

from hf_ckpt import Spec, config_json, random_weights  # noqa: E402
import dec_ckpt  # noqa: E402
import seq2seq_ckpt  # noqa: E402
from hf_tok import byte_symbols  # noqa: E402
from st_io import safetensors_bytes  # noqa: E402

# ---- the two valid directories --------------------------------------------------

BERT_SPEC = Spec("bert", 8, 2, 2, ffn=8, max_pos=16)
GPT2_SPEC = Spec("gpt2", 8, 2, 2, max_pos=16)

BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "a", "the", "cat", "dog", "sat",
              "on", "mat", "ran", "is", "it", "was", "sentence", "word", "attention", "head", "model",
              "test", "play", "walk", "##s", "##ed", "##ing", "##ly"]
# every merge's parts and result are in the vocabulary: "the" and " the" are
# single tokens ("Ġ" is the space's byte symbol)
GPT2_MERGES = [("t", "h"), ("th", "e"), ("Ġ", "the"), ("Ġ", "a"), ("a", "t")]
GPT2_VOCAB = byte_symbols() + ["".join(m) for m in GPT2_MERGES] + ["<|endoftext|>"]


def st_parts(data):
    """A safetensors file's header (a dict in file order) and data area."""
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n].decode("utf-8")), data[8 + n:]


def st_join(header, body, n=None, text=None):
    """A safetensors file from a header dict (or its raw text), padded to 8
    bytes as the reference writer does; n overrides the length field."""
    h = text if text is not None else json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h) if n is None else n) + h + body


def config_bytes(cfg):
    return (json.dumps(cfg, indent=2, sort_keys=True) + "\n").encode()


def f32_tensors(spec, vocab_size):
    return {k: (v, "F32") for k, v in random_weights(spec, vocab_size).items()}


# a tiny valid Llama (d 8, 2 query heads of 4 sharing 1 key/value head, 2
# layers), BF16 as checkpoints ship, with the GPT-2 tokenizer files
LLAMA_SPEC = dec_ckpt.DSpec("llama", 8, 2, 2, kv=1, ff=8, dtype="BF16", max_pos=16)
LLAMA_CFG = dec_ckpt.config_json(LLAMA_SPEC, len(GPT2_VOCAB))
LLAMA_T = dec_ckpt.checkpoint_tensors(LLAMA_SPEC, dec_ckpt.random_weights(LLAMA_SPEC, len(GPT2_VOCAB)))

BERT_CFG = config_json(BERT_SPEC, len(BERT_VOCAB))
BERT_T = f32_tensors(BERT_SPEC, len(BERT_VOCAB))
GPT2_CFG = config_json(GPT2_SPEC, len(GPT2_VOCAB))
GPT2_T = f32_tensors(GPT2_SPEC, len(GPT2_VOCAB))
META = {"format": "pt"}

BASES = {
    "bert": {
        "config.json": config_bytes(BERT_CFG),
        "model.safetensors": safetensors_bytes(BERT_T, META),
        "vocab.txt": "".join(t + "\n" for t in BERT_VOCAB).encode(),
    },
    "gpt2": {
        "config.json": config_bytes(GPT2_CFG),
        "model.safetensors": safetensors_bytes(GPT2_T, META),
        "vocab.json": json.dumps({t: i for i, t in enumerate(GPT2_VOCAB)}, ensure_ascii=False,
                                 indent=2).encode(),
        "merges.txt": ("#version: 0.2\n" + "".join("%s %s\n" % m for m in GPT2_MERGES)).encode(),
    },
}
BASES["llama"] = {"config.json": config_bytes(LLAMA_CFG), "model.safetensors": safetensors_bytes(LLAMA_T, META),
                  "vocab.json": BASES["gpt2"]["vocab.json"], "merges.txt": BASES["gpt2"]["merges.txt"]}

# the encoder-decoders: a BART (d 8, 2 heads, 1 + 1 layers, F32) with a byte-level BPE
# that has BART's <s> <pad> </s> <unk> first, and a T5 (d 8, 2 heads of 4, 1 + 1
# layers, F32) with a WordLevel tokenizer.json ("$A </s>")
BART_VOCAB = ["<s>", "<pad>", "</s>", "<unk>"] + GPT2_VOCAB[:-1]
BART_SPEC = seq2seq_ckpt.Spec("bart", d=8, enc_layers=1, dec_layers=1, enc_heads=2, dec_heads=2, ffn=8, max_pos=16)
BART_CFG = seq2seq_ckpt.config_json(BART_SPEC, len(BART_VOCAB))
BART_T = seq2seq_ckpt.saved_tensors(BART_SPEC, seq2seq_ckpt.random_weights(BART_SPEC, len(BART_VOCAB)))
T5_VOCAB = ["<pad>", "</s>", "<unk>", "a", "the", "cat", "sat", "on", "mat", "."]
T5_SPEC = seq2seq_ckpt.Spec("t5", d=8, enc_layers=1, dec_layers=1, enc_heads=2, d_kv=4, ffn=8, buckets=8,
                            max_distance=16)
T5_CFG = seq2seq_ckpt.config_json(T5_SPEC, len(T5_VOCAB))
T5_T = seq2seq_ckpt.saved_tensors(T5_SPEC, seq2seq_ckpt.random_weights(T5_SPEC, len(T5_VOCAB)))
T5_TOKENIZER = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True} for i, t in enumerate(T5_VOCAB[:3])],
    "normalizer": None, "pre_tokenizer": {"type": "WhitespaceSplit"},
    "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}},
                                                                {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                       "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}},
                                {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                       "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
    "decoder": None, "model": {"type": "WordLevel", "vocab": {t: i for i, t in enumerate(T5_VOCAB)},
                               "unk_token": "<unk>"}}
BASES["bart"] = {"config.json": config_bytes(BART_CFG), "model.safetensors": safetensors_bytes(BART_T, META),
                 "generation_config.json": config_bytes(seq2seq_ckpt.generation_config_json(BART_CFG)),
                 "vocab.json": json.dumps({t: i for i, t in enumerate(BART_VOCAB)}, ensure_ascii=False,
                                          indent=2).encode(),
                 "merges.txt": BASES["gpt2"]["merges.txt"]}
BASES["t5"] = {"config.json": config_bytes(T5_CFG), "model.safetensors": safetensors_bytes(T5_T, META),
               "generation_config.json": config_bytes(seq2seq_ckpt.generation_config_json(T5_CFG)),
               "tokenizer.json": json.dumps(T5_TOKENIZER, indent=2).encode()}

variants = []  # (name, base, files {name: bytes, or None to leave out}, arg, named, substring, defect)


def variant(name, base, files, arg, named, expect, what):
    variants.append((base + "_" + name, base, files, arg, named, expect, what))


def with_tensors(tensors, **changes):
    """A copy of tensors with entries replaced (value (array, dtype)) or
    removed (value None); keyword names use "__" for "."."""
    out = dict(tensors)
    for k, v in changes.items():
        k = k.replace("__", ".")
        if v is None:
            del out[k]
        else:
            out[k] = v
    return out


def sub(data, old, new):
    """data with its one occurrence of old replaced (asserted: a generator
    change cannot silently drop a defect)."""
    assert data.count(old) == 1, old
    return data.replace(old, new)


def cfg_with(cfg, **changes):
    c = dict(cfg)
    c.update(changes)
    return config_bytes(c)


def cfg_without(cfg, key):
    c = dict(cfg)
    del c[key]
    return config_bytes(c)


B_ST = BASES["bert"]["model.safetensors"]
B_CFG = BASES["bert"]["config.json"]
L0 = "encoder.layer.0."
L1 = "encoder.layer.1."

# ---- config.json ------------------------------------------------------------------

variant("config_truncated", "bert", {"config.json": B_CFG[:len(B_CFG) // 2]}, ".", "config.json",
        "not valid JSON", "config.json cut in the middle (an interrupted download)")
variant("config_array", "bert", {"config.json": b"[" + B_CFG.rstrip() + b"]\n"}, ".", "config.json",
        "not a JSON object", "config.json is a JSON array holding the config object")
variant("config_duplicate_key", "bert",
        {"config.json": sub(B_CFG, b'  "hidden_size": 8,\n', b'  "hidden_size": 8,\n  "hidden_size": 16,\n')},
        ".", "config.json", 'duplicate key "hidden_size"', '"hidden_size" twice (8, then 16)')
variant("config_no_model_type", "bert", {"config.json": cfg_without(BERT_CFG, "model_type")}, ".",
        "config.json", 'no "model_type"', "no model_type key")
variant("config_mamba", "bert", {"config.json": cfg_with(BERT_CFG, model_type="mamba")}, ".", "config.json",
        'model_type "mamba" is not supported', 'model_type "mamba"')
variant("config_hidden_string", "bert", {"config.json": cfg_with(BERT_CFG, hidden_size="8")}, ".",
        "config.json", '"hidden_size" must be an integer', 'hidden_size is the string "8"')
variant("config_heads_indivisible", "bert", {"config.json": cfg_with(BERT_CFG, num_attention_heads=3)}, ".",
        "config.json", "hidden size 8 is not divisible by 3 heads", "num_attention_heads 3 with hidden_size 8")
variant("config_relative_key", "bert",
        {"config.json": cfg_with(BERT_CFG, position_embedding_type="relative_key")}, ".", "config.json",
        '"relative_key" is not supported', 'position_embedding_type "relative_key" (and no relative-position '
        'tables in the weights)')
variant("no_config", "bert", {"config.json": None}, ".", ".", "no config.json", "no config.json at all")
variant("scale_by_layer", "gpt2", {"config.json": cfg_with(GPT2_CFG, scale_attn_by_inverse_layer_idx=True)},
        ".", "config.json", '"scale_attn_by_inverse_layer_idx": true is not supported',
        "GPT-2 scale_attn_by_inverse_layer_idx true (attention scaled per layer)")

# ---- the weights file: container -------------------------------------------------

variant("pytorch_bin_only", "bert", {"model.safetensors": None, "pytorch_model.bin": b"PK\x03\x04" + bytes(60)},
        ".", ".", "no model.safetensors", "no safetensors at all, only a pytorch_model.bin (a zip file)")
variant("st_empty", "bert", {"model.safetensors": b""}, "model.safetensors", "model.safetensors",
        "empty file", "model.safetensors has 0 bytes")
variant("st_truncated", "bert", {"model.safetensors": B_ST[:len(B_ST) - 100]}, ".", "model.safetensors",
        "run past the end of the data area", "model.safetensors without its last 100 bytes (an interrupted "
        "download)")
variant("st_header_past_eof", "bert", {"model.safetensors": B_ST[:8 + 64]}, ".", "model.safetensors",
        "runs past the end of the file", "model.safetensors cut inside its JSON header")
_, _b = st_parts(B_ST)
_h_len = struct.unpack("<Q", B_ST[:8])[0]
variant("st_header_len_past_eof", "bert",
        {"model.safetensors": struct.pack("<Q", len(B_ST)) + B_ST[8:]}, "model.safetensors", "model.safetensors",
        "header length %d runs past the end of the file" % len(B_ST),
        "the 8-byte header length is the file's size (%d) instead of %d" % (len(B_ST), _h_len))
variant("st_header_huge", "bert", {"model.safetensors": struct.pack("<Q", 200_000_000) + B_ST[8:]}, ".",
        "model.safetensors", "header length 200000000 exceeds the 100000000-byte limit",
        "header length 200,000,000 (the format's limit is 100 MB)")


def overlap_file():
    """The key bias [8] starts half-way into the query bias [8] before it;
    the 16 bytes it no longer needs are cut, so the ranges still end at the
    end of the file with no gap: the only defect is the overlap."""
    h, body = st_parts(B_ST)
    q, k = h[L0 + "attention.self.query.bias"], h[L0 + "attention.self.key.bias"]
    qb, qe = q["data_offsets"]
    kb, ke = k["data_offsets"]
    assert qe - qb == 32 and ke - kb == 32
    # make the key bias the entry right after the query bias: swap its bytes
    # into place (the writer orders by name, so other tensors lie between)
    entries = sorted(((v["data_offsets"][0], n) for n, v in h.items() if n != "__metadata__"))
    chunks = {n: body[h[n]["data_offsets"][0]:h[n]["data_offsets"][1]] for _, n in entries}
    order = [n for _, n in entries if n != L0 + "attention.self.key.bias"]
    i = order.index(L0 + "attention.self.query.bias")
    order.insert(i + 1, L0 + "attention.self.key.bias")
    out, off = b"", 0
    for n in order:
        c = chunks[n]
        if n == L0 + "attention.self.key.bias":
            c = c[16:]                      # the first 16 bytes are shared with the query bias
            h[n]["data_offsets"] = [off - 16, off - 16 + 32]
        else:
            h[n]["data_offsets"] = [off, off + len(c)]
        out += c
        off += len(c)
    return st_join(h, out)


def past_end_file():
    """The query weight of layer 1 [8, 8] points past the data area: its
    bytes are removed and the tensors after it moved up, so no gap remains."""
    h, body = st_parts(B_ST)
    name = L1 + "attention.self.query.weight"
    b, e = h[name]["data_offsets"]
    body = body[:b] + body[e:]
    for n, v in h.items():
        if n != "__metadata__" and v["data_offsets"][0] >= e:
            v["data_offsets"] = [v["data_offsets"][0] - (e - b), v["data_offsets"][1] - (e - b)]
    h[name]["data_offsets"] = [len(body), len(body) + (e - b)]
    return st_join(h, body)


def duplicate_file():
    """The key bias of layer 0 renamed to the query bias (same shape and
    dtype): the header names one tensor twice."""
    h, body = st_parts(B_ST)
    text = json.dumps(h, separators=(",", ":")).encode()
    text = sub(text, b'"%sattention.self.key.bias"' % L0.encode(),
                        b'"%sattention.self.query.bias"' % L0.encode())
    return st_join(None, body, text=text)


variant("st_overlap", "bert", {"model.safetensors": overlap_file()}, ".", "model.safetensors",
        "overlap", "layer 0's key bias starts 16 bytes inside the query bias (no gap elsewhere)")
variant("st_offsets_past_end", "bert", {"model.safetensors": past_end_file()}, "model.safetensors",
        "model.safetensors", "run past the end of the data area",
        "layer 1's query weight has data_offsets past the end of the data area (its bytes removed, no gap)")
variant("st_duplicate_tensor", "bert", {"model.safetensors": duplicate_file()}, ".", "model.safetensors",
        "appears twice", "the header names encoder.layer.0.attention.self.query.bias twice")

# ---- the weights file: tensors vs the config --------------------------------------

rng = np.random.default_rng(7)
_w = rng.standard_normal((8, 4)).astype(np.float32)
variant("shape_vs_config", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{L0 + "attention.self.key.weight": (_w, "F32")}),
                                                META)}, ".", "model.safetensors",
        "has shape [8, 4], but config.json implies [8, 8]", "layer 0's key weight is [8, 4] (config: hidden 8)")
variant("missing_tensor", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{L1 + "attention.self.value.weight": None}),
                                                META)}, ".", "model.safetensors",
        "encoder.layer.1.attention.self.value.weight' is missing", "layer 1's value weight is not in the file")
_nan = BERT_T[L1 + "attention.output.dense.weight"][0].copy()
_nan[3, 5] = np.nan
variant("nan_f32", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{L1 + "attention.output.dense.weight":
                                                                         (_nan, "F32")}), META)},
        ".", "model.safetensors", "element 29 is NaN", "a NaN at [3, 5] (element 29) of layer 1's attention "
        "output weight (F32)")
# finite weights whose arithmetic overflows float32 (issue 20): every weight
# ±1e30, so q·k is inf in layer 1; and word + position embeddings of 3e38
# each, whose sum is inf before any layer
variant("weights_1e30", "bert",
        {"model.safetensors": safetensors_bytes({k: (np.where(v < 0, -1e30, 1e30).astype(np.float32), "F32")
                                                 for k, (v, _) in BERT_T.items()}, META)},
        ".", ".", "layer 1 head 1: scores overflow float32; the weights are too large",
        "every weight \u00b11e30: finite in the file, but the attention scores of layer 1 overflow float32")
variant("embeddings_overflow", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{
            "embeddings.word_embeddings.weight": (np.full((len(BERT_VOCAB), 8), 3e38, np.float32), "F32"),
            "embeddings.position_embeddings.weight": (np.full((16, 8), 3e38, np.float32), "F32")}), META)},
        ".", ".", "embeddings: activations overflow float32",
        "word and position embeddings of 3e38 each: their sum overflows float32 before layer 1")
_f16 = {k: (v, "F16") for k, (v, _) in BERT_T.items()}
_inf = _f16[L0 + "intermediate.dense.weight"][0].copy()
_inf[2, 1] = np.inf
_f16[L0 + "intermediate.dense.weight"] = (_inf, "F16")
variant("inf_f16", "bert",
        {"model.safetensors": safetensors_bytes(_f16, META),
         "config.json": cfg_with(BERT_CFG, torch_dtype="float16")},
        ".", "model.safetensors", "element 17 is +inf", "an F16 checkpoint (config torch_dtype float16) with "
        "+inf at [2, 1] (element 17) of layer 0's intermediate weight")
variant("i32_weight", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{
            "embeddings.LayerNorm.weight": (np.ones(8, dtype=np.int32), "I32")}), META)},
        ".", "model.safetensors", "has dtype I32", "the embedding LayerNorm weight stored as I32 (integers)")
variant("prefixed_and_plain", "bert",
        {"model.safetensors": safetensors_bytes(dict(BERT_T, **{
            "bert.embeddings.LayerNorm.weight": BERT_T["embeddings.LayerNorm.weight"]}), META)},
        ".", "model.safetensors", "embeddings.LayerNorm.weight",
        "both embeddings.LayerNorm.weight and bert.embeddings.LayerNorm.weight (BertModel's and "
        "BertForMaskedLM's name of one tensor)")
_rel = rng.standard_normal((2 * 16 - 1, 4)).astype(np.float32)
variant("relative_position_table", "bert",
        {"model.safetensors": safetensors_bytes(with_tensors(BERT_T, **{
            L0 + "attention.self.distance_embedding.weight": (_rel, "F32")}), META)},
        ".", "model.safetensors", "unexpected tensor 'encoder.layer.0.attention.self.distance_embedding.weight'",
        "an extra relative-position table (distance_embedding [31, 4]) inside layer 0, config absolute")
_layer2 = {k.replace(L0, "encoder.layer.2."): v for k, v in BERT_T.items() if k.startswith(L0)}
variant("layer_past_config", "bert",
        {"model.safetensors": safetensors_bytes(dict(BERT_T, **_layer2), META)}, ".", "model.safetensors",
        "is in layer 2, but config.json has 2 layers",
        "the tensors of a third layer (encoder.layer.2.*) with num_hidden_layers 2")

# ---- sharded ------------------------------------------------------------------------


def sharded_missing():
    names = sorted(BERT_T)
    first = [n for n in names if not n.startswith(L1)]
    second = [n for n in names if n.startswith(L1)]
    s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    wm = {n: s1 for n in first}
    wm.update({n: s2 for n in second})
    total = sum(v.nbytes for v, _ in BERT_T.values())
    index = {"metadata": {"total_size": total}, "weight_map": wm}
    return {"model.safetensors": None, s1: safetensors_bytes({n: BERT_T[n] for n in first}, META),
            "model.safetensors.index.json": json.dumps(index, indent=2, sort_keys=True).encode() + b"\n"}


variant("shard_missing", "bert", sharded_missing(), "model.safetensors.index.json",
        "model.safetensors.index.json",
        "model-00002-of-00002.safetensors: No such file or directory",
        "a sharded checkpoint whose index names model-00002-of-00002.safetensors (layer 1), which is not there")

# ---- BERT vocab.txt / tokenizer.json ----------------------------------------------------

_vt = BASES["bert"]["vocab.txt"]
variant("vocab_bad_utf8", "bert", {"vocab.txt": sub(_vt, b"\nword\n", b"\ncaf\xe9\n")}, ".", "vocab.txt",
        "invalid UTF-8", 'line 20 is "caf\\xe9" (Latin-1, not UTF-8)')
variant("vocab_no_unk", "bert", {"vocab.txt": sub(_vt, b"\n[UNK]\n", b"\n[UNUSED]\n")}, ".", "vocab.txt",
        "[UNK]", "vocab.txt has no [UNK] (line 2 is [UNUSED])")
variant("vocab_too_many", "bert",
        {"vocab.txt": _vt + b"".join(b"extra%d\n" % i for i in range(4))}, ".", "vocab.txt",
        "34 entries", "vocab.txt has 34 entries, config.json vocab_size 30 (word_embeddings [30, 8])")
variant("vocab_duplicate", "bert", {"vocab.txt": _vt + b"cat\n"}, ".", "vocab.txt", 'duplicate',
        'vocab.txt line 31 repeats "cat" (line 10)')
_bad_regex = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
              "normalizer": None,
              "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[a-z+"}, "behavior": "Isolated",
                                "invert": False},
              "post_processor": None, "decoder": None,
              "model": {"type": "WordPiece", "unk_token": "[UNK]",
                        "vocab": {t: i for i, t in enumerate(BERT_VOCAB)}}}
variant("tokenizer_json_bad_regex", "bert",
        {"tokenizer.json": json.dumps(_bad_regex, ensure_ascii=False, indent=2).encode()}, ".", "tokenizer.json",
        "pre_tokenizer.pattern.Regex", "a tokenizer.json whose Split pre-tokenizer has a regex with no closing ]")

_big = dict(_bad_regex, pre_tokenizer={"type": "BertPreTokenizer"},
            model={"type": "WordLevel", "unk_token": "[UNK]",
                   "vocab": dict({t: i for i, t in enumerate(BERT_VOCAB)},
                                 **{"extra%d" % i: len(BERT_VOCAB) + i for i in range(3)})})
variant("tokenizer_json_vocab_too_many", "bert",
        {"tokenizer.json": json.dumps(_big, ensure_ascii=False, indent=2).encode()}, ".", "tokenizer.json",
        "33 entries", "a WordLevel tokenizer.json of 33 entries for 30 word embeddings")
_norm = dict(_bad_regex, pre_tokenizer={"type": "BertPreTokenizer"},
             normalizer={"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "NFKX"}]})
variant("tokenizer_json_normalizer_unknown", "bert",
        {"tokenizer.json": json.dumps(_norm, ensure_ascii=False, indent=2).encode()}, ".", "tokenizer.json",
        "normalizer.normalizers[1].type \"NFKX\"", "a normalizer Sequence holding NFKX, which is no normalizer")
variant("tokenizer_json_bad_utf8", "bert",
        {"tokenizer.json": json.dumps(_big, ensure_ascii=False).encode().replace(b"extra1", b"extr\xe9")}, ".",
        "tokenizer.json", "invalid UTF-8", "a vocabulary key with a Latin-1 byte (0xE9), not UTF-8")

# ---- GPT-2 ----------------------------------------------------------------------------------

_gj = {"version": "1.0", "added_tokens": [], "normalizer": None,
       "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
       "post_processor": None, "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                           "use_regex": True},
       "model": {"type": "BPE", "vocab": {t: i for i, t in enumerate(GPT2_VOCAB)},
                 "merges": ["%s %s" % m for m in GPT2_MERGES] + ["q zz"]}}
variant("tokenizer_json_merge_unknown", "gpt2",
        {"tokenizer.json": json.dumps(_gj, ensure_ascii=False, indent=2).encode()}, ".", "tokenizer.json",
        "model.merges[5]", 'a tokenizer.json whose last merge "q zz" names "zz", not in its vocabulary')

_mg = BASES["gpt2"]["merges.txt"]
variant("merges_three_parts", "gpt2", {"merges.txt": sub(_mg, b"\xc4\xa0 a\n", b"\xc4\xa0 a t\n")}, ".",
        "merges.txt", "not a merge", 'merges.txt line 5 is "Ġ a t" (three symbols, not a pair)')
variant("merges_unknown_tokens", "gpt2", {"merges.txt": _mg + b"qq zz\n"}, ".", "merges.txt", "qq",
        'merges.txt line 7 "qq zz": neither part (nor "qqzz") is in vocab.json')
variant("vocab_json_array", "gpt2",
        {"vocab.json": json.dumps(GPT2_VOCAB, ensure_ascii=False, indent=2).encode()}, ".", "vocab.json",
        "array", "vocab.json is a JSON array of the tokens, not an object token -> id")
_vj = {t: i for i, t in enumerate(GPT2_VOCAB)}
_vj["\u0120at"] = _vj["at"]
variant("vocab_json_same_id", "gpt2", {"vocab.json": json.dumps(_vj, ensure_ascii=False, indent=2).encode()},
        ".", "vocab.json", "same id %d" % _vj["at"],
        'vocab.json gives "Ġat" (not a token of the merges) the id of "at"')
_bf16 = {k: (v, "BF16") for k, (v, _) in GPT2_T.items()}
_nanpos = _bf16["wpe.weight"][0].copy()
_nanpos[3, 2] = np.nan
_bf16["wpe.weight"] = (_nanpos, "BF16")
variant("nan_bf16", "gpt2",
        {"model.safetensors": safetensors_bytes(_bf16, META), "config.json": cfg_with(GPT2_CFG, torch_dtype="bfloat16")},
        ".", "model.safetensors", "element 26 is NaN",
        "a BF16 checkpoint (config torch_dtype bfloat16) with a NaN at [3, 2] (element 26) of wpe")
_cattn = GPT2_T["h.0.attn.c_attn.weight"][0][:, :16].copy()
variant("c_attn_width", "gpt2",
        {"model.safetensors": safetensors_bytes(with_tensors(GPT2_T, **{"h.0.attn.c_attn.weight": (_cattn, "F32")}),
                                                META)}, "model.safetensors", "model.safetensors",
        "has shape [8, 16], but config.json implies [8, 24]",
        "layer 0's fused c_attn weight is [8, 16] instead of [8, 3*8]")


# ---- the decoder families -----------------------------------------------------------------

LQ = "model.layers.0.self_attn."


def llama_st(**changes):
    return {"model.safetensors": safetensors_bytes(with_tensors(LLAMA_T, **changes), META)}


variant("config_kv_indivisible", "llama", {"config.json": cfg_with(LLAMA_CFG, num_key_value_heads=3)}, ".",
        "config.json", '"num_attention_heads" 2 is not divisible by "num_key_value_heads" 3',
        "3 key/value heads for 2 query heads")
_nohd = dict(LLAMA_CFG)
del _nohd["head_dim"]
variant("config_heads_indivisible", "llama", {"config.json": cfg_with(_nohd, num_attention_heads=3)}, ".",
        "config.json", '"hidden_size" 8 is not divisible by 3 heads',
        "hidden_size 8 with 3 heads and no head_dim")
variant("config_rope_unknown", "llama",
        {"config.json": cfg_with(LLAMA_CFG, rope_scaling={"rope_type": "ntk-by-parts", "factor": 2.0})}, ".",
        "config.json", 'rope_type "ntk-by-parts" is not supported', "a rope_scaling type transformers does not have")
variant("config_rope_no_factor", "llama", {"config.json": cfg_with(LLAMA_CFG, rope_scaling={"rope_type": "linear"})},
        ".", "config.json", '"rope_scaling" has no "factor"', "linear rope_scaling without its factor")
variant("config_longrope_length", "llama",
        {"config.json": cfg_with(LLAMA_CFG, rope_scaling={"rope_type": "longrope", "factor": 2.0,
                                                          "short_factor": [1.0], "long_factor": [1.0, 2.0]})},
        ".", "config.json", '"short_factor" must be a list of 2 numbers',
        "longrope with one short factor for 2 frequencies")
variant("config_partial_odd", "llama", {"config.json": cfg_with(LLAMA_CFG, partial_rotary_factor=0.3)}, ".",
        "config.json", '"partial_rotary_factor" 0.3 of head_dim 4 gives 1 rotary components',
        "a partial rotary factor that leaves an odd number of components")
variant("config_layer_types_short", "llama",
        {"config.json": cfg_with(LLAMA_CFG, model_type="qwen3", layer_types=["full_attention"])}, ".", "config.json",
        '"layer_types" must list the 2 layers', "a Qwen3 config whose layer_types names 1 of 2 layers")
variant("config_bidirectional", "llama",
        {"config.json": cfg_with(LLAMA_CFG, model_type="gemma3_text", use_bidirectional_attention=True)}, ".",
        "config.json", '"use_bidirectional_attention": true is not supported',
        "a Gemma 3 embedding model (bidirectional attention)")
variant("config_gemma3_multimodal", "llama", {"config.json": cfg_with(LLAMA_CFG, model_type="gemma3")}, ".",
        "config.json", 'model_type "gemma3" is not supported', "the multimodal Gemma 3 (gemma3, not gemma3_text)")
variant("generation_config_eos", "llama", {"generation_config.json": b'{"eos_token_id": [2, 99999]}\n'}, ".",
        "generation_config.json", '"eos_token_id" must be token ids below vocab_size 262',
        "an end-of-sequence id past the vocabulary")
_k = LLAMA_T[LQ + "k_proj.weight"][0]
variant("k_proj_shape", "llama", llama_st(**{LQ + "k_proj.weight": (np.vstack([_k, _k]), "BF16")}), ".",
        "model.safetensors", "has shape [8, 8], but config.json implies [4, 8]",
        "k_proj of 2 key/value heads where the config has 1")
variant("gate_i32", "llama",
        llama_st(**{"model.layers.1.mlp.gate_proj.weight": (np.zeros((8, 8), dtype=np.int32), "I32")}), ".",
        "model.safetensors", "has dtype I32", "layer 1's gate_proj stored as I32")
variant("missing_up_proj", "llama", llama_st(**{"model.layers.1.mlp.up_proj.weight": None}), ".",
        "model.safetensors", "'model.layers.1.mlp.up_proj.weight' is missing", "no up_proj in layer 1")
variant("unexpected_bias", "llama", llama_st(**{LQ + "q_proj.bias": (np.zeros(8, dtype=np.float32), "BF16")}), ".",
        "model.safetensors", 'gives llama no such bias ("attention_bias")',
        "a q_proj bias though config.json's attention_bias is false")
_q = LLAMA_T[LQ + "q_proj.weight"][0].copy()
_q[1, 3] = np.nan
variant("nan_bf16_q_proj", "llama", llama_st(**{LQ + "q_proj.weight": (_q, "BF16")}), ".", "model.safetensors",
        "element 11 is NaN", "a NaN at [1, 3] (element 11) of layer 0's BF16 q_proj")
# finite BF16 weights whose arithmetic overflows float32 (issue 20): every
# weight ±1e30, so q·k is inf in layer 1 (the decoder stack's check)
variant("weights_1e30", "llama",
        {"model.safetensors": safetensors_bytes({k: (np.where(np.asarray(v, dtype=np.float32) < 0, -1e30, 1e30)
                                                     .astype(np.float32), dt) for k, (v, dt) in LLAMA_T.items()},
                                                META)},
        ".", ".", "layer 1 head 1: scores overflow float32; the weights are too large",
        "every weight ±1e30 (BF16): finite in the file, but the attention scores of layer 1 overflow float32")
variant("lm_head_shape", "llama", llama_st(**{"lm_head.weight": (np.zeros((10, 8), dtype=np.float32), "BF16")}),
        ".", "model.safetensors", "'lm_head.weight' has shape [10, 8], but config.json implies [262, 8]",
        "an lm_head of 10 rows for a vocabulary of 262")


# a directory only --generate refuses (not in expect.tsv: its attention runs):
# the final norm's gain and lm_head of 1e30, so the logits overflow float32
_lg = {"model.norm.weight": (np.full(8, 1e30, dtype=np.float32), "BF16"),
       "lm_head.weight": (np.full((len(GPT2_VOCAB), 8), 1e30, dtype=np.float32), "BF16")}
GENERATE_ONLY = {"llama_logits_overflow": ("llama", llama_st(**_lg))}


# ---- the encoder-decoders ----------------------------------------------------------------

def bart_st(**changes):
    return {"model.safetensors": safetensors_bytes(with_tensors(BART_T, **changes), META)}


def t5_st(**changes):
    return {"model.safetensors": safetensors_bytes(with_tensors(T5_T, **changes), META)}


_BQ = "model.encoder.layers.0.self_attn.q_proj.weight"
variant("missing_fc1", "bart", bart_st(**{"model.decoder.layers.0.fc1.weight": None}), ".", "model.safetensors",
        "'model.decoder.layers.0.fc1.weight' is missing", "no fc1 in the decoder's layer 0")
variant("missing_cross_k", "bart", bart_st(**{"model.decoder.layers.0.encoder_attn.k_proj.bias": None}), ".",
        "model.safetensors", "'model.decoder.layers.0.encoder_attn.k_proj.bias' is missing",
        "no cross-attention k_proj bias")
variant("q_proj_shape", "bart", bart_st(**{_BQ: (np.vstack([BART_T[_BQ][0]] * 2), "F32")}), ".",
        "model.safetensors", "has shape [16, 8], but config.json implies [8, 8]", "a q_proj of 16 rows for d_model 8")
variant("positions_short", "bart",
        bart_st(**{"model.decoder.embed_positions.weight": (np.zeros((16, 8), dtype=np.float32), "F32")}), ".",
        "model.safetensors", "'model.decoder.embed_positions.weight' has shape [16, 8], but config.json implies "
        "[18, 8]", "learned positions without BART's offset of 2 rows")
variant("unexpected_tensor", "bart",
        bart_st(**{"model.encoder.layers.0.self_attn.rotary.weight": (np.zeros(8, dtype=np.float32), "F32")}), ".",
        "model.safetensors", "unexpected tensor 'model.encoder.layers.0.self_attn.rotary.weight'",
        "a tensor BART does not have")
variant("config_heads_indivisible", "bart", {"config.json": cfg_with(BART_CFG, decoder_attention_heads=3)}, ".",
        "config.json", "d_model 8 is not a multiple of the attention heads (2, 3)", "3 decoder heads for d_model 8")
variant("config_activation", "bart", {"config.json": cfg_with(BART_CFG, activation_function="gelu_fast")}, ".",
        "config.json", '"activation_function": "gelu_fast" is not supported', "an activation attnviz does not have")
variant("marian_spm_only", "bart",
        {"config.json": cfg_with(BART_CFG, model_type="marian"), "source.spm": b"\n\x05hello", "target.spm":
         b"\n\x05hello", "vocab.json": BASES["bart"]["vocab.json"]}, ".", "source.spm",
        "not a SentencePiece model", "a Marian directory whose source.spm is not a SentencePiece model")
variant("config_decoder_vocab", "bart",
        {"config.json": cfg_with(BART_CFG, model_type="marian", decoder_vocab_size=100)}, ".", "config.json",
        '"decoder_vocab_size" 100 differs from "vocab_size" 265', "Marian with a separate target vocabulary")
variant("missing_rel_bias", "t5",
        t5_st(**{"encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight": None}), ".",
        "model.safetensors", "'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight' is missing",
        "no relative position table in the encoder")
variant("wo_shape", "t5",
        t5_st(**{"decoder.block.0.layer.2.DenseReluDense.wo.weight": (np.zeros((8, 4), dtype=np.float32), "F32")}),
        ".", "model.safetensors", "has shape [8, 4], but config.json implies [8, 8]", "a decoder wo of d_ff 4")
variant("gated_without_wi_0", "t5", {"config.json": cfg_with(T5_CFG, feed_forward_proj="gated-gelu")}, ".",
        "model.safetensors", "DenseReluDense.wi.weight' (not part of the t5 model attnviz knows)",
        "a T5 v1.1 config (gated-gelu) over a T5 checkpoint (wi, not wi_0 and wi_1)")
variant("config_ff_proj", "t5", {"config.json": cfg_with(T5_CFG, feed_forward_proj="gated-swiglu")}, ".",
        "config.json", '"feed_forward_proj": "swiglu" is not supported', "a feed-forward kind T5 does not have")
variant("config_max_distance", "t5", {"config.json": cfg_with(T5_CFG, relative_attention_max_distance=4)}, ".",
        "config.json", '"relative_attention_max_distance" 4 must be greater than half of '
        '"relative_attention_num_buckets" 8',
        "a maximum distance no greater than the exact buckets: the log-spaced buckets' divisor log(4 / 4) is 0, "
        "and the bucket of a NaN was converted to int (undefined behaviour; found by the hf_dir fuzz harness: "
        "tests/fuzz/regressions/hf_dir/t5-max-distance-within-exact-buckets)")
variant("spiece_only", "t5", {"tokenizer.json": None, "spiece.model": b"\n\x05hello"}, ".", "spiece.model",
        "not a SentencePiece model", "a T5 directory whose spiece.model (no tokenizer.json) is not a SentencePiece model")
with open(os.path.join(HERE, "..", "..", "fuzz", "regressions", "spm", "charsmap-value-past-strings"), "rb") as f:
    CHARSMAP_PAST = f.read()  # found by the spm fuzz harness
variant("spiece_charsmap_past_strings", "t5", {"tokenizer.json": None, "spiece.model": CHARSMAP_PAST}, ".",
        "spiece.model", "precompiled_charsmap is malformed (a trie value points past its strings)",
        "a T5 directory whose spiece.model's normalization map has a trie value past its strings (libsentencepiece "
        "0.1.97's Normalizer read past its buffer: tests/fuzz/regressions/spm/); refused before the library reads it")
variant("nan_f32_wi", "t5", t5_st(**{"encoder.block.0.layer.1.DenseReluDense.wi.weight":
                                     (np.full((8, 8), np.nan, dtype=np.float32), "F32")}), ".", "model.safetensors",
        "NaN", "NaN weights in the encoder's wi")


# ---- writing ----------------------------------------------------------------------------


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


README_HEAD = """# tests/bad/hf: malformed Hugging Face model directories

Generated by `make_bad.py` (run it with `/usr/bin/python3`; it rewrites
every file here, byte for byte the same). `bert/` and `gpt2/` are tiny
valid model directories (d 8, 2 heads, 2 layers, F32): BERT with a
30-entry vocab.txt, GPT-2 with a byte-level BPE (vocab.json: the 256 byte
symbols, 5 merged tokens and <|endoftext|>; merges.txt: those 5 merges).
`llama/` is a tiny valid Llama (d 8, 2 query heads sharing 1 key/value
head, head_dim 4, 2 layers, BF16) with GPT-2's tokenizer files. `bart/`
is a tiny valid BART (d 8, 2 heads, 1 encoder and 1 decoder layer, F32)
with a byte-level BPE that has BART's specials first; `t5/` a tiny valid
T5 (d 8, 2 heads of 4, 1 + 1 layers, F32) with a WordLevel tokenizer.json.

Every other directory is one of them with exactly one defect: the broken,
missing or added file is real, every other file is a symbolic link to the
valid directory's file (as in the Hugging Face cache), so a rejection can
only come from the defect.

`expect.tsv`: variant, TAB, the argument to `-m` relative to the variant's
directory (`.` is the directory itself), TAB, the file the message must
name (`.`: the directory), TAB, a substring the message must contain.
tests/e2e/checkpoints.sh runs `attnviz -m ARG -o OUT/out.csv "a sentence"`
on each and wants exit 2, one line on stderr that starts `attnviz: ` and
contains the path and the substring, empty stdout and no output file.

`llama_logits_overflow/` is not in expect.tsv: its attention runs, but
`--generate` must refuse it (the final norm's gain and lm_head are 1e30:
the logits overflow float32); checkpoints.sh runs it both ways.

%d variants:

| variant | -m | defect | the message contains |
|---|---|---|---|
"""


def main():
    for entry in sorted(os.listdir(HERE)):
        p = os.path.join(HERE, entry)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
    for base, files in BASES.items():
        os.makedirs(os.path.join(HERE, base))
        for name, data in files.items():
            write(os.path.join(HERE, base, name), data)
    for name, base, files, _, _, _, _ in variants + [(n, b, f, 0, 0, 0, 0) for n, (b, f) in GENERATE_ONLY.items()]:
        d = os.path.join(HERE, name)
        os.makedirs(d)
        for f in sorted(set(BASES[base]) | set(files)):
            if f in files:
                if files[f] is not None:
                    write(os.path.join(d, f), files[f])
            else:
                os.symlink(os.path.join("..", base, f), os.path.join(d, f))
    with open(os.path.join(HERE, "expect.tsv"), "w") as f:
        f.write("# variant\t-m argument (relative to the variant)\tfile the message names\tsubstring "
                "(generated by make_bad.py)\n")
        for name, _, _, arg, named, expect, _ in variants:
            assert "\t" not in expect and "\n" not in expect
            f.write("%s\t%s\t%s\t%s\n" % (name, arg, named, expect))
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write(README_HEAD % len(variants))
        for name, _, _, arg, _, expect, what in variants:
            f.write("| %s | `%s` | %s | `%s` |\n" % (name, arg, what.replace("|", "\\|"), expect.replace("|", "\\|")))


if __name__ == "__main__":
    main()
