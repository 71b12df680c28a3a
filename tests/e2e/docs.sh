#!/bin/bash
# Documentation moves with the code: the man page is lint-clean, and every
# option of the getopt table (src/cli/options.c) is in --help and in the man page.
source "$(dirname "$0")/lib.sh"

if command -v mandoc >/dev/null; then
    out=$(mandoc -Tlint "$ROOT/man/attnviz.1" 2>&1)
    if [ -z "$out" ]; then pass man-lint; else fail man-lint "$(head -n 3 <<<"$out" | tr '\n' '|')"; fi
else
    fail man-lint "mandoc is not installed (scripts/deps.sh test installs it)"
fi

help=$("$ATTNVIZ" --help)
[ $? -eq 0 ] && pass help-exit-0 || fail help-exit-0 "--help did not exit 0"
opts=$(grep -oE '^\s*\{"[a-z-]+",' "$ROOT/src/cli/options.c" | grep -oE '[a-z-]+')
[ "$(wc -w <<<"$opts")" -ge 30 ] && pass option-table-read || fail option-table-read "found only: $opts"
for o in $opts; do
    [ "$o" = colour ] && continue # British spelling, an alias documented with --color
    grep -qE -- "--$o\b" <<<"$help" && pass "help-has-$o" || fail "help-has-$o" "--$o missing from --help"
    grep -qE -- "Fl \\\\-$o\b" "$ROOT/man/attnviz.1" && pass "man-has-$o" || fail "man-has-$o" "--$o missing from man/attnviz.1"
done
grep -q 'Fl \\-colour' "$ROOT/man/attnviz.1" && pass man-has-colour || fail man-has-colour "--colour alias undocumented"

# the README shows the two commands of the set-up, and CI runs the second
grep -q '^make demo' "$ROOT/README.md" && pass readme-demo || fail readme-demo "no 'make demo' line"
grep -q '^make check' "$ROOT/README.md" && pass readme-check || fail readme-check "no 'make check' line"
grep -q 'make check' "$ROOT/.ci/run" && pass ci-runs-check || fail ci-runs-check ".ci/run does not run make check"
