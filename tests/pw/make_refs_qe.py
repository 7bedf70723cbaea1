#!/usr/bin/python3
"""Quantum ESPRESSO 6.7 (pw.x) references for the smearing functions of the plane-wave kernel,
cold (Marzari-Vanderbilt) smearing above all (issue #7): ABINIT's occopt 4/5 are other functions,
QE's smearing='mv' is the published one (N. Marzari, D. Vanderbilt, A. De Vita, M. C. Payne,
PRL 82, 3296 (1999); QE's wgauss/w1gauss with n = -1, the same formulas as
kernels/pw/occupations.c, docs/theory-pw.md "Occupations").

usage: /usr/bin/python3 tests/pw/make_refs_qe.py [CASE ...]   (writes tests/pw/refs_qe/CASE.json)

Every system runs with Gaussian, Fermi-Dirac and cold smearing of the same width: QE's PBE and its
reciprocal-space handling of the GTH tables (benchmarks/peers/gth2upf.py's UPF) differ from
ATEscreen's by about 1e-7-1e-6 Ha/atom (benchmarks/peers/pw_vs_qe.md), a difference that does not
depend on the smearing function; tests/pw/pw_vs_qe_smearing.py compares each smearing's
QE - ATEscreen difference with the Gaussian one (the baseline). Same settings in both programs:
structure (Å, converted with the CODATA 2018 bohr of src/include/atescreen/units.h), GTH numbers,
cutoff (QE ecutwfc = 2 E_cut Ry, ecutrho 4x), FFT grid (ATEscreen's default rule, QE nr1..nr3),
k-points without symmetry but time reversal (QE nosym), bands, width (QE degauss = 2 sigma Ry).
QE prints energies in Ry, the Fermi energy in eV and forces in Ry/bohr; stored here in Ha, eV,
Ha/bohr. Its "!    total energy" under smearing is the free energy E - TS (the "smearing contrib.
(-TS)" line is stored too), what ATEscreen's "energy" is.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "peers"))
import gth2abinit  # noqa: E402
import gth2upf  # noqa: E402
import make_refs  # noqa: E402

BOHR_ANGSTROM = 0.529177210903  # src/include/atescreen/units.h
HARTREE_EV = 27.211386245988
GTH_FILE = os.path.join(ROOT, "inputs", "params", "gth", "GTH_POTENTIALS")
MASS = {"Al": 26.9815, "Fe": 55.845}
QE_SMEARING = {"gaussian": "gaussian", "fermi-dirac": "fermi-dirac", "mv": "mv"}


def fft_grid(cell_bohr, ecut):
    """ATEscreen's default density grid (kernels/pw/basis.c; tests/pw/make_refs.fft_grid)."""
    return make_refs.fft_grid(cell_bohr, ecut)


def al4():
    """fcc Al, conventional cubic cell (a = 4.05 Å), atom 0 displaced: forces on every atom"""
    a = 4.05
    frac = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
    pos = [[a * f for f in p] for p in frac]
    pos[0] = [pos[0][0] + 0.09, pos[0][1] + 0.05, pos[0][2] - 0.04]
    return ["Al"] * 4, [[a, 0, 0], [0, a, 0], [0, 0, a]], pos


def fe_bcc():
    """bcc Fe, one atom, a = 2.83 Å (spin-polarised, free moment from 2 mu_B)"""
    a = 2.83
    return ["Fe"], [[-a / 2, a / 2, a / 2], [a / 2, -a / 2, a / 2], [a / 2, a / 2, -a / 2]], \
        [[0.0, 0.0, 0.0]]


