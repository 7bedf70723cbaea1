#!/usr/bin/python3
"""Convert one CP2K GTH pseudopotential entry into a norm-conserving UPF v2 file for Quantum ESPRESSO.

usage: /usr/bin/python3 benchmarks/peers/gth2upf.py SYMBOL NAME [-f GTH_POTENTIALS] [-o OUT]
       /usr/bin/python3 benchmarks/peers/gth2upf.py --selftest

The entry is looked up and parsed by tests/pw/gth2abinit.py (first entry whose header has SYMBOL
and NAME, case-blind; default file inputs/params/gth/GTH_POTENTIALS, the one ATEscreen reads).
Debian's QE 6.7 ships no GTH potentials and cannot read CP2K's format, so the analytic GTH forms
(C. Hartwigsen, S. Goedecker, J. Hutter, PRB 58, 3641 (1998), eqs. 1-3) are tabulated on a
logarithmic radial grid:

    V_loc(r) = -Z/r erf(r / (sqrt2 r_loc)) + exp(-x^2/2) (C1 + C2 x^2 + C3 x^4 + C4 x^6),  x = r/r_loc
    p_i^l(r) = sqrt2 r^(l + 2(i-1)) exp(-r^2 / 2 r_l^2) / (r_l^(l + (4i-1)/2) sqrt(Gamma(l + (4i-1)/2)))
    V_nl     = sum_l sum_ij sum_m |p_i^l Y_lm> h^l_ij <p_j^l Y_lm|

UPF conventions (QE's upflib, read_upf_new): energies in Rydberg, lengths in bohr;
PP_LOCAL = 2 V_loc(r); PP_BETA.k = r p_i^l(r) (one per (l, i), l ascending); PP_DIJ = 2 h^l_ij,
full symmetric nbeta x nbeta matrix, block-diagonal in l; PP_RHOATOM = 4 pi r^2 rho_at(r), here
NOT an atomic density (GTH entries have none) but the start guess ATEscreen uses,
Z_ion Gaussians of width s = r_loc + 0.5 bohr (kernels/pw/scf.c, atomic_density), so that QE starts
from the same density. No core correction, no atomic wavefunctions (QE then starts from random
wavefunctions, as ATEscreen does). Grid: r_i = exp(xmin + i dx) / zmesh, i = 0 .. mesh-1, with
xmin = -10, dx = 0.0125, zmesh = atomic number, up to r >= 60 bohr; rab = r dx.

The `functional` label: PBE for GTH-PBE; for GTH-PADE (LDA, Goedecker-Teter-Hutter Pade fit)
QE 6.7 has no equivalent functional (no libxc in Debian's build), it is labelled PZ and a
calculation with QE then differs from ATEscreen/ABINIT by the Teter-Pade vs Perdew-Zunger
difference (about 1e-4 Ha/atom); compare with PBE potentials.
"""
import argparse
import hashlib
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "pw"))
import gth2abinit  # noqa: E402  (CP2K GTH parser: read_gth_file, find_entry, ELEMENTS)

DEFAULT_GTH = os.path.join(ROOT, "inputs", "params", "gth", "GTH_POTENTIALS")
XMIN, DX, RMAX = -10.0, 0.0125, 60.0
FUNCTIONAL = {"GTH-PBE": "PBE", "GTH-PADE": "PZ", "GTH-LDA": "PZ"}


def grid(zatom):
    n = int(math.ceil((math.log(RMAX * zatom) - XMIN) / DX)) + 1
    n += 1 - n % 2  # odd: QE's Simpson rule uses all points then
    r = [math.exp(XMIN + i * DX) / zatom for i in range(n)]
    return r, [x * DX for x in r]


def vloc(entry, r):
    """GTH local potential (hartree) at r > 0."""
    z, rl = sum(entry["elec"]), float(entry["rloc"])
    c = [float(x) for x in entry["c"]] + [0.0] * 4
    x2 = (r / rl) ** 2
    return (-z / r * math.erf(r / (math.sqrt(2.0) * rl))
            + math.exp(-0.5 * x2) * (c[0] + c[1] * x2 + c[2] * x2 * x2 + c[3] * x2 * x2 * x2))


def proj(l, i, rl, r):
    """HGH projector p_i^l(r) (i = 1, 2, 3), normalised: int r^2 p^2 dr = 1."""
    e = l + (4 * i - 1) / 2.0
    return (math.sqrt(2.0) * r ** (l + 2 * (i - 1)) * math.exp(-0.5 * (r / rl) ** 2)
            / (rl ** e * math.sqrt(math.gamma(e))))


def block(name, values, attrs="", cols=4):
    head = f'    <{name} type="real" size="{len(values)}" columns="{cols}"{attrs}>'
    rows = ["    " + " ".join(f"{v:20.12E}" for v in values[k:k + cols]) for k in range(0, len(values), cols)]
    return "\n".join([head] + rows + [f"    </{name}>"])


