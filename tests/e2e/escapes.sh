#!/bin/bash
# escapes.sh — untrusted text in error messages reaches the terminal escaped.
# san: yes  (also run against the ASan+UBSan build: a leak or UB exits 99)
#
# Every message is escaped in one place (attn_fail(), base/error.h, through
# base/textesc.h): control characters as \u001B, bidi controls as \u202E,
# bytes that are not UTF-8 as \xFF. Each case puts a terminal escape
# sequence (ESC [ 2 J, clear the screen; ESC ] 0 ; ... BEL, set the window
# title), a RIGHT-TO-LEFT OVERRIDE or a stray byte into one path that a
# message quotes (a JSON key, a config.json value, a tensor name, a
# vocabulary entry, a tokenizer.json field, an option value, a path, the
# sentence) and checks: the refusal is clean (exit 2, one stderr line
# "attnviz: ...", nothing on stdout), the line holds no byte below 0x20, no
# DEL, no C1 control and no bidi control, and it shows the escape ("\u001B")
# where the text was.
. "$(dirname "$0")/lib.sh"
n=0
ESC=$'\e'
RLO=$'\u202e'

# case NAME WANT ARGS...: attnviz ARGS refused, WANT (a fixed string) in the line
case_() {
    local name=$1 want=$2; shift 2
    n=$((n + 1))
    local dir=$TMP/out$n why=
    mkdir -p "$dir"
    "$ATTNVIZ" -o "$dir/out.csv" "$@" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
    why=$(refusal_why $? 2 "$dir")
    local line
    line=$(head -n 1 "$TMP/stderr")
    # C0 controls but the newline, DEL, C1 (UTF-8 C2 80..C2 9F), bidi
    # controls (U+061C, U+200E/F, U+202A..E, U+2066..9)
    if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' \
        "$TMP/stderr"; then
        why+="raw control or bidi character on stderr; "
    fi
    grep -qF -e "$want" <<<"$line" || why+="no '$want' in the message; "
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why}stderr: $(head -c 300 "$TMP/stderr" | od -c | head -5 | tr '\n' ' ')"; fi
}

# ---- a JSON weight file: an unknown key, a config value
printf '{"attnviz_model": 1, "\\u001b[2J\\u001b]0;pwned\\u0007": 1}\n' >"$TMP/key.json"
case_ json-key '\u001B[2J\u001B]0;pwned\u0007' -m "$TMP/key.json" "a b"
printf '{"attnviz_model": 1, "config": {"d_model": 4, "n_heads": 2, "n_layers": 1, "\\u202edropout": 0}}\n' \
    >"$TMP/config.json"
case_ json-config-key '\u202Edropout' -m "$TMP/config.json" "a b"
printf '{"attnviz_model": 1, "config": {"d_model": 4, "n_heads": 2, "n_layers": 1}, "tensors": {"x\\u001b[31m": [1]}}\n' \
    >"$TMP/tensor.json"
case_ json-tensor-name 'x\u001B[31m' -m "$TMP/tensor.json" "a b"

# ---- a Hugging Face directory: config.json's model_type, a tensor name, vocab.txt
BERT=$ROOT/tests/bad/hf/bert
hf() { # DIR: a copy of the valid BERT directory
    mkdir -p "$1" && cp "$BERT"/* "$1"/
}
hf "$TMP/mt"
sed 's/"model_type": "bert"/"model_type": "\\u001b]0;pwned\\u0007bert"/' "$BERT/config.json" >"$TMP/mt/config.json"
case_ hf-model-type '\u001B]0;pwned\u0007bert' -m "$TMP/mt" "a b"
hf "$TMP/vocab"
{ cat "$BERT/vocab.txt"; printf 'the\n'; } >"$TMP/vocab/vocab.txt" # a duplicate entry
printf '%s\n' "zz${ESC}[2J" >>"$TMP/vocab/vocab.txt"
sed 's/"vocab_size": 30/"vocab_size": 32/' "$BERT/config.json" >"$TMP/vocab/config.json"
case_ hf-vocab-entry 'vocab.txt' -m "$TMP/vocab" "a b"
hf "$TMP/tj"
rm "$TMP/tj/vocab.txt"
printf '{"model": {"type": "%sUnigram\\u001b[5m", "vocab": []}}\n' "$RLO" >"$TMP/tj/tokenizer.json"
case_ hf-tokenizer-json-type '\u202EUnigram\u001B[5m' -m "$TMP/tj" "a b"
/usr/bin/python3 - "$BERT/model.safetensors" "$TMP/st.safetensors" <<'EOF'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", data[:8])[0]
h = json.loads(data[8:8 + n])
body = data[8 + n:]
h["encoder.layer.0.evil\x1b[2J\u202e"] = {"dtype": "F32", "shape": [1], "data_offsets": [len(body), len(body) + 4]}
t = json.dumps(h).encode()
t += b" " * (-len(t) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(t)) + t + body + bytes(4))
EOF
hf "$TMP/stname"
cp "$TMP/st.safetensors" "$TMP/stname/model.safetensors"
case_ hf-tensor-name 'evil\u001B[2J\u202E' -m "$TMP/stname" "a b"

# ---- options, paths and the sentence
case_ option-top '\u001B[31mX' --top "${ESC}[31mX" "a b"
case_ option-colormap '\u001B]0;t\u0007' --colormap "${ESC}]0;t"$'\a' "a b"
case_ option-format '\u202Ecsv' -f "${RLO}csv" "a b"
case_ option-unknown '\u001B[2J' "--x${ESC}[2J" "a b"
case_ option-query '\u001B[1m' --seed 1 -f ansi -q "${ESC}[1m" "a b"
case_ model-path 'no-such\u001B[31m' -m "$TMP/no-such${ESC}[31m.json" "a b"
case_ model-path-bad-byte 'no-such\xFF' -m "$TMP/no-such"$'\xff'".json" "a b"
case_ sentence-no-words '\u001B\u0007' --seed 1 "${ESC}"$'\a'
case_ sentence-bad-utf8 'UTF-8' --seed 1 $'a \xff\e[2J'
