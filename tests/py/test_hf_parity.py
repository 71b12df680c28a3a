"""test_hf_parity.py — attnviz on Hugging Face checkpoints against a PyTorch
reference that follows transformers' modeling code (tests/py/hf_ref.py).

For each configuration (12 BERT, 12 GPT-2, 2 RoBERTa, 2 DistilBERT: layers
1-4, heads 1-12, sentences of 1-128 tokens, F32/F16/BF16 files, sharded
checkpoints, prefixed and unprefixed names with the extra tensors of a real
checkpoint, odd head sizes, vocab.txt / tokenizer.json / vocab.json +
merges.txt, `-m DIR` and `-m DIR/model.safetensors`) a random checkpoint in
the exact Hugging Face layout is written to a temporary directory and

    $ATTNVIZ -m DIR -f json -l all -H all "sentence"

is compared with the reference run in float64 on the ids attnviz reports:

  * PASS/FAIL NAME: max |attnviz - reference| over every layer and head
    <= 1e-4 (the max is printed);
  * NAME/tokens: the ids (and special flags) equal this file's own
    tokenization (hf_tok.py) with the model's specials; NAME/labels: the
    token texts are the display texts of subword.h;
  * NAME/rows: every row sums to 1 within 1e-5; NAME/causal (GPT-2): every
    cell with key > query is exactly 0;
  * NAME/csv: `-f csv` gives the same tokens and the same weights as JSON.

While attnviz rejects a model, the configuration prints one FAIL line with
attnviz's exit status and message. gpt2-12 sets GPT2Config's
scale_attn_by_inverse_layer_idx: attnviz must follow it, or refuse the model
(exit 2, a message naming the key); ignoring it fails.

Independently of the binary, every run also checks the Python side: ref/NAME (the reference against a second
formulation built on torch.nn.MultiheadAttention, <= 1e-12, and the float32
error of the reference, which picks a weight scale whose float32 arithmetic
can reach the tolerance), sensitivity/* (plausible mistakes, e.g. the
other GELU, positions from 0 in RoBERTa, BF16 truncated, applied to the
reference: each must move some configuration by more than 1e-4, or the
suite could not see it), writer/roundtrip (every file read back bit-exact
by hf_ref.read_checkpoint), writer/bf16 and writer/f16 (the numpy rounding
against torch's own conversions), pytok/* (the Python tokenizers against the
reference ids in $REFERENCE_DIR/tokenizer-tests, SKIP when absent).

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_hf_parity.py [NAME-SUBSTRING]
"""
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import suite  # noqa: E402
from suite import check  # noqa: E402

try:
    import numpy as np
    import torch
    torch.set_num_threads(2)
except Exception as e:  # a missing torch is a failure: the set-up installs it
    print("FAIL torch-import: %s (run with /usr/bin/python3)" % e)
    sys.exit(1)

import attnviz_ref as R  # noqa: E402
import hf_ref  # noqa: E402
import hf_tok  # noqa: E402
from hf_ref import Spec  # noqa: E402

TOL = 1e-4

