#!/bin/bash
# firefox.sh — the -f html page in Firefox too (issue 18), in Debian's
# firefox-esr (scripts/deps.sh test installs it):
# tests/browser/firefox.js drives it over WebDriver BiDi (every view from
# file://, no console error or request, the tooltip's weight, a deflated
# page, hostile text); here, with JavaScript turned off in the profile, a
# screenshot shows the static page and no view. Chromium's suite
# (browser.sh) tests the behaviour in detail.
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
if ! command -v firefox-esr >/dev/null; then
    echo "FAIL firefox: firefox-esr is not installed (scripts/deps.sh test installs it)"
    exit 1
fi
# node's WebSocket: global from node 22, behind a flag in node 20
ws=
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null || ws=--experimental-websocket
ATTNVIZ=$ATTNVIZ timeout 600 node $ws --no-warnings "$ROOT/tests/browser/firefox.js"
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

shot no-js "file://$TMP/ex.html" no-js
got=$(look "$TMP/no-js.png" 2>&1)
if [ -s "$TMP/no-js.png" ] && grep -q '^TAB none LINES 0 ' <<<"$got"; then pass "firefox-without-javascript: $got"
else fail firefox-without-javascript "$got"; fi

