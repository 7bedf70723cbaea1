#!/usr/bin/python3
"""End-to-end checks of `atescreen run` on tiny flake campaigns (run by ctest).

  check_run.py ATESCREEN SRC_DIR WORK_DIR CASE

(the cases are in run_results.py and run_parallel.py, the shared helpers in run_common.py)

CASE:
  schema   a two-metal MN4 campaign: results.h5 loads with atescreen.load, every column of
           docs/hdf5-schema.md exists with its type and units, the CHE numbers follow from the
           stored energies, a second run resumes without recomputing
  ladder   rescue rungs forced by settings: each rung is reached and recorded in /attempts;
           an exhausted ladder fails the candidate with its reason and the campaign goes on
  harmonic thermo.corrections: harmonic: every state has finite ZPE/Cp_int/TS, the summary's dG
           follow from the stored energies, corrections and ideal-gas references, and the
           resulting constants are within 0.15 eV of the tabulated set S1
  ranks    dynamic scheduling: 1, 2 and 3 MPI ranks (ATE_MPIEXEC) give identical summaries and
           states; a STOP file and --walltime stop with status 3, nothing lost, and the resumed
           run equals the uninterrupted one; the launch checks (oversubscribed cores, a Slurm
           step of single-rank copies) warn; --group-size 1 gives the same numbers, a group
           size that does not divide the ranks, a bad value, and > 1 for gfn1 are refused
  kill     `atescreen run` SIGKILLed at 20 random moments and restarted each time: results.h5
           readable whenever it exists, every candidate exactly once in the journals and in
           results.h5 at the end, the numbers identical to an uninterrupted run
  shard    `run --shard I/N` (bad values refused, shards disjoint in the documented round-robin
           cost order, a stopped shard resumes) and `merge` (partial merge exits 3 naming the
           missing shard, the merge of all shards equals the unsharded run, merging again or a
           shard given twice changes nothing, other settings/campaigns refused)
  sigterm  SIGTERM during a candidate: exit status 3 within 5 s, the finished candidates in
           results.h5, the abandoned one computed on resume, each exactly once
  collapse GFN1-xTB has no barrier between Ti and N (xtb 6.5.1 gives the same energies): a Ti-N4
           site collapses while it relaxes. That candidate is recorded failed with the reason
           (which atoms, how close) on 1 and 2 ranks, the Fe-N4 candidate beside it is computed,
           the run exits 0, and no rescue rung is spent on it
  report   Fe/Ni MN4 plus a Fe-Ni dual-metal site: the Python reader (load with decoded labels,
           states, attempts, atoms() against /structures, extxyz and ase.db exports) and
           `atescreen report` (ranking order, the PNGs, exit codes for bad files)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_common  # noqa: E402  (reads the command line, puts src/python on the path)
import run_parallel  # noqa: E402
import run_results  # noqa: E402

case = run_common.case
{"schema": run_results.case_schema, "collapse": run_results.case_collapse,
 "ladder": run_results.case_ladder, "report": run_results.case_report,
 "harmonic": run_results.case_harmonic, "ranks": run_parallel.case_ranks,
 "kill": run_parallel.case_kill, "sigterm": run_parallel.case_sigterm,
 "shard": run_parallel.case_shard}[case]()
failures = run_common.failures
print(f"check_run {case}: {len(failures)} failures")
sys.exit(1 if failures else 0)
