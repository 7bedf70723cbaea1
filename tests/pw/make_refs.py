#!/usr/bin/python3
"""ABINIT 9.6 reference energies and forces for ATEscreen's plane-wave kernel (--method pw).

usage: /usr/bin/python3 tests/pw/make_refs.py [NAME ...]     (default: every case of CASES)
       /usr/bin/python3 tests/pw/make_refs.py --spheres [NAME ...]   (atomic spheres, see SPHERES)
       /usr/bin/python3 tests/pw/make_refs.py --pdos [NAME ...]      (l weights in spheres, see PDOS)
       /usr/bin/python3 tests/pw/make_refs.py --hirshfeld [NAME ...] (Hirshfeld charges, see HIRSHFELD)

For each case: writes tests/pw/cases/NAME.extxyz (the structure, Å), converts the CP2K GTH entries
it needs with gth2abinit.py (from inputs/params/gth/GTH_POTENTIALS, the file ATEscreen reads, never
ABINIT's own copies), writes and runs an ABINIT input in a temporary directory (serial,
OMP_NUM_THREADS=1), and stores tests/pw/refs/NAME.json: the input text, the pseudopotential text
and its CP2K entry, the energy terms, cartesian forces, k-points, weights, plane waves per k-point,
ngfft, eigenvalues, stress and the run time; with smearing (occopt 3, 7) also the entropy, the internal
energy and a check of ABINIT's occupations and entropy against the closed forms, with nsppol 2 the
electrons per spin and the magnetisation. Numbers come from ABINIT's GSR.nc (full double
precision, read with h5py) and are cross-checked against the text output (.abo).
Conventions are in tests/pw/REFERENCES.md.
"""
import contextlib
import datetime
import hashlib
import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import gth2abinit  # noqa: E402

GTH_FILE = os.path.join(ROOT, "inputs", "params", "gth", "GTH_POTENTIALS")
BOHR_ANGSTROM = 0.529177210903  # Å per bohr, CODATA 2018: ATE_BOHR_ANGSTROM of src/include/atescreen/units.h
IXC = {"lda": -20, "pbe": -101130}  # libxc: LDA_XC_TETER93 (what GTH-PADE was fitted to); GGA_X_PBE+GGA_C_PBE
CUTOFF_SERIES = {"si2_lda": (8.0, 10.0, 12.0, 14.0, 16.0), "fe_bcc_pbe_fd002": (25.0, 30.0, 35.0)}
ENV = dict(os.environ, OMP_NUM_THREADS="1")


# ---------------------------------------------------------------------------------------------
# FFT grid rule (the C kernel implements the same rule)

def fft_smooth(n):
    """True when n > 0 has no prime factor other than 2, 3 and 5."""
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def fft_grid(cell_bohr, ecut):
    """Density FFT grid for a plane-wave cutoff ecut (hartree) and cell rows a_i (bohr).

    Wavefunctions hold |k+G|^2/2 <= ecut, so |G| <= Gmax = sqrt(2 ecut) (k inside the first zone
    is ignored: the wavefunction sphere is centred on k, the density sphere on 0), and the density
    holds |G| <= 2 Gmax. A G vector has integer coordinates m_i = G.a_i / (2 pi) on the reciprocal
    basis, and |m_i| <= 2 Gmax |a_i| / (2 pi) inside the density sphere (the bound is reached for
    G parallel to a_i). The grid along axis i must take every m_i from -M_i to M_i without
    wrapping, M_i = ceil(2 Gmax |a_i| / (2 pi)), so

        n_i = the smallest integer >= 2 M_i + 1 whose only prime factors are 2, 3 and 5.

    Computed in double precision exactly as written: |a_i| = sqrt(ax^2 + ay^2 + az^2),
    M_i = ceil(2 * sqrt(2 * ecut) * |a_i| / (2 * pi)). Returns [n1, n2, n3].
    """
    gmax = math.sqrt(2.0 * ecut)
    grid = []
    for a in cell_bohr:
        length = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        n = 2 * math.ceil(2.0 * gmax * length / (2.0 * math.pi)) + 1
        while not fft_smooth(n):
            n += 1
        grid.append(n)
    return grid


# ---------------------------------------------------------------------------------------------
# Cases (lengths in bohr unless stated)

def si_primitive(a, shift):
    cell = [[0.0, a / 2, a / 2], [a / 2, 0.0, a / 2], [a / 2, a / 2, 0.0]]
    pos = [[0.0, 0.0, 0.0], [a / 4 + shift[0], a / 4 + shift[1], a / 4 + shift[2]]]
    return cell, ["Si", "Si"], pos


def strained(structure, eps):
    """Cell rows and positions times (1 + eps), eps symmetric (a homogeneous strain)."""
    cell, symbols, pos = structure
    m = [[(i == j) + eps[i][j] for j in range(3)] for i in range(3)]
    mul = lambda v: [sum(m[i][j] * v[j] for j in range(3)) for i in range(3)]  # noqa: E731
    return [mul(v) for v in cell], symbols, [mul(v) for v in pos]


# a general strain of the fcc cell (triclinic result): every stress component non-zero
EPS_SI = [[0.02, 0.01, -0.015], [0.01, -0.01, 0.012], [-0.015, 0.012, 0.025]]


def si_conventional(a, shift):
    fcc = [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)]
    frac = fcc + [(x + 0.25, y + 0.25, z + 0.25) for x, y, z in fcc]
    pos = [[a * x, a * y, a * z] for x, y, z in frac]
    pos[0] = [pos[0][i] + shift[i] for i in range(3)]
    return [[a, 0.0, 0.0], [0.0, a, 0.0], [0.0, 0.0, a]], ["Si"] * 8, pos


def water():
    """H2O in an 8 x 8.5 x 9 Å box: O-H 0.970 and 0.975 Å, H-O-H 104.5 degrees, the molecular plane
    tilted against the cell axes so that every force component is non-zero."""
    box = [8.0, 8.5, 9.0]
    o = np.array([4.02, 4.23, 4.51])
    d = np.array([0.3, 0.8, 0.5])
    d /= np.linalg.norm(d)
    p = np.array([1.0, 0.0, 0.0]) - d[0] * d
    p /= np.linalg.norm(p)
    half = math.radians(104.5) / 2
    h1 = o + 0.970 * (math.cos(half) * d + math.sin(half) * p)
    h2 = o + 0.975 * (math.cos(half) * d - math.sin(half) * p)
    cell = [[box[0] / BOHR_ANGSTROM, 0.0, 0.0], [0.0, box[1] / BOHR_ANGSTROM, 0.0],
            [0.0, 0.0, box[2] / BOHR_ANGSTROM]]
    pos = [list(map(float, v / BOHR_ANGSTROM)) for v in (o, h1, h2)]
    return cell, ["O", "H", "H"], pos


def graphene(shift):
    """Graphene, a = 2.46 Å, c = 8 Å (vacuum along z); C 1 at (1/3, 1/3, 1/2), C 2 at (2/3, 2/3, 1/2)
    (fractional) displaced by shift (bohr)."""
    a, c = 2.46 / BOHR_ANGSTROM, 8.0 / BOHR_ANGSTROM
    cell = [[a, 0.0, 0.0], [a / 2, a * math.sqrt(3.0) / 2, 0.0], [0.0, 0.0, c]]
    frac = [(1.0 / 3, 1.0 / 3, 0.5), (2.0 / 3, 2.0 / 3, 0.5)]
    pos = [[sum(f[j] * cell[j][i] for j in range(3)) for i in range(3)] for f in frac]
    pos[1] = [pos[1][i] + shift[i] for i in range(3)]
    return cell, ["C", "C"], pos


def dioxygen():
    """O2 (1.21 Å) in a 7 x 7.5 x 8 Å box, the bond along (0.4, 0.6, 0.7) (every force component
    non-zero), centred at (3.52, 3.77, 4.03) Å."""
    box = [7.0, 7.5, 8.0]
    c = np.array([3.52, 3.77, 4.03])
    d = np.array([0.4, 0.6, 0.7])
    d /= np.linalg.norm(d)
    cell = [[box[0] / BOHR_ANGSTROM, 0.0, 0.0], [0.0, box[1] / BOHR_ANGSTROM, 0.0],
            [0.0, 0.0, box[2] / BOHR_ANGSTROM]]
    pos = [list(map(float, v / BOHR_ANGSTROM)) for v in (c - 0.605 * d, c + 0.605 * d)]
    return cell, ["O", "O"], pos


