#!/bin/bash
# robust.sh — outputs and inputs never destroy or hang (issue 11).
# san: yes  (also run against the ASan+UBSan build: a leak or UB exits 99)
#
# Outputs: devices (made with mknod in a temporary directory, as root),
# FIFOs, /dev/stdout, symbolic links, read-only and immutable files, modes
# and owners of replaced files, signals during a write. Inputs: size limits,
# NUL bytes, FIFOs with no writer, endless standard input, duplicate keys,
# deep nesting, invalid UTF-8. Text: control and bidi characters escaped in
# every view. Each check is its own PASS/FAIL/SKIP line; anything that could
# hang runs under `timeout` (a guard against hanging, not a timing test).
. "$(dirname "$0")/lib.sh"
V=$ROOT/tests/bad/valid.json
PY=${PY:-/usr/bin/python3}
G=60 # seconds before a hang counts as a hang
is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1

# one_line NAME ERRFILE ERE: stderr is one "attnviz: " line matching ERE
one_line() {
    local lines first
    lines=$(wc -l <"$2")
    first=$(head -n 1 "$2")
    [ "$lines" -eq 1 ] && [[ $first == "attnviz: "* ]] && grep -qE -e "$3" <<<"$first"
}
# no_temp DIR: no *.tmp.* left in DIR
no_temp() { ! ls -A "$1" | grep -q '\.tmp\.'; }
# a reference output to compare with
"$ATTNVIZ" -f csv "a b" >"$TMP/ab.csv" 2>/dev/null </dev/null

