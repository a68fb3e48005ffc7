#pragma once
// Equilibria on the velocity grid (paper §2.2, §4.5; docs/architecture.md §5):
//   Maxwellian M[rho, u, T](v) = rho (2 pi T / m)^{-3/2} exp(-m |v - u|^2 / (2T)),
//   ES-BGK Gaussian G[rho, u, 𝒯](v) = rho det(2 pi 𝒯 / m)^{-1/2} exp(-m (v-u)ᵀ 𝒯⁻¹ (v-u) / 2).
// Sampled at grid points they reproduce rho, rho u, E only up to quadrature error.
// The two functions below return the *discrete* equilibria whose discrete moments equal
// the targets to round-off, which makes Maxwellian reconstruction and the BGK-type
// implicit steps conservative:
// - discrete_maxwellian: f_k = exp(a . phi(v_k)), phi = (1, v, |v|^2/2), the five
//   parameters found by Newton's method (Mieussens' discrete equilibrium). f is a
//   product of three 1D factors, so each Newton iteration costs O(N), not O(N^3);
//   discrete_maxwellian_exponents gives the parameters alone (and the Gram matrix of
//   the conservative projection), fill_separable_maxwellian the values from their
//   centred form (centred_exponents: no overflow at high Mach numbers).
// - discrete_gaussian: the sampled Gaussian times (1 + lambda . phi(v)), lambda from
//   a 5x5 linear solve (a conservative correction of the quadrature error, which is
//   spectrally small for a resolved Gaussian), refined only where round-off left more
//   than 1e-14.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "strata/toolkit/moments.hpp"
#include "strata/toolkit/vector_clones.hpp"
#include "strata/toolkit/vector_math.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::toolkit {

struct EquilibriumResult {
  bool converged = false;
  int iterations = 0;
  double residual = 0.0;  // largest moment error relative to its scale
};

// Symmetric 3x3 tensor stored as xx, yy, zz, xy, xz, yz.
using SymmetricTensor = std::array<double, 6>;

