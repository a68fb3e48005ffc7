// The boltzmann_fft plugin and the fast spectral kernel (paper §4.4.1, docs/numerics.md).
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include <omp.h>

#include "plugin_loader.hpp"
#include "strata/toolkit/fast_spectral.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;
using toolkit::VelocityGrid;

namespace {
const double mass = 1.0;

core::PluginObject<sdk::CollisionModel> make_boltzmann(const VelocityGrid& g, const std::string& params) {
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("boltzmann_fft");
  sdk::SetupInfo setup;
  setup.species_mass = &mass;
  setup.velocity_points = g.n;
  setup.velocity_bound = g.L;
  return lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
}

// The A1 x A2 Gauss-Legendre product rule.
core::PluginObject<sdk::CollisionModel> make_boltzmann(const VelocityGrid& g, double R, int A1, int A2) {
  return make_boltzmann(g, "{\"R\": " + std::to_string(R) + ", \"A1\": " + std::to_string(A1) +
                               ", \"A2\": " + std::to_string(A2) + ", \"angular_rule\": \"gauss_legendre\", \"penalty\": \"paper\", \"well_balanced\": false, \"conservative\": false}");
}

// Q(f) through the SDK: explicit_part gives Q - beta (M - f) with beta = 2 pi rho
// (penalty "paper"), so Q = E + 2 pi rho (M[f] - f) with the same discrete Maxwellian.
std::vector<double> collision(core::PluginObject<sdk::CollisionModel>& model, const VelocityGrid& g,
                              const std::vector<double>& f) {
  const auto n = static_cast<std::int64_t>(g.size());
  std::vector<double> Q(f.size()), M(f.size());
  model.check(model->explicit_part({f.data(), 1, n, n}, {Q.data(), 1, n, n}), "explicit_part");
  const auto m = toolkit::full_moments(g, f.data(), mass);
  REQUIRE(toolkit::discrete_maxwellian(g, mass, m.rho, m.u, m.T, M.data()).converged);
  for (std::size_t k = 0; k < f.size(); ++k) Q[k] += 2 * M_PI * m.rho * (M[k] - f[k]);
  return Q;
}

// Two Maxwellians with different temperatures and drifts: far from equilibrium.
std::vector<double> bimodal(const VelocityGrid& g) {
  std::vector<double> f(g.size()), second(g.size());
  toolkit::sampled_maxwellian(g, mass, 0.6, {1.0, 0.2, 0.0}, 0.6, f.data());
  toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, -0.3, 0.1}, 1.1, second.data());
  for (std::size_t k = 0; k < f.size(); ++k) f[k] += second[k];
  return f;
}

struct Errors {
  double mass, momentum, energy;
};

// Moments of Q relative to the size of the loss term's moments (rho nu).
Errors moments_of(const VelocityGrid& g, const std::vector<double>& Q, double scale) {
  const auto m = toolkit::conserved_moments(g, Q.data());
  return {std::abs(m.rho) / scale, std::hypot(m.momentum[0], m.momentum[1], m.momentum[2]) / scale,
          std::abs(m.energy) / scale};
}
// The loss-frequency field nu = F⁻¹[L̂ F[f]] at every grid point by plain DFTs on the
// half spectrum (independent of FFTW; the phase of the half-cell grid offset cancels).
std::vector<double> plain_dft_loss_frequency(const VelocityGrid& g, const toolkit::SpectralKernel& K,
                                             const std::vector<double>& f) {
  const int n = g.n, nh = n / 2 + 1;
  std::vector<std::complex<double>> e(n);  // e^{-2 pi i k / n}
  for (int k = 0; k < n; ++k) e[k] = std::polar(1.0, -2 * M_PI * k / n);
  std::vector<std::complex<double>> spectrum(K.modes);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < nh; ++k) {
        std::complex<double> s = 0;
        for (int a = 0; a < n; ++a)
          for (int b = 0; b < n; ++b)
            for (int c = 0; c < n; ++c) s += f[g.index(a, b, c)] * e[(i * a + j * b + k * c) % n];
        const std::size_t m = (i * n + j) * nh + k;
        spectrum[m] = K.loss[m] * s / double(g.size());
      }
  std::vector<double> nu(g.size());
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int c = 0; c < n; ++c) {
        double s = 0;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j)
            for (int k = 0; k < nh; ++k) {
              const double w = (k == 0 || k == n / 2) ? 1.0 : 2.0;  // Hermitian partners
              s += w * (spectrum[(i * n + j) * nh + k] * std::conj(e[(i * a + j * b + k * c) % n])).real();
            }
        nu[g.index(a, b, c)] = s;
      }
  return nu;
}
}  // namespace