# ---- -o onto a character device: written through, still a device ----------
if [ $is_root -eq 1 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
    run chr -f csv -o "$TMP/null" "a b"
    if [ "$(rc chr)" -eq 0 ] && [ -c "$TMP/null" ] && [ ! -s "$TMP/chr.err" ] && no_temp "$TMP"
    then pass out-char-device-written-through
    else fail out-char-device-written-through "exit $(rc chr), $(ls -l "$TMP/null"): $(errtxt chr)"; fi
    run chrsave --seed 42 --save-model "$TMP/null"
    if [ "$(rc chrsave)" -eq 0 ] && [ -c "$TMP/null" ] && no_temp "$TMP"
    then pass save-model-char-device-written-through
    else fail save-model-char-device-written-through "exit $(rc chrsave), $(ls -l "$TMP/null"): $(errtxt chrsave)"; fi
    run chrpng -f png --grid -o "$TMP/null" "a b"
    if [ "$(rc chrpng)" -eq 0 ] && [ -c "$TMP/null" ] && no_temp "$TMP"
    then pass png-char-device-written-through
    else fail png-char-device-written-through "exit $(rc chrpng), $(ls -l "$TMP/null"): $(errtxt chrpng)"; fi
    rm -f "$TMP/null"
else
    for n in out-char-device-written-through save-model-char-device-written-through \
             png-char-device-written-through; do
        echo "SKIP $n: mknod needs root (running as uid $(id -u)) or is not allowed here"
    done
fi

# ---- -o onto a block device: never replaced by a file ----------------------
# block major 1 is the RAM disk (brd): writing there is harmless, and where
# no RAM disk exists the open fails (exit 1, one line)
if [ $is_root -eq 1 ] && mknod "$TMP/blk" b 1 15 2>/dev/null; then
    run blk -f csv -o "$TMP/blk" "a b"
    r=$(rc blk)
    if [ -b "$TMP/blk" ] && no_temp "$TMP" &&
       { [ "$r" -eq 0 ] || { [ "$r" -eq 1 ] && one_line blk "$TMP/blk.err" "$TMP/blk: "; }; }
    then pass out-block-device-not-replaced
    else fail out-block-device-not-replaced "exit $r, $(ls -l "$TMP/blk"): $(errtxt blk)"; fi
    rm -f "$TMP/blk"
else
    echo "SKIP out-block-device-not-replaced: mknod needs root (running as uid $(id -u)) or is not allowed here"
fi

# ---- -o onto a FIFO: written through to its reader -------------------------
mkfifo "$TMP/fifo"
timeout $G cat "$TMP/fifo" >"$TMP/fifo.got" &
reader=$!
timeout $G "$ATTNVIZ" -f csv -o "$TMP/fifo" "a b" >/dev/null 2>"$TMP/fifo.err" </dev/null
r=$?
wait $reader
if [ $r -eq 0 ] && [ -p "$TMP/fifo" ] && cmp -s "$TMP/fifo.got" "$TMP/ab.csv" && no_temp "$TMP"
then pass out-fifo-written-through
else fail out-fifo-written-through "exit $r, reader got $(wc -c <"$TMP/fifo.got") bytes: $(head -c 200 "$TMP/fifo.err")"; fi
rm -f "$TMP/fifo"

# ---- -o /dev/stdout: the descriptor itself (>> keeps appending) ------------
# A broken attnviz would rename a file over /dev/stdout: as root, the case
# runs in a private mount namespace whose /dev is a fresh tmpfs, so only
# that copy could suffer; otherwise /dev/fd/1 is used (nothing can be
# created in /proc/self/fd) and the /dev/stdout spelling is skipped.
private_dev() {
    unshare -m sh -c 'mount -t tmpfs none /dev && mknod /dev/null c 1 3 && ln -s /proc/self/fd /dev/fd &&
        ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd/2 /dev/stderr && exec "$@"' sh "$@"
}
if [ $is_root -eq 1 ] && command -v unshare >/dev/null && private_dev true 2>/dev/null; then
    ns=private_dev stdout=/dev/stdout
else
    ns= stdout=/dev/fd/1
    echo "SKIP out-dev-stdout-spelling: needs root and unshare -m for a private /dev (testing /dev/fd/1)"
fi
echo "first line" >"$TMP/app.txt"
$ns "$ATTNVIZ" -f csv -o $stdout "a b" >>"$TMP/app.txt" 2>"$TMP/app.err" </dev/null
r=$?
if [ $r -eq 0 ] && [ "$(head -n 1 "$TMP/app.txt")" = "first line" ] &&
   cmp -s <(tail -n +2 "$TMP/app.txt") "$TMP/ab.csv"
then pass out-dev-stdout-appends
else fail out-dev-stdout-appends "-o $stdout, exit $r: $(head -c 200 "$TMP/app.err"); file: $(head -c 100 "$TMP/app.txt" | tr '\n' '|')"; fi
$ns "$ATTNVIZ" -f csv -o $stdout "a b" 2>"$TMP/pipe.err" </dev/null | cat >"$TMP/pipe.got"
if [ "${PIPESTATUS[0]}" -eq 0 ] && cmp -s "$TMP/pipe.got" "$TMP/ab.csv"
then pass out-dev-stdout-pipe; else fail out-dev-stdout-pipe "-o $stdout: $(head -c 200 "$TMP/pipe.err")"; fi

# ---- -o a directory (text format): an error, the directory untouched -------
mkdir "$TMP/adir"
run adir -f csv -o "$TMP/adir" "a b"
if [ "$(rc adir)" -eq 1 ] && one_line adir "$TMP/adir.err" "adir: Is a directory" && [ -z "$(ls -A "$TMP/adir")" ] &&
   no_temp "$TMP"
then pass out-directory-refused; else fail out-directory-refused "exit $(rc adir): $(errtxt adir)"; fi

# ---- a symbolic link: its target is replaced, the link stays ---------------
mkdir "$TMP/ln" "$TMP/ln/real"
echo old >"$TMP/ln/real/target.csv"
chmod 0600 "$TMP/ln/real/target.csv"
[ $is_root -eq 1 ] && chown 65534:65534 "$TMP/ln/real/target.csv"
ln -s real/target.csv "$TMP/ln/link.csv"
run link -f csv -o "$TMP/ln/link.csv" "a b"
if [ "$(rc link)" -eq 0 ] && [ -L "$TMP/ln/link.csv" ] && [ "$(readlink "$TMP/ln/link.csv")" = real/target.csv ] &&
   cmp -s "$TMP/ln/real/target.csv" "$TMP/ab.csv" && no_temp "$TMP/ln" && no_temp "$TMP/ln/real"
then pass out-symlink-target-replaced
else fail out-symlink-target-replaced "exit $(rc link), $(ls -l "$TMP/ln" | tr '\n' '|'): $(errtxt link)"; fi
m=$(stat -c %a "$TMP/ln/real/target.csv")
[ "$m" = 600 ] && pass out-symlink-target-keeps-mode || fail out-symlink-target-keeps-mode "mode $m, was 600"
if [ $is_root -eq 1 ]; then
    o=$(stat -c %u:%g "$TMP/ln/real/target.csv")
    [ "$o" = 65534:65534 ] && pass out-replaced-keeps-owner-as-root ||
        fail out-replaced-keeps-owner-as-root "owner $o, was 65534:65534"
else
    echo "SKIP out-replaced-keeps-owner-as-root: needs root to give a file away (uid $(id -u))"
fi
ln -s nowhere.csv "$TMP/ln/dangling.csv"
run dangling -f csv -o "$TMP/ln/dangling.csv" "a b"
if [ "$(rc dangling)" -eq 0 ] && [ -L "$TMP/ln/dangling.csv" ] && cmp -s "$TMP/ln/nowhere.csv" "$TMP/ab.csv"
then pass out-dangling-symlink-creates-target
else fail out-dangling-symlink-creates-target "exit $(rc dangling): $(errtxt dangling)"; fi

# ---- modes of replaced files are kept (0600 stays 0600) --------------------
for mode in 600 640 755; do
    echo old >"$TMP/mode$mode.csv"
    chmod "$mode" "$TMP/mode$mode.csv"
    run "mode$mode" -f csv -o "$TMP/mode$mode.csv" "a b"
    m=$(stat -c %a "$TMP/mode$mode.csv")
    if [ "$(rc "mode$mode")" -eq 0 ] && [ "$m" = "$mode" ] && cmp -s "$TMP/mode$mode.csv" "$TMP/ab.csv"
    then pass "out-replaced-keeps-mode-$mode"
    else fail "out-replaced-keeps-mode-$mode" "exit $(rc "mode$mode"), mode now $m: $(errtxt "mode$mode")"; fi
done
umask_before=$(umask)
umask 027
run newmode -f csv -o "$TMP/new.csv" "a b"
umask "$umask_before"
m=$(stat -c %a "$TMP/new.csv")
[ "$m" = 640 ] && pass out-new-file-mode-from-umask || fail out-new-file-mode-from-umask "mode $m with umask 027"
# images replaced in a directory keep their mode too
mkdir "$TMP/figs"
run figs1 --seed 42 -f png -o "$TMP/figs" "a b"
chmod 600 "$TMP/figs/layer1-head2.png"
run figs2 -f png -o "$TMP/figs" --seed 7 "a b"
m=$(stat -c %a "$TMP/figs/layer1-head2.png")
if [ "$(rc figs2)" -eq 0 ] && [ "$m" = 600 ] && no_temp "$TMP/figs"
then pass out-images-keep-mode; else fail out-images-keep-mode "exit $(rc figs2), mode $m: $(errtxt figs2)"; fi
# a FIFO among the images: refused before anything is written
rm "$TMP/figs/layer1-head3.png" && mkfifo "$TMP/figs/layer1-head3.png"
cp "$TMP/figs/layer1-head1.png" "$TMP/head1.before"
run figsfifo -f png -o "$TMP/figs" --seed 8 "a b"
if [ "$(rc figsfifo)" -eq 1 ] && one_line figsfifo "$TMP/figsfifo.err" "layer1-head3\.png: not a regular file" &&
   cmp -s "$TMP/figs/layer1-head1.png" "$TMP/head1.before" && [ -p "$TMP/figs/layer1-head3.png" ] &&
   no_temp "$TMP/figs"
then pass out-images-fifo-refused-before-writing
else fail out-images-fifo-refused-before-writing "exit $(rc figsfifo): $(errtxt figsfifo)"; fi

# ---- read-only files: refused unless cp would write them -------------------
# decide with cp itself, as the same user, on a twin file
ro_case() { # NAME RUNNER...: RUNNER is "" (this user) or a setpriv prefix
    local name=$1; shift
    local d=$TMP/$name
    mkdir "$d" && chmod 1777 "$d"
    "$@" sh -c 'echo old > "$1/ro.csv"; echo old > "$1/twin.csv"; chmod 0444 "$1/ro.csv" "$1/twin.csv"' sh "$d"
    "$@" cp "$TMP/ab.csv" "$d/twin.csv" 2>/dev/null
    local cp_rc=$?
    "$@" "$ATTNVIZ" -f csv -o "$d/ro.csv" "a b" >/dev/null 2>"$d/err" </dev/null
    local r=$?
    local m
    m=$(stat -c %a "$d/ro.csv")
    if [ $cp_rc -eq 0 ]; then # cp may write it: so may attnviz, and the mode stays
        if [ $r -eq 0 ] && cmp -s "$d/ro.csv" "$TMP/ab.csv" && [ "$m" = 444 ] && no_temp "$d"
        then pass "$name-replaced-like-cp"
        else fail "$name-replaced-like-cp" "cp wrote the twin, attnviz exit $r, mode $m: $(head -c 200 "$d/err")"; fi
    else
        if [ $r -eq 1 ] && one_line x "$d/err" "ro\.csv: " && [ "$(cat "$d/ro.csv")" = old ] && no_temp "$d"
        then pass "$name-refused-like-cp"
        else fail "$name-refused-like-cp" "cp refused, attnviz exit $r: $(head -c 200 "$d/err" | tr '\n' '|')"; fi
    fi
}
ro_case readonly-as-self
if [ $is_root -eq 1 ] && command -v setpriv >/dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    chmod o+x "$TMP"
    ro_case readonly-as-nobody setpriv --reuid=65534 --regid=65534 --clear-groups
else
    echo "SKIP readonly-as-nobody-refused-like-cp: needs root and setpriv to run as another user"
fi
if [ $is_root -eq 1 ] && echo old >"$TMP/imm.csv" && chattr +i "$TMP/imm.csv" 2>/dev/null; then
    run imm -f csv -o "$TMP/imm.csv" "a b"
    cp "$TMP/ab.csv" "$TMP/imm.csv" 2>/dev/null && cpimm=0 || cpimm=1
    if [ "$(rc imm)" -eq 1 ] && [ $cpimm -eq 1 ] && one_line imm "$TMP/imm.err" "imm\.csv: Operation not permitted" &&
       [ "$(cat "$TMP/imm.csv")" = old ] && no_temp "$TMP"
    then pass out-immutable-file-refused
    else fail out-immutable-file-refused "exit $(rc imm), cp exit $cpimm: $(errtxt imm)"; fi
    chattr -i "$TMP/imm.csv"
else
    echo "SKIP out-immutable-file-refused: chattr +i needs root and a file system that supports it"
fi

# ---- SIGINT / SIGTERM during a write: the temporary file goes --------------
# attnviz writes sentence 1 into OUT.tmp.XXXXXX once line 2 has come (which
# decides the numbering), then waits for line 3 on a FIFO we hold open: the
# signal comes in the middle of the output. Job
# control (set -m) so the background job does not start with SIGINT ignored.
sig_case() { # NAME SIGNAL CODE
    local d=$TMP/$1
    mkdir "$d"
    mkfifo "$d/in"
    set -m
    timeout $G "$ATTNVIZ" -f csv -o "$d/out.csv" <"$d/in" >/dev/null 2>"$d/err" &
    local pid=$!
    set +m
    exec 3>"$d/in"
    printf 'the cat sat\nthe dog\n' >&3
    local i=0
    while ! ls "$d" | grep -q 'out\.csv\.tmp\.' || [ ! -s "$d"/out.csv.tmp.* ]; do
        sleep 0.05
        i=$((i + 1))
        [ $i -gt $((G * 20)) ] && break
    done
    local pid_attn
    pid_attn=$(pgrep -P "$pid" | head -n 1)
    kill -s "$2" "${pid_attn:-$pid}"
    wait "$pid"
    local r=$?
    exec 3>&-
    if [ $r -eq "$3" ] && no_temp "$d" && [ ! -e "$d/out.csv" ] && [ ! -s "$d/err" ]
    then pass "$1"
    else fail "$1" "exit $r (want $3), left: $(ls "$d" | tr '\n' ' ') $(head -c 200 "$d/err")"; fi
}
sig_case sigint-removes-temp-exit-130 INT 130
sig_case sigterm-removes-temp-exit-143 TERM 143
# a large output, stopped (SIGSTOP) while it writes, then SIGTERM
"$PY" -c "print(' '.join('w%d' % i for i in range(1200)))" >"$TMP/long.txt"
mkdir "$TMP/big"
timeout $G "$ATTNVIZ" -f csv --seed 42 --dim 16 -o "$TMP/big/out.csv" <"$TMP/long.txt" >/dev/null 2>"$TMP/big.err" &
pid=$!
i=0
until ls "$TMP/big" | grep -q 'out\.csv\.tmp\.' || ! kill -0 "$pid" 2>/dev/null || [ $i -gt $((G * 100)) ]; do
    sleep 0.01; i=$((i + 1))
done
attn=$(pgrep -P "$pid" | head -n 1)
had=0
if [ -n "$attn" ] && kill -STOP "$attn" 2>/dev/null; then
    had=$(ls "$TMP/big" | grep -c 'out\.csv\.tmp\.')
    [ "$had" -eq 0 ] && kill -CONT "$attn" # it had finished writing: nothing to test
fi
if [ "$had" -eq 1 ]; then
    kill -TERM "$attn"
    kill -CONT "$attn"
    wait "$pid"
    r=$?
    if [ $r -eq 143 ] && no_temp "$TMP/big" && [ ! -e "$TMP/big/out.csv" ]
    then pass sigterm-stopped-large-write-removes-temp
    else fail sigterm-stopped-large-write-removes-temp "exit $r: $(ls "$TMP/big") $(head -c 200 "$TMP/big.err")"; fi
else
    wait "$pid"
    echo "SKIP sigterm-stopped-large-write-removes-temp: attnviz finished before it could be stopped"
fi

# ---- standard input: streamed line by line ---------------------------------
# the pipeline ends (head closes, attnviz goes quietly) and the first rows come
yes "the cat" 2>/dev/null | timeout $G "$ATTNVIZ" -f csv 2>"$TMP/yes.err" | head -n 3 >"$TMP/yes.got"
st=("${PIPESTATUS[@]}")
if [ "${st[1]}" -eq 141 ] && [ "$(wc -l <"$TMP/yes.got")" -eq 3 ] && [ ! -s "$TMP/yes.err" ] &&
   [ "$(head -n 1 "$TMP/yes.got")" = "sentence,layer,head,query_index,query_token,key_index,key_token,weight" ]
then pass stdin-endless-yes-head
else fail stdin-endless-yes-head "attnviz status ${st[1]} (want 141 = SIGPIPE), $(wc -l <"$TMP/yes.got") lines: $(head -c 200 "$TMP/yes.err")"; fi
# with SIGPIPE ignored, EPIPE: the same quiet exit 141
(trap '' PIPE; yes "the cat" 2>/dev/null | timeout $G "$ATTNVIZ" -f csv 2>"$TMP/yes2.err" | head -n 3 >/dev/null
 echo "${PIPESTATUS[1]}" >"$TMP/yes2.rc")
if [ "$(cat "$TMP/yes2.rc")" -eq 141 ] && [ ! -s "$TMP/yes2.err" ]
then pass stdout-epipe-quiet-exit-141
else fail stdout-epipe-quiet-exit-141 "exit $(cat "$TMP/yes2.rc"): $(head -c 200 "$TMP/yes2.err")"; fi
# output comes before the end of the input: read it while the writer is open
mkfifo "$TMP/sin" "$TMP/sout"
timeout $G "$ATTNVIZ" -f csv <"$TMP/sin" >"$TMP/sout" 2>"$TMP/stream.err" &
pid=$!
exec 3>"$TMP/sin" 4<"$TMP/sout"
printf 'the cat\nthe dog\n' >&3
if read -r -t $G -u 4 first && [ "$first" = "sentence,layer,head,query_index,query_token,key_index,key_token,weight" ]
then pass stdin-first-sentence-before-end-of-input
else fail stdin-first-sentence-before-end-of-input "nothing within ${G}s while the input stayed open: '${first:-}'"; fi
exec 3>&-
cat <&4 >/dev/null
exec 4<&-
wait $pid
r=$?
[ $r -eq 0 ] && pass stdin-stream-exit-0 || fail stdin-stream-exit-0 "exit $r: $(head -c 200 "$TMP/stream.err")"

# ---- NUL bytes are reported as NUL bytes -----------------------------------
printf 'the cat\nab\0c\n' | "$ATTNVIZ" -f csv >/dev/null 2>"$TMP/nul.err"
r=$?
if [ $r -eq 2 ] && one_line nul "$TMP/nul.err" "standard input, line 2: NUL byte at byte 2" && ! grep -q UTF-8 <(head -c 40 "$TMP/nul.err")
then pass stdin-nul-byte; else fail stdin-nul-byte "exit $r: $(head -c 200 "$TMP/nul.err")"; fi
# NUL bytes past the line limit: the NUL is what is reported (20 MiB, not
# /dev/zero itself, so that an attnviz reading everything cannot eat memory)
head -c $((20 << 20)) /dev/zero | timeout $G "$ATTNVIZ" -f csv >/dev/null 2>"$TMP/zero.err"
r=${PIPESTATUS[1]}
if [ "$r" -eq 2 ] && one_line zero "$TMP/zero.err" "line 1: NUL byte at byte 0"
then pass stdin-zeros; else fail stdin-zeros "exit $r: $(head -c 200 "$TMP/zero.err")"; fi

# ---- size limits: documented defaults, overridable -------------------------
grep -q "16 MiB (ATTNVIZ_MAX_LINE" <("$ATTNVIZ" --help) && grep -q "1 GiB" <("$ATTNVIZ" --help) &&
    pass limits-in-help || fail limits-in-help "--help does not state the limits"
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$TMP/longline"
"$ATTNVIZ" -f none <"$TMP/longline" >/dev/null 2>"$TMP/ll.err"
r=$?
if [ $r -eq 2 ] && one_line ll "$TMP/ll.err" "line 1: longer than the limit for a line \(16 MiB; set ATTNVIZ_MAX_LINE"
then pass stdin-line-limit-default-16MiB; else fail stdin-line-limit-default-16MiB "exit $r: $(head -c 200 "$TMP/ll.err")"; fi
ATTNVIZ_MAX_LINE=17M "$ATTNVIZ" -f none <"$TMP/longline" >/dev/null 2>"$TMP/ll2.err"
r=$?
[ $r -eq 0 ] && pass stdin-line-limit-raised || fail stdin-line-limit-raised "exit $r: $(head -c 200 "$TMP/ll2.err")"
rm -f "$TMP/longline"
echo "the cat sat on the mat" | ATTNVIZ_MAX_LINE=10 "$ATTNVIZ" -f csv >/dev/null 2>"$TMP/l10.err"
r=$?
if [ $r -eq 2 ] && one_line l10 "$TMP/l10.err" "\(10 bytes; set ATTNVIZ_MAX_LINE"
then pass stdin-line-limit-lowered; else fail stdin-line-limit-lowered "exit $r: $(head -c 200 "$TMP/l10.err")"; fi
echo "the cat" | ATTNVIZ_MAX_LINE=lots "$ATTNVIZ" -f csv >/dev/null 2>"$TMP/lbad.err"
r=$?
if [ $r -eq 2 ] && one_line lbad "$TMP/lbad.err" "ATTNVIZ_MAX_LINE: 'lots' is not a size"
then pass limit-env-invalid; else fail limit-env-invalid "exit $r: $(head -c 200 "$TMP/lbad.err")"; fi
sz=$(stat -c %s "$V")
ATTNVIZ_MAX_FILE=$((sz - 1)) "$ATTNVIZ" -m "$V" "a b" >/dev/null 2>"$TMP/fl.err" </dev/null
r=$?
if [ $r -eq 2 ] && one_line fl "$TMP/fl.err" "valid\.json: [0-9.]+ (bytes|KiB) is larger than the limit for a file read whole \([0-9.]+ (bytes|KiB); set ATTNVIZ_MAX_FILE"
then pass model-file-limit-lowered; else fail model-file-limit-lowered "exit $r: $(head -c 200 "$TMP/fl.err")"; fi
ATTNVIZ_MAX_FILE=$sz "$ATTNVIZ" -m "$V" "a b" >/dev/null 2>"$TMP/fl2.err" </dev/null
r=$?
[ $r -eq 0 ] && pass model-file-limit-exact || fail model-file-limit-exact "exit $r: $(head -c 200 "$TMP/fl2.err")"
# a stream with no size to check first (a pipe): the limit stops the read
head -c $((2 << 20)) /dev/zero | ATTNVIZ_MAX_FILE=1M timeout $G "$ATTNVIZ" -m /dev/stdin "a" >/dev/null 2>"$TMP/fz.err"
r=${PIPESTATUS[1]}
if [ "$r" -eq 2 ] && one_line fz "$TMP/fz.err" "/dev/stdin: larger than the limit for a file read whole \(1 MiB"
then pass model-stream-stops-at-limit; else fail model-stream-stops-at-limit "exit $r: $(head -c 200 "$TMP/fz.err")"; fi
grep -q "1 GiB" <(grep -A16 -- "-m, --model" <(MANWIDTH=80 man -l "$ROOT/man/attnviz.1" 2>/dev/null)) &&
    grep -q ATTNVIZ_MAX_FILE "$ROOT/README.md" && grep -q ATTNVIZ_MAX_LINE "$ROOT/README.md" &&
    pass limits-documented || fail limits-documented "man page -m or README lacks the limits"

# ---- FIFOs with no writer as -m / --font: an error, not a hang -------------
mkfifo "$TMP/mfifo"
timeout $G "$ATTNVIZ" -m "$TMP/mfifo" "a b" >/dev/null 2>"$TMP/mf.err" </dev/null
r=$?
if [ $r -eq 2 ] && one_line mf "$TMP/mf.err" "mfifo: a FIFO with nothing to read"
then pass model-fifo-no-writer; else fail model-fifo-no-writer "exit $r (124 = hung): $(head -c 200 "$TMP/mf.err")"; fi
timeout $G "$ATTNVIZ" -f png --font "$TMP/mfifo" -o "$TMP/f.png" "a b" >/dev/null 2>"$TMP/ff.err" </dev/null
r=$?
if [ $r -eq 2 ] && one_line ff "$TMP/ff.err" "mfifo: not a regular file" && [ ! -e "$TMP/f.png" ]
then pass font-fifo-no-writer; else fail font-fifo-no-writer "exit $r (124 = hung): $(head -c 200 "$TMP/ff.err")"; fi
# with a writer, a FIFO is a fine model source
cat "$V" >"$TMP/mfifo" &
timeout $G "$ATTNVIZ" -m "$TMP/mfifo" -f csv "a b" >"$TMP/mfw.out" 2>"$TMP/mfw.err" </dev/null
r=$?
wait
"$ATTNVIZ" -m "$V" -f csv "a b" >"$TMP/mfv.out" 2>/dev/null </dev/null
if [ $r -eq 0 ] && cmp -s "$TMP/mfw.out" "$TMP/mfv.out"
then pass model-fifo-with-writer; else fail model-fifo-with-writer "exit $r: $(head -c 200 "$TMP/mfw.err")"; fi

# ---- weight files: duplicate keys, nesting, UTF-8, NUL ----------------------
model_err() { # NAME FILE ERE
    "$ATTNVIZ" -m "$2" "a b" >/dev/null 2>"$TMP/$1.err" </dev/null
    local r=$?
    if [ $r -eq 2 ] && one_line "$1" "$TMP/$1.err" "$3"; then pass "$1"
    else fail "$1" "exit $r: $(head -c 200 "$TMP/$1.err")"; fi
}
sed 's/"n_layers": 1/"n_layers": 1, "causal": false, "causal": true/' "$V" >"$TMP/dupcfg.json"
model_err json-duplicate-config-key "$TMP/dupcfg.json" 'dupcfg\.json: duplicate key "config\.causal"'
sed 's/"lowercase": false,/"lowercase": false, "lowercase": true,/' "$V" >"$TMP/duptok.json"
model_err json-duplicate-tokenizer-key "$TMP/duptok.json" 'duptok\.json: duplicate key "tokenizer\.lowercase"'
"$PY" -c "import sys; print('[' * 1001 + ']' * 1001)" >"$TMP/deep.json"
model_err json-nested-too-deeply "$TMP/deep.json" 'deep\.json:1:1001: nested too deeply \(more than 1000 levels\)'
"$PY" -c "import sys; print('{\"attnviz_model\": 1, \"extra\": ' + '[' * 998 + ']' * 998 + '}')" >"$TMP/deep998.json"
"$ATTNVIZ" -m "$TMP/deep998.json" "a b" >/dev/null 2>"$TMP/d998.err" </dev/null
grep -q "nested too deeply" "$TMP/d998.err" && fail json-999-levels-not-too-deep "$(head -c 200 "$TMP/d998.err")" ||
    pass json-999-levels-not-too-deep
sed 's/"b"$/"b\xff"/' "$V" >"$TMP/badvocab.json"
grep -q $'\xff' "$TMP/badvocab.json" || fail vocab-fixture "sed did not put 0xFF into the vocabulary"
model_err json-vocab-invalid-utf8 "$TMP/badvocab.json" 'badvocab\.json:[0-9]+:[0-9]+: invalid UTF-8 \(byte 0xFF\)'
printf '{"attnviz_model": 1,\0 "config": {}}' >"$TMP/nul.json"
model_err json-nul-byte "$TMP/nul.json" 'nul\.json: not valid JSON \(NUL byte at byte 20\)'

# ---- --help / --version: a failed write is exit 1 ---------------------------
if [ -w /dev/full ]; then
    for o in --help --version; do
        "$ATTNVIZ" "$o" >/dev/full 2>"$TMP/full.err"
        r=$?
        if [ $r -eq 1 ] && one_line full "$TMP/full.err" "No space left on device"
        then pass "$o-write-error-exit-1"; else fail "$o-write-error-exit-1" "exit $r: $(head -c 200 "$TMP/full.err")"; fi
    done
else
    echo "SKIP --help-write-error-exit-1: no writable /dev/full"
fi

# ---- control and bidi characters: escaped in every view ---------------------
# the escaped set, derived here from Python's unicodedata (not from attnviz):
# Cc, the bidi embedding/override/isolate classes, LRM/RLM/ALM, Zl/Zp and the
# non-characters U+FFFE/U+FFFF; each put inside a word "x<c>y". The seeded
# model's words tokenizer keeps them in the tokens (a BERT tokenizer drops
# control characters) and has no limit on positions (the 160 words here)
"$PY" - "$TMP/esc" <<'EOF'
import sys, unicodedata as u
marks = {0x200E, 0x200F, 0x061C, 0xFFFE, 0xFFFF}
cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and
       (u.category(chr(c)) in ("Cc", "Zl", "Zp") or c in marks or
        u.bidirectional(chr(c)) in ("LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"))]
