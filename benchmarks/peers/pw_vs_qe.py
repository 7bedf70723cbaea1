#!/usr/bin/python3
"""Plane-wave DFT SCF: ATEscreen (--method pw) vs Quantum ESPRESSO 6.7 (pw.x) and ABINIT 9.6.2 on the
same cells, cutoff, k-mesh, bands, smearing, FFT grid and GTH pseudopotential numbers; prints per
cell and program the SCF iterations, the SCF time (total and per iteration, CPU and wall), the
whole process (CPU, wall, peak RSS) and the ratios ATEscreen / QE (target, issue #7: <= 0.8 x QE's
time per SCF iteration, memory no higher than QE's).

usage: /usr/bin/python3 benchmarks/peers/pw_vs_qe.py [ATESCREEN_EXE] [--cells si2,h2o,si8,g4]
            [--programs ate,qe,qe_gamma,abinit] [--repeat N] [--keep DIR] [--json OUT]
       /usr/bin/python3 benchmarks/peers/pw_vs_qe.py --merge OUT1.json [OUT2.json ...] [--markdown]
           (reprints the tables of runs done separately, e.g. one program per process side by side)

Cells (structures in Å, converted to bohr with CODATA 2018 for every program):
  si2  tests/pw/cases/si2_lda.extxyz, Si GTH-PBE-q4, PBE, 12 Ha, 3x3x3 shifted (0.5), 4 bands,
       fixed occupations: the converter check (QE vs ATEscreen/ABINIT energies)
  h2o  tests/pw/cases/h2o_pbe.extxyz (8 x 8.5 x 9 Å box), O GTH-PBE-q6 + H GTH-PBE-q1, PBE, 25 Ha,
       Gamma only, 4 bands, fixed occupations
  si8  tests/pw/cases/si8_lda.extxyz (conventional cell, a = 10.26 bohr, atom 1 displaced),
       Si GTH-PBE-q4, PBE, 15 Ha, 2x2x2 shifted (0.5), 16 bands, fixed occupations
  g4   graphene 4x4 (32 C, a = 2.46 Å, c = 10 Å: 10 Å of vacuum), C GTH-PBE-q4, PBE, 20 Ha,
       Gamma-centred 2x2x1, Fermi-Dirac smearing 0.01 Ha, 76 bands (ATEscreen's default count)
  fe   bcc Fe (a = 2.83 Å, one atom), Fe GTH-PBE-q16, PBE, spin-polarised with a free moment
       (start 2 mu_B), 30 Ha, 4x4x4 shifted, Fermi-Dirac 0.01 Ha, 14 bands per spin

Every program gets:
  * the same pseudopotential numbers: ATEscreen reads inputs/params/gth/GTH_POTENTIALS itself;
    ABINIT gets tests/pw/gth2abinit.py's pspcod=10 file (the analytic forms, like ATEscreen); QE
    gets benchmarks/peers/gth2upf.py's UPF (the analytic forms tabulated on a radial grid);
  * the same FFT grid (ATEscreen's default rule, also tests/pw/make_refs.fft_grid; QE nr1..nr3,
    ABINIT ngfft), the same k-points (no symmetry but time reversal: QE nosym, ABINIT kptopt 2
    nsym 1), complex wavefunctions everywhere (ABINIT istwfk *1; QE `K_POINTS automatic 1 1 1 0 0
    0` for Gamma. The program `qe_gamma` is QE with `K_POINTS gamma`, real wavefunctions, for the
    Gamma-only cell: what a QE user would run), the same number of bands, no forces or stress;
  * SCF convergence at about 1e-10 Ha: ATEscreen's defaults (energy change < 1e-10 Ha and
    |rho_out - rho_in|_1 < 1e-8 e per atom), QE conv_thr = 2e-10 Ry (its estimated energy error),
    ABINIT toldfe 1e-10 Ha (twice in a row). Each program's own mixer and eigensolver defaults
    (QE: Davidson, Broyden beta 0.7; ABINIT: CG-like, Pulay on the potential, diemac as in
    tests/pw/make_refs.py); start densities: ATEscreen's Gaussians (also written into the UPF's
    PP_RHOATOM), ABINIT its own guess; random start wavefunctions in all three;
  * one process, no mpirun, OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1.

SCF time: ATEscreen's ATE_PW_VERBOSE=1 line of the last iteration (wall and process CPU since the
SCF loop started), ABINIT's `scfcv_core` timer (timopt -1) less its `afterscfloop` and `outscfcv`
parts; QE: wall from its `electrons` timer, CPU from /proc/PID/stat between its lines
"Self-consistent Calculation" and "End of self-consistent calculation" (stdout unbuffered; QE
6.7's own CPU figures do not always match the kernel's: one run printed 421 s of CPU time where
/proc counted 72 s). The process figures come from os.wait4 on each child
(user + sys, ru_maxrss) and wall time around it, all in the same run. The machine has 2 cores
shared with other work: CPU times are the figures to compare; wall times are printed with the
load average. With --repeat N each program runs N times and the run with the least SCF CPU time
is kept.
"""
import json
import math
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
sys.path.insert(0, os.path.join(ROOT, "tests", "pw"))
sys.path.insert(0, os.path.join(ROOT, "tests", "xtb", "periodic"))
import gth2abinit  # noqa: E402
import gth2upf  # noqa: E402
import make_cells  # noqa: E402

