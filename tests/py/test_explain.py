"""test_explain.py — attnviz --explain (issue 5), checked independently.

  * golden: `attnviz -m data/tiny-2head.json --explain cat "the cat sat"`
    must equal tests/golden/explain-tiny.txt byte for byte, and every number
    in the golden file (query vector, raw scores, √d_head, scaled scores, the
    maximum, shifted scores, exponentials, their sum, weights, head output)
    must equal, to the 4 decimals printed, the chain recomputed here in numpy
    float64 from the weight file's tensors — so the golden file is not just a
    snapshot of the program's own output;
  * the same with -f json (9 significant digits: within 1e-7);
  * the example sentence on the seeded model (--seed 42), `--explain it`:
    every head is explained, and each head's weights (JSON, 9 significant
    digits) equal the CSV's row for "it" exactly; the text's 4-decimal
    weights are the CSV's rounded; the JSON chain matches numpy on the
    seeded model saved with --save-model;
  * the variants (additive with its W_q·q step, causal with masked keys,
    cross-attention with source keys, plain, dot, pre/post layer norm,
    several layers, -l/-H selection): JSON chain against numpy, weights
    against the CSV, and the text's chain steps present.

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_explain.py
"""
import json
import math
import os
import re
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attnviz_ref as R  # noqa: E402
import variants_ref as V  # noqa: E402
import suite
from suite import report

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TINY = os.path.join(ROOT, "data", "tiny-2head.json")
GOLDEN = os.path.join(ROOT, "tests", "golden", "explain-tiny.txt")
EXAMPLE = "The animal didn't cross the street because it was too tired."

def run(args):
    rc, out, err = R.run_attnviz(list(args), stdin=b"")
    if rc != 0:
        raise RuntimeError("attnviz %s: exit %d: %s" % (" ".join(args), rc, err.decode("utf-8", "replace").strip()))
    return out


NUM = r"-?\d+\.\d+"
ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+((?:%s\s*)+)$" % NUM)
MASKED_ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+masked\b.*\s(0(?:\.0+)?)\s*$")


def nums(s):
    return [float(v) for v in re.findall(NUM, s)]


def parse_text(text):
    """Text of --explain -> list of heads: dict(layer, head, q, sqrt, m, sum,
    rows {j: (key, [numbers])}, masked {j: key}, out, lines)."""
    heads = []
    for line in text.splitlines():
        mh = re.match(r"^── layer (\d+) · head (\d+)", line)
        if mh:
            heads.append({"layer": int(mh.group(1)), "head": int(mh.group(2)), "rows": {},
                          "masked": {}, "lines": []})
            continue
        if not heads:
            continue
        h = heads[-1]
        h["lines"].append(line)
        s = line.strip()
        if s.startswith("q = ["):
            h["q"] = nums(s)
        elif s.startswith("out = ["):
            h["out"] = nums(s)
        elif s.startswith("W_q·q = ["):
            h["Wq_q"] = nums(s)
        m = re.search(r"√d_head = √(\d+) = (%s)" % NUM, line)
        if m:
            h["sqrt"] = (int(m.group(1)), float(m.group(2)))
        m = re.search(r"largest score \(m = (%s)\)" % NUM, line)
        if m:
            h["m"] = float(m.group(1))
        m = re.search(r"exponentials \(Σ = (%s)\)" % NUM, line)
        if m:
            h["sum"] = float(m.group(1))
        m = ROW.match(line)
        if m:
            h["rows"][int(m.group(1))] = (m.group(2), nums(m.group(3)))
        m = MASKED_ROW.match(line)
        if m:
            h["masked"][int(m.group(1))] = m.group(2)
    return heads


FUZZ = [1e-9]   # [0]: relative slack beyond half a unit of the 4th decimal


def close4(got, want):
    """got printed with 4 decimals equals want rounded: within half a unit,
    plus FUZZ[0]·(1 + |want|) for the float32 rounding of Q, K, V (the
    hand-written model's numbers are exact: 1e-9 there)."""
    return abs(got - want) <= 0.5e-4 + FUZZ[0] * (1 + abs(want))