cps = [c for c in cps if c != 0]  # NUL cannot be in an argument
open(sys.argv[1] + ".cps", "w").write(" ".join("%04X" % c for c in cps))
open(sys.argv[1] + ".txt", "w", encoding="utf-8").write(" ".join("x%sy" % chr(c) for c in cps))
EOF
SENT=$(cat "$TMP/esc.txt")
# no_raw FILE: none of the characters appears raw; KEPT: "\uXXXX" forms found
no_raw() {
    "$PY" - "$1" "$TMP/esc.cps" "${2:-}" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
cps = [int(x, 16) for x in open(sys.argv[2]).read().split()]
skip = {0x0A} if sys.argv[3] == "nl" else set()
raw = ["%04X" % c for c in cps if c not in skip and chr(c) in data]
esc = [c for c in cps if "\\u%04X" % c in data]
print("raw:" + ",".join(raw[:8]), "escaped:%d" % len(esc))
sys.exit(1 if raw or not esc else 0)
EOF
}
"$ATTNVIZ" --seed 42 -f csv -H 1 "$SENT" >"$TMP/esc.csv" 2>"$TMP/esc.err" </dev/null
why=$(no_raw "$TMP/esc.csv" nl) && grep -q 'x\\u202Ey' "$TMP/esc.csv" && pass escape-csv || fail escape-csv "$why $(head -c 100 "$TMP/esc.err")"
"$ATTNVIZ" --seed 42 -f ansi --color never --width 400 -H 1 "$SENT" >"$TMP/esc.ans" 2>"$TMP/esc.err" </dev/null
why=$(no_raw "$TMP/esc.ans" nl) && pass escape-terminal || fail escape-terminal "$why $(head -c 100 "$TMP/esc.err")"
"$ATTNVIZ" --seed 42 -f ansi --color always --width 400 -H 1 "$SENT" 2>"$TMP/esc.err" </dev/null | tr -d '\033' >"$TMP/esc.col"
why=$(no_raw "$TMP/esc.col" nl) && pass escape-terminal-colour || fail escape-terminal-colour "$why"
"$ATTNVIZ" --seed 42 --explain 0 -H 1 "$SENT" >"$TMP/esc.exp" 2>"$TMP/esc.experr" </dev/null
r=$?
why=$(no_raw "$TMP/esc.exp" nl) && [ $r -eq 0 ] && pass escape-explain || fail escape-explain "exit $r $why $(head -c 100 "$TMP/esc.experr")"
"$ATTNVIZ" --seed 42 -q nosuchtoken "x$(printf '\u202e')y z" >/dev/null 2>"$TMP/esc.qerr" </dev/null
grep -q 'x\\u202Ey' "$TMP/esc.qerr" && ! grep -q "$(printf '\u202e')" "$TMP/esc.qerr" &&
    pass escape-error-message || fail escape-error-message "$(head -c 200 "$TMP/esc.qerr")"