BOHR_ANGSTROM = 0.529177210903  # src/include/atescreen/units.h
KB_HARTREE = 8.617333262e-5 / 27.211386245988  # ATE_KB_EV / ATE_HARTREE_EV
GTH_FILE = os.path.join(ROOT, "inputs", "params", "gth", "GTH_POTENTIALS")
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
MASS = {"H": 1.008, "C": 12.011, "N": 14.007, "O": 15.999, "Si": 28.0855, "Fe": 55.845}


def read_extxyz(path):
    with open(path) as fh:
        lines = fh.read().splitlines()
    n = int(lines[0])
    lat = [float(x) for x in re.search(r'Lattice="([^"]+)"', lines[1]).group(1).split()]
    cell = [lat[0:3], lat[3:6], lat[6:9]]
    atoms = [[w[0]] + [float(x) for x in w[1:4]] for w in (l.split() for l in lines[2:2 + n])]
    return atoms, cell


def graphene4():
    atoms, cell = make_cells.graphene(4)
    cell[2][2] = 10.0
    return [[a[0], a[1], a[2], 5.0] for a in atoms], cell


def bcc_fe():
    a = 2.83
    return [["Fe", 0.0, 0.0, 0.0]], [[-a / 2, a / 2, a / 2], [a / 2, -a / 2, a / 2], [a / 2, a / 2, -a / 2]]


CASES = {
    "si2": dict(structure=lambda: read_extxyz(os.path.join(ROOT, "tests/pw/cases/si2_lda.extxyz")),
                pseudos={"Si": "GTH-PBE-q4"}, ecut=12.0, kpts=(3, 3, 3), shift=0.5, nbands=4, sigma=None,
                diemac=12.0, what="Si2 diamond (primitive, displaced atom)"),
    "h2o": dict(structure=lambda: read_extxyz(os.path.join(ROOT, "tests/pw/cases/h2o_pbe.extxyz")),
                pseudos={"O": "GTH-PBE-q6", "H": "GTH-PBE-q1"}, ecut=25.0, kpts=(1, 1, 1), shift=0.0,
                nbands=4, sigma=None, diemac=2.0, what="H2O in an 8 x 8.5 x 9 Å box"),
    "si8": dict(structure=lambda: read_extxyz(os.path.join(ROOT, "tests/pw/cases/si8_lda.extxyz")),
                pseudos={"Si": "GTH-PBE-q4"}, ecut=15.0, kpts=(2, 2, 2), shift=0.5, nbands=16, sigma=None,
                diemac=12.0, what="Si8 conventional cell"),
    "g4": dict(structure=graphene4, pseudos={"C": "GTH-PBE-q4"}, ecut=20.0, kpts=(2, 2, 1), shift=0.0,
               nbands=76, sigma=0.01, diemac=None, what="graphene 4x4, 32 C, c = 10 Å"),
    "fe": dict(structure=bcc_fe, pseudos={"Fe": "GTH-PBE-q16"}, ecut=30.0, kpts=(4, 4, 4), shift=0.5,
               nbands=14, sigma=0.01, diemac=None, spin=2.0, what="bcc Fe, 1 atom, free moment"),
}
PROGRAMS = ("ate", "qe", "qe_gamma", "abinit")


