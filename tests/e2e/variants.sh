#!/bin/bash
# san: yes
# variants.sh — the attention variants and --explain of issue 5 from the
# command line: invalid combinations (exit 2, one stderr line "attnviz: ...",
# nothing on stdout), causal outputs with exact zeros above the diagonal,
# cross-attention with tokens from both texts and n_target x n_source rows per
# head, every variant in every output format (csv, json, ansi, png, svg), the
# --explain chain, and determinism. The numbers themselves are checked against
# PyTorch / numpy by tests/py/test_variants.py and tests/py/test_explain.py.
# The variants are those of the generated model: every run without -m names
# it (--seed 42, or one of its shape options), so that the checks do not
# depend on which model is the default (one check, source-default-model, is
# about the default itself).
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
TINY=$ROOT/data/tiny-2head.json
HDR="layer,head,query_index,query_token,key_index,key_token,weight"


# usage NAME PATTERN ARGS...: exit 2, no stdout, exactly one stderr line that
# starts with "attnviz: " and matches the (grep -E) PATTERN
usage() {
    local name=$1 pat=$2; shift 2
    run "$name" "$@"
    local n; n=$(wc -l <"$TMP/$name.err")
    if [ "$(rc "$name")" -eq 2 ] && [ ! -s "$TMP/$name.out" ] && [ "$n" -eq 1 ] &&
       grep -q '^attnviz: ' "$TMP/$name.err" && grep -qE -- "$pat" "$TMP/$name.err"; then
        pass "invalid-$name"
    else
        fail "invalid-$name" "exit $(rc "$name"), $n stderr line(s), $(wc -c <"$TMP/$name.out") stdout bytes, want exit 2 and /$pat/: $(errtxt "$name")"
    fi
}

# ---- model files for the invalid combinations
"$PY" - "$TINY" "$TMP" <<'EOF'
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
def variant(name, cfg=None, tensors=None):
    d = json.load(open(src))
    d["config"].update(cfg or {})
    d["tensors"].update(tensors or {})
    json.dump(d, open("%s/%s.json" % (tmp, name), "w"))
variant("causal", {"causal": True})
variant("learned3", {"positional": "learned", "max_positions": 3},
        {"embeddings.position": [[0, 0, 0, 0]] * 3})
variant("additive-missing", {"score": "additive"})
variant("plain-with-q", {"projections": False})
variant("ln-sideways", {"layer_norm": "sideways"})
variant("ln-shape", {"layer_norm": "pre"}, {"layers.0.ln.weight": [1, 1, 1]})
variant("score-bogus", {"score": "cosine"})
variant("causal-string", {"causal": "yes"})
EOF

