#!/bin/bash
# Re-run xtb 6.5.1 with make_refs.sh into a scratch directory and compare every stored energy
# and gradient with the fresh run: the references in tests/xtb/refs (molecules) and
# tests/xtb/periodic/refs (cells) are real. Agreement to 1e-10
# Eh and 1e-10 Eh/bohr, not to the last printed digit: xtb's last digits (and gradient entries
# that are zero by symmetry, ~1e-16) depend on the CPU's BLAS kernels.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
rm -rf "$out"
sh "$here/make_refs.sh" "$out" > /dev/null
sh "$here/make_refs.sh" "$out/periodic" periodic > /dev/null
status=0
for ref in "$here"/refs/*.ref "$here"/periodic/refs/*.ref; do
  name=$(basename "$ref" .ref)
  stored=$(dirname "$ref") fresh=$out
  case $ref in "$here"/periodic/*) fresh=$out/periodic ;; esac
  if ! /usr/bin/python3 - "$ref" "$fresh/$name.ref" "$stored/$name.gradient" "$fresh/$name.gradient" <<'PY'
import re, sys
def nums(path, skip_comments):
    text = open(path).read().replace("D", "E")
    lines = [l for l in text.splitlines() if not (skip_comments and l.startswith("#"))]
    words = [w for l in lines for w in l.split()]
    vals = []
    for w in words:
        try:
            vals.append(float(w))
        except ValueError:
            vals.append(w)
    return vals
for a, b, comments in ((sys.argv[1], sys.argv[2], True), (sys.argv[3], sys.argv[4], False)):
    x, y = nums(a, comments), nums(b, comments)
    if len(x) != len(y):
        sys.exit(1)
    for u, v in zip(x, y):
        if isinstance(u, float) != isinstance(v, float):
            sys.exit(1)
        if isinstance(u, float) and abs(u - v) > 1e-10:
            sys.exit(1)
        if not isinstance(u, float) and u != v:
            sys.exit(1)
PY
  then
    echo "DIFFERS: $name"; status=1
  fi
done
echo "xtb_refs_live: $(ls "$here"/refs/*.ref | wc -l) molecules and $(ls "$here"/periodic/refs/*.ref | wc -l) cells compared"
exit $status
