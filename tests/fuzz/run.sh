#!/bin/bash
# run.sh [NAME...] — make fuzz: runs each fuzz harness (all of
# tests/fuzz/fuzz_*.c, or the NAMEs given) with libFuzzer for FUZZ_SECONDS
# (default 120) each, one after the other, and prints per harness the
# executions, executions per second, coverage (libFuzzer's cov: edges and
# ft: features), the corpus size and the findings.
#
#   build-fuzz/fuzz/fuzz-NAME   the harness (make fuzz builds them with clang)
#   build/fuzz/corpus/NAME/     the working corpus: what it finds, next to the
#                               committed tests/fuzz/corpus/NAME/ (read too)
#                               (merge it into the committed one with
#                               tests/fuzz/minimize.sh NAME)
#   build/fuzz/findings/NAME/   crash-*, leak-*, timeout-*, oom-* inputs
#   build/fuzz/logs/            libFuzzer's output, one log per run
#   build/fuzz/campaign.tsv     one line per run: date, harness, seconds,
#                               executions, exec/s, cov, ft, corpus, findings,
#                               log, and the source the harness was built
#                               from (build-fuzz/fuzz/commit, git describe)
# The committed regressions (tests/fuzz/regressions/NAME/) are run first.
# Environment: FUZZ_SECONDS, FUZZ_NICE (10), FUZZ_TIMEOUT (seconds per input,
# 25), FUZZ_RSS_MB (2048), FUZZ_BIN_DIR, FUZZ_ARGS (more libFuzzer flags).
# Exits 1 when a harness found something; 3 when a run was interrupted
# (SIGINT: libFuzzer stops with its final stats and exit code 72; the run's
# executions are recorded, it is no finding, and no later harness runs).
set -u
cd "$(dirname "$0")/../.."
. tests/fuzz/harnesses.sh
secs=${FUZZ_SECONDS:-120}
bin_dir=${FUZZ_BIN_DIR:-build-fuzz/fuzz}
harness_names "$@"
mkdir -p build/fuzz/corpus build/fuzz/findings build/fuzz/logs
harness_tmp attnviz-fuzz || exit 1
trap 'rm -rf "$tmp"' EXIT
export ATTNVIZ_FUZZ_TMP=$tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

built=$(cat "$bin_dir/commit" 2>/dev/null || echo unknown)
printf '%-15s %7s %13s %9s %7s %8s %7s  %s\n' harness seconds executions exec/s cov ft corpus findings
total_exec=0 total_found=0 interrupted=0 t_all=$(date +%s)
for name in "${names[@]}"; do
    bin=$bin_dir/fuzz-$name
    if [ ! -x "$bin" ]; then
        echo "run.sh: no $bin (make fuzz builds it)" >&2
        exit 2
    fi
    corpus=build/fuzz/corpus/$name findings=build/fuzz/findings/$name
    mkdir -p "$corpus" "$findings"
    dict=build/fuzz/$name.dict
    harness_dict "$name" "$dict"
    dirs=("$corpus" "tests/fuzz/corpus/$name")
    [ -d "tests/fuzz/regressions/$name" ] && dirs+=("tests/fuzz/regressions/$name")
    log=build/fuzz/logs/$name-$(date +%Y%m%d-%H%M%S).log
    before=$(ls "$findings" | wc -l)
    t0=$(date +%s)
    # shellcheck disable=SC2086
    nice -n "${FUZZ_NICE:-10}" "$bin" -max_total_time="$secs" -max_len="$(harness_max_len "$name")" \
        -dict="$dict" -timeout="${FUZZ_TIMEOUT:-25}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    echo "run.sh: the harness exited with status $rc" >>"$log" # 72: SIGINT; 128 + N: killed by signal N
    t=$(($(date +%s) - t0))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    [ -n "$execs" ] || execs=$(sed -E -n 's/^#([0-9]+).*/\1/p' <<<"$last")
    [ -n "$speed" ] || speed=$(sed -E -n 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$last")
    cov=$(sed -E -n 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -E -n 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    found=$(($(ls "$findings" | wc -l) - before))
    [ "$rc" -eq 72 ] && [ "$found" -eq 0 ] && interrupted=1 # SIGINT (-interrupted_exit_code)
    [ "$rc" -ne 0 ] && [ "$interrupted" -eq 0 ] && [ "$found" -eq 0 ] && found=1 # it stopped for a reason: see the log
    corp=$(sed -E -n 's/.* corp: ([0-9]+).*/\1/p' <<<"$last") # the working and the committed corpus
    [ -n "$corp" ] || corp=$(ls "$corpus" | wc -l)
    note=$([ "$found" -gt 0 ] && echo "$found  (see $log)" || echo 0)
    printf '%-15s %7d %13s %9s %7s %8s %7s  %s\n' "$name" "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}" \
        "${ft:-?}" "$corp" "$note"
    printf '%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "$t" \
        "${execs:-0}" "${speed:-0}" "${cov:-0}" "${ft:-0}" "$corp" "$found" "$log" "$built" >>build/fuzz/campaign.tsv
    total_exec=$((total_exec + ${execs:-0}))
    total_found=$((total_found + found))
    [ "$interrupted" -eq 1 ] && break
done
printf '%-15s %7d %13d %9s %7s %8s %7s  %d\n' total $(($(date +%s) - t_all)) "$total_exec" "" "" "" "" "$total_found"
[ "$total_found" -eq 0 ] || exit 1
[ "$interrupted" -eq 0 ] || exit 3
