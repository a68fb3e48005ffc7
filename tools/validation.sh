#!/usr/bin/env bash
# Runs the paper's five tests as reported in docs/validation.md and draws their
# figures into docs/figures/validation/. Sizes are reduced where a full-Boltzmann
# reference would not fit a 2-core machine (see docs/validation.md); about 15 minutes.
#   bash tools/validation.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
strata="$build/bin/strata"
out=out/validation
figs=docs/figures/validation
mkdir -p "$out" "$figs"
plot() {  # run folder, figure prefix
  /usr/bin/python3 tools/plot_case.py "$1" --quiet
  for f in "$1"/fields_t*.png "$1"/profiles.png; do
    [ -e "$f" ] && cp "$f" "$figs/$2_$(basename "$f")"
  done
}
# Test 1: Sod, hybrid against layer 0 and layer 2 (y-uniform: 2 cells across, 16^3 velocities).
sod="--set mesh.ny=2 --set mesh.y=[0,0.02] --set velocity.n=16 --set time.cfl=0.8"
"$strata" compare cases/sod.json --modes hybrid,layer0,layer2 --indicators realizability,knudsen_gradient $sod -q --out "$out/sod" | tee "$out/sod.txt"
plot "$out/sod/hybrid_realizability" sod_hybrid
# Tests 4 and 5: hybrid against the full-Boltzmann reference (test 4 on 50 x 50 cells).
"$strata" compare cases/round_obstacle.json --modes hybrid,layer0,layer2 --set mesh.nx=50 --set mesh.ny=50 -q --out "$out/round_obstacle" | tee "$out/round_obstacle.txt"
plot "$out/round_obstacle/hybrid" round_obstacle_hybrid
"$strata" compare cases/nonuniform_knudsen.json --modes hybrid,layer0,layer2 -q --out "$out/nonuniform_knudsen" | tee "$out/nonuniform_knudsen.txt"
plot "$out/nonuniform_knudsen/hybrid" nonuniform_knudsen_hybrid
# Tests 2 and 3: hybrid and Euler at the paper's resolution (no full-Boltzmann reference here).
for c in rect_obstacle moving_object; do
  "$strata" compare cases/$c.json --modes hybrid,layer0 --reference layer0 -q --out "$out/$c" | tee "$out/$c.txt"
  plot "$out/$c/hybrid" ${c}_hybrid
done
echo "figures in $figs, tables in $out/*.txt"
