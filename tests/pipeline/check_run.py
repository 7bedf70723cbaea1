#!/usr/bin/python3
"""End-to-end checks of `atescreen run` on tiny flake campaigns (run by ctest).

  check_run.py ATESCREEN SRC_DIR WORK_DIR CASE

CASE:
  schema   a two-metal MN4 campaign: results.h5 loads with atescreen.load, every column of
           docs/hdf5-schema.md exists with its type and units, the CHE numbers follow from the
           stored energies, a second run resumes without recomputing
  ladder   rescue rungs forced by settings: each rung is reached and recorded in /attempts;
           an exhausted ladder fails the candidate with its reason and the campaign goes on
  harmonic thermo.corrections: harmonic: every state has finite ZPE/Cp_int/TS, the summary's dG
           follow from the stored energies, corrections and ideal-gas references, and the
           resulting constants are within 0.15 eV of the tabulated set S1
  ranks    dynamic scheduling: 1, 2 and 3 MPI ranks (ATE_MPIEXEC) give identical summaries and
           states; a STOP file and --walltime stop with status 3, nothing lost, and the resumed
           run equals the uninterrupted one; the launch checks (oversubscribed cores, a Slurm
           step of single-rank copies) warn; --group-size 1 gives the same numbers, a group
           size that does not divide the ranks, a bad value, and > 1 for gfn1 are refused
  kill     `atescreen run` SIGKILLed at 20 random moments and restarted each time: results.h5
           readable whenever it exists, every candidate exactly once in the journals and in
           results.h5 at the end, the numbers identical to an uninterrupted run
  shard    `run --shard I/N` (bad values refused, shards disjoint in the documented round-robin
           cost order, a stopped shard resumes) and `merge` (partial merge exits 3 naming the
           missing shard, the merge of all shards equals the unsharded run, merging again or a
           shard given twice changes nothing, other settings/campaigns refused)
  sigterm  SIGTERM during a candidate: exit status 3 within 5 s, the finished candidates in
           results.h5, the abandoned one computed on resume, each exactly once
  collapse GFN1-xTB has no barrier between Ti and N (xtb 6.5.1 gives the same energies): a Ti-N4
           site collapses while it relaxes. That candidate is recorded failed with the reason
           (which atoms, how close) on 1 and 2 ranks, the Fe-N4 candidate beside it is computed,
           the run exits 0, and no rescue rung is spent on it
  report   Fe/Ni MN4 plus a Fe-Ni dual-metal site: the Python reader (load with decoded labels,
           states, attempts, atoms() against /structures, extxyz and ase.db exports) and
           `atescreen report` (ranking order, the PNGs, exit codes for bad files)
"""
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

