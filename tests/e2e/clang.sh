#!/bin/bash
# clang.sh — make CC=clang builds (issue 20: the fuzz harnesses need clang,
# and gcc accepts what clang 14 rejects, such as __builtin_cpu_supports
# ("f16c"), a missing field initializer under -Wextra, or a string
# concatenation in an array initializer): every source file of src/,
# tests/unit/ and tests/fuzz/ through clang's front end (C++ through
# clang++'s) with the project's flags and warnings as errors (make
# clang-syntax).
source "$(dirname "$0")/lib.sh"

if ! command -v clang >/dev/null; then
    fail clang-syntax "clang is not installed (scripts/deps.sh test installs it)"
    exit 0
fi
n=$(ls "$ROOT"/src/*/*.c "$ROOT"/src/*/*/*.c "$ROOT"/src/*/*.cc "$ROOT"/src/*/*/*.cc "$ROOT"/tests/unit/*/test_*.c \
    "$ROOT"/tests/fuzz/*.c 2>/dev/null | wc -l)
if out=$(nice make -s -C "$ROOT" clang-syntax 2>&1); then
    pass "clang-syntax: $n files"
else
    fail clang-syntax "$(grep -m 3 'error' <<<"$out" | tr '\n' '|')"
fi