def fft_smooth(n):
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def fft_grid(cell_bohr, ecut):
    """ATEscreen's default density grid (kernels/pw/basis.c pw_fft_default, tests/pw/make_refs.py)."""
    out = []
    for a in cell_bohr:
        n = 2 * math.ceil(2.0 * math.sqrt(2.0 * ecut) * math.sqrt(sum(x * x for x in a)) / (2.0 * math.pi) - 1e-9) + 1
        while not fft_smooth(n):
            n += 1
        out.append(n)
    return out


# ----------------------------------------------------------------------------------------------
# inputs

def write_extxyz(path, atoms, cell):
    lat = " ".join(f"{x:.12f}" for row in cell for x in row)
    with open(path, "w") as fh:
        fh.write(f'{len(atoms)}\nLattice="{lat}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for a in atoms:
            fh.write(f"{a[0]:<2s} {a[1]:.12f} {a[2]:.12f} {a[3]:.12f}\n")


def ate_cmd(exe, c, xyz):
    cmd = [exe, "calc", xyz, "--method", "pw", "--ecut", repr(c["ecut"]), "--xc", "pbe",
           "--kpts", ",".join(map(str, c["kpts"])), "--nbands", str(c["nbands"]), "--json"]
    cmd += ["--kpts-shift", "0.5,0.5,0.5"] if c["shift"] else ["--kpts-gamma"]
    if c["sigma"]:
        cmd += ["--smearing", "fermi-dirac", "--etemp", repr(c["sigma"] / KB_HARTREE)]
    else:
        cmd += ["--smearing", "none"]
    if c.get("spin"):
        cmd += ["--spin-polarized", "--free-moment"]
    return cmd


def qe_input(name, c, atoms, cell_b, grid, gamma):
    types = list(dict.fromkeys(a[0] for a in atoms))
    occ = ("occupations='smearing', smearing='fermi-dirac', degauss=%r" % (2 * c["sigma"])
           if c["sigma"] else "occupations='fixed'")
    spin = ""
    if c.get("spin"):
        entries = gth2abinit.read_gth_file(GTH_FILE)  # start moment c["spin"] per atom, as ATEscreen's M0
        zion = {s: sum(gth2abinit.find_entry(entries, s, c["pseudos"][s])["elec"]) for s in types}
        spin = "nspin=2, " + ", ".join(f"starting_magnetization({i + 1})={c['spin'] / zion[s]!r}"
                                       for i, s in enumerate(types)) + ",\n  "
    lines = ["&CONTROL",
             f"  calculation='scf', prefix='{name}', outdir='./qe_tmp', pseudo_dir='./', disk_io='none'",
             "/", "&SYSTEM",
             f"  ibrav=0, nat={len(atoms)}, ntyp={len(types)}, ecutwfc={2 * c['ecut']!r}, nosym=.true.,",
             f"  nbnd={c['nbands']}, nr1={grid[0]}, nr2={grid[1]}, nr3={grid[2]}, input_dft='PBE',",
             f"  {spin}{occ}", "/", "&ELECTRONS", "  conv_thr=2.0d-10, startingwfc='random', electron_maxstep=200",
             "/", "ATOMIC_SPECIES"]
    lines += [f"{s} {MASS[s]} {s}.upf" for s in types]
    lines += ["CELL_PARAMETERS bohr"] + ["  ".join(repr(x) for x in row) for row in cell_b]
    lines += ["ATOMIC_POSITIONS bohr"] + [f"{a[0]}  " + "  ".join(repr(x / BOHR_ANGSTROM) for x in a[1:])
                                          for a in atoms]
    if gamma:
        lines += ["K_POINTS gamma"]
    else:
        s = 1 if c["shift"] else 0
        lines += ["K_POINTS automatic", f"{c['kpts'][0]} {c['kpts'][1]} {c['kpts'][2]} {s} {s} {s}"]
    return "\n".join(lines) + "\n"


def abinit_input(c, atoms, cell_b, grid):
    types = list(dict.fromkeys(a[0] for a in atoms))
    r = lambda v: repr(float(v))  # noqa: E731
    sh = r(c["shift"])
    lines = [f'pseudos "{", ".join(f"{s}.psp" for s in types)}"', "acell 3*1.0",
             "rprim " + "\n      ".join("  ".join(r(x) for x in row) for row in cell_b),
             f"ntypat {len(types)}  znucl {' '.join(str(gth2abinit.ELEMENTS.index(s) + 1) for s in types)}",
             f"natom {len(atoms)}  typat {' '.join(str(types.index(a[0]) + 1) for a in atoms)}",
             "xcart " + "\n      ".join("  ".join(r(x / BOHR_ANGSTROM) for x in a[1:]) for a in atoms),
             f"ecut {r(c['ecut'])}", f"ngfft {grid[0]} {grid[1]} {grid[2]}", "ixc -101130",
             "kptopt 2  nsym 1  chkprim 0",
             f"ngkpt {' '.join(map(str, c['kpts']))}  nshiftk 1  shiftk {sh} {sh} {sh}",
             "istwfk *1", f"nband {c['nbands']}",
             f"occopt 3  tsmear {r(c['sigma'])}" if c["sigma"] else "occopt 1",
             "toldfe 1.0e-10  nstep 200", "optforces 0  optstress 0",
             "prtwf 0  prtden 0  prteig 0  prtebands 0  timopt -1"]
    if c.get("spin"):
        lines += ["nsppol 2", "spinat " + " ".join(f"0 0 {c['spin']}" for _ in atoms)]
    if c["diemac"]:
        lines.append(f"diemac {r(c['diemac'])}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# running and parsing

def proc_cpu(pid):
    """user + sys CPU seconds of a running process (all its threads, dead ones included)."""
    with open(f"/proc/{pid}/stat") as fh:
        w = fh.read().rsplit(")", 1)[1].split()
    return (int(w[11]) + int(w[12])) / os.sysconf("SC_CLK_TCK")


def run(cmd, cwd, stdout, stderr, env=ENV, markers=()):
    """Run one child; returns (wall s, CPU s = user + sys, peak RSS MiB) from os.wait4, and for each
    marker string the (CPU s, wall s) of the child when the marker first appeared in its stdout
    (polled every 20 ms from /proc/PID/stat; resolution one clock tick, 10 ms)."""
    seen = {}
    with open(os.path.join(cwd, stdout), "w") as fo, open(os.path.join(cwd, stderr), "w") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=fo, stderr=fe, env=env)
        if markers:
            buf = ""
            with open(os.path.join(cwd, stdout)) as fr:
                while p.poll() is None and len(seen) < len(markers):
                    try:
                        cpu = proc_cpu(p.pid)
                    except (OSError, IndexError):
                        break
                    wall = time.perf_counter() - t0
                    buf = buf[-200:] + fr.read()
                    for m in markers:
                        if m not in seen and m in buf:
                            seen[m] = (cpu, wall)
                    time.sleep(0.02)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        tail = open(os.path.join(cwd, stdout)).read()[-1500:] + open(os.path.join(cwd, stderr)).read()[-1500:]
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{tail}")
    if markers:
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, seen
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def qe_seconds(text):
    """QE timer string: '12.34s', '1m23.45s', '1h 2m' ..."""
    t = 0.0
    for v, u in re.findall(r"([\d.]+)\s*([hms])", text):
        t += float(v) * {"h": 3600, "m": 60, "s": 1}[u]
    return t


def parse_ate(work):
    res = json.load(open(os.path.join(work, "ate.out")))
    last = [l for l in open(os.path.join(work, "ate.err")) if l.startswith("pw scf")][-1]
    m = re.search(r"wall = ([\d.]+) s\s+cpu = ([\d.]+) s", last)
    return {"energy": res["energy"], "iterations": res["scc_iterations"], "converged": res["converged"],
            "scf_wall": float(m.group(1)), "scf_cpu": float(m.group(2))}


QE_SCF_START, QE_SCF_END = "Self-consistent Calculation", "End of self-consistent calculation"


def parse_qe(work, out):
    text = open(os.path.join(work, out)).read()
    e = float(re.findall(r"^!\s+total energy\s+=\s+(\S+) Ry", text, re.M)[-1]) / 2.0
    it = re.search(r"convergence has been achieved in\s+(\d+) iterations", text)
    m = re.search(r"^\s+electrons\s+:\s+(.+?)CPU\s+(.+?)WALL", text, re.M)
    grid = re.search(r"Dense\s+grid:.*FFT dimensions:\s+\(\s*(\d+),\s*(\d+),\s*(\d+)\)", text)
    nk = re.search(r"number of k points=\s+(\d+)", text)
    return {"energy": e, "iterations": int(it.group(1)) if it else None, "converged": bool(it),
            "scf_cpu": qe_seconds(m.group(1)), "scf_wall": qe_seconds(m.group(2)),
            "fft": [int(x) for x in grid.groups()], "nk": int(nk.group(1))}


def parse_abinit(work):
    text = open(os.path.join(work, "run.abo")).read()
    e = float(re.search(r"^\s+etotal\s+(\S+)", text, re.M).group(1))
    it = re.search(r"At SCF step\s+(\d+), etot is converged", text)

    def timer(name):
        m = re.search(r"^- " + re.escape(name) + r"\s+([\d.]+)\s+[\d.]+\s+([\d.]+)", text, re.M)
        return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)

    core, after, outs = timer("scfcv_core"), timer("scfcv_core(afterscfloop)"), timer("scfcv_core(outscfcv)")
    return {"energy": e, "iterations": int(it.group(1)) if it else None, "converged": bool(it),
            "scf_cpu": core[0] - after[0] - outs[0], "scf_wall": core[1] - after[1] - outs[1]}


