#!/bin/bash
# summary.sh [FILE] — the campaign so far, per harness, from
# build/fuzz/campaign.tsv (run.sh writes one line per run): runs, seconds,
# executions, mean executions per second, the last run's coverage (cov, ft)
# and corpus size, findings; one line per harness and source the harness was
# built from (column 11, git describe; "unrecorded" for runs of run.sh
# before it noted that), then each harness's total over all of them.
cd "$(dirname "$0")/../.."
awk -F'\t' '
{ n = $2; c = $11 == "" ? "unrecorded" : $11; g = n SUBSEP c
  runs[g]++; secs[g] += $3; ex[g] += $4; cov[g] = $6; ft[g] = $7; corp[g] = $8; found[g] += $9
  hs[n] += $3; he[n] += $4; hf[n] += $9
  if (!(g in seen)) { seen[g] = 1; order[++k] = g; ncode[n]++ }
  if (!(n in hseen)) { hseen[n] = 1; horder[++hk] = n } }
END {
  printf "%-15s %-22s %5s %8s %13s %8s %6s %7s %7s %8s\n", "harness", "source", "runs", "seconds", "executions",
         "exec/s", "cov", "ft", "corpus", "findings"
  for (j = 1; j <= hk; j++) { n = horder[j]
    for (i = 1; i <= k; i++) { split(order[i], p, SUBSEP); if (p[1] != n) continue; g = order[i]
      printf "%-15s %-22s %5d %8d %13d %8d %6d %7d %7d %8d\n", n, p[2], runs[g], secs[g], ex[g],
             secs[g] ? ex[g] / secs[g] : 0, cov[g], ft[g], corp[g], found[g] }
    if (ncode[n] > 1)
      printf "%-15s %-22s %5s %8d %13d %8d %6s %7s %7s %8d\n", n, "(all)", "", hs[n], he[n], hs[n] ? he[n] / hs[n] : 0,
             "", "", "", hf[n]
    ts += hs[n]; te += he[n]; tf += hf[n] }
  printf "%-15s %-22s %5s %8d %13d %8s %6s %7s %7s %8d\n", "total", "", "", ts, te, "", "", "", "", tf
}' "${1:-build/fuzz/campaign.tsv}"
