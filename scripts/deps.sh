#!/bin/sh
# Installs the Debian packages attnviz needs, only those that are missing.
#   scripts/deps.sh build   compiler, pkg-config and the libraries
#   scripts/deps.sh test    the above plus what the test suite uses, and the
#                           npm packages of tests/npm/package.json (npm ci into
#                           build/npm/, again only when the lock file changed)
#   scripts/deps.sh train   what scripts/train_demo.py and train_dates.py need (torch, WordNet's text)
#   scripts/deps.sh fuzz    the build list plus clang and its libFuzzer runtime
#                           (make fuzz; make check replays the corpora with gcc)
# Needs root or sudo when something is missing; does nothing otherwise.
set -eu

build="build-essential pkg-config libcjson-dev libpng-dev zlib1g-dev libopenblas-pthread-dev
libfreetype-dev libfontconfig-dev fonts-dejavu-core libutf8proc-dev libpcre2-dev libsentencepiece-dev"
test="python3 python3-torch python3-numpy python3-matplotlib python3-pil librsvg2-bin
mandoc tmux libxml2-utils time hyperfine fonts-dejavu-extra python3-sentencepiece sentencepiece chromium firefox-esr clang"
train="python3 python3-torch python3-numpy wordnet-base"
fuzz="clang libclang-rt-dev"

want=$build
[ "${1:-build}" = test ] && want="$build $test"
[ "${1:-build}" = train ] && want="$train"
[ "${1:-build}" = fuzz ] && want="$build $fuzz"

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js and npm, for the test references only: Debian's, unless some
# other install already put npm on the PATH.
if [ "${1:-build}" = test ] && ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi

if [ -n "$missing" ]; then
    echo "attnviz: installing Debian packages:$missing" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The npm packages the tests compare against, pinned by tests/npm's lock
# file, installed into build/npm/node_modules (never into the tree). A
# failure here is not fatal: the suites that need them say SKIP with the
# reason (npm could not reach the registry).
if [ "${1:-build}" = test ]; then
    cd "$(dirname "$0")/.."
    dst=build/npm
    if ! cmp -s tests/npm/package-lock.json "$dst/package-lock.json" 2>/dev/null ||
       [ ! -d "$dst/node_modules" ]; then
        echo "attnviz: installing the tests' npm packages into $dst (npm ci)" >&2
        mkdir -p "$dst"
        cp tests/npm/package.json tests/npm/package-lock.json "$dst/"
        if ! (cd "$dst" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
            rm -f "$dst/package-lock.json"
            echo "attnviz: npm ci failed; the suites that need its packages will SKIP" >&2
        fi
    fi
fi
