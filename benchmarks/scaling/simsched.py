"""Discrete-event model of the campaign scheduler of `atescreen run`.

What it models (src/campaign/scheduler.c and the candidate loop of src/cli/cmd_run.c):

* the pending candidates are ordered once, by *estimated* cost descending, ties by candidate
  index ascending (ate_schedule_order); the queue hands them out in that order;
* every rank, rank 0 included, loops: ask the shared counter for the next position
  (ate_workqueue_next: MPI_Win_lock / MPI_Fetch_and_op / MPI_Win_unlock on rank 0's window),
  compute the candidate (its *true* cost), append its record to its own journal (fsync), repeat
  until the counter passes the end; with one rank the counter is a local integer (no MPI);
* the counter is one FIFO server: requests are served in the order they reach it, each taking
  `service` seconds; a request costs the rank `fetch` seconds of round trip on top (a constant,
  or a sampler drawing measured latencies, e.g. the waits for rank 0's next poll under a
  one-sided component that needs target progress);
* rank 0 has extra duties per own candidate (`rank0_extra`: draining the progress messages,
  printing) and polls MPI after every energy evaluation (`rank0_factor`: its candidates take
  that factor longer);
* rank 0 writes results.h5 while the others compute (`writer` seconds per candidate: reading
  its journal record, adding it to the file): after each of its own candidates, before it
  fetches the next, it adds the candidates in queue order for as long as the next one has
  finished (each announced when its journal record is written); after its last candidate it
  adds each one as soon as it has finished and its turn has come; the ranks that have finished
  their candidates compress for it (`compress` of the `writer` seconds): with h of them a
  candidate costs rank 0 max(writer - compress, compress / h);
* the run ends when the last rank leaves the loop and rank 0 has added every candidate (the
  ranks then meet in a barrier); the fixed costs around the loop (start-up, enumeration and
  gas references on every rank, /summary written by rank 0 at the end) are added by the
  caller.

Exact under these assumptions: requests are processed in order of arrival at the counter with a
heap, so the makespan for given costs is computed exactly, not sampled (tests/scaling checks
closed forms). Plain Python + numpy, no MPI.
"""
import heapq

import numpy as np


def schedule_order(est):
    """Positions of the queue -> candidate index, as ate_schedule_order: estimate descending,
    ties by index ascending."""
    est = np.asarray(est, dtype=float)
    return np.lexsort((np.arange(len(est)), -est))


