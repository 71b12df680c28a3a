"""test_spm_model.py — SentencePiece model files (.model, .spm) read by
attnviz through Debian's SentencePiece library, against SentencePiece's own
encoder (python3-sentencepiece) and transformers' MarianTokenizer.

Trains four small models here (seeded corpus: this repository's README and
the cases of tests/data/tokenizer-cases.inp; one thread, so the training is
the same on every run), with the settings of test_tokenizer_spm.py plus a
BPE without byte fallback:
  * unigram        Unigram, nmt_nfkc normalization;
  * unigram-bytes  the same with byte_fallback;
  * bpe-bytes      BPE, identity normalization, byte_fallback, no whitespace
                   removal (Llama 2's settings);
  * bpe            BPE, nmt_nfkc, no byte fallback.
Each goes into tiny random BERT directories (tests/py/hf_ckpt.py) in place
of tokenizer.json, and `attnviz -m DIR -f json` encodes every case:
  * spiece.model (T5): the text's ids equal SentencePiece's encode() on
    every case, their byte spans equal SentencePiece's (a byte piece of a
    character spanning the character, as subword.h promises), "</s>" (the
    model's eos id) is the one special token, last; the labels read as
    SentencePiece's decoding of the ids ("␣" as a space) where no piece is
    unknown or a byte;
  * tokenizer.model (Llama): the same ids with "<s>" (bos) first, alone;
  * tokenizer.json next to spiece.model wins (its ids, no "</s>");
  * source.spm + vocab.json (Marian), for the two models without byte
    fallback: vocab.json maps pieces to model ids in a shuffled order, with
    some pieces left out, ">>fr<<"-style language codes and "</s>", "<unk>",
    "<pad>"; the ids equal those of MarianTokenizer's logic, reimplemented
    below from transformers' tokenization_marian.py and
    PreTrainedTokenizer.tokenize, on every case (plus cases with language
    codes and special tokens in the text), "</s>" appended.
SKIP (saying which) without python3-sentencepiece.
"""
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))

MODELS = [("unigram", dict(model_type="unigram", vocab_size=1000)),
          ("unigram-bytes", dict(model_type="unigram", vocab_size=1000, byte_fallback=True)),
          ("bpe-bytes", dict(model_type="bpe", vocab_size=1000, byte_fallback=True, normalization_rule_name="identity",
                             remove_extra_whitespaces=False)),
          ("bpe", dict(model_type="bpe", vocab_size=600))]

MARIAN_EXTRA = [">>fr<< Hello world", ">>de<< the cat sat", ">>fr<<>>de<< two codes", "no >>fr<< code here",
                ">>fr<<", ">>fr<< </s> inside", "a </s> b <unk> c <pad> d", "</s></s>", "<unk>only", ">>xx<< unknown code",
                ">> broken << code", ">>fr< half", "text with \u2603 unknown", "  spaces  around </s>  ", "<s> control"]


def read_cases():
    import test_tokenizer_spm
    return test_tokenizer_spm.read_cases()


def train(spm, name, opts, corpus):
    f = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=f, hard_vocab_limit=False,
                                   minloglevel=2, character_coverage=0.98, seed_sentencepiece_size=20000,
                                   num_threads=1, **opts)
    return f.getvalue()


def bert_dir(tmp, name, vocab_size, files):
    """A random 1-layer BERT with files {name: bytes} as its tokenizer."""
    import hf_ckpt
    d = os.path.join(tmp, name)
    hf_ckpt.make_checkpoint(d, hf_ckpt.Spec("bert", 8, 2, 1, max_pos=4096, vocab_size=vocab_size))
    for f in ("vocab.txt", "tokenizer_config.json", "tokenizer.json"):
        if os.path.exists(os.path.join(d, f)):
            os.remove(os.path.join(d, f))
    for f, data in files.items():
        with open(os.path.join(d, f), "wb") as out:
            out.write(data)
    return d