# name: (Spec, text tokens (without specials), how attnviz is pointed at it
#        [, a config key whose refusal, exit 2 with a message naming it, also passes])
CONFIGS = [
    ("bert01", Spec("bert", 8, 1, 1, seed=1), 1, "dir"),
    ("bert02", Spec("bert", 16, 2, 2, dtype="F16", prefixed=True, extras=True, seed=2, vocab_seed=2), 8, "dir"),
    ("bert03", Spec("bert", 48, 12, 4, max_pos=136, prefixed=True, extras=True, seed=3, scale=1.5), 126, "file"),
    ("bert04", Spec("bert", 15, 3, 3, ffn=37, dtype="BF16", seed=4, vocab_seed=4), 18, "dir"),   # head size 5
    ("bert05", Spec("bert", 32, 4, 2, shards=3, prefixed=True, extras=True, seed=5), 38, "dir"),
    ("bert06", Spec("bert", 24, 6, 1, tokenizer="json", seed=6, vocab_seed=6), 15, "dir"),
    ("bert07", Spec("bert", 64, 8, 3, dtype="F16", tokenizer="json", lowercase=False, prefixed=True,
                    seed=7, scale=1.5), 62, "dir"),
    ("bert08", Spec("bert", 35, 5, 2, eps=0.5, seed=8, vocab_seed=8), 7, "file"),            # eps that matters
    ("bert09", Spec("bert", 20, 2, 4, dtype="BF16", shards=2, seed=9, scale=2.0), 88, "dir"),
    ("bert10", Spec("bert", 36, 12, 1, dtype="F16", seed=10, vocab_seed=10), 48, "file"),    # head size 3
    ("bert11", Spec("bert", 21, 7, 2, prefixed=True, extras=True, legacy_ln=True, seed=11), 12, "dir"),
    ("bert12", Spec("bert", 16, 4, 1, dtype="BF16", seed=12), "unk", "dir"),
    ("gpt2-01", Spec("gpt2", 8, 1, 1, seed=21), 1, "dir"),
    ("gpt2-02", Spec("gpt2", 16, 2, 2, dtype="F16", prefixed=True, extras=True, seed=22), 12, "dir"),
    ("gpt2-03", Spec("gpt2", 48, 12, 4, max_pos=128, extras=True, seed=23, scale=1.5), 128, "file"),
    ("gpt2-04", Spec("gpt2", 15, 3, 3, dtype="BF16", seed=24), 25, "dir"),                  # head size 5
    ("gpt2-05", Spec("gpt2", 32, 4, 2, shards=2, prefixed=True, seed=25), 50, "dir"),
    ("gpt2-06", Spec("gpt2", 24, 6, 1, ffn=40, dtype="F16", seed=26), 7, "dir"),            # n_inner 40
    ("gpt2-07", Spec("gpt2", 64, 8, 3, dtype="BF16", prefixed=True, extras=True, seed=27, scale=2.0), 100, "dir"),
    ("gpt2-08", Spec("gpt2", 35, 5, 2, eps=0.5, seed=28), 18, "file"),                      # eps that matters
    ("gpt2-09", Spec("gpt2", 20, 2, 4, tokenizer="json", seed=29), 33, "dir"),
    ("gpt2-10", Spec("gpt2", 36, 12, 1, dtype="F16", seed=30, scale=1.5), 64, "file"),      # head size 3
    ("gpt2-11", Spec("gpt2", 21, 3, 3, shards=3, extras=True, seed=31), 40, "dir"),
    # a GPT2Config flag some checkpoints set: attnviz must follow it or refuse the model, never ignore it
    ("gpt2-12", Spec("gpt2", 24, 4, 3, seed=32, scale=1.5, more={"scale_attn_by_inverse_layer_idx": True}),
     30, "dir", "scale_attn_by_inverse_layer_idx"),
    ("roberta01", Spec("roberta", 32, 4, 2, prefixed=True, extras=True, seed=41), 20, "dir"),
    ("roberta02", Spec("roberta", 12, 2, 1, dtype="F16", seed=42), 9, "file"),
    ("distilbert01", Spec("distilbert", 32, 4, 2, prefixed=True, extras=True, seed=51), 21, "dir"),
    ("distilbert02", Spec("distilbert", 15, 3, 3, dtype="BF16", seed=52, vocab_seed=52), 11, "file"),
]
UNK_SENTENCE = "The café near the 中 river, naïve dogs ran!"


def describe(spec, n, how):
    parts = ["L%d H%d d%d" % (spec.layers, spec.heads, spec.d), "n=%d" % n, spec.dtype]
    if spec.shards:
        parts.append("%d shards" % spec.shards)
    parts.append("prefixed" if spec.prefixed else "base names")
    if spec.extras:
        parts.append("+extras")
    if spec.legacy_ln:
        parts.append("LayerNorm.gamma/beta")
    if spec.eps is not None:
        parts.append("eps %g" % spec.eps)
    parts.extend("%s %s" % (k, json.dumps(v)) for k, v in (spec.more or {}).items())
    if spec.arch in ("bert", "distilbert"):
        parts.append("tokenizer.json" if spec.tokenizer == "json" else "vocab.txt")
        if not spec.lowercase:
            parts.append("cased")
    else:
        parts.append("tokenizer.json" if spec.tokenizer == "json" else "vocab.json+merges.txt")
    parts.append("-m FILE" if how == "file" else "-m DIR")
    return ", ".join(parts)


