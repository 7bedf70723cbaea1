#!/usr/bin/python3
"""Band groups of the plane-wave kernel (docs/theory-pw.md, "Band groups"): one (k-point, spin)
pair on 1 rank and shared by 2 ranks (one band group of 2; the subspace problem by ScaLAPACK or by
LAPACK on rank 0, ATE_PW_SUBSPACE=lapack), interleaved repeats.

usage: pw_bands.py [EXE] [--cells h2o,g4g] [--repeat 3] [--ranks 2] [--modes serial,scalapack,lapack,xcrep,densrep,densslab]
                   [--json OUT]

Per run: wall time and CPU time (user + system of mpirun and all ranks, RUSAGE_CHILDREN) of the
whole `atescreen calc`, the SCF loop's wall and rank 0's CPU time from the last ATE_PW_VERBOSE
line, SCF iterations, energy, and the 1-minute load average of the machine before the run (the
machine may be shared: wall times are only meaningful at a load below the core count); per rank
(ATE_PW_VERBOSE lines) the FFT planning CPU, the SCF's CPU split (input density with v_H, where the
build prints it; xc, eigensolver, output density) and the peak RSS. Modes: serial (1 rank), scalapack / lapack (the subspace solver of a
band group), xcrep (as scalapack, with ATE_PW_XC_FFT=replicated: the GGA transforms whole on
every rank instead of FFTW-MPI's distributed ones), densrep / densslab (as scalapack, with
ATE_PW_DENS_FFT=replicated / slabs: the SCF's density transforms whole on every rank, or rho_in's
with v_H + v_loc on the slabs too; the default: rho_out's only).
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "..", "tests", "pw", "cases")
CELLS = {
    # the ABINIT reference settings of tests/pw/refs/h2o_pbe.json: 4 bands (+2 buffer), Gamma, real
    "h2o": ["h2o_pbe.extxyz", "--ecut", "25", "--xc", "pbe", "--fft", "72,75,80", "--kpts",
            "1,1,1", "--kpts-shift", "0,0,0", "--nbands", "4", "--smearing", "none"],
    # 16 bands (+2) at Gamma: more bands per FFT-grid point
    "si8g": ["si8_lda.extxyz", "--ecut", "15", "--xc", "lda", "--kpts", "1,1,1", "--smearing",
             "none"],
    # graphene 4x4 at Gamma (32 C, a = 2.46 A, 10 A of vacuum: ASE's graphene(a=2.46,
    # vacuum=5.0).repeat((4, 4, 1))), PBE 15 Ha, Fermi-Dirac 1000 K: the lead's quiet-machine cell
    "g4g": ["@graphene4", "--ecut", "15", "--xc", "pbe", "--kpts", "1,1,1", "--kpts-shift",
            "0,0,0", "--smearing", "fermi-dirac", "--etemp", "1000"],
}


def graphene4(path):
    """ASE's graphene(a=2.46, vacuum=5.0).repeat((4, 4, 1)) as extxyz (Angstrom)."""
    a, r3 = 2.46, 3.0 ** 0.5
    a1, a2 = (a, 0.0), (-a / 2, a * r3 / 2)
    atoms = []
    for i in range(4):
        for j in range(4):
            for f1, f2 in ((0.0, 0.0), (2.0 / 3, 1.0 / 3)):
                u, v = i + f1, j + f2
                atoms.append((u * a1[0] + v * a2[0], u * a1[1] + v * a2[1], 5.0))
    cell = (4 * a1[0], 4 * a1[1], 0.0, 4 * a2[0], 4 * a2[1], 0.0, 0.0, 0.0, 10.0)
    with open(path, "w") as f:
        f.write("%d\nLattice=\"%s\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (
            len(atoms), " ".join("%.12f" % x for x in cell)))
        for x, y, z in atoms:
            f.write("C %.12f %.12f %.12f\n" % (x, y, z))


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(exe, cell, ranks, mode):
    args = CELLS[cell]
    env = dict(os.environ, ATE_PW_VERBOSE="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.pop("ATE_PW_BAND_GROUP", None)
    env.pop("ATE_PW_SUBSPACE", None)
    env.pop("ATE_PW_XC_FFT", None)
    if mode == "lapack":
        env["ATE_PW_SUBSPACE"] = "lapack"
    if mode == "xcrep":
        env["ATE_PW_XC_FFT"] = "replicated"
    env.pop("ATE_PW_DENS_FFT", None)
    if mode in ("densrep", "densslab"):
        env["ATE_PW_DENS_FFT"] = "replicated" if mode == "densrep" else "slabs"
    path = os.path.join(CASES, args[0])
    if args[0] == "@graphene4":
        path = os.path.join(TMP, "graphene4.extxyz")
        graphene4(path)
    cmd = ([] if ranks == 1 else ["mpirun", "-n", str(ranks)]) + [
        exe, "calc", path, "--method", "pw", "--json"] + args[1:]
    load = os.getloadavg()[0]
    c0, t0 = cpu_children(), time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall, cpu = time.time() - t0, cpu_children() - c0
    if p.returncode != 0:
        sys.exit("FAIL: %s\n%s" % (" ".join(cmd), p.stderr))
    last = [l for l in p.stderr.splitlines() if l.startswith("pw scf")][-1]
    m = re.search(r"wall = ([0-9.]+) s  cpu = ([0-9.]+) s", last)
    layout = [l for l in p.stderr.splitlines() if l.startswith("pw layout")][0]
    out = json.loads(p.stdout)
    per_rank = {}
    for l in p.stderr.splitlines():
        q = re.match(r"pw fft planning: wall ([0-9.]+) s  cpu ([0-9.]+) s \(rank (\d+)\)", l)
        if q:
            per_rank.setdefault(int(q.group(3)), {})["plan_cpu"] = float(q.group(2))
        # (builds before pw-bg print no "input density and v_H" field)
        q = re.match(r"pw time rank (\d+): scf wall ([0-9.]+) cpu ([0-9.]+) s; (?:input density "
                     r"and v_H ([0-9.]+) / ([0-9.]+), )?xc ([0-9.]+) / ([0-9.]+), eigensolver "
                     r"([0-9.]+) / ([0-9.]+), output density ([0-9.]+) / ([0-9.]+) s", l)
        if q:
            per_rank.setdefault(int(q.group(1)), {}).update(
                scf_cpu=float(q.group(3)), xc_cpu=float(q.group(7)), eig_cpu=float(q.group(9)),
                dens_cpu=float(q.group(11)))
            if q.group(5):
                per_rank[int(q.group(1))]["rin_cpu"] = float(q.group(5))
        q = re.match(r"pw peak RSS rank (\d+): ([0-9.]+) MiB", l)
        if q:
            per_rank.setdefault(int(q.group(1)), {})["rss_mib"] = float(q.group(2))
    return {"cell": cell, "ranks": ranks, "mode": mode, "layout": layout, "load1": load,
            "wall": wall, "cpu": cpu, "scf_wall": float(m.group(1)),
            "scf_cpu_rank0": float(m.group(2)), "iterations": out["scc_iterations"],
            "energy": out["energy"], "per_rank": [per_rank[r] for r in sorted(per_rank)]}


def main():
    argv = sys.argv[1:]
    exe = argv.pop(0) if argv and not argv[0].startswith("--") else "build/atescreen"
    opts = dict(zip(argv[::2], argv[1::2]))
    cells = opts.get("--cells", "h2o").split(",")
    repeat, ranks = int(opts.get("--repeat", "3")), int(opts.get("--ranks", "2"))
    modes = [(1 if m == "serial" else ranks, m)
             for m in opts.get("--modes", "serial,scalapack,lapack").split(",")]
    rows = []
    for rep in range(repeat):
        for cell in cells:
            for nr, mode in modes:
                r = run(exe, cell, nr, mode)
                r["repeat"] = rep
                rows.append(r)
                print("%-5s %d rank(s) %-9s load %4.1f  wall %7.2f s  cpu %7.2f s  scf wall "
                      "%7.2f s  rank-0 scf cpu %7.2f s  %d it  E %.10f" % (
                          cell, nr, mode, r["load1"], r["wall"], r["cpu"], r["scf_wall"],
                          r["scf_cpu_rank0"], r["iterations"], r["energy"]), flush=True)
                for q, pr in enumerate(r["per_rank"]):
                    print("      rank %d: planning cpu %.2f s; scf cpu %.2f s: input density "
                          "%.2f, xc %.2f, eigensolver %.2f, output density %.2f s; peak RSS %.0f "
                          "MiB" % (q, pr.get("plan_cpu", -1), pr.get("scf_cpu", -1),
                                   pr.get("rin_cpu", -1), pr.get("xc_cpu", -1),
                                   pr.get("eig_cpu", -1), pr.get("dens_cpu", -1),
                                   pr.get("rss_mib", -1)), flush=True)
    print("\nmedians (repeat %d)" % repeat)
    for cell in cells:
        base = None
        for nr, mode in modes:
            sel = [r for r in rows if r["cell"] == cell and r["mode"] == mode]

            def med(k):
                v = sorted(r[k] for r in sel)
                return v[len(v) // 2]
            if base is None:
                base = med("wall")
            print("%-5s %d rank(s) %-9s wall %7.2f s (speed-up %.2f)  cpu %7.2f s  scf wall %7.2f "
                  "s  rank-0 scf cpu %7.2f s" % (cell, nr, mode, med("wall"), base / med("wall"),
                                                  med("cpu"), med("scf_wall"),
                                                  med("scf_cpu_rank0")))

            def medr(k):  # the largest over the ranks of a run, median over the repeats
                v = sorted(max((pr.get(k, float("nan")) for pr in r["per_rank"]),
                               default=float("nan")) for r in sel)
                return v[len(v) // 2]
            print("      per rank (largest): planning cpu %.2f s  scf cpu %.2f s  xc %.2f  "
                  "eigensolver %.2f  output density %.2f s  peak RSS %.0f MiB" % (
                      medr("plan_cpu"), medr("scf_cpu"), medr("xc_cpu"), medr("eig_cpu"),
                      medr("dens_cpu"), medr("rss_mib")))
    if "--json" in opts:
        with open(opts["--json"], "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as TMP:
        main()
