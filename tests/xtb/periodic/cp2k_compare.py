#!/usr/bin/python3
"""Periodic GFN1-xTB: ATEscreen (full mode) vs CP2K 2023.1's native xTB, term by term.

usage: /usr/bin/python3 tests/xtb/periodic/cp2k_compare.py [ATESCREEN_EXE] [WORKDIR]
           [--cases h2o,graphene_2x2,...] [--variants default,matched] [--save-refs DIR] [--scan]

For every case the same geometry is run through `atescreen calc ... --method gfn1 --json`
(full mode, Gamma point, Fermi smearing 300 K) and through CP2K (`cp2k.ssmp`, `cp2k.psmp`,
`cp2k.popt` or `cp2k`, one rank, one thread) with METHOD xTB (2023.1 has no GFN_TYPE keyword: its
native xTB is GFN1), Fermi-Dirac smearing at 300 K, EPS_SCF 1e-9, Broyden mixing (alpha 0.2, or
0.05 with 20 vectors for open shells: FeN4 oscillates at 0.2), UKS with MULTIPLICITY 2S+1 and
FIXED_MAGNETIC_MOMENT = unpaired electrons for open shells (one Fermi level per spin channel, as
ATEscreen and xtb), PERIODIC NONE for the molecule and for cells DO_EWALD T with SPME (CP2K's TB
code accepts only SPME: "TB needs EWALD_TYPE SPME"), alpha 1/A, GMAX so that
exp(-G^2/4 alpha^2) <= 1e-16, O_SPLINE 6. Two CP2K settings ("variants") are run:

  default  CP2K's own xTB cutoffs: DISPERSION_RADIUS 15 (read as Angstrom although the output
           labels it Bohr), COORDINATION_CUTOFF 1e-6, COULOMB_SR_CUT 20 bohr and COULOMB_SR_EPS
           1e-3 (per-atom radii: a pair's Klopman-Ohno remainder is cut at the sum of the two,
           smoothed over the last bohr; with eps 1e-3 the radius is about 10 bohr), EPS_DEFAULT 1e-12
  matched  cutoffs set to mimic ATEscreen's full mode: DISPERSION_RADIUS 31.75 (= 60 bohr),
           COULOMB_SR_EPS 1e-14 and COULOMB_SR_CUT 17.75 bohr, i.e. the remainder summed to a
           pair distance of 35.5 bohr (ATEscreen: switched off between 30 and 40 bohr),
           EPS_DEFAULT 1e-16

The terms are mapped as  band <-> "Core Hamiltonian energy",  electrostatic <-> "Electronic
energy" + "DFTB3 3rd order energy",  electronic_entropy <-> "Electronic entropic energy",
repulsion <-> "Repulsive potential energy",  dispersion <-> "Dispersion energy",
halogen <-> "Correction for halogen bonding".  The table is printed in Eh.

CP2K's printed "Total energy" leaves out the electronic entropy term (-TS) that it prints in the
breakdown, so totals are compared as the sum of the printed terms; both are shown.
--scan adds the cutoff scans (COULOMB_SR_CUT, DISPERSION_RADIUS) on graphene 2x2 quoted in the docs;
--save-refs DIR copies the CP2K inputs and outputs there (tests/xtb/periodic/cp2k_refs).

Exit codes: 0 all compared totals of the "matched" variant within TOL_ABS + TOL_PER_ATOM * atoms,
1 a total differs by more (or a run failed), 77 CP2K is not installed or cannot run
(install with `apt-get install cp2k`; Debian 12 ships 2023.1 with cp2k-data).
See docs/validation.md ("Periodic GFN1-xTB vs CP2K 2023.1") for the figures and the explanation of every difference.
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
# |E_ATEscreen - E_CP2K(matched)| allowed per case: TOL_ABS + TOL_PER_ATOM * atoms (Eh). The
# residuals are CP2K's own integrals (about 1e-5 Eh per atom in the band energy, seen already for
# molecules without any lattice sum) and its D3 (3-4e-6 Eh per atom in the graphene sheets);
# docs/validation.md ("Periodic GFN1-xTB vs CP2K 2023.1") explains every term.
TOL_ABS = 1.0e-4
TOL_PER_ATOM = 1.0e-5
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
    alpha in 1/A; GMAX counts grid points along each reciprocal vector."""
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
    opts = dict(opts)
    if uhf > 0:  # the open-shell FeN4 cells oscillate with ALPHA 0.2 (500 steps unconverged)
        opts.setdefault("mix_alpha", 0.05)
        opts.setdefault("nbroyden", 20)
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
        "    &SCF", "      SCF_GUESS MOPAC", "      EPS_SCF 1.0E-9", f"      MAX_SCF {opts.get('max_scf', 500)}",
        f"      ADDED_MOS {nel_added}"] + smear + [
        "      &MIXING", f"        METHOD {opts.get('mixing', 'BROYDEN_MIXING')}", f"        ALPHA {opts.get('mix_alpha', 0.2)}",
        f"        NBROYDEN {opts.get('nbroyden', 8)}",
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


def cp2k_sum(res):
    """CP2K's total assembled from its printed terms (its printed 'Total energy' leaves out the
    electronic entropy term -TS in 2023.1's xTB with smearing; see the docs)."""
    return sum(res[label] for _, labels in TERM_MAP for label in labels)


def table(name, natoms, ate, cp, variant):
    rows = [f"{name} ({natoms} atoms), CP2K variant '{variant}', {cp['steps']} CP2K SCF steps",
            f"  {'term':<34} {'ATEscreen':>17} {'CP2K':>17} {'ATEscreen-CP2K':>15}"]
    for key, labs in TERM_MAP:
        a, c = ate["energy_terms"][key], sum(cp[l] for l in labs)
        rows.append(f"  {key + ' <-> ' + ' + '.join(labs):<34.34} {a:17.10f} {c:17.10f} {a - c:15.3e}")
    tot = cp2k_sum(cp)
    rows.append(f"  {'total (CP2K: sum of terms)':<34} {ate['energy']:17.10f} {tot:17.10f} {ate['energy'] - tot:15.3e}")
    rows.append(f"  {'CP2K printed Total energy':<34} {'':17} {cp['Total energy']:17.10f} "
                f"{ate['energy'] - cp['Total energy']:15.3e}")
    return "\n".join(rows), ate["energy"] - tot


def scan(cp2k, workdir):
    """The cutoff scans quoted in the docs: electrostatics vs COULOMB_SR_CUT and dispersion vs
    DISPERSION_RADIUS for graphene 2x2 (all other settings 'matched')."""
    sym, pos, cell = read_geometry(os.path.join(ROOT, "tests", "xtb", CASES["graphene_2x2"][0]))
    print("graphene_2x2: CP2K electrostatic (Electronic + DFTB3) vs COULOMB_SR_CUT (bohr, per atom;"
          " COULOMB_SR_EPS 1e-14)")
    for rc in (5.0, 10.0, 15.0, 17.75, 20.0, 25.0, 40.0):
        opts = dict(CP2K_MATCHED, sr_cut=rc)
        r, _, _ = run_cp2k(cp2k, os.path.join(workdir, "scan"), "g2_sr%g" % rc,
                           cp2k_input("g2", sym, pos, cell, 0, 0, opts))
        print(f"  SR_CUT {rc:6.2f}  electrostatic {r['Electronic energy'] + r['DFTB3 3rd order energy']:.10f}")
    print("graphene_2x2: CP2K dispersion vs DISPERSION_RADIUS (number as given in the input)")
    for rd in (15.0, 30.0, 60.0 * BOHR, 60.0, 120.0):
        opts = dict(CP2K_MATCHED, disp_radius=rd)
        r, _, _ = run_cp2k(cp2k, os.path.join(workdir, "scan"), "g2_d3_%g" % rd,
                           cp2k_input("g2", sym, pos, cell, 0, 0, opts))
        print(f"  DISPERSION_RADIUS {rd:8.4f}  dispersion {r['Dispersion energy']:.10f}")


def main():
    args = [a for a in sys.argv[1:]]
    opt = {}
    for flag in ("--cases", "--variants", "--save-refs"):
        if flag in args:
            i = args.index(flag)
            opt[flag] = args[i + 1]
            del args[i:i + 2]
    do_scan = "--scan" in args
    args = [a for a in args if a != "--scan"]
    exe = os.path.abspath(args[0] if args else os.path.join(ROOT, "build", "atescreen"))
    workdir = os.path.abspath(args[1] if len(args) > 1 else "cp2k_compare_work")
    cases = opt.get("--cases", ",".join(DEFAULT_CASES)).split(",")
    variants = opt.get("--variants", "default,matched").split(",")
    cp2k = find_cp2k()
    if cp2k is None or not os.path.exists(os.path.join(CP2K_SHARE, "xTB_parameters")):
        print("SKIP: CP2K (cp2k.psmp/cp2k.popt/cp2k) or /usr/share/cp2k/xTB_parameters not found; "
              "install Debian's cp2k and cp2k-data (apt-get install cp2k)")
        return 77
    v = subprocess.run([cp2k, "--version"], capture_output=True, text=True)
    if v.returncode != 0:
        print(f"SKIP: {cp2k} --version failed: {v.stderr[-300:]}")
        return 77
    print(f"CP2K: {cp2k} ({v.stdout.splitlines()[0].strip()}); ATEscreen: {exe}")
    if not os.access(exe, os.X_OK):
        print(f"FAIL: {exe} is not executable")
        return 1
    failed = []
    for name in cases:
        geo, periodic, charge, uhf = CASES[name]
        path = os.path.join(ROOT, "tests", "xtb", geo)
        sym, pos, cell = read_geometry(path)
        ate = run_atescreen(exe, path, charge, uhf)
        for var in variants:
            try:
                cp, inp, out = run_cp2k(cp2k, os.path.join(workdir, var), name,
                                        cp2k_input(name, sym, pos, cell, charge, uhf, VARIANTS[var]))
            except RuntimeError as e:
                print(f"FAIL {name} [{var}]: {e}")
                failed.append(name)
                continue
            text, diff = table(name, len(sym), ate, cp, var)
            print(text)
            if var == "matched":
                tol = TOL_ABS + TOL_PER_ATOM * len(sym)
                ok = abs(diff) <= tol
                print(f"  -> |dE| = {abs(diff):.2e} Eh, tolerance {tol:.2e} Eh: {'ok' if ok else 'FAIL'}")
                if not ok:
                    failed.append(name)
            if "--save-refs" in opt:
                dst = os.path.abspath(opt["--save-refs"])
                os.makedirs(dst, exist_ok=True)
                shutil.copy(inp, os.path.join(dst, f"{name}.{var}.inp"))
                shutil.copy(out, os.path.join(dst, f"{name}.{var}.out"))
            print(flush=True)
    if do_scan:
        scan(cp2k, workdir)
    if failed:
        print("FAILED:", ", ".join(failed))
        return 1
    print("all compared totals within tolerance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
