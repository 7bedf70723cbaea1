#!/usr/bin/env bash
# Install ATEscreen's build and test dependencies on Debian 12 (as root), only what is missing.
# Used by both README commands and by CI. Safe to re-run.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git
      libopenmpi-dev openmpi-bin libfftw3-dev libfftw3-mpi-dev libscalapack-openmpi-dev
      libhdf5-openmpi-dev libxc-dev libopenblas-dev liblapacke-dev libyaml-dev libsymspg-dev
      python3-ase python3-numpy python3-h5py python3-pandas xtb clang-format)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