TEST_CASE("boltzmann: Q conserves mass to round-off, momentum and energy spectrally") {
  std::vector<Errors> errors;
  for (int n : {16, 32}) {
    const VelocityGrid g{n, 8.0};
    auto model = make_boltzmann(g, 3.3, 4, 4);
    const auto f = bimodal(g);
    const auto Q = collision(model, g, f);
    double scale = 0;  // Σ |Q| dv: the size of what is being conserved
    for (double q : Q) scale += std::abs(q) * g.cell_volume();
    const Errors e = moments_of(g, Q, scale);
    MESSAGE("N = " << n << ": relative moments of Q: mass " << e.mass << ", momentum " << e.momentum
                   << ", energy " << e.energy);
    CHECK(e.mass < 1e-13);  // Q̂_0 = 0 exactly; round-off of N^3 sums
    errors.push_back(e);
  }
  // Momentum and energy are conserved up to the truncation of the operator: small,
  // and not worse on the finer grid.
  CHECK(errors[1].momentum < 1e-2);
  CHECK(errors[1].energy < 1e-2);
  CHECK(errors[1].energy <= errors[0].energy * 1.5);
}

TEST_CASE("boltzmann: Q(Maxwellian) is small and shrinks as N grows") {
  std::vector<double> residual;
  for (int n : {8, 16, 32}) {
    const VelocityGrid g{n, 8.0};
    auto model = make_boltzmann(g, 3.3, 4, 4);
    std::vector<double> M(g.size());
    REQUIRE(toolkit::discrete_maxwellian(g, mass, 1.0, {0.3, 0.0, 0.0}, 1.0, M.data()).converged);
    const auto Q = collision(model, g, M);
    double q = 0, m = 0;
    for (std::size_t k = 0; k < M.size(); ++k) {
      q = std::max(q, std::abs(Q[k]));
      m = std::max(m, M[k]);
    }
    residual.push_back(q / m);
    MESSAGE("N = " << n << ": max |Q(M)| / max M = " << q / m);
  }
  CHECK(residual[1] < residual[0]);
  CHECK(residual[2] < residual[1]);
  CHECK(residual[2] < 1e-3);
}

TEST_CASE("boltzmann: the loss frequency is 4 pi ∫ |v - v*| f(v*) dv* (normalisation)") {
  // nu(v) = F⁻¹[L̂ f̂](v) evaluated with a plain DFT (independent of FFTW), for the
  // Maxwellian rho = 1, u = 0, T = 1, against the exact
  // 4 pi (sqrt(2/pi) e^{-a²/2} + (a + 1/a) erf(a/sqrt 2)), a = |v|.
  const VelocityGrid g{16, 8.0};
  const double R = 6.0;  // large enough that |v - v*| <= R carries all but e^{-R²/4} of the mass
  const auto K = toolkit::make_spectral_kernel(g.n, g.L, R, 16, 16);
  std::vector<double> M(g.size());
  toolkit::sampled_maxwellian(g, mass, 1.0, {0, 0, 0}, 1.0, M.data());
  const auto nu_field = plain_dft_loss_frequency(g, K, M);
  // Points with |v| <= 2.6, where the relative velocities that matter (|v - v*| up to
  // |v| + 3.4, the Maxwellian's 3-sigma ball) stay inside the truncation radius R = 6.
  for (auto [a, b, c] : {std::array<int, 3>{8, 8, 8}, {9, 8, 8}, {10, 9, 8}, {9, 9, 9}}) {
    const double v = std::hypot(g.v(a), g.v(b), g.v(c));
    const double exact = 4 * M_PI * (std::sqrt(2 / M_PI) * std::exp(-v * v / 2) + (v + 1 / v) * std::erf(v / std::sqrt(2.0)));
    const double nu = nu_field[g.index(a, b, c)];
    MESSAGE("|v| = " << v << ": nu = " << nu << ", exact " << exact << ", relative error " << nu / exact - 1);
    // Remaining error: the 16 x 16 half-sphere quadrature and the sampled Maxwellian
    // on a grid of spacing 1 (its spectrum is cut at |xi| = pi): 0.5%.
    CHECK(nu == doctest::Approx(exact).epsilon(5e-3));
  }
}