def check_text_head(name, th, ref, keys, score, causal):
    """A parsed text head against the numpy chain of that head."""
    errs = []
    n = len(keys)
    if len(th.get("q", [])) == len(ref["q"]):
        errs += ["q[%d] %g vs %.6f" % (i, a, b) for i, (a, b) in enumerate(zip(th["q"], ref["q"])) if not close4(a, b)]
    elif len(ref["q"]) <= 8:
        errs.append("q has %d values, want %d" % (len(th.get("q", [])), len(ref["q"])))
    if not close4(th.get("m", 1e9), ref["max"]):
        errs.append("m %r vs %.6f" % (th.get("m"), ref["max"]))
    if not close4(th.get("sum", 1e9), ref["sum_exp"]):
        errs.append("sum %r vs %.6f" % (th.get("sum"), ref["sum_exp"]))
    if score == "scaled_dot":
        dh = len(ref["q"])
        if th.get("sqrt", (0, 0))[0] != dh or not close4(th["sqrt"][1], math.sqrt(dh)):
            errs.append("sqrt %r" % (th.get("sqrt"),))
    if score == "additive" and ("Wq_q" not in th or not all(close4(a, b) for a, b in zip(th["Wq_q"], ref["Wq_q"]))):
        errs.append("W_q·q %r vs %r" % (th.get("Wq_q"), ref["Wq_q"]))
    if len(ref["output"]) <= 8:
        if len(th.get("out", [])) != len(ref["output"]) or not all(close4(a, b) for a, b in zip(th["out"], ref["output"])):
            errs.append("out %r vs %r" % (th.get("out"), list(ref["output"])))
    for j in range(n):
        if ref["masked"][j]:
            if th["masked"].get(j) != keys[j]:
                errs.append("key %d not shown masked" % j)
            continue
        if j not in th["rows"] or th["rows"][j][0] != keys[j]:
            errs.append("row %d missing or wrong key %r" % (j, th["rows"].get(j)))
            continue
        v = th["rows"][j][1]
        want = ([ref["raw"][j], ref["scaled"][j]] if score != "additive" and score != "dot" else [ref["raw"][j]]) \
            + [ref["shifted"][j], ref["exp"][j], ref["weight"][j]]
        if score == "dot":
            want = [ref["raw"][j], ref["shifted"][j], ref["exp"][j], ref["weight"][j]]
        if len(v) != len(want) or not all(close4(a, b) for a, b in zip(v, want)):
            errs.append("row %d %r vs %r" % (j, v, ["%.5f" % w for w in want]))
    return errs


def check_json_head(jh, ref, keys, tol):
    errs = []

    def near(a, b):
        return abs(a - b) <= tol * (1 + abs(b))
    for fld in ("q", "output") + (("Wq_q", "v") if "Wq_q" in ref else ()):
        g = jh.get(fld)
        if g is None or len(g) != len(ref[fld]) or not all(near(a, b) for a, b in zip(g, ref[fld])):
            errs.append("%s %r vs %r" % (fld, g, list(ref[fld])))
    for fld, want in (("scale", ref["scale"]), ("max", ref["max"]), ("sum_exp", ref["sum_exp"])):
        if not near(jh.get(fld, 1e9), want):
            errs.append("%s %r vs %r" % (fld, jh.get(fld), want))
    if len(jh["keys"]) != len(keys):
        return errs + ["%d keys" % len(jh["keys"])]
    for j, k in enumerate(jh["keys"]):
        if k["index"] != j or k["token"] != keys[j] or k["masked"] != bool(ref["masked"][j]):
            errs.append("key %d: %r" % (j, k))
            continue
        if k["masked"]:
            if k["weight"] != 0:
                errs.append("masked key %d weight %r" % (j, k["weight"]))
            continue
        for fld in ("raw", "scaled", "shifted", "exp", "weight"):
            if not near(k[fld], ref[fld][j]):
                errs.append("key %d %s %r vs %r" % (j, fld, k[fld], ref[fld][j]))
        for fld in ("Wk_k", "tanh") if "Wk_k" in ref else ():  # the additive tanh step, per key
            g = k.get(fld)
            if g is None or not all(near(a, b) for a, b in zip(g, ref[fld][j])) or len(g) != len(ref[fld][j]):
                errs.append("key %d %s %r vs %r" % (j, fld, g, list(ref[fld][j])))
    return errs


