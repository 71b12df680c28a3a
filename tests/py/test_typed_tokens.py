#!/usr/bin/python3
"""Tokens as people type them (issue 17), on real tokenizers: -q and
--explain find GPT-2's "␣it" from "it", "IT", "␣it" and "Ġit" (a random
GPT-2 checkpoint in the Hugging Face layout, tests/py/hf_ckpt.py), and a
WordPiece continuation "##lo" from "lo" (the pretrained model's
"xylophonist" is x ##y ##lo ##ph ##oni ##st).

Prints PASS/FAIL/SKIP lines."""
import os
import re
import sys
import tempfile

import suite
from runner import run
from suite import check

try:
    from hf_ckpt import Spec, make_checkpoint
except ImportError as e:
    print(f"SKIP typed-tokens: {e} (hf_ckpt needs python3-torch)")
    sys.exit(0)


def focus_query(p):
    m = re.match(r'focus: query "([^"]*)" \(index (\d+)\)', p.stdout.decode())
    return (m.group(1), int(m.group(2))) if m else (None, p.stderr.decode().strip()[:200])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "gpt2")
        make_checkpoint(d, Spec("gpt2", 16, 2, 2, seed=7))
        sentence = "the animal did not cross because it was tired"
        p = run("-m", d, "-f", "json", sentence)
        toks = [t["text"] for t in __import__("json").loads(p.stdout)["tokens"]] if p.returncode == 0 else []
        check("gpt2: the sentence has a token ␣it", "\u2423it" in toks, toks)
        want = toks.index("\u2423it") if "\u2423it" in toks else -1
        for q in ("it", "IT", "\u2423it", "\u0120it", "@%d" % want):
            got = focus_query(run("-m", d, "--color", "never", "-q", q, "-l", "1", sentence))
            check(f"gpt2: -q {q} is the token ␣it", got == ("\u2423it", want), got)
        p = run("-m", d, "-f", "json", "--explain", "it", "-l", "1", "-H", "1", sentence)
        check("gpt2: --explain it", p.returncode == 0, p.stderr.decode()[:200])
        p = run("--color", "never", "-q", "lo", "-l", "1", "the xylophonist played")
        check("pretrained: -q lo is the WordPiece piece ##lo", focus_query(p)[0] == "##lo", focus_query(p))
        p = run("--color", "never", "-q", "##LO", "-l", "1", "the xylophonist played")
        check("pretrained: -q ##LO too", focus_query(p)[0] == "##lo", focus_query(p))
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