TEST_CASE("boltzmann: the fast operator converges to the classical O(N^6) spectral sum as A1, A2 grow") {
  // Reference: Q̂_k = Σ_{l+m=k} f̂_l f̂_m [B̂(l,m) - B̂(m,m)] (eq. 4.31, sums modulo N as
  // on the FFT grid; as in the fast method the Nyquist modes enter only through the
  // factor f(v) of the loss term), B̂ from an accurate Gauss–Legendre x uniform rule on the sphere
  // (24 x 48 points, the integrand being even under e -> -e) instead of the A1 x A2
  // midpoint rule of the fast method; then Q = inverse DFT of Q̂.
  const VelocityGrid g{8, 4.0};
  const double R = 3.0;
  const int n = g.n;
  const std::size_t n3 = g.size();
  std::vector<double> f(n3), second(n3);
  toolkit::sampled_maxwellian(g, mass, 0.7, {0.6, 0.0, 0.0}, 0.8, f.data());
  toolkit::sampled_maxwellian(g, mass, 0.3, {-0.8, 0.3, 0.0}, 1.0, second.data());
  for (std::size_t k = 0; k < n3; ++k) f[k] += second[k];
  auto wave = [&](int p) { return p < n / 2 ? p : p - n; };
  std::vector<std::complex<double>> fhat(n3);
  for (std::size_t kk = 0; kk < n3; ++kk) {
    const int i = int(kk / (n * n)), j = int(kk / n % n), k = int(kk % n);
    std::complex<double> s = 0;
    for (std::size_t p = 0; p < n3; ++p)
      s += f[p] * std::polar(1.0, -2 * M_PI * (double(i) * int(p / (n * n)) + double(j) * int(p / n % n) + double(k) * int(p % n)) / n);
    fhat[kk] = s / double(n3);
  }
  // Gauss–Legendre nodes in cos(theta) by Newton on P_24.
  const int nt = 24, np = 48;
  std::vector<double> x(nt), w(nt);
  for (int r = 0; r < nt; ++r) {
    double z = std::cos(M_PI * (r + 0.75) / (nt + 0.5)), dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = z;
      for (int k = 2; k <= nt; ++k) { const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k; p0 = p1; p1 = p2; }
      dp = nt * (z * p1 - p0) / (z * z - 1);
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-15) break;
    }
    x[r] = z;
    w[r] = 2 / ((1 - z * z) * dp * dp);
  }
  std::vector<std::array<double, 4>> dirs;  // e, weight (half of the full-sphere rule, times B̃ = 4)
  for (int r = 0; r < nt; ++r)
    for (int q = 0; q < np; ++q) {
      const double st = std::sqrt(1 - x[r] * x[r]), ph = 2 * M_PI * q / np;
      dirs.push_back({st * std::cos(ph), st * std::sin(ph), x[r], 0.5 * 4.0 * w[r] * 2 * M_PI / np});
    }
  const double xi = M_PI / g.L;
  std::vector<double> phi(n3 * dirs.size()), psi(n3 * dirs.size());
  for (std::size_t kk = 0; kk < n3; ++kk) {
    const double k3[3] = {xi * wave(int(kk / (n * n))), xi * wave(int(kk / n % n)), xi * wave(int(kk % n))};
    for (std::size_t d = 0; d < dirs.size(); ++d) {
      const double dot = k3[0] * dirs[d][0] + k3[1] * dirs[d][1] + k3[2] * dirs[d][2];
      const double perp = std::sqrt(std::max(0.0, k3[0] * k3[0] + k3[1] * k3[1] + k3[2] * k3[2] - dot * dot));
      phi[kk * dirs.size() + d] = toolkit::carleman_phi(R, dot);
      psi[kk * dirs.size() + d] = toolkit::carleman_psi(R, perp);
    }
  }
  auto Bhat = [&](std::size_t l, std::size_t m) {
    double s = 0;
    for (std::size_t d = 0; d < dirs.size(); ++d) s += dirs[d][3] * phi[l * dirs.size() + d] * psi[m * dirs.size() + d];
    return s;
  };
  std::vector<double> Bmm(n3);
  for (std::size_t m = 0; m < n3; ++m) Bmm[m] = Bhat(m, m);
  std::vector<std::complex<double>> Qhat(n3, 0.0);
  auto nyquist = [&](std::size_t k) { return k / (n * n) == std::size_t(n / 2) || k / n % n == std::size_t(n / 2) || k % n == std::size_t(n / 2); };
  for (std::size_t l = 0; l < n3; ++l)
    for (std::size_t m = 0; m < n3; ++m) {
      if (nyquist(m)) continue;
      const int ki = (int(l / (n * n)) + int(m / (n * n))) % n, kj = (int(l / n % n) + int(m / n % n)) % n,
                kk = (int(l % n) + int(m % n)) % n;
      const double gain = nyquist(l) ? 0.0 : Bhat(l, m);
      Qhat[(ki * n + kj) * n + kk] += fhat[l] * fhat[m] * (gain - Bmm[m]);
    }
  std::vector<double> reference(n3, 0.0);
  double size = 0;
  for (std::size_t p = 0; p < n3; ++p) {
    std::complex<double> s = 0;
    for (std::size_t kk = 0; kk < n3; ++kk)
      s += Qhat[kk] * std::polar(1.0, 2 * M_PI * (double(kk / (n * n)) * int(p / (n * n)) + double(kk / n % n) * int(p / n % n) + double(kk % n) * int(p % n)) / n);
    reference[p] = s.real();
    size = std::max(size, std::abs(s.real()));
  }
  std::vector<double> difference;
  for (int A : {2, 4, 8, 16}) {
    auto model = make_boltzmann(g, R, A, A);
    const auto Q = collision(model, g, f);
    double d = 0;
    for (std::size_t p = 0; p < n3; ++p) d = std::max(d, std::abs(Q[p] - reference[p]));
    difference.push_back(d / size);
    MESSAGE("A1 = A2 = " << A << ": max |Q_fast - Q_classical| / max |Q| = " << d / size);
  }
  for (std::size_t k = 1; k < difference.size(); ++k) CHECK(difference[k] < difference[k - 1]);
  CHECK(difference.back() < 1e-3);
  // angular_rule "sphere" (docs/numerics.md): the icosahedral rule (16 directions, the
  // cost of A1 = A2 = 4) and Lebedev's 50-point rule (25 directions). The bounds are the
  // errors measured here, 3.02e-3 and 1.28e-3, with 25% headroom: the multipliers and FFTs are
  // deterministic to round-off, so the headroom only absorbs libm differences in J1 and
  // sin; a wrong node or weight moves the error by far more (the 4 x 4 product rule:
  // difference[1]).
  for (const auto& [directions, bound] : {std::pair{16, 3.8e-3}, std::pair{25, 1.6e-3}}) {
    const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("boltzmann_fft");
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = g.n;
    setup.velocity_bound = g.L;
    auto model = lib->create<sdk::CollisionModel>(
        sdk::PluginKind::collision_model,
        "{\"R\": " + std::to_string(R) + ", \"angular_rule\": \"sphere\", \"directions\": " + std::to_string(directions) +
            ", \"penalty\": \"paper\", \"well_balanced\": false, \"conservative\": false}",
        setup);
    const auto Q = collision(model, g, f);
    double d = 0;
    for (std::size_t p = 0; p < n3; ++p) d = std::max(d, std::abs(Q[p] - reference[p]));
    MESSAGE("sphere rule, " << directions << " directions: max |Q_fast - Q_classical| / max |Q| = " << d / size);
    CHECK(d / size < bound);
    CHECK(d / size < difference[1]);
  }
}

