#!/usr/bin/python3
"""Periodic GFN1-xTB (`atescreen calc` on DFTB+ gen cells) against xtb 6.5.1 and against itself
where no reference program exists (docs/validation.md, "Periodic cells").

 1. --pbc-mode xtb651 against xtb 6.5.1 (tests/xtb/periodic/refs from `make_refs.sh "" periodic`,
    xtb --acc 0.0001 --grad): total energy to 1e-6 Eh and gradient to 1e-5 Eh/bohr on every cell
    of periodic/cells.tsv (graphene 1x1..6x6 and 8x8, FeO@graphene 3x3, FeN4 in 4x4 and 5x5 graphene
    with and without *OH).
 1b. SCC mixing on graphene 8x8 in xtb651 mode (near-metallic): the LDOS-preconditioned Broyden
    against the plain one (ATE_GFN1_PRECOND=0): same energy (1e-9 Eh) and gradient (1e-7 Eh/bohr)
    at the default thresholds, within 1e-7 / 1e-4 at --acc 1, in at most 25 and at most half the
    iterations.
 2. Analytic gradients against central differences of the energy in both modes,
    to 2e-6 Eh/bohr (xtb651: atoms away from the cell faces, where its image rules jump).
 3. full mode, molecular limit: every molecule of the regression set (45, 12 of them charged) in
    a 40 Å cubic box reproduces its molecular energy to 1e-5 Eh with the isolated-system
    correction --dipole-correction xyz (every image interaction of the 1/r tail removed again,
    docs/theory-gfn1.md); without it (tin-foil Ewald) a polar molecule keeps the dipole
    interaction with its images (1.3e-5 Eh for BrF...H2O) and a charged one the Madelung energy
    (~q^2/L, printed).
 4. full mode, graphene N x N (N = 4..8) energy per atom without the 7x7 jump of xtb 6.5.1.
 5. Stress tensors, (1/V) dE/d(strain) with positions scaled with the cell, against central
    differences of the energy under the deformations r -> (1 + h e_i e_j^T) r (all nine), to
    2e-6 Eh per unit strain: full mode on graphene 2x2, FeO@graphene 3x3 (h = 1e-5: zero gap),
    FeN4-OH@4x4 with a 2x2x1 k-mesh, and both modes on a generic triclinic H2O + CO cell (xtb651
    only there: in a symmetric cell xtb's Wigner-Seitz weights and |T| sets jump under strain).
 6. full mode, band folding: a cell with a Gamma-centred n x n x 1 k-mesh equals its n x n x 1
    supercell at Gamma per atom to 1e-7 Eh (graphene n = 2, 3, 4; h-BN n = 3; FeN4 in 4x4
    graphene with S = 1 per cell, n = 2); k-point gradients against central differences.
 7. A 3-D bulk cell (Si8): xtb651 mode refuses it with the reason and the fix (its overlap is not
    positive definite, as in xtb 6.5.1); full mode converges.
usage: periodic_check.py ATESCREEN_EXE TESTDIR WORKDIR
"""
import os
import subprocess
import sys

import numpy as np

EXE, HERE, WORK = sys.argv[1:4]
PER = os.path.join(HERE, "periodic")
os.makedirs(WORK, exist_ok=True)
BOHR = 0.52917721092  # Å per bohr, as the gen writer of make_cells.py assumes
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calcrun import check  # noqa: E402
import calcrun  # noqa: E402


def calc(path, *args):
    return calcrun.calc(EXE, path, *args)


def xtb_ref(name):
    ref = {}
    for line in open(os.path.join(PER, "refs", name + ".ref")):
        if not line.startswith("#"):
            key, val = line.split()
            ref[key] = float(val)
    lines = open(os.path.join(PER, "refs", name + ".gradient")).read().replace("D", "E")
    body = [l for l in lines.splitlines()[2:] if not l.startswith("$")]
    n = len(body) // 2
    return ref, np.array([[float(v) for v in l.split()] for l in body[n:]])


def read_gen(path):
    lines = open(path).read().splitlines()
    return lines, int(lines[0].split()[0])