def attnviz_tokens(model_dir, cases):
    """The tokens attnviz gives each case ([{text, id, start, end, special}]),
    None where it refuses (a blank case or one with a NUL byte is not run)."""
    out = [None] * len(cases)
    runnable = [c.strip() and "\0" not in c for c in cases]
    batch = [i for i, c in enumerate(cases) if runnable[i] and "\n" not in c and "\r" not in c]
    r = subprocess.run([ATTNVIZ, "-m", model_dir, "-f", "json", "-l", "1", "-H", "1"],
                       input="".join(cases[i] + "\n" for i in batch).encode(), capture_output=True)
    docs = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
    if r.returncode == 0 and len(docs) == len(batch):
        for i, d in zip(batch, docs):
            out[i] = d["tokens"]
    else:
        print("# the batch run failed (exit %d, %d of %d answers): %s"
              % (r.returncode, len(docs), len(batch), r.stderr.decode()[:200]))
    for i, c in enumerate(cases):
        if out[i] is None and runnable[i]:
            r = subprocess.run([ATTNVIZ, "-m", model_dir, "-f", "json", "-l", "1", "-H", "1", "--", c],
                               capture_output=True)
            if r.returncode == 0:
                out[i] = json.loads(r.stdout.decode())["tokens"]
    return out


def spm_spans(sp, text):
    """SentencePiece's pieces of text with byte spans; the byte pieces of one
    character (SentencePiece gives the span to the last) span the character."""
    proto = sp.encode(text, out_type="immutable_proto")
    b = [len(text[:k].encode("utf-8")) for k in range(len(text) + 1)]  # char offset -> byte offset
    out = [[p.id, b[p.begin], b[p.end]] for p in proto.pieces]
    for i in range(len(out) - 2, -1, -1):
        if sp.is_byte(out[i][0]) and out[i][1] == out[i][2] and sp.is_byte(out[i + 1][0]) and \
                out[i + 1][1] == out[i][1]:
            out[i][1:] = out[i + 1][1:]
    return out


def short(s):
    return json.dumps(s[:40], ensure_ascii=False)


def first_bad(idx, cases, want, got):
    return "; ".join("case %d %s: want %s got %s" % (i + 1, short(cases[i]), want[i][:10], got[i][:10])
                     for i in idx[:3])


# ---- MarianTokenizer, from transformers' source ----------------------------------------

def marian_ids(sp, enc, text, stats, unk="<unk>", eos="</s>", pad="<pad>"):
    """MarianTokenizer(...)(text).input_ids: PreTrainedTokenizer.tokenize
    splits the text at the added (special) tokens, _tokenize takes a language
    code off each stretch's start and encodes the rest with source.spm,
    _convert_token_to_id maps each piece (vocab.json, else SentencePiece's
    piece_to_id, else vocab.json's unk), build_inputs_with_special_tokens
    appends eos. stats counts the pieces that fell back to SentencePiece's id."""
    specials = sorted((t for t in (eos, unk, pad) if t in enc), key=len, reverse=True)
    chunks, start, i = [], 0, 0
    while i < len(text):
        hit = next((t for t in specials if text.startswith(t, i)), None)
        if hit:
            chunks.append((text[start:i], False))
            chunks.append((hit, True))
            i += len(hit)
            start = i
        else:
            i += 1
    chunks.append((text[start:], False))
    tokens = []
    for chunk, special in chunks:
        if not chunk:
            continue
        if special:
            tokens.append(chunk)
            continue
        code = []
        if chunk.startswith(">>") and chunk.find("<<") != -1:  # remove_language_code
            end = chunk.find("<<")
            code, chunk = [chunk[:end + 2]], chunk[end + 2:]
        tokens.extend(code + sp.encode(chunk, out_type=str))

    def to_id(t):
        if t in enc:
            return enc[t]
        spm_id = sp.piece_to_id(t)
        stats["fallback"] = stats.get("fallback", 0) + 1
        return spm_id if spm_id >= 0 else enc[unk]
    return [to_id(t) for t in tokens] + [enc[eos]]


