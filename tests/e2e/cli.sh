#!/bin/bash
# san: yes
# cli.sh — the command-line contract of issue 2 (the foundation): the example
# sentence as CSV (shape, tokens, row sums, determinism, golden bytes), stdin
# mode, -o, --help/--version, JSON output, --layer/--head selection,
# --save-model round trip, --lowercase, CSV quoting. These checks run the
# generated model, --seed 42 (1 layer, 4 heads, the words tokenizer), which
# tests/golden/example.csv was made with.
# Then the default model (issue 10): no -m and no --seed loads data/pretrained
# (beside the binary, in $ATTNVIZ_DATA, or installed under share/attnviz).
# tests/golden/example.csv is checked independently against PyTorch by
# tests/py/test_torch_parity.py (golden-example-torch); see tests/golden/example.md.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
TOKENS="The|animal|didn't|cross|the|street|because|it|was|too|tired|."


# csvinfo FILE: prints "rows layers heads n tokens(|-joined) maxrowsumerr" or ERROR ...
csvinfo() {
    "$PY" - "$1" <<'EOF'
import csv, sys
from collections import defaultdict
H = "layer,head,query_index,query_token,key_index,key_token,weight"
data = open(sys.argv[1], "rb").read().decode("utf-8")
if not data.startswith(H + "\n"):
    print("ERROR header %r" % data[:70]); sys.exit()
rows = list(csv.reader(data[len(H) + 1:].splitlines()))
sums = defaultdict(float); toks = {}
for r in rows:
    if len(r) != 7:
        print("ERROR row %r" % r); sys.exit()
    sums[(r[0], r[1], r[2])] += float(r[6])
    toks[int(r[4])] = r[5]
    toks.setdefault(int(r[2]), r[3])
err = max(abs(s - 1) for s in sums.values()) if sums else 9
print(len(rows), len({r[0] for r in rows}), len({r[1] for r in rows}), len(toks),
      "|".join(toks[i] for i in sorted(toks)), "%.3g" % err)
EOF
}

# ---- the example sentence (acceptance of issue 2), on the seeded model
run ex -f csv --seed 42 "$EXAMPLE"
info=$(csvinfo "$TMP/ex.out")
read -r rows nl nh ntok toks sumerr <<<"$info"
if [ "$(rc ex)" -eq 0 ] && [ ! -s "$TMP/ex.err" ]; then pass example-exit-0
else fail example-exit-0 "exit $(rc ex): $(errtxt ex)"; fi
if [ "$(head -n 1 "$TMP/ex.out")" = "layer,head,query_index,query_token,key_index,key_token,weight" ]
then pass example-header; else fail example-header "$(head -n 1 "$TMP/ex.out" | head -c 100)"; fi
if [ "$rows" = 576 ] && [ "$nl" = 1 ] && [ "$nh" = 4 ] && [ "$ntok" = 12 ] &&
   [ "$(wc -l <"$TMP/ex.out")" -eq 577 ]; then pass example-576-rows
else fail example-576-rows "$info; $(wc -l <"$TMP/ex.out") lines"; fi
if [ "$toks" = "$TOKENS" ]; then pass example-tokens; else fail example-tokens "got $toks"; fi
if "$PY" -c "import sys; sys.exit(0 if float('$sumerr') <= 1e-6 else 1)" 2>/dev/null
then pass example-rows-sum-to-1; else fail example-rows-sum-to-1 "max |sum-1| = $sumerr"; fi
# weights are printed with %.9g: every weight field has at most 9 significant digits
if [ "$(wc -l <"$TMP/ex.out")" -gt 1 ] && awk -F, 'NR>1 { w=$NF; sub(/e.*/, "", w); gsub(/[-.]/, "", w); sub(/^0+/, "", w);
                   if (length(w) > 9) bad=1 } END { exit bad }' "$TMP/ex.out"
