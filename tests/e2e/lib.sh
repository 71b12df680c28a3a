# Sourced by the e2e suites. $ATTNVIZ is the binary under test.
# pass NAME / fail NAME WHY print the lines tests/run.sh counts.
set -u
ATTNVIZ=${ATTNVIZ:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/attnviz}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GOLDEN=$ROOT/tests/golden
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
EXAMPLE="The animal didn't cross the street because it was too tired."
export LC_ALL=C.UTF-8
unset NO_COLOR COLORTERM
unset ATTNVIZ_DATA  # the default model is the one beside $ATTNVIZ (data/pretrained)

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
# run NAME ARGS...: runs attnviz with no stdin; stdout, stderr and the exit
# status go to $TMP/NAME.out, .err, .rc; rc NAME and errtxt NAME read them
run() {
    local name=$1; shift
    "$ATTNVIZ" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null
    echo $? >"$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }
errtxt() { head -c 300 "$TMP/$1.err" | tr '\n' '|'; }
# check NAME CMD...: passes when CMD succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "command failed: $*"; fi; }
