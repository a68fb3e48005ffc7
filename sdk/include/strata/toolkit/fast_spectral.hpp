#pragma once
// The fast spectral method for the 3D hard-sphere Boltzmann operator (Mouhot–Pareschi
// 2006, Filbet–Mouhot–Pareschi 2006; paper §4.4.1, eqs. 4.34–4.52; docs/numerics.md),
// independent of the FFT library: the Fourier multipliers that the FFTW and cuFFT
// plugins apply.
//
// Carleman form (4.34) with B = |v - v_*| in 3D: B̃ = 4, truncated to |x|, |y| <= R:
//   Q(f)(v) = ∫∫ B̃ δ(x·y) [f(v+x) f(v+y) - f(v+x+y) f(v)] dx dy.
// With f(v) = Σ_k f̂_k exp(i ξ_k·v), ξ_k = k π/L, and x = ρe (e on the half sphere),
// y ⊥ e, the kernel modes are B̂(l, m) = B̃ ∫_{S²₊} φ_R(ξ_l·e) ψ_R(|Π_{e⊥} ξ_m|) de with
//   φ_R(s) = ∫_{-R}^{R} |ρ| e^{iρs} dρ = R² [2 Sinc(Rs) - Sinc²(Rs/2)],
//   ψ_R(s) = ∫_{|y|<=R, y⊥e} e^{i η·y} dy = 2πR J₁(Rs)/s (ψ_R(0) = πR²).
// A quadrature of A1 x A2 directions e_pq separates B̂ into sums of products. In φ the
// rule is uniform on [0, π) (weight π/A2); in θ it is Gauss–Legendre in cos θ on
// [-1, 1] (weights w_p integrate sin θ dθ exactly; the default) or the paper's midpoint
// rule in θ (θ_p = (p + ½)π/A1, weights π/A1 sin θ_p, eqs. 4.49–4.52). Both θ node sets
// are symmetric under θ -> π - θ, so with the integrand even in e the half-sphere rule
// is half of a full-sphere product rule with 2 A2 uniform points in φ
// (docs/numerics.md, "angular rule"). Alternatively the directions come from a
// full-sphere rule with antipodal pairs (Lebedev's or an icosahedral one, sphere_rule();
// docs/numerics.md, "sphere rules"), D directions instead of A1 x A2. Then
//   gain(v) = Σ_pq w_pq F⁻¹[φ_pq f̂](v) F⁻¹[ψ_pq f̂](v),
//   loss(v) = f(v) F⁻¹[L̂ f̂](v),  L̂(m) = Σ_pq w_pq φ_pq(m) ψ_pq(m),
// with B̃ folded into w. Every multiplier is real and even in ξ, so real-to-complex
// transforms suffice. The multipliers vanish on the Nyquist modes (an index -N/2 in
// any direction): these have no partner -k on the grid, and without them every pair
// l + m = 0 (mod N) is a pair m = -l, so Q̂_0 = 0 exactly (mass) because φ_R is even.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace strata::toolkit {

// Nodes x_p and weights w_p of the n-point Gauss–Legendre rule on [-1, 1] (Newton on the
// Legendre recurrence from the Tricomi initial guesses), x ascending.
inline std::pair<std::vector<double>, std::vector<double>> gauss_legendre(int n) {
  std::vector<double> x(n), w(n);
  for (int r = 0; r < n; ++r) {
    double z = -std::cos(std::numbers::pi * (r + 0.75) / (n + 0.5)), dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1.0, p1 = z;  // P_0, P_1 -> P_{n-1}, P_n
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1.0);  // P_n'
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    x[r] = z;
    w[r] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
  return {x, w};
}

// How the half-sphere directions are chosen: a product rule whose polar angle is
// Gauss–Legendre in cos θ or the paper's midpoint rule (A1 x A2 directions), or a rule
// with the rotation symmetry of a regular solid (sphere_rule()).
enum class AngularRule { gauss_legendre, midpoint, sphere };

// One direction e of the half sphere and its weight (∫_{S²₊} g de ≈ Σ w g(e) for g even).
struct Direction {
  double e[3];
  double weight;
};

// The antipodally symmetric full-sphere rules on the orbits of the octahedral group
// (Lebedev's rules; docs/numerics.md, "sphere rules"; the orbits a1: (1,0,0),
// a2: (0,1,1)/√2, a3: (1,1,1)/√3, b: (l,l,m), c: (p,q,0), all signs and permutations)
// and of the icosahedral group (the 12 icosahedron vertices (0, ±1, ±g) and the 20
// vertices (±1, ±1, ±1), (0, ±g, ±1/g) of its dual dodecahedron, cyclic permutations,
// g the golden ratio). An integrand even in e has ∫_{S²₊} = ½ ∫_{S²}, so a full-sphere rule of 2M points and unit total weight w_i gives
// the half-sphere rule of M directions, one of each pair ±e, with weights 4π w_i.
// The rules integrate every polynomial of degree <= their degree exactly (checked in
// tests/unit/test_angular_rule.cpp against the exact sphere moments).
struct SphereRule {
  int directions, degree;
};
inline constexpr SphereRule sphere_rules[] = {
    {3, 3},    // octahedron (Lebedev 6)
    {7, 5},    // Lebedev 14: a1, a3
    {13, 7},   // Lebedev 26: a1, a2, a3
    {16, 9},   // icosahedron + dodecahedron (32 points)
    {19, 9},   // Lebedev 38: a1, a3, c
    {25, 11},  // Lebedev 50: a1, a2, a3, b
};

