#!/usr/bin/python3
"""Spin-state energetics of GFN1-xTB with and without the spin-polarisation term (spGFN1), for
docs/validation.md ("Spin-polarised GFN1-xTB: physical checks"). Single points at fixed
geometries (the regression/test structures; CH2 at the experimental triplet and singlet
geometries), each spin state at the same geometry except CH2. Prints a table; no pass/fail (the
method's answer is reported even where it disagrees with PBE).

usage: /usr/bin/python3 tests/xtb/spin/physical_checks.py [ATESCREEN_EXE]
"""
import json
import math
import os
import subprocess
import sys

EXE = sys.argv[1] if len(sys.argv) > 1 else "build/atescreen"
HERE = os.path.dirname(os.path.abspath(__file__))
XTB = os.path.dirname(HERE)
EV = 27.211386245988
WORK = "/tmp/ate_spin_physical"
os.makedirs(WORK, exist_ok=True)


def calc(path, uhf, charge=0, spin=True):
    args = [EXE, "calc", path, "--method", "gfn1", "--json", "--uhf", str(uhf), "--charge",
            str(charge)] + (["--spin-polarized"] if spin else [])
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return float("nan")
    return json.loads(r.stdout)["energy"]


def ch2(path, r, angle):
    h = math.radians(angle / 2)
    with open(path, "w") as f:
        f.write("3\n\nC 0 0 0\nH %.6f %.6f 0\nH %.6f %.6f 0\n"
                % (r * math.sin(h), r * math.cos(h), -r * math.sin(h), r * math.cos(h)))
    return path


mol = lambda n: os.path.join(XTB, "molecules", n + ".xyz")  # noqa: E731
cell = lambda n: os.path.join(XTB, "periodic", n + ".gen")  # noqa: E731
trip = ch2(os.path.join(WORK, "ch2_t.xyz"), 1.078, 136.0)  # Jensen & Bunker, JCP 89, 1327 (1988)
sing = ch2(os.path.join(WORK, "ch2_s.xyz"), 1.107, 102.4)  # Petek et al., JCP 91, 6566 (1989)
systems = [
    ("O2 (1.246 Å)", [(mol("o2_triplet"), 2, 0, "triplet"), (mol("o2_triplet"), 0, 0, "singlet")],
     "triplet"),
    ("CH2 (own geometries)", [(trip, 2, 0, "triplet"), (sing, 0, 0, "singlet")], "triplet"),
    ("[Fe(H2O)6]2+", [(mol("feh2o6"), 4, 2, "quintet"), (mol("feh2o6"), 2, 2, "triplet"),
                      (mol("feh2o6"), 0, 2, "singlet")], "quintet"),
    ("FeN4 flake", [(mol("fen4_flake"), 0, 0, "S=0"), (mol("fen4_flake"), 2, 0, "S=1"),
                    (mol("fen4_flake"), 4, 0, "S=2")], "S=1"),
    ("FeN4-OH flake", [(mol("fen4_flake_oh"), 1, 0, "S=1/2"), (mol("fen4_flake_oh"), 3, 0,
                                                                "S=3/2")], "S=1/2"),
    ("FeN4@graphene 4x4", [(cell("fen4_g4"), 0, 0, "S=0"), (cell("fen4_g4"), 2, 0, "S=1"),
                           (cell("fen4_g4"), 4, 0, "S=2")], "S=1"),
    ("FeN4-OH@graphene 4x4", [(cell("fen4oh_g4"), 1, 0, "S=1/2"), (cell("fen4oh_g4"), 3, 0,
                                                                   "S=3/2")], "S=1/2"),
]
print("| system | state | GFN1 (eV, rel.) | spGFN1 (eV, rel.) | reference ground state |")
print("|---|---|---:|---:|---|")
for name, states, ref in systems:
    e0 = [calc(p, u, c, spin=False) for p, u, c, _ in states]
    e1 = [calc(p, u, c, spin=True) for p, u, c, _ in states]
    m0, m1 = min(e0), min(e1)
    for k, (_, _, _, label) in enumerate(states):
        print("| %s | %s | %+.3f%s | %+.3f%s | %s |"
              % (name if k == 0 else "", label, (e0[k] - m0) * EV, " *" if e0[k] == m0 else "",
                 (e1[k] - m1) * EV, " *" if e1[k] == m1 else "", ref if k == 0 else ""))
