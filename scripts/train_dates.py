#!/usr/bin/python3
"""train_dates.py — trains the seq2seq demo that ships with attnviz
(data/dates/): a small BART, in Hugging Face's BartForConditionalGeneration
layout, that turns human-written dates into ISO dates ("Saturday the 9th of
May 2018" -> "2018-05-09"), so that its cross-attention is an alignment a
person can check: the year digits look at the year, the month digits at the
month, the day digits at the day.

Training tooling only: attnviz never runs Python. The text side (surface
forms, tokenizer, held-out sets, field spans) is scripts/train_dates_data.py;
config.json and generation_config.json are written by
tests/py/seq2seq_ckpt.py, the code that writes the parity tests' random
checkpoints. Needs Debian's /usr/bin/python3 with python3-torch
(`make train-dates` installs what is missing).

    /usr/bin/python3 scripts/train_dates.py            # train, write data/dates/
    /usr/bin/python3 scripts/train_dates.py --eval     # evaluate the shipped files
    /usr/bin/python3 scripts/train_dates.py --show "May 9th, 2018"
                                                       # its output and cross-attention, from torch

Objective: cross-entropy of the ISO date's tokens (teacher forcing), plus
a guided-alignment loss on the cross-attention (see ALIGN below). Outputs:
config.json, generation_config.json, model.safetensors (F32),
tokenizer.json, tokenizer_config.json, special_tokens_map.json,
attnviz.json (which cross-attention heads the alignment loss trained),
heldout.tsv. The same seed and thread count reproduce the same bytes.
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: the cores are shared

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "py"))
from seq2seq_ckpt import Spec, config_json, generation_config_json  # noqa: E402
from train_demo import adamw_warmup, read_safetensors, seeded, update, write_safetensors  # noqa: E402
import train_dates_data as D  # noqa: E402

ARCH = dict(d_model=128, encoder_layers=3, encoder_attention_heads=4, decoder_layers=2, decoder_attention_heads=2,
            ffn_dim=256, max_position_embeddings=64)
# Guided alignment: (layer, head) pairs, 1-based, of the decoder's
# cross-attention whose rows for output digits are trained to put their
# mass on the source tokens of the digit's field (-log of that mass).
ALIGN = [(2, 1), (2, 2)]
MAX_OUT = 11  # 10 characters of the ISO date and </s>


# ---------------------------------------------------------------- model
# Hugging Face BartForConditionalGeneration, written out with torch.nn: the
# attribute names are its state-dict names (the tied embed_tokens and
# lm_head are not registered twice, as save_pretrained drops them).

class Attention(nn.Module):  # BartAttention
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.k_proj, self.v_proj, self.q_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, kv, mask):
        """x [B, T, d], kv [B, S, d], mask additive [B or 1, 1, T or 1, S] or None
        -> output [B, T, d], probabilities [B, h, T, S]."""
        B, T, d = x.shape
        dh = d // self.h
        split = lambda t: t.view(B, -1, self.h, dh).transpose(1, 2)  # [B, h, n, dh]
        q, k, v = split(self.q_proj(x)), split(self.k_proj(kv)), split(self.v_proj(kv))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)  # [B, h, T, S]
        if mask is not None:
            scores = scores + mask
        probs = scores.softmax(-1)
        return self.out_proj((probs @ v).transpose(1, 2).reshape(B, T, d)), probs


class Layer(nn.Module):  # BartEncoderLayer / BartDecoderLayer: post-LN
    def __init__(self, d, h, ffn, cross):
        super().__init__()
        self.self_attn, self.self_attn_layer_norm = Attention(d, h), nn.LayerNorm(d)
        if cross:
            self.encoder_attn, self.encoder_attn_layer_norm = Attention(d, h), nn.LayerNorm(d)
        self.fc1, self.fc2, self.final_layer_norm = nn.Linear(d, ffn), nn.Linear(ffn, d), nn.LayerNorm(d)

    def forward(self, x, mask, enc=None, enc_mask=None):
        a, p_self = self.self_attn(x, x, mask)
        x = self.self_attn_layer_norm(x + a)
        p_cross = None
        if enc is not None:
            a, p_cross = self.encoder_attn(x, enc, enc_mask)
            x = self.encoder_attn_layer_norm(x + a)
        x = self.final_layer_norm(x + self.fc2(F.gelu(self.fc1(x))))  # erf GELU ("gelu")
        return x, p_self, p_cross


class Stack(nn.Module):  # BartEncoder / BartDecoder (embed_tokens: the shared table, passed in)
    def __init__(self, d, h, ffn, n, max_pos, cross):
        super().__init__()
        self.embed_positions = nn.Embedding(max_pos + 2, d)  # BartLearnedPositionalEmbedding, offset 2
        self.layers = nn.ModuleList(Layer(d, h, ffn, cross) for _ in range(n))
        self.layernorm_embedding = nn.LayerNorm(d)

    def forward(self, embed, mask, enc=None, enc_mask=None):
        pos = torch.arange(embed.shape[1]) + 2
        x = self.layernorm_embedding(embed + self.embed_positions(pos))
        selfs, crosses = [], []
        for layer in self.layers:
            x, ps, pc = layer(x, mask, enc, enc_mask)
            selfs.append(ps)
            crosses.append(pc)
        return x, selfs, crosses


class Bart(nn.Module):  # BartModel
    def __init__(self, vocab_size, d_model, encoder_layers, encoder_attention_heads, decoder_layers,
                 decoder_attention_heads, ffn_dim, max_position_embeddings):
        super().__init__()
        self.shared = nn.Embedding(vocab_size, d_model, padding_idx=D.PAD)
        self.encoder = Stack(d_model, encoder_attention_heads, ffn_dim, encoder_layers, max_position_embeddings, False)
        self.decoder = Stack(d_model, decoder_attention_heads, ffn_dim, decoder_layers, max_position_embeddings, True)


class DatesModel(nn.Module):  # BartForConditionalGeneration: lm_head tied to shared, + final_logits_bias
    def __init__(self, vocab_size, **arch):
        super().__init__()
        self.model = Bart(vocab_size, **arch)
        self.register_buffer("final_logits_bias", torch.zeros(1, vocab_size))
        for m in self.modules():  # BartPreTrainedModel._init_weights, init_std 0.02
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.model.shared.weight[D.PAD].zero_()

    def encode(self, src):
        """src [B, S] (PAD-padded) -> encoder output, its key mask, attention."""
        mask = (src == D.PAD)[:, None, None, :].float() * torch.finfo(torch.float32).min
        x, probs, _ = self.model.encoder(self.model.shared(src), mask)
        return x, mask, probs

    def decode(self, enc, enc_mask, dec_in):
        T = dec_in.shape[1]
        causal = torch.full((T, T), torch.finfo(torch.float32).min).triu(1)[None, None]
        x, selfs, crosses = self.model.decoder(self.model.shared(dec_in), causal, enc, enc_mask)
        return F.linear(x, self.model.shared.weight) + self.final_logits_bias, selfs, crosses

    def forward(self, src, dec_in):
        """logits [B, T, V] and per layer the encoder, decoder and cross-attention probabilities."""
        enc, enc_mask, enc_probs = self.encode(src)
        logits, selfs, crosses = self.decode(enc, enc_mask, dec_in)
        return logits, enc_probs, selfs, crosses


# ---------------------------------------------------------------- data

def pad(seqs, value=D.PAD):
    n = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (n - len(s)) for s in seqs])


def make_batch(examples, tok):
    """src [B, S], decoder input [B, 11] (</s> then the ISO tokens), labels [B, 11],
    and the guided-alignment targets: a [B, 11, S] 0/1 mask of each output
    digit's field in the source (all zero for "-" and </s>)."""
    src = pad([tok.encode(ex.text)[0] for ex in examples])
    labels = torch.tensor([tok.encode_target(ex.iso) for ex in examples])
    dec_in = torch.cat([torch.full((len(examples), 1), D.EOS), labels[:, :-1]], 1)  # shift_tokens_right
    field = torch.zeros(len(examples), MAX_OUT, src.shape[1])
    for b, ex in enumerate(examples):
        for t, (f, toks, _) in enumerate(D.alignment(ex, tok)):
            for j in toks:
                field[b, t, j] = 1
    return src, dec_in, labels, field


