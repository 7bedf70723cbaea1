"""Shared by the `atescreen run` end-to-end checks (check_run.py and its case modules
run_results.py, run_parallel.py): the command line (ATESCREEN SRC_DIR WORK_DIR CASE), the failure
list, tiny flake campaigns, running them, and the schema and CHE checks of a results.h5."""
import os
import subprocess
import sys

import h5py

exe, src, work, case = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "src", "python"))
from compare import schema_check  # noqa: E402

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
