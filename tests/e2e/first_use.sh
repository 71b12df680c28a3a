#!/bin/bash
# san: yes
# first_use.sh — issue 17, everyday use, from the outside: each problem the
# issue found gets a check that fails if it comes back.
#  - a shape option of the generated model without --seed is an error that
#    points to --layer / --head (was: a silent swap to random weights);
#  - misspelled long options get "did you mean", ambiguous ones their
#    candidates; format and other names in any case; options that do not
#    apply to the chosen format are errors naming both;
#  - -f png / -f svg to a file on standard output write the image; several
#    images to standard output are refused; a terminal is refused (script);
#  - long inputs: the error names --truncate and --window; --truncate keeps
#    the first N tokens (the final [SEP] last) with a note in every view;
#    --window N --stride S covers the text in windows;
#  - standard input: a failing line is reported with its line number, the
#    others are shown, exit 2; the sentence column is the line number;
#  - tokens as typed: any case, the label the₇, @N, ambiguity listed;
#  - JSON carries the input text.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}

# refused NAME CODE PATTERN ARGS...: exit CODE, one stderr line matching
# PATTERN (grep -E), nothing on stdout
refused() {
    local name=$1 code=$2 pat=$3; shift 3
    run "$name" "$@"
    local n; n=$(wc -l <"$TMP/$name.err")
    if [ "$(rc "$name")" -eq "$code" ] && [ "$n" -eq 1 ] && [ ! -s "$TMP/$name.out" ] &&
       grep -qE -- "$pat" "$TMP/$name.err"; then pass "$name"
    else fail "$name" "exit $(rc "$name"), $n stderr lines, $(wc -c <"$TMP/$name.out") stdout bytes: $(errtxt "$name")"; fi
}

# ---- options that say what they do
refused layers-without-seed 2 "--layers: shapes the generated model.*--seed.*--layer \(-l\)" --layers 3 -q it "$EXAMPLE"
refused heads-without-seed 2 "--heads: .*--head \(-H\)" --heads 2 "$EXAMPLE"
refused dim-without-seed 2 "--dim: .*--seed N" --dim 32 "$EXAMPLE"
refused plain-without-seed 2 "--plain: .*--seed N" --plain "$EXAMPLE"
run layers-with-seed -f csv --seed 1 --layers 2 "a b"
[ "$(rc layers-with-seed)" -eq 0 ] && [ "$(cut -d, -f1 "$TMP/layers-with-seed.out" | sort -u | tr '\n' ' ')" = "1 2 layer " ] &&
    pass layers-with-seed-two-layers || fail layers-with-seed-two-layers "$(errtxt layers-with-seed)"
refused did-you-mean-layer 2 "unknown option '--layr'; did you mean --layer\?" --layr 3 "$EXAMPLE"
refused did-you-mean-layers 2 "did you mean --layers\?" --seed 1 --layres 3 "$EXAMPLE"
refused did-you-mean-color 2 "did you mean --color\?" --colr never "$EXAMPLE"
refused did-you-mean-grid 2 "did you mean --grid\?" --gird "$EXAMPLE"
refused did-you-mean-with-value 2 "'--layr'; did you mean --layer\?" --layr=3 "$EXAMPLE"
refused ambiguous-lay 2 "'--lay' is ambiguous: --layers, --layer-norm, --layer" --lay 3 "$EXAMPLE"
refused no-value-for-flag 2 "'--values' takes no value" --values=3 "$EXAMPLE"
refused unknown-far 2 "^attnviz: unknown option '--xyzzy' \(see" --xyzzy "$EXAMPLE"
run fmt-upper -f CSV "$EXAMPLE"
[ "$(rc fmt-upper)" -eq 0 ] && head -n 1 "$TMP/fmt-upper.out" | grep -q '^layer,head' && pass format-case-insensitive ||
    fail format-case-insensitive "$(errtxt fmt-upper)"
