"""test_tokenizer_spm.py — SentencePiece models through tokenizer.json:
Unigram (with the Precompiled normalizer) and BPE, against SentencePiece's
own encoder and Hugging Face's `tokenizers` binding.

Trains three small models here with Debian's SentencePiece
(python3-sentencepiece) on this repository's README and the hard cases of
tests/data/tokenizer-cases.inp:
  * unigram       Unigram, nmt_nfkc normalization (a precompiled charsmap);
  * unigram-bytes the same with byte_fallback;
  * bpe           BPE, identity normalization, byte_fallback, no whitespace
                  removal (Llama 2's settings);
and writes each as a tokenizer.json the way transformers' SpmConverter /
LlamaConverter write them (Unigram: Precompiled + Strip(right) +
Replace(" {2,}", "▁"), Metaspace; BPE: Prepend("▁") + Replace(" ", "▁"),
merges extracted from the vocabulary by score, byte_fallback, fuse_unk;
control pieces as special added tokens), read from the model file itself
(the protobuf decoded here, without the protobuf package).

Each model's tokenizer.json goes into a tiny random BERT directory (any
tokenizer with any architecture: a BERT with a Unigram tokenizer), and
`attnviz -m DIR -f json` gives the ids of every case. Checks, per model:
  * attnviz's ids are Hugging Face's (tokenizers binding) on every case;
  * attnviz's ids are SentencePiece's on every case where Hugging Face's
    converted tokenizer and SentencePiece agree (the cases where they do
    not are counted and shown: they are the converter's, not attnviz's).
SKIP (with the reason) without SentencePiece or the npm binding.
"""
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
NODE_MODULES = os.environ.get("NODE_MODULES", os.path.join(ROOT, "build", "npm", "node_modules"))
SEP = "\n__ggml_vocab_test__\n"
CASES = os.path.join(ROOT, "tests", "data", "tokenizer-cases.inp")


# ---- the model file (protobuf wire format) -----------------------------------------------

def _varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def _fields(b):
    """(field number, wire type, value) of each field of message b."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, t = key >> 3, key & 7
        if t == 0:
            v, i = _varint(b, i)
        elif t == 1:
            v, i = b[i:i + 8], i + 8
        elif t == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        elif t == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % t)
        yield f, t, v


def parse_model(proto):
    """pieces [(piece, score, type)], the normalizer spec {name, charsmap,
    add_dummy_prefix, remove_extra_whitespaces}, the trainer's unk_id."""
    pieces, norm, unk_id = [], {"charsmap": b"", "add_dummy_prefix": True, "remove_extra_whitespaces": True}, 0
    for f, _, v in _fields(proto):
        if f == 1:
            p = {"piece": "", "score": 0.0, "type": 1}
            for g, _, w in _fields(v):
                if g == 1:
                    p["piece"] = w.decode("utf-8")
                elif g == 2:
                    p["score"] = struct.unpack("<f", w)[0]
                elif g == 3:
                    p["type"] = w
            pieces.append((p["piece"], p["score"], p["type"]))
        elif f == 2:
            for g, _, w in _fields(v):
                if g == 40:
                    unk_id = w
        elif f == 3:
            for g, _, w in _fields(v):
                if g == 1:
                    norm["name"] = w.decode()
                elif g == 2:
                    norm["charsmap"] = w
                elif g == 3:
                    norm["add_dummy_prefix"] = bool(w)
                elif g == 4:
                    norm["remove_extra_whitespaces"] = bool(w)
    return pieces, norm, unk_id


# ---- tokenizer.json as transformers converts a SentencePiece model -------------------------

