"""`atescreen run` end to end, the cases about scheduling, interruption and sharding
(check_run.py CASE: ranks, kill, sigterm, shard; described in check_run.py)."""
import os
import shutil
import subprocess

import h5py
import numpy as np

import atescreen
from compare import journal_keys, same, summary_numbers
from run_common import campaign, check, check_che, check_schema, exe, run, work


def shard_order(ref_path, nads):
    """Rows of a results.h5 in the documented shard order: expected cost natoms^3 x (1 + top
    sites x adsorbates), most expensive first, ties by row (single-metal sites: one top site)."""
    with h5py.File(ref_path, "r") as f:
        nat = f["summary/natoms"][()].astype(float)
        check(np.all(f["summary/metal2"][()] == 0), "shard test expects single-metal sites")
    cost = nat ** 3 * (1 + nads)
    return sorted(range(len(nat)), key=lambda i: (-cost[i], i))


def case_shard():
    # three costs: MN3 < MN4 < MN4 + axial OH (atoms^3)
    fam = "  - symmetric: {}\n  - low_coordination: {remove: [1]}\n  - axial: {ligands: [OH]}\n"
    y = campaign("shard", ["Fe", "Co", "Ni"], adsorbates="[OH, H]", families=fam)
    ref_dir = os.path.join(work, "shard-ref")
    out = os.path.join(work, "shard-out")
    for d in (ref_dir, out):
        shutil.rmtree(d, ignore_errors=True)
    run(y, ref_dir)
    ref_h5 = os.path.join(ref_dir, "results.h5")
    if not os.path.exists(ref_h5):
        check(False, "unsharded run: no results.h5")
        return
    ref = summary_numbers(ref_h5)
    # bad values: exit 2 naming the option, nothing written
    for bad in ("3/3", "-1/3", "1", "a/3", "1/0", "1/3x", "/3"):
        p = subprocess.run([exe, "run", y, "-o", out, "--shard", bad], capture_output=True,
                           text=True)
        check(p.returncode == 2 and "--shard" in p.stderr and bad in p.stderr,
              f"--shard {bad}: exit {p.returncode}: {p.stderr}")
    check(not os.path.exists(out), "a bad --shard value created the output directory")
    # four shards (cost order and enumeration order deal them differently); shard 1 stopped
    # before its first candidate, then resumed
    n = 4
    os.makedirs(os.path.join(out, "shard-1-of-4"))
    open(os.path.join(out, "shard-1-of-4", "STOP"), "w").close()
    p = subprocess.run([exe, "run", y, "-o", out, "--shard", "1/4"], capture_output=True,
                       text=True)
    check(p.returncode == 3 and "STOP file" in p.stderr, f"stopped shard: {p.returncode} {p.stderr}")
    order = shard_order(ref_h5, 2)
    nc = len(order)
    with h5py.File(ref_h5, "r") as f:
        check(len(set(f["summary/natoms"][()])) == 3, "three different costs")
    got = []
    for i in range(n):
        d = os.path.join(out, f"shard-{i}-of-{n}")
        p = subprocess.run([exe, "run", y, "-o", out, "--shard", f"{i}/{n}"], capture_output=True,
                           text=True)
        check(p.returncode == 0, f"shard {i}: exit {p.returncode}: {p.stderr[-300:]}")
        keys = journal_keys(d)
        want = [ref["ids"][r] for r in order[i::n]]
        check(sorted(keys) == sorted(want), f"shard {i}/{n}: {sorted(keys)}, expected {sorted(want)}")
        check(f"shard {i}/{n}: {len(want)} of the campaign's {nc} candidates" in p.stderr,
              f"shard {i} message: {p.stderr[:300]}")
        got += keys
        if os.path.exists(os.path.join(d, "results.h5")):
            check(sorted(atescreen.load(os.path.join(d, "results.h5"))["id"]) == sorted(keys),
                  f"shard {i}: its own results.h5")
    check(sorted(got) == sorted(ref["ids"]), f"shards together: {sorted(got)}")
    # a finished shard resumes without computing anything
    p = subprocess.run([exe, "run", y, "-o", out, "--shard", "0/4"], capture_output=True,
                       text=True)
    check(p.returncode == 0 and "already done" in p.stderr and "candidate c" not in p.stderr,
          f"shard resume: {p.stderr[-300:]}")
    merged = os.path.join(out, "results.h5")
    # two of four shards: written, exit 3, the missing shards named
    part = os.path.join(work, "shard-part")
    shutil.rmtree(part, ignore_errors=True)
    p = subprocess.run([exe, "merge", "-o", part, os.path.join(out, "shard-0-of-4"),
                        os.path.join(out, "shard-2-of-4")], capture_output=True, text=True)
    check(p.returncode == 3 and "shard 1/4 was not given" in p.stderr and
          "shard 3/4 was not given" in p.stderr,
          f"partial merge: exit {p.returncode}: {p.stderr}")
    if os.path.exists(os.path.join(part, "results.h5")):
        ids = list(atescreen.load(os.path.join(part, "results.h5"))["id"])
        want = [ref["ids"][r] for r in sorted(order[0::n] + order[2::n])]
        check(ids == want, f"partial merge ids {ids}, expected {want}")
    else:
        check(False, "partial merge wrote no results.h5")
    # all shards (the parent directory), then again with a shard given twice: same file
    copy = os.path.join(work, "shard-copy")  # shard 1 again, in another directory
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(out, "shard-1-of-4"), copy)
    for args in ([out], [out, os.path.join(out, "shard-1-of-4"), copy]):
        p = subprocess.run([exe, "merge", "-o", out] + args, capture_output=True, text=True)
        check(p.returncode == 0 and f"{nc} of {nc} candidates" in p.stderr,
              f"merge {args}: exit {p.returncode}: {p.stderr}")
        if not os.path.exists(merged):
            check(False, "merge wrote no results.h5")
            return
        check(same(ref, summary_numbers(merged)), f"merge {args}: differs from the unsharded run")
    check("found in more than one" in p.stderr, f"duplicates not reported: {p.stderr}")
    check_schema(merged)
    check_che(merged)
    with h5py.File(merged, "r") as f, h5py.File(ref_h5, "r") as g:
        for k in ("/provenance/config", "/provenance/parameters"):
            check(f[k][0] == g[k][0], f"{k} of the merged file")
        check(f.attrs["campaign"] == g.attrs["campaign"], "campaign attribute")
        check("merge" in f.attrs["command_line"], "command_line of merge")
    # refused: other settings, another campaign, not a run directory; the merged file kept
    before = open(merged, "rb").read()
    other = os.path.join(work, "shard-other-settings")
    camp2 = os.path.join(work, "shard-other-campaign")
    for d, yy in ((other, campaign("shardfmax", ["Fe", "Co", "Ni"], adsorbates="[OH, H]",
                                   families=fam, settings="  fmax: 0.1\n")),
                  (camp2, campaign("shard2", ["Fe", "Co", "Ni"], adsorbates="[OH, H]"))):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        open(os.path.join(d, "STOP"), "w").close()  # set-up and references only
        run(yy, d, expect=3)
    for args, msg in (([out, other], "different settings"), ([camp2, out], "different campaign"),
                      ([out, y], "Not a directory"),
                      ([os.path.join(work, "nowhere")], "nowhere"),
                      ([out, work], "neither a run directory")):
        p = subprocess.run([exe, "merge", "-o", out] + args, capture_output=True, text=True)
        check(p.returncode == 2 and msg in p.stderr, f"merge {args}: exit {p.returncode}: {p.stderr}")
    p = subprocess.run([exe, "merge", out], capture_output=True, text=True)
    check(p.returncode == 2 and "-o OUT" in p.stderr, f"merge without -o: {p.stderr}")
    check(open(merged, "rb").read() == before, "a refused merge changed results.h5")
    print(f"shard: {nc} candidates in {n} shards ({[len(order[i::n]) for i in range(n)]}), merged = "
          "unsharded run")


