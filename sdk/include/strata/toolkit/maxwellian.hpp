#pragma once
// Maxwellians on the velocity grid (DESIGN §3, paper §4.5):
//   M[rho, u, T](v) = rho (2 pi T / m)^{-3/2} exp(-m |v - u|^2 / (2T)).
// Sampling M at grid points reproduces rho, rho u, E only up to quadrature error;
// the *discrete* Maxwellian f_k = exp(a . phi(v_k)), phi = (1, v, |v|^2/2), whose
// five parameters a are found by Newton's method so that its discrete moments
// equal the targets to round-off (Mieussens' discrete equilibrium), makes every
// Maxwellian reconstruction conservative.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "strata/toolkit/moments.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::toolkit {

inline void sampled_maxwellian(const VelocityGrid& g, double mass, double rho,
                               const std::array<double, 3>& u, double T, double* f) {
  const double a = rho * std::pow(2.0 * std::numbers::pi * T / mass, -1.5);
  const double b = mass / (2.0 * T);
  for (int i = 0; i < g.n; ++i) {
    const double cx = g.v(i) - u[0];
    for (int j = 0; j < g.n; ++j) {
      const double cy = g.v(j) - u[1];
      double* row = f + g.index(i, j, 0);
      for (int k = 0; k < g.n; ++k) {
        const double cz = g.v(k) - u[2];
        row[k] = a * std::exp(-b * (cx * cx + cy * cy + cz * cz));
      }
    }
  }
}

struct DiscreteMaxwellianResult {
  bool converged = false;
  int iterations = 0;
  double residual = 0.0;  // largest moment error relative to its scale
};

namespace detail {

// Solve the 5x5 system J x = r in place (Gaussian elimination, partial pivoting).
inline bool solve5(std::array<std::array<double, 5>, 5> J, std::array<double, 5>& r) {
  for (int c = 0; c < 5; ++c) {
    int p = c;
    for (int k = c + 1; k < 5; ++k)
      if (std::abs(J[k][c]) > std::abs(J[p][c])) p = k;
    if (J[p][c] == 0.0) return false;
    std::swap(J[p], J[c]);
    std::swap(r[p], r[c]);
    for (int k = c + 1; k < 5; ++k) {
      const double m = J[k][c] / J[c][c];
      for (int l = c; l < 5; ++l) J[k][l] -= m * J[c][l];
      r[k] -= m * r[c];
    }
  }
  for (int c = 4; c >= 0; --c) {
    for (int l = c + 1; l < 5; ++l) r[c] -= J[c][l] * r[l];
    r[c] /= J[c][c];
  }
  return true;
}

}  // namespace detail

// f := discrete Maxwellian with the discrete moments rho, rho u and
// E = ½ rho |u|² + (3/2)(rho/m) T of the continuous one.
inline DiscreteMaxwellianResult discrete_maxwellian(const VelocityGrid& g, double mass,
                                                    double rho,
                                                    const std::array<double, 3>& u,
                                                    double T, double* f) {
  const double u2 = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
  const std::array<double, 5> target = {rho, rho * u[0], rho * u[1], rho * u[2],
                                        0.5 * rho * u2 + 1.5 * rho * T / mass};
  const double c = std::sqrt(T / mass);
  const std::array<double, 5> scale = {rho, rho * (std::sqrt(u2) + c),
                                       rho * (std::sqrt(u2) + c),
                                       rho * (std::sqrt(u2) + c), target[4]};
  // Start from the continuous Maxwellian: log M = a0 + a_v . v + a4 |v|^2 / 2.
  std::array<double, 5> a = {
      std::log(rho * std::pow(2.0 * std::numbers::pi * T / mass, -1.5)) -
          mass * u2 / (2.0 * T),
      mass * u[0] / T, mass * u[1] / T, mass * u[2] / T, -mass / T};
  const double vol = g.cell_volume();
  DiscreteMaxwellianResult result;
  for (int it = 0; it < 50; ++it) {
    std::array<double, 5> F{};
    std::array<std::array<double, 5>, 5> J{};
    for (int i = 0; i < g.n; ++i) {
      for (int j = 0; j < g.n; ++j) {
        double* row = f + g.index(i, j, 0);
        for (int k = 0; k < g.n; ++k) {
          const double vx = g.v(i), vy = g.v(j), vz = g.v(k);
          const std::array<double, 5> phi = {1.0, vx, vy, vz,
                                             0.5 * (vx * vx + vy * vy + vz * vz)};
          const double e = std::exp(a[0] + a[1] * vx + a[2] * vy + a[3] * vz + a[4] * phi[4]);
          row[k] = e;
          for (int p = 0; p < 5; ++p) {
            F[p] += phi[p] * e;
            for (int q = p; q < 5; ++q) J[p][q] += phi[p] * phi[q] * e;
          }
        }
      }
    }
    double residual = 0.0;
    for (int p = 0; p < 5; ++p) {
      F[p] = F[p] * vol - target[p];
      for (int q = p; q < 5; ++q) J[q][p] = J[p][q] = J[p][q] * vol;
      residual = std::max(residual, std::abs(F[p]) / scale[p]);
    }
    result.iterations = it;
    result.residual = residual;
    if (residual < 1e-14 || !std::isfinite(residual)) break;
    if (!detail::solve5(J, F)) break;
    for (int p = 0; p < 5; ++p) a[p] -= F[p];
  }
  // Newton converges quadratically; 4e-14 leaves room for round-off in sums of N^3 terms.
  result.converged = result.residual < 4e-14;
  return result;
}

}  // namespace strata::toolkit
