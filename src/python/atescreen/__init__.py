"""Reading ATEscreen results (HDF5) in Python: h5py + pandas from Debian (python3-h5py,
python3-pandas). Use /usr/bin/python3 on Debian machines.

    import atescreen
    df = atescreen.load("results.h5")      # the /summary table as a pandas DataFrame
    df.attrs["units"]                      # {"dG_OH": "eV", "U_L_ORR": "V", ...}

Layout (docs/hdf5-schema.md): /summary/<column> 1-D datasets, one row per candidate, units in
each dataset's `units` attribute, strings as UTF-8.
"""
import h5py
import numpy as np
import pandas as pd

__all__ = ["load", "units"]


def _column(ds):
    data = ds[()]
    if data.dtype.kind in ("O", "S"):
        return np.array([x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in data], dtype=object)
    return data


def units(path, group="summary"):
    """{column: units} of a column table (columns without units are left out)."""
    with h5py.File(path, "r") as f:
        return {k: (v.attrs["units"].decode() if isinstance(v.attrs["units"], bytes) else v.attrs["units"])
                for k, v in f[group].items() if "units" in v.attrs}


def load(path, group="summary"):
    """The column table `group` (default /summary) as a DataFrame with decoded strings; the units
    are in df.attrs["units"] and the file's root attributes in df.attrs["file"]."""
    with h5py.File(path, "r") as f:
        g = f[group]
        lengths = {k: g[k].shape[0] for k in g}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{path}:/{group}: columns have different lengths {lengths}")
        df = pd.DataFrame({k: _column(g[k]) for k in g})
        root = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    df.attrs["units"] = units(path, group)
    df.attrs["file"] = root
    return df