def run_program(prog, exe, name, c, atoms, cell_b, grid, work):
    os.makedirs(work, exist_ok=True)
    entries = gth2abinit.read_gth_file(GTH_FILE)
    types = list(dict.fromkeys(a[0] for a in atoms))
    if prog == "ate":
        xyz = os.path.join(work, f"{name}.extxyz")
        write_extxyz(xyz, atoms, [[x for x in row] for row in c["cell_A"]])
        wall, cpu, rss = run(ate_cmd(exe, c, xyz), work, "ate.out", "ate.err", dict(ENV, ATE_PW_VERBOSE="1"))
        r = parse_ate(work)
    elif prog in ("qe", "qe_gamma"):
        for s in types:
            with open(os.path.join(work, f"{s}.upf"), "w") as fh:
                fh.write(gth2upf.to_upf(gth2abinit.find_entry(entries, s, c["pseudos"][s]), GTH_FILE))
        with open(os.path.join(work, "qe.in"), "w") as fh:
            fh.write(qe_input(name, c, atoms, cell_b, grid, prog == "qe_gamma"))
        shutil.rmtree(os.path.join(work, "qe_tmp"), ignore_errors=True)
        marks = (QE_SCF_START, QE_SCF_END)
        wall, cpu, rss, seen = run(["pw.x", "-nk", "1", "-in", "qe.in"], work, "qe.out", "qe.err",
                                   dict(ENV, GFORTRAN_UNBUFFERED_PRECONNECTED="y"), marks)
        r = parse_qe(work, "qe.out")
        # QE 6.7's own CPU figures do not always match the kernel's (one run reported 421 s when
        # /proc said 72 s), so the SCF CPU time is taken from /proc between the two lines
        r["scf_cpu_qe_timer"] = r["scf_cpu"]
        if len(seen) == 2:
            r["scf_cpu"] = seen[QE_SCF_END][0] - seen[QE_SCF_START][0]
            r["scf_wall_markers"] = seen[QE_SCF_END][1] - seen[QE_SCF_START][1]
        if r["fft"] != grid:
            raise RuntimeError(f"QE used FFT grid {r['fft']}, not {grid}")
    else:
        for s in types:
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(gth2abinit.to_abinit(gth2abinit.find_entry(entries, s, c["pseudos"][s])))
        with open(os.path.join(work, "run.abi"), "w") as fh:
            fh.write(abinit_input(c, atoms, cell_b, grid))
        for f in os.listdir(work):
            if f.startswith("run.abo") or f.startswith("runo_"):
                os.remove(os.path.join(work, f))
        marks = ("ITER STEP NUMBER     1\n", "etot is converged")
        wall, cpu, rss, seen = run(["abinit", "run.abi"], work, "abinit.log", "abinit.err",
                                   dict(ENV, GFORTRAN_UNBUFFERED_PRECONNECTED="y"), marks)
        r = parse_abinit(work)
        if len(seen) == 2:  # /proc between the first SCF step and convergence, for comparison
            r["scf_cpu_markers"] = seen[marks[1]][0] - seen[marks[0]][0]
            r["scf_wall_markers"] = seen[marks[1]][1] - seen[marks[0]][1]
    r.update(wall=wall, cpu=cpu, rss_mib=rss)
    return r