def platinum_oxide():
    """PtO (1.727 Å) in a 7 x 7.5 x 8 Å box, the bond along (0.4, 0.6, 0.7), centred at
    (3.52, 3.77, 4.03) Å (as dioxygen)."""
    cell, _, pos = dioxygen()
    c = np.array([3.52, 3.77, 4.03])
    d = np.array([0.4, 0.6, 0.7])
    d /= np.linalg.norm(d)
    pos = [list(map(float, v / BOHR_ANGSTROM)) for v in (c - 0.8635 * d, c + 0.8635 * d)]
    return cell, ["Pt", "O"], pos


def fe_bcc_primitive(a):
    h = a / 2
    return [[-h, h, h], [h, -h, h], [h, h, -h]], ["Fe"], [[0.0, 0.0, 0.0]]


def fe_bcc_cubic(a, shift):
    pos = [[0.0, 0.0, 0.0], [a / 2 + shift[0], a / 2 + shift[1], a / 2 + shift[2]]]
    return [[a, 0.0, 0.0], [0.0, a, 0.0], [0.0, 0.0, a]], ["Fe", "Fe"], pos


def fen4oh_graphene(c, z_layer):
    """FeN4 + *OH in 4x4 graphene: the 33 atoms of tests/xtb/periodic/fen4oh_g4.gen (DFTB+ gen format,
    S = periodic, cartesian Å; written by tests/xtb/periodic/make_cells.py): a divacancy with four
    pyridinic N, Fe in the plane, O 1.80 Å above Fe, H 0.97 Å from O tilted along x; hexagonal
    a = 9.84 Å. The in-plane cell and coordinates are used as they are; the out-of-plane axis is
    shortened to c (Å) and every atom moved rigidly along z so that the layer sits at z_layer (Å)
    (the .gen file: c = 20 Å, layer at 10 Å). Returns bohr."""
    with open(os.path.join(ROOT, "tests", "xtb", "periodic", "fen4oh_g4.gen")) as fh:
        rows = [line.split() for line in fh if line.strip() and not line.lstrip().startswith("#")]
    nat, kind = int(rows[0][0]), rows[0][1]
    if kind != "S" or nat != 33:
        raise RuntimeError("fen4oh_g4.gen: expected 33 atoms, periodic (S)")
    types = rows[1]
    symbols = [types[int(w[1]) - 1] for w in rows[2:2 + nat]]
    xyz = [[float(x) for x in w[2:5]] for w in rows[2:2 + nat]]
    lat = [[float(x) for x in w] for w in rows[3 + nat:6 + nat]]  # after the origin line
    if lat[0][2] != 0.0 or lat[1][2] != 0.0 or lat[2][:2] != [0.0, 0.0]:
        raise RuntimeError("fen4oh_g4.gen: expected the layer in the xy plane, c along z")
    z0 = xyz[symbols.index("Fe")][2]
    pos = [[v[0] / BOHR_ANGSTROM, v[1] / BOHR_ANGSTROM, (v[2] - z0 + z_layer) / BOHR_ANGSTROM] for v in xyz]
    cell = [[x / BOHR_ANGSTROM for x in lat[0]], [x / BOHR_ANGSTROM for x in lat[1]], [0.0, 0.0, c / BOHR_ANGSTROM]]
    return cell, symbols, pos


def hydroxide():
    """OH (0.98 Å, the bond along (0.4, 0.6, 0.7)) centred at (3.1, 3.2, 3.4) Å in a 6 x 6.5 x 7 Å box."""
    d = np.array([0.4, 0.6, 0.7])
    d /= np.linalg.norm(d)
    c = np.array([3.1, 3.2, 3.4])
    cell = [[6.0 / BOHR_ANGSTROM, 0.0, 0.0], [0.0, 6.5 / BOHR_ANGSTROM, 0.0], [0.0, 0.0, 7.0 / BOHR_ANGSTROM]]
    pos = [list(map(float, v / BOHR_ANGSTROM)) for v in (c - 0.49 * d, c + 0.49 * d)]
    return cell, ["O", "H"], pos


def carbon_triclinic(frac):
    """Two C atoms in a triclinic cell (rows, Å: (4.6, 0, 0), (1.3, 4.9, 0), (0.7, -0.9, 5.3)) at the
    fractional coordinates frac (a metal: no symmetry, every stress component non-zero)."""
    cell = [[v / BOHR_ANGSTROM for v in row] for row in ((4.6, 0.0, 0.0), (1.3, 4.9, 0.0), (0.7, -0.9, 5.3))]
    pos = [[sum(f[j] * cell[j][i] for j in range(3)) for i in range(3)] for f in frac]
    return cell, ["C", "C"], pos


