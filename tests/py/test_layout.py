"""The shape of src/ (src/README.md): folders in the order the data flows,
lowest first as the Makefile's SRC_DIRS lists them (base text model compute
render cli), and

  1. every `#include "..."` in src/ names a header by its path from src/
     ("text/bpe.h") and that header exists;
  2. no file includes a header of a higher folder (render may include
     compute; compute never includes render);
  3. no include circle: no header includes itself through other headers
     (a.h -> b.h -> a.h); include guards would hide it from the compiler;
  4. the same two rules hold for calls, read off the object files with nm
     (of the .c files and the .cc file, whose extern "C" names nm shows as they are):
     no object calls a function of a higher folder, and no group of objects
     calls each other in a circle (a circle of calls hides behind one
     shared header that declares everyone's functions);
  5. every file opens with a comment that names it ("/* bpe.h — ..."),
     where a header says what the module does, who owns what and how
     errors return;
  6. the unit tests mirror the tree: tests/unit/<folder>/ exists only for
     folders of src/, and each test there includes a header of its folder.

The checker is tried on small made-up trees first, so that it is known to
catch an upward include and a circle. Prints PASS/FAIL lines."""
import os
import re
import subprocess
import sys

import suite
from suite import check

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_order():
    """SRC_DIRS from the Makefile: the folders, lowest first."""
    text = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read()
    m = re.search(r"^SRC_DIRS\s*:?=\s*(.+)$", text, re.M)
    return m.group(1).split() if m else []


SOURCE_EXT = (".c", ".cc", ".h")  # .cc: C++ (the SentencePiece bridge, an extern "C" interface)


def sources(root):
    """{path relative to root: text} of every .c, .cc and .h under root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(SOURCE_EXT):
                p = os.path.join(d, f)
                out[os.path.relpath(p, root)] = open(p, encoding="utf-8").read()
    return out


def module(path):
    """text/bpe_encode.o -> text/bpe_encode: an object's source file."""
    return os.path.splitext(path)[0]


def folder(path):
    return path.split("/", 1)[0]


