#!/bin/bash
# san: yes
# from.sh — --from FILE with malformed input (issue 17): bad .npy files
# (wrong magic, version, header, dtype, shape, truncated, trailing bytes,
# NaN, infinity, out of float32's range, a token count that does not match),
# bad CSV (unknown or missing columns, a missing or repeated cell, a weight
# that is not a number, two sentences, a token that changes its text) and
# bad JSON (not an object, rows of the wrong length, several lines). Each
# must exit 2 with one line on stderr naming the file and the problem, and
# write nothing: also under ASan+UBSan (no crash, no leak, no overflow).
# Then a good file of each kind, which must work under the sanitizers too.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
D=$TMP/files
mkdir -p "$D"

"$PY" - "$D" <<'EOF'
import os, struct, sys
d = sys.argv[1]

def npy(name, header, data=b"", magic=b"\x93NUMPY", version=(1, 0), hlen=None):
    h = header.encode()
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    n = len(h) if hlen is None else hlen
    pre = magic + bytes(version) + (struct.pack("<H", n) if version[0] == 1 else struct.pack("<I", n))
    open(os.path.join(d, name + ".npy"), "wb").write(pre + h + data)

f4 = lambda *v: struct.pack("<%df" % len(v), *v)
ok4 = f4(*([0.25] * 16))   # a 4 x 4 matrix, rows summing to 1
npy("good", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4)
npy("magic", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4, magic=b"\x93NUMPZ")
npy("version", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4, version=(9, 0))
npy("header-len", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4, hlen=60000)
npy("not-dict", "['descr', '<f4']", ok4)
npy("unknown-key", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), 'x': 1}", ok4)
npy("no-shape", "{'descr': '<f4', 'fortran_order': False}", ok4)
npy("twice", "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4)
npy("dtype-int", "{'descr': '<i8', 'fortran_order': False, 'shape': (4, 4), }", ok4 * 2)
npy("dtype-bool", "{'descr': '|b1', 'fortran_order': False, 'shape': (4, 4), }", b"\0" * 16)
npy("dtype-complex", "{'descr': '<c8', 'fortran_order': False, 'shape': (4, 4), }", ok4 * 2)
npy("rank-1", "{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }", ok4)
npy("rank-5", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 4, 4), }", ok4)
npy("not-square", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }", ok4)
npy("zero-size", "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", b"")
npy("scalar", "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f4(1.0))
npy("truncated", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4[:-5])
npy("trailing", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", ok4 + b"\0\0\0\0")
npy("nan", "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", f4(*([0.25] * 9 + [float("nan")] + [0.25] * 6)))
npy("inf", "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4), }",
    struct.pack("<16d", *([0.25] * 15 + [float("inf")])))
npy("f64-range", "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4), }",
    struct.pack("<16d", *([1e300] + [0.25] * 15)))
npy("shape-overflow", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 4, 4), }", ok4)
npy("fortran-bad", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4, 4), }", ok4)
open(os.path.join(d, "short.npy"), "wb").write(b"\x93NUMPY\x01")
open(os.path.join(d, "empty.npy"), "wb").write(b"")

H = "layer,head,query_index,query_token,key_index,key_token,weight\n"
def cells(skip=None, extra="", weight="0.5"):
    rows = []
    for q in range(2):
        for k in range(2):
            if (q, k) != skip:
                rows.append("1,1,%d,%s,%d,%s,%s\n" % (q, "ab"[q], k, "ab"[k], weight if (q, k) == (1, 1) else "0.5"))
    return "".join(rows) + extra
w = lambda name, text: open(os.path.join(d, name), "w").write(text)
w("good.csv", H + cells())
w("unknown-column.csv", H.replace("weight", "weight,score") + "".join(l[:-1] + ",1\n" for l in cells().splitlines(True)))
w("missing-column.csv", H.replace(",weight", "") + "".join(l.rsplit(",", 1)[0] + "\n" for l in cells().splitlines(True)))
w("missing-cell.csv", H + cells(skip=(1, 0)))
w("repeated-cell.csv", H + cells(extra="1,1,0,a,1,b,0.5\n"))
w("weight-word.csv", H + cells(weight="lots"))
w("weight-nan.csv", H + cells(weight="nan"))
w("two-sentences.csv", "sentence," + H + "".join("1," + l for l in cells().splitlines(True)) + "2,1,1,0,a,0,a,0.5\n")
w("token-changes.csv", H + cells(extra="").replace("1,1,1,b,0,a", "1,1,1,c,0,a"))
w("fields.csv", H + cells(extra="1,1,0,a\n"))
w("header-only.csv", H)
w("bad-head.csv", H + cells().replace("1,1,0,a,0", "1,zero,0,a,0"))
w("quote.csv", H + '1,1,0,"a,0,a,0.5\n')
w("good.json", '{"tokens":[{"text":"a"},{"text":"b"}],"layers":[{"layer":1,"heads":[{"head":1,"weights":[[0.5,0.5],[0.5,0.5]]}]}]}\n')
w("array.json", "[1, 2]\n")
w("no-layers.json", '{"tokens":[{"text":"a"},{"text":"b"}]}\n')
w("short-row.json", '{"tokens":[{"text":"a"},{"text":"b"}],"layers":[{"layer":1,"heads":[{"head":1,"weights":[[0.5,0.5],[1]]}]}]}\n')
w("string-weight.json", '{"tokens":[{"text":"a"},{"text":"b"}],"layers":[{"layer":1,"heads":[{"head":1,"weights":[[0.5,"x"],[0.5,0.5]]}]}]}\n')
w("huge-weight.json", '{"tokens":[{"text":"a"},{"text":"b"}],"layers":[{"layer":1,"heads":[{"head":1,"weights":[[0.5,1e39],[0.5,0.5]]}]}]}\n')
w("two-lines.json", open(os.path.join(d, "good.json")).read() * 2)
w("token-not-string.json", '{"tokens":[{"text":1},{"text":"b"}],"layers":[]}\n')
w("not-json.json", '{"tokens": \n')
w("tokens.txt", "a\nb\nc\nd\n")
EOF

