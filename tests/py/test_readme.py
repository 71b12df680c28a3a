"""The README's examples are real: every fenced block whose first line is
"$ attnviz ..." must print exactly the rest of the block when run in a
terminal (a pseudo-terminal here) of 80 columns with NO_COLOR set; a command
ending in "| head -n N" must print the block as its first N lines (the CSV
sample). Prints PASS/FAIL lines."""
import os
import re
import shlex
import subprocess
import sys

import suite
from runner import on_pty
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("ATTNVIZ", os.path.join(ROOT, "attnviz"))

text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
blocks = re.findall(r"```\n(\$ attnviz [^\n]*)\n(.*?)```", text, re.S)
check("readme-has-examples", len(blocks) >= 4, f"{len(blocks)} blocks")
env = dict(os.environ, COLUMNS="80", LC_ALL="C.UTF-8", NO_COLOR="1")  # markdown has no colour
env.pop("COLORTERM", None)
ncsv = sum(" -f csv " in c for c, _ in blocks)
check("readme-csv-sample-is-tested", ncsv >= 1, f"{ncsv} '$ attnviz -f csv' blocks")
for i, (cmd, want) in enumerate(blocks):
    head = re.fullmatch(r"(.*?)\s*\|\s*head -n (\d+)", cmd)
    args = shlex.split((head.group(1) if head else cmd)[2:])
    args[0] = BIN
    rc, out, stderr = on_pty(args, env, cwd=ROOT)
    text = out.decode()
    if head:
        text = "".join(text.splitlines(keepends=True)[:int(head.group(2))])
    got = subprocess.CompletedProcess(args, rc, text, stderr)
    name = f"readme-example-{i + 1}"
    ok = got.returncode == 0 and got.stdout == want
    check(name, ok, cmd[:60] if ok else
          f"{cmd} (exit {got.returncode}) differs from README.md; stderr: {got.stderr.strip()[:200]}")
    if not ok:
        for a, b in zip(got.stdout.splitlines(), want.splitlines()):
            if a != b:
                print(f"# got:  {a!r}\n# want: {b!r}")
                break
sys.exit(suite.status())