def _added(pieces):
    return [{"id": i, "content": p, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, (p, _, t) in enumerate(pieces) if t == 3]


def unigram_json(pieces, norm, unk_id):
    import base64
    seq = [{"type": "Strip", "strip_left": False, "strip_right": True},
           {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "\u2581"}]
    if norm["charsmap"]:
        seq.insert(0, {"type": "Precompiled",
                       "precompiled_charsmap": base64.b64encode(norm["charsmap"]).decode()})
    scheme = "always" if norm["add_dummy_prefix"] else "never"
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": _added(pieces),
            "normalizer": {"type": "Sequence", "normalizers": seq},
            "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme,
                              "split": True},
            "post_processor": None,
            "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme, "split": True},
            "model": {"type": "Unigram", "unk_id": unk_id,
                      "vocab": [[p, s] for p, s, _ in pieces],
                      "byte_fallback": any(t == 6 for _, _, t in pieces)}}


def bpe_json(pieces, unk_id):
    vocab = {p: i for i, (p, _, _) in enumerate(pieces)}
    scores = {p: s for p, s, _ in pieces}
    merges = []  # transformers' SentencePieceExtractor: every split of a piece into two pieces
    for piece, score in scores.items():
        local = [(piece[:k], piece[k:], score) for k in range(1, len(piece))
                 if piece[:k] in vocab and piece[k:] in vocab]
        merges.extend(sorted(local, key=lambda m: (vocab[m[0]], vocab[m[1]])))
    merges.sort(key=lambda m: m[2], reverse=True)
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": _added(pieces),
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "Prepend", "prepend": "\u2581"},
                {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
            "pre_tokenizer": None, "post_processor": None,
            "decoder": {"type": "Sequence", "decoders": [
                {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                {"type": "ByteFallback"}, {"type": "Fuse"},
                {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
            "model": {"type": "BPE", "dropout": None, "unk_token": pieces[unk_id][0],
                      "continuing_subword_prefix": None, "end_of_word_suffix": None, "fuse_unk": True,
                      "byte_fallback": True, "ignore_merges": False, "vocab": vocab,
                      "merges": [[a, b] for a, b, _ in merges]}}


# ---- running the three encoders --------------------------------------------------------------

def read_cases():
    with open(CASES, encoding="utf-8", newline="") as f:
        cases = f.read().split(SEP)[:-1]
    extra = ["Hello world", "  leading and   inner   spaces  ", "tab\there", "ｆｕｌｌ ｗｉｄｔｈ ①②",
             "unknown \u2603\u2604 chars \U0001F600", "<s> control </s> pieces", "<0x41> literally"]
    return cases + extra


def hf_ids(tok_json, cases, tmp):
    inp = os.path.join(tmp, "cases.inp")
    with open(inp, "w", encoding="utf-8", newline="") as f:
        f.write("".join(c + SEP for c in cases))
    env = dict(os.environ, NODE_PATH=NODE_MODULES)
    out = subprocess.run(["node", os.path.join(ROOT, "tests", "npm", "hf_encode.js"), tok_json, inp],
                         capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(l)["ids"] for l in out.splitlines()]


def attnviz_ids(model_dir, cases):
    """The non-special ids attnviz gives each case (None where it refuses)."""
    def ids_of(doc):
        return [t["id"] for t in doc["tokens"] if not t.get("special")]

    out = [None] * len(cases)
    runnable = [c.strip() and "\0" not in c for c in cases]  # attnviz refuses a NUL byte
    batch = [i for i, c in enumerate(cases) if runnable[i] and "\n" not in c and "\r" not in c]
    text = "".join(cases[i] + "\n" for i in batch)
    r = subprocess.run([ATTNVIZ, "-m", model_dir, "-f", "json", "-l", "1", "-H", "1"], input=text.encode(),
                       capture_output=True)
    docs = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    if r.returncode == 0 and len(docs) == len(batch):
        for i, d in zip(batch, docs):
            out[i] = ids_of(d)
    if r.returncode != 0 or len(docs) != len(batch):
        print("# the batch run failed (exit %d, %d of %d answers): %s" % (r.returncode, len(docs), len(batch),
                                                                       r.stderr.decode()[:200]))
    for i, c in enumerate(cases):
        if out[i] is None and runnable[i]:
            r = subprocess.run([ATTNVIZ, "-m", model_dir, "-f", "json", "-l", "1", "-H", "1", "--", c],
                               capture_output=True)
            if r.returncode == 0:
                out[i] = ids_of(json.loads(r.stdout.decode()))
    return out


def model_dir(tmp, name, tok, vocab_size):
    import hf_ckpt
    d = os.path.join(tmp, name)
    hf_ckpt.make_checkpoint(d, hf_ckpt.Spec("bert", 8, 2, 1, max_pos=4096, vocab_size=vocab_size))
    for f in ("vocab.txt", "tokenizer_config.json"):
        if os.path.exists(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"cls_token": "<s>", "sep_token": "</s>"}, f)
    return d


def short(s):
    return json.dumps(s[:40], ensure_ascii=False)


def main():
    try:
        import sentencepiece as spm
    except ImportError:
        print("SKIP sentencepiece models: python3-sentencepiece is not installed (scripts/deps.sh test)")
        return 0
    if not os.path.exists(os.path.join(NODE_MODULES, "tokenizers")) or shutil.which("node") is None:
        print("SKIP sentencepiece models: node or npm's tokenizers binding (%s) is missing" % NODE_MODULES)
        return 0
    cases = read_cases()
    corpus = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().split("\n") + cases
    corpus = [l for l in corpus if l.strip()]
    models = [("unigram", dict(model_type="unigram", vocab_size=1500)),
              ("unigram-bytes", dict(model_type="unigram", vocab_size=1500, byte_fallback=True)),
              ("bpe", dict(model_type="bpe", vocab_size=1500, byte_fallback=True, normalization_rule_name="identity",
                           remove_extra_whitespaces=False))]
    tmp = tempfile.mkdtemp(prefix="attnviz-spm-")
    try:
        for name, opts in models:
            f = io.BytesIO()
            spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=f, hard_vocab_limit=False,
                                           minloglevel=2, character_coverage=0.98, seed_sentencepiece_size=20000,
                                           num_threads=1, **opts)
            proto = f.getvalue()
            sp = spm.SentencePieceProcessor(model_proto=proto)
            pieces, norm, unk_id = parse_model(proto)
            check("%s: the model decodes (%d pieces, %s)" % (name, len(pieces), norm.get("name")),
                  len(pieces) == sp.get_piece_size() and all(sp.id_to_piece(i) == p for i, (p, _, _) in enumerate(pieces)))
            tok = unigram_json(pieces, norm, unk_id) if opts["model_type"] == "unigram" else bpe_json(pieces, unk_id)
            d = model_dir(tmp, name, tok, len(pieces))
            want_hf = hf_ids(os.path.join(d, "tokenizer.json"), cases, tmp)
            want_sp = [sp.encode(c) for c in cases]
            got = attnviz_ids(d, cases)
            run = [i for i, g in enumerate(got) if g is not None]
            blank = len(cases) - len(run)
            bad_hf = [i for i in run if got[i] != want_hf[i]]
            check("%s: attnviz's ids are Hugging Face's on %d cases (%d blank or with a NUL byte: not run)"
                  % (name, len(run), blank), not bad_hf,
                  "; ".join("case %d %s: want %s got %s" % (i + 1, short(cases[i]), want_hf[i][:12], got[i][:12])
                            for i in bad_hf[:3]))
            agree = [i for i in run if want_hf[i] == want_sp[i]]
            bad_sp = [i for i in agree if got[i] != want_sp[i]]
            differ = [i for i in run if want_hf[i] != want_sp[i]]
            check("%s: attnviz's ids are SentencePiece's on the %d cases where Hugging Face's tokenizer.json agrees "
                  "with it (%d where the converted tokenizer differs%s)"
                  % (name, len(agree), len(differ),
                     ": " + ", ".join(short(cases[i]) for i in differ[:4]) if differ else ""),
                  not bad_sp and len(agree) >= len(run) // 2,
                  "; ".join("case %d %s" % (i + 1, short(cases[i])) for i in bad_sp[:3]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
