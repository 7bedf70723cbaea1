#!/usr/bin/python3
"""Parallel efficiency of `atescreen run`: measured at 1 and 2 MPI ranks, projected to 64-4096.

usage: /usr/bin/python3 benchmarks/scaling/scaling.py [ATESCREEN_EXE]
           [--campaign benchmarks/scaling/scaling_bench.yaml] [--repeat 2] [--keep DIR]
           [--from DIR] [--sizes 2048,8192,32768] [--ranks 64,128,256,512,1024,2048,4096]
           [--seeds 5] [--idle FRACTION] [--costs FILE]

1. Measures (ranks single-threaded, OMP/OpenBLAS threads = 1):
   a. `mpirun -np 1` and `mpirun -np 2 atescreen run CAMPAIGN` from scratch, --repeat times in
      ABBA order, wall time of the whole command each (start-up to exit);
      efficiency = T1 / (2 T2) from the medians;
   b. the fixed costs around the candidate loop: the same command again on the finished
      directory (start-up, enumeration, gas references, reading the journals, writing
      results.h5; nothing computed), and with a STOP file in a fresh directory (start-up,
      enumeration and references only) for inputs/examples/all-families-flake.yaml on flakes of
      the benchmark's radius with 1, 8 and 16 metals (about 40, 500 and 1500 candidates); rank
      0's timers (`run -v`) give the per-candidate enumeration that every rank repeats and the
      structure builds that the ranks share out; STOP runs of 500 and 1500 candidates whose
      journal holds a record of each give rank 0's costs of results.h5: reading a record and
      adding it (while the others compute) and the end (/summary);
   c. the journal append (a record of the measured mean size, written and fsync'd beside the
      journals) and, with the miniapp ate_bench_fetch_latency (the real ate_workqueue_next while
      rank 0 computes and polls), the fetch round trip with Open MPI's default one-sided
      component on this node and with `--mca osc pt2pt` (needs rank 0's progress, as across
      nodes without hardware atomics), rank 0 polling at the measured interval between energy
      evaluations;
   d. the per-candidate costs: `wall_s` of /summary in results.h5 (docs/hdf5-schema.md), and the
      scheduler's estimate of each (natoms^3 x (1 + sites x adsorbates), as ate_rundir_costs, from
      `atescreen sites`).
2. Validates the discrete-event model (simsched.py) against every measured run: the model fed
   with the 1-rank costs (a prediction of T2 and the efficiency) and with the run's own
   per-candidate costs (a check of the scheduling and overhead model alone).
3. Projects the efficiency T1 / (P T_P) at P = 64 ... 4096 for campaigns resampled from the
   measured (cost, estimate) pairs, with the scheduler's estimate, a perfect estimate, and no
   ordering, for two fetch models (hardware atomics; software progress through rank 0's polls);
   prints the table, the assumptions, and for which N the 90 % target at 1024 ranks is met.
--idle 0.1 waits before each timed run until other processes use less than 10 % of the cores
(at most 15 minutes; default 1.0: no wait). --keep DIR keeps the runs and writes
DIR/measurements.json; --from DIR (or FILE) re-does steps 2-3 from such a file without running
anything.
--costs FILE projects with the per-candidate costs (1-rank wall_s) and the interval between
energy evaluations of another measurements.json of the same campaign, e.g. one taken on a quieter
machine, and everything else from this one.
The whole measurement takes about 5 minutes with --repeat 2 on an idle 2-core machine.
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from scaling_measure import measure  # noqa: E402
from scaling_model import analyse  # noqa: E402


def arg(flag, default):
    return sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default


def ints(text):
    return [int(x) for x in text.split(",")]


FLAGS = ("--campaign", "--repeat", "--keep", "--from", "--sizes", "--ranks", "--seeds", "--idle",
         "--costs")


def check_args(argv):
    """-h/--help: the docstring; an unknown option or one without its value: exit 2 before any
    run starts (the measurement takes minutes)"""
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        sys.exit(0)
    i = 1 if argv and not argv[0].startswith("-") else 0
    while i < len(argv):
        if argv[i] not in FLAGS or i + 1 >= len(argv):
            print(f"scaling.py: unknown option or missing value: {argv[i]!r} (see --help)",
                  file=sys.stderr)
            sys.exit(2)
        i += 2


def main():
    check_args(sys.argv[1:])
    sizes = ints(arg("--sizes", "2048,8192,32768"))
    ranks = ints(arg("--ranks", "64,128,256,512,1024,2048,4096"))
    seeds = int(arg("--seeds", "5"))
    src = arg("--from", None)
    costs = arg("--costs", None)
    if costs:
        path = costs if os.path.isfile(costs) else os.path.join(costs, "measurements.json")
        costs = dict(json.load(open(path)), source=os.path.relpath(path, ROOT))
    if src:
        m = json.load(open(src if os.path.isfile(src) else os.path.join(src, "measurements.json")))
    else:
        exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--")
                              else os.path.join(ROOT, "build", "atescreen"))
        campaign = os.path.abspath(arg("--campaign", os.path.join(HERE, "scaling_bench.yaml")))
        keep = arg("--keep", None)
        work = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="ate-scaling-")
        os.makedirs(work, exist_ok=True)
        print(f"measuring in {work} ...", flush=True)
        m = measure(exe, campaign, int(arg("--repeat", "2")), work, float(arg("--idle", "1.0")))
        with open(os.path.join(work, "measurements.json"), "w") as f:
            json.dump(m, f, indent=1)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    analyse(m, sizes, ranks, seeds, costs)


if __name__ == "__main__":
    main()