def condition(spec, tok, ids):
    """Random base weights at spec.scale, multiplied by 0.7 until the float32
    run of the reference is within TOL/8 of float64 on these ids (attnviz
    computes in float32: a model on which float32 itself cannot reach the
    tolerance tests nothing). Returns (base, err32)."""
    cfg = hf_ref.config_json(spec, len(tok.vocab))
    for _ in range(12):
        base = hf_ref.random_weights(spec, len(tok.vocab), cfg.get("type_vocab_size", 2))
        W = {k: torch.from_numpy(hf_ref.quantize(v, spec.dtype)) for k, v in base.items()}
        a64 = hf_ref.hf_attentions(spec.arch, cfg, W, ids, torch.float64)
        a32 = hf_ref.hf_attentions(spec.arch, cfg, W, ids, torch.float32)
        err32 = float((a32.double() - a64).abs().max())
        if err32 <= TOL / 8:
            break
        spec.scale *= 0.7
    return base, err32


def run(args):
    try:
        return R.run_attnviz(args, stdin=b"")
    except FileNotFoundError as e:
        return 127, b"", str(e).encode()


def first_line(err):
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "(no message)"


def json_tokens(doc):
    return [(t.get("id"), bool(t.get("special", False)), t.get("text")) for t in doc["tokens"]]


class Totals:
    roundtrip_files = 0
    roundtrip_bad = []
    effects = {}   # mutation -> [(config, max |mutated - reference|)]


# Plausible implementation mistakes, applied to the reference: the suite can
# catch one only if some configuration moves by more than TOL under it.
MUTATIONS = {
    "gelu-variant": "erf GELU and the tanh approximation swapped (BERT gelu / GPT-2 gelu_new)",
    "eps-from-config": "the class default epsilon instead of config.json's",
    "roberta-positions": "RoBERTa positions from 0 instead of padding_idx + 1",
    "token-type": "BERT's token_type_embeddings[0] left out",
    "gpt2-scale": "GPT-2 scores not divided by sqrt(head size)",
    "gpt2-inverse-layer-idx": "GPT-2's scale_attn_by_inverse_layer_idx ignored",
    "bf16-truncation": "BF16 truncated instead of rounded to nearest even",
}


def mutation_effects(name, spec, cfg, W, base, ids, ref):
    def effect(kind, arch=spec.arch, c=cfg, w=W):
        diff = float((hf_ref.hf_attentions(arch, c, w, ids) - ref).abs().max())
        Totals.effects.setdefault(kind, []).append((name, diff))

    act = {"gpt2": ("activation_function", "gelu"), "distilbert": ("activation", "gelu_new")}.get(
        spec.arch, ("hidden_act", "gelu_new"))
    effect("gelu-variant", c=dict(cfg, **{act[0]: act[1]}))
    if spec.eps is not None:
        key = "layer_norm_epsilon" if spec.arch == "gpt2" else "layer_norm_eps"
        effect("eps-from-config", c=dict(cfg, **{key: 1e-5 if spec.arch in ("gpt2", "roberta") else 1e-12}))
    if spec.arch == "roberta":
        effect("roberta-positions", arch="bert")
    if spec.arch in ("bert", "roberta"):
        w = dict(W)
        w["embeddings.token_type_embeddings.weight"] = torch.zeros_like(W["embeddings.token_type_embeddings.weight"])
        effect("token-type", w=w)
    if spec.arch == "gpt2":
        effect("gpt2-scale", c=dict(cfg, scale_attn_weights=False))
    if cfg.get("scale_attn_by_inverse_layer_idx"):
        effect("gpt2-inverse-layer-idx", c=dict(cfg, scale_attn_by_inverse_layer_idx=False))
    if spec.dtype == "BF16":
        trunc = {k: torch.from_numpy(((np.asarray(v, np.float32).view(np.uint32) >> 16) << 16).view(np.float32))
                 for k, v in base.items()}
        effect("bf16-truncation", w=trunc)


