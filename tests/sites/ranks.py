#!/usr/bin/python3
"""Candidate IDs and files do not depend on the number of MPI ranks: `atescreen sites` run
serially and under `mpiexec -n 2` writes byte-identical index files and structures.

usage: ranks.py ATESCREEN_EXE MPIEXEC CAMPAIGN WORKDIR
"""
import filecmp
import os
import shutil
import subprocess
import sys

EXE, MPIEXEC, CAMPAIGN, WORK = sys.argv[1:5]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
shutil.rmtree(WORK, ignore_errors=True)
runs = {"serial": [EXE], "2 ranks": [MPIEXEC, "-n", "2", EXE]}
for name, cmd in runs.items():
    out = os.path.join(WORK, name.replace(" ", "_"))
    r = subprocess.run(cmd + ["sites", CAMPAIGN, "-o", out, "-q"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(f"FAIL {name}: exit {r.returncode}: {r.stderr}")
        sys.exit(1)
a, b = os.path.join(WORK, "serial"), os.path.join(WORK, "2_ranks")
bad = []
for root, _, files in os.walk(a):
    for f in files:
        pa = os.path.join(root, f)
        pb = os.path.join(b, os.path.relpath(pa, a))
        if not os.path.exists(pb) or not filecmp.cmp(pa, pb, shallow=False):
            bad.append(os.path.relpath(pa, a))
nfiles = sum(len(f) for _, _, f in os.walk(a))
nb = sum(len(f) for _, _, f in os.walk(b))
if nb != nfiles:
    bad.append(f"file count {nfiles} vs {nb}")
for x in bad[:10]:
    print("FAIL differs:", x)
print(f"ranks: {nfiles} files compared, {len(bad)} differences")
sys.exit(1 if bad else 0)