def write_moved(lines, atom, k, dx_bohr, path):
    out = list(lines)
    f = out[2 + atom].split()
    f[2 + k] = "%.12f" % (float(f[2 + k]) + dx_bohr * BOHR)
    out[2 + atom] = " ".join(f)
    open(path, "w").write("\n".join(out) + "\n")


cells = [l.split("\t") for l in open(os.path.join(PER, "cells.tsv")).read().splitlines()[1:]]

# 1. xtb651 mode against xtb 6.5.1
worst_e = worst_g = 0.0
for name, chrg, uhf in cells:
    ref, gref = xtb_ref(name)
    r = calc(os.path.join(PER, name + ".gen"), "--pbc-mode", "xtb651", "--charge", chrg,
             "--uhf", uhf, "--gradient")
    de = abs(r["energy"] - ref["total"])
    dg = np.abs(np.array(r["gradient"]) - gref).max()
    worst_e, worst_g = max(worst_e, de), max(worst_g, dg)
    check(de <= 1e-6 and dg <= 1e-5,
          "xtb651 %-13s E %.10f (xtb %.10f, %.1e)  max|dg| %.1e" % (name, r["energy"], ref["total"],
                                                               de, dg))
print("xtb651 vs xtb 6.5.1: max |dE| %.1e Eh, max |dg| %.1e Eh/bohr over %d cells"
      % (worst_e, worst_g, len(cells)))

# 1b. SCC mixing (docs/theory-gfn1.md, "Charge mixing"): on the near-metallic xtb651 graphene 8x8
#     (gap 0.04 eV) the LDOS-preconditioned Broyden reaches the solution of xtb's plain Broyden
#     (ATE_GFN1_PRECOND=0; xtb 6.5.1 itself needs 70 iterations at --acc 1) in far fewer steps
g8 = os.path.join(PER, "graphene_8x8.gen")
for acc in ([], ["--acc", "1"]):
    a = calc(g8, "--pbc-mode", "xtb651", "--gradient", *acc)
    b = calcrun.calc(EXE, g8, "--pbc-mode", "xtb651", "--gradient", *acc,
                     env={"ATE_GFN1_PRECOND": "0"})
    de = abs(a["energy"] - b["energy"])
    dg = np.abs(np.array(a["gradient"]) - np.array(b["gradient"])).max()
    # at --acc 1 (RMS dq < 2e-5 e) gradients are not converged to better than ~1e-4 Eh/bohr
    tol = (1e-9, 1e-7) if not acc else (1e-7, 1e-4)
    check(de <= tol[0] and dg <= tol[1] and a["scc_iterations"] <= 25
          and 2 * a["scc_iterations"] <= b["scc_iterations"],
          "graphene_8x8 xtb651 %-8s preconditioned %d vs %d SCC iterations, |dE| %.1e max|dg| %.1e"
          % (" ".join(acc) or "default", a["scc_iterations"], b["scc_iterations"], de, dg))


# 2. finite differences
def fd_check(name, mode, atoms, uhf, h, extra=()):
    """name: a cell of tests/xtb/periodic, or the path of a gen file; atoms None: all."""
    path = name if name.endswith(".gen") else os.path.join(PER, name + ".gen")
    lines, n = read_gen(path)
    atoms = range(n) if atoms is None else atoms
    g = np.array(calc(path, "--pbc-mode", mode, "--uhf", uhf, "--gradient", *extra)["gradient"])
    worst = 0.0
    moved = os.path.join(WORK, "moved.gen")
    for a in atoms:
        for k in range(3):
            e = []
            for s in (1, -1):
                write_moved(lines, a, k, s * h, moved)
                e.append(calc(moved, "--pbc-mode", mode, "--uhf", uhf, *extra)["energy"])
            worst = max(worst, abs((e[0] - e[1]) / (2 * h) - g[a][k]))
    check(worst <= 2e-6, "%s %s %s gradient vs central differences (atoms %s): max %.1e"
          % (mode, os.path.basename(name), " ".join(extra), list(atoms), worst))


