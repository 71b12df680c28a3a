"""runner.py — running the attnviz under test for the Python suites: with
the environment of a true-colour terminal (run()), or with its standard
output on a pseudo-terminal (on_pty())."""
import fcntl
import os
import pty
import struct
import subprocess
import termios

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ATTNVIZ = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))


def run(*args, stdin=None, env=None):
    """attnviz ARGS with COLORTERM=truecolor and NO_COLOR unset (env, when
    given, is used as it is); a CompletedProcess with bytes."""
    if env is None:
        env = dict(os.environ, COLORTERM="truecolor")
        env.pop("NO_COLOR", None)
    return subprocess.run([ATTNVIZ, *args], capture_output=True, input=stdin, env=env)


def on_pty(argv, env, rows=0, cols=0, cwd=None):
    """Runs argv with standard output on a pseudo-terminal (of rows x cols
    when given); returns (exit status, what reached the terminal with CRLF
    as LF, bytes; stderr, str)."""
    master, slave = pty.openpty()
    if rows and cols:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = p.stderr.read().decode()
    p.wait()
    return p.returncode, b"".join(chunks).replace(b"\r\n", b"\n"), err
