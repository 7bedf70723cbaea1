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
             rank0_factor=1.0, order=None, writer=0.0, compress=0.0):
    """Makespan of the candidate loop on `nranks` ranks.

    cost[i]  true wall time of candidate i (s); est[i] the scheduler's estimate (any units).
    fetch    round trip of one ate_workqueue_next (s), or a callable() returning one sample.
    service  time the counter is held per request (s): requests queue behind each other.
    journal  journal append + fsync per candidate (s), every rank.
    order    queue order (default: schedule_order(est)).
    writer   rank 0's time to add one candidate to results.h5 (s), in queue order.
    compress the part of writer that ranks which have finished take over (s).
    Returns a dict: makespan (s), finish[r] (s), busy[r] (s of candidate work), count[r],
    rank_of[i] (the rank that computed candidate i), written (s: rank 0 has added the last
    candidate).
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
    if nranks == 1:  # local counter: no MPI, no fetch; each candidate added when done
        c = cost[order] * rank0_factor + journal + rank0_extra + writer
        finish[0] = c.sum()
        busy[0] = cost.sum() * rank0_factor
        count[0] = n
        rank_of[:] = 0
        return dict(makespan=finish[0], finish=finish, busy=busy, count=count, rank_of=rank_of,
                    written=finish[0])
    # heap of events (time, kind, rank, round trip): kind 0 a request reaching the counter,
    # kind 1 rank 0 adding the next candidate to results.h5 (or fetching when it cannot)
    heap = []
    for r in range(nranks):
        lat = draw()
        heapq.heappush(heap, (0.5 * lat, 0, r, lat))
    done_at = np.full(n, np.inf)  # by queue position: journaled at
    counter, server_free, added, ended = 0, 0.0, 0, 0

    def add_cost(helpers):
        return writer if helpers == 0 else max(writer - compress, compress / helpers)
    while heap:
        t, kind, r, lat = heapq.heappop(heap)
        if kind == 1:  # rank 0 between candidates: add while the next one is done
            if added < min(counter, n) and done_at[added] <= t:
                added += 1
                heapq.heappush(heap, (t + add_cost(ended), 1, 0, lat))
            else:
                heapq.heappush(heap, (t + 0.5 * lat, 0, 0, lat))
            continue
        served = max(t, server_free) + service
        server_free = served
        back = served + 0.5 * lat
        k = counter
        counter += 1
        if k >= n:
            finish[r] = back
            ended += r != 0
            continue
        i = order[k]
        work = cost[i] * (rank0_factor if r == 0 else 1.0)
        done = back + work + journal + (rank0_extra if r == 0 else 0.0)
        done_at[k] = done
        busy[r] += work
        count[r] += 1
        rank_of[i] = r
        lat = draw()
        if r == 0 and writer > 0.0:
            heapq.heappush(heap, (done, 1, 0, lat))
        else:
            heapq.heappush(heap, (done + 0.5 * lat, 0, r, lat))
    written = finish[0]  # after its last candidate: each one as it is done and its turn comes
    if writer > 0.0:
        ends = np.sort(finish[1:])
        for k in range(added, n):
            written = max(written, done_at[k])
            written += add_cost(int(np.searchsorted(ends, written, side="right")))
    return dict(makespan=max(finish.max(), written), finish=finish, busy=busy, count=count,
                rank_of=rank_of, written=written)


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
