#!/usr/bin/env bash
# Two builds' cost per kinetic cell-step, run in alternation in the same minutes:
#   bench/compare_builds.sh BUILD_A BUILD_B     (each a build folder with bin/strata)
#   PAIRS=8      runs of each build (the order alternates: A B, B A, A B, ...)
#   LAYER=1      1 (ES-BGK) or 2 (Boltzmann)
#   N=16         velocity points per direction
#   STEPS=40     steps per run, about (the output says how many ran; at 16³ and this
#                Courant number the layer-1 box loses positivity after about 45:
#                docs/numerics.md, "Time step")
#   THREADS=2    OpenMP threads; THREADS_A, THREADS_B set them per build, so that
#                THREADS_A=1 THREADS_B=2 bench/compare_builds.sh build build measures
#                how one build scales from one thread to two: the scaling is the
#                inverse of the printed b_over_a_median
# On this machine a run's speed drifts by tens of percent from minute to minute
# (docs/performance.md), so one run of each build compares nothing: this script gives
# both builds the same minutes and prints, per build, the minimum and the median over
# the pairs of the layer's seconds per cell-step, of its collision model's share, of
# the engine's (transport, halo, bookkeeping) and of the coupling's outside the layer
# (moments for the fluid side and the outputs), then B's medians over A's. The case is
# cases/conservation_box.json (periodic, far from equilibrium), 16 × 16 cells in
# layer 1 and 8 × 8 in layer 2, Courant number 0.8.
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: bench/compare_builds.sh BUILD_A BUILD_B" >&2
  exit 2
fi
for build in "$1" "$2"; do
  if [[ ! -x $build/bin/strata ]]; then echo "compare_builds.sh: $build/bin/strata: not found (expected a build folder)" >&2; exit 2; fi
done
build_a=$(realpath "$1") build_b=$(realpath "$2")  # as the caller named them, before the cd
cd "$(dirname "$0")/.."
pairs=${PAIRS:-8} layer=${LAYER:-1} n=${N:-16} steps=${STEPS:-40} threads=${THREADS:-2}
threads_a=${THREADS_A:-$threads} threads_b=${THREADS_B:-$threads}
for name in PAIRS N STEPS THREADS THREADS_A THREADS_B; do
  value=${!name:-1}
  if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then echo "compare_builds.sh: $name=$value; expected a positive whole number" >&2; exit 2; fi
done
if [[ $layer != 1 && $layer != 2 ]]; then echo "compare_builds.sh: LAYER=$layer; expected 1 or 2" >&2; exit 2; fi
cells=$([[ $layer == 1 ]] && echo 16 || echo 8)
end=$(/usr/bin/python3 -c "print($steps * 0.1 / $cells)")  # Δt = 0.1 Δx at this Courant number
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {  # build label threads
  "$1/bin/strata" run cases/conservation_box.json --set regime.mode=layer"$layer" --set velocity.n="$n" \
    --set mesh.nx="$cells" --set mesh.ny="$cells" --set time.end="$end" --set time.cfl=0.8 \
    --set output.times="[$end]" --set output.snapshots=false --set output.profiles=false -q \
    --threads "$3" --out "$work/run" || { echo "compare_builds.sh: $1/bin/strata failed (above)" >&2; exit 1; }
  /usr/bin/python3 - "$work/run/summary.json" "$2" "$layer" >> "$work/runs.jsonl" <<'PY'
import json, sys
s, label, layer = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
w, cell_steps = s["wall_seconds"], s["cell_steps"][int(layer)]
whole, model = w[f"layer{layer}"] / cell_steps, w[f"layer{layer}_collision_model"] / cell_steps
print(json.dumps({"build": label, "layer": whole, "collision_model": model, "engine": whole - model,
                  "coupling": w["coupling"] / cell_steps, "steps": s["steps"]}))
PY
  rm -rf "$work/run"
}
for ((pair = 0; pair < pairs; ++pair)); do
  if ((pair % 2 == 0)); then run "$build_a" A "$threads_a"; run "$build_b" B "$threads_b"
  else run "$build_b" B "$threads_b"; run "$build_a" A "$threads_a"; fi
done
/usr/bin/python3 - "$work/runs.jsonl" "$build_a" "$build_b" "$layer" "$n" "$threads_a" "$threads_b" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
parts = ("layer", "collision_model", "engine", "coupling")
median = {}
for label, folder, threads in (("A", sys.argv[2], sys.argv[6]), ("B", sys.argv[3], sys.argv[7])):
    mine = [r for r in runs if r["build"] == label]
    line = {"build": label, "folder": folder, "layer": int(sys.argv[4]), "velocity_n": int(sys.argv[5]),
            "steps": sorted({r["steps"] for r in mine}), "threads": int(threads), "runs": len(mine)}
    for p in parts:
        values = [r[p] for r in mine]
        median[label, p] = statistics.median(values)
        line[f"{p}_min"] = float(f"{min(values):.3g}")
        line[f"{p}_median"] = float(f"{median[label, p]:.3g}")
    print(json.dumps(line))
print(json.dumps({"b_over_a_median": {p: round(median["B", p] / median["A", p], 3) for p in parts}}))
PY
