#!/usr/bin/python3
"""Every bad structure-file input gives one exact error line and exit status 2.

usage: bad_inputs.py ATESCREEN_EXE WORKDIR

Each case writes a file, runs `atescreen convert FILE out.extxyz` and compares stderr with the
expected text exactly ("{f}" stands for the file's path). A final case checks that the checker
itself fails on a wrong expectation.
"""
import os
import subprocess
import sys

EXE, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)

WATER = "O 0 0 0\nH 0.9572 0 0\nH -0.24 0.927 0\n"
CELL = 'Lattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"'
POSCAR_HEAD = "test\n1.0\n5 0 0\n0 5 0\n0 0 5\n"
CASES = [
    # (name, content or None for a missing file, expected message after "atescreen: error: ")
    ("missing.xyz", None, "{f}: cannot open the file: No such file or directory"),
    ("empty.xyz", "", "{f}: file is empty"),
    ("unknown.dat", "hello\nworld\n", "{f}:1: cannot recognise the format (expected extxyz, xyz, POSCAR or gen)"),
    ("count.xyz", "-3\nwater\n" + WATER, "{f}:1: natoms: expected the number of atoms (a positive integer), got '-3'"),
    ("truncated.xyz", "4\nwater\n" + WATER, "{f}:5: atoms: file ends after 3 of 4 atom lines"),
    ("number.xyz", "3\nwater\nO 0 0 0\nH 0.9572 1.2.3 0\nH -0.24 0.927 0\n", "{f}:4: y: cannot parse '1.2.3' as a number"),
    ("columns.xyz", "3\nwater\nO 0 0\nH 0.9572 0 0\nH -0.24 0.927 0\n", "{f}:3: atoms: expected 4 columns, found 3"),
    ("element.xyz", "3\nwater\nO 0 0 0\nXx 0.9572 0 0\nH -0.24 0.927 0\n", "{f}:4: species: unknown element 'Xx'"),
    ("overlap.xyz", "3\nwater\nO 0 0 0\nH 0.9572 0 0\nH 0.2 0.2 0\n",
     "{f}:5: positions: atoms 1 (O) and 3 (H) are 0.283 Å apart (minimum 0.5 Å)"),
    ("parity.extxyz", "3\nProperties=species:S:1:pos:R:3 uhf=1\n" + WATER,
     "{f}:2: uhf: 10 electrons (charge +0) cannot have 1 unpaired electrons: an even electron count "
     "needs an even number of unpaired electrons"),
    ("negative.extxyz", "3\nProperties=species:S:1:pos:R:3 charge=11\n" + WATER,
     "{f}:2: charge: charge +11 leaves a negative number of electrons (-1): the nuclear charge is only 10"),
    ("fraccharge.extxyz", "3\nProperties=species:S:1:pos:R:3 charge=0.5\n" + WATER,
     "{f}:2: charge: charge must be an integer, got '0.5'"),
    ("singular.extxyz", '3\nLattice="5 0 0 0 5 0 5 5 0" Properties=species:S:1:pos:R:3\n' + WATER,
     "{f}:2: cell: cell is singular (volume 0 Å^3): its lattice vectors are linearly dependent"),
    ("lattice.extxyz", '3\nLattice="5 0 0 0 5 0 0 0" Properties=species:S:1:pos:R:3\n' + WATER,
     "{f}:2: Lattice: Lattice needs 9 numbers, found 8"),
    ("properties.extxyz", "3\nProperties=species:S:1:pos:Q:3\n" + WATER,
     "{f}:2: Properties: malformed Properties 'species:S:1:pos:Q:3' (expected name:type:columns triplets, type S, R, I or L)"),
    ("nopos.extxyz", "3\nProperties=species:S:1:x:R:3\n" + WATER,
     "{f}:2: Properties: Properties must contain species (or Z) and pos"),
    ("quote.extxyz", '3\n' + CELL + ' name="unterminated\n' + WATER,
     "{f}:2: comment: malformed key=value pair (unterminated quote?)"),
    ("pbc.extxyz", '3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T X T"\n' + WATER,
     "{f}:2: pbc: pbc must be three of T/F, got 'T X T'"),
    ("image.extxyz", '1\nLattice="0.3 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nH 0 0 0\n',
     "{f}:3: cell: atom 1 (H) is 0.300 Å from its own periodic image (minimum 0.5 Å): the cell is too small"),
    ("movemask.extxyz", "3\nProperties=species:S:1:pos:R:3:move_mask:L:1\nO 0 0 0 T\nH 0.9572 0 0 maybe\nH -0.24 0.927 0 T\n",
     "{f}:4: move_mask: expected T or F, got 'maybe'"),
    ("POSCAR_vasp4", POSCAR_HEAD + "2\nDirect\n0 0 0\n0.5 0.5 0.5\n",
     "{f}:6: symbols: no element symbols line (VASP 4 format): add a line with the symbols before the counts"),
    ("POSCAR_counts", POSCAR_HEAD + "Fe N\n1\nDirect\n0 0 0\n", "{f}:7: counts: 2 element symbols but 1 counts"),
    ("POSCAR_element", POSCAR_HEAD + "Fe Qq\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n", "{f}:6: symbols: unknown element 'Qq'"),
    ("POSCAR_mode", POSCAR_HEAD + "Fe\n1\nFractional\n0 0 0\n", "{f}:8: coordinates: expected 'Direct' or 'Cartesian', got 'Fractional'"),
    ("POSCAR_short", POSCAR_HEAD + "Fe N\n1 2\nDirect\n0 0 0\n0.5 0.5 0.5\n", "{f}:10: positions: file ends after 2 of 3 atoms"),
    ("POSCAR_sd", POSCAR_HEAD + "Fe\n1\nSelective dynamics\nDirect\n0 0 0 T X T\n",
     "{f}:10: selective dynamics: expected T or F, got 'X'"),
    ("POSCAR_overlap", POSCAR_HEAD + "Fe N\n1 1\nDirect\n0 0 0\n0.99 0 0\n",
     "{f}:10: positions: atoms 1 (Fe) and 2 (N) are 0.050 Å apart (minimum 0.5 Å)"),
    ("POSCAR_scale", "test\n0\n5 0 0\n0 5 0\n0 0 5\nFe\n1\nDirect\n0 0 0\n", "{f}:2: scale: scale factor must not be zero"),
    ("species.gen", "# water\n3 C\nO Qq\n1 1 0 0 0\n2 2 0.9572 0 0\n3 2 -0.24 0.927 0\n",
     "{f}:3: species: unknown element 'Qq'"),
    ("spindex.gen", "3 C\nO H\n1 1 0 0 0\n2 3 0.9572 0 0\n3 2 -0.24 0.927 0\n",
     "{f}:4: species: species number '3' is not in 1..2"),
    ("number.gen", "3 C\nO H\n1 1 0 0 0\n2 2 0.9572 0 0\n3 2 -0.24 0.9x27 0\n",
     "{f}:5: y: cannot parse '0.9x27' as a number"),
    ("short.gen", "3 S\nO H\n1 1 0 0 0\n2 2 0.9572 0 0\n3 2 -0.24 0.927 0\n0 0 0\n5 0 0\n0 5 0\n",
     "{f}:8: lattice: file ends after 3 of 3 atoms and the 4 cell lines"),
    ("lattice.gen", "3 F\nO H\n1 1 0 0 0\n2 2 0.2 0 0\n3 2 0 0.2 0\n0 0 0\n5 0 0\n0 5 0\n0 0 five\n",
     "{f}:9: lattice: cannot parse 'five' as a number"),
    ("overlap.gen", "2 F\nFe N\n1 1 0 0 0\n2 2 0.99 0 0\n0 0 0\n5 0 0\n0 5 0\n0 0 5\n",
     "{f}:4: positions: atoms 1 (Fe) and 2 (N) are 0.050 Å apart (minimum 0.5 Å)"),
]


def run(path):
    r = subprocess.run([EXE, "convert", path, os.path.join(WORK, "out.extxyz")], capture_output=True, text=True)
    # exactly one error line from ATEscreen; other lines (an MPI runtime's warnings) are not ours
    ours = [l for l in r.stderr.splitlines() if l.startswith("atescreen:")]
    return r.returncode, "\n".join(ours)


failures = 0
for name, content, want in CASES:
    path = os.path.join(WORK, name)
    if content is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        with open(path, "w") as f:
            f.write(content)
    code, err = run(path)
    expected = "atescreen: error: " + want.format(f=path)
    if code != 2 or err != expected:
        failures += 1
        print(f"FAIL {name}: exit {code}\n   got: {err}\n  want: {expected}")
# the checker can fail: a wrong expectation must not match
code, err = run(os.path.join(WORK, "element.xyz"))
if err == "atescreen: error: " + CASES[7][2].format(f=os.path.join(WORK, "element.xyz")).replace("Xx", "Yy"):
    failures += 1
    print("FAIL self-test: a wrong expectation matched")
print(f"bad_inputs: {len(CASES)} cases, {failures} failures")
sys.exit(1 if failures else 0)
