#!/bin/sh
# Reference energies and gradients from xtb 6.5.1 (Debian `xtb`).
# usage: sh tests/xtb/make_refs.sh [OUTDIR [periodic]]
#   molecules (default): tests/xtb/molecules/*.xyz listed in molecules.tsv, OUTDIR tests/xtb/refs;
#   periodic: the cells tests/xtb/periodic/*.gen (from periodic/make_cells.py) listed in
#   periodic/cells.tsv, OUTDIR tests/xtb/periodic/refs (xtb reads gen cells reliably).
# Each structure: xtb FILE --gfn 1 --chrg Q --uhf U --acc 0.0001 --grad in a scratch directory;
# OUTDIR/NAME.ref gets the printed energies (Eh) and OUTDIR/NAME.gradient xtb's gradient file.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${2:-}" = periodic ]; then
  list=$here/periodic/cells.tsv dir=$here/periodic ext=gen out=${1:-$here/periodic/refs}
else
  list=$here/molecules.tsv dir=$here/molecules ext=xyz out=${1:-$here/refs}
fi
mkdir -p "$out"
xtb --version 2>/dev/null | grep -q "version 6.5.1" || { echo "make_refs: needs xtb 6.5.1" >&2; exit 1; }
tail -n +2 "$list" | while IFS="$(printf '\t')" read -r name chrg uhf; do
  work=$(mktemp -d)
  cp "$dir/$name.$ext" "$work/"
  (cd "$work" && OMP_NUM_THREADS=1 xtb "$name.$ext" --gfn 1 --chrg "$chrg" --uhf "$uhf" --acc 0.0001 --grad > xtb.out 2>&1)
  {
    echo "# xtb 6.5.1 --gfn 1 --chrg $chrg --uhf $uhf --acc 0.0001 --grad, $(date -u +%Y-%m-%d)"
    awk '/:: total energy/ {print "total", $4}
         /:: SCC energy/ {print "scc", $4}
         /-> electrostatic/ {print "electrostatic", $4}
         /:: repulsion energy/ {print "repulsion", $4}
         /:: dispersion energy/ {print "dispersion", $4}
         /:: halogen bond corr./ {print "halogen", $5}' "$work/xtb.out"
  } > "$out/$name.ref"
  cp "$work/gradient" "$out/$name.gradient"
  rm -rf "$work"
  echo "$name: $(grep '^total' "$out/$name.ref")"
done
