#!/usr/bin/python3
"""Free-atom densities for Hirshfeld charges of the plane-wave kernel (kernels/pw/hirshfeld.c).

usage: /usr/bin/python3 inputs/params/hirshfeld/make_free_atoms.py [SYMBOL ...]

Runs Quantum ESPRESSO's atomic code ld1.x (6.7; all-electron, scalar-relativistic, spherical,
spin-restricted, PBE) for the neutral ground-state configuration of each element below and writes
inputs/params/hirshfeld/SYMBOL.dat in the format ABINIT's cut3d reads for its Hirshfeld option
(m_hirsh.F90): a first line "Z npoints", then "r rho(r)" per line, r in bohr on ld1.x's logarithmic
grid, rho(r) the spherical all-electron density in e/bohr^3 (ld1.x's file_charge holds 4 pi r^2 rho;
the integral must equal Z to 1e-6). cut3d and the kernel both stop at the first point below 1e-6.
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# neutral ground-state configurations (NIST atomic spectra database ground levels)
CONFIG = {
    "H": (1, "1s1"), "He": (2, "1s2"), "Li": (3, "[He] 2s1"), "Be": (4, "[He] 2s2"),
    "B": (5, "[He] 2s2 2p1"), "C": (6, "[He] 2s2 2p2"), "N": (7, "[He] 2s2 2p3"),
    "O": (8, "[He] 2s2 2p4"), "F": (9, "[He] 2s2 2p5"), "Ne": (10, "[He] 2s2 2p6"),
    "Na": (11, "[Ne] 3s1"), "Mg": (12, "[Ne] 3s2"), "Al": (13, "[Ne] 3s2 3p1"),
    "Si": (14, "[Ne] 3s2 3p2"), "P": (15, "[Ne] 3s2 3p3"), "S": (16, "[Ne] 3s2 3p4"),
    "Cl": (17, "[Ne] 3s2 3p5"), "Ar": (18, "[Ne] 3s2 3p6"), "K": (19, "[Ar] 4s1"),
    "Ca": (20, "[Ar] 4s2"), "Sc": (21, "[Ar] 3d1 4s2"), "Ti": (22, "[Ar] 3d2 4s2"),
    "V": (23, "[Ar] 3d3 4s2"), "Cr": (24, "[Ar] 3d5 4s1"), "Mn": (25, "[Ar] 3d5 4s2"),
    "Fe": (26, "[Ar] 3d6 4s2"), "Co": (27, "[Ar] 3d7 4s2"), "Ni": (28, "[Ar] 3d8 4s2"),
    "Cu": (29, "[Ar] 3d10 4s1"), "Zn": (30, "[Ar] 3d10 4s2"), "Ga": (31, "[Ar] 3d10 4s2 4p1"),
    "Ge": (32, "[Ar] 3d10 4s2 4p2"), "As": (33, "[Ar] 3d10 4s2 4p3"),
    "Se": (34, "[Ar] 3d10 4s2 4p4"), "Br": (35, "[Ar] 3d10 4s2 4p5"),
    "Mo": (42, "[Kr] 4d5 5s1"), "Ru": (44, "[Kr] 4d7 5s1"), "Rh": (45, "[Kr] 4d8 5s1"),
    "Pd": (46, "[Kr] 4d10"), "Ag": (47, "[Kr] 4d10 5s1"),
    "Y": (39, "[Kr] 4d1 5s2"), "Zr": (40, "[Kr] 4d2 5s2"), "Nb": (41, "[Kr] 4d4 5s1"),
    "Cd": (48, "[Kr] 4d10 5s2"), "Sn": (50, "[Kr] 4d10 5s2 5p2"),
    "Sb": (51, "[Kr] 4d10 5s2 5p3"), "I": (53, "[Kr] 4d10 5s2 5p5"),
    "La": (57, "[Xe] 5d1 6s2"), "Ce": (58, "[Xe] 4f1 5d1 6s2"),
    "Hf": (72, "[Xe] 4f14 5d2 6s2"), "Ta": (73, "[Xe] 4f14 5d3 6s2"),
    "W": (74, "[Xe] 4f14 5d4 6s2"), "Re": (75, "[Xe] 4f14 5d5 6s2"),
    "Os": (76, "[Xe] 4f14 5d6 6s2"), "Ir": (77, "[Xe] 4f14 5d7 6s2"),
    "Pt": (78, "[Xe] 4f14 5d9 6s1"), "Au": (79, "[Xe] 4f14 5d10 6s1"),
    "Bi": (83, "[Xe] 4f14 5d10 6s2 6p3"),
    # the other elements with a GTH-PBE entry in inputs/params/gth/GTH_POTENTIALS
    "Kr": (36, "[Ar] 3d10 4s2 4p6"), "Rb": (37, "[Kr] 5s1"), "Sr": (38, "[Kr] 5s2"),
    "Tc": (43, "[Kr] 4d5 5s2"), "In": (49, "[Kr] 4d10 5s2 5p1"),
    "Te": (52, "[Kr] 4d10 5s2 5p4"), "Xe": (54, "[Kr] 4d10 5s2 5p6"), "Cs": (55, "[Xe] 6s1"),
    "Ba": (56, "[Xe] 6s2"), "Pr": (59, "[Xe] 4f3 6s2"), "Nd": (60, "[Xe] 4f4 6s2"),
    "Pm": (61, "[Xe] 4f5 6s2"), "Sm": (62, "[Xe] 4f6 6s2"), "Eu": (63, "[Xe] 4f7 6s2"),
    "Gd": (64, "[Xe] 4f7 5d1 6s2"), "Tb": (65, "[Xe] 4f9 6s2"), "Dy": (66, "[Xe] 4f10 6s2"),
    "Ho": (67, "[Xe] 4f11 6s2"), "Er": (68, "[Xe] 4f12 6s2"), "Tm": (69, "[Xe] 4f13 6s2"),
    "Yb": (70, "[Xe] 4f14 6s2"), "Lu": (71, "[Xe] 4f14 5d1 6s2"),
    "Hg": (80, "[Xe] 4f14 5d10 6s2"), "Tl": (81, "[Xe] 4f14 5d10 6s2 6p1"),
    "Pb": (82, "[Xe] 4f14 5d10 6s2 6p2"), "Po": (84, "[Xe] 4f14 5d10 6s2 6p4"),
    "At": (85, "[Xe] 4f14 5d10 6s2 6p5"), "Rn": (86, "[Xe] 4f14 5d10 6s2 6p6"),
    "U": (92, "[Rn] 5f3 6d1 7s2"),
}
MIN_DEN = 1e-6  # cut3d's minimal_den: the table ends at the first point below it


def make(sym):
    z, config = CONFIG[sym]
    with tempfile.TemporaryDirectory(prefix="ate_ld1_") as work:
        inp = (f"&input\n  title='{sym}', zed={z}.0, config='{config}', iswitch=1, dft='PBE', lsd=0,\n"
               f"  rel=1, file_charge='rho.dat', prefix='at'\n/\n")
        r = subprocess.run(["ld1.x"], input=inp, cwd=work, capture_output=True, text=True)
        if r.returncode != 0 or "final scf error" not in r.stdout:
            raise RuntimeError(f"{sym}: ld1.x failed\n{r.stdout[-2000:]}{r.stderr[-1000:]}")
        d = np.loadtxt(os.path.join(work, "rho.dat"))
        etot = [l for l in r.stdout.splitlines() if "Etot =" in l][0].split()[2]
    rr, y = d[:, 0], d[:, 1]
    # integral of 4 pi r^2 rho on the log grid (trapezoid in ln r: dr = r dln r)
    nel = np.trapz(y * rr, np.log(rr)) + y[0] * rr[0] / 3.0
    if abs(nel - z) > 1e-5:
        raise RuntimeError(f"{sym}: the density integrates to {nel}, not {z}")
    rho = y / (4.0 * math.pi * rr * rr)
    n = int(np.argmax(rho < MIN_DEN)) + 1 if np.any(rho < MIN_DEN) else len(rho)
    with open(os.path.join(HERE, f"{sym}.dat"), "w") as fh:
        fh.write(f"{z} {n}\n")
        for a, b in zip(rr[:n], rho[:n]):
            fh.write(f"{a:.12e} {b:.12e}\n")
    print(f"{sym:2s} Z = {z:2d}  {config:18s} ld1.x Etot {etot} Ry  N = {nel:.7f}  "
          f"{n} points to r = {rr[n - 1]:.2f} bohr")


if __name__ == "__main__":
    for s in sys.argv[1:] or CONFIG:
        make(s)