namespace detail {

using Matrix5 = std::array<std::array<double, 5>, 5>;
using Vector5 = std::array<double, 5>;

// Solve J x = r in place (Gaussian elimination, partial pivoting); false if singular.
inline bool solve5(Matrix5 J, Vector5& r) {
  for (int c = 0; c < 5; ++c) {
    int p = c;
    for (int k = c + 1; k < 5; ++k)
      if (std::abs(J[k][c]) > std::abs(J[p][c])) p = k;
    if (J[p][c] == 0.0 || !std::isfinite(J[p][c])) return false;
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

// Targets (rho, rho u, E) and the scales that make their errors relative.
struct Targets {
  Vector5 value, scale;
};

inline Targets targets(double mass, double rho, const std::array<double, 3>& u, double T) {
  const double u2 = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
  const double E = 0.5 * rho * u2 + 1.5 * rho * T / mass;
  const double p = rho * (std::sqrt(u2) + std::sqrt(T / mass));
  return {{rho, rho * u[0], rho * u[1], rho * u[2], E}, {rho, p, p, p, E}};
}

// Largest |F_p| / scale_p; NaN if any F_p is NaN (std::max would drop it).
inline double relative_error(const Vector5& F, const Targets& t) {
  double r = 0.0;
  for (int p = 0; p < 5; ++p) {
    const double e = std::abs(F[p]) / t.scale[p];
    if (std::isnan(e)) return e;
    r = std::max(r, e);
  }
  return r;
}

}  // namespace detail

inline void sampled_maxwellian(const VelocityGrid& g, double mass, double rho,
                               const std::array<double, 3>& u, double T, double* f) {
  const double a = rho * std::pow(2.0 * std::numbers::pi * T / mass, -1.5);
  const double b = mass / (2.0 * T);
  std::vector<double> X(g.n), Y(g.n), Z(g.n);
  for (int k = 0; k < g.n; ++k) {
    X[k] = std::exp(-b * (g.v(k) - u[0]) * (g.v(k) - u[0]));
    Y[k] = std::exp(-b * (g.v(k) - u[1]) * (g.v(k) - u[1]));
    Z[k] = std::exp(-b * (g.v(k) - u[2]) * (g.v(k) - u[2]));
  }
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j) {
      double* row = f + g.index(i, j, 0);
      const double xy = a * X[i] * Y[j];
      for (int k = 0; k < g.n; ++k) row[k] = xy * Z[k];
    }
}

// The discrete Maxwellian as exponents: log f(v) = a0 + Σ_d (a_{1+d} v_d + a4 v_d² / 2),
// with the Gram matrix gram[p][r] = Σ phi_p phi_r f dv³ at those exponents (Newton's
// Jacobian, also the weight of the conservative projection below). Everything here
// costs O(N) per Newton iteration: a device plugin computes exponents on the host
// and fills the O(N³) values itself (fill_separable_maxwellian).
struct MaxwellianExponents {
  std::array<double, 5> a{};
  std::array<std::array<double, 5>, 5> gram{};
  EquilibriumResult result;
};

// The same exponents centred, log f = c0 + c4 Σ_d (v_d - c_{1+d})²: peak, centre and
// curvature, since a_d v + a4 v²/2 = (a4/2)(v - mu_d)² - a_d²/(2 a4) with
// mu_d = -a_d / a4. Factors written this way stay in [0, 1], where the uncentred ones
// overflow for (u_d)²/2T > 709 (high Mach numbers) and exp(a0) underflows.
inline std::array<double, 5> centred_exponents(const std::array<double, 5>& a) {
  std::array<double, 5> c = {a[0], -a[1] / a[4], -a[2] / a[4], -a[3] / a[4], 0.5 * a[4]};
  for (int d = 0; d < 3; ++d) c[0] -= a[1 + d] * a[1 + d] / (2.0 * a[4]);
  return c;
}

// Exponents of the discrete Maxwellian with the discrete moments rho, rho u and
// E = ½ rho |u|² + (3/2)(rho/m) T.
inline MaxwellianExponents discrete_maxwellian_exponents(const VelocityGrid& g, double mass, double rho,
                                                         const std::array<double, 3>& u, double T) {
  const detail::Targets t = detail::targets(mass, rho, u, T);
  // Start from the continuous Maxwellian.
  const double u2 = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
  MaxwellianExponents out;
  detail::Vector5& a = out.a;
  a = {std::log(rho * std::pow(2.0 * std::numbers::pi * T / mass, -1.5)) - mass * u2 / (2.0 * T),
       mass * u[0] / T, mass * u[1] / T, mass * u[2] / T, -mass / T};
  const double vol = g.cell_volume();
  detail::Vector5 F;
  detail::Matrix5& J = out.gram;
  // F = moments - targets and J = Σ phi phiᵀ f dv at the current exponents.
  auto evaluate = [&] {
    const auto c = centred_exponents(a);
    // Moments S[d][k] = Σ_i v_i^k X_d(v_i), k = 0..4, of the 1D factors.
    std::array<std::array<double, 5>, 3> S{};
    for (int d = 0; d < 3; ++d)
      for (int i = 0; i < g.n; ++i) {
        const double v = g.v(i), w = v - c[1 + d];
        const double x = std::exp(c[4] * w * w);
        double vk = 1.0;
        for (int k = 0; k < 5; ++k, vk *= v) S[d][k] += vk * x;
      }
    const double A = std::exp(c[0]) * vol;
    // Moment of the monomial v_x^p[0] v_y^p[1] v_z^p[2].
    auto Mv = [&](std::array<int, 3> p) { return A * S[0][p[0]] * S[1][p[1]] * S[2][p[2]]; };
    auto e = [](int d, int k) {  // exponent triple with k in direction d
      std::array<int, 3> p{};
      p[d] = k;
      return p;
    };
    // phi_4 = |v|^2 / 2 = Σ_d v_d^2 / 2: moments of phi_4 times a monomial.
    auto M4 = [&](std::array<int, 3> p) {
      double s = 0;
      for (int d = 0; d < 3; ++d) {
        auto q = p;
        q[d] += 2;
        s += 0.5 * Mv(q);
      }
      return s;
    };
    F[0] = Mv({0, 0, 0});
    for (int d = 0; d < 3; ++d) F[1 + d] = Mv(e(d, 1));
    F[4] = M4({0, 0, 0});
    J[0][0] = F[0];
    for (int d = 0; d < 3; ++d) {
      J[0][1 + d] = J[1 + d][0] = F[1 + d];
      for (int d2 = 0; d2 < 3; ++d2) {
        auto p = e(d, 1);
        p[d2] += 1;
        J[1 + d][1 + d2] = Mv(p);
      }
      J[1 + d][4] = J[4][1 + d] = M4(e(d, 1));
    }
    J[0][4] = J[4][0] = F[4];
    J[4][4] = 0;
    for (int d = 0; d < 3; ++d) J[4][4] += 0.5 * M4(e(d, 2));
    for (int p = 0; p < 5; ++p) F[p] -= t.value[p];
    return detail::relative_error(F, t);
  };
  // The round-off floor of the moments: the peak exponent c0 is a difference of
  // terms of size m|u|²/2T, so its absolute error, and the relative error of f, grow
  // with it. Up to m|u|²/2T ≈ 4.5 (Mach ≈ 2.3) the tolerance is 1e-13, which leaves room
  // for the round-off of the separable sums against direct sums over N^3 points.
  const double tolerance = std::max(1e-13, 100 * std::numeric_limits<double>::epsilon() * mass * u2 / (2.0 * T));
  EquilibriumResult& result = out.result;
  result.residual = evaluate();
  // Newton converges quadratically; stop at 1e-15 or once below the tolerance it no
  // longer halves the residual (the round-off floor).
  for (int it = 1; it < 40 && result.residual >= 1e-15 && std::isfinite(result.residual); ++it) {
    if (!detail::solve5(J, F)) break;
    for (int p = 0; p < 5; ++p) a[p] -= F[p];
    const double before = result.residual;
    result.iterations = it;
    result.residual = evaluate();  // so that gram always belongs to the returned exponents
    if (result.residual < tolerance && result.residual > 0.5 * before) break;
  }
  result.converged = result.residual < tolerance;
  return out;
}

// f := exp(c0 + c4 Σ_d (v_d - c_{1+d})²) for centred exponents c (centred_exponents),
// a product of three 1D factors.
inline void fill_separable_maxwellian(const VelocityGrid& g, const std::array<double, 5>& c, double* f) {
  std::array<std::vector<double>, 3> factor;
  for (int d = 0; d < 3; ++d) {
    factor[d].resize(g.n);
    for (int i = 0; i < g.n; ++i) {
      const double w = g.v(i) - c[1 + d];
      factor[d][i] = std::exp(c[4] * w * w);
    }
  }
  const double A = std::exp(c[0]);
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j) {
      double* row = f + g.index(i, j, 0);
      const double xy = A * factor[0][i] * factor[1][j];
      for (int k = 0; k < g.n; ++k) row[k] = xy * factor[2][k];
    }
}

