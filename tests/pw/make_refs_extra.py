#!/usr/bin/python3
"""make_refs.py --spheres / --pdos / --hirshfeld: ABINIT quantities added to references already
made (electrons per spin in spheres, l weights of the bands, cut3d's Hirshfeld charges). Split out
of make_refs.py, whose main() calls add_spheres, add_pdos and add_hirshfeld from here."""
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_refs import ENV, HERE, ROOT, kept_on_failure, run_abinit, sha256, write_ref  # noqa: E402


# Electrons per spin in spheres around the atoms (ABINIT prtdensph 1, ratsph R, ratsm 0: the
# rectangle rule on the FFT grid, no smoothing of the sphere surface) for cases already made:
# `make_refs.py --spheres [NAME ...]` runs the case's stored input again with those variables
# (they do not change the SCF) and adds results.spheres to its JSON, leaving every other number
# as it was (the run's etotal must equal the stored one). Radii, bohr: O2 1.3 (the spheres
# overlap a little at 2.29 bohr, as in the first look at this), bcc Fe 2.0.
SPHERES = {"o2_pbe_triplet": 1.3, "fe_bcc_pbe_fd002": 2.0, "h2_stretched_pbe_afm": 1.5}


def parse_spheres(abo, natom):
    """The last 'Integrated electronic and magnetization densities in atomic spheres' table."""
    start = abo.rfind("Integrated electronic and magnetization densities in atomic spheres")
    if start < 0:
        raise RuntimeError("no atomic-sphere table in the output")
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", abo[start:], re.M)
    rows = [r for r in rows if r[0].isdigit()][:natom]
    if len(rows) != natom:
        raise RuntimeError("atomic-sphere table: expected %d rows" % natom)
    return [{"atom": int(r[0]), "radius": float(r[1]), "up": float(r[2]), "down": float(r[3]),
             "total": float(r[4]), "diff": float(r[5])} for r in rows]


