#!/bin/bash
# san: yes
# seq2seq.sh — the encoder-decoders through every view, on the shipped demo
# (data/dates) and the tiny T5 of tests/bad/hf/t5: each view exits 0 and
# says what its axes are (target x source for cross-attention); the CSV's
# part column and the JSON's fields; --target against the generated run;
# the options that make no sense for an encoder-decoder (or for another
# model) are refused with one line. Run under ASan+UBSan too.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
DATES=$ROOT/data/dates
T5=$ROOT/tests/bad/hf/t5
S="Saturday the 9th of May 2018"

# ok NAME ARGS...: attnviz ARGS exits 0 with nothing on stderr
ok() {
    local n=$1; shift
    run "$n" "$@"
    if [ "$(rc "$n")" -eq 0 ] && [ ! -s "$TMP/$n.err" ]; then pass "$n"; else fail "$n" "exit $(rc "$n"): $(errtxt "$n")"; fi
}
has() { grep -qF -- "$2" "$TMP/$1.out" && pass "$1/says" || fail "$1/says" "no '$2' in the output"; }

ok ansi -m "$DATES" -f ansi --color never "$S"
has ansi "output: 2018-05-09"
has ansi "rows = target tokens, columns = source tokens"
ok ansi-encoder -m "$DATES" -f ansi --color never --part encoder -l 3 "$S"
has ansi-encoder "rows = source tokens, columns = source tokens"
ok ansi-decoder -m "$DATES" -f ansi --color never --part decoder "$S"
has ansi-decoder "· = masked (causal)"
ok focus -m "$DATES" -f ansi --color never -q 7 -l 2 "$S"
has focus "›5 → may"
ok explain -m "$DATES" -f ansi --color never --explain 7 -l 2 -H 1 "$S"
has explain "k_j = enc_j·W_kᵀ + b_k"
ok explain-json -m "$DATES" -f json --explain 7 -l 2 -H 1 "$S"
ok aggregate -m "$DATES" -f ansi --color never --aggregate max "$S"
has aggregate "cross · layer 2 · max"
ok rollout -m "$DATES" -f csv --part decoder --rollout "$S"
ok words -m "$DATES" -f json --words --no-special --target "2018-05-09" "$S"
ok csv -m "$DATES" -f csv -l 2 -H 1 "$S"
[ "$(head -n 1 "$TMP/csv.out")" = "part,layer,head,query_index,query_token,query_generated,key_index,key_token,key_generated,weight" ] &&
    [ "$(wc -l <"$TMP/csv.out")" -eq $((12 * 12 + 1)) ] && [ "$(grep -c '^cross,2,1,' "$TMP/csv.out")" -eq 144 ] &&
    pass csv/rows || fail csv/rows "header or rows: $(head -n 2 "$TMP/csv.out" | tr '\n' '|')"
ok png -m "$DATES" -f png -l 2 -H 1 -o "$TMP/cross.png" "$S"
ok svg -m "$DATES" -f svg -l 2 -H 1 -o "$TMP/cross.svg" "$S"
grep -qF "target ↓" "$TMP/cross.svg" && grep -qF "source →" "$TMP/cross.svg" &&
    grep -qF "Cross-attention · Layer 2 · Head 1" "$TMP/cross.svg" && pass svg/axes || fail svg/axes "no target/source axes"
ok grid -m "$DATES" -f png --grid -o "$TMP/grid.png" "$S"
ok html -m "$DATES" -f html -o "$TMP/page.html" "$S"
ok html-words -m "$DATES" -f html --words -o "$TMP/page2.html" --part decoder "$S"
ok stdin-csv -m "$DATES" -f csv --part encoder -l 1 -H 1 -o "$TMP/stdin.csv" "$S"

# JSON: the fields, and --target on the generated output gives the generated run's rows
ok json -m "$DATES" -f json "$S"
ok json-target -m "$DATES" -f json --target "2018-05-09" "$S"
why=$("$PY" - "$TMP/json.out" "$TMP/json-target.out" <<'PYEOF'
import json, sys
g, t = (json.load(open(p)) for p in sys.argv[1:3])
why = []
if g["part"] != "cross" or g["target_text"] != "2018-05-09" or not g["target_generated"]:
    why.append("generated run: part %r target_text %r" % (g["part"], g["target_text"]))
if t["target_generated"] or t["target_text"] != "2018-05-09":
    why.append("--target run: target_generated %r" % t["target_generated"])
gen = [x.get("generated", False) for x in g["tokens"]]
if gen[0] or not all(gen[1:]) or any(x.get("generated") for x in t["tokens"]):
    why.append("generated marks %s / %s" % (gen, [x.get("generated") for x in t["tokens"]]))
rows = len(g["tokens"]); cols = len(g["keys"])
if any(len(h["weights"]) != rows or any(len(r) != cols for r in h["weights"]) for l in g["layers"] for h in l["heads"]):
    why.append("matrices are not %d x %d" % (rows, cols))
print("; ".join(why))
PYEOF
)
[ -z "$why" ] && pass json/fields || fail json/fields "$why"

# --max-new: cut at N tokens, the last one the end token (forced_eos_token_id)
ok max-new -m "$DATES" -f json --max-new 4 "$S"
n=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["tokens"]) - 1, d["tokens"][-1]["text"])' "$TMP/max-new.out")
[ "$n" = "4 </s>" ] && pass max-new/cut || fail max-new/cut "got: $n"

# T5: relative positions, RMS norm, no biases
ok t5 -m "$T5" -f json --max-new 5 "the cat sat on the mat"
ok t5-encoder -m "$T5" -f csv --part encoder "the cat sat"
ok t5-target -m "$T5" -f ansi --color never --target "a cat" "the cat sat"
has t5-target "target: a cat"

# refusals: one line, exit 2
refuse() {
    local n=$1 want=$2; shift 2
    run "$n" "$@"
    if [ "$(rc "$n")" -eq 2 ] && [ "$(wc -l <"$TMP/$n.err")" -eq 1 ] && grep -qF -- "$want" "$TMP/$n.err" &&
        [ ! -s "$TMP/$n.out" ]; then pass "refuse/$n"; else fail "refuse/$n" "exit $(rc "$n"): $(errtxt "$n")"; fi
}
refuse generate "--generate: not for an encoder-decoder" -m "$DATES" --generate 3 "$S"
refuse source "--source: not for an encoder-decoder" -m "$DATES" --source "x" "$S"
refuse target-max-new "--max-new: not with --target" -m "$DATES" --target "2018" --max-new 3 "$S"
refuse part-bert "--part: applies to encoder-decoder models" --part cross "$S"
refuse target-bert "--target: applies to encoder-decoder models" --target "x" "$S"
refuse part-name "--part" -m "$DATES" --part crosss "$S"
refuse rollout-cross "--rollout: needs self-attention" -m "$DATES" --rollout "$S"
refuse explain-encoder "--explain: explains the cross-attention" -m "$DATES" --part encoder --explain 2 "$S"
refuse window "--window: not for an encoder-decoder" -m "$DATES" --window 4 "$S"
refuse max-new-long "--max-new 500: the model's positions take 63 target tokens" -m "$DATES" --max-new 500 "$S"
refuse layer "--layer" -m "$DATES" --part decoder -l 3 "$S"