# h: 1e-3 bohr, except for the zero-gap FeO cell, whose Fermi smearing makes the third derivative
# large (1e-4 there; with 1e-3 the truncation error is 7e-6)
fd_check("fen4oh_g4", "full", [0, 12, 30, 31, 32], "1", 1e-3)  # C on the cell corner, N, Fe, O, H
fd_check("fen4oh_g4", "xtb651", [12, 30, 31, 32], "1", 1e-3)
fd_check("feo_g3", "full", [0, 18, 19], "0", 1e-4)
fd_check("feo_g3", "full", [0, 18, 19], "0", 1e-4, ["--kpts", "2,2,1"])
fd_check("fen4oh_g4", "full", [12, 30, 31, 32], "1", 1e-3, ["--dipole-correction", "slab"])

# 3. molecular limit
def boxed(mol, box):
    """The molecule tests/xtb/molecules/MOL.xyz in a cubic box of box Å (gen file)."""
    rows = open(os.path.join(HERE, "molecules", mol + ".xyz")).read().splitlines()
    n = int(rows[0])
    syms = []
    for r in rows[2:2 + n]:
        if r.split()[0] not in syms:
            syms.append(r.split()[0])
    path = os.path.join(WORK, "%s_%g.gen" % (mol, box))
    with open(path, "w") as f:
        f.write("%d S\n%s\n" % (n, " ".join(syms)))
        for i, r in enumerate(rows[2:2 + n]):
            w = r.split()
            f.write("%d %d %s %s %s\n" % (i + 1, syms.index(w[0]) + 1, w[1], w[2], w[3]))
        f.write("0 0 0\n%f 0 0\n0 %f 0\n0 0 %f\n" % (box, box, box))
    return path


regression = [l.split("\t") for l in open(os.path.join(HERE, "molecules.tsv")).read().splitlines()[1:]]
for mol, chrg, uhf in regression:
    # cells start from uniform charges (no periodic EEQ): the molecule too, so both land on the
    # same SCC solution (scandium has two, docs/validation.md)
    em = calc(os.path.join(HERE, "molecules", mol + ".xyz"), "--charge", chrg, "--uhf", uhf,
              "--guess", "uniform")
    ep = calc(boxed(mol, 40.0), "--charge", chrg, "--uhf", uhf, "--dipole-correction", "xyz")
    tinfoil = calc(boxed(mol, 40.0), "--charge", chrg, "--uhf", uhf)["energy"] - em["energy"]
    d = ep["energy"] - em["energy"]
    check(abs(d) <= 1e-5, "molecular limit %-11s box 40 Å: %.10f vs molecule %.10f (%.1e; "
          "tin-foil %.1e)" % (mol, ep["energy"], em["energy"], d, tinfoil))
    if mol == "brfh2o_bent":
        check(abs(ep["energy_terms"]["halogen"] - em["energy_terms"]["halogen"]) <= 1e-12
              and em["energy_terms"]["halogen"] != 0.0, "halogen bond in the box equals the molecule's")

# a halogen bond across the cell face: the bonded image and the acceptor image in a 7 Å box;
# [CuCl4]2- with the isolated-system correction in a 7 Å box
box7 = boxed("brfh2o_bent", 7.0)
fd_check(box7, "full", None, "0", 1e-3)
fd_check(boxed("cucl4", 7.0), "full", None, "1", 1e-3, ["--charge", "-2", "--dipole-correction",
                                                        "xyz"])

# 4. graphene N x N in full mode: no jump where xtb 6.5.1 loses bonds (7x7)
sys.path.insert(0, PER)
import make_cells  # noqa: E402

per_atom = {}
for n in range(4, 9):
    atoms, cell = make_cells.graphene(n)
    path = os.path.join(WORK, "g%d.gen" % n)
    make_cells.write_gen(path, atoms, cell)
    per_atom[n] = calc(path)["energy"] / len(atoms)
    print("graphene %dx%d full mode: %.8f Eh/atom" % (n, n, per_atom[n]))
steps = [abs(per_atom[n] - per_atom[n - 1]) for n in range(5, 9)]
check(max(steps) < 5e-3, "graphene N x N full mode: E/atom steps %s Eh (xtb 6.5.1 jumps by "
      "3.6e-2 at 7x7)" % ", ".join("%.1e" % s for s in steps))


