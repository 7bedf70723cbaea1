"""`atescreen report results.h5`: ranking table and plots of a screening campaign (matplotlib).

Writes to the output directory (default: beside results.h5):
  volcano.png        limiting potentials U_L(ORR), U_L(OER) vs dG_OH with the scaling-line volcano
  scaling.png        dG_OOH and dG_O vs dG_OH with the least-squares lines
  fed/<name>.png     free-energy diagram (4e- ORR/OER) per candidate at U = 0 and U = 1.23 V
and prints the ranking table (sorted by --sort, default eta_OER) on stdout.

CHE conventions (docs/theory-che.md; Norskov et al., J. Phys. Chem. B 108, 17886 (2004)):
free energies vs H2O(l)/H2 on the RHE scale; the four steps of 2 H2O -> O2 + 4(H+ + e-) are
dG1 = dG_OH, dG2 = dG_O - dG_OH, dG3 = dG_OOH - dG_O, dG4 = 4.92 - dG_OOH (eV);
U_L(OER) = max(dG_i), U_L(ORR) = min(dG_i) (V), eta = |1.23 - U_L|.
"""
import argparse
import os
import re
import sys

import numpy as np

G_O2 = 4.92
U_EQ = 1.23

EXIT_OK, EXIT_USAGE = 0, 2  # as the atescreen CLI: 2 = bad input or usage


def _steps(oh, o, ooh):
    """The four OER step free energies (eV) at U = 0 (broadcasts over arrays)."""
    return np.stack([np.asarray(oh), np.asarray(o) - oh, np.asarray(ooh) - o, G_O2 - np.asarray(ooh)])


def _fit(x, y):
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        return None
    slope, icpt = np.polyfit(x[ok], y[ok], 1)
    return slope, icpt


def ranking(df, sort="eta_OER"):
    cols = ["name", "status_label", "dG_OH", "dG_O", "dG_OOH", "dG_H", "U_L_ORR", "eta_ORR",
            "pds_ORR", "U_L_OER", "eta_OER", "pds_OER", "eta_HER", "anomaly_flags"]
    cols = [c for c in cols if c in df.columns]
    if "U_L_ORR_tandem" in df.columns and np.isfinite(df["U_L_ORR_tandem"]).any():
        cols[cols.index("eta_ORR") + 1:cols.index("eta_ORR") + 1] = ["U_L_ORR_tandem"]
        cols.insert(cols.index("eta_OER") + 1, "U_L_OER_tandem")
    t = df[cols].copy()
    key = t[sort].astype(float) if sort in t.columns else None
    if key is not None:
        t = t.assign(_k=key.abs() if sort.startswith("eta") else key)
        t = t.sort_values("_k", na_position="last").drop(columns="_k")
    return t


def format_table(t):
    hdr = list(t.columns)
    rows = []
    for _, r in t.iterrows():
        out = []
        for c in hdr:
            v = r[c]
            if isinstance(v, (float, np.floating)):
                out.append("nan" if not np.isfinite(v) else f"{v:.3f}")
            else:
                out.append(str(v) if str(v) != "" else "-")
        rows.append(out)
    w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(hdr)]
    lines = ["  ".join(h.ljust(w[i]) for i, h in enumerate(hdr))]
    lines += ["  ".join(x.ljust(w[i]) for i, x in enumerate(r)) for r in rows]
    return "\n".join(lines)