# ---- invalid combinations: exit 2 and one clear line
S="the cat sat"
usage source-causal 'source|causal'            --seed 42 --source "le chat" --causal "$S"
usage source-causal-model 'source|causal'      -m "$TMP/causal.json" --source "le chat" "$S"
usage source-empty 'source'                    --seed 42 --source "" "$S"
usage source-punct-only 'source'               --seed 42 --source "   " "$S"
usage explain-nosuchword 'nosuchword'          --seed 42 --explain nosuchword "$S"
usage explain-index-out-of-range "explain"     --seed 42 --explain 3 "$S"
usage explain-negative-index "explain"         --seed 42 --explain -1 "$S"
usage explain-in-source-only 'chat'            --seed 42 --explain chat --source "le chat" "$S"
usage explain-csv 'explain.*csv|csv.*explain'  --seed 42 --explain cat -f csv "$S"
usage explain-png 'explain'                    --seed 42 --explain cat -f png -o "$TMP/x.png" "$S"
usage explain-svg 'explain'                    --seed 42 --explain cat -f svg -o "$TMP/x.svg" "$S"
usage explain-aggregate 'explain|aggregate'    --seed 42 --explain cat --aggregate mean "$S"
usage explain-rollout 'explain|rollout'        --seed 42 --explain cat --rollout "$S"
usage aggregate-rollout 'aggregate|rollout'    --seed 42 --aggregate mean --rollout "$S"
usage aggregate-bogus 'aggregate'              --seed 42 --aggregate median "$S"
usage rollout-source 'rollout|source'          --seed 42 --rollout --source "le chat" "$S"
usage plain-with-model 'plain'                 --plain -m "$TINY" "$S"
usage layer-norm-with-model 'layer-norm'       --layer-norm pre -m "$TINY" "$S"
usage layer-norm-bogus 'layer-norm'            --seed 42 --layer-norm middle "$S"
usage score-bogus 'score'                      --seed 42 --score cosine "$S"
usage score-additive-model 'additive'          --score additive -m "$TINY" "$S"
usage file-additive-missing 'additive'         -m "$TMP/additive-missing.json" "$S"
usage file-plain-with-q 'projections|q\.weight' -m "$TMP/plain-with-q.json" "$S"
usage file-layer-norm-bogus 'layer_norm'       -m "$TMP/ln-sideways.json" "$S"
usage file-ln-shape 'ln\.weight'               -m "$TMP/ln-shape.json" "$S"
usage file-score-bogus 'score'                 -m "$TMP/score-bogus.json" "$S"
usage file-causal-not-bool 'causal'            -m "$TMP/causal-string.json" "$S"
# cross-attention needs an attention-only model: not the default BERT
usage source-default-model '^attnviz: --source' --source "le chat" "$S"
# the source, not the sentence, is longer than the learned positions
usage source-longer-than-positions 'source'    -m "$TMP/learned3.json" --source "the the the the" "the cat"

# ---- causal: exact zeros above the diagonal
EX_N=12
run causal -f csv --seed 42 --causal "$EXAMPLE"
if [ "$(rc causal)" -eq 0 ] && [ "$(head -n 1 "$TMP/causal.out")" = "$HDR" ] &&
   [ "$(wc -l <"$TMP/causal.out")" -eq $((4 * EX_N * EX_N + 1)) ]; then pass causal-csv-shape
else fail causal-csv-shape "exit $(rc causal), $(wc -l <"$TMP/causal.out") lines: $(errtxt causal)"; fi
above=$(awk -F, 'NR > 1 && $5 > $3' "$TMP/causal.out" | wc -l)
zeros=$(awk -F, 'NR > 1 && $5 > $3 && $7 == "0"' "$TMP/causal.out" | wc -l)
if [ "$above" -eq $((4 * EX_N * (EX_N - 1) / 2)) ] && [ "$zeros" -eq "$above" ]; then
    pass causal-csv-exact-zeros-above-diagonal
else fail causal-csv-exact-zeros-above-diagonal "$zeros of $above cells above the diagonal are exactly 0"; fi
nonzero=$(awk -F, 'NR > 1 && $5 <= $3 && $7 + 0 > 0' "$TMP/causal.out" | wc -l)
if [ "$nonzero" -eq $((4 * EX_N * (EX_N + 1) / 2)) ]; then pass causal-csv-diagonal-and-below-positive
else fail causal-csv-diagonal-and-below-positive "$nonzero cells on or below the diagonal are > 0"; fi
if awk -F, 'NR > 1 && $3 == 0 && $5 == 0 && $7 != "1" { bad = 1 } END { exit bad }' "$TMP/causal.out" &&
   [ -s "$TMP/causal.out" ]; then pass causal-first-query-weight-1
else fail causal-first-query-weight-1 "query 0 does not give key 0 exactly 1"; fi
run causal-json -f json --causal --seed 42 --layers 2 --score additive "$EXAMPLE"
if [ "$(rc causal-json)" -eq 0 ] && "$PY" - "$TMP/causal-json.out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [(l["layer"], h["head"], i, j) for l in d["layers"] for h in l["heads"]
       for i, row in enumerate(h["weights"]) for j, w in enumerate(row) if j > i and w != 0]