TEST_CASE("boltzmann: the penalised IMEX pieces conserve, keep Maxwellians, and stage_value fuses them") {
  // Default parameters (well-balanced, conservative, loss-frequency penalty), two chunks
  // of the plugin and a part (a chunk is 2^17 / N^3 = 32 cells per thread) and rows
  // padded by a stride, as the engine may pass them.
  const VelocityGrid g{16, 8.0};
  auto model = make_boltzmann(g, "{}");
  const std::size_t n3 = g.size(), stride = n3 + 5;
  const int cells = 2 * 32 * omp_get_max_threads() + 6;
  const auto cols = static_cast<std::int64_t>(n3), st = static_cast<std::int64_t>(stride);
  std::vector<double> rhs(cells * stride, -1.0), second(n3);
  for (int c = 0; c < cells; ++c) {
    toolkit::sampled_maxwellian(g, mass, 0.6 + 0.01 * c, {1.0, 0.2 - 0.01 * c, 0.0}, 0.6, &rhs[c * stride]);
    toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, -0.3, 0.1}, 1.1, second.data());
    for (std::size_t k = 0; k < n3; ++k) rhs[c * stride + k] += second[k];
  }
  std::vector<double> h(cells);
  for (int c = 0; c < cells; ++c) h[c] = std::pow(10.0, -3 + 0.1 * c);  // from non-stiff to stiff
  std::vector<double> y(rhs.size()), e(rhs.size()), y2(rhs.size()), e2(rhs.size());
  model.check(model->stage_value({rhs.data(), cells, cols, st}, h.data(), {y.data(), cells, cols, st},
                                 {e.data(), cells, cols, st}),
              "stage_value");
  model.check(model->implicit_solve({rhs.data(), cells, cols, st}, h.data(), {y2.data(), cells, cols, st}),
              "implicit_solve");
  model.check(model->explicit_part({y2.data(), cells, cols, st}, {e2.data(), cells, cols, st}), "explicit_part");
  double dy = 0, de = 0, ysize = 0, esize = 0, worst = 0;
  for (int c = 0; c < cells; ++c) {
    const double* r = &rhs[c * stride];
    const auto m0 = toolkit::conserved_moments(g, r), my = toolkit::conserved_moments(g, &y[c * stride]),
               me = toolkit::conserved_moments(g, &e[c * stride]);
    double abs_e = 0;
    for (std::size_t k = 0; k < n3; ++k) {
      dy = std::max(dy, std::abs(y[c * stride + k] - y2[c * stride + k]));
      de = std::max(de, std::abs(e[c * stride + k] - e2[c * stride + k]));
      ysize = std::max(ysize, std::abs(y[c * stride + k]));
      esize = std::max(esize, std::abs(e[c * stride + k]));
      abs_e += std::abs(e[c * stride + k]) * g.cell_volume();
    }
    // The implicit step keeps rho, rho u, E of rhs; E(y) carries none (projection).
    worst = std::max({worst, std::abs(my.rho - m0.rho) / m0.rho, std::abs(my.energy - m0.energy) / m0.energy,
                      std::abs(me.rho) / abs_e, std::abs(me.energy) / abs_e,
                      std::hypot(me.momentum[0], me.momentum[1], me.momentum[2]) / abs_e});
  }
  MESSAGE("stage_value vs implicit_solve + explicit_part: y " << dy / ysize << ", E " << de / esize
                                                               << "; worst relative moment error " << worst);
  // Round-off: sums over 4096 points and a 5 x 5 solve per cell, 1e-12 is ~5000 ulp.
  CHECK(worst < 1e-12);
  // The fused call reuses M[rhs] for M[y]; they differ by round-off of the moments.
  CHECK(dy <= 1e-13 * ysize);
  CHECK(de <= 1e-12 * esize);
  for (int c = 0; c < cells; ++c) CHECK(rhs[c * stride + n3] == -1.0);  // padding untouched
  for (int c = 0; c < cells; ++c) CHECK(y[c * stride + n3] == 0.0);

  // Well-balanced: a discrete Maxwellian is an exact equilibrium of E.
  std::vector<double> M(n3), EM(n3);
  REQUIRE(toolkit::discrete_maxwellian(g, mass, 1.3, {0.4, -0.2, 0.1}, 0.9, M.data()).converged);
  model.check(model->explicit_part({M.data(), 1, cols, cols}, {EM.data(), 1, cols, cols}), "explicit_part");
  double em = 0, mm = 0;
  for (std::size_t k = 0; k < n3; ++k) {
    em = std::max(em, std::abs(EM[k]));
    mm = std::max(mm, M[k]);
  }
  MESSAGE("max |E(M)| / max M = " << em / mm);
  CHECK(em < 1e-12 * mm);  // Q(M) - Q(M[M]) with M[M] = M up to Newton's round-off
}