def simulate(cost, est, nranks, fetch=0.0, service=0.0, journal=0.0, rank0_extra=0.0,
             rank0_factor=1.0, order=None, prep=0.0, append=0.0, compress=0.0, dedicated=False):
    """Makespan of the candidate loop on `nranks` ranks.

    cost[i]   true wall time of candidate i (s); est[i] the scheduler's estimate (any units).
    fetch     round trip of one ate_workqueue_next (s), or a callable() returning one sample.
    service   time the counter is held per request (s): requests queue behind each other.
    journal   journal append + fsync per candidate (s), every rank.
    order     queue order (default: schedule_order(est)).
    prep      rank 0's time to read a candidate's record and unpack it (s), when it is announced.
    append    rank 0's time to add an unpacked candidate to the columns (s), in queue order.
    compress  time to compress (and write) a candidate's share of the full chunks (s): rank 0's
              own while no rank has finished, then done by the h finished ranks (rank 0 pays
              max(append, compress / h) per candidate instead of append + compress).
    dedicated rank 0 computes no candidate and only writes (with more than one rank); "auto":
              the rule of `atescreen run --writer auto` (writer_rule) before each of its fetches,
              from the candidates finished so far.
    Returns a dict: makespan (s), finish[r] (s), busy[r] (s of candidate work), count[r],
    rank_of[i] (the rank that computed candidate i), written (s: rank 0 has added the last
    candidate), stalled (candidates rank 0 added after the last rank had finished).
    """
    cost = np.asarray(cost, dtype=float)
    n = len(cost)
    if order is None:
        order = schedule_order(est)
    order = np.asarray(order)
    draw = fetch if callable(fetch) else (lambda: fetch)
    finish = np.zeros(nranks)
    busy = np.zeros(nranks)
    count = np.zeros(nranks, dtype=int)
    rank_of = np.full(n, -1, dtype=int)
    writes = prep + append + compress
    if nranks == 1:  # local counter: no MPI, no fetch; each candidate added when done
        c = cost[order] * rank0_factor + journal + rank0_extra + writes
        finish[0] = c.sum()
        busy[0] = cost.sum() * rank0_factor
        count[0] = n
        rank_of[:] = 0
        return dict(makespan=finish[0], finish=finish, busy=busy, count=count, rank_of=rank_of,
                    written=finish[0], stalled=0)
    # heap of events (time, kind, rank, round trip): kind 0 a request reaching the counter,
    # kind 1 rank 0 done with one of its candidates (it writes, then fetches), kind 2 a
    # candidate announced to rank 0 while it only writes (it writes if it is free)
    heap = []
    auto = dedicated == "auto"
    dedicated = dedicated is True
    for r in range(nranks):
        lat = draw()
        if r == 0 and dedicated:
            continue
        heapq.heappush(heap, (0.5 * lat, 0, r, lat))
    done_at = np.full(n, np.inf)  # by queue position: journaled at
    arrivals = []  # (journaled at, position) not yet unpacked by rank 0
    st = dict(counter=0, server_free=0.0, added=0, ended=0, r0_free=0.0, writing=dedicated,
              last_end=np.inf, stalled=0, written=0.0, ndone=0, sum_done=0.0)

    def batch(t):
        """Rank 0 at time t: unpack what has been announced, add what has its turn; the time
        it takes."""
        spent = 0.0
        while arrivals and arrivals[0][0] <= t:
            _, k = heapq.heappop(arrivals)
            spent += prep
            st["ndone"] += 1
            st["sum_done"] += cost[order[k]]
        h = st["ended"]
        per = append + compress if h == 0 else max(append, compress / h)
        while st["added"] < min(st["counter"], n) and done_at[st["added"]] <= t:
            st["added"] += 1
            spent += per
            st["stalled"] += t >= st["last_end"]
        return spent
    while heap:
        t, kind, r, lat = heapq.heappop(heap)
        if kind == 1:  # rank 0 after its own candidate: one pass over the stream, then fetch
            spent = batch(t)
            st["r0_free"] = t + spent
            st["written"] = max(st["written"], t + spent) if spent else st["written"]
            if auto and st["ndone"] and writer_rule(nranks, writes, st["sum_done"] / st["ndone"],
                                                    n - st["ndone"]):
                finish[0] = t + spent  # a dedicated writer from now on
                st["writing"] = True
                heapq.heappush(heap, (t + spent, 2, 0, 0.0))
                continue
            heapq.heappush(heap, (t + spent + 0.5 * lat, 0, 0, lat))
            continue
        if kind == 2:  # an announcement while rank 0 only writes
            if not st["writing"] or t < st["r0_free"]:
                continue  # computing (it writes after its candidate) or busy (it comes back)
            spent = batch(t)
            if spent > 0.0:
                st["r0_free"] = t + spent
                st["written"] = t + spent
                heapq.heappush(heap, (t + spent, 2, 0, 0.0))
            continue
        served = max(t, st["server_free"]) + service
        st["server_free"] = served
        back = served + 0.5 * lat
        k = st["counter"]
        st["counter"] += 1
        if k >= n:
            finish[r] = back
            if r == 0:  # its share is done: from now on it only writes
                st["writing"] = True
                st["r0_free"] = back
                heapq.heappush(heap, (back, 2, 0, 0.0))
            else:
                st["ended"] += 1
                if st["ended"] == nranks - 1:
                    st["last_end"] = back
            continue
        i = order[k]
        work = cost[i] * (rank0_factor if r == 0 else 1.0)
        done = back + work + journal + (rank0_extra if r == 0 else 0.0)
        done_at[k] = done
        heapq.heappush(arrivals, (done, k))
        busy[r] += work
        count[r] += 1
        rank_of[i] = r
        lat = draw()
        if r == 0:
            heapq.heappush(heap, (done, 1, 0, lat))
        else:
            heapq.heappush(heap, (done + 0.5 * lat, 0, r, lat))
            if writes > 0.0:
                heapq.heappush(heap, (done, 2, 0, 0.0))
    if dedicated:
        finish[0] = 0.0
    written = max(st["written"], finish[0])
    return dict(makespan=max(finish.max(), written), finish=finish, busy=busy, count=count,
                rank_of=rank_of, written=written, stalled=st["stalled"])


def writer_rule(nranks, write, mean_cost, remaining):
    """`atescreen run --writer auto` (src/cli/cmd_run.c): rank 0 stops taking candidates when
    writing results.h5 would take f = (P - 1) x write / mean_cost of its time (write: its time
    per candidate, mean_cost: the mean candidate so far) and the remaining work is short
    against the backlog its next candidate would leave: f >= 1 or remaining x (1 - f) < P^2 x f
    (remaining: candidates not yet finished)."""
    if nranks < 2 or mean_cost <= 0.0:
        return False
    f = (nranks - 1) * write / mean_cost
    return f >= 1.0 or remaining * (1.0 - f) < nranks * nranks * f


def resample(cost, est, n, rng, jitter=0.0):
    """A campaign of n candidates drawn with replacement from measured (cost, estimate) pairs;
    each drawn true cost is multiplied by exp(jitter * z - jitter^2 / 2), z ~ N(0, 1) (mean
    preserving), so candidates that share an estimate do not share a cost exactly."""
    cost = np.asarray(cost, dtype=float)
    est = np.asarray(est, dtype=float)
    pick = rng.integers(0, len(cost), size=n)
    c = cost[pick]
    if jitter > 0.0:
        c = c * np.exp(jitter * rng.standard_normal(n) - 0.5 * jitter * jitter)
    return c, est[pick].copy()
