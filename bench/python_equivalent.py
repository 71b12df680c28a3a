"""python_equivalent.py — what attnviz does, written the usual Python way, as
the baseline of bench/bench_e2e.py.

    /usr/bin/python3 bench/python_equivalent.py [-f png|csv] [-o DIR] SENTENCE

It tokenizes SENTENCE the way attnviz's `words` tokenizer does for ASCII
text (a word is a run of letters/digits keeping internal ' / - ; every other
non-space character is a token of its own), builds one attention layer of the
same shape as attnviz's default model (d_model 64, 4 heads, sinusoidal
positions) with torch.nn.MultiheadAttention, runs it with need_weights=True,
average_attn_weights=False, and then either renders one matplotlib heatmap
PNG per head into DIR (-f png, the default; viridis, token tick labels,
colour bar, "Layer 1 · Head h" title) or prints the tidy CSV attnviz prints
(-f csv, without importing matplotlib).

The weights are random (torch.manual_seed(42), torch's own initialisation,
random embeddings), NOT attnviz's seeded weights: the point is the cost of the
pipeline (interpreter start, imports, tokenizing, one attention layer,
rendering), which does not depend on the values. Deterministic output.
"""
import argparse
import os
import re
import sys

TOKEN_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*|[^\w\s]|_", re.UNICODE)


def tokenize(text):
    return TOKEN_RE.findall(text)


def attention(tokens, d_model=64, n_heads=4, seed=42):
    import torch
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    n = len(tokens)
    emb = torch.randn(n, d_model)
    pos = torch.arange(n, dtype=torch.float64).unsqueeze(1)
    i2 = torch.arange(0, d_model, 2, dtype=torch.float64)
    ang = pos / torch.pow(10000.0, i2 / d_model)
    pe = torch.zeros(n, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang)
    x = (emb + pe.float()).unsqueeze(1)                  # [n, batch 1, d]
    mha = torch.nn.MultiheadAttention(d_model, n_heads).eval()
    with torch.inference_mode():
        _, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    return w[0].numpy()                                    # [heads, n, n]


def write_csv(tokens, w, out):
    def field(s):
        return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\n\r') else s
    out.write("layer,head,query_index,query_token,key_index,key_token,weight\n")
    for h in range(w.shape[0]):
        for q, tq in enumerate(tokens):
            for k, tk in enumerate(tokens):
                out.write("1,%d,%d,%s,%d,%s,%.9g\n" % (h + 1, q, field(tq), k, field(tk), w[h, q, k]))


def write_png(tokens, w, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(outdir, exist_ok=True)
    n = len(tokens)
    for h in range(w.shape[0]):
        size = max(4.0, 0.45 * n + 2.0)
        fig, ax = plt.subplots(figsize=(size, size * 0.9), dpi=96)
        im = ax.imshow(w[h], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(n))
        ax.set_xticklabels(tokens, rotation=90)
        ax.set_yticks(range(n))
        ax.set_yticklabels(tokens)
        ax.set_xlabel("key")
        ax.set_ylabel("query")
        ax.set_title("Layer 1 · Head %d" % (h + 1))
        fig.colorbar(im, ax=ax)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "layer1-head%d.png" % (h + 1)), metadata={"Software": None})
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-f", "--format", choices=("png", "csv"), default="png")
    ap.add_argument("-o", "--output", default="python-equivalent-png")
    ap.add_argument("sentence", nargs="+")
    a = ap.parse_args()
    tokens = tokenize(" ".join(a.sentence))
    if not tokens:
        sys.exit("python_equivalent: empty sentence")
    w = attention(tokens)
    if a.format == "csv":
        write_csv(tokens, w, sys.stdout)
    else:
        write_png(tokens, w, a.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
