#!/usr/bin/python3
"""Structure files between ASE (Debian python3-ase 3.22) and ATEscreen, both directions.

usage: ase_roundtrip.py ATESCREEN_EXE WORKDIR

ASE writes extxyz/POSCAR -> `atescreen convert` -> ASE reads, and ATEscreen writes -> ASE reads and
writes -> ATEscreen reads -> ASE reads. Positions, cells, pbc, numbers, tags, constraints
(FixAtoms, FixCartesian, selective dynamics), info keys and extxyz initial_magmoms (ASE's
collinear starting moments) must survive to 1e-8 Å.

The reference for each comparison is what ASE itself reads back from its own file. ASE 3.22.1
writes constraints to extxyz only when asked (columns=[..., "move_mask"]) and then writes the
FixCartesian mask inverted (fixed components as movable) although its reader is right; so the
test appends the move_mask column (true = movable, ASE's reader convention) to ASE's output
itself. ASE's POSCAR writer keeps FixAtoms but not FixCartesian.
"""
import re
import os
import subprocess
import sys

import numpy as np
from ase import Atoms
from ase.build import graphene, molecule
from ase.constraints import FixAtoms, FixCartesian
from ase.io import read, write

EXE, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
TOL = 1e-8
failures = []
worst = 0.0


def fixed_mask(atoms):
    """[natoms][3] bool: True where a Cartesian component is fixed."""
    m = np.zeros((len(atoms), 3), bool)
    for c in atoms.constraints:
        if isinstance(c, FixAtoms):
            m[c.index] = True
        elif isinstance(c, FixCartesian):
            # ASE 3.22 stores the directions that stay FREE: FixCartesian(a, mask).mask == ~mask
            m[c.a] |= ~np.asarray(c.mask, bool)
    return m


def compare(tag, a, b, check_info=True, check_tags=True, pbc=None):
    global worst
    if len(a) != len(b) or (a.numbers != b.numbers).any():
        failures.append(f"{tag}: atoms differ")
        return
    dp = np.abs(a.positions - b.positions).max()
    dc = np.abs(a.cell.array - b.cell.array).max()
    worst = max(worst, dp, dc)
    if dp > TOL or dc > TOL:
        failures.append(f"{tag}: positions differ by {dp:.2e} Å, cell by {dc:.2e} Å")
    want_pbc = a.pbc if pbc is None else np.array(pbc)
    if (want_pbc != b.pbc).any():
        failures.append(f"{tag}: pbc {a.pbc} -> {b.pbc}")
    if check_tags and (a.get_tags() != b.get_tags()).any():
        failures.append(f"{tag}: tags differ")
    if check_tags and a.has("initial_magmoms") and (
            not b.has("initial_magmoms") or
            np.abs(a.get_initial_magnetic_moments() - b.get_initial_magnetic_moments()).max() > TOL):
        failures.append(f"{tag}: initial_magmoms {a.get_initial_magnetic_moments()} became "
                        f"{b.get_initial_magnetic_moments() if b.has('initial_magmoms') else None}")
    if (fixed_mask(a) != fixed_mask(b)).any():
        failures.append(f"{tag}: constraints differ")
    if check_info:
        for k, v in a.info.items():
            if k not in b.info or str(b.info[k]) != str(v):
                failures.append(f"{tag}: info {k}={v!r} became {b.info.get(k)!r}")


def convert(src, dst, *args):
    r = subprocess.run([EXE, "convert", src, dst, *args], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"convert {src} -> {dst}: exit {r.returncode}: {r.stderr.strip()}")
    return r.returncode == 0


def cases():
    w = molecule("H2O")
    w.info.update(energy=-76.4, name="water molecule", step=3)
    yield "water", w
    g = graphene(a=2.46, vacuum=7.5, size=(3, 3, 1))
    g.rotate(90, "x", rotate_cell=True)  # put the sheet in the xy plane
    g.positions += [0.1234567891, 0.2, 0.3]
    g.set_tags([1 if i % 5 == 0 else 0 for i in range(len(g))])
    g.set_constraint(FixAtoms(indices=[0, 1, 2]))
    g.info.update(energy=-123.456789012, ate_id="deadbeefdeadbeef")
    yield "graphene-fixatoms", g
    h = g.copy()
    h.set_constraint([FixCartesian(4, mask=[True, False, True]), FixAtoms(indices=[7])])
    yield "graphene-fixcartesian", h
    t = Atoms("FeNOH", positions=[[0, 0, 0], [1.9, 0, 0], [0, 0, 1.8], [0.3, 0.1, 2.7]],
              cell=[[6.0, 0, 0], [1.0, 6.0, 0], [0.5, 0.3, 8.0]], pbc=True)
    t.set_tags([1, 1, 2, 2])
    t.set_initial_magnetic_moments([3.0, 0.0, -0.5, 0.25])
    yield "triclinic", t


