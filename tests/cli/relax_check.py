#!/usr/bin/env python3
"""atescreen relax (src/cli/cmd_relax.c), checked from outside the optimiser.

usage: relax_check.py ATESCREEN WORKDIR

1. GFN1, a stretched water molecule: converges (exit 0, JSON relax.converged), the output file
   holds the final geometry, whose largest force from an independent `calc --gradient` on that
   file is below --fmax, and whose `calc` energy equals the reported one; the trajectory has one
   frame per step with falling energies (L-BFGS accepts no uphill step beyond round-off).
2. Kill-and-continue: --max-steps 2 exits 1 and names the output; `relax OUTPUT` then
   converges to the same minimum (energy within 1e-7 Eh of the one-go run).
3. Fixed atoms stay where they are (extxyz move_mask); a 2-step FIRE run moves the others.
4. Plane waves: H2 in a box relaxes with `--method pw`; the bond at the output has the residual
   force below fmax by an independent calc, and 2 MPI ranks reach the same energy (1e-9 Eh).
5. Usage errors exit 2: relax options given to calc, a bad --fmax, a missing file.
"""
import json
import os
import subprocess
import sys

EV_A = 27.211386245988 / 0.529177210903  # hartree/bohr -> eV/Å


def run(args, expect=0, cwd=None, env=None):
    p = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env)
    if p.returncode != expect:
        sys.exit(f"FAIL: {' '.join(args)} exited {p.returncode}, expected {expect}\n"
                 f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def fmax_of(grad, fixed=()):
    return max((sum(g * g for g in grad[i]) ** 0.5 for i in range(len(grad)) if i not in fixed),
               default=0.0) * EV_A


def frames(path):
    out, lines = [], open(path).read().splitlines()
    i = 0
    while i < len(lines):
        n = int(lines[i])
        info = dict(kv.split("=", 1) for kv in lines[i + 1].split() if "=" in kv and '"' not in kv)
        pos = [[float(x) for x in l.split()[1:4]] for l in lines[i + 2:i + 2 + n]]
        out.append((info, pos))
        i += n + 2
    return out


def main():
    exe, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    h2o = os.path.join(work, "h2o.xyz")
    with open(h2o, "w") as f:
        f.write("3\nstretched water\nO 0.0 0.0 0.0\nH 0.0 0.85 0.65\nH 0.0 -0.80 0.55\n")
    # 1. one go
    out1 = os.path.join(work, "one.extxyz")
    traj = os.path.join(work, "traj.extxyz")
    p = run([exe, "relax", h2o, "--method", "gfn1", "-o", out1, "--trajectory", traj,
             "--fmax", "0.01", "--json"])
    r = json.loads(p.stdout)
    assert r["relax"]["converged"] and r["relax"]["output"] == out1, r["relax"]
    assert "relax " in p.stderr, "step lines go to stderr with --json"
    c = json.loads(run([exe, "calc", out1, "--method", "gfn1", "--gradient", "--json"]).stdout)
    f1 = fmax_of(c["gradient"])
    assert f1 < 0.01, f"force at the relaxed geometry {f1} eV/Å"
    assert abs(c["energy"] - r["energy"]) < 1e-9, (c["energy"], r["energy"])
    fr = frames(traj)
    assert len(fr) == r["relax"]["steps"], (len(fr), r["relax"]["steps"])
    e = [float(i["energy"]) for i, _ in fr]
    assert all(b <= a + 1e-7 for a, b in zip(e, e[1:])), e
    assert abs(e[-1] / 27.211386245988 - r["energy"]) < 1e-8
    print(f"gfn1 water: {r['relax']['steps']} steps, E {r['energy']:.10f} Eh, "
          f"independent fmax {f1:.2e} eV/Å")
    # 2. stop after 2 steps, continue from the output
    out2 = os.path.join(work, "two.extxyz")
    p = run([exe, "relax", h2o, "--method", "gfn1", "-o", out2, "--fmax", "0.01",
             "--max-steps", "2"], expect=1)
    assert "not converged" in p.stderr and out2 in p.stderr, p.stderr
    assert len(frames(out2)) == 1
    r2 = json.loads(run([exe, "relax", out2, "--method", "gfn1", "-o", out2, "--fmax", "0.01",
                         "--json"]).stdout)
    assert r2["relax"]["converged"]
    assert abs(r2["energy"] - r["energy"]) < 1e-7, (r2["energy"], r["energy"])
    print(f"continued: E {r2['energy']:.10f} Eh (one go {r['energy']:.10f})")
    # 3. fixed atoms
    fx = os.path.join(work, "fixed.extxyz")
    with open(fx, "w") as f:
        f.write('3\nProperties=species:S:1:pos:R:3:move_mask:L:1 pbc="F F F"\n'
                "O 0.0 0.0 0.0 F\nH 0.0 0.85 0.65 T\nH 0.0 -0.80 0.55 F\n")
    out3 = os.path.join(work, "fixed_out.extxyz")
    run([exe, "relax", fx, "--method", "gfn1", "-o", out3, "--optimizer", "fire",
         "--max-steps", "2"], expect=1)
    (_, p0), (_, p1) = frames(fx)[0], frames(out3)[0]
    assert p1[0] == p0[0] and p1[2] == p0[2], (p0, p1)
    assert p1[1] != p0[1], "the free atom did not move"
    # 4. plane waves, 1 and 2 ranks
    h2 = os.path.join(work, "h2.extxyz")
    with open(h2, "w") as f:
        f.write('2\nLattice="6 0 0 0 6 0 0 0 6" Properties=species:S:1:pos:R:3 pbc="T T T"\n'
                "H 3.0 3.0 2.55\nH 3.0 3.0 3.45\n")
    pw = ["--method", "pw", "--ecut", "12", "--xc", "pbe", "--fmax", "0.02", "--json"]
    out4 = os.path.join(work, "h2_1.extxyz")
    r4 = json.loads(run([exe, "relax", h2, "-o", out4] + pw).stdout)
    assert r4["relax"]["converged"]
    c4 = json.loads(run([exe, "calc", out4, "--method", "pw", "--ecut", "12", "--xc", "pbe",
                         "--gradient", "--json"]).stdout)
    f4 = fmax_of(c4["gradient"])
    assert f4 < 0.02, f4
    mpirun = ["mpirun", "--allow-run-as-root", "-np", "2"]
    out5 = os.path.join(work, "h2_2.extxyz")
    r5 = json.loads(run(mpirun + [exe, "relax", h2, "-o", out5] + pw).stdout)
    assert abs(r5["energy"] - r4["energy"]) < 1e-9, (r5["energy"], r4["energy"])
    (_, q4), (_, q5) = frames(out4)[0], frames(out5)[0]
    d = lambda q: sum((q[1][j] - q[0][j]) ** 2 for j in range(3)) ** 0.5
    print(f"pw H2: bond {d(q4):.5f} Å in {r4['relax']['steps']} steps (1 rank), "
          f"{d(q5):.5f} Å (2 ranks), |dE| {abs(r5['energy'] - r4['energy']):.1e} Eh, "
          f"independent fmax {f4:.2e} eV/Å")
    # 5. usage errors
    run([exe, "calc", h2o, "--method", "gfn1", "--fmax", "0.1"], expect=2)
    run([exe, "relax", h2o, "--method", "gfn1", "--fmax", "-1"], expect=2)
    p = run([exe, "relax", os.path.join(work, "missing.xyz"), "--method", "gfn1"], expect=2)
    assert "missing.xyz" in p.stderr
    print("relax_check: OK")


if __name__ == "__main__":
    main()
