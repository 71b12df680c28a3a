#!/bin/bash
# bench/run.sh — what `make bench` runs (after `make all`): attnviz measured
# side by side with PyTorch on this machine, in one run. See bench/README.md.
#
#   1. attention  bench/bench_attention.py: n = 16 … 4096, d_model 768, 12 heads,
#                 attnviz vs torch.nn.MultiheadAttention on the same weights,
#                 with the SGEMM ceiling of this machine measured in the same
#                 run the way attnviz computes (build/bench/sgemm, built here
#                 from bench/sgemm.c: serial OpenBLAS in each of nproc threads
#                 at once; one thread and torch.mm's threaded BLAS beside it)
#   2. e2e        bench/bench_e2e.py: the example sentence, whole process,
#                 attnviz ansi/csv/png vs bench/python_equivalent.py
#   3. scale      n = 8192 one head to CSV under /usr/bin/time -v (peak RSS
#                 against the n² floats + weights floor), CSV throughput at
#                 n = 2048, all 12 heads, to a file and to /dev/null
#   4. hf         bench/bench_hf.py: BERT-base and GPT-2-small-sized random
#                 checkpoints in the Hugging Face layout (12 layers, d 768, F32
#                 safetensors) at 128 and 512 tokens, `attnviz -m DIR` vs the
#                 transformers forward pass in PyTorch, medians of interleaved
#                 runs, % of the all-core SGEMM ceiling, peak RSS
#   5. tokenizer  bench/bench_tokenizer.py: loading Qwen3's 11 MB tokenizer.json
#                 and tokenizing a 10,000-token text, build/tokenizer_bench
#                 (bench/tokenizer_bench.c) vs Hugging Face's tokenizers npm
#                 binding (bench/tokenizer_bench.js), wall clock and CPU time
#   6. llama      bench/bench_llama.py: a decoder of TinyLlama's shape (22 layers,
#                 d 2048, 32/4 heads, BF16, 2.2 GB, kept in build/bench/) at 128
#                 and 512 tokens and --generate 32, attnviz vs a PyTorch Llama
#                 forward pass and greedy loop with a KV cache, whole process,
#                 peak RSS against the file size
#
# Everything printed is also kept in build/bench/bench-<date>.txt. Big files
# go under $BENCH_TMP (default /tmp) and are removed at the end.
# Knobs: BENCH_SIZES=16,256,1024,2048,4096  BENCH_REPS=7  BENCH_SCALE_N=8192
#        BENCH_CSV_N=2048  BENCH_E2E_RUNS=200  BENCH_PY_RUNS=10
#        BENCH_HF_SIZES=128,512  BENCH_HF_REPS=5  BENCH_HF_LAYERS=12  BENCH_HF_ARCHS=bert,gpt2
#        BENCH_TOK=qwen3 (comma list: also llama2 llama3 gemma3 deepseek_v3 gptoss)
#        BENCH_TOK_REPS=5 (loads; encodes: 4 times as many)
#        BENCH_LLAMA_SIZES=128,512  BENCH_LLAMA_REPS=3  BENCH_LLAMA_LAYERS=22  BENCH_LLAMA_GENERATE=32
#        BENCH_BEFORE=PATH (an older attnviz beside this one: before/after in one run)
#        BENCH_QUICK=1 (small sizes, few runs: checks the scripts in ~1 minute)
# Exit status: 0, or 1 when a step fails (or attnviz's weights differ from
# torch's by more than 1e-5; 1e-4 from the float64 reference for the Hugging
# Face model). No timing is a pass/fail condition.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=/usr/bin/python3
ATTNVIZ=$ROOT/attnviz
OUT=$ROOT/build/bench
# BENCH_BEFORE=PATH: an older attnviz binary, timed in the same loops as
# this one (e2e, hf, llama), for a before/after table from one run
BEFORE_ARGS=()
if [ -n "${BENCH_BEFORE:-}" ]; then
    [ -x "$BENCH_BEFORE" ] || { echo "bench: BENCH_BEFORE=$BENCH_BEFORE is not an executable" >&2; exit 2; }
    BEFORE_ARGS=(--before "$(cd "$(dirname "$BENCH_BEFORE")" && pwd)/$(basename "$BENCH_BEFORE")")