def canonical_tables(path):
    """{dataset: (raw bytes of its values, its stored chunks)} of /states, /attempts and
    /structures (strings as their values)."""
    out = {}
    with h5py.File(path, "r") as f:
        for g in ("states", "attempts", "structures"):
            for k, ds in f[g].items():
                v = ds[()]
                raw = v.tobytes() if ds.dtype.kind in "iuf" else repr(v.tolist())
                chunks = []
                if ds.chunks and ds.compression:
                    for i in range(ds.id.get_num_chunks()):
                        info = ds.id.get_chunk_info(i)
                        chunks.append(ds.id.read_direct_chunk(info.chunk_offset)[1])
                out[f"{g}/{k}"] = (raw, chunks)
    return out


def case_ranks():
    mpiexec = os.environ.get("ATE_MPIEXEC", "mpiexec")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    y = campaign("ranks", ["Fe", "Co", "Ni", "Cu"], adsorbates="[OH, H]")
    ref = ref_tables = None
    # --writer dedicated: rank 0 computes nothing and only writes results.h5 (the same file)
    for n, writer in ((1, None), (2, None), (3, None), (3, "dedicated")):
        out = os.path.join(work, f"ranks-{n}" + (f"-{writer}" if writer else ""))
        shutil.rmtree(out, ignore_errors=True)
        p = subprocess.run([mpiexec, "-n", str(n), exe, "run", y, "-o", out] +
                           (["--writer", writer] if writer else []), capture_output=True,
                           text=True, env=env)
        check(p.returncode == 0, f"{n} ranks: exit {p.returncode}: {p.stderr[-400:]}")
        path = os.path.join(out, "results.h5")
        if not os.path.exists(path):
            check(False, f"{n} ranks: no results.h5")
            continue
        got = summary_numbers(path)
        with h5py.File(path, "r") as f:
            used = set(f["summary/rank"][()].tolist())
        if writer:
            check(used == {1, 2}, f"{n} ranks, --writer {writer}: computed on ranks {used}")
        else:
            check(used == set(range(n)) or n == 3,
                  f"{n} ranks: candidates computed on ranks {used}")
        # /states, /attempts and /structures row for row in the canonical order, the stored
        # (compressed) chunks byte for byte
        tables = canonical_tables(path)
        if ref is None:
            ref, ref_tables = got, tables
        else:
            check(same(ref, got), f"{n} ranks {writer or ''}: summary differs from 1 rank")
            check(tables == ref_tables,
                  f"{n} ranks {writer or ''}: /states, /attempts or /structures differ from 1 "
                  "rank: " + ", ".join(k for k in ref_tables if tables.get(k) != ref_tables[k]))
        over = "oversubscribe the cores" in p.stderr
        check(over == (n > (os.cpu_count() or 1)), f"{n} ranks: oversubscription warning {over}")
    p = subprocess.run([exe, "run", y, "-o", os.path.join(work, "ranks-bad"), "--writer", "x"],
                       capture_output=True, text=True)
    check(p.returncode == 2 and "invalid value 'x' for --writer" in p.stderr,
          f"--writer x: exit {p.returncode}: {p.stderr[-300:]}")
    # --group-size: 1 is the default (same numbers); a non-divisor, a bad value and G > 1 for
    # gfn1 (one rank per structure) are refused before any work, with status 2
    out = os.path.join(work, "ranks-g1")
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run([mpiexec, "-n", "2", exe, "run", y, "-o", out, "--group-size", "1"],
                       capture_output=True, text=True, env=env)
    check(p.returncode == 0, f"--group-size 1: exit {p.returncode}: {p.stderr[-400:]}")
    if ref is not None and os.path.exists(os.path.join(out, "results.h5")):
        check(same(ref, summary_numbers(os.path.join(out, "results.h5"))),
              "--group-size 1 on 2 ranks differs from 1 rank")
    for n, g, want in ((3, "2", "--group-size 2 does not divide the number of MPI ranks (3)"),
                       (2, "2", "--group-size 2: the gfn1 kernel evaluates a structure on one "
                                "rank"),
                       (1, "0", "invalid value '0' for --group-size"),
                       (1, "x", "invalid value 'x' for --group-size")):
        out = os.path.join(work, f"ranks-g{g}-{n}")
        shutil.rmtree(out, ignore_errors=True)
        p = subprocess.run([mpiexec, "-n", str(n), exe, "run", y, "-o", out, "--group-size", g],
                           capture_output=True, text=True, env=env)
        check(p.returncode == 2 and want in p.stderr,
              f"--group-size {g} on {n} ranks: exit {p.returncode}: {p.stderr[-400:]}")
        check(not os.path.exists(os.path.join(out, "journal")) or
              not journal_keys(out), f"--group-size {g} on {n} ranks computed candidates")
    # STOP file: nothing computed, status 3, the file consumed; the next run completes
    out = os.path.join(work, "ranks-stop")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    open(os.path.join(out, "STOP"), "w").close()
    p = run(y, out, expect=3)
    check("STOP file" in p.stderr and not os.path.exists(os.path.join(out, "STOP")),
          f"STOP: {p.stderr[-300:]}")
    check("0 of 4 candidates" in p.stderr, f"STOP computed candidates: {p.stderr[-300:]}")
    # --walltime: stops after the first candidate (its time exceeds the rest of 1 ms)
    p = subprocess.run([exe, "run", y, "-o", out, "--walltime", "0.001"], capture_output=True,
                       text=True)
    check(p.returncode == 3 and "--walltime reached" in p.stderr and "1 of 4 candidates" in p.stderr,
          f"walltime: exit {p.returncode}: {p.stderr[-300:]}")
    p = run(y, out)
    check("1 already done" in p.stderr, f"resume after walltime: {p.stderr[-300:]}")
    if ref is not None and os.path.exists(os.path.join(out, "results.h5")):
        check(same(ref, summary_numbers(os.path.join(out, "results.h5"))),
              "stopped and resumed run differs from the uninterrupted one")
    p = subprocess.run([exe, "run", y, "-o", out, "--walltime", "-1"], capture_output=True,
                       text=True)
    check(p.returncode == 2 and "--walltime" in p.stderr, f"bad walltime: {p.stderr}")
    # a Slurm step of 3 tasks that started single-rank copies is named
    p = subprocess.run([exe, "run", y, "-o", out], capture_output=True, text=True,
                       env=dict(os.environ, SLURM_NTASKS="3"))
    check("SLURM_NTASKS=3 but this MPI world has 1 rank" in p.stderr, f"Slurm check: {p.stderr}")


