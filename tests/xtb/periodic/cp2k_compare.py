#!/usr/bin/python3
"""Periodic GFN1-xTB: ATEscreen (full mode) vs CP2K 2023.1's native xTB, term by term.

usage: /usr/bin/python3 tests/xtb/periodic/cp2k_compare.py [ATESCREEN_EXE] [WORKDIR]
           [--cases h2o,graphene_2x2,...] [--variants default,matched] [--save-refs DIR]

For every case the same geometry is run through `atescreen calc ... --method gfn1 --json`
(full mode, Gamma point, Fermi smearing 300 K) and through CP2K (`cp2k.psmp`, or `cp2k.ssmp` /
`cp2k.popt` / `cp2k`, one thread) with METHOD xTB, Fermi-Dirac smearing at 300 K, EPS_SCF 1e-9,
Ewald electrostatics (DO_EWALD T, plain EWALD with alpha and GMAX chosen for convergence) for
cells and PERIODIC NONE for the molecule. Two CP2K settings are run ("variants"):

  default  CP2K's own xTB cutoffs (D3 radius 15 A, COORDINATION_CUTOFF 1e-6,
           COULOMB_SR_CUT 20 bohr, COULOMB_SR_EPS 1e-3), EPS_DEFAULT 1e-12
  matched  the cutoffs raised towards ATEscreen's (D3 radius 60 bohr, COULOMB_SR_CUT 40 bohr,
           COULOMB_SR_EPS 1e-12, COORDINATION_CUTOFF 1e-7... see CP2K_MATCHED), EPS_DEFAULT 1e-16

The terms are mapped as  band <-> "Core Hamiltonian energy",  electrostatic <-> "Electronic
energy" + "DFTB3 3rd order energy",  electronic_entropy <-> "Electronic entropic energy",
repulsion <-> "Repulsive potential energy",  dispersion <-> "Dispersion energy",
halogen <-> "Correction for halogen bonding".  The table is printed in Eh.

Exit codes: 0 all compared totals of the "matched" variant within TOL_TOTAL of ATEscreen,
1 a total differs by more (or a run failed), 77 CP2K is not installed or cannot run
(install with `apt-get install cp2k`; Debian 12 ships 2023.1 with cp2k-data).
See docs/validation-periodic-cp2k.md for the figures and the explanation of every difference.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BOHR = 0.52917721090380  # Angstrom (CODATA 2018), as ATEscreen
TOL_TOTAL = 3.0e-4  # Eh: |E_ATEscreen - E_CP2K(matched)| allowed for every compared case
CP2K_SHARE = "/usr/share/cp2k/"

# name: (geometry file relative to tests/xtb, periodic, charge, unpaired electrons)
CASES = {
    "h2o": ("molecules/h2o.xyz", False, 0, 0),
    "graphene_2x2": ("periodic/graphene_2x2.gen", True, 0, 0),
    "graphene_4x4": ("periodic/graphene_4x4.gen", True, 0, 0),
    "fen4_g4": ("periodic/fen4_g4.gen", True, 0, 2),
}
DEFAULT_CASES = list(CASES)

CP2K_DEFAULT = {"eps_default": 1e-12, "disp_radius": None, "coord_cutoff": None,
                "sr_cut": None, "sr_eps": None}
CP2K_MATCHED = {"eps_default": 1e-16, "disp_radius": 60.0 * BOHR, "coord_cutoff": None,
                "sr_cut": 17.75, "sr_eps": 1e-14}
VARIANTS = {"default": CP2K_DEFAULT, "matched": CP2K_MATCHED}

TERM_MAP = [  # (ATEscreen key, CP2K labels summed)
    ("band", ["Core Hamiltonian energy"]),
    ("electrostatic", ["Electronic energy", "DFTB3 3rd order energy"]),
    ("electronic_entropy", ["Electronic entropic energy"]),
    ("repulsion", ["Repulsive potential energy"]),
    ("dispersion", ["Dispersion energy"]),
    ("halogen", ["Correction for halogen bonding"]),
]


def read_geometry(path):
    """Return (symbols, positions in A, cell rows in A or None)."""
    lines = [l.split("#")[0].strip() for l in open(path)]
    if path.endswith(".xyz"):
        n = int(lines[0])
        sym, pos = [], []
        for l in lines[2:2 + n]:
            w = l.split()
            sym.append(w[0])
            pos.append([float(x) for x in w[1:4]])
        return sym, pos, None
    lines = [l for l in lines if l]
    n, kind = int(lines[0].split()[0]), lines[0].split()[1].upper()
    species = lines[1].split()
    sym, pos = [], []
    for l in lines[2:2 + n]:
        w = l.split()
        sym.append(species[int(w[1]) - 1])
        pos.append([float(x) for x in w[2:5]])
    cell = [[float(x) for x in l.split()[:3]] for l in lines[3 + n:6 + n]]
    if kind == "F":
        pos = [[sum(f[k] * cell[k][d] for k in range(3)) for d in range(3)] for f in pos]
    elif kind != "S":
        raise ValueError(f"{path}: only S and F gen files are handled")
    return sym, pos, cell


def ewald_settings(cell, alpha):
    """GMAX per direction (odd) so that exp(-G^2/(4 alpha^2)) <= 1e-16 at the last G vector.
    alpha in 1/A. CP2K's EWALD counts GMAX points along each reciprocal vector."""
    gcut = 2.0 * alpha * math.sqrt(math.log(1e16))
    # |b_i| = 2 pi / d_i with d_i the spacing of lattice planes = V / |a_j x a_k|
    a = cell
    vol = abs(det3(a))
    gmax = []
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        cr = cross(a[j], a[k])
        b = 2.0 * math.pi * math.sqrt(sum(c * c for c in cr)) / vol
        n = int(math.ceil(gcut / b)) + 1
        gmax.append(2 * n + 1)
    return gmax


