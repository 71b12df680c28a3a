#!/bin/bash
# san: yes
# subword.sh — models with a subword tokenizer (the pretrained default,
# Hugging Face directories): --words merges a word's pieces (rows: mean of
# its tokens' rows, columns: sum of their columns), --no-special hides
# [CLS]/[SEP] without redistributing their weight, and the options that make
# no sense for such a model are refused. The arithmetic is checked against
# the plain output of the same run, in Python.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
GPT2=$ROOT/tests/bad/hf/gpt2

# regroup_check RAW.json GROUPED.json WORDS NOSPECIAL: recomputes the grouped
# matrices from the raw ones and the grouped tokens' spans; prints "ok ..." or why not
regroup_check() {
    "$PY" - "$@" <<'PYEOF'
import json, sys
raw, got = (json.load(open(p)) for p in sys.argv[1:3])
words, nospecial = sys.argv[3] == "1", sys.argv[4] == "1"
rt, gt = raw["tokens"], got["tokens"]
# each raw token's group: the grouped token whose span holds it (specials by position)
groups = []
for i, t in enumerate(rt):
    if t.get("special"):
        g = None if nospecial else next(k for k, u in enumerate(gt) if u.get("special") and
                                         (i == 0) == (k == 0))
    else:
        g = next((k for k, u in enumerate(gt) if not u.get("special") and u["start"] <= t["start"] and
                  (t["end"] <= u["end"] or t["start"] == t["end"])), None)
    groups.append(g)
worst, rowsum = 0.0, [1.0, 0.0]
for lr, lg in zip(raw["layers"], got["layers"]):
    for hr, hg in zip(lr["heads"], lg["heads"]):
        R, G = hr["weights"], hg["weights"]
        for g in range(len(gt)):
            rows = [i for i, x in enumerate(groups) if x == g]
            for h in range(len(gt)):
                cols = [j for j, x in enumerate(groups) if x == h]
                want = sum(R[i][j] for i in rows for j in cols) / len(rows)
                worst = max(worst, abs(want - G[g][h]))
            s = sum(G[g])
            rowsum = [min(rowsum[0], s), max(rowsum[1], s)]
print("ok" if worst <= 1e-6 else "WRONG", "maxdiff %.2e rowsum %.6f..%.6f groups %s" % (worst, rowsum[0], rowsum[1], groups))
PYEOF
}

run raw -f json "$EXAMPLE"
run words -f json --words "$EXAMPLE"
run nospec -f json --no-special "$EXAMPLE"
run both -f json --words --no-special "$EXAMPLE"
toks() { "$PY" -c 'import json,sys; print(" ".join(t["text"] for t in json.load(open(sys.argv[1]))["tokens"]))' "$1"; }
[ "$(rc raw)" -eq 0 ] && [ "$(toks "$TMP/raw.out")" = "[CLS] the animal didn ' t cross the street because it was too tired . [SEP]" ] &&
    pass default-wordpiece-tokens || fail default-wordpiece-tokens "exit $(rc raw): $(toks "$TMP/raw.out") $(errtxt raw)"
[ "$(rc words)" -eq 0 ] && [ "$(toks "$TMP/words.out")" = "[CLS] The animal didn't cross the street because it was too tired . [SEP]" ] &&
    pass words-tokens || fail words-tokens "exit $(rc words): $(toks "$TMP/words.out") $(errtxt words)"
[ "$(toks "$TMP/nospec.out")" = "the animal didn ' t cross the street because it was too tired ." ] &&
    pass no-special-tokens || fail no-special-tokens "$(toks "$TMP/nospec.out") $(errtxt nospec)"
[ "$(toks "$TMP/both.out")" = "The animal didn't cross the street because it was too tired ." ] &&
    pass words-no-special-tokens || fail words-no-special-tokens "$(toks "$TMP/both.out")"

r=$(regroup_check "$TMP/raw.out" "$TMP/words.out" 1 0)
case $r in "ok "*rowsum\ 0.99999*..1.0000*|"ok "*rowsum\ 1.000000..1.0000*) pass "words-mean-rows-sum-columns: $r" ;;
    *) fail words-mean-rows-sum-columns "$r" ;; esac
