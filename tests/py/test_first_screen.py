#!/usr/bin/python3
"""The first minute (issue 17): what `attnviz "sentence"` shows in a real
terminal, and the pager.

- tmux at 80x50 and 120x50 (a private server, scripts/ansi_screenshot.py's
  run_tmux): the example's first screen starts with the header naming the
  model (layers x heads, parameters) and the tokens, then the heads ranked
  by focus with layer 3 head 1 as "it -> animal", then the hint, all on the
  first screen (nothing scrolled away); a 12 x 12 BERT (a random checkpoint
  in the Hugging Face layout) fits too, with the rest of its heads counted.
- the overview of the example against goldens (tests/golden/overview/,
  --overview at 80 and 120 columns; UPDATE_GOLDEN=1 rewrites them after you
  have read them).
- the pager, with a fake $PAGER in a pseudo-terminal of a chosen size: used
  only when the text is taller than the terminal, gets exactly the text,
  never with --no-pager, a pipe, standard input, an empty PAGER or "cat";
  ATTNVIZ_PAGER first; LESS=FRX when unset; a pager that does not start
  leaves the text on the terminal; a pager that quits early is no error.

Prints PASS/FAIL/SKIP lines."""
import fcntl
import importlib.util
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios

import suite
from runner import on_pty
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))
EXAMPLE = "The animal didn't cross the street because it was too tired."
GOLDEN = os.path.join(ROOT, "tests", "golden", "overview")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def on_pty_at(args, rows, cols, env):
    return on_pty([ATTNVIZ, *args], env, rows, cols)


def base_env(**kw):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    for k in ("NO_COLOR", "COLORTERM", "PAGER", "ATTNVIZ_PAGER", "LESS", "COLUMNS", "LINES"):
        env.pop(k, None)
    env.update(kw)
    return env


def first_screen_checks(shot, tmp):
    for cols in (80, 120):
        text = SGR.sub("", shot.run_tmux([ATTNVIZ, EXAMPLE], cols, 50))
        lines = text.rstrip("\n").split("\n")
        tag = f"tmux {cols}x50"
        check(f"{tag}: line 1 names the model", lines[0].startswith(
            "model: pretrained (BERT, 4 layers × 4 heads, 1.8 M parameters) · 16 tokens:"), lines[0])
        check(f"{tag}: the tokens as the model sees them",
              "[CLS] the₁ animal didn ' t cross the₇ street because it was too tired . [SEP]" in
              " ".join(l.strip() for l in lines[:3]), lines[:3])
        top = [i for i, l in enumerate(lines) if re.match(r"\s*layer 3 · head 1\s+0\.83\s+to animal: it → animal 1\.00", l)]
        check(f"{tag}: the most focused head is layer 3 head 1, it → animal", top and top[0] < 6,
              [l for l in lines if "layer 3 · head 1" in l])
        heads = [l for l in lines if re.match(r"\s+layer \d · head \d\s+\d\.\d\d\s", l)]
        nxt = [i for i, l in enumerate(lines) if l.startswith("Next: -l 3 -H 1")]
        check(f"{tag}: all 16 heads and the hint on the first screen", len(heads) == 16 and nxt and nxt[0] < 49,
              f"{len(heads)} head lines, hint at {nxt}")
        check(f"{tag}: the hint names -q it", "-q it" in " ".join(lines[nxt[0]:nxt[0] + 2]) if nxt else False)
        if cols == 80:
            check(f"{tag}: taller than the terminal, so less waits at the end of the first screen",
                  len(lines) == 50 and lines[-1].strip() == ":", f"{len(lines)} lines, last {lines[-1]!r}")

    # a 12 x 12 BERT: 144 heads, the first screen still fits
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from hf_ckpt import Spec, make_checkpoint
    except Exception as e:  # torch missing
        print(f"SKIP tmux-12x12: {e} (hf_ckpt needs python3-torch)")
        return
    d = os.path.join(tmp, "bert12")
    make_checkpoint(d, Spec("bert", 48, 12, 12, seed=12))
    text = SGR.sub("", shot.run_tmux([ATTNVIZ, "-m", d, "the cat sat on the mat"], 80, 50))
    lines = text.split("\n")
    check("tmux 80x50, 12x12 BERT: header says 12 layers × 12 heads", "12 layers × 12 heads" in lines[0], lines[0])
    more = [i for i, l in enumerate(lines) if "… 129 more heads (--overview lists every head)" in l]
    nxt = [i for i, l in enumerate(lines) if l.startswith("Next: ")]
    check("tmux 80x50, 12x12 BERT: 15 heads, the count of the others, the hint, on the first screen",
          more and nxt and nxt[0] < 49 and sum(bool(re.match(r"\s+layer\s+\d+ · head\s*\d+", l)) for l in lines[:more[0]]) == 15,
          f"more at {more}, hint at {nxt}")
    p = subprocess.run([ATTNVIZ, "-m", d, "--overview", "--color", "never", "the cat sat on the mat"],
                       capture_output=True)
    n = sum(bool(re.match(r"\s+layer\s+\d+ · head\s*\d+\s", l)) for l in p.stdout.decode().split("\n"))
    check("--overview lists all 144 heads", n == 144, f"{n} lines")