def marian_vocab(sp, seed):
    """vocab.json: "</s>" 0, "<unk>" 1, the pieces shuffled (every 17th
    normal piece left out), two language codes, "<pad>" last; at least as
    many entries as the SentencePiece model has pieces, so that
    SentencePiece's own ids (the fallback) stay inside it."""
    rnd = random.Random(seed)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())
              if not sp.is_control(i) and not sp.is_unknown(i)]
    kept = [p for k, p in enumerate(pieces) if k % 17 != 5]
    rnd.shuffle(kept)
    names = ["</s>", "<unk>"] + kept + [">>fr<<", ">>de<<"]
    while len(names) < sp.get_piece_size() + 1:
        names.append("<extra_%d>" % len(names))
    names.append("<pad>")
    return {p: i for i, p in enumerate(names)}, len(pieces) - len(kept)


def main():
    try:
        import sentencepiece as spm
    except ImportError:
        print("SKIP sentencepiece model files: python3-sentencepiece is not installed (scripts/deps.sh test)")
        return 0
    import test_tokenizer_spm
    cases = read_cases()
    corpus = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read().split("\n") + cases
    corpus = [l for l in corpus if l.strip()]
    tmp = tempfile.mkdtemp(prefix="attnviz-spmfile-")
    try:
        for name, opts in MODELS:
            proto = train(spm, name, opts, corpus)
            sp = spm.SentencePieceProcessor(model_proto=proto)
            n = sp.get_piece_size()

            # T5: spiece.model, </s> after the text
            d = bert_dir(tmp, name + "-t5", n, {"spiece.model": proto})
            got = attnviz_tokens(d, cases)
            run = [i for i, g in enumerate(got) if g is not None]
            refused = [i for i, c in enumerate(cases) if c.strip() and "\0" not in c and got[i] is None]
            check("%s: attnviz encodes every runnable case of %d (%d blank or with a NUL byte: not run)"
                  % (name, len(cases), len(cases) - len(run) - len(refused)), not refused and len(run) >= 100,
                  "refused: " + ", ".join(short(cases[i]) for i in refused[:4]) if refused else "")
            want = {i: spm_spans(sp, cases[i]) for i in run}
            text_ids = {i: [t["id"] for t in got[i] if not t.get("special")] for i in run}
            bad = [i for i in run if text_ids[i] != [p[0] for p in want[i]]]
            check("%s: spiece.model ids are SentencePiece's on %d of %d cases" % (name, len(run) - len(bad), len(run)),
                  not bad, first_bad(bad, cases, {i: [p[0] for p in want[i]] for i in run}, text_ids))
            # (SentencePiece gives an unknown piece's surface as its piece)
            pieces_ok = [i for i in run if [sp.id_to_piece(x) for x in text_ids[i]] ==
                         [sp.id_to_piece(x) if sp.is_unknown(x) else q for x, q in
                          zip(sp.encode(cases[i]), sp.encode(cases[i], out_type=str))]]
            check("%s: and so are the pieces (%d cases)" % (name, len(pieces_ok)), len(pieces_ok) == len(run))
            spans = {i: [[t["start"], t["end"]] for t in got[i] if not t.get("special")] for i in run}
            bad = [i for i in run if spans[i] != [p[1:] for p in want[i]]]
            check("%s: byte spans are SentencePiece's on %d of %d cases" % (name, len(run) - len(bad), len(run)),
                  not bad, first_bad(bad, cases, {i: [p[1:] for p in want[i]] for i in run}, spans))
            bad = [i for i in run if [(t["id"], t["text"]) for t in got[i] if t.get("special")] !=
                   [(sp.eos_id(), "</s>")] or not got[i][-1].get("special")]
            check("%s: \"</s>\" (id %d) last, the one special token, on every case" % (name, sp.eos_id()), not bad,
                  "; ".join(short(cases[i]) for i in bad[:3]))
            plain = [i for i in run if not any(sp.is_byte(x) or sp.is_unknown(x) for x in text_ids[i]) and
                     all(ord(ch) >= 32 and ch not in "\u2423" for ch in cases[i])]
            bad = [i for i in plain if "".join(t["text"] for t in got[i] if not t.get("special")).replace("\u2423", " ")
                   .lstrip() != sp.decode(text_ids[i]).lstrip()]
            check("%s: labels read as SentencePiece's decoding on %d cases without byte or unknown pieces"
                  % (name, len(plain)), not bad and len(plain) >= 50,
                  "; ".join("%s: %s" % (short(cases[i]), [t["text"] for t in got[i]][:8]) for i in bad[:2]))

            # Llama: tokenizer.model, <s> before the text
            d = bert_dir(tmp, name + "-llama", n, {"tokenizer.model": proto})
            got2 = attnviz_tokens(d, cases)
            bad = [i for i in run if got2[i] is None or [t["id"] for t in got2[i]] != [sp.bos_id()] + text_ids[i] or
                   [t.get("special", False) for t in got2[i]] != [True] + [False] * len(text_ids[i])]
            check("%s: tokenizer.model gives \"<s>\" first, then SentencePiece's ids, on %d of %d cases"
                  % (name, len(run) - len(bad), len(run)), not bad, "; ".join(short(cases[i]) for i in bad[:3]))

            # Marian: source.spm + vocab.json
            if opts.get("byte_fallback"):
                continue
            enc, left_out = marian_vocab(sp, 7)
            mcases = cases + MARIAN_EXTRA
            d = bert_dir(tmp, name + "-marian", len(enc),
                         {"source.spm": proto, "target.spm": proto,
                          "vocab.json": json.dumps(enc, ensure_ascii=False).encode("utf-8")})
            got3 = attnviz_tokens(d, mcases)
            mrun = [i for i, g in enumerate(got3) if g is not None]
            stats = {}
            want3 = {i: marian_ids(sp, enc, mcases[i], stats) for i in mrun}
            ids3 = {i: [t["id"] for t in got3[i]] for i in mrun}
            bad = [i for i in mrun if ids3[i] != want3[i]]
            check("%s: Marian ids (vocab.json, %d pieces left out of it: %d pieces of the cases take SentencePiece's "
                  "id) are MarianTokenizer's on %d of %d cases"
                  % (name, left_out, stats.get("fallback", 0), len(mrun) - len(bad), len(mrun)),
                  not bad and len(mrun) >= len(run), first_bad(bad, mcases, want3, ids3))
            codes = [i for i in mrun if mcases[i].startswith(">>fr<<")]
            check("%s: a language code at the start is one token spanning it (%d cases)" % (name, len(codes)),
                  codes and all(got3[i][0]["id"] == enc[">>fr<<"] and got3[i][0]["end"] == 6 for i in codes))

        # tokenizer.json wins over spiece.model
        proto = train(spm, "unigram", MODELS[0][1], corpus)
        sp = spm.SentencePieceProcessor(model_proto=proto)
        pieces, norm, unk_id = test_tokenizer_spm.parse_model(proto)
        tok = json.dumps(test_tokenizer_spm.unigram_json(pieces, norm, unk_id)).encode()
        d = bert_dir(tmp, "both", sp.get_piece_size(),
                     {"spiece.model": proto, "tokenizer.json": tok,
                      "tokenizer_config.json": b'{"cls_token": "<s>", "sep_token": "</s>"}'})
        got = attnviz_tokens(d, ["Hello world"])
        check("tokenizer.json is read when spiece.model is there too (BERT's <s> ... </s> of tokenizer_config.json, "
              "not spiece.model's </s> alone)",
              got[0] is not None and [t["text"] for t in got[0] if t.get("special")] == ["<s>", "</s>"] and
              [t["id"] for t in got[0] if not t.get("special")] == sp.encode("Hello world"),
              "" if got[0] and got[0][0].get("special") else str(got[0])[:200])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
