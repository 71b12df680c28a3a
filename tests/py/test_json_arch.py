"""test_json_arch.py — a bert or gpt2 model as a version-1 JSON weight file.

The JSON format's config.architecture "bert" / "gpt2" and tokenizer types
"wordpiece" / "bpe" describe the same models as a Hugging Face directory, by
attnviz's tensor names. For a random BERT and GPT-2 checkpoint
(tests/py/hf_ckpt.py, exact Hub layout),
this writes the same weights as a JSON file, by the mapping in man
attnviz(1) (WEIGHT FILE), and checks that attnviz gives the same tokens and
the same attention (<= 1e-6) from both, and that both match the float64
reference of Hugging Face's modeling code (tests/py/hf_ref.py, <= 1e-4); a
third, GPT-2 with "special": ["<|endoftext|>", null], gets that token first.
Also: what the JSON format refuses for these architectures.

Run: ATTNVIZ=./attnviz /usr/bin/python3 tests/py/test_json_arch.py
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_ckpt  # noqa: E402
import hf_ref  # noqa: E402
import suite  # noqa: E402
from suite import check  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))

BERT_LAYER = {"attention.self.query": "attn.q", "attention.self.key": "attn.k", "attention.self.value": "attn.v",
              "attention.output.dense": "attn.o", "attention.output.LayerNorm": "ln",
              "intermediate.dense": "ffn.up", "output.dense": "ffn.down", "output.LayerNorm": "ffn_ln"}
BERT_GLOBAL = {"embeddings.word_embeddings.weight": "embeddings.token",
               "embeddings.position_embeddings.weight": "embeddings.position",
               "embeddings.token_type_embeddings.weight": "embeddings.token_type",
               "embeddings.LayerNorm.weight": "embeddings.ln.weight",
               "embeddings.LayerNorm.bias": "embeddings.ln.bias"}
GPT2_LAYER = {"ln_1": "ln", "ln_2": "ffn_ln", "attn.c_proj": "attn.o", "mlp.c_fc": "ffn.up", "mlp.c_proj": "ffn.down"}
GPT2_GLOBAL = {"wte.weight": "embeddings.token", "wpe.weight": "embeddings.position",
               "ln_f.weight": "final_ln.weight", "ln_f.bias": "final_ln.bias"}


def canonical(arch, W):
    """{attnviz name: float64 array} from the base-model tensors W."""
    out = {}
    d = W["wte.weight"].shape[1] if arch == "gpt2" else 0
    for name, t in W.items():
        a = t.numpy()
        if name in BERT_GLOBAL and arch == "bert":
            out[BERT_GLOBAL[name]] = a
        elif name in GPT2_GLOBAL and arch == "gpt2":
            out[GPT2_GLOBAL[name]] = a
        elif arch == "bert" and name.startswith("encoder.layer."):
            i, rest = name[len("encoder.layer."):].split(".", 1)
            mod, kind = rest.rsplit(".", 1)
            out["layers.%s.%s.%s" % (i, BERT_LAYER[mod], kind)] = a
        elif arch == "gpt2" and name.startswith("h."):
            i, rest = name[2:].split(".", 1)
            mod, kind = rest.rsplit(".", 1)
            if mod == "attn.c_attn":  # fused [d, 3d] Conv1D: q, k, v, each transposed to [out, in]
                for j, p in enumerate("qkv"):
                    part = a[:, j * d:(j + 1) * d] if kind == "weight" else a[j * d:(j + 1) * d]
                    out["layers.%s.attn.%s.%s" % (i, p, kind)] = part.T if kind == "weight" else part
            elif mod in GPT2_LAYER:
                out["layers.%s.%s.%s" % (i, GPT2_LAYER[mod], kind)] = a.T if kind == "weight" and a.ndim == 2 else a
    return out


def to_json(arch, cfg, tok, W, path, special=None):
    if arch == "bert":
        config = {"architecture": "bert", "d_model": cfg["hidden_size"], "n_heads": cfg["num_attention_heads"],
                  "n_layers": cfg["num_hidden_layers"], "d_ff": cfg["intermediate_size"],
                  "max_positions": cfg["max_position_embeddings"], "type_vocab_size": cfg["type_vocab_size"],
                  "layer_norm_eps": cfg.get("layer_norm_eps", 1e-12), "activation": "gelu"}
    else:
        config = {"architecture": "gpt2", "d_model": cfg["n_embd"], "n_heads": cfg["n_head"],
                  "n_layers": cfg["n_layer"], "d_ff": cfg.get("n_inner") or 4 * cfg["n_embd"],
                  "max_positions": cfg["n_positions"], "layer_norm_eps": cfg.get("layer_norm_epsilon", 1e-5)}
    if tok.bpe:
        merges = [m for m, _ in sorted(tok.bpe.ranks.items(), key=lambda kv: kv[1])]
        t = {"type": "bpe", "vocab": tok.vocab, "merges": [" ".join(m) for m in merges]}
    else:
        t = {"type": "wordpiece", "vocab": tok.vocab, "lowercase": tok.lowercase}
    if special is not None:
        t["special"] = special
    tensors = {k: {"shape": list(v.shape), "data": [float(x) for x in np.asarray(v, np.float32).ravel()]}
               for k, v in canonical(arch, W).items()}
    with open(path, "w") as f:
        json.dump({"attnviz_model": 1, "config": config, "tokenizer": t, "tensors": tensors}, f)


def run(model, sentence):
    p = subprocess.run([BIN, "-m", model, "-f", "json", sentence], capture_output=True, text=True)
    if p.returncode != 0:
        return None, None, p.stderr.strip()
    j = json.loads(p.stdout)
    return [(t["text"], t.get("id"), t.get("special", False)) for t in j["tokens"]], \
        np.array([[h["weights"] for h in lay["heads"]] for lay in j["layers"]]), ""


def main():
    if not os.access(BIN, os.X_OK):
        check("binary", False, "no attnviz at %s" % BIN)
        return suite.status()
    cases = [("bert", hf_ckpt.Spec("bert", 16, 2, 2, seed=3), None),
             ("gpt2", hf_ckpt.Spec("gpt2", 16, 4, 2, seed=4), None),
             ("gpt2", hf_ckpt.Spec("gpt2", 12, 3, 1, seed=5), ["<|endoftext|>", None])]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (arch, spec, special) in enumerate(cases):
            name = "%s%d" % (arch, n)
            d = os.path.join(tmp, name)
            cfg, tok, tensors = hf_ckpt.make_checkpoint(d, spec)
            W = hf_ckpt.base_weights(arch, tensors)
            path = os.path.join(tmp, name + ".json")
            to_json(arch, cfg, tok, W, path, special)
            sentence = hf_ckpt.random_sentence(tok, 9, seed=n)
            t_dir, a_dir, e1 = run(d, sentence)
            t_json, a_json, e2 = run(path, sentence)
            if a_dir is None or a_json is None:
                check(name + "/loads", False, (e1 + " | " + e2)[:300])
                continue
            if special:  # the JSON file asked for a first special token the directory does not add
                check(name + "/special-first", t_json[0] == (special[0], tok.ids[special[0]], True) and
                      t_json[1:] == t_dir, "%s vs %s" % (t_json[:2], t_dir[:1]))
                continue
            check(name + "/same-tokens", t_dir == t_json, "%s vs %s" % (t_dir, t_json))
            diff = float(np.abs(a_dir - a_json).max()) if a_dir.shape == a_json.shape else float("inf")
            check(name + "/same-attention", diff <= 1e-6, "max |dir - json| %.2e, shapes %s %s" % (
                diff, a_dir.shape, a_json.shape))
            ref = hf_ref.hf_attentions(arch, cfg, W, [i for _, i, _ in t_json]).numpy()
            rd = float(np.abs(ref - a_json).max()) if ref.shape == a_json.shape else float("inf")
            check(name + "/json-vs-reference", rd <= 1e-4, "max |json - reference| %.2e" % rd)

        # refusals: an attention-only file cannot carry feed-forward tensors, a
        # bert file cannot be pre-LN, and merges belong to bpe only
        base = {"attnviz_model": 1, "config": {"architecture": "bert", "d_model": 4, "n_heads": 1, "n_layers": 1,
                                               "d_ff": 4},
                "tokenizer": {"type": "wordpiece", "vocab": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a"]},
                "tensors": {"embeddings.token": [[0.1] * 4] * 5, "embeddings.position": [[0.0] * 4] * 512}}
        for p in "qkvo":
            base["tensors"]["layers.0.attn.%s.weight" % p] = [[0.0] * 4] * 4
        base["tensors"]["layers.0.ffn.up.weight"] = [[0.0] * 4] * 4
        base["tensors"]["layers.0.ffn.down.weight"] = [[0.0] * 4] * 4
        bad = [("ok", lambda m: None, 0, ""),
               ("pre-ln", lambda m: m["config"].update(layer_norm="pre"), 2, "layer_norm"),
               ("no-d_ff", lambda m: m["config"].pop("d_ff"), 2, "d_ff"),
               ("ffn-in-attention", lambda m: m["config"].update(architecture="attention"), 2, "d_ff"),
               ("merges-in-wordpiece", lambda m: m["tokenizer"].update(merges=["a b"]), 2, "merges"),
               ("missing-special", lambda m: m["tokenizer"].update(special=["[BOS]", None]), 2, "BOS"),
               ("missing-ffn", lambda m: m["tensors"].pop("layers.0.ffn.down.weight"), 2, "ffn.down.weight")]
        for name, edit, code, word in bad:
            m = json.loads(json.dumps(base))
            edit(m)
            path = os.path.join(tmp, "bad-%s.json" % name)
            with open(path, "w") as f:
                json.dump(m, f)
            p = subprocess.run([BIN, "-m", path, "-f", "csv", "a"], capture_output=True, text=True)
            ok = p.returncode == code and (code == 0 or (word in p.stderr and path in p.stderr and
                                                          p.stderr.count("\n") == 1))
            check("json-bert/" + name, ok, "exit %d: %s" % (p.returncode, p.stderr.strip()[:200]))
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
