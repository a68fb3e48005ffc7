#!/usr/bin/env bash
# The on-device checks of docs/performance.md ("The GPU plugin") in one run, for a device
# machine and a bundle from tools/device_bundle.sh. Everything goes to one log in OUT_DIR
# (the device tool's $OUT; it returns few files), each check under its own time limit so
# that one slow check leaves the others their results; the JSON lines of the benchmarks
# and each check's exit line are also collected in OUT_DIR/results.jsonl (tools/plot_gpu_steps.py
# reads them).
#   [CHECKS="name ..."] bash bench/device_checks.sh [BUNDLE] [OUT_DIR]   (default: device-bundle $OUT)
set -uo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-device-bundle} out=${2:-${OUT:-device-checks}}
mkdir -p "$out"
log=$out/device_checks.log runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
# cuFFT from the CUDA toolkit, or from the image's Python packages where the toolkit
# folder lacks it.
cuda_libs=/usr/local/cuda/lib64
if [ ! -e "$cuda_libs/libcufft.so.12" ]; then
  found=$(find / -xdev -name 'libcufft.so.12*' 2>/dev/null | head -1)
  [ -n "$found" ] && cuda_libs="$cuda_libs:$(dirname "$found")"
fi
export LD_LIBRARY_PATH="$PWD/$bundle/lib:$cuda_libs:${LD_LIBRARY_PATH:-}"
plugins="$PWD/$bundle/lib/strata/plugins"
# CHECKS="name ..." runs only the checks named (e.g. a rerun after a fix). BUDGET
# (seconds, default 420: the device call's limit less its transfers) skips a check whose
# own limit no longer fits, so that the call ends with every result it could finish.
budget=${BUDGET:-420}
run() {  # name seconds command...
  local name=$1 limit=$2 start=$SECONDS
  shift 2
  [ -z "${CHECKS:-}" ] || [[ " $CHECKS " == *" $name "* ]] || return 0
  if (( SECONDS + limit > budget )); then
    echo "== $name: skipped, $((budget - SECONDS)) s of the budget left for its $limit s" | tee -a "$log"
    return 0
  fi
  { echo "== $name: $*"; timeout "$limit" "$@" 2>&1; echo "== $name: exit $? after $((SECONDS - start)) s"; } \
    | tee -a "$log" | grep -E '^\{|^== .*exit' | tee -a "$out/results.jsonl"
}
run device 20 nvidia-smi
run libraries 20 ldd "$bundle/bin/strata" "$plugins/strata_boltzmann_cufft.so"
run test_gpu 60 "$bundle/bin/test_gpu" "$plugins"
run resident_test 90 python3 tests/gpu/resident_matches_host.py "$bundle/bin/strata" "$runs/resident"
run bench_gpu 60 "$bundle/bin/bench_boltzmann" boltzmann_cufft "$plugins"
# The operator of an earlier revision in the same minutes, where the bundle has one
# (BASE=REV bash tools/device_bundle.sh).
[ -d "$bundle/lib/strata/base" ] &&
  run bench_gpu_base 60 "$bundle/bin/bench_boltzmann" boltzmann_cufft "$PWD/$bundle/lib/strata/base"
run bench_cpu_2_threads 60 env OMP_NUM_THREADS=2 "$bundle/bin/bench_boltzmann" boltzmann_fft "$plugins"
run bus_bandwidth 30 "$bundle/bin/bus_bandwidth" 64
# rect_obstacle (100 x 100 cells): layer 2 at 16³, host on 2 threads, then 16; each on
# the CPU, on the GPU through the plugin, and on the GPU with layer 2 resident there.
run layer2_16_2_threads 130 env RESIDENT=1 HOST_THREADS=2 bash bench/gpu_vs_cpu.sh "$bundle" 5 "$runs/a"
run layer2_32_50x50_2_threads 170 env RESIDENT=1 HOST_THREADS=2 SETS="velocity.n=32 mesh.nx=50 mesh.ny=50" \
  bash bench/gpu_vs_cpu.sh "$bundle" 6 "$runs/c"
run hybrid_16_2_threads 70 env RESIDENT=1 HOST_THREADS=2 MODE=hybrid bash bench/gpu_vs_cpu.sh "$bundle" 50 "$runs/b"
run layer2_16_16_threads 70 env RESIDENT=1 HOST_THREADS=16 bash bench/gpu_vs_cpu.sh "$bundle" 10 "$runs/d"