SYSTEMS = {
    "al4": dict(structure=al4, pseudos={"Al": "GTH-PBE-q3"}, ecut=10.0, kpts=[2, 2, 2],
                shift=0.5, nbands=12, sigma=0.02, spin=None,
                what="fcc Al conventional cell (4 atoms, one displaced), PBE, 10 Ha, 2x2x2 "
                     "shifted, 12 bands, width 0.02 Ha"),
    "fe1": dict(structure=fe_bcc, pseudos={"Fe": "GTH-PBE-q16"}, ecut=20.0, kpts=[3, 3, 3],
                shift=0.5, nbands=14, sigma=0.01, spin=2.0,
                what="bcc Fe (1 atom), PBE spin-polarised with a free moment (start 2 mu_B), "
                     "20 Ha, 3x3x3 shifted, 14 bands per spin, width 0.01 Ha"),
    "fe1fix": dict(structure=fe_bcc, pseudos={"Fe": "GTH-PBE-q16"}, ecut=20.0, kpts=[3, 3, 3],
                   shift=0.5, nbands=14, sigma=0.01, spin=2.0, fixed=2,
                   what="bcc Fe (1 atom), PBE spin-polarised with a fixed moment of 2 mu_B (one "
                        "Fermi level per spin; QE tot_magnetization), 20 Ha, 3x3x3 shifted, 14 "
                        "bands per spin, width 0.01 Ha"),
}
CASES = {f"{s}_{sm.replace('fermi-dirac', 'fd')}": (s, sm) for s in SYSTEMS
         for sm in ("gaussian", "fermi-dirac", "mv")}


def qe_input(c, symbols, cell_b, pos_b, grid, smearing):
    types = list(dict.fromkeys(symbols))
    spin = ""
    if c["spin"]:
        entries = gth2abinit.read_gth_file(GTH_FILE)
        zion = {s: sum(gth2abinit.find_entry(entries, s, c["pseudos"][s])["elec"]) for s in types}
        spin = "nspin=2, " + ", ".join(f"starting_magnetization({i + 1})={c['spin'] / zion[s]!r}"
                                       for i, s in enumerate(types)) + ",\n  "
        if c.get("fixed") is not None:
            spin += f"tot_magnetization={c['fixed']}, "
    lines = ["&CONTROL",
             "  calculation='scf', prefix='ref', outdir='./qe_tmp', pseudo_dir='./', "
             "disk_io='none', tprnfor=.true.",
             "/", "&SYSTEM",
             f"  ibrav=0, nat={len(symbols)}, ntyp={len(types)}, ecutwfc={2 * c['ecut']!r}, "
             "nosym=.true.,",
             f"  nbnd={c['nbands']}, nr1={grid[0]}, nr2={grid[1]}, nr3={grid[2]}, "
             "input_dft='PBE',",
             f"  {spin}occupations='smearing', smearing='{QE_SMEARING[smearing]}', "
             f"degauss={2 * c['sigma']!r}",
             "/", "&ELECTRONS",
             "  conv_thr=1.0d-12, startingwfc='random', electron_maxstep=300, mixing_beta=0.3",
             "/", "ATOMIC_SPECIES"]
    lines += [f"{s} {MASS[s]} {s}.upf" for s in types]
    lines += ["CELL_PARAMETERS bohr"] + ["  ".join(repr(x) for x in row) for row in cell_b]
    lines += ["ATOMIC_POSITIONS bohr"] + [f"{s}  " + "  ".join(repr(x) for x in p)
                                          for s, p in zip(symbols, pos_b)]
    s = 1 if c["shift"] else 0
    lines += ["K_POINTS automatic", " ".join(map(str, c["kpts"])) + f" {s} {s} {s}"]
    return "\n".join(lines) + "\n"


def fermi_ev(text):
    """QE's Fermi energy; with a fixed moment (two Fermi levels) the higher, as ATEscreen's"""
    one = re.findall(r"the Fermi energy is\s+(\S+) ev", text)
    if one:
        return float(one[-1])
    two = re.findall(r"the spin up/dw Fermi energies are\s+(\S+)\s+(\S+) ev", text)[-1]
    return max(float(two[0]), float(two[1]))


