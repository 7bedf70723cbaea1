#!/usr/bin/python3
"""`atescreen calc --frequencies` (finite differences of the analytic gradient, the engine behind
thermo.corrections: harmonic) against xtb 6.5.1 `--hess`, both run live here on the same
geometry: each molecule is first optimised by xtb (`--opt vtight`, so that it is a stationary
point of both programs), then xtb's projected frequencies are compared with the 3N-6 (3N-5)
largest of ATEscreen's unprojected ones. Tolerance 3 cm^-1 (both are finite differences: xtb
with its own step, ATEscreen with 0.01 Å; the modes above ~100 cm^-1 agree to ~1 cm^-1).

usage: check_frequencies.py ATESCREEN MOLECULE_DIR WORK_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys

exe, moldir, work = sys.argv[1:4]
# (file, charge, uhf, linear): closed- and open-shell, a metal complex. Linear molecules are
# not compared: xtb 6.5.1 --hess aborts on them ("stack smashing detected"; O2, CO2).
CASES = [("h2o.xyz", 0, 0, False), ("nh3.xyz", 0, 0, False), ("h2co.xyz", 0, 0, False),
         ("so2.xyz", 0, 0, False), ("ch3.xyz", 0, 1, False), ("ni_co4.xyz", 0, 0, False)]
INLINE = {}
TOL = 3.0
fails = []
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
for name, chrg, uhf, linear in CASES:
    d = os.path.join(work, name[:-4])
    os.makedirs(d)
    if name in INLINE:
        with open(os.path.join(d, "in.xyz"), "w") as f:
            f.write(INLINE[name])
    else:
        shutil.copy(os.path.join(moldir, name), os.path.join(d, "in.xyz"))
    args = ["--gfn", "1", "--chrg", str(chrg), "--uhf", str(uhf)]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    subprocess.run(["xtb", "in.xyz", "--opt", "vtight", *args], cwd=d, capture_output=True,
                   check=True, env=env)
    out = subprocess.run(["xtb", "xtbopt.xyz", "--hess", *args], cwd=d, capture_output=True,
                         text=True, check=True, env=env).stdout
    block = out[out.rindex("projected vibrational frequencies"):]
    block = block[:block.index("reduced masses")]
    ref = sorted(float(x) for x in re.findall(r"-?\d+\.\d+", block))
    r = subprocess.run([exe, "calc", os.path.join(d, "xtbopt.xyz"), "--method", "gfn1",
                        "--charge", str(chrg), "--uhf", str(uhf), "--frequencies", "--json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fails.append(f"{name}: atescreen calc exit {r.returncode}: {r.stderr}")
        continue
    ours = sorted(json.loads(r.stdout)["frequencies_cm-1"])
    nvib = len(ours) - (5 if linear else 6)
    ref_vib, our_vib = ref[-nvib:], ours[-nvib:]
    dev = max(abs(a - b) for a, b in zip(ref_vib, our_vib))
    ok = dev <= TOL and len(ref) == len(ours)
    print(f"{name:16s} {nvib:3d} modes  max |nu - nu(xtb)| = {dev:6.2f} cm^-1  "
          f"(lowest {our_vib[0]:8.2f} vs {ref_vib[0]:8.2f}, highest {our_vib[-1]:8.2f} vs "
          f"{ref_vib[-1]:8.2f})  {'ok' if ok else 'FAIL'}")
    if not ok:
        fails.append(f"{name}: {dev:.2f} cm^-1")
print("check_frequencies:", "OK" if not fails else f"{len(fails)} failures: {fails}")
sys.exit(1 if fails else 0)
