#!/bin/bash
# minimize.sh [NAME...] — the committed corpus of each harness (all, or the
# NAMEs given) becomes the smallest set of inputs, from it and from what
# make fuzz found (build/fuzz/corpus/NAME/), that reaches the same coverage
# (libFuzzer's -merge=1; file names are the inputs' SHA-1). Needs make
# fuzz's binaries (build-fuzz/fuzz/). Review and commit the result.
set -u
cd "$(dirname "$0")/../.."
. tests/fuzz/harnesses.sh
harness_names "$@"
harness_tmp attnviz-fuzz || exit 1
trap 'rm -rf "$tmp"' EXIT
export ATTNVIZ_FUZZ_TMP=$tmp
for name in "${names[@]}"; do
    new=$tmp/new-$name
    mkdir -p "$new" "build/fuzz/corpus/$name"
    if ! nice -n "${FUZZ_NICE:-10}" "build-fuzz/fuzz/fuzz-$name" -merge=1 -max_len="$(harness_max_len "$name")" \
        -timeout="${FUZZ_TIMEOUT:-25}" "$new" "tests/fuzz/corpus/$name" "build/fuzz/corpus/$name" \
        >"$tmp/$name.log" 2>&1; then
        echo "minimize.sh: $name: the merge failed; see below" >&2
        tail -n 20 "$tmp/$name.log" >&2
        exit 1
    fi
    before=$(ls "tests/fuzz/corpus/$name" | wc -l)
    rm -rf "tests/fuzz/corpus/$name"
    mv "$new" "tests/fuzz/corpus/$name"
    echo "$name: $before inputs before, $(ls "tests/fuzz/corpus/$name" | wc -l) now" \
        "($(du -sh "tests/fuzz/corpus/$name" | cut -f1))"
done
