#!/usr/bin/env bash
# Packs what the GPU checks run (bench/device_checks.sh) into one folder that travels to
# a device machine, whose image has the CUDA toolkit but none of Strata's Debian
# libraries and no package registry: the programs and plugins of BUILD_DIR (built here
# with the CUDA toolkit, so that boltzmann_cufft exists) and every shared library they
# load that is neither the C library nor CUDA's (those the device machine has).
#   [BASE=REV] bash tools/device_bundle.sh [BUILD_DIR] [BUNDLE]      (default: build device-bundle)
# BASE=REV adds boltzmann_cufft as built at git revision REV, in BUNDLE/lib/strata/base
# beside this build's engine_device.so, so that the device checks time the operator of
# both in the same minutes (check bench_gpu_base). It is compiled against this checkout's
# SDK headers, so that a revision whose SDK differs only in its version number (3 → 4
# changed which calls may run on several threads, no interface) still loads.
# Then, with the device tool: run `bash bench/device_checks.sh device-bundle` carrying
# `device-bundle` (it is git-ignored; keep it under the 64 MiB a call may carry).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} bundle=${2:-device-bundle}
for f in "$build/bin/strata" "$build/bin/test_gpu" "$build/bin/bench_boltzmann" "$build/bin/bus_bandwidth" \
         "$build/lib/strata/plugins/strata_boltzmann_cufft.so"; do
  [ -f "$f" ] || { echo "device_bundle: $f is missing: build with the CUDA toolkit first (bash tools/build.sh)" >&2; exit 1; }
done
rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib/strata/plugins"
cp "$build/bin/strata" "$build/bin/test_gpu" "$build/bin/bench_boltzmann" "$build/bin/bus_bandwidth" "$bundle/bin/"
cp "$build"/lib/strata/plugins/*.so "$bundle/lib/strata/plugins/"
# Libraries: all that ldd resolves, less the C and C++ runtimes (the device image's are
# newer and must serve CUDA's libraries too) and CUDA's own.
for elf in "$bundle"/bin/* "$bundle"/lib/strata/plugins/*.so; do
  ldd "$elf" | awk '/=> \// {print $3}'
done | sort -u | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libresolv.so*|libutil.so*|libnsl.so*|\
    libanl.so*|libmvec.so*|libstdc++.so*|libgcc_s.so*|libcuda.so*|libcudart.so*|libcufft.so*) ;;
    *) cp -L "$lib" "$bundle/lib/" ;;
  esac
done
if [ -n "${BASE:-}" ]; then
  base_src=$(mktemp -d) base_build=$(mktemp -d)
  trap '{ git worktree remove --force "$base_src" || true; } 2> /dev/null; rm -rf "$base_src" "$base_build"; git worktree prune' EXIT
  git worktree add -q --detach "$base_src" "$BASE"
  rm -rf "$base_src/sdk/include" && cp -r sdk/include "$base_src/sdk/include"
  { cmake -S "$base_src" -B "$base_build" -DCMAKE_BUILD_TYPE=Release &&
    cmake --build "$base_build" -j "$(nproc)" --target strata_boltzmann_cufft; } > "$base_build/build.log" 2>&1 ||
    { tail -30 "$base_build/build.log" >&2; echo "device_bundle: boltzmann_cufft at $BASE did not build" >&2; exit 1; }
  mkdir -p "$bundle/lib/strata/base"
  cp "$base_build/lib/strata/plugins/strata_boltzmann_cufft.so" "$bundle/lib/strata/base/"
  cp "$build/lib/strata/plugins/engine_device.so" "$bundle/lib/strata/base/"
  echo "device_bundle: boltzmann_cufft at $(git rev-parse --short "$BASE") in $bundle/lib/strata/base"
fi
echo "device_bundle: $(du -sh "$bundle" | cut -f1) in $bundle ($(ls "$bundle/lib" | grep -c so) libraries)"
