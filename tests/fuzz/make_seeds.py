#!/usr/bin/python3
"""make_seeds.py — the seed inputs of the fuzz harnesses, from the files the
other suites already use (tests/bad/, tests/data/, data/) and from tiny valid
models written here, into DIR/<harness>/ (default build/fuzz/seeds).

Also writes tests/fuzz/tokenizers/*.json, the tokenizer.json pipelines
fuzz_sentence.c encodes with. The committed corpora (tests/fuzz/corpus/<harness>/) started as these seeds
and were then minimised and grown by fuzzing (tests/fuzz/README.md); run
this again to start a corpus over. Multi-file inputs are packed as fuzz.h
describes ("--8<-- NAME" lines). Needs an attnviz binary (ATTNVIZ, default
./attnviz) for the seeded JSON models, and numpy/torch (Debian's python3).

Run: /usr/bin/python3 tests/fuzz/make_seeds.py [DIR]
"""
import glob
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
import dec_ckpt  # noqa: E402
import hf_ckpt  # noqa: E402
import seq2seq_ckpt  # noqa: E402
from st_io import safetensors_bytes, write_safetensors  # noqa: E402

BIN = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "seeds"))
MAX = 65536  # the largest seed kept (the harnesses' -max_len is at most this)

HF_FILES = ["config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
            "vocab.json", "merges.txt", "encoder.json", "vocab.bpe", "model.safetensors.index.json",
            "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "generation_config.json",
            "spiece.model", "tokenizer.model", "source.spm"]


def pack(parts):
    """[(name, bytes)] -> one input: each file after a line "--8<-- NAME",
    a newline before every separator but the first."""
    out = b""
    for i, (name, data) in enumerate(parts):
        out += (b"\n" if i else b"") + b"--8<-- " + name.encode() + b"\n" + data
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pack_dir(d, names):
    return pack([(n, read(os.path.join(d, n))) for n in names if os.path.isfile(os.path.join(d, n))])


def save(harness, name, data):
    if len(data) > MAX:
        return
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tiny_checkpoints(tmp):
    """Small valid Hugging Face directories of every architecture, tokenizer
    kind, dtype and layout attnviz reads."""
    specs = [("bert_f32", hf_ckpt.Spec("bert", 4, 2, 1, ffn=8, max_pos=16)),
             ("bert_f16_json", hf_ckpt.Spec("bert", 4, 2, 1, ffn=8, max_pos=16, dtype="F16", tokenizer="json")),
             ("bert_bf16_prefixed", hf_ckpt.Spec("bert", 4, 1, 2, ffn=4, max_pos=16, dtype="BF16",
                                                 prefixed=True, legacy_ln=True)),
             ("bert_sharded", hf_ckpt.Spec("bert", 4, 2, 1, ffn=8, max_pos=16, shards=2)),
             ("roberta", hf_ckpt.Spec("roberta", 4, 2, 1, ffn=8, max_pos=16)),
             ("distilbert", hf_ckpt.Spec("distilbert", 4, 2, 1, ffn=8, max_pos=16)),
             ("gpt2", hf_ckpt.Spec("gpt2", 4, 2, 1, ffn=8, max_pos=16)),
             ("gpt2_json_f16", hf_ckpt.Spec("gpt2", 4, 2, 1, ffn=8, max_pos=16, tokenizer="json", dtype="F16"))]
    out = []
    for name, spec in specs:
        d = os.path.join(tmp, name)
        hf_ckpt.make_checkpoint(d, spec)
        out.append((name, d))
    return out


