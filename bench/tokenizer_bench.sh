#!/bin/bash
# bench/tokenizer_bench.sh — builds bench/tokenizer_bench.c against the
# objects of `make` (build/<folder>/*.o) and runs it: load and encode times of the
# subword tokenizers on the reference vocabularies. Timings only.
#   bench/tokenizer_bench.sh [REFERENCE_DIR]   (default ../shared/reference)
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -j2 all
MA=$(cc -print-multiarch)
BLAS=/usr/lib/$MA/openblas-serial
# shellcheck disable=SC2046
cc -O2 -std=c11 -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L -Isrc \
    $(pkg-config --cflags libcjson libutf8proc) bench/tokenizer_bench.c \
    $(find build -name '*.o' ! -path 'build/cli/main.o' ! -path 'build/tests/*' ! -path 'build/npm/*' | sort) \
    $(pkg-config --libs libcjson libpng freetype2 fontconfig libutf8proc libpcre2-8) \
    -L"$BLAS" -Wl,-rpath,"$BLAS" -lopenblas -lm -pthread -o build/tokenizer_bench
build/tokenizer_bench "${1:-../shared/reference}"
