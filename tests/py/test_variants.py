"""test_variants.py — the attention variants of issue 5 against PyTorch.

Random configurations (see make_configs(): 26 of them) are written as JSON
weight files, run through attnviz (-f csv or -f json, --source for
cross-attention) and compared head by head, layer by layer, with
variants_ref.torch_variant() in float64:
  * scaled_dot / dot: torch.nn.MultiheadAttention(need_weights=True,
    average_attn_weights=False); causal through attn_mask (upper triangle);
    cross-attention as mha(x_target, x_source, x_source);
  * additive (Bahdanau): v_hᵀ tanh(W_q^h q_i + W_k^h k_j) written in torch;
  * layer norm pre / post with torch.nn.LayerNorm (eps 1e-5), with and
    without ln tensors; plain models (projections false: identity in/out
    projections); biases or none; vocabulary or hashed embeddings.
Tolerance: max abs diff <= 1e-5 (weights are scaled down until torch's own
float32 result is within 1e-5/8 of float64). Causal outputs must hold exact
zeros above the diagonal; cross-attention tokens must come from both texts.

Also: generated models (--score additive, --causal, --plain, --layer-norm,
--layers, --source) saved with --save-model and recomputed in torch; the
--score / --causal flags overriding a model file; --rollout (all heads, a
subset of heads, a subset of layers, causal) and --aggregate mean|max against
numpy implementations of the formulas.

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_variants.py
"""
import os
import random
import sys
import tempfile

TOL = 1e-5

try:
    import numpy as np
    import torch
    torch.manual_seed(20240605)
    torch.set_num_threads(2)
