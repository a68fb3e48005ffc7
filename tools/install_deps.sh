#!/usr/bin/env bash
# Installs the Debian packages Strata builds and plots with, if any is missing.
set -euo pipefail
packages=(build-essential cmake pkg-config libboost-dev libboost-program-options-dev
          nlohmann-json3-dev libspdlog-dev doctest-dev libfftw3-dev libhdf5-dev
          python3-matplotlib python3-numpy python3-h5py python3-jsonschema
          libopenmpi-dev openmpi-bin libtrilinos-zoltan-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
