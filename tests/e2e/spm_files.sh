#!/bin/bash
# spm_files.sh — SentencePiece model files in a Hugging Face directory
# (spiece.model, tokenizer.model, Marian's source.spm + vocab.json) through
# the binary: what people see, and every bad file refused with one line
# naming it, exit 2, no output file, no crash.
# san: yes  (also run against the ASan+UBSan build)
#
#   1. a random BERT with a small trained spiece.model: labels, spans,
#      "</s>" last; the same model as tokenizer.model: "<s>" first;
#   2. bad spiece.model files: empty, truncated, random bytes, zeros, a
#      protobuf that is not a model, a directory; and 60 seeded random
#      mutations of the good file, each refused cleanly or read;
#   3. Marian: source.spm + vocab.json with a language code; vocab.json
#      without "<unk>", without "</s>", not JSON, with ids past the pieces
#      SentencePiece falls back to; a bad source.spm.
# SKIP without python3-sentencepiece (it trains the model).
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}

if ! "$PY" -c 'import sentencepiece' 2>/dev/null; then
    echo "SKIP spm-files: python3-sentencepiece is not installed (scripts/deps.sh test)"
    exit 0
fi

# a random 1-layer BERT (vocabulary 400) with a unigram spiece.model trained
# on README.md (one thread: the same model every run), and a Marian variant
"$PY" - "$TMP" "$ROOT" <<'EOF' || { fail spm-setup "could not write the directories"; exit 0; }
import io, json, os, shutil, sys
tmp, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "tests", "py"))
import hf_ckpt, sentencepiece as spm
corpus = [l for l in open(os.path.join(root, "README.md"), encoding="utf-8").read().split("\n") if l.strip()]
f = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=f, model_type="unigram", vocab_size=400,
                               byte_fallback=True, hard_vocab_limit=False, minloglevel=2, num_threads=1)
proto = f.getvalue()
sp = spm.SentencePieceProcessor(model_proto=proto)
def bert(name, n):
    d = os.path.join(tmp, name)
    hf_ckpt.make_checkpoint(d, hf_ckpt.Spec("bert", 8, 2, 1, max_pos=64, vocab_size=n))
    for x in ("vocab.txt", "tokenizer_config.json", "tokenizer.json"):
        if os.path.exists(os.path.join(d, x)):
            os.remove(os.path.join(d, x))
    return d
open(os.path.join(bert("t5", 400), "spiece.model"), "wb").write(proto)
open(os.path.join(bert("llama", 400), "tokenizer.model"), "wb").write(proto)
open(os.path.join(tmp, "good.model"), "wb").write(proto)
# Marian: vocab.json with the pieces in reverse order after </s>, <unk>, a code, <pad>
names = ["</s>", "<unk>", ">>fr<<", "<pad>"] + [sp.id_to_piece(i) for i in reversed(range(sp.get_piece_size()))
                                               if not sp.is_control(i) and not sp.is_unknown(i)]
d = bert("marian", len(names))
open(os.path.join(d, "source.spm"), "wb").write(proto)
json.dump({p: i for i, p in enumerate(names)}, open(os.path.join(d, "vocab.json"), "w"), ensure_ascii=False)
# ">>fr<< Hi" as MarianTokenizer encodes it: the code, source.spm's pieces of " Hi" in vocab.json, </s>
ids = [2] + [names.index(p) for p in sp.encode(" Hi", out_type=str)] + [0]
print(" ".join(map(str, ids)), file=open(os.path.join(tmp, "marian.ids"), "w"))
EOF

