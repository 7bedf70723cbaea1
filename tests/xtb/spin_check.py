#!/usr/bin/python3
"""Spin-polarised GFN1-xTB (spGFN1, `atescreen calc --spin-polarized`) against tblite's test
references and against itself (docs/validation.md, "Spin-polarised GFN1-xTB").

 1. tblite (tests/xtb/spin/REFERENCES.md, tblite test/unit/test_spin.f90; same settings: 300 K,
    zero starting charges and magnetisations, SCC to tblite's acc 0.01):
    - chromocene: the spin contribution E(spGFN1, triplet) - E(GFN1, singlet) equals tblite's
      G1a - G1c to 1e-6 Eh (the absolute energies differ by the few uEh by which tblite's GFN1
      differs from xtb 6.5.1 for Cr, printed); the singlet is unchanged by the spin term;
    - 2-hydroxyethyl radical (doublet): total energy to 1e-6 Eh, gradient to 1e-5 Eh/bohr.
 2. With every spin constant W set to zero (a copy of inputs/params with a zeroed spin.tsv) the
    energies and gradients equal plain GFN1's to 1e-12 Eh (Eh/bohr): molecules, a Gamma cell and
    a cell with a 2x2x1 k-mesh.
 3. Analytic gradients (and a stress) against central differences: molecule, cell at Gamma,
    cell with k-points.
 4. Band folding with spin: FeN4@4x4 (S = 1 per cell) with a 2x2x1 mesh = its 2x2 supercell.
usage: spin_check.py ATESCREEN_EXE TESTDIR WORKDIR PARAMDIR
"""
import os
import shutil
import sys

import numpy as np

EXE, HERE, WORK, PARAMS = sys.argv[1:5]
SPIN = os.path.join(HERE, "spin")
PER = os.path.join(HERE, "periodic")
os.makedirs(WORK, exist_ok=True)
BOHR = 0.529177210903
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calcrun import check  # noqa: E402
import calcrun  # noqa: E402


def calc(path, *args):
    return calcrun.calc(EXE, path, *args)


TBLITE = ["--acc", "0.01", "--guess", "uniform", "--etemp", "300"]

# 1. tblite references (REFERENCES.md §3)
G1A, G1C, G2 = -28.376485853038645, -28.3496138337329, -11.539671328635730
crcp2 = os.path.join(SPIN, "crcp2.xyz")
trip = calc(crcp2, "--spin-polarized", "--uhf", "2", *TBLITE)
sing = calc(crcp2, "--uhf", "0", *TBLITE)
sing_sp = calc(crcp2, "--spin-polarized", "--uhf", "0", *TBLITE)
d = (trip["energy"] - sing["energy"]) - (G1A - G1C)
check(abs(d) <= 1e-6, "CrCp2 spin contribution E(sp, triplet) - E(singlet) %.9f vs tblite %.9f "
      "(%.1e); absolute offsets %.1e / %.1e Eh (tblite's GFN1 vs xtb 6.5.1 for Cr)"
      % (trip["energy"] - sing["energy"], G1A - G1C, d, trip["energy"] - G1A,
         sing["energy"] - G1C))
check(abs(sing_sp["energy"] - sing["energy"]) <= 1e-10 and
      abs(sing_sp["energy_terms"]["spin_polarization"]) <= 1e-12,
      "CrCp2 singlet unchanged by the spin term (%.1e Eh)" % (sing_sp["energy"] - sing["energy"]))
rse = os.path.join(SPIN, "rse43_p10.xyz")
rad = calc(rse, "--spin-polarized", "--uhf", "1", "--gradient", *TBLITE)
rows = [l.split() for l in open(os.path.join(SPIN, "rse43_p10.gfn1-spin.gradient.tsv"))
        if l[:1].isdigit()]
gref = np.array([[float(v) for v in r[2:5]] for r in rows])
dg = np.abs(np.array(rad["gradient"]) - gref).max()
check(abs(rad["energy"] - G2) <= 1e-6 and dg <= 1e-5,
      "2-hydroxyethyl radical: E %.9f vs tblite %.9f (%.1e), gradient max %.1e"
      % (rad["energy"], G2, rad["energy"] - G2, dg))