def csv_rows(csvdata, q):
    """{(layer, head): [weights of query q as floats]} from CSV bytes."""
    p = V.parse_csv_any(csvdata)
    out = {}
    for (lay, hd, qi, k), v in p["cells"].items():
        if qi == q:
            out.setdefault((lay, int(hd)), {})[k] = float(v)
    return {key: [d[k] for k in sorted(d)] for key, d in out.items()}


def golden_tests():
    doc, tensors = R.read_model_json(TINY)
    cfg = dict(doc["config"])
    vocab = doc["tokenizer"]["vocab"]
    words = ["the", "cat", "sat"]
    x = R.embed(cfg, tensors, ids=[vocab.index(w) for w in words])
    ref = V.numpy_explain(cfg, tensors, x, 1)
    # sanity of the reference itself against the README's hand computation
    # (query "the", head 1: weights 0.4011, 0.1978, 0.4011)
    r0 = V.numpy_explain(cfg, tensors, x, 0)[0][0]["weight"]
    report(np.allclose(r0, [0.40111, 0.19778, 0.40111], atol=1e-5), "explain-ref-readme",
           "numpy reference gives %s for 'the', head 1 (README: 0.4011 0.1978 0.4011)" % np.round(r0, 5))
    # head 1 of "cat" by hand: q = (0, 2), keys (1,0) (0,2) (1,1): raw 0, 4, 2
    report(np.allclose(ref[0][0]["raw"], [0, 4, 2]) and np.allclose(ref[0][1]["raw"], [1, 0, 0]),
           "explain-ref-hand", "raw scores head 1 %s (hand: 0 4 2), head 2 %s (hand: 1 0 0)"
           % (ref[0][0]["raw"], ref[0][1]["raw"]))

    out = run(["-m", TINY, "--explain", "cat", "the cat sat"])
    try:
        gold = open(GOLDEN, "rb").read()
    except OSError as e:
        report(False, "explain-golden", str(e))
        return
    report(out == gold, "explain-golden", "output equals %s (%d bytes)" % (os.path.relpath(GOLDEN, ROOT), len(gold)))
    heads = parse_text(gold.decode("utf-8"))
    ok = [(h["layer"], h["head"]) for h in heads] == [(1, 1), (1, 2)]
    report(ok, "explain-golden-heads", "heads explained: %r" % [(h["layer"], h["head"]) for h in heads])
    for i, th in enumerate(heads[:2]):
        errs = check_text_head("golden", th, ref[0][i], words, "scaled_dot", False)
        report(not errs and len(th["rows"]) == 3, "explain-golden-numbers-head%d" % (i + 1),
               "every number of the golden file equals numpy to 4 decimals (%d table rows) %s"
               % (len(th["rows"]), "; ".join(errs[:4])))
    text = gold.decode("utf-8")
    steps = ["Query vector", "Raw score", "Scale", "Softmax", "exp", "weight", "Output of the head",
             'query 1 "cat"']
    missing = [s for s in steps if s not in text]
    report(not missing, "explain-golden-steps", "chain steps present; missing: %r" % missing)

    js = json.loads(run(["-m", TINY, "-f", "json", "--explain", "cat", "the cat sat"]))
    errs = []
    if js.get("query") != {"index": 1, "token": "cat"} or js.get("score") != "scaled_dot" \
            or js.get("d_head") != 2 or js.get("causal") is not False:
        errs.append("header %r" % {k: js.get(k) for k in ("query", "score", "d_head", "causal")})
    lays = js.get("layers", [])
    if [lay["layer"] for lay in lays] != [1] or [h["head"] for h in lays[0]["heads"]] != [1, 2]:
        errs.append("layers/heads")
    else:
        for i, jh in enumerate(lays[0]["heads"]):
            errs += check_json_head(jh, ref[0][i], words, 1e-7)
    report(not errs, "explain-json-tiny", "every JSON number within 1e-7 (relative) of numpy %s" % "; ".join(errs[:4]))
    rows = csv_rows(run(["-m", TINY, "-f", "csv", "the cat sat"]), 1)
    same = all([k["weight"] for k in jh["keys"]] == rows[(1, jh["head"])] for jh in lays[0]["heads"])
    report(same, "explain-json-tiny-csv", "JSON weights equal the CSV row of 'cat' exactly")


