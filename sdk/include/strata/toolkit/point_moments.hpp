#pragma once
// One velocity point's share of the conserved moments (moments.hpp), for code that sums
// them one value at a time, such as a GPU thread: compiles for the host and for a CUDA
// device. The grid's points are v_k = -L + (k + 1/2) 2L/n, index (i n + j) n + k.
#include <cstddef>

#include "strata/toolkit/host_device.hpp"

namespace strata::toolkit {

// The velocity (v_x, v_y, v_z) of point `k` of an n^3 grid on [-L, L]^3.
STRATA_HD void point_velocity(int n, double L, std::size_t k, double& vx, double& vy, double& vz) {
  const double dv = 2.0 * L / n;
  vx = -L + (static_cast<int>(k / (static_cast<std::size_t>(n) * n)) + 0.5) * dv;
  vy = -L + (static_cast<int>((k / n) % n) + 0.5) * dv;
  vz = -L + (static_cast<int>(k % n) + 0.5) * dv;
}

// s += phi(v) f, phi = (1, v_x, v_y, v_z, |v|²/2).
STRATA_HD void add_point_moments(double vx, double vy, double vz, double f, double* s) {
  s[0] += f;
  s[1] += vx * f;
  s[2] += vy * f;
  s[3] += vz * f;
  s[4] += 0.5 * (vx * vx + vy * vy + vz * vz) * f;
}

// moments[p] = Σ_k phi_p(v_k) f[k] dv³ over one block of n^3 values, in point order (what
// cuda/moments_kernel.cuh computes in parallel; the host stand-ins use this).
STRATA_HD void block_moments(int n, double L, const double* f, double* moments) {
  double s[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
  for (std::size_t k = 0; k < n3; ++k) {
    double vx, vy, vz;
    point_velocity(n, L, k, vx, vy, vz);
    add_point_moments(vx, vy, vz, f[k], s);
  }
  const double dv = 2.0 * L / n;
  for (int p = 0; p < 5; ++p) moments[p] = s[p] * dv * dv * dv;
}

}  // namespace strata::toolkit
