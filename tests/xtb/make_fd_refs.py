#!/usr/bin/python3
"""Finite-difference gradients of xtb 6.5.1 total energies (central differences, h = 1e-4 bohr,
`xtb --gfn 1 --acc 0.0001`), the reference for ATEscreen's analytic gradient where xtb's own
printed gradient disagrees with its energy (see docs/validation.md).

usage: /usr/bin/python3 tests/xtb/make_fd_refs.py [OUTDIR [NAME ...]]   (default tests/xtb/refs,
       every molecule of molecules.tsv)
Writes OUTDIR/NAME.fdgrad: natoms lines of dE/dx dE/dy dE/dz (hartree/bohr)."""
import os
import subprocess
import sys
import tempfile

from ase.io import read, write

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "refs")
os.makedirs(out, exist_ok=True)
H = 1e-4  # bohr
BOHR = 0.529177210903  # Å, CODATA 2018 as xtb's input reader uses


def xtb_energy(atoms, chrg, uhf, work):
    write(os.path.join(work, "m.xyz"), atoms, format="xyz")
    r = subprocess.run(["xtb", "m.xyz", "--gfn", "1", "--chrg", chrg, "--uhf", uhf, "--acc", "0.0001"],
                       capture_output=True, text=True, cwd=work, env=dict(os.environ, OMP_NUM_THREADS="1"))
    for line in r.stdout.splitlines():
        if "TOTAL ENERGY" in line:
            return float(line.split()[3])
    raise RuntimeError(f"xtb failed: {r.stderr[-500:]}")


for line in open(os.path.join(here, "molecules.tsv")).read().splitlines()[1:]:
    name, chrg, uhf = line.split()
    if len(sys.argv) > 2 and name not in sys.argv[2:]:
        continue
    atoms = read(os.path.join(here, "molecules", name + ".xyz"))
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for i in range(len(atoms)):
            g = []
            for k in range(3):
                e = []
                for s in (1, -1):
                    b = atoms.copy()
                    b.positions[i, k] += s * H * BOHR
                    e.append(xtb_energy(b, chrg, uhf, work))
                g.append((e[0] - e[1]) / (2 * H))
            rows.append(g)
    with open(os.path.join(out, name + ".fdgrad"), "w") as f:
        f.write(f"# central differences (h = {H} bohr) of xtb 6.5.1 --gfn 1 --chrg {chrg} --uhf {uhf} --acc 0.0001\n")
        for g in rows:
            f.write(" ".join(f"{v:.12e}" for v in g) + "\n")
    print(name, "done")
