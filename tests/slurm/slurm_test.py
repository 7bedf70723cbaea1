#!/usr/bin/python3
"""The slurm/ templates under a real Slurm (ctest label `slurm`).

  slurm_test.py ATESCREEN SRC_DIR WORK_DIR

Installs Debian's slurm-wlm and munge if missing (apt-get; root), starts munged, slurmctld and
slurmd for this host (CPUs=2, proctrack/linuxproc, task/none, no cgroups) from a generated
configuration in WORK_DIR, and submits with sbatch on a 4-candidate campaign:
  1. slurm/single-node.sbatch (two MPI ranks through srun): the unsharded reference;
  2. slurm/job-array.sbatch as a 3-task array, one shard stopped by a STOP file so that its
     task exits with status 3 and requeues itself, plus slurm/merge.sbatch with
     --dependency=afterok on the array.
Checks: every job COMPLETED with exit code 0, the requeued task ran twice, every candidate is
in exactly one shard's journals, the merged results.h5 equals the single-node run's (every
number but timings and ranks). The daemons are shut down at the end, whatever happened.
Exit status 77 (ctest SKIP_RETURN_CODE) with the reason when this machine cannot run slurmd
(not root, packages not installable, a daemon exits at start-up: its log is printed); 1 on a
failed check (including a node that does not become idle with the daemons running).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

SKIP = 77
exe, src, work = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.join(src, "tests", "pipeline"))
from compare import journal_keys, same, summary_numbers  # noqa: E402

failures = []
procs = []  # the daemons this test started
t_start = time.time()


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def skip(reason):
    print(f"SKIP: {reason}", flush=True)
    stop_daemons()
    sys.exit(SKIP)


def sh(cmd, timeout=60, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV, **kw)


def install():
    need = [t for t in ("slurmctld", "slurmd", "sbatch", "munged") if not shutil.which(t)]
    if not need:
        return
    if os.geteuid() != 0:
        skip(f"{', '.join(need)} missing and not root: cannot install slurm-wlm and munge")
    print(f"installing slurm-wlm and munge ({', '.join(need)} missing)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "slurm-wlm",
                 "munge"]):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
        except subprocess.TimeoutExpired:
            skip(f"{' '.join(cmd)} took more than 4 minutes")
        if p.returncode != 0:
            skip(f"cannot install slurm-wlm and munge: {' '.join(cmd)}: {p.stderr[-400:]}")


def free_port():
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def write_config(d):
    host = socket.gethostname().split(".")[0]
    munge_sock = os.path.join(d, "munge.socket")
    conf = f"""ClusterName=atetest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={munge_sock},cred_expire=10
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=pmix
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName={host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""
    for sub in ("state", "spool"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    path = os.path.join(d, "slurm.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path, munge_sock, host


def start(cmd, log):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=ENV,
                         start_new_session=True)
    procs.append(p)
    return p


def stop_daemons():
    if not procs:
        return
    if "SLURM_CONF" in ENV:
        try:
            sh(["scontrol", "shutdown"], timeout=20)
        except (subprocess.TimeoutExpired, OSError):
            pass
    for p in reversed(procs):  # slurmd, slurmctld (asked above), munged (not asked)
        deadline = time.time() + (15 if p is not procs[0] else 0)
        while p.poll() is None and time.time() < deadline:
            time.sleep(0.2)
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    procs.clear()


def tail(path, n=15):
    try:
        return "".join(open(path).readlines()[-n:])
    except OSError:
        return "(no log)"


def start_cluster(d):
    conf, munge_sock, host = write_config(d)
    ENV["SLURM_CONF"] = conf
    key = os.path.join(d, "munge.key")
    with open(key, "wb") as f:
        f.write(os.urandom(1024))
    os.chmod(key, 0o400)
    munged = start(["munged", "--foreground", "--force", f"--key-file={key}",
                    f"--socket={munge_sock}", f"--pid-file={d}/munged.pid",
                    f"--log-file={d}/munged.log", f"--seed-file={d}/munged.seed"],
                   os.path.join(d, "munged.out"))
    for _ in range(50):
        if os.path.exists(munge_sock) or munged.poll() is not None:
            break
        time.sleep(0.1)
    if not os.path.exists(munge_sock):
        skip(f"munged does not start: {tail(os.path.join(d, 'munged.out'))}")
    ctld = start(["slurmctld", "-D", "-i", "-f", conf], os.path.join(d, "slurmctld.out"))
    slurmd = start(["slurmd", "-D", "-f", conf, "-N", host], os.path.join(d, "slurmd.out"))
    deadline = time.time() + 60
    state = ""
    while time.time() < deadline:
        if ctld.poll() is not None or slurmd.poll() is not None:
            which = "slurmctld" if ctld.poll() is not None else "slurmd"
            skip(f"{which} exited with status {(ctld if which == 'slurmctld' else slurmd).poll()}: "
                 f"this machine cannot run it:\n{tail(os.path.join(d, which + '.out'))}\n"
                 f"{tail(os.path.join(d, which + '.log'))}")
        p = sh(["sinfo", "-h", "-N", "-o", "%T"], timeout=20)
        state = p.stdout.strip()
        if p.returncode == 0 and state.rstrip("*") in ("idle", "mixed"):
            return True
        time.sleep(0.5)
    # the daemons run but the node is not usable: a configuration error, not a missing feature
    check(False, f"the node did not become idle within 60 s (state '{state}'):\n"
                 f"{tail(os.path.join(d, 'slurmd.log'))}\n{tail(os.path.join(d, 'slurmctld.log'))}")
    return False


def sbatch(args, cwd):
    p = sh(["sbatch", "--parsable"] + args, cwd=cwd)
    check(p.returncode == 0, f"sbatch {args}: {p.stderr}")
    return p.stdout.strip().split(";")[0]


def job_records(jobid):
    """[(JobState, ExitCode, Restarts)] of a job or of every task of an array."""
    p = sh(["scontrol", "-o", "show", "job", jobid], timeout=20)
    recs = []
    for line in p.stdout.splitlines():
        f = dict(re.findall(r"(\w+)=(\S*)", line))
        recs.append((f.get("JobState", "?"), f.get("ExitCode", "?"), int(f.get("Restarts", 0))))
    return recs


def wait(jobs, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = [s for j in jobs for s, _, _ in job_records(j)]
        if states and all(s in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                                "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE") for s in states):
            return True
        time.sleep(1)
    return False


ENV = dict(os.environ)
ENV["PATH"] = os.path.dirname(os.path.abspath(exe)) + os.pathsep + ENV.get("PATH", "")
ENV.pop("SLURM_JOB_ID", None)
for k in [k for k in ENV if k.startswith(("SLURM_", "SBATCH_", "SRUN_"))]:
    ENV.pop(k)
ENV.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def main():
    if os.geteuid() != 0:
        skip("slurmd needs root here (it runs jobs as their users); run the test as root")
    install()
    d = os.path.join(work, "cluster")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.time()
    if not start_cluster(d):
        return
    print(f"slurmctld and slurmd up in {time.time() - t0:.1f} s", flush=True)
    jobs_dir = os.path.join(work, "jobs")
    shutil.rmtree(jobs_dir, ignore_errors=True)
    os.makedirs(jobs_dir)
    campaign = os.path.join(jobs_dir, "tiny.yaml")
    with open(campaign, "w") as f:
        f.write("name: tiny\nsupport: {type: flake, flake_radius: 4.0}\n"
                "metals: [Fe, Co, Ni, Cu]\nfamilies:\n  - symmetric: {}\n"
                "adsorbates: [OH, H]\nsettings:\n  max_unpaired: 2\n")
    tmpl = os.path.join(src, "slurm")
    res = ["--time=5", "--signal=USR1@10"]
    # the single-node template: two ranks through srun
    single = sbatch(res + ["--ntasks-per-node=2", os.path.join(tmpl, "single-node.sbatch"),
                           campaign, "single"], jobs_dir)
    # the job array: 3 shards of one rank each; shard 1 first stops (STOP file: exit 3, requeue)
    os.makedirs(os.path.join(jobs_dir, "array", "shard-1-of-3"))
    open(os.path.join(jobs_dir, "array", "shard-1-of-3", "STOP"), "w").close()
    array = sbatch(res + ["--array=0-2", "--ntasks-per-node=1",
                          os.path.join(tmpl, "job-array.sbatch"), campaign, "array"], jobs_dir)
    merge = sbatch(res + [f"--dependency=afterok:{array}", os.path.join(tmpl, "merge.sbatch"),
                          "array"], jobs_dir)
    if not all((single, array, merge)):
        return
    t1 = time.time()
    done = wait([single, array, merge], 240)
    print(f"jobs finished in {time.time() - t1:.1f} s" if done else "jobs timed out", flush=True)
    check(done, "the jobs did not finish within 240 s")
    for name, j in (("single-node", single), ("job array", array), ("merge", merge)):
        recs = job_records(j)
        print(f"{name} job {j}: {recs}")
        check(recs and all(s == "COMPLETED" and e == "0:0" for s, e, _ in recs),
              f"{name} job {j}: {recs}")
    check(sum(r for _, _, r in job_records(array)) >= 1, "the stopped shard was not requeued")
    logs = sorted(x for x in os.listdir(jobs_dir) if x.endswith(".out"))
    for x in logs:
        text = open(os.path.join(jobs_dir, x)).read()
        if failures:
            print(f"--- {x}\n{text[-1500:]}")
    ref_h5 = os.path.join(jobs_dir, "single", "results.h5")
    merged = os.path.join(jobs_dir, "array", "results.h5")
    if not (os.path.exists(ref_h5) and os.path.exists(merged)):
        check(False, f"results.h5 missing: single {os.path.exists(ref_h5)}, "
                     f"merged {os.path.exists(merged)}")
        return
    import h5py
    with h5py.File(ref_h5, "r") as f:  # srun started one MPI world of two ranks
        check(f.attrs["mpi_size"] == 2, f"single-node run on {f.attrs['mpi_size']} rank(s)")
    ref = summary_numbers(ref_h5)
    keys = []
    for i in range(3):
        keys += journal_keys(os.path.join(jobs_dir, "array", f"shard-{i}-of-3"))
    check(len(ref["ids"]) == 4 and sorted(keys) == sorted(ref["ids"]),
          f"shard journals {sorted(keys)}, campaign {sorted(ref['ids'])}")
    got = summary_numbers(merged)
    check(same(ref, got), "merged job array differs from the single-node run")
    print(f"merged {len(got['ids'])} candidates = single-node run")


try:
    main()
finally:
    stop_daemons()
print(f"slurm_test: {len(failures)} failures in {time.time() - t_start:.0f} s")
sys.exit(1 if failures else 0)
