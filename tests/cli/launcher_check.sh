#!/bin/sh
# The atescreen launcher: no MPI or HDF5 library among the libraries it loads; calc (gfn1) and
# --version in-process; run, merge, sites and calc --method pw exec atescreen-mpi; a copy
# without atescreen-mpi beside it runs calc but refuses run with a clear error.
# usage: launcher_check.sh ATESCREEN SOURCE_DIR WORK_DIR
set -u
exe=$1 src=$2 work=$3
fails=0 checks=0
check() { # check NAME COMMAND...: the command must succeed
    name=$1
    shift
    checks=$((checks + 1))
    if ! "$@"; then
        echo "FAIL $name"
        fails=$((fails + 1))
    fi
}
rm -rf "$work" && mkdir -p "$work/copy"

libs=$(ldd "$exe")
mpi=$(printf '%s\n' "$libs" | grep -E 'libmpi|libopen-(pal|rte)|libpmix|libhdf5')
check "the launcher loads no MPI/HDF5 library: $mpi" test -z "$mpi"
check "--version" sh -c "'$exe' --version | grep -q '^atescreen [0-9]'"
check "calc in-process" sh -c "'$exe' calc '$src/tests/xtb/molecules/h2o.xyz' --method gfn1 --json \
    | grep -q '\"converged\": true'"
check "merge --help via atescreen-mpi" sh -c "'$exe' merge --help | grep -q 'usage: atescreen merge'"
check "sites --help via atescreen-mpi" sh -c "'$exe' sites --help | grep -q 'usage: atescreen sites'"
check "calc --method pw via atescreen-mpi" sh -c "'$exe' calc '$src/tests/pw/cases/si2_lda.extxyz' \
    --method pw --ecut 4 --xc lda --smearing none --max-iter 5 --json 2>/dev/null \
    | grep -q '\"magnetization\"'"
check "calc --method dftb: unknown method, from atescreen-mpi (exit 2)" sh -c "
    '$exe' calc '$src/tests/xtb/molecules/h2o.xyz' --method dftb 2> '$work/dftb.err'
    test \$? -eq 2 && grep -q \"unknown method 'dftb' (available: gfn1, pw)\" '$work/dftb.err'"
check "run: usage error from atescreen-mpi (exit 2)" sh -c "'$exe' run 2>/dev/null; test \$? -eq 2"

cp "$exe" "$work/copy/atescreen"
check "copy: calc still runs" sh -c "'$work/copy/atescreen' calc '$src/tests/xtb/molecules/h2o.xyz' \
    --method gfn1 --json >/dev/null"
"$work/copy/atescreen" run x.yaml > /dev/null 2> "$work/copy/err"
rc=$?
check "copy: run without atescreen-mpi exits 1 (got $rc)" test "$rc" -eq 1
check "copy: the error names atescreen-mpi" grep -q "needs the MPI program atescreen-mpi" \
    "$work/copy/err"

echo "cli_launcher: $checks checks, $fails failed"
test "$fails" -eq 0
