#!/usr/bin/python3
"""ate_vib_harmonic / ate_vib_ideal_gas against ASE 3.22 (ase.thermochemistry.HarmonicThermo,
IdealGasThermo, run live on the same frequencies and geometries), and the ideal-gas H2O and H2
corrections against the tabulated set S1 of ../shared/reference/che-constants.md (whose numbers
come from the same model with experimental frequencies).

usage: check_vibthermo.py DRIVER"""
import subprocess
import sys

import numpy as np
from ase import Atoms
from ase.thermochemistry import HarmonicThermo, IdealGasThermo

drv = sys.argv[1]
INV_CM = 1.239841984e-4  # eV per cm^-1 (h c, CODATA 2018)
fails = []


def run(*args):
    out = subprocess.run([drv, *map(str, args)], capture_output=True, text=True, check=True).stdout
    z, cp, ts, nimag, nraised = out.split()
    return float(z), float(cp), float(ts), int(nimag), int(nraised)


def close(what, got, want, tol=1e-6):
    ok = abs(got - want) <= tol
    print(f"{what:40s} ATEscreen {got:12.7f}  ASE {want:12.7f}  {'ok' if ok else 'FAIL'}")
    if not ok:
        fails.append(what)


# harmonic adsorbate: *OOH-like mode set with soft modes, three temperatures
freqs = [3620.0, 1380.0, 1105.0, 710.0, 480.0, 395.0, 260.0, 180.0, 120.0, 64.0, 52.0, 2400.0]
for T in (150.0, 298.15, 600.0):
    z, cp, ts, ni, nr = run("harmonic", T, 0, *freqs)
    h = HarmonicThermo([f * INV_CM for f in freqs])
    zpe = h.get_ZPE_correction()
    u = h.get_internal_energy(T, verbose=False) - zpe
    s = h.get_entropy(T, verbose=False) * T
    close(f"harmonic T={T} ZPE", z, zpe)
    close(f"harmonic T={T} int Cv dT", cp, u)
    close(f"harmonic T={T} TS", ts, s)
# floor and imaginary modes: raised to 50 cm^-1 / left out
z, cp, ts, ni, nr = run("harmonic", 298.15, 50.0, 800.0, 30.0, -45.0, 12.0)
h = HarmonicThermo([f * INV_CM for f in (800.0, 50.0, 50.0)])
close("floor 50: TS", ts, h.get_entropy(298.15, verbose=False) * 298.15)
if (ni, nr) != (1, 2):
    fails.append(f"imaginary/raised counts {ni}/{nr}, expected 1/2")

# ideal gas: H2O (nonlinear, sigma 2) at 0.035 bar, H2 (linear, sigma 2) at 1 bar, CO2 (sigma 2)
cases = [
    ("H2O", Atoms("OH2", [[0, 0, 0.1193], [0, 0.7632, -0.4770], [0, -0.7632, -0.4770]]),
     [3756.0, 3657.0, 1595.0], 2, "nonlinear", 3534.0),
    ("H2", Atoms("H2", [[0, 0, 0], [0, 0, 0.7414]]), [4401.0], 2, "linear", 1e5),
    ("CO2", Atoms("CO2", [[0, 0, 0], [0, 0, 1.16], [0, 0, -1.16]]), [2349.0, 1333.0, 667.0, 667.0],
     2, "linear", 1e5),
]
T = 298.15
for name, at, vib, sigma, geom, p in cases:
    n = len(at)
    all_f = [0.3, -0.2, 0.1, 2.0, -1.5, 0.7][: 3 * n - len(vib)] + vib  # translations/rotations
    args = ["gas", T, p, sigma, n]
    for m, x in zip(at.get_masses(), at.positions):
        args += [m, *x]
    z, cp, ts, ni, nr = run(*args, *all_f)
    g = IdealGasThermo([f * INV_CM for f in vib], geometry=geom, atoms=at, symmetrynumber=sigma,
                       spin=0)
    zpe = 0.5 * sum(f * INV_CM for f in vib)
    h = g.get_enthalpy(T, verbose=False) - zpe
    s = g.get_entropy(T, p, verbose=False) * T
    close(f"{name} ideal gas ZPE", z, zpe)
    close(f"{name} ideal gas int Cp dT", cp, h)
    close(f"{name} ideal gas TS ({p:g} Pa)", ts, s)
    if name == "H2O":  # S1: 0.558, 0.103, 0.675 (ZPE from experiment-like frequencies)
        ok = abs(cp - 0.103) < 0.002 and abs(ts - 0.675) < 0.01
        print(f"H2O vs S1 table: cp {cp:.4f} (0.103), TS {ts:.4f} (0.675) {'ok' if ok else 'FAIL'}")
        if not ok:
            fails.append("H2O vs S1")
    if name == "H2":  # S1: 0.268, 0.0905, 0.408
        ok = abs(cp - 0.0905) < 0.002 and abs(ts - 0.408) < 0.01
        print(f"H2 vs S1 table: cp {cp:.4f} (0.0905), TS {ts:.4f} (0.408) {'ok' if ok else 'FAIL'}")
        if not ok:
            fails.append("H2 vs S1")

print("check_vibthermo:", "OK" if not fails else f"{len(fails)} failures: {fails}")
sys.exit(1 if fails else 0)
