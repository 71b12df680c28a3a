#!/bin/bash
# san: yes
# scale.sh — long inputs: streamed formats keep one head, and an input too
# large for memory gives one clear line and exit 1, never a crash.
source "$(dirname "$0")/lib.sh"

# 300,000 tokens: one head alone would be 335 GiB
"${PY:-/usr/bin/python3}" -c "print(' '.join('w%d' % (i % 5000) for i in range(300000)))" > "$TMP/huge.txt"
for fmt in none csv ansi; do
    "$ATTNVIZ" -f "$fmt" -o "$TMP/out.$fmt" --seed 42 --dim 8 --heads 2 < "$TMP/huge.txt" > "$TMP/stdout" 2> "$TMP/stderr"
    rc=$?
    lines=$(wc -l < "$TMP/stderr")
    if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] && grep -q '^attnviz: out of memory: 300000 x 300000 tokens need' "$TMP/stderr"; then
        pass "huge-input-$fmt"
    else
        fail "huge-input-$fmt" "exit $rc, stderr: $(head -c 300 "$TMP/stderr")"
    fi
    if ls "$TMP"/out.* "$TMP"/*.tmp.* >/dev/null 2>&1; then fail "huge-input-$fmt-no-file" "left $(ls "$TMP"/out.* "$TMP"/*.tmp.* 2>/dev/null)"; else pass "huge-input-$fmt-no-file"; fi
done

# 1500 tokens, 4 heads, streamed: every row of every head sums to 1
"${PY:-/usr/bin/python3}" -c "print(' '.join('w%d' % i for i in range(1500)))" > "$TMP/long.txt"
"$ATTNVIZ" -f csv --seed 42 --dim 16 --heads 4 -H 1,4 < "$TMP/long.txt" > "$TMP/long.csv"
awk -F, 'NR > 1 { s[$2 "," $3 "," $4] += $8; n++ }
         END { bad = 0; for (k in s) if (s[k] < 1 - 1e-5 || s[k] > 1 + 1e-5) bad++;
               exit !(n == 2 * 1500 * 1500 && length(s) == 2 * 1500 && bad == 0) }' "$TMP/long.csv" \
    && pass long-csv-rows-sum-to-1 || fail long-csv-rows-sum-to-1 "row count or sums wrong"
