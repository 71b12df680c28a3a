#!/bin/bash
# startup.sh — issue 21, process start-up: the libraries only some runs need
# are not linked but opened when first needed, so that a terminal or CSV
# run does not load them (they cost every process 0.5 ms, OpenBLAS 4 ms):
#  - the binary links none of FreeType, fontconfig, libpng, zlib, OpenBLAS,
#    libsentencepiece, the C++ runtime (ldd);
#  - the example in the terminal and as CSV loads none of them (the dynamic
#    loader's own report, LD_DEBUG=files);
#  - a PNG loads FreeType, fontconfig and libpng, an SVG FreeType and
#    fontconfig, a page zlib, and each output is still made.
. "$(dirname "$0")/lib.sh"
LAZY='libfreetype|libfontconfig|libpng|libz\.so|libopenblas|libsentencepiece|libstdc\+\+'

linked=$(ldd "$ATTNVIZ" 2>&1)
if echo "$linked" | grep -qE 'libcjson' && ! echo "$linked" | grep -qE "$LAZY"; then pass "not linked"
else fail "not linked" "$(echo "$linked" | grep -E "$LAZY|not found" | tr '\n' '|')"; fi

# loaded NAME ARGS...: the libraries the run opened (LD_DEBUG=files lines
# "file=libX.so.N [0];  needed by" or "dynamically loaded by"), one per line
loaded() {
    local name=$1; shift
    LD_DEBUG=files "$ATTNVIZ" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null
    echo $? >"$TMP/$name.rc"
    sed -n "s/^ *[0-9]*:[[:space:]]*file=\([^ ]*\) .*/\1/p" "$TMP/$name.err" | sort -u
}
for f in ansi csv; do
    libs=$(loaded "text-$f" -f "$f" "$EXAMPLE")
    if [ "$(rc "text-$f")" -eq 0 ] && [ -s "$TMP/text-$f.out" ] && echo "$libs" | grep -q libcjson &&
       ! echo "$libs" | grep -qE "$LAZY"; then pass "-f $f loads no figure library"
    else fail "-f $f loads no figure library" "exit $(rc "text-$f"), loaded: $(echo "$libs" | tr '\n' ' ')"; fi
done
# want NAME FORMAT MAGIC LIBS...: the output starts with MAGIC and each of LIBS was loaded
want() {
    local name=$1 fmt=$2 magic=$3; shift 3
    local libs; libs=$(loaded "$name" -f "$fmt" -l 1 -H 1 -o "$TMP/$name.$fmt" "$EXAMPLE")
    local ok=1
    for l in "$@"; do echo "$libs" | grep -q "^$l" || ok=0; done
    if [ "$(rc "$name")" -eq 0 ] && [ "$ok" -eq 1 ] && head -c 64 "$TMP/$name.$fmt" | grep -qa "$magic"; then pass "$name"
    else fail "$name" "exit $(rc "$name"), loaded: $(echo "$libs" | tr '\n' ' ')"; fi
}
want "png opens FreeType, fontconfig, libpng" png PNG libfreetype libfontconfig libpng
want "svg opens FreeType, fontconfig" svg '<svg' libfreetype libfontconfig
want "html opens zlib" html '<!DOCTYPE html>' libz.so