namespace detail {
// Every point of the orbit of x under sign changes and the permutations (all six, or
// only the cyclic ones), without repetitions.
inline void add_orbit(std::vector<Direction>& out, double x, double y, double z, double weight, bool all_permutations) {
  const double base[3] = {x, y, z};
  const int perms[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {1, 0, 2}, {0, 2, 1}, {2, 1, 0}};
  for (int p = 0; p < (all_permutations ? 6 : 3); ++p)
    for (int s = 0; s < 8; ++s) {
      Direction d{{0, 0, 0}, weight};
      for (int a = 0; a < 3; ++a) d.e[a] = (s >> a & 1 ? -1.0 : 1.0) * base[perms[p][a]];
      const bool seen = std::any_of(out.begin(), out.end(), [&](const Direction& o) {
        return std::abs(o.e[0] - d.e[0]) + std::abs(o.e[1] - d.e[1]) + std::abs(o.e[2] - d.e[2]) < 1e-12;
      });
      if (!seen) out.push_back(d);
    }
}
}  // namespace detail

// The full-sphere rule of sphere_rules with 2 x `directions` points, weights summing to 1.
inline std::vector<Direction> full_sphere_rule(int directions) {
  std::vector<Direction> r;
  const double s2 = 1.0 / std::sqrt(2.0), s3 = 1.0 / std::sqrt(3.0);
  switch (directions) {
    case 3:
      detail::add_orbit(r, 1, 0, 0, 1.0 / 6.0, true);
      break;
    case 7:
      detail::add_orbit(r, 1, 0, 0, 1.0 / 15.0, true);
      detail::add_orbit(r, s3, s3, s3, 3.0 / 40.0, true);
      break;
    case 13:
      detail::add_orbit(r, 1, 0, 0, 1.0 / 21.0, true);
      detail::add_orbit(r, 0, s2, s2, 4.0 / 105.0, true);
      detail::add_orbit(r, s3, s3, s3, 9.0 / 280.0, true);
      break;
    case 16: {
      // Weights 5/168 and 9/280: total 1 and the icosahedral invariant of degree 6 integrated
      // exactly; the next invariant harmonic has degree 10 (even ones: 0, 6, 10, ...).
      const double g = 0.5 * (1.0 + std::sqrt(5.0)), ni = std::sqrt(1.0 + g * g), nd = std::sqrt(3.0);
      detail::add_orbit(r, 0, 1 / ni, g / ni, 5.0 / 168.0, false);
      detail::add_orbit(r, 1 / nd, 1 / nd, 1 / nd, 9.0 / 280.0, false);
      detail::add_orbit(r, 0, g / nd, 1 / (g * nd), 9.0 / 280.0, false);
      break;
    }
    case 19: {
      // c orbit: p, q the roots of Lebedev's 38-point rule.
      const double p = 0.4597008433809831, q = std::sqrt(1.0 - p * p);
      detail::add_orbit(r, 1, 0, 0, 1.0 / 105.0, true);
      detail::add_orbit(r, s3, s3, s3, 9.0 / 280.0, true);
      detail::add_orbit(r, p, q, 0, 1.0 / 35.0, true);
      break;
    }
    case 25: {
      const double l = 1.0 / std::sqrt(11.0), m = 3.0 / std::sqrt(11.0);
      detail::add_orbit(r, 1, 0, 0, 4.0 / 315.0, true);
      detail::add_orbit(r, 0, s2, s2, 64.0 / 2835.0, true);
      detail::add_orbit(r, s3, s3, s3, 27.0 / 1280.0, true);
      detail::add_orbit(r, l, l, m, 14641.0 / 725760.0, true);
      break;
    }
    default:
      throw std::invalid_argument("no sphere rule with " + std::to_string(directions) +
                                  " directions (3, 7, 13, 16, 19 or 25)");
  }
  return r;
}

// The half-sphere rule: of each pair ±e the one whose first non-zero component
// (z, then y, then x) is positive, weight 4π w.
inline std::vector<Direction> sphere_rule(int directions) {
  std::vector<Direction> half;
  for (const auto& d : full_sphere_rule(directions)) {
    const double lead = std::abs(d.e[2]) > 1e-12 ? d.e[2] : std::abs(d.e[1]) > 1e-12 ? d.e[1] : d.e[0];
    if (lead > 0) half.push_back({{d.e[0], d.e[1], d.e[2]}, 4.0 * std::numbers::pi * d.weight});
  }
  if (static_cast<int>(half.size()) != directions) throw std::logic_error("sphere rule: wrong number of pairs");
  return half;
}

