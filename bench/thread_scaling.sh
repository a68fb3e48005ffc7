#!/usr/bin/env bash
# How each layer scales from one thread to two, against what the machine allows:
#   bench/thread_scaling.sh [BUILD_DIR]     (default: build)
#   ROUNDS=3     rounds per configuration
#   STEPS=20     steps of the kinetic runs (as in bench/compare_builds.sh)
#   CONFIGS="euler esbgk_n16 esbgk_n32 boltzmann_n16 boltzmann_n32"
# Each round runs one configuration three ways, back to back: alone on one thread; two
# copies at once, one thread each; and once on two threads. The layer's own phase
# (summary.json wall_seconds.layerL) gives, per round:
#   scaling = alone / two threads;
#   bound   = 2 alone / the slower copy: the throughput two cores give two independent
#             runs, whatever they share (memory bandwidth, caches, the VM's neighbours);
#   share   = scaling / bound: how much of that the layer's threads reach.
# Where the bound is below 2, the machine, not the code, keeps the scaling below it.
# Cases as in bench/layer_costs.sh: cases/conservation_box.json, 16 × 16 cells in layer
# 1, 8 × 8 in layer 2, Courant number 0.8; Euler on 256 × 256 cells to t = 0.1, whose
# phase on a small box is too short to time.
set -euo pipefail
build=$(realpath "${1:-build}")
if [[ ! -x $build/bin/strata ]]; then echo "thread_scaling.sh: $build/bin/strata: not found (expected a build folder)" >&2; exit 2; fi
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3} steps=${STEPS:-20}
configs=${CONFIGS:-euler esbgk_n16 esbgk_n32 boltzmann_n16 boltzmann_n32}
for name in ROUNDS STEPS; do
  value=${!name:-1}
  if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then echo "thread_scaling.sh: $name=$value; expected a positive whole number" >&2; exit 2; fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {  # config threads out_folder; prints the layer's phase in seconds
  local layer args
  case $1 in
    euler) layer=0 args=(--set regime.mode=layer0 --set mesh.nx=256 --set mesh.ny=256 --set time.end=0.1) ;;
    esbgk_n16|esbgk_n32|boltzmann_n16|boltzmann_n32)
      local n=${1##*_n} cells
      if [[ $1 == esbgk* ]]; then layer=1 cells=16; else layer=2 cells=8; fi
      local end
      end=$(/usr/bin/python3 -c "print($steps * 0.1 / $cells)")  # Δt = 0.1 Δx at this Courant number
      args=(--set regime.mode=layer$layer --set velocity.n="$n" --set mesh.nx=$cells --set mesh.ny=$cells
            --set time.end="$end" --set time.cfl=0.8 --set output.times="[$end]") ;;
    *) echo "thread_scaling.sh: unknown configuration '$1' (expected euler, esbgk_n16, esbgk_n32, boltzmann_n16 or boltzmann_n32)" >&2
       return 2 ;;
  esac
  rm -rf "$3"
  "$build/bin/strata" run cases/conservation_box.json "${args[@]}" --set output.snapshots=false \
    --set output.profiles=false --threads "$2" -q --out "$3" > "$3.log" 2>&1 ||
    { cat "$3.log" >&2; echo "thread_scaling.sh: $1 on $2 thread(s) failed (above)" >&2; return 1; }
  /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['wall_seconds']['layer' + sys.argv[2]])" \
    "$3/summary.json" "$layer"
}
for config in $configs; do
  for round in $(seq 1 "$rounds"); do
    alone=$(run "$config" 1 "$work/alone")
    run "$config" 1 "$work/copy_a" > "$work/a" & pid_a=$!
    run "$config" 1 "$work/copy_b" > "$work/b" & pid_b=$!
    wait "$pid_a"
    wait "$pid_b"
    two=$(run "$config" 2 "$work/two")
    echo "$config $round $alone $(cat "$work/a") $(cat "$work/b") $two" | tee -a "$work/rounds"
  done
done
/usr/bin/python3 - "$work/rounds" <<'EOF'
import statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    config, _, alone, a, b, two = line.split()
    alone, a, b, two = map(float, (alone, a, b, two))
    rounds.setdefault(config, []).append((alone / two, 2 * alone / max(a, b)))
print("configuration: scaling (one thread over two) | bound (two copies at once) | share; per round, then medians")
for config, r in rounds.items():
    scaling, bound = [x for x, _ in r], [y for _, y in r]
    share = [x / y for x, y in r]
    fmt = lambda v: ", ".join(f"{x:.2f}" for x in v)
    print(f"{config}: {fmt(scaling)} | {fmt(bound)} | {fmt(share)}; medians "
          f"{statistics.median(scaling):.2f} | {statistics.median(bound):.2f} | {statistics.median(share):.2f}")
EOF