def golden_checks():
    for cols in (80, 120):
        p = subprocess.run([ATTNVIZ, "--overview", "--color", "never", "--width", str(cols), EXAMPLE],
                           capture_output=True)
        path = os.path.join(GOLDEN, f"example-{cols}.txt")
        if os.environ.get("UPDATE_GOLDEN") == "1":
            os.makedirs(GOLDEN, exist_ok=True)
            open(path, "wb").write(p.stdout)
        want = open(path, "rb").read() if os.path.exists(path) else b""
        ok = p.returncode == 0 and p.stdout == want
        check(f"golden: overview of the example at {cols} columns", ok,
              "" if ok else f"exit {p.returncode}; differs from tests/golden/overview/example-{cols}.txt")
        check(f"overview at {cols} columns: no line wider than the terminal",
              all(len(l) <= cols for l in p.stdout.decode().split("\n")))


def pager_checks(tmp):
    paged = os.path.join(tmp, "paged")
    fake = f"cat > {paged}"

    def clean():
        if os.path.exists(paged):
            os.remove(paged)

    args = ["--color", "never", EXAMPLE]
    rc, direct, _ = on_pty_at(["--no-pager", *args], 30, 80, base_env(PAGER=fake))
    check("pty --no-pager: no pager, the text on the terminal", rc == 0 and not os.path.exists(paged) and
          direct.startswith(b"model: pretrained") and direct.count(b"\n") > 30, f"exit {rc}")
    clean()
    rc, shown, err = on_pty_at(args, 30, 80, base_env(PAGER=fake))
    got = open(paged, "rb").read() if os.path.exists(paged) else None
    check("pty 30 rows: taller, so $PAGER gets exactly the text", rc == 0 and got == direct and shown == b"",
          f"exit {rc}, {len(got or b'')} bytes paged, {len(shown)} on the terminal, {err}")
    clean()
    rc, shown, _ = on_pty_at(args, 500, 80, base_env(PAGER=fake))
    check("pty 500 rows: the text fits, no pager", rc == 0 and not os.path.exists(paged) and shown == direct)
    clean()
    rc, shown, _ = on_pty_at(args, 30, 80, base_env(PAGER="cat > /dev/null", ATTNVIZ_PAGER=fake))
    check("ATTNVIZ_PAGER comes before PAGER", os.path.exists(paged) and shown == b"")
    clean()
    for value in ("", "cat"):
        rc, shown, _ = on_pty_at(args, 30, 80, base_env(PAGER=value))
        check(f"PAGER={value!r}: no pager", rc == 0 and shown == direct)
    env = base_env(PAGER=fake)
    p = subprocess.run([ATTNVIZ, *args], capture_output=True, env=env)
    check("a pipe is never paged", p.returncode == 0 and not os.path.exists(paged) and
          p.stdout.startswith(b"        layer 1 \xc2\xb7 head 1"), p.stdout[:80])
    clean()
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 10, 80, 0, 0))
    q = subprocess.run([ATTNVIZ, "-f", "ansi", "--color", "never"], input=b"the cat sat\nthe dog\n",
                       stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    os.close(master)
    check("standard input is not paged", q.returncode == 0 and not os.path.exists(paged), q.stderr.decode())
    rc, shown, err = on_pty_at(args, 30, 80, base_env(PAGER=f"echo \"$LESS\" > {paged}; cat > /dev/null"))
    check("LESS=FRX for the pager when unset", os.path.exists(paged) and open(paged).read() == "FRX\n")
    clean()
    rc, shown, err = on_pty_at(args, 30, 80, base_env(PAGER="/nonexistent/pager"))
    check("a pager that does not start: the text still reaches the terminal", rc == 0 and shown == direct,
          f"exit {rc}: {err.strip()[:200]}")
    rc, shown, err = on_pty_at(args, 30, 80, base_env(PAGER=f"head -c 10 > {paged}"))
    check("a pager that quits early: exit 0, nothing on stderr", rc == 0 and err == "",
          f"exit {rc}: {err.strip()[:200]}")
    clean()
    if shutil.which("less"):
        rc, shown, err = on_pty_at(args, 500, 80, base_env())
        check("default pager (less -FRX) on a tall terminal: the text as it is", rc == 0 and shown == direct)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        golden_checks()
        pager_checks(tmp)
        if not shutil.which("tmux"):
            print("SKIP tmux-first-screen: tmux not installed (scripts/deps.sh test installs it)")
        else:
            spec = importlib.util.spec_from_file_location("ansi_screenshot", os.path.join(ROOT, "scripts",
                                                                                          "ansi_screenshot.py"))
            shot = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(shot)
            first_screen_checks(shot, tmp)
    return suite.status()


if __name__ == "__main__":
    sys.exit(main())
