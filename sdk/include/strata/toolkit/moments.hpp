#pragma once
// Moments of a distribution f on the velocity grid for a species of mass m, with f
// normalised as a mass density: rho = ∫ f dv, rho u = ∫ v f dv, E = ½ ∫ |v|² f dv,
// pressure tensor P = ∫ (v-u)⊗(v-u) f dv, heat flux q = ½ ∫ (v-u)|v-u|² f dv,
// temperature T = m tr(P) / (3 rho) (gas constant 1).
#include <array>
#include <cmath>

#include "strata/toolkit/velocity_grid.hpp"

namespace strata::toolkit {

struct ConservedMoments {
  double rho = 0.0;
  std::array<double, 3> momentum{};
  double energy = 0.0;
};

// The sums below run over rows of fixed (v_x, v_y): per row, the power sums
// Σ_k v_z^p f_k are vector reductions (omp simd) and the row's v_x, v_y factors are
// applied once per row, so a moment costs one or two multiply-adds per grid point.

// row(v_x, v_y, R0, R1, R2) for every row of fixed (v_x, v_y), R_p = Σ_k v_z^p f_k.
template <class Row>
inline void for_each_row_sums(const VelocityGrid& g, const double* f, Row row) {
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j) {
      const double* values = f + g.index(i, j, 0);
      double r0 = 0, r1 = 0, r2 = 0;
#pragma omp simd reduction(+ : r0, r1, r2)
      for (int k = 0; k < g.n; ++k) {
        const double vz = g.v(k), w = values[k];
        r0 += w;
        r1 += vz * w;
        r2 += vz * vz * w;
      }
      row(g.v(i), g.v(j), r0, r1, r2);
    }
}

// rho, rho u, E: sums over the grid times dv^3 (the discrete moments every
// conservation statement of the kinetic layers refers to).
inline ConservedMoments conserved_moments(const VelocityGrid& g, const double* f) {
  double s0 = 0, sx = 0, sy = 0, sz = 0, s2 = 0;
  for_each_row_sums(g, f, [&](double vx, double vy, double r0, double r1, double r2) {
    s0 += r0;
    sx += vx * r0;
    sy += vy * r0;
    sz += r1;
    s2 += (vx * vx + vy * vy) * r0 + r2;
  });
  const double c = g.cell_volume();
  return {s0 * c, {sx * c, sy * c, sz * c}, 0.5 * s2 * c};
}

struct FullMoments {
  ConservedMoments conserved;  // the direct discrete sums
  double rho = 0.0;
  std::array<double, 3> u{};
  double T = 0.0;
  std::array<double, 6> pressure{};  // Pxx, Pyy, Pzz, Pxy, Pxz, Pyz
  std::array<double, 3> heat_flux{};
};

// Adds the central sums Σ (v-u)⊗(v-u) f (xx, yy, zz, xy, xz, yz) to P and
// Σ (v-u)|v-u|² f to q, without the factor dv³, around a given u (of this f or of
// a mixture). With c = v - u computed per point: no cancellation at high Mach numbers.
inline void add_central_moments(const VelocityGrid& g, const double* f, const std::array<double, 3>& u,
                                std::array<double, 6>& P, std::array<double, 3>& q) {
  for (int i = 0; i < g.n; ++i) {
    const double cx = g.v(i) - u[0];
    for (int j = 0; j < g.n; ++j) {
      const double cy = g.v(j) - u[1];
      const double* row = f + g.index(i, j, 0);
      double r0 = 0, r1 = 0, r2 = 0, r3 = 0;  // Σ_k cz^p f
#pragma omp simd reduction(+ : r0, r1, r2, r3)
      for (int k = 0; k < g.n; ++k) {
        const double cz = g.v(k) - u[2], w = row[k];
        r0 += w;
        r1 += cz * w;
        r2 += cz * cz * w;
        r3 += cz * cz * cz * w;
      }
      const double cxy2 = cx * cx + cy * cy;
      P[0] += cx * cx * r0; P[1] += cy * cy * r0; P[2] += r2;
      P[3] += cx * cy * r0; P[4] += cx * r1; P[5] += cy * r1;
      q[0] += cx * (cxy2 * r0 + r2);
      q[1] += cy * (cxy2 * r0 + r2);
      q[2] += cxy2 * r1 + r3;
    }
  }
}

inline FullMoments full_moments(const VelocityGrid& g, const double* f, double mass) {
  const ConservedMoments c = conserved_moments(g, f);
  FullMoments m;
  m.conserved = c;
  m.rho = c.rho;
  for (int d = 0; d < 3; ++d) m.u[d] = c.momentum[d] / c.rho;
  std::array<double, 6> P{};
  std::array<double, 3> q{};
  add_central_moments(g, f, m.u, P, q);
  const double vol = g.cell_volume();
  for (double& p : P) p *= vol;
  for (int d = 0; d < 3; ++d) m.heat_flux[d] = 0.5 * q[d] * vol;
  m.pressure = P;
  m.T = mass * (P[0] + P[1] + P[2]) / (3.0 * m.rho);
  return m;
}

// rho, u, T and the pressure tensor of f in one sweep (no heat flux; what a BGK-type
// step needs): the raw second moments come from the same row sums as
// conserved_moments, P = Σ v⊗v f dv³ - rho u⊗u. The subtraction costs relative
// precision of order eps (|u|² m/T + 1) in P (about 1e-14 at Mach 5), where
// full_moments' central sums cost a second sweep.
inline FullMoments stress_moments(const VelocityGrid& g, const double* f, double mass) {
  double s0 = 0, sx = 0, sy = 0, sz = 0;
  std::array<double, 6> S{};  // Σ v_a v_b f: xx, yy, zz, xy, xz, yz
  for_each_row_sums(g, f, [&](double vx, double vy, double r0, double r1, double r2) {
    s0 += r0;
    sx += vx * r0;
    sy += vy * r0;
    sz += r1;
    S[0] += vx * vx * r0; S[1] += vy * vy * r0; S[2] += r2;
    S[3] += vx * vy * r0; S[4] += vx * r1; S[5] += vy * r1;
  });
  const double c = g.cell_volume();
  FullMoments m;
  m.conserved = {s0 * c, {sx * c, sy * c, sz * c}, 0.5 * (S[0] + S[1] + S[2]) * c};
  m.rho = m.conserved.rho;
  for (int d = 0; d < 3; ++d) m.u[d] = m.conserved.momentum[d] / m.rho;
  const std::array<int, 6> a{0, 1, 2, 0, 0, 1}, b{0, 1, 2, 1, 2, 2};
  for (int k = 0; k < 6; ++k) m.pressure[k] = S[k] * c - m.rho * m.u[a[k]] * m.u[b[k]];
  m.T = mass * (m.pressure[0] + m.pressure[1] + m.pressure[2]) / (3.0 * m.rho);
  return m;
}

}  // namespace strata::toolkit
