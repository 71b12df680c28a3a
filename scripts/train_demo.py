#!/usr/bin/python3
"""train_demo.py — trains the small pretrained model that ships with attnviz
(data/pretrained/), a 4-layer BERT encoder in Hugging Face's BertModel layout.

Training tooling only: attnviz never runs Python. The text side (tokenizer,
vocabulary, WordNet, generated sentences) is scripts/train_demo_text.py. Needs Debian's
/usr/bin/python3 with python3-torch and the wordnet-base package
(`scripts/deps.sh train`, or `make train`, installs what is missing).

    /usr/bin/python3 scripts/train_demo.py            # train, write data/pretrained/
    /usr/bin/python3 scripts/train_demo.py --eval     # evaluate the shipped files
    /usr/bin/python3 scripts/train_demo.py --json "The animal didn't cross ..."
                                                      # attnviz-style JSON, from torch

Data: WordNet 3.0's glosses and examples (/usr/share/wordnet/data.*) and
generated sentences of the kind "The animal didn't cross the street because it
was too tired / wide" (an agent and a place; the adjective fits one of them).
Objective: masked-LM on all text, plus a loss that trains one head's
attention row of the pronoun to put its mass on the antecedent noun. A set of
(noun, adjective) pairs, among them (animal, tired) and (street, wide), is
never generated for training: data/pretrained/heldout.tsv is built from them.

Outputs, the contract with attnviz's loader (`attnviz -m data/pretrained`):
config.json (BertConfig), model.safetensors (BertModel tensor names, F16),
vocab.txt + tokenizer_config.json (uncased WordPiece), attnviz.json (which
head was trained), heldout.tsv. The same seed reproduces the same bytes.
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: the cores are shared

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from train_demo_text import (SPECIALS, Tokenizer, build_vocab, coref_sample, generated_words,  # noqa: E402
                             heldout_pairs, heldout_set, noun_table, wordnet_sentences)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH = dict(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
            max_position_embeddings=128)
COREF_HEAD = (3, 1)  # 1-based (layer, head) whose attention the auxiliary loss trains
MAX_LEN = 64  # tokens of one WordNet sentence, [CLS] and [SEP] included
PACKED = 0.08  # this share of the WordNet sentences is packed into sequences of up to
               # max_position_embeddings tokens ([CLS] a [SEP] b [SEP] ...), so every position is trained

# ---------------------------------------------------------------- model
# Hugging Face BertModel, written out: the attribute names are its state-dict
# names, so the exported tensors need no renaming.

class SelfAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, x, mask):  # x [B, n, d], mask [B, 1, 1, n] additive or None
        B, n, d = x.shape
        split = lambda t: t.view(B, n, self.h, d // self.h).transpose(1, 2)  # [B, h, n, dh]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.h)  # [B, h, n, n]
        if mask is not None:
            scores = scores + mask
        probs = scores.softmax(-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, n, d)
        return ctx, probs


class DenseLN(nn.Module):  # BertSelfOutput / BertOutput: LN(residual + dense(x))
    def __init__(self, d_in, d):
        super().__init__()
        self.dense, self.LayerNorm = nn.Linear(d_in, d), nn.LayerNorm(d, eps=1e-12)

    def forward(self, x, residual):
        return self.LayerNorm(residual + self.dense(x))


class Attention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.self, self.output = SelfAttention(d, h), DenseLN(d, d)


class Intermediate(nn.Module):
    def __init__(self, d, i):
        super().__init__()
        self.dense = nn.Linear(d, i)


class Layer(nn.Module):
    def __init__(self, d, h, i):
        super().__init__()
        self.attention, self.intermediate, self.output = Attention(d, h), Intermediate(d, i), DenseLN(i, d)

    def forward(self, x, mask):
        ctx, probs = self.attention.self(x, mask)
        x = self.attention.output(ctx, x)
        x = self.output(F.gelu(self.intermediate.dense(x)), x)  # erf GELU
        return x, probs


class Embeddings(nn.Module):
    def __init__(self, v, d, p):
        super().__init__()
        self.word_embeddings, self.position_embeddings = nn.Embedding(v, d), nn.Embedding(p, d)
        self.token_type_embeddings, self.LayerNorm = nn.Embedding(2, d), nn.LayerNorm(d, eps=1e-12)


class Encoder(nn.Module):
    def __init__(self, d, h, i, n):
        super().__init__()
        self.layer = nn.ModuleList(Layer(d, h, i) for _ in range(n))


class BertModel(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size,
                 max_position_embeddings):
        super().__init__()
        d = hidden_size
        self.embeddings = Embeddings(vocab_size, d, max_position_embeddings)
        self.encoder = Encoder(d, num_attention_heads, intermediate_size, num_hidden_layers)
        for m in self.modules():  # BertPreTrainedModel._init_weights
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, pad=None):
        """ids [B, n] (token type 0, positions 0..n-1); pad [B, n] True at
        padding (training only). Returns hidden [B, n, d] and per layer the
        attention probabilities [B, heads, n, n]."""
        e = self.embeddings
        pos = torch.arange(ids.shape[1])
        x = e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(pos) + e.token_type_embeddings.weight[0])
        mask = None
        if pad is not None:  # as HF: the most negative float on padded keys
            mask = pad[:, None, None, :].float() * torch.finfo(torch.float32).min
        probs = []
        for layer in self.encoder.layer:
            x, p = layer(x, mask)
            probs.append(p)
        return x, probs


class MLMHead(nn.Module):  # BertOnlyMLMHead, decoder tied to the word embeddings; not shipped
    def __init__(self, d, v):
        super().__init__()
        self.dense, self.LayerNorm, self.bias = nn.Linear(d, d), nn.LayerNorm(d, eps=1e-12), nn.Parameter(
            torch.zeros(v))

    def forward(self, x, word_embeddings):
        return self.LayerNorm(F.gelu(self.dense(x))) @ word_embeddings.t() + self.bias


# ---------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, dtype="F16"):
    """tensors: ordered (name, float32 numpy array). 8-byte LE header length,
    JSON header padded with spaces to a multiple of 8, then the raw bytes."""
    np_t = {"F16": np.float16, "F32": np.float32}[dtype]
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, a in tensors:
        b = np.ascontiguousarray(a, dtype=np_t).astype("<" + np.dtype(np_t).str[1:]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(path + ".tmp", path)


def read_safetensors(path):
    """name -> float32 numpy array (F16 / F32 files)."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dt = {"F16": "<f2", "F32": "<f4"}[t["dtype"]]
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dt).astype(np.float32).reshape(t["shape"])
    return out


