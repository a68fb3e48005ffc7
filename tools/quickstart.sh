#!/usr/bin/env bash
# From a fresh machine to results: installs what is missing, builds, runs the paper's
# Sod test (test 1) with the hybrid method — Euler, ES-BGK and Boltzmann cells chosen
# by the realizability indicator, 16^3 velocities instead of the paper's 32^3 to keep
# it under a minute — and draws its figures, with the exact solution, into out/sod/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
build/bin/strata run cases/sod.json --set velocity.n=16 --set time.cfl=0.8 --out out/sod
/usr/bin/python3 tools/plot_case.py out/sod
build/bin/sod_exact > out/sod/exact.csv
/usr/bin/python3 tools/compare_profiles.py out/sod/against_exact.png "exact Euler (Riemann)=out/sod/exact.csv" \
  "hybrid=out/sod/profile_0.2.csv" --title "Sod, t = 0.2: hybrid against the exact Riemann solution"
echo "results: out/sod (summary.json, history.csv, profile_*.csv, snapshots.pvd, *.png)"
