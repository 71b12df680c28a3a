#!/bin/bash
# html.sh — -f html (issue 18) as a file: chosen by -f and by the .html
# extension, to stdout or -o, the same bytes every run, within its size
# target, one page per sentence, the size limit's message, and text that
# cannot break out: every token and title escaped, the data block without
# a "<", the Content-Security-Policy naming the hashes of the page's own
# script and style. The numbers in the page are checked against CSV by
# tests/py/test_html_data.py, and the page itself in Chromium by
# tests/e2e/browser.sh.
# san: yes
. "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
cd "$TMP" || exit 1

ok() { # NAME STATUS WHY
    if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "$3"; fi
}

# page_info FILE: checks the page's structure; prints "ok" or the problems
page_info() {
    "$PY" - "$1" <<'EOF'
import base64, hashlib, json, re, sys
page = open(sys.argv[1], "rb").read().decode("utf-8")
why = []
if not page.startswith("<!DOCTYPE html>\n"): why.append("no doctype")
if not page.endswith("</html>\n"): why.append("does not end with </html>")
scripts = re.findall(r"<script\b", page, re.I)
if len(scripts) != 2: why.append(f"{len(scripts)} <script elements")
if len(re.findall(r"</script", page, re.I)) != 2: why.append("</script count")
if re.search(r"<(img|iframe|object|embed|link(?! rel=\"icon\" href=\"data:,\">))\b", page, re.I):
    why.append("an element that loads something")
if re.search(r"\b(src|href)=\"(?!data:)", page): why.append("a src or href")
m = re.search(r'<script type="application/json" id="attnviz-data">(.*?)</script>', page, re.S)
js = re.search(r"<script>(.*?)</script>", page, re.S)
css = re.search(r"<style>(.*?)</style>", page, re.S)
csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
if not (m and js and css and csp):
    why.append("missing data, script, style or CSP")
else:
    if "<" in m.group(1): why.append("a '<' in the data block")
    d = json.loads(m.group(1))
    h = lambda s: "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
    c = csp.group(1)
    if "default-src 'none'" not in c: why.append("CSP without default-src 'none'")
    if "script-src " + h(js.group(1)) not in c: why.append("CSP script hash differs from the script")
    if "style-src " + h(css.group(1)) not in c: why.append("CSP style hash differs from the style")
    print("DATA", json.dumps({"sentence": d["sentence"], "title": d["title"],
          "sets": [[s["name"], s["encoding"], len(s["queries"]), s["layers"],
                    [c.get("head", c.get("aggregate")) for c in s["columns"]], s["query"]] for s in d["sets"]]}))
print("ok" if not why else "; ".join(why))
EOF
}
data_of() { page_info "$1" | sed -n 's/^DATA //p'; }
# same_page A B: the same bytes but for the command line in the data
same_page() { cmp -s <(sed 's/"command_line":"[^"]*"//' "$1") <(sed 's/"command_line":"[^"]*"//' "$2"); }
status_of() { page_info "$1" | tail -n 1; }

# ---- the example sentence
run ex -f html -o ex.html "$EXAMPLE"
ok html-exit-0 $(( $(rc ex) != 0 || $(wc -c <"$TMP/ex.err") != 0 )) "exit $(rc ex): $(errtxt ex)"
st=$(status_of ex.html)
ok html-structure "$([ "$st" = ok ]; echo $?)" "$st"
size=$(wc -c <ex.html)
ok "html-example-size-${size}-under-150KB" "$([ "$size" -le 153600 ]; echo $?)" "$size bytes"
d=$(data_of ex.html)
want='"sets": [["tokens", "f32", 16, [1, 2, 3, 4], [1, 2, 3, 4], -1]]'
ok html-data-sets "$(grep -qF "$want" <<<"$d"; echo $?)" "$d"
grep -q '<title>“The animal didn&#39;t\|<title>“The animal didn.t cross' ex.html
ok html-title-names-sentence $? "$(grep -o '<title>.*</title>' ex.html)"
grep -q 'model: pretrained (BERT, 4 layers × 4 heads, 1.8 M parameters) · 16 tokens' ex.html
ok html-names-model-and-size $? "$(grep -o '<p id="model">.*</p>' ex.html)"
grep -q 'Rows are queries, columns are keys' ex.html
ok html-says-rows-are-queries $? "no such sentence"
grep -q '<noscript>' ex.html && grep -q '<span>animal</span>' ex.html
ok html-static-fallback $? "no <noscript> note or tokens in the markup"