def decoder_checkpoints(tmp):
    """Tiny valid directories of every decoder family (dec_ckpt.py, as
    test_dec_parity.py writes them; the synthetic byte-level BPE): d 8, 2
    query heads, 1 layer, with each family's config keys, and the RoPE
    types, sliding windows, partial rotary, fused projections, dtypes and
    tied / untied heads in some of them; a generation_config.json in one."""
    L = {"rope_type": "linear", "factor": 4.0}
    Y = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 8}
    L3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
          "original_max_position_embeddings": 8}
    D = {"rope_type": "dynamic", "factor": 2.0}
    specs = [("llama", dict(kv=1, dtype="BF16")), ("llama_llama3_rope", dict(rope=L3, tied=True)),
             ("mistral", dict(window=3, dtype="F16")), ("qwen2", dict(window=3, rope=D)),
             ("qwen3", dict(kv=1, rope=Y)), ("gemma", dict(kv=1, dtype="BF16")), ("gemma2", dict(window=3)),
             ("gemma3_text", dict(kv=1, rope=L)),
             ("phi3", dict(partial=0.5, rope={"type": "longrope", "short_factor": [1.0], "long_factor": [2.0]},
                           more={"original_max_position_embeddings": 8}, max_pos=16)),
             ("gpt_neox", dict(partial=0.5)), ("olmo2", dict(dtype="BF16"))]
    out = []
    for name, kw in specs:
        family = name.split("_llama3")[0]
        d = os.path.join(tmp, "dec_" + name)
        kw.setdefault("max_pos", 32)
        dec_ckpt.make_checkpoint(d, dec_ckpt.DSpec(family, 8, 2, 1, ff=8, seed=len(out), **kw))
        if name == "llama":
            with open(os.path.join(d, "generation_config.json"), "w") as f:
                f.write('{"bos_token_id": 1, "eos_token_id": [2, 5], "do_sample": false}\n')
        out.append(("dec_" + name, d))
    return out


def pb_varint(b, i):
    """A protobuf varint at b[i:]: (value, next index)."""
    v = shift = 0
    while True:
        v |= (b[i] & 0x7F) << shift
        shift += 7
        i += 1
        if not b[i - 1] & 0x80:
            return v, i


def pb_fields(b):
    """The fields of a protobuf message: [(field, wire type, raw bytes of the field)]."""
    out, i = [], 0
    while i < len(b):
        start = i
        tag, i = pb_varint(b, i)
        wt = tag & 7
        if wt == 0:
            _, i = pb_varint(b, i)
        elif wt == 1:
            i += 8
        elif wt == 2:
            n, i = pb_varint(b, i)
            i += n
        elif wt == 5:
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((tag >> 3, wt, b[start:i]))
    return out


def pb_len(n):
    out = b""
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


def spm_identity(proto):
    """A SentencePiece model without its normalization (ModelProto field 3,
    NormalizerSpec: name "identity", no precompiled_charsmap, field 2):
    the same pieces in 2-5 KB instead of nmt_nfkc's 240 KB map, so that the
    seeds stay small (python3-sentencepiece has no protobuf module here)."""
    out = b""
    for f, wt, raw in pb_fields(proto):
        if f == 3 and wt == 2:
            _, i = pb_varint(raw, 0)
            n, i = pb_varint(raw, i)
            body = b"".join(r for g, _, r in pb_fields(raw[i:i + n]) if g not in (1, 2))
            body = b"\x0a" + pb_len(8) + b"identity" + body
            raw = b"\x1a" + pb_len(len(body)) + body
        out += raw
    return out


def seq2seq_checkpoints(tmp):
    """Tiny directories of every encoder-decoder (seq2seq_ckpt.py, as
    test_seq2seq_parity.py writes them): d 8, one encoder and one decoder
    layer, 2 heads; bart and mbart with a byte-level BPE (files, and
    tokenizer.json), marian with source.spm + vocab.json, t5 (gated and
    not) and mt5 with spiece.model, a bare bart (no lm_head); their
    SentencePiece models without the 240 KB nmt_nfkc map (spm_identity)."""
    specs = [("s2s_bart", dict(arch="bart")), ("s2s_bart_json_f16", dict(arch="bart", tokenizer="json", dtype="F16")),
             ("s2s_bart_base", dict(arch="bart", base=True)),
             ("s2s_mbart", dict(arch="mbart", gen={"forced_bos_token_id": 0})),
             ("s2s_marian", dict(arch="marian", activation="swish", scale_embedding=True)),
             ("s2s_t5", dict(arch="t5")), ("s2s_t5_gated_bf16", dict(arch="t5", gated=True, dtype="BF16")),
             ("s2s_mt5", dict(arch="mt5"))]
    out = []
    for name, kw in specs:
        d = os.path.join(tmp, name)
        arch = kw.pop("arch")
        more = dict(buckets=8, max_distance=16, d_kv=4) if arch in ("t5", "mt5") else dict(dec_heads=2, max_pos=64)
        seq2seq_ckpt.make_checkpoint(d, seq2seq_ckpt.Spec(arch, d=8, enc_layers=1, dec_layers=1, enc_heads=2, ffn=8,
                                                          seed=len(out), **more, **kw))
        for f in ("spiece.model", "source.spm", "target.spm"):
            if os.path.isfile(os.path.join(d, f)):
                data = spm_identity(read(os.path.join(d, f)))
                with open(os.path.join(d, f), "wb") as w:
                    w.write(data)
        out.append((name, d))
    return out


