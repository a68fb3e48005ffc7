#!/usr/bin/env bash
# Short runs of every shipped case, to compare two builds' results (not their speed):
#   bench/regression_runs.sh STRATA OUTDIR       (THREADS=1 by default)
#   /usr/bin/python3 tools/compare_runs.py OUTDIR_A OUTDIR_B
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1 out=$2
mkdir -p "$out"
run() {  # name case [--set ...]
  local name=$1 case=$2
  shift 2
  "$bin" run "cases/$case.json" "$@" --threads "${THREADS:-1}" -q --out "$out/$name" > "$out/$name.log" 2>&1
  echo "$name rc=$?"
}
sod="--set velocity.n=16 --set mesh.nx=50 --set mesh.ny=4 --set time.end=0.03 --set output.times=[0.015,0.03]"
short="--set time.end=0.02 --set output.times=[0.01,0.02]"
run sod sod $sod
run sod_kg sod $sod --set 'indicator={"plugin":"knudsen_gradient"}'
run box conservation_box $short
run box_l2 conservation_box --set mesh.nx=8 --set mesh.ny=8 --set regime.mode=layer2 $short
run homog homogeneous_relaxation --set velocity.n=16 --set time.end=0.1 --set output.times=[0.05,0.1]
run mixeq mixture_near_equilibrium --set time.end=0.1 --set output.times=[0.05,0.1]
run mixrel mixture_relaxation --set time.end=0.2 --set output.times=[0.1,0.2]
run moving moving_object --set mesh.nx=40 --set mesh.ny=40 $short
run nonunif nonuniform_knudsen $short
run rect rect_obstacle --set mesh.nx=40 --set mesh.ny=40 $short
run round round_obstacle --set mesh.nx=40 --set mesh.ny=40 $short
run round_l0 round_obstacle --set mesh.nx=40 --set mesh.ny=40 --set regime.mode=layer0 --set time.end=0.05 --set output.times=[0.025,0.05]
