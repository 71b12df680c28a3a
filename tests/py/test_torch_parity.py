"""test_torch_parity.py — attnviz's attention weights against PyTorch.

For each of 35 configurations (d_model 4..128, odd ones included; n_heads
1..8; n_layers 1..3; sentence length 1..64; biases or not; positional
sinusoidal/learned/none; score scaled_dot/dot; nested-array, shape/data or
mixed tensors; csv or json output; and, for the later format keys, layer_norm
pre/post, causal, projections false) a JSON model with a synthetic vocabulary
("w0", "w1", ... plus "[UNK]") is written, attnviz runs it over a sentence of
those words, and every per-head weight of every layer is compared with
torch.nn.MultiheadAttention run on the same float32 weights in float64.

Tolerance: 1e-5. Weights start at randn*0.5 (embeddings randn); a
configuration on which torch's own float32 result is more than TOL/8 away
from float64 is ill-conditioned (randn*0.5 at d_model 128 and three layers
gives logits of size ~100, one-hot softmaxes, float32 errors up to 0.6), so
its weight scale is multiplied by 0.7 until float32 arithmetic can reach the
tolerance; the scale used and torch's float32 error are printed on each line.

Also: an unknown word maps to [UNK]; lowercase folding before look-up; the
seeded model saved with --save-model loads back to byte-identical CSV; its
weights match the documented Xavier-uniform generator (rng.h); and the
example sentence's weights (tests/golden/example.csv and the live binary)
match torch with the hashed embeddings recomputed in Python.

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_torch_parity.py
"""
import os
import random
import sys
import tempfile


TOL = 1e-5
EXAMPLE = "The animal didn't cross the street because it was too tired."
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

try:
    import numpy as np
    import torch
    torch.manual_seed(1234)
    torch.set_num_threads(2)