r=$(regroup_check "$TMP/raw.out" "$TMP/nospec.out" 0 1)
case $r in "ok "*) pass "no-special-keeps-weights: $r" ;; *) fail no-special-keeps-weights "$r" ;; esac
# hidden specials take their weight with them: some row sums to clearly less than 1
"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); s=min(sum(r) for l in j["layers"] for h in l["heads"] for r in h["weights"]); sys.exit(0 if s < 0.99 else 1)' "$TMP/nospec.out" &&
    pass no-special-rows-below-1 || fail no-special-rows-below-1 "every row still sums to 1"
r=$(regroup_check "$TMP/raw.out" "$TMP/both.out" 1 1)
case $r in "ok "*) pass "words-and-no-special: $r" ;; *) fail words-and-no-special "$r" ;; esac

# CSV and the terminal views read the grouped tokens too
run wcsv -f csv --words -l 3 -H 1 "$EXAMPLE"
[ "$(rc wcsv)" -eq 0 ] && [ "$(wc -l <"$TMP/wcsv.out")" -eq $((14 * 14 + 1)) ] && grep -q "^3,1,3,didn't,1,The," "$TMP/wcsv.out" &&
    pass words-csv || fail words-csv "exit $(rc wcsv), $(wc -l <"$TMP/wcsv.out") lines: $(errtxt wcsv)"
run wq --color never --words -l 3 -q "didn't" "$EXAMPLE"
[ "$(rc wq)" -eq 0 ] && grep -q "didn't → " "$TMP/wq.out" && pass words-focus-query || fail words-focus-query "exit $(rc wq): $(errtxt wq)"

# GPT-2 (byte-level BPE, causal): a merged word's cells after it stay masked
run graw -m "$GPT2" -f json "the cat sat on the mat"
run gw -m "$GPT2" -f json --words "the cat sat on the mat"
r=$(regroup_check "$TMP/graw.out" "$TMP/gw.out" 1 0)
case $r in "ok "*) pass "gpt2-words: $r" ;; *) fail gpt2-words "$r $(errtxt gw)" ;; esac
"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); W=[h["weights"] for l in j["layers"] for h in l["heads"]]; sys.exit(0 if all(w[i][k]==0 for w in W for i in range(len(w)) for k in range(i+1,len(w))) else 1)' "$TMP/gw.out" &&
    pass gpt2-words-causal-zeros || fail gpt2-words-causal-zeros "a cell after its query is not 0"

# refused: one stderr line naming the option, exit 2, nothing on stdout
refuse() { # NAME ERE ARGS...
    local name=$1 ere=$2; shift 2
    run "$name" "$@"
    if [ "$(rc "$name")" -eq 2 ] && [ "$(wc -l <"$TMP/$name.err")" -eq 1 ] && grep -qE -- "$ere" "$TMP/$name.err" &&
        [ ! -s "$TMP/$name.out" ]; then pass "$name"; else fail "$name" "exit $(rc "$name"): $(errtxt "$name")"; fi
}
refuse explain-words "--explain" --explain it --words "$EXAMPLE"
refuse lowercase-subword "--lowercase" --lowercase "$EXAMPLE"
refuse source-subword "--source" --source "Le chat." "The cat."
refuse only-specials "no words" "   "

# a vocabulary without the model's first special token: named once, by its file
mkdir -p "$TMP/nocls"
cp -L "$ROOT/tests/bad/hf/bert/config.json" "$ROOT/tests/bad/hf/bert/model.safetensors" "$TMP/nocls/"
sed 's/^\[CLS\]$/[XCLS]/' "$ROOT/tests/bad/hf/bert/vocab.txt" >"$TMP/nocls/vocab.txt"
run nocls -m "$TMP/nocls" "a"
if [ "$(rc nocls)" -eq 2 ] && [ "$(wc -l <"$TMP/nocls.err")" -eq 1 ] &&
   [ "$(grep -o "$TMP/nocls/vocab.txt" "$TMP/nocls.err" | wc -l)" -eq 1 ] && grep -q '"\[CLS\]"' "$TMP/nocls.err"
then pass missing-special-named-once; else fail missing-special-named-once "exit $(rc nocls): $(errtxt nocls)"; fi