def fmt(x, w=8, p=2):
    return f"{x:{w}.{p}f}" if isinstance(x, (int, float)) and x is not None else f"{'-':>{w}s}"


HDR = (f"{'cell':>5} {'program':>9} {'nk':>3} {'iter':>4} {'SCF cpu':>8} {'cpu/it':>7} {'SCF wall':>8} "
       f"{'wall/it':>7} {'proc cpu':>8} {'proc wall':>9} {'RSS MiB':>8} {'E (Ha)':>17} {'dE/atom vs ATE':>14}")


def row_line(name, prog, r, natoms, ate):
    it = r["iterations"] or 0
    de = (r["energy"] - ate["energy"]) / natoms if ate and prog != "ate" else None
    return (f"{name:>5} {prog:>9} {r.get('nk', '') or '':>3} {it:4d} {fmt(r['scf_cpu'])} "
            f"{fmt(r['scf_cpu'] / it if it else None, 7, 3)} {fmt(r['scf_wall'])} "
            f"{fmt(r['scf_wall'] / it if it else None, 7, 3)} {fmt(r['cpu'])} {fmt(r['wall'], 9)} "
            f"{fmt(r['rss_mib'], 8, 1)} {r['energy']:17.10f} "
            f"{(f'{de:+14.2e}' if de is not None else ''):>14}{'' if r['converged'] else '  NOT CONVERGED'}")


