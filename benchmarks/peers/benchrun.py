"""Shared by the peer benchmarks: single-threaded environment, unlimited stack (xtb aborts on big
systems otherwise) and repeated timing (wall and CPU time) of one command."""
import os
import resource
import subprocess
import time

REPEAT = int(os.environ.get("ATE_BENCH_REPEAT", "3"))
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           OMP_STACKSIZE="1G")


def unlimited_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def runs(cmd, cwd):
    """[(wall s, CPU s), ...] of REPEAT runs and the stdout of the last; raises on failure. CPU
    time is user + system time of the command and its children: other jobs on a shared machine
    hardly change it, unlike the wall time."""
    times, out = [], None
    for _ in range(REPEAT):
        t, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV,
                           preexec_fn=unlimited_stack)
        t, r1 = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((t, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime))
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-400:]}{r.stdout[-400:]}")
        out = r.stdout
    return times, out


def timed(cmd, cwd, pick="median"):
    """(median or minimum wall time of REPEAT runs, stdout of the last run); raises on failure."""
    times, out = runs(cmd, cwd)
    walls = sorted(t for t, _ in times)
    return (walls[0] if pick == "min" else walls[len(walls) // 2]), out
