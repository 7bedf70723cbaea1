"""Reading ATEscreen results (HDF5) in Python with Debian's python3-h5py, python3-pandas and
python3-ase. Use /usr/bin/python3 on Debian machines.

    import atescreen
    df = atescreen.load("results.h5")          # /summary as a DataFrame, one row per candidate
    df.attrs["units"]                          # {"dG_OH": "eV", "U_L_ORR": "V", ...}
    df[["name", "status_label", "eta_OER"]]
    st = atescreen.states("results.h5")        # /states joined with candidate id and name
    a = atescreen.atoms("results.h5", "Fe-N4", "OH")   # ase.Atoms of the relaxed *OH state
    atescreen.to_extxyz("results.h5", "final.extxyz")  # every relaxed structure, one frame each
    atescreen.to_asedb("results.h5", "results.db")     # ase.db rows with the summary numbers

Layout: docs/hdf5-schema.md. Column tables are groups of 1-D datasets of equal length with units
in a `units` attribute; categorical integer columns are decoded with the tables under /labels/
into `<column>_label` string columns (the anomaly bitmask into `anomaly_flags`, comma-separated).
"""
import h5py
import numpy as np
import pandas as pd

__all__ = ["load", "units", "states", "attempts", "atoms", "to_extxyz", "to_asedb", "labels"]

STATE_NAMES = ("clean", "OH", "O", "OOH", "H")


def _str(x):
    return x.decode("utf-8") if isinstance(x, bytes) else str(x)


def _column(ds):
    data = ds[()]
    if data.dtype.kind in ("O", "S"):
        return np.array([_str(x) for x in data], dtype=object)
    return data


def labels(path):
    """{table: [label, ...]} of /labels (code = index); {} when the file has none."""
    with h5py.File(path, "r") as f:
        return _labels(f)


def _labels(f):
    if "labels" not in f:
        return {}
    return {k: [_str(x) for x in v[()]] for k, v in f["labels"].items()}


def _units(g):
    return {k: _str(v.attrs["units"]) for k, v in g.items()
            if isinstance(v, h5py.Dataset) and "units" in v.attrs}


def units(path, group="summary"):
    """{column: units} of a column table (columns without units are left out)."""
    with h5py.File(path, "r") as f:
        return _units(f[group])


def _decode(df, lab):
    """Adds <col>_label for categorical columns that have a label table, anomaly_flags for the
    anomaly bitmask."""
    for col in ("status", "state", "rung"):
        if col in df.columns and col in lab:
            names = lab[col]
            df[col + "_label"] = [names[c] if 0 <= c < len(names) else "" for c in df[col]]
    if "anomaly" in df.columns and "anomaly" in lab:
        bits = lab["anomaly"]
        df["anomaly_flags"] = [",".join(b for i, b in enumerate(bits) if int(m) >> i & 1)
                               for m in df["anomaly"]]
    return df


