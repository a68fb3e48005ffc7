#!/usr/bin/env bash
# Layer 2 on the GPU against the CPU (issue 6): paper test 2, cases/rect_obstacle.json
# at its size (100 x 100 cells, 16³ velocities), entirely in layer 2 for STEPS steps of
# Δt = 0.001, once with boltzmann_fft and once with boltzmann_cufft, both with the
# host's engine work on HOST_THREADS threads (default 2, the development machine).
# Prints one JSON line per run (seconds per step: whole step and the layer-2 phase; for
# the GPU run also the seconds its distributions spent crossing the bus, as the plugin
# logs them, and the device's peak memory in use, sampled with nvidia-smi) and one comparing them: the largest relative difference of every profile
# column and of the conservation drifts.
#   bench/gpu_vs_cpu.sh [BUILD_DIR] [STEPS] [OUT_DIR]      (needs an NVIDIA GPU)
# MODE=hybrid runs the hybrid instead (default layer2); further `--set` options of
# strata run may follow in SETS (e.g. SETS="velocity.n=32 mesh.nx=50 mesh.ny=50").
# RESIDENT=1 adds a third run, "resident": boltzmann_cufft with layer 2 kept on the device
# (gpu.resident_layer2), compared with the CPU run like the second.
# Without a GPU: GPU_PLUGIN=boltzmann_fft runs the second run on the CPU too (the two
# must agree exactly), and PLUGIN_DIR=build/lib/strata/emulated runs boltzmann_cufft
# built on host stand-ins for CUDA and cuFFT (tests/gpu/emulation; slow, one thread).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} steps=${2:-3}
out=${3:-$(mktemp -d)}
strata=$build/bin/strata
end=$(printf '%g' "$(python3 -c "print($steps * 0.001)")")  # as strata names profile_<t>.csv
common=(--set regime.mode="${MODE:-layer2}" --set time.end="$end" --set "output.times=[$end]" --set output.snapshots=false)
read -r -a sets <<< "${SETS:-}"
for s in "${sets[@]}"; do common+=(--set "$s"); done
# Both runs on the same host threads (HOST_THREADS, default 2: the development machine),
# so that the difference is the collision plugin alone.
threads=${HOST_THREADS:-2}
OMP_NUM_THREADS=$threads "$strata" run cases/rect_obstacle.json "${common[@]}" -q --out "$out/cpu"
# The device's memory in use, sampled every 0.2 s during the GPU run where nvidia-smi is.
sampler=
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$out/device_memory.txt" 2> /dev/null &
  sampler=$!
fi
gpu_run() {  # name, further options
  local name=$1
  shift
  OMP_NUM_THREADS=$threads "$strata" run cases/rect_obstacle.json "${common[@]}" \
    --set boltzmann.plugin="${GPU_PLUGIN:-boltzmann_cufft}" ${PLUGIN_DIR:+--plugin-dir "$PLUGIN_DIR"} "$@" \
    --out "$out/$name" > "$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
}
gpu_run gpu
[ "${RESIDENT:-0}" = 1 ] && gpu_run resident --set gpu.resident_layer2=true
[ -z "$sampler" ] || kill "$sampler" 2> /dev/null
python3 - "$out" "$end" "$threads" <<'PY'
import csv, json, os, re, sys
out, end = sys.argv[1], sys.argv[2]
try:  # the largest reading of the GPU's memory in use, MiB (all its processes)
    device_mib = max(int(l) for l in open(f"{out}/device_memory.txt") if l.strip().isdigit())
except (OSError, ValueError):
    device_mib = None
names = [n for n in ("cpu", "gpu", "resident") if os.path.exists(f"{out}/{n}/summary.json")]
runs, steady = {}, {}
for name in names:
    s = json.load(open(f"{out}/{name}/summary.json"))
    w = s["wall_seconds"]
    runs[name] = s
    # Steps after the first, from history.csv's wall clock: no set-up, no plans.
    with open(f"{out}/{name}/history.csv", newline="") as f:
        wall = {int(r["step"]): float(r["wall_seconds"]) for r in csv.DictReader(f)}
    last = max(wall)
    steady[name] = (wall[last] - wall[1]) / (last - 1) if last > 1 else None
    bus = {}
    if name != "cpu":
        # boltzmann_cufft's closing log line: "... copies of distributions over the bus, X GB in Y s";
        # the engine's own copies of a resident layer 2 are in summary.json.
        plugin = re.search(r"over the bus, ([0-9.e+-]+) GB in ([0-9.e+-]+) s", open(f"{out}/{name}.log").read())
        gb, seconds = (float(plugin[1]), float(plugin[2])) if plugin else (0.0, 0.0)
        if "layer2_on_device" in s:
            d = s["layer2_on_device"]
            gb += (d["bytes_to_device"] + d["bytes_to_host"]) / 1e9
            seconds += d["bus_seconds"]
        bus = {"bus_gb_per_step": round(gb / s["steps"], 4), "bus_seconds_per_step": round(seconds / s["steps"], 4),
               "bus_share_of_step": round(seconds / w["total"], 3), "device_memory_mib_peak": device_mib}
    print(json.dumps({"run": name, "plugin": s["plugins"]["boltzmann"]["name"], "steps": s["steps"],
                      "resident_layer2": "layer2_on_device" in s,
                      "seconds_per_step": round(w["total"] / s["steps"], 4),
                      "seconds_per_step_after_the_first": steady[name] and round(steady[name], 4),
                      "phase_seconds_per_step": {k: round(v / s["steps"], 4) for k, v in w.items() if v},
                      "cell_steps_per_layer": s["cell_steps"],
                      "peak_memory_kib": s["peak_memory_kib"], **bus}))
def profile(name):
    with open(f"{out}/{name}/profile_{end}.csv", newline="") as f:
        return list(csv.DictReader(f))
cpu = profile("cpu")
def largest(cols):
    return max(abs(float(r[c])) for r in cpu for c in cols) or 1.0
for name in names[1:]:
    other, diff = profile(name), {}
    for col in cpu[0]:
        # Velocity components relative to the flow speed (u_y is round-off on the axis).
        scale = largest(("ux", "uy")) if col in ("ux", "uy") else largest((col,))
        diff[col] = max(abs(float(a[col]) - float(b[col])) for a, b in zip(cpu, other)) / scale
    drift = {k: [runs["cpu"]["conservation"][k], runs[name]["conservation"][k]] for k in runs["cpu"]["conservation"]}
    per_step = {n: runs[n]["wall_seconds"]["total"] / runs[n]["steps"] for n in ("cpu", name)}
    speedup_steady = steady["cpu"] / steady[name] if steady["cpu"] and steady[name] else None
    print(json.dumps({"compare": f"cpu vs {name}", "host_threads": int(sys.argv[3]),
                      "profile_max_relative_difference": diff, "conservation_drift_cpu_other": drift,
                      "speedup_per_step": round(per_step["cpu"] / per_step[name], 2),
                      "speedup_per_step_after_the_first": speedup_steady and round(speedup_steady, 2)}))
PY
