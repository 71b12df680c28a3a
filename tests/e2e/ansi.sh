#!/bin/bash
# tests/e2e/ansi.sh — the terminal renderer through the real binary.
# san: yes
#
# Golden files (tests/golden/ansi/) for truecolor, 256 colours and monochrome
# at 40/80/200 columns, each also checked independently: cell colours against
# matplotlib's viridis of the CSV weights, 256-colour cells as the nearest
# xterm colour of the truecolor ones, shade characters, the focus ranking
# against a sort of the CSV, display widths with Python's unicodedata.
# Then: NO_COLOR / --color never / pipes give no escapes, CJK + emoji
# alignment, and a real terminal (tmux, capture-pane -e).
# Every run uses the generated model, --seed 42 (1 layer, 4 heads, the words
# tokenizer), the model the golden files were made with.
# UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
source "$(dirname "$0")/lib.sh"
PY=${PY:-/usr/bin/python3}
G=$GOLDEN/ansi
mkdir -p "$G"

# golden NAME ENV... -- ARGS...: run the binary, compare with $G/NAME.txt
golden() {
    local name=$1; shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    if ! env "${envs[@]}" "$ATTNVIZ" "$@" >"$TMP/$name.txt" 2>"$TMP/err"; then
        fail "golden $name" "exit status $?: $(head -c 300 "$TMP/err")"; return
    fi
    if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$TMP/$name.txt" "$G/$name.txt"; pass "golden $name (updated)"
    elif cmp -s "$TMP/$name.txt" "$G/$name.txt"; then
        pass "golden $name"
    else
        fail "golden $name" "differs from $G/$name.txt ($(diff <(cat -v "$G/$name.txt") <(cat -v "$TMP/$name.txt") 2>&1 | head -4 | tr '\n' ' '))"
    fi
}

for w in 40 80 200; do
    golden "example-true-$w"  COLORTERM=truecolor -- --seed 42 -f ansi --color always --width $w "$EXAMPLE"
    golden "example-256-$w"   -- --seed 42 -f ansi --color always --width $w "$EXAMPLE"
    golden "example-mono-$w"  -- --seed 42 -f ansi --color never --width $w "$EXAMPLE"
    golden "focus-it-true-$w" COLORTERM=truecolor -- --seed 42 -f ansi --color always --width $w --query it "$EXAMPLE"
    golden "focus-it-256-$w"  -- --seed 42 -f ansi --color always --width $w --query it "$EXAMPLE"
    golden "focus-it-mono-$w" -- --seed 42 -f ansi --color never --width $w --query it "$EXAMPLE"
done
golden "causal-values-mono-80" -- --seed 42 -f ansi --color never --width 80 --causal --values -H 1,2 "$EXAMPLE"
golden "causal-true-80" COLORTERM=truecolor -- --seed 42 -f ansi --color always --width 80 --causal -H 1 "$EXAMPLE"
CJK="猫が 好き 😀 and 🐱 naïve café 東京"
golden "cjk-mono-80" -- --seed 42 -f ansi --color never --width 80 "$CJK"

"$ATTNVIZ" --seed 42 -f csv "$EXAMPLE" >"$TMP/example.csv" || fail "csv of the example" "exit status $?"

# ---- independent checks of the golden files -------------------------------------
$PY - "$G" "$TMP/example.csv" <<'EOF'
import csv, re, sys, unicodedata
gdir, csvfile = sys.argv[1], sys.argv[2]
import matplotlib
viridis = matplotlib.colormaps["viridis"]

def cpw(c):
    o = ord(c)
    if unicodedata.combining(c) or o in (0x200D,) or 0xFE00 <= o <= 0xFE0F: return 0
    if unicodedata.east_asian_width(c) in "WF" or 0x1F300 <= o <= 0x1FAFF: return 2
    return 1