def cross(u, v):
    return [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]


def det3(a):
    return sum(a[0][i] * cross(a[1], a[2])[i] for i in range(3))


def cp2k_input(name, sym, pos, cell, charge, uhf, opts):
    """The CP2K 2023.1 input for one single point (text)."""
    periodic = cell is not None
    par = [f"          PARAM_FILE_PATH {CP2K_SHARE}",
           "          PARAM_FILE_NAME xTB_parameters",
           "          DISPERSION_PARAMETER_FILE dftd3.dat"]
    if opts["disp_radius"] is not None:
        par.append(f"          DISPERSION_RADIUS {opts['disp_radius']:.10f}")
    if opts["coord_cutoff"] is not None:
        par.append(f"          COORDINATION_CUTOFF {opts['coord_cutoff']:.3e}")
    if opts["sr_cut"] is not None:
        par.append(f"          COULOMB_SR_CUT {opts['sr_cut']:.4f}")
    if opts["sr_eps"] is not None:
        par.append(f"          COULOMB_SR_EPS {opts['sr_eps']:.3e}")
    if periodic:
        alpha = opts.get("alpha", 1.0)
        gmax = ewald_settings(cell, alpha * opts.get("gscale", 1.0))
        poisson = ["    &POISSON", "      PERIODIC XYZ", "      POISSON_SOLVER PERIODIC",
                   "      &EWALD", "        EWALD_TYPE SPME", f"        ALPHA [angstrom^-1] {alpha:.4f}",
                   "        GMAX %d %d %d" % tuple(gmax), f"        EWALD_ACCURACY {opts.get('ewald_acc', 1e-6):.1e}", f"        O_SPLINE {opts.get('o_spline', 6)}", "      &END EWALD", "    &END POISSON"]
        cellsec = ["    &CELL"] + [f"      {ax} [angstrom] {v[0]:.12f} {v[1]:.12f} {v[2]:.12f}"
                                   for ax, v in zip("ABC", cell)] + ["      PERIODIC XYZ", "    &END CELL"]
    else:
        poisson = ["    &POISSON", "      PERIODIC NONE", "      POISSON_SOLVER ANALYTIC", "    &END POISSON"]
        cellsec = ["    &CELL", "      ABC [angstrom] 20.0 20.0 20.0", "      PERIODIC NONE", "    &END CELL"]
    nel_added = 40 + len(sym)
    lsd = uhf > 0
    smear = ["      &SMEAR ON", "        METHOD FERMI_DIRAC", "        ELECTRONIC_TEMPERATURE [K] 300.0"]
    if lsd:
        # one Fermi level per spin channel with n_alpha - n_beta fixed, as ATEscreen and xtb do
        smear.append(f"        FIXED_MAGNETIC_MOMENT {uhf:.1f}")
    smear.append("      &END SMEAR")
    lines = [
        "&GLOBAL", f"  PROJECT {name}", "  RUN_TYPE ENERGY", "  PRINT_LEVEL MEDIUM", "&END GLOBAL",
        "&FORCE_EVAL", "  METHOD QS", "  &DFT", f"    CHARGE {charge}", f"    MULTIPLICITY {uhf + 1}",
        "    UKS" if lsd else "    UKS F",
        "    &QS", "      METHOD xTB", f"      EPS_DEFAULT {opts['eps_default']:.1e}", "      &XTB",
        f"        DO_EWALD {'T' if periodic else 'F'}", "        CHECK_ATOMIC_CHARGES F",
        f"        OLD_COULOMB_DAMPING {'T' if opts.get('old_damping') else 'F'}",
        "        &PARAMETER"] + par + ["        &END PARAMETER", "      &END XTB", "    &END QS"] + poisson + [
        "    &SCF", "      SCF_GUESS MOPAC", "      EPS_SCF 1.0E-9", "      MAX_SCF 500",
        f"      ADDED_MOS {nel_added}"] + smear + [
        "      &MIXING", "        METHOD BROYDEN_MIXING", "        ALPHA 0.2", "        NBROYDEN 8",
        "      &END MIXING", "    &END SCF", "  &END DFT", "  &SUBSYS"] + cellsec + ["    &COORD"] + [
        f"      {s} {p[0]:.12f} {p[1]:.12f} {p[2]:.12f}" for s, p in zip(sym, pos)] + [
        "    &END COORD", "  &END SUBSYS", "&END FORCE_EVAL", ""]
    return "\n".join(lines)