# 5. stress tensors
TRICLINIC = """5 S
O H C
1 1 0.10 0.20 0.30
2 2 1.05 0.25 0.33
3 2 -0.15 1.12 0.41
4 3 3.10 2.90 4.20
5 1 3.90 3.50 4.71
0 0 0
7.30 0.21 0.13
1.37 7.90 0.27
0.55 0.83 8.61
"""


def strain_check(label, path, h, extra):
    lines, n = read_gen(path)
    pos = np.array([[float(v) for v in l.split()[2:5]] for l in lines[2:2 + n]])
    cell = np.array([[float(v) for v in l.split()] for l in lines[3 + n:6 + n]])
    vol = abs(np.linalg.det(cell)) / BOHR ** 3
    sig = np.array(calc(path, "--stress", *extra)["stress"]) * vol
    worst, moved = 0.0, os.path.join(WORK, "strained.gen")
    for i in range(3):
        for j in range(3):
            e = []
            for sgn in (1, -1):
                f = np.eye(3)
                f[i, j] += sgn * h
                out = lines[:2] + ["%d %s %.12f %.12f %.12f" % (k + 1, lines[2 + k].split()[1],
                                                                *(f @ pos[k])) for k in range(n)]
                out += ["0 0 0"] + ["%.12f %.12f %.12f" % tuple(f @ c) for c in cell]
                open(moved, "w").write("\n".join(out) + "\n")
                e.append(calc(moved, *extra)["energy"])
            worst = max(worst, abs((e[0] - e[1]) / (2 * h) - sig[i, j]))
    check(worst <= 2e-6, "stress %-28s vs central strain differences (h %g): max %.1e Eh"
          % (label, h, worst))


tric = os.path.join(WORK, "triclinic.gen")
open(tric, "w").write(TRICLINIC)
strain_check("graphene 2x2", os.path.join(PER, "graphene_2x2.gen"), 1e-4, [])
strain_check("FeO@graphene 3x3", os.path.join(PER, "feo_g3.gen"), 1e-5, [])
strain_check("FeN4-OH@4x4 k 2x2x1", os.path.join(PER, "fen4oh_g4.gen"), 1e-4,
             ["--uhf", "1", "--kpts", "2,2,1"])
strain_check("triclinic H2O+CO full", tric, 1e-4, [])
strain_check("triclinic H2O+CO xtb651", tric, 1e-5, ["--pbc-mode", "xtb651"])
strain_check("BrF..H2O 7 A box, xyz dipole", box7, 1e-4, ["--dipole-correction", "xyz"])
# the Madelung and |r_A - r_B|^2 terms of a charged cell, and the slab correction (FeN4-OH has a
# dipole of about 1 e bohr along the normal; a tilted cell makes the normal not a cell axis)
strain_check("[CuCl4]2- 7 A box, xyz", boxed("cucl4", 7.0), 1e-4,
             ["--charge", "-2", "--uhf", "1", "--dipole-correction", "xyz"])
strain_check("FeN4-OH@4x4 slab dipole", os.path.join(PER, "fen4oh_g4.gen"), 1e-4,
             ["--uhf", "1", "--dipole-correction", "slab"])
strain_check("triclinic H2O+CO slab dipole", tric, 1e-4, ["--dipole-correction", "slab"])

# 6. band folding
def gen_cell(path):
    lines, n = read_gen(path)
    species = lines[1].split()
    atoms = [[species[int(l.split()[1]) - 1]] + [float(v) for v in l.split()[2:5]]
             for l in lines[2:2 + n]]
    cell = [[float(v) for v in l.split()] for l in lines[3 + n:6 + n]]
    return atoms, cell


def supercell(atoms, cell, n):
    big = [[a[0]] + [a[1 + k] + i * cell[0][k] + j * cell[1][k] for k in range(3)]
           for i in range(n) for j in range(n) for a in atoms]
    return big, [[n * v for v in cell[0]], [n * v for v in cell[1]], cell[2]]


