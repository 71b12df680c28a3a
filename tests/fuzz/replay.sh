#!/bin/bash
# replay.sh NAME — make check's run of one fuzz harness (tests/run.sh calls
# it for every harness, under ASan + UBSan): $SAN_FUZZ_DIR/replay-NAME
# (the harness linked with replay.c by gcc) over every committed input:
#   - each file of tests/fuzz/regressions/NAME/ (a fixed finding), one
#     PASS line each;
#   - the corpus tests/fuzz/corpus/NAME/, one PASS line;
#   - then FUZZ_CHECK_SECONDS (default 8) of replay.c's own mutations of
#     the corpus with the harness's dictionary, from a fixed seed.
# A crash, sanitizer report or violated invariant fails the suite, naming
# the input (a mutated one is saved as build/fuzz/replay-crash-NAME).
set -u
cd "$(dirname "$0")/../.."
. tests/fuzz/harnesses.sh
name=$1
bin=${SAN_FUZZ_DIR:-build-san/fuzz}/replay-$name
if [ ! -x "$bin" ]; then
    echo "FAIL $name: no $bin (make check builds it)"
    exit 1
fi
# a finding aborts, so that replay.c's SIGABRT handler can name the input
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:abort_on_error=1" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:abort_on_error=1"
mkdir -p build/fuzz
dict=build/fuzz/$name.dict
harness_dict "$name" "$dict"
rc=0
if [ -d "tests/fuzz/regressions/$name" ]; then
    "$bin" -each "tests/fuzz/regressions/$name" || rc=1
fi
[ "$rc" -eq 0 ] && { "$bin" -max_len "$(harness_max_len "$name")" -dict "$dict" \
    -mutate "${FUZZ_CHECK_SECONDS:-8}" -save "build/fuzz/replay-crash-$name" \
    "tests/fuzz/corpus/$name" || rc=1; }
exit $rc