TEST_CASE("boltzmann: a cell left over when the batch does not divide among threads gives the same bits") {
  // With 2 threads a batch of 3 cells computes two cells one per thread and spreads the
  // third one's directions over both threads (no idle thread); a batch of 2 computes
  // the same cell alone on one thread. stage_value of that cell must be bitwise equal.
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  const VelocityGrid g{12, 8.0};
  auto model = make_boltzmann(g, "{}");
  const std::size_t n3 = g.size();
  const auto cols = static_cast<std::int64_t>(n3);
  std::vector<double> rhs(3 * n3), second(n3);
  for (int c = 0; c < 3; ++c) {
    toolkit::sampled_maxwellian(g, mass, 0.7 + 0.1 * c, {0.8 - 0.3 * c, 0.1, 0.0}, 0.7, &rhs[c * n3]);
    toolkit::sampled_maxwellian(g, mass, 0.3, {-1.0, 0.2 * c, 0.1}, 1.2, second.data());
    for (std::size_t k = 0; k < n3; ++k) rhs[c * n3 + k] += second[k];
  }
  const double h[3] = {0.05, 0.3, 2.0};
  std::vector<double> y3(3 * n3), e3(3 * n3), y2(2 * n3), e2(2 * n3);
  model.check(model->stage_value({rhs.data(), 3, cols, cols}, h, {y3.data(), 3, cols, cols}, {e3.data(), 3, cols, cols}),
              "stage_value");
  // The third cell first, then the first: a batch of two, one cell per thread.
  std::vector<double> rhs2(rhs.begin() + 2 * static_cast<std::ptrdiff_t>(n3), rhs.end());
  rhs2.insert(rhs2.end(), rhs.begin(), rhs.begin() + static_cast<std::ptrdiff_t>(n3));
  const double h2[2] = {h[2], h[0]};
  model.check(model->stage_value({rhs2.data(), 2, cols, cols}, h2, {y2.data(), 2, cols, cols}, {e2.data(), 2, cols, cols}),
              "stage_value");
  omp_set_num_threads(saved);
  int differ = 0;
  for (std::size_t k = 0; k < n3; ++k)
    differ += y3[2 * n3 + k] != y2[k] || e3[2 * n3 + k] != e2[k] || y3[k] != y2[n3 + k] || e3[k] != e2[n3 + k];
  CHECK(differ == 0);
}

