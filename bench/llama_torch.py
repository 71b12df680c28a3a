"""llama_torch.py — a PyTorch implementation of the Llama forward pass and of
greedy generation with a KV cache, for bench/bench_llama.py: the side attnviz
is compared with, in the same run.

As a library: write_model(directory, shape) writes a random checkpoint in
the Hugging Face layout (config.json as LlamaConfig writes it, the
LlamaForCausalLM tensor names, BF16 model.safetensors streamed tensor by
tensor, never held whole in memory) with the tokenizer files of
tests/py/dec_ckpt.py.

As a program (one whole process, timed from outside):
    /usr/bin/python3 bench/llama_torch.py DIR --ids 1,2,3 [--generate N] [--threads T]
reads the safetensors file (numpy memmap), converts the BF16 weights to
float32 torch tensors, and runs modeling_llama.py's forward pass in float32
under torch.inference_mode(): embeddings, per layer RMSNorm, q/k/v
projections, rotary embeddings, repeat_kv, softmax(q·kᵀ/√d) (every layer's
and head's probabilities computed, as output_attentions does, then dropped),
output projection, SwiGLU MLP; or, with --generate, the prompt then N steps
of one token with a KV cache, argmax each time. Prints one JSON line:
{"import_s", "load_s", "compute_s", "ids" (generated)}.
"""
import json
import math
import os
import struct
import sys
import time
import warnings

T_START = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

T_IMPORT = time.perf_counter() - T_START

TINYLLAMA = dict(vocab=32000, d=2048, layers=22, heads=32, kv=4, ff=5632, max_pos=2048, eps=1e-5, theta=10000.0)


# ---- writing the checkpoint -------------------------------------------------------------


def tensor_list(s):
    """[(name, shape, std)] in the order they are written."""
    d, f, hd = s["d"], s["ff"], s["d"] // s["heads"]
    out = [("model.embed_tokens.weight", (s["vocab"], d), 1.0)]
    for i in range(s["layers"]):
        p = "model.layers.%d." % i
        out += [(p + "input_layernorm.weight", (d,), None),
                (p + "self_attn.q_proj.weight", (s["heads"] * hd, d), 2.0 / math.sqrt(d)),
                (p + "self_attn.k_proj.weight", (s["kv"] * hd, d), 2.0 / math.sqrt(d)),
                (p + "self_attn.v_proj.weight", (s["kv"] * hd, d), 1.0 / math.sqrt(d)),
                (p + "self_attn.o_proj.weight", (d, s["heads"] * hd), 1.0 / math.sqrt(d)),
                (p + "post_attention_layernorm.weight", (d,), None),
                (p + "mlp.gate_proj.weight", (f, d), 1.0 / math.sqrt(d)),
                (p + "mlp.up_proj.weight", (f, d), 1.0 / math.sqrt(d)),
                (p + "mlp.down_proj.weight", (d, f), 1.0 / math.sqrt(f))]
    out += [("model.norm.weight", (d,), None), ("lm_head.weight", (s["vocab"], d), 1.0 / math.sqrt(d))]
    return out


def bf16_bytes(a):
    """float32 -> BF16 bytes, round to nearest even (finite values)."""
    u = a.view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16).tobytes()