def spm_models(tmp):
    """SentencePiece model files ({name: bytes}) for the spm harness, each
    trained here (python3-sentencepiece, one thread: the same bytes on
    every run) on a small corpus: unigram, BPE, char and word models, with
    and without byte fallback, user-defined and control symbols, a small
    custom normalization rule set (a precompiled map of a few rules,
    normalization_rule_tsv), no bos / no eos / pad ids; plus
    tests/data/spm/tiny.model. A Marian pair: a model followed by a packed
    vocab.json numbering its pieces (as seq2seq_ckpt.py's Marian does)."""
    import io
    import sentencepiece as spm
    corpus = ["The animal didn't cross the street because it was too tired.",
              "Attention shows which tokens look at which other tokens.",
              "ＡＢＣ ｆｕｌｌ width ﬁ café Straße naïve 猫が好き 😀 12,345.67 $5",
              "Translation aligns the words of a source sentence with the words of its target."] * 20
    rules = os.path.join(tmp, "rules.tsv")
    with open(rules, "w") as f:
        f.write("41\t61\nFF21\t61\nFB01\t66 69\n3000\t20\n")
    base = dict(hard_vocab_limit=False, minloglevel=2, num_threads=1, normalization_rule_name="identity")
    kinds = {"unigram": dict(model_type="unigram", vocab_size=120),
             "unigram_bytes": dict(model_type="unigram", vocab_size=400, byte_fallback=True),
             "bpe_bytes_llama": dict(model_type="bpe", vocab_size=400, byte_fallback=True,
                                     remove_extra_whitespaces=False),
             "bpe_symbols": dict(model_type="bpe", vocab_size=90, user_defined_symbols=["<mask>", ">>fr<<"],
                                 control_symbols=["<ctl>"]),
             "char": dict(model_type="char", vocab_size=60),
             "word": dict(model_type="word", vocab_size=40),
             "t5_ids": dict(model_type="unigram", vocab_size=80, pad_id=0, eos_id=1, unk_id=2, bos_id=-1),
             "no_bos_no_eos": dict(model_type="unigram", vocab_size=80, bos_id=-1, eos_id=-1),
             "rules_tsv": dict(model_type="bpe", vocab_size=60, normalization_rule_tsv=rules,
                               normalization_rule_name=None)}
    out = {}
    for name, opts in kinds.items():
        kw = dict(base, **opts)
        kw = {k: v for k, v in kw.items() if v is not None}
        f = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=f, **kw)
        out[name] = f.getvalue()
    out["tiny"] = read(os.path.join(ROOT, "tests", "data", "spm", "tiny.model"))
    # Marian: </s> 0, <unk> 1, the pieces, a language code, <pad> last
    marian = out["t5_ids"]
    sp = spm.SentencePieceProcessor(model_proto=marian)
    pieces = ["</s>", "<unk>"] + [sp.id_to_piece(i) for i in range(sp.get_piece_size())
                                  if not sp.is_control(i) and not sp.is_unknown(i)][::2] + [">>de<<", "<pad>"]
    out["marian"] = pack([("spiece.model", marian),
                          ("vocab.json", json.dumps({p: i for i, p in enumerate(pieces)}).encode())])
    return out


def overflow_checkpoint(tmp):
    """tests/bad/hf/bert with every weight replaced by ±1e30: finite in the
    file, but q·k overflows float32 in layer 1 (the issue-20 reproducer)."""
    from st_io import read_safetensors
    d = os.path.join(tmp, "bert_1e30")
    os.makedirs(d)
    src = os.path.join(ROOT, "tests", "bad", "hf", "bert")
    for f in ("config.json", "vocab.txt"):
        with open(os.path.join(d, f), "wb") as out:
            out.write(read(os.path.join(src, f)))
    t = read_safetensors(os.path.join(src, "model.safetensors"))
    big = {k: (np.where(v < 0, -1e30, 1e30).astype(np.float32), "F32") for k, (v, _) in t.items()}
    write_safetensors(os.path.join(d, "model.safetensors"), big)
    return d


