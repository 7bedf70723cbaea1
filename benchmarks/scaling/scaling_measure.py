"""The measurements of scaling.py (step 1 of its docstring): timed `atescreen run` on 1 and 2
MPI ranks, the fixed costs around the candidate loop (resume and STOP runs, rank 0's timers), the
journal append, the fetch round trip (ate_bench_fetch_latency), the per-candidate costs and the
scheduler's estimates. measure() returns the dict that scaling.py writes to measurements.json."""
import json
import os
import re
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
MPIRUN = ["mpirun", "--allow-run-as-root"]
# the enumeration-cost campaigns (STOP runs): every site family, 1, 8 and 16 metals
FAMILIES = os.path.join(ROOT, "inputs", "examples", "all-families-flake.yaml")
METAL_SETS = (["Fe"], ["Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu"],
              ["Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Zr", "Mo", "Ru", "Rh",
               "Pd", "Pt"])


def cpu_busy(seconds=1.0):
    """Fraction of all cores busy over the next `seconds` (from /proc/stat): before a timed run,
    the load that other users put on the machine."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = sample()
    time.sleep(seconds)
    t1, i1 = sample()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def wait_idle(limit, timeout=900.0):
    """Wait (up to timeout) until other processes use less than `limit` of the cores."""
    t = time.time()
    busy = cpu_busy()
    while busy > limit and time.time() - t < timeout:
        busy = cpu_busy(5.0)
    return busy


def cpu_seconds():
    """(busy CPU seconds of the whole machine, CPU seconds of our finished children)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (sum(v) - v[3] - v[4]) / ticks, ru.ru_utime + ru.ru_stime


def timed(cmd, expect=(0,)):
    """Wall time of cmd; the 1-min load average before it; the CPU seconds other processes used
    while it ran (machine busy time minus the command's own)."""
    load = os.getloadavg()[0]
    b0, c0 = cpu_seconds()
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    dt = time.perf_counter() - t
    b1, c1 = cpu_seconds()
    timed.others = max(0.0, (b1 - b0) - (c1 - c0))
    if p.returncode not in expect:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    return dt, load, p


def timers(stderr):
    """Rank 0's phase timers of `atescreen run -v` (src/cli/cmd_run.c) as a dict, with the
    candidate counts (ncand, written: in results.h5, streamed: added during the run)."""
    line = [ln for ln in stderr.splitlines() if "timers (rank 0):" in ln]
    if not line:
        return None
    head, tail = line[-1].split("timers (rank 0):")[1].split(";")
    out = {}
    for part in head.split(","):
        name, value = part.strip().rsplit(" ", 2)[:2]
        out[name] = float(value)
    w = tail.replace(",", " ").split()
    out.update(ncand=int(w[0]), written=int(w[2]) if len(w) > 5 else None,
               streamed=int(w[5]) if len(w) > 5 else None)
    return out


def run_cmd(exe, nranks, campaign, outdir):
    return MPIRUN + ["-np", str(nranks)] + [exe, "run", campaign, "-o", outdir, "-q"]


def estimates(exe, campaign, work):
    """{id: scheduler estimate} from `atescreen sites` (the formula of ate_rundir_costs in
    src/cli/rundir.c)."""
    d = os.path.join(work, "sites")
    subprocess.run([exe, "sites", campaign, "-o", d], check=True, capture_output=True, env=ENV)
    rows = json.load(open(os.path.join(d, "index.json")))
    natoms, sites, ads = {}, {}, set()
    for r in rows:
        if r["state"] == "clean":
            natoms[r["id"]] = r["natoms"]
        else:
            sites.setdefault(r["id"], set()).add(r["site"])
            ads.add(r["state"])
    order = list(dict.fromkeys(r["id"] for r in rows))
    est = {i: float(natoms[i]) ** 3 * (1 + len(sites.get(i, ())) * len(ads)) for i in natoms}
    return est, order


def read_results(path):
    with h5py.File(path, "r") as f:
        s = f["summary"]
        ids = [x.decode() for x in s["id"][()]]
        out = {k: dict(zip(ids, s[k][()].tolist())) for k in ("wall_s", "rank", "natoms")}
        st = f["states"]
        steps = np.bincount(st["candidate_row"][()], weights=st["opt_steps"][()],
                            minlength=len(ids))
        att = np.bincount(st["candidate_row"][()][f["attempts"]["state_row"][()]],
                          minlength=len(ids))
        out["evaluations"] = dict(zip(ids, (steps + att).tolist()))
    return out


def fsync_cost(work, nbytes, reps=50):
    path = os.path.join(work, "fsync-probe.jrnl")
    data = os.urandom(max(1, int(nbytes)))
    ts = []
    with open(path, "ab") as f:
        for _ in range(reps):
            t = time.perf_counter()
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            ts.append(time.perf_counter() - t)
    os.remove(path)
    return statistics.median(ts)


