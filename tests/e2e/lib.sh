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
# tokens_of NAME: "text@start:end" of each token of the JSON output of run
# NAME (specials starred)
tokens_of() {
    "${PY:-/usr/bin/python3}" -c 'import json,sys
print(" ".join("%s%s@%d:%d" % ("*" if t.get("special") else "", t["text"], t["start"], t["end"])
               for t in json.load(open(sys.argv[1]))["tokens"]))' "$TMP/$1.out"
}
# expect_tokens NAME WANT: run NAME exited 0 and its tokens_of are WANT
expect_tokens() {
    local got
    got=$(tokens_of "$1" 2>/dev/null)
    [ "$(rc "$1")" -eq 0 ] && [ "$got" = "$2" ] && pass "$1" || fail "$1" "exit $(rc "$1"): got [$got], want [$2] $(errtxt "$1")"
}

# refusal_why RC CODE DIR: what is wrong with a refusal that exited RC, whose
# stdout and stderr are in $TMP/stdout and $TMP/stderr and whose -o pointed
# into DIR: it must exit CODE (not crash: exit >= 128; not a sanitizer report:
# 99), print exactly one stderr line starting "attnviz: ", nothing on stdout,
# and leave DIR empty (no output, no *.tmp.*). Prints the problems, or nothing.
refusal_why() {
    local rc=$1 code=$2 dir=$3 why= lines first
    if [ "$rc" -ge 128 ]; then why+="crashed (exit $rc, signal $((rc - 128))); "
    elif [ "$rc" -eq 99 ]; then why+="sanitizer report (exit 99); "
    elif [ "$rc" -ne "$code" ]; then why+="exit $rc, expected $code; "; fi
    lines=$(wc -l <"$TMP/stderr")
    first=$(head -n 1 "$TMP/stderr")
    [ "$lines" -eq 1 ] && [ "$(tail -c 1 "$TMP/stderr" | od -An -c | tr -d ' ')" = '\n' ] ||
        why+="stderr has $lines lines; "
    case $first in "attnviz: "*) ;; *) why+="stderr does not start with 'attnviz: '; " ;; esac
    [ -s "$TMP/stdout" ] && why+="stdout not empty ($(wc -c <"$TMP/stdout") bytes); "
    [ -z "$(ls -A "$dir")" ] || why+="left files: $(ls -A "$dir" | tr '\n' ' '); "
    printf '%s' "$why"
}