# ---- the format: -f, the extension, stdout; the same bytes every time
cp ex.html ex.bak
run ext -o page.html "$EXAMPLE"
same_page ex.html page.html
ok html-chosen-by-extension $? "-o page.html differs from -f html ($(rc ext): $(errtxt ext))"
run ext2 -o PAGE.HTM "$EXAMPLE"
same_page ex.html PAGE.HTM
ok html-chosen-by-htm-extension $? "-o PAGE.HTM differs ($(rc ext2): $(errtxt ext2))"
run out -f html "$EXAMPLE"
same_page ex.html "$TMP/out.out"
ok html-to-stdout $? "stdout differs from -o ($(rc out): $(errtxt out))"
run out2 -f html -o - "$EXAMPLE"
same_page ex.html "$TMP/out2.out"
ok html-to-stdout-dash $? "-o - differs"
run again -f html -o ex.html "$EXAMPLE"
cmp -s ex.html "$TMP/ex.bak"
ok html-deterministic $? "two runs differ"
echo "$EXAMPLE" | "$ATTNVIZ" -f html >stdin.html 2>stdin.err
same_page ex.html stdin.html
ok html-one-line-of-stdin $? "$(head -c 200 stdin.err)"

# ---- one page per sentence; the size limit
printf 'the cat sat\nthe dog ran\n' | "$ATTNVIZ" -f html -o two.html >two.out 2>two.err
r=$?
ok html-two-sentences-refused "$([ $r -eq 2 ] && grep -q 'a page shows one' two.err && [ ! -e two.html ]; echo $?)" \
    "exit $r: $(head -c 200 two.err)"
words=$(for i in $(seq 256); do printf 'w%d ' "$i"; done)
mkdir big
"$ATTNVIZ" --seed 1 --layers 12 --heads 12 --dim 48 -f html -o big/page.html "$words" >big.out 2>big.err
r=$?
ok html-limit-refused "$([ $r -eq 2 ] && [ "$(wc -l <big.err)" -eq 1 ] && grep -q -- '-l and -H' big.err &&
    [ -z "$(ls -A big)" ]; echo $?)" "exit $r, files: $(ls -A big), stderr: $(head -c 300 big.err)"
grep -q '12 layers × 12 heads of 256 × 256 tokens are 9,437,184 weights' big.err
ok html-limit-message-counts $? "$(head -c 300 big.err)"
"$ATTNVIZ" --seed 1 --layers 12 --heads 12 --dim 48 -l 1-2 -H 1-3 -f html -o big/page.html "$words" 2>big.err
ok html-limit-heeded-with-l-H $? "$(head -c 300 big.err)"

# ---- 16-bit weights past 262,144 weights; --query; the extra matrices
"$ATTNVIZ" --seed 1 --layers 2 --heads 4 -f html -o u16.html "$words" 2>u16.err
d=$(data_of u16.html)
grep -qF '"u16z", 256' <<<"$d"
ok html-16-bit-when-large $? "$d $(head -c 200 u16.err)"
"$ATTNVIZ" -q it -f html -o q.html "$EXAMPLE" 2>q.err
d=$(data_of q.html)
grep -qF '[1, 2, 3, 4], 10]]' <<<"$d"
ok html-query-focuses $? "$d $(head -c 200 q.err)"
"$ATTNVIZ" --words --no-special --aggregate mean -l 2,3 -H 1,2 -f html -o x.html "$EXAMPLE" 2>x.err
d=$(data_of x.html)
grep -qF '"sets": [["tokens", "f32", 14, [2, 3], [1, 2, "mean"], -1], ["words", "f32", 12, [2, 3], [1, 2, "mean"], -1]]' <<<"$d"
ok html-words-aggregate-sets $? "$d $(head -c 200 x.err)"
"$ATTNVIZ" --words --rollout -l 2,3 -f html -o x.html "$EXAMPLE" 2>x.err
d=$(data_of x.html)
grep -qF '"sets": [["tokens", "f32", 16, [2, 3], [1, 2, 3, 4, "rollout"], -1], ["words", "f32", 14, [2, 3], [1, 2, 3, 4, "rollout"], -1]]' <<<"$d"
ok html-words-rollout-sets $? "$d $(head -c 200 x.err)"
"$ATTNVIZ" --aggregate max -f html -o m.html "$EXAMPLE" 2>m.err
d=$(data_of m.html)
grep -qF '[1, 2, 3, 4, "max"], -1]]' <<<"$d"
ok html-aggregate-max $? "$d $(head -c 200 m.err)"
"$ATTNVIZ" --seed 42 --source "Le chat dort ." -f html -o src.html "The cat sleeps ." 2>src.err
st=$(status_of src.html)
ok html-cross-attention "$([ "$st" = ok ] && grep -q 'Keys, from the source (4)' src.html; echo $?)" "$st $(head -c 200 src.err)"
run qcsv -q it -f csv "$EXAMPLE"
ok query-still-refused-for-csv "$([ "$(rc qcsv)" -eq 2 ] && grep -q 'the page, not to -f csv' "$TMP/qcsv.err"; echo $?)" "$(errtxt qcsv)"