ok = d["model"]["causal"] is True and len(d["layers"]) == 2 and not bad
sys.exit(0 if ok else 1)
EOF
then pass causal-json-exact-zeros; else fail causal-json-exact-zeros "exit $(rc causal-json) or a non-zero cell above the diagonal"; fi
run causal-values -f ansi --color never --values --seed 42 --heads 1 --causal "a b c"
if [ "$(rc causal-values)" -eq 0 ] && grep -q 'masked' "$TMP/causal-values.out" &&
   [ "$(grep -cE '^(a|b|c) ' "$TMP/causal-values.out")" -eq 3 ] &&
   grep -E '^a ' "$TMP/causal-values.out" | grep -q '1\.00' &&
   ! grep -E '^a ' "$TMP/causal-values.out" | grep -qE '0\.00'; then pass causal-ansi-masked-cells
else fail causal-ansi-masked-cells "$(head -c 300 "$TMP/causal-values.out" | tr '\n' '|')"; fi

# ---- cross-attention: tokens of both texts, n_target x n_source rows per head
TGT="the cat sat on the mat"          # 6 tokens
SRC="die Katze saß auf der Matte ."   # 7 tokens
run cross -f csv --seed 42 --layers 2 --heads 2 --dim 8 --source "$SRC" "$TGT"
if [ "$(rc cross)" -eq 0 ] && [ "$(head -n 1 "$TMP/cross.out")" = "$HDR" ] &&
   [ "$(wc -l <"$TMP/cross.out")" -eq $((2 * 2 * 6 * 7 + 1)) ]; then pass cross-csv-rows-nt-x-ns
else fail cross-csv-rows-nt-x-ns "exit $(rc cross), $(wc -l <"$TMP/cross.out") lines, want $((2 * 2 * 6 * 7 + 1)): $(errtxt cross)"; fi
info=$("$PY" - "$TMP/cross.out" <<'EOF'
import csv, sys
from collections import Counter
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
q = {int(r[2]): r[3] for r in rows}; k = {int(r[4]): r[5] for r in rows}
per = Counter((r[0], r[1]) for r in rows)
sums = Counter()
for r in rows:
    sums[(r[0], r[1], r[2])] += float(r[6])
print(" ".join(q[i] for i in sorted(q)) + "|" + " ".join(k[i] for i in sorted(k)) + "|" +
      ",".join(sorted(set(map(str, per.values())))) + "|" + "%.2g" % max(abs(s - 1) for s in sums.values()))
EOF
)
IFS='|' read -r qt kt per sumerr <<<"$info"
if [ "$qt" = "$TGT" ]; then pass cross-csv-query-tokens-from-sentence; else fail cross-csv-query-tokens-from-sentence "got '$qt'"; fi
if [ "$kt" = "$SRC" ]; then pass cross-csv-key-tokens-from-source; else fail cross-csv-key-tokens-from-source "got '$kt'"; fi
if [ "$per" = 42 ] && "$PY" -c "import sys; sys.exit(0 if float('$sumerr') < 1e-6 else 1)"; then
    pass cross-csv-42-rows-per-head-rows-sum-1
else fail cross-csv-42-rows-per-head-rows-sum-1 "rows per head '$per', max |row sum - 1| $sumerr"; fi
run cross-json -f json --seed 42 --layers 2 --heads 2 --dim 8 --source "$SRC" "$TGT"
if [ "$(rc cross-json)" -eq 0 ] && "$PY" - "$TMP/cross-json.out" "$TGT" "$SRC" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = lambda v: [x["text"] if isinstance(x, dict) else x for x in v]
ok = t(d["tokens"]) == sys.argv[2].split() and t(d["keys"]) == sys.argv[3].split()
ok = ok and all(len(h["weights"]) == 6 and all(len(r) == 7 for r in h["weights"])
                for l in d["layers"] for h in l["heads"])
