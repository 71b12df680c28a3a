#!/bin/bash
# campaign.sh EXECUTIONS [NAME...] — a long fuzzing campaign: runs each
# harness (all, or the NAMEs given) in turn, in chunks of FUZZ_SECONDS
# (default 1800) through run.sh, until build/fuzz/campaign.tsv counts at
# least EXECUTIONS executions for it since the campaign began (the chunks'
# corpora carry over, so the chunks add up to one run). A chunk with a
# finding stops that harness: fix it, commit the reproducer to
# tests/fuzz/regressions/NAME/, rebuild (make fuzz-bins with make fuzz's
# flags) and start the campaign again. Progress goes to
# build/fuzz/campaign.log. Meant for the background:
#   FUZZ_NICE=19 nohup tests/fuzz/campaign.sh 10000000 >/dev/null 2>&1 &
set -u
cd "$(dirname "$0")/../.."
. tests/fuzz/harnesses.sh
target=$1
shift
harness_names "$@"
chunk=${FUZZ_SECONDS:-1800}
log=build/fuzz/campaign.log
mkdir -p build/fuzz
touch build/fuzz/campaign.tsv
echo "$(date -u +%FT%TZ) campaign of $target executions per harness: ${names[*]}" >>"$log"
for name in "${names[@]}"; do
    while :; do
        done_execs=$(awk -F'\t' -v n="$name" '$2 == n { s += $4 } END { print s + 0 }' build/fuzz/campaign.tsv)
        [ "$done_execs" -ge "$target" ] && break
        # the chunk: what the last speed says is left (+10%), at most FUZZ_SECONDS
        speed=$(awk -F'\t' -v n="$name" '$2 == n && $5 > 0 { v = $5 } END { print v + 0 }' build/fuzz/campaign.tsv)
        secs=$chunk
        [ "$speed" -gt 0 ] && secs=$(( (target - done_execs) * 11 / 10 / speed + 30 ))
        [ "$secs" -gt "$chunk" ] && secs=$chunk
        echo "$(date -u +%FT%TZ) $name: $done_execs executions so far; $secs s more" >>"$log"
        FUZZ_SECONDS=$secs tests/fuzz/run.sh "$name" >>"$log" 2>&1
        rc=$?
        if [ "$rc" -eq 3 ]; then
            echo "$(date -u +%FT%TZ) $name: interrupted; campaign stopped (start it again to go on)" >>"$log"
            exit 3
        elif [ "$rc" -ne 0 ]; then
            echo "$(date -u +%FT%TZ) $name: FINDING, harness stopped" >>"$log"
            break
        fi
    done
done
echo "$(date -u +%FT%TZ) campaign done" >>"$log"