def fetch_latency(exe_dir, poll_us, osc=None, fetches=100):
    exe = os.path.join(exe_dir, "benchmarks", "scaling", "ate_bench_fetch_latency")
    if not os.path.exists(exe):
        sys.exit(f"{exe} missing: build the project (cmake --build build)")
    cmd = MPIRUN + ["-np", "2"] + (["--mca", "osc", osc] if osc else []) + \
        [exe, str(fetches), str(int(poll_us))]
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    if p.returncode != 0:
        return None
    res = {}
    for line in p.stdout.splitlines():
        w = line.split()
        res.update({w[k]: float(w[k + 1]) for k in range(2, len(w) - 1, 2)})
    return res


def measure(exe, campaign, repeat, work, idle):
    m = {"campaign": campaign, "date": time.strftime("%Y-%m-%d %H:%M"), "runs": [],
         "cores": os.cpu_count()}
    est, enum_order = estimates(exe, campaign, work)
    m["estimate"], m["enum_order"] = est, enum_order
    for rep in range(repeat):
        for p in ((1, 2) if rep % 2 == 0 else (2, 1)):
            d = os.path.join(work, f"run{rep}-np{p}")
            shutil.rmtree(d, ignore_errors=True)
            busy = wait_idle(idle)
            dt, load, _ = timed(run_cmd(exe, p, campaign, d))
            r = read_results(os.path.join(d, "results.h5"))
            m["runs"].append(dict(ranks=p, rep=rep, wall=dt, load=load, busy_before=busy,
                                  others=timed.others, load_after=os.getloadavg()[0], **r))
            print(f"  run {rep} on {p} rank(s): {dt:.1f} s (cores busy before: {busy * 100:.0f} %,"
                  f" other processes during the run: {timed.others:.1f} CPU s)", flush=True)
    measure_fixed(m, exe, campaign, work)
    return m


