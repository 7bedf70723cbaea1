"""The model side of scaling.py (steps 2-3 of its docstring): the serial costs from rank 0's
timers, the discrete-event model (simsched.py) checked against every measured run, and the
projected efficiency at 64-4096 ranks. analyse() prints the tables from a measurements dict."""
import os
import statistics
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import simsched  # noqa: E402

QUIET = 0.05  # a run is "quiet" when other processes used less than 5 % of one core meanwhile


def best(runs):
    """Per timer the minimum over repeated runs (the least disturbed by other users)."""
    return {k: min(r[k] for r in runs) if runs[0][k] is not None else None for k in runs[0]}


def fmt_t(ts):
    return ", ".join(f"{t:.1f}" for t in ts)


def slope(points):
    """Least-squares slope of (x, y) points (>= 0)."""
    xs = np.array([p[0] for p in points], dtype=float)
    ys = np.array([p[1] for p in points], dtype=float)
    return max(0.0, float(np.polyfit(xs, ys, 1)[0]))


def serial_costs(m, n):
    """The per-candidate work besides the candidates (s): every = on every rank, share = shared
    out among the ranks (x N / P), prep / append / compress = rank 0 during the loop per
    candidate (results.h5 while the others compute: unpacking on arrival, adding in the
    canonical order, compressing), end = rank 0 after the loop; resume_extra = what a resume run on
    the finished benchmark directory spends per candidate that a fresh run does not (or does in
    the loop); how = lines describing the measurement. Builds without run -v timers (measured
    before the lazy enumeration and the streamed results.h5): enumeration on every rank and
    results.h5 at the end, from whole-run wall times."""
    st, wp = m["stop"], m.get("write_probe")
    if wp and "sizes" in wp:
        tb = [(s["candidates"], best(s["timers"])) for s in st[1:]]
        every = slope([(x, t["enumerate"]) for x, t in tb])
        share = slope([(x, t["atom counts"]) for x, t in tb])
        full = [(s["records"], best(s["timers"])) for s in wp["sizes"] if s["records"]]
        base = {s["candidates"]: best(s["timers"]) for s in wp["sizes"] if not s["records"]}
        # reading: the journals read at set-up, per record (older builds: all of the set-up);
        # adding: the timer over the candidates added
        key = "journals" if "journals" in full[0][1] else "set-up"
        read = statistics.mean(max(0.0, t[key] - base[k][key]) / k for k, t in full)
        emit = statistics.mean(t["results.h5 during the run"] / max(1, t["streamed"])
                               for _, t in full)
        # the end, per candidate: the larger probe with records minus without (an upper bound:
        # it includes the last, partial chunk of every column)
        kb, tb_ = full[-1]
        end = max(0.0, tb_["results.h5 at the end"] - base[kb]["results.h5 at the end"]) / kb
        how = [
            "STOP runs on 1 rank (" + ", ".join(f"{x} candidates" for x, _ in tb) + "; rank 0's "
            f"timers, min of 3): enumeration {every * 1e3:.3f} ms per candidate on every rank, "
            f"building the structures to count their atoms {share * 1e3:.3f} ms per candidate, "
            "shared out among the ranks"]
        if "stream compress" in full[0][1]:  # the stream's own split (branch scaling-tail)
            def per(name):
                return statistics.mean(t[name] / max(1, t["streamed"]) for _, t in full)
            unpack, append, comp = per("stream unpack"), per("stream add"), per("stream compress")
            how.append(
                "results.h5 (STOP runs with a journal record for every candidate, " + ", ".join(
                    f"{k} candidates" for k, _ in full) + f"; timers): reading a record "
                f"{read * 1e3:.3f} ms + unpacking it {unpack * 1e3:.3f} ms (rank 0, when the "
                f"candidate is announced), adding it to the columns {append * 1e3:.3f} ms (in "
                f"the canonical order), compressing and writing its share of the chunks "
                f"{comp * 1e3:.3f} ms (rank 0 while no rank has finished, then the finished "
                f"ranks); at the end {end * 1e3:.3f} ms per candidate (/summary; {kb} candidates "
                f"{tb_['results.h5 at the end']:.3f} s, none "
                f"{base[kb]['results.h5 at the end']:.3f} s)")
            return dict(every=every, share=share, prep=read + unpack, append=append,
                        compress=comp, end=end, resume_extra=read + emit, how=how)
        how.append(
            "results.h5 (STOP runs with a journal record for every candidate, " + ", ".join(
                f"{k} candidates" for k, _ in full) + f"; timers): reading a record "
            f"{read * 1e3:.3f} ms + adding it {emit * 1e3:.3f} ms, by rank 0 while the others "
            f"compute; at the end {end * 1e3:.3f} ms per candidate (/summary; {kb} candidates "
            f"{tb_['results.h5 at the end']:.3f} s, none {base[kb]['results.h5 at the end']:.3f} "
            "s)")
        comp = min(m.get("compress", 0.0), emit)
        how.append(f"compressing a candidate's rows (shuffle + deflate 4, zlib, the benchmark's "
                   f"results.h5): {comp * 1e3:.3f} ms of that, which ranks that have finished "
                   "take over from rank 0 (a build before branch scaling-tail: everything in "
                   "the canonical order, modelled as such)")
        return dict(every=every, share=share, prep=0.0, append=read + emit - comp,
                    compress=comp, end=end, resume_extra=read + emit, how=how)
    xs = [(s["candidates"], s["wall"]) for s in st[1:]]
    enum_per = slope(xs)
    if wp:
        write_per = max(0.0, (wp["with_records"] - wp["without"]) / wp["records"])
        write_how = (f"{wp['records']} journal records of {wp['candidates']} candidates: "
                     f"{wp['with_records']:.2f} s, none: {wp['without']:.2f} s")
    else:  # older measurement files: from the 21 candidates of the benchmark (noisy)
        write_per = max(0.0, (m["resume_direct"] - st[0]["wall"]) / n)
        write_how = "resume vs STOP run of the benchmark campaign"
    how = ["start-up with a STOP file (no candidate): " + ", ".join(
        f"{s['candidates']} candidates {s['wall']:.2f} s" for s in st)
        + f" -> enumeration {enum_per * 1e3:.2f} ms per candidate on every rank",
        f"reading the journals + writing results.h5: {write_per * 1e3:.2f} ms per candidate "
        f"(rank 0 alone, after the loop; {write_how})"]
    return dict(every=enum_per, share=0.0, prep=0.0, append=0.0, compress=0.0, end=write_per,
                resume_extra=0.0, how=how)