# ---------------------------------------------------------------- files

def config_json(vocab_size):
    return dict(model_type="bert", architectures=["BertModel"], vocab_size=vocab_size, hidden_act="gelu",
                type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
                hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, initializer_range=0.02,
                torch_dtype="float16", **ARCH)


def load_shipped(out_dir):
    cfg = json.load(open(os.path.join(out_dir, "config.json")))
    vocab = open(os.path.join(out_dir, "vocab.txt"), encoding="ascii").read().split("\n")[:-1]
    tok = Tokenizer(vocab)
    model = BertModel(cfg["vocab_size"], **{k: cfg[k] for k in ARCH})
    state = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(out_dir, "model.safetensors")).items()}
    model.load_state_dict(state, strict=True)
    head = json.load(open(os.path.join(out_dir, "attnviz.json")))["coref_head"]
    return model.eval(), tok, (head["layer"], head["head"])


def read_heldout(out_dir):
    lines = open(os.path.join(out_dir, "heldout.tsv"), encoding="ascii").read().splitlines()
    assert lines[0] == "sentence\tpronoun\tantecedent\tcontrast"
    return [tuple(line.split("\t")) for line in lines[1:]]


# ---------------------------------------------------------------- evaluation

@torch.no_grad()
def attention(model, tok, text):
    """pieces (with [CLS]/[SEP]) and probs [layers, heads, n, n] for one sentence."""
    ids = tok.encode(text)
    _, probs = model(torch.tensor([ids]))
    return [tok.tokens[i] for i in ids], torch.stack([p[0] for p in probs])