def screen(text):
    """Lines of cells [ch, fg, bg, dim]; a wide char's second cell is None."""
    out = []
    for line in text.split("\n"):
        cells, fg, bg, dim, i = [], None, None, False, 0
        while i < len(line):
            m = re.match(r"\x1b\[([0-9;]*)m", line[i:])
            if m:
                ps = [int(p or 0) for p in m.group(1).split(";")]
                j = 0
                while j < len(ps):
                    p = ps[j]
                    if p == 0: fg, bg, dim = None, None, False
                    elif p == 2: dim = True
                    elif p in (38, 48):
                        v = tuple(ps[j + 2:j + 5]) if ps[j + 1] == 2 else ps[j + 2]
                        j += 4 if ps[j + 1] == 2 else 2
                        if p == 38: fg = v
                        else: bg = v
                    j += 1
                i += m.end(); continue
            c = line[i]; w = cpw(c)
            if w == 0 and cells: cells[-1][0] += c
            else:
                cells.append([c, fg, bg, dim])
                if w == 2: cells.append(None)
            i += 1
        out.append(cells)
    return out

def plain(cells): return "".join(c[0] for c in cells if c)

rows = list(csv.DictReader(open(csvfile, encoding="utf-8")))
W = {}
tok = {}
for r in rows:
    W[(int(r["head"]), int(r["query_index"]), int(r["key_index"]))] = float(r["weight"])
    tok[int(r["query_index"])] = r["query_token"]
n = len(tok); heads = sorted({h for h, _, _ in W}); vmax = max(W.values())
ok = True
def check(name, cond, why=""):
    global ok
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else ": " + why))

def col_of(cells, pos):
    """Cell index of text offset pos of plain(cells)."""
    at = 0
    for i, c in enumerate(cells):
        if c is None: continue
        if at == pos: return i
        at += len(c[0])
    return len(cells)

def maps(scr):
    """{head: (x, [row line numbers])}: each title gives its block's column x;
    the map rows are the next n lines with a label left of x."""
    found = {}
    for y, cells in enumerate(scr):
        ms = list(re.finditer(r"layer 1 · head (\d+)", plain(cells)))
        x0 = col_of(cells, ms[0].start()) if ms else 0  # the band's first block
        for m in ms:
            x = col_of(cells, m.start())
            ys = [yy for yy in range(y + 1, min(len(scr), y + 40))
                  if len(scr[yy]) > x and plain(scr[yy][:x0]).strip() != ""][:n]
            found[int(m.group(1))] = (x, ys)
    return found