# ---------------------------------------------------------------- evaluation

@torch.no_grad()
def greedy(model, tok, texts, batch=256):
    """The generated ids (without the start token, up to and with </s>) as
    model.generate() gives them: start with decoder_start_token_id (</s>),
    argmax each step, stop at </s>; max_length 20."""
    out = []
    for i in range(0, len(texts), batch):
        src = pad([tok.encode(t)[0] for t in texts[i:i + batch]])
        enc, mask, _ = model.encode(src)
        ids = torch.full((len(src), 1), D.EOS)
        done = torch.zeros(len(src), dtype=torch.bool)
        for _ in range(19):
            logits, _, _ = model.decode(enc, mask, ids)
            nxt = logits[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, D.PAD), nxt)
            ids = torch.cat([ids, nxt[:, None]], 1)
            done |= nxt == D.EOS
            if done.all():
                break
        for row in ids[:, 1:].tolist():
            out.append(row[:row.index(D.EOS) + 1] if D.EOS in row else row)
    return out


def accuracy(model, tok, rows):
    """{group: (right, total)}: exact match of the decoded output with the ISO date."""
    got = greedy(model, tok, [ex.text for _, ex in rows])
    acc = {}
    for (group, ex), ids in zip(rows, got):
        r, n = acc.get(group, (0, 0))
        acc[group] = (r + (tok.decode(ids) == ex.iso and ids[-1] == D.EOS), n + 1)
    return acc, got