OUT=$TMP/outdir
mkdir -p "$OUT"
# refused NAME FILE ARGS...: attnviz ARGS exits 2 with one line naming FILE, writes no output file
refused() {
    [ -n "${SHOW:-}" ] && echo "# $1" >&2
    local name=$1 file=$2 why rc; shift 2
    rm -rf "${OUT:?}"/*
    "$ATTNVIZ" "$@" -o "$OUT/x.csv" -f csv >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    rc=$?
    why=$(refusal_why "$rc" 2 "$OUT")
    grep -qF "$file" "$TMP/stderr" || why+="the message does not name $file; "
    [ -n "${SHOW:-}" ] && cat "$TMP/stderr" >&2
    [ -z "$why" ] && pass "$name" || fail "$name" "$why$(head -c 200 "$TMP/stderr" | tr '\n' '|')"
}

# ---- 1. good files ---------------------------------------------------------------
run t5 -m "$TMP/t5" -f json -l 1 -H 1 "Hi 日本"
expect_tokens t5 "␣@0:0 H@0:1 i@1:2 ␣@2:3 日(1/3)@3:6 日(2/3)@3:6 日(3/3)@3:6 本(1/3)@6:9 本(2/3)@6:9 本(3/3)@6:9 *</s>@9:9"
run llama -m "$TMP/llama" -f json -l 1 -H 1 "Hi 日本"
expect_tokens llama "*<s>@0:0 ␣@0:0 H@0:1 i@1:2 ␣@2:3 日(1/3)@3:6 日(2/3)@3:6 日(3/3)@3:6 本(1/3)@6:9 本(2/3)@6:9 本(3/3)@6:9"
run t5-words -m "$TMP/t5" -f json -l 1 -H 1 --words "Hi 日本"
expect_tokens t5-words "Hi@0:2 日@2:6 本@6:9 *</s>@9:9"

# ---- 2. bad spiece.model ---------------------------------------------------------
B=$TMP/bad
cp -r "$TMP/t5" "$B"
: >"$B/spiece.model"
refused spm-empty "$B/spiece.model" -m "$B" "Hello"
grep -q "empty file" "$TMP/stderr" && pass spm-empty-says-empty || fail spm-empty-says-empty "$(head -c 200 "$TMP/stderr")"
head -c 2000 "$TMP/good.model" >"$B/spiece.model"
refused spm-truncated "$B/spiece.model" -m "$B" "Hello"
head -c 4096 /dev/urandom >"$B/spiece.model"
refused spm-random "$B/spiece.model" -m "$B" "Hello"
head -c 512 /dev/zero >"$B/spiece.model"
refused spm-zeros "$B/spiece.model" -m "$B" "Hello"
printf '\x0a\x03abc' >"$B/spiece.model"   # a protobuf: one piece without its fields
refused spm-not-a-model "$B/spiece.model" -m "$B" "Hello"
rm -f "$B/spiece.model" && mkdir "$B/spiece.model"
refused spm-directory "$B" -m "$B" "Hello"
rmdir "$B/spiece.model"
# seeded mutations of the good file: each is refused cleanly (exit 2, one
# line naming the file) or read (exit 0); never a crash or a sanitizer report
bad=""
for i in $(seq 1 60); do
    "$PY" - "$TMP/good.model" "$B/spiece.model" "$i" <<'EOF'
import random, sys
b = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
k = int(sys.argv[3]) % 3
if k == 0:
    for _ in range(r.randint(1, 20)):
        b[r.randrange(len(b))] = r.randrange(256)
elif k == 1:
    b = b[:r.randrange(len(b))]
else:
    p = r.randrange(len(b))
    b[p:p] = bytes(r.randrange(256) for _ in range(r.randint(1, 10)))
open(sys.argv[2], "wb").write(b)
EOF
    "$ATTNVIZ" -m "$B" -f csv -l 1 -H 1 "Hello wörld ☃ <s>" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    rc=$?
    if [ "$rc" -eq 0 ]; then
        [ -s "$TMP/stderr" ] && bad+="mutation $i: exit 0 with stderr; "
    else
        why=$(refusal_why "$rc" 2 "$OUT")
        grep -qF "$B/spiece.model" "$TMP/stderr" || why+="does not name the file; "
        [ -n "$why" ] && bad+="mutation $i: $why"
    fi
done
[ -z "$bad" ] && pass spm-60-mutations || fail spm-60-mutations "${bad:0:400}"

# ---- 3. Marian -------------------------------------------------------------------
M=$TMP/marian
SP=$(cat "$TMP/marian.ids")
run marian -m "$M" -f json -l 1 -H 1 ">>fr<< Hi"
"$PY" -c 'import json,sys
t = json.load(open(sys.argv[1]))["tokens"]
ok = [x["id"] for x in t] == [int(x) for x in sys.argv[2].split()] and t[0]["text"] == ">>fr<<" \
     and (t[0]["start"], t[0]["end"]) == (0, 6) and t[-1].get("special") and t[-1]["text"] == "</s>"
sys.exit(0 if ok else 1)' "$TMP/marian.out" "$SP" 2>/dev/null && pass marian-code-and-eos ||
    fail marian-code-and-eos "exit $(rc marian): $(head -c 300 "$TMP/marian.out") $(errtxt marian)"
MB=$TMP/marian-bad
cp -r "$M" "$MB"
"$PY" -c 'import json,sys; v=json.load(open(sys.argv[1])); del v["<unk>"]
json.dump({k: i for i, k in enumerate(sorted(v, key=v.get))}, open(sys.argv[1],"w"))' "$MB/vocab.json"
refused marian-no-unk "$MB/vocab.json" -m "$MB" "Hello"
grep -q 'no entry "<unk>"' "$TMP/stderr" && pass marian-no-unk-says-so || fail marian-no-unk-says-so "$(head -c 200 "$TMP/stderr")"
cp "$M/vocab.json" "$MB/vocab.json"
"$PY" -c 'import json,sys; v=json.load(open(sys.argv[1])); del v["</s>"]
json.dump({k: i for i, k in enumerate(sorted(v, key=v.get))}, open(sys.argv[1],"w"))' "$MB/vocab.json"
refused marian-no-eos "$MB/vocab.json" -m "$MB" "Hello"
grep -q 'no entry "</s>"' "$TMP/stderr" && pass marian-no-eos-says-so || fail marian-no-eos-says-so "$(head -c 200 "$TMP/stderr")"
printf '{"</s>": 0, "<unk>": 1,' >"$MB/vocab.json"
refused marian-vocab-not-json "$MB/vocab.json" -m "$MB" "Hello"
# only the specials and 3 pieces: SentencePiece's own id for "▁" (its fallback) is past vocab.json
"$PY" -c 'import json,sys; json.dump({"</s>": 0, "<unk>": 1, "<pad>": 2, "a": 3, "b": 4, "c": 5}, open(sys.argv[1],"w"))' "$MB/vocab.json"
refused marian-vocab-missing-pieces "$MB/vocab.json" -m "$MB" "Hello"
cp "$M/vocab.json" "$MB/vocab.json"
head -c 1000 "$TMP/good.model" >"$MB/source.spm"
refused marian-spm-truncated "$MB/source.spm" -m "$MB" "Hello"
: >"$MB/source.spm"
refused marian-spm-empty "$MB/source.spm" -m "$MB" "Hello"