fi
BLAS_DIR=${BLAS_DIR:-/usr/lib/$(cc -print-multiarch)/openblas-pthread} # as the Makefile
mkdir -p "$OUT"
LOG=$OUT/bench-$(date -u +%Y%m%d-%H%M%S).txt

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    : "${BENCH_SIZES:=16,256}" "${BENCH_REPS:=3}" "${BENCH_SCALE_N:=1024}" "${BENCH_CSV_N:=512}"
    : "${BENCH_E2E_RUNS:=30}" "${BENCH_PY_RUNS:=2}"
    : "${BENCH_HF_SIZES:=32,128}" "${BENCH_HF_REPS:=2}" "${BENCH_HF_LAYERS:=2}" "${BENCH_TOK_REPS:=2}"
    : "${BENCH_LLAMA_SIZES:=32,64}" "${BENCH_LLAMA_REPS:=1}" "${BENCH_LLAMA_LAYERS:=2}" "${BENCH_LLAMA_GENERATE:=8}"
fi
SIZES=${BENCH_SIZES:-16,256,1024,2048,4096}
REPS=${BENCH_REPS:-7}
SCALE_N=${BENCH_SCALE_N:-8192}
CSV_N=${BENCH_CSV_N:-2048}
E2E_RUNS=${BENCH_E2E_RUNS:-200}
PY_RUNS=${BENCH_PY_RUNS:-10}
HF_SIZES=${BENCH_HF_SIZES:-128,512}
HF_REPS=${BENCH_HF_REPS:-5}
HF_LAYERS=${BENCH_HF_LAYERS:-12}
HF_ARCHS=${BENCH_HF_ARCHS:-bert,gpt2}
TOK=${BENCH_TOK:-qwen3}
TOK_REPS=${BENCH_TOK_REPS:-5}
LLAMA_SIZES=${BENCH_LLAMA_SIZES:-128,512}
LLAMA_REPS=${BENCH_LLAMA_REPS:-3}
LLAMA_LAYERS=${BENCH_LLAMA_LAYERS:-22}
LLAMA_GENERATE=${BENCH_LLAMA_GENERATE:-32}
BTMP=$(mktemp -d "${BENCH_TMP:-/tmp}/attnviz-bench.XXXXXX")
trap 'rm -rf "$BTMP"' EXIT

# "w0 w1 … w{n-1}": n distinct words, n tokens.
words() { seq -f 'w%.0f' 0 $(($1 - 1)) | tr '\n' ' '; }

# field NAME FILE: the value after "NAME: " in /usr/bin/time -v output.
field() { sed -n "s/^[[:space:]]*$1: //p" "$2"; }

# attnviz's --time line from FILE, as "compute render write total" in ms.
times_of() {
    sed -n 's/^attnviz: time: load \([0-9.]*\) ms, tokenize [0-9.]* ms, compute \([0-9.]*\) ms, render \([0-9.]*\) ms, write \([0-9.]*\) ms, total \([0-9.]*\) ms$/\2 \3 \4 \5/p' "$1"
}

header() {
    echo "# attnviz benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
         "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
    local torch_blas
    torch_blas=$(readlink -f "/usr/lib/$(cc -print-multiarch)/libblas.so.3")
    torch_blas=$(basename "$(dirname "$torch_blas")")
    echo "software: $("$ATTNVIZ" --version | head -1), OpenBLAS $(pkg-config --modversion openblas)" \
         "($(basename "$BLAS_DIR") in attnviz, one thread in each of its threads)," \
         "torch $($PY -c 'import torch; print(torch.__version__)') (BLAS: $torch_blas), $($PY --version)"
    echo "load at start: $(uptime | sed 's/.*load average: //') (1, 5, 15 min; $(nproc) cores)"
    echo
}

