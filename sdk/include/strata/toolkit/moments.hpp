#pragma once
// Moments of a distribution f on the velocity grid for a species of mass m, with f
// normalised as a mass density: rho = ∫ f dv, rho u = ∫ v f dv, E = ½ ∫ |v|² f dv,
// pressure tensor P = ∫ (v-u)⊗(v-u) f dv, heat flux q = ½ ∫ (v-u)|v-u|² f dv,
// temperature T = m tr(P) / (3 rho) (gas constant 1).
#include <array>
#include <cmath>
#include <vector>

#include "strata/toolkit/vector_clones.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::toolkit {

struct ConservedMoments {
  double rho = 0.0;
  std::array<double, 3> momentum{};
  double energy = 0.0;
};

// The raw sums of f up to second order, without the factor dv³: Σ f, Σ v f and
// Σ v_a v_b f (xx, yy, zz, xy, xz, yz).
struct RawMoments {
  double s0 = 0.0;
  std::array<double, 3> s1{};
  std::array<double, 6> s2{};
};

// One sweep in memory order, a few operations per grid point: per plane of fixed v_x
// and block of eight v_z (vector lanes, toolkit::for_each_lane_block), the sums
// Σ_j v_y^p f (p ≤ 2) along v_y in registers, then times the plane's v_x powers into
// per-v_z sums; over v_z in index order at the end. The order of every sum is fixed,
// so the values do not depend on the vector width the function was compiled for
// (vector_clones.hpp).
STRATA_VECTOR_CLONES inline RawMoments raw_moments(const VelocityGrid& g, const double* f) {
  const int n = g.n;
  // Per v_z: Σ f, Σ v_x f, Σ v_y f, Σ v_x² f, Σ v_y² f, Σ v_x v_y f; then v and v² per
  // index (computed in the row loop, they took 40% of the sweep: docs/performance.md).
  std::vector<double> sums(8 * static_cast<std::size_t>(n), 0.0);
  double* T[6];
  for (int p = 0; p < 6; ++p) T[p] = sums.data() + p * n;
  double *v = sums.data() + 6 * n, *v2 = v + n;
  for (int k = 0; k < n; ++k) v[k] = g.v(k), v2[k] = v[k] * v[k];
  for (int i = 0; i < n; ++i) {
    const double vx = v[i], vx2 = v2[i];
    for_each_lane_block(n, [&](int k0, auto block, int lanes) STRATA_CLONE_INLINE {
      double A[3][decltype(block)::value] = {};  // per v_z in the plane: Σ_j v_y^p f
      for (int j = 0; j < n; ++j) {
        const double vy = v[j], vy2 = v2[j];
        const double* row = f + g.index(i, j, k0);
#pragma omp simd
        for (int l = 0; l < lanes; ++l) {
          const double w = row[l];
          A[0][l] += w;
          A[1][l] += vy * w;
          A[2][l] += vy2 * w;
        }
      }
#pragma omp simd
      for (int l = 0; l < lanes; ++l) {
        const int k = k0 + l;
        T[0][k] += A[0][l];
        T[1][k] += vx * A[0][l];
        T[2][k] += A[1][l];
        T[3][k] += vx2 * A[0][l];
        T[4][k] += A[2][l];
        T[5][k] += vx * A[1][l];
      }
    });
  }
  RawMoments r;
  for (int k = 0; k < n; ++k) {
    const double vz = v[k];
    r.s0 += T[0][k];
    r.s1[0] += T[1][k];
    r.s1[1] += T[2][k];
    r.s1[2] += vz * T[0][k];
    r.s2[0] += T[3][k];
    r.s2[1] += T[4][k];
    r.s2[2] += vz * vz * T[0][k];
    r.s2[3] += T[5][k];
    r.s2[4] += vz * T[1][k];
    r.s2[5] += vz * T[2][k];
  }
  return r;
}

// rho, rho u, E: sums over the grid times dv^3 (the discrete moments every
// conservation statement of the kinetic layers refers to).
inline ConservedMoments conserved_moments(const VelocityGrid& g, const double* f) {
  const RawMoments r = raw_moments(g, f);
  const double c = g.cell_volume();
  return {r.s0 * c, {r.s1[0] * c, r.s1[1] * c, r.s1[2] * c}, 0.5 * (r.s2[0] + r.s2[1] + r.s2[2]) * c};
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
// step needs): the raw second moments come from the same sweep as
// conserved_moments, P = Σ v⊗v f dv³ - rho u⊗u. The subtraction costs relative
// precision of order eps (|u|² m/T + 1) in P (about 1e-14 at Mach 5), where
// full_moments' central sums cost a second sweep.
inline FullMoments stress_moments(const VelocityGrid& g, const double* f, double mass) {
  const RawMoments r = raw_moments(g, f);
  const std::array<double, 6>& S = r.s2;  // Σ v_a v_b f: xx, yy, zz, xy, xz, yz
  const double s0 = r.s0, sx = r.s1[0], sy = r.s1[1], sz = r.s1[2];
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
