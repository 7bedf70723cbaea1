#!/usr/bin/python3
"""`atescreen run` with settings.method pw (ctest pipeline_run_pw): a tiny plane-wave campaign and
the errors of bad plane-wave settings.

- Bad settings are refused before anything runs, naming file, line and field: method pw without
  settings.pw.ecut, settings.pw under method gfn1, an unknown functional, an unknown key, both
  smearing widths, a pseudopotential file that does not exist.
- Mg-N4 on the smallest flake (flake_radius 4 Å, 25 atoms) with *H, PBE at 5 Ha in a box 3 Å
  larger than the atoms (settings.pw.vacuum), Γ only, spin scan 0-1 unpaired electrons (clean:
  0, *H: 1, fixed moments), relaxation with the shared optimiser (fmax 5 eV/Å, at most 1 step).
  Physically meaningless at this cutoff; it checks the plumbing. Run on 1 rank, on 2 ranks
  (one candidate per rank) and with --group-size 2 (one candidate on both ranks: the kernel
  spreads the spin channels of the uhf 1 states over them and shares the bands of the
  spin-restricted ones, a band group of 2): the /summary and /states numbers must agree to
  round-off (1e-9 eV; close() says why not bitwise).
- SIGTERM to one rank of a --group-size 2 run during the candidate: both ranks abandon it
  (exit 3, nothing journaled); resuming completes it with the numbers of the 1-rank run.
- settings.pw.metal_moment 1.5 (1 rank, ATE_PW_VERBOSE): every spin-polarised SCF start of the
  kernel gets 1.5 on Mg and 0 elsewhere (the kernel's "starting moments" line), and the provenance
  names it; a text or negative metal_moment is refused like the other bad settings.
- A campaign whose SCF cannot converge (scf.max_iter 3, no rescue rungs): the clean state fails
  with the kernel's reason and so does the candidate; the run itself succeeds.
- The stored final energy of each state equals a fresh `atescreen calc --method pw` on the stored
  structure with the campaign's settings (the pipeline passed ecut, xc, smearing, spin); the
  stored metal spin equals that calc's atomic-sphere moment of the metal (settings.pw.sphere_radius)
  and is finite; results.h5 has the layout of docs/hdf5-schema.md (as gfn1's); the provenance
  names the pw settings; resuming with another ecut is refused.
- /provenance/pseudopotentials names one entry per element of /structures and of the gas
  references (H, O): the one the rule of docs/theory-pw.md picks in inputs/params/gth/GTH_POTENTIALS
  (CP2K's GTH-PBE alias, else the first GTH-PBE-* entry; parsed here independently), with its
  valence charge, equal to the fresh calc's JSON "pseudopotentials" and to the entry the kernel
  read in that calc (its ATE_PW_VERBOSE line).

usage: check_pw.py ATESCREEN SRC_DIR WORK_DIR [--quick]

--quick (the sanitizer build, where the plane-wave code runs ~10x slower): the 2-rank run without
a group, the metal_moment run and the SIGTERM run are left out; the bad settings, the 1-rank and
--group-size 2 runs and the failing SCF are kept.
"""
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