A_SI = 10.26
A_FE = 2.83 / BOHR_ANGSTROM
CASES = [
    dict(name="si2_lda", structure=si_primitive(A_SI, (0.05, -0.03, 0.02)),
         description="diamond Si, primitive fcc cell a = 10.26 bohr, atom 2 displaced by (0.05, -0.03, 0.02) bohr",
         pseudos={"Si": "GTH-PADE-q4"}, xc="lda", ecut=12.0, ngkpt=(3, 3, 3), shiftk=(0.5, 0.5, 0.5),
         nband=4, diemac=12.0),
    dict(name="si2_lda_gamma", structure=si_primitive(A_SI, (0.05, -0.03, 0.02)),
         description="as si2_lda, Gamma-centred 2x2x2 mesh",
         pseudos={"Si": "GTH-PADE-q4"}, xc="lda", ecut=12.0, ngkpt=(2, 2, 2), shiftk=(0.0, 0.0, 0.0),
         nband=4, diemac=12.0),
    dict(name="si2_lda_strained", structure=strained(si_primitive(A_SI, (0.05, -0.03, 0.02)), EPS_SI),
         description="si2_lda's cell and atoms under the strain 1 + eps, eps = ((0.02, 0.01, -0.015), "
                     "(0.01, -0.01, 0.012), (-0.015, 0.012, 0.025)) (triclinic; for the stress tensor)",
         pseudos={"Si": "GTH-PADE-q4"}, xc="lda", ecut=12.0, ngkpt=(3, 3, 3), shiftk=(0.5, 0.5, 0.5),
         nband=4, diemac=12.0),
    dict(name="si8_lda", structure=si_conventional(A_SI, (0.1, 0.0, -0.05)),
         description="diamond Si, conventional cubic cell a = 10.26 bohr, atom 1 displaced by (0.1, 0, -0.05) bohr",
         pseudos={"Si": "GTH-PADE-q4"}, xc="lda", ecut=10.0, ngkpt=(2, 2, 2), shiftk=(0.5, 0.5, 0.5),
         nband=16, diemac=12.0),
    dict(name="h2o_pbe", structure=water(),
         description="H2O (O-H 0.970/0.975 Å, 104.5 deg, tilted) in an 8 x 8.5 x 9 Å box, Gamma only",
         pseudos={"O": "GTH-PBE-q6", "H": "GTH-PBE-q1"}, xc="pbe", ecut=25.0, ngkpt=(1, 1, 1),
         shiftk=(0.0, 0.0, 0.0), nband=4, diemac=2.0),
    # --- stage 2: smearing and collinear spin (occopt, tsmear, nsppol, spinat, spinmagntarget) ---
    dict(name="graphene_pbe_fd", structure=graphene((0.03, -0.02, 0.04)),
         description="graphene a = 2.46 Å, c = 8 Å, C 2 displaced by (0.03, -0.02, 0.04) bohr, "
                     "Fermi-Dirac smearing 0.01 Ha",
         pseudos={"C": "GTH-PBE-q4"}, xc="pbe", ecut=15.0, ngkpt=(6, 6, 1), shiftk=(0.0, 0.0, 0.0),
         nband=8, diemac=1.0e6, occopt=3, tsmear=0.01),
    dict(name="graphene_pbe_gauss", structure=graphene((0.03, -0.02, 0.04)),
         description="as graphene_pbe_fd, Gaussian smearing 0.02 Ha",
         pseudos={"C": "GTH-PBE-q4"}, xc="pbe", ecut=15.0, ngkpt=(6, 6, 1), shiftk=(0.0, 0.0, 0.0),
         nband=8, diemac=1.0e6, occopt=7, tsmear=0.02),
    dict(name="o2_pbe_triplet", structure=dioxygen(),
         description="O2 (1.21 Å, tilted) in a 7 x 7.5 x 8 Å box, Gamma only, spin-polarised triplet: "
                     "fixed occupations, 7 spin-up and 5 spin-down electrons",
         pseudos={"O": "GTH-PBE-q6"}, xc="pbe", ecut=25.0, ngkpt=(1, 1, 1), shiftk=(0.0, 0.0, 0.0),
         nband=8, diemac=2.0, occopt=1, nsppol=2, spinat=[(0.0, 0.0, 1.0), (0.0, 0.0, 1.0)],
         spinmagntarget=2.0),
    dict(name="fe_bcc_pbe", structure=fe_bcc_primitive(A_FE),
         description="bcc Fe, primitive cell a = 2.83 Å, ferromagnetic, free moment, "
                     "Fermi-Dirac smearing 0.01 Ha",
         pseudos={"Fe": "GTH-PBE-q16"}, xc="pbe", ecut=30.0, ngkpt=(4, 4, 4), shiftk=(0.5, 0.5, 0.5),
         nband=14, diemac=1.0e6, occopt=3, tsmear=0.01, nsppol=2, spinat=[(0.0, 0.0, 3.0)],
         mqgrid_check=False),
    # fe_bcc_pbe ends non-magnetic (|M| < 1e-5): at ecut 30 Ha, with 0.01 Ha of Fermi-Dirac smearing,
    # the (badly underconverged) GTH-PBE-q16 d band is too broad for the Stoner instability. With
    # 0.002 Ha it is weakly magnetic, M = 0.355; a fixed-moment run (spinmagntarget 2) is 3.4 mHa
    # higher in free energy, so the free SCF found the lower state. The moment is erratic in ecut
    # (0.66, 0.36, 2.00 at 25, 30, 35 Ha; cutoff_series), a sign of the underconverged basis.
    dict(name="fe_bcc_pbe_fd002", structure=fe_bcc_primitive(A_FE),
         description="as fe_bcc_pbe, Fermi-Dirac smearing 0.002 Ha (magnetic)",
         pseudos={"Fe": "GTH-PBE-q16"}, xc="pbe", ecut=30.0, ngkpt=(4, 4, 4), shiftk=(0.5, 0.5, 0.5),
         nband=14, diemac=1.0e6, occopt=3, tsmear=0.002, nsppol=2, spinat=[(0.0, 0.0, 3.0)],
         mqgrid_check=False),
    dict(name="fe2_bcc_pbe_distorted", structure=fe_bcc_cubic(A_FE, (0.05, -0.03, 0.02)),
         description="bcc Fe, cubic 2-atom cell a = 2.83 Å, Fe 2 displaced by (0.05, -0.03, 0.02) bohr, "
                     "ferromagnetic start, free moment, Fermi-Dirac smearing 0.002 Ha (as fe_bcc_pbe_fd002)",
         pseudos={"Fe": "GTH-PBE-q16"}, xc="pbe", ecut=30.0, ngkpt=(2, 2, 2), shiftk=(0.5, 0.5, 0.5),
         nband=24, diemac=1.0e6, occopt=3, tsmear=0.002, nsppol=2,
         spinat=[(0.0, 0.0, 3.0), (0.0, 0.0, 3.0)], mqgrid_check=False),
    # --- a single-atom-catalyst site: fixed moment with smearing (one Fermi level per spin channel) ---
    # 33 atoms (26 C, 4 N, Fe, O, H), 147 valence electrons with GTH-PBE (Fe q16): M = 1 gives 74 up
    # and 73 down. Code-to-code on identical input, so neither the cutoff (12 Ha, far from converged
    # for semicore Fe) nor the vacuum (c = 11 Å, 8.7 Å between H and the next layer) is converged;
    # Gamma only. nband 88 = 74 + 14: the highest band holds < 1e-6 electrons at 0.01 Ha.
    # spinat puts the starting moment on Fe only (ATEscreen starts from m = rho M / N_el instead).
    # tolvrs 5e-10, not 1e-14: ABINIT's potential residual stalls at 0.5-3e-10 from SCF step 46 on
    # (largest band residual 1-4e-6; a first run to 1e-12 was stopped at step 60 after 11 CPU min),
    # while its energy stays within 3e-11 Ha from step 44 on.
    dict(name="fen4oh_pbe", structure=fen4oh_graphene(11.0, 4.5),
         description="FeN4 + *OH in 4x4 graphene (tests/xtb/periodic/fen4oh_g4.gen, a = 9.84 Å; c = 11 Å, "
                     "layer at z = 4.5 Å), Gamma only, spin-polarised, fixed total moment 1 with "
                     "Fermi-Dirac smearing 0.01 Ha (one Fermi level per spin channel)",
         pseudos={"Fe": "GTH-PBE-q16", "C": "GTH-PBE-q4", "N": "GTH-PBE-q5", "O": "GTH-PBE-q6",
                  "H": "GTH-PBE-q1"},
         xc="pbe", ecut=12.0, ngkpt=(1, 1, 1), shiftk=(0.0, 0.0, 0.0),
         nband=88, diemac=1.0e6, occopt=3, tsmear=0.01, nsppol=2,
         spinat=[(0.0, 0.0, 1.0 if s == "Fe" else 0.0) for s in fen4oh_graphene(11.0, 4.5)[1]],
         spinmagntarget=1.0, tolvrs=5.0e-10, mqgrid_check=False),
]
# --- cases outside the first two stages (issue #7, branch pw-unseen): charged cells, a triclinic
# cell with coordinates outside it and a shifted mesh that is even along one axis and odd along another
CASES += [
    dict(name="oh_anion_pbe", structure=hydroxide(),
         description="OH- (0.98 Å, tilted) in a 6 x 6.5 x 7 Å box, charge -1 (neutralising background), "
                     "Gamma only",
         pseudos={"O": "GTH-PBE-q6", "H": "GTH-PBE-q1"}, xc="pbe", ecut=20.0, ngkpt=(1, 1, 1),
         shiftk=(0.0, 0.0, 0.0), nband=4, diemac=2.0, charge=-1, mqgrid_check=False),
    dict(name="si2_lda_anion_fd", structure=si_primitive(A_SI, (0.05, -0.03, 0.02)),
         description="si2_lda's structure with one extra electron (charge -1, neutralising background), "
                     "Fermi-Dirac smearing 0.01 Ha, ecut 8 Ha",
         pseudos={"Si": "GTH-PADE-q4"}, xc="lda", ecut=8.0, ngkpt=(2, 2, 2), shiftk=(0.5, 0.5, 0.5),
         nband=8, diemac=1.0e6, occopt=3, tsmear=0.01, charge=-1, mqgrid_check=False),
    dict(name="c2_triclinic_pbe_outside",
         structure=carbon_triclinic([(1.1, -0.8, 2.3), (-1.65, 0.45, -0.45)]),
         description="two C in a triclinic cell, fractional coordinates (1.1, -0.8, 2.3) and (-1.65, 0.45, "
                     "-0.45) (outside the cell, as given), shifted 3x2x1 mesh, Fermi-Dirac smearing 0.02 Ha",
         pseudos={"C": "GTH-PBE-q4"}, xc="pbe", ecut=12.0, ngkpt=(3, 2, 1), shiftk=(0.5, 0.5, 0.5),
         nband=8, diemac=1.0e6, occopt=3, tsmear=0.02, mqgrid_check=False),
    # broken-symmetry (antiferromagnetic) H2 stretched to 3 Å: the starting moments +1 / -1 on the two
    # atoms (ABINIT spinat, ATEscreen --moments 1,-1) lead to M = 0 with opposite moments on the atoms,
    # below the ferromagnetic (M = 2) and the non-magnetic solutions
    dict(name="h2_stretched_pbe_afm",
         structure=([[5.0 / BOHR_ANGSTROM, 0.0, 0.0], [0.0, 5.2 / BOHR_ANGSTROM, 0.0], [0.0, 0.0, 7.0 / BOHR_ANGSTROM]],
                    ["H", "H"], [[2.5 / BOHR_ANGSTROM, 2.6 / BOHR_ANGSTROM, 2.0 / BOHR_ANGSTROM],
                                 [2.55 / BOHR_ANGSTROM, 2.62 / BOHR_ANGSTROM, 5.0 / BOHR_ANGSTROM]]),
         description="H2 stretched to 3.0 Å in a 5 x 5.2 x 7 Å box, Gamma only, spin-polarised, free moment, "
                     "antiferromagnetic start (spinat +1, -1), Fermi-Dirac smearing 0.005 Ha",
         pseudos={"H": "GTH-PBE-q1"}, xc="pbe", ecut=12.0, ngkpt=(1, 1, 1), shiftk=(0.0, 0.0, 0.0),
         nband=4, diemac=1.0e6, occopt=3, tsmear=0.005, nsppol=2, spinat=[(0.0, 0.0, 1.0), (0.0, 0.0, -1.0)],
         mqgrid_check=False),
]
# --- a 5d metal for the Hirshfeld charges (issue #7 follow-up): PtO with the GTH-PBE entry ATEscreen
# picks for Pt (the first one, q10; docs/validation.md "Pseudopotential choice"), spin-restricted with
# Fermi-Dirac smearing (16 valence electrons)
CASES += [
    dict(name="pto_pbe_fd", structure=platinum_oxide(),
         description="PtO (1.727 Å, tilted) in a 7 x 7.5 x 8 Å box, Gamma only, Pt GTH-PBE-q10, "
                     "spin-restricted, Fermi-Dirac smearing 0.01 Ha",
         pseudos={"Pt": "GTH-PBE-q10", "O": "GTH-PBE-q6"}, xc="pbe", ecut=20.0, ngkpt=(1, 1, 1),
         shiftk=(0.0, 0.0, 0.0), nband=12, diemac=2.0, occopt=3, tsmear=0.01, mqgrid_check=False),
]
SMEARING = {1: "none", 3: "fermi-dirac", 7: "gaussian"}


