#!/usr/bin/python3
"""Starting moments from structure files and Hirshfeld valence counts of the plane-wave kernel
(ctest pw_inputs; issue #7 follow-ups; about 20 s CPU).

usage: pw_inputs_check.py ATESCREEN [--quick]

--quick (the sanitizer build, ~10x slower): without the PtO runs.

- extended XYZ `initial_magmoms` (ASE's column) reaches the kernel as `calc --moments` does:
  stretched H2 (tests/pw/cases/h2_stretched_pbe_afm.extxyz, its pw_vs_abinit settings) with the
  column +1/-1 gives the energy, magnetisation and sphere moments of `--moments 1,-1` (to 1e-10),
  and they differ from the run without starting moments (so the column is not ignored);
  `--moments` given on the command line wins over the column; `atescreen convert` keeps the column.
- bad input is refused with exit status 2 and one message naming the file, line and field: a
  non-numeric moment, three columns (non-collinear), moments on a spin-restricted run, a moment
  beyond the atom's valence charge.
- Hirshfeld charges use the valence count of the pseudopotential in use: PtO
  (tests/pw/cases/pto_pbe_fd.extxyz) with Pt GTH-PBE-q18 (the entry the kernel picks: CP2K's
  GTH-PBE alias) and with GTH-PBE-q10 (a --pseudo file with only q10): both sum to the neutral molecule's 0 within
  the cut3d cut-offs' vacuum loss (|sum q| < 0.01 e; a wrong Z_ion would be off by 8) and give Pt
  the same sign and nearly the same charge (within 0.1 e: the two potentials' valence densities
  differ; docs/validation.md).
- The free-atom tables added for the heavier p-block (inputs/params/hirshfeld/Pb.dat, Te.dat): a
  PbTe cation (2.6 Å, charge +1, neutralising background) has finite Hirshfeld charges summing to
  the cell's +1 within the cut-offs' vacuum loss (0.01 e), Pb the more positive, and the JSON
  "pseudopotentials" names the entries the kernel read (Pb GTH-PBE-q4, Te GTH-PBE-q6: CP2K's alias).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
exe = sys.argv[1]
QUICK = "--quick" in sys.argv[2:]
failures = 0

H2_ARGS = ["--ecut", "12.0", "--xc", "pbe", "--fft", "32,36,45", "--nbands", "4", "--smearing",
           "fermi-dirac", "--etemp", "1578.8751240469314", "--spin-polarized", "--free-moment"]
PBTE = """2
Lattice="7.0 0.0 0.0 0.0 7.5 0.0 0.0 0.0 8.0" Properties=species:S:1:pos:R:3 pbc="T T T"
Pb 3.30 3.55 2.80
Te 3.70 3.95 5.35
"""
PTO_ARGS = ["--ecut", "20.0", "--xc", "pbe", "--nbands", "16", "--smearing", "fermi-dirac",
            "--etemp", "3157.750248093863"]


def check(ok, what):
    global failures
    failures += not ok
    print("%-4s %s" % ("ok" if ok else "FAIL", what), flush=True)


def calc(path, args, expect=0):
    cmd = [exe, "calc", path, "--method", "pw", "--json"] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != expect:
        check(False, "%s: exit %d, expected %d\n%s" % (" ".join(cmd), p.returncode, expect,
                                                       p.stderr[-800:]))
        return None
    return json.loads(p.stdout) if expect == 0 else p


def with_column(src, dst, values, name="initial_magmoms", kind="R:1"):
    """src (extxyz, one frame) with one more per-atom column of the given text values."""
    lines = open(src).read().splitlines()
    n = int(lines[0])
    lines[1] = lines[1].replace("Properties=species:S:1:pos:R:3",
                                "Properties=species:S:1:pos:R:3:%s:%s" % (name, kind))
    for i in range(n):
        lines[2 + i] += " " + values[i]
    open(dst, "w").write("\n".join(lines) + "\n")


with tempfile.TemporaryDirectory(prefix="ate_pw_inputs_") as tmp:
    h2 = os.path.join(HERE, "cases", "h2_stretched_pbe_afm.extxyz")
    h2m = os.path.join(tmp, "h2_magmoms.extxyz")
    with_column(h2, h2m, ["1.0", "-1.0"])
    ref = calc(h2, H2_ARGS + ["--moments", "1,-1"])
    col = calc(h2m, H2_ARGS)
    none = calc(h2, H2_ARGS)
    both = calc(h2m, H2_ARGS + ["--moments", "0.5,0.5"])
    none2 = calc(h2, H2_ARGS + ["--moments", "0.5,0.5"])
    if ref and col and none and both and none2:
        de = abs(ref["energy"] - col["energy"])
        ds = max(abs(a - b) for a, b in zip(ref["spins"], col["spins"]))
        check(de <= 1e-10 and ds <= 1e-10 and abs(ref["magnetization"] - col["magnetization"])
              <= 1e-10, "H2 initial_magmoms 1,-1 = --moments 1,-1: E %.10f / %.10f (%.1e Ha), "
              "sphere moments %s / %s (%.1e)" % (col["energy"], ref["energy"], de,
                                                 ["%.6f" % x for x in col["spins"]],
                                                 ["%.6f" % x for x in ref["spins"]], ds))
        dn = max(abs(a - b) for a, b in zip(none["spins"], col["spins"]))
        check(dn > 0.1, "without starting moments the sphere moments differ: %s (by %.3f)" % (
            ["%.6f" % x for x in none["spins"]], dn))
        db = max(abs(a - b) for a, b in zip(both["spins"], none2["spins"]))
        check(db <= 1e-10 and abs(both["energy"] - none2["energy"]) <= 1e-10,
              "--moments 0.5,0.5 wins over the column: moments %s (%.1e from the file without "
              "the column)" % (["%.6f" % x for x in both["spins"]], db))
    # atescreen convert keeps the column (extxyz -> extxyz)
    out = os.path.join(tmp, "h2_converted.extxyz")
    p = subprocess.run([exe, "convert", h2m, out], capture_output=True, text=True)
    text = open(out).read() if p.returncode == 0 and os.path.exists(out) else ""
    rows = [ln.split() for ln in text.splitlines()[2:4]]
    check("initial_magmoms:R:1" in text and [r[-1] for r in rows] == ["1", "-1"],
          "convert keeps initial_magmoms: %s" % (text.splitlines()[1][:120] if text else p.stderr))

    # bad input: exit 2, the file, the line and the field named
    bad = (("non-numeric moment", ["1.0", "up"], "R:1", H2_ARGS, "h2_bad_value.extxyz:4",
            "cannot parse 'up'"),
           ("three columns (non-collinear)", ["0 0 1", "0 0 -1"], "R:3", H2_ARGS,
            "h2_bad_ncol.extxyz:2", "one real column"),
           ("moments without spin", ["1.0", "-1.0"], "R:1", H2_ARGS[:-2], "h2_no_spin.extxyz",
            "need spin polarisation"),
           ("moment beyond the valence", ["1.5", "-1.0"], "R:1", H2_ARGS, "h2_too_big.extxyz",
            "exceeds its 1 valence electrons"))
    for label, values, kind, args, where, want in bad:
        path = os.path.join(tmp, where.split(":")[0])
        with_column(h2, path, values, kind=kind)
        p = calc(path, args, expect=2)
        msg = p.stderr.strip().splitlines()[-1] if p and p.stderr.strip() else ""
        check(bool(p) and where in msg and "initial_magmoms" in msg and want in msg
              and not p.stdout.strip(), "error: %-30s %s" % (label, msg[:150]))

    # Hirshfeld charges with Pt q10 and q18: Z_ion of the entry in use
    if QUICK:
        print("%d failure(s) (--quick: no PtO)" % failures)
        sys.exit(1 if failures else 0)
    gth = open(os.path.join(ROOT, "inputs", "params", "gth", "GTH_POTENTIALS")).read().splitlines()

    def entry(head):
        i = next(k for k, ln in enumerate(gth) if ln.startswith(head))
        j = i + 1
        while j < len(gth) and gth[j].startswith(" "):
            j += 1
        return gth[i:j]

    q10 = os.path.join(tmp, "pt_q10_only.gth")
    with open(q10, "w") as fh:
        fh.write("\n".join(entry("Pt GTH-PBE-q10") + entry("O GTH-PBE-q6")) + "\n")
    pto = os.path.join(HERE, "cases", "pto_pbe_fd.extxyz")
    r10 = calc(pto, PTO_ARGS + ["--pseudo", q10])
    r18 = calc(pto, PTO_ARGS)
    if r10 and r18:
        s10, s18 = sum(r10["charges"]), sum(r18["charges"])
        check(abs(s10) < 0.01 and abs(s18) < 0.01 and r10["charges"][0] > 0 and r18["charges"][0] > 0
              and abs(r10["charges"][0] - r18["charges"][0]) < 0.1,
              "PtO Hirshfeld charges Pt, O: q10 %s (sum %.2e), q18 %s (sum %.2e)" % (
                  ["%.6f" % x for x in r10["charges"]], s10, ["%.6f" % x for x in r18["charges"]],
                  s18))

    # a new free-atom table: PbTe+ (Pb q4, Te q6; 9 valence electrons)
    pbte = os.path.join(tmp, "pbte.extxyz")
    open(pbte, "w").write(PBTE)
    r = calc(pbte, ["--ecut", "20.0", "--xc", "pbe", "--nbands", "8", "--smearing", "fermi-dirac",
                    "--etemp", "3157.750248093863", "--charge", "1"])
    if r:
        q = r["charges"]
        psp = r.get("pseudopotentials", {})
        check(all(x is not None for x in q) and abs(sum(q) - 1.0) < 0.01 and q[0] > q[1]
              and psp == {"Pb": {"entry": "GTH-PBE-q4", "z_ion": 4.0},
                          "Te": {"entry": "GTH-PBE-q6", "z_ion": 6.0}},
              "PbTe+ Hirshfeld charges Pb, Te: %s (sum %.6f, cell charge +1); pseudopotentials %s"
              % (q, sum(q) if all(x is not None for x in q) else float("nan"), psp))

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
