#!/usr/bin/python3
"""A true-colour "screenshot" of a terminal program, as a PNG, for README.md.

    /usr/bin/python3 scripts/ansi_screenshot.py [--cols 100] [--scale 2] \
        -o docs/terminal-heatmap.png -- [./attnviz] ATTNVIZ-ARGS...
    /usr/bin/python3 scripts/ansi_screenshot.py -i out.ansi -o out.png

How the screen is obtained (default, the direct way, deterministic): the
command runs with stdout on a pipe, COLORTERM=truecolor, COLUMNS=COLS,
LC_ALL=C.UTF-8 and NO_COLOR unset, and its stdout is the ANSI stream. A pipe
is not a terminal, so for attnviz the script adds what a terminal would have
given it, unless the arguments already say: "-f ansi" (the default format on
a terminal), "--color always" and "--width COLS". With no command after
"--", or when the first word after "--" is not an executable file, the
command is $ATTNVIZ or ./attnviz at the repository root.
  --tmux instead runs the command in a private tmux server (its own socket in
a temporary directory, -f /dev/null, a COLS x ROWS window) and captures the
pane with "capture-pane -e -p -N" (-N keeps trailing spaces, which tmux
would otherwise drop even when they have a background colour) once it has
stopped changing: the screen of a real terminal emulator, to cross-check the
direct way.
  -i FILE (or '-') renders an ANSI stream already saved.

The ANSI stream is laid out on a COLS-wide cell grid the way a terminal does
(auto-wrap at the right margin, \\r, \\n as CR LF, tabs to multiples of 8,
backspace); East Asian Wide/Fullwidth characters take 2 cells, combining
marks 0. SGR handled: 0, 1 bold, 2 dim, 22, 7/27 reverse, 30-37/90-97,
40-47/100-107, 38;5;n / 48;5;n (xterm 256 palette), 38;2;r;g;b / 48;2;r;g;b,
39, 49; every other escape sequence (CSI, OSC/DCS, ESC [intermediates]
final) is skipped.

Rendering: background #1e1e1e, default foreground #d4d4d4, DejaVu Sans Mono
(Bold for bold) at 14 px x scale, cell width = the advance of 'M' rounded to
whole pixels, line height round(1.25 x size), 12 px x scale of padding and a
1 px x scale frame. Each cell's background is filled, then block elements
U+2580-U+259F are drawn as rectangles on the integer cell edges (so they
tile without seams; the shades ░▒▓ as fg blended 25/50/75 % over bg), then
the glyphs of every other character. Dim = fg blended 50 % toward bg. Same
input, same bytes: no timestamps or text chunks in the PNG.
"""
import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_REGULAR = os.path.join(FONT_DIR, "DejaVuSansMono.ttf")
FONT_BOLD = os.path.join(FONT_DIR, "DejaVuSansMono-Bold.ttf")
BG = (0x1E, 0x1E, 0x1E)        # terminal background
FG = (0xD4, 0xD4, 0xD4)        # default foreground
FRAME = (0x45, 0x45, 0x45)     # 1 px window frame
FONT_SIZE = 14                 # px at scale 1
LINE_FACTOR = 1.25             # line height / font size
PAD = 12                       # px at scale 1, between frame and cell grid