exe, src, work = sys.argv[1:4]
QUICK = "--quick" in sys.argv[4:]
sys.path.insert(0, os.path.join(src, "src", "python"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import atescreen  # noqa: E402
from ase.io import write  # noqa: E402
from compare import schema_check, summary_numbers  # noqa: E402

EV = 27.211386245988  # eV per hartree (CODATA 2018, src/include/atescreen/units.h)
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg, flush=True)
    if not cond:
        failures.append(msg)


def close(a, b):
    """Equal integer columns, floats within 1e-9 eV (absolute) + 1e-12 (relative), NaN = NaN;
    returns (ok, largest float difference). Not bitwise: the plane-wave kernel's FFTW plans are
    chosen by timing (FFTW_MEASURE, kernels/pw/basis.c), so two runs of the same input may add in
    another order (measured: <= 1e-11 eV on -3700 eV)."""
    worst = 0.0
    if a.keys() != b.keys():
        return False, worst
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape:
            return False, worst
        if x.dtype.kind != "f":
            if not np.array_equal(x, y):
                return False, worst
            continue
        if not np.array_equal(np.isnan(x), np.isnan(y)):
            return False, worst
        d = np.abs(np.where(np.isnan(x), 0.0, x - y))
        worst = max(worst, float(d.max(initial=0.0)))
        if (d > 1e-9 + 1e-12 * np.abs(np.nan_to_num(x))).any():
            return False, worst
    return True, worst


os.makedirs(work, exist_ok=True)
BASE = """name: {name}
support: {{type: flake, flake_radius: 4.0}}
metals: [Mg]
families:
  - symmetric: {{}}
adsorbates: [H]
settings:
  method: pw
  fmax: 5.0
  max_steps: 1
  max_unpaired: 1
{extra}"""
PW = "  pw: {ecut: 5.0, vacuum: 3.0, sphere_radius: 2.0}\n"


def gth_choice(path, symbol, tag="GTH-PBE"):
    """(entry, z_ion) the documented rule picks: the entry whose header names the alias tag, else
    the first whose name starts with it (docs/theory-pw.md, "Pseudopotentials")."""
    lines = open(path).read().splitlines()
    heads = [(i, ln.split()) for i, ln in enumerate(lines) if ln[:1].isalpha()]
    mine = [(i, w) for i, w in heads if w[0] == symbol]
    pick = ([(i, w) for i, w in mine if tag in w[1:]]
            or [(i, w) for i, w in mine if any(n.startswith(tag) for n in w[1:])])
    if not pick:
        return None
    i, w = pick[0]
    return w[1], float(sum(int(v) for v in lines[i + 1].split()))


def write_yaml(name, extra):
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as fh:
        fh.write(BASE.format(name=name, extra=extra))
    return path


def run(yaml, out, ranks=0, extra=(), expect=0):
    mpi = os.environ.get("ATE_MPIEXEC", "mpiexec")
    cmd = ([mpi, "--allow-run-as-root", "--oversubscribe", "-n", str(ranks)] if ranks else [])
    cmd += [exe, "run", yaml, "-o", out, "-q", *extra]
    p = subprocess.run(cmd, capture_output=True, text=True)
    check(p.returncode == expect, "%s: exit %d, expected %d %s" % (
        " ".join(cmd[-6:]), p.returncode, expect, p.stderr[-600:] if p.returncode != expect else ""))
    return p


# ---- bad settings -------------------------------------------------------------------------
bad = [
    ("no-ecut", "  pw: {xc: pbe}\n", "settings.pw.ecut"),
    ("gfn1-pw", "  pw: {ecut: 5.0}\n".replace("pw:", "pw:"), None),  # method replaced below
    ("bad-xc", "  pw: {ecut: 5.0, xc: b3lyp}\n", "settings.pw.xc"),
    ("bad-key", "  pw: {ecut: 5.0, ecutrho: 20}\n", "ecutrho"),
    ("two-widths", "  electronic_temperature: 500\n  pw: {ecut: 5.0, smearing_width: 0.01}\n",
     "settings.pw.smearing_width"),
    ("no-pseudo", "  pw: {ecut: 5.0, pseudo_file: does-not-exist.gth}\n", "settings.pw.pseudo_file"),
    ("text-moment", "  pw: {ecut: 5.0, metal_moment: high}\n", "settings.pw.metal_moment"),
    ("negative-moment", "  pw: {ecut: 5.0, metal_moment: -1}\n", "settings.pw.metal_moment"),
]
for name, extra, field in bad:
    y = write_yaml("bad-" + name, extra)
    if name == "gfn1-pw":
        text = open(y).read().replace("method: pw", "method: gfn1")
        open(y, "w").write(text)
        field = "settings.pw"
    p = run(y, os.path.join(work, "bad-" + name + "-out"), expect=2)
    line = [ln for ln in p.stderr.splitlines() if "error" in ln]
    check(bool(line) and field in line[0] and os.path.basename(y) + ":" in line[0],
          "bad setting %s: %s" % (name, line[0] if line else p.stderr[-300:]))
    check(not os.path.exists(os.path.join(work, "bad-" + name + "-out", "results.h5")),
          "bad setting %s: nothing computed" % name)

# ---- the campaign on 1 rank, 2 ranks and one group of 2 -------------------------------------
y = write_yaml("pw-tiny", PW)
runs = {}
LAYOUTS = (("1", 0, ()), ("2", 2, ()), ("g2", 2, ("--group-size", "2")))
for label, ranks, extra in (l for l in LAYOUTS if not (QUICK and l[0] == "2")):
    out = os.path.join(work, "pw-tiny-" + label)
    shutil.rmtree(out, ignore_errors=True)
    run(y, out, ranks, extra)
    h5 = os.path.join(out, "results.h5")
    if os.path.exists(h5):
        runs[label] = summary_numbers(h5)
if "1" in runs:
    for label in ("g2",) if QUICK else ("2", "g2"):
        ok, worst = close(runs["1"], runs[label]) if label in runs else (False, 0.0)
        check(ok, "%s: /summary and /states equal to 1 rank (largest difference %.1e)" % (
            {"2": "2 ranks", "g2": "--group-size 2"}[label], worst))

h5 = os.path.join(work, "pw-tiny-1", "results.h5")
if os.path.exists(h5):
    df = atescreen.load(h5)
    st = atescreen.states(h5)
    check(len(df) == 1 and int(df["status"].iloc[0]) in (0, 2),
          "one candidate, status %s" % list(df["status"]))
    check(sorted(st["state_label"]) == ["H", "clean"], "states %s" % list(st["state_label"]))
    with h5py.File(h5, "r") as f:
        par = json.loads(f["provenance/parameters"][()][0])
        kernel = f.attrs["kernel"]
    kernel = kernel.decode() if isinstance(kernel, bytes) else kernel
    schema_check(h5, src, check, method="pw")  # the same layout as gfn1's (docs/hdf5-schema.md)
    check(kernel == "pw" and par["method"] == "pw" and par["pw"]["ecut_Ha"] == 5.0
          and par["pw"]["xc"] == "pbe", "provenance: kernel %s, pw settings %s" % (
              kernel, par.get("pw")))
    with h5py.File(h5, "r") as f:
        g = f["provenance/pseudopotentials"]
        psp = {e.decode(): (n.decode(), z) for e, n, z in zip(g["element"][()], g["entry"][()],
                                                              g["z_ion"][()])}
        zs = set(int(z) for z in f["structures/numbers"][()])
        zunits = g["z_ion"].attrs.get("units")
    symbols = set(atescreen.atoms(h5, 0, "clean").get_chemical_symbols()) | {"H", "O"}
    gth = os.path.join(src, "inputs", "params", "gth", "GTH_POTENTIALS")
    want = {s: gth_choice(gth, s) for s in symbols}
    pdf = atescreen.load(h5, "provenance/pseudopotentials")  # the reader's view of the table
    check(set(psp) == symbols and len(psp) == len(zs | {1, 8}) and want == psp
          and zunits in ("e", b"e") and pdf.attrs["units"] == {"z_ion": "e"}
          and {r.element: (r.entry, r.z_ion) for r in pdf.itertuples()} == psp,
          "/provenance/pseudopotentials %s = the documented rule's %s (units %s)" % (
              sorted(psp.items()), sorted(want.items()), zunits))
    for _, row in st.iterrows():
        label = row["state_label"]
        atoms = atescreen.atoms(h5, row["id"], label)
        f = os.path.join(work, "pw_state_%s.extxyz" % label)
        atoms.calc = None
        write(f, atoms, format="extxyz")
        uhf = int(row["uhf"])
        r = subprocess.run([exe, "calc", f, "--method", "pw", "--ecut", "5.0", "--json",
                            "--sphere-radius", "2.0"] + (["--uhf", str(uhf)] if uhf else []),
                           capture_output=True, text=True, env=dict(os.environ, ATE_PW_VERBOSE="1"))
        if r.returncode != 0:
            check(False, "%s: calc failed: %s" % (label, r.stderr[-400:]))
            continue
        js = json.loads(r.stdout)
        read = {}  # "pw: pseudopotential Mg GTH-PBE-q10 (Z_ion 10) from ..."
        for ln in r.stderr.splitlines():
            if ln.startswith("pw: pseudopotential "):
                w = ln.split()
                read[w[2]] = (w[3], float(w[5].rstrip(")")))
        jp = {s: (v["entry"], v["z_ion"]) for s, v in js.get("pseudopotentials", {}).items()}
        check(jp and jp == read and all(psp.get(s) == v for s, v in jp.items()),
              "%s: calc JSON pseudopotentials %s = the kernel's choice %s = /provenance" % (
                  label, sorted(jp.items()), sorted(read.items())))
        de = js["energy"] * EV - row["E_total"]
        check(abs(de) < 1e-5, "%s (uhf %d): stored E_total %.6f eV, fresh calc %.6f eV (%.1e)"
              % (label, uhf, row["E_total"], js["energy"] * EV, de))
        metal = [i for i, s in enumerate(atoms.get_chemical_symbols()) if s == "Mg"][0]
        m = js["spins"][metal]
        check(abs(m - row["metal_spin"]) < 1e-6 and m == m,
              "%s: stored metal spin %.6f, calc's sphere moment %.6f" % (label, row["metal_spin"], m))
        # the reader names pw charges Hirshfeld's (plus the neutral alias), not Mulliken's
        q = atoms.arrays.get("hirshfeld_charges")
        check(q is not None and "mulliken_charges" not in atoms.arrays
              and np.array_equal(q, atoms.arrays.get("charges"))
              and np.allclose(q, js["charges"], rtol=0, atol=1e-6),
              "%s: atoms.arrays hirshfeld_charges = charges = calc's %s (arrays %s)" % (
                  label, np.round(js["charges"][:3], 6), sorted(atoms.arrays)))
        check(list(atoms.pbc) == [True, True, True] and min(atoms.cell.lengths()) >= 3.0 - 1e-9,
              "%s: in a box %s" % (label, atoms.cell.lengths().round(3)))
    # resuming with another cutoff is refused (the settings are in the journals)
    y2 = write_yaml("pw-tiny", PW.replace("ecut: 5.0", "ecut: 6.0"))
    p = run(y2, os.path.join(work, "pw-tiny-1"), expect=2)
    check("different settings" in p.stderr, "another ecut on resume: %s" % p.stderr.strip()[-200:])
    write_yaml("pw-tiny", PW)

# ---- settings.pw.metal_moment: the starting moment on the site metal of spin-polarised states ---
if not QUICK:  # (a 1-rank campaign run: left out under the sanitizers, as the 2-rank one)
    ym = write_yaml("pw-moment", PW.replace("sphere_radius: 2.0", "sphere_radius: 2.0, metal_moment: 1.5"))
    out = os.path.join(work, "pw-moment-1")
    shutil.rmtree(out, ignore_errors=True)
    os.environ["ATE_PW_VERBOSE"] = "1"
    p = run(ym, out)
    del os.environ["ATE_PW_VERBOSE"]
    lines = [ln.split(":", 2)[2].split() for ln in p.stderr.splitlines()
             if ln.startswith("pw: starting moments (initial_magmoms):")]
    h5m = os.path.join(out, "results.h5")
    mg = None
    if os.path.exists(h5m):
        a = atescreen.atoms(h5m, 0, "H")
        mg = [i for i, s in enumerate(a.get_chemical_symbols()) if s == "Mg"]
        with h5py.File(h5m, "r") as f:
            par = json.loads(f["provenance/parameters"][()][0])
        check(par["pw"].get("metal_moment") == 1.5, "provenance: pw %s" % par["pw"])
    check(bool(lines) and mg is not None and all(
        [float(v) for v in ln] == [1.5 if i in mg else 0.0 for i in range(len(ln))] for ln in lines),
        "metal_moment 1.5 reaches the kernel on Mg only, in %d spin-polarised SCF starts: %s" % (
            len(lines), " ".join(lines[0]) if lines else p.stderr[-300:]))

# ---- SIGTERM to one rank of a group during the candidate: the group stops together -----------
def descendants(pid):
    """Process ids below pid (from /proc)."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, stack = [], [pid]
    while stack:
        for c in kids.get(stack.pop(), []):
            out.append(c)
            stack.append(c)
    return out


def ranks_of(pid):
    out = []
    for c in descendants(pid):
        try:
            cmd = open("/proc/%d/cmdline" % c, "rb").read().split(b"\0")
        except OSError:
            continue
        if any(x.endswith(b"atescreen") or x.endswith(b"atescreen-mpi") for x in cmd[:1]) and \
                b"run" in cmd:
            out.append(c)
    return sorted(out)


if "1" in runs and not QUICK:
    import signal
    import time
    out = os.path.join(work, "pw-tiny-term")
    shutil.rmtree(out, ignore_errors=True)
    mpi = os.environ.get("ATE_MPIEXEC", "mpiexec")
    p = subprocess.Popen([mpi, "--allow-run-as-root", "--oversubscribe", "-n", "2", exe, "run", y,
                          "-o", out, "-q", "--group-size", "2"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    # into the candidate: the references are in rank 0's journal, then a few evaluations
    t_end = time.time() + 300
    jr = os.path.join(out, "journal", "rank-0.jrnl")
    while time.time() < t_end and p.poll() is None and not (
            os.path.exists(jr) and b"#references" in open(jr, "rb").read()):
        time.sleep(0.1)
    time.sleep(2.0)
    pids = ranks_of(p.pid)
    if p.poll() is not None or len(pids) != 2:
        check(False, "SIGTERM test: the run ended early or has ranks %s" % pids)
        p.communicate()
    else:
        os.kill(pids[-1], signal.SIGTERM)  # one rank of the group only
        try:
            _, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            err += " (hung: killed)"
        check(p.returncode == 3 and "abandoned" in err,
              "SIGTERM to one rank of the group: exit %s: %s" % (p.returncode, err.strip()[-300:]))
        from compare import journal_keys  # noqa: E402
        check(journal_keys(out) == [], "SIGTERM: nothing journaled %s" % journal_keys(out))
        run(y, out, 2, ("--group-size", "2"))
        got = summary_numbers(os.path.join(out, "results.h5"))
        ok, worst = close(runs["1"], got)
        check(ok, "SIGTERM then resume with --group-size 2: equal to 1 rank (largest difference "
                  "%.1e)" % worst)

# ---- an SCF that cannot converge: the states fail with the reason, the run goes on ----------
y = write_yaml("pw-noscf", PW + "  scf: {max_iter: 3, rescue: []}\n")
out = os.path.join(work, "pw-noscf")
shutil.rmtree(out, ignore_errors=True)
run(y, out)
h5 = os.path.join(out, "results.h5")
if os.path.exists(h5):
    df = atescreen.load(h5)
    st = atescreen.states(h5)
    reason = str(df["fail_reason"].iloc[0])
    check(int(df["status"].iloc[0]) == 1 and "SCF did not converge" in reason,
          "max_iter 3: candidate failed: %s" % reason)
    check(len(st) == 1 and reason.startswith("clean@") and np.isnan(st["E_total"].iloc[0]),
          "max_iter 3: the clean state failed (%d state rows, E_total %s)" % (
              len(st), st["E_total"].tolist()))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("all checks passed")