# refused NAME PATTERN ARGS...: exit 2, one stderr line "attnviz: ..." matching
# PATTERN (grep -E), nothing on stdout, no output file left
refused() {
    local name=$1 pat=$2; shift 2
    mkdir -p "$TMP/out-$name"
    local why code
    "$ATTNVIZ" "$@" -o "$TMP/out-$name/x.csv" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    code=$?
    why=$(refusal_why $code 2 "$TMP/out-$name")
    grep -qE -- "$pat" "$TMP/stderr" || why+="stderr does not match '$pat'; "
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why $(head -c 250 "$TMP/stderr" | tr '\n' '|')"; fi
}
T=(--tokens "$D/tokens.txt")
refused npy-wrong-magic "magic.npy: not a NumPy .npy file" --from "$D/magic.npy" "${T[@]}"
refused npy-version-9 "version.npy: .npy format version 9.0" --from "$D/version.npy" "${T[@]}"
refused npy-header-longer-than-file "header-len.npy: truncated: the header is 60000 bytes" --from "$D/header-len.npy" "${T[@]}"
refused npy-header-not-a-dict "not-dict.npy: header is not a dict" --from "$D/not-dict.npy" "${T[@]}"
refused npy-unknown-header-key "unknown-key.npy: header key 'x'" --from "$D/unknown-key.npy" "${T[@]}"
refused npy-no-shape "no-shape.npy: header has no 'shape'" --from "$D/no-shape.npy" "${T[@]}"
refused npy-key-twice "twice.npy: header key 'descr' twice" --from "$D/twice.npy" "${T[@]}"
refused npy-dtype-int "dtype-int.npy: dtype '<i8': not a float array" --from "$D/dtype-int.npy" "${T[@]}"
refused npy-dtype-bool "dtype-bool.npy: dtype '\|b1': not a float array" --from "$D/dtype-bool.npy" "${T[@]}"
refused npy-dtype-complex "dtype-complex.npy: dtype '<c8'" --from "$D/dtype-complex.npy" "${T[@]}"
refused npy-shape-rank-1 "rank-1.npy: shape has 1 dimension; want \[layers, heads, q, k\]" --from "$D/rank-1.npy" "${T[@]}"
refused npy-shape-rank-5 "rank-5.npy: shape has 5 dimensions" --from "$D/rank-5.npy" "${T[@]}"
refused npy-not-square "not-square.npy: a 2 × 8 matrix; self-attention is square" --from "$D/not-square.npy" "${T[@]}"
refused npy-size-0 "zero-size.npy: shape has a dimension of size 0" --from "$D/zero-size.npy" "${T[@]}"
refused npy-scalar "scalar.npy: shape \(\): a single number" --from "$D/scalar.npy" "${T[@]}"
refused npy-truncated "truncated.npy: truncated: 59 bytes of data, 64 expected" --from "$D/truncated.npy" "${T[@]}"
refused npy-trailing-bytes "trailing.npy: trailing bytes: 68 bytes of data, 64 expected" --from "$D/trailing.npy" "${T[@]}"
refused npy-nan "nan.npy: NaN at \[2, 1\]" --from "$D/nan.npy" "${T[@]}"
refused npy-infinity "inf.npy: infinity at \[3, 3\]" --from "$D/inf.npy" "${T[@]}"
refused npy-beyond-float32 "f64-range.npy: a value beyond float32's range at \[0, 0\]" --from "$D/f64-range.npy" "${T[@]}"
refused npy-shape-overflow "shape-overflow.npy: shape too large" --from "$D/shape-overflow.npy" "${T[@]}"
refused npy-fortran-order-word "fortran-bad.npy: header: the value of 'fortran_order' is not True or False" --from "$D/fortran-bad.npy" "${T[@]}"
refused npy-short "short.npy: not a NumPy .npy file" --from "$D/short.npy" "${T[@]}"
refused npy-empty "empty.npy: empty" --from "$D/empty.npy" "${T[@]}"
refused npy-token-count "--tokens: 3 tokens, but .*good.npy has 4 queries and keys" --from "$D/good.npy" --tokens "a b c"
refused npy-without-tokens "a .npy array has no tokens; give --tokens FILE" --from "$D/good.npy"
refused npy-tokens-file-missing "--tokens: .*nope.txt: No such file or directory \(give a file" --from "$D/good.npy" --tokens "$D/nope.txt"
refused from-missing-file "nope.csv: No such file or directory" --from "$D/nope.csv"
refused from-with-sentence "--from .*: reads attention computed already, so no SENTENCE" --from "$D/good.csv" "the cat"
refused csv-with-tokens "--tokens: for a .npy array; .*good.csv holds its tokens" --from "$D/good.csv" --tokens "a b"
refused csv-unknown-column "unknown-column.csv:1: unknown column 'score'" --from "$D/unknown-column.csv"
refused csv-missing-column "missing-column.csv:1: no column 'weight'" --from "$D/missing-column.csv"
refused csv-missing-cell "missing-cell.csv: no weight for layer 1, head 1 of the file, query 1, key 0" --from "$D/missing-cell.csv"
refused csv-repeated-cell "repeated-cell.csv:6: a second weight for layer 1, head 1, query 0, key 1" --from "$D/repeated-cell.csv"
refused csv-weight-word "weight-word.csv:5: weight 'lots' is not a finite number" --from "$D/weight-word.csv"
refused csv-weight-nan "weight-nan.csv:5: weight 'nan' is not a finite number" --from "$D/weight-nan.csv"
refused csv-two-sentences "two-sentences.csv:6: a second sentence \(2 after 1\)" --from "$D/two-sentences.csv"
refused csv-token-changes "token-changes.csv:5: query 1 is 'b' here but 'c' before" --from "$D/token-changes.csv"
refused csv-field-count "fields.csv:6: 4 fields, the header has 7" --from "$D/fields.csv"
refused csv-header-only "header-only.csv: a header and no rows" --from "$D/header-only.csv"
refused csv-bad-head "bad-head.csv:2: head 'zero' is not a head number" --from "$D/bad-head.csv"
refused csv-open-quote "quote.csv:2: a quoted field does not end" --from "$D/quote.csv"
refused json-array "array.json: not a JSON object" --from "$D/array.json"
refused json-no-layers "no-layers.json: \"layers\" is not a non-empty array" --from "$D/no-layers.json"
refused json-short-row "short-row.json: layers\[0\].heads\[0\].weights\[1\]: not 2 numbers" --from "$D/short-row.json"
refused json-string-weight "string-weight.json: layers\[0\].heads\[0\].weights\[0\]\[1\]: not a finite float32" --from "$D/string-weight.json"
refused json-beyond-float32 "huge-weight.json: layers\[0\].heads\[0\].weights\[0\]\[1\]: not a finite float32" --from "$D/huge-weight.json"
refused json-two-lines "two-lines.json: more than one JSON object" --from "$D/two-lines.json"
refused json-token-not-string "token-not-string.json: tokens\[0\].text is not a string" --from "$D/token-not-string.json"
refused json-not-json "not-json.json:.*not valid JSON" --from "$D/not-json.json"

