"""`atescreen run` end to end, the cases about what a campaign records (check_run.py CASE:
schema, ladder, report, harmonic, collapse; described in check_run.py)."""
import os
import re
import shutil
import subprocess

import h5py
import numpy as np

import atescreen
from run_common import campaign, check, check_che, check_schema, exe, run, work


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
