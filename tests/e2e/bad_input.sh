#!/bin/bash
# bad_input.sh — malformed models, options and sentences are refused cleanly.
# san: yes  (also run against the ASan+UBSan build: a leak or UB exits 99)
#
# Every case checks: the exit status (2 = usage / invalid input; 1 = runtime
# I/O failure, only for -o into a missing directory), exactly one stderr line
# starting "attnviz: " that names the file or option (an ERE per case), empty
# stdout, and that `-o DIR/out.csv` left DIR empty (no output, no *.tmp.*).
# The model files are in tests/bad/ (README.md there lists each defect).
. "$(dirname "$0")/lib.sh"
BAD=$ROOT/tests/bad
n=0

# expect NAME CODE ERE ARGS...   ($STDIN_DATA, if set, is fed on stdin)
expect() {
    local name=$1 code=$2 ere=$3; shift 3
    n=$((n + 1))
    local dir=$TMP/case$n why=
    mkdir -p "$dir"
    printf '%s' "${STDIN_DATA-}" >"$TMP/stdin"
    "$ATTNVIZ" -o "$dir/out.csv" "$@" <"$TMP/stdin" >"$TMP/stdout" 2>"$TMP/stderr"
    local rc=$?
    why=$(refusal_why "$rc" "$code" "$dir")
    grep -qE -e "$ere" <<<"$(head -n 1 "$TMP/stderr")" || why+="stderr does not name /$ere/; "
    if [ -z "$why" ]; then
        pass "$name"
    else
        fail "$name" "${why}stderr: $(head -c 300 "$TMP/stderr" | tr '\n' '|')"
    fi
}

# quote a path for use inside an ERE
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'; }

# ---- controls: the base file and the learned table work when used correctly
out=$("$ATTNVIZ" -m "$BAD/valid.json" -f csv "a b zzz" 2>"$TMP/err" </dev/null)
rc=$?
rows=$(printf '%s\n' "$out" | wc -l)
if [ $rc -eq 0 ] && [ "$rows" -eq 19 ]; then pass control-valid-model
else fail control-valid-model "exit $rc, $rows lines (want 1 + 2*3*3): $(head -c 200 "$TMP/err")"; fi
rows=$("$ATTNVIZ" -m "$BAD/learned_short.json" -f csv "a b" 2>"$TMP/err" </dev/null | grep -c .)
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && [ "$rows" -eq 9 ]; then pass control-learned-2-positions
else fail control-learned-2-positions "exit $rc, $rows lines (want 1 + 2*2*2): $(head -c 200 "$TMP/err")"; fi

# ---- model files: exit 2, the message names the file
for f in not_json empty truncated top_level_array version2 version_missing \
         version_string missing_d_model d_model_fraction indivisible_heads \
         d_model_huge n_heads_zero n_layers_negative architecture_unknown \
         unknown_config_key unknown_top_key ragged shape_data_mismatch \
         shape_vs_config shape_negative shape_overflow shape_3d_huge data_string \
         inf_1e999 neg_inf nan_literal float32_overflow vocab_rows unknown_tensor \
         layer_out_of_range missing_tensor bias_wrong_length \
         learned_without_position lowercase_not_bool vocab_not_string \
         duplicate_tensor activations_overflow; do
    expect "model-$f" 2 "$(re "$BAD/$f.json")" -m "$BAD/$f.json" -f csv "a b"
done
expect model-learned-too-short 2 "" -m "$BAD/learned_short.json" -f csv "a b a"
expect model-unk-not-in-vocab 2 "" -m "$BAD/unk_not_in_vocab.json" -f csv "a zzz"
expect model-missing-file 2 "$(re "$TMP/no-such-model.json")" -m "$TMP/no-such-model.json" "a b"
expect model-is-directory 2 "$(re "$BAD")" -m "$BAD" "a b"
expect model-missing-argument 2 "-m|--model" -f csv -m

# ---- sentences
expect sentence-empty 2 "" -f csv ""
expect sentence-whitespace 2 "" -f csv $' \t  '
expect sentence-invalid-utf8 2 "UTF-8|utf-8" -f csv $'abc \xff def'
expect sentence-overlong-utf8 2 "UTF-8|utf-8" -f csv $'a \xc0\xaf b'
STDIN_DATA=$'\xff\n' expect stdin-invalid-utf8 2 "UTF-8|utf-8" -f csv

# ---- options (the head and layer cases count on the seeded model's 1 layer
# of 4 heads)
expect option-unknown-long 2 "bogus" --bogus "a b"
expect option-unknown-short 2 "-x|'x'" -x "a b"
for h in 0 5 1- x 3-1 "" 1,,2 -1 2-9; do
    expect "option-head-'$h'" 2 "--head|-H" --seed 42 -H "$h" -f csv "a b"
done
expect option-head-long-5 2 "--head|-H" --seed 42 --head 5 -f csv "a b"
for l in 0 2 x all,1-; do
    expect "option-layer-'$l'" 2 "--layer|-l" --seed 42 -l "$l" -f csv "a b"
done
# the same on the default model (data/pretrained: 4 layers of 4 heads)
expect option-layer-5-default-model 2 "--layer 5" -l 5 -f csv "a b"
expect option-head-5-default-model 2 "--head 5" -H 5 -f csv "a b"
for s in abc 99999999999999999999999 "" 12abc -1 1e3; do
    expect "option-seed-'$s'" 2 "--seed|-s" --seed "$s" -f csv "a b"
done
expect option-dim-0 2 "--dim" --dim 0 -f csv "a b"
expect option-dim-negative 2 "--dim" --dim -8 -f csv "a b"
expect option-dim-huge 2 "--dim" --dim 99999999999 -f csv "a b"
expect option-heads-3-dim-64 2 "--heads|--dim" --seed 42 --heads 3 --dim 64 -f csv "a b"
expect option-heads-0 2 "--heads" --heads 0 -f csv "a b"
expect option-layers-0 2 "--layers" --layers 0 -f csv "a b"
expect option-layers-huge 2 "--layers" --layers 100000 -f csv "a b"
expect option-format-bogus 2 "-f|--format|bogus" -f bogus "a b"
expect option-format-missing 2 "-f|--format" "a b" -f

# ---- runtime failure (exit 1): the output directory does not exist
n=$((n + 1))
"$ATTNVIZ" -f csv -o "$TMP/no-such-dir/out.csv" "a b" </dev/null >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
why=
[ $rc -eq 1 ] || why+="exit $rc, expected 1; "
[ "$(wc -l <"$TMP/stderr")" -eq 1 ] || why+="stderr has $(wc -l <"$TMP/stderr") lines; "
grep -qE "^attnviz: .*$(re "$TMP/no-such-dir/out.csv")" "$TMP/stderr" || why+="message does not name the file; "
[ -s "$TMP/stdout" ] && why+="stdout not empty; "
[ -e "$TMP/no-such-dir" ] && why+="created the directory; "
if [ -z "$why" ]; then pass output-missing-directory-exit-1
else fail output-missing-directory-exit-1 "${why}stderr: $(head -c 300 "$TMP/stderr")"; fi

# ---- nothing anywhere left a temporary file behind
left=$(find "$TMP" -name '*.tmp.*' | head -n 3)
if [ -z "$left" ]; then pass no-temporary-files; else fail no-temporary-files "$left"; fi
