#!/usr/bin/env bash
# Cost of one cell-step in each layer, from the program's own phase timings:
#   bench/layer_costs.sh [BUILD_DIR]      (prints one JSON object per configuration)
#   THREADS=1 bench/layer_costs.sh ...    (OpenMP threads; default: all cores)
#   STEPS=40 bench/layer_costs.sh ...     (about that many steps per run; default 10)
# Runs cases/conservation_box.json (periodic, far from equilibrium) to t = STEPS x
# 0.00625 (steps of dt ≈ 0.1 dx; each line reports its steps) on a 16 x 16 mesh, in
# layer 0, 1 and 2 at N = 16 and N = 32. On a shared
# machine the 0.2 s phases of 10 steps at 16³ vary by tens of percent from run to run:
# to compare two builds, run them alternately (bench/compare_builds.sh does, with the
# minimum and median of several pairs), with STEPS=40. Not many more: at this
# Courant number the layer-1 box at 16³ loses positivity after about 45 steps (docs/
# numerics.md, "Time step"), and a run that stops prints its error line instead.
# Kinetic lines add the engine's share of the cost (the layer's seconds outside its
# collision model's calls) and docs/performance.md's cost model for it; layer-1 lines
# add the same for the whole step. Each figure with measured / figure:
# - bound: the bytes per velocity point of the timed phases (layer 1: 160, its engine's
#   share 128; layer 2's engine share 144) at the STREAM triad of bench/stream with the
#   same threads;
# - floor and no_overlap: per phase, the larger (floor) or the sum (no_overlap) of its
#   bytes at that triad and its arithmetic at the speed of its kernels in cache
#   (bench/toolkit_kernels, one thread, the fastest of three invocations in these
#   minutes, divided among the threads: THREADS, or nproc when unset, which assumes
#   that the threads scale and counts SMT siblings as cores), summed over the phases,
#   which run one after the other between barriers: the transport with the bookkeeping
#   it does as each cell's q is complete (80 B and four faces, plus 48 B and
#   pr222_bookkeeping; layer 2: 64 B with E(Y)/eps into q, whose few operations per
#   value are left out) and the ES-BGK step (32 B, two stages of stress_moments and
#   discrete_gaussian_blend). The floor is what today's kernels would
#   cost if each phase hid the smaller of the two behind the larger, no_overlap what
#   they cost if it hid nothing; neither bounds other kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${1:-build}/bin/strata
steps=${STEPS:-10}
if ! [[ $steps =~ ^[1-9][0-9]*$ ]]; then echo "layer_costs.sh: STEPS=$steps; expected a positive whole number" >&2; exit 2; fi
end=$(/usr/bin/python3 -c "print($steps * 0.00625)")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
triad=$(OMP_NUM_THREADS=${THREADS:-$(nproc)} "${1:-build}/bin/stream" 512 10 | /usr/bin/python3 -c "
import json, sys
print(max(json.loads(l)['gb_per_s'] for l in sys.stdin if json.loads(l)['kernel'] == 'triad'))")
kernels=$work/kernels.json
for _ in 1 2 3; do "${1:-build}/bin/toolkit_kernels" 16 32; done > "$kernels"
common="--set mesh.nx=16 --set mesh.ny=16 --set time.end=$end --set time.cfl=0.8 --set output.times=[$end] --set output.snapshots=false --set output.profiles=false -q --threads ${THREADS:-0}"
run() {  # label mode N
  if ! "$strata" run cases/conservation_box.json --set regime.mode="$2" --set velocity.n="$3" $common --out "$work/$1" 2> "$work/$1.err"; then
    /usr/bin/python3 -c 'import json, sys; print(json.dumps({"config": sys.argv[1], "error": open(sys.argv[2]).read().strip().splitlines()[-1]}))' "$1" "$work/$1.err"
    return
  fi
  /usr/bin/python3 - "$work/$1/summary.json" "$1" "$2" "$3" "${THREADS:-0}" "$triad" "$kernels" "$(nproc)" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ns = {}  # the fastest invocation's seconds per point, per kernel and grid
for k in map(json.loads, open(sys.argv[7])):
    key = (k["kernel"], k["velocity_n"])
    ns[key] = min(ns.get(key, float("inf")), k["ns_per_point"] * 1e-9)
threads = int(sys.argv[5]) or int(sys.argv[8])
layer = int(sys.argv[3][-1])
n, triad = int(sys.argv[4]), float(sys.argv[6])
cell_steps = s["cell_steps"][layer]
w = s["wall_seconds"]
cost = w[f"layer{layer}"] / cell_steps
line = {"config": sys.argv[2], "threads": int(sys.argv[5]) or "all", "layer": layer, "velocity_n": n,
        "cell_steps": cell_steps, "steps": s["steps"], "seconds_per_cell_step": round(cost, 9),
        "coupling_seconds": round(w["coupling"], 4), "total_seconds": round(w["total"], 3),
        "peak_memory_kib": s["peak_memory_kib"]}
if layer > 0:
    # The engine's share: transport, halo and IMEX bookkeeping of the layer's cells, whose
    # bytes per point in the cost model are 128 (transport 80, bookkeeping 48 with q and
    # Y in cache) and for layer 2 16 more (E(Y) read into q).
    engine = (w[f"layer{layer}"] - w[f"layer{layer}_collision_model"]) / cell_steps
    memory = lambda b: b * n**3 / (triad * 1e9)  # seconds to move b bytes per point
    arithmetic = lambda *k: sum(ns[(name, n)] for name in k) * n**3 / threads
    # (bytes, arithmetic) per phase: transport with the bookkeeping; the ES-BGK step
    engine_phases = [(memory(128 if layer == 1 else 144), 4 * arithmetic("transport_face") + arithmetic("pr222_bookkeeping"))]
    def figures(prefix, measured, bytes_per_point, phases):
        out = {}
        for name, value in (("bound", memory(bytes_per_point)), ("floor", sum(max(p) for p in phases)),
                            ("no_overlap", sum(sum(p) for p in phases))):
            out[f"{prefix}{name}_seconds"] = float(f"{value:.3g}")
            out[f"{prefix}measured_over_{name}"] = round(measured / value, 2)
        return out
    line["engine_seconds_per_cell_step"] = float(f"{engine:.3g}")
    line.update(figures("engine_", engine, 128 if layer == 1 else 144, engine_phases))
    line["triad_gb_per_s"] = triad
    if layer == 1:
        model = (memory(32), 2 * arithmetic("stress_moments", "discrete_gaussian_blend"))
        line.update(figures("", cost, 160, engine_phases + [model]))
print(json.dumps(line))
PY
}
run euler layer0 16
run esbgk_n16 layer1 16
run esbgk_n32 layer1 32
run boltzmann_n16 layer2 16
run boltzmann_n32 layer2 32