sys.exit(0 if ok else 1)
EOF
then pass cross-json-tokens-and-keys-6x7; else fail cross-json-tokens-and-keys-6x7 "$(head -c 200 "$TMP/cross-json.out")"; fi
# the same weights in csv and json
if [ "$(rc cross-json)" -eq 0 ] && "$PY" - "$TMP/cross.out" "$TMP/cross-json.out" <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
d = json.load(open(sys.argv[2], encoding="utf-8"))
j = {(str(l["layer"]), str(h["head"]), str(qi), str(ki)): w for l in d["layers"] for h in l["heads"]
     for qi, row in enumerate(h["weights"]) for ki, w in enumerate(row)}
sys.exit(0 if len(j) == len(rows) and all(j[(r[0], r[1], r[2], r[4])] == float(r[6]) for r in rows) else 1)
EOF
then pass cross-csv-equals-json; else fail cross-csv-equals-json "weights differ between -f csv and -f json"; fi
# the source text is tokenized on its own: the sentence's tokens do not leak in
run cross-one -f csv --seed 42 --source "alone" "$TGT"
if [ "$(rc cross-one)" -eq 0 ] && [ "$(awk -F, 'NR > 1 && ($6 != "alone" || $7 != "1")' "$TMP/cross-one.out" | wc -l)" -eq 0 ] &&
   [ "$(wc -l <"$TMP/cross-one.out")" -eq $((4 * 6 + 1)) ]; then pass cross-single-source-token-weight-1
else fail cross-single-source-token-weight-1 "exit $(rc cross-one): $(head -c 200 "$TMP/cross-one.out" | tr '\n' '|')"; fi
# several sentences on stdin, each against the same source
printf 'the cat\na dog sat\n' | "$ATTNVIZ" -f csv --seed 42 --source "$SRC" >"$TMP/cross-stdin.out" 2>"$TMP/cross-stdin.err"
crc=$?
if [ $crc -eq 0 ] && [ "$(wc -l <"$TMP/cross-stdin.out")" -eq $((4 * (2 + 3) * 7 + 1)) ] &&
   [ "$(awk -F, 'NR > 1 { print $7 }' "$TMP/cross-stdin.out" | sort -u | tr '\n' ' ')" = "$(tr ' ' '\n' <<<"$SRC" | sort -u | tr '\n' ' ')" ]
then pass cross-stdin-sentences; else fail cross-stdin-sentences "exit $crc, $(wc -l <"$TMP/cross-stdin.out") lines"; fi

