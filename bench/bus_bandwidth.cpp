// Host <-> GPU copy bandwidth of a layer-2 chunk (64 MiB: 2 048 cells of 16³ doubles),
// from pageable memory (ordinary pages: a kinetic store in system memory) and from
// pinned memory (cudaMallocHost: what boltzmann_cufft's STRATA_HOST_MEMORY gives), each way; and, for pinned memory,
// both ways at once on two streams (what copy/compute overlap could reach). Prints
// one JSON line per measurement (GB/s, best of 5), for issue 18's item 5:
//   build/bin/bus_bandwidth [MiB]      (needs an NVIDIA GPU)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <cuda_runtime.h>

namespace {
using Clock = std::chrono::steady_clock;

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(status));
}

template <class Copy>
double best_gb_per_s(std::size_t bytes, Copy&& copy) {
  copy();  // first touch, driver set-up
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  double best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    copy();
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    best = std::max(best, bytes * 1e-9 / std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

void print(const char* memory, const char* direction, std::size_t bytes, double gbs) {
  std::printf("{\"host_memory\": \"%s\", \"direction\": \"%s\", \"mib\": %zu, \"gb_per_s\": %.2f}\n", memory,
              direction, bytes >> 20, gbs);
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const int mib = argc > 1 ? std::atoi(argv[1]) : 64;
    if (mib < 1 || mib > 65536) throw std::invalid_argument("the size is a number of MiB in [1, 65536]");
    const std::size_t bytes = std::size_t(mib) << 20;
    std::vector<char> pageable(bytes, 1);
    void *pinned = nullptr, *pinned_back = nullptr, *device = nullptr, *device_back = nullptr;
    check(cudaMallocHost(&pinned, bytes), "cudaMallocHost");
    check(cudaMallocHost(&pinned_back, bytes), "cudaMallocHost");
    check(cudaMalloc(&device, bytes), "cudaMalloc");
    check(cudaMalloc(&device_back, bytes), "cudaMalloc");
    std::memset(pinned, 1, bytes);
    auto h2d = [&](const void* host) { return [=] { check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy"); }; };
    auto d2h = [&](void* host) { return [=] { check(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy"); }; };
    print("pageable", "to device", bytes, best_gb_per_s(bytes, h2d(pageable.data())));
    print("pageable", "to host", bytes, best_gb_per_s(bytes, d2h(pageable.data())));
    print("pinned", "to device", bytes, best_gb_per_s(bytes, h2d(pinned)));
    print("pinned", "to host", bytes, best_gb_per_s(bytes, d2h(pinned)));
    // Host memcpy into a pinned buffer: the staging a plugin would add before the DMA.
    const double stage = [&] {
      double best = 0.0;
      for (int rep = 0; rep < 5; ++rep) {
        const auto t0 = Clock::now();
        std::memcpy(pinned, pageable.data(), bytes);
        best = std::max(best, bytes * 1e-9 / std::chrono::duration<double>(Clock::now() - t0).count());
      }
      return best;
    }();
    print("pageable to pinned (host memcpy, one thread)", "on the host", bytes, stage);
    cudaStream_t up, down;
    check(cudaStreamCreate(&up), "cudaStreamCreate");
    check(cudaStreamCreate(&down), "cudaStreamCreate");
    print("pinned", "both ways at once (sum)", 2 * bytes, best_gb_per_s(2 * bytes, [&] {
            check(cudaMemcpyAsync(device, pinned, bytes, cudaMemcpyHostToDevice, up), "cudaMemcpyAsync");
            check(cudaMemcpyAsync(pinned_back, device_back, bytes, cudaMemcpyDeviceToHost, down), "cudaMemcpyAsync");
          }));
    cudaStreamDestroy(up);
    cudaStreamDestroy(down);
    cudaFreeHost(pinned);
    cudaFreeHost(pinned_back);
    cudaFree(device);
    cudaFree(device_back);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bus_bandwidth: %s\n", e.what());
    return 1;
  }
}