def example_tests(tmp):
    FUZZ[0] = 1e-5
    model = os.path.join(tmp, "seeded42.json")
    run(["--seed", "42", "--save-model", model])
    doc, tensors = R.read_model_json(model)
    cfg = dict(doc["config"])
    rows = csv_rows(run(["--seed", "42", "-f", "csv", EXAMPLE]), 7)
    js = json.loads(run(["--seed", "42", "-f", "json", "--explain", "it", EXAMPLE]))
    text = run(["--seed", "42", "--explain", "it", EXAMPLE]).decode("utf-8")
    words = ["The", "animal", "didn't", "cross", "the", "street", "because", "it", "was", "too", "tired", "."]
    x = R.embed(cfg, tensors, words=words)
    ref = V.numpy_explain(cfg, tensors, x, 7)
    nh = cfg["n_heads"]
    jheads = [(lay["layer"], h["head"]) for lay in js["layers"] for h in lay["heads"]]
    report(js["query"] == {"index": 7, "token": "it"} and jheads == [(1, h) for h in range(1, nh + 1)],
           "explain-it-json-heads", "query %r, heads %r" % (js["query"], jheads))
    bad = []
    for lay in js["layers"]:
        for jh in lay["heads"]:
            if [k["weight"] for k in jh["keys"]] != rows.get((lay["layer"], jh["head"])):
                bad.append(jh["head"])
    report(not bad and len(rows) == nh, "explain-it-json-equals-csv",
           "each head's JSON weights equal the CSV row of 'it' exactly (9 significant digits); "
           "heads differing: %r" % bad)
    errs = []
    for i, jh in enumerate(js["layers"][0]["heads"]):
        errs += ["head %d: %s" % (i + 1, e) for e in check_json_head(jh, ref[0][i], words, 2e-6)]
    report(not errs, "explain-it-json-numpy", "chain within 2e-6 (relative) of numpy on the saved model %s"
           % "; ".join(errs[:4]))
    theads = parse_text(text)
    tbad = []
    for th in theads:
        w = [th["rows"][j][1][-1] for j in sorted(th["rows"])]
        csvw = rows.get((th["layer"], th["head"]), [])
        if len(w) != 12 or not all(close4(a, b) for a, b in zip(w, csvw)):
            tbad.append(th["head"])
    report(len(theads) == nh and not tbad, "explain-it-text-equals-csv",
           "%d heads in the text; each head's 4-decimal weights are the CSV row rounded; differing: %r"
           % (len(theads), tbad))
    errs = []
    for i, th in enumerate(theads):
        errs += ["head %d: %s" % (i + 1, e) for e in check_text_head("it", th, ref[0][i], words, "scaled_dot", False)]
    report(not errs, "explain-it-text-numpy", "text chain equals numpy to 4 decimals %s" % "; ".join(errs[:4]))
    steps = ["Query vector", "Raw score", "Scale: divide by √d_head", "Softmax", "exp(·)", "Σ exp",
             "Output of the head"]
    counts = {s: text.count(s) for s in steps}
    report(all(c == nh for c in counts.values()), "explain-it-text-steps",
           "each chain step once per head: %r" % counts)


