"""The shipped pretrained model (data/pretrained/, issue 10), run through the
real binary: `attnviz -m data/pretrained -f json SENTENCE`.

  - the training-side tokenizer (scripts/train_demo_text.py) against Hugging Face's
    ids in $REFERENCE_DIR/tokenizer-tests (ASCII cases, bert-base-uncased);
  - the training-side forward pass against torch.nn.MultiheadAttention plus
    a post-LN feed-forward written here, on the shipped weights;
  - attnviz's token ids equal the training tokenizer's, its attention equals
    the training forward pass (max |diff| <= 1e-4);
  - the head named in data/pretrained/attnviz.json: for the example sentence
    its largest weight from "it" is on "animal" (tired) / "street" (wide);
    accuracy >= 80 % on data/pretrained/heldout.tsv, sentences the training
    script never generates.
Prints PASS/FAIL/SKIP lines; one FAIL line if attnviz rejects the model."""
import json
import math
import os
import subprocess
import sys

import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
MODEL = os.path.join(ROOT, "data", "pretrained")
REF = os.environ.get("REFERENCE_DIR", os.path.join(ROOT, "..", "shared", "reference"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import train_demo  # noqa: E402  (the training forward pass)
import train_demo_text  # noqa: E402  (the training tokenizer)
import torch  # noqa: E402

EXAMPLE = "The animal didn't cross the street because it was too %s."
# Words the model never saw whole: they must come out as subwords, as in training.
EXTRA = ["Tokenization of unfamiliar words: zygomorphic, overcrossing, 1234.",
         "She said: \"don't!\" -- (quietly) [twice] & left @ 9:30 #tag {x} ~y `z` |w| ^v",
         "THE ANIMAL DIDN'T CROSS THE STREET BECAUSE IT WAS TOO TIRED."]

model, tok, head = train_demo.load_shipped(MODEL)
rows = train_demo.read_heldout(MODEL)
check("heldout-size", len(rows) >= 20, "%d sentences" % len(rows))
size = sum(os.path.getsize(os.path.join(MODEL, f)) for f in os.listdir(MODEL))
cfg = json.load(open(os.path.join(MODEL, "config.json")))
check("pretrained-size", size < 5 * 1000 * 1000 and cfg["hidden_size"] <= 256,
      "%d bytes, hidden_size %d" % (size, cfg["hidden_size"]))


def reference_tokenizer():
    inp = os.path.join(REF, "tokenizer-tests", "bert-base-uncased.inp")
    if not os.path.exists(inp):
        print("SKIP tokenizer-reference: %s absent (reference data not installed)" % inp)
        return
    cases = open(inp, encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
    want = open(inp[:-4] + ".out", encoding="utf-8").read().split("\n")
    vocab = open(os.path.join(REF, "bert-base-uncased", "vocab.txt"), encoding="utf-8").read().split("\n")
    ids = {t: i for i, t in enumerate(vocab)}
    n = bad = 0
    for text, line in zip(cases, want):
        if not text.isascii():
            continue  # the training tokenizer handles ASCII only (and asserts it)
        n += 1
        got = [ids[p] for w in train_demo_text.basic_tokenize(text) for p in train_demo_text.wordpiece(w, ids)]
        if got != [int(x) for x in line.split()]:
            bad += 1
            print("# %r: got %s, want %s" % (text[:40], got[:12], line.split()[:12]))
    check("tokenizer-reference", n >= 20 and bad == 0, "%d ASCII cases, %d differ" % (n, bad))


def mha_forward(text):
    """The same BERT forward, independently: torch.nn.MultiheadAttention for the
    attention, the rest spelled out from the shipped tensors."""
    w = {k: v for k, v in model.state_dict().items()}
    cfg = json.load(open(os.path.join(MODEL, "config.json")))
    d, h, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    ids = torch.tensor(tok.encode(text))
    ln = lambda x, p: torch.nn.functional.layer_norm(x, (d,), w[p + ".weight"], w[p + ".bias"], eps)
    x = ln(w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:len(ids)]
           + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")[None]
    out = []
    for i in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % i
        mha = torch.nn.MultiheadAttention(d, h, batch_first=True)
        a = p + "attention.self."
        mha.in_proj_weight.data = torch.cat([w[a + s + ".weight"] for s in ("query", "key", "value")])
        mha.in_proj_bias.data = torch.cat([w[a + s + ".bias"] for s in ("query", "key", "value")])
        mha.out_proj.weight.data = w[p + "attention.output.dense.weight"]
        mha.out_proj.bias.data = w[p + "attention.output.dense.bias"]
        y, probs = mha(x, x, x, need_weights=True, average_attn_weights=False)
        x = ln(x + y, p + "attention.output.LayerNorm")
        f = torch.nn.functional.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"])
        f = 0.5 * f * (1 + torch.erf(f / math.sqrt(2)))
        f = torch.nn.functional.linear(f, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
        x = ln(x + f, p + "output.LayerNorm")
        out.append(probs[0])
    return torch.stack(out)


def torch_forward_parity():
    worst = 0.0
    with torch.no_grad():
        for text in [EXAMPLE % "tired", EXAMPLE % "wide"] + [r[0] for r in rows[:10]] + EXTRA:
            _, probs = train_demo.attention(model, tok, text)
            worst = max(worst, float((probs - mha_forward(text)).abs().max()))
    check("training-forward-vs-mha", worst <= 1e-5, "max |diff| %.2e" % worst)


def run_attnviz(text):
    """tokens [(text, id)] and weights [layer][head][q][k] as attnviz prints them,
    or None when it fails."""
    p = subprocess.run([BIN, "-m", MODEL, "-f", "json", text], capture_output=True, text=True)
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, (p.stderr.strip().splitlines() or [""])[-1])
    doc = json.loads(p.stdout)
    layers = sorted(doc["layers"], key=lambda l: l["layer"])
    weights = torch.tensor([[hd["weights"] for hd in sorted(l["heads"], key=lambda hd: hd["head"])]
                            for l in layers], dtype=torch.float64)
    return ([(t["text"], t["id"]) for t in doc["tokens"]], weights), ""


def binary_checks():
    got, why = run_attnviz(EXAMPLE % "tired")
    if got is None:
        check("attnviz-loads-pretrained", False, "%s -m data/pretrained rejects the model (%s)" % (BIN, why))
        return
    check("attnviz-loads-pretrained", True)
    L, H = head

    # Tokens and attention agree with the training side.
    bad_ids, worst = [], 0.0
    texts = [EXAMPLE % "tired", EXAMPLE % "wide"] + [r[0] for r in rows] + EXTRA
    results = {}
    for text in texts:
        got, why = run_attnviz(text)
        if got is None:
            bad_ids.append("%r: %s" % (text, why))
            continue
        results[text] = got
        toks, weights = got
        want = tok.encode(text)
        if [i for _, i in toks] != want:
            bad_ids.append("%r: ids %s, training tokenizer %s" % (text, [i for _, i in toks], want))
            continue
        _, probs = train_demo.attention(model, tok, text)
        worst = max(worst, float((weights - probs.double()).abs().max()))
    check("attnviz-tokens-match-training", not bad_ids, "; ".join(bad_ids[:3]) or "%d sentences" % len(texts))
    check("attnviz-attention-matches-training", worst <= 1e-4, "max |diff| %.2e" % worst)

    # The named head on the example sentence.
    for adj, want in (("tired", "animal"), ("wide", "street")):
        toks, weights = results.get(EXAMPLE % adj, ([], None))
        texts_ = [t for t, _ in toks]
        if weights is None or "it" not in texts_:
            check("example-%s" % adj, False, "no attention for %r" % (EXAMPLE % adj))
            continue
        row = weights[L - 1, H - 1, texts_.index("it")]
        top = texts_[int(row.argmax())]
        check("example-%s-head-%d.%d" % (adj, L, H), top == want,
              "largest weight from 'it' on %r (%.3f); animal %.3f, street %.3f"
              % (top, float(row.max()), float(row[texts_.index("animal")]), float(row[texts_.index("street")])))

    # Held-out accuracy of the named head.
    hits = n = 0
    for text, pronoun, ante, other in rows:
        if text not in results:
            continue
        toks, weights = results[text]
        texts_ = [t for t, _ in toks]
        n += 1
        hits += texts_[int(weights[L - 1, H - 1, texts_.index(pronoun)].argmax())] == ante
    acc = hits / max(n, 1)
    check("heldout-accuracy-head-%d.%d" % (L, H), n == len(rows) and acc >= 0.8,
          "%d/%d = %.1f%% (>= 80%% expected)" % (hits, len(rows), 100 * acc))


reference_tokenizer()
torch_forward_parity()
binary_checks()
sys.exit(suite.status())
