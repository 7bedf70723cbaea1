"""Shared by the peer benchmarks: single-threaded environment, unlimited stack (xtb aborts on big
systems otherwise) and repeated timing of one command."""
import os
import resource
import subprocess
import time

REPEAT = int(os.environ.get("ATE_BENCH_REPEAT", "3"))
ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
           OMP_STACKSIZE="1G")


def unlimited_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def timed(cmd, cwd, pick="median"):
    """(median or minimum wall time of REPEAT runs, stdout of the last run); raises on failure."""
    times, out = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV,
                           preexec_fn=unlimited_stack)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-400:]}{r.stdout[-400:]}")
        out = r.stdout
    times.sort()
    return (times[0] if pick == "min" else times[len(times) // 2]), out