# xterm's 16 system colours (indices 0-15 of the 256 palette)
SYSTEM = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
          (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
          (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
          (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
CUBE = (0, 95, 135, 175, 215, 255)


def xterm256(n):
    """RGB of xterm 256-colour index n: 16 system colours, the 6x6x6 cube
    (levels 0,95,135,175,215,255), then the grey ramp 8+10k."""
    if n < 16:
        return SYSTEM[n]
    if n < 232:
        n -= 16
        return (CUBE[n // 36], CUBE[n // 6 % 6], CUBE[n % 6])
    g = 8 + 10 * (n - 232)
    return (g, g, g)


def char_width(ch):
    """Cells a character takes: 0 combining/format, 2 wide, else 1."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Pen:
    """Current SGR state; fg/bg None = the terminal default."""
    __slots__ = ("fg", "bg", "bold", "dim", "reverse")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.reverse = False

    def sgr(self, params):
        p = [int(x) if x.isdigit() else 0 for x in params.split(";")] if params else [0]
        i = 0
        while i < len(p):
            c = p[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 7:
                self.reverse = True
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = SYSTEM[c - 30]
            elif 90 <= c <= 97:
                self.fg = SYSTEM[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = SYSTEM[c - 40]
            elif 100 <= c <= 107:
                self.bg = SYSTEM[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(p):
                col = None
                if p[i + 1] == 5 and i + 2 < len(p):
                    col = xterm256(min(p[i + 2], 255))
                    i += 2
                elif p[i + 1] == 2 and i + 4 < len(p):
                    col = tuple(min(v, 255) for v in p[i + 2:i + 5])
                    i += 4
                else:
                    i += 1
                if col is not None:
                    if c == 38:
                        self.fg = col
                    else:
                        self.bg = col
            i += 1  # anything else (italic, underline, ...) is ignored

    def cell(self, ch):
        return [ch, self.fg, self.bg, self.bold, self.dim, self.reverse]


def blank():
    return [" ", None, None, False, False, False]


def parse_ansi(text, cols):
    """Lay an ANSI stream out on a cols-wide grid like a terminal does.
    Returns rows (trailing blank rows dropped), each a list of cols cells
    [char, fg, bg, bold, dim, reverse]; the right half of a wide character
    has char ''; combining marks are appended to the previous cell's char."""
    rows, pen = [], Pen()
    r, c = 0, 0          # cursor; c == cols: wrap pending
    last = None          # (row, col) of the last printed cell, for combining marks

    def row(k):
        while len(rows) <= k:
            rows.append([blank() for _ in range(cols)])
        return rows[k]

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\x1b":
            if i + 1 < n and text[i + 1] == "[":          # CSI
                j = i + 2
                while j < n and not ("\x40" <= text[j] <= "\x7e"):
                    j += 1
                if j < n and text[j] == "m":
                    body = text[i + 2:j]
                    if all(x.isdigit() or x == ";" for x in body):
                        pen.sgr(body)
                i = j + 1
            elif i + 1 < n and text[i + 1] in "]PX^_":    # OSC, DCS, ...: to BEL or ST
                j = i + 2
                while j < n and text[j] != "\x07" and not text.startswith("\x1b\\", j):
                    j += 1
                i = j + (2 if text.startswith("\x1b\\", j) else 1)
            else:                                           # ESC [intermediates] final
                j = i + 1
                while j < n and "\x20" <= text[j] <= "\x2f":
                    j += 1
                i = j + 1
            continue
        i += 1
        if ch == "\n":
            r, c = r + 1, 0
        elif ch == "\r":
            c = 0
        elif ch == "\t":
            c = min((min(c, cols - 1) // 8 + 1) * 8, cols - 1)
        elif ch == "\b":
            c = max(min(c, cols - 1) - 1, 0)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            pass
        else:
            w = char_width(ch)
            if w == 0:
                if last is not None:
                    row(last[0])[last[1]][0] += ch
                continue
            if c + w > cols:                                # auto-wrap
                r, c = r + 1, 0
            line = row(r)
            line[c] = pen.cell(ch)
            if w == 2:
                line[c + 1] = pen.cell("")
            last = (r, c)
            c += w
    while rows and all(cl[0] == " " and cl[2] is None and not cl[5] for cl in rows[-1]):
        rows.pop()
    return rows


def mix(a, b, t):
    """a blended toward b by t (0..1), rounded."""
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def block_rects(cp, x0, y0, x1, y1):
    """Rectangles (x0, y0, x1, y1 exclusive) of block element cp in a cell,
    or None when cp is not a block drawn as rectangles."""
    w, h = x1 - x0, y1 - y0
    xm, ym = x0 + (w + 1) // 2, y0 + (h + 1) // 2
    if cp == 0x2580:
        return [(x0, y0, x1, ym)]
    if 0x2581 <= cp <= 0x2588:                          # lower n/8 .. full
        k = cp - 0x2580
        return [(x0, y1 - round(h * k / 8), x1, y1)]
    if 0x2589 <= cp <= 0x258F:                          # left 7/8 .. 1/8
        k = 8 - (cp - 0x2588)
        return [(x0, y0, x0 + max(1, round(w * k / 8)), y1)]
    if cp == 0x2590:
        return [(xm, y0, x1, y1)]
    if cp == 0x2594:
        return [(x0, y0, x1, y0 + max(1, round(h / 8)))]
    if cp == 0x2595:
        return [(x1 - max(1, round(w / 8)), y0, x1, y1)]
    quads = {0x2596: "3", 0x2597: "4", 0x2598: "1", 0x2599: "134",
             0x259A: "14", 0x259B: "123", 0x259C: "124", 0x259D: "2",
             0x259E: "23", 0x259F: "234"}
    if cp in quads:
        q = {"1": (x0, y0, xm, ym), "2": (xm, y0, x1, ym),
             "3": (x0, ym, xm, y1), "4": (xm, ym, x1, y1)}
        return [q[k] for k in quads[cp]]
    return None


SHADES = {"░": 0.25, "▒": 0.5, "▓": 0.75}


class Fonts:
    def __init__(self, scale):
        self.size = int(round(FONT_SIZE * scale))
        self.regular = ImageFont.truetype(FONT_REGULAR, self.size)
        self.fake_bold = not os.path.exists(FONT_BOLD)
        self.bold = self.regular if self.fake_bold else ImageFont.truetype(FONT_BOLD, self.size)
        self.cw = int(round(self.regular.getlength("M")))
        self.lh = int(round(LINE_FACTOR * self.size))
        asc, desc = self.regular.getmetrics()
        self.baseline = (self.lh - (asc + desc)) // 2 + asc  # from the cell top


def render(rows, cols, scale=1.0):
    """The screen as an RGB PIL image (see the module comment)."""
    f = Fonts(scale)
    pad = int(round(PAD * scale))
    frame = max(1, int(round(scale)))
    ox = oy = frame + pad
    width = 2 * ox + cols * f.cw
    height = 2 * oy + max(len(rows), 1) * f.lh
    img = Image.new("RGB", (width, height), BG)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, width - 1, height - 1), outline=FRAME, width=frame)
    glyphs = []
    for r, line in enumerate(rows):
        y0 = oy + r * f.lh
        y1 = y0 + f.lh
        for c, (ch, fg, bg, bold, dim, rev) in enumerate(line):
            if ch == "":
                continue  # right half of a wide character: drawn with its left half
            fgc, bgc = fg or FG, bg or BG
            if rev:
                fgc, bgc = bgc, fgc
            if dim:
                fgc = mix(fgc, bgc, 0.5)
            wide = c + 1 < cols and line[c + 1][0] == ""
            x0 = ox + c * f.cw
            x1 = x0 + f.cw * (2 if wide else 1)
            if bgc != BG:
                d.rectangle((x0, y0, x1 - 1, y1 - 1), fill=bgc)
            base = ch[:1]
            rects = block_rects(ord(base), x0, y0, x1, y1) if base else None
            if rects is not None:
                for (a, b, e, g) in rects:
                    if e > a and g > b:
                        d.rectangle((a, b, e - 1, g - 1), fill=fgc)
            elif base in SHADES:
                d.rectangle((x0, y0, x1 - 1, y1 - 1), fill=mix(bgc, fgc, SHADES[base]))
            elif ch.strip():
                glyphs.append((x0, y0 + f.baseline, ch, fgc, bold))
    for x, y, ch, col, bold in glyphs:   # after all backgrounds: overhangs survive
        font = f.bold if bold else f.regular
        d.text((x, y), ch, font=font, fill=col, anchor="ls")
        if bold and f.fake_bold:
            d.text((x + 1, y), ch, font=font, fill=col, anchor="ls")
    return img


def png_bytes(img):
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def screenshot(text, cols, scale=1.0):
    """PNG bytes of an ANSI stream shown in a cols-wide terminal."""
    return png_bytes(render(parse_ansi(text, cols), cols, scale))


def has_opt(args, *names):
    return any(a == n or a.startswith(n + "=") or (len(n) == 2 and a.startswith(n) and a != n)
               for a in args for n in names)


def build_command(cmd, cols, for_tty):
    """The argv to run: attnviz gets -f ansi, --color always and --width COLS
    unless given (on a pipe; in tmux it has a terminal and sees them itself)."""
    if cmd and os.path.isfile(cmd[0]) and os.access(cmd[0], os.X_OK):
        argv, args = [cmd[0]], list(cmd[1:])
    else:
        argv, args = [os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))], list(cmd)
    if os.path.basename(argv[0]).startswith("attnviz") and not for_tty:
        extra = []
        if not has_opt(args, "-f", "--format"):
            extra += ["-f", "ansi"]
        if not has_opt(args, "--color"):
            extra += ["--color", "always"]
        if not has_opt(args, "--width"):
            extra += ["--width", str(cols)]
        args = extra + args
    return argv + args


def child_env(cols):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    env.update(COLORTERM="truecolor", COLUMNS=str(cols), LC_ALL="C.UTF-8", TERM="xterm-256color")
    return env


def run_direct(argv, cols):
    p = subprocess.run(argv, stdout=subprocess.PIPE, env=child_env(cols))
    if p.returncode != 0:
        sys.exit(f"ansi_screenshot: {argv[0]} exited with status {p.returncode}")
    return p.stdout.decode("utf-8", "replace")


def run_tmux(argv, cols, rows, timeout=20.0):
    """The command's screen in a private tmux server (see the module comment)."""
    tmux = shutil.which("tmux")
    if not tmux:
        sys.exit("ansi_screenshot: --tmux needs tmux")
    import shlex
    with tempfile.TemporaryDirectory() as tmp:
        base = [tmux, "-S", os.path.join(tmp, "sock"), "-f", "/dev/null"]
        env = child_env(cols)
        env.pop("TMUX", None)
        inner = "env COLORTERM=truecolor " + " ".join(shlex.quote(a) for a in argv) + "; sleep 30"
        subprocess.run(base + ["new-session", "-d", "-x", str(cols), "-y", str(rows), inner],
                       env=env, check=True)
        try:
            prev, stable, t0 = None, 0, time.monotonic()
            while time.monotonic() - t0 < timeout:
                time.sleep(0.2)
                cap = subprocess.run(base + ["capture-pane", "-e", "-p", "-N"], env=env,
                                     capture_output=True).stdout
                stable = stable + 1 if cap == prev and cap.strip() else 0
                prev = cap
                if stable >= 3:
                    break
        finally:
            subprocess.run(base + ["kill-server"], env=env, capture_output=True)
    return prev.decode("utf-8", "replace")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 usage="%(prog)s [options] (-i FILE | -- [CMD] ARGS...)")
    ap.add_argument("--cols", type=int, default=100, help="terminal columns (default 100)")
    ap.add_argument("--rows", type=int, default=60, help="terminal rows, --tmux only (default 60)")
    ap.add_argument("--scale", type=float, default=1.0, help="pixel scale (2 for README)")
    ap.add_argument("-o", "--output", required=True, help="PNG file to write")
    ap.add_argument("-i", "--input", help="ANSI stream to render ('-': stdin) instead of a command")
    ap.add_argument("--tmux", action="store_true", help="capture a real tmux pane")
    ap.add_argument("--dump", action="store_true", help="also print the ANSI stream on stdout")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if a.cols < 1 or not 0.25 <= a.scale <= 16:
        ap.error("--cols must be >= 1 and --scale within 0.25..16")
    if a.input:
        data = sys.stdin.buffer.read() if a.input == "-" else open(a.input, "rb").read()
        text = data.decode("utf-8", "replace")
    elif a.tmux:
        text = run_tmux(build_command(cmd, a.cols, True), a.cols, a.rows)
    else:
        text = run_direct(build_command(cmd, a.cols, False), a.cols)
    if a.dump:
        sys.stdout.write(text)
    if "\x1b[" not in text:
        print("ansi_screenshot: warning: no escape sequence in the output (no colour?)",
              file=sys.stderr)
    data = screenshot(text, a.cols, a.scale)
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, a.output)
    w, h = Image.open(io.BytesIO(data)).size
    print(f"{a.output}: {w}x{h}, {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
