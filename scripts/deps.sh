#!/bin/sh
# Installs the Debian packages attnviz needs, only those that are missing.
#   scripts/deps.sh build   compiler, pkg-config and the libraries
#   scripts/deps.sh test    the above plus what the test suite uses
#   scripts/deps.sh train   what scripts/train_demo.py needs (torch, WordNet's text)
# Needs root or sudo when something is missing; does nothing otherwise.
set -eu

build="build-essential pkg-config libcjson-dev libpng-dev libopenblas-serial-dev
libfreetype-dev libfontconfig-dev fonts-dejavu-core libutf8proc-dev"
test="python3 python3-torch python3-numpy python3-matplotlib python3-pil
mandoc tmux libxml2-utils time hyperfine fonts-dejavu-extra"
train="python3 python3-torch python3-numpy wordnet-base"

want=$build
[ "${1:-build}" = test ] && want="$build $test"
[ "${1:-build}" = train ] && want="$train"

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "attnviz: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