def sensitivity_checks():
    for kind, what in MUTATIONS.items():
        rows = Totals.effects.get(kind, [])
        caught = [(n, e) for n, e in rows if e > TOL]
        best = max(rows, key=lambda r: r[1]) if rows else ("-", 0.0)
        check("sensitivity/" + kind, bool(caught),
              "%s: caught by %d of %d configurations (largest effect %.1e in %s)" % (
                  what, len(caught), len(rows), best[1], best[0]))


def one_config(name, spec, n_text, how, tmp, may_refuse=None):
    tok = hf_ref.tokenizer_for(spec)
    sentence = UNK_SENTENCE if n_text == "unk" else hf_ref.random_sentence(tok, n_text, spec.seed)
    my_ids = tok.encode(sentence)
    base, err32 = condition(spec, tok, my_ids)
    d = os.path.join(tmp, name)
    cfg, tok, written = hf_ref.make_checkpoint(d, spec, base)
    label = "%s (%s)" % (name, describe(spec, len(my_ids), how))

    # the writer: everything reads back bit for bit
    back = hf_ref.read_checkpoint(d)
    Totals.roundtrip_files += 1
    for k, (arr, dt) in written.items():
        want = hf_ref.quantize(arr, dt) if dt in ("F32", "F16", "BF16") else np.asarray(arr)
        got = back.get(k)
        if got is None or got[1] != dt or not np.array_equal(np.asarray(got[0], dtype=want.dtype), want):
            Totals.roundtrip_bad.append("%s:%s" % (name, k))
    cfg = json.load(open(os.path.join(d, "config.json")))
    W = hf_ref.base_weights(spec.arch, back)

    # the reference against the nn.MultiheadAttention formulation
    ref = hf_ref.hf_attentions(spec.arch, cfg, W, my_ids)
    alt = hf_ref.mha_attentions(spec.arch, cfg, W, my_ids)
    dref = float((ref - alt).abs().max())
    check("ref/" + name, dref <= 1e-12 and err32 <= TOL / 8,
          "HF-style float64 vs nn.MultiheadAttention %.1e, float32 error of the reference %.1e, "
          "weight scale %.3g, mean row max %.2f" % (dref, err32, spec.scale, float(ref.max(-1).values.mean())))
    mutation_effects(name, spec, cfg, W, base, my_ids, ref)

    target = os.path.join(d, "model.safetensors") if how == "file" else d
    rc, out, err = run(["-m", target, "-f", "json", "-l", "all", "-H", "all", sentence])
    if rc != 0:
        refused = may_refuse and rc == 2 and may_refuse in first_line(err)
        check(label, refused, "%sattnviz exit %d: %s" % ("refused, as allowed: " if refused else "", rc,
                                                          first_line(err)))
        return
    try:
        doc = json.loads(out.decode("utf-8"))
        toks = json_tokens(doc)
        _, got, layers, heads = R.parse_json(out)
    except (ValueError, KeyError, TypeError) as e:
        check(label, False, "unreadable JSON output: %s" % e)
        return
    ids = [t[0] for t in toks]
    want_special = [i in (0, len(my_ids) - 1) for i in range(len(my_ids))] if spec.arch != "gpt2" \
        else [False] * len(my_ids)
    check(name + "/tokens", ids == my_ids and [t[1] for t in toks] == want_special,
          "%d tokens" % len(ids) if ids == my_ids else "attnviz ids %s specials %s, expected %s" % (
              ids[:12], [t[1] for t in toks][:12], my_ids[:12]))
    if ids == my_ids:
        texts = [t[2] for t in toks]
        want_texts = [tok.display(i) for i in my_ids]
        bad = [(a, b) for a, b in zip(texts, want_texts) if a != b]
        check(name + "/labels", not bad, "" if not bad else "%d differ, first attnviz %r expected %r" % (
            len(bad), bad[0][0], bad[0][1]))
    if not all(isinstance(i, int) and 0 <= i < len(tok.vocab) for i in ids):
        check(label, False, "attnviz reports ids outside the vocabulary: %s" % ids[:12])
        return
    ref = hf_ref.hf_attentions(spec.arch, cfg, W, ids).numpy()
    if got.shape != ref.shape:
        check(label, False, "attnviz weights %s, reference %s (layers %s heads %s)" % (
            got.shape, ref.shape, layers, heads))
        return
    diff = float(np.abs(got - ref).max())
    where = np.unravel_index(int(np.argmax(np.abs(got - ref))), got.shape)
    check(label, diff <= TOL, "max |attnviz - reference| %.2e%s" % (
        diff, "" if diff <= TOL else " at layer %d head %d query %d key %d" % tuple(int(v) + 1 for v in where)))
    rows = float(np.abs(got.sum(-1) - 1).max())
    check(name + "/rows", rows <= 1e-5, "max |row sum - 1| %.1e" % rows)
    if spec.arch == "gpt2":
        upper = got[..., np.triu_indices(got.shape[-1], 1)[0], np.triu_indices(got.shape[-1], 1)[1]]
        nz = int(np.count_nonzero(upper))
        check(name + "/causal", nz == 0, "%d cells with key > query, %d not exactly 0" % (upper.size, nz))
    rc, csv_out, err = run(["-m", target, "-f", "csv", "-l", "all", "-H", "all", sentence])
    if rc != 0:
        check(name + "/csv", False, "attnviz -f csv exit %d: %s" % (rc, first_line(err)))
        return
    try:
        ctoks, cw, _, _ = R.parse_csv(csv_out)
    except ValueError as e:
        check(name + "/csv", False, "unreadable CSV: %s" % e)
        return
    same_shape = cw.shape == got.shape
    cdiff = float(np.abs(cw - got).max()) if same_shape else float("inf")
    check(name + "/csv", same_shape and cdiff <= 1e-9 and ctoks == [t[2] for t in toks],
          "CSV %s vs JSON %s, max |csv - json| %.1e, tokens %s" % (
              cw.shape, got.shape, cdiff, "equal" if ctoks == [t[2] for t in toks] else "differ"))