def resolve(model, tok, rows):
    """Per head: how often the pronoun's largest weight is on the antecedent."""
    L, H = ARCH["num_hidden_layers"], ARCH["num_attention_heads"]
    hits, mass = torch.zeros(L, H), torch.zeros(L, H, 2)
    for text, pr, ante, other in rows:
        pieces, probs = attention(model, tok, text)
        assert pieces.count(ante) == 1 and pieces.count(other) == 1 and pieces.count(pr) == 1, text
        q, a, o = pieces.index(pr), pieces.index(ante), pieces.index(other)
        row = probs[:, :, q, :]  # [L, H, n]
        hits += (row.argmax(-1) == a).float()
        mass += torch.stack([row[:, :, a], row[:, :, o]], -1)
    return hits / len(rows), mass / len(rows)


def examples(model, tok, head):
    out = []
    for adj in ("tired", "wide"):
        text = "The animal didn't cross the street because it was too %s." % adj
        pieces, probs = attention(model, tok, text)
        row = probs[head[0] - 1, head[1] - 1, pieces.index("it")]
        out.append((text, pieces[int(row.argmax())], float(row[pieces.index("animal")]),
                    float(row[pieces.index("street")])))
    return out


@torch.no_grad()
def mlm_accuracy(model, head, seqs, seed):
    g = torch.Generator().manual_seed(seed)
    right = total = 0
    for i in range(0, len(seqs), 64):
        ids, pad = pad_batch(seqs[i:i + 64])
        inp, labels = mask_tokens(ids, pad, g, model.embeddings.word_embeddings.num_embeddings)
        x, _ = model(inp, pad)
        sel = labels >= 0
        pred = head(x[sel], model.embeddings.word_embeddings.weight).argmax(-1)
        right += int((pred == labels[sel]).sum())
        total += int(sel.sum())
    return right / total


def report(model, tok, head, rows):
    acc, mass = resolve(model, tok, rows)
    print("held-out: %d sentences; accuracy per head (rows = layers, columns = heads):" % len(rows))
    for li in range(acc.shape[0]):
        print("  layer %d  " % (li + 1) + "  ".join("%5.1f%%" % (100 * a) for a in acc[li]))
    lh = (head[0] - 1, head[1] - 1)
    print("coref head (layer %d, head %d): accuracy %.1f%%, mean weight on antecedent %.3f, on contrast %.3f"
          % (head[0], head[1], 100 * acc[lh], mass[lh][0], mass[lh][1]))
    for text, top, wa, ws in examples(model, tok, head):
        print("  %s  -> %s (animal %.3f, street %.3f)" % (text, top, wa, ws))
    return float(acc[lh])


def attnviz_json(model, tok, text):
    """What `attnviz -m data/pretrained -f json TEXT` prints (tokens without byte spans)."""
    ids = tok.encode(text)
    _, probs = model(torch.tensor([ids]))
    return {"tokens": [{"text": tok.tokens[i], "id": i, "special": tok.tokens[i] in SPECIALS} for i in ids],
            "layers": [{"layer": li + 1, "heads": [{"head": h + 1, "weights": p[0, h].tolist()}
                                                   for h in range(p.shape[1])]} for li, p in enumerate(probs)]}


# ---------------------------------------------------------------- training

def pad_batch(seqs):
    n = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), n, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
    return ids, ids == 0


