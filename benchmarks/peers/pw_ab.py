#!/usr/bin/python3
"""ATEscreen against ATEscreen: two builds on the inputs of pw_vs_qe.py, interleaved (A, B, A, B,
...), for changes whose effect is smaller than the run-to-run spread of a shared machine. Prints
per run the SCF iterations, energy, SCF CPU time (ATE_PW_VERBOSE=1: process CPU since the SCF loop
started, at the last iteration) and process CPU (getrusage of the child), then per cell the
iteration counts, the largest energy and force differences between the builds and the ratio B / A
of the SCF CPU times (median of the pairs and of the sums).

usage: /usr/bin/python3 benchmarks/peers/pw_ab.py EXE_A EXE_B --inputs DIR [--cells si2,fe,si8,h2o]
           [--rounds 3] [--gradient]
  DIR: the --keep directory of a pw_vs_qe.py run (DIR/CELL/ate/CELL.extxyz); the command line is
  pw_vs_qe.ate_cmd(). Copy each build (atescreen and libexec/) elsewhere first when the build
  directory may be rebuilt during the run.
"""
import json
import os
import re
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pw_vs_qe as P  # noqa: E402


def run(exe, cell, inputs, grad):
    xyz = os.path.join(inputs, cell, "ate", f"{cell}.extxyz")
    cmd = P.ate_cmd(exe, dict(P.CASES[cell]), xyz) + (["--gradient"] if grad else [])
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, env=dict(P.ENV, ATE_PW_VERBOSE="1"), capture_output=True, text=True,
                       check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(p.stdout)
    scf = None
    for line in p.stderr.splitlines():
        m = re.search(r"cpu = ([0-9.]+) s", line)
        if line.startswith("pw scf") and m:
            scf = float(m.group(1))
    return dict(E=out["energy"], it=out["scc_iterations"], F=out.get("gradient"), scf=scf,
                cpu=(r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime))


def main():
    argv = sys.argv[1:]
    opt = lambda k, d: argv[argv.index(k) + 1] if k in argv else d  # noqa: E731
    a, b = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    inputs = opt("--inputs", None)
    if not inputs:
        sys.exit(__doc__)
    cells, rounds, grad = opt("--cells", "si2,fe,si8,h2o").split(","), int(opt("--rounds", "3")), "--gradient" in argv
    res = {}
    for r in range(rounds):
        for cell in cells:
            for tag, exe in (("A", a), ("B", b)):
                x = run(exe, cell, inputs, grad)
                res.setdefault((cell, tag), []).append(x)
                print(f"round {r} {cell:4s} {tag} it {x['it']} E {x['E']:.12f} SCF CPU {x['scf']} "
                      f"process CPU {x['cpu']:.3f} load {os.getloadavg()[0]:.1f}", flush=True)
    for cell in cells:
        ra, rb = res[(cell, "A")], res[(cell, "B")]
        de = max(abs(x["E"] - y["E"]) for x, y in zip(ra, rb))
        df = max((abs(u - v) for x, y in zip(ra, rb) if x["F"] and y["F"]
                  for fu, fv in zip(x["F"], y["F"]) for u, v in zip(fu, fv)), default=0.0)
        sa, sb = [x["scf"] for x in ra], [x["scf"] for x in rb]
        ratios = sorted(y / x for x, y in zip(sa, sb))
        print(f"{cell}: iterations A {[x['it'] for x in ra]} B {[x['it'] for x in rb]}  max|dE| {de:.2e} Ha"
              f"  max|dF| {df:.2e} Ha/bohr")
        print(f"   SCF CPU A {sa}  B {sb}  B/A median {ratios[len(ratios) // 2]:.3f}  sums {sum(sb) / sum(sa):.3f}")


if __name__ == "__main__":
    main()
