#!/usr/bin/python3
"""atescreen.load() on the file test_h5 wrote: a DataFrame with decoded strings, units, root
attributes; the aborted second write left the 2-row file. usage: load_check.py SRC_PYTHON_DIR FILE"""
import sys

sys.path.insert(0, sys.argv[1])
import atescreen  # noqa: E402

df = atescreen.load(sys.argv[2])
fails = []
if len(df) != 2:
    fails.append(f"{len(df)} rows (the aborted write must not count)")
if list(df["id"]) != ["c0123456789abcdef", "c00000000000000ff"]:
    fails.append(f"ids {list(df['id'])}")
if list(df["name"]) != ["Fe-N4", "Co-N3S1"]:
    fails.append(f"names {list(df['name'])}")
if abs(df["dG_OH"][1] - 1.7855) > 1e-15 or df["status"].dtype.kind != "i":
    fails.append("numbers")
if df.attrs["units"] != {"dG_OH": "eV"}:
    fails.append(f"units {df.attrs['units']}")
if df.attrs["file"].get("program") != "ATEscreen" or df.attrs["file"].get("schema_version") != 1:
    fails.append(f"root attributes {df.attrs['file']}")
import h5py  # noqa: E402
import numpy as np  # noqa: E402

with h5py.File(sys.argv[2], "r") as h:
    pos, num = h["structures/positions"], h["structures/numbers"]
    if pos.compression != "gzip" or not pos.shuffle or pos.chunks is None:
        fails.append(f"positions not chunked+compressed: {pos.chunks} {pos.compression}")
    if num.compression != "gzip":
        fails.append("numbers not compressed")
    i = np.arange(20000)
    want = 0.001 * i[:, None] + np.arange(3)[None, :] / 3.0
    if not np.array_equal(pos[()], want) or not np.array_equal(num[()], 1 + i % 86):
        fails.append("compressed arrays do not read back exactly")
    if h["summary/dG_OH"].chunks is not None or h["summary/dG_OH"].compression is not None:
        fails.append("a small column was chunked")
for f in fails:
    print("FAIL", f)
print("load_check:", "OK" if not fails else f"{len(fails)} failures")
sys.exit(1 if fails else 0)
