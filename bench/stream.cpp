// Memory bandwidth of this machine, STREAM-like (McCalpin's four kernels: copy,
// scale, add, triad) on arrays far larger than the caches, with OpenMP threads.
// Prints one JSON object per kernel: the best of the repetitions in GB/s, counting
// the bytes each kernel must move (read + write; write-allocate traffic not counted,
// as in STREAM). docs/performance.md turns these into lower bounds per layer. The
// arrays are the kinetic store's (core::KineticArray: huge pages where the system
// offers them), so the bandwidth is the one the store's arrays see.
//   bench/stream [MiB per array, default 256] [repetitions, default 10]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../core/src/host_memory.hpp"
#ifdef _OPENMP
#include <omp.h>
#endif

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 10;
  const std::size_t n = mib * 1024 * 1024 / sizeof(double);
  strata::core::KineticArray a(n), b(n), c(n);
  // Touched again by the threads that use the data.
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < n; ++k) a[k] = 1.0, b[k] = 2.0, c[k] = 0.0;
  const double s = 3.0;
  struct Kernel {
    const char* name;
    int arrays;  // arrays moved per element (reads + writes)
    double best = 1e300;
  } kernels[] = {{"copy", 2}, {"scale", 2}, {"add", 3}, {"triad", 3}};
  using Clock = std::chrono::steady_clock;
  for (int r = 0; r < repetitions; ++r)
    for (int which = 0; which < 4; ++which) {
      const auto t0 = Clock::now();
      switch (which) {
        case 0:
#pragma omp parallel for schedule(static)
          for (std::size_t k = 0; k < n; ++k) c[k] = a[k];
          break;
        case 1:
#pragma omp parallel for schedule(static)
          for (std::size_t k = 0; k < n; ++k) b[k] = s * c[k];
          break;
        case 2:
#pragma omp parallel for schedule(static)
          for (std::size_t k = 0; k < n; ++k) c[k] = a[k] + b[k];
          break;
        case 3:
#pragma omp parallel for schedule(static)
          for (std::size_t k = 0; k < n; ++k) a[k] = b[k] + s * c[k];
          break;
      }
      const double t = std::chrono::duration<double>(Clock::now() - t0).count();
      kernels[which].best = std::min(kernels[which].best, t);
    }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  for (const Kernel& k : kernels)
    std::printf("{\"kernel\": \"%s\", \"threads\": %d, \"mib_per_array\": %zu, \"gb_per_s\": %.2f}\n", k.name,
                threads, mib, static_cast<double>(k.arrays * n * sizeof(double)) / k.best / 1e9);
  // Keeps the compiler from dropping the kernels.
  return a[n / 2] == 42.0 ? 1 : 0;
}
