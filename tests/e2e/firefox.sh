#!/bin/bash
# firefox.sh — the -f html page opens from file:// in Firefox too (issue 18):
# Debian's firefox-esr, headless, takes a screenshot of each view (chosen by
# the address's fragment, #view=…) and the pixels show that the page's script
# ran and drew it: the chosen view's tab in the accent colour, the lines of
# the head view in the heads' colours, the model view's thumbnails and the
# matrix view's heatmap in viridis; with JavaScript off, no view at all; a
# page of hostile token text still draws (no alert stops it). The behaviour
# in detail is tested in Chromium (browser.sh); Firefox here is a smoke test,
# run when firefox-esr is installed (it is not in scripts/deps.sh: 300 MB).
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
if ! command -v firefox-esr >/dev/null; then
    echo "SKIP firefox: firefox-esr is not installed (optional: apt-get install firefox-esr)"
    exit 0
fi
cd "$TMP" || exit 1
"$ATTNVIZ" -f html -o ex.html "$EXAMPLE" || { fail firefox-page "attnviz failed"; exit 0; }

# shot NAME URL [no-js]: a 1100 x 1000 screenshot into NAME.png, in a fresh profile
shot() {
    rm -rf "prof-$1"
    mkdir "prof-$1"
    [ "${3:-}" = no-js ] && echo 'user_pref("javascript.enabled", false);' >"prof-$1/user.js"
    HOME=$TMP timeout 120 firefox-esr --headless --no-remote --profile "$TMP/prof-$1" --window-size=1100,1000 \
        --screenshot "$TMP/$1.png" "$2" >"$1.log" 2>&1
}

# look PNG: "TAB x0-x1 LINES n THUMBS n YELLOW n" — where the accent colour
# is in the bar of tabs, and how many pixels of head colours, viridis purple
# and viridis yellow the rest holds
look() {
    "$PY" - "$1" <<'EOF'
import sys
import numpy as np
from PIL import Image
a = np.asarray(Image.open(sys.argv[1]).convert("RGB")).astype(int)
near = lambda c, tol=14: (np.abs(a - np.array(c)).max(axis=2) <= tol)
accent = near((26, 95, 208), 10)
top = accent[60:200]  # the bar of tabs, below a title of one or two lines
xs = np.nonzero(top.any(axis=0))[0]
heads = sum(int(near(c, 40)[200:].sum()) for c in [(78, 121, 167), (242, 142, 43), (225, 87, 89), (118, 183, 178)])
print("TAB", f"{xs.min()}-{xs.max()}" if len(xs) else "none", "LINES", heads,
      "PURPLE", int(near((68, 1, 84), 20)[200:].sum()), "YELLOW", int(near((253, 231, 37), 30)[200:].sum()))
EOF
}

check_view() { # PAGE NAME FRAGMENT X0 X1 WHAT MIN
    local page=$1; shift
    shot "$1" "file://$TMP/$page#$2"
    local got tab n
    got=$(look "$TMP/$1.png" 2>&1)
    tab=$(awk '{print $2}' <<<"$got")
    n=$(awk -v k="$5" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$got")
    if [ -s "$TMP/$1.png" ] && [ "${tab%-*}" != none ] && [ "${tab%-*}" -ge "$3" ] && [ "${tab#*-}" -le "$4" ] &&
       [ "${n:-0}" -ge "$6" ]; then
        pass "firefox-$1: $got"
    else
        fail "firefox-$1" "$got (want the tab within x $3-$4 and $5 >= $6); $(tail -c 200 "$1.log" | tr '\n' '|')"
    fi
}
check_view ex.html head-view "view=head&layer=3" 20 140 LINES 500
check_view ex.html model-view "view=model" 125 240 PURPLE 20000
check_view ex.html matrix-view "view=matrix&layer=3&head=1&query=10" 225 345 YELLOW 2000
# a page past 262,144 weights: deflated 16-bit weights, inflated by the browser
words=$(for i in $(seq 256); do printf 'w%d ' $((i % 37)); done)
"$ATTNVIZ" --seed 1 --layers 2 -f html -o big.html "$words"
check_view big.html deflated-page-matrix "view=matrix&layer=2&head=3" 225 345 PURPLE 50000

shot no-js "file://$TMP/ex.html" no-js
got=$(look "$TMP/no-js.png" 2>&1)
if [ -s "$TMP/no-js.png" ] && grep -q '^TAB none LINES 0 ' <<<"$got"; then pass "firefox-without-javascript: $got"
else fail firefox-without-javascript "$got"; fi

evil=$'</script><script>alert(1)</script> <img src=x onerror=alert(2)> "q\'uo" \xe2\x80\xae bidi \x01 end'
"$ATTNVIZ" --seed 42 -f html -o evil.html "$evil"
shot evil "file://$TMP/evil.html#view=head"
got=$(look "$TMP/evil.png" 2>&1)
if [ -s "$TMP/evil.png" ] && [ "$(awk '{print $4}' <<<"$got")" -ge 200 ]; then pass "firefox-hostile-text-page-draws: $got"
else fail firefox-hostile-text-page-draws "$got; $(tail -c 200 evil.log | tr '\n' '|')"; fi
