#!/usr/bin/python3
"""Why Sc/Ti-N4 sites fail as 'geometry collapsed' (docs/pipeline.md): GFN1-xTB energies along the
path that takes a Ti atom onto a pyridinic N, ATEscreen and xtb 6.5.1 side by side.

  ti_n_scan.py [ATESCREEN] [WORK_DIR]

Builds the TiRh-N8 separated pair (6.5 Å, 4 Å flake) with `atescreen sites`, moves the Ti atom
along the line to its first-shell N at the distances below (the rest fixed, as a molecule), and
prints both programs' total energies (uhf 1). Not a ctest: xtb takes about a second per point.
"""
import json
import os
import subprocess
import sys

import numpy as np
from ase.io import read, write

exe = sys.argv[1] if len(sys.argv) > 1 else "build/atescreen"
work = sys.argv[2] if len(sys.argv) > 2 else "ti_n_scan"
os.makedirs(work, exist_ok=True)
yaml = os.path.join(work, "tirh.yaml")
with open(yaml, "w") as f:
    f.write("name: tirh\nsupport: {type: flake, flake_radius: 4.0}\nmetals: [Ti, Rh]\n"
            "families:\n  - dual_metal: {fused: false, separated: true, separations: [6.5], "
            "homonuclear: false}\nadsorbates: [OH]\nsettings:\n  method: gfn1\n")
sites = os.path.join(work, "sites")
subprocess.run([exe, "sites", yaml, "-o", sites, "--no-adsorbates", "--quiet"], check=True)
rows = [l.split("\t") for l in open(os.path.join(sites, "index.tsv")).read().splitlines()[1:]]
path = next(os.path.join(sites, r[-1]) for r in rows if r[3] == "Ti,Rh" and r[5] == "clean")
atoms = read(path)
atoms.pbc, atoms.cell = False, None
ti = next(i for i, a in enumerate(atoms) if a.symbol == "Ti")
n = min((i for i, a in enumerate(atoms) if a.symbol == "N"), key=lambda i: atoms.get_distance(ti, i))
u = atoms.positions[ti] - atoms.positions[n]
u /= np.linalg.norm(u)
print("%6s %18s %18s %10s" % ("d(A)", "ATEscreen (Eh)", "xtb 6.5.1 (Eh)", "diff"))
for d in (atoms.get_distance(ti, n), 1.5, 1.2, 1.0, 0.8, 0.6):
    b = atoms.copy()
    b.positions[ti] = b.positions[n] + u * d
    xyz = os.path.join(work, "d%.2f.xyz" % d)
    write(xyz, b)
    ea = json.loads(subprocess.run([exe, "calc", xyz, "--method", "gfn1", "--uhf", "1", "--json"],
                                   capture_output=True, text=True).stdout)["energy"]
    out = subprocess.run(["xtb", os.path.basename(xyz), "--gfn", "1", "--uhf", "1"], cwd=work,
                         capture_output=True, text=True).stdout
    ex = float(next(l.split()[3] for l in out.splitlines() if "TOTAL ENERGY" in l))
    print("%6.2f %18.9f %18.9f %10.1e" % (d, ea, ex, ea - ex))
