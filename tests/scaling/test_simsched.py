#!/usr/bin/python3
"""Unit tests of benchmarks/scaling/simsched.py (the scheduler model of scaling.py).

  test_simsched.py SRC_DIR

Closed forms the model must reproduce exactly: equal costs on P ranks, fetch and journal
overheads, the order by estimate (not by true cost), counter contention; and agreement with an
independent greedy list-scheduling reference on random costs.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "benchmarks",
                                "scaling"))
import simsched  # noqa: E402

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


# ate_schedule_order: estimate descending, ties by index
check(list(simsched.schedule_order([1, 2, 2, 1])) == [1, 2, 0, 3], "order and ties")

# equal costs: ceil(N/P) rounds
for n, p in ((10, 3), (12, 4), (5, 8), (1, 1), (7, 1)):
    m = simsched.simulate(np.ones(n), np.ones(n), p)["makespan"]
    check(m == math.ceil(n / p), f"equal costs n={n} P={p}: makespan {m}")

# with a fetch round trip L and a journal append j (binary-exact values): the busiest rank
# does ceil(N/P) x (L + c + j) and one last fetch that finds the queue empty
L, c, j = 0.25, 1.0, 0.5
r = simsched.simulate(np.full(10, c), np.ones(10), 3, fetch=L, journal=j)
check(r["makespan"] == 4 * (L + c + j) + L, f"fetch+journal makespan {r['makespan']}")
check(list(r["count"]) == [4, 3, 3], f"counts {list(r['count'])}")

# the queue follows the estimate, not the true cost: LPT gives 4, a wrong estimate 6
cost = [1.0, 1.0, 1.0, 1.0, 4.0]
check(simsched.simulate(cost, cost, 2)["makespan"] == 4.0, "LPT by a right estimate")
check(simsched.simulate(cost, [0, 0, 0, 0, -1], 2)["makespan"] == 6.0, "order by a wrong estimate")

# counter contention: P requests at t=0 are served one after another (service s each), and the
# P last requests queue behind them: the last rank leaves at 2 P s
s = 0.5
for p in (2, 4, 7):
    m = simsched.simulate(np.zeros(p), np.ones(p), p, service=s)["makespan"]
    check(m == 2 * p * s, f"contention P={p}: {m} != {2 * p * s}")

# rank 0's extra duties slow only rank 0
r = simsched.simulate(np.ones(4), np.ones(4), 2, rank0_factor=3.0)
check(r["makespan"] == 3.0 and r["count"][0] == 1 and r["count"][1] == 3,
      f"rank0_factor: {r['makespan']} {list(r['count'])}")


# rank 0 adds each candidate to results.h5 (append a each) in queue order once it is done,
# between its own candidates and, after its last one, as they finish (hand-computed event
# sequences)
a = 0.25
check(simsched.simulate(np.ones(3), np.ones(3), 1, append=a)["makespan"] == 3 * (1 + a),
      "writer, 1 rank")
r = simsched.simulate(np.ones(4), np.ones(4), 2, append=a)
check(r["makespan"] == 3.0 and list(r["count"]) == [2, 2], f"writer, 2 ranks: {r['makespan']}")
r = simsched.simulate([4.0, 1.0, 1.0], [4.0, 1.0, 1.0], 2, append=a)
check(r["makespan"] == 4.75 and r["written"] == 4.75, f"writer after a long candidate: {r}")
r = simsched.simulate([1.0, 4.0, 1.0], [3.0, 2.0, 1.0], 2, append=a)
check(r["makespan"] == 4.5 and r["finish"][0] == 2.25 and r["finish"][1] == 4.0,
      f"writer waits for its turn: {r}")
# the ranks that have finished compress for rank 0: [1, 4, 1] as above, the two added after
# rank 1 ended (t = 4) cost max(append, compress / 1) = 0.15 each instead of 0.1 + 0.15
r = simsched.simulate([1.0, 4.0, 1.0], [3.0, 2.0, 1.0], 2, append=0.1, compress=0.15)
check(abs(r["makespan"] - 4.3) < 1e-12, f"writer with a helper: {r['makespan']}")
r = simsched.simulate(np.ones(6), np.ones(6), 3, append=0.0)
check(r["makespan"] == 2.0 and r["written"] == 2.0, "writer 0: as before")
# a dedicated writer (rank 0 computes nothing) unpacks each record when it is announced (prep
# 0.5) and only appends (0.25) once the long first candidate is done at t = 4: 4 + 0.5 + 4 x
# 0.25; unpacking in order instead (append 0.75) leaves 4 x 0.75 after t = 4
cost, est = [4.0, 1.0, 1.0, 1.0], [4.0, 3.0, 2.0, 1.0]
r = simsched.simulate(cost, est, 3, prep=0.5, append=0.25, dedicated=True)
check(r["makespan"] == 5.5 and list(r["count"]) == [0, 1, 3] and r["stalled"] == 4,
      f"dedicated writer: {r}")
r = simsched.simulate(cost, est, 3, append=0.75, dedicated=True)
check(r["makespan"] == 7.0, f"dedicated writer, unpacking in order: {r['makespan']}")
# rank 0 computing as well takes the long candidate (t = 0..4), ranks 1 and 2 the rest by
# t = 2; rank 0 then unpacks all 4 and appends them: 4 + 4 x 0.5 + 4 x 0.25 = 7
r = simsched.simulate(cost, est, 3, prep=0.5, append=0.25)
check(r["makespan"] == 7.0 and list(r["count"]) == [1, 2, 1], f"rank 0 computing: {r}")


def greedy(cost, est, p):
    """Independent reference: in queue order, each candidate goes to the rank that is free
    first (lowest rank on ties); zero overheads."""
    free = [0.0] * p
    for i in simsched.schedule_order(est):
        k = min(range(p), key=lambda q: (free[q], q))
        free[k] += cost[i]
    return max(free)


rng = np.random.default_rng(7)
for trial in range(20):
    n = int(rng.integers(1, 200))
    p = int(rng.integers(1, 40))
    cost = rng.lognormal(0.0, 1.0, n)
    est = cost * rng.lognormal(0.0, 0.5, n)
    m = simsched.simulate(cost, est, p)["makespan"]
    ref = greedy(cost, est, p)
    check(abs(m - ref) <= 1e-9 * ref, f"random n={n} P={p}: {m} vs greedy {ref}")
    check(m >= cost.sum() / p - 1e-9 and m >= cost.max() - 1e-9, "makespan lower bounds")

# resampling: draws come from the measured pairs; the jitter keeps the mean
c0, e0 = np.array([1.0, 2.0, 10.0]), np.array([5.0, 6.0, 7.0])
c, e = simsched.resample(c0, e0, 1000, rng)
check(set(c) <= set(c0) and all(e0[list(c0).index(x)] == y for x, y in zip(c, e)),
      "resample keeps (cost, estimate) pairs")
c, e = simsched.resample(np.ones(3), e0, 200000, rng, jitter=0.5)
check(abs(c.mean() - 1.0) < 0.01 and c.std() > 0.4, f"jitter mean {c.mean()} std {c.std()}")

if failures:
    sys.exit(f"{len(failures)} failure(s)")
print("simsched: all checks passed")
