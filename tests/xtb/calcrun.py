"""Shared by the GFN1 check scripts: `atescreen calc ... --json` and a pass/fail tally."""
import json
import os
import subprocess
import sys

fails = []


def check(ok, msg):
    print(("ok   " if ok else "FAIL ") + msg)
    if not ok:
        fails.append(msg)


def calc(exe, path, *args, env=None):
    """The JSON of `exe calc path --method gfn1 --json args` (env: extra environment variables);
    raises on a non-zero exit."""
    r = subprocess.run([exe, "calc", path, "--method", "gfn1", "--json", *args],
                       capture_output=True, text=True,
                       env=None if env is None else {**os.environ, **env})
    if r.returncode != 0:
        raise RuntimeError("%s %s: exit %d: %s" % (path, " ".join(args), r.returncode,
                                                    r.stderr.strip()))
    return json.loads(r.stdout)


def finish(name):
    if fails:
        print("%d FAILED" % len(fails))
        sys.exit(1)
    print("%s: all passed" % name)
