#!/usr/bin/python3
"""Extract the EEQ charge-model parameters that xtb 6.5.1 uses for its GFN1-xTB initial guess
(subroutine new_charge_model_2019 of src/charge_model.f90; the D4 EEQ model: Caldeweyher,
Ehlert, Hansen, Neugebauer, Spicher, Bannwarth, Grimme, J. Chem. Phys. 150, 154122 (2019))
into inputs/params/gfn1/eeq2019.tsv: Z, chi (EN), gam (J), kappa (kcn), alpha (Gaussian radius).

usage: /usr/bin/python3 inputs/params/convert_eeq.py CHARGE_MODEL_F90
where CHARGE_MODEL_F90 is src/charge_model.f90 of xtb at tag v6.5.1 (e.g. from a clone of
https://github.com/grimme-lab/xtb: git show v6.5.1:src/charge_model.f90 > charge_model.f90).
Values are copied digit for digit; the SHA-256 of the source and of the table are printed for
PROVENANCE.md."""
import hashlib
import os
import re
import sys

src = sys.argv[1]
text = open(src).read()
start = text.index("subroutine new_charge_model_2019")
body = text[start:text.index("end subroutine new_charge_model_2019")]
arrays = {}
for name in ("en", "gam", "kappa", "alpha"):
    m = re.search(r"real\(wp\),parameter :: " + name + r"\(max_elem\) = \(/(.*?)/\)", body, re.S)
    vals = re.findall(r"-?\d+\.\d+", m.group(1))
    if len(vals) != 86:
        sys.exit(f"{name}: {len(vals)} values, expected 86")
    arrays[name] = vals
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gfn1", "eeq2019.tsv")
with open(out, "w") as f:
    f.write("Z\tchi\tgam\tkappa\talpha\n")
    for z in range(86):
        f.write(f"{z + 1}\t" + "\t".join(arrays[k][z] for k in ("en", "gam", "kappa", "alpha")) + "\n")
for path in (src, out):
    print(hashlib.sha256(open(path, "rb").read()).hexdigest(), path)
