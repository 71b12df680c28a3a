"""The shipped seq2seq demo (data/dates/, scripts/train_dates.py), before
attnviz can run it (phase B of issue 19 adds the binary's side):

  - the directory: every file of a BartForConditionalGeneration checkpoint,
    at most 5 MB, config.json's shapes equal the tensors' shapes, the tensor
    names those of save_pretrained (test_seq2seq_ref.expected_names);
  - the tokenizer: Hugging Face's own `tokenizers` (the npm binding,
    Tokenizer.fromFile on the shipped tokenizer.json) gives the same ids and
    offsets as the training tokenizer on every held-out text and on cases
    of its own (case, spacing, unknown words, punctuation), and decodes the
    ISO dates back (Fuse decoder);
  - attnviz's own tokenizer (the binary, reading the shipped tokenizer.json
    inside a small random BERT directory, since the binary cannot run the
    BART yet) gives the same ids and byte spans;
  - accuracy on the held-out dates (data/dates/heldout.tsv: trained surface
    forms on dates never trained on, and surface forms never trained on),
    measured with the training script's own greedy decoding;
  - the float64 reference of Hugging Face's BART (seq2seq_ref.py) against
    the training code's torch.nn model on the shipped weights: encoder,
    decoder and cross-attention of every layer and head within 1e-5, and
    the reference's greedy generation (generation_config.json) gives the
    same ids;
  - the binary on the demo: `attnviz -m data/dates "Saturday the 9th of May
    2018"` prints the source, the output 2018-05-09 and the cross-attention;
    attnviz's greedy output on every held-out input equals the training
    script's decoding; the encoder, decoder and cross-attention of every
    layer and head over it equal the training code's within 1e-5 (40
    inputs); --target teacher-forces the decoder start token then the
    tokenizer's ids of the text (<s> ... </s> here), equal to the training
    code's forward pass on them;
  - the alignment the model card reports: for every output digit the
    cross-attention mass on the source tokens of its field.
"""
import json
import os
import shutil
import subprocess
import sys

import torch

import seq2seq_ref as R
import suite
from st_io import read_checkpoint
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "data", "dates")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import train_dates as T  # noqa: E402
import train_dates_data as D  # noqa: E402

FILES = ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json", "attnviz.json", "heldout.tsv"]
EXTRA = ["Saturday the 9th of May 2018", "  MAY   9TH,2018  ", "the ninth of may, 2018", "2018-05-09",
         "Sept. twenty-first 1999", "Thursday (2007/1/2)", "on Fri. 3rd of Feb 1601 -- really?", "20180509",
         "Mardi 9 mai 2018", "31st Dec 9999", "", "   ", "ISO: 2018-05-09T12:00"]


def check_files(model, tok):
    missing = [f for f in FILES if not os.path.exists(os.path.join(MODEL, f))]
    size = sum(os.path.getsize(os.path.join(MODEL, f)) for f in os.listdir(MODEL))
    check("files", not missing and size <= 5_000_000, "%d bytes in %d files" % (size, len(os.listdir(MODEL)))
          if not missing else "missing %s" % missing)
    cfg = json.load(open(os.path.join(MODEL, "config.json")))
    tensors = read_checkpoint(MODEL)
    d, V, P = cfg["d_model"], cfg["vocab_size"], cfg["max_position_embeddings"]
    shapes_ok = (tensors["model.shared.weight"][0].shape == (V, d)
                 and tensors["model.encoder.embed_positions.weight"][0].shape == (P + 2, d)
                 and tensors["model.decoder.layers.0.fc1.weight"][0].shape == (cfg["decoder_ffn_dim"], d)
                 and tensors["final_logits_bias"][0].shape == (1, V) and V == len(tok.tokens))
    from test_seq2seq_ref import expected_names
    from seq2seq_ckpt import Spec
    spec = Spec("bart", d=d, enc_layers=cfg["encoder_layers"], dec_layers=cfg["decoder_layers"])
    names_ok = set(tensors) == expected_names(spec)
    params = sum(int(a.size) for a, _ in tensors.values())
    check("checkpoint", shapes_ok and names_ok and cfg["model_type"] == "bart"
          and cfg["architectures"] == ["BartForConditionalGeneration"],
          "%d tensors, %d parameters, %s" % (len(tensors), params, sorted({dt for _, dt in tensors.values()})))