@torch.no_grad()
def alignment_stats(model, tok, rows):
    """Teacher-forced on the ISO date; per (layer, head) of the cross-attention,
    over every output digit of every row: mean mass on its field's source
    tokens, share whose largest weight is in the field, share whose largest
    weight is the token it copies from; also per field (Y, M, D)."""
    L, H = ARCH["decoder_layers"], ARCH["decoder_attention_heads"]
    mass, arg_field, arg_copy, count = torch.zeros(L, H), torch.zeros(L, H), torch.zeros(L, H), 0
    per_field = {f: [torch.zeros(L, H), torch.zeros(L, H), 0] for f in "YMD"}
    for i in range(0, len(rows), 256):
        exs = [ex for _, ex in rows[i:i + 256]]
        src, dec_in, _, _ = make_batch(exs, tok)
        _, _, _, crosses = model(src, dec_in)
        cross = torch.stack(crosses, 1)  # [B, L, H, T, S]
        for b, ex in enumerate(exs):
            for t, (f, toks, copy) in enumerate(D.alignment(ex, tok)):
                if f is None:
                    continue
                row = cross[b, :, :, t]  # [L, H, S]
                m = row[:, :, toks].sum(-1)
                top = row.argmax(-1)
                inf = sum((top == j).float() for j in toks)
                mass += m
                arg_field += inf
                arg_copy += sum((top == j).float() for j in copy)
                count += 1
                per_field[f][0] += m
                per_field[f][1] += inf
                per_field[f][2] += 1
    return ({"mass": mass / count, "argmax_field": arg_field / count, "argmax_copy": arg_copy / count,
             "digits": count},
            {f: {"mass": v[0] / v[2], "argmax_field": v[1] / v[2], "digits": v[2]} for f, v in per_field.items()})