exe, src, work, case = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "src", "python"))
import atescreen  # noqa: E402
from compare import journal_keys, same, schema_check, summary_numbers  # noqa: E402

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def campaign(name, metals, settings="", adsorbates="[OH, O, OOH, H]", radius=4.0,
             families="  - symmetric: {}\n"):
    text = f"""name: {name}
support: {{type: flake, flake_radius: {radius}}}
metals: [{', '.join(metals)}]
families:
{families}adsorbates: {adsorbates}
settings:
  max_unpaired: 2
{settings}"""
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(yaml_path, outdir, expect=0, extra=()):
    p = subprocess.run([exe, "run", yaml_path, "-o", outdir, *extra], capture_output=True, text=True)
    check(p.returncode == expect, f"{yaml_path}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p


def check_schema(path):
    schema_check(path, src, check)


def check_che(path):
    """dE and U_L recomputed from /states and /provenance/references (docs/theory-che.md)."""
    with h5py.File(path, "r") as f:
        st = {k: f["states"][k][()] for k in ("candidate_row", "state", "E_total", "site")}
        ref = dict(zip([s.decode() for s in f["/provenance/references/species"][()]],
                       f["/provenance/references/E_total"][()]))
        che = dict(f["/provenance/che"].attrs)
        summ = {k: f["summary"][k][()] for k in ("dE_OH", "dE_O", "dE_OOH", "dE_H", "dG_OH",
                                                 "dG_OOH", "U_L_OER", "eta_OER", "status")}
    for c in range(len(summ["status"])):
        e = {s: st["E_total"][(st["candidate_row"] == c) & (st["state"] == s)] for s in range(5)}
        if any(len(v) != 1 for v in e.values()):
            continue
        e = {s: v[0] for s, v in e.items()}
        de_oh = e[1] - e[0] - (ref["H2O"] - ref["H2"] / 2)
        de_o = e[2] - e[0] - (ref["H2O"] - ref["H2"])
        de_ooh = e[3] - e[0] - (2 * ref["H2O"] - 1.5 * ref["H2"])
        de_h = e[4] - e[0] - ref["H2"] / 2
        for name, v in (("dE_OH", de_oh), ("dE_O", de_o), ("dE_OOH", de_ooh), ("dE_H", de_h)):
            check(abs(summ[name][c] - v) < 1e-9, f"{name}[{c}] {summ[name][c]} vs {v}")
        g = [de_oh + che["c_OH"], de_o + che["c_O"], de_ooh + che["c_OOH"]]
        steps = [g[0], g[1] - g[0], g[2] - g[1], 4.92 - g[2]]
        check(abs(summ["U_L_OER"][c] - max(steps)) < 1e-9, f"U_L_OER[{c}]")
        check(abs(summ["eta_OER"][c] - (max(steps) - 1.23)) < 1e-9, f"eta_OER[{c}]")


def case_schema():
    out = os.path.join(work, "schema-out")
    shutil.rmtree(out, ignore_errors=True)
    y = campaign("tiny", ["Fe", "Co"])
    p = run(y, out)
    prog = re.findall(r"^\[\d+ s\] (\d+)/2 done, (\d+) failed, (\d+) left, ETA (-?\d+) s$", p.stderr,
                      re.M)
    check([x[0] for x in prog] == ["1", "2"] and prog[-1][2] == "0" and int(prog[0][3]) >= 0,
          f"progress lines {prog}")
    path = os.path.join(out, "results.h5")
    check(os.path.exists(path), "results.h5 written")
    if not os.path.exists(path):
        return
    df = atescreen.load(path)
    check(len(df) == 2, f"{len(df)} candidates")
    check(set(df["metals"]) == {"Fe", "Co"}, f"metals {list(df['metals'])}")
    check(df.attrs["units"].get("dG_OH") == "eV" and df.attrs["units"].get("U_L_OER") == "V",
          "units in df.attrs")
    for col in ("dG_OH", "dG_O", "dG_OOH", "dG_H", "U_L_ORR", "U_L_OER", "eta_ORR", "eta_OER",
                "eta_HER", "pds_ORR", "pds_OER", "status"):
        check(col in df.columns, f"summary column {col}")
    check(np.all(np.isfinite(df["dG_OH"])), f"dG_OH {list(df['dG_OH'])}")
    check_schema(path)
    check_che(path)
    # resume: the journal holds both candidates, nothing is recomputed
    p2 = run(y, out)
    check("2 already done" in p2.stderr, f"resume message: {p2.stderr}")
    check("candidate c" not in p2.stderr, "resumed run recomputed a candidate")
    # changed settings are refused
    y2 = campaign("tiny", ["Fe", "Co"], settings="  fmax: 0.1\n")
    p3 = run(y2, out, expect=2)
    check("different settings" in p3.stderr, f"settings change: {p3.stderr}")


def attempts_of(path):
    with h5py.File(path, "r") as f:
        a = {k: f["attempts"][k][()] for k in ("state_row", "rung", "converged", "etemp")}
        rungs = [s.decode() for s in f["/labels/rung"][()]]
        status = f["summary"]["status"][()]
        reasons = [s.decode() for s in f["summary"]["fail_reason"][()]]
        et = f["states"]["etemp"][()]
    return a, rungs, status, reasons, et


def case_ladder():
    cases = [
        # (name, scf settings, rung that must succeed or None)
        ("damped", "    max_iter: 3\n    rescue:\n      - {rung: damped, mixing: 0.2, max_iter: 300}\n", "damped"),
        ("fresh", "    max_iter: 3\n    rescue:\n      - {rung: damped, max_iter: 3}\n"
                  "      - {rung: fresh_guess, max_iter: 300}\n", "fresh_guess"),
        ("hot", "    max_iter: 3\n    rescue:\n      - {rung: damped, max_iter: 3}\n"
                "      - {rung: fresh_guess, max_iter: 3}\n"
                "      - {rung: hot, etemp: 2000, max_iter: 300}\n", "hot"),
        ("exhausted", "    max_iter: 3\n    rescue:\n      - {rung: damped, max_iter: 3}\n", None),
    ]
    for name, scf, want in cases:
        out = os.path.join(work, "ladder-" + name)
        shutil.rmtree(out, ignore_errors=True)
        y = campaign("ladder-" + name, ["Fe", "Ni"], settings="  scf:\n" + scf, adsorbates="[H]")
        run(y, out)
        path = os.path.join(out, "results.h5")
        if not os.path.exists(path):
            check(False, f"{name}: no results.h5")
            continue
        a, rungs, status, reasons, et = attempts_of(path)
        check(len(status) == 2, f"{name}: {len(status)} candidates recorded")
        if want is None:
            check(all(s == 1 for s in status), f"{name}: status {status}")
            check(all("SCF did not converge" in r for r in reasons), f"{name}: reasons {reasons}")
            check(not any(a["converged"]), f"{name}: an attempt converged")
            continue
        k = rungs.index(want)
        ok = a["converged"] == 1
        check(all(s in (0, 2) for s in status), f"{name}: status {status} {reasons}")
        check(np.all(a["rung"][ok] == k), f"{name}: converged rungs {set(a['rung'][ok])}")
        check(np.all(a["rung"][~ok] < k), f"{name}: failed rungs {set(a['rung'][~ok])}")
        check(ok.sum() > 0 and (~ok).sum() >= k, f"{name}: {ok.sum()} ok, {(~ok).sum()} failed")
        if want == "hot":
            check(np.all(et == 2000.0), f"hot: kept etemp {set(et)}")
    # --retry-failed computes the failed candidates again, each still once in results.h5
    out = os.path.join(work, "ladder-exhausted")
    y = os.path.join(work, "ladder-exhausted.yaml")
    p = run(y, out)
    check("2 already done" in p.stderr and "candidate c" not in p.stderr,
          f"plain resume skips failed candidates: {p.stderr[-300:]}")
    p = run(y, out, extra=["--retry-failed"])
    check("0 already done" in p.stderr and p.stderr.count("candidate c") == 2,
          f"--retry-failed recomputes both: {p.stderr[-300:]}")
    a, rungs, status, reasons, et = attempts_of(os.path.join(out, "results.h5"))
    check(len(status) == 2 and all(s == 1 for s in status), f"retried: status {status}")
    # other settings: refused, then --force keeps the old journals aside and starts afresh
    y2 = campaign("ladder-exhausted", ["Fe", "Ni"], adsorbates="[H]", settings="  scf:\n" +
                  "    max_iter: 3\n    rescue:\n      - {rung: damped, mixing: 0.2, max_iter: 300}\n")
    run(y2, out, expect=2)
    p = run(y2, out, extra=["--force"])
    check(os.path.isdir(os.path.join(out, "journal.replaced-1")) and "moved" in p.stderr,
          f"--force moved the old journals: {os.listdir(out)} {p.stderr[-200:]}")
    a, rungs, status, reasons, et = attempts_of(os.path.join(out, "results.h5"))
    check(len(status) == 2 and all(s in (0, 2) for s in status), f"forced rerun: status {status}")


def case_report():
    out = os.path.join(work, "report-out")
    shutil.rmtree(out, ignore_errors=True)
    text = """name: report
support: {type: flake, flake_radius: 4.0}
metals: [Fe, Ni]
families:
  - symmetric: {}
  - dual_metal: {homonuclear: false}
adsorbates: [OH, O, OOH, H]
settings:
  max_unpaired: 2
  max_steps: 60
"""
    y = os.path.join(work, "report.yaml")
    with open(y, "w") as f:
        f.write(text)
    run(y, out)
    path = os.path.join(out, "results.h5")
    if not os.path.exists(path):
        check(False, "results.h5 written")
        return
    df = atescreen.load(path)
    with h5py.File(path, "r") as f:
        status = f["summary/status"][()]
        lab = [s.decode() for s in f["labels/status"][()]]
        mask = f["summary/anomaly"][()]
        flags = [s.decode() for s in f["labels/anomaly"][()]]
        st_rows = f["states/candidate_row"].shape[0]
        at_rows = f["attempts/state_row"].shape[0]
        kinds = f["structures/kind"][()]
        g = f["structures"]
        off = g["atom_offset"][()]
        pos, num, tags, en = g["positions"][()], g["numbers"][()], g["tags"][()], g["energy"][()]
        chg = g["charges"][()]
    check(len(df) == 3, f"{len(df)} candidates (Fe-N4, Ni-N4, FeNi dual)")
    check(list(df["status_label"]) == [lab[s] for s in status], "status_label decoded")
    check(all(isinstance(x, str) for x in df["name"]), "names are str")
    want_flags = [",".join(b for i, b in enumerate(flags) if m >> i & 1) for m in mask]
    check(list(df["anomaly_flags"]) == want_flags, "anomaly_flags decoded")
    dual = df[df["metal2"] > 0]
    check(len(dual) == 1, f"one dual-metal candidate, got {len(dual)}")
    if len(dual) == 1 and dual["status_label"].iloc[0] != "failed":
        r = dual.iloc[0]
        check(np.isfinite(r["U_L_OER_tandem"]) and r["U_L_OER_tandem"] <= r["U_L_OER"] + 1e-12,
              f"tandem U_L_OER {r['U_L_OER_tandem']} <= single-site {r['U_L_OER']}")
        check(np.isfinite(r["U_L_ORR_tandem"]) and r["U_L_ORR_tandem"] >= r["U_L_ORR"] - 1e-12,
              f"tandem U_L_ORR {r['U_L_ORR_tandem']} >= single-site {r['U_L_ORR']}")
    single = df[df["metal2"] == 0]
    check(np.all(np.isnan(single["U_L_OER_tandem"])), "tandem NaN for single atoms")
    sts = atescreen.states(path)
    check(len(sts) == st_rows and set(sts["state_label"]) <= {"clean", "OH", "O", "OOH", "H"},
          "states table")
    check(len(atescreen.attempts(path)) == at_rows, "attempts table")
    # atoms() equals the stored arrays, for every candidate, state and site, by id, name and row
    with h5py.File(path, "r") as f:
        srow = {k: f["states"][k][()] for k in ("candidate_row", "state", "structure_final",
                                                 "structure_initial", "E_total")}
        ssite = [x.decode() for x in f["states/site"][()]]
    row = int(single.index[0])
    for key in (row, df["id"][row], df["name"][row]):
        a = atescreen.atoms(path, key, "clean")
        i = srow["structure_final"][(srow["candidate_row"] == row) & (srow["state"] == 0)][0]
        check(np.allclose(a.positions, pos[off[i]:off[i + 1]]), f"atoms({key!r}) positions")
    for k in range(st_rows):
        r, s, name = int(srow["candidate_row"][k]), int(srow["state"][k]), None
        name = ["clean", "OH", "O", "OOH", "H"][s]
        for which in ("initial", "final"):
            i = srow["structure_" + which][k]
            a = atescreen.atoms(path, r, name, which, site=ssite[k] if s else None)
            check(kinds[i] == (which == "final"), f"structure kind {r} {name}")
            check(list(a.numbers) == list(num[off[i]:off[i + 1]]), f"numbers {r} {name}")
            check(np.allclose(a.positions, pos[off[i]:off[i + 1]]), f"positions {r} {name}")
            check(list(a.get_tags()) == list(tags[off[i]:off[i + 1]]), f"tags {r} {name}")
            if which == "final":
                check(abs(a.get_potential_energy() - en[i]) < 1e-9, f"energy {r} {name}")
                check(abs(en[i] - srow["E_total"][k]) < 1e-9, f"E_total {r} {name}")
                check("mulliken_charges" in a.arrays and "spins" in a.arrays
                      and "hirshfeld_charges" not in a.arrays
                      and np.array_equal(a.arrays["mulliken_charges"], a.arrays.get("charges"))
                      and np.allclose(a.arrays["charges"], chg[off[i]:off[i + 1]]),
                      f"charges {r}: mulliken_charges = charges = /structures/charges")
    if len(dual) == 1:
        r = int(dual.index[0])
        e = srow["E_total"][(srow["candidate_row"] == r) & (srow["state"] == 1)]
        check(len(e) == 2, f"dual-metal *OH on two sites, got {len(e)}")
        a = atescreen.atoms(path, r, "OH")
        check(abs(a.get_potential_energy() - np.nanmin(e)) < 1e-9, "default site = lowest")
    for bad, exc in ((99, IndexError), ("nope", KeyError)):
        try:
            atescreen.atoms(path, bad)
            check(False, f"atoms({bad!r}) raised nothing")
        except exc:
            pass
    # exports
    from ase.io import read
    from ase.db import connect
    xyz = os.path.join(out, "final.extxyz")
    n = atescreen.to_extxyz(path, xyz)
    frames = read(xyz, index=":")
    check(n == st_rows and len(frames) == st_rows, f"extxyz frames {n}/{len(frames)}/{st_rows}")
    check(all(fr.info.get("candidate") in set(df["id"]) for fr in frames), "extxyz info")
    check(all("mulliken_charges" in fr.arrays and "initial_charges" not in fr.arrays
              for fr in frames if fr.info.get("state") and "spins" in fr.arrays),
          "extxyz: mulliken_charges column, no ASE charge column")
    dbp = os.path.join(out, "results.db")
    n = atescreen.to_asedb(path, dbp)
    db = connect(dbp)
    check(n == st_rows and db.count() == st_rows, f"ase.db rows {n}/{db.count()}")
    good = df[df["status_label"] != "failed"]
    if len(good):
        r0 = good.iloc[0]
        rows = list(db.select(candidate=r0["id"], state="OH"))
        check(len(rows) == 1 and abs(rows[0].dG_OH - r0["dG_OH"]) < 1e-12, "ase.db key-values")
    # atescreen report: table sorted by |eta_OER|, PNGs valid, exit codes
    png = os.path.join(out, "plots")
    p = subprocess.run([exe, "report", path, "-o", png], capture_output=True, text=True)
    check(p.returncode == 0, f"report exit {p.returncode}: {p.stderr}")
    lines = [ln for ln in p.stdout.splitlines() if ln and not ln.startswith("#")]
    hdr = lines[0].split()
    names = [ln.split()[hdr.index("name")] for ln in lines[1:]]
    want = list(df.assign(k=df["eta_OER"].abs()).sort_values("k", na_position="last")["name"])
    check(names == want, f"ranking {names}, expected {want}")
    nfed = int(np.all(np.isfinite(good[["dG_OH", "dG_O", "dG_OOH"]]), axis=1).sum())
    pngs = [os.path.join(png, "volcano.png"), os.path.join(png, "scaling.png")]
    fed = os.path.join(png, "fed")
    pngs += [os.path.join(fed, x) for x in sorted(os.listdir(fed))] if os.path.isdir(fed) else []
    check(len(pngs) == 2 + nfed, f"{len(pngs)} PNGs, expected {2 + nfed}")
    import matplotlib.image as mpimg
    for q in pngs:
        with open(q, "rb") as fh:
            check(fh.read(8) == b"\x89PNG\r\n\x1a\n", f"{q} is a PNG")
        im = mpimg.imread(q)
        check(im.shape[0] > 300 and im.shape[1] > 400 and im[..., :3].std() > 0.01,
              f"{q}: {im.shape}, not blank")
    p = subprocess.run([exe, "report", os.path.join(out, "missing.h5")], capture_output=True,
                       text=True)
    check(p.returncode == 2 and "missing.h5: no such file" in p.stderr, f"missing: {p.stderr}")
    p = subprocess.run([exe, "report", y], capture_output=True, text=True)
    check(p.returncode == 2 and "not an HDF5 file" in p.stderr, f"not HDF5: {p.stderr}")
    p = subprocess.run([exe, "report", path, "--sort", "nope", "--no-plots"],
                       capture_output=True, text=True)
    check(p.returncode == 2 and "--sort nope" in p.stderr, f"bad sort: {p.stderr}")


def case_harmonic():
    out = os.path.join(work, "harmonic-out")
    shutil.rmtree(out, ignore_errors=True)
    y = campaign("harmonic", ["Fe", "Co"], settings="thermo: {corrections: harmonic}\n")
    run(y, out)
    path = os.path.join(out, "results.h5")
    if not os.path.exists(path):
        check(False, "results.h5 written")
        return
    check_schema(path)
    with h5py.File(path, "r") as f:
        che = dict(f["/provenance/che"].attrs)
        ref = {k: f["/provenance/references"][k][()] for k in ("E_total", "ZPE", "Cp_int", "TS")}
        st = {k: f["states"][k][()] for k in ("candidate_row", "state", "E_total", "ZPE",
                                              "Cp_int", "TS", "n_imag")}
        summ = {k: f["summary"][k][()] for k in ("dG_OH", "dG_O", "dG_OOH", "dG_H")}
    corr_set = che["correction_set"]
    corr_set = corr_set.decode() if isinstance(corr_set, bytes) else corr_set
    check(corr_set == "harmonic", f"correction_set {corr_set}")
    check(all(np.isnan(che[k]) for k in ("c_OH", "c_O", "c_OOH", "c_H")), "che constants NaN")
    for k in ("ZPE", "Cp_int", "TS"):
        check(np.all(np.isfinite(ref[k])) and np.all(np.isfinite(st[k])), f"{k} finite")
    check(np.all(st["ZPE"] > 0) and np.all(st["TS"] > 0), "ZPE, TS positive")
    # ideal-gas references: S1 tabulates H2O 0.558/0.103/0.675 and H2 0.268/0.0905/0.408
    check(abs(ref["Cp_int"][0] - 0.103) < 0.002 and abs(ref["TS"][0] - 0.675) < 0.02,
          f"H2O Cp {ref['Cp_int'][0]}, TS {ref['TS'][0]}")
    check(abs(ref["ZPE"][0] - 0.558) < 0.05 and abs(ref["ZPE"][1] - 0.268) < 0.05,
          f"ZPE H2O {ref['ZPE'][0]}, H2 {ref['ZPE'][1]}")
    gw = ref["ZPE"][0] + ref["Cp_int"][0] - ref["TS"][0]
    gh = ref["ZPE"][1] + ref["Cp_int"][1] - ref["TS"][1]
    ew, eh = ref["E_total"]
    s1 = {"OH": 0.341, "O": 0.003, "OOH": 0.368, "H": 0.24}
    for c in range(len(summ["dG_OH"])):
        sel = {s: (st["candidate_row"] == c) & (st["state"] == s) for s in range(5)}
        if any(sel[s].sum() != 1 for s in range(5)):
            continue
        e = {s: st["E_total"][sel[s]][0] for s in range(5)}
        g = {s: (st["ZPE"] + st["Cp_int"] - st["TS"])[sel[s]][0] for s in range(5)}
        want = {
            "OH": e[1] + g[1] - e[0] - g[0] - (ew + gw - 0.5 * (eh + gh)),
            "O": e[2] + g[2] - e[0] - g[0] - (ew + gw - (eh + gh)),
            "OOH": e[3] + g[3] - e[0] - g[0] - (2 * (ew + gw) - 1.5 * (eh + gh)),
            "H": e[4] + g[4] - e[0] - g[0] - 0.5 * (eh + gh),
        }
        for ads, v in want.items():
            check(abs(summ["dG_" + ads][c] - v) < 1e-9, f"dG_{ads}[{c}] {summ['dG_' + ads][c]} vs {v}")
        const = {"OH": g[1] - g[0] - (gw - 0.5 * gh), "O": g[2] - g[0] - (gw - gh),
                 "OOH": g[3] - g[0] - (2 * gw - 1.5 * gh), "H": g[4] - g[0] - 0.5 * gh}
        for ads, v in const.items():
            check(abs(v - s1[ads]) < 0.15, f"candidate {c}: c_{ads} = {v:.3f}, S1 {s1[ads]}")
        print(f"candidate {c}: harmonic constants " +
              ", ".join(f"c_{a} {v:.3f} (S1 {s1[a]})" for a, v in const.items()))


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


def case_collapse():
    y = campaign("collapse", ["Ti", "Fe"], adsorbates="[OH]")
    for ranks in (1, 2):
        out = os.path.join(work, f"collapse-{ranks}")
        shutil.rmtree(out, ignore_errors=True)
        if ranks == 1:
            p = run(y, out)
        else:
            mpi = os.environ.get("ATE_MPIEXEC", "mpiexec")
            cmd = [mpi, "--allow-run-as-root", "--oversubscribe", "-n", "2", exe, "run", y, "-o", out]
            p = subprocess.run(cmd, capture_output=True, text=True)
            check(p.returncode == 0, f"2 ranks: exit {p.returncode}\n{p.stderr}")
        path = os.path.join(out, "results.h5")
        if not os.path.exists(path):
            check(False, f"{ranks} rank(s): no results.h5\n{p.stderr}")
            continue
        with h5py.File(path, "r") as f:
            names = [s.decode() for s in f["summary"]["name"][()]]
            status = f["summary"]["status"][()]
            reasons = [s.decode() for s in f["summary"]["fail_reason"][()]]
            rung = f["attempts"]["rung"][()]
            state_row = f["attempts"]["state_row"][()]
            msg = [s.decode() for s in f["attempts"]["message"][()]]
        check(sorted(names) == ["Fe-N4", "Ti-N4"], f"{ranks}: candidates {names}")
        for n, st, r in zip(names, status, reasons):
            if n == "Ti-N4":
                check(st == 1 and re.search(r"geometry collapsed .*atoms \d+ \(N\) and \d+ \(Ti\)", r),
                      f"{ranks}: Ti-N4 status {st} reason {r!r}")
            else:
                check(st in (0, 2), f"{ranks}: Fe-N4 status {st} reason {r!r}")
        collapsed = [m for m in msg if "geometry collapsed" in m]
        check(collapsed and all(rung[i] == 0 for i, m in enumerate(msg) if "geometry collapsed" in m),
              f"{ranks}: collapse attempts {collapsed} on rungs {rung}")
        print(f"collapse ({ranks} rank(s)): {dict(zip(names, reasons))}, {len(state_row)} attempts")


{"schema": case_schema, "collapse": case_collapse, "ladder": case_ladder, "report": case_report,
 "harmonic": case_harmonic, "ranks": case_ranks, "kill": case_kill,
 "sigterm": case_sigterm, "shard": case_shard}[case]()
print(f"check_run {case}: {len(failures)} failures")
sys.exit(1 if failures else 0)