def analyse(m, sizes, ranks, seeds, costs=None):
    runs = m["runs"]
    ids = [i for i in m["enum_order"] if i in m["estimate"]]  # candidate-list order
    t1 = [r["wall"] for r in runs if r["ranks"] == 1]
    t2 = [r["wall"] for r in runs if r["ranks"] == 2]
    T1, T2 = statistics.median(t1), statistics.median(t2)
    loads = [r["load"] for r in runs] + [r["load_after"] for r in runs]
    n = len(ids)
    print(f"\n== measured: {os.path.relpath(m['campaign'], ROOT)}, {n} candidates, "
          f"{m['cores']} cores, {m['date']}")
    print(f"T1 (1 rank)  {T1:7.1f} s   runs: {fmt_t(t1)}")
    print(f"T2 (2 ranks) {T2:7.1f} s   runs: {fmt_t(t2)}")
    print(f"efficiency T1/(2 T2) = {T1 / (2 * T2):.3f}   (per repetition: "
          + ", ".join(f"{a / (2 * b):.3f}" for a, b in zip(t1, t2))
          + f"); 1-min load average during the runs {min(loads):.2f}-{max(loads):.2f}")
    if "others" in runs[0]:
        print("other processes on the machine during each run (CPU s; a 2-rank run leaves none "
              "of the 2 cores free): " + ", ".join(
                  f"{r['ranks']} rank(s) {r['others']:.1f}" for r in runs))
        quiet = [r for r in runs if r["others"] < QUIET * r["wall"]]
        q1 = [r["wall"] for r in quiet if r["ranks"] == 1]
        q2 = [r["wall"] for r in quiet if r["ranks"] == 2]
        if q1 and q2:
            print(f"quiet runs only (others below {QUIET * 100:.0f} % of a core): T1 "
                  f"{statistics.median(q1):.1f} s ({fmt_t(q1)}), T2 {statistics.median(q2):.1f} s"
                  f" ({fmt_t(q2)}), efficiency "
                  f"{statistics.median(q1) / (2 * statistics.median(q2)):.3f}")
        else:
            print(f"no quiet pair of runs (others below {QUIET * 100:.0f} % of a core): the "
                  "figures above include other users' load")

    # per-candidate costs
    w1 = {i: statistics.median([r["wall_s"][i] for r in runs if r["ranks"] == 1]) for i in ids}
    w2 = {i: statistics.median([r["wall_s"][i] for r in runs if r["ranks"] == 2]) for i in ids}
    c1 = np.array([w1[i] for i in ids])
    c2 = np.array([w2[i] for i in ids])
    e = np.array([m["estimate"][i] for i in ids])
    slow = c2.sum() / c1.sum()
    q = np.percentile(c1, [0, 10, 50, 90, 100])
    print("\n== per-candidate cost (wall_s of /summary, 1-rank runs, median over repetitions)")
    print(f"sum {c1.sum():.1f} s, mean {c1.mean():.2f} s, min/p10/median/p90/max "
          + "/".join(f"{x:.2f}" for x in q) + f" s, max/mean {c1.max() / c1.mean():.1f}, "
          f"max/min {c1.max() / c1.min():.1f}, CV {c1.std() / c1.mean():.2f}")
    print(f"same candidates in the 2-rank runs: sum {c2.sum():.1f} s = {slow:.3f} x the 1-rank "
          "sum (two busy cores share cache and memory bandwidth, and other users' load if any)")
    le, lc = np.log(e), np.log(c1)
    b, a = np.polyfit(le, lc, 1)
    sigma = float(np.std(lc - (a + b * le), ddof=2))
    rank_corr = np.corrcoef(np.argsort(np.argsort(e)), np.argsort(np.argsort(c1)))[0, 1]
    print(f"scheduler estimate natoms^3 x (1 + sites x adsorbates) vs cost: Pearson r(log, log) "
          f"= {np.corrcoef(le, lc)[0, 1]:.3f}, Spearman = {rank_corr:.3f}; fit log cost = "
          f"{a:.2f} + {b:.3f} log est, residual sigma = {sigma:.2f} (x{np.exp(sigma):.2f})")

    # overheads
    res1, res2 = statistics.median(m["resume1"]), statistics.median(m["resume2"])
    sc = serial_costs(m, n)
    fetch_sm = m["fetch_sm"] or {}
    fetch_pt = m["fetch_pt2pt"] or {}
    print("\n== overheads")
    print(f"fixed (same command on the finished directory): {res1:.2f} s on 1 rank, {res2:.2f} s "
          "on 2 ranks (mpirun, MPI_Init, enumeration, H2O/H2 references, journals, results.h5)")
    for line in sc["how"]:
        print(line)
    print(f"journal append + fsync of a {m['journal_bytes_per_candidate'] / 1024:.0f} KiB record: "
          f"{m['fsync'] * 1e3:.2f} ms")
    print(f"interval between energy evaluations (rank 0 polls there): "
          f"{m['eval_interval'] * 1e3:.1f} ms (wall_s / (relaxation steps + SCF attempts), an "
          "upper bound)")
    if fetch_sm:
        print(f"ate_workqueue_next, 2 ranks, default one-sided component (shared memory): mean "
              f"{fetch_sm['mean_us']:.1f} us, median {fetch_sm['median_us']:.1f} us, max "
              f"{fetch_sm['max_us']:.0f} us; one poll by rank 0 {fetch_sm['mean_poll_us']:.1f} us")
    if fetch_pt:
        print(f"ate_workqueue_next with --mca osc pt2pt (needs rank 0's progress): mean "
              f"{fetch_pt['mean_us'] / 1e3:.1f} ms = "
              f"{fetch_pt['mean_us'] / 1e6 / m['eval_interval']:.1f}"
              f" poll intervals, max {fetch_pt['max_us'] / 1e3:.0f} ms")
    else:
        print("ate_workqueue_next with --mca osc pt2pt: could not run (component unavailable)")

    every, share, end = sc["every"], sc["share"], sc["end"]
    writes = dict(prep=sc["prep"], append=sc["append"], compress=sc["compress"])
    writer = sum(writes.values())  # rank 0's time per candidate written
    lat_sm = fetch_sm.get("mean_us", 5.0) * 1e-6
    poll_frac = fetch_sm.get("mean_poll_us", 0.0) * 1e-6 / m["eval_interval"]
    ratio_pt = (fetch_pt["mean_us"] * 1e-6 / m["eval_interval"]) if fetch_pt else 3.0

    # validation against the measured runs
    print("\n== model vs measurement, per run: fixed costs (resume runs) + the simulated loop, fed "
          "with (a) the 1-rank costs (median over the 1-rank runs: a prediction) and (b) that "
          "run's own wall_s per candidate (checks the scheduling and overhead model alone)")
    print("| run | ranks | measured s | model (a) s | model (b) s | candidates per rank, "
          "measured / model (b) |")
    print("|---:|---:|---:|---:|---:|---|")
    e_list, c1_list = e, c1  # indexed by position in the candidate list
    # the resume runs add every candidate to results.h5 before the loop, and read the journals
    # on every rank first (a fresh run does neither: rank 0 adds them during the loop)
    moved = n * sc["resume_extra"]
    for r in runs:
        p = r["ranks"]
        fixed = (res1 if p == 1 else res2) - moved
        own = np.array([r["wall_s"][i] for i in ids])
        kw = dict(fetch=lat_sm, journal=m["fsync"], rank0_factor=1.0 + (poll_frac if p > 1 else 0),
                  dedicated="auto", **writes)
        a1 = fixed + simsched.simulate(c1_list, e_list, p, **kw)["makespan"]
        sim = simsched.simulate(own, e_list, p, **kw)
        a2 = fixed + sim["makespan"]
        split = "/".join(str(sum(1 for i in ids if r["rank"][i] == k)) for k in range(p))
        print(f"| {r['rep']} | {p} | {r['wall']:.1f} | "
              f"{a1:.1f} ({(a1 / r['wall'] - 1) * 100:+.1f} %)"
              f" | {a2:.1f} ({(a2 / r['wall'] - 1) * 100:+.1f} %) | {split} / "
              + "/".join(str(x) for x in sim["count"]) + " |")
    a1 = res2 - moved + simsched.simulate(
        c1_list, e_list, 2, fetch=lat_sm, journal=m["fsync"], rank0_factor=1.0 + poll_frac,
        dedicated="auto", **writes)["makespan"]
    print(f"T2 predicted from the 1-rank costs {a1:.1f} s vs measured median {T2:.1f} s "
          f"({(a1 / T2 - 1) * 100:+.1f} %); predicted efficiency {T1 / (2 * a1):.3f} vs measured "
          f"{T1 / (2 * T2):.3f}")

    # projection
    rng = np.random.default_rng(2026)
    if costs:  # the candidates' costs of another measurement (a quieter machine)
        cr = [r for r in costs["runs"] if r["ranks"] == 1]
        c1 = np.array([statistics.median([r["wall_s"][i] for r in cr]) for i in ids])
        print(f"\n(projection with the per-candidate costs of {costs['source']}, measured "
              f"{costs['date']}: mean {c1.mean():.2f} s; overheads from this measurement)")
    # start-up without the N-dependent parts
    fixed0 = max(0.0, res1 - moved - n * (every + share + end))
    interval = costs["eval_interval"] if costs else m["eval_interval"]  # scales with the costs
    mean_sw = ratio_pt * interval
    print(f"\n== projection: campaigns of N candidates drawn with replacement from the {n} "
          "measured (cost, estimate) pairs (the measured cost spread and estimate error)")
    print(f"assumptions: a candidate costs the same on 1 and on P ranks (scheduling and overheads "
          f"only; the 2-rank runs here measured {slow:.3f} x the 1-rank cost, multiply by "
          f"1/{slow:.3f} to include it); fixed {fixed0:.2f} s + {every * 1e3:.3f} ms x N on every "
          f"rank + {share * 1e3:.3f} ms x N / P (shared out) + results.h5 {writer * 1e3:.3f} ms "
          f"per candidate on rank 0 during the loop (simulated: {sc['prep'] * 1e3:.3f} ms when "
          f"the candidate is announced, {sc['append'] * 1e3:.3f} ms in the canonical order, "
          f"{sc['compress'] * 1e3:.3f} ms compressing until a rank has finished) and "
          f"{end * 1e3:.3f} ms x N at the end; rank 0 computes candidates until the rule of "
          f"--writer auto makes it a dedicated writer ('shared': it always computes); journal "
          f"append "
          f"{m['fsync'] * 1e3:.2f} ms per candidate; rank 0 {poll_frac * 100:.2f} % slower "
          f"(polls); fetch 'hw' {lat_sm * 1e6:.1f} us (measured on this node; hardware atomics "
          f"across nodes: a few us), 'sw' exponential with mean {ratio_pt:.1f} x the "
          f"{interval * 1e3:.0f} ms evaluation interval (as measured with pt2pt); "
          "counter held 1 us per request; '+jitter': each drawn cost also x lognormal(sigma = "
          f"{sigma:.2f}, mean 1), i.e. the estimate error doubled; T1 = the same campaign on one "
          f"rank; efficiency = T1 / (P T_P); median of {seeds} draws. Not modelled: mpirun/srun "
          "start-up growing with P, a parallel file system's slower fsync, node failures.")
    header = ("| N | N/1024 | P | estimate order, hw | estimate order, sw | estimate, +jitter, hw"
              " | exact order, hw | no order, hw | rank 0 shared, hw | bound "
              "| estimate order, hw, no N-serial |")
    serial = every + end
    print(f"the N-dependent serial work, {serial * 1e3:.3f} ms per candidate (+ {share * 1e3:.3f} "
          f"ms / P), costs P x {serial * 1e3:.3f} ms of rank time per candidate against "
          f"{c1.mean():.2f} s of work: it caps the efficiency at about "
          f"{c1.mean() / (c1.mean() + serial * 1024 + share) * 100:.1f} % at 1024 ranks whatever N")
    print(header)
    print("|" + "---:|" * (header.count("|") - 1))
    table = []
    for N in sizes:
        for P in ranks:
            effs = {k: [] for k in ("est_hw", "est_sw", "est_jit", "exact_hw", "rand_hw",
                                    "shared_hw", "bound", "noserial")}
            for s in range(seeds):
                fixed = fixed0 + (every + end) * N + share * N / P
                fixed_1 = fixed0 + (every + end + share) * N
                kw = dict(journal=m["fsync"], service=1e-6, rank0_factor=1.0 + poll_frac,
                          dedicated="auto", **writes)
                for jit in (0.0, sigma):
                    c, est = simsched.resample(c1, e, N, rng, jitter=jit)
                    t1 = fixed_1 + simsched.simulate(c, est, 1, journal=m["fsync"],
                                                     **writes)["makespan"]
                    runs_ = ((("est_jit", None, lat_sm),) if jit else
                             (("est_hw", None, lat_sm), ("est_sw", "sw", None),
                              ("exact_hw", simsched.schedule_order(c), lat_sm),
                              ("rand_hw", rng.permutation(N), lat_sm),
                              ("shared_hw", None, lat_sm)))
                    for key, ordr, f in runs_:
                        if isinstance(ordr, str):
                            ordr, f = None, (lambda: rng.exponential(mean_sw))
                        kw_ = dict(kw, dedicated=False) if key == "shared_hw" else kw
                        mk = simsched.simulate(c, est, P, fetch=f, order=ordr, **kw_)["makespan"]
                        effs[key].append(t1 / (P * (fixed + mk)))
                    if not jit:  # no schedule beats max(mean load, largest candidate)
                        lb = max((c.sum() + N * writer) / P, c.max())
                        effs["bound"].append(t1 / (P * (fixed + lb)))
                        # the scheduler alone: enumeration and results.h5 cost nothing
                        t1s = fixed0 + simsched.simulate(c, est, 1, journal=m["fsync"])["makespan"]
                        kw0 = dict(kw, prep=0.0, append=0.0, compress=0.0)
                        mk = simsched.simulate(c, est, P, fetch=lat_sm, **kw0)["makespan"]
                        effs["noserial"].append(t1s / (P * (fixed0 + mk)))
            row = dict(N=N, P=P, **{k: statistics.median(v) for k, v in effs.items()})
            table.append(row)
            print(f"| {N} | {N / 1024:g} | {P} | " + " | ".join(
                f"{row[k] * 100:.1f} %" for k in ("est_hw", "est_sw", "est_jit", "exact_hw",
                                                   "rand_hw", "shared_hw", "bound", "noserial"))
                + " |",
                flush=True)
    for key, what in (("est_hw", "the scheduler's estimate, hw fetch"),
                      ("est_sw", "the scheduler's estimate, sw fetch"),
                      ("exact_hw", "an exact estimate, hw fetch"),
                      ("noserial", "the scheduler alone (no N-dependent serial work), hw")):
        ok = [r["N"] for r in table if r["P"] == 1024 and r[key] >= 0.9]
        print(f"target >= 90 % at 1024 ranks, {what}: "
              + (f"met for N = {', '.join(map(str, ok))}" if ok else "not met for any N tried"))
    return table