def parse(text, natoms):
    ry = lambda pat: float(re.findall(pat, text, re.M)[-1]) / 2.0  # noqa: E731
    forces = [[float(x) / 2.0 for x in m] for m in re.findall(
        r"atom\s+\d+\s+type\s+\d+\s+force =\s+(\S+)\s+(\S+)\s+(\S+)", text)][:natoms]
    mag = re.findall(r"total magnetization\s+=\s+(\S+) Bohr mag/cell", text)
    return {"energy": ry(r"^!\s+total energy\s+=\s+(\S+) Ry"),
            "minus_ts": ry(r"smearing contrib. \(-TS\)\s+=\s+(\S+) Ry"),
            "fermi_ev": fermi_ev(text),
            "forces": forces,
            "magnetization": float(mag[-1]) if mag else None,
            "iterations": int(re.search(r"convergence has been achieved in\s+(\d+) iterations",
                                        text).group(1)),
            "fft": [int(x) for x in re.search(
                r"Dense\s+grid:.*FFT dimensions:\s+\(\s*(\d+),\s*(\d+),\s*(\d+)\)",
                text).groups()],
            "nk": int(re.search(r"number of k points=\s+(\d+)", text).group(1))}


def run_case(name):
    system, smearing = CASES[name]
    c = SYSTEMS[system]
    symbols, cell, pos = c["structure"]()
    cell_b = [[x / BOHR_ANGSTROM for x in row] for row in cell]
    pos_b = [[x / BOHR_ANGSTROM for x in p] for p in pos]
    grid = fft_grid(cell_b, c["ecut"])
    entries = gth2abinit.read_gth_file(GTH_FILE)
    work = tempfile.mkdtemp(prefix="ate_qe_")
    try:
        for s in dict.fromkeys(symbols):
            with open(os.path.join(work, f"{s}.upf"), "w") as fh:
                fh.write(gth2upf.to_upf(gth2abinit.find_entry(entries, s, c["pseudos"][s]),
                                        GTH_FILE))
        with open(os.path.join(work, "qe.in"), "w") as fh:
            fh.write(qe_input(c, symbols, cell_b, pos_b, grid, smearing))
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        t0 = time.time()
        p = subprocess.run(["pw.x", "-nk", "1", "-in", "qe.in"], cwd=work, capture_output=True,
                           text=True, env=env)
        if p.returncode != 0 or "convergence has been achieved" not in p.stdout:
            sys.exit(f"pw.x failed on {name} in {work}:\n{p.stdout[-3000:]}{p.stderr[-2000:]}")
        r = parse(p.stdout, len(symbols))
        if r["fft"] != grid:
            sys.exit(f"{name}: QE used FFT grid {r['fft']}, not {grid}")
        version = re.search(r"Program PWSCF v\.(\S+)", p.stdout).group(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"case": name, "description": c["what"] + f", {smearing} smearing",
           "generated_by": "/usr/bin/python3 tests/pw/make_refs_qe.py " + name,
           "generated_on": time.strftime("%Y-%m-%d"),
           "qe": {"version": version, "program": "pw.x (Debian package quantum-espresso)",
                  "pseudopotentials": "benchmarks/peers/gth2upf.py from "
                                      "inputs/params/gth/GTH_POTENTIALS",
                  "seconds": round(time.time() - t0, 1)},
           "units": {"energy": "hartree", "fermi": "eV", "length": "angstrom (structure)",
                     "force": "hartree/bohr (cartesian, -dE/dR)"},
           "settings": {"symbols": symbols, "cell_angstrom": cell, "positions_angstrom": pos,
                        "pseudos": c["pseudos"], "ecut": c["ecut"], "kpts": c["kpts"],
                        "shift": c["shift"], "nbands": c["nbands"], "fft": grid,
                        "smearing": smearing, "sigma": c["sigma"], "spin_moment0": c["spin"],
                        "fixed_moment": c.get("fixed")},
           "qe_results": r}
    os.makedirs(os.path.join(HERE, "refs_qe"), exist_ok=True)
    with open(os.path.join(HERE, "refs_qe", name + ".json"), "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"{name}: E {r['energy']:.10f} Ha  -TS {r['minus_ts']:.10f}  E_F {r['fermi_ev']:.6f} eV"
          f"  {r['iterations']} iterations  {out['qe']['seconds']} s")


def main():
    names = sys.argv[1:] or list(CASES)
    for n in names:
        if n not in CASES:
            sys.exit(f"unknown case {n}; cases: {' '.join(CASES)}")
    for n in names:
        run_case(n)


if __name__ == "__main__":
    main()
