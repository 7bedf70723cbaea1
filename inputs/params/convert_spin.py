#!/usr/bin/python3
"""Extract the spin-polarisation constants W of spGFN-xTB from tblite into
inputs/params/gfn1/spin.tsv: Z, symbol, W_ss, W_sp, W_pp, W_sd, W_pd, W_dd (hartree).

Method: Neugebauer, Baedorf, Ehlert, Hansen, Grimme, J. Comput. Chem. 44, 2120 (2023)
("High-throughput screening of spin states for transition metal complexes with spin-polarized
extended tight-binding methods"); implementation and table: tblite (https://github.com/tblite/tblite,
formerly grimme-lab/tblite), file src/tblite/data/spin.f90, array spin_constants(6, 86).

usage: /usr/bin/python3 inputs/params/convert_spin.py SPIN_F90 [OUT_TSV]
where SPIN_F90 is src/tblite/data/spin.f90 of tblite, e.g. from a clone:
  git show a998e6405e695d989998b318750733f1562c026f:src/tblite/data/spin.f90 > spin.f90
(that commit, and every later one up to 91756528e336b3b679dd1a4fd7528603719f760e, has the
same file, SHA-256 2833e0636ae0148d6ffde82b39b7bdf83f7f8034ff08b26b6e90ffd27466e34e).
OUT_TSV defaults to gfn1/spin.tsv next to this script.

The table is tblite's single spin-constant table; tblite uses it for GFN1 and GFN2 alike.
Values are copied digit for digit (already in hartree, no conversion). The SHA-256 of the source
and of the table are printed for PROVENANCE.md. As a check, the script also reads
gfn1/elements.tsv (the GFN1 `ao` strings) and lists the GFN1 shells whose W block is zero."""
import hashlib
import os
import re
import sys

SYMBOLS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn "
    "Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce "
    "Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn"
).split()
COLUMNS = ("W_ss", "W_sp", "W_pp", "W_sd", "W_pd", "W_dd")
# index into COLUMNS for a pair of angular momenta (0 = s, 1 = p, 2 = d), symmetric
PAIR = {(0, 0): 0, (0, 1): 1, (1, 1): 2, (0, 2): 3, (1, 2): 4, (2, 2): 5}

src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "gfn1", "spin.tsv")
text = open(src).read()

# layout checks: the column order is stated in a comment after the declaration, and the
# (l, l') -> column map lidx must be the one assumed here
m = re.search(r"real\(wp\), parameter :: spin_constants\(6, 86\) = reshape\(\[&\s*!\s*([^\n]*)\n(.*?)\]\s*,\s*&?\s*shape\(spin_constants\)\)",
              text, re.S)
if not m:
    sys.exit("spin_constants(6, 86) block not found")
if [c.strip() for c in m.group(1).split(",")] != ["ss", "sp", "pp", "sd", "pd", "dd"]:
    sys.exit("unexpected column comment: " + m.group(1))
lidx = re.search(r"lidx\(0:2, 0:2\) = reshape\(&[^\n]*\n\s*&\s*\[([^\]]*)\]", text)
if not lidx or [int(v) for v in lidx.group(1).replace(" ", "").split(",")] != [1, 2, 4, 2, 3, 5, 4, 5, 6]:
    sys.exit("unexpected lidx map")
vals = re.findall(r"(-?\d+\.\d+)_wp", m.group(2))
if len(vals) != 6 * 86:
    sys.exit(f"{len(vals)} values, expected {6 * 86}")
rows = [vals[6 * i:6 * i + 6] for i in range(86)]

with open(out, "w") as f:
    f.write("# spGFN-xTB spin constants W (hartree) from tblite src/tblite/data/spin.f90 (array spin_constants(6, 86)),\n")
    f.write("# see PROVENANCE.md. Columns: W_ss W_sp W_pp W_sd W_pd W_dd = W for a pair of shells with angular momenta\n")
    f.write("# (s,s) (s,p) (p,p) (s,d) (p,d) (d,d) on the same atom; symmetric (W_ps = W_sp ...). The shell-pair matrix of an atom\n")
    f.write("# is W_{A,ij} = column(l_i, l_j) for every pair of its shells i, j (also i = j, and two shells of equal l such as\n")
    f.write("# GFN1 H 1s/2s: all four entries W_ss). Principal quantum number and valence/polarisation status are ignored.\n")
    f.write("Z\tsymbol\t" + "\t".join(COLUMNS) + "\n")
    for z, row in enumerate(rows, start=1):
        f.write(f"{z}\t{SYMBOLS[z - 1]}\t" + "\t".join(row) + "\n")

# cross-check against GFN1's shells
elements = os.path.join(here, "gfn1", "elements.tsv")
if os.path.exists(elements):
    lmap = {"s": 0, "p": 1, "d": 2}
    with open(elements) as f:
        header = f.readline().rstrip("\n").split("\t")
        iz, iao = header.index("Z"), header.index("ao")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            z, ao = int(cols[iz]), cols[iao]
            ls = [lmap[c] for c in re.findall(r"\d([spd])", ao)]
            zero = sorted({COLUMNS[PAIR[tuple(sorted((a, b)))]] for a in ls for b in ls
                           if float(rows[z - 1][PAIR[tuple(sorted((a, b)))]]) == 0.0})
            if zero:
                print(f"note: Z={z} {SYMBOLS[z - 1]} GFN1 shells {ao}: zero {','.join(zero)}")
for path in (src, out):
    print(hashlib.sha256(open(path, "rb").read()).hexdigest(), path)