def write_extxyz(path, atoms):
    a = atoms.copy()
    mask = fixed_mask(a)
    a.set_constraint()
    write(path, a, format="extxyz")
    if not mask.any():
        return
    lines = open(path).read().splitlines()
    lines[1] = re.sub(r"Properties=(\S+)", r"Properties=\1:move_mask:L:3", lines[1], count=1)
    for i in range(len(a)):
        lines[2 + i] += " " + " ".join("F" if f else "T" for f in mask[i])
    open(path, "w").write("\n".join(lines) + "\n")


for name, atoms in cases():
    # ASE -> ATEscreen (extxyz) -> ASE
    src, dst = f"{WORK}/{name}.ase.extxyz", f"{WORK}/{name}.ate.extxyz"
    write_extxyz(src, atoms)
    if (fixed_mask(read(src)) != fixed_mask(atoms)).any():
        failures.append(f"{name}: ASE does not read back its own move_mask (test set-up)")
    if convert(src, dst):
        compare(f"{name} ase->ate extxyz", atoms, read(dst))
    # ATEscreen -> ASE -> ATEscreen -> ASE
    back = f"{WORK}/{name}.ase2.extxyz"
    if os.path.exists(dst):
        write_extxyz(back, read(dst))
        dst2 = f"{WORK}/{name}.ate2.extxyz"
        if convert(back, dst2):
            compare(f"{name} ate->ase->ate", atoms, read(dst2))
    # POSCAR both ways (periodic cases): info and tags are not part of POSCAR
    if atoms.pbc.any():
        p = atoms.copy()
        p.pbc = True
        src, dst = f"{WORK}/POSCAR_{name}", f"{WORK}/{name}.ate.vasp"
        write(src, p, format="vasp", direct=True)
        ref = read(src, format="vasp")  # what ASE keeps of its own POSCAR
        if convert(src, dst):
            compare(f"{name} POSCAR ase->ate", ref, read(dst, format="vasp"), check_info=False, check_tags=False)
        if convert(dst, f"{WORK}/{name}.fromposcar.extxyz"):
            compare(f"{name} POSCAR->extxyz", ref, read(f"{WORK}/{name}.fromposcar.extxyz"), check_info=False,
                    check_tags=False)
        # DFTB+ gen both ways (ASE's "gen" format)
        src, dst = f"{WORK}/{name}.ase.gen", f"{WORK}/{name}.ate.gen"
        write(src, p, format="gen")
        ref = read(src, format="gen")
        if convert(src, dst):
            compare(f"{name} gen ase->ate", ref, read(dst, format="gen"), check_info=False, check_tags=False)
        # ATEscreen's own POSCAR keeps FixCartesian masks (selective dynamics per component)
        mixed = f"{WORK}/{name}.mask.extxyz"
        write_extxyz(mixed, p)
        if convert(mixed, f"{WORK}/POSCAR_{name}.ate") and convert(f"{WORK}/POSCAR_{name}.ate", f"{WORK}/{name}.mask2.extxyz"):
            compare(f"{name} selective dynamics via ATEscreen POSCAR", p, read(f"{WORK}/{name}.mask2.extxyz"),
                    check_info=False, check_tags=False)
    # a molecule as a gen cluster (type C)
    if not atoms.pbc.any():
        if convert(dst, f"{WORK}/{name}.cluster.gen"):
            b = read(f"{WORK}/{name}.cluster.gen", format="gen")
            if np.abs(b.positions - atoms.positions).max() > TOL or b.pbc.any():
                failures.append(f"{name}: gen cluster lost positions or gained periodicity")
    # plain xyz keeps species and positions
    xyz = f"{WORK}/{name}.plain.xyz"
    if convert(dst, xyz, "--format", "xyz"):
        b = read(xyz, format="xyz")
        if np.abs(b.positions - atoms.positions).max() > TOL or (b.numbers != atoms.numbers).any():
            failures.append(f"{name}: plain xyz lost positions")

# multi-frame trajectory
traj = [molecule("H2O"), molecule("NH3"), molecule("CH4")]
write(f"{WORK}/traj.ase.extxyz", traj, format="extxyz")
if convert(f"{WORK}/traj.ase.extxyz", f"{WORK}/traj.ate.extxyz", "--all"):
    got = read(f"{WORK}/traj.ate.extxyz", index=":")
    if len(got) != 3:
        failures.append(f"trajectory: {len(got)} frames")
    for k, (a, b) in enumerate(zip(traj, got)):
        compare(f"frame {k}", a, b, check_info=False)

for f in failures:
    print("FAIL", f)
print(f"ase_roundtrip: largest difference {worst:.2e} Å; {'OK' if not failures else str(len(failures)) + ' failures'}")
sys.exit(1 if failures else 0)
