"""test_seq2seq_parity.py — attnviz on the encoder-decoders (bart, mbart,
marian, t5, mt5) against the float64 reference of transformers' modeling
code (tests/py/seq2seq_ref.py), on the checkpoints of
tests/py/test_seq2seq_ref.py's SPECS (6 or more per architecture: layers
1-3, heads 1-8, shared and separate embeddings, tied and untied heads,
F32/F16/BF16, legacy copies, shards, bare *Model files) written by
seq2seq_ckpt.py in the exact Hugging Face layout.

Tokenizers: the writer's own files: bart and mbart a byte-level BPE
(vocab.json + merges.txt, or tokenizer.json), Marian source.spm +
target.spm + vocab.json, T5 and mT5 spiece.model (SentencePiece models the
writer trains). NAME/ids and NAME/target-ids check that attnviz's source
and --target ids equal the writer's encode() (bart <s> X </s>, Marian and T5
X </s>; mbart only with its tokenizer.json, since MBartTokenizer's
X </s> en_XX is not in vocab.json + merges.txt). Of three source texts the
first whose reference greedy run has no near-tie is used.

For each checkpoint with a language-model head, generation_config.json gets
min_length 22, so that greedy generation runs at least 21 tokens, and

    $ATTNVIZ -m DIR -f json --max-new 24 [--part P] SOURCE

is compared with the reference:
  * gen/NAME: the generated ids (start token first) equal R.generate()'s,
    the smallest top-1/top-2 gap of the reference's steps above 1e-3 (no
    near-tie float32 could flip); at least 20 generated ids;
  * NAME: max |attnviz - reference| of the encoder, decoder and cross
    attention of every layer and head over the generated target <= 1e-4;
    the JSON says "part", and the cross matrix is target x source;
  * NAME/target: --target TEXT teacher-forces the decoder start token then
    TEXT's tokens, compared the same way (the bare *Model files, which
    cannot generate, are checked this way only).

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_seq2seq_parity.py [NAME-SUBSTRING]
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

import attnviz_ref as A  # noqa: E402
import seq2seq_ckpt as C  # noqa: E402
import seq2seq_ref as R  # noqa: E402
import suite  # noqa: E402
import test_seq2seq_ref as T  # noqa: E402
from suite import check  # noqa: E402

TOL = 1e-4
SOURCES = ["The cat sat on the street because it was tired.", "A big brown dog walked into the river",
           "unbelievable happiness, quickly!"]
TARGET = "A big brown dog walked into the river"


def run(args):
    return A.run_attnviz(args, stdin=b"")


def first_line(err):
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "(no message)"


def weights_of(doc):
    return torch.tensor([[h["weights"] for h in lay["heads"]] for lay in doc["layers"]], dtype=torch.float64)


def compare(name, directory, m, args, text, expect_dec=None):
    """attnviz's three parts against R.forward on the ids it reports.
    Returns the cross run's JSON (or None)."""
    worst, docs = {}, {}
    for part in ("cross", "encoder", "decoder"):
        rc, out, err = run(["-m", directory, "-f", "json", "--part", part] + args + [text])
        if rc != 0:
            check(name, False, "--part %s: exit %d: %s" % (part, rc, first_line(err)))
            return None
        docs[part] = json.loads(out)
    cross = docs["cross"]
    src = [t["id"] for t in cross["keys"]]
    dec = [t["id"] for t in cross["tokens"]]
    if expect_dec is not None and dec != expect_dec:
        check(name, False, "target ids %s, expected %s" % (dec, expect_dec))
        return None
    ref = R.forward(m, src, dec)
    shapes_ok = all(docs[p].get("part") == p for p in docs)
    for part in docs:
        got = weights_of(docs[part])
        if tuple(got.shape) != tuple(ref[part].shape):
            check(name, False, "--part %s: shape %s, reference %s" % (part, tuple(got.shape), tuple(ref[part].shape)))
            return None
        worst[part] = float((got - ref[part]).abs().max())
    check(name, max(worst.values()) <= TOL and shapes_ok,
          "max |diff| enc %.1e dec %.1e cross %.1e; cross %dx%d (target x source)%s" % (
              worst["encoder"], worst["decoder"], worst["cross"], len(dec), len(src),
              "" if shapes_ok else "; \"part\" missing or wrong"))
    return cross


