#!/usr/bin/python3
"""Survey: ATEscreen --method pw against ABINIT 9.6.2 on cases outside the reference suite (issue #7).

usage: /usr/bin/python3 tests/pw/survey_abinit.py build/atescreen [NAME ...]

Each case (CASES below: other elements, charged cells, odd electron counts, hexagonal and triclinic
cells, even/odd shifted/unshifted meshes, every smearing, fixed/free moments, an antiferromagnetic
start, a slab, coordinates outside the cell) is run by ABINIT (input written by make_refs.py's
abinit_input, pseudopotentials by gth2abinit.py from the CP2K entry ATEscreen picks: the one the
GTH-PADE / GTH-PBE alias names, else the first of the element) and by `atescreen calc --method pw` with the same grid,
k-points and bands. Printed per case: energy difference per atom, largest force and stress
difference, magnetisation, SCF iterations, CPU seconds of both. ABINIT results are cached in
$ATE_SURVEY_CACHE (default /tmp/ate_pw_survey). Not a ctest: the cases worth keeping are
references of make_refs.py. Known differences (docs/validation.md, "Cases outside the suite"):
charged cells (psp_core convention: converted here, docs/validation.md), mv smearing (ABINIT's occopt 4/5 are other functions),
ni_fcc_pbe_free (two SCF solutions; --moment0 0.01 gives ABINIT's).
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import resource

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_refs as mr  # noqa: E402
import gth2abinit  # noqa: E402

B = mr.BOHR_ANGSTROM
KB_HARTREE = 8.617333262e-5 / 27.211386245988
CACHE = os.environ.get("ATE_SURVEY_CACHE", "/tmp/ate_pw_survey")
SMEAR = {1: "none", 3: "fermi-dirac", 7: "gaussian", 4: "mv", 5: "mv", 6: "mp"}


def first_entry(sym, xc):
    """ATEscreen's rule (kernels/pw/gth.c): the entry of sym that CP2K's bare alias GTH-PADE /
    GTH-PBE names, else the first with a name starting with it."""
    tag = "GTH-PADE" if xc == "lda" else "GTH-PBE"
    mine = [e for e in gth2abinit.read_gth_file(mr.GTH_FILE) if e["symbol"].lower() == sym.lower()]
    for e in mine:
        if tag in (n.upper() for n in e["names"]):
            return e["names"][0]
    for e in mine:
        if any(n.upper().startswith(tag) for n in e["names"]):
            return e["names"][0]
    raise KeyError(sym)


def box(L):
    return [[L[0] / B, 0, 0], [0, L[1] / B, 0], [0, 0, L[2] / B]]


def ang(v):
    return [x / B for x in v]


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def abinit(case):
    path = os.path.join(CACHE, case["name"] + ".json")
    key = json.dumps({k: case[k] for k in sorted(case) if k not in ("ate",)}, sort_keys=True, default=str)
    if os.path.exists(path):
        d = json.load(open(path))
        if d["key"] == key:
            return d["res"]
    cell, symbols, pos = case["structure"]
    types = list(dict.fromkeys(symbols))
    entries = gth2abinit.read_gth_file(mr.GTH_FILE)
    with tempfile.TemporaryDirectory(prefix="pwu_") as work:
        for s in types:
            e = gth2abinit.find_entry(entries, s, case["pseudos"][s])
            open(os.path.join(work, s + ".psp"), "w").write(gth2abinit.to_abinit(e))
        extra = list(case.get("abinit_extra", ()))
        if case.get("charge"):
            extra.append("charge %r" % float(case["charge"]))
        ngfft = case.get("ngfft") or mr.fft_grid(cell, case["ecut"])
        text = mr.abinit_input(case, types, ngfft, case["ecut"], extra)
        abo, log, dt, c = mr.run_abinit(work, text)
        import re
        mus = [float(v) for sp, v in re.findall(r"newocc: new Fermi energy for spin\s+(\d) is\s+(\S+)", log)[-2:]]
        orig_fl, orig_sc = mr.fermi_level_fd, mr.smearing_check
        if mus:
            import h5py
            with h5py.File(os.path.join(work, "runo_GSR.nc"), "r") as gg:
                mus[1] = float(gg["e_fermie"][()])
        it = iter(mus)
        mr.fermi_level_fd = lambda *a: next(it)
        mr.smearing_check = lambda occopt, *a: orig_sc(occopt, *a) if occopt in (3, 7) else {}
        try:
            res = mr.parse_run(work, abo, log, cell)
        finally:
            mr.fermi_level_fd, mr.smearing_check = orig_fl, orig_sc
        res["cpu_time_s"] = round(c, 2)
        res["ngfft"] = ngfft
        res["input"] = text
    os.makedirs(CACHE, exist_ok=True)
    json.dump({"key": key, "res": res}, open(path, "w"))
    return res


def ate_args(case, ngfft):
    a = ["--ecut", repr(case["ecut"]), "--xc", case["xc"], "--fft", ",".join(map(str, ngfft)),
         "--kpts", ",".join(map(str, case["ngkpt"])), "--nbands", str(case["nband"])]
    if not case.get("mp_default"):  # else ATEscreen's Monkhorst-Pack default: shifted along even axes only
        a += ["--kpts-shift", ",".join("%g" % x for x in case["shiftk"])]
    occ = case.get("occopt", 1)
    a += ["--smearing", SMEAR[occ]]
    if occ != 1:
        a += ["--etemp", repr(case["tsmear"] / KB_HARTREE)]
    if case.get("nsppol", 1) == 2:
        if "spinmagntarget" in case:
            a += ["--uhf", "%d" % round(case["spinmagntarget"])]
        else:
            a += ["--spin-polarized", "--free-moment"]
    if case.get("charge"):
        a += ["--charge", str(case["charge"])]
    return a + case.get("ate", [])


def run(exe, case):
    ref = abinit(case)
    cell, symbols, pos = case["structure"]
    with tempfile.TemporaryDirectory(prefix="pwu_ate_") as t:
        xyz = os.path.join(t, "s.extxyz")
        mr.write_extxyz(xyz, cell, symbols, pos)
        cmd = [exe, "calc", xyz, "--method", "pw", "--json", "--gradient", "--stress"] + ate_args(case, ref["ngfft"])
        c0 = cpu()
        p = subprocess.run(cmd, capture_output=True, text=True)
        c1 = cpu() - c0
    if p.returncode != 0:
        return dict(name=case["name"], fail="exit %d: %s" % (p.returncode, p.stderr.strip()[-300:]), cmd=" ".join(cmd))
    r = json.loads(p.stdout)
    nat = len(symbols)
    etotal, stress_ref, terms = ref["etotal"], list(ref["stress_voigt"]), dict(ref["energy_terms"])
    if case.get("charge"):  # ABINIT's psp_core counts the ions' charge, ATEscreen's the electrons'
        entries = gth2abinit.read_gth_file(mr.GTH_FILE)
        eps = 0.0
        for sym in symbols:
            e = gth2abinit.find_entry(entries, sym, case["pseudos"][sym])
            rl, cc = float(e["rloc"]), [float(x) for x in e["c"]] + [0.0] * 4
            eps += (2 * math.pi * rl ** 2 * sum(e["elec"])
                    + (2 * math.pi) ** 1.5 * rl ** 3 * (cc[0] + 3 * cc[1] + 15 * cc[2] + 105 * cc[3]))
        vol = abs(np.linalg.det(np.array(cell)))
        shift = -case["charge"] * eps / vol
        etotal += shift
        terms["psp_core"] += shift
        stress_ref = [v - (shift / vol if i < 3 else 0.0) for i, v in enumerate(stress_ref)]
    de = r["energy"] - etotal
    df = max(abs(-g - f) for ga, fa in zip(r["gradient"], ref["forces"]) for g, f in zip(ga, fa))
    V = ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1))
    ds = max(abs(r["stress"][i][j] - v) for (i, j), v in zip(V, stress_ref))
    dm = abs(r["magnetization"] - ref.get("magnetization", 0.0))
    if "minus_kT_entropy" in terms:
        terms["electronic_entropy"] = terms.pop("minus_kT_entropy")
    dterm = {t: r["energy_terms"][t] - v for t, v in terms.items()}
    return dict(name=case["name"], nat=nat, E=r["energy"], Eref=ref["etotal"], dE_atom=de / nat, dF=df, dS=ds,
                M=r["magnetization"], Mref=ref.get("magnetization", 0.0), dM=dm, scf=r["scc_iterations"],
                cpu=c1, cpu_abinit=ref["cpu_time_s"], dterm=dterm)


def report(res):
    if "fail" in res:
        print("%-24s FAIL %s\n   %s" % (res["name"], res["fail"], res["cmd"]), flush=True)
        return
    ok = abs(res["dE_atom"]) <= 1e-5 and res["dF"] <= 1e-4 and res["dM"] <= 1e-4 and res["dS"] <= 1e-8
    print("%-24s dE/at %9.1e dF %8.1e dS %8.1e M %8.4f (%8.4f) scf %3d cpu %5.1f (abinit %5.1f) %s" % (
        res["name"], res["dE_atom"], res["dF"], res["dS"], res["M"], res["Mref"], res["scf"], res["cpu"],
        res["cpu_abinit"], "ok" if ok else "BAD"), flush=True)
    if not ok or os.environ.get("TERMS"):
        print("    terms: " + " ".join("%s %.2e" % (k, v) for k, v in res["dterm"].items()))



# ---------------------------------------------------------------------------------------------
# Cases (Å unless stated)

CASES = []


def add(name, structure, xc, ecut, ngkpt=(1, 1, 1), shiftk=(0, 0, 0), **kw):
    symbols = structure[1]
    c = dict(name=name, structure=structure, description=name, xc=xc, ecut=ecut, ngkpt=ngkpt,
             shiftk=shiftk, pseudos={s: first_entry(s, xc) for s in set(symbols)}, diemac=kw.pop("diemac", 2.0))
    c.update(kw)
    CASES.append(c)


def mol(L, centre, atoms):
    """atoms: [(sym, offset Å)] around centre Å in an orthorhombic box L Å."""
    return box(L), [a[0] for a in atoms], [ang(np.array(centre) + np.array(a[1])) for a in atoms]


def dimer(L, c, sa, sb, d, direction=(0.4, 0.6, 0.7)):
    u = np.array(direction, float)
    u /= np.linalg.norm(u)
    return mol(L, c, [(sa, -0.5 * d * u), (sb, 0.5 * d * u)])


def frac(cell, symbols, fr):
    return cell, symbols, [[sum(f[j] * cell[j][i] for j in range(3)) for i in range(3)] for f in fr]


# --- molecules, other elements
add("n2_pbe", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "N", "N", 1.11), "pbe", 20.0, nband=5)
add("co_lda", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "C", "O", 1.14), "lda", 20.0, nband=5)
add("no_pbe_fixed1", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "N", "O", 1.16), "pbe", 20.0, nband=8, occopt=3, tsmear=0.005,
    nsppol=2, spinat=[(0, 0, 0.5), (0, 0, 0.5)], spinmagntarget=1.0)
add("oh_pbe_fd", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "O", "H", 0.98), "pbe", 20.0, nband=6, occopt=3,
    tsmear=0.01, diemac=1e6)
add("ohm_pbe_charged", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "O", "H", 0.98), "pbe", 20.0, nband=4, charge=-1)
add("h2s_pbe", mol((6.5, 6, 7), (3.2, 3.0, 3.6), [("S", (0, 0, 0)), ("H", (0.96, 0.93, 0.1)),
                                                   ("H", (-0.95, 0.95, -0.12))]), "pbe", 15.0, nband=4)
add("ph3_pbe", mol((6.5, 6, 7), (3.2, 3.0, 3.6), [("P", (0, 0, 0)), ("H", (1.42, 0.0, -0.1)),
                                                   ("H", (-0.7, 1.22, -0.05)), ("H", (-0.72, -1.2, -0.1))]),
    "pbe", 15.0, nband=4)
add("hcl_lda", dimer((6, 6.5, 7), (3.1, 3.2, 3.4), "H", "Cl", 1.28), "lda", 15.0, nband=4)
# --- cells
add("hbn_pbe_hex", frac([[2.5 / B, 0, 0], [1.25 / B, 2.5 * math.sqrt(3) / 2 / B, 0], [0, 0, 7.0 / B]], ["B", "N"],
                        [(1 / 3, 1 / 3, 0.5), (2 / 3, 2 / 3, 0.51)]), "pbe", 15.0, (4, 4, 1), (0, 0, 0), nband=4)
add("hbn_pbe_hex_shift", frac([[2.5 / B, 0, 0], [1.25 / B, 2.5 * math.sqrt(3) / 2 / B, 0], [0, 0, 7.0 / B]],
                              ["B", "N"], [(1 / 3, 1 / 3, 0.5), (2 / 3, 2 / 3, 0.51)]), "pbe", 15.0, (3, 3, 1),
    (0.5, 0.5, 0.5), nband=4)
add("al_fcc_lda_gauss", ([[0, 3.8, 3.8], [3.8, 0, 3.8], [3.8, 3.8, 0]], ["Al"], [[0, 0, 0]]), "lda", 8.0,
    (4, 4, 4), (0, 0, 0), nband=6, occopt=7, tsmear=0.02, diemac=1e6)
add("al_fcc_lda_mv4", ([[0, 3.8, 3.8], [3.8, 0, 3.8], [3.8, 3.8, 0]], ["Al"], [[0, 0, 0]]), "lda", 8.0,
    (4, 4, 4), (0, 0, 0), nband=6, occopt=4, tsmear=0.02, diemac=1e6)
add("al_fcc_lda_mv5", ([[0, 3.8, 3.8], [3.8, 0, 3.8], [3.8, 3.8, 0]], ["Al"], [[0, 0, 0]]), "lda", 8.0,
    (4, 4, 4), (0, 0, 0), nband=6, occopt=5, tsmear=0.02, diemac=1e6)
add("al_fcc_pbe_fd_even_shift", ([[0, 3.8, 3.8], [3.8, 0, 3.8], [3.8, 3.8, 0]], ["Al"], [[0, 0, 0]]), "pbe", 8.0,
    (2, 4, 3), (0.5, 0.5, 0.5), nband=6, occopt=3, tsmear=0.02, diemac=1e6)
TRI = [[4.6, 0.0, 0.0], [1.3, 4.9, 0.0], [0.7, -0.9, 5.3]]
add("c2_triclinic_pbe_fd", frac(TRI, ["C", "C"], [(0.1, 0.2, 0.3), (0.35, 0.45, 0.55)]), "pbe", 12.0, (2, 3, 2),
    (0, 0, 0), nband=8, occopt=3, tsmear=0.02, diemac=1e6)
add("c2_triclinic_pbe_shift", frac(TRI, ["C", "C"], [(0.1, 0.2, 0.3), (0.35, 0.45, 0.55)]), "pbe", 12.0, (3, 2, 1),
    (0.5, 0.5, 0.5), nband=8, occopt=3, tsmear=0.02, diemac=1e6)
# wrapped / outside coordinates (same physical structure as c2_triclinic_pbe_fd)
add("c2_triclinic_outside", frac(TRI, ["C", "C"], [(1.1, -0.8, 2.3), (-1.65, 0.45, -0.45)]), "pbe", 12.0, (2, 3, 2),
    (0, 0, 0), nband=8, occopt=3, tsmear=0.02, diemac=1e6)
add("nh4p_pbe_charged", mol((6, 6.2, 6.5), (3.0, 3.1, 3.2), [("N", (0, 0, 0)), ("H", (0.6, 0.6, 0.6)),
    ("H", (-0.6, -0.6, 0.6)), ("H", (-0.6, 0.6, -0.62)), ("H", (0.61, -0.6, -0.6))]), "pbe", 18.0, nband=4, charge=1)
add("si2_charged_m1_fd", ([[0, 5.13, 5.13], [5.13, 0, 5.13], [5.13, 5.13, 0]], ["Si", "Si"],
                          [[0, 0, 0], [2.6, 2.55, 2.58]]), "lda", 8.0, (2, 2, 2), (0.5, 0.5, 0.5), nband=8,
    charge=-1, occopt=3, tsmear=0.01, diemac=1e6)
add("si2_odd_gamma_333", ([[0, 5.13, 5.13], [5.13, 0, 5.13], [5.13, 5.13, 0]], ["Si", "Si"],
                          [[0, 0, 0], [2.6, 2.55, 2.58]]), "lda", 8.0, (3, 3, 3), (0, 0, 0), nband=4)
add("si2_even_gamma_424", ([[0, 5.13, 5.13], [5.13, 0, 5.13], [5.13, 5.13, 0]], ["Si", "Si"],
                           [[0, 0, 0], [2.6, 2.55, 2.58]]), "pbe", 8.0, (4, 2, 4), (0, 0, 0), nband=4)
# metals with d projectors
add("cu_fcc_pbe_fd", ([[0, 3.41, 3.41], [3.41, 0, 3.41], [3.41, 3.41, 0]], ["Cu"], [[0, 0, 0]]), "pbe", 20.0,
    (3, 3, 3), (0.5, 0.5, 0.5), nband=10, occopt=3, tsmear=0.01, diemac=1e6)
add("mg_hcp_pbe_fd", frac([[3.21 / B, 0, 0], [-1.605 / B, 3.21 * math.sqrt(3) / 2 / B, 0], [0, 0, 5.21 / B]],
                          ["Mg", "Mg"], [(1 / 3, 2 / 3, 0.25), (2 / 3, 1 / 3, 0.76)]), "pbe", 15.0, (3, 3, 2),
    (0, 0, 0), nband=14, occopt=3, tsmear=0.01, diemac=1e6)
add("zn_hcp_pbe_gauss", frac([[2.66 / B, 0, 0], [-1.33 / B, 2.66 * math.sqrt(3) / 2 / B, 0], [0, 0, 4.95 / B]],
                             ["Zn", "Zn"], [(1 / 3, 2 / 3, 0.25), (2 / 3, 1 / 3, 0.74)]), "pbe", 18.0, (3, 3, 2),
    (0, 0, 0), nband=16, occopt=7, tsmear=0.01, diemac=1e6)
add("ni_fcc_pbe_free", ([[0, 3.33, 3.33], [3.33, 0, 3.33], [3.33, 3.33, 0]], ["Ni"], [[0, 0, 0]]), "pbe", 20.0,
    (3, 3, 3), (0.5, 0.5, 0.5), nband=14, occopt=3, tsmear=0.01, nsppol=2, spinat=[(0, 0, 2.0)], diemac=1e6)
add("co_atom_pbe_fixed3", mol((5.5, 5.8, 6.0), (2.7, 2.9, 3.1), [("Co", (0, 0, 0))]), "pbe", 15.0, nband=14,
    occopt=3, tsmear=0.01, nsppol=2, spinat=[(0, 0, 3.0)], spinmagntarget=3.0, diemac=1e6)
add("mn_atom_pbe_fixed5", mol((5.5, 5.8, 6.0), (2.7, 2.9, 3.1), [("Mn", (0, 0, 0))]), "pbe", 15.0, nband=14,
    occopt=3, tsmear=0.01, nsppol=2, spinat=[(0, 0, 5.0)], spinmagntarget=5.0, diemac=1e6)
add("o2_pbe_free_fd", dimer((5.5, 5.8, 6.1), (2.7, 2.9, 3.0), "O", "O", 1.21), "pbe", 15.0, nband=10, occopt=3,
    tsmear=0.005, nsppol=2, spinat=[(0, 0, 1.0), (0, 0, 1.0)], diemac=1e6)
add("cscl_pbe_f_proj", ([[4.12 / B, 0, 0], [0, 4.12 / B, 0], [0, 0, 4.12 / B]], ["Cs", "Cl"],
                        [[0.05, -0.03, 0.02], [2.06 / B, 2.06 / B, 2.06 / B]]), "pbe", 10.0, (2, 2, 2),
    (0.5, 0.5, 0.5), nband=8)
# slab: 2-layer Al(001) 1x1 with vacuum, Gamma-centred 3x3x1
add("al_slab_lda_fd", ([[2.86 / B, 0, 0], [0, 2.86 / B, 0], [0, 0, 12.0 / B]], ["Al", "Al"],
                       [[0.0, 0.0, 5.0 / B], [1.43 / B, 1.43 / B, 7.05 / B]]), "lda", 8.0, (3, 3, 1), (0, 0, 0),
    nband=6, occopt=3, tsmear=0.01, diemac=1e6)
# antiferromagnetic start: stretched H2 (3 Å), free moment, spinat +1/-1
add("h2_stretched_afm", (box((5.0, 5.2, 7.0)), ["H", "H"], [ang([2.5, 2.6, 2.0]), ang([2.55, 2.62, 5.0])]), "pbe", 12.0,
    nband=4, occopt=3, tsmear=0.005, nsppol=2, spinat=[(0, 0, 1.0), (0, 0, -1.0)], diemac=1e6, ate=["--moments", "1,-1"])

# more elements: Pt (CP2K's GTH-PBE alias: q18; q10 before 2026-11-30), Fe with LDA (GTH-PADE-q16),
# Li bcc LDA (the GTH-PADE alias: q3; q1 before)
add("pt_fcc_pbe_fd", ([[0, 3.70, 3.70], [3.70, 0, 3.70], [3.70, 3.70, 0]], ["Pt"], [[0, 0, 0]]), "pbe", 15.0,
    (3, 3, 3), (0.5, 0.5, 0.5), nband=10, occopt=3, tsmear=0.01, diemac=1e6)
add("fe_atom_lda_fixed4", mol((5.5, 5.8, 6.0), (2.7, 2.9, 3.1), [("Fe", (0, 0, 0))]), "lda", 15.0, nband=14,
    occopt=3, tsmear=0.01, nsppol=2, spinat=[(0, 0, 4.0)], spinmagntarget=4.0, diemac=1e6)
add("li_bcc_lda_fd", ([[-3.3, 3.3, 3.3], [3.3, -3.3, 3.3], [3.3, 3.3, -3.3]], ["Li"], [[0, 0, 0]]), "lda", 8.0,
    (4, 4, 4), (0, 0, 0), nband=4, occopt=3, tsmear=0.01, diemac=1e6)

# Cu with LDA: the GTH-PADE alias is q11 (3d in the valence; the first entry, q1, has no d states)
add("cu_fcc_lda_fd", ([[0, 3.41, 3.41], [3.41, 0, 3.41], [3.41, 3.41, 0]], ["Cu"], [[0, 0, 0]]), "lda", 20.0,
    (3, 3, 3), (0.5, 0.5, 0.5), nband=10, occopt=3, tsmear=0.01, diemac=1e6)

# Monkhorst-Pack default of --kpts (no --kpts-shift): half a step along the even axes only
add("c2_triclinic_mp_default", frac(TRI, ["C", "C"], [(0.1, 0.2, 0.3), (0.35, 0.45, 0.55)]), "pbe", 12.0,
    (2, 3, 4), (0.5, 0.0, 0.5), nband=8, occopt=3, tsmear=0.02, diemac=1e6, mp_default=True)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:]
    for c in CASES:
        if names and c["name"] not in names:
            continue
        try:
            report(run(sys.argv[1], c))
        except Exception as e:  # noqa: BLE001 (a survey: report and go on)
            print("%-24s ERROR %s" % (c["name"], str(e)[-600:]), flush=True)


if __name__ == "__main__":
    main()