run png-upper -f PNG -l 1 -H 1 -o "$TMP/upper.png" "$EXAMPLE"
[ "$(rc png-upper)" -eq 0 ] && [ "$(head -c 4 "$TMP/upper.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
    pass format-PNG || fail format-PNG "$(errtxt png-upper)"
run cmap-upper -f ansi --color always --colormap Magma --norm HEAD -l 1 -H 1 "$EXAMPLE"
[ "$(rc cmap-upper)" -eq 0 ] && pass colormap-and-norm-any-case || fail colormap-and-norm-any-case "$(errtxt cmap-upper)"
refused grid-in-terminal 2 "--grid: applies to figures, not to -f ansi" -f ansi --grid "$EXAMPLE"
refused title-in-terminal 2 "--title: applies to figures and the page, not to -f ansi" -f ansi --title T "$EXAMPLE"
refused cell-with-csv 2 "--cell: applies to figures, not to -f csv" -f csv --cell 12 "$EXAMPLE"
refused values-with-csv 2 "--values: applies to the terminal heatmaps, not to -f csv" -f csv --values "$EXAMPLE"
refused query-with-png 2 "--query: applies to the focus view of the terminal and the page, not to -f png" -f png -q it -o "$TMP/q.png" "$EXAMPLE"
refused colormap-with-json 2 "--colormap: applies to the terminal, figures and the page, not to -f json" -f json --colormap magma "$EXAMPLE"
refused grid-with-auto-csv 2 "--grid: applies to figures, not to -f csv" --grid "$EXAMPLE"
refused top-without-query 2 "--top: .* it goes with -q TOKEN" --top 3 "$EXAMPLE"
refused values-with-query 2 "--values: .*the focus view \(-q\) prints them already" --values -q it "$EXAMPLE"
refused overview-and-query 2 "--overview and --query: choose one" --overview -q it "$EXAMPLE"
refused tokens-without-from 2 "--tokens: names the tokens of --from" --tokens "a b" "$EXAMPLE"
refused from-with-model 2 "--seed: runs a model, but --from" --from x.csv --seed 1

# ---- figures to standard output
"$ATTNVIZ" -f png -l 3 -H 1 "$EXAMPLE" >"$TMP/stdout.png" 2>"$TMP/stdout.err"; r1=$?
"$ATTNVIZ" -f png -l 3 -H 1 -o "$TMP/o.png" "$EXAMPLE" 2>/dev/null
if [ $r1 -eq 0 ] && [ ! -s "$TMP/stdout.err" ] && [ -s "$TMP/stdout.png" ] &&
   "$PY" -c 'import sys; from PIL import Image; import numpy as np; a, b = (np.asarray(Image.open(p)) for p in sys.argv[1:]); sys.exit(0 if a.shape == b.shape and (a == b).all() else 1)' "$TMP/stdout.png" "$TMP/o.png"
then pass png-to-redirected-stdout; else fail png-to-redirected-stdout "exit $r1: $(head -c 200 "$TMP/stdout.err")"; fi
"$ATTNVIZ" -f svg --grid "$EXAMPLE" >"$TMP/stdout.svg" 2>"$TMP/stdout.err"; r1=$?
[ $r1 -eq 0 ] && grep -q '^<svg ' "$TMP/stdout.svg" && xmllint --noout "$TMP/stdout.svg" 2>/dev/null &&
    pass svg-grid-to-redirected-stdout || fail svg-grid-to-redirected-stdout "exit $r1: $(head -c 200 "$TMP/stdout.err")"
"$ATTNVIZ" -f png "$EXAMPLE" >"$TMP/many.png" 2>"$TMP/many.err"; r1=$?
[ $r1 -eq 2 ] && [ ! -s "$TMP/many.png" ] && grep -q "standard output: 16 images, but a file holds one; choose a head (-l L -H H), add --grid" "$TMP/many.err" &&
    pass several-images-to-stdout-refused || fail several-images-to-stdout-refused "exit $r1: $(head -c 200 "$TMP/many.err")"
if command -v script >/dev/null; then
    out=$(script -qec "$ATTNVIZ -f png -l 1 -H 1 'the cat'" /dev/null 2>&1)
    grep -q "f png: standard output is a terminal; give -o FILE.png" <<<"$out" &&
        pass png-to-terminal-refused || fail png-to-terminal-refused "$(head -c 200 <<<"$out")"
else
    echo "SKIP png-to-terminal-refused: script(1) not installed"
fi

# ---- long inputs
"$PY" -c "
import random
random.seed(1)
w = 'the animal did not cross the street because it was too tired and the dog barked at the cat while birds sang'.split()
print(' '.join(random.choice(w) for _ in range(300)))" >"$TMP/long.txt"
LONG=$(cat "$TMP/long.txt")
refused long-input-says-what-to-do 2 "SENTENCE: 333 tokens, but the model's learned positions stop at 128; keep the first 128 with --truncate 128, or show overlapping windows with --window 128 --stride 64" -f csv "$LONG"
refused truncate-over-positions 2 "--truncate 200: the model's learned positions stop at 128" -f csv --truncate 200 "$LONG"
refused stride-over-window 2 "--stride 90: longer than --window 64" -f csv --window 64 --stride 90 "$LONG"
refused truncate-and-window 2 "--truncate and --window: choose one" --truncate 10 --window 20 "$LONG"
run trunc -f json --truncate 128 "$LONG"
"$PY" - "$TMP/trunc.out" "$TMP/long.txt" <<'EOF' && pass truncate-json-first-128-sep-last || fail truncate-json-first-128-sep-last "see above"
import json, sys
d = json.load(open(sys.argv[1]))
t = [x["text"] for x in d["tokens"]]
ok = len(t) == 128 and t[0] == "[CLS]" and t[-1] == "[SEP]" and d["tokens_total"] == 333 and \
     len(d["layers"][0]["heads"][0]["weights"]) == 128 and d["text"] == open(sys.argv[2]).read().strip()
print("# tokens", len(t), t[0], t[-1], d.get("tokens_total"))
sys.exit(0 if ok else 1)
EOF
grep -q "note: truncated: the first 128 of 333 tokens (--truncate)" "$TMP/trunc.err" &&
    fail truncate-json-no-stderr-note "JSON carries it; stderr should not" || pass truncate-json-no-stderr-note
run trunc-csv -f csv --truncate 128 "$LONG"
[ "$(rc trunc-csv)" -eq 0 ] && [ "$(wc -l <"$TMP/trunc-csv.out")" -eq $((16 * 128 * 128 + 1)) ] &&
    grep -q "^attnviz: note: truncated: the first 128 of 333 tokens (--truncate)$" "$TMP/trunc-csv.err" &&
    pass truncate-csv-rows-and-note || fail truncate-csv-rows-and-note "$(wc -l <"$TMP/trunc-csv.out") rows: $(errtxt trunc-csv)"
run trunc-ansi -f ansi --color never -l 1 -H 1 --truncate 20 "$LONG"
[ "$(rc trunc-ansi)" -eq 0 ] && head -n 1 "$TMP/trunc-ansi.out" | grep -q "^note: truncated: the first 20 of 333 tokens" &&
    pass truncate-terminal-note || fail truncate-terminal-note "$(head -n 1 "$TMP/trunc-ansi.out")"
run trunc-svg -f svg -l 1 -H 1 --truncate 20 "$LONG"
grep -q 'class="note".*truncated: the first 20 of 333 tokens' "$TMP/trunc-svg.out" && pass truncate-svg-caption ||
    fail truncate-svg-caption "no note text in the SVG"
run trunc-png -f png -l 1 -H 1 --truncate 20 "$LONG"
"$PY" -c 'import sys; from PIL import Image; sys.exit(0 if "truncated: the first 20 of 333" in Image.open(sys.argv[1]).text.get("attnviz:note", "") else 1)' "$TMP/trunc-png.out" &&
    pass truncate-png-note || fail truncate-png-note "no attnviz:note chunk"
run win -f csv -l 1 -H 1 --window 128 --stride 64 "$LONG"
"$PY" - "$TMP/win.out" <<'EOF' && pass window-csv-covers-the-text || fail window-csv-covers-the-text "see above"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
wins = sorted({int(r["window"]) for r in rows})
per = {w: max(int(r["query_index"]) for r in rows if int(r["window"]) == w) + 1 for w in wins}
print("# windows", wins, per)
sys.exit(0 if wins == [1, 2, 3, 4, 5] and set(per.values()) == {128} and list(rows[0])[0] == "window" else 1)
EOF
grep -q "note: 333 tokens in 5 windows of 128 tokens" "$TMP/win.err" && pass window-csv-note || fail window-csv-note "$(errtxt win)"
run winj -f json -l 1 -H 1 --window 128 --stride 64 "$LONG"
"$PY" - "$TMP/winj.out" <<'EOF' && pass window-json-starts-and-last-ends-at-the-end || fail window-json-starts-and-last-ends-at-the-end "see above"
import json, sys
ws = [json.loads(l)["window"] for l in open(sys.argv[1])]
print("#", ws)
sys.exit(0 if [w["start"] for w in ws] == [1, 65, 129, 193, 206] and ws[-1]["end"] == 332 and
         all(w["count"] == 5 for w in ws) else 1)
EOF

# ---- standard input: a failing line does not stop the batch
printf 'the cat sat\n\n%s\nthe dog barked\n' "$LONG" | "$ATTNVIZ" -f csv -l 1 -H 1 >"$TMP/batch.csv" 2>"$TMP/batch.err"; brc=$?
sentences=$(tail -n +2 "$TMP/batch.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')
if [ $brc -eq 2 ] && [ "$sentences" = "1 4 " ] && [ "$(wc -l <"$TMP/batch.err")" -eq 2 ] &&
   grep -q "^attnviz: standard input, line 3: 333 tokens, but the model's learned positions stop at 128; keep" "$TMP/batch.err" &&
   grep -q "^attnviz: standard input: 1 of 3 sentences failed (line 3); the others were shown$" "$TMP/batch.err"
then pass stdin-batch-goes-past-a-failing-line; else fail stdin-batch-goes-past-a-failing-line "exit $brc, sentences '$sentences': $(head -c 300 "$TMP/batch.err" | tr '\n' '|')"; fi
printf '\xff\nbad \xfe\n' | "$ATTNVIZ" -f csv -o "$TMP/allbad.csv" >/dev/null 2>"$TMP/allbad.err"; arc=$?
[ $arc -eq 2 ] && [ ! -e "$TMP/allbad.csv" ] && grep -q "2 of 2 sentences failed (lines 1, 2)$" "$TMP/allbad.err" &&
    pass stdin-all-lines-fail-no-file || fail stdin-all-lines-fail-no-file "exit $arc: $(head -c 300 "$TMP/allbad.err" | tr '\n' '|')"
printf 'a\nb\n\nc\n' | "$ATTNVIZ" -f csv -o "$TMP/lines.csv" 2>/dev/null
[ "$(tail -n +2 "$TMP/lines.csv" | cut -d, -f1 | sort -u | tr '\n' ' ')" = "1 2 4 " ] &&
    pass stdin-sentence-column-is-the-line-number || fail stdin-sentence-column-is-the-line-number "$(cut -d, -f1 "$TMP/lines.csv" | sort -u | tr '\n' ' ')"
echo "the cat" | "$ATTNVIZ" -f csv >"$TMP/one.csv" 2>/dev/null
head -n 1 "$TMP/one.csv" | grep -q '^sentence,layer,head' && [ "$(sed -n 2p "$TMP/one.csv" | cut -d, -f1)" = 1 ] &&
    pass stdin-one-line-has-the-sentence-column || fail stdin-one-line-has-the-sentence-column "$(head -n 2 "$TMP/one.csv" | tr '\n' '|')"
"$ATTNVIZ" -f csv "the cat" | head -n 1 | grep -q '^layer,head' && pass argument-has-no-sentence-column ||
    fail argument-has-no-sentence-column "header has a sentence column"

# ---- JSON carries the input text
run jtext -f json -l 1 -H 1 "$EXAMPLE"
"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["text"] == sys.argv[2] else 1)' "$TMP/jtext.out" "$EXAMPLE" &&
    pass json-has-the-text || fail json-has-the-text "$(head -c 100 "$TMP/jtext.out")"

# ---- tokens as people type them
for q in it IT @10 10 the₇ @7 Cross; do
    run "q-$q" --color never -q "$q" -l 3 -H 1 --top 1 "$EXAMPLE"
    if [ "$(rc "q-$q")" -eq 0 ] && head -n 1 "$TMP/q-$q.out" | grep -qE 'focus: query "(it|the₇|cross)"'
    then pass "query-as-typed-$q"; else fail "query-as-typed-$q" "$(errtxt "q-$q")"; fi
done
refused query-ambiguous-lists-choices 2 "--query 'the': 2 tokens match: the₁ \(@1\), the₇ \(@7\)" --color never -q the "$EXAMPLE"
refused query-index-out-of-range 2 "--query '@99': no token 99 \(16 tokens, @0 to @15\)" --color never -q @99 "$EXAMPLE"
refused query-unknown-lists-tokens 2 "no such token in the sentence \(tokens: 0:\[CLS\] 1:the₁" --color never -q zebra "$EXAMPLE"
run explain-label --explain the₇ -f json -l 1 -H 1 "$EXAMPLE"
[ "$(rc explain-label)" -eq 0 ] && pass explain-takes-the-label || fail explain-takes-the-label "$(errtxt explain-label)"

# ---- a word wider than the screen: --overview's "Next:" hint wraps it whole
# (it was cut at byte 255, inside a character: invalid UTF-8 and a -q that
# named no token; found by the sentence fuzz harness)
long=$("$PY" -c 'print("é" * 140)')
run long-word --seed 42 --overview --width 80 --color never "$long cat"
if [ "$(rc long-word)" -eq 0 ] && "$PY" -c '
import re, sys
out = open(sys.argv[1], "rb").read().decode("utf-8")  # fails on invalid UTF-8
hint = " ".join(out[out.index("Next:"):].split())
q = re.search(r" -q (\S+) what ", hint)
sys.exit(0 if q and q.group(1) in (sys.argv[2], "cat") else 1)' "$TMP/long-word.out" "$long"
then pass overview-hint-keeps-a-long-word-whole; else fail overview-hint-keeps-a-long-word-whole "$(tail -c 300 "$TMP/long-word.out" | tr '\n' '|')"; fi