def to_upf(entry, gth_path=DEFAULT_GTH):
    sym = entry["symbol"].capitalize()
    zatom = gth2abinit.ELEMENTS.index(sym) + 1
    zion = sum(entry["elec"])
    fam = entry["names"][0].upper().rsplit("-Q", 1)[0]
    if fam not in FUNCTIONAL:
        raise gth2abinit.GthError(f"no QE functional label for {fam}")
    r, rab = grid(zatom)
    mesh = len(r)
    betas = []  # (l, i, r_l)
    for l, (rl, n, h) in enumerate(entry["proj"]):
        for i in range(1, n + 1):
            betas.append((l, i, float(rl)))
    nb = len(betas)
    dij = [[0.0] * nb for _ in range(nb)]
    for a, (la, ia, _) in enumerate(betas):
        for b, (lb, ib, _) in enumerate(betas):
            if la == lb:
                h = entry["proj"][la][2]
                i, j = min(ia, ib) - 1, max(ia, ib) - 1
                dij[a][b] = 2.0 * float(h[i][j])  # hartree -> Ry
    lmax = max((l for l, _, _ in betas), default=-1)
    s = float(entry["rloc"]) + 0.5
    rho = [4.0 * math.pi * x * x * zion * (2.0 * math.pi * s * s) ** -1.5 * math.exp(-0.5 * x * x / (s * s))
           for x in r]
    with open(gth_path, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    src = os.path.relpath(os.path.abspath(gth_path), ROOT) if os.path.abspath(gth_path).startswith(ROOT) else gth_path
    info = [
        "Converted by ATEscreen benchmarks/peers/gth2upf.py from the CP2K GTH entry",
        f"'{' '.join([entry['symbol']] + entry['names'])}' at line {entry['line']} of {src}",
        f"(sha256 {sha}; CP2K 2023.1 data, see inputs/params/gth).",
        "Analytic forms of Hartwigsen, Goedecker, Hutter, PRB 58, 3641 (1998), eqs. 1-3, tabulated",
        f"on r_i = exp({XMIN} + i*{DX})/{zatom}. V_loc and D_ij in Ry (2 x hartree), PP_BETA = r p(r).",
        "No core correction. PP_RHOATOM is a start guess only (Gaussians of width r_loc + 0.5 bohr).",
        "CP2K numbers (hartree, bohr):",
        f"  Z_ion {zion}  r_loc {entry['rloc']}  C {' '.join(entry['c'])}",
    ]
    for l, (rl, n, h) in enumerate(entry["proj"]):
        info.append(f"  l={l}: r_l {rl}  h " + "; ".join(" ".join(x for x in row if x) for row in h))
    out = ['<UPF version="2.0.1">', "  <PP_INFO>"] + ["    " + x for x in info] + ["  </PP_INFO>"]
    out.append(f"""  <PP_HEADER
    generated="gth2upf.py (ATEscreen) from CP2K GTH_POTENTIALS"
    author="Goedecker, Teter, Hutter; Hartwigsen; Krack (CP2K)"
    date="2023"
    comment="{sym} {entry['names'][0]}"
    element="{sym:>2s}"
    pseudo_type="NC"
    relativistic="scalar"
    is_ultrasoft="F"
    is_paw="F"
    is_coulomb="F"
    has_so="F"
    has_wfc="F"
    has_gipaw="F"
    paw_as_gipaw="F"
    core_correction="F"
    functional="{FUNCTIONAL[fam]}"
    z_valence="{zion:.8f}"
    total_psenergy="0.0"
    wfc_cutoff="0.0"
    rho_cutoff="0.0"
    l_max="{lmax}"
    l_max_rho="{2 * max(lmax, 0)}"
    l_local="-1"
    mesh_size="{mesh}"
    number_of_wfc="0"
    number_of_proj="{nb}"/>""")
    out.append(f'  <PP_MESH dx="{DX:.8E}" mesh="{mesh}" xmin="{XMIN:.8E}" rmax="{r[-1]:.8E}" zmesh="{float(zatom):.8E}">')
    out.append(block("PP_R", r))
    out.append(block("PP_RAB", rab))
    out.append("  </PP_MESH>")
    out.append(block("PP_LOCAL", [2.0 * vloc(entry, x) for x in r]))
    out.append("  <PP_NONLOCAL>")
    for k, (l, i, rl) in enumerate(betas, 1):
        vals = [x * proj(l, i, rl, x) for x in r]
        # cutoff index: last point where |r p| exceeds 1e-14, made odd-count for Simpson
        cut = max(j for j, v in enumerate(vals) if abs(v) > 1e-14) + 2
        cut = min(cut + (1 - cut % 2), mesh)
        attrs = (f' index="{k}" label="{l}{i}" angular_momentum="{l}" cutoff_radius_index="{cut}" '
                 f'cutoff_radius="{r[cut - 1]:.8E}" ultrasoft_cutoff_radius="{r[cut - 1]:.8E}"')
        out.append(block(f"PP_BETA.{k}", vals, attrs))
    out.append(block("PP_DIJ", [dij[a][b] for a in range(nb) for b in range(nb)]))
    out.append("  </PP_NONLOCAL>")
    out.append("  <PP_PSWFC>\n  </PP_PSWFC>")
    out.append(block("PP_RHOATOM", rho))
    out.append("</UPF>")
    return "\n".join(out) + "\n"


def read_upf(text):
    """Arrays of a UPF written by to_upf (for the self-test): r, rab, local, betas [(l, values)], dij."""
    import re
    def arr(tag):
        m = re.search(rf"<{re.escape(tag)}\b[^>]*>(.*?)</{re.escape(tag)}>", text, re.S)
        return [float(x) for x in m.group(1).split()]
    nb = int(re.search(r'number_of_proj="(\d+)"', text).group(1))
    betas = []
    for k in range(1, nb + 1):
        head = re.search(rf'<PP_BETA\.{k}\b([^>]*)>', text).group(1)
        betas.append((int(re.search(r'angular_momentum="(\d+)"', head).group(1)), arr(f"PP_BETA.{k}"),
                      int(re.search(r'cutoff_radius_index="(\d+)"', head).group(1))))
    return {"r": arr("PP_R"), "rab": arr("PP_RAB"), "local": arr("PP_LOCAL"), "betas": betas,
            "dij": arr("PP_DIJ"), "rho": arr("PP_RHOATOM")}


def simpson(f, rab, n):
    """QE's rule (upflib simpsn): odd n, weights 1 4 2 4 ... 1 / 3."""
    s = 0.0
    for i in range(1, n - 1, 2):
        s += f[i - 1] * rab[i - 1] + 4.0 * f[i] * rab[i] + f[i + 1] * rab[i + 1]
    return s / 3.0


SELFTEST = (("Si", "GTH-PBE-q4"), ("C", "GTH-PBE-q4"), ("O", "GTH-PBE-q6"), ("H", "GTH-PBE-q1"),
            ("N", "GTH-PBE-q5"), ("Fe", "GTH-PBE-q16"), ("Si", "GTH-PADE-q4"))


def selftest(gth_path):
    """Checks on the written and re-read tables, with QE's own quadrature: every projector is
    normalised (int (r p)^2 dr = 1); the G = 0 integral int r^2 (V_loc + Z/r) 4 pi dr equals
    the analytic epsatm = 2 pi r_loc^2 Z + (2 pi)^(3/2) r_loc^3 (C1 + 3 C2 + 15 C3 + 105 C4)
    (the number ABINIT and ATEscreen use, tests/pw/make_refs.py); the start density holds Z_ion;
    D_ij = 2 h_ij. Returns (lines, ok)."""
    entries = gth2abinit.read_gth_file(gth_path)
    lines, ok = [], True
    for sym, name in SELFTEST:
        e = gth2abinit.find_entry(entries, sym, name)
        u = read_upf(to_upf(e, gth_path))
        r, rab, n = u["r"], u["rab"], len(u["r"])
        z = sum(e["elec"])
        norms = [simpson([v * v for v in b], rab, cut) for _, b, cut in u["betas"]]
        rl = float(e["rloc"])
        c = [float(x) for x in e["c"]] + [0.0] * 4
        eps = 2 * math.pi * rl ** 2 * z + (2 * math.pi) ** 1.5 * rl ** 3 * (c[0] + 3 * c[1] + 15 * c[2] + 105 * c[3])
        msh = next(i for i, x in enumerate(r) if x > 10.0)  # QE's rcut = 10 bohr
        msh += 1 - msh % 2
        eps_q = 4 * math.pi * simpson([x * (x * v / 2.0 + z) for x, v in zip(r, u["local"])], rab, msh)
        q = simpson(u["rho"], rab, n)
        hmax = 0.0
        k = 0
        for l, (rlp, nl, h) in enumerate(e["proj"]):
            for i in range(nl):
                for j in range(nl):
                    a, b = min(i, j), max(i, j)
                    hmax = max(hmax, abs(u["dij"][(k + i) * len(u["betas"]) + k + j] - 2 * float(h[a][b])))
            k += nl
        good = all(abs(x - 1) < 1e-10 for x in norms) and abs(eps_q - eps) < 1e-7 \
            and abs(q - z) < 1e-9 and hmax < 1e-10
        ok = ok and good
        lines.append(f"{sym} {name}: mesh {n}, |norm-1| max {max([abs(x - 1) for x in norms] or [0]):.1e}, "
                     f"epsatm {eps_q:.10f} vs analytic {eps:.10f} ({eps_q - eps:+.1e}), "
                     f"start charge {q:.10f} (Z {z}), |D-2h| {hmax:.0e}: {'ok' if good else 'FAILED'}")
    return lines, ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("symbol", nargs="?")
    ap.add_argument("name", nargs="?")
    ap.add_argument("-f", "--file", default=DEFAULT_GTH, help="CP2K GTH file")
    ap.add_argument("-o", "--out", help="output file (default stdout)")
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args(argv)
    try:
        if a.selftest:
            lines, ok = selftest(a.file)
            print("\n".join(lines))
            return 0 if ok else 1
        if not (a.symbol and a.name):
            ap.error("SYMBOL and NAME are required")
        text = to_upf(gth2abinit.find_entry(gth2abinit.read_gth_file(a.file), a.symbol, a.name), a.file)
    except gth2abinit.GthError as exc:
        print(f"gth2upf: {exc}", file=sys.stderr)
        return 2
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