def pick_source(directory, m, sources):
    """The first source whose reference greedy run has no near-tie (every
    top-1/top-2 gap above 1e-3), decided by the reference alone."""
    if m.lm_head is None:
        return sources[0]
    for text in sources:
        rc, out, _ = run(["-m", directory, "-f", "json", "--part", "encoder", "--target", "x", text])
        if rc != 0:
            return text
        _, margins = R.generate(m, [t["id"] for t in json.loads(out)["tokens"]], max_new_tokens=24)
        if min(margins) > 1e-3:
            return text
    return sources[0]


def one_spec(tmp, spec, counts):
    name = spec.name()
    directory = os.path.join(tmp, name)
    if not spec.base:
        spec.gen = dict(spec.gen or {}, min_length=22)
    cfg, gen, tok, _ = C.make_checkpoint(directory, spec)
    vocab = cfg["vocab_size"]
    sources, target = SOURCES, TARGET
    m = R.load(directory)
    source = pick_source(directory, m, sources)
    same_ids = spec.arch != "mbart" or spec.tokenizer == "json"  # MBartTokenizer's "X </s> en_XX" needs its json
    if same_ids:
        rc, out, err = run(["-m", directory, "-f", "json", "--part", "encoder", "--target", "x", source])
        ids = [t["id"] for t in json.loads(out)["tokens"]] if rc == 0 else None
        check(name + "/ids", ids == tok.encode(source), "attnviz %s, writer %s" % (ids, tok.encode(source)))
    if not spec.base:
        doc = compare(name, directory, m, ["--max-new", "24"], source)
        if doc is not None:
            src = [t["id"] for t in doc["keys"]]
            dec = [t["id"] for t in doc["tokens"]]
            ref_ids, margins = R.generate(m, src, max_new_tokens=24)
            marked = [t.get("generated", False) for t in doc["tokens"]]
            gap = min(margins) if margins else 0.0
            ok = dec == ref_ids and len(dec) - 1 >= 20 and gap > 1e-3 and marked == [False] + [True] * (len(dec) - 1)
            check("gen/" + name, ok, "%d generated ids %s the reference's; smallest top-2 gap %.2e%s" % (
                len(dec) - 1, "equal to" if dec == ref_ids else "DIFFER from", gap,
                "" if marked[1:] == [True] * (len(dec) - 1) else "; \"generated\" marks wrong"))
            counts[spec.arch] = counts.get(spec.arch, 0) + (len(dec) - 1 if ok else 0)
    start = m.gen.get("decoder_start_token_id", m.cfg.get("decoder_start_token_id"))
    if start is None:
        start = m.cfg.get("bos_token_id")
    rc, out, err = run(["-m", directory, "-f", "json", "--part", "decoder", "--target", target, "x"])
    tgt = None
    if rc == 0:
        tgt = [t["id"] for t in json.loads(out)["tokens"]][1:]
    expect = [start] + (tgt if tgt is not None else [])
    if same_ids:
        check(name + "/target-ids", tgt == tok.encode(target), "attnviz %s, writer %s" % (tgt, tok.encode(target)))
    compare(name + "/target", directory, m, ["--target", target], source, expect)


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    tmp = tempfile.mkdtemp(prefix="attnviz-s2s-")
    counts = {}
    try:
        per = {}
        for spec in T.SPECS:
            if only and only not in spec.name():
                continue
            per[spec.arch] = per.get(spec.arch, 0) + 1
            one_spec(tmp, spec, counts)
        if not only:
            check("configurations", all(per.get(a, 0) >= 6 for a in C.ARCHS),
                  ", ".join("%s %d" % (a, per.get(a, 0)) for a in C.ARCHS))
            check("generated-ids", all(counts.get(a, 0) >= 20 for a in C.ARCHS),
                  ", ".join("%s %d" % (a, counts.get(a, 0)) for a in C.ARCHS))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(suite.status())


if __name__ == "__main__":
    main()
