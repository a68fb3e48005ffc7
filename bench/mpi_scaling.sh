#!/usr/bin/env bash
# MPI ranks on one machine (docs/performance.md, "MPI ranks"): a case on 1 rank, on
# N ranks with repartitioning and on N ranks without, one thread per rank; prints the
# run's wall seconds, the parallel efficiency, the measured imbalance and the bytes
# the root rank sent per step.
#   bench/mpi_scaling.sh [CASE] [N] [--set ...]      (default: rect_obstacle 2)
set -euo pipefail
cd "$(dirname "$0")/.."
case=${1:-rect_obstacle}
n=${2:-2}
shift $(( $# > 2 ? 2 : $# ))
settings=("$@")
[ ${#settings[@]} -eq 0 ] && settings=(--set mesh.nx=100 --set mesh.ny=100 --set time.end=0.1 --set "output.times=[0.05,0.1]")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
bin=build/bin/strata
"$bin" run "cases/$case.json" "${settings[@]}" --threads 1 -q --out "$out/1"
mpirun -np "$n" --oversubscribe "$bin" run "cases/$case.json" "${settings[@]}" --threads 1 -q --out "$out/n"
mpirun -np "$n" --oversubscribe "$bin" run "cases/$case.json" "${settings[@]}" --threads 1 -q --rebalance 0 --out "$out/n0"
/usr/bin/python3 - "$out" "$n" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
s = {k: json.load(open("%s/%s/summary.json" % (out, k))) for k in ("1", "n", "n0")}
t1 = s["1"]["wall_seconds"]["total"]
print("steps %d, cell-steps per layer %s" % (s["1"]["steps"], s["1"]["cell_steps"]))
for k, label in (("1", "1 rank"), ("n", "%d ranks, rebalancing" % n), ("n0", "%d ranks, fixed partition" % n)):
    r = s[k]["ranks"]
    t = s[k]["wall_seconds"]["total"]
    b = r["bytes_sent_by_root"]
    steps = s[k]["steps"]
    print("%-26s %8.2f s  efficiency %.2f  imbalance run %.3f (last 10 steps %.3f)  rebalances %d  "
          "root sent per step: stage %.0f kB, sharing %.0f kB, migration %.0f kB in all"
          % (label, t, t1 / (t * (1 if k == "1" else n)), r["imbalance"]["run"], r["imbalance"]["last_10_steps"],
             r["rebalances"], b["stage_exchange"] / steps / 1e3, b["sharing"] / steps / 1e3, b["migration"] / 1e3))
print("costs per cell-step (s), layers 0/1/2:", ["%.3g" % c for c in s["n"]["ranks"]["cost_per_cell_step"]])
PY
rm -rf "$out"
