"""make.py — writes tiny.model, the SentencePiece model the C unit test
tests/unit/text/test_spm.c reads, and tiny.expected, SentencePiece's own
encoding of the test's sentences (python3-sentencepiece): one line a
sentence, "id:begin:end" of each piece with byte spans (the byte pieces of
one character spanning the character, as subword.h promises). Run from the
repository's root: /usr/bin/python3 tests/data/spm/make.py. Unigram with
byte_fallback, identity normalization (no 240 KB character map), 300 pieces, one thread: the same file on every run."""
import io
import os

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = ["The animal didn't cross the street because it was too tired.",
          "Attention shows which tokens look at which other tokens.",
          "A model reads a sentence one piece at a time, and every piece attends to the others.",
          "The street was wide and the animal was small, so it stayed on the pavement.",
          "Translation aligns the words of a source sentence with the words of its target."] * 20
SENTENCES = ["The animal didn't cross the street.", "Hello 日本 ☃!", "  two  spaces  ", "x"]


def main():
    f = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS), model_writer=f, model_type="unigram",
                                   vocab_size=300, byte_fallback=True, normalization_rule_name="identity", hard_vocab_limit=False, minloglevel=2,
                                   num_threads=1)
    proto = f.getvalue()
    with open(os.path.join(HERE, "tiny.model"), "wb") as out:
        out.write(proto)
    sp = spm.SentencePieceProcessor(model_proto=proto)
    with open(os.path.join(HERE, "tiny.expected"), "w", encoding="utf-8") as out:
        for s in SENTENCES:
            b = [len(s[:k].encode("utf-8")) for k in range(len(s) + 1)]
            p = [[q.id, b[q.begin], b[q.end]] for q in sp.encode(s, out_type="immutable_proto").pieces]
            for i in range(len(p) - 2, -1, -1):
                if sp.is_byte(p[i][0]) and p[i][1] == p[i][2] and sp.is_byte(p[i + 1][0]) and p[i + 1][1] == p[i][1]:
                    p[i][1:] = p[i + 1][1:]
            out.write(" ".join("%d:%d:%d" % tuple(q) for q in p) + "\n")


if __name__ == "__main__":
    main()