def node_tokenizer(texts, decode):
    """[(ids, offsets)] and decoded strings from Hugging Face's tokenizers (npm), or None."""
    mods = os.environ.get("NODE_MODULES", os.path.join(ROOT, "build", "npm", "node_modules"))
    if not shutil.which("node") or not os.path.isdir(os.path.join(mods, "tokenizers")):
        return None
    js = r"""
const { Tokenizer } = require('tokenizers');
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', async () => {
  const job = JSON.parse(input);
  const t = Tokenizer.fromFile(job.file);
  const enc = [];
  for (const s of job.texts) { const e = await t.encode(s); enc.push([e.getIds(), e.getOffsets()]); }
  const dec = [];
  for (const ids of job.decode) dec.push(await t.decode(ids, true));
  process.stdout.write(JSON.stringify({ enc, dec }));
});
"""
    p = subprocess.run(["node", "-e", js], input=json.dumps({"file": os.path.join(MODEL, "tokenizer.json"),
                                                              "texts": texts, "decode": decode}),
                       capture_output=True, text=True, env=dict(os.environ, NODE_PATH=mods))
    if p.returncode != 0:
        raise RuntimeError("node: %s" % p.stderr.strip()[-300:])
    return json.loads(p.stdout)


def check_tokenizer(tok, rows):
    texts = [ex.text for _, ex in rows] + EXTRA
    isos = [ex.iso for _, ex in rows[:200]]
    try:
        out = node_tokenizer(texts, [tok.encode_target(s) for s in isos])
    except RuntimeError as e:
        check("tokenizer-npm", False, str(e))
        return
    if out is None:
        print("SKIP tokenizer-npm: the tokenizers npm package is not installed (scripts/deps.sh test installs it)")
        return
    bad = []
    for text, (ids, offsets) in zip(texts, out["enc"]):
        mine, spans = tok.encode(text)
        if ids != mine or [tuple(o) for o in offsets] != spans:
            bad.append((text, ids, mine))
    check("tokenizer-npm", not bad, "%d texts, ids and offsets equal" % len(texts) if not bad else
          "%d differ, first %r: tokenizers %s, training %s" % (len(bad), *bad[0]))
    wrong = [(a, b) for a, b in zip(out["dec"], isos) if a != b]
    check("tokenizer-npm-decode", not wrong, "%d ISO dates decoded back" % len(isos) if not wrong else str(wrong[:3]))


def check_attnviz_tokenizer(tok, rows):
    """The binary's tokens of the shipped tokenizer.json, through a random BERT
    directory (hf_ckpt.py) that carries it instead of its own."""
    binary = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
    if not os.access(binary, os.X_OK):
        print("SKIP attnviz-tokenizer: no attnviz binary at %s (make builds it)" % binary)
        return
    import tempfile
    import hf_ckpt
    with tempfile.TemporaryDirectory() as d:
        hf_ckpt.make_checkpoint(d, hf_ckpt.Spec("bert", 32, 2, 1, tokenizer="json"))
        shutil.copy(os.path.join(MODEL, "tokenizer.json"), os.path.join(d, "tokenizer.json"))
        texts = [ex.text for _, ex in rows] + [t for t in EXTRA if t.strip()]
        p = subprocess.run([binary, "-m", d, "-f", "json"], input="\n".join(texts) + "\n",
                           capture_output=True, text=True)
    if p.returncode != 0:
        check("attnviz-tokenizer", False, "exit %d: %s" % (p.returncode, p.stderr.strip()[-200:]))
        return
    docs, dec, i = [], json.JSONDecoder(), 0
    while i < len(p.stdout):
        if p.stdout[i].isspace():
            i += 1
            continue
        doc, i = dec.raw_decode(p.stdout, i)
        docs.append(doc)
    bad = []
    for text, doc in zip(texts, docs):
        ids, spans = tok.encode(text)
        got = [(t["id"], (t["start"], t["end"])) for t in doc["tokens"]]
        want = [(j, (a, b) if j not in (D.BOS, D.EOS) else None) for j, (a, b) in zip(ids, spans)]
        if [g[0] for g in got] != ids or any(w[1] and g[1] != w[1] for g, w in zip(got, want)):
            bad.append((text, [g[0] for g in got], ids))
    check("attnviz-tokenizer", len(docs) == len(texts) and not bad,
          "%d texts, ids and byte spans equal" % len(texts) if not bad and len(docs) == len(texts) else
          "%d outputs for %d texts; %d differ%s" % (len(docs), len(texts), len(bad),
                                                    ", first %r: attnviz %s, training %s" % bad[0] if bad else ""))


