#!/usr/bin/python3
"""Periodic test cells (DFTB+ gen, Å) for the periodic GFN1-xTB regression (tests/xtb/periodic).

usage: /usr/bin/python3 tests/xtb/periodic/make_cells.py [OUTDIR]

Graphene N x N (N = 1..6) as in ../shared/reference/gfn1-xtb.md §16.2: a = 2.46 Å, c = 20 Å,
basis atoms (0, 0, 10) and (1.23, 0.710140831103, 10), replicated over i a1 + j a2 (i outer,
j inner). FeO on graphene 3x3 as in the spec (Fe 1.55 Å above the hexagon centre, O 1.65 Å
above Fe). FeN4 in N x N graphene (N = 4, 5): a divacancy (the two atoms of cell (N/2, N/2)
removed), its four neighbours N, Fe at the vacancy centre in the plane; with *OH: O 1.80 Å
above Fe, H 0.97 Å from O tilted along x (Fe-O-H about 124 degrees).
"""
import math
import os
import sys

A1 = (2.46, 0.0, 0.0)
A2 = (1.23, 2.130422493310, 0.0)
BASIS = ((0.0, 0.0), (1.23, 0.710140831103))


def graphene(n):
    atoms = []
    for i in range(n):
        for j in range(n):
            for bx, by in BASIS:
                atoms.append(["C", bx + i * A1[0] + j * A2[0], by + j * A2[1], 10.0])
    cell = [[n * A1[0], 0.0, 0.0], [n * A2[0], n * A2[1], 0.0], [0.0, 0.0, 20.0]]
    return atoms, cell


def index(n, i, j, b):
    return ((i % n) * n + (j % n)) * 2 + b


def fen4(n, oh):
    atoms, cell = graphene(n)
    c = n // 2
    a, b = index(n, c, c, 0), index(n, c, c, 1)
    fe = [0.5 * (atoms[a][k] + atoms[b][k]) for k in (1, 2, 3)]
    # neighbours of A(c,c): B(c,c), B(c-1,c), B(c,c-1); of B(c,c): A(c,c), A(c+1,c), A(c,c+1)
    for i, j, t in ((c - 1, c, 1), (c, c - 1, 1), (c + 1, c, 0), (c, c + 1, 0)):
        atoms[index(n, i, j, t)][0] = "N"
    atoms = [x for k, x in enumerate(atoms) if k not in (a, b)]
    atoms.append(["Fe"] + fe)
    if oh:
        o = [fe[0], fe[1], fe[2] + 1.80]
        ang = math.radians(124.0 - 90.0)
        atoms.append(["O"] + o)
        atoms.append(["H", o[0] + 0.97 * math.cos(ang), o[1], o[2] + 0.97 * math.sin(ang)])
    return atoms, cell


def feo_g3():
    atoms, cell = graphene(3)
    atoms.append(["Fe", 2.46, 1.420281662206, 11.55])
    atoms.append(["O", 2.46, 1.420281662206, 13.20])
    return atoms, cell


def write_gen(path, atoms, cell):
    species = []
    for a in atoms:
        if a[0] not in species:
            species.append(a[0])
    with open(path, "w") as f:
        f.write("%d S\n%s\n" % (len(atoms), " ".join(species)))
        for k, a in enumerate(atoms):
            f.write("%d %d %20.12f %20.12f %20.12f\n" % (k + 1, species.index(a[0]) + 1, *a[1:]))
        f.write("%20.12f %20.12f %20.12f\n" % (0.0, 0.0, 0.0))
        for v in cell:
            f.write("%20.12f %20.12f %20.12f\n" % tuple(v))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    cells = {"graphene_%dx%d" % (n, n): graphene(n) for n in (1, 2, 3, 4, 5, 6, 8)}
    cells["feo_g3"] = feo_g3()
    for n in (4, 5):
        cells["fen4_g%d" % n] = fen4(n, False)
        cells["fen4oh_g%d" % n] = fen4(n, True)
    for name, (atoms, cell) in cells.items():
        write_gen(os.path.join(out, name + ".gen"), atoms, cell)
        print(name, len(atoms))


if __name__ == "__main__":
    main()