then pass example-9-significant-digits; else fail example-9-significant-digits "a weight has > 9 digits"; fi
run ex2 -f csv --seed 42 "$EXAMPLE"
if [ -s "$TMP/ex.out" ] && [ "$(rc ex2)" -eq 0 ] && cmp -s "$TMP/ex.out" "$TMP/ex2.out"; then pass example-deterministic
else fail example-deterministic "two runs differ"; fi
run exms -f csv -m seeded "$EXAMPLE"
if [ -s "$TMP/ex.out" ] && [ "$(rc exms)" -eq 0 ] && cmp -s "$TMP/ex.out" "$TMP/exms.out"; then pass example-m-seeded-is-seed-42
else fail example-m-seeded-is-seed-42 "exit $(rc exms), -m seeded differs from --seed 42: $(errtxt exms)"; fi
run ex43 -f csv --seed 43 "$EXAMPLE"
if [ "$(rc ex43)" -eq 0 ] && [ "$(wc -l <"$TMP/ex43.out")" -eq 577 ] && ! cmp -s "$TMP/ex.out" "$TMP/ex43.out"
then pass example-seed-43-differs; else fail example-seed-43-differs "exit $(rc ex43), same bytes or wrong size"; fi
if [ -f "$GOLDEN/example.csv" ] && cmp -s "$TMP/ex.out" "$GOLDEN/example.csv"; then pass example-golden
else fail example-golden "differs from tests/golden/example.csv: $(cmp "$TMP/ex.out" "$GOLDEN/example.csv" 2>&1 | head -c 200)"; fi

# ---- default format: csv when stdout is not a terminal
run default --seed 42 "$EXAMPLE"
if [ -s "$TMP/ex.out" ] && [ "$(rc default)" -eq 0 ] && cmp -s "$TMP/ex.out" "$TMP/default.out"; then pass default-format-csv-when-piped
else fail default-format-csv-when-piped "exit $(rc default), output differs from -f csv: $(head -c 80 "$TMP/default.out")"; fi

# ---- --lowercase
run low -f csv --seed 42 --lowercase "$EXAMPLE"
read -r lrows _ _ _ ltoks _ <<<"$(csvinfo "$TMP/low.out")"
if [ "$(rc low)" -eq 0 ] && [ "$lrows" = 576 ] &&
   [ "$ltoks" = "the|animal|didn't|cross|the|street|because|it|was|too|tired|." ]
then pass lowercase-tokens; else fail lowercase-tokens "exit $(rc low), $lrows rows, tokens $ltoks"; fi
# The(0) and the(4) share an embedding once folded: the weights change
if ! cmp -s <(sed '1!s/,The,/,the,/g' "$TMP/ex.out") "$TMP/low.out"
then pass lowercase-changes-embedding; else fail lowercase-changes-embedding "same weights as case-preserved"; fi