def json_models(tmp):
    """Seeded JSON models of every shape option, saved by attnviz."""
    variants = [[], ["--causal"], ["--score", "additive"], ["--score", "dot", "--plain"],
                ["--layer-norm", "pre"], ["--layer-norm", "none", "--heads", "1"], ["--layers", "3"]]
    out = []
    for i, v in enumerate(variants):
        p = os.path.join(tmp, "seeded%d.json" % i)
        subprocess.run([BIN, "--seed", str(i), "--dim", "4", "--heads", "2"] + v + ["--save-model", p],
                       check=True, capture_output=True)
        out.append(p)
    return out


def arch_json(arch):
    """A tiny bert / gpt2 JSON weight file with its own tokenizer."""
    g = np.random.default_rng(5)
    d, f, L = 4, 8, 1

    def t(*shape):
        return {"shape": list(shape), "data": [round(float(x), 3) for x in g.standard_normal(int(np.prod(shape)))]}
    if arch == "bert":
        vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", ".", "##s"]
        tok = {"type": "wordpiece", "vocab": vocab, "lowercase": True}
        cfg = {"architecture": "bert", "d_model": d, "n_heads": 2, "n_layers": L, "d_ff": f, "max_positions": 16,
               "type_vocab_size": 2, "layer_norm_eps": 1e-12, "activation": "gelu"}
        ts = {"embeddings.token": t(len(vocab), d), "embeddings.position": t(16, d),
              "embeddings.token_type": t(2, d), "embeddings.ln.weight": t(d), "embeddings.ln.bias": t(d)}
        lnames = ["ln", "ffn_ln"]
    else:
        vocab = [chr(c) for c in range(33, 127)] + ["Ġ", "th", "the", "Ġthe", "<|endoftext|>"]
        tok = {"type": "bpe", "vocab": vocab, "merges": ["t h", "th e", "Ġ the"], "special": ["<|endoftext|>", None]}
        cfg = {"architecture": "gpt2", "d_model": d, "n_heads": 2, "n_layers": L, "d_ff": f, "max_positions": 16,
               "layer_norm_eps": 1e-5}
        ts = {"embeddings.token": t(len(vocab), d), "embeddings.position": t(16, d),
              "final_ln.weight": t(d), "final_ln.bias": t(d)}
        lnames = ["ln", "ffn_ln"]
    for i in range(L):
        for p in "qkvo":
            ts["layers.%d.attn.%s.weight" % (i, p)] = t(d, d)
            ts["layers.%d.attn.%s.bias" % (i, p)] = t(d)
        ts["layers.%d.ffn.up.weight" % i] = t(f, d)
        ts["layers.%d.ffn.up.bias" % i] = t(f)
        ts["layers.%d.ffn.down.weight" % i] = t(d, f)
        ts["layers.%d.ffn.down.bias" % i] = t(d)
        for n in lnames:
            ts["layers.%d.%s.weight" % (i, n)] = t(d)
            ts["layers.%d.%s.bias" % (i, n)] = t(d)
    return json.dumps({"attnviz_model": 1, "config": cfg, "tokenizer": tok, "tensors": ts}).encode()


def small_safetensors():
    """One tensor of every dtype, a scalar, metadata, an empty tensor."""
    g = np.random.default_rng(1)
    a = g.standard_normal((2, 3)).astype(np.float32)
    out = {"f32": safetensors_bytes({"w": (a, "F32")}, {"format": "pt"}),
           "halves": safetensors_bytes({"a": (a, "F16"), "b": (a, "BF16")}),
           "ints": safetensors_bytes({"i": (np.arange(6, dtype=np.int64).reshape(2, 3), "I64"),
                                      "u": (np.arange(4, dtype=np.uint8), "U8"),
                                      "m": (np.array(True), "BOOL")}),
           "f64": safetensors_bytes({"x": (a.astype(np.float64), "F64")}),
           "empty_tensor": safetensors_bytes({"e": (np.zeros((0, 4), np.float32), "F32"),
                                              "s": (np.float32(2.5).reshape(()), "F32")})}
    return out