def case_kill():
    import random
    import signal
    import time
    rng = random.Random(20261129)
    y = campaign("kill", ["Fe", "Co", "Ni", "Cu", "Zn", "Mn"], adsorbates="[H]")
    ref_dir = os.path.join(work, "kill-ref")
    shutil.rmtree(ref_dir, ignore_errors=True)
    t0 = time.time()
    run(y, ref_dir)
    t_full = time.time() - t0
    ref = summary_numbers(os.path.join(ref_dir, "results.h5"))
    kills, rounds, cycles = 0, 0, 0

    def finish(out):
        """Complete the campaign in out and compare it with the uninterrupted run."""
        run(y, out)
        keys = journal_keys(out)
        check(sorted(keys) == sorted(ref["ids"]), f"journal keys {sorted(keys)}")
        got = summary_numbers(os.path.join(out, "results.h5"))
        check(same(ref, got), f"{out}: the killed and restarted campaign differs")

    out = None
    while kills < 20 and rounds < 80:
        if out is None:
            cycles += 1
            out = os.path.join(work, f"kill-out-{cycles}")
            shutil.rmtree(out, ignore_errors=True)
        rounds += 1
        # Its own process group, stderr to a file: a singleton MPI process starts an Open MPI
        # daemon (orted) that can outlive the SIGKILL; it is killed with the group, and no pipe
        # it might still hold can keep this test waiting.
        with open(os.path.join(work, "kill-stderr.txt"), "w") as err:
            p = subprocess.Popen([exe, "run", y, "-o", out, "-q"], stdout=subprocess.DEVNULL,
                                 stderr=err, start_new_session=True)
            time.sleep(rng.uniform(0.02, t_full))
            killed = p.poll() is None
            if killed:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:  # it finished in between
                    pass
                kills += 1
            p.wait()
        h5 = os.path.join(out, "results.h5")
        if os.path.exists(h5):
            try:
                atescreen.load(h5)
            except Exception as e:  # noqa: BLE001 - any failure to read is the finding
                check(False, f"results.h5 unreadable after a kill: {e}")
        keys = journal_keys(out)
        check(len(keys) == len(set(keys)), f"a candidate journaled twice: {keys}")
        if not killed:  # this directory's campaign completed: check it, start another
            finish(out)
            out = None
    check(kills == 20, f"{kills} kills in {rounds} rounds")
    if out is not None:
        finish(out)
    print(f"kill: {kills} SIGKILLs in {rounds} runs over {cycles} campaign directories, "
          f"uninterrupted run {t_full:.1f} s")


