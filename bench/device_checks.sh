#!/usr/bin/env bash
# The on-device checks of docs/performance.md ("The GPU plugin") in one run, for a device
# machine and a bundle from tools/device_bundle.sh; every result goes to OUT_DIR (the
# device tool's $OUT), each check under its own time limit so that one slow check
# leaves the others their results.
#   bash bench/device_checks.sh [BUNDLE] [OUT_DIR]      (default: device-bundle $OUT)
set -uo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-device-bundle} out=${2:-${OUT:-device-checks}}
mkdir -p "$out"
export LD_LIBRARY_PATH="$PWD/$bundle/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
plugins="$PWD/$bundle/lib/strata/plugins"
run() {  # name seconds command...
  local name=$1 limit=$2
  shift 2
  echo "== $name"
  timeout "$limit" "$@" > "$out/$name.txt" 2>&1
  echo "exit $?" >> "$out/$name.txt"
  tail -3 "$out/$name.txt"
}
run device 20 nvidia-smi
run libraries 20 ldd "$bundle/bin/strata" "$plugins/strata_boltzmann_cufft.so"
run test_gpu 120 "$bundle/bin/test_gpu" "$plugins"
run bench_gpu 120 "$bundle/bin/bench_boltzmann" boltzmann_cufft "$plugins"
run bench_cpu_2_threads 120 env OMP_NUM_THREADS=2 "$bundle/bin/bench_boltzmann" boltzmann_fft "$plugins"
run gpu_vs_cpu_2_threads 240 env HOST_THREADS=2 bash bench/gpu_vs_cpu.sh "$bundle" 10 "$out/runs2"
run gpu_vs_cpu_16_threads 120 env HOST_THREADS=16 bash bench/gpu_vs_cpu.sh "$bundle" 10 "$out/runs16"