# ---- text that tries to break out: a tag, an element with a handler, quotes,
# bidi and control characters, in the sentence and in --title
evil=$'</script><script>alert(1)</script> <img src=x onerror=alert(2)> "quo\'tes" <!-- x \xe2\x80\xae tlrid \x01\x1f end'
"$ATTNVIZ" --seed 42 -f html -o evil.html "$evil" 2>evil.err
r=$?
st=$(status_of evil.html)
ok html-hostile-text-escaped "$([ $r -eq 0 ] && [ "$st" = ok ]; echo $?)" "exit $r: $st $(head -c 200 evil.err)"
sent=$(data_of evil.html | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read())["sentence"] == sys.argv[1])' "$evil")
ok html-hostile-sentence-kept-exactly "$([ "$sent" = True ]; echo $?)" "the data's sentence differs from the input"
grep -q '<h1 id="title">“&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; &quot;quo' evil.html
ok html-hostile-title-escaped $? "$(grep -o '<h1 id="title">.\{0,120\}' evil.html)"
grep -q 'x \\u202E tlrid \\u0001\\u001F end' evil.html
ok html-hostile-controls-shown-escaped $? "$(grep -o '<title>.*</title>' evil.html | head -c 300)"
"$ATTNVIZ" --seed 42 --title "$evil" -f html -o evilt.html "the cat" 2>evilt.err
st=$(status_of evilt.html)
ok html-hostile-title-option "$([ "$st" = ok ]; echo $?)" "$st $(head -c 200 evilt.err)"

# ---- the colour options set the page's first scale; options for other views
scale_of() { grep -o '"scale":{[^}]*}' "$1"; }
"$ATTNVIZ" --norm row --vmax 0.8 --log -f html -o sc.html "$EXAMPLE" 2>sc.err
ok html-scale-from-options "$([ "$(scale_of sc.html)" = '"scale":{"norm":"row","vmin":null,"vmax":0.8,"log":true}' ]; echo $?)" \
    "$(scale_of sc.html) $(head -c 200 sc.err)"
"$ATTNVIZ" --vmin 0 --vmax 1 --colormap magma -f html -o sc.html "$EXAMPLE" 2>sc.err
ok html-fixed-scale-and-colormap "$([ "$(scale_of sc.html)" = '"scale":{"norm":"all","vmin":0,"vmax":1,"log":false}' ] &&
    grep -q '"colormap":"magma"' sc.html; echo $?)" "$(scale_of sc.html) $(head -c 200 sc.err)"
ok html-default-scale "$([ "$(scale_of ex.html)" = '"scale":{"norm":"all","vmin":null,"vmax":null,"log":false}' ]; echo $?)" \
    "$(scale_of ex.html)"
run win --window 8 -f html "$EXAMPLE"
ok html-window-refused "$([ "$(rc win)" -eq 2 ] && grep -q 'a page shows one window' "$TMP/win.err"; echo $?)" "$(errtxt win)"
run grid --grid -f html "$EXAMPLE"
ok html-grid-refused "$([ "$(rc grid)" -eq 2 ] && grep -q -- '--grid: applies to figures' "$TMP/grid.err"; echo $?)" "$(errtxt grid)"
"$ATTNVIZ" --truncate 8 -f html -o tr.html "$EXAMPLE" 2>tr.err
grep -q '<p class="note">Note: truncated: the first 8 of 16 tokens (--truncate)</p>' tr.html &&
    [ "$(data_of tr.html | grep -o '"f32", [0-9]*')" = '"f32", 8' ]
ok html-truncate-note $? "$(head -c 200 tr.err) $(data_of tr.html | head -c 200)"

# ---- --from: the page shows what the file holds
"$ATTNVIZ" -f csv "$EXAMPLE" >from.csv && "$ATTNVIZ" --from from.csv -f html -o from.html 2>from.err
st=$(status_of from.html)
d=$(data_of from.html)
ok html-from-csv "$([ "$st" = ok ] && grep -q '<title>attention from from.csv</title>' from.html &&
    grep -qF '"f32", 16, [1, 2, 3, 4], [1, 2, 3, 4], -1' <<<"$d"; echo $?)" "$st $d $(head -c 200 from.err)"
"$ATTNVIZ" --from from.csv --aggregate mean -l 3 -f html -o fromm.html 2>fromm.err
d=$(data_of fromm.html)
ok html-from-aggregate "$(grep -qF '"f32", 16, [3], ["mean"], -1' <<<"$d"; echo $?)" "$d $(head -c 200 fromm.err)"
"$ATTNVIZ" -f json "$EXAMPLE" >from.json && "$ATTNVIZ" --from from.json -f html -o fromj.html 2>fromj.err
ok html-from-json-names-sentence "$(grep -q '<title>“The animal didn' fromj.html; echo $?)" \
    "$(grep -o '<title>.*</title>' fromj.html) $(head -c 200 fromj.err)"
