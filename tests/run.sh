#!/bin/bash
# The test runner: runs every suite, counts its PASS/FAIL/SKIP lines, and ends
# with "N passed, N failed" (", N skipped" when some were skipped).
#
#   unit:    every executable in $UNIT_DIR/<folder>/ (C unit tests,
#            tests/unit/<folder>/test_*.c, one folder per folder of src/)
#   e2e:     tests/e2e/*.sh, with $ATTNVIZ the binary under test
#   python:  tests/py/*.py under Debian's /usr/bin/python3 (torch, numpy, PIL)
#   san:     when $SAN_ATTNVIZ is set, the unit tests in $SAN_UNIT_DIR and the
#            e2e suites whose first 10 lines contain "san: yes", under ASan+UBSan;
#            with $SAN_FUZZ_DIR too, each fuzz harness over its corpus
#            (tests/fuzz/replay.sh)
#
# A suite prints one line per check: "PASS name", "FAIL name: why" or
# "SKIP name: why". A suite that exits non-zero, or prints no PASS and no
# FAIL line, counts as one more failure. VERBOSE=1 shows every line.
set -u
cd "$(dirname "$0")/.."
export ATTNVIZ="${ATTNVIZ:-./attnviz}"
ATTNVIZ=$(readlink -f "$ATTNVIZ")
export ATTNVIZ
export PY=/usr/bin/python3
export REFERENCE_DIR="${REFERENCE_DIR:-$(pwd)/../shared/reference}"
export LC_ALL=C.UTF-8
# tests/npm's packages, installed by scripts/deps.sh test (make check)
export NODE_MODULES="${NODE_MODULES:-$(pwd)/build/npm/node_modules}"
export NODE_PATH="$NODE_MODULES"
unset NO_COLOR COLORTERM
passed=0 failed=0 skipped=0

run_suite() { # name, command...
    local name=$1; shift
    local out rc p f s
    out=$("$@" 2>&1); rc=$?
    p=$(grep -c '^PASS ' <<<"$out"); f=$(grep -c '^FAIL ' <<<"$out"); s=$(grep -c '^SKIP ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; out+=$'\n'"FAIL $name: exited with status $rc"
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        f=1; out+=$'\n'"FAIL $name: ran no check"
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    printf '%-40s %4d passed %3d failed %3d skipped\n' "$name" "$p" "$f" "$s"
    if [ "${VERBOSE:-0}" = 1 ]; then
        printf '%s\n' "$out" | sed 's/^/    /'
    else
        grep -E '^(FAIL|SKIP) ' <<<"$out" | sed 's/^/    /'
        if [ "$f" -gt 0 ]; then  # show the context of a failure
            grep -vE '^(PASS|FAIL|SKIP) ' <<<"$out" | tail -n 20 | sed 's/^/    | /'
        fi
    fi
}

unit_tests() { # the test executables under $1, sorted
    find "$1" -type f -name 'test_*' ! -name '*.d' -perm -u+x 2>/dev/null | sort
}
for t in $(unit_tests "${UNIT_DIR:-build/tests}"); do
    run_suite "unit/${t#"${UNIT_DIR:-build/tests}"/}" "$t"
done
for t in tests/e2e/*.sh; do
    [ "$(basename "$t")" = lib.sh ] && continue
    [ -f "$t" ] && run_suite "e2e/$(basename "$t" .sh)" bash "$t"
done
for t in tests/py/test_*.py; do
    [ -f "$t" ] && run_suite "py/$(basename "$t" .py)" "$PY" "$t"
done
if [ -n "${SAN_ATTNVIZ:-}" ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99:allocator_may_return_null=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
    for t in $(unit_tests "${SAN_UNIT_DIR:-build-san/tests}"); do
        run_suite "san/unit/${t#"${SAN_UNIT_DIR:-build-san/tests}"/}" "$t"
    done
    for t in tests/e2e/*.sh; do
        if head -n 10 "$t" | grep -q "san: yes"; then
            ATTNVIZ=$(readlink -f "$SAN_ATTNVIZ") run_suite "san/e2e/$(basename "$t" .sh)" bash "$t"
        fi
    done
    # the fuzz harnesses over their corpora and regressions (tests/fuzz/replay.sh)
    if [ -n "${SAN_FUZZ_DIR:-}" ]; then
        for t in tests/fuzz/fuzz_*.c; do
            n=${t#tests/fuzz/fuzz_}
            run_suite "san/fuzz/${n%.c}" bash tests/fuzz/replay.sh "${n%.c}"
        done
    fi
fi

echo
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