def write_model(directory, s, write_tokenizer):
    """config.json, model.safetensors (BF16) and the tokenizer into directory;
    returns the safetensors size."""
    os.makedirs(directory, exist_ok=True)
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": s["vocab"],
           "hidden_size": s["d"], "intermediate_size": s["ff"], "num_hidden_layers": s["layers"],
           "num_attention_heads": s["heads"], "num_key_value_heads": s["kv"], "hidden_act": "silu",
           "max_position_embeddings": s["max_pos"], "rms_norm_eps": s["eps"], "rope_theta": s["theta"],
           "rope_scaling": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "bos_token_id": 1,
           "eos_token_id": 2, "attention_bias": False, "mlp_bias": False, "_name_or_path": "random/tinyllama-shape",
           "head_dim": s["d"] // s["heads"], "transformers_version": "4.51.3"}
    with open(os.path.join(directory, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    write_tokenizer(directory)
    tensors = tensor_list(s)
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _ in tensors:
        n = 2 * int(np.prod(shape))
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    path = os.path.join(directory, "model.safetensors")
    g = np.random.default_rng(20240611)
    with open(path + ".part", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for name, shape, std in tensors:
            if std is None:
                a = (1.0 + 0.1 * g.standard_normal(shape, dtype=np.float32)).astype(np.float32)
            else:
                a = g.standard_normal(shape, dtype=np.float32)
                a *= np.float32(std)
            f.write(bf16_bytes(a))
    os.replace(path + ".part", path)
    return os.path.getsize(path)


# ---- reading and running ------------------------------------------------------------------


def load(directory):
    """config dict and {name: float32 torch tensor} from the BF16 file."""
    cfg = json.load(open(os.path.join(directory, "config.json")))
    path = os.path.join(directory, "model.safetensors")
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    raw = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    warnings.filterwarnings("ignore", message="The given buffer is not writable")  # read only, as intended
    W = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        half = torch.frombuffer(memoryview(raw[b:end]), dtype=torch.bfloat16)  # no copy
        W[name] = half.reshape(e["shape"]).float()                              # float32, as transformers computes
    return cfg, W


class Llama:
    """modeling_llama.py's LlamaForCausalLM in float32, with a KV cache."""

    def __init__(self, cfg, W):
        self.c, self.W = cfg, W
        self.H, self.KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.hd = cfg["hidden_size"] // self.H
        self.inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        self.cache = [None] * cfg["num_hidden_layers"]

    def rms(self, x, w):
        v = x.pow(2).mean(-1, keepdim=True)
        return w * (x * torch.rsqrt(v + self.c["rms_norm_eps"]))

    def forward(self, ids, pos0=0, use_cache=False, last_layer=None):
        W, n = self.W, len(ids)
        x = F.embedding(torch.tensor(ids), W["model.embed_tokens.weight"])
        pos = torch.arange(pos0, pos0 + n).float()
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos(), emb.sin()

        def rope(t):
            t1, t2 = t[..., : self.hd // 2], t[..., self.hd // 2:]
            return t * cos + torch.cat((-t2, t1), -1) * sin
        L = self.c["num_hidden_layers"] if last_layer is None else last_layer + 1
        for i in range(L):
            p = "model.layers.%d." % i
            h = self.rms(x, W[p + "input_layernorm.weight"])
            q = F.linear(h, W[p + "self_attn.q_proj.weight"]).view(n, self.H, self.hd).transpose(0, 1)
            k = F.linear(h, W[p + "self_attn.k_proj.weight"]).view(n, self.KV, self.hd).transpose(0, 1)
            v = F.linear(h, W[p + "self_attn.v_proj.weight"]).view(n, self.KV, self.hd).transpose(0, 1)
            q, k = rope(q), rope(k)
            if use_cache:
                if self.cache[i] is not None:
                    k = torch.cat((self.cache[i][0], k), 1)
                    v = torch.cat((self.cache[i][1], v), 1)
                self.cache[i] = (k, v)
            k = k.repeat_interleave(self.H // self.KV, 0)
            v = v.repeat_interleave(self.H // self.KV, 0)
            s = torch.matmul(q, k.transpose(1, 2)) / math.sqrt(self.hd)
            if n > 1:
                s = s + torch.full((n, k.shape[1]), float("-inf")).triu(k.shape[1] - n + 1)
            a = torch.softmax(s, -1)       # every head's weights (output_attentions)
            if i == L - 1 and last_layer is not None:
                return a
            o = torch.matmul(a, v).transpose(0, 1).reshape(n, self.H * self.hd)
            x = x + F.linear(o, W[p + "self_attn.o_proj.weight"])
            h = self.rms(x, W[p + "post_attention_layernorm.weight"])
            x = x + F.linear(F.silu(F.linear(h, W[p + "mlp.gate_proj.weight"])) * F.linear(h, W[p + "mlp.up_proj.weight"]),
                             W[p + "mlp.down_proj.weight"])
        x = self.rms(x[-1], W["model.norm.weight"])
        return F.linear(x, W["lm_head.weight"])

    def generate(self, ids, n_new, eos=(2,)):
        out = []
        logits = self.forward(ids, 0, use_cache=True)
        pos = len(ids)
        for _ in range(n_new):
            t = int(torch.argmax(logits))
            out.append(t)
            if t in eos or len(out) == n_new:
                break
            logits = self.forward([t], pos, use_cache=True)
            pos += 1
        return out


def main():
    args = sys.argv[1:]
    directory = args[0]
    ids = [int(x) for x in args[args.index("--ids") + 1].split(",")]
    n_new = int(args[args.index("--generate") + 1]) if "--generate" in args else 0
    torch.set_num_threads(int(args[args.index("--threads") + 1]) if "--threads" in args else os.cpu_count())
    t0 = time.perf_counter()
    cfg, W = load(directory)
    t_load = time.perf_counter() - t0
    m = Llama(cfg, W)
    t0 = time.perf_counter()
    gen = []
    with torch.inference_mode():
        if n_new:
            gen = m.generate(ids, n_new)
        else:
            m.forward(ids)
    t_compute = time.perf_counter() - t0
    print(json.dumps({"import_s": T_IMPORT, "load_s": t_load, "compute_s": t_compute, "ids": gen}))


if __name__ == "__main__":
    main()