def pipeline_tokenizers():
    """Small tokenizer.json files whose pipelines use every stage type the
    reader knows (normalizers, pre-tokenizers, models, post-processors,
    decoders), so the fuzzer starts from valid files of each."""
    U = "\u2581"
    spec = [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
            {"SpecialToken": {"id": "</s>", "type_id": 0}}]
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "special": True,
              "normalized": False} for i, t in ((1, "<s>"), (2, "</s>"))]
    uni = [["<unk>", 0], ["<s>", 0], ["</s>", 0], [U, -2], [U + "the", -3], [U + "cat", -3], [U + "ca", -4],
           ["t", -4], ["s", -3], [U + "sat", -3.5], ["a", -5], ["c", -5], ["fi", -4], [U + "fi", -3.2],
           ["n", -5], ["e", -5], ["ne", -4], ["<0x41>", -9], ["<0xE2>", -9]]
    out = {
        "unigram_metaspace": {
            "version": "1.0", "added_tokens": added, "normalizer": {"type": "NFKC"},
            "pre_tokenizer": {"type": "Metaspace", "replacement": U, "prepend_scheme": "always", "split": True},
            "post_processor": {"type": "TemplateProcessing", "single": spec, "pair": spec,
                               "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]},
                                                  "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
            "decoder": {"type": "Metaspace", "replacement": U, "prepend_scheme": "always"},
            "model": {"type": "Unigram", "unk_id": 0, "vocab": uni, "byte_fallback": True}},
        "wordlevel_truncation": {
            "version": "1.0", "truncation": {"direction": "Right", "max_length": 5, "strategy": "LongestFirst",
                                             "stride": 0},
            "added_tokens": [], "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Lowercase"}, {"type": "StripAccents"}, {"type": "NFD"}, {"type": "Strip",
                                                                                  "strip_left": True,
                                                                                  "strip_right": True}]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"},
                {"type": "Digits", "individual_digits": True}]},
            "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 1], "sep": ["[SEP]", 2]},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordLevel", "unk_token": "[UNK]",
                      "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "b": 4, "c": 5, "1": 6, ".": 7}}},
        "bpe_split_regex": {
            "version": "1.0", "added_tokens": [{"id": 9, "content": "<|eot|>", "single_word": False,
                                                "lstrip": True, "rstrip": False, "special": True,
                                                "normalized": False}],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFC"}, {"type": "Replace", "pattern": {"String": "  "}, "content": " "},
                {"type": "Prepend", "prepend": U}]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"},
                 "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
            "post_processor": {"type": "Sequence", "processors": [
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
                {"type": "RobertaProcessing", "cls": ["<s>", 1], "sep": ["</s>", 2], "trim_offsets": True,
                 "add_prefix_space": False}]},
            "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"},
                                                         {"type": "Replace", "pattern": {"String": U},
                                                          "content": " "},
                                                         {"type": "Strip", "content": " ", "start": 1,
                                                          "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                      "ignore_merges": False,
                      "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "t": 3, "h": 4, "e": 5, "th": 6, "the": 7,
                                "<0x41>": 8, "<|eot|>": 9},
                      "merges": [["t", "h"], ["th", "e"]]}},
        "bert_pipeline": {
            "version": "1.0", "added_tokens": [], "normalizer": {"type": "BertNormalizer", "clean_text": True,
                                                                "handle_chinese_chars": True,
                                                                "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Whitespace"}, {"type": "CharDelimiterSplit", "delimiter": "-"},
                {"type": "Split", "pattern": {"String": "'"}, "behavior": "MergedWithPrevious",
                 "invert": False}]},
            "post_processor": {"type": "BertProcessing", "cls": ["[CLS]", 2], "sep": ["[SEP]", 3]},
            "decoder": {"type": "CTC", "pad_token": "[PAD]", "word_delimiter_token": "|", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100,
                      "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "the": 4, "cat": 5, "##s": 6,
                                "sat": 7, "'": 8, "t": 9}}},
        "nmt_bpe_decoder": {
            "version": "1.0", "added_tokens": [], "normalizer": {"type": "Nmt"},
            "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None,
            "decoder": {"type": "BPEDecoder", "suffix": "</w>"},
            "model": {"type": "BPE", "unk_token": "<unk>", "end_of_word_suffix": "</w>",
                      "continuing_subword_prefix": "", "vocab": {"<unk>": 0, "a": 1, "b": 2, "a</w>": 3,
                                                                 "b</w>": 4, "ab</w>": 5},
                      "merges": ["a b</w>"]}},
    }
    return {k: json.dumps(v, ensure_ascii=False).encode() for k, v in out.items()}