// f := the discrete Maxwellian with the discrete moments rho, rho u and
// E = ½ rho |u|² + (3/2)(rho/m) T.
inline EquilibriumResult discrete_maxwellian(const VelocityGrid& g, double mass, double rho,
                                             const std::array<double, 3>& u, double T,
                                             double* f) {
  const MaxwellianExponents m = discrete_maxwellian_exponents(g, mass, rho, u, T);
  fill_separable_maxwellian(g, centred_exponents(m.a), f);
  return m.result;
}

// f := the ES-BGK Gaussian with temperature tensor 𝒯 (must be positive definite),
// corrected so that its discrete rho, rho u, E equal `target` (typically the direct
// sums of the distribution it replaces, so that nothing is lost to re-deriving them
// from u and T); u is the target's velocity and tr 𝒯 / 3 its temperature.
//
// Evaluation: with Q = 𝒯⁻¹ and c = v - u, exp(-m cᵀQc/2) is the product of the three
// pair factors exp(-m q_pq/2), q_xy = Q_xx cx²/2 + Q_yy cy²/2 + 2 Q_xy cx cy (and
// likewise xz, yz), tabulated on N² points each: the N³ values cost two products,
// and the 3N² exponentials are vector ones (exp_nonpositive). Each pair factor
// is ≤ 1 (no overflow, and an underflowing factor bounds the whole value) when
// Q_pp Q_qq ≥ 4 Q_pq², which holds unless 𝒯 is strongly anisotropic; otherwise every
// point takes its own exponential.
//
// Sums: the Gram matrix J = Σ phi phiᵀ f dv³ needs the moments Σ v_x^c v_y^a v_z^b f,
// c + a + b ≤ 4. They are summed without a reduction per row: within a plane of fixed
// v_x into per-v_z sums A_a[k] = Σ_j v_y^a f, per plane into T_ca[k] += v_x^c A_a[k],
// and over v_z once per call, in index order. A plane's v_z are taken in blocks of
// eight vector lanes, each block running along v_y with its sums in registers (sums
// kept in memory wait on their own stores from the row before). Every vector lane does
// what a scalar loop does, so the values do not depend on the vector width the
// function is compiled for (strata/toolkit/vector_clones.hpp).
//
// Correction: f *= 1 + lambda . phi with J lambda = the moment deficit. The correction
// is linear in lambda, so one pass reaches the round-off floor for the states the
// ES-BGK step produces (measured on the shipped cases: relative residual ≤ 3e-15 after
// it); further passes run only while more than 1e-14 is left and each halves it. emit(k,
// f_k) receives every value right after the pass produced it, so a caller that blends f
// into another array (the ES-BGK step) needs no sweep of its own: after the first pass,
// and where a pass refined it, once more with the final value. The first pass calls
// emit inside its vector loop, block by block of v_z (not in index order), so an emit
// must touch index k alone: overwrite there, not accumulate into anything shared, and
// not read what it or f writes at another index. Nothing is emitted when the tensor is
// not positive definite or the first solve fails (converged = false).
struct NoEmit {
  void operator()(std::size_t, double) const {}
};