def hbn():
    atoms, cell = make_cells.graphene(1)
    atoms[0][0], atoms[1][0] = "B", "N"
    cell[0] = [2.50, 0.0, 0.0]
    cell[1] = [1.25, 2.165063509, 0.0]
    atoms[1][1], atoms[1][2] = 1.25, 0.721687836
    return atoms, cell


folds = [("graphene", make_cells.graphene(1), n, 0) for n in (2, 3, 4)]
folds += [("h-BN", hbn(), 3, 0), ("FeN4@4x4", gen_cell(os.path.join(PER, "fen4_g4.gen")), 2, 2)]
for label, (atoms, cell), n, uhf in folds:
    small, big = os.path.join(WORK, "fold_small.gen"), os.path.join(WORK, "fold_big.gen")
    make_cells.write_gen(small, atoms, cell)
    make_cells.write_gen(big, *supercell(atoms, cell, n))
    rk = calc(small, "--kpts", "%d,%d,1" % (n, n), "--kpts-gamma", "--uhf", str(uhf))
    rg = calc(big, "--uhf", str(uhf * n * n))
    ek, eg = rk["energy"], rg["energy"]
    d = ek / len(atoms) - eg / (len(atoms) * n * n)
    check(abs(d) <= 1e-7, "band folding %-9s %dx%dx1 k-mesh %.10f vs %dx%d supercell %.10f "
          "Eh/atom (%.1e)" % (label, n, n, ek / len(atoms), n, n, eg / (len(atoms) * n * n), d))
    # the per-atom descriptors fold too: d-band centres (the k-mesh sums the supercell's Gamma
    # DOS) and Mulliken spins of every copy of an atom equal the small cell's
    for key, tol in (("dband_centre", 1e-6), ("spins", 1e-6)):
        small_v = rk.get(key) or []
        big_v = rg.get(key) or []
        if len(small_v) != len(atoms) or len(big_v) != len(atoms) * n * n:
            check(False, "band folding %s: %s missing (%d, %d values)" % (label, key, len(small_v), len(big_v)))
            continue
        worst = 0.0
        for c in range(n * n):
            for a in range(len(atoms)):
                x, y = small_v[a], big_v[c * len(atoms) + a]
                if x is None or y is None:
                    if (x is None) != (y is None):
                        worst = float("inf")
                    continue
                worst = max(worst, abs(x - y))
        fe = [small_v[a] for a in range(len(atoms)) if atoms[a][0] == "Fe"]
        check(worst <= tol, "band folding %-9s %s: max |k-mesh - supercell| %.2e (Fe: %s)" % (label, key, worst, fe))

# 7. a 3-D bulk cell (conventional diamond Si, a = 5.43 Å): xtb651's overlap sums (no self-images,
# |T| <= 28.28 bohr) are not positive definite there (xtb 6.5.1 stops the same way in
# mctc_lapack_sygvd); ATEscreen says why and names the fix, and full mode computes the cell
SI8 = "8 F\nSi\n" + "".join("%d 1 %s\n" % (i + 1, p) for i, p in enumerate((
    "0 0 0", "0 0.5 0.5", "0.5 0 0.5", "0.5 0.5 0", "0.25 0.25 0.25", "0.25 0.75 0.75",
    "0.75 0.25 0.75", "0.75 0.75 0.25"))) + "0 0 0\n5.43 0 0\n0 5.43 0\n0 0 5.43\n"
si8 = os.path.join(WORK, "si8.gen")
with open(si8, "w") as f:
    f.write(SI8)
r = subprocess.run([EXE, "calc", si8, "--method", "gfn1", "--json", "--pbc-mode", "xtb651"],
                   capture_output=True, text=True)
check(r.returncode != 0 and not r.stdout.strip() and "not positive definite" in r.stderr
      and "use --pbc-mode full" in r.stderr,
      "Si8 bulk, xtb651: exit %d, %s" % (r.returncode, r.stderr.strip()[-90:]))
res = calc(si8)
check(res["converged"], "Si8 bulk, full mode: converged, E = %.8f Eh" % res["energy"])

calcrun.finish("periodic_check")