def mask_tokens(ids, pad, g, vocab_size):
    """BERT's masking: 15 % of the non-special tokens are predicted; of those
    80 % become [MASK], 10 % a random token, 10 % stay."""
    special = pad | (ids == SPECIALS.index("[CLS]")) | (ids == SPECIALS.index("[SEP]"))
    pick = (torch.rand(ids.shape, generator=g) < 0.15) & ~special
    labels = torch.where(pick, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=g)
    rand_ids = torch.randint(len(SPECIALS), vocab_size, ids.shape, generator=g)
    inp = torch.where(pick & (r < 0.8), torch.full_like(ids, SPECIALS.index("[MASK]")), ids)
    inp = torch.where(pick & (r >= 0.8) & (r < 0.9), rand_ids, inp)
    return inp, labels


def batches(seqs, size, rng):
    """Fixed-order batches of similar length (less padding)."""
    order = list(range(len(seqs)))
    rng.shuffle(order)
    out = []
    for c in range(0, len(order), size * 50):
        chunk = sorted(order[c:c + size * 50], key=lambda i: (len(seqs[i]), i))
        out.extend(chunk[i:i + size] for i in range(0, len(chunk), size))
    rng.shuffle(out)
    return out


def seeded(seed):
    """What every training script here runs under: torch seeded, deterministic
    kernels, 2 threads (the thread count is part of the arithmetic); returns
    the seeded random.Random for the data."""
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    return random.Random(seed)


def adamw_warmup(params, lr, steps):
    """AdamW (betas 0.9/0.98, weight decay 0.01), linear warm-up over 5 % of
    the steps, then linear decay to 0."""
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    warm = steps // 20
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    return opt, sched