except Exception as e:  # a missing torch is a failure: the set-up installs it
    print("FAIL torch-import: %s (run with /usr/bin/python3)" % e)
    sys.exit(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnviz_ref as R  # noqa: E402
import suite
from suite import report


def make_configs():
    """Deterministic list of configurations covering the space in the brief."""
    fixed = [
        # d, h, L, n, bias, positional, score, spelling, fmt
        (4, 1, 1, 1, True, "sinusoidal", "scaled_dot", "nested", "csv"),
        (4, 4, 1, 7, True, "sinusoidal", "scaled_dot", "shape", "csv"),
        (128, 8, 3, 64, True, "sinusoidal", "scaled_dot", "shape", "csv"),
        (128, 2, 3, 64, False, "learned", "dot", "mixed", "json"),
        (64, 8, 2, 64, True, "none", "scaled_dot", "nested", "csv"),
        (7, 7, 1, 5, True, "sinusoidal", "scaled_dot", "nested", "csv"),   # odd d
        (9, 3, 2, 12, False, "sinusoidal", "dot", "shape", "json"),       # odd d
        (5, 1, 3, 1, True, "learned", "scaled_dot", "nested", "csv"),
        (6, 3, 1, 2, False, "none", "dot", "shape", "csv"),
        (32, 4, 1, 33, True, "learned", "scaled_dot", "mixed", "csv"),
    ]
    rnd = random.Random(20240601)
    out = list(fixed)
    while len(out) < 28:
        h = rnd.randint(1, 8)
        d = h * rnd.randint(max(1, -(-4 // h)), 128 // h)
        out.append((d, h, rnd.randint(1, 3), rnd.randint(1, 64), rnd.random() < 0.6,
                    rnd.choice(["sinusoidal", "learned", "none"]),
                    rnd.choice(["scaled_dot", "dot"]),
                    rnd.choice(["nested", "shape", "mixed"]),
                    rnd.choice(["csv", "json"])))
    # the later additions of the model format: layer norm, causal masks,
    # plain attention without projections (cfg keys after the 9-tuple)
    out += [
        (16, 4, 3, 20, True, "sinusoidal", "scaled_dot", "shape", "csv", {"layer_norm": "post"}),
        (24, 3, 2, 17, False, "learned", "dot", "nested", "json", {"layer_norm": "pre"}),
        (32, 8, 2, 9, True, "none", "scaled_dot", "mixed", "csv", {"layer_norm": "post", "ln_tensors": False}),
        (12, 2, 3, 30, True, "sinusoidal", "scaled_dot", "shape", "csv", {"causal": True}),
        (40, 5, 2, 64, True, "sinusoidal", "dot", "nested", "json", {"causal": True, "layer_norm": "pre"}),
        (8, 2, 2, 11, True, "sinusoidal", "scaled_dot", "nested", "csv", {"projections": False}),
        (20, 4, 3, 13, False, "none", "scaled_dot", "shape", "csv",
         {"projections": False, "layer_norm": "post", "causal": True}),
    ]
    return out


def random_model(d, h, L, vocab_size, bias, positional, score, max_pos, scale=0.5, more=None):
    more = dict(more or {})
    ln_tensors = more.pop("ln_tensors", True)
    cfg = {"d_model": d, "n_heads": h, "n_layers": L, "score": score,
           "positional": positional, "causal": False}
    cfg.update(more)
    if max_pos is not None:
        cfg["max_positions"] = max_pos
    t = {"embeddings.token": torch.randn(vocab_size, d).numpy().astype(np.float32)}
    if positional == "learned":
        t["embeddings.position"] = torch.randn(max_pos, d).numpy().astype(np.float32)
    for layer in range(L):
        if cfg.get("layer_norm", "none") != "none" and ln_tensors:
            t["layers.%d.ln.weight" % layer] = (1 + 0.2 * torch.randn(d)).numpy()
            t["layers.%d.ln.bias" % layer] = (0.2 * torch.randn(d)).numpy()
        if not cfg.get("projections", True):
            continue    # plain attention: no attn.* tensors at all
        for p in "qkvo":
            t["layers.%d.attn.%s.weight" % (layer, p)] = (torch.randn(d, d) * scale).numpy()
            if bias:
                t["layers.%d.attn.%s.bias" % (layer, p)] = (torch.randn(d) * scale).numpy()
    return cfg, t


def conditioned_model(d, h, L, vocab_size, bias, positional, score, max_pos, ids, more=None):
    """random_model() at weight scale 0.5, scaled by 0.7 until torch's
    float32 result is within TOL/8 of float64 on this sentence (attnviz's
    float32 error was measured at up to 3.3x torch's)."""
    scale = 0.5
    for _ in range(30):
        cfg, tensors = random_model(d, h, L, vocab_size, bias, positional, score, max_pos, scale, more)
        x = R.embed(cfg, tensors, ids=ids)
        err32 = float(abs(R.torch_attention(cfg, tensors, x, "float32")
                          - R.torch_attention(cfg, tensors, x, "float64")).max())
        if err32 <= TOL / 8:
            break
        scale *= 0.7
    return cfg, tensors, scale


def run_and_parse(model_path, sentence, fmt, extra_args=()):
    rc, out, err = R.run_attnviz(["-m", model_path, "-f", fmt, "-l", "all", "-H", "all"]
                                 + list(extra_args) + [sentence], stdin=b"")
    if rc != 0:
        raise RuntimeError("exit %d: %s" % (rc, err.decode("utf-8", "replace").strip()))
    return R.parse_csv(out) if fmt == "csv" else R.parse_json(out)


def compare(name, cfg, tensors, x, got, detail=""):
    ref64 = R.torch_attention(cfg, tensors, x, "float64")
    ref32 = R.torch_attention(cfg, tensors, x, "float32")
    man = R.manual_attention(cfg, tensors, x)
    if ref64.shape != got.shape:
        report(False, name, "shape %s, torch %s %s" % (got.shape, ref64.shape, detail))
        return
    err32 = float(abs(ref32 - ref64).max())
    diff = float(abs(got - ref64).max())
    refself = float(abs(man - ref64).max())
    tol = max(TOL, 4 * err32)   # = TOL except for the hashed/seeded cases
    ok = diff <= tol and refself < 1e-9
    if cfg.get("causal"):
        n = got.shape[-1]
        leak = float(abs(got[..., np.triu(np.ones((n, n), dtype=bool), 1)]).max()) if n > 1 else 0.0
        ok = ok and leak == 0.0
        detail += " masked max %g" % leak
    d32 = float(abs(got - ref32).max())
    report(ok, name, "max|attnviz-torch64|=%.3g (tol %.3g; |attnviz-torch32| %.3g; torch32 err %.3g;"
           " numpy ref %.1e) %s" % (diff, tol, d32, err32, refself, detail))


def parity_case(idx, conf, tmp):
    d, h, L, n, bias, positional, score, spelling, fmt = conf[:9]
    more = conf[9] if len(conf) > 9 else {}
    vocab_words = ["w%d" % i for i in range(max(3, n // 2 + 2))]
    unk_at = idx % len(vocab_words)
    vocab = vocab_words[:unk_at] + ["[UNK]"] + vocab_words[unk_at:]
    max_pos = None
    if positional == "learned":
        max_pos = n if idx % 2 else n + 5   # exactly the sentence length, or more
    elif idx % 3 == 0:
        max_pos = 512
    rnd = random.Random(idx)
    words = [rnd.choice(vocab_words) for _ in range(n)]   # repeats allowed
    ids = [vocab.index(w) for w in words]
    cfg, tensors, scale = conditioned_model(d, h, L, len(vocab), bias, positional, score,
                                            max_pos, ids, more)
    path = os.path.join(tmp, "model%d.json" % idx)
    R.write_model_json(path, cfg, tensors, vocab=vocab, spelling=spelling,
                       extra={"note": "ignored", "n": idx} if idx % 4 == 0 else None)
    name = "parity-%02d" % idx
    detail = "[d=%d h=%d L=%d n=%d bias=%s pos=%s score=%s %s %s w=randn*%.3g%s]" % (
        d, h, L, n, "y" if bias else "n", positional, score, spelling, fmt, scale,
        "".join(" %s=%s" % kv for kv in sorted(more.items())))
    try:
        toks, got, layers, heads = run_and_parse(path, " ".join(words), fmt)
    except Exception as e:
        report(False, name, "%s %s" % (e, detail))
        return
    if toks != words or layers != list(range(1, L + 1)) or heads != list(range(1, h + 1)):
        report(False, name, "tokens/layers/heads differ: %r %r %r %s" % (toks[:5], layers, heads, detail))
        return
    x = R.embed(cfg, tensors, ids=ids)
    compare(name, cfg, tensors, x, got, detail)


def unk_case(tmp):
    """Unknown words use the [UNK] row; with lowercase, W3 finds w3."""
    d, h = 16, 2
    vocab = ["w0", "w1", "[UNK]", "w2", "w3"]
    sentence = "w1 zzz w2 W3 w1 qq-rr ."
    words = ["w1", "zzz", "w2", "W3", "w1", "qq-rr", "."]
    for name, lower in (("unk-maps-to-unk", False), ("tokenizer-lowercase-lookup", True)):
        folded = [w.lower() if lower else w for w in words]
        ids = [vocab.index(w) if w in vocab else vocab.index("[UNK]") for w in folded]
        cfg, tensors, scale = conditioned_model(d, h, 2, len(vocab), True, "sinusoidal",
                                                "scaled_dot", None, ids)
        path = os.path.join(tmp, name + ".json")
        R.write_model_json(path, cfg, tensors, vocab=vocab, lowercase=lower)
        try:
            toks, got, _, _ = run_and_parse(path, sentence, "csv")
        except Exception as e:
            report(False, name, str(e))
            continue
        # the shown text is the word as typed (folded with lowercase), or [UNK]
        okt = len(toks) == len(words) and all(t == w or (w not in vocab and t == "[UNK]")
                                              for t, w in zip(toks, folded))
        if not okt:
            report(False, name, "tokens %r" % toks)
            continue
        compare(name, cfg, tensors, R.embed(cfg, tensors, ids=ids), got,
                "ids %s tokens %s" % (ids, " ".join(toks)))


def seeded_cases(tmp):
    """--save-model round trip, the documented generator, and the example
    sentence through torch with hashed embeddings."""
    shapes = [("42", "64", "4", "1"), ("7", "16", "2", "2"), ("123456789", "12", "3", "3")]
    for seed, dim, heads, layers in shapes:
        tag = "seed%s-d%s-h%s-L%s" % (seed, dim, heads, layers)
        mpath = os.path.join(tmp, "saved-%s.json" % tag)
        gen = ["--seed", seed, "--dim", dim, "--heads", heads, "--layers", layers]
        rc, out, err = R.run_attnviz(gen + ["--save-model", mpath, "-f", "csv", EXAMPLE], stdin=b"")
        if rc != 0 or not os.path.exists(mpath):
            report(False, "save-model-" + tag, "exit %d, file %s: %s" % (
                rc, os.path.exists(mpath), err.decode("utf-8", "replace").strip()))
            continue
        rc1, seeded_csv, err1 = R.run_attnviz(gen + ["-f", "csv", "-l", "all", "-H", "all", EXAMPLE], stdin=b"")
        rc2, loaded_csv, err2 = R.run_attnviz(["-m", mpath, "-f", "csv", "-l", "all", "-H", "all", EXAMPLE], stdin=b"")
        report(rc1 == 0 and rc2 == 0 and seeded_csv == loaded_csv and len(seeded_csv) > 100,
               "save-model-roundtrip-" + tag,
               "exit %d/%d, %d vs %d bytes, identical=%s %s" % (
                   rc1, rc2, len(seeded_csv), len(loaded_csv), seeded_csv == loaded_csv,
                   (err1 + err2).decode("utf-8", "replace").strip()))
        try:
            doc, tensors = R.read_model_json(mpath)
        except Exception as e:
            report(False, "save-model-format-" + tag, str(e))
            continue
        d, L = int(dim), int(layers)
        cfg = doc.get("config", {})
        okcfg = (doc.get("attnviz_model") == 1 and cfg.get("d_model") == d
                 and cfg.get("n_heads") == int(heads) and cfg.get("n_layers") == L
                 and "embeddings.token" not in tensors)
        report(okcfg, "save-model-format-" + tag, "config %r, tensors %s" % (cfg, sorted(tensors)))
        # the saved weights are the documented Xavier-uniform draws
        ref = R.seeded_weights(int(seed), d, L)
        wdiff = max((float(abs(tensors[k] - ref[k]).max()) if k in tensors and tensors[k].shape == ref[k].shape
                     else float("inf")) for k in ref)
        nonzero_bias = any(k.endswith(".bias") and abs(v).max() != 0 for k, v in tensors.items())
        report(wdiff <= 1e-7 and not nonzero_bias, "seeded-weights-documented-" + tag,
               "max|saved - xoshiro256** Xavier| = %.3g, nonzero bias: %s" % (wdiff, nonzero_bias))
        # torch on the saved weights + hashed embeddings of the tokens
        mcfg = dict(cfg)   # as saved: score, positional, layer_norm, causal, ...
        try:
            toks, got, _, _ = R.parse_csv(seeded_csv)
        except Exception as e:
            report(False, "seeded-torch-" + tag, "unparsable CSV: %s" % e)
            continue
        x = R.embed(mcfg, tensors, words=toks)
        compare("seeded-torch-" + tag, mcfg, tensors, x, got, "tokens %d" % len(toks))
        if tag == "seed42-d64-h4-L1":
            golden = os.path.join(ROOT, "tests", "golden", "example.csv")
            try:
                with open(golden, "rb") as f:
                    gbytes = f.read()
                gt, gw, _, _ = R.parse_csv(gbytes)
                compare("golden-example-torch", mcfg, tensors, R.embed(mcfg, tensors, words=gt), gw,
                        "tests/golden/example.csv")
            except Exception as e:
                report(False, "golden-example-torch", str(e))


def main():
    if not os.access(R.attnviz_path(), os.X_OK):
        report(False, "binary", "%s is not executable" % R.attnviz_path())
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for i, conf in enumerate(make_configs()):
            parity_case(i, conf, tmp)
        unk_case(tmp)
        seeded_cases(tmp)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
