#!/bin/bash
# summary.sh [FILE] — the campaign so far, per harness, from
# build/fuzz/campaign.tsv (run.sh writes one line per run): runs, seconds,
# executions, mean executions per second, the last run's coverage (cov, ft)
# and corpus size, findings.
cd "$(dirname "$0")/../.."
awk -F'\t' '
{ n = $2; runs[n]++; secs[n] += $3; ex[n] += $4; cov[n] = $6; ft[n] = $7; corp[n] = $8; found[n] += $9
  if (!(n in seen)) { seen[n] = 1; order[++k] = n } }
END {
  printf "%-15s %5s %8s %13s %8s %6s %7s %7s %8s\n", "harness", "runs", "seconds", "executions", "exec/s", "cov", "ft",
         "corpus", "findings"
  for (i = 1; i <= k; i++) { n = order[i]; ts += secs[n]; te += ex[n]; tf += found[n]
    printf "%-15s %5d %8d %13d %8d %6d %7d %7d %8d\n", n, runs[n], secs[n], ex[n], secs[n] ? ex[n] / secs[n] : 0,
           cov[n], ft[n], corp[n], found[n] }
  printf "%-15s %5s %8d %13d %8s %6s %7s %7s %8d\n", "total", "", ts, te, "", "", "", "", tf
}' "${1:-build/fuzz/campaign.tsv}"
