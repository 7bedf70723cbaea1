#!/usr/bin/python3
"""End-to-end check of `atescreen sites` output with ASE (Debian python3-ase).

usage: check_sites_output.py DIR [--expect-families f1,f2,...] [--metals Mn,Fe,...]

For every file in DIR/index.json: ASE reads it; no two atoms closer than 0.9 Å (minimum image);
every site metal has its intended in-plane first-shell coordination (atoms within 2.3 Å in the
metal's plane, |dz| < 0.3 Å); the info keys name the candidate; tags are 0/1/2 with adsorbate
atoms tagged 2 exactly in adsorbate states; IDs are unique per candidate. Exits non-zero on the
first class of failure, printing every offending file.
"""
import json
import os
import sys

import numpy as np
from ase.io import read
from ase.geometry import get_distances

def main():
    d = sys.argv[1]
    want_fams = None
    want_metals = None
    args = sys.argv[2:]
    for k, a in enumerate(args):
        if a == "--expect-families":
            want_fams = set(args[k + 1].split(","))
        if a == "--metals":
            want_metals = set(args[k + 1].split(","))
    rows = json.load(open(os.path.join(d, "index.json")))
    bad = []
    seen_fams, seen_metals = set(), set()
    ids = {}
    for r in rows:
        path = os.path.join(d, r["file"])
        atoms = read(path)
        seen_fams.add(r["family"])
        seen_metals.update(r["metals"])
        if r["state"] == "clean":
            if r["id"] in ids:
                bad.append(f"{path}: duplicate id {r['id']}")
            ids[r["id"]] = r["name"]
        if atoms.info.get("ate_id") != r["id"]:
            bad.append(f"{path}: info ate_id {atoms.info.get('ate_id')} != {r['id']}")
        if len(atoms) != r["natoms"]:
            bad.append(f"{path}: {len(atoms)} atoms, index says {r['natoms']}")
        _, D = get_distances(atoms.positions, cell=atoms.cell, pbc=atoms.pbc)
        np.fill_diagonal(D, np.inf)
        if atoms.pbc.any():
            # an atom and its own periodic image
            lengths = [np.linalg.norm(v) for v, p in zip(atoms.cell, atoms.pbc) if p]
            if min(lengths) < 0.9:
                bad.append(f"{path}: cell vector shorter than 0.9 Å")
        i, j = np.unravel_index(np.argmin(D), D.shape)
        if D[i, j] < 0.9:
            bad.append(f"{path}: atoms {i} {atoms[i].symbol} and {j} {atoms[j].symbol} {D[i, j]:.3f} Å apart")
        tags = atoms.get_tags()
        nads = int((tags == 2).sum())
        if (r["state"] == "clean") != (nads == 0):
            bad.append(f"{path}: {nads} adsorbate-tagged atoms in state {r['state']}")
        metals = [k for k, a in enumerate(atoms) if a.symbol in r["metals"] and tags[k] == 1]
        if len(metals) < len(r["metals"]):
            bad.append(f"{path}: site metals {r['metals']} not all tagged 1")
            continue
        # the site metals are the first tagged-1 atoms of their elements, in index order
        for m, cn_want in zip(sorted(metals)[: len(r["first_shell_cn"])], r["first_shell_cn"]):
            dz = np.abs(atoms.positions[:, 2] - atoms.positions[m, 2])
            near = [k for k in range(len(atoms)) if k != m and D[m, k] < 2.3 and dz[k] < 0.3 and tags[k] != 2]
            if len(near) != cn_want:
                bad.append(f"{path}: metal {m} {atoms[m].symbol} has {len(near)} in-plane neighbours, intended {cn_want}")
    if want_fams is not None and not want_fams <= seen_fams:
        bad.append(f"families missing: {sorted(want_fams - seen_fams)} (seen {sorted(seen_fams)})")
    if want_metals is not None and not want_metals <= seen_metals:
        bad.append(f"metals missing: {sorted(want_metals - seen_metals)}")
    for b in bad:
        print("FAIL", b)
    print(f"{len(rows)} files, {len(ids)} candidates, families {sorted(seen_fams)}: "
          f"{'OK' if not bad else str(len(bad)) + ' problems'}")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