def precompiled_tokenizer(tmp):
    """A Unigram tokenizer.json with a real Precompiled normalizer, small
    enough for the harness (SentencePiece's own nmt_nfkc charsmap is about
    240 KB): a model trained by SentencePiece on README.md's lines with
    six normalization rules of its own (ligature, fullwidth, circled digit,
    accent, trademark, ideographic space; a 1 KB charsmap), converted as
    test_tokenizer_spm.py converts (transformers' converter). None without
    python3-sentencepiece."""
    try:
        import io
        import sentencepiece as spm
        import test_tokenizer_spm
    except ImportError:
        return None
    rules = os.path.join(tmp, "rules.tsv")
    with open(rules, "w") as f:
        f.write("FB01\t66 69\nFF21\t41\n2460\t31\nE9\t65\n2122\t54 4D\n3000\t20\n")
    corpus = [line for line in read(os.path.join(ROOT, "README.md")).decode().split("\n") if line.strip()][:300]
    f = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=f, hard_vocab_limit=False,
                                   minloglevel=2, model_type="unigram", vocab_size=200, normalization_rule_tsv=rules,
                                   num_threads=1, character_coverage=0.98)
    pieces, norm, unk_id = test_tokenizer_spm.parse_model(f.getvalue())
    return json.dumps(test_tokenizer_spm.unigram_json(pieces, norm, unk_id), ensure_ascii=False).encode()


def npy_bytes(a, fortran=False, version=(1, 0)):
    """A .npy file as numpy.lib.format writes it."""
    a = np.asarray(a)
    descr = a.dtype.str
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, fortran, "(%s)" % "".join("%d, " % d for d in a.shape).rstrip(" ") if a.ndim != 1 else "(%d,)" % a.shape[0])
    h = h.replace(", )", ")")
    hb = h.encode()
    lenlen = 2 if version[0] == 1 else 4
    pad = (64 - (6 + 2 + lenlen + len(hb) + 1) % 64) % 64
    hb += b" " * pad + b"\n"
    pre = b"\x93NUMPY" + bytes(version) + (struct.pack("<H", len(hb)) if lenlen == 2 else struct.pack("<I", len(hb)))
    return pre + hb + (a.T if fortran else a).tobytes(order="C")


