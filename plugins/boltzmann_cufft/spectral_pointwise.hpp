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

// The spectra of one operator evaluation from one read of f̂: for s < `spectra`,
// out[(s batch + c) modes + m] = fhat[c modes + m] * multipliers[s modes + m] * scale,
// i = c modes + m. Spectrum-major, so that one batched inverse transform of
// spectra x batch half spectra takes them all.
STRATA_HD void spectra_at(std::size_t i, const cufftDoubleComplex* fhat, const double* multipliers, int spectra,
                          double scale, cufftDoubleComplex* out, std::size_t modes, std::size_t batch) {
  const std::size_t m = i % modes;
  const cufftDoubleComplex z = fhat[i];
  for (int s = 0; s < spectra; ++s) {
    const double factor = multipliers[s * modes + m] * scale;
    cufftDoubleComplex& o = out[s * batch * modes + i];
    o.x = z.x * factor;
    o.y = z.y * factor;
  }
}

// Q = Σ_d w_d a_d b_d - f ν at value i of a batch of `values`, from the inverse
// transforms t_s = transforms + s values of the spectra φ_0 f̂, ψ_0 f̂, φ_1 f̂, …, L̂ f̂
// (a_d = t_{2d}, b_d = t_{2d+1}, ν = t_{2D}); the directions summed in their order.
STRATA_HD void collision_at(std::size_t i, double* Q, const double* f, const double* transforms, std::size_t values,
                            const double* weight, int directions) {
  double gain = 0.0;
  for (int d = 0; d < directions; ++d)
    gain += weight[d] * transforms[2 * d * values + i] * transforms[(2 * d + 1) * values + i];
  Q[i] = gain - f[i] * transforms[2 * directions * values + i];
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