def add_spheres(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    radius = SPHERES[name]
    natom = len(ref["structure"]["symbols"])
    with kept_on_failure(f"ate_pw_sph_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        text = ref["abinit_input"] + f"prtdensph 1  ratsph {radius!r}  ratsm 0.0\n"
        abo, log, dt, cpu = run_abinit(work, text)
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    rows = parse_spheres(abo, natom)
    ref["results"]["spheres"] = {
        "abinit_variables": f"prtdensph 1  ratsph {radius!r}  ratsm 0.0",
        "ratsph_bohr": radius,
        "definition": "electrons of each spin within ratsph of the atom: (Omega/N) sum of rho_s over the FFT "
                      "grid points r with |r - R_atom - T|^2 < 1.0000001 ratsph^2 (any lattice vector T); "
                      "values as printed by ABINIT (6 decimals)",
        "up": [r["up"] for r in rows], "down": [r["down"] for r in rows],
        "moment": [r["diff"] for r in rows],
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    print(f"{name}: spheres r = {radius} bohr: up {ref['results']['spheres']['up']} down "
          f"{ref['results']['spheres']['down']} ({dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)


# Angular-momentum weights of every band in spheres around atoms (ABINIT prtdos 3, norm-conserving
# case: m_epjdos.F90 partial_dos_fractions, the Rayleigh expansion of the plane waves integrated to
# ratsph) for cases already made: `make_refs.py --pdos [NAME ...]` runs the case's stored input
# again with prtdos 3, natsph, iatsph, ratsph (they do not change the SCF: the run's etotal must
# equal the stored one) and adds results.pdos to its JSON: the "dos_fractions" of ABINIT's
# FATBANDS.nc (full double precision, per atom, l = 0..4, spin, k-point, band), not a broadened
# DOS. prtdos 3 needs nkpt >= 2 (m_chkinp.F90): a Gamma-only case is run with Gamma twice
# (kptopt 0, nkpt 2, wtk 0.5 0.5: the same density and bands) and the two copies must agree.
# Value: [radius (bohr), atoms (0-based; None: all)].
PDOS = {"fe2_bcc_pbe_distorted": [2.0, None], "fe_bcc_pbe_fd002": [2.0, None],
        "fen4oh_pbe": [2.0, ["Fe"]]}


def add_pdos(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    radius, only = PDOS[name]
    symbols = ref["structure"]["symbols"]
    atoms = [i for i, s in enumerate(symbols) if only is None or s in only]
    ntypat = len(ref["pseudopotentials"])
    text = ref["abinit_input"]
    gamma_twice = ref["settings"]["ngkpt"] == [1, 1, 1] and ref["settings"]["shiftk"] == [0.0, 0.0, 0.0]
    if gamma_twice:
        text, n = re.subn(r"kptopt 2  nsym 1  chkprim 0\nngkpt [^\n]*\n",
                          "kptopt 0  nsym 1  chkprim 0\nnkpt 2  kpt 0 0 0  0 0 0  wtk 0.5 0.5\n", text)
        if n != 1:
            raise RuntimeError(f"{name}: k-point lines not found")
    variables = (f"prtdos 3  natsph {len(atoms)}  iatsph {' '.join(str(a + 1) for a in atoms)}  "
                 f"ratsph {' '.join([repr(radius)] * ntypat)}")
    with kept_on_failure(f"ate_pw_pdos_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        abo, log, dt, cpu = run_abinit(work, text + variables + "\n")
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
        with h5py.File(os.path.join(work, "runo_FATBANDS.nc"), "r") as g:
            frac = np.array(g["dos_fractions"][()])  # [natsph * mbesslang][nsppol][mband][nkpt]
            eig = np.array(g["eigenvalues"][()])  # [nsppol][nkpt][mband]
            mbesslang = int(g["mbesslang"].shape[0])
            iatsph = [int(i) for i in g["iatsph"][()]]
            ratsph = [float(r) for r in g["ratsph"][()]]
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    if iatsph != [a + 1 for a in atoms] or any(r != radius for r in ratsph):
        raise RuntimeError(f"{name}: FATBANDS.nc has iatsph {iatsph}, ratsph {ratsph}")
    nsppol = frac.shape[1]
    frac = frac.reshape(len(atoms), mbesslang, nsppol, frac.shape[2], frac.shape[3])
    frac = frac.transpose(0, 1, 2, 4, 3)  # [atom][l][spin][k][band]
    if gamma_twice:
        if np.max(np.abs(frac[:, :, :, 0] - frac[:, :, :, 1])) > 1e-8 or np.max(np.abs(eig[:, 0] - eig[:, 1])) > 1e-9:
            raise RuntimeError(f"{name}: the two Gamma copies differ")
        frac, eig = frac[:, :, :, :1], eig[:, :1]
    stored = np.array(ref["results"]["eigenvalues"])
    if np.max(np.abs(eig.reshape(stored.shape) - stored)) > 1e-8:
        raise RuntimeError(f"{name}: eigenvalues differ from the stored ones")
    ref["results"]["pdos"] = {
        "abinit_variables": variables + (" (with kptopt 0, nkpt 2, kpt Gamma twice, wtk 0.5 0.5)"
                                          if gamma_twice else ""),
        "ratsph_bohr": radius, "atoms": atoms, "lmax": mbesslang - 1,
        "definition": "w[atom][l][spin][k][band] = sum_m int_0^ratsph r^2 |psi_lm(r)|^2 dr, psi_lm the (l, m) "
                      "component of the band on the sphere around the atom (ABINIT's dos_fractions of "
                      "FATBANDS.nc, prtdos 3, norm-conserving: Simpson's rule on a uniform radial grid of "
                      "int(2 pi ratsph sqrt(ecut) / 0.1) + 1 points, j_l splined with step 0.1 in qr)",
        "fractions": frac.tolist(),
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    d = frac[:, 2].sum(axis=(1, 2, 3)) / frac.shape[3]
    print(f"{name}: pdos r = {radius} bohr, atoms {atoms}: d weight per atom (k average, both spins) "
          f"{np.round(d, 6).tolist()} ({dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)


# Hirshfeld charges (ABINIT's cut3d, option 11, on the density of the case's stored input rerun with
# prtden 1; the SCF is the stored one: etotal must agree) with the free-atom all-electron densities
# of inputs/params/hirshfeld (QE ld1.x, make_free_atoms.py there), the files the kernel reads.
# cut3d prints the electrons and net charge per atom with 7 significant digits (es17.6).
HIRSHFELD = ("h2o_pbe", "fe2_bcc_pbe_distorted", "o2_pbe_triplet", "pto_pbe_fd", "pto_pbe_q18_fd")
FREE_ATOMS = os.path.join(ROOT, "inputs", "params", "hirshfeld")


def add_hirshfeld(name):
    path = os.path.join(HERE, "refs", f"{name}.json")
    with open(path) as fh:
        ref = json.load(fh)
    symbols = ref["structure"]["symbols"]
    types = list(ref["pseudopotentials"])
    text = ref["abinit_input"].replace("prtwf 0  prtden 0  prteig 0", "prtwf 0  prtden 1  prteig 0")
    if "prtden 1" not in text:
        raise RuntimeError(f"{name}: prtden line not found")
    with kept_on_failure(f"ate_pw_hirsh_{name}_") as work:
        for s, p in ref["pseudopotentials"].items():
            with open(os.path.join(work, f"{s}.psp"), "w") as fh:
                fh.write(p["abinit_psp10_text"])
        abo, log, dt, cpu = run_abinit(work, text)
        with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as g:
            etotal = float(g["etotal"][()])
        files = [os.path.join(FREE_ATOMS, f"{s}.dat") for s in types]  # in typat order
        spin = "0\n" if ref["settings"].get("nsppol", 1) == 2 else ""  # ispden 0: the total density
        stdin = "runo_DEN\n" + spin + "11\n" + "".join(f + "\n" for f in files) + "0\n0\n"
        r = subprocess.run(["cut3d"], input=stdin, cwd=work, env=ENV, capture_output=True, text=True)
        out = r.stdout
    if abs(etotal - ref["results"]["etotal"]) > 1e-9:
        raise RuntimeError(f"{name}: etotal {etotal} differs from the stored {ref['results']['etotal']}")
    start = out.find("Hirshfeld analysis")
    if r.returncode != 0 or start < 0:
        raise RuntimeError(f"{name}: cut3d failed\n{out[-3000:]}{r.stderr[-1000:]}")
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", out[start:], re.M)[:len(symbols)]
    total = re.search(r"^\s*Total\s+(\S+)\s+(\S+)\s+(\S+)", out[start:], re.M)
    if len(rows) != len(symbols) or not total:
        raise RuntimeError(f"{name}: cut3d's Hirshfeld table not parsed")
    ref["results"]["hirshfeld"] = {
        "program": "cut3d (ABINIT 9.6.2), option 11, on runo_DEN of the stored input with prtden 1",
        "free_atom_files": {s: {"path": os.path.relpath(f, ROOT), "sha256": sha256(f)}
                            for s, f in zip(types, files)},
        "definition": "net charge = zion - sum over the FFT grid of rho_A^0 / (sum_B rho_B^0 + 1e-6) x rho_valence "
                      "x Omega/N at the points where sum_B rho_B^0 > 1e-6 (periodic images included; each free-atom "
                      "table cut before its first value < 1e-6); printed es17.6",
        "electrons": [-float(x[2]) for x in rows], "net_charge": [float(x[3]) for x in rows],
        "total_net_charge": float(total.group(3)),
        "etotal_of_this_run": etotal, "run_time_s": round(dt, 2), "cpu_time_s": round(cpu, 2)}
    print(f"{name}: Hirshfeld net charges {ref['results']['hirshfeld']['net_charge']} "
          f"(total {float(total.group(3)):.3e}; {dt:.1f} s, CPU {cpu:.1f} s)", flush=True)
    write_ref(name, ref)
