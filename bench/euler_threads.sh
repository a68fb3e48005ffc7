#!/usr/bin/env bash
# Thread scaling of the Euler layer, for one build or two in the same minutes:
#   bench/euler_threads.sh BUILD [BUILD_B]   (each a build folder with bin/strata)
#   ROUNDS=4     rounds; in each, every build runs on one thread and on two (the
#                builds' order and the threads' order alternate from round to round)
#   CELLS=256    cells per side of the box
# The case is cases/conservation_box.json in layer 0 to t = 0.1 (256 steps at 256 × 256
# cells); the figure is the layer's own phase (summary.json wall_seconds.layer0), which
# on the 16 × 16 box of bench/layer_costs.sh lasts a few milliseconds, too short to time.
# Prints one line per run (build A or B, threads, seconds), then per build the one-thread
# over two-thread ratio of each round and their median. This VM's speed drifts from
# minute to minute (docs/performance.md), so only pairs run in the same minutes compare.
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: bench/euler_threads.sh BUILD [BUILD_B]" >&2
  exit 2
fi
builds=()
for build in "$@"; do
  if [[ ! -x $build/bin/strata ]]; then echo "euler_threads.sh: $build/bin/strata: not found (expected a build folder)" >&2; exit 2; fi
  builds+=("$(realpath "$build")")
done
labels=(A B)
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-4} cells=${CELLS:-256}
for name in ROUNDS CELLS; do
  value=${!name:-1}
  if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then echo "euler_threads.sh: $name=$value; expected a positive whole number" >&2; exit 2; fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq 1 "$rounds"); do
  order=(0 1) threads_order=(1 2)
  if (( round % 2 == 0 )); then order=(1 0) threads_order=(2 1); fi
  for b in "${order[@]}"; do
    (( b < ${#builds[@]} )) || continue
    for threads in "${threads_order[@]}"; do
      rm -rf "$work/out"
      "${builds[b]}/bin/strata" run cases/conservation_box.json --set regime.mode=layer0 --set mesh.nx="$cells" \
        --set mesh.ny="$cells" --set time.end=0.1 --set output.snapshots=false --set output.profiles=false \
        --threads "$threads" -q --out "$work/out" > "$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
      /usr/bin/python3 -c "import json, sys; print(sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))['wall_seconds']['layer0'])" \
        "${labels[b]}" "$threads" "$work/out/summary.json" | tee -a "$work/runs"
    done
  done
done
/usr/bin/python3 - "$work/runs" "${builds[@]}" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, threads, seconds = line.split()
    runs.setdefault(label, {}).setdefault(int(threads), []).append(float(seconds))
for label, build in zip("AB", sys.argv[2:]):
    by_threads = runs[label]
    ratios = [one / two for one, two in zip(by_threads[1], by_threads[2])]
    print(f"{label} = {build}: one thread over two {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {statistics.median(ratios):.2f}; two threads median {statistics.median(by_threads[2]):.3f} s")
EOF