# good files work, here under the sanitizers too
for f in good.csv good.json; do
    run "ok-$f" --from "$D/$f" -f csv
    [ "$(rc "ok-$f")" -eq 0 ] && [ "$(wc -l <"$TMP/ok-$f.out")" -eq 5 ] && pass "from-$f" || fail "from-$f" "$(errtxt "ok-$f")"
done
run ok-npy --from "$D/good.npy" "${T[@]}" -f png
[ "$(rc ok-npy)" -eq 0 ] && [ "$(head -c 4 "$TMP/ok-npy.out" | od -An -c | tr -d ' ')" = '211PNG' ] && pass from-good.npy-png ||
    fail from-good.npy-png "$(errtxt ok-npy)"
run ok-svg --from "$D/good.npy" --tokens "w x y z" -f svg
[ "$(rc ok-svg)" -eq 0 ] && grep -q '<svg ' "$TMP/ok-svg.out" && pass from-good.npy-svg || fail from-good.npy-svg "$(errtxt ok-svg)"
run ok-ansi --from "$D/good.json" --color always -f ansi --norm row --log
[ "$(rc ok-ansi)" -eq 0 ] && pass from-good.json-terminal || fail from-good.json-terminal "$(errtxt ok-ansi)"
"$ATTNVIZ" -f csv --seed 2 "a b c" | "$ATTNVIZ" --from - --overview --color never >"$TMP/ov" 2>"$TMP/ov.err"
grep -q "^attention read from standard input (1 layer × 4 heads) · 3 tokens: a b c" "$TMP/ov" && pass from-stdin-overview ||
    fail from-stdin-overview "$(head -c 200 "$TMP/ov" "$TMP/ov.err")"