LABELS = ["Core Hamiltonian energy", "Repulsive potential energy", "Electronic energy",
          "DFTB3 3rd order energy", "Dispersion energy", "Correction for halogen bonding",
          "Electronic entropic energy", "Total energy"]


def parse_cp2k(text):
    """Energy terms of the last converged SCF block of a CP2K xTB output."""
    if "*** SCF run converged" not in text:
        raise RuntimeError("CP2K SCF did not converge")
    block = text[text.rindex("*** SCF run converged"):]
    out = {}
    for lab in LABELS:
        m = re.search(r"^\s*" + re.escape(lab) + r":\s+(-?[0-9.]+(?:[EeDd][-+]?\d+)?)", block, re.M)
        if m is None:
            raise RuntimeError(f"CP2K output lacks '{lab}'")
        out[lab] = float(m.group(1).replace("D", "E"))
    m = re.search(r"ENERGY\| Total FORCE_EVAL \( QS \) energy \[(?:a\.u\.|hartree)\]:\s+(-?[0-9.]+)", text)
    if m:
        out["FORCE_EVAL"] = float(m.group(1))
    m = re.search(r"SCF run converged in\s+(\d+) steps", block)
    out["steps"] = int(m.group(1)) if m else -1
    return out


def find_cp2k():
    for exe in ("cp2k.ssmp", "cp2k.psmp", "cp2k.popt", "cp2k"):
        path = shutil.which(exe)
        if path:
            return path
    return None


def run_cp2k(exe, workdir, name, text):
    os.makedirs(workdir, exist_ok=True)
    inp = os.path.join(workdir, name + ".inp")
    out = os.path.join(workdir, name + ".out")
    with open(inp, "w") as f:
        f.write(text)
    if os.path.exists(out):
        os.remove(out)  # CP2K appends to an existing output file
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([exe, "-i", inp, "-o", out], cwd=workdir, env=env, capture_output=True, text=True)
    body = open(out).read() if os.path.exists(out) else ""
    if r.returncode != 0:
        tail = "\n".join(body.splitlines()[-25:]) or r.stderr[-800:]
        raise RuntimeError(f"CP2K failed on {name} (exit {r.returncode}):\n{tail}")
    return parse_cp2k(body), inp, out


def run_atescreen(exe, path, charge, uhf):
    cmd = [exe, "calc", path, "--method", "gfn1", "--json", "--charge", str(charge), "--uhf", str(uhf)]
    if path.endswith(".gen"):
        cmd += ["--pbc-mode", "full"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if r.returncode != 0:
        raise RuntimeError(f"atescreen failed on {path}: {r.stderr[-600:]}")
    return json.loads(r.stdout)