def volcano(df, fit_ooh, fit_o, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = df["status_label"] != "failed"
    x = df["dG_OH"][ok].to_numpy(float)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    if fit_ooh and fit_o and np.isfinite(x).any():
        lo, hi = np.nanmin(x) - 0.5, np.nanmax(x) + 0.5
        xs = np.linspace(lo, hi, 400)
        st = _steps(xs, fit_o[0] * xs + fit_o[1], fit_ooh[0] * xs + fit_ooh[1])
        ax.plot(xs, st.min(axis=0), "-", color="tab:blue", lw=1.2, label="ORR volcano (scaling)")
        ax.plot(xs, st.max(axis=0), "-", color="tab:red", lw=1.2, label="OER volcano (scaling)")
    ax.axhline(U_EQ, color="grey", ls=":", lw=1, label="1.23 V")
    ax.scatter(x, df["U_L_ORR"][ok], marker="o", color="tab:blue", label="U_L(ORR)", zorder=3)
    ax.scatter(x, df["U_L_OER"][ok], marker="s", color="tab:red", label="U_L(OER)", zorder=3)
    for xi, y1, y2, n in zip(x, df["U_L_ORR"][ok], df["U_L_OER"][ok], df["name"][ok]):
        if np.isfinite(xi):
            ax.annotate(n, (xi, y1), fontsize=6, xytext=(2, 2), textcoords="offset points")
            ax.annotate(n, (xi, y2), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel(r"$\Delta G_{*OH}$ (eV)")
    ax.set_ylabel(r"limiting potential $U_L$ (V vs RHE)")
    ax.set_title("ORR/OER activity volcano")
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)


def scaling(df, fit_ooh, fit_o, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = df["status_label"] != "failed"
    x = df["dG_OH"][ok].to_numpy(float)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for col, fit, c, m in (("dG_OOH", fit_ooh, "tab:green", "o"), ("dG_O", fit_o, "tab:purple", "s")):
        y = df[col][ok].to_numpy(float)
        ax.scatter(x, y, color=c, marker=m, label=col, zorder=3)
        if fit:
            xs = np.linspace(np.nanmin(x) - 0.2, np.nanmax(x) + 0.2, 50)
            ax.plot(xs, fit[0] * xs + fit[1], color=c, lw=1,
                    label=f"{col} = {fit[0]:.2f} dG_OH + {fit[1]:.2f}")
    ax.set_xlabel(r"$\Delta G_{*OH}$ (eV)")
    ax.set_ylabel(r"$\Delta G$ (eV)")
    ax.set_title("Scaling relations")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=130)
    plt.close(fig)


def free_energy_diagram(row, out):
    """Levels of 2 H2O -> *OH -> *O -> *OOH -> O2 (read right to left for ORR) at U = 0 and
    U = 1.23 V: G_n(U) = G_n(0) - n e U with n the electrons transferred so far."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g0 = np.array([0.0, row["dG_OH"], row["dG_O"], row["dG_OOH"], G_O2])
    n = np.arange(5)
    labels = ["* + 2H2O", "*OH", "*O", "*OOH", "* + O2"]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for u, c in ((0.0, "k"), (U_EQ, "tab:orange")):
        g = g0 - n * u
        for i in range(5):
            ax.plot([i - 0.3, i + 0.3], [g[i], g[i]], color=c, lw=2.2,
                    label=f"U = {u:.2f} V" if i == 0 else None)
            if i < 4:
                ax.plot([i + 0.3, i + 0.7], [g[i], g[i + 1]], color=c, lw=0.8, ls="--")
    ax.set_xticks(range(5))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel(r"$\Delta G$ (eV)")
    ax.set_title(f"{row['name']} ({row['id']}): U_L(OER) {row['U_L_OER']:.2f} V, "
                 f"U_L(ORR) {row['U_L_ORR']:.2f} V", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(prog="atescreen report",
                                description="ranking table and plots of an ATEscreen results.h5")
    p.add_argument("results", help="results.h5 written by atescreen run")
    p.add_argument("-o", "--output", help="directory for the PNGs (default: beside the file)")
    p.add_argument("--sort", default="eta_OER",
                   help="ranking column (eta_* ascending by magnitude, others ascending)")
    p.add_argument("--no-plots", action="store_true", help="print the table only")
    a = p.parse_args(argv)

    if not os.path.isfile(a.results):
        print(f"atescreen report: {a.results}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        import h5py
        if not h5py.is_hdf5(a.results):
            print(f"atescreen report: {a.results}: not an HDF5 file", file=sys.stderr)
            return EXIT_USAGE
        from atescreen import load
        df = load(a.results)
        for col in ("id", "name", "dG_OH", "dG_O", "dG_OOH", "U_L_ORR", "U_L_OER", "status_label"):
            if col not in df.columns:
                raise KeyError(f"column /summary/{col} missing (not a results.h5 of atescreen run?)")
    except (OSError, KeyError, ValueError) as e:
        print(f"atescreen report: {a.results}: {e}", file=sys.stderr)
        return EXIT_USAGE
    if a.sort not in df.columns:
        print(f"atescreen report: --sort {a.sort}: no such column in /summary", file=sys.stderr)
        return EXIT_USAGE

    print(f"# {a.results}: {len(df)} candidates, "
          f"{int((df['status_label'] == 'done').sum())} done, "
          f"{int((df['status_label'] == 'anomalous').sum())} anomalous, "
          f"{int((df['status_label'] == 'failed').sum())} failed; sorted by {a.sort}")
    print(format_table(ranking(df, a.sort)))
    if a.no_plots:
        return EXIT_OK

    outdir = a.output or os.path.dirname(os.path.abspath(a.results))
    os.makedirs(os.path.join(outdir, "fed"), exist_ok=True)
    ok = (df["status_label"] != "failed").to_numpy()
    x = df["dG_OH"].to_numpy(float)[ok]
    fit_ooh = _fit(x, df["dG_OOH"].to_numpy(float)[ok])
    fit_o = _fit(x, df["dG_O"].to_numpy(float)[ok])
    volcano(df, fit_ooh, fit_o, os.path.join(outdir, "volcano.png"))
    scaling(df, fit_ooh, fit_o, os.path.join(outdir, "scaling.png"))
    nfed = 0
    for _, row in df[ok].iterrows():
        if not np.all(np.isfinite([row["dG_OH"], row["dG_O"], row["dG_OOH"]])):
            continue
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{row['name']}_{row['id']}")
        free_energy_diagram(row, os.path.join(outdir, "fed", safe + ".png"))
        nfed += 1
    print(f"# plots: {outdir}/volcano.png, {outdir}/scaling.png, {nfed} free-energy diagrams "
          f"in {outdir}/fed/", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
