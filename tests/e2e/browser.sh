#!/bin/bash
# browser.sh — the -f html page in a real browser (issue 18): runs
# tests/browser/html.js, which drives Debian's Chromium (/usr/bin/chromium,
# installed by scripts/deps.sh test) with playwright-core (tests/npm, in
# build/npm by make check). Prints its PASS/FAIL lines, and INFO lines with
# the file sizes and timings of the size targets.
. "$(dirname "$0")/lib.sh"
if ! command -v node >/dev/null; then
    fail browser "node is not installed (scripts/deps.sh test installs nodejs)"; exit 0
fi
if [ ! -x /usr/bin/chromium ]; then
    fail browser "/usr/bin/chromium is not installed (scripts/deps.sh test installs chromium)"; exit 0
fi
if [ ! -d "${NODE_MODULES:-$ROOT/build/npm/node_modules}/playwright-core" ]; then
    echo "SKIP browser: playwright-core is not in ${NODE_MODULES:-build/npm/node_modules} (npm ci could not reach the registry)"
    exit 0
fi
export NODE_PATH=${NODE_MODULES:-$ROOT/build/npm/node_modules}
ATTNVIZ=$ATTNVIZ timeout 600 node "$ROOT/tests/browser/html.js"
