#!/usr/bin/python3
"""Convert one CP2K GTH pseudopotential entry into an ABINIT pspcod=10 file.

usage: /usr/bin/python3 tests/pw/gth2abinit.py SYMBOL NAME [-f GTH_POTENTIALS] [-o OUT]
       /usr/bin/python3 tests/pw/gth2abinit.py --selftest

SYMBOL NAME is looked up like CP2K does: the first entry (from the top of the file) whose header line
has SYMBOL as its first word and NAME among its names (the potential name or any alias), both compared
without regard to case. Default file: inputs/params/gth/GTH_POTENTIALS of this repository.

The CP2K entry (file header of GTH_POTENTIALS):

    symbol  name  alias ...
    n_elec(s) n_elec(p) ...                      (zion = their sum)
    r_loc  nexp  C1 .. C_nexp
    nprj                                          (number of angular-momentum channels, l = 0 .. nprj-1)
    r_l  n_l  h_11 .. h_1n                        (then rows i = 2 .. n_l: h_ii .. h_in)

The ABINIT pspcod=10 file (read by psp10in in ABINIT's src/64_psp/m_psp_hgh.F90; list-directed reads,
so spacing is free, and what follows the numbers on a line is ignored):

    title
    zatom  zion  pspdat
    10  pspxc  lmax  lloc  mmax  r2well          (lmax = nnonloc - 1, -1 without projectors)
    rloc  nloc  C1 .. C_nloc
    nnonloc
    for l = 0 .. lmax:
      r_l  n_l  h_11 .. h_1n, then rows i = 2 .. n_l: h_ii .. h_in
      for l > 0 also n_l rows of the spin-orbit k matrix, same triangle (zero here: CP2K has none)

Both formats store the full upper triangle of h (not HGH's diagonal-only table), so the h numbers
are copied as they are. Every number is written with the digits of the CP2K file (no float
round trip). psp10in does not use lloc or mmax (written as 0 and 2001; r2well as 0); when
nnonloc != lmax+1 it prints a COMMENT and sets lmax to 1 (not to nnonloc-1), so lmax must be right. pspxc only
labels the functional the potential was fitted with: when it differs from the input's ixc
ABINIT writes a warning and carries on.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_GTH = os.path.join(HERE, "..", "..", "inputs", "params", "gth", "GTH_POTENTIALS")
ABINIT_PSP = "/usr/share/abinit/psp"

ELEMENTS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm "
    "Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr"
).split()

# pspxc per CP2K functional family (the name with its -qN suffix removed). ABINIT's native codes for
# the two it has (1: LDA Teter-Pade, 11: PBE), libxc codes -(X*1000 + C) for the others (libxc 5 ids).
PSPXC = {
    "GTH-PADE": 1, "GTH-LDA": 1,
    "GTH-PBE": 11,
    "GTH-BLYP": -106131,      # GGA_X_B88 + GGA_C_LYP
    "GTH-BP": -106132,        # GGA_X_B88 + GGA_C_P86
    "GTH-OLYP": -110131,      # GGA_X_OPTX + GGA_C_LYP
    "GTH-HCTH120": -162,      # GGA_XC_HCTH_120
    "GTH-HCTH407": -164,      # GGA_XC_HCTH_407
    "GTH-PBESOL": -116133,    # GGA_X_PBE_SOL + GGA_C_PBE_SOL
}
PSPDAT = 230101  # informational date field: CP2K 2023.1 data


class GthError(Exception):
    pass


def read_gth_file(path):
    """All entries of a CP2K GTH file, in file order. Each entry is a dict: symbol, names (header
    words after the symbol), line (1-based line of the header), elec (ints), rloc and c (number
    strings), proj: list over l of (r, n, h) with h[i][j] the upper triangle (strings, j >= i)."""
    entries, cur = [], None
    with open(path) as fh:
        for lineno, raw in enumerate(fh, 1):
            text = raw.split("#", 1)[0].split()
            if not text:
                continue
            if text[0][0].isalpha():
                cur = {"symbol": text[0], "names": text[1:], "line": lineno, "body": []}
                entries.append(cur)
            elif cur is None:
                raise GthError(f"{path}:{lineno}: data before the first header line")
            else:
                cur["body"].append((lineno, text))
    for e in entries:
        _parse_body(e, path)
    return entries


def _parse_body(e, path):
    body = e.pop("body")
    where = f"{path}:{e['line']} ({e['symbol']} {e['names'][0] if e['names'] else '?'})"
    if not body:
        raise GthError(f"{where}: empty entry")
    e["elec"] = [int(t) for t in body[0][1]]
    toks = [t for _, words in body[1:] for t in words]
    pos = 0

    def take():
        nonlocal pos
        if pos >= len(toks):
            raise GthError(f"{where}: entry ends early")
        pos += 1
        return toks[pos - 1]

    e["rloc"] = take()
    e["c"] = [take() for _ in range(int(take()))]
    e["proj"] = []
    for _ in range(int(take())):
        r, n = take(), int(take())
        h = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                h[i][j] = take()
        e["proj"].append((r, n, h))
    if pos != len(toks):
        raise GthError(f"{where}: {len(toks) - pos} unread words ({' '.join(toks[pos:pos + 4])} ...); "
                       "extensions such as NLCC are not supported")
    for t in [e["rloc"], *e["c"]] + [x for r, n, h in e["proj"] for x in [r] + [v for row in h for v in row if v]]:
        float(t)  # every number must parse


def find_entry(entries, symbol, name):
    """First entry with this element symbol and this name among its header names (case-blind)."""
    s, n = symbol.lower(), name.lower()
    for e in entries:
        if e["symbol"].lower() == s and n in (x.lower() for x in e["names"]):
            return e
    raise GthError(f"no entry '{symbol} {name}'")


def write_subset(gth_path, picks, out_path):
    """A GTH file with only the entries picks = [(symbol, name), ...], copied verbatim from
    gth_path: given to ATEscreen as --pseudo, it makes the kernel use exactly these entries."""
    lines = open(gth_path).read().splitlines()
    entries = read_gth_file(gth_path)
    out = []
    for sym, name in picks:
        e = find_entry(entries, sym, name)
        j = e["line"]  # the header's 0-based index + 1: the body starts there
        while j < len(lines) and not lines[j][:1].isalpha():
            j += 1
        out += lines[e["line"] - 1:j]
    with open(out_path, "w") as fh:
        fh.write("\n".join(out) + "\n")


def pspxc_of(entry):
    fam = entry["names"][0].upper().rsplit("-Q", 1)[0]
    if fam not in PSPXC:
        raise GthError(f"unknown functional family {fam} for {entry['symbol']} {entry['names'][0]}")
    return PSPXC[fam]


def to_abinit(entry, source="CP2K GTH_POTENTIALS"):
    """Text of the ABINIT pspcod=10 file for one parsed CP2K entry."""
    sym = entry["symbol"].capitalize()
    if sym not in ELEMENTS:
        raise GthError(f"unknown element {entry['symbol']}")
    zatom, zion = ELEMENTS.index(sym) + 1, sum(entry["elec"])
    nnl = len(entry["proj"])
    if len(entry["c"]) > 4:
        raise GthError("ABINIT reads at most 4 local coefficients")
    for l, (r, n, h) in enumerate(entry["proj"]):
        if n > (3, 3, 2, 1)[min(l, 3)] or l > 3:
            raise GthError(f"ABINIT pspcod=10 cannot take {n} projectors for l={l}")

    def row(nums, comment, lead=0):
        body = " " * (lead * 13) + "".join(f"{x:>13s}" for x in nums)
        return f"{body:<66s}  {comment}"

    out = [f"{sym} {entry['names'][0]} ({' '.join(entry['names'][1:])}) from {source}",
           row([str(zatom), str(zion), str(PSPDAT)], "zatom,zion,pspdat"),
           row(["10", str(pspxc_of(entry)), str(nnl - 1), "0", "2001", "0"],
               "pspcod,pspxc,lmax,lloc,mmax,r2well"),
           row([entry["rloc"], str(len(entry["c"])), *entry["c"]],
               "rloc nloc" + "".join(f" c{i + 1}" for i in range(len(entry["c"])))),
           row([str(nnl)], "nnonloc")]
    ch = "spdf"
    for l, (r, n, h) in enumerate(entry["proj"]):
        out.append(row([r, str(n), *h[0]] if n else [r, "0"],
                       f"r{ch[l]} n{ch[l]}" + "".join(f" h{ch[l]}1{j + 1}" for j in range(n))))
        for i in range(1, n):
            out.append(row(h[i][i:], "".join(f" h{ch[l]}{i + 1}{j + 1}" for j in range(i, n)).strip(), lead=i + 2))
        if l > 0:  # spin-orbit k_ij: CP2K's GTH file has none, ABINIT reads them for l > 0
            for i in range(n):
                out.append(row(["0.00000000"] * (n - i),
                               "".join(f" k{ch[l]}{i + 1}{j + 1}" for j in range(i, n)).strip(), lead=i + 2))
    return "\n".join(out) + "\n"


def read_abinit_psp10(text):
    """Numbers of a pspcod=10 file as ABINIT's psp10in reads them: dict with zatom, zion, pspxc,
    lmax, rloc, c, proj = [(r, n, h, k)] with h, k full upper triangles as floats (3x3, zero-padded)."""
    lines = text.splitlines()
    zatom, zion = (float(x) for x in lines[1].split()[:2])
    pspcod, pspxc, lmax = (int(x) for x in lines[2].split()[:3])
    if pspcod != 10:
        raise GthError(f"pspcod {pspcod}, not 10")
    it = iter(lines[3:])
    w = next(it).split()
    nloc = int(w[1])
    d = {"zatom": zatom, "zion": zion, "pspxc": pspxc, "lmax": lmax, "rloc": float(w[0]),
         "c": [float(x) for x in w[2:2 + nloc]], "proj": []}
    nnonloc = int(next(it).split()[0])
    if nnonloc != lmax + 1:
        raise GthError(f"nnonloc {nnonloc} != lmax+1 = {lmax + 1}: ABINIT would reset lmax to 1")
    for l in range(nnonloc):
        w = next(it).split()
        n = int(w[1])
        h = [[0.0] * 3 for _ in range(3)]
        k = [[0.0] * 3 for _ in range(3)]
        h[0][:n] = [float(x) for x in w[2:2 + n]]
        for i in range(1, n):
            h[i][i:n] = [float(x) for x in next(it).split()[:n - i]]
        if l > 0:
            for i in range(n):
                k[i][i:n] = [float(x) for x in next(it).split()[:n - i]]
        d["proj"].append((float(w[0]), n, h, k))
    return d


def compare_psp10(a, b):
    """Differences between two parsed pspcod=10 files: list of (what, value_a, value_b). Channels
    with n_l = 0 and channels whose h are all zero are equivalent (no projector contributes)."""
    diffs = []
    for key in ("zatom", "zion", "pspxc", "lmax", "rloc"):
        if a[key] != b[key]:
            diffs.append((key, a[key], b[key]))
    ca, cb = a["c"] + [0.0] * 4, b["c"] + [0.0] * 4
    for i in range(4):
        if ca[i] != cb[i]:
            diffs.append((f"c{i + 1}", ca[i], cb[i]))
    for l in range(max(len(a["proj"]), len(b["proj"]))):
        pa = a["proj"][l] if l < len(a["proj"]) else (0.0, 0, [[0.0] * 3] * 3, [[0.0] * 3] * 3)
        pb = b["proj"][l] if l < len(b["proj"]) else (0.0, 0, [[0.0] * 3] * 3, [[0.0] * 3] * 3)
        live = any(v for row in pa[2] + pb[2] for v in row)
        if live and pa[0] != pb[0]:
            diffs.append((f"r_l{l}", pa[0], pb[0]))
        for m, name in ((2, "h"), (3, "k")):
            for i in range(3):
                for j in range(i, 3):
                    if pa[m][i][j] != pb[m][i][j]:
                        diffs.append((f"{name}{i + 1}{j + 1} l={l}", pa[m][i][j], pb[m][i][j]))
    return diffs


# ABINIT's own pspcod=10 files in abinit-data and the CP2K entry each was made from.
SELFTEST = (("14Si_pade-q4", "Si", "GTH-PADE-q4"), ("C-q4", "C", "GTH-PADE-q4"),
            ("H-q1", "H", "GTH-PADE-q1"), ("B-q3", "B", "GTH-PBE-q3"))


def selftest(gth_path):
    """Convert the CP2K entries behind ABINIT's own pspcod=10 files and compare number by number.
    Returns (report lines, ok). ok means: every number ABINIT uses without spin-orbit (zatom, zion,
    pspxc, lmax, rloc, c_i, r_l, h_ij) is identical; k_ij differences are listed but allowed (CP2K
    stores none; ABINIT reads k only with spin-orbit, pspso != 0)."""
    entries = read_gth_file(gth_path)
    report, ok = [], True
    for fname, sym, name in SELFTEST:
        path = os.path.join(ABINIT_PSP, fname)
        if not os.path.exists(path):
            report.append(f"{fname}: not installed, skipped")
            continue
        ours = read_abinit_psp10(to_abinit(find_entry(entries, sym, name)))
        with open(path) as fh:
            theirs = read_abinit_psp10(fh.read())
        diffs = compare_psp10(ours, theirs)
        bad = [d for d in diffs if not d[0].startswith("k")]
        ok = ok and not bad
        status = "identical" if not diffs else ("identical except spin-orbit k" if not bad else "DIFFERENT")
        report.append(f"{fname} vs {sym} {name}: {status}"
                      + "".join(f"\n    {w}: ours {x!r}, ABINIT's {y!r}" for w, x, y in diffs))
    return report, ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("symbol", nargs="?")
    ap.add_argument("name", nargs="?")
    ap.add_argument("-f", "--file", default=DEFAULT_GTH, help="CP2K GTH file")
    ap.add_argument("-o", "--out", help="output file (default stdout)")
    ap.add_argument("--selftest", action="store_true", help="compare with ABINIT's own pspcod=10 files")
    args = ap.parse_args(argv)
    try:
        if args.selftest:
            report, ok = selftest(args.file)
            print("\n".join(report))
            return 0 if ok else 1
        if not (args.symbol and args.name):
            ap.error("SYMBOL and NAME are required")
        text = to_abinit(find_entry(read_gth_file(args.file), args.symbol, args.name))
    except GthError as exc:
        print(f"gth2abinit: {exc}", file=sys.stderr)
        return 2
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
