#!/usr/bin/env bash
# From a fresh machine to results: installs what is missing, builds, runs the
# paper's Sod test (layer 0) and draws its figures into out/sod/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
build/bin/strata run cases/sod.json --set regime.mode=layer0 --out out/sod
/usr/bin/python3 tools/plot_case.py out/sod
echo "results: out/sod (summary.json, history.csv, profile_*.csv, snapshots.pvd, *.png)"