# ---- every variant in every format
# variant NAME ARGS...: csv, json, ansi, png, svg all succeed and look right
variant() {
    local name=$1; shift
    local f ok=1 why=""
    run "v-$name-csv" -f csv "$@" "$TGT"
    if [ "$(rc "v-$name-csv")" -ne 0 ] || [ "$(head -n 1 "$TMP/v-$name-csv.out")" != "$HDR" ] ||
       [ "$(wc -l <"$TMP/v-$name-csv.out")" -lt 2 ]; then ok=0; why+=" csv: exit $(rc "v-$name-csv") $(errtxt "v-$name-csv")"; fi
    run "v-$name-json" -f json "$@" "$TGT"
    if [ "$(rc "v-$name-json")" -ne 0 ] || ! "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['layers'] and d['layers'][0]['heads'] else 1)" "$TMP/v-$name-json.out" 2>/dev/null
    then ok=0; why+=" json: exit $(rc "v-$name-json") $(errtxt "v-$name-json")"; fi
    # csv and json carry the same numbers
    if [ $ok -eq 1 ] && ! "$PY" - "$TMP/v-$name-csv.out" "$TMP/v-$name-json.out" <<'EOF'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
d = json.load(open(sys.argv[2], encoding="utf-8"))
j = {(str(l["layer"]), str(h["head"]), str(qi), str(ki)): w for l in d["layers"] for h in l["heads"]
     for qi, row in enumerate(h["weights"]) for ki, w in enumerate(row)}
sys.exit(0 if len(j) == len(rows) and all(j.get((r[0], r[1], r[2], r[4])) == float(r[6]) for r in rows) else 1)
EOF
    then ok=0; why+=" csv and json differ"; fi
    run "v-$name-ansi" -f ansi --color always "$@" "$TGT"
    if [ "$(rc "v-$name-ansi")" -ne 0 ] || ! grep -q $'\e\[' "$TMP/v-$name-ansi.out" || ! grep -q 'cat' "$TMP/v-$name-ansi.out"
    then ok=0; why+=" ansi: exit $(rc "v-$name-ansi") $(errtxt "v-$name-ansi")"; fi
    for f in png svg; do
        rm -rf "$TMP/v-$name-$f.d"
        run "v-$name-$f" -f "$f" -o "$TMP/v-$name-$f.d" "$@" "$TGT"
        local files; files=$(ls "$TMP/v-$name-$f.d"/*."$f" 2>/dev/null | wc -l)
        if [ "$(rc "v-$name-$f")" -ne 0 ] || [ "$files" -lt 1 ]; then ok=0; why+=" $f: exit $(rc "v-$name-$f"), $files files $(errtxt "v-$name-$f")"
        elif [ $f = png ] && [ "$(head -c 8 "$(ls "$TMP/v-$name-$f.d"/*.png | head -n 1)" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]
        then ok=0; why+=" png: bad signature"
        elif [ $f = svg ] && ! grep -q '</svg>' "$(ls "$TMP/v-$name-$f.d"/*.svg | head -n 1)"
        then ok=0; why+=" svg: no </svg>"; fi
    done
    if [ $ok -eq 1 ]; then pass "variant-$name-all-formats"; else fail "variant-$name-all-formats" "$why"; fi
}
variant additive   --score additive --seed 42 --heads 2 --dim 8
variant dot        --seed 42 --score dot
variant causal     --causal --seed 42 --heads 2 --dim 8
variant cross      --source "$SRC" --seed 42 --heads 2 --dim 8
variant cross-additive --source "$SRC" --score additive --seed 42 --layers 2 --heads 2 --dim 8
variant plain      --seed 42 --plain --dim 8
variant layers-pre --seed 42 --layers 3 --layer-norm pre --heads 2 --dim 8
variant layers-none --seed 42 --layers 2 --layer-norm none --heads 2 --dim 8
variant aggregate-mean --aggregate mean --seed 42 --layers 2
variant aggregate-max  --seed 42 --aggregate max -H 1,3
variant rollout    --rollout --seed 42 --layers 3 --heads 2 --dim 8
variant rollout-causal --rollout --causal --seed 42 --layers 2
variant model-file -m "$TINY" --causal

# cross-attention figures: the source's tokens on the key axis
svg1=$(ls "$TMP/v-cross-svg.d"/*.svg 2>/dev/null | head -n 1)
if [ -n "$svg1" ] && grep -q '>Katze<' "$svg1" && grep -q '>cat<' "$svg1"; then pass cross-svg-labels-both-texts
else fail cross-svg-labels-both-texts "no >Katze< and >cat< labels in ${svg1:-no file}"; fi
# aggregates are labelled as such in figures (not as a model head)
agg=$(ls "$TMP/v-rollout-svg.d" 2>/dev/null | tr '\n' ' ')
if [ -n "$agg" ] && ! grep -q 'head0' <<<"$agg" && ! grep -qh 'Head 0' "$TMP/v-rollout-svg.d"/*.svg; then
    pass rollout-figure-labels
else fail rollout-figure-labels "rollout figures named '$agg', title: $(grep -oh '<title>[^<]*' "$TMP/v-rollout-svg.d"/*.svg 2>/dev/null | head -n 1)"; fi
# aggregate/rollout head column
if [ "$(awk -F, 'NR > 1 { print $2 }' "$TMP/v-rollout-csv.out" | sort -u)" = rollout ] &&
   [ "$(awk -F, 'NR > 1 { print $2 }' "$TMP/v-aggregate-mean-csv.out" | sort -u)" = mean ] &&
   [ "$(awk -F, 'NR > 1 { print $2 }' "$TMP/v-aggregate-max-csv.out" | sort -u)" = max ] &&
   [ "$(awk -F, 'NR > 1 { print $1 }' "$TMP/v-rollout-csv.out" | sort -u | tr '\n' ' ')" = "1 2 3 " ]
then pass aggregate-head-labels; else fail aggregate-head-labels "head column not rollout/mean/max"; fi
# rollout rows sum to 1, weights positive (identity added)
if [ -s "$TMP/v-rollout-csv.out" ] && awk -F, 'NR > 1 { s[$1 "," $3] += $7; if ($3 == $5 && $7 + 0 <= 0) bad = 1 }
   END { for (k in s) if (s[k] < 0.999999 || s[k] > 1.000001) bad = 1; exit bad }' "$TMP/v-rollout-csv.out"
then pass rollout-rows-sum-1; else fail rollout-rows-sum-1 "a rollout row does not sum to 1"; fi
if [ "$(awk -F, 'NR > 1 && $5 > $3 && $7 != "0"' "$TMP/v-rollout-causal-csv.out" | wc -l)" -eq 0 ] &&
   [ -s "$TMP/v-rollout-causal-csv.out" ]; then pass rollout-causal-zeros
else fail rollout-causal-zeros "rollout of a causal model has non-zero cells above the diagonal"; fi

# ---- --explain
run ex-tiny -m "$TINY" --explain cat "$S"
if [ "$(rc ex-tiny)" -eq 0 ] && cmp -s "$TMP/ex-tiny.out" "$GOLDEN/explain-tiny.txt"; then pass explain-tiny-golden
else fail explain-tiny-golden "exit $(rc ex-tiny), differs from tests/golden/explain-tiny.txt (numbers checked by tests/py/test_explain.py)"; fi
# steps PATTERN... must each appear in NAME.out, COUNT times (once per head)
steps() {
    local name=$1 count=$2; shift 2
    local p miss=""
    for p in "$@"; do
        [ "$(grep -cF -- "$p" "$TMP/$name.out")" -eq "$count" ] || miss+=" '$p'x$(grep -cF -- "$p" "$TMP/$name.out")"
    done
    if [ "$(rc "$name")" -eq 0 ] && [ -z "$miss" ]; then pass "explain-$name-steps"
    else fail "explain-$name-steps" "exit $(rc "$name"); want each $count times:$miss $(errtxt "$name")"; fi
}
run it --seed 42 --explain it "$EXAMPLE"
steps it 4 "── layer 1 · head" "Query vector" "q = [" "Raw score" "Scale: divide by √d_head = √16" \
    "Softmax: subtract the largest score" "exp(·)" "Σ exp" "Output of the head" "out = ["
if [ "$(grep -cE '^ +[0-9]+ +[^ ]+ +-?[0-9]' "$TMP/it.out")" -eq $((4 * 12)) ]; then pass explain-it-12-keys-per-head
else fail explain-it-12-keys-per-head "$(grep -cE '^ +[0-9]+ +[^ ]+ +-?[0-9]' "$TMP/it.out") key rows, want 48"; fi
run it-idx --seed 42 --explain 7 "$EXAMPLE"
if [ -s "$TMP/it.out" ] && cmp -s "$TMP/it.out" "$TMP/it-idx.out"; then pass explain-token-or-index
else fail explain-token-or-index "--explain it and --explain 7 differ"; fi
run add --explain b --score additive --seed 42 --heads 2 --dim 8 "a b c"
steps add 2 "vᵀ · tanh(W_q·q + W_k·k_j)" "W_q·q = [" "No scaling" "Softmax" "exp(·)" "Output of the head"
run causal-ex --explain b --causal --seed 42 --heads 2 --dim 8 "a b c d"
steps causal-ex 2 "Raw score" "Scale" "Softmax" "Output of the head"
if [ "$(grep -c 'masked (key after the query)' "$TMP/causal-ex.out")" -eq 4 ]; then pass explain-causal-masked-keys
else fail explain-causal-masked-keys "$(grep -c 'masked' "$TMP/causal-ex.out") masked rows, want 2 per head"; fi
run cross-ex --explain cat --source "$SRC" --seed 42 --heads 2 --dim 8 "$TGT"
steps cross-ex 2 "Raw score" "Softmax" "Output of the head" " Katze "
run plain-ex --explain cat --seed 42 --plain --dim 8 "$TGT"
steps plain-ex 1 "no projections" "Raw score" "Softmax" "Output of the head"
run dot-ex --explain cat --score dot --seed 42 --layers 2 --heads 2 --dim 8 "$TGT"
steps dot-ex 4 "Raw score" "Softmax" "Output of the head"
if ! grep -q 'divide by √d_head' "$TMP/dot-ex.out" && [ "$(rc dot-ex)" -eq 0 ]; then pass explain-dot-no-scaling
else fail explain-dot-no-scaling "the dot score divides by √d_head"; fi
run sel-ex --explain cat -l 2 -H 3 --seed 42 --layers 2 "$TGT"
if [ "$(rc sel-ex)" -eq 0 ] && [ "$(grep -c '^── layer' "$TMP/sel-ex.out")" -eq 1 ] &&
   grep -q '^── layer 2 · head 3 ' "$TMP/sel-ex.out"; then pass explain-layer-head-selection
else fail explain-layer-head-selection "$(grep '^── layer' "$TMP/sel-ex.out" | tr '\n' '|')"; fi
run json-ex -f json --explain cat --causal --score additive --seed 42 --heads 2 --dim 8 "$TGT"
if [ "$(rc json-ex)" -eq 0 ] && "$PY" - "$TMP/json-ex.out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
h = d["layers"][0]["heads"]
ok = d["query"] == {"index": 1, "token": "cat"} and d["score"] == "additive" and d["causal"] is True
ok = ok and len(h) == 2 and all(len(x["keys"]) == 6 for x in h)
ok = ok and all(k["masked"] == (k["index"] > 1) and (not k["masked"] or k["weight"] == 0) for x in h for k in x["keys"])
ok = ok and all(abs(sum(k["weight"] for k in x["keys"]) - 1) < 1e-6 for x in h)
sys.exit(0 if ok else 1)
EOF
then pass explain-json-structure; else fail explain-json-structure "$(head -c 200 "$TMP/json-ex.out")"; fi
# -o FILE works for the explanation too, atomically and byte-identical
run ex-o -m "$TINY" --explain cat -o "$TMP/explain.txt" "$S"
if [ "$(rc ex-o)" -eq 0 ] && cmp -s "$TMP/explain.txt" "$GOLDEN/explain-tiny.txt"; then pass explain-output-file
else fail explain-output-file "exit $(rc ex-o): $(errtxt ex-o)"; fi

# ---- determinism
run cross-again -f csv --seed 42 --layers 2 --heads 2 --dim 8 --source "$SRC" "$TGT"
run it-again --seed 42 --explain it "$EXAMPLE"
if [ -s "$TMP/cross.out" ] && cmp -s "$TMP/cross.out" "$TMP/cross-again.out" && cmp -s "$TMP/it.out" "$TMP/it-again.out"
then pass variants-deterministic; else fail variants-deterministic "two runs differ"; fi
