#!/usr/bin/python3
"""inputs/examples/mn4-3d-metals.yaml: MN4, MN3C and the three MN2C2 isomers for Sc-Zn.
usage: check_mn4_example.py DIR   (the output of `atescreen sites ... --no-adsorbates`)"""
import collections
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1] + "/index.tsv"), delimiter="\t"))
names = collections.Counter(r["name"] for r in rows if r["state"] == "clean")
metals = "Sc Ti V Cr Mn Fe Co Ni Cu Zn".split()
want = {f"{m}-{s}": n for m in metals for s, n in (("N4", 1), ("N3C1", 1), ("N2C2", 3))}
bad = {k: (names.get(k, 0), v) for k, v in want.items() if names.get(k, 0) != v}
extra = set(names) - set(want)
print(f"{sum(names.values())} candidates; wrong counts {bad}; unexpected {sorted(extra)}")
sys.exit(1 if bad or extra or sum(names.values()) != 50 else 0)
