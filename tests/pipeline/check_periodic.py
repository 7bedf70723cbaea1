#!/usr/bin/python3
"""`atescreen run` on a periodic support (ctest pipeline_run_periodic): FeN4 in a 4x4 graphene
slab (pbc T T F, 15 Å vacuum) with a 2x2x1 k-mesh and *OH. The campaign finishes, results.h5
holds periodic structures, and the stored final energy of each state equals a fresh
`atescreen calc --kpts 2,2,1` on the stored structure (the pipeline used the campaign's k-mesh
and the full lattice sums), with the stored forces below settings.fmax; resuming with another
k-mesh is refused. Then settings.spin_polarized on a flake: the provenance says so and the stored
energies are the spin-polarised ones (a fresh `calc --spin-polarized` on the stored structures).

usage: check_periodic.py ATESCREEN SRC_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np

exe, src, work = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "src", "python"))
import atescreen  # noqa: E402
from ase.io import write  # noqa: E402

EV = 27.211386245988  # eV per hartree (CODATA 2018, src/include/atescreen/units.h)
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


os.makedirs(work, exist_ok=True)


def campaign(name, support, setting):
    """Write and run an FeN4 + *OH campaign; returns (yaml path, output directory)."""
    yaml = os.path.join(work, name + ".yaml")
    open(yaml, "w").write("name: %s\nsupport: %s\nmetals: [Fe]\nfamilies:\n  - symmetric: {}\n"
                          "adsorbates: [OH]\nsettings:\n  max_unpaired: 2\n  %s\n"
                          % (name, support, setting))
    out = os.path.join(work, name + "-out")
    shutil.rmtree(out, ignore_errors=True)
    p = subprocess.run([exe, "run", yaml, "-o", out], capture_output=True, text=True)
    check(p.returncode == 0, "%s: atescreen run exit %d: %s" % (name, p.returncode,
                                                                p.stderr[-500:]))
    return yaml, out


yaml, out = campaign("periodic-slab", "{type: graphene, supercell: [4, 4], vacuum: 15.0}",
                     "kpoints: [2, 2, 1]")
path = os.path.join(out, "results.h5")
if os.path.exists(path):
    df = atescreen.load(path)
    st = atescreen.states(path)
    check(len(df) == 1 and int(df["status"].iloc[0]) == 0, "one candidate, status ok")
    check(set(st["state_label"]) == {"clean", "OH"}, "states %s" % list(st["state_label"]))
    for _, row in st.iterrows():
        label = row["state_label"]
        atoms = atescreen.atoms(path, row["id"], label)
        check(list(atoms.pbc) == [True, True, False] and abs(atoms.cell[2][2] - 15.0) < 1e-9,
              "%s: slab cell %s pbc %s" % (label, atoms.cell.lengths(), list(atoms.pbc)))
        f = os.path.join(work, "state_%s.extxyz" % label)
        atoms.calc = None
        write(f, atoms, format="extxyz")
        r = subprocess.run([exe, "calc", f, "--method", "gfn1", "--kpts", "2,2,1", "--uhf",
                            str(int(row["uhf"])), "--gradient", "--json"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            check(False, "%s: calc failed: %s" % (label, r.stderr))
            continue
        js = json.loads(r.stdout)
        de = js["energy"] * EV - row["E_total"]
        check(abs(de) < 1e-5, "%s: stored E_total %.6f eV, fresh calc %.6f eV (%.1e)"
              % (label, row["E_total"], js["energy"] * EV, de))
        g = np.array(js["gradient"]) * EV / 0.529177210903  # eV/Å
        free = [i for i in range(len(atoms)) if not atoms.constraints or
                i not in atoms.constraints[0].get_indices()]
        fmax = np.abs(np.linalg.norm(g[free], axis=1)).max()
        check(fmax <= 0.05 + 1e-3, "%s: max force on free atoms %.4f eV/Å (fmax 0.05; stored %.4f)"
              % (label, fmax, row["fmax"]))
# the k-mesh is part of the settings: resuming with another one is refused
text = open(yaml).read().replace("kpoints: [2, 2, 1]", "kpoints: [3, 3, 1]")
open(yaml, "w").write(text)
p = subprocess.run([exe, "run", yaml, "-o", out], capture_output=True, text=True)
check(p.returncode == 2 and "different settings" in p.stderr,
      "resume with another k-mesh refused (exit %d: %s)" % (p.returncode, p.stderr.strip()[-200:]))

# spGFN1 in a campaign
yaml2, out2 = campaign("spin-flake", "{type: flake, flake_radius: 5.0}", "spin_polarized: true")
path2 = os.path.join(out2, "results.h5")
if os.path.exists(path2):
    import h5py
    with h5py.File(path2) as f:
        params = json.loads(f["provenance/parameters"][()][0])
    check(params.get("spin_polarized") is True, "provenance settings record spin_polarized")
    for _, row in atescreen.states(path2).iterrows():
        atoms = atescreen.atoms(path2, row["id"], row["state_label"])
        atoms.calc = None
        f = os.path.join(work, "spin_%s.extxyz" % row["state_label"])
        write(f, atoms, format="extxyz")
        r = subprocess.run([exe, "calc", f, "--method", "gfn1", "--spin-polarized", "--uhf",
                            str(int(row["uhf"])), "--json"], capture_output=True, text=True)
        js = json.loads(r.stdout)
        de = js["energy"] * EV - row["E_total"]
        check(abs(de) < 1e-5 and
              (js["energy_terms"]["spin_polarization"] < 0.0 or int(row["uhf"]) == 0),
              "%s uhf %d: stored %.6f eV = spin-polarised calc %.6f eV (%.1e)"
              % (row["state_label"], int(row["uhf"]), row["E_total"], js["energy"] * EV, de))
if failures:
    print("%d FAILED" % len(failures))
    sys.exit(1)
print("check_periodic: all passed")