# ---- stdin: one sentence per line
printf 'The cat sat.\nA dog barked loudly!\n' | "$ATTNVIZ" --seed 42 -f csv >"$TMP/stdin.out" 2>"$TMP/stdin.err"
src=$?
# several sentences add a leading "sentence" column: find key_token by name
stoks=$("$PY" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(" ".join(sorted({x["key_token"] for x in r})))' "$TMP/stdin.out" 2>&1)
missing=
for t in The cat sat . A dog barked loudly '!'; do
    [[ " $stoks " == *" $t "* ]] || missing+="$t "
done
if [ $src -eq 0 ] && [ -z "$missing" ]; then pass stdin-two-sentences
else fail stdin-two-sentences "exit $src, missing tokens: $missing; got: $stoks $(head -c 200 "$TMP/stdin.err")"; fi
# each sentence is computed on its own: the first sentence's rows are those of a single run
run cat -f csv --seed 42 "The cat sat."
ncat=$(($(wc -l <"$TMP/cat.out") - 1))
if [ "$ncat" -gt 0 ] && [ "$(grep -cF -f <(tail -n +2 "$TMP/cat.out") "$TMP/stdin.out")" -ge "$ncat" ]
then pass stdin-sentences-independent
else fail stdin-sentences-independent "the rows of 'The cat sat.' alone are not all in the stdin output"; fi

# ---- -o FILE: same bytes as stdout, atomic, no temporary left
mkdir -p "$TMP/o"
run o -f csv --seed 42 -o "$TMP/o/out.csv" "$EXAMPLE"
if [ "$(rc o)" -eq 0 ] && [ ! -s "$TMP/o.out" ] && cmp -s "$TMP/o/out.csv" "$TMP/ex.out"
then pass output-file-same-bytes; else fail output-file-same-bytes "exit $(rc o), stdout $(wc -c <"$TMP/o.out") bytes: $(errtxt o)"; fi
if [ "$(ls -A "$TMP/o")" = out.csv ]; then pass output-file-no-temp
else fail output-file-no-temp "directory holds: $(ls -A "$TMP/o" | tr '\n' ' ')"; fi
run o2 -f csv --output "$TMP/o/out.csv" --seed 43 "$EXAMPLE"
if [ "$(rc o2)" -eq 0 ] && cmp -s "$TMP/o/out.csv" "$TMP/ex43.out" && [ "$(ls -A "$TMP/o")" = out.csv ]
then pass output-file-replaced; else fail output-file-replaced "exit $(rc o2): $(errtxt o2)"; fi
run odash -f csv --seed 42 -o - "$EXAMPLE"
if [ -s "$TMP/ex.out" ] && [ "$(rc odash)" -eq 0 ] && cmp -s "$TMP/odash.out" "$TMP/ex.out"; then pass output-dash-is-stdout
else fail output-dash-is-stdout "exit $(rc odash): $(errtxt odash)"; fi

# ---- --help, --version
for h in --help -h; do
    run help "$h"
    if [ "$(rc help)" -eq 0 ] && [ ! -s "$TMP/help.err" ] && grep -qi 'usage' "$TMP/help.out" &&
       grep -q -- '--model' "$TMP/help.out" && grep -q -- '--format' "$TMP/help.out"
    then pass "help-$h"; else fail "help-$h" "exit $(rc help), stdout $(wc -c <"$TMP/help.out") bytes: $(errtxt help)"; fi
done
for v in --version -V; do
    run ver "$v"
    if [ "$(rc ver)" -eq 0 ] && [ ! -s "$TMP/ver.err" ] && grep -qE '^attnviz [0-9]+\.[0-9]+\.[0-9]+' "$TMP/ver.out"
    then pass "version-$v"; else fail "version-$v" "exit $(rc ver): $(head -c 100 "$TMP/ver.out" | tr '\n' '|')"; fi
done

# ---- -f json: valid JSON with tokens and nested weights equal to the CSV
run json -f json --seed 42 "$EXAMPLE"
jres=$("$PY" - "$TMP/json.out" "$TMP/ex.out" <<'EOF' 2>&1
import csv, json, sys
doc = json.load(open(sys.argv[1]))
toks = [t if isinstance(t, str) else t.get("text") for t in doc["tokens"]]
rows = list(csv.reader(open(sys.argv[2])))[1:]
w = {(int(r[0]), int(r[1]), int(r[2]), int(r[4])): float(r[6]) for r in rows}
n, worst, cells = len(toks), 0.0, 0
assert [l["layer"] for l in doc["layers"]] == [1], "layers"
for l in doc["layers"]:
    assert [h["head"] for h in l["heads"]] == [1, 2, 3, 4], "heads"
    for h in l["heads"]:
        m = h["weights"]
        assert len(m) == n and all(len(r) == n for r in m), "matrix not %dx%d" % (n, n)
        for q in range(n):
            for k in range(n):
                worst = max(worst, abs(m[q][k] - w[(l["layer"], h["head"], q, k)]))
                cells += 1
print("ok" if worst <= 1e-7 and cells == 576 else "bad", "|".join(toks), cells, "%.3g" % worst)
EOF
)
jres=$(tail -n 1 <<<"$jres")
if [ "$(rc json)" -eq 0 ] && [[ $jres == "ok $TOKENS 576 "* ]]
then pass json-nested-weights; else fail json-nested-weights "exit $(rc json): $jres $(errtxt json)"; fi

# ---- --layer / --head selection (rows are exactly those of the full table)
sel() { # NAME EXPECTED-LAYERS EXPECTED-HEADS FULL-FILE ARGS...
    local name=$1 wl=$2 wh=$3 full=$4; shift 4
    run "$name" -f csv "$@"
    local got_l got_h extra
    got_l=$(tail -n +2 "$TMP/$name.out" | cut -d, -f1 | sort -un | tr '\n' ',')
    got_h=$(tail -n +2 "$TMP/$name.out" | cut -d, -f2 | sort -un | tr '\n' ',')
    extra=$(tail -n +2 "$TMP/$name.out" | grep -vxF -f "$full" | head -n 1)
    local want_rows
    want_rows=$(awk -F, -v L=",$wl" -v H=",$wh" 'NR>1 && index(L, ","$1",") && index(H, ","$2",")' "$full" | wc -l)
    if [ "$(rc "$name")" -eq 0 ] && [ "$got_l" = "$wl" ] && [ "$got_h" = "$wh" ] && [ -z "$extra" ] &&
       [ "$(($(wc -l <"$TMP/$name.out") - 1))" -eq "$want_rows" ] && [ "$want_rows" -gt 0 ]
    then pass "select-$name"
    else fail "select-$name" "exit $(rc "$name"), layers $got_l heads $got_h (want $wl / $wh), $want_rows rows wanted, foreign row: $extra $(errtxt "$name")"; fi
}
sel H24 1, 2,4, "$TMP/ex.out" --seed 42 -H 2,4 "$EXAMPLE"
sel H2-3 1, 2,3, "$TMP/ex.out" --seed 42 --head 2-3 "$EXAMPLE"
sel Hall 1, 1,2,3,4, "$TMP/ex.out" --seed 42 -H all "$EXAMPLE"
sel l1H4 1, 4, "$TMP/ex.out" --seed 42 -l 1 -H 4 "$EXAMPLE"
run deep -f csv --seed 42 --layers 3 --heads 8 --dim 32 -l all -H all "$EXAMPLE"
read -r drows dnl dnh dntok _ dsum <<<"$(csvinfo "$TMP/deep.out")"
if [ "$(rc deep)" -eq 0 ] && [ "$drows" = $((3 * 8 * 144)) ] && [ "$dntok" = 12 ] && [ "$dnl" = 3 ] && [ "$dnh" = 8 ] &&
   "$PY" -c "import sys; sys.exit(0 if float('$dsum') <= 1e-6 else 1)"
then pass shape-options-3-layers-8-heads-dim-32
else fail shape-options-3-layers-8-heads-dim-32 "exit $(rc deep): $drows rows, $dnl layers, $dnh heads, sum err $dsum $(errtxt deep)"; fi
sel l13H1-2,8 1,3, 1,2,8, "$TMP/deep.out" --seed 42 --layers 3 --heads 8 --dim 32 --layer 1,3 -H 1-2,8 "$EXAMPLE"

# ---- --save-model: the saved file loads back to byte-identical output
for shape in "--seed 42" "--seed 7 --layers 2 --heads 2 --dim 16"; do
    tag=${shape// /}; tag=${tag#--}
    # shellcheck disable=SC2086
    run save $shape --save-model "$TMP/m.json" -f csv "$EXAMPLE"
    # shellcheck disable=SC2086
    run seeded $shape -f csv -l all -H all "$EXAMPLE"
    run loaded -m "$TMP/m.json" -f csv -l all -H all "$EXAMPLE"
    if [ "$(rc save)" -eq 0 ] && [ -s "$TMP/m.json" ] && [ "$(rc loaded)" -eq 0 ] &&
       [ -s "$TMP/seeded.out" ] && cmp -s "$TMP/seeded.out" "$TMP/loaded.out"
    then pass "save-model-roundtrip-$tag"
    else fail "save-model-roundtrip-$tag" "exit $(rc save)/$(rc loaded): $(errtxt save) $(errtxt loaded)"; fi
    if "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['attnviz_model']==1 and 'config' in d and 'tensors' in d else 1)" "$TMP/m.json" 2>/dev/null
    then pass "save-model-is-v1-json-$tag"; else fail "save-model-is-v1-json-$tag" "$(head -c 100 "$TMP/m.json" 2>/dev/null)"; fi
    # saving again gives the same bytes, and no temporary is left beside it
    # shellcheck disable=SC2086
    run save2 $shape --save-model "$TMP/m2.json" -f csv "$EXAMPLE"
    if [ -s "$TMP/m.json" ] && cmp -s "$TMP/m.json" "$TMP/m2.json" && [ -z "$(find "$TMP" -name '*.tmp.*')" ]
    then pass "save-model-deterministic-$tag"; else fail "save-model-deterministic-$tag" "differs or temp left"; fi
done

# ---- RFC 4180 quoting: tokens , and " are quoted, quotes doubled
run quote -f csv --seed 42 -H 1 'He said, "hi"'
qres=$("$PY" - "$TMP/quote.out" <<'EOF'
import csv, sys
raw = open(sys.argv[1], newline="").read()
rows = list(csv.reader(raw.splitlines()))[1:]
keys = [r[5] for r in rows if r[2] == "0"]
ok = keys == ["He", "said", ",", '"', "hi", '"'] and '0,He,2,",",' in raw and ',5,"""",' in raw
print("ok" if ok else "bad %r" % keys)
EOF
)
if [ "$(rc quote)" -eq 0 ] && [ "$qres" = ok ]; then pass csv-rfc4180-quoting
else fail csv-rfc4180-quoting "exit $(rc quote): $qres $(errtxt quote)"; fi
if ! grep -q $'\r' "$TMP/ex.out" && [ "$(tail -c 1 "$TMP/ex.out" | od -An -c | tr -d ' ')" = '\n' ]
then pass csv-lf-line-ends; else fail csv-lf-line-ends "CR found or no final newline"; fi

# ---- the default model (issue 10): data/pretrained, a small BERT
# errline NAME CODE ERE: exit CODE, nothing on stdout, and exactly one stderr
# line "attnviz: ..." matching ERE
errline() {
    local n
    n=$(wc -l <"$TMP/$1.err")
    if [ "$(rc "$1")" -eq "$2" ] && [ ! -s "$TMP/$1.out" ] && [ "$n" -eq 1 ] &&
       grep -q '^attnviz: ' "$TMP/$1.err" && grep -qE -- "$3" "$TMP/$1.err"
    then pass "$1"
    else fail "$1" "exit $(rc "$1") (want $2), $n stderr line(s), $(wc -c <"$TMP/$1.out") stdout bytes, want /$3/: $(errtxt "$1")"; fi
}
# pretrained_json FILE WANT-DIR: the JSON output comes from the BERT in WANT-DIR
pretrained_json() {
    "$PY" - "$1" "$2" <<'PYEOF'
import json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = sys.argv[2]
cfg = json.load(open(os.path.join(want, "config.json")))
m, toks = doc["model"], [t["text"] for t in doc["tokens"]]
why = []
if not m["source"].rstrip("/").endswith("/pretrained") or os.path.realpath(m["source"]) != os.path.realpath(want):
    why.append("source %r, want %r" % (m["source"], want))
if m["architecture"] != "bert":
    why.append("architecture %r" % m["architecture"])
if (m["n_layers"], m["n_heads"]) != (cfg["num_hidden_layers"], cfg["num_attention_heads"]):
    why.append("%d layers x %d heads, config.json says %d x %d" % (
        m["n_layers"], m["n_heads"], cfg["num_hidden_layers"], cfg["num_attention_heads"]))
if len(toks) < 3 or toks[0] != "[CLS]" or toks[-1] != "[SEP]":
    why.append("tokens %r" % toks)
shown = [(l["layer"], [h["head"] for h in l["heads"]]) for l in doc["layers"]]
heads = list(range(1, cfg["num_attention_heads"] + 1))
if shown != [(i, heads) for i in range(1, cfg["num_hidden_layers"] + 1)]:
    why.append("layers and heads shown %r" % shown)
print("; ".join(why) or "ok")
PYEOF
}
run def -f json "$EXAMPLE"
res=$(pretrained_json "$TMP/def.out" "$ROOT/data/pretrained" 2>&1 | tail -n 1)
if [ "$(rc def)" -eq 0 ] && [ "$res" = ok ]; then pass default-model-is-data-pretrained
else fail default-model-is-data-pretrained "exit $(rc def): $res $(errtxt def)"; fi
# the default is data/pretrained exactly: the same bytes as -m data/pretrained,
# and not the seeded model
run defcsv -f csv "$EXAMPLE"
run mpre -f csv -m "$ROOT/data/pretrained" "$EXAMPLE"
if [ "$(rc defcsv)" -eq 0 ] && [ -s "$TMP/defcsv.out" ] && cmp -s "$TMP/defcsv.out" "$TMP/mpre.out" &&
   ! cmp -s "$TMP/defcsv.out" "$TMP/ex.out"
then pass default-equals-m-data-pretrained
else fail default-equals-m-data-pretrained "exit $(rc defcsv)/$(rc mpre), default and -m data/pretrained differ or equal --seed 42: $(errtxt defcsv)"; fi
# --seed chooses the generated model: with -m it is a usage error
run seed-with-model-exit-2 --seed 3 -m "$ROOT/data/pretrained" "$EXAMPLE"
errline seed-with-model-exit-2 2 "--seed"
# what the seeded model has and a BERT's own tokenizer or a weight file cannot
run lowercase-with-default-exit-2 -f csv --lowercase "$EXAMPLE"
errline lowercase-with-default-exit-2 2 "--lowercase"
run save-model-default-exit-2 --save-model "$TMP/pre.json" "$EXAMPLE"
errline save-model-default-exit-2 2 "--save-model"
if [ ! -e "$TMP/pre.json" ] && [ -z "$(find "$TMP" -maxdepth 1 -name 'pre.json*')" ]; then pass save-model-default-no-file
else fail save-model-default-no-file "left: $(find "$TMP" -maxdepth 1 -name 'pre.json*' | tr '\n' ' ')"; fi

# ---- where the default model is found: $ATTNVIZ_DATA, beside the binary, installed
ATTNVIZ_DATA=/nonexistent run data-env-missing-exit-1 "a"
errline data-env-missing-exit-1 1 "ATTNVIZ_DATA=/nonexistent"
ATTNVIZ_DATA=/nonexistent run data-env-seeded -f csv --seed 42 "$EXAMPLE"
if [ "$(rc data-env-seeded)" -eq 0 ] && cmp -s "$TMP/data-env-seeded.out" "$TMP/ex.out"
then pass data-env-missing-seeded-still-works
else fail data-env-missing-seeded-still-works "exit $(rc data-env-seeded): $(errtxt data-env-seeded)"; fi
ATTNVIZ_DATA=$ROOT/data run data-env-root -f csv "$EXAMPLE"
if [ "$(rc data-env-root)" -eq 0 ] && [ -s "$TMP/defcsv.out" ] && cmp -s "$TMP/data-env-root.out" "$TMP/defcsv.out"
then pass data-env-names-the-model-directory
else fail data-env-names-the-model-directory "ATTNVIZ_DATA=data: exit $(rc data-env-root), output differs from the default: $(errtxt data-env-root)"; fi
# a binary alone, with no model near it: one line that says what to do
# (unless the compiled-in share/attnviz of a real installation has one)
mkdir -p "$TMP/lone" && cp "$ATTNVIZ" "$TMP/lone/attnviz"
lone=default-model-not-installed-exit-1
(cd "$TMP/lone" && env -u ATTNVIZ_DATA ./attnviz "a" >"$TMP/$lone.out" 2>"$TMP/$lone.err" </dev/null
 echo $? >"$TMP/$lone.rc")
if [ "$(rc $lone)" -eq 0 ]; then
    echo "SKIP $lone: a copy alone found a model in the compiled-in directory"
else
    errline $lone 1 "pretrained.*--seed"
fi
# make install copies data/pretrained to share/attnviz/pretrained and the
# SentencePiece module to lib/attnviz, and the installed binary finds the
# model from any directory
inst=$TMP/p
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ROOT" -o "$ATTNVIZ" install PREFIX="$inst" DESTDIR= \
    BIN="$ATTNVIZ" >"$TMP/install.log" 2>&1
irc=$?
if [ $irc -eq 0 ] && [ -x "$inst/bin/attnviz" ] && [ -f "$inst/share/man/man1/attnviz.1" ] &&
   [ -f "$inst/share/attnviz/pretrained/config.json" ] && [ -f "$inst/share/attnviz/pretrained/model.safetensors" ] &&
   [ -f "$inst/lib/attnviz/attnviz-spm.so" ]
then pass install-copies-binary-man-and-model
else fail install-copies-binary-man-and-model "make install exit $irc: $(head -c 300 "$TMP/install.log" | tr '\n' '|') $(cd "$inst" 2>/dev/null && find . | tr '\n' ' ')"; fi
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && env -u ATTNVIZ_DATA "$inst/bin/attnviz" -f json "$EXAMPLE" >"$TMP/inst.out" 2>"$TMP/inst.err" </dev/null
 echo $? >"$TMP/inst.rc")
res=$(pretrained_json "$TMP/inst.out" "$inst/share/attnviz/pretrained" 2>&1 | tail -n 1)
if [ "$(rc inst)" -eq 0 ] && [ "$res" = ok ]; then pass installed-finds-share-attnviz-pretrained
else fail installed-finds-share-attnviz-pretrained "exit $(rc inst): $res $(errtxt inst)"; fi
(cd "$TMP/elsewhere" && env -u ATTNVIZ_DATA "$inst/bin/attnviz" -f csv "$EXAMPLE" >"$TMP/instcsv.out" 2>"$TMP/instcsv.err" </dev/null
 echo $? >"$TMP/instcsv.rc")
if [ "$(rc instcsv)" -eq 0 ] && [ -s "$TMP/defcsv.out" ] && cmp -s "$TMP/instcsv.out" "$TMP/defcsv.out"
then pass installed-same-weights-as-source-tree
else fail installed-same-weights-as-source-tree "exit $(rc instcsv), the installed model's CSV differs from data/pretrained's: $(errtxt instcsv)"; fi
