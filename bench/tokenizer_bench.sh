#!/bin/bash
# bench/tokenizer_bench.sh — step 5 of bench/run.sh alone: builds
# build/tokenizer_bench (bench/tokenizer_bench.c) and times it against
# Hugging Face's tokenizers npm binding with bench/bench_tokenizer.py
# (arguments are passed on: --tokenizers qwen3,gemma3 --load-reps 5 ...).
# Timings only.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -j2 all build/tokenizer_bench
exec /usr/bin/python3 bench/bench_tokenizer.py "$@"