except Exception as e:  # missing torch is a failure: the set-up installs it
    print("FAIL torch-import: %s (run with /usr/bin/python3)" % e)
    sys.exit(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnviz_ref as R  # noqa: E402
import variants_ref as V  # noqa: E402
import suite
from suite import report

HASH_WORDS = ["cat", "dog", "sat", "on", "the", "mat", "a", "big", "red", "ball",
              "über", "naïve", "it", "was", "tired", "x1", "y2"]


def make_configs():
    """(name, dict) pairs. keys: d, h, L, n, ns (source length or None),
    score, causal, proj, ln, ln_t (ln tensors), bias, pos, emb (vocab|hashed),
    fmt."""
    base = dict(d=8, h=2, L=1, n=5, ns=None, score="scaled_dot", causal=False, proj=True,
                ln="none", ln_t=True, bias=True, pos="sinusoidal", emb="vocab", fmt="csv")
    fixed = [
        ("additive-1l", dict(score="additive", d=8, h=2, n=6)),
        ("additive-post-3l", dict(score="additive", d=12, h=3, L=3, n=9, ln="post", bias=False, emb="hashed", fmt="json")),
        ("additive-causal-pre", dict(score="additive", d=16, h=4, L=2, n=11, ln="pre", causal=True)),
        ("additive-plain", dict(score="additive", d=6, h=2, n=7, proj=False, bias=False, pos="none")),
        ("additive-cross-pre", dict(score="additive", d=8, h=2, L=2, n=5, ns=9, ln="pre")),
        ("additive-learned", dict(score="additive", d=10, h=5, L=2, n=8, pos="learned", ln="post", ln_t=False, fmt="json")),
        ("causal-n1", dict(d=16, h=4, n=1, causal=True)),
        ("causal-dot-post", dict(d=10, h=5, L=3, n=20, score="dot", causal=True, ln="post")),
        ("causal-plain", dict(d=8, h=1, L=2, n=9, causal=True, proj=False, bias=False, fmt="json")),
        ("causal-hashed-pre", dict(d=24, h=3, L=2, n=14, causal=True, ln="pre", emb="hashed")),
        ("cross-1l", dict(d=8, h=2, n=3, ns=11)),
        ("cross-dot-post", dict(d=12, h=4, L=3, n=12, ns=2, score="dot", ln="post", fmt="json")),
        ("cross-plain", dict(d=8, h=2, L=2, n=4, ns=6, proj=False, bias=False)),
        ("cross-ns1", dict(d=6, h=3, n=5, ns=1)),
        ("cross-nt1", dict(d=6, h=1, L=2, n=1, ns=7, ln="post", fmt="json")),
        ("cross-hashed-pre", dict(d=16, h=4, L=2, n=7, ns=10, ln="pre", emb="hashed")),
        ("pre-no-ln-tensors", dict(d=16, h=2, L=3, n=10, ln="pre", ln_t=False)),
        ("post-nobias-4l", dict(d=8, h=4, L=4, n=13, ln="post", bias=False, fmt="json")),
        ("plain-pre-4h", dict(d=16, h=4, L=2, n=6, proj=False, bias=False, ln="pre")),
        ("plain-post-dot", dict(d=8, h=2, L=3, n=8, proj=False, bias=False, ln="post", score="dot")),
    ]
    out = [(name, dict(base, **kw)) for name, kw in fixed]
    rnd = random.Random(5)
    while len(out) < 26:
        h = rnd.randint(1, 4)
        c = dict(base, d=h * rnd.randint(1, 6), h=h, L=rnd.randint(1, 3), n=rnd.randint(2, 16),
                 score=rnd.choice(["scaled_dot", "dot", "additive"]),
                 proj=rnd.random() < 0.75, ln=rnd.choice(["none", "pre", "post"]),
                 ln_t=rnd.random() < 0.7, bias=rnd.random() < 0.5,
                 pos=rnd.choice(["sinusoidal", "none", "learned"]),
                 emb=rnd.choice(["vocab", "hashed"]), fmt=rnd.choice(["csv", "json"]))
        if rnd.random() < 0.4:
            c["ns"] = rnd.randint(1, 12)
        else:
            c["causal"] = rnd.random() < 0.5
        if not c["proj"]:
            c["bias"] = False
        if c["pos"] == "learned" and c["emb"] == "hashed":
            c["pos"] = "sinusoidal"
        out.append(("random-%02d" % len(out), c))
    return out


def random_model(c, n_vocab, max_pos, scale):
    d, h, L = c["d"], c["h"], c["L"]
    dh = d // h
    cfg = {"d_model": d, "n_heads": h, "n_layers": L, "score": c["score"],
           "causal": c["causal"], "positional": c["pos"], "projections": c["proj"],
           "layer_norm": c["ln"]}
    if max_pos:
        cfg["max_positions"] = max_pos
    t = {}
    if c["emb"] == "vocab":
        t["embeddings.token"] = torch.randn(n_vocab, d).numpy()
    if c["pos"] == "learned":
        t["embeddings.position"] = torch.randn(max_pos, d).numpy()
    for layer in range(L):
        if c["ln"] != "none" and c["ln_t"]:
            t["layers.%d.ln.weight" % layer] = (1 + 0.2 * torch.randn(d)).numpy()
            t["layers.%d.ln.bias" % layer] = (0.2 * torch.randn(d)).numpy()
        if c["proj"]:
            for p in "qkvo":
                t["layers.%d.attn.%s.weight" % (layer, p)] = (torch.randn(d, d) * scale).numpy()
                if c["bias"]:
                    t["layers.%d.attn.%s.bias" % (layer, p)] = (torch.randn(d) * scale).numpy()
        if c["score"] == "additive":
            a = 1.0 / np.sqrt(dh)
            t["layers.%d.attn.additive.q.weight" % layer] = (torch.randn(d, dh) * a).numpy()
            t["layers.%d.attn.additive.k.weight" % layer] = (torch.randn(d, dh) * a).numpy()
            t["layers.%d.attn.additive.v" % layer] = (torch.randn(h, dh) * 2 * scale).numpy()
    return cfg, {k: np.asarray(v, dtype=np.float32) for k, v in t.items()}


def embed_words(cfg, tensors, vocab, words):
    if vocab is None:
        return R.embed(cfg, tensors, words=words)
    return R.embed(cfg, tensors, ids=[vocab.index(w) for w in words])


def leak(w, causal):
    """Largest |weight| above the diagonal (0.0 when not causal / n == 1)."""
    if not causal:
        return 0.0
    n_q, n_k = w.shape[-2:]
    m = np.triu(np.ones((n_q, n_k), dtype=bool), 1)
    return float(abs(w[..., m]).max()) if m.any() else 0.0


def run_out(args, fmt):
    rc, out, err = R.run_attnviz(list(args), stdin=b"")
    if rc != 0:
        raise RuntimeError("exit %d: %s" % (rc, err.decode("utf-8", "replace").strip()))
    return V.parse_csv_any(out) if fmt == "csv" else V.parse_json_any(out)


def config_case(idx, name, c, tmp):
    rnd = random.Random(1000 + idx)
    if c["emb"] == "vocab":
        vocab = ["[UNK]"] + ["w%d" % i for i in range(max(4, (c["n"] + (c["ns"] or 0)) // 2))]
        pool = vocab[1:]
    else:
        vocab, pool = None, HASH_WORDS
    words = [rnd.choice(pool) for _ in range(c["n"])]
    src = None if c["ns"] is None else [rnd.choice(pool) for _ in range(c["ns"])]
    max_pos = None
    if c["pos"] == "learned":
        max_pos = max(c["n"], c["ns"] or 0) + idx % 3
    scale = 0.5
    for _ in range(30):
        cfg, tensors = random_model(c, len(vocab or []), max_pos, scale)
        x_t = embed_words(cfg, tensors, vocab, words)
        x_s = None if src is None else embed_words(cfg, tensors, vocab, src)
        ref = V.torch_variant(cfg, tensors, x_t, x_s, "float64")
        err32 = float(abs(V.torch_variant(cfg, tensors, x_t, x_s, "float32") - ref).max())
        if err32 <= TOL / 8:
            break
        scale *= 0.7
    path = os.path.join(tmp, "%s.json" % name)
    R.write_model_json(path, cfg, tensors, vocab=vocab, spelling=("nested", "shape", "mixed")[idx % 3])
    detail = "[d=%d h=%d L=%d n=%d ns=%s %s causal=%s proj=%s ln=%s%s bias=%s pos=%s %s %s w*%.3g]" % (
        c["d"], c["h"], c["L"], c["n"], c["ns"], c["score"], c["causal"], c["proj"], c["ln"],
        "" if c["ln_t"] else "(no tensors)", c["bias"], c["pos"], c["emb"], c["fmt"], scale)
    args = ["-m", path, "-f", c["fmt"]]
    if src is not None:
        args += ["--source", " ".join(src)]
    try:
        got = run_out(args + [" ".join(words)], c["fmt"])
    except Exception as e:
        report(False, "variant-" + name, "%s %s" % (e, detail))
        return
    want_k = words if src is None else src
    if got["qtoks"] != words or got["ktoks"] != want_k:
        report(False, "variant-" + name, "tokens %r / %r, want %r / %r %s"
               % (got["qtoks"], got["ktoks"], words, want_k, detail))
        return
    if got["layers"] != list(range(1, c["L"] + 1)) or got["heads"] != [str(i) for i in range(1, c["h"] + 1)]:
        report(False, "variant-" + name, "layers %r heads %r %s" % (got["layers"], got["heads"], detail))
        return
    w = got["weights"]
    diff = float(abs(w - ref).max())
    lk = leak(w, c["causal"])
    rowerr = float(abs(w.sum(axis=-1) - 1).max())
    ok = diff <= TOL and lk == 0.0 and rowerr < 1e-5
    report(ok, "variant-" + name, "max|attnviz-torch|=%.3g (torch32 err %.2g) masked max %g "
           "row-sum err %.2g %s" % (diff, err32, lk, rowerr, detail))
    if c["causal"] and c["fmt"] == "csv" and c["n"] > 1:
        bad = [k for k, v in got["cells"].items() if k[3] > k[2] and v != "0"]
        report(not bad, "variant-%s-csv-zeros" % name,
               "cells above the diagonal printed exactly '0' (%d wrong: %r)" % (len(bad), bad[:3]))


def seeded_case(name, flags, words, src, tmp):
    """A generated model: --save-model FILE, then the same flags on a
    sentence, compared with torch on the saved tensors (hashed embeddings)."""
    path = os.path.join(tmp, "seeded-%s.json" % name)
    rc, _, err = R.run_attnviz(flags + ["--save-model", path], stdin=b"")
    if rc != 0:
        report(False, "seeded-" + name, "--save-model exit %d: %s" % (rc, err.decode().strip()))
        return
    doc, tensors = R.read_model_json(path)
    cfg = dict(doc["config"])
    args = flags + ["-f", "csv"] + (["--source", " ".join(src)] if src else []) + [" ".join(words)]
    try:
        got = run_out(args, "csv")
        got_file = run_out(["-m", path] + args[len(flags):], "csv")
    except Exception as e:
        report(False, "seeded-" + name, str(e))
        return
    x_t = R.embed(cfg, tensors, words=words)
    x_s = R.embed(cfg, tensors, words=src) if src else None
    ref = V.torch_variant(cfg, tensors, x_t, x_s, "float64")
    err32 = float(abs(V.torch_variant(cfg, tensors, x_t, x_s, "float32") - ref).max())
    tol = max(TOL, 4 * err32)
    diff = float(abs(got["weights"] - ref).max()) if got["weights"].shape == ref.shape else float("inf")
    same = got["cells"] == got_file["cells"]
    lk = leak(got["weights"], cfg.get("causal"))
    report(diff <= tol and same and lk == 0.0 and got["ktoks"] == (src or words),
           "seeded-" + name, "%s: config %s; max|attnviz-torch|=%.3g (tol %.2g); saved file gives "
           "identical CSV: %s; masked max %g" % (" ".join(flags), {k: cfg[k] for k in (
               "score", "causal", "projections", "layer_norm", "n_layers", "n_heads")},
               diff, tol, same, lk))


def override_case(tmp):
    """--score dot and --causal on a scaled_dot, non-causal model file."""
    c = dict(d=8, h=2, L=2, n=7, ns=None, score="scaled_dot", causal=False, proj=True, ln="post",
             ln_t=True, bias=True, pos="sinusoidal", emb="vocab", fmt="csv")
    vocab = ["[UNK]", "a", "b", "c", "d"]
    cfg, tensors = random_model(c, len(vocab), None, 0.4)
    path = os.path.join(tmp, "override.json")
    R.write_model_json(path, cfg, tensors, vocab=vocab)
    words = ["a", "c", "b", "a", "d", "d", "c"]
    x = embed_words(cfg, tensors, vocab, words)
    for flags, change in ((["--score", "dot"], {"score": "dot"}), (["--causal"], {"causal": True}),
                          (["--score", "dot", "--causal"], {"score": "dot", "causal": True})):
        try:
            got = run_out(["-m", path, "-f", "csv"] + flags + [" ".join(words)], "csv")
        except Exception as e:
            report(False, "override " + " ".join(flags), str(e))
            continue
        ref = V.torch_variant(dict(cfg, **change), tensors, x, None, "float64")
        diff = float(abs(got["weights"] - ref).max())
        lk = leak(got["weights"], change.get("causal"))
        report(diff <= TOL and lk == 0.0, "override " + " ".join(flags),
               "model file + %s: max|attnviz-torch|=%.3g masked max %g" % (" ".join(flags), diff, lk))


def rollout_cases(tmp):
    """--rollout and --aggregate against numpy on torch's weights."""
    for tag, causal in (("", False), ("-causal", True)):
        c = dict(d=16, h=4, L=3, n=9, ns=None, score="scaled_dot", causal=causal, proj=True,
                 ln="pre", ln_t=True, bias=True, pos="sinusoidal", emb="vocab", fmt="csv")
        vocab = ["[UNK]"] + ["v%d" % i for i in range(6)]
        cfg, tensors = random_model(c, len(vocab), None, 0.4)
        path = os.path.join(tmp, "rollout%s.json" % tag)
        R.write_model_json(path, cfg, tensors, vocab=vocab)
        words = [vocab[1 + (i * 5) % 6] for i in range(c["n"])]
        A = V.torch_variant(cfg, tensors, embed_words(cfg, tensors, vocab, words), None, "float64")
        cases = [
            (["--rollout"], "rollout", V.numpy_rollout(A), [1, 2, 3]),
            (["--rollout", "-H", "2,4"], "rollout", V.numpy_rollout(A, [1, 3]), [1, 2, 3]),
            (["--rollout", "-l", "2"], "rollout", V.numpy_rollout(A)[1:2], [2]),
            (["--rollout", "-l", "1,3", "-H", "3"], "rollout", V.numpy_rollout(A, [2])[[0, 2]], [1, 3]),
            (["--aggregate", "mean"], "mean", V.numpy_aggregate(A, "mean"), [1, 2, 3]),
            (["--aggregate", "max", "-H", "1,3-4"], "max", V.numpy_aggregate(A, "max", [0, 2, 3]), [1, 2, 3]),
            (["--aggregate", "mean", "-l", "3", "-H", "2"], "mean", A[2:3, 1], [3]),
        ]
        for flags, label, want, layers in cases:
            for fmt in ("csv", "json"):
                nm = "%s%s %s" % (" ".join(flags), tag, fmt)
                try:
                    got = run_out(["-m", path, "-f", fmt] + flags + [" ".join(words)], fmt)
                except Exception as e:
                    report(False, nm, str(e))
                    continue
                w = got["weights"]
                if got["heads"] != [label] or got["layers"] != layers or w.shape[1] != 1:
                    report(False, nm, "heads %r layers %r, want [%r] %r" % (got["heads"], got["layers"], label, layers))
                    continue
                diff = float(abs(w[:, 0] - want).max())
                lk = leak(w, causal)
                report(diff <= TOL and lk == 0.0, nm, "max|attnviz-numpy|=%.3g masked max %g "
                       "(numpy on torch weights, L=3 h=4 n=%d)" % (diff, lk, c["n"]))
    # cross-attention aggregates (rollout needs self-attention)
    c = dict(d=8, h=2, L=2, n=4, ns=6, score="additive", causal=False, proj=True, ln="post",
             ln_t=True, bias=False, pos="sinusoidal", emb="hashed", fmt="csv")
    cfg, tensors = random_model(c, 0, None, 0.4)
    path = os.path.join(tmp, "agg-cross.json")
    R.write_model_json(path, cfg, tensors)
    words, src = ["the", "cat", "sat", "down"], ["le", "chat", "s'est", "assis", "là", "."]
    A = V.torch_variant(cfg, tensors, R.embed(cfg, tensors, words=words), R.embed(cfg, tensors, words=src))
    try:
        got = run_out(["-m", path, "--aggregate", "max", "--source", " ".join(src), " ".join(words)], "csv")
        diff = float(abs(got["weights"][:, 0] - V.numpy_aggregate(A, "max")).max())
        report(diff <= TOL and got["ktoks"] == src and got["heads"] == ["max"],
               "aggregate-max-cross-additive", "max|attnviz-numpy|=%.3g, keys %r" % (diff, got["ktoks"]))
    except Exception as e:
        report(False, "aggregate-max-cross-additive", str(e))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for idx, (name, c) in enumerate(make_configs()):
            config_case(idx, name, c, tmp)
        base = ["--dim", "8", "--heads", "2"]
        seeded_case("additive", ["--seed", "3", "--score", "additive"] + base, ["a", "b", "c", "d"], None, tmp)
        seeded_case("additive-causal-2l", ["--seed", "4", "--score", "additive", "--causal", "--layers", "2"]
                    + base, ["one", "two", "three", "four", "five"], None, tmp)
        seeded_case("plain", ["--seed", "5", "--plain", "--dim", "8"], ["x", "y", "z"], None, tmp)
        seeded_case("plain-3l-pre", ["--seed", "6", "--plain", "--dim", "12", "--heads", "3", "--layers", "3",
                                     "--layer-norm", "pre"], ["the", "cat", "sat", "on", "it"], None, tmp)
        seeded_case("pre-2l-dot", ["--seed", "7", "--score", "dot", "--layers", "2", "--layer-norm", "pre"]
                    + base, ["p", "q", "r", "s", "t", "u"], None, tmp)
        seeded_case("none-3l", ["--seed", "8", "--layers", "3", "--layer-norm", "none"] + base,
                    ["m", "n", "o"], None, tmp)
        seeded_case("cross-2l", ["--seed", "9", "--layers", "2"] + base, ["the", "cat", "sat"],
                    ["die", "Katze", "saß", "auf", "der", "Matte"], tmp)
        seeded_case("cross-additive-pre", ["--seed", "10", "--score", "additive", "--layer-norm", "pre",
                                           "--layers", "2"] + base, ["a", "b"], ["c", "d", "e"], tmp)
        override_case(tmp)
        rollout_cases(tmp)
    print("# %d failure(s)" % suite.failed)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
