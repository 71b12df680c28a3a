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

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
# check NAME CMD...: passes when CMD succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "command failed: $*"; fi; }
