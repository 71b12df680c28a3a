"""repro_gen_flake.py — reproduces the open defect of branch i21: gen/gemma3_text of test_dec_parity
builds this tiny Gemma 3 checkpoint and runs `attnviz --generate 24` N times (default 40); on a loaded
2-core machine (2026-12-06) i21 gave other ids in 2 of 40 runs (one from the first token on), main 0 of 40.
Usage: BIN=./attnviz N=40 /usr/bin/python3 tests/py/repro_gen_flake.py (from the repo root). Not a test."""
import json
import os
import subprocess
import sys
import tempfile
sys.argv=[sys.argv[0]]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("ATTNVIZ", os.environ.get("BIN", "./attnviz"))
import test_dec_parity as t, dec_ckpt, hf_ckpt
spec = [s for s in t.GEN_SPECS if s.family == "gemma3_text"][0]
d = tempfile.mkdtemp(prefix="attnviz-flake-")
cfg, tok, tensors = dec_ckpt.make_checkpoint(d, spec)
name = "gen/gemma3_text"
text = hf_ckpt.random_sentence(tok, 8, seed=len(name)) if tok is not None else " ".join(t.PARAGRAPH[:7])
open("/tmp/g3text","w").write(text)
outs = {}
for i in range(int(os.environ.get("N", "40"))):
    r = subprocess.run([os.environ.get("BIN", "./attnviz"), "-m", d, "--generate", "24", "-f", "json", text], capture_output=True)
    doc = json.loads(r.stdout)
    ids = tuple(tk["id"] for tk in doc["tokens"] if tk.get("generated"))
    outs.setdefault(ids, 0); outs[ids] += 1
for k, v in outs.items(): print(v, k[:6])
