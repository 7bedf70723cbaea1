"""Helpers shared by the end-to-end tests (check_run.py, check_pw.py, tests/slurm/slurm_test.py):
the numbers of a results.h5, its layout against docs/hdf5-schema.md and the candidate records of a
run directory's journals."""
import os
import re
import struct

import h5py
import numpy as np


def summary_numbers(path):
    """Every numeric /summary and /states column except timing and rank, as lists."""
    out = {}
    with h5py.File(path, "r") as f:
        for g in ("summary", "states"):
            for k, ds in f[g].items():
                if k in ("wall_s", "rank") or ds.dtype.kind not in "if":
                    continue
                out[f"{g}/{k}"] = ds[()].tolist()
        out["ids"] = [x.decode() for x in f["summary/id"][()]]
    return out


def same(a, b):
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.shape != y.shape:
            return False
        if x.dtype.kind == "f":
            if not np.array_equal(x, y, equal_nan=True):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def journal_keys(dirpath):
    """Keys of the complete records of every journal (format: src/io/journal.c)."""
    keys = []
    jd = os.path.join(dirpath, "journal")
    for name in sorted(os.listdir(jd)) if os.path.isdir(jd) else []:
        data = open(os.path.join(jd, name), "rb").read()
        pos = 8
        while pos + 20 <= len(data):
            magic, klen, plen, _ = struct.unpack_from("<IIIQ", data, pos)
            if magic != 0xA7E5C0DE or pos + 20 + klen + plen > len(data):
                break
            keys.append(data[pos + 20:pos + 20 + klen].decode())
            pos += 20 + klen + plen
    return [k for k in keys if not k.startswith("#")]


def schema_tables(md_path):
    """{group: [(column, type, units)]} of the results section of docs/hdf5-schema.md."""
    text = open(md_path).read()
    text = text[text.index("## `results.h5` of `atescreen run`"):]
    tables, group, heading = {}, None, None
    for line in text.splitlines():
        m = re.match(r"### `(/\w+/)`", line)
        if m:
            heading, group = m.group(1).strip("/"), None
            continue
        if heading and line.startswith("| column | type | units |"):
            group = heading
            tables[group] = []
            continue
        if group and line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for col in re.findall(r"`([^`]+)`", cells[0]):
                tables[group].append((col, cells[1], cells[2]))
        elif line.startswith("### "):
            group = None
    return tables


def schema_check(path, src, check, method="gfn1"):
    """results.h5 at path against the tables of SRC/docs/hdf5-schema.md (every documented column
    present with its type and units, equal lengths per group), the root attributes, /structures,
    /fit/scaling, /provenance; check(cond, msg) records each finding."""
    tables = schema_tables(os.path.join(src, "docs", "hdf5-schema.md"))
    check(set(tables) >= {"summary", "states", "attempts"}, f"schema tables {sorted(tables)}")
    with h5py.File(path, "r") as f:
        check(f.attrs["schema_name"] == "atescreen.results", "schema_name")
        check(f.attrs["schema_version"] == "1.2.0", "schema_version")
        for key in ("creator_version", "git_sha", "created_utc", "command_line", "kernel",
                    "campaign", "mpi_size"):
            check(key in f.attrs, f"root attribute {key}")
        for group, cols in tables.items():
            lengths = set()
            for col, typ, units in cols:
                name = f"/{group}/{col}"
                if name not in f:
                    check(False, f"{name} documented but missing")
                    continue
                ds = f[name]
                lengths.add(ds.shape[0])
                kind = {"str": "O", "i4": "i", "f8": "f"}[typ]
                check(ds.dtype.kind == kind or (kind == "O" and ds.dtype.kind in "OS"),
                      f"{name}: dtype {ds.dtype}, documented {typ}")
                got = ds.attrs.get("units")
                got = got.decode() if isinstance(got, bytes) else got
                check((got or "") == units, f"{name}: units {got!r}, documented {units!r}")
            check(len(lengths) <= 1, f"/{group}: columns of different lengths {lengths}")
        for g in ("atom_offset", "numbers", "positions", "tags", "fixed", "charges", "spins",
                  "cell", "pbc", "kind", "candidate_row", "state", "energy"):
            check(f"/structures/{g}" in f, f"/structures/{g} missing")
        off = f["/structures/atom_offset"][()]
        check(off[0] == 0 and off[-1] == f["/structures/numbers"].shape[0], "atom_offset ends")
        check(f["/structures/positions"].attrs["units"] == "Angstrom", "positions units")
        for a in ("slope", "intercept", "r2", "n"):
            check(a in f["/fit/scaling"].attrs, f"/fit/scaling {a}")
        for a in ("T_K", "pH", "U_RHE", "correction_set", "c_OH", "c_O", "c_OOH", "c_H"):
            check(a in f["/provenance/che"].attrs, f"/provenance/che {a}")
        check('"method": "%s"' % method in f["/provenance/parameters"][0].decode(),
              "parameters JSON names method %s" % method)
        check(b"name: " in f["/provenance/config"][0], "campaign YAML verbatim")