template <class Emit = NoEmit>
STRATA_VECTOR_CLONES inline EquilibriumResult discrete_gaussian(const VelocityGrid& g, double mass,
                                                                const ConservedMoments& target,
                                                                const SymmetricTensor& Tt, double* f,
                                                                Emit emit = {}) {
  const double rho = target.rho;
  const std::array<double, 3> u = {target.momentum[0] / rho, target.momentum[1] / rho,
                                   target.momentum[2] / rho};
  const double xx = Tt[0], yy = Tt[1], zz = Tt[2], xy = Tt[3], xz = Tt[4], yz = Tt[5];
  const double det = xx * (yy * zz - yz * yz) - xy * (xy * zz - yz * xz) + xz * (xy * yz - yy * xz);
  EquilibriumResult result;
  if (!(xx > 0 && xx * yy - xy * xy > 0 && det > 0)) return result;  // not positive definite
  // Inverse of the symmetric tensor (adjugate / det).
  const SymmetricTensor inv = {(yy * zz - yz * yz) / det, (xx * zz - xz * xz) / det,
                               (xx * yy - xy * xy) / det, (xz * yz - xy * zz) / det,
                               (xy * yz - xz * yy) / det, (xy * xz - xx * yz) / det};
  const double a = rho * std::pow(2.0 * std::numbers::pi / mass, -1.5) / std::sqrt(det);
  detail::Targets t = detail::targets(mass, rho, u, (xx + yy + zz) / 3.0);
  t.value = {rho, target.momentum[0], target.momentum[1], target.momentum[2], target.energy};
  const double vol = g.cell_volume();
  const int n = g.n;
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  const double half_m = 0.5 * mass;
  const bool separable = inv[0] * inv[1] >= 4 * inv[3] * inv[3] && inv[0] * inv[2] >= 4 * inv[4] * inv[4] &&
                         inv[1] * inv[2] >= 4 * inv[5] * inv[5];
  // Per-call tables: powers v_z^b (b ≤ 4), c = v - u per direction, the correction's
  // terms along v_z, the sums T (15 N), and the pair factors.
  std::vector<double> work(24 * static_cast<std::size_t>(n) + (separable ? 3 * nn : 0));
  double* vp = work.data();  // vp[b * n + k] = v_k^b
  double* cx = vp + 5 * n;
  double* cy = cx + n;
  double* cz = cy + n;
  double* along_z = cz + n;  // lambda_3 v_z + lambda_4 v_z²/2
  double* tsum = along_z + n;
  double* pairs = tsum + 15 * n;  // P_xy[i n + j] (carrying a), P_xz[i n + k], P_yz[j n + k]
  const double* v = vp + n;
  for (int k = 0; k < n; ++k) {
    const double vk = g.v(k);
    double power = 1.0;
    for (int b = 0; b < 5; ++b, power *= vk) vp[b * n + k] = power;
    cx[k] = vk - u[0];
    cy[k] = vk - u[1];
    cz[k] = vk - u[2];
  }
  if (separable) {
    // (table, c_p, c_q, Q_pp, Q_qq, Q_pq, factor) for xy, xz, yz.
    const struct {
      double* P;
      const double *cp, *cq;
      double Qpp, Qqq, Qpq, scale;
    } tables[3] = {{pairs, cx, cy, inv[0], inv[1], inv[3], a},
                   {pairs + nn, cx, cz, inv[0], inv[2], inv[4], 1.0},
                   {pairs + 2 * nn, cy, cz, inv[1], inv[2], inv[5], 1.0}};
    for (const auto& t : tables)
      for (int i = 0; i < n; ++i) {
        const double diagonal = 0.5 * t.Qpp * t.cp[i] * t.cp[i], cross = 2.0 * t.Qpq * t.cp[i];
        double* P = t.P + i * n;
#pragma omp simd
        for (int j = 0; j < n; ++j)
          P[j] = t.scale * exp_nonpositive(-half_m * (diagonal + 0.5 * t.Qqq * t.cq[j] * t.cq[j] + cross * t.cq[j]));
      }
  }
  // Sample the Gaussian, summing its moments M[c][a][b] = Σ v_x^c v_y^a v_z^b f.
  std::fill(tsum, tsum + 15 * n, 0.0);
  for (int i = 0; i < n; ++i)
    for_each_lane_block(n, [&](int k0, auto block, int lanes) STRATA_CLONE_INLINE {
      double A[5][decltype(block)::value] = {};
      for (int j = 0; j < n; ++j) {
        double* row = f + g.index(i, j, k0);
        const double vy = v[j], vy2 = vy * vy, vy3 = vy2 * vy, vy4 = vy2 * vy2;
        auto sample = [&](auto value) STRATA_CLONE_INLINE {
#pragma omp simd
          for (int l = 0; l < lanes; ++l) {
            const double w = value(l);
            row[l] = w;
            A[0][l] += w;
            A[1][l] += vy * w;
            A[2][l] += vy2 * w;
            A[3][l] += vy3 * w;
            A[4][l] += vy4 * w;
          }
        };
        if (separable) {
          const double pxy = pairs[i * n + j];
          const double* pxz = pairs + nn + i * n + k0;
          const double* pyz = pairs + 2 * nn + j * n + k0;
          sample([&](int l) STRATA_CLONE_INLINE { return pxy * pxz[l] * pyz[l]; });
        } else {
          sample([&](int l) STRATA_CLONE_INLINE {
            const int k = k0 + l;
            const double q = inv[0] * cx[i] * cx[i] + inv[1] * cy[j] * cy[j] + inv[2] * cz[k] * cz[k] +
                             2.0 * (inv[3] * cx[i] * cy[j] + inv[4] * cx[i] * cz[k] + inv[5] * cy[j] * cz[k]);
            return a * exp_nonpositive(-half_m * q);
          });
        }
      }
      double* T = tsum + k0;  // T_ca, (a, c) in the order of the loops
      for (int pa = 0; pa < 5; ++pa) {
        double vxc = 1.0;
        for (int c = 0; c + pa < 5; ++c, vxc *= v[i], T += n) {
#pragma omp simd
          for (int l = 0; l < lanes; ++l) T[l] += vxc * A[pa][l];
        }
      }
    });
  double M[5][5][5] = {};
  {
    const double* T = tsum;
    for (int pa = 0; pa < 5; ++pa)
      for (int c = 0; c + pa < 5; ++c, T += n)
        for (int b = 0; b + pa + c < 5; ++b) {
          double s = 0;
          for (int k = 0; k < n; ++k) s += vp[b * n + k] * T[k];
          M[c][pa][b] = s;
        }
  }
  // J from the moments, phi = (1, v_x, v_y, v_z, |v|²/2).
  detail::Matrix5 J;
  J[0][0] = M[0][0][0];
  J[0][1] = M[1][0][0];
  J[0][2] = M[0][1][0];
  J[0][3] = M[0][0][1];
  J[0][4] = 0.5 * (M[2][0][0] + M[0][2][0] + M[0][0][2]);
  J[1][1] = M[2][0][0];
  J[1][2] = M[1][1][0];
  J[1][3] = M[1][0][1];
  J[1][4] = 0.5 * (M[3][0][0] + M[1][2][0] + M[1][0][2]);
  J[2][2] = M[0][2][0];
  J[2][3] = M[0][1][1];
  J[2][4] = 0.5 * (M[2][1][0] + M[0][3][0] + M[0][1][2]);
  J[3][3] = M[0][0][2];
  J[3][4] = 0.5 * (M[2][0][1] + M[0][2][1] + M[0][0][3]);
  J[4][4] = 0.25 * (M[4][0][0] + M[0][4][0] + M[0][0][4] + 2.0 * (M[2][2][0] + M[2][0][2] + M[0][2][2]));
  detail::Vector5 F;
  for (int p = 0; p < 5; ++p) F[p] = t.value[p] - J[0][p] * vol;  // the deficit to make up (J[0] = Σ phi f)
  for (int p = 0; p < 5; ++p)
    for (int r = p; r < 5; ++r) J[r][p] = J[p][r] = J[p][r] * vol;
  // Correction passes (above); each applies lambda and sums the new moments in one
  // sweep. At small Knudsen numbers every step replaces f by this Gaussian, so what
  // a pass leaves above round-off would accumulate in the domain totals.
  result.residual = detail::relative_error(F, t);
  bool corrected = false;
  double* U = tsum;  // per v_z: Σ f, Σ v_x f, Σ v_y f, Σ (v_x² + v_y²) f
  for (int pass = 0; pass < 6 && result.residual > (pass == 0 ? 0.0 : 1e-14); ++pass) {
    result.iterations = pass;
    if (!detail::solve5(J, F)) return result;
    const detail::Vector5 lambda = F;
    for (int k = 0; k < n; ++k) along_z[k] = lambda[3] * v[k] + 0.5 * lambda[4] * vp[2 * n + k];
    corrected = true;
    std::fill(U, U + 4 * n, 0.0);
    // One sweep in the blocks of the sample: f_k := f_k (1 + lambda . phi), emitted by
    // the first pass (a later pass emits once more at the end).
    auto sweep = [&](auto&& emit_value) STRATA_CLONE_INLINE {
      for (int i = 0; i < n; ++i) {
        const double vx = v[i], vx2 = vx * vx;
        for_each_lane_block(n, [&](int k0, auto block, int lanes) STRATA_CLONE_INLINE {
          double B[3][decltype(block)::value] = {};
          for (int j = 0; j < n; ++j) {
            const std::size_t first = g.index(i, j, k0);
            double* row = f + first;
            const double vy = v[j], vy2 = vy * vy;
            // 1 + lambda . phi = c_row + lambda_3 v_z + lambda_4 v_z²/2.
            const double c_row = 1.0 + lambda[0] + lambda[1] * vx + lambda[2] * vy + 0.5 * lambda[4] * (vx2 + vy2);
#pragma omp simd
            for (int l = 0; l < lanes; ++l) {
              const double w = row[l] * (c_row + along_z[k0 + l]);
              row[l] = w;
              emit_value(first + static_cast<std::size_t>(l), w);
              B[0][l] += w;
              B[1][l] += vy * w;
              B[2][l] += vy2 * w;
            }
          }
#pragma omp simd
          for (int l = 0; l < lanes; ++l) {
            const int k = k0 + l;
            U[k] += B[0][l];
            U[n + k] += vx * B[0][l];
            U[2 * n + k] += B[1][l];
            U[3 * n + k] += vx2 * B[0][l] + B[2][l];
          }
        });
      }
    };
    if (pass == 0) sweep(emit);
    else sweep(NoEmit{});
    double m0 = 0, mx = 0, my = 0, mz = 0, m2 = 0;
    for (int k = 0; k < n; ++k) {
      m0 += U[k];
      mx += U[n + k];
      my += U[2 * n + k];
      mz += v[k] * U[k];
      m2 += U[3 * n + k] + vp[2 * n + k] * U[k];
    }
    F = {t.value[0] - m0 * vol, t.value[1] - mx * vol, t.value[2] - my * vol, t.value[3] - mz * vol,
         t.value[4] - 0.5 * m2 * vol};
    const double before = result.residual;
    result.residual = detail::relative_error(F, t);
    if (result.residual >= 0.5 * before) break;  // round-off floor reached
  }
  if (!corrected || result.iterations > 0)
    for (std::size_t k = 0; k < g.size(); ++k) emit(k, f[k]);
  result.converged = result.residual < 1e-13;
  return result;
}

// The conservative projection along a Maxwellian M (as in conservative spectral
// methods): q -= M (lambda . phi) removes the mass, momentum and energy of q, with
// gram lambda = Σ phi q dv³ (gram from discrete_maxwellian_exponents). Returns false
// and leaves lambda undefined if the Gram matrix is singular.
inline bool conservative_projection(const std::array<std::array<double, 5>, 5>& gram,
                                    const std::array<double, 5>& moments_of_q, std::array<double, 5>& lambda) {
  lambda = moments_of_q;
  return detail::solve5(gram, lambda);
}

}  // namespace strata::toolkit