def case_sigterm():
    import signal
    import time
    y = campaign("sigterm", ["Fe", "Co", "Ni"], radius=6.0)
    out = os.path.join(work, "sigterm-out")
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.Popen([exe, "run", y, "-o", out, "-q"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    t_end = time.time() + 600
    while time.time() < t_end and p.poll() is None and not journal_keys(out):
        time.sleep(0.05)
    time.sleep(0.5)  # into the second candidate
    if p.poll() is not None:
        check(False, "the campaign finished before SIGTERM could be sent")
        return
    p.send_signal(signal.SIGTERM)
    t0 = time.time()
    try:
        _, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    dt = time.time() - t0
    check(p.returncode == 3 and dt < 5.0, f"SIGTERM: exit {p.returncode} after {dt:.1f} s: {err}")
    check("abandoned" in err, f"SIGTERM message: {err}")
    done = journal_keys(out)
    df = atescreen.load(os.path.join(out, "results.h5"))
    check(sorted(df["id"]) == sorted(done) and 1 <= len(done) < 3,
          f"after SIGTERM: results {list(df['id'])}, journal {done}")
    p2 = run(y, out)
    check(f"{len(done)} already done" in p2.stderr, f"resume: {p2.stderr[-300:]}")
    keys = journal_keys(out)
    check(len(keys) == 3 and len(set(keys)) == 3, f"after resume: journal {keys}")
    check(len(atescreen.load(os.path.join(out, "results.h5"))) == 3, "3 candidates in results.h5")
    print(f"sigterm: exit 3 after {dt:.2f} s with {len(done)} of 3 candidates done")