scale() {
    local n=$SCALE_N words_n csv="$BTMP/scale.csv" tv="$BTMP/time-v.txt"
    echo "== scale: n=$n, --dim 768 --heads 12 -H 1 -f csv (one head: $((n * n)) rows) under /usr/bin/time -v =="
    words_n=$(words "$n")
    /usr/bin/time -v -o "$tv" "$ATTNVIZ" --time --seed 42 --dim 768 --heads 12 -H 1 -f csv -o "$csv" "$words_n" \
        2> "$BTMP/stderr.txt" || { echo "attnviz failed: $(tail -3 "$BTMP/stderr.txt")"; return 1; }
    local rows bytes rss_kb wall t
    rows=$(($(wc -l < "$csv") - 1))
    bytes=$(stat -c %s "$csv")
    rss_kb=$(field "Maximum resident set size (kbytes)" "$tv")
    wall=$(field "Elapsed (wall clock) time (h:mm:ss or m:ss)" "$tv")
    t=$(times_of "$BTMP/stderr.txt")
    rm -f "$csv"
    # the same model on one token, and the same n computed but not written: what the RSS is made of
    /usr/bin/time -v -o "$tv" "$ATTNVIZ" --seed 42 --dim 768 --heads 12 -H 1 -f none w0 || return 1
    local base_kb none_kb
    base_kb=$(field "Maximum resident set size (kbytes)" "$tv")
    /usr/bin/time -v -o "$tv" "$ATTNVIZ" --seed 42 --dim 768 --heads 12 -H 1 -f none "$words_n" || return 1
    none_kb=$(field "Maximum resident set size (kbytes)" "$tv")
    # shellcheck disable=SC2086 # $t is four numbers, split on purpose
    $PY - "$n" "$rows" "$bytes" "$rss_kb" "$wall" $t "$base_kb" "$none_kb" <<'EOF'
import sys
n, rows, size, rss_kb = (int(v) for v in sys.argv[1:5])
base_kb, none_kb = int(sys.argv[10]), int(sys.argv[11])
wall = sys.argv[5].split(":")
wall_s = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
compute, render, write, total = (float(v) for v in sys.argv[6:10])
d = 768
weights = 4 * d * d * 4                    # q, k, v, o [d, d] float32 (seeded model: no biases)
floor = n * n * 4 + weights                # one head's n² floats + the weights
print("rows %d (expected %d: %s), CSV %.1f MB" % (rows, n * n, "ok" if rows == n * n else "WRONG", size / 1e6))
print("wall %.2f s (compute %.0f ms, render %.0f ms, write %.0f ms); CSV written at %.0f MB/s of wall time,"
      " %.0f MB/s of render+write" % (wall_s, compute, render, write, size / 1e6 / wall_s,
                                       size / 1e6 / ((render + write) / 1e3)))
print("peak RSS %.0f MiB; floor n²·4 + weights = %.0f MiB; ratio %.2f (target <= 1.5: %s)" % (
    rss_kb / 1024, floor / 2**20, rss_kb * 1024 / floor, "met" if rss_kb * 1024 <= 1.5 * floor else "MISSED"))
print("for comparison: the same model on 1 token peaks at %.0f MiB (binary, libraries, OpenBLAS buffers,"
      " weights), and n=%d with -f none (computed, nothing written) at %.0f MiB" % (base_kb / 1024, n,
                                                                               none_kb / 1024))
print("all 12 heads would be about %.1f GB of CSV" % (12 * size / 1e9))
EOF
    [ "$rows" -eq $((n * n)) ]
    echo
}