def update(loss, opt, sched, params):
    """One step: gradients of loss, clipped at norm 1, then the optimizer and
    the schedule."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    sched.step()


def train(args):
    t0, c0 = time.time(), time.process_time()
    rng = seeded(args.seed)
    agents, places = noun_table()
    held = heldout_pairs(agents, places, args.seed)
    rows = heldout_set(agents, places, set(held), args.seed)

    wn = wordnet_sentences()
    rng.shuffle(wn)
    wn_eval, wn_train = wn[:2000], wn[2000:]
    coref_train = [coref_sample(rng, agents, places, set(held)) for _ in range(args.steps * args.coref_batch)]
    held_texts = {r[0] for r in rows} | {"The animal didn't cross the street because it was too %s." % a
                                         for a in ("tired", "wide")}
    for text, *_ in coref_train:
        assert text not in held_texts
    mlm_gen = [r[0] for r in coref_train[:len(wn_train) // 8]]  # generated text in the MLM stream too

    tok = Tokenizer(build_vocab(wn_train + wn_eval, generated_words(agents, places)))
    V = len(tok.tokens)

    def enc(text):  # truncated to MAX_LEN, still ending with [SEP]
        ids = tok.encode(text)
        return ids if len(ids) <= MAX_LEN else ids[:MAX_LEN - 1] + ids[-1:]

    n_single = int(len(wn_train) * (1 - PACKED))
    mlm_seqs = [enc(t) for t in wn_train[:n_single] + mlm_gen]
    pack = [tok.ids["[CLS]"]]
    for t in wn_train[n_single:]:
        body = enc(t)[1:]  # pieces + [SEP]
        if len(pack) + len(body) > ARCH["max_position_embeddings"]:
            mlm_seqs.append(pack)
            pack = [tok.ids["[CLS]"]]
        pack += body
    mlm_seqs.append(pack)
    eval_seqs = [enc(t) for t in wn_eval]
    coref = []
    for text, pr, ante, other in coref_train:
        ids = tok.encode(text)
        pieces = [tok.tokens[i] for i in ids]
        coref.append((ids, pieces.index(pr), pieces.index(ante)))
    unk = sum(s.count(tok.ids["[UNK]"]) for s in mlm_seqs) / sum(len(s) - 2 for s in mlm_seqs)
    print("data: %d WordNet sentences (%d for MLM evaluation), %d generated (%d in the MLM stream), "
          "vocabulary %d, [UNK] rate %.3f%%, prep %.1f s"
          % (len(wn), len(wn_eval), len(coref_train), len(mlm_gen), V, 100 * unk, time.time() - t0), flush=True)

    model = BertModel(V, **ARCH)
    head = MLMHead(ARCH["hidden_size"], V)
    params = list(model.parameters()) + list(head.parameters())
    opt, sched = adamw_warmup(params, args.lr, args.steps)
    g = torch.Generator().manual_seed(args.seed)
    plan = []
    while len(plan) < args.steps:
        plan.extend(batches(mlm_seqs, args.batch, rng))
    L, H = COREF_HEAD[0] - 1, COREF_HEAD[1] - 1
    model.train()
    for step in range(args.steps):
        ids, pad = pad_batch([mlm_seqs[i] for i in plan[step]])
        inp, labels = mask_tokens(ids, pad, g, V)
        x, _ = model(inp, pad)
        sel = labels >= 0
        mlm_loss = F.cross_entropy(head(x[sel], model.embeddings.word_embeddings.weight), labels[sel])
        cb = coref[step * args.coref_batch:(step + 1) * args.coref_batch]
        cids, cpad = pad_batch([c[0] for c in cb])
        _, probs = model(cids, cpad)
        p = probs[L][torch.arange(len(cb)), H, torch.tensor([c[1] for c in cb]), torch.tensor([c[2] for c in cb])]
        coref_loss = -torch.log(p.clamp_min(1e-9)).mean()
        loss = mlm_loss + args.coref_weight * coref_loss
        update(loss, opt, sched, params)
        if step % 100 == 0 or step == args.steps - 1:
            print("step %5d  mlm %.3f  coref %.3f  %.0f s" % (step, mlm_loss.item(), coref_loss.item(),
                                                              time.time() - t0), flush=True)
    model.eval()

    # Ship F16: round, and evaluate the rounded weights.
    state = [(k, v.detach().numpy().astype(np.float16).astype(np.float32)) for k, v in model.state_dict().items()]
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state})
    os.makedirs(args.out, exist_ok=True)
    write_safetensors(os.path.join(args.out, "model.safetensors"), state)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config_json(V), f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="ascii") as f:
        f.write("".join(t + "\n" for t in tok.tokens))
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
        f.write('{"do_lower_case": true}\n')
    with open(os.path.join(args.out, "attnviz.json"), "w") as f:
        f.write('{"coref_head": {"layer": %d, "head": %d}}\n' % COREF_HEAD)
    with open(os.path.join(args.out, "heldout.tsv"), "w", encoding="ascii") as f:
        f.write("sentence\tpronoun\tantecedent\tcontrast\n" + "".join("\t".join(r) + "\n" for r in rows))
    wall, cpu = time.time() - t0, time.process_time() - c0
    print("training: %d steps, wall %.1f s, CPU %.1f s (%d threads)" % (args.steps, wall, cpu,
                                                                      torch.get_num_threads()))
    report(model, tok, COREF_HEAD, rows)
    print("MLM accuracy on %d held-out WordNet sentences: %.1f%%"
          % (len(eval_seqs), 100 * mlm_accuracy(model, head, eval_seqs, args.seed)))
    print("held-out pairs: " + " ".join("%s/%s" % p for p in held))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "pretrained"))
    ap.add_argument("--steps", type=int, default=1300)
    ap.add_argument("--batch", type=int, default=128, help="WordNet sequences per step")
    ap.add_argument("--coref-batch", type=int, default=32, help="generated sentences per step")
    ap.add_argument("--coref-weight", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--eval", action="store_true", help="evaluate the files in --out instead of training")
    ap.add_argument("--json", metavar="SENTENCE", help="print attnviz's JSON for SENTENCE, from torch")
    args = ap.parse_args()
    if args.eval or args.json:
        torch.set_num_threads(2)
        model, tok, head = load_shipped(args.out)
        if args.json:
            json.dump(attnviz_json(model, tok, args.json), sys.stdout)
            print()
        else:
            sys.exit(0 if report(model, tok, head, read_heldout(args.out)) >= 0.8 else 1)
        return
    train(args)


if __name__ == "__main__":
    main()
