"""Helpers shared by the end-to-end tests (check_run.py, tests/slurm/slurm_test.py): the numbers
of a results.h5 and the candidate records of a run directory's journals."""
import os
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


