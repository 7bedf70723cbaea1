#!/usr/bin/python3
"""`atescreen sites` on bad campaigns: one exact error line (file:line:col: key path: message) and
exit status 2, and no output directory content from a failed run.

usage: cli_errors.py ATESCREEN_EXE WORKDIR
"""
import os
import subprocess
import sys

EXE, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
GOOD = "metals: [Fe]\nfamilies:\n  - symmetric: {}\n"
CASES = [
    ("missing.yaml", None, "{f}: cannot open the file: No such file or directory"),
    ("syntax.yaml", "metals: [Fe\nfamilies: []\n",
     "{f}:2:9: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence"),
    ("unknown_key.yaml", GOOD + "suport: {}\n",
     "{f}:4:1: unknown key 'suport' (allowed: name, support, metals, families, adsorbates, settings, thermo)"),
    ("element.yaml", "metals: [Fe, Xx]\nfamilies:\n  - symmetric: {}\n", "{f}:1:14: metals[1]: unknown element 'Xx'"),
    ("nonmetal.yaml", "metals: [N]\nfamilies:\n  - symmetric: {}\n", "{f}:1:10: metals[0]: 'N' is not a metal"),
    ("family.yaml", "metals: [Fe]\nfamilies:\n  - latteral: {dopants: [S]}\n",
     "{f}:3:5: families[0]: unknown key 'latteral' (allowed: symmetric, lateral, low_coordination, axial, "
     "dual_metal, cluster, vacancy, strain)"),
    ("type.yaml", "metals: [Fe]\nsupport: {supercell: [5, 5.5]}\nfamilies:\n  - symmetric: {}\n",
     "{f}:2:26: support.supercell[1]: expected an integer, got '5.5'"),
    ("separation.yaml", "metals: [Fe]\nfamilies:\n  - symmetric: {}\n  - dual_metal: {fused: false, separated: true, separations: [6.0]}\n",
     "{f}:4: families[1].dual_metal.separations: separated MN4 sites need a lattice translation of at least "
     "5.9 Å, but at most half the cell width (5.33 Å) fits this supercell; use a larger supercell"),
]


def run(path, out):
    r = subprocess.run([EXE, "sites", path, "-o", out], capture_output=True, text=True)
    # exactly one error line from ATEscreen; other lines (an MPI runtime's warnings) are not ours
    ours = [l for l in r.stderr.splitlines() if l.startswith("atescreen:")]
    return r.returncode, "\n".join(ours)


failures = 0
for name, text, want in CASES:
    path = os.path.join(WORK, name)
    if text is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        open(path, "w").write(text)
    out = os.path.join(WORK, name + ".out")
    code, err = run(path, out)
    expected = "atescreen: error: " + want.format(f=path)
    if code != 2 or err != expected:
        failures += 1
        print(f"FAIL {name}: exit {code}\n   got: {err}\n  want: {expected}")
    if os.path.exists(out) and os.listdir(out):
        failures += 1
        print(f"FAIL {name}: a failed run wrote files")
# usage errors
for args in (["sites"], ["sites", "x.yaml"], ["sites", "--bogus"], ["nosuchcommand"]):
    r = subprocess.run([EXE, *args], capture_output=True, text=True)
    if r.returncode != 2 or "usage:" not in r.stderr:
        failures += 1
        print(f"FAIL {args}: exit {r.returncode}, stderr {r.stderr!r}")
r = subprocess.run([EXE, "--version"], capture_output=True, text=True)
if r.returncode != 0 or not r.stdout.startswith("atescreen "):
    failures += 1
    print("FAIL --version")
print(f"cli_errors: {len(CASES)} campaign cases, {failures} failures")
sys.exit(1 if failures else 0)