for w in (40, 80, 200):
    tr = screen(open(f"{gdir}/example-true-{w}.txt", encoding="utf-8").read())
    c2 = screen(open(f"{gdir}/example-256-{w}.txt", encoding="utf-8").read())
    mo = screen(open(f"{gdir}/example-mono-{w}.txt", encoding="utf-8").read())
    for name, scr in (("true", tr), ("256", c2), ("mono", mo)):
        widest = max(sum(1 for c in l) for l in scr)
        check(f"ansi golden {name}-{w}: no line wider than {w} columns", widest <= w, f"widest {widest}")
    mt, m2, mm = maps(tr), maps(c2), maps(mo)
    check(f"ansi golden {w}: every head has a titled map", sorted(mt) == heads and sorted(m2) == heads and sorted(mm) == heads,
          f"{sorted(mt)} {sorted(m2)} {sorted(mm)}")
    bad_rgb = bad_256 = bad_mono = bad_label = 0
    for h in heads:
        if h not in mt or h not in m2 or h not in mm: continue
        x, ys = mt[h]
        # columns per key: the coloured run of the first row / n
        run = 0
        while x + run < len(tr[ys[0]]) and tr[ys[0]][x + run] and tr[ys[0]][x + run][2] is not None: run += 1
        cw = run // n
        check(f"ansi golden true-{w} head {h}: {n} rows of {n} cells ({cw} columns each)", len(ys) == n and cw >= 2 and run == n * cw,
              f"rows {len(ys)}, run {run}")
        if len(ys) != n or cw < 2: continue
        for q, y in enumerate(ys):
            if plain(tr[y][:x]).strip() != tok[q]: bad_label += 1
            for k in range(n):
                t = W[(h, q, k)] / vmax
                want = [round(255 * v) for v in viridis(t)[:3]]
                got = tr[y][x + k * cw][2]
                if not got or max(abs(a - b) for a, b in zip(got, want)) > 4: bad_rgb += 1
                # 256: nearest xterm colour to the truecolor cell
                g2 = c2[y][x + k * cw][2] if len(c2[y]) > x + k * cw and c2[y][x + k * cw] else None
                def pal(i):
                    if i >= 232: v = 8 + 10 * (i - 232); return (v, v, v)
                    lv = [0, 95, 135, 175, 215, 255]; i -= 16
                    return (lv[i // 36], lv[i // 6 % 6], lv[i % 6])
                d = lambda i: sum((a - b) ** 2 for a, b in zip(pal(i), got or (0, 0, 0)))
                if not isinstance(g2, int) or d(g2) != min(d(i) for i in range(16, 256)): bad_256 += 1
                # monochrome: round(4t) of " ░▒▓█", either neighbour at a bin edge
                ramp = " ░▒▓█"
                ch = mo[y][x + k * cw][0] if len(mo[y]) > x + k * cw and mo[y][x + k * cw] else " "
                okc = {ramp[int(4 * t + 0.5 + e)] for e in (-1e-4, 1e-4) if int(4 * t + 0.5 + e) <= 4}
                if ch not in okc: bad_mono += 1
    check(f"ansi golden {w}: row labels are the query tokens in order", bad_label == 0, f"{bad_label} wrong")
    check(f"ansi golden true-{w}: cell colours = matplotlib viridis(w / max) of the CSV weights", bad_rgb == 0, f"{bad_rgb} cells off")
    check(f"ansi golden 256-{w}: cells are the nearest xterm colour of the truecolor cells", bad_256 == 0, f"{bad_256} cells off")
    check(f"ansi golden mono-{w}: shade = round(4 w / max) of ' ░▒▓█'", bad_mono == 0, f"{bad_mono} cells off")

# focus view: ranking of "it" against a sort of the CSV
q = [i for i in tok if tok[i] == "it"][0]
for w in (40, 80, 200):
    text = open(f"{gdir}/focus-it-mono-{w}.txt", encoding="utf-8").read()
    got, order = {}, []
    for line in text.split("\n"):
        hs = re.findall(r"layer 1 · head (\d+)", line)
        if hs: order = [int(h) for h in hs]; continue
        ents = re.findall(r"it → (\S+) +[█▉▊▋▌▍▎▏]* *(\d\.\d\d)", line)
        for h, e in zip(order, ents): got.setdefault(h, []).append(e)
    want = {h: [(tok[k], f"{W[(h, q, k)]:.2f}") for k in sorted(range(n), key=lambda k: (-W[(h, q, k)], k))[:5]]
            for h in heads}
    check(f"ansi golden focus-it-mono-{w}: top 5 keys of 'it' per head = sort of the CSV", got == want,
          f"got {got}, want {want}")
    for name in ("true", "256"):
        t2 = re.sub(r"\x1b\[[0-9;]*m", "", open(f"{gdir}/focus-it-{name}-{w}.txt", encoding="utf-8").read())
        check(f"ansi golden focus-it-{name}-{w}: same text as monochrome", t2 == text)
EOF

# ---- colour decisions: no escapes without colour ------------------------------------
noesc() { ! grep -q $'\x1b' "$1"; }
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -q -- "$2" "$1"; }
NO_COLOR=1 "$ATTNVIZ" --seed 42 -f ansi --color always --width 80 "$EXAMPLE" >"$TMP/nc.txt"
check "ansi: NO_COLOR=1 beats --color always: no escape sequence" noesc "$TMP/nc.txt"
NO_COLOR=1 "$ATTNVIZ" --seed 42 -f ansi --color always --width 80 -q it "$EXAMPLE" >"$TMP/ncq.txt"
check "ansi: NO_COLOR=1 focus view: no escape sequence" noesc "$TMP/ncq.txt"
"$ATTNVIZ" --seed 42 -f ansi --color never --width 80 "$EXAMPLE" >"$TMP/never.txt"
check "ansi: --color never: no escape sequence" noesc "$TMP/never.txt"
COLORTERM=truecolor "$ATTNVIZ" --seed 42 -f ansi --width 80 "$EXAMPLE" | cat >"$TMP/pipe.txt"
check "ansi: piped (auto), even with COLORTERM: no escape sequence" noesc "$TMP/pipe.txt"
check "ansi: piped output equals --color never" cmp -s "$TMP/pipe.txt" "$TMP/never.txt"
check "ansi: piped output has the titles" has "$TMP/pipe.txt" 'layer 1 · head 4'
"$ATTNVIZ" --seed 42 -f ansi --color always --width 80 "$EXAMPLE" | cat >"$TMP/always.txt"
check "ansi: --color always forces colour into a pipe" has "$TMP/always.txt" $'\x1b\[48;5;'
check "ansi: without COLORTERM: 256 colours, no 24-bit" hasnt "$TMP/always.txt" $'\x1b\[48;2;'
COLORTERM=24bit "$ATTNVIZ" --seed 42 -f ansi --color always --width 80 "$EXAMPLE" >"$TMP/24.txt"
check "ansi: COLORTERM=24bit gives 24-bit colour" has "$TMP/24.txt" $'\x1b\[48;2;'
"$ATTNVIZ" --seed 42 -f ansi --color always --colormap magma --width 80 "$EXAMPLE" >"$TMP/magma.txt"
check "ansi: --colormap magma changes the colours" bash -c '! cmp -s "$1" "$2"' _ "$TMP/magma.txt" "$TMP/always.txt"
"$ATTNVIZ" --seed 42 -f ansi --color never --width 80 -q 7 "$EXAMPLE" >"$TMP/q7.txt"
check "ansi: --query 7 (an index) = --query it" cmp -s "$TMP/q7.txt" "$G/focus-it-mono-80.txt"
"$ATTNVIZ" --seed 42 -f ansi --color never --width 80 -q it --top 2 "$EXAMPLE" >"$TMP/top2.txt"
check "ansi: --top 2 lists 2 keys per head" test "$(grep -o 'it →' "$TMP/top2.txt" | wc -l)" -eq 8

# ---- CJK and emoji: every column aligned (display widths by unicodedata) -----------
for w in 40 80 200; do
    "$ATTNVIZ" --seed 42 -f ansi --color never --width $w --values -H 1 "$CJK" >"$TMP/cjk$w.txt"
    "$ATTNVIZ" --seed 42 -f ansi --color never --width $w "$CJK" >"$TMP/cjkb$w.txt"
done
$PY - "$TMP" <<'EOF'
import re, sys, unicodedata
def cpw(c):
    o = ord(c)
    if unicodedata.combining(c) or o == 0x200D or 0xFE00 <= o <= 0xFE0F: return 0
    if unicodedata.east_asian_width(c) in "WF" or 0x1F300 <= o <= 0x1FAFF: return 2
    return 1
def cols(line):
    """[(display column, char)] of each character."""
    out, x = [], 0
    for c in line:
        out.append((x, c)); x += cpw(c)
    return out, x
for w in (40, 80, 200):
    for kind in ("cjk", "cjkb"):
        lines = open(f"{sys.argv[1]}/{kind}{w}.txt", encoding="utf-8").read().split("\n")
        widest = max(cols(l)[1] for l in lines)
        print(("PASS" if widest <= w else "FAIL") + f" ansi: CJK/emoji {kind} {w} cols: no line wider than {w} (widest {widest})")
    lines = open(f"{sys.argv[1]}/cjk{w}.txt", encoding="utf-8").read().split("\n")
    rows = [l for l in lines if re.search(r"\d\.\d\d", l) and "▕" not in l]
    if w == 40:  # 11 keys × 5 columns do not fit: the values must be dropped, with a note
        note = any("--values" in l for l in lines) and not rows
        print(("PASS" if note else "FAIL") + " ansi: CJK/emoji --values at 40 cols: dropped with a note")
        continue
    starts = []
    for l in rows:
        cs, _ = cols(l)
        starts.append(tuple(x for (x, c), nxt in zip(cs, l[1:] + " ") if c.isdigit() and nxt == "."))
    same = len(rows) == 11 and all(s == starts[0] and len(s) == 11 for s in starts)
    print(("PASS" if same else "FAIL") + f" ansi: CJK/emoji --values {w} cols: every number in the same column on every row"
          + ("" if same else f": {len(rows)} rows, {starts[:3]}"))
    if not same: continue
    # key labels (one line, or vertical) start over the first digit of their column
    first = lines.index(rows[0])
    title = [i for i in range(first) if "layer 1 · head" in lines[i]][-1]
    bad = [(i, x, c) for i in range(title + 1, first) for x, c in cols(lines[i])[0]
           if c != " " and cpw(c) > 0 and x not in starts[0]]
    glyphs = sum(1 for i in range(title + 1, first) for c in lines[i] if c != " " and cpw(c) > 0)
    print(("PASS" if not bad and glyphs >= 11 else "FAIL") + f" ansi: CJK/emoji --values {w} cols: key labels above their columns"
          + ("" if not bad else f": {bad[:4]}"))
EOF

# ---- a real terminal: tmux -------------------------------------------------------
if ! command -v tmux >/dev/null; then
    echo "SKIP ansi: tmux test: tmux is not installed"
else
    T="tmux -S $TMP/tmux.sock"  # a private server, its socket removed with $TMP
    tcap() { # WIDTH OUTFILE CMD: run CMD in a fresh WIDTHx60 terminal, capture it with escapes
        $T kill-server 2>/dev/null
        $T new-session -d -x "$1" -y 60 "$3; sleep 10"
        local i
        for i in $(seq 1 50); do
            sleep 0.1
            $T capture-pane -e -p -N >"$2" 2>/dev/null
            grep -q 'viridis\|head' "$2" && sleep 0.3 && break
        done
        $T capture-pane -e -p -N >"$2"
        $T kill-server 2>/dev/null
    }
    q() { printf '%q' "$1"; }
    tcap 200 "$TMP/tmux200.txt" "COLORTERM=truecolor $(q "$ATTNVIZ") --seed 42 $(q "$EXAMPLE")"
    tcap 80 "$TMP/tmux80.txt" "unset COLORTERM; $(q "$ATTNVIZ") --seed 42 $(q "$EXAMPLE")"
    tcap 80 "$TMP/tmuxq.txt" "$(q "$ATTNVIZ") --seed 42 -q it $(q "$EXAMPLE")"
    for f in tmux200 tmux80; do
        t=$TMP/$f.txt
        heads=$(grep -o 'layer 1 · head [1-4]' "$t" | sort -u | wc -l)
        check "ansi: tmux $f: four titled heads on screen" test "$heads" -eq 4
        check "ansi: tmux $f: query labels on screen" grep -q 'because' "$t"
        check "ansi: tmux $f: caption and colour bar" grep -q 'rows = queries.*' "$t"
    done
    check "ansi: tmux 200 cols, COLORTERM=truecolor: 24-bit colours on screen" grep -q $'\x1b\\[[0-9;]*[34]8;2;' "$TMP/tmux200.txt"
    check "ansi: tmux 80 cols, auto colour on a terminal: 256 colours on screen" grep -q $'\x1b\\[[0-9;]*48;5;' "$TMP/tmux80.txt"
    check "ansi: tmux 200 cols: the 4 heads side by side on one line" grep -q 'head 1.*head 2.*head 3.*head 4' "$TMP/tmux200.txt"
    check "ansi: tmux focus view: ranked keys of it" grep -q 'it → .*0\.[0-9][0-9]' "$TMP/tmuxq.txt"
fi

# A glyph of many combining marks (76 bytes) in a vertical key label: drawn
# whole (it was cut at 63 bytes, inside a character: invalid UTF-8)
glyph=$("$PY" -c 'print("e" + "\u20d7" * 25)')
run vglyph --seed 42 --color never -l 1 -H 1 "x${glyph}yz abcdef ghijkl mnopqr stuvwx"
if [ "$(rc vglyph)" -eq 0 ] && "$PY" -c '
import sys
out = open(sys.argv[1], "rb").read().decode("utf-8")  # fails on invalid UTF-8
sys.exit(0 if any(l.split()[:1] == [sys.argv[2]] for l in out.splitlines()) else 1)' "$TMP/vglyph.out" "$glyph"
then pass "ansi: a 76-byte glyph in a vertical key label, whole"
else fail "ansi: a 76-byte glyph in a vertical key label, whole" "$(head -c 300 "$TMP/vglyph.out" | tr '\n' '|')"; fi