def _table(f, group, path):
    g = f[group]
    cols = {k: g[k] for k in g if isinstance(g[k], h5py.Dataset) and g[k].ndim == 1}
    lengths = {k: v.shape[0] for k, v in cols.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{path}:/{group}: columns have different lengths {lengths}")
    df = pd.DataFrame({k: _column(v) for k, v in cols.items()})
    df.attrs["units"] = _units(g)
    return df


def load(path, group="summary"):
    """The column table `group` (default /summary) as a DataFrame with decoded strings and label
    columns; the units are in df.attrs["units"] and the file's root attributes in
    df.attrs["file"]."""
    with h5py.File(path, "r") as f:
        df = _decode(_table(f, group, path), _labels(f))
        df.attrs["file"] = {k: (_str(v) if isinstance(v, (bytes, str)) else v)
                            for k, v in f.attrs.items()}
    return df


def states(path):
    """/states, one row per candidate and adsorbate state, with the candidate's `id` and `name`."""
    with h5py.File(path, "r") as f:
        df = _decode(_table(f, "states", path), _labels(f))
        ids = [_str(x) for x in f["summary/id"][()]]
        names = [_str(x) for x in f["summary/name"][()]]
    df.insert(0, "name", [names[r] for r in df["candidate_row"]])
    df.insert(0, "id", [ids[r] for r in df["candidate_row"]])
    return df


def attempts(path):
    """/attempts, every spin state and rescue-ladder attempt, with candidate id, name and state."""
    st = states(path)
    with h5py.File(path, "r") as f:
        df = _decode(_table(f, "attempts", path), _labels(f))
    for col in ("id", "name", "state_label"):
        df[col] = [st[col].iloc[r] for r in df["state_row"]]
    return df


def _candidate_row(f, candidate):
    ids = [_str(x) for x in f["summary/id"][()]]
    names = [_str(x) for x in f["summary/name"][()]]
    if isinstance(candidate, (int, np.integer)):
        if not 0 <= candidate < len(ids):
            raise IndexError(f"candidate row {candidate} not in 0..{len(ids) - 1}")
        return int(candidate)
    if candidate in ids:
        return ids.index(candidate)
    hits = [i for i, n in enumerate(names) if n == candidate]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise KeyError(f"name {candidate!r} is not unique ({len(hits)} candidates); use the id")
    raise KeyError(f"no candidate {candidate!r} (give a row, an id or a unique name)")


def _kernel(f):
    """The campaign's kernel ("gfn1" or "pw"): "method" of /provenance/parameters (JSON), else the
    root attribute "kernel", else "gfn1" (files without either)."""
    import json
    if "provenance/parameters" in f:
        try:
            method = json.loads(_str(f["provenance/parameters"][()][0])).get("method")
        except (ValueError, TypeError, AttributeError, IndexError):
            method = None
        if method:
            return str(method)
    return _str(f.attrs.get("kernel", "gfn1"))


# atoms.arrays name of /structures/charges per kernel (docs/hdf5-schema.md); "charges" in both
CHARGE_ARRAY = {"gfn1": "mulliken_charges", "pw": "hirshfeld_charges"}


def _atoms_of(f, s, kernel="gfn1"):
    """ase.Atoms of structure row s with tags, fixed atoms, charges, spins and the energy; the
    charges as atoms.arrays["charges"] and under the kernel's name (CHARGE_ARRAY)."""
    from ase import Atoms
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.constraints import FixAtoms

    g = f["structures"]
    a0, a1 = int(g["atom_offset"][s]), int(g["atom_offset"][s + 1])
    cell = g["cell"][s].reshape(3, 3)
    pbc = [bool(x) for x in g["pbc"][s]]
    at = Atoms(numbers=g["numbers"][a0:a1], positions=g["positions"][a0:a1],
               cell=cell if any(pbc) or np.any(cell) else None, pbc=pbc,
               tags=g["tags"][a0:a1])
    fixed = np.nonzero(g["fixed"][a0:a1])[0]
    if len(fixed):
        at.set_constraint(FixAtoms(indices=fixed))
    charges = g["charges"][a0:a1]
    if np.all(np.isfinite(charges)):
        q = np.asarray(charges, dtype=float)
        at.set_array("charges", q)
        at.set_array(CHARGE_ARRAY.get(kernel, "mulliken_charges"), q.copy())
        at.set_array("spins", np.asarray(g["spins"][a0:a1], dtype=float))
    energy = float(g["energy"][s])
    if np.isfinite(energy):
        at.calc = SinglePointCalculator(at, energy=energy)
    return at


def _structure_row(f, row, state, which, site):
    if state not in STATE_NAMES:
        raise KeyError(f"state {state!r} is not one of {', '.join(STATE_NAMES)}")
    if which not in ("initial", "final"):
        raise KeyError(f"which={which!r}: 'initial' or 'final'")
    st = f["states"]
    hit = (st["candidate_row"][()] == row) & (st["state"][()] == STATE_NAMES.index(state))
    sites = np.array([_str(x) for x in st["site"][()]], dtype=object)
    if site is not None:
        if not np.any(hit & (sites == site)):
            have = sorted(set(sites[hit]))
            raise KeyError(f"candidate row {row}, state {state}: no site {site!r} (has {have})")
        hit &= sites == site
    hit = np.nonzero(hit)[0]
    if len(hit) == 0:
        raise KeyError(f"candidate row {row} has no {state} state (failed before it)")
    e = st["E_total"][()][hit]
    k = hit[int(np.nanargmin(e))] if np.any(np.isfinite(e)) else hit[0]
    s = int(st["structure_" + which][k])
    if s < 0:
        raise KeyError(f"candidate row {row}, state {state}: no {which} structure stored")
    return s, sites[k]


def atoms(path, candidate, state="clean", which="final", site=None):
    """ase.Atoms of a candidate (row number, id or unique name) in a state ("clean", "OH", "O",
    "OOH", "H"), relaxed ("final") or as started ("initial"). Sites with two metals have one
    state per adsorption site ("top1", "top2", ...): `site` picks one, else the lowest-energy
    site is returned. Energies in eV through atoms.get_potential_energy(); tags 0 support,
    1 site metal, 2 adsorbate; atoms fixed during the relaxation carry a FixAtoms constraint;
    per-atom charges (final only) in atoms.arrays["charges"] and under the kernel's name:
    ["mulliken_charges"] for gfn1 (Mulliken), ["hirshfeld_charges"] for pw (Hirshfeld,
    docs/theory-pw.md), the kernel read from /provenance/parameters; spins in ["spins"] (gfn1:
    Mulliken spin populations, pw: moments in atomic spheres). atoms.info has candidate, name,
    state and site."""
    with h5py.File(path, "r") as f:
        row = _candidate_row(f, candidate)
        s, where = _structure_row(f, row, state, which, site)
        at = _atoms_of(f, s, _kernel(f))
        at.info.update({"candidate": _str(f["summary/id"][row]),
                        "name": _str(f["summary/name"][row]), "state": state, "site": where})
    return at


def _all_structures(path, which):
    kind = {"initial": 0, "final": 1}[which]
    with h5py.File(path, "r") as f:
        ids = [_str(x) for x in f["summary/id"][()]]
        names = [_str(x) for x in f["summary/name"][()]]
        st = f["states"]
        sites = [_str(x) for x in st["site"][()]]
        kernel = _kernel(f)
        for k, s in enumerate(st["structure_" + which][()]):
            if s < 0:
                continue
            at = _atoms_of(f, int(s), kernel)
            row = int(st["candidate_row"][k])
            at.info.update({"candidate": ids[row], "name": names[row],
                            "state": STATE_NAMES[int(st["state"][k])], "site": sites[k]})
            yield at


def to_extxyz(path, out, which="final"):
    """Writes every final (or initial) structure to one extxyz file, one frame each, with
    candidate, name, state, site and energy (eV) in the comment line, the charges as the
    kernel's column (mulliken_charges or hirshfeld_charges; not the "charges" alias, which ASE
    writes as its "charge" column and reads back as initial_charges) and spins. Returns the frame
    count."""
    from ase.io import write
    frames = list(_all_structures(path, which))
    for at in frames:
        if "charges" in at.arrays:
            del at.arrays["charges"]
    write(out, frames, format="extxyz")
    return len(frames)


def to_asedb(path, out, which="final"):
    """Writes every final (or initial) structure to an ase.db (SQLite or JSON by extension) with
    key-value pairs candidate, name, state, site, status and the candidate's summary numbers
    (dG_*, U_L_*, eta_*). Returns the row count."""
    from ase.db import connect
    df = load(path)
    keys = [c for c in df.columns if c.startswith(("dG_", "U_L_", "eta_"))]
    n = 0
    with connect(out, append=False) as db:
        for at in _all_structures(path, which):
            r = df.index[df["id"] == at.info["candidate"]][0]
            kv = {"candidate": at.info["candidate"], "name": at.info["name"],
                  "state": at.info["state"], "site": at.info["site"], "status": str(df.at[r, "status_label"])}
            for k in keys:
                v = float(df.at[r, k])
                if np.isfinite(v):
                    kv[k] = v
            db.write(at, key_value_pairs=kv)
            n += 1
    return n