def report(model, tok, rows):
    acc, got = accuracy(model, tok, rows)
    for group, (r, n) in sorted(acc.items()):
        what = "trained forms, held-out dates" if group == "dates" else "held-out forms, held-out dates"
        print("exact match, %s: %d / %d = %.2f%%" % (what, r, n, 100.0 * r / n))
    for form in D.HELDOUT_FORMS:
        hits = [tok.decode(ids) == ex.iso for (_, ex), ids in zip(rows, got) if ex.form.endswith(form)]
        print("  held-out form %r: %d / %d" % (form, sum(hits), len(hits)))
    wrong = [(ex.text, ex.iso, tok.decode(ids)) for (_, ex), ids in zip(rows, got) if tok.decode(ids) != ex.iso]
    for w in wrong[:8]:
        print("  wrong: %r -> %r (want %s)" % (w[0], w[2], w[1]))
    stats, fields = alignment_stats(model, tok, rows)
    print("cross-attention of the output digits (%d), per layer (rows) and head (columns):" % stats["digits"])
    for key, what in (("mass", "mean mass on the digit's field"), ("argmax_field", "largest weight in the field"),
                      ("argmax_copy", "largest weight on the copied token")):
        print("  %s:" % what)
        for li in range(stats[key].shape[0]):
            print("    layer %d  " % (li + 1) + "  ".join("%6.1f%%" % (100 * v) for v in stats[key][li]))
    for f, name in (("Y", "year"), ("M", "month"), ("D", "day")):
        v = fields[f]
        print("  %-5s (%d digits): mass %s; largest weight in field %s" % (
            name, v["digits"], " ".join("%.3f" % x for x in v["mass"].flatten()),
            " ".join("%.1f%%" % (100 * x) for x in v["argmax_field"].flatten())))
    ex_src = tok.encode(D.EXAMPLE)[0]
    print("%r -> %r" % (D.EXAMPLE, tok.decode(greedy(model, tok, [D.EXAMPLE])[0])))
    return acc, stats, fields, ex_src


def show(model, tok, text):
    ids = greedy(model, tok, [text])[0]
    src = tok.encode(text)[0]
    print("%s -> %s" % (text, tok.decode(ids)))
    with torch.no_grad():
        _, _, _, crosses = model(torch.tensor([src]), torch.tensor([[D.EOS] + ids[:-1]]))
    cols = [tok.tokens[i] for i in src]
    for li, c in enumerate(crosses):
        for h in range(c.shape[1]):
            print("cross-attention, layer %d head %d (rows: output tokens, columns: source tokens)" % (li + 1, h + 1))
            print("%6s " % "" + " ".join("%6s" % x[:6] for x in cols))
            for t, i in enumerate(ids):
                print("%6s " % tok.tokens[i] + " ".join("%6.2f" % float(v) for v in c[0, h, t]))


# ---------------------------------------------------------------- files

def spec(vocab_size):
    return Spec("bart", d=ARCH["d_model"], enc_layers=ARCH["encoder_layers"], dec_layers=ARCH["decoder_layers"],
                enc_heads=ARCH["encoder_attention_heads"], dec_heads=ARCH["decoder_attention_heads"],
                ffn=ARCH["ffn_dim"], max_pos=ARCH["max_position_embeddings"], dtype="F32",
                more={"dropout": 0.0})


def dump(path, obj, sort=True):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2, sort_keys=sort, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)


def save(model, tok, rows, out):
    os.makedirs(out, exist_ok=True)
    V = len(tok.tokens)
    state = sorted((k, v.detach().numpy()) for k, v in model.state_dict().items())
    write_safetensors(os.path.join(out, "model.safetensors"), state, "F32")
    cfg = config_json(spec(V), V)
    dump(os.path.join(out, "config.json"), cfg)
    dump(os.path.join(out, "generation_config.json"), generation_config_json(cfg))
    dump(os.path.join(out, "tokenizer.json"), D.tokenizer_json(tok), sort=False)
    dump(os.path.join(out, "tokenizer_config.json"), D.tokenizer_config_json(ARCH["max_position_embeddings"]))
    dump(os.path.join(out, "special_tokens_map.json"), D.SPECIAL_TOKENS_MAP)
    dump(os.path.join(out, "attnviz.json"), {"alignment_heads": [{"layer": l, "head": h} for l, h in ALIGN]})
    with open(os.path.join(out, "heldout.tsv"), "w", encoding="ascii") as f:
        f.write("group\ttext\tiso\tform\tweekday\tday\tmonth\tyear\n")
        for group, ex in rows:
            spans = ["%d:%d" % ex.spans[k] if k in ex.spans else "" for k in "WDMY"]
            f.write("\t".join([group, ex.text, ex.iso, ex.form] + spans) + "\n")