csv_throughput() {
    local n=$CSV_N words_n csv i
    csv="$BTMP/csv-n$n.csv"
    echo "== CSV throughput: n=$n, --dim 768 --heads 12 (all heads: $((12 * n * n)) rows), best of 3 =="
    words_n=$(words "$n")
    for i in 1 2 3; do
        "$ATTNVIZ" --time --seed 42 --dim 768 --heads 12 -f csv -o "$csv" "$words_n" 2> "$BTMP/err-file-$i.txt" || return 1
        echo "file $(stat -c %s "$csv") $(times_of "$BTMP/err-file-$i.txt")" >> "$BTMP/csv.txt"
        rm -f "$csv"
        "$ATTNVIZ" --time --seed 42 --dim 768 --heads 12 -f csv -o - "$words_n" 2> "$BTMP/err-null-$i.txt" > /dev/null || return 1
        echo "null 0 $(times_of "$BTMP/err-null-$i.txt")" >> "$BTMP/csv.txt"
    done
    $PY - "$BTMP/csv.txt" "${BENCH_TMP:-/tmp}" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
size = max(int(r[1]) for r in rows)
for kind, where in (("file", "a file in " + sys.argv[2]), ("null", "/dev/null")):
    ts = [[float(v) for v in r[2:]] for r in rows if r[0] == kind]
    best = min(ts, key=lambda t: t[3])
    compute, render, write, total = best
    print("to %-16s total %7.0f ms (compute %5.0f, render %6.0f, write %6.0f): %5.0f MB/s of total,"
          " %5.0f MB/s of render+write" % (where, total, compute, render, write, size / 1e3 / total,
                                           size / 1e3 / (render + write)))
print("CSV size %.1f MB; target >= 200 MB/s" % (size / 1e6))
EOF
    echo
}

main() {
    header
    echo "== build: build/bench/sgemm from bench/sgemm.c =="
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L -O2 -pthread -o "$OUT/sgemm" bench/sgemm.c \
        $(PKG_CONFIG_PATH="$BLAS_DIR/pkgconfig" pkg-config --cflags --libs openblas) -Wl,-rpath,"$BLAS_DIR"
    echo
    local rc=0
    $PY bench/bench_attention.py --sizes "$SIZES" --reps "$REPS" --attnviz "$ATTNVIZ" --sgemm "$OUT/sgemm" \
        --workdir "$BTMP" --json "$OUT/attention.json" || rc=1
    echo
    $PY bench/bench_e2e.py --attnviz "$ATTNVIZ" "${BEFORE_ARGS[@]}" --runs "$E2E_RUNS" --py-runs "$PY_RUNS" --tmp "$BTMP" \
        --json "$OUT/e2e.json" || rc=1
    echo
    scale || rc=1
    csv_throughput || rc=1
    $PY bench/bench_hf.py --attnviz "$ATTNVIZ" "${BEFORE_ARGS[@]}" --archs "$HF_ARCHS" --sgemm "$OUT/sgemm" --sizes "$HF_SIZES" --reps "$HF_REPS" --layers "$HF_LAYERS" \
        --workdir "$BTMP" --json "$OUT/hf.json" || rc=1
    echo
    $PY bench/bench_tokenizer.py --bench "$ROOT/build/tokenizer_bench" --tokenizers "$TOK" \
        --load-reps "$TOK_REPS" --encode-reps $((4 * TOK_REPS)) --tmp "$BTMP" --json "$OUT/tokenizer.json" || rc=1
    echo
    $PY bench/bench_llama.py --attnviz "$ATTNVIZ" "${BEFORE_ARGS[@]}" --sgemm "$OUT/sgemm" --sizes "$LLAMA_SIZES" --reps "$LLAMA_REPS" \
        --layers "$LLAMA_LAYERS" --generate "$LLAMA_GENERATE" --workdir "$OUT" --json "$OUT/llama.json" || rc=1
    echo
    echo "load at end: $(uptime | sed 's/.*load average: //')"
    echo "log: $LOG"
    return $rc
}

main 2>&1 | tee "$LOG"