# ---------------------------------------------------------------------------------------------
# Files

def write_extxyz(path, cell, symbols, pos):
    """ASE-dialect extended XYZ, Å (bohr x BOHR_ANGSTROM, 12 decimals)."""
    fmt = lambda v: f"{v * BOHR_ANGSTROM:.12f}"  # noqa: E731
    lat = " ".join(fmt(x) for row in cell for x in row)
    lines = [str(len(symbols)),
             f'Lattice="{lat}" Properties=species:S:1:pos:R:3 pbc="T T T"']
    lines += [f"{s:<2s} {fmt(p[0]):>18s} {fmt(p[1]):>18s} {fmt(p[2]):>18s}" for s, p in zip(symbols, pos)]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def abinit_input(case, types, ngfft, ecut, extra=()):
    cell, symbols, pos = case["structure"]
    z = {s: gth2abinit.ELEMENTS.index(s) + 1 for s in types}
    r = lambda v: repr(float(v))  # noqa: E731  (shortest exact decimal of the double)
    lines = [f"# ATEscreen PW reference {case['name']}: {case['description']}",
             "# generated by tests/pw/make_refs.py; pseudopotentials converted from CP2K GTH_POTENTIALS",
             f'pseudos "{", ".join(f"{s}.psp" for s in types)}"',
             "acell 3*1.0",
             "rprim " + "\n      ".join("  ".join(r(x) for x in row) for row in cell),
             f"ntypat {len(types)}  znucl {' '.join(str(z[s]) for s in types)}",
             f"natom {len(symbols)}  typat {' '.join(str(types.index(s) + 1) for s in symbols)}",
             "xcart " + "\n      ".join("  ".join(r(x) for x in p) for p in pos),
             f"ecut {r(ecut)}",
             f"ngfft {ngfft[0]} {ngfft[1]} {ngfft[2]}",
             f"ixc {IXC[case['xc']]}",
             "kptopt 2  nsym 1  chkprim 0",
             f"ngkpt {' '.join(map(str, case['ngkpt']))}  nshiftk 1  shiftk {' '.join(map(r, case['shiftk']))}",
             "istwfk *1",
             f"nband {case['nband']}  occopt {case.get('occopt', 1)}",
             *([f"charge {r(case['charge'])}"] if case.get("charge") else []),
             *([f"tsmear {r(case['tsmear'])}"] if "tsmear" in case else []),
             *(["nsppol 2", "spinat " + "\n       ".join("  ".join(r(x) for x in v) for v in case["spinat"])]
               if case.get("nsppol", 1) == 2 else []),
             *([f"spinmagntarget {r(case['spinmagntarget'])}"] if "spinmagntarget" in case else []),
             f"tolvrs {case.get('tolvrs', 1.0e-14):.1e}  nstep 200",
             f"diemac {r(case['diemac'])}",
             "prtwf 0  prtden 0  prteig 0",
             *extra]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Running and parsing ABINIT

def run_abinit(work, text, dry=False):
    with open(os.path.join(work, "run.abi"), "w") as fh:
        fh.write(text)
    for f in os.listdir(work):  # ABINIT would rename, not overwrite, an old output
        if f.startswith("run.abo") or f.startswith("runo_"):
            os.remove(os.path.join(work, f))
    cmd = ["abinit", "run.abi"] + (["--dry-run"] if dry else [])
    t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, cwd=work, env=ENV, capture_output=True, text=True)
    dt, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)  # user + sys of the abinit process
    if r.returncode != 0 or "--- !ERROR" in r.stdout:
        raise RuntimeError(f"abinit failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}")
    with open(os.path.join(work, "run.abo")) as fh:
        abo = fh.read()
    return abo, r.stdout, dt, cpu


def outvars_ngfft(abo):
    m = re.search(r"^\s+ngfft\s+(\d+)\s+(\d+)\s+(\d+)", abo, re.M)
    return [int(x) for x in m.groups()]


def yaml_block(text, tag):
    """key: float pairs of the last '--- !tag' document of ABINIT's output."""
    start = text.rfind(f"--- !{tag}")
    if start < 0:
        raise RuntimeError(f"no {tag} document")
    out = {}
    for line in text[start:].splitlines()[1:]:
        if line.strip() == "...":
            break
        key, _, val = line.partition(":")
        try:
            out[key.strip().strip("'")] = float(val)
        except ValueError:
            pass
    return out


def smearing_check(occopt, tsmear, fermie, eig, occ, wtk, nelect, entropy, nsppol):
    """ABINIT's occupations and entropy (spline tables, m_occ.F90) against the closed forms, at ABINIT's
    own Fermi level: x = (e - mu) / tsmear, maxocc = 2 / nsppol,
      occopt 3: f = maxocc / (1 + e^x),   S = maxocc sum_k w_k sum_n -[p ln p + (1-p) ln(1-p)], p = f/maxocc
      occopt 7: f = maxocc erfc(x) / 2,   S = maxocc sum_k w_k sum_n e^{-x^2} / (2 sqrt(pi))."""
    maxocc = 2.0 / nsppol
    x = (eig - fermie) / tsmear
    if occopt == 3:
        p = 0.5 * (1.0 - np.tanh(0.5 * x))
        with np.errstate(divide="ignore", invalid="ignore"):
            s = -(np.where(p > 0, p * np.log(p), 0.0) + np.where(p < 1, (1 - p) * np.log1p(-p), 0.0))
    elif occopt == 7:
        p = np.array([[[0.5 * math.erfc(v) for v in row] for row in sp] for sp in x])
        s = np.exp(-x * x) / (2.0 * math.sqrt(math.pi))
    else:
        raise RuntimeError(f"no closed form for occopt {occopt}")
    ent = maxocc * float(np.einsum("k,skb->", wtk, s))
    return {"max_abs_occ_diff": float(np.max(np.abs(maxocc * p - occ))),
            "entropy_closed_form": ent, "entropy_diff": entropy - ent,
            "nelect_closed_form_minus_nelect": maxocc * float(np.einsum("k,skb->", wtk, p)) - nelect}


