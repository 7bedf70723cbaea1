#!/usr/bin/python3
"""Periodic GFN1-xTB single points (Gamma point): ATEscreen (full and xtb651 modes) vs xtb 6.5.1
and CP2K 2023.1 on the same cells, all single-threaded, in one run; prints the wall times (minimum
of REPEAT runs) and the ratio ATEscreen / faster peer.

usage: /usr/bin/python3 benchmarks/peers/gfn1_periodic.py [ATESCREEN_EXE] [--cells g4,g6,...]
                                                           [--keep DIR]
Cells: graphene 4x4, 6x6, 8x8 (tests/xtb/periodic/make_cells.graphene: a = 2.46 A, c = 20 A) and
FeN4 in 4x4 graphene (triplet, --uhf 2) and FeN4-OH in 5x5 graphene (doublet, --uhf 1), the
cells of tests/xtb/periodic. Every program gets the same DFTB+ gen geometry:
  ATEscreen  `atescreen calc CELL.gen --method gfn1 --pbc-mode full|xtb651 --uhf N --acc 1 --json`
             (its default SCC thresholds, 1e-10 Eh / 1e-8 e)
  xtb 6.5.1  `xtb CELL.gen --gfn 1 --sp --uhf N --acc 1 --norestart` (xtb's default SCC
             thresholds, the same as ATEscreen's --acc 1), unlimited stack
  CP2K       the input of tests/xtb/periodic/cp2k_compare.py, variant "matched" (Fermi 300 K,
             SPME Ewald, EPS_SCF 1e-9, EPS_DEFAULT 1e-16, UKS with FIXED_MAGNETIC_MOMENT for open
             shells), one rank (cp2k.psmp started without mpirun), OMP_NUM_THREADS=1
Note that xtb651 mode is the calculation xtb 6.5.1 does (no self-images in H0/S, |T| <= 28.28 bohr)
while full mode and CP2K do proper Bloch sums; on 8x8 graphene xtb 6.5.1 (and xtb651 mode) lose the
bonds across the cell boundary (spec §12.1), so their energies differ by ~0.04 Eh/atom there.
The target (issue #5) is ATEscreen <= 0.5 x the faster peer. Process start-up is included for
every program (CP2K's is about 0.4 s: MPI initialisation and reading the 2 MB dftd3.dat)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchrun import REPEAT, ENV as env, timed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "xtb", "periodic"))
import cp2k_compare  # noqa: E402  (input writer and output parser for CP2K)
import make_cells  # noqa: E402

exe = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "build/atescreen"
exe = os.path.abspath(exe)
CELLS = {  # name: (builder, unpaired electrons)
    "g4": (lambda: make_cells.graphene(4), 0),
    "g6": (lambda: make_cells.graphene(6), 0),
    "g8": (lambda: make_cells.graphene(8), 0),
    "fen4_g4": (lambda: make_cells.fen4(4, False), 2),
    "fen4oh_g5": (lambda: make_cells.fen4(5, True), 1),
}
cells = list(CELLS)
if "--cells" in sys.argv:
    cells = sys.argv[sys.argv.index("--cells") + 1].split(",")
keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None


def run_case(name, work):
    build, uhf = CELLS[name]
    atoms, cell = build()
    gen = os.path.join(work, name + ".gen")
    make_cells.write_gen(gen, atoms, cell)
    row = {"atoms": len(atoms)}
    for mode in ("full", "xtb651"):
        t, out = timed([exe, "calc", gen, "--method", "gfn1", "--pbc-mode", mode, "--acc", "1", "--uhf", str(uhf),
                        "--json"], work, "min")
        row[mode] = (t, json.loads(out)["energy"])
    t, out = timed(["xtb", gen, "--gfn", "1", "--sp", "--acc", "1", "--uhf", str(uhf), "--norestart"], work, "min")
    row["xtb"] = (t, float([l for l in out.splitlines() if "TOTAL ENERGY" in l][0].split()[3]))
    cp2k = cp2k_compare.find_cp2k()
    if cp2k:
        sym, pos = [a[0] for a in atoms], [a[1:] for a in atoms]
        inp = os.path.join(work, name + ".inp")
        with open(inp, "w") as f:
            f.write(cp2k_compare.cp2k_input(name, sym, pos, cell, 0, uhf, cp2k_compare.CP2K_MATCHED))
        outp = os.path.join(work, name + ".out")
        times = []
        for _ in range(REPEAT):
            if os.path.exists(outp):
                os.remove(outp)  # CP2K appends otherwise
            t0 = time.perf_counter()
            r = subprocess.run([cp2k, "-i", inp, "-o", outp], cwd=work, capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - t0)
            if r.returncode != 0:
                raise RuntimeError(f"CP2K failed on {name}: {open(outp).read()[-600:]}")
        res = cp2k_compare.parse_cp2k(open(outp).read())
        row["cp2k"] = (min(times), cp2k_compare.cp2k_sum(res))  # incl. -TS, see cp2k_compare
    return row


def main():
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  ({os.cpu_count()} cores); "
          f"minimum of {REPEAT} runs, single-threaded", flush=True)
    print(f"{'cell':>10} {'atoms':>5} {'full s':>8} {'xtb651 s':>8} {'xtb s':>8} {'CP2K s':>8} "
          f"{'full/peer':>9} {'651/peer':>8}   {'E full':>14} {'E xtb651':>14} {'E xtb':>14} {'E CP2K':>14}")
    work = keep or tempfile.mkdtemp(prefix="gfn1_periodic_")
    os.makedirs(work, exist_ok=True)
    try:
        for name in cells:
            r = run_case(name, work)
            peers = [r[p][0] for p in ("xtb", "cp2k") if p in r]
            best = min(peers)
            cp = r.get("cp2k", (float("nan"), float("nan")))
            print(f"{name:>10} {r['atoms']:5d} {r['full'][0]:8.3f} {r['xtb651'][0]:8.3f} {r['xtb'][0]:8.3f} "
                  f"{cp[0]:8.3f} {r['full'][0] / best:9.2f} {r['xtb651'][0] / best:8.2f}   "
                  f"{r['full'][1]:14.8f} {r['xtb651'][1]:14.8f} {r['xtb'][1]:14.8f} {cp[1]:14.8f}", flush=True)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
