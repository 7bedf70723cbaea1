#!/usr/bin/python3
"""Band groups of the plane-wave kernel (docs/theory-pw.md, "Band groups"): one (k-point, spin)
pair on 1 rank and shared by 2 ranks (one band group of 2; the subspace problem by ScaLAPACK or by
LAPACK on rank 0, ATE_PW_SUBSPACE=lapack), interleaved repeats.

usage: pw_bands.py [EXE] [--cells h2o] [--repeat 3] [--ranks 2] [--json OUT]

Per run: wall time and CPU time (user + system of mpirun and all ranks, RUSAGE_CHILDREN) of the
whole `atescreen calc`, the SCF loop's wall and rank 0's CPU time from the last ATE_PW_VERBOSE
line, SCF iterations, energy, and the 1-minute load average of the machine before the run (the
machine may be shared: wall times are only meaningful at a load below the core count).
"""
import json
import os
import re
import resource
import subprocess
import sys
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
}


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(exe, cell, ranks, mode):
    args = CELLS[cell]
    env = dict(os.environ, ATE_PW_VERBOSE="1", OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env.pop("ATE_PW_BAND_GROUP", None)
    env.pop("ATE_PW_SUBSPACE", None)
    if mode == "lapack":
        env["ATE_PW_SUBSPACE"] = "lapack"
    cmd = ([] if ranks == 1 else ["mpirun", "-n", str(ranks)]) + [
        exe, "calc", os.path.join(CASES, args[0]), "--method", "pw", "--json"] + args[1:]
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
    return {"cell": cell, "ranks": ranks, "mode": mode, "layout": layout, "load1": load,
            "wall": wall, "cpu": cpu, "scf_wall": float(m.group(1)),
            "scf_cpu_rank0": float(m.group(2)), "iterations": out["scc_iterations"],
            "energy": out["energy"]}


def main():
    argv = sys.argv[1:]
    exe = argv.pop(0) if argv and not argv[0].startswith("--") else "build/atescreen"
    opts = dict(zip(argv[::2], argv[1::2]))
    cells = opts.get("--cells", "h2o").split(",")
    repeat, ranks = int(opts.get("--repeat", "3")), int(opts.get("--ranks", "2"))
    rows = []
    for rep in range(repeat):
        for cell in cells:
            for nr, mode in ((1, "serial"), (ranks, "scalapack"), (ranks, "lapack")):
                r = run(exe, cell, nr, mode)
                r["repeat"] = rep
                rows.append(r)
                print("%-5s %d rank(s) %-9s load %4.1f  wall %7.2f s  cpu %7.2f s  scf wall "
                      "%7.2f s  rank-0 scf cpu %7.2f s  %d it  E %.10f" % (
                          cell, nr, mode, r["load1"], r["wall"], r["cpu"], r["scf_wall"],
                          r["scf_cpu_rank0"], r["iterations"], r["energy"]), flush=True)
    print("\nmedians (repeat %d)" % repeat)
    for cell in cells:
        base = None
        for nr, mode in ((1, "serial"), (ranks, "scalapack"), (ranks, "lapack")):
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
    if "--json" in opts:
        with open(opts["--json"], "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