def fermi_level_fd(eig, wtk, nelect, tsmear):
    """The mu at which Fermi-Dirac occupations 1 / (1 + e^((e - mu)/tsmear)) (maxocc 1: one spin channel)
    of eig[k][band] with k weights wtk hold nelect electrons; bisection until the bracket is a few ulp
    wide (the closed form, not ABINIT's spline table)."""
    count = lambda mu: float(np.einsum("k,kb->", wtk, 0.5 * (1.0 - np.tanh(0.5 * (eig - mu) / tsmear))))  # noqa: E731
    lo, hi = float(eig.min()) - 50.0 * tsmear, float(eig.max()) + 50.0 * tsmear
    while hi - lo > 4.0 * np.finfo(float).eps * max(1.0, abs(lo), abs(hi)):
        mid = 0.5 * (lo + hi)
        if count(mid) < nelect:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def parse_run(work, text, log, cell):
    """Results of the finished run in work: GSR.nc numbers, checked against the text output."""
    with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
        f = lambda k: g[k][()]  # noqa: E731
        occopt = int(f("occopt"))
        terms = {"kinetic": float(f("e_kinetic")), "hartree": float(f("e_hartree")), "xc": float(f("e_xc")),
                 "ewald": float(f("e_ewald")), "psp_core": float(f("e_corepsp")),
                 "local_psp": float(f("e_localpsp")), "nonlocal_psp": float(f("e_nlpsp_vfock"))}
        eig, occ = f("eigenvalues"), f("occupations")  # [spin][k][band]
        nsppol = eig.shape[0]
        if occopt >= 3:
            # GSR's e_entropy is already the energy term -tsmear * S; its "entropy" is S (dimensionless)
            terms["minus_kT_entropy"] = float(f("e_entropy"))
            if abs(terms["minus_kT_entropy"] + float(f("tsmear")) * float(f("entropy"))) > 1e-15:
                raise RuntimeError("e_entropy != -tsmear * entropy")
        res = {
            "etotal": float(f("etotal")),
            "energy_terms": terms,
            "band_energy": float(f("e_eigenvalues")),
            "fermie": float(f("e_fermie")),
            "forces": f("cartesian_forces").tolist(),
            "stress_voigt": f("cartesian_stress_tensor").tolist(),
            "kpoints_reduced": f("reduced_coordinates_of_kpoints").tolist(),
            "kpoint_weights": f("kpoint_weights").tolist(),
            "npw_per_kpoint": f("number_of_coefficients").tolist(),
            "istwfk": f("istwfk").tolist(),
            "eigenvalues": (eig[0] if nsppol == 1 else eig).tolist(),
            "occupations": (occ[0] if nsppol == 1 else occ).tolist(),
            "scf": {"deltae": float(f("deltae")), "res2": float(f("res2")), "residm": float(f("residm"))},
            "ngfft_gsr": [len(g[f"number_of_grid_points_vector{i}"]) for i in (1, 2, 3)],
        }
        wtk = f("kpoint_weights")
        if occopt >= 3:
            res["tsmear"] = float(f("tsmear"))
            res["entropy"] = float(f("entropy"))
            res["internal_energy"] = res["etotal"] - terms["minus_kT_entropy"]
            mu = res["fermie"]
            # a fixed moment with smearing (spinmagntarget): newocc finds one Fermi level per spin channel,
            # each holding its own electron count, and prints both in the log (6 decimals); GSR keeps the
            # last one computed (spin down). The closed-form level of each channel is solved here from
            # ABINIT's eigenvalues and checked against the log and GSR.
            per_spin = re.findall(r"newocc: new Fermi energy for spin\s+(\d) is\s+(\S+)", log)
            if per_spin:
                if occopt != 3 or nsppol != 2:
                    raise RuntimeError("one Fermi level per spin: handled for occopt 3, nsppol 2 only")
                mu_log = [float([v for sp, v in per_spin if sp == str(i + 1)][-1]) for i in range(2)]
                mu = np.array([fermi_level_fd(eig[i], wtk, float(np.einsum("k,kb->", wtk, occ[i])), res["tsmear"])
                               for i in range(2)])
                if max(abs(mu - mu_log)) > 1.5e-6 or abs(mu[1] - res["fermie"]) > 1e-9:
                    raise RuntimeError(f"Fermi levels per spin: closed form {mu}, log {mu_log}, GSR {res['fermie']}")
                res["fermie_per_spin"] = mu.tolist()
                res["fermie_per_spin_log"] = mu_log
                res["fermie_meaning"] = ("fixed moment with smearing: GSR fermie is the spin-down level; "
                                         "fermie_per_spin [up, down] solve each channel's electron count with "
                                         "closed-form Fermi-Dirac occupations, checked against the log (6 "
                                         "decimals) and GSR (1e-9)")
                mu = mu.reshape(2, 1, 1)
            res["occupation_check"] = smearing_check(occopt, res["tsmear"], mu, eig, occ, wtk,
                                                     float(f("nelect")), res["entropy"], nsppol)
        if nsppol == 2:
            res["nelect_up"] = float(np.einsum("k,kb->", wtk, occ[0]))
            res["nelect_down"] = float(np.einsum("k,kb->", wtk, occ[1]))
            res["magnetization"] = res["nelect_up"] - res["nelect_down"]
        if occopt == 1:
            # fixed occupations: HOMO and LUMO per spin channel (over all k)
            res["homo_lumo_per_spin"] = [[float(eig[s][occ[s] > 0].max()), float(eig[s][occ[s] == 0].min())
                                          if (occ[s] == 0).any() else None] for s in range(nsppol)]
    # cross-check GSR against the text output (EnergyTerms is printed with 15 significant digits)
    et = yaml_block(text, "EnergyTerms")
    for key, gkey in (("kinetic", "kinetic"), ("hartree", "hartree"), ("xc", "xc"), ("Ewald energy", "ewald"),
                      ("psp_core", "psp_core"), ("local_psp", "local_psp"), ("non_local_psp", "nonlocal_psp")):
        if abs(et[key] - res["energy_terms"][gkey]) > 1e-12 * max(1.0, abs(et[key])):
            raise RuntimeError(f"{key}: text {et[key]} vs GSR {res['energy_terms'][gkey]}")
    if abs(et["total_energy"] - res["etotal"]) > 1e-12 * max(1.0, abs(res["etotal"])):
        raise RuntimeError("total_energy text vs GSR")
    if "minus_kT_entropy" in res["energy_terms"]:
        # with smearing ABINIT prints "internal" (the seven terms) and "-kT*entropy"; total = their sum
        if abs(et["-kT*entropy"] - res["energy_terms"]["minus_kT_entropy"]) > 1e-12 * max(1.0, abs(et["-kT*entropy"])):
            raise RuntimeError("-kT*entropy text vs GSR")
        if abs(et["internal"] - res["internal_energy"]) > 1e-12 * max(1.0, abs(et["internal"])):
            raise RuntimeError("internal energy text vs GSR")
    if abs(sum(res["energy_terms"].values()) - res["etotal"]) > 1e-10:
        raise RuntimeError("energy terms do not add up to etotal")
    if "magnetization" in res:
        m = re.search(r"Total magnetization \(exact up - dn\):\s+(\S+)", text)
        if abs(float(m.group(1)) - res["magnetization"]) > 1e-6:
            raise RuntimeError(f"magnetization: text {m.group(1)} vs occupations {res['magnetization']}")
        res["magnetization_text"] = float(m.group(1))
    res["energy_terms_text"] = et
    # forces printed at end (14 decimals) and the raw reduced gradient dE/dxred (before the drift is removed)
    m = re.search(r"cartesian forces \(hartree/bohr\) at end:\n(.*?)\n frms", text, re.S)
    ftxt = [[float(x) for x in line.split()[1:4]] for line in m.group(1).splitlines()]
    if np.max(np.abs(np.array(ftxt) - np.array(res["forces"]))) > 1e-13:
        raise RuntimeError("forces text vs GSR")
    m = re.search(r"dE/dt below \(all hartree\)\n(.*?)\n\s*\n", text, re.S)
    dedt = np.array([[float(x) for x in line.split()[1:4]] for line in m.group(1).splitlines()])
    raw = -np.linalg.solve(np.array(cell), dedt.T).T  # x = xred . A (rows a_i) => dE/dx = A^-1 dE/dxred
    res["forces_raw"] = raw.tolist()
    res["force_drift"] = raw.mean(axis=0).tolist()
    m = re.search(r"ETOT\s+(\d+)(?:\s+\S+){4,5}\s*\n\s*\n\s*At SCF step\s+(\d+)", text)  # nsppol 2: + magn
    res["scf"]["steps"] = int(m.group(2)) if m else None
    if not re.search(r"=>\s*converged\.", text):
        raise RuntimeError("ABINIT's SCF did not reach its tolerance")
    m = re.search(r"ecut\(hartree\)=\s*(\S+)\s*=> boxcut\(ratio\)=\s*(\S+)", text)
    res["boxcut"] = float(m.group(2))
    res["ngfft_used"] = outvars_ngfft(text)
    warnings = re.findall(r"--- !WARNING\nsrc_file: (\S+)\nsrc_line: \d+\nmessage: \|\n((?:    .*\n)+)", log)
    res["warnings"] = sorted({f"{src}: {' '.join(msg.split())}" for src, msg in warnings})
    return res


