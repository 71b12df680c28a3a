"""suite.py — the lines every Python suite prints, which tests/run.sh counts:
"PASS name[: detail]" or "FAIL name: detail". `failed` counts the failures;
a suite ends with `sys.exit(suite.status())`."""

failed = 0


def check(name, ok, detail=""):
    global failed
    if not ok:
        failed += 1
    print("%s %s%s" % ("PASS" if ok else "FAIL", name, ": %s" % (detail,) if detail or not ok else ""))


def report(ok, name, detail):
    """check() with the argument order of the parity suites."""
    check(name, ok, detail)


def status():
    return 1 if failed else 0
