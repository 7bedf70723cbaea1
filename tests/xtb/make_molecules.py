#!/usr/bin/python3
"""Build the extra regression inputs of tests/xtb/molecules/ (idealised geometries: GFN1 only
needs a fixed, reasonable input; xtb and ATEscreen are compared on exactly these coordinates) and
append their charge/spin lines to molecules.tsv when missing.

usage: /usr/bin/python3 tests/xtb/make_molecules.py [ATESCREEN_EXE]
The FeN4 macrocycle with *OH is cut by `atescreen sites` (flake, radius 4.5 Å) when the
executable is given."""
import os
import subprocess
import sys
import tempfile

import numpy as np
from ase import Atoms
from ase.build import molecule
from ase.io import read, write

here = os.path.dirname(os.path.abspath(__file__))
mol = os.path.join(here, "molecules")
AX = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)


def aqua6(metal, d):
    """[M(H2O)6]: O on the axes, H in a plane that keeps the waters apart."""
    pos, sym = [[0, 0, 0]], [metal]
    for a in AX:
        o = d * a
        side = np.roll(np.abs(a), 1)  # a perpendicular axis
        out = 0.96 * np.cos(np.radians(52.25)) * a
        for s in (1, -1):
            pos.append(o + out + s * 0.96 * np.sin(np.radians(52.25)) * side)
            sym.append("H")
        pos.append(o)
        sym.append("O")
    return Atoms(sym, positions=pos)


def ligand6(metal, donor, d, tail=None, dtail=0.0, hs=0):
    """Octahedral M(XY)6 / M(NH3)6: donor on each axis, optional linear tail atom or 3 H."""
    pos, sym = [[0, 0, 0]], [metal]
    for a in AX:
        pos.append(d * a)
        sym.append(donor)
        if tail:
            pos.append((d + dtail) * a)
            sym.append(tail)
        if hs:
            p1 = np.roll(np.abs(a), 1)
            p2 = np.cross(a, p1)
            for k in range(3):
                ang = 2 * np.pi * k / 3
                v = 0.34 * a + 0.95 * (np.cos(ang) * p1 + np.sin(ang) * p2)
                pos.append(d * a + 1.01 * v / np.linalg.norm(v))
                sym.append("H")
    return Atoms(sym, positions=pos)


def tetra(metal, lig, d, tail=None, dtail=0.0):
    v = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float) / np.sqrt(3)
    pos, sym = [[0, 0, 0]], [metal]
    for a in v:
        pos.append(d * a)
        sym.append(lig)
        if tail:
            pos.append((d + dtail) * a)
            sym.append(tail)
    return Atoms(sym, positions=pos)


def square(metal, lig, d, hs=True):
    pos, sym = [[0, 0, 0]], [metal]
    for a in AX[:4]:
        pos.append(d * a)
        sym.append(lig)
        if hs:
            p1 = np.array([0, 0, 1.0])
            p2 = np.cross(a, p1)
            for k in range(3):
                ang = 2 * np.pi * k / 3
                w = 0.34 * a + 0.95 * (np.cos(ang) * p1 + np.sin(ang) * p2)
                pos.append(d * a + 1.01 * w / np.linalg.norm(w))
                sym.append("H")
    return Atoms(sym, positions=pos)


extra = {  # name: (atoms, charge, unpaired)
    "sc_h2o6": (aqua6("Sc", 2.09), 3, 0),
    "sccl3": (Atoms("ScClClCl", positions=[[0, 0, 0], [2.30, 0, 0], [-1.15, 1.99186, 0],
                                           [-1.15, -1.99186, 0]]), 0, 0),
    "tif6": (ligand6("Ti", "F", 1.88), -2, 0),
    "v_h2o6": (aqua6("V", 2.02), 3, 2),
    "cr_h2o6": (aqua6("Cr", 1.98), 3, 3),
    "mn_h2o6": (aqua6("Mn", 2.19), 2, 5),
    "fe_cn6": (ligand6("Fe", "C", 1.92, "N", 1.16), -4, 0),
    "co_nh3_6": (ligand6("Co", "N", 1.97, hs=3), 3, 0),
    "ni_h2o6": (aqua6("Ni", 2.06), 2, 2),
    "cucl4": (tetra("Cu", "Cl", 2.25), -2, 1),
    "zn_h2o6": (aqua6("Zn", 2.10), 2, 0),
    "cr_co6": (ligand6("Cr", "C", 1.92, "O", 1.15), 0, 0),
    "ni_co4": (tetra("Ni", "C", 1.83, "O", 1.15), 0, 0),
    "cu_nh3_4": (square("Cu", "N", 2.03), 2, 1),
    "bf3": (molecule("BF3"), 0, 0),
    "h3bnh3": (Atoms("BNHHHHHH", positions=[[0, 0, 0], [0, 0, 1.66], [1.17, 0, -0.39], [-0.585, 1.013, -0.39],
                                            [-0.585, -1.013, -0.39], [0.95, 0, 2.0], [-0.475, 0.823, 2.0],
                                            [-0.475, -0.823, 2.0]]), 0, 0),
    "cf4": (molecule("CF4"), 0, 0),
    "ch3i": (Atoms("CIHHH", positions=[[0, 0, 0], [0, 0, 2.14], [1.03, 0, -0.36], [-0.515, 0.892, -0.36],
                                       [-0.515, -0.892, -0.36]]), 0, 0),
    "hcf3": (molecule("HCF3"), 0, 0),
    "bcl3": (molecule("BCl3"), 0, 0),
    "pf3": (molecule("PF3"), 0, 0),
    "ch3no2": (molecule("CH3NO2"), 0, 0),
    "so2": (molecule("SO2"), 0, 0),
    "o2_triplet": (molecule("O2"), 0, 2),
    "no_radical": (molecule("NO"), 0, 1),
}
os.makedirs(mol, exist_ok=True)
for name, (atoms, q, u) in extra.items():
    write(os.path.join(mol, name + ".xyz"), atoms, format="xyz", comment=f"{name} charge {q} unpaired {u}")

if len(sys.argv) > 1:  # FeN4 macrocycle with *OH from ATEscreen's own site builder
    with tempfile.TemporaryDirectory() as work:
        camp = os.path.join(work, "c.yaml")
        open(camp, "w").write("metals: [Fe]\nsupport: {type: flake, flake_radius: 4.5}\n"
                              "families:\n  - symmetric: {}\nadsorbates: [OH]\n")
        subprocess.run([sys.argv[1], "sites", camp, "-o", os.path.join(work, "out"), "-q"], check=True)
        d = os.path.join(work, "out")
        cand = [x for x in os.listdir(d) if os.path.isdir(os.path.join(d, x))][0]
        for state, fname, u in (("clean", "fen4_flake", 2), ("OH_top", "fen4_flake_oh", 1)):
            a = read(os.path.join(d, cand, state + ".extxyz"))
            a.info = {}
            a.pbc = False
            a.cell = None
            write(os.path.join(mol, fname + ".xyz"), a, format="xyz", comment=f"H-terminated FeN4 macrocycle {state}")
            extra[fname] = (a, 0, u)

tsv = os.path.join(here, "molecules.tsv")
have = {l.split()[0] for l in open(tsv).read().splitlines()[1:]}
with open(tsv, "a") as f:
    for name, (_, q, u) in extra.items():
        if name not in have:
            f.write(f"{name}\t{q}\t{u}\n")
print(len(open(tsv).read().splitlines()) - 1, "molecules")