# ---------------------------------------------------------------------------------------------

def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def abinit_info():
    ver = subprocess.run(["abinit", "--version"], capture_output=True, text=True).stdout.strip()
    build = subprocess.run(["abinit", "-b"], capture_output=True, text=True).stdout
    keep = ("Version", "Build target", "Build date", "Fortran compiler", "FCFLAGS", "LINALG flavor",
            "FFT flavor", "LibXC", "Optimization level", "openMP support")
    info = {"version": ver, "build": {}}
    for line in build.splitlines():
        k, _, v = line.partition(":")
        if k.strip() in keep:
            info["build"][k.strip()] = v.strip()
    pk = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "abinit", "libxc9"],
                        capture_output=True, text=True).stdout.split("\n")
    info["debian_packages"] = [p for p in pk if p]
    return info


def one_run(work, case, types, ecut, extra=()):
    cell = case["structure"][0]
    ngfft = fft_grid(cell, ecut)
    # ABINIT's own choice (no ngfft, boxcutmin 2) from a dry run, for comparison only
    dry = abinit_input(case, types, ngfft, ecut).replace(f"ngfft {ngfft[0]} {ngfft[1]} {ngfft[2]}\n", "")
    abo_dry, _, _, _ = run_abinit(work, dry, dry=True)
    text = abinit_input(case, types, ngfft, ecut, extra)
    abo, log, dt, cpu = run_abinit(work, text)
    res = parse_run(work, abo, log, cell)
    if res["ngfft_used"] != ngfft or res["ngfft_gsr"] != ngfft:
        raise RuntimeError(f"ABINIT changed ngfft {ngfft} -> {res['ngfft_used']}")
    res["ngfft_requested"] = ngfft
    res["ngfft_abinit_default"] = outvars_ngfft(abo_dry)
    res["run_time_s"] = round(dt, 2)
    res["cpu_time_s"] = round(cpu, 2)  # user + sys (the machine is shared: wall time is not the cost)
    return text, res


@contextlib.contextmanager
def kept_on_failure(prefix):
    """A temporary working directory, removed afterwards unless an exception leaves it (then its path
    is printed, so that a long ABINIT run can be inspected)."""
    work = tempfile.mkdtemp(prefix=prefix)
    try:
        yield work
    except BaseException:
        print(f"failed: ABINIT's files kept in {work}", file=sys.stderr, flush=True)
        raise
    shutil.rmtree(work)


def make_case(case, info, gth_sha):
    name = case["name"]
    cell, symbols, pos = case["structure"]
    os.makedirs(os.path.join(HERE, "cases"), exist_ok=True)
    os.makedirs(os.path.join(HERE, "refs"), exist_ok=True)
    write_extxyz(os.path.join(HERE, "cases", f"{name}.extxyz"), cell, symbols, pos)
    entries = gth2abinit.read_gth_file(GTH_FILE)
    types = list(dict.fromkeys(symbols))
    psps = {}
    with kept_on_failure(f"ate_pw_{name}_") as work:
        for s in types:
            entry = gth2abinit.find_entry(entries, s, case["pseudos"][s])
            text = gth2abinit.to_abinit(entry)
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(text)
            psps[s] = {"cp2k_entry": f"{entry['symbol']} {entry['names'][0]}",
                       "cp2k_header": " ".join([entry["symbol"]] + entry["names"]),
                       "cp2k_line": entry["line"], "abinit_psp10_text": text}
        inp, res = one_run(work, case, types, case["ecut"])
        # the G = 0 convention: PspCore = N_el / Omega * sum over atoms of epsatm, with
        # epsatm = int (V_loc(r) + Z/r) d^3r = 2 pi rloc^2 Z + (2 pi)^(3/2) rloc^3 (C1 + 3 C2 + 15 C3 + 105 C4)
        eps = {}
        for s in types:
            e = gth2abinit.find_entry(entries, s, case["pseudos"][s])
            rl, c = float(e["rloc"]), [float(x) for x in e["c"]] + [0.0] * 4
            eps[s] = (2 * math.pi * rl ** 2 * sum(e["elec"])
                      + (2 * math.pi) ** 1.5 * rl ** 3 * (c[0] + 3 * c[1] + 15 * c[2] + 105 * c[3]))
        nel = sum(sum(gth2abinit.find_entry(entries, s, case["pseudos"][s])["elec"]) for s in symbols)
        vol = abs(np.linalg.det(np.array(cell)))
        psp_core = nel * sum(eps[s] for s in symbols) / vol
        if abs(psp_core - res["energy_terms"]["psp_core"]) > 1e-10:
            raise RuntimeError(f"psp_core {res['energy_terms']['psp_core']} != N_el/Omega sum epsatm = {psp_core}")
        res["epsatm"] = eps
        print(f"{name}: etotal {res['etotal']:.10f} Ha  ngfft {res['ngfft_used']} "
              f"(ABINIT default {res['ngfft_abinit_default']}, boxcut {res['boxcut']})  "
              f"{res['scf']['steps']} SCF steps  {res['run_time_s']} s (CPU {res['cpu_time_s']} s)", flush=True)
        out = {
            "case": name,
            "description": case["description"],
            "generated_by": "/usr/bin/python3 tests/pw/make_refs.py",
            "generated_on": datetime.date.today().isoformat(),
            "abinit": info,
            "units": {"energy": "hartree", "length": "bohr", "force": "hartree/bohr (cartesian, -dE/dR)",
                      "stress": "hartree/bohr^3, Voigt order xx yy zz yz xz xy"},
            "structure": {"symbols": symbols, "cell_bohr": cell, "positions_bohr": pos,
                          "extxyz": f"tests/pw/cases/{name}.extxyz", "bohr_angstrom": BOHR_ANGSTROM},
            "settings": {"xc": case["xc"], "ixc": IXC[case["xc"]], "ecut": case["ecut"],
                         "ngfft": res["ngfft_requested"], "ngfft_rule": "fft_grid() in tests/pw/make_refs.py",
                         "kptopt": 2, "nsym": 1, "ngkpt": list(case["ngkpt"]), "shiftk": list(case["shiftk"]),
                         "nband": case["nband"], "occopt": case.get("occopt", 1),
                         "tolvrs": case.get("tolvrs", 1e-14), "istwfk": 1,
                         "abinit_defaults_that_matter": {"ecutsm": 0.0, "mqgrid": 3001, "boxcutmin": 2.0,
                                                         "xc_denpos": 1e-14, "intxc": 0, "fftalg": 112}},
            **({"etotal_definition": "free energy F = E - tsmear*S: etotal = internal_energy + "
                                     "energy_terms.minus_kT_entropy"} if case.get("occopt", 1) >= 3 else {}),
            "pseudopotentials": {s: dict(psps[s], cp2k_file="inputs/params/gth/GTH_POTENTIALS",
                                         cp2k_file_sha256=gth_sha) for s in types},
            "abinit_input": inp,
            "results": res,
        }
        out["settings"].update(spin_settings(case, symbols))
        if case.get("charge"):
            # ABINIT's psp_core uses the ions' charge, ATEscreen's (and Quantum ESPRESSO's) the electrons'
            # (tests/pw/REFERENCES.md, "Charged cells"): the two differ by -charge/Omega sum epsatm
            out["settings"]["charge"] = case["charge"]
            out["settings"]["psp_core_convention"] = (
                "ABINIT: psp_core = (sum_I Z_ion,I) / Omega * sum_I epsatm_I (checked); ATEscreen: "
                "N_el / Omega * sum_I epsatm_I, N_el = sum Z_ion - charge. pw_check.py compares ATEscreen "
                "with etotal + (N_el - sum Z_ion) / Omega * sum epsatm and the stress diagonal with "
                "-(N_el - sum Z_ion) / Omega^2 * sum epsatm added (that term is proportional to 1/Omega)")
            out["results"]["psp_core_nel"] = (nel - case["charge"]) * sum(eps[s] for s in symbols) / vol
        if name in CUTOFF_SERIES:
            series = []
            for ec in CUTOFF_SERIES[name]:
                if ec == case["ecut"]:
                    r = res
                else:
                    _, r = one_run(work, case, types, ec)
                series.append({"ecut": ec, "ngfft": r["ngfft_used"], "etotal": r["etotal"],
                               "forces": r["forces"], "npw_per_kpoint": r["npw_per_kpoint"],
                               "run_time_s": r["run_time_s"],
                               # smearing / spin cases only (si2_lda's series keeps its layout)
                               **{k: r[k] for k in ("internal_energy", "entropy", "magnetization") if k in r},
                               **({"fermie": r["fermie"]} if "entropy" in r else {})})
                print(f"  {name} ecut {ec:5.1f}: etotal {r['etotal']:.10f}  ngfft {r['ngfft_used']}  "
                      f"{r['run_time_s']} s", flush=True)
            out["cutoff_series"] = series
        # how much ABINIT's spline tables (mqgrid q points) move the numbers: same run, mqgrid 12001
        if not case.get("mqgrid_check", True):
            out["sensitivity_mqgrid_12001"] = None
            print("  mqgrid 12001 check skipped (run time)", flush=True)
            return write_ref(name, out)
        _, fine = one_run(work, case, types, case["ecut"], extra=("mqgrid 12001",))
        out["sensitivity_mqgrid_12001"] = {
            "etotal_minus_ref": fine["etotal"] - res["etotal"],
            "terms_minus_ref": {k: fine["energy_terms"][k] - v for k, v in res["energy_terms"].items()},
            "max_force_diff": float(np.max(np.abs(np.array(fine["forces"]) - np.array(res["forces"])))),
            "run_time_s": fine["run_time_s"]}
        print(f"  mqgrid 12001: etotal change {out['sensitivity_mqgrid_12001']['etotal_minus_ref']:.3e}, "
              f"max force change {out['sensitivity_mqgrid_12001']['max_force_diff']:.3e}", flush=True)
    return write_ref(name, out)


