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
// (docs/numerics.md, "angular rule"). Then
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

// How the polar angle of the half-sphere directions is discretised.
enum class AngularRule { gauss_legendre, midpoint };

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
  int directions = 0;  // A1 * A2
  std::size_t modes = 0;  // n * n * (n/2 + 1): the real-to-complex half spectrum
  std::vector<double> weight;  // per direction: B̃ (θ weight) π/A2
  std::vector<double> phi, psi;  // [direction * modes + mode]
  std::vector<double> loss;      // [mode]

  // Signed wave number index of position p along a full dimension.
  int wave(int p) const { return p < n / 2 ? p : p - n; }
};

// Multipliers on the half spectrum, mode index (i * n + j) * (n/2 + 1) + k for the
// wave numbers (wave(i), wave(j), k) (FFTW's and cuFFT's r2c layout, v_z last).
inline SpectralKernel make_spectral_kernel(int n, double L, double R, int A1, int A2,
                                           AngularRule rule = AngularRule::gauss_legendre) {
  if (A1 < 1 || A2 < 1) throw std::invalid_argument("the angular rule needs A1, A2 >= 1");
  SpectralKernel K;
  K.n = n;
  K.L = L;
  K.R = R;
  K.directions = A1 * A2;
  const int nh = n / 2 + 1;
  K.modes = static_cast<std::size_t>(n) * n * nh;
  K.phi.resize(K.directions * K.modes);
  K.psi.resize(K.directions * K.modes);
  K.loss.assign(K.modes, 0.0);
  const double pi = std::numbers::pi, btilde = 4.0, xi = pi / L;
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
  for (int p = 0; p < A1; ++p)
    for (int q = 0; q < A2; ++q) {
      const int d = p * A2 + q;
      const double sin_theta = std::sqrt(std::max(0.0, 1.0 - cos_theta[p] * cos_theta[p])), varphi = q * pi / A2;
      const double e[3] = {sin_theta * std::cos(varphi), sin_theta * std::sin(varphi), cos_theta[p]};
      const double w = btilde * theta_weight[p] * pi / A2;
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

}  // namespace strata::toolkit