"$ATTNVIZ" --seed 42 -f png --grid -H 1 -o "$TMP/esc.png" "$SENT" 2>"$TMP/esc.err" </dev/null
"$PY" - "$TMP/esc.png" "$TMP/esc.chunks" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
out, i = [], 8
while i < len(d):
    n, t = struct.unpack(">I4s", d[i:i + 8]); body = d[i + 8:i + 8 + n]; i += 12 + n
    if t == b"tEXt": out.append(body.replace(b"\0", b"=", 1))
    if t == b"iTXt":
        k, rest = body.split(b"\0", 1); comp = rest[0]; rest = rest[2:]
        lang, rest = rest.split(b"\0", 1); tk, text = rest.split(b"\0", 1)
        out.append(k + b"=" + (zlib.decompress(text) if comp else text))
open(sys.argv[2], "wb").write(b"\n".join(out))
EOF
why=$(no_raw "$TMP/esc.chunks" nl) && grep -q '^attnviz:tokens=' "$TMP/esc.chunks" && grep -q '^Comment=' "$TMP/esc.chunks" &&
    pass escape-png-text-chunks || fail escape-png-text-chunks "$why $(head -c 100 "$TMP/esc.err")"
"$ATTNVIZ" --seed 42 -f svg --grid -H 1 -o "$TMP/esc.svg" "$SENT" 2>"$TMP/esc.err" </dev/null
why=$(no_raw "$TMP/esc.svg" nl) && "$PY" -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$TMP/esc.svg" &&
    pass escape-svg || fail escape-svg "$why $(head -c 100 "$TMP/esc.err")"
# JSON keeps the exact text: \u escapes that read back to the same string
"$ATTNVIZ" --seed 42 -f json -H 1 "$SENT" >"$TMP/esc.json" 2>"$TMP/esc.err" </dev/null
why=$(no_raw "$TMP/esc.json" nl) && "$PY" - "$TMP/esc.json" "$TMP/esc.txt" <<'EOF' && pass escape-json-lossless || fail escape-json-lossless "$why"
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
want = open(sys.argv[2], encoding="utf-8").read()
got = [t["text"] for t in doc["tokens"]]
# every token the tokenizer kept is a substring of the sentence, character for character
assert all(t in want for t in got), [t for t in got if t not in want][:3]
assert any("\u202e" in t for t in got)
EOF
