#!/bin/bash
# speed.sh [NAME...] — the harnesses' speed, comparable between builds: each
# harness (all, or the NAMEs given) fuzzes for FUZZ_SECONDS (60) from its
# committed corpus (FUZZ_CORPUS_DIR/NAME/, default tests/fuzz/corpus/NAME/,
# only read) into a scratch corpus that is thrown away, with make fuzz's
# settings (dictionary, longest input, /dev/shm) and a fixed -seed, and one
# line per harness gives the executions, exec/s (libFuzzer's: of the
# wall clock), the CPU seconds the harness used and executions per CPU
# second (the figure that compares on a shared machine), cov and ft.
# FUZZ_BIN_DIR (build-fuzz/fuzz) picks the build; to compare two builds,
# give both the same FUZZ_CORPUS_DIR (e.g. an older commit's corpus:
# git archive COMMIT tests/fuzz/corpus | tar -x -C DIR). Nothing goes into
# build/fuzz/campaign.tsv.
set -u
cd "$(dirname "$0")/../.."
. tests/fuzz/harnesses.sh
secs=${FUZZ_SECONDS:-60}
bin_dir=${FUZZ_BIN_DIR:-build-fuzz/fuzz}
corpus_dir=${FUZZ_CORPUS_DIR:-tests/fuzz/corpus}
harness_names "$@"
harness_tmp attnviz-speed || exit 1
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
printf '%-15s %7s %11s %7s %6s %8s %6s %7s  %s\n' harness seconds executions exec/s cpu-s exec/cpu cov ft build
for name in "${names[@]}"; do
    bin=$bin_dir/fuzz-$name
    [ -x "$bin" ] || { echo "speed.sh: no $bin" >&2; exit 2; }
    mkdir -p "$tmp/files" "$tmp/corpus-$name" "$tmp/findings"
    harness_dict "$name" "$tmp/$name.dict"
    TIMEFORMAT='%U %S'
    { time ATTNVIZ_FUZZ_TMP=$tmp/files nice -n "${FUZZ_NICE:-10}" "$bin" -max_total_time="$secs" \
        -max_len="$(harness_max_len "$name")" -dict="$tmp/$name.dict" -timeout=25 -rss_limit_mb=2048 \
        -artifact_prefix="$tmp/findings/" -print_final_stats=1 -seed=1 "$tmp/corpus-$name" \
        "$corpus_dir/$name" >"$tmp/$name.log" 2>&1; } 2>"$tmp/time"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$name.log")
    cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$tmp/time")
    last=$(grep -E '^#[0-9]+' "$tmp/$name.log" | tail -n 1)
    printf '%-15s %7s %11s %7s %6s %8s %6s %7s  %s\n' "$name" "$secs" "$execs" \
        "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/$name.log")" "$cpu" \
        "$(awk -v e="${execs:-0}" -v c="$cpu" 'BEGIN { printf "%d", (c > 0 ? e / c : 0) }')" \
        "$(sed -E -n 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")" "$(sed -E -n 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")" \
        "$(cat "$bin_dir/commit" 2>/dev/null || echo unknown)"
    ls "$tmp/findings" | grep -q . && echo "  $name: a finding (not kept): see a campaign run" >&2
    rm -rf "$tmp/files" "$tmp/corpus-$name" "$tmp/findings"
done