def ratio_lines(rows):
    out = []
    if "ate" not in rows:
        return out
    a = rows["ate"]
    per = lambda r, k: r[k] / r["iterations"]  # noqa: E731
    for peer in ("qe", "qe_gamma", "abinit"):
        if peer in rows:
            q = rows[peer]
            out.append(f"{'':>5} ATE/{peer:<8} cpu/it {per(a, 'scf_cpu') / per(q, 'scf_cpu'):.2f}  "
                       f"wall/it {per(a, 'scf_wall') / per(q, 'scf_wall'):.2f}  "
                       f"SCF cpu {a['scf_cpu'] / q['scf_cpu']:.2f}  proc cpu {a['cpu'] / q['cpu']:.2f}  "
                       f"RSS {a['rss_mib'] / q['rss_mib']:.2f}")
    return out


def markdown(cells):
    """The tables of benchmarks/peers/pw_vs_qe.md."""
    print("| cell | program | k | SCF iter | SCF CPU s | CPU s / iter | SCF wall s | wall s / iter "
          "| process CPU s | peak RSS MiB | E (Ha) | ΔE/atom vs ATEscreen |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in [n for n in CASES if n in cells]:
        cell = cells[name]
        rows = {p: cell["results"][p] for p in PROGRAMS if p in cell["results"]}
        a = rows.get("ate")
        for prog, r in rows.items():
            it = r["iterations"]
            de = f"{(r['energy'] - a['energy']) / cell['atoms']:+.2e}" if a and prog != "ate" else ""
            print(f"| {name} | {prog} | {r.get('nk', '')} | {it} | {r['scf_cpu']:.2f} | {r['scf_cpu'] / it:.3f} | "
                  f"{r['scf_wall']:.1f} | {r['scf_wall'] / it:.2f} | {r['cpu']:.2f} | {r['rss_mib']:.1f} | "
                  f"{r['energy']:.8f} | {de} |")
    print("\n| cell | vs | CPU / iter | wall / iter | SCF CPU | process CPU | peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in [n for n in CASES if n in cells]:
        rows = cells[name]["results"]
        if "ate" not in rows:
            continue
        a = rows["ate"]
        for peer in ("qe", "qe_gamma", "abinit"):
            if peer in rows:
                q = rows[peer]
                print(f"| {name} | {peer} | {(a['scf_cpu'] / a['iterations']) / (q['scf_cpu'] / q['iterations']):.2f} | "
                      f"{(a['scf_wall'] / a['iterations']) / (q['scf_wall'] / q['iterations']):.2f} | "
                      f"{a['scf_cpu'] / q['scf_cpu']:.2f} | {a['cpu'] / q['cpu']:.2f} | {a['rss_mib'] / q['rss_mib']:.2f} |")


def merge(paths, md=False):
    """Reprint the tables of one or more --json files (cells and programs combined, the last file
    that has a program for a cell wins), e.g. of runs of different programs done side by side."""
    cells = {}
    for p in paths:
        rep = json.load(open(p))
        la = rep.get("load_before"), rep.get("load_after")
        print(f"{p}: load average before {la[0]}, after {la[1]}")
        for name, cell in rep["cells"].items():
            cells.setdefault(name, {"atoms": cell["atoms"], "fft": cell["fft"], "results": {}})
            cells[name]["results"].update(cell["results"])
    if md:
        return markdown(cells)
    for name in [n for n in CASES if n in cells]:
        cell = cells[name]
        rows = {p: cell["results"][p] for p in PROGRAMS if p in cell["results"]}
        print(f"\n{name}: {CASES[name]['what']}, FFT {cell['fft']}")
        print(HDR)
        for prog, r in rows.items():
            print(row_line(name, prog, r, cell["atoms"], rows.get("ate")))
        print("\n".join(ratio_lines(rows)))


def main():
    argv = sys.argv[1:]
    if argv and argv[0] == "--merge":
        return merge([a for a in argv[1:] if a != "--markdown"], "--markdown" in argv)
    exe = argv[0] if argv and not argv[0].startswith("--") else os.path.join(ROOT, "build", "atescreen")
    exe = os.path.abspath(exe)
    opt = lambda k, d: argv[argv.index(k) + 1] if k in argv else d  # noqa: E731
    cells = opt("--cells", "si2,h2o,si8,g4").split(",")
    progs = opt("--programs", "ate,qe,qe_gamma,abinit").split(",")
    repeat = int(opt("--repeat", "1"))
    keep = opt("--keep", None)
    jout = opt("--json", None)
    for x in cells:
        if x not in CASES:
            sys.exit(f"unknown cell {x}")
    for x in progs:
        if x not in PROGRAMS:
            sys.exit(f"unknown program {x}")
    report = {"load_before": os.getloadavg(), "cells": {}, "exe": exe, "repeat": repeat}
    la = report["load_before"]
    print(f"load average before: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} ({os.cpu_count()} cores); "
          f"best of {repeat} run(s) by SCF CPU time; times in s, RSS in MiB", flush=True)
    work0 = keep or tempfile.mkdtemp(prefix="pw_vs_qe_")
    os.makedirs(work0, exist_ok=True)

    def save():
        if jout:
            report["load_after"] = os.getloadavg()
            with open(jout, "w") as fh:
                json.dump(report, fh, indent=1)
                fh.write("\n")

    try:
        for name in cells:
            c = dict(CASES[name])
            atoms, cell = c["structure"]()
            c["cell_A"] = cell
            cell_b = [[x / BOHR_ANGSTROM for x in row] for row in cell]
            grid = fft_grid(cell_b, c["ecut"])
            print(f"\n{name}: {c['what']}, {len(atoms)} atoms, ecut {c['ecut']} Ha, k {c['kpts']} "
                  f"{'shifted' if c['shift'] else 'Gamma-centred'}, {c['nbands']} bands, "
                  f"{'FD %.3g Ha' % c['sigma'] if c['sigma'] else 'fixed occupations'}, FFT {grid}", flush=True)
            print(HDR, flush=True)
            rows = {}
            report["cells"][name] = {"atoms": len(atoms), "fft": grid,
                                     "settings": {k: v for k, v in c.items() if k != "structure"}, "results": rows}
            for prog in progs:
                if prog == "qe_gamma" and tuple(c["kpts"]) != (1, 1, 1):
                    continue
                best = None
                for rep in range(repeat):
                    r = run_program(prog, exe, name, c, atoms, cell_b, grid, os.path.join(work0, name, prog))
                    r["load_after"] = os.getloadavg()
                    if best is None or r["scf_cpu"] < best["scf_cpu"]:
                        best = r
                rows[prog] = best
                save()
                print(row_line(name, prog, best, len(atoms), rows.get("ate")), flush=True)
            print("\n".join(ratio_lines(rows)), flush=True)
    finally:
        if not keep:
            shutil.rmtree(work0, ignore_errors=True)
    save()
    la = report["load_after"] = os.getloadavg()
    print(f"\nload average after: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}")


if __name__ == "__main__":
    main()
