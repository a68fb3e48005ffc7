#pragma once
// For CUDA code (nvcc only): the conserved moments of a batch of distributions, one
// block of `Threads` threads (a power of two) per block of n^3 values, each thread
// summing a stride of points, then a shared-memory tree reduction:
// moments[5 b + p] = Σ_k phi_p(v_k) f[b][k] dv³, phi = (1, v, |v|²/2) (point_moments.hpp).
// Launch with one block per block of values: kernel<<<blocks, Threads>>>(n, L, f, moments).
#include <cstddef>

#include "strata/toolkit/point_moments.hpp"

namespace strata::toolkit::cuda {

template <int Threads>
__global__ void conserved_moments_kernel(int n, double L, const double* f, double* moments) {
  const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
  const double* fb = f + blockIdx.x * n3;
  double s[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  for (std::size_t k = threadIdx.x; k < n3; k += Threads) {
    double vx, vy, vz;
    point_velocity(n, L, k, vx, vy, vz);
    add_point_moments(vx, vy, vz, fb[k], s);
  }
  __shared__ double partial[5][Threads];
  for (int p = 0; p < 5; ++p) partial[p][threadIdx.x] = s[p];
  __syncthreads();
  for (int half = Threads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half)
      for (int p = 0; p < 5; ++p) partial[p][threadIdx.x] += partial[p][threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const double dv = 2.0 * L / n;
    for (int p = 0; p < 5; ++p) moments[5 * blockIdx.x + p] = partial[p][0] * dv * dv * dv;
  }
}

}  // namespace strata::toolkit::cuda