def write_ref(name, out):
    with open(os.path.join(HERE, "refs", f"{name}.json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    return out


def spin_settings(case, symbols):
    """Settings keys for smearing and collinear spin (what a second code must be told)."""
    occopt = case.get("occopt", 1)
    out = {"smearing": SMEARING[occopt]}
    if occopt >= 3:
        out["tsmear_ha"] = case["tsmear"]
        out["smearing_definition"] = (
            "x = (e - mu)/tsmear; f = maxocc/(1 + exp(x)), S = -maxocc sum_k w_k sum_n [p ln p + (1-p) ln(1-p)], "
            "p = f/maxocc" if occopt == 3 else
            "x = (e - mu)/tsmear; f = maxocc erfc(x)/2, S = maxocc sum_k w_k sum_n exp(-x^2)/(2 sqrt(pi))")
        out["smearing_definition"] += "; maxocc = 2/nsppol; etotal = F = E - tsmear*S; one mu for both spins"
    if case.get("nsppol", 1) == 2:
        out["nsppol"] = 2
        out["spinat"] = [list(v) for v in case["spinat"]]
        out["spinat_meaning"] = "starting moment per atom (mu_B, z component): initial density only"
        if "spinmagntarget" in case:
            m = case["spinmagntarget"]
            nel = sum(sum(gth2abinit.find_entry(gth2abinit.read_gth_file(GTH_FILE), s, case["pseudos"][s])["elec"])
                      for s in symbols)
            out.update({"total_moment": m, "spin_mode": "fixed", "spinmagntarget": m,
                        "nelect_up": (nel + m) / 2, "nelect_down": (nel - m) / 2})
            if occopt == 1:
                out["fixed_occupation_form"] = (
                    "occopt 1 + nsppol 2 + spinmagntarget: ABINIT occupies the lowest nelect_up spin-up and "
                    "nelect_down spin-down bands with 1 at every k (no smearing, no Fermi level, no entropy)")
        else:
            out.update({"total_moment": None, "spin_mode": "free",
                        "spin_mode_meaning": "one Fermi level for both spins, moment from the SCF"})
    return out


# Electrons per spin in spheres around the atoms (ABINIT prtdensph 1, ratsph R, ratsm 0: the
# rectangle rule on the FFT grid, no smoothing of the sphere surface) for cases already made:
# `make_refs.py --spheres [NAME ...]` runs the case's stored input again with those variables
# (they do not change the SCF) and adds results.spheres to its JSON, leaving every other number
# as it was (the run's etotal must equal the stored one). Radii, bohr: O2 1.3 (the spheres
# overlap a little at 2.29 bohr, as in the first look at this), bcc Fe 2.0.
SPHERES = {"o2_pbe_triplet": 1.3, "fe_bcc_pbe_fd002": 2.0, "h2_stretched_pbe_afm": 1.5}


def parse_spheres(abo, natom):
    """The last 'Integrated electronic and magnetization densities in atomic spheres' table."""
    start = abo.rfind("Integrated electronic and magnetization densities in atomic spheres")
    if start < 0:
        raise RuntimeError("no atomic-sphere table in the output")
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", abo[start:], re.M)
    rows = [r for r in rows if r[0].isdigit()][:natom]
    if len(rows) != natom:
        raise RuntimeError("atomic-sphere table: expected %d rows" % natom)
    return [{"atom": int(r[0]), "radius": float(r[1]), "up": float(r[2]), "down": float(r[3]),
             "total": float(r[4]), "diff": float(r[5])} for r in rows]


def add_spheres(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    radius = SPHERES[name]
    natom = len(ref["structure"]["symbols"])
    with kept_on_failure(f"ate_pw_sph_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        text = ref["abinit_input"] + f"prtdensph 1  ratsph {radius!r}  ratsm 0.0\n"
        abo, log, dt, cpu = run_abinit(work, text)
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    rows = parse_spheres(abo, natom)
    ref["results"]["spheres"] = {
        "abinit_variables": f"prtdensph 1  ratsph {radius!r}  ratsm 0.0",
        "ratsph_bohr": radius,
        "definition": "electrons of each spin within ratsph of the atom: (Omega/N) sum of rho_s over the FFT "
                      "grid points r with |r - R_atom - T|^2 < 1.0000001 ratsph^2 (any lattice vector T); "
                      "values as printed by ABINIT (6 decimals)",
        "up": [r["up"] for r in rows], "down": [r["down"] for r in rows],
        "moment": [r["diff"] for r in rows],
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    print(f"{name}: spheres r = {radius} bohr: up {ref['results']['spheres']['up']} down "
          f"{ref['results']['spheres']['down']} ({dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)


# Angular-momentum weights of every band in spheres around atoms (ABINIT prtdos 3, norm-conserving
# case: m_epjdos.F90 partial_dos_fractions, the Rayleigh expansion of the plane waves integrated to
# ratsph) for cases already made: `make_refs.py --pdos [NAME ...]` runs the case's stored input
# again with prtdos 3, natsph, iatsph, ratsph (they do not change the SCF: the run's etotal must
# equal the stored one) and adds results.pdos to its JSON: the "dos_fractions" of ABINIT's
# FATBANDS.nc (full double precision, per atom, l = 0..4, spin, k-point, band), not a broadened
# DOS. prtdos 3 needs nkpt >= 2 (m_chkinp.F90): a Gamma-only case is run with Gamma twice
# (kptopt 0, nkpt 2, wtk 0.5 0.5: the same density and bands) and the two copies must agree.
# Value: [radius (bohr), atoms (0-based; None: all)].
PDOS = {"fe2_bcc_pbe_distorted": [2.0, None], "fe_bcc_pbe_fd002": [2.0, None],
        "fen4oh_pbe": [2.0, ["Fe"]]}


def add_pdos(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    radius, only = PDOS[name]
    symbols = ref["structure"]["symbols"]
    atoms = [i for i, s in enumerate(symbols) if only is None or s in only]
    ntypat = len(ref["pseudopotentials"])
    text = ref["abinit_input"]
    gamma_twice = ref["settings"]["ngkpt"] == [1, 1, 1] and ref["settings"]["shiftk"] == [0.0, 0.0, 0.0]
    if gamma_twice:
        text, n = re.subn(r"kptopt 2  nsym 1  chkprim 0\nngkpt [^\n]*\n",
                          "kptopt 0  nsym 1  chkprim 0\nnkpt 2  kpt 0 0 0  0 0 0  wtk 0.5 0.5\n", text)
        if n != 1:
            raise RuntimeError(f"{name}: k-point lines not found")
    variables = (f"prtdos 3  natsph {len(atoms)}  iatsph {' '.join(str(a + 1) for a in atoms)}  "
                 f"ratsph {' '.join([repr(radius)] * ntypat)}")
    with kept_on_failure(f"ate_pw_pdos_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        abo, log, dt, cpu = run_abinit(work, text + variables + "\n")
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
        with h5py.File(os.path.join(work, "runo_FATBANDS.nc"), "r") as g:
            frac = np.array(g["dos_fractions"][()])  # [natsph * mbesslang][nsppol][mband][nkpt]
            eig = np.array(g["eigenvalues"][()])  # [nsppol][nkpt][mband]
            mbesslang = int(g["mbesslang"].shape[0])
            iatsph = [int(i) for i in g["iatsph"][()]]
            ratsph = [float(r) for r in g["ratsph"][()]]
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    if iatsph != [a + 1 for a in atoms] or any(r != radius for r in ratsph):
        raise RuntimeError(f"{name}: FATBANDS.nc has iatsph {iatsph}, ratsph {ratsph}")
    nsppol = frac.shape[1]
    frac = frac.reshape(len(atoms), mbesslang, nsppol, frac.shape[2], frac.shape[3])
    frac = frac.transpose(0, 1, 2, 4, 3)  # [atom][l][spin][k][band]
    if gamma_twice:
        if np.max(np.abs(frac[:, :, :, 0] - frac[:, :, :, 1])) > 1e-8 or np.max(np.abs(eig[:, 0] - eig[:, 1])) > 1e-9:
            raise RuntimeError(f"{name}: the two Gamma copies differ")
        frac, eig = frac[:, :, :, :1], eig[:, :1]
    stored = np.array(ref["results"]["eigenvalues"])
    if np.max(np.abs(eig.reshape(stored.shape) - stored)) > 1e-8:
        raise RuntimeError(f"{name}: eigenvalues differ from the stored ones")
    ref["results"]["pdos"] = {
        "abinit_variables": variables + (" (with kptopt 0, nkpt 2, kpt Gamma twice, wtk 0.5 0.5)"
                                          if gamma_twice else ""),
        "ratsph_bohr": radius, "atoms": atoms, "lmax": mbesslang - 1,
        "definition": "w[atom][l][spin][k][band] = sum_m int_0^ratsph r^2 |psi_lm(r)|^2 dr, psi_lm the (l, m) "
                      "component of the band on the sphere around the atom (ABINIT's dos_fractions of "
                      "FATBANDS.nc, prtdos 3, norm-conserving: Simpson's rule on a uniform radial grid of "
                      "int(2 pi ratsph sqrt(ecut) / 0.1) + 1 points, j_l splined with step 0.1 in qr)",
        "fractions": frac.tolist(),
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    d = frac[:, 2].sum(axis=(1, 2, 3)) / frac.shape[3]
    print(f"{name}: pdos r = {radius} bohr, atoms {atoms}: d weight per atom (k average, both spins) "
          f"{np.round(d, 6).tolist()} ({dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)


# Hirshfeld charges (ABINIT's cut3d, option 11, on the density of the case's stored input rerun with
# prtden 1; the SCF is the stored one: etotal must agree) with the free-atom all-electron densities
# of inputs/params/hirshfeld (QE ld1.x, make_free_atoms.py there), the files the kernel reads.
# cut3d prints the electrons and net charge per atom with 7 significant digits (es17.6).
HIRSHFELD = ("h2o_pbe", "fe2_bcc_pbe_distorted", "o2_pbe_triplet", "pto_pbe_fd")
FREE_ATOMS = os.path.join(ROOT, "inputs", "params", "hirshfeld")


def add_hirshfeld(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    symbols = ref["structure"]["symbols"]
    types = list(ref["pseudopotentials"])
    text = ref["abinit_input"].replace("prtwf 0  prtden 0  prteig 0", "prtwf 0  prtden 1  prteig 0")
    if "prtden 1" not in text:
        raise RuntimeError(f"{name}: prtden line not found")
    with kept_on_failure(f"ate_pw_hirsh_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        abo, log, dt, cpu = run_abinit(work, text)
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
        files = [os.path.join(FREE_ATOMS, f"{s}.dat") for s in types]  # in typat order
        spin = "0\n" if ref["settings"].get("nsppol", 1) == 2 else ""  # ispden 0: the total density
        stdin = "runo_DEN\n" + spin + "11\n" + "".join(f + "\n" for f in files) + "0\n0\n"
        r = subprocess.run(["cut3d"], input=stdin, cwd=work, env=ENV, capture_output=True, text=True)
        out = r.stdout
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    start = out.find("Hirshfeld analysis")
    if r.returncode != 0 or start < 0:
        raise RuntimeError(f"{name}: cut3d failed\n{out[-3000:]}{r.stderr[-1000:]}")
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", out[start:], re.M)[:len(symbols)]
    total = re.search(r"^\s*Total\s+(\S+)\s+(\S+)\s+(\S+)", out[start:], re.M)
    if len(rows) != len(symbols) or not total:
        raise RuntimeError(f"{name}: cut3d's Hirshfeld table not parsed")
    ref["results"]["hirshfeld"] = {
        "program": "cut3d (ABINIT 9.6.2), option 11, on runo_DEN of the stored input with prtden 1",
        "free_atom_files": {s: {"path": os.path.relpath(f, ROOT), "sha256": sha256(f)}
                            for s, f in zip(types, files)},
        "definition": "net charge = zion - sum over the FFT grid of rho_A^0 / (sum_B rho_B^0 + 1e-6) x rho_valence "
                      "x Omega/N at the points where sum_B rho_B^0 > 1e-6 (periodic images included; each free-atom "
                      "table cut before its first value < 1e-6); printed es17.6",
        "electrons": [-float(x[2]) for x in rows], "net_charge": [float(x[3]) for x in rows],
        "total_net_charge": float(total.group(3)),
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    print(f"{name}: Hirshfeld net charges {ref['results']['hirshfeld']['net_charge']} "
          f"(total {float(total.group(3)):.3e}; {dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)


def main(argv):
    if argv[:1] == ["--hirshfeld"]:
        for name in argv[1:] or list(HIRSHFELD):
            add_hirshfeld(name)
        return
    if argv[:1] == ["--spheres"]:
        for name in argv[1:] or list(SPHERES):
            add_spheres(name)
        return
    if argv[:1] == ["--pdos"]:
        for name in argv[1:] or list(PDOS):
            add_pdos(name)
        return
    names = argv or [c["name"] for c in CASES]
    unknown = set(names) - {c["name"] for c in CASES}
    if unknown:
        sys.exit(f"unknown case(s): {' '.join(sorted(unknown))}")
    report, ok = gth2abinit.selftest(GTH_FILE)
    print("gth2abinit selftest:\n  " + "\n  ".join(report))
    if not ok:
        sys.exit("gth2abinit selftest failed")
    info, gth_sha = abinit_info(), sha256(GTH_FILE)
    t0 = time.perf_counter()
    for case in CASES:
        if case["name"] in names:
            make_case(case, info, gth_sha)
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
