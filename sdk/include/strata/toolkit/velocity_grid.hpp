#pragma once
// The velocity grid of the kinetic layers (docs/architecture.md §4): N points per dimension on
// [-L, L]^3, v_k = -L + (k + 1/2) dv, dv = 2L/N. A distribution on it is N^3
// values with index (i*N + j)*N + k for v = (v_i, v_j, v_k): v_z runs fastest.
#include <cstddef>

namespace strata::toolkit {

struct VelocityGrid {
  int n = 0;       // points per dimension
  double L = 0.0;  // half-width of the box

  double dv() const { return 2.0 * L / n; }
  double cell_volume() const { const double h = dv(); return h * h * h; }
  double v(int k) const { return -L + (k + 0.5) * dv(); }
  std::size_t size() const { return static_cast<std::size_t>(n) * n * n; }
  std::size_t index(int i, int j, int k) const {
    return (static_cast<std::size_t>(i) * n + j) * n + k;
  }
  // Largest |v_d| on the grid: the transport CFL bound of the kinetic layers.
  double max_speed() const { return L - 0.5 * dv(); }
};

}  // namespace strata::toolkit