def cycles(graph):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(100000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_includes(files, order):
    """The problems of a tree {path: text}: a list of strings."""
    rank = {f: i for i, f in enumerate(order)}
    problems, graph = [], {}
    for path, text in sorted(files.items()):
        src_folder = folder(path)
        if src_folder not in rank:
            problems.append(f"{path}: folder {src_folder}/ is not in SRC_DIRS ({' '.join(order)})")
            continue
        graph.setdefault(path, set())
        for inc in INCLUDE.findall(text):
            if "/" not in inc:
                problems.append(f'{path}: #include "{inc}" does not name its folder (write "<folder>/{inc}")')
                continue
            if inc not in files:
                problems.append(f'{path}: #include "{inc}": no such file under src/')
                continue
            to = folder(inc)
            if rank.get(to, -1) > rank[src_folder]:
                problems.append(f'{path}: #include "{inc}" reaches up from {src_folder}/ to {to}/')
            graph[path].add(inc)
    for comp in cycles(graph):
        problems.append("include circle: " + " -> ".join(comp))
    return problems


def check_calls(objects, order):
    """objects: {module: (defined symbols, undefined symbols)}; problems."""
    rank = {f: i for i, f in enumerate(order)}
    owner = {}
    for mod, (defs, _) in objects.items():
        for s in defs:
            owner[s] = mod
    problems, graph = [], {m: set() for m in objects}
    for mod, (_, undef) in sorted(objects.items()):
        for s in sorted(undef):
            to = owner.get(s)
            if to is None or to == mod:
                continue
            graph[mod].add(to)
            if rank.get(folder(to), -1) > rank.get(folder(mod), -1):
                problems.append(f"{mod}.o calls {s}() of {to}.c, a higher folder")
    for comp in cycles(graph):
        problems.append("call circle: " + " -> ".join(comp))
    return problems


def nm_objects(build, c_files):
    """{module: (defined, undefined)} of the objects in build/ of the .c
    files c_files (paths from src/); objects left from files that no longer
    exist are not read."""
    out = {}
    for c in c_files:
        p = os.path.join(build, module(c) + ".o")
        if os.path.isfile(p):
            text = subprocess.run(["nm", p], capture_output=True, text=True, check=True).stdout
            defs, undef = set(), set()
            for line in text.splitlines():
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDBRC":
                    defs.add(parts[2])
                elif len(parts) == 2 and parts[0] == "U":
                    undef.add(parts[1])
            out[module(c)] = (defs, undef)
    return out


# ---- the checker catches what it must (made-up trees) ----
ORDER = ["base", "text", "render"]
good = {"base/a.h": "", "base/a.c": '#include "base/a.h"\n',
        "text/t.h": '#include "base/a.h"\n', "text/t.c": '#include "text/t.h"\n'}
check("checker-accepts-a-good-tree", check_includes(good, ORDER) == [], str(check_includes(good, ORDER)))
up = dict(good, **{"base/a.c": '#include "base/a.h"\n#include "text/t.h"\n'})
p = check_includes(up, ORDER)
check("checker-catches-upward-include", any("reaches up" in x for x in p), str(p))
circ = dict(good, **{"text/u.h": '#include "text/t.h"\n', "text/t.h": '#include "text/u.h"\n'})
p = check_includes(circ, ORDER)
check("checker-catches-include-circle", any("circle" in x for x in p), str(p))
p = check_includes(dict(good, **{"text/t.c": '#include "a.h"\n'}), ORDER)
check("checker-catches-unqualified-include", any("does not name its folder" in x for x in p), str(p))
calls = {"text/x": ({"x"}, {"y"}), "text/y": ({"y"}, {"z"}), "text/z": ({"z"}, {"x"}),
         "base/b": ({"b"}, {"r"}), "render/r": ({"r"}, set())}
p = check_calls(calls, ORDER)
check("checker-catches-call-circle", any("call circle" in x and "text/z" in x for x in p), str(p))
check("checker-catches-upward-call", any("base/b.o calls r()" in x for x in p), str(p))

# ---- the real tree ----
order = layer_order()
check("makefile-lists-folders", order[:1] == ["base"] and order[-1:] == ["cli"], f"SRC_DIRS = {order}")
dirs = sorted(d for d in os.listdir(SRC) if os.path.isdir(os.path.join(SRC, d)))
check("every-src-folder-is-a-layer", sorted(order) == dirs, f"src/ has {dirs}, SRC_DIRS {order}")
loose = sorted(f for f in os.listdir(SRC) if f.endswith(SOURCE_EXT))
check("no-source-at-src-top", not loose, f"files outside the folders: {loose}")
files = sources(SRC)
problems = check_includes(files, order)
check("includes-qualified-downward-no-circle", not problems,
      f"{len(files)} files" if not problems else "; ".join(problems[:20]))

unnamed = sorted(p for p, t in files.items() if not t.startswith(f"/* {os.path.basename(p)} \u2014 "))
check("every-file-opens-with-its-comment", not unnamed, f"{len(files)} files" if not unnamed else
      "no opening '/* NAME \u2014 ...' comment: " + ", ".join(unnamed))

build = os.environ.get("BUILD_DIR") or os.path.dirname(os.environ.get("UNIT_DIR", "build/tests"))
build = os.path.join(ROOT, build) if not os.path.isabs(build) else build
c_files = sorted(f for f in files if f.endswith((".c", ".cc")))
# and the sources the Makefile generates into $(BUILD)/gen/<folder>/ (the HTML page's assets)
gen = os.path.join(build, "gen")
c_files += sorted(f for f in (sources(gen) if os.path.isdir(gen) else {}) if f.endswith(".c"))
objects = nm_objects(build, c_files)
missing = [c for c in c_files if module(c) not in objects]
check("objects-built", not missing, f"{len(objects)} objects in {build}" if not missing else
      f"no object in {build} for {missing[:5]} (the suite runs after make)")
problems = check_calls(objects, order)
check("calls-downward-no-circle", not problems,
      f"{len(objects)} objects" if not problems else "; ".join(problems[:20]))

unit = os.path.join(ROOT, "tests", "unit")
for d in sorted(os.listdir(unit)):
    if not os.path.isdir(os.path.join(unit, d)):
        continue
    check(f"unit-folder-{d}-mirrors-src", d in order, "" if d in order else f"tests/unit/{d}/ has no src/{d}/")
    for f in sorted(os.listdir(os.path.join(unit, d))):
        if f.startswith("test_") and f.endswith(".c"):
            incs = INCLUDE.findall(open(os.path.join(unit, d, f), encoding="utf-8").read())
            ok = any(i.startswith(d + "/") for i in incs)
            check(f"unit-{d}-{f[:-2]}-tests-its-folder", ok, "" if ok else f"includes only {incs}")
sys.exit(suite.status())
