#!/bin/bash
# Re-run xtb 6.5.1 with make_refs.sh into a scratch directory and compare every stored energy
# with the fresh run (to the printed 12 decimals): the references in tests/xtb/refs are real.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
rm -rf "$out"
sh "$here/make_refs.sh" "$out" > /dev/null
status=0
for ref in "$here"/refs/*.ref; do
  name=$(basename "$ref" .ref)
  if ! diff <(grep -v '^#' "$ref") <(grep -v '^#' "$out/$name.ref") > /dev/null 2>&1 ||
     ! diff "$here/refs/$name.gradient" "$out/$name.gradient" > /dev/null 2>&1; then
    echo "DIFFERS: $name"; status=1
  fi
done
echo "xtb_refs_live: $(ls "$here"/refs/*.ref | wc -l) molecules compared"
exit $status