def writer_checks():
    g = np.random.default_rng(5)
    x = np.concatenate([g.standard_normal(20000).astype(np.float32) * 10.0 ** g.integers(-30, 30, 20000),
                        np.array([0.0, -0.0, np.inf, -np.inf, 3.4028235e38, -3.4028235e38, 1e-45,
                                  1.00390625, 1.01171875, 1.005859375], dtype=np.float32)])
    x = x.astype(np.float32)
    ties = (g.integers(0, 1 << 16, 2000, dtype=np.uint32) << 16 | 0x8000).view(np.float32)  # exact ties
    x = np.concatenate([x, ties[np.isfinite(ties)]])
    mine = hf_ref.bf16_to_f32(hf_ref.bf16_bits(x))
    theirs = torch.from_numpy(x).to(torch.bfloat16).to(torch.float32).numpy()
    ok = np.array_equal(mine.view(np.uint32), theirs.view(np.uint32))
    check("writer/bf16", ok, "%d values (ties, subnormals, inf, max) rounded as torch's bfloat16 conversion"
          % x.size if ok else "%d differ" % int(np.sum(mine.view(np.uint32) != theirs.view(np.uint32))))
    nan = hf_ref.bf16_to_f32(hf_ref.bf16_bits(np.array([np.nan], dtype=np.float32)))
    check("writer/bf16-nan", bool(np.isnan(nan[0])), "NaN stays NaN")
    y = x[np.abs(x) < 60000]
    mine = hf_ref.quantize(y, "F16")
    theirs = torch.from_numpy(y).half().float().numpy()
    ok = np.array_equal(mine.view(np.uint32), theirs.view(np.uint32))
    check("writer/f16", ok, "%d values as torch's half conversion" % y.size)
    # the byte layout: header length, padding, offsets, sort order
    blob = hf_ref.safetensors_bytes({"b": (np.ones((2, 3), np.float32), "BF16"),
                                     "a": (np.arange(3, dtype=np.int64), "I64"),
                                     "c": (np.float32(2.5), "F32")}, {"format": "pt"})
    n = int.from_bytes(blob[:8], "little")
    hdr = json.loads(blob[8:8 + n])
    ok = (n % 8 == 0 and blob[8:8 + n].rstrip(b" ").endswith(b"}") and
          hdr["a"] == {"dtype": "I64", "shape": [3], "data_offsets": [0, 24]} and
          hdr["c"] == {"dtype": "F32", "shape": [], "data_offsets": [24, 28]} and
          hdr["b"] == {"dtype": "BF16", "shape": [2, 3], "data_offsets": [28, 40]} and
          hdr["__metadata__"] == {"format": "pt"} and len(blob) == 8 + n + 40 and
          blob[8 + n + 28:8 + n + 30] == b"\x80\x3f")
    check("writer/layout", ok, "8-byte length %d (multiple of 8, space padded), I64 then F32 then BF16, "
          "scalar shape [], bf16 1.0 = 80 3f" % n)


