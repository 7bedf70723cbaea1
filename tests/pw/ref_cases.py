#!/usr/bin/python3
"""The reference cases of tests/pw/make_refs.py (issue #7): structures (lengths in bohr unless
stated) and settings of every ABINIT reference in tests/pw/refs. Split out of make_refs.py,
which imports CASES and SMEARING from here."""
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BOHR_ANGSTROM = 0.529177210903  # Å per bohr, CODATA 2018: ATE_BOHR_ANGSTROM of src/include/atescreen/units.h


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
    # the same with Pt GTH-PBE-q18, the kernel's default since the alias rule (CP2K's GTH-PBE alias;
    # docs/validation.md "Pseudopotential choice"): 24 valence electrons, 5s5p semicore on Pt
    dict(name="pto_pbe_q18_fd", structure=platinum_oxide(),
         description="PtO (1.727 Å, tilted) in a 7 x 7.5 x 8 Å box, Gamma only, Pt GTH-PBE-q18, "
                     "spin-restricted, Fermi-Dirac smearing 0.01 Ha",
         pseudos={"Pt": "GTH-PBE-q18", "O": "GTH-PBE-q6"}, xc="pbe", ecut=20.0, ngkpt=(1, 1, 1),
         shiftk=(0.0, 0.0, 0.0), nband=16, diemac=2.0, occopt=3, tsmear=0.01, mqgrid_check=False),
]
SMEARING = {1: "none", 3: "fermi-dirac", 7: "gaussian"}