def load_shipped(out):
    cfg = json.load(open(os.path.join(out, "config.json")))
    tj = json.load(open(os.path.join(out, "tokenizer.json"), encoding="utf-8"))
    vocab = sorted(tj["model"]["vocab"], key=tj["model"]["vocab"].get)
    tok = D.Tokenizer(vocab)
    arch = dict(d_model=cfg["d_model"], encoder_layers=cfg["encoder_layers"],
                encoder_attention_heads=cfg["encoder_attention_heads"], decoder_layers=cfg["decoder_layers"],
                decoder_attention_heads=cfg["decoder_attention_heads"], ffn_dim=cfg["encoder_ffn_dim"],
                max_position_embeddings=cfg["max_position_embeddings"])
    model = DatesModel(cfg["vocab_size"], **arch)
    state = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(out, "model.safetensors")).items()}
    model.load_state_dict(state, strict=True)
    return model.eval(), tok


def read_heldout(out):
    lines = open(os.path.join(out, "heldout.tsv"), encoding="ascii").read().splitlines()
    assert lines[0] == "group\ttext\tiso\tform\tweekday\tday\tmonth\tyear"
    rows = []
    for line in lines[1:]:
        group, text, iso, form, *spans = line.split("\t")
        sp = {k: tuple(int(x) for x in s.split(":")) for k, s in zip("WDMY", spans) if s}
        rows.append((group, D.Example(text, iso, sp, form)))
    return rows


# ---------------------------------------------------------------- training

def train(args):
    t0, c0 = time.time(), time.process_time()
    rng = seeded(args.seed)
    tok = D.Tokenizer()
    held = D.heldout_dates(args.seed)
    rows = D.heldout_set(args.seed, args.heldout)
    held_texts = {ex.text.lower() for _, ex in rows}
    model = DatesModel(len(tok.tokens), **ARCH)
    params = list(model.parameters())
    opt, sched = adamw_warmup(params, args.lr, args.steps)
    print("parameters: %d; %d held-out dates; vocabulary %d" % (sum(p.numel() for p in params), len(held),
                                                              len(tok.tokens)), flush=True)
    model.train()
    for step in range(args.steps):
        exs = [D.training_example(rng, held) for _ in range(args.batch)]
        for ex in exs:  # never a held-out form or text (held-out dates are never drawn)
            assert not any(ex.form.endswith(f) for f in D.HELDOUT_FORMS) and ex.text.lower() not in held_texts
        src, dec_in, labels, field = make_batch(exs, tok)
        logits, _, _, crosses = model(src, dec_in)
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        loss, al = ce, torch.zeros(())
        if args.align_weight > 0:
            rows_mask = field.sum(-1) > 0  # [B, T] output digits
            terms = []
            for li, hi in ALIGN:
                p = (crosses[li - 1][:, hi - 1] * field).sum(-1)  # [B, T] mass on the field
                terms.append(-torch.log(p[rows_mask].clamp_min(1e-9)))
            al = torch.cat(terms).mean()
            loss = ce + args.align_weight * al
        update(loss, opt, sched, params)
        if step % 200 == 0 or step == args.steps - 1:
            print("step %5d  ce %.4f  align %.4f  %.0f s" % (step, ce.item(), al.item(), time.time() - t0), flush=True)
    model.eval()
    save(model, tok, rows, args.out)
    wall, cpu = time.time() - t0, time.process_time() - c0
    print("training: %d steps of %d, wall %.1f s, CPU %.1f s (%d threads)" % (args.steps, args.batch, wall, cpu,
                                                                            torch.get_num_threads()))
    model, tok = load_shipped(args.out)
    report(model, tok, read_heldout(args.out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "dates"))
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--align-weight", type=float, default=0.5)
    ap.add_argument("--heldout", type=int, default=500, help="held-out examples per group")
    ap.add_argument("--eval", action="store_true", help="evaluate the files in --out instead of training")
    ap.add_argument("--show", metavar="TEXT", help="print the output and cross-attention for TEXT, from torch")
    args = ap.parse_args()
    if args.eval or args.show:
        torch.set_num_threads(2)
        model, tok = load_shipped(args.out)
        if args.show:
            show(model, tok, args.show)
        else:
            acc, _, _, _ = report(model, tok, read_heldout(args.out))
            sys.exit(0 if all(r >= 0.9 * n for r, n in acc.values()) else 1)
        return
    train(args)


if __name__ == "__main__":
    main()