def tokenizer_checks():
    ref = os.environ.get("REFERENCE_DIR", os.path.join(HERE, "..", "..", "..", "shared", "reference"))
    cases = os.path.join(ref, "tokenizer-tests")

    def load(stem):
        inp = open(os.path.join(cases, stem + ".inp"), encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
        out = open(os.path.join(cases, stem + ".out"), encoding="utf-8").read().split("\n")
        return inp, out

    if not os.path.isdir(cases):
        print("SKIP pytok/bert-base-uncased: %s is absent (reference data)" % cases)
        print("SKIP pytok/gpt2: %s is absent (reference data)" % cases)
        return
    vocab = [l.rstrip("\n") for l in open(os.path.join(ref, "bert-base-uncased", "vocab.txt"), encoding="utf-8")]
    ids = {t: i for i, t in enumerate(vocab)}
    inp, out = load("bert-base-uncased")
    good = sum([ids[p] for p in hf_tok.bert_tokenize(s, ids)] == [int(v) for v in o.split()]
               for s, o in zip(inp, out))
    check("pytok/bert-base-uncased", good == len(inp), "hf_tok WordPiece: %d of %d reference cases" % (good, len(inp)))
    enc = json.load(open(os.path.join(ref, "gpt2", "encoder.json"), encoding="utf-8"))
    lines = open(os.path.join(ref, "gpt2", "vocab.bpe"), encoding="utf-8").read().split("\n")
    bpe = hf_tok.Bpe(enc, [tuple(l.split()) for l in lines[1:] if l.strip()])
    inp, out = load("gpt2")
    good = sum(bpe.encode(s) == [int(v) for v in o.split()] for s, o in zip(inp, out))
    check("pytok/gpt2", good == len(inp), "hf_tok byte-level BPE: %d of %d reference cases" % (good, len(inp)))


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    t0 = time.time()
    writer_checks()
    tokenizer_checks()
    with tempfile.TemporaryDirectory(prefix="attnviz-hf-") as tmp:
        ran = 0
        for name, spec, n_text, how, *may_refuse in CONFIGS:
            if only and only not in name:
                continue
            one_config(name, spec, n_text, how, tmp, *may_refuse)
            ran += 1
    if not only:
        sensitivity_checks()
    check("writer/roundtrip", not Totals.roundtrip_bad,
          "%d checkpoints read back bit for bit" % Totals.roundtrip_files if not Totals.roundtrip_bad
          else "%d tensors differ, first %s" % (len(Totals.roundtrip_bad), Totals.roundtrip_bad[0]))
    print("# %d configurations in %.1f s" % (ran, time.time() - t0))
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