def check_accuracy(model, tok, rows):
    acc, got = T.accuracy(model, tok, rows)
    for group, floor in (("dates", 0.99), ("forms", 0.90)):
        r, n = acc[group]
        check("heldout-%s" % group, n >= 100 and r >= floor * n, "%d / %d exact (%.2f%%)" % (r, n, 100.0 * r / n))
    check("example", tok.decode(got[0]) == "2018-05-09" and rows[0][1].text == D.EXAMPLE,
          "%r -> %r" % (rows[0][1].text, tok.decode(got[0])))
    return got


def check_reference(model, tok, rows, got):
    ref = R.load(MODEL)
    worst = {"encoder": 0.0, "decoder": 0.0, "cross": 0.0}
    same_ids = 0
    picks = list(range(0, len(rows), max(1, len(rows) // 40)))[:40]
    for i in picks:
        src = tok.encode(rows[i][1].text)[0]
        dec = [D.EOS] + got[i][:-1]
        with torch.no_grad():
            _, enc, dself, cross = model(torch.tensor([src]), torch.tensor([dec]))
        mine = {"encoder": torch.stack([p[0] for p in enc]), "decoder": torch.stack([p[0] for p in dself]),
                "cross": torch.stack([p[0] for p in cross])}
        out = R.forward(ref, src, dec)
        for k in worst:
            worst[k] = max(worst[k], float((out[k] - mine[k].double()).abs().max()))
        ids, _ = R.generate(ref, src)
        same_ids += ids[1:] == got[i]
    check("reference-vs-training", max(worst.values()) <= 1e-5,
          "%d inputs, max |diff| encoder %.1e, decoder %.1e, cross %.1e" % (len(picks), worst["encoder"],
                                                                           worst["decoder"], worst["cross"]))
    check("reference-generate", same_ids == len(picks), "%d / %d greedy outputs identical" % (same_ids, len(picks)))


def attnviz_json(args, texts):
    """attnviz -m data/dates -f json ARGS on texts (one per line of standard
    input): the documents, or None (with a FAIL) when it fails."""
    binary = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
    p = subprocess.run([binary, "-m", MODEL, "-f", "json"] + args, input="\n".join(texts) + "\n",
                       capture_output=True, text=True)
    if p.returncode != 0:
        check("attnviz-demo", False, "%s: exit %d: %s" % (args, p.returncode, p.stderr.strip()[-200:]))
        return None
    docs, dec, i = [], json.JSONDecoder(), 0
    while i < len(p.stdout):
        if p.stdout[i].isspace():
            i += 1
            continue
        doc, i = dec.raw_decode(p.stdout, i)
        docs.append(doc)
    return docs


def check_attnviz_demo(model, tok, rows, got):
    """The binary on the demo: the example's terminal view; every held-out
    output generated by attnviz equal to the training script's greedy
    decoding (so attnviz's accuracy is the measured one); the encoder,
    decoder and cross-attention of every layer and head over attnviz's
    output equal to the training code's within 1e-5 on 40 inputs; --target
    teacher-forces the same rows."""
    binary = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
    if not os.access(binary, os.X_OK):
        print("SKIP attnviz-demo: no attnviz binary at %s (make builds it)" % binary)
        return
    p = subprocess.run([binary, "-m", MODEL, "-f", "ansi", "--color", "never", D.EXAMPLE], capture_output=True,
                       text=True)
    lines = p.stdout.splitlines()
    check("attnviz-example", p.returncode == 0 and lines[:2] == ["source: " + D.EXAMPLE, "output: 2018-05-09"] and
          "cross · layer 2 · head 1" in p.stdout and "rows = target tokens, columns = source tokens" in p.stdout,
          "exit %d; %r" % (p.returncode, lines[:2]))
    texts = [ex.text for _, ex in rows]
    docs = attnviz_json(["-l", "1", "-H", "1"], texts)
    if docs is None:
        return
    same = sum(len(d["tokens"]) > 1 and [t["id"] for t in d["tokens"][1:]] == g for d, g in zip(docs, got))
    exact = sum(tok.decode([t["id"] for t in d["tokens"][1:]]) == ex.iso for d, (_, ex) in zip(docs, rows))
    check("attnviz-generate", len(docs) == len(rows) and same == len(rows),
          "%d / %d outputs identical to the training decoding; %d / %d exact ISO dates (%.2f%%)" % (
              same, len(rows), exact, len(rows), 100.0 * exact / max(1, len(rows))))
    picks = list(range(0, len(rows), max(1, len(rows) // 40)))[:40]
    sample = [texts[i] for i in picks]
    parts = {part: attnviz_json(["--part", part], sample) for part in ("cross", "encoder", "decoder")}
    if any(v is None for v in parts.values()):
        return
    worst = {"encoder": 0.0, "decoder": 0.0, "cross": 0.0}
    for j, i in enumerate(picks):
        src = [t["id"] for t in parts["cross"][j]["keys"]]
        dec = [t["id"] for t in parts["cross"][j]["tokens"]]
        with torch.no_grad():
            _, enc, dself, cross = model(torch.tensor([src]), torch.tensor([dec]))
        mine = {"encoder": torch.stack([q[0] for q in enc]), "decoder": torch.stack([q[0] for q in dself]),
                "cross": torch.stack([q[0] for q in cross])}
        for part in worst:
            w = torch.tensor([[h["weights"] for h in lay["heads"]] for lay in parts[part][j]["layers"]],
                             dtype=torch.float64)
            worst[part] = max(worst[part], float((w - mine[part].double()).abs().max()))
    check("attnviz-vs-training", max(worst.values()) <= 1e-5,
          "%d inputs, every layer and head: max |diff| encoder %.1e, decoder %.1e, cross %.1e" % (
              len(picks), worst["encoder"], worst["decoder"], worst["cross"]))
    target = tok.decode(got[picks[0]])
    forced = attnviz_json(["--target", target], sample[:1])
    if forced is not None:
        src = [t["id"] for t in forced[0]["keys"]]
        dec = [t["id"] for t in forced[0]["tokens"]]
        with torch.no_grad():
            cross = torch.stack([q[0] for q in model(torch.tensor([src]), torch.tensor([dec]))[3]])
        w = torch.tensor([[h["weights"] for h in lay["heads"]] for lay in forced[0]["layers"]], dtype=torch.float64)
        diff = float((w - cross.double()).abs().max())
        check("attnviz-target", dec == [D.EOS] + tok.encode(target)[0] and diff <= 1e-5 and
              not forced[0]["target_generated"],
              "--target %r: the start token then the tokenizer's %d ids; cross max |diff| %.1e" % (
                  target, len(dec) - 1, diff))


def check_alignment(model, tok, rows):
    """The heads attnviz.json names (those the alignment loss trained): for the
    output digits, >= 90 % of the mass on the digit's field on average and
    the largest weight in the field >= 95 % of the time."""
    heads = [(h["layer"], h["head"]) for h in json.load(open(os.path.join(MODEL, "attnviz.json")))["alignment_heads"]]
    stats, _ = T.alignment_stats(model, tok, rows)
    mass = [float(stats["mass"][l - 1, h - 1]) for l, h in heads]
    arg = [float(stats["argmax_field"][l - 1, h - 1]) for l, h in heads]
    check("alignment", heads and min(mass) >= 0.9 and min(arg) >= 0.95,
          "%d output digits; %s" % (stats["digits"], ", ".join(
              "layer %d head %d: mass on the field %.3f, largest weight in it %.1f%%" % (l, h, m, 100 * a)
              for (l, h), m, a in zip(heads, mass, arg))))


def main():
    torch.set_num_threads(1)  # two threads spin-wait on a busy machine: 8x the CPU time here
    if not os.path.isdir(MODEL):
        check("files", False, "%s is missing" % MODEL)
        return
    model, tok = T.load_shipped(MODEL)
    rows = T.read_heldout(MODEL)
    check_files(model, tok)
    check_tokenizer(tok, rows)
    check_attnviz_tokenizer(tok, rows)
    got = check_accuracy(model, tok, rows)
    check_reference(model, tok, rows, got)
    check_attnviz_demo(model, tok, rows, got)
    check_alignment(model, tok, rows)


if __name__ == "__main__":
    main()
    raise SystemExit(suite.status())