def variant_case(tmp, name, flags, words, src, query, extra=()):
    """Seeded model with flags, saved; --explain JSON vs numpy, weights vs
    CSV, and the text's chain."""
    model = os.path.join(tmp, name + ".json")
    run(flags + ["--save-model", model])
    doc, tensors = R.read_model_json(model)
    cfg = dict(doc["config"])
    srcargs = ["--source", " ".join(src)] if src else []
    sent = " ".join(words)
    try:
        js = json.loads(run(flags + srcargs + list(extra) + ["-f", "json", "--explain", str(query), sent]))
        text = run(flags + srcargs + list(extra) + ["--explain", str(query), sent]).decode("utf-8")
        qi = query if isinstance(query, int) else words.index(query)
        rows = csv_rows(run(flags + srcargs + list(extra) + ["-f", "csv", sent]), qi)
    except Exception as e:
        report(False, "explain-" + name, str(e))
        return
    x_t = R.embed(cfg, tensors, words=words)
    x_s = R.embed(cfg, tensors, words=src) if src else None
    ref = V.numpy_explain(cfg, tensors, x_t, qi, x_s)
    keys = src or words
    errs, shown = [], []
    for lay in js["layers"]:
        for jh in lay["heads"]:
            li, hi = lay["layer"], jh["head"]
            shown.append((li, hi))
            errs += ["L%dH%d %s" % (li, hi, e) for e in check_json_head(jh, ref[li - 1][hi - 1], keys, 2e-5)]
            if [k["weight"] for k in jh["keys"]] != rows.get((li, hi)):
                errs.append("L%dH%d weights differ from the CSV" % (li, hi))
    if sorted(shown) != sorted(rows):
        errs.append("heads %r, CSV %r" % (shown, sorted(rows)))
    if js.get("score") != cfg["score"] or js.get("causal") != cfg["causal"] or js["query"]["index"] != qi:
        errs.append("header %r" % {k: js.get(k) for k in ("query", "score", "causal")})
    report(not errs, "explain-%s-json" % name, "%s: %d heads, chain within 2e-5 of numpy, weights = CSV %s"
           % (" ".join(flags + list(extra)), len(shown), "; ".join(errs[:4])))
    theads = parse_text(text)
    terrs = []
    if [(t["layer"], t["head"]) for t in theads] != shown:
        terrs.append("text heads %r" % [(t["layer"], t["head"]) for t in theads])
    for th in theads:
        terrs += ["L%dH%d %s" % (th["layer"], th["head"], e)
                  for e in check_text_head(name, th, ref[th["layer"] - 1][th["head"] - 1], keys,
                                           cfg["score"], cfg["causal"])]
    want_steps = ["Query vector", "Softmax", "exp(·)", "Output of the head"]
    want_steps += {"scaled_dot": ["Raw score", "Scale: divide by √d_head"], "dot": ["Raw score"],
                   "additive": ["tanh", "W_q·q"]}[cfg["score"]]
    if cfg["causal"]:
        want_steps.append("masked")
    terrs += ["missing %r" % s for s in want_steps if s not in text]
    report(not terrs, "explain-%s-text" % name, "text chain to 4 decimals, steps %r %s"
           % (want_steps, "; ".join(terrs[:4])))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        try:
            golden_tests()
            example_tests(tmp)
        except Exception as e:
            report(False, "explain-run", "%s: %s" % (type(e).__name__, e))
        base = ["--dim", "8", "--heads", "2"]
        cases = [
            ("additive", ["--seed", "3", "--score", "additive"] + base, ["a", "b", "c", "d"], None, "c", ()),
            ("causal", ["--seed", "4", "--causal"] + base, ["one", "two", "three", "four"], None, 1, ()),
            ("causal-additive-2l", ["--seed", "5", "--causal", "--score", "additive", "--layers", "2"] + base,
             ["p", "q", "r", "s", "t"], None, "r", ()),
            ("cross", ["--seed", "6"] + base, ["the", "cat", "sat"], ["die", "Katze", "saß", "dort"], "cat", ()),
            ("cross-pre-2l", ["--seed", "7", "--layers", "2", "--layer-norm", "pre"] + base, ["a", "b"],
             ["x", "y", "z"], 0, ()),
            ("plain", ["--seed", "8", "--plain", "--dim", "6"], ["x", "y", "z"], None, "y", ()),
            ("dot-post-3l", ["--seed", "9", "--score", "dot", "--layers", "3"] + base, ["m", "n", "o", "p"],
             None, 3, ()),
            ("pre-3l-select", ["--seed", "10", "--layers", "3", "--layer-norm", "pre", "--heads", "4",
                               "--dim", "16"], ["w", "x", "y", "z"], None, "x", ("-l", "2-3", "-H", "1,4")),
        ]
        for name, flags, words, src, q, extra in cases:
            try:
                variant_case(tmp, name, flags, words, src, q, extra)
            except Exception as e:
                report(False, "explain-" + name, "%s: %s" % (type(e).__name__, e))
    print("# %d failure(s)" % suite.failed)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
