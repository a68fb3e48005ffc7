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

// rho, rho u, E: sums over the grid times dv^3 (the discrete moments every
// conservation statement of the kinetic layers refers to).
inline ConservedMoments conserved_moments(const VelocityGrid& g, const double* f) {
  double s0 = 0, sx = 0, sy = 0, sz = 0, s2 = 0;
  for (int i = 0; i < g.n; ++i) {
    const double vx = g.v(i);
    for (int j = 0; j < g.n; ++j) {
      const double vy = g.v(j);
      const double* row = f + g.index(i, j, 0);
      for (int k = 0; k < g.n; ++k) {
        const double vz = g.v(k), w = row[k];
        s0 += w;
        sx += vx * w;
        sy += vy * w;
        sz += vz * w;
        s2 += (vx * vx + vy * vy + vz * vz) * w;
      }
    }
  }
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

inline FullMoments full_moments(const VelocityGrid& g, const double* f, double mass) {
  const ConservedMoments c = conserved_moments(g, f);
  FullMoments m;
  m.conserved = c;
  m.rho = c.rho;
  for (int d = 0; d < 3; ++d) m.u[d] = c.momentum[d] / c.rho;
  std::array<double, 6> P{};
  std::array<double, 3> q{};
  for (int i = 0; i < g.n; ++i) {
    const double cx = g.v(i) - m.u[0];
    for (int j = 0; j < g.n; ++j) {
      const double cy = g.v(j) - m.u[1];
      const double* row = f + g.index(i, j, 0);
      for (int k = 0; k < g.n; ++k) {
        const double cz = g.v(k) - m.u[2], w = row[k];
        const double c2 = cx * cx + cy * cy + cz * cz;
        P[0] += cx * cx * w; P[1] += cy * cy * w; P[2] += cz * cz * w;
        P[3] += cx * cy * w; P[4] += cx * cz * w; P[5] += cy * cz * w;
        q[0] += cx * c2 * w; q[1] += cy * c2 * w; q[2] += cz * c2 * w;
      }
    }
  }
  const double vol = g.cell_volume();
  for (double& p : P) p *= vol;
  for (int d = 0; d < 3; ++d) m.heat_flux[d] = 0.5 * q[d] * vol;
  m.pressure = P;
  m.T = mass * (P[0] + P[1] + P[2]) / (3.0 * m.rho);
  return m;
}

}  // namespace strata::toolkit