// The product rule: A1 polar nodes (Gauss–Legendre in cos θ or midpoints in θ) times
// A2 uniform azimuths φ_q = qπ/A2 on [0, π), weight (θ weight) π/A2.
inline std::vector<Direction> product_rule(int A1, int A2, AngularRule rule) {
  if (A1 < 1 || A2 < 1) throw std::invalid_argument("the angular rule needs A1, A2 >= 1");
  const double pi = std::numbers::pi;
  // cos θ_p and the weight of θ_p (∫ sin θ dθ over its share of [0, π]).
  std::vector<double> cos_theta(A1), theta_weight(A1);
  if (rule == AngularRule::gauss_legendre) {
    std::tie(cos_theta, theta_weight) = gauss_legendre(A1);
  } else {
    for (int p = 0; p < A1; ++p) {
      const double theta = (p + 0.5) * pi / A1;
      cos_theta[p] = std::cos(theta);
      theta_weight[p] = pi / A1 * std::sin(theta);
    }
  }
  std::vector<Direction> r;
  for (int p = 0; p < A1; ++p)
    for (int q = 0; q < A2; ++q) {
      const double sin_theta = std::sqrt(std::max(0.0, 1.0 - cos_theta[p] * cos_theta[p])), varphi = q * pi / A2;
      r.push_back({{sin_theta * std::cos(varphi), sin_theta * std::sin(varphi), cos_theta[p]}, theta_weight[p] * pi / A2});
    }
  return r;
}

inline double carleman_phi(double R, double s) {
  const double x = R * s;
  if (std::abs(x) < 1e-4) return R * R * (1.0 - x * x / 4.0);  // series: R²(1 - x²/4 + ...)
  const double half = std::sin(0.5 * x) / (0.5 * x);
  return R * R * (2.0 * std::sin(x) / x - half * half);
}

inline double carleman_psi(double R, double s) {
  const double x = R * s;
  if (std::abs(x) < 1e-6) return std::numbers::pi * R * R * (1.0 - x * x / 8.0);
  return 2.0 * std::numbers::pi * R * std::cyl_bessel_j(1.0, x) / s;
}

struct SpectralKernel {
  int n = 0;          // points per velocity dimension
  double L = 0.0, R = 0.0;
  int directions = 0;  // of the angular rule (A1 * A2 for the product rules)
  std::size_t modes = 0;  // n * n * (n/2 + 1): the real-to-complex half spectrum
  std::vector<double> weight;  // per direction: B̃ × the rule's weight
  std::vector<double> phi, psi;  // [direction * modes + mode]
  std::vector<double> loss;      // [mode]

  // Signed wave number index of position p along a full dimension.
  int wave(int p) const { return p < n / 2 ? p : p - n; }
};

// Multipliers on the half spectrum, mode index (i * n + j) * (n/2 + 1) + k for the
// wave numbers (wave(i), wave(j), k) (FFTW's and cuFFT's r2c layout, v_z last), for
// the half-sphere directions `rule` (weights of ∫_{S²₊} de; B̃ is folded in here).
inline SpectralKernel make_spectral_kernel(int n, double L, double R, const std::vector<Direction>& rule) {
  if (rule.empty()) throw std::invalid_argument("the angular rule needs at least one direction");
  SpectralKernel K;
  K.n = n;
  K.L = L;
  K.R = R;
  K.directions = static_cast<int>(rule.size());
  const int nh = n / 2 + 1;
  K.modes = static_cast<std::size_t>(n) * n * nh;
  K.phi.resize(K.directions * K.modes);
  K.psi.resize(K.directions * K.modes);
  K.loss.assign(K.modes, 0.0);
  const double btilde = 4.0, xi = std::numbers::pi / L;
  for (int d = 0; d < K.directions; ++d) {
    const double* e = rule[d].e;
    const double w = btilde * rule[d].weight;
    K.weight.push_back(w);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        for (int k = 0; k < nh; ++k) {
          const double kx = xi * K.wave(i), ky = xi * K.wave(j), kz = xi * k;
          const double dot = kx * e[0] + ky * e[1] + kz * e[2];
          const double perp = std::sqrt(std::max(0.0, kx * kx + ky * ky + kz * kz - dot * dot));
          const std::size_t m = (static_cast<std::size_t>(i) * n + j) * nh + k;
          const bool nyquist = i == n / 2 || j == n / 2 || k == n / 2;
          const double a = nyquist ? 0.0 : carleman_phi(R, dot), b = nyquist ? 0.0 : carleman_psi(R, perp);
          K.phi[d * K.modes + m] = a;
          K.psi[d * K.modes + m] = b;
          K.loss[m] += w * a * b;
        }
  }
  return K;
}

// The product rule of A1 x A2 directions (for AngularRule::sphere pass sphere_rule()).
inline SpectralKernel make_spectral_kernel(int n, double L, double R, int A1, int A2,
                                           AngularRule rule = AngularRule::gauss_legendre) {
  if (rule == AngularRule::sphere) throw std::invalid_argument("the sphere rule takes sphere_rule(directions)");
  return make_spectral_kernel(n, L, R, product_rule(A1, A2, rule));
}

}  // namespace strata::toolkit