def compress_cost(path, reps=20):
    """Seconds per candidate to compress results.h5's growing tables (/states, /attempts,
    /structures numeric columns) as HDF5's shuffle + deflate(4) filters do, chunk by chunk (256
    KiB, as src/io/h5.c): the part of rank 0's work that finished ranks take over. zlib from
    Python is the library HDF5 and ate_h5_compress_chunk call; min over reps."""
    import zlib
    chunks, n = [], 0
    with h5py.File(path, "r") as f:
        n = len(f["summary/id"])
        for g in ("states", "attempts", "structures"):
            for ds in f[g].values():
                if ds.dtype.kind not in "fi" or ds.size == 0:
                    continue
                a = np.ascontiguousarray(ds[()])
                row = a.dtype.itemsize * (a.size // a.shape[0])
                rows = max(1, (256 * 1024) // row)
                for i in range(0, a.shape[0], rows):
                    b = np.frombuffer(a[i:i + rows].tobytes(), dtype=np.uint8)
                    chunks.append(b.reshape(-1, a.dtype.itemsize).T.copy().tobytes())
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        for c in chunks:
            zlib.compress(c, 4)
        best = min(best, time.perf_counter() - t)
    return best / max(1, n)


def fnv1a(data, h=14695981039346656037):
    for byte in data:
        h = ((h ^ byte) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def journal_records(path):
    """(header, [(key, payload)]) of a journal (format: src/io/journal.c)."""
    data = open(path, "rb").read()
    pos, recs = 8, []
    while pos + 20 <= len(data):
        magic, klen, plen, _ = struct.unpack_from("<IIIQ", data, pos)
        if magic != 0xA7E5C0DE or pos + 20 + klen + plen > len(data):
            break
        key = data[pos + 20:pos + 20 + klen].decode()
        recs.append((key, data[pos + 20 + klen:pos + 20 + klen + plen]))
        pos += 20 + klen + plen
    return data[:8], recs


def measure_write(m, exe, campaign, work):
    """Per-candidate cost of results.h5 on rank 0: campaigns of the benchmark's settings with
    every site family and 8 and 16 metals (about 500 and 1500 candidates), whose journal holds
    a record for each candidate (copies of the measured ones, cycled, under the new candidates'
    IDs) and, for comparison, none; a run with a STOP file writes results.h5 from them (3 runs
    each). Rank 0's timers (run -v) split the cost into reading the journal, adding the
    candidates to results.h5 (all of them before the loop: none is pending) and the end (per
    candidate against the run without records: an upper bound, it includes the last partial
    chunk of each column)."""
    header, recs = journal_records(os.path.join(work, "run0-np1", "journal", "rank-0.jrnl"))
    settings = [p for k, p in recs if k == "#settings"][0]
    payloads = [p for k, p in recs if not k.startswith("#")]
    bench = open(campaign).read().splitlines()
    fam = open(FAMILIES).read().splitlines()
    block = fam[next(i for i, ln in enumerate(fam) if ln.startswith("families:")):
                next(i for i, ln in enumerate(fam) if ln.startswith("adsorbates:"))]
    i0 = next(i for i, ln in enumerate(bench) if ln.startswith("metals:"))
    i1 = next(i for i, ln in enumerate(bench) if ln.startswith("adsorbates:"))

    def journal(records):
        out = bytearray(header)
        for key, payload in records:
            kb = key.encode()
            out += struct.pack("<IIIQ", 0xA7E5C0DE, len(kb), len(payload), fnv1a(kb + payload))
            out += kb + payload
        return out

    sizes = []
    for metals in METAL_SETS[1:]:
        text = bench[:i0] + ["metals: [" + ", ".join(metals) + "]"] + block + bench[i1:]
        yml = os.path.join(work, f"write-probe-{len(metals)}.yaml")
        open(yml, "w").write("\n".join(text) + "\n")
        sites = os.path.join(work, "write-probe-sites")
        shutil.rmtree(sites, ignore_errors=True)
        subprocess.run([exe, "sites", yml, "-o", sites], check=True, capture_output=True,
                       env=ENV)
        ids = list(dict.fromkeys(r["id"] for r in
                                 json.load(open(os.path.join(sites, "index.json")))))
        full = journal([("#settings", settings)] + [(ids[i], payloads[i % len(payloads)])
                                                    for i in range(len(ids))])
        for records, blob in ((0, journal([("#settings", settings)])), (len(ids), full)):
            ts, tm = [], []
            for _ in range(3):
                d = os.path.join(work, "write-probe")
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(os.path.join(d, "journal"))
                open(os.path.join(d, "STOP"), "w").close()
                open(os.path.join(d, "journal", "rank-0.jrnl"), "wb").write(blob)
                dt, _, p = timed([exe, "run", yml, "-o", d, "-v"], expect=(3,))
                ts.append(dt)
                tm.append(timers(p.stderr))
            if f"{records} of {len(ids)} candidates" not in p.stderr:
                sys.exit(f"write probe: results.h5 did not take the {records} records:\n"
                         f"{p.stderr[-2000:]}")
            sizes.append(dict(candidates=len(ids), records=records, wall=min(ts),
                              timers=tm if tm[0] else None))
    m["write_probe"] = dict(sizes=sizes)


def measure_fixed(m, exe, campaign, work):
    """Costs around the loop and per candidate besides the computation (into m)."""
    est = m["estimate"]
    # fixed costs: resume with nothing to do; a STOP file before the first candidate
    for p in (1, 2):
        d = os.path.join(work, f"run0-np{p}")
        m[f"resume{p}"] = [timed(run_cmd(exe, p, campaign, d))[0] for _ in range(3)]
    # the N-dependent parts, without mpirun (its exit handling after status 3 takes seconds):
    # the STOP-file runs and the resume of the finished directory, one process each
    d = os.path.join(work, "run0-np1")
    m["resume_direct"] = statistics.median(
        [timed([exe, "run", campaign, "-o", d, "-q"])[0] for _ in range(3)])
    stop = []
    for metals in [None] + list(METAL_SETS):
        text = open(campaign).read()
        if metals:  # every site family, on flakes of the benchmark's radius
            radius = [ln for ln in text.splitlines() if "flake_radius" in ln][0]
            radius = float(radius.split("flake_radius:")[1].split("}")[0].split()[0])
            text = open(FAMILIES).read().replace("flake_radius: 7.0", f"flake_radius: {radius}")
            text = "\n".join(("metals: [" + ", ".join(metals) + "]") if ln.startswith("metals:")
                             else ln for ln in text.splitlines()) + "\n"
        yml = os.path.join(work, f"stop-{len(metals or [])}.yaml")
        open(yml, "w").write(text)
        ts, tm = [], []
        for _ in range(3):
            d = os.path.join(work, "stop")
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            open(os.path.join(d, "STOP"), "w").close()
            dt, _, p = timed([exe, "run", yml, "-o", d, "-v"], expect=(3,))
            ts.append(dt)
            tm.append(timers(p.stderr))
        got = re.search(r"(\d+) of (\d+) candidates in", p.stderr)
        n = int(got.group(2)) if got else -1
        stop.append(dict(metals=len(metals or []), candidates=n, wall=statistics.median(ts),
                         timers=tm if tm[0] else None))
    m["stop"] = stop
    jdir = os.path.join(work, "run0-np1", "journal")
    jbytes = sum(os.path.getsize(os.path.join(jdir, f)) for f in os.listdir(jdir))
    m["journal_bytes_per_candidate"] = jbytes / len(est)
    m["fsync"] = fsync_cost(jdir, m["journal_bytes_per_candidate"])
    r1 = [r for r in m["runs"] if r["ranks"] == 1][0]
    evals = sum(r1["evaluations"].values())
    m["eval_interval"] = sum(r1["wall_s"].values()) / evals
    exe_dir = os.path.dirname(os.path.abspath(exe))  # the build directory
    m["fetch_sm"] = fetch_latency(exe_dir, m["eval_interval"] * 1e6)
    m["fetch_pt2pt"] = fetch_latency(exe_dir, m["eval_interval"] * 1e6, osc="pt2pt")
    measure_write(m, exe, campaign, work)
    m["compress"] = compress_cost(os.path.join(work, "run0-np1", "results.h5"))
