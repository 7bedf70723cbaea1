#!/usr/bin/python3
"""Convert the published GFN1-xTB and D3 parameter data into ATEscreen's tab-separated tables.

usage: /usr/bin/python3 inputs/params/convert.py [XTB_PARAM_FILE] [SPEC_MD] [DFTD3_DAT]
defaults: /usr/share/xtb/param_gfn1-xtb.txt (Debian xtb 6.5.1), ../shared/reference/gfn1-xtb.md
(Appendix B: per-element data compiled into xtb, not in its parameter file),
/usr/share/cp2k/dftd3.dat (Debian cp2k-data: Grimme's D3 reference C6 table).

Writes inputs/params/gfn1/{globals,pairs,elements,element_data}.tsv and inputs/params/d3/c6ref.tsv,
and prints the SHA-256 of every source for PROVENANCE.md. Values are copied digit for digit.
"""
import hashlib
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
src_param = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/xtb/param_gfn1-xtb.txt"
src_spec = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "../../../shared/reference/gfn1-xtb.md")
src_d3 = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/cp2k/dftd3.dat"


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# ---- xtb parameter file ------------------------------------------------------------------------
lines = open(src_param).read().splitlines()
group, globs, pairs, elements = None, {}, [], {}
for raw in lines:
    line = raw.strip()
    if not line:
        continue
    if line.startswith("$"):
        m = re.match(r"\$Z=\s*(\d+)", line)
        group = ("Z", int(m.group(1))) if m else line.split()[0]
        if m:
            elements[int(m.group(1))] = {}
        continue
    if group == "$globpar":
        k, v = line.split()[:2]
        globs[k] = v
    elif group == "$pairpar":
        a, b, k = line.split()[:3]
        pairs.append((int(a), int(b), k))
    elif isinstance(group, tuple):
        key, _, vals = line.partition("=")
        elements[group[1]][key.strip()] = vals.split()
keys = ["ao", "lev", "exp", "GAM", "GAM3", "CXB", "REPA", "REPB", "POLYS", "POLYP", "POLYD", "LPARP", "LPARD"]
out = os.path.join(here, "gfn1")
with open(os.path.join(out, "globals.tsv"), "w") as f:
    f.write("key\tvalue\n")
    for k, v in globs.items():
        f.write(f"{k}\t{v}\n")
with open(os.path.join(out, "pairs.tsv"), "w") as f:
    f.write("Z1\tZ2\tkpair\n")
    for a, b, k in pairs:
        f.write(f"{a}\t{b}\t{k}\n")
with open(os.path.join(out, "elements.tsv"), "w") as f:
    f.write("Z\t" + "\t".join(keys) + "\n")
    for z in range(1, 87):
        e = elements[z]
        row = [str(z)]
        for k in keys:
            v = e.get(k)
            row.append(",".join(v) if v else "-")
        f.write("\t".join(row) + "\n")

# ---- Appendix B of the specification -------------------------------------------------------------
spec = open(src_spec).read()
start = spec.index("## Appendix B.")
table = [l for l in spec[start:spec.index("## Appendix C.")].splitlines() if re.match(r"\|\s*\d+\s*\|", l)]
with open(os.path.join(out, "element_data.tsv"), "w") as f:
    f.write("Z\tsymbol\tzval\trefocc_s\trefocc_p\trefocc_d\tkind\ten\tr_atomic_A\tr_cov_d3_A\tr4r2\tdrow\n")
    for l in table:
        c = [x.strip() for x in l.strip("|").split("|")]
        s, p, d = c[3].split("/")
        f.write("\t".join([c[0], c[1], c[2], s, p, d, c[4], c[5], c[6], c[7], c[8], c[9]]) + "\n")
assert len(table) == 86, len(table)

# ---- STO-nG expansions (Appendix A: Stewart, J. Chem. Phys. 52, 431 (1970), with xtb's old 4s/4p
#      and its 6s/6p tables) ------------------------------------------------------------------------
appa = spec[spec.index("## Appendix A."):spec.index("## Appendix B.")]
with open(os.path.join(out, "sto.tsv"), "w") as f:
    f.write("ng\tshell\talpha\tcoeff\n")
    ng = None
    for l in appa.splitlines():
        m = re.match(r"### A\.\d STO-(\d)G", l)
        if m:
            ng = int(m.group(1))
            continue
        m = re.match(r"\|\s*(\d[spd])\s*\|([^|]+)\|([^|]+)\|", l)
        if m and ng:
            a = [x.strip() for x in m.group(2).split(",")]
            c = [x.strip() for x in m.group(3).split(",")]
            assert len(a) == ng and len(c) == ng, (l, ng)
            f.write(f"{ng}\t{m.group(1)}\t{','.join(a)}\t{','.join(c)}\n")

# ---- D3 reference C6 (Grimme's pars table as shipped by cp2k-data) -------------------------------
nums = open(src_d3).read().split()
n_total, n_rec = int(float(nums[0])), int(float(nums[1]))
vals = nums[2:]
assert len(vals) == 5 * n_rec, (len(vals), n_rec)
with open(os.path.join(here, "d3", "c6ref.tsv"), "w") as f:
    f.write("c6\tcode_i\tcode_j\tcn_i\tcn_j\n")
    for r in range(n_rec):
        f.write("\t".join(vals[5 * r:5 * r + 5]) + "\n")

for p in (src_param, src_spec, src_d3):
    print(f"{sha(p)}  {p}")
for p in ("gfn1/globals.tsv", "gfn1/pairs.tsv", "gfn1/elements.tsv", "gfn1/element_data.tsv", "gfn1/sto.tsv",
          "d3/c6ref.tsv"):
    print(f"{sha(os.path.join(here, p))}  inputs/params/{p}")