def from_inputs(tmp):
    """--from seeds: attnviz's own CSV and JSON (self- and cross-attention,
    an aggregate, several layers), .npy arrays of every dtype, order and
    rank, and tokens files; packed as fuzz_from.c reads them (the first
    byte chooses the file name, the tokens and the view)."""
    out = {}
    base = [BIN, "--seed", "3", "--dim", "8", "--heads", "2", "--layers", "2"]
    for name, args, sel in [("csv", ["-f", "csv"], 0), ("csv_mean", ["-f", "csv", "--aggregate", "mean"], 0),
                            ("json", ["-f", "json"], 1), ("json_cross", ["-f", "json", "--source", "a dog"], 1),
                            ("json_causal", ["-f", "json", "--causal"], 1), ("sniffed_csv", ["-f", "csv"], 3)]:
        data = subprocess.run(base + args + ["The cat sat."], check=True, capture_output=True).stdout
        for view in (0, 2, 5, 7):
            out["%s_v%d" % (name, view)] = bytes([sel | view << 4]) + data
    g = np.random.default_rng(2)

    def soft(shape):
        x = np.exp(g.standard_normal(shape))
        return x / x.sum(-1, keepdims=True)
    toks = b"the\ncat\nsat\n"
    for name, arr, fortran in [("f4_4d", soft((2, 2, 3, 3)).astype("<f4"), False),
                               ("f2_3d", soft((2, 3, 3)).astype("<f2"), False),
                               ("f8_2d", soft((3, 3)).astype("<f8"), False),
                               ("be_f4", soft((1, 2, 3, 3)).astype(">f4"), False),
                               ("fortran", soft((2, 3, 3)).astype("<f4"), True)]:
        data = npy_bytes(arr, fortran)
        out["npy_" + name + "_file"] = bytes([2 | 1 << 2 | 2 << 4]) + pack([("attention.npy", data), ("tokens.txt", toks)])
        out["npy_" + name + "_sniffed"] = bytes([3 | 2 << 2 | 6 << 4]) + data
    out["npy_v2_inline"] = bytes([2 | 3 << 2 | 5 << 4]) + npy_bytes(np.ones((1, 1), "<f4"), version=(2, 0))
    out["npy_nan"] = bytes([2 | 1 << 2]) + pack([("attention.npy", npy_bytes(np.full((3, 3), np.nan, "<f4"))),
                                                  ("tokens.txt", toks)])
    out["csv_bad_cell"] = bytes([0]) + (b"layer,head,query_index,query_token,key_index,key_token,weight\n"
                                        b"1,1,0,a,0,a,1\n1,1,0,a,0,a,1\n")
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    bad = os.path.join(ROOT, "tests", "bad")
    with tempfile.TemporaryDirectory() as tmp:
        # json_model
        for p in sorted(glob.glob(os.path.join(bad, "*.json"))) + [os.path.join(ROOT, "data", "tiny-2head.json")]:
            save("json_model", os.path.basename(p), read(p))
        for p in json_models(tmp):
            save("json_model", os.path.basename(p), read(p))
        save("json_model", "bert_arch.json", arch_json("bert"))
        save("json_model", "gpt2_arch.json", arch_json("gpt2"))

        # safetensors
        for p in sorted(glob.glob(os.path.join(bad, "checkpoints", "*.safetensors"))):
            save("safetensors", os.path.basename(p), read(p))
        for name, data in small_safetensors().items():
            save("safetensors", name + ".safetensors", data)

        # shard_index: the good index with its shards, and each bad index
        ck = os.path.join(bad, "checkpoints")
        shards = [read(os.path.join(ck, "good_shard%d.safetensors" % i)) for i in (1, 2, 3)]
        for p in sorted(glob.glob(os.path.join(ck, "*index*.json"))):
            text = read(p).replace(b"good_shard1.safetensors", b"model-00001-of-00002.safetensors") \
                          .replace(b"good_shard2.safetensors", b"model-00002-of-00002.safetensors") \
                          .replace(b"good_shard3.safetensors", b"model.safetensors")
            save("shard_index", os.path.basename(p), pack(
                [("model.safetensors.index.json", text), ("model-00001-of-00002.safetensors", shards[0]),
                 ("model-00002-of-00002.safetensors", shards[1]), ("model.safetensors", shards[2])]))

        # hf_dir: every directory of tests/bad/hf, the tiny checkpoints, data/pretrained's config
        for d in sorted(glob.glob(os.path.join(bad, "hf", "*"))):
            if os.path.isdir(d):
                save("hf_dir", os.path.basename(d), pack_dir(d, HF_FILES))
        for name, d in tiny_checkpoints(tmp) + decoder_checkpoints(tmp) + seq2seq_checkpoints(tmp):
            save("hf_dir", name, pack_dir(d, HF_FILES))
            for f in ("tokenizer.json",):
                if os.path.isfile(os.path.join(d, f)):
                    save("tokenizer_json", name + ".json", read(os.path.join(d, f)))
            if os.path.isfile(os.path.join(d, "vocab.json")):
                save("bpe_files", name, pack_dir(d, ["vocab.json", "merges.txt"]))
            if os.path.isfile(os.path.join(d, "vocab.txt")):
                save("vocab_txt", name, b"\x01" + read(os.path.join(d, "vocab.txt")))
        rd = overflow_checkpoint(tmp)
        os.makedirs(os.path.join(OUT, "regressions"), exist_ok=True)
        save("regressions", "hf_dir-bert-weights-1e30", pack_dir(rd, HF_FILES))

        # spm: SentencePiece model files
        for name, data in spm_models(tmp).items():
            save("spm", name, data)
        for d in sorted(glob.glob(os.path.join(bad, "hf", "*"))):
            for f in ("spiece.model", "source.spm"):
                if os.path.isfile(os.path.join(d, f)):
                    save("spm", os.path.basename(d) + "_" + f, read(os.path.join(d, f)))

        # tokenizers
        tk = os.path.join(bad, "tokenizer")
        for p in sorted(glob.glob(os.path.join(tk, "tokenizer_*.json"))):
            save("tokenizer_json", os.path.basename(p), read(p))
        bert = os.path.join(bad, "hf", "bert")
        for name, data in pipeline_tokenizers().items():
            save("tokenizer_json", name + ".json", data)
            if name != "nmt_bpe_decoder":  # fuzz_sentence.c's tokenizers 4-7
                with open(os.path.join(ROOT, "tests", "fuzz", "tokenizers", name + ".json"), "wb") as f:
                    f.write(data)
            save("hf_dir", "bert_" + name, pack([("config.json", read(os.path.join(bert, "config.json"))),
                                                 ("model.safetensors", read(os.path.join(bert, "model.safetensors"))),
                                                 ("tokenizer.json", data)]))
        pre_tj = precompiled_tokenizer(tmp)
        if pre_tj:
            save("tokenizer_json", "unigram_precompiled_rules.json", pre_tj)
        for p in sorted(glob.glob(os.path.join(tk, "vocab_*.txt"))):
            save("vocab_txt", os.path.basename(p), b"\x01" + read(p))
            save("vocab_txt", "cased_" + os.path.basename(p), b"\x00" + read(p))
        save("vocab_txt", "bert", b"\x01" + read(os.path.join(bad, "hf", "bert", "vocab.txt")))
        pre = read(os.path.join(ROOT, "data", "pretrained", "vocab.txt")).split(b"\n")
        save("vocab_txt", "pretrained_head", b"\x01" + b"\n".join(pre[:1200]) + b"\n")
        small_vocab = read(os.path.join(tk, "small_vocab.json"))
        for p in sorted(glob.glob(os.path.join(tk, "merges_*.txt"))):
            save("bpe_files", os.path.basename(p), pack([("vocab.json", small_vocab), ("merges.txt", read(p))]))
        for p in sorted(glob.glob(os.path.join(tk, "vocab_json_*.json"))):
            save("bpe_files", os.path.basename(p),
                 pack([("vocab.json", read(p)), ("merges.txt", read(os.path.join(tk, "merges_ok.txt")))]))
        save("bpe_files", "gpt2", pack_dir(os.path.join(bad, "hf", "gpt2"), ["vocab.json", "merges.txt"]))

        # sentence: the tokenizer test inputs, one line each, under option bytes
        # that reach every tokenizer, model and view
        lines = []
        for p in sorted(glob.glob(os.path.join(ROOT, "tests", "data", "tokenizer-extra", "*.inp"))):
            lines += [line for line in read(p).split(b"\n") if line.strip()]
        lines += [b"The animal didn't cross the street because it was too tired.",
                  b"The cat sat.\tA dog ran."]
        seen = set()
        for i, line in enumerate(lines):
            if line in seen:
                continue
            seen.add(line)
            opts = bytes([(i * 37) & 0xFF, (i * 11) & 0xFF, (i * 53) & 0xFF, (i * 29) & 0xFF, (i * 71) & 0xFF])
            save("sentence", "line%03d" % i, opts + line[:1000])
        for b0 in range(0, 256, 8):
            save("sentence", "opts%03d" % b0, bytes([b0, b0 ^ 0x81, 7, b0 >> 1, 255 - b0]) +
                 b"The cat sat on the mat, didn't it?")

        # from: attention files for --from
        for name, data in from_inputs(tmp).items():
            save("from", name, data)

        # cli: command lines of the manual and the tests
        cmds = [["-l", "3", "-H", "1,2", "The animal didn't cross the street."],
                ["--color", "never", "-q", "it", "-l", "3", "it was tired"],
                ["-f", "csv", "-o", "out.csv", "a b c"], ["-f", "png", "--grid", "--scale", "2", "-o", "g.png", "x"],
                ["--seed", "7", "--heads", "2", "--dim", "8", "--layers", "2", "--causal", "x y"],
                ["--score", "additive", "--plain", "a"], ["--explain", "it", "-f", "json", "a it b"],
                ["--aggregate", "max", "-f", "svg", "-o", "d", "a"], ["--rollout", "--words", "--no-special", "a"],
                ["--source", "the dog", "-m", "seeded", "a cat"], ["--top", "3", "--width", "120", "--values", "a"],
                ["--colormap", "magma", "--dpi", "192", "--title", "T", "--font", "f.ttf", "--transparent", "a"],
                ["-m", "data/pretrained", "--time", "--layer-norm", "pre", "a"], ["--lowercase", "-V"], ["--help"],
                ["--top", "\x1b[31mX"], ["-x"], ["--frobnicate"], ["-l"], ["--layer", "2-1"], ["-H", "0"],
                ["--save-model", "m.json", "--seed", "3"], ["-f", "none", "--", "-l", "x"],
                ["--norm", "row", "--log", "--vmin", "0.001", "--vmax", "1", "a"], ["--overview", "--no-pager", "a"],
                ["--truncate", "8", "a b"], ["--window", "8", "--stride", "4", "-f", "csv", "a"],
                ["--from", "x.npy", "--tokens", "a b c"], ["-f", "png", "--cell", "12", "-o", "x.png", "a"],
                ["--colr", "never", "a"], ["--la", "2", "a"], ["--generate", "3", "-m", "tests/bad/hf/llama", "a b"]]
        for i, c in enumerate(cmds):
            save("cli", "cmd%02d" % i, b"\0".join(a.encode() for a in c))
    print("seeds in", OUT)


if __name__ == "__main__":
    main()