TEST_CASE("boltzmann: a grid too coarse to calibrate the penalty is refused at creation, not run into NaN") {
  // N = 4 on [-8, 8]: dv = 4, the Maxwellian T = 1 that calibrates beta has no discrete
  // counterpart (its calibration used to give NaN and every call NaN with Status::ok).
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("boltzmann_fft");
  sdk::SetupInfo setup;
  setup.species_mass = &mass;
  setup.velocity_points = 4;
  setup.velocity_bound = 8.0;
  std::string error;
  try {
    lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, R"({"R": 3.0})", setup);
  } catch (const core::PluginError& e) {
    error = e.what();
  }
  CHECK(error.find("cannot represent the Maxwellian rho = 1, T = 1") != std::string::npos);
  CHECK(error.find("penalty = \"paper\"") != std::string::npos);
  // ... and the remedy it names works: the paper's 2 pi rho needs no calibration.
  CHECK_NOTHROW(lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model,
                                                 R"({"R": 3.0, "penalty": "paper"})", setup));
}

TEST_CASE("boltzmann: views of the wrong shape are refused, not read past their end") {
  const VelocityGrid g{8, 4.0};
  auto model = make_boltzmann(g, 3.0, 2, 2);
  const auto n3 = static_cast<std::int64_t>(g.size());
  std::vector<double> f(2 * g.size(), 1e-3), out(2 * g.size()), h(2, 1.0);
  CHECK(model->explicit_part({f.data(), 2, n3 - 1, n3}, {out.data(), 2, n3, n3}) == sdk::Status::invalid_argument);
  CHECK(model->implicit_solve({f.data(), 2, n3, n3}, h.data(), {out.data(), 1, n3, n3}) ==
        sdk::Status::invalid_argument);
  CHECK(model->stage_value({f.data(), 2, n3, n3}, h.data(), {out.data(), 2, n3, n3}, {out.data(), 2, n3, n3 - 1}) ==
        sdk::Status::invalid_argument);
}

