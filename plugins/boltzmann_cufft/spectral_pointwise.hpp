#pragma once
// The per-value work of the GPU kernels (spectral_kernels.cu), as functions of the
// value's index that compile for the device and for the host: the kernels call them on
// the GPU, and tests/gpu/emulation calls the same ones in host loops, so the CI
// machine, which has no GPU, tests the plugin's arithmetic and indexing too.
// A batch is `rows` cells of n^3 values on v_k = -L + (k + 1/2) 2L/n, v_z fastest.
#include <cmath>
#include <cstddef>

#include <cufft.h>

#include "penalised_pointwise.hpp"
#include "strata/toolkit/point_moments.hpp"

namespace strata::cufft {

struct Grid {
  int n;
  double L;
};

STRATA_HD std::size_t n3_of(Grid g) { return static_cast<std::size_t>(g.n) * g.n * g.n; }

// Grid velocities of point k of a cell.
STRATA_HD void velocity(Grid g, std::size_t k, double& vx, double& vy, double& vz) {
  toolkit::point_velocity(g.n, g.L, k, vx, vy, vz);
}

// The cell of value i of a batch, and its point's velocities.
STRATA_HD std::size_t cell_of_point(Grid g, std::size_t i, double& vx, double& vy, double& vz) {
  const std::size_t n3 = n3_of(g);
  velocity(g, i % n3, vx, vy, vz);
  return i / n3;
}

// out[i] = fhat[i] * multiplier[i mod modes] * scale (half spectra of `modes` values).
STRATA_HD void multiply_at(std::size_t i, const cufftDoubleComplex* fhat, const double* multiplier, double scale,
                           cufftDoubleComplex* out, std::size_t modes) {
  const double s = multiplier[i % modes] * scale;
  out[i].x = fhat[i].x * s;
  out[i].y = fhat[i].y * s;
}

STRATA_HD void gain_at(std::size_t i, double* gain, const double* a, const double* b, double weight) {
  gain[i] += weight * a[i] * b[i];
}

STRATA_HD void finish_at(std::size_t i, double* Q, const double* gain, const double* f, const double* loss) {
  Q[i] = gain[i] - f[i] * loss[i];
}

// M = exp(c0) exp(c4 (vx - c1)²) exp(c4 (vy - c2)²) exp(c4 (vz - c3)²) with the cell's
// centred exponents: the same factors and order of products as
// toolkit::fill_separable_maxwellian.
STRATA_HD void fill_at(std::size_t i, Grid g, const double* centred, double* M) {
  double vx, vy, vz;
  const double* c = centred + 5 * cell_of_point(g, i, vx, vy, vz);
  const double wx = vx - c[1], wy = vy - c[2], wz = vz - c[3];
  const double X = exp(c[4] * wx * wx), Y = exp(c[4] * wy * wy), Z = exp(c[4] * wz * wz);
  M[i] = exp(c[0]) * X * Y * Z;
}

STRATA_HD void explicit_at(std::size_t i, Grid g, double* q, const double* qM, const double* M, const double* f,
                           const double* beta, bool well_balanced) {
  q[i] = plugins::penalised(q[i], well_balanced ? qM[i] : 0.0, M[i], f[i], beta[i / n3_of(g)]);
}

STRATA_HD void project_at(std::size_t i, Grid g, double* q, const double* M, const double* lambda) {
  double vx, vy, vz;
  const std::size_t c = cell_of_point(g, i, vx, vy, vz);
  q[i] = plugins::projected(q[i], M[i], lambda + 5 * c, vx, vy, vz);
}

STRATA_HD void relax_at(std::size_t i, Grid g, double* f, const double* M, const double* a) {
  f[i] = plugins::relaxed(f[i], M[i], a[i / n3_of(g)]);
}

}  // namespace strata::cufft