# 2. W = 0 reduces to plain GFN1
zero = os.path.join(WORK, "params-w0")
shutil.rmtree(zero, ignore_errors=True)
shutil.copytree(PARAMS, zero)
with open(os.path.join(PARAMS, "gfn1", "spin.tsv")) as f, \
        open(os.path.join(zero, "gfn1", "spin.tsv"), "w") as g:
    for line in f:
        w = line.rstrip("\n").split("\t")
        if line.startswith("#") or not w[0].isdigit():
            g.write(line)
        else:
            g.write("\t".join(w[:2] + ["0.0"] * 6) + "\n")


def calc_env(path, *args):  # SCC to 1e-14 Eh / 2e-13 e: the two runs mix different vectors
    return calc(path, "--param-dir", zero, "--acc", "1e-8", *args)


cases = [(rse, ["--uhf", "1"]), (os.path.join(HERE, "molecules", "feh2o6.xyz"),
                                  ["--charge", "2", "--uhf", "4"]),
         (os.path.join(PER, "fen4oh_g4.gen"), ["--uhf", "1"]),
         (os.path.join(PER, "fen4oh_g4.gen"), ["--uhf", "1", "--kpts", "2,2,1"])]
for path, args in cases:
    a = calc_env(path, "--spin-polarized", "--gradient", *args)
    b = calc_env(path, "--gradient", *args)
    de = abs(a["energy"] - b["energy"])
    dg = np.abs(np.array(a["gradient"]) - np.array(b["gradient"])).max()
    check(de <= 1e-12 and dg <= 1e-12, "W = 0: %s %s equals plain GFN1 (%.1e Eh, %.1e Eh/bohr)"
          % (os.path.basename(path), " ".join(args), de, dg))


# 3. finite differences
def fd(path, args, atoms, h=1e-4):
    gen = path.endswith(".gen")
    rows = open(path).read().splitlines()
    g = np.array(calc(path, "--spin-polarized", "--gradient", *args)["gradient"])
    worst, moved = 0.0, os.path.join(WORK, "moved" + (".gen" if gen else ".xyz"))
    for a in atoms:
        for k in range(3):
            e = []
            for sgn in (1, -1):
                out = list(rows)
                f = out[2 + a].split()
                col = (2 if gen else 1) + k
                f[col] = "%.12f" % (float(f[col]) + sgn * h * BOHR)
                out[2 + a] = " ".join(f)
                open(moved, "w").write("\n".join(out) + "\n")
                e.append(calc(moved, "--spin-polarized", *args)["energy"])
            worst = max(worst, abs((e[0] - e[1]) / (2 * h) - g[a][k]))
    check(worst <= 2e-6, "spin-polarised gradient vs central differences, %s %s: max %.1e"
          % (os.path.basename(path), " ".join(args), worst))


fd(rse, ["--uhf", "1"], range(8))
fd(os.path.join(HERE, "molecules", "feh2o6.xyz"), ["--charge", "2", "--uhf", "4"], [0, 1, 2])
fd(os.path.join(PER, "fen4oh_g4.gen"), ["--uhf", "1"], [12, 30, 31, 32], 1e-3)
fd(os.path.join(PER, "fen4oh_g4.gen"), ["--uhf", "1", "--kpts", "2,2,1"], [12, 30, 31], 1e-3)

# 4. band folding with spin
sys.path.insert(0, PER)
import make_cells  # noqa: E402

lines = open(os.path.join(PER, "fen4_g4.gen")).read().splitlines()
n = int(lines[0].split()[0])
sp = lines[1].split()
atoms = [[sp[int(l.split()[1]) - 1]] + [float(v) for v in l.split()[2:5]] for l in lines[2:2 + n]]
cell = [[float(v) for v in l.split()] for l in lines[3 + n:6 + n]]
big = [[a[0]] + [a[1 + k] + i * cell[0][k] + j * cell[1][k] for k in range(3)]
       for i in range(2) for j in range(2) for a in atoms]
small_p, big_p = os.path.join(WORK, "fold_s.gen"), os.path.join(WORK, "fold_b.gen")
make_cells.write_gen(small_p, atoms, cell)
make_cells.write_gen(big_p, big, [[2 * v for v in cell[0]], [2 * v for v in cell[1]], cell[2]])
ek = calc(small_p, "--spin-polarized", "--uhf", "2", "--kpts", "2,2,1", "--kpts-gamma")
eg = calc(big_p, "--spin-polarized", "--uhf", "8")
d = ek["energy"] / n - eg["energy"] / (4 * n)
check(abs(d) <= 1e-7, "band folding with spin, FeN4@4x4 S=1: 2x2x1 mesh vs 2x2 supercell %.1e "
      "Eh/atom" % d)

calcrun.finish("spin_check")