TEST_CASE("boltzmann: the penalty follows the operator's largest loss frequency at the cell's temperature") {
  // beta = penalty_factor (4) x rho x max_v F⁻¹[L̂ F[M_T]](v). The reference here is a
  // plain DFT (independent of FFTW and of the plugin's table). The truncated kernel caps
  // relative speeds, so this maximum falls as T grows: a beta scaled like sqrt(T) from
  // T = 1 would be 2x too small at T = 0.35 (s = |λ|/beta past the PR(2,2,2) limit).
  const VelocityGrid g{16, 8.0};
  // The plugin's defaults: R from the box, 0.9 x 4L/(3 + sqrt 2), and Gauss-Legendre in cos theta.
  const auto K = toolkit::make_spectral_kernel(g.n, g.L, 0.9 * 4 * g.L / (3 + std::sqrt(2.0)), 4, 4);
  auto model = make_boltzmann(g, "{}");
  const auto cols = static_cast<std::int64_t>(g.size());
  for (double T : {0.35, 1.0, 2.7}) {
    CAPTURE(T);
    // rhs: the Maxwellian at T with a drift, disturbed by a narrower one of equal mean
    // (the cell's T then differs slightly from T: the reference uses the cell's own).
    std::vector<double> rhs(g.size()), bump(g.size()), M(g.size()), y(g.size());
    toolkit::sampled_maxwellian(g, mass, 1.0, {0.4, 0.0, 0.0}, T, rhs.data());
    toolkit::sampled_maxwellian(g, mass, 0.2, {0.4, 0.0, 0.0}, 0.5 * T, bump.data());
    for (std::size_t k = 0; k < g.size(); ++k) rhs[k] += bump[k];
    const auto m = toolkit::conserved_moments(g, rhs.data());
    const double rho = m.rho, u = m.momentum[0] / rho;
    const double Tc = (2.0 * m.energy / rho - u * u) / 3.0;
    REQUIRE(toolkit::discrete_maxwellian(g, mass, rho, {u, m.momentum[1] / rho, m.momentum[2] / rho}, Tc, M.data())
                .converged);
    const double h = 1e-3;
    model.check(model->implicit_solve({rhs.data(), 1, cols, cols}, &h, {y.data(), 1, cols, cols}), "implicit_solve");
    // y - rhs = h beta (M - y) (implicit_solve's closed form): read beta where M - y is largest.
    std::size_t at = 0;
    for (std::size_t k = 0; k < g.size(); ++k)
      if (std::abs(M[k] - y[k]) > std::abs(M[at] - y[at])) at = k;
    const double beta = (y[at] - rhs[at]) / (h * (M[at] - y[at]));
    // The reference at the cell's own temperature, for the centred (u = 0) Maxwellian:
    // shifting by u changes the grid maximum by less than a percent here.
    std::vector<double> M0(g.size());
    REQUIRE(toolkit::discrete_maxwellian(g, mass, 1.0, {0.0, 0.0, 0.0}, Tc, M0.data()).converged);
    const auto nu = plain_dft_loss_frequency(g, K, M0);
    const double expected = 4.0 * rho * *std::max_element(nu.begin(), nu.end());
    MESSAGE("T = " << Tc << ": beta = " << beta << ", 4 rho max nu(T) = " << expected);
    // Table spacing 2^{1/2} in T, linear in log T, and the drift: within 3%.
    CHECK(beta == doctest::Approx(expected).epsilon(0.03));
  }
}
