#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "coupling.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"
#include "strata/toolkit/vector_math.hpp"

using namespace strata::toolkit;

TEST_CASE("maxwellian: discrete Maxwellian reproduces its moments to round-off") {
  // Drifting, hot and cold states on the paper's grids; mass 1 and a heavier species.
  struct Target { int n; double L, mass, rho; std::array<double, 3> u; double T; };
  const Target targets[] = {{16, 8.0, 1.0, 1.0, {0.0, 0.0, 0.0}, 1.0},
                            {16, 8.0, 1.0, 0.125, {0.7, -0.3, 0.1}, 0.8},
                            {32, 8.0, 1.0, 2.5, {1.5, 0.0, -0.5}, 2.0},
                            {24, 6.0, 4.0, 0.3, {-0.2, 0.4, 0.0}, 0.5}};
  for (const auto& t : targets) {
    CAPTURE(t.n);
    CAPTURE(t.T);
    const VelocityGrid g{t.n, t.L};
    std::vector<double> f(g.size());
    const auto r = discrete_maxwellian(g, t.mass, t.rho, t.u, t.T, f.data());
    CHECK(r.converged);
    const auto m = conserved_moments(g, f.data());
    const double E = 0.5 * t.rho * (t.u[0] * t.u[0] + t.u[1] * t.u[1] + t.u[2] * t.u[2]) +
                     1.5 * t.rho * t.T / t.mass;
    // Round-off of sums over N^3 <= 32768 terms: relative 1e-13 is ~500 ulp.
    CHECK(m.rho == doctest::Approx(t.rho).epsilon(1e-13));
    for (int d = 0; d < 3; ++d)
      CHECK(std::abs(m.momentum[d] - t.rho * t.u[d]) < 1e-13 * t.rho * (1 + std::sqrt(t.T / t.mass)));
    CHECK(m.energy == doctest::Approx(E).epsilon(1e-13));
  }
}

TEST_CASE("maxwellian: the sampled Maxwellian is only spectrally accurate, the discrete one exact") {
  // On a coarse grid the sampled Maxwellian misses its energy by far more than round-off:
  // the discrete one is needed for conservative reconstruction (paper §4.5).
  const VelocityGrid g{8, 8.0};
  std::vector<double> f(g.size());
  sampled_maxwellian(g, 1.0, 1.0, {0.0, 0.0, 0.0}, 1.0, f.data());
  const double sampled_error = std::abs(conserved_moments(g, f.data()).energy - 1.5);
  CHECK(sampled_error > 1e-6);
  REQUIRE(discrete_maxwellian(g, 1.0, 1.0, {0.0, 0.0, 0.0}, 1.0, f.data()).converged);
  CHECK(std::abs(conserved_moments(g, f.data()).energy - 1.5) < 1e-13);
}

TEST_CASE("maxwellian: full moments of a Maxwellian: isotropic pressure, no heat flux") {
  const VelocityGrid g{32, 8.0};
  std::vector<double> f(g.size());
  REQUIRE(discrete_maxwellian(g, 1.0, 0.7, {0.3, -0.2, 0.0}, 1.2, f.data()).converged);
  const auto m = full_moments(g, f.data(), 1.0);
  // T is matched through the energy to round-off; P = rho T I holds to the grid's
  // quadrature accuracy for the off-diagonal and the split among the diagonal.
  CHECK(m.T == doctest::Approx(1.2).epsilon(1e-12));
  for (int d = 0; d < 3; ++d) CHECK(m.pressure[d] == doctest::Approx(0.7 * 1.2).epsilon(1e-6));
  for (int d = 3; d < 6; ++d) CHECK(std::abs(m.pressure[d]) < 1e-8);
  for (int d = 0; d < 3; ++d) CHECK(std::abs(m.heat_flux[d]) < 1e-8);
}

TEST_CASE("maxwellian: the discrete ES-BGK Gaussian hits its targets and its tensor") {
  const VelocityGrid g{32, 8.0};
  std::vector<double> f(g.size());
  ConservedMoments target{1.1, {0.33, -0.11, 0.0}, 0.0};
  const SymmetricTensor Tt = {1.4, 0.8, 1.0, 0.2, 0.0, -0.1};
  const double u2 = (0.33 * 0.33 + 0.11 * 0.11) / (1.1 * 1.1);
  target.energy = 0.5 * 1.1 * u2 + 0.5 * 1.1 * (1.4 + 0.8 + 1.0);
  REQUIRE(discrete_gaussian(g, 1.0, target, Tt, f.data()).converged);
  const auto m = full_moments(g, f.data(), 1.0);
  CHECK(m.rho == doctest::Approx(1.1).epsilon(1e-14));
  CHECK(m.conserved.energy == doctest::Approx(target.energy).epsilon(1e-14));
  CHECK(std::abs(m.conserved.momentum[0] - 0.33) < 1e-14);
  // P = rho 𝒯 / m to the grid's quadrature accuracy.
  for (int k = 0; k < 6; ++k) CHECK(std::abs(m.pressure[k] - 1.1 * Tt[k]) < 1e-7);
  // Not positive definite: refused.
  CHECK_FALSE(discrete_gaussian(g, 1.0, target, {1.0, 1.0, -0.1, 0.0, 0.0, 0.0}, f.data()).converged);
}

TEST_CASE("maxwellian: the vector exp and log are std::exp and std::log to round-off") {
  // exp on [-708, 0]: the Taylor truncation is below 2e-17, so what is left is the
  // rounding of the range reduction and of Horner's steps; two units in the last place
  // allow for it (measured: one).
  double worst = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const double x = -708.0 * i / 200000.0 - 1e-3 * std::sin(i);  // not only grid points
    if (x > 0) continue;
    worst = std::max(worst, std::abs(exp_nonpositive(x) - std::exp(x)) / std::exp(x));
  }
  CHECK(worst < 4.5e-16);
  CHECK(exp_nonpositive(0.0) == 1.0);
  CHECK(exp_nonpositive(-0.0) == 1.0);
  CHECK(exp_nonpositive(-709.0) == 0.0);  // below std::exp's normal range
  CHECK(exp_nonpositive(-1e300) == 0.0);
  CHECK(std::isnan(exp_nonpositive(std::nan(""))));
  // log over the normal doubles: relative error where |log x| >= 1, absolute below;
  // near x = 1 (where f ln f is largest) also relative (measured: 2.5e-16 and 4e-16).
  double worst_log = 0.0, worst_near_one = 0.0;
  for (int i = 0; i <= 200000; ++i) {
    const double x = std::exp(-708.0 + 1416.0 * i / 200000.0 + 1e-3 * std::sin(i));
    const double exact = std::log(x);
    worst_log = std::max(worst_log, std::abs(log_normal(x) - exact) / std::max(std::abs(exact), 1.0));
  }
  for (int i = 1; i <= 1000; ++i)
    for (const double x : {1.0 + i * 1e-7, 1.0 - i * 1e-7})
      worst_near_one = std::max(worst_near_one, std::abs(log_normal(x) - std::log(x)) / std::abs(std::log(x)));
  CHECK(worst_log < 4.5e-16);
  CHECK(worst_near_one < 1e-15);
  CHECK(log_normal(1.0) == 0.0);
  CHECK(log_normal(2.0) == std::log(2.0));
  CHECK(log_normal(std::numeric_limits<double>::min()) == doctest::Approx(std::log(std::numeric_limits<double>::min())).epsilon(1e-15));
}

TEST_CASE("maxwellian: a strongly anisotropic Gaussian (no pair tables) hits its targets and its tensor") {
  // Q_xx Q_yy < 4 Q_xy² for this tensor, so every point takes its own exponential.
  const VelocityGrid g{32, 8.0};
  std::vector<double> f(g.size());
  ConservedMoments target{0.9, {0.18, 0.09, -0.09}, 0.0};
  const SymmetricTensor Tt = {1.0, 1.0, 0.8, 0.9, 0.0, 0.05};
  const double u2 = (0.18 * 0.18 + 2 * 0.09 * 0.09) / (0.9 * 0.9);
  target.energy = 0.5 * 0.9 * u2 + 0.5 * 0.9 * (1.0 + 1.0 + 0.8);
  std::vector<double> emitted(g.size());
  REQUIRE(discrete_gaussian(g, 1.0, target, Tt, f.data(), [&](std::size_t k, double v) { emitted[k] = v; }).converged);
  CHECK(emitted == f);
  const auto m = full_moments(g, f.data(), 1.0);
  CHECK(m.rho == doctest::Approx(0.9).epsilon(1e-14));
  CHECK(m.conserved.energy == doctest::Approx(target.energy).epsilon(1e-14));
  for (int d = 0; d < 3; ++d) CHECK(std::abs(m.conserved.momentum[d] - target.momentum[d]) < 1e-14);
  // P = rho 𝒯 / m to the grid's quadrature accuracy (dv = 0.5 against a thermal width ≥ 0.3).
  for (int k = 0; k < 6; ++k) CHECK(std::abs(m.pressure[k] - 0.9 * Tt[k]) < 1e-6);
}

TEST_CASE("maxwellian: the Gaussian's emitted values are its final values, also when it refines") {
  // emit(k, value) is how the ES-BGK step blends G into its output without a sweep of
  // its own: every index exactly once, with the value left in f (twice where the
  // correction is refined). Whether a state needs a second pass is a matter of
  // round-off: drifting states with more energy than their tensor's (up to 3 times)
  // are scanned, and every one that converges is checked; a few (17 of the 1 458 that
  // converge, the same on every vector width) are refined, and the test needs at least
  // one of them, so that both paths are tested.
  const VelocityGrid g{16, 8.0};
  const SymmetricTensor Tt = {0.5, 0.3, 0.4, 0.05, 0.02, 0.0};
  int refined = 0, single = 0, wrong = 0;
  std::vector<double> f(g.size()), seen(g.size());
  std::vector<int> times(g.size());
  for (int a = 0; a <= 50; ++a)
    for (int b = 0; b <= 50; ++b) {
      const double ux = 1.0 + 0.04 * a, excess = 1.0 + 0.04 * b;
      ConservedMoments target{0.8, {0.8 * ux, 0.0, -0.08}, 0.0};
      target.energy = excess * (0.5 * 0.8 * (ux * ux + 0.01) + 0.5 * 0.8 * 1.2);
      std::fill(times.begin(), times.end(), 0);
      const auto r = discrete_gaussian(g, 1.0, target, Tt, f.data(), [&](std::size_t k, double v) {
        seen[k] = v;
        ++times[k];
      });
      if (!r.converged) continue;
      (r.iterations > 0 ? refined : single) += 1;
      for (std::size_t k = 0; k < g.size(); ++k) wrong += times[k] != 1 + (r.iterations > 0) || seen[k] != f[k];
    }
  CHECK(single > 0);
  CHECK(refined > 0);
  CHECK(wrong == 0);
}

TEST_CASE("maxwellian: raw moments are a plain loop's sums in their documented order, bit for bit") {
  // raw_moments runs as the AVX-512, AVX2 or SSE2 clone the machine picks; its sums go
  // per v_z lane in a fixed order, so every clone must give the bits of this scalar loop,
  // also where N leaves a partial block of lanes. A reduction whose order follows the
  // vector width (omp simd reduction, the row sums it replaced) fails here.
  for (const int n : {6, 12, 16, 20}) {
    CAPTURE(n);
    const VelocityGrid g{n, 7.0};
    std::vector<double> f(g.size()), second(g.size());
    sampled_maxwellian(g, 1.0, 0.7, {0.4, -0.3, 0.2}, 1.3, f.data());
    sampled_maxwellian(g, 1.0, 0.3, {-0.9, 0.5, -0.1}, 0.6, second.data());
    for (std::size_t k = 0; k < g.size(); ++k) f[k] += second[k];
    std::vector<std::array<double, 6>> T(n, std::array<double, 6>{});
    for (int i = 0; i < n; ++i) {
      const double vx = g.v(i), vx2 = vx * vx;
      for (int k = 0; k < n; ++k) {
        double a0 = 0, a1 = 0, a2 = 0;
        for (int j = 0; j < n; ++j) {
          const double vy = g.v(j), vy2 = vy * vy, w = f[g.index(i, j, k)];
          a0 += w;
          a1 += vy * w;
          a2 += vy2 * w;
        }
        T[k][0] += a0;
        T[k][1] += vx * a0;
        T[k][2] += a1;
        T[k][3] += vx2 * a0;
        T[k][4] += a2;
        T[k][5] += vx * a1;
      }
    }
    RawMoments want;
    for (int k = 0; k < n; ++k) {
      const double vz = g.v(k);
      want.s0 += T[k][0];
      want.s1[0] += T[k][1];
      want.s1[1] += T[k][2];
      want.s1[2] += vz * T[k][0];
      want.s2[0] += T[k][3];
      want.s2[1] += T[k][4];
      want.s2[2] += vz * vz * T[k][0];
      want.s2[3] += T[k][5];
      want.s2[4] += vz * T[k][1];
      want.s2[5] += vz * T[k][2];
    }
    const RawMoments got = raw_moments(g, f.data());
    CHECK(got.s0 == want.s0);
    CHECK(got.s1 == want.s1);
    CHECK(got.s2 == want.s2);
  }
}

TEST_CASE("maxwellian: stress moments in one sweep equal the central sums to round-off") {
  // P from raw second moments minus rho u u: relative error of order eps (m|u|²/T + 1),
  // here |u|²/T ≈ 5, so 1e-13 of the trace is 100 times that bound.
  const VelocityGrid g{24, 10.0};
  std::vector<double> f(g.size());
  ConservedMoments target{1.3, {1.3 * 1.8, -1.3 * 0.9, 0.26}, 0.0};
  const SymmetricTensor Tt = {1.1, 0.7, 0.9, 0.15, -0.05, 0.1};
  target.energy = 0.5 * 1.3 * (1.8 * 1.8 + 0.9 * 0.9 + 0.2 * 0.2) + 0.5 * 1.3 * (1.1 + 0.7 + 0.9);
  REQUIRE(discrete_gaussian(g, 1.0, target, Tt, f.data()).converged);
  const auto central = full_moments(g, f.data(), 1.0), one = stress_moments(g, f.data(), 1.0);
  const double scale = central.pressure[0] + central.pressure[1] + central.pressure[2];
  for (int k = 0; k < 6; ++k) CHECK(std::abs(one.pressure[k] - central.pressure[k]) < 1e-13 * scale);
  CHECK(one.T == doctest::Approx(central.T).epsilon(1e-13));
  CHECK(one.conserved.rho == central.conserved.rho);
  for (int d = 0; d < 3; ++d) CHECK(std::abs(one.u[d] - central.u[d]) < 1e-15 * (1 + std::abs(central.u[d])));
  CHECK(one.conserved.energy == doctest::Approx(central.conserved.energy).epsilon(1e-14));
}

TEST_CASE("maxwellian: hypersonic states converge to their round-off floor; unrepresentable ones fail, never NaN") {
  // Mach ~30 on N = 64, L = 8, T = 0.02: the peak exponent is a difference of terms of
  // size |u|²/2T ~ 700, so its round-off sets the floor of the moment error (here
  // 1.3e-13 at |u| = 5.2, above the 1e-13 of subsonic states: once reported as "no
  // discrete Maxwellian"); at |u| = 5.4, u_x²/2T > 709 and uncentred 1D factors overflow.
  const VelocityGrid fine{64, 8.0};
  std::vector<double> f(fine.size());
  for (double ux : {5.2, 5.4}) {
    CAPTURE(ux);
    const std::array<double, 3> u = {ux, 0.3, 0.0};
    const auto r = discrete_maxwellian(fine, 1.0, 0.5, u, 0.02, f.data());
    MESSAGE("|u| = " << ux << ": residual " << r.residual << " after " << r.iterations << " Newton iterations");
    CHECK(r.converged);
    const auto m = conserved_moments(fine, f.data());
    const double E = 0.5 * 0.5 * (u[0] * u[0] + u[1] * u[1]) + 1.5 * 0.5 * 0.02;
    // The floor, 100 eps |u|²/2T ~ 1.6e-11, plus the direct sums' round-off.
    CHECK(m.rho == doctest::Approx(0.5).epsilon(1e-10));
    CHECK(m.energy == doctest::Approx(E).epsilon(1e-10));
    CHECK(std::all_of(f.begin(), f.end(), [](double x) { return std::isfinite(x); }));
  }
  // A temperature far below the grid spacing (dv = 0.5 at N = 32, T = 0.005): the
  // uncentred factors used to overflow into NaN and count as converged.
  const VelocityGrid coarse{32, 8.0};
  const auto bad = discrete_maxwellian_exponents(coarse, 1.0, 1.0, {3.0, 0.0, 0.0}, 0.005);
  if (bad.result.converged) {
    for (double a : bad.a) CHECK(std::isfinite(a));
    for (const auto& row : bad.gram)
      for (double x : row) CHECK(std::isfinite(x));
  } else {
    CHECK(!(bad.result.residual < 1e-13));  // NaN or large: reported, not hidden
  }
}

TEST_CASE("maxwellian: the grid a refusal advises holds the state it refused") {
  // States the 16-point grid on [-8, 8]^3 cannot hold (measured limits: sqrt(T/m) below
  // about half the spacing, |u| past the last point, sqrt(T/m) near L); the advice is
  // what core's messages print (coupling.hpp, grid_advice).
  struct State { std::array<double, 3> u; double T; const char* advice; };
  const State refused[] = {{{0.0, 0.0, 0.0}, 0.2, "refine velocity.n to at least 36"},
                           {{8.0, 0.0, 0.0}, 1.0, "widen velocity.L to at least 12 "},
                           {{0.0, 0.0, 0.0}, 60.0, "widen velocity.L to at least 31 "},
                           {{20.0, 0.0, 0.0}, 0.5, "widen velocity.L to at least 22.9 (max |u| + 4 sqrt(T/m) = 22.8284) "
                                                   "and refine velocity.n to at least 66 (the spacing 2L/n is 2.8625 at "
                                                   "that L"}};
  const VelocityGrid grid{16, 8.0};
  const std::vector<double> mass{1.0};
  for (const auto& s : refused) {
    CAPTURE(s.T);
    CAPTURE(s.u[0]);
    std::vector<double> f(grid.size());
    REQUIRE_FALSE(discrete_maxwellian(grid, 1.0, 1.0, s.u, s.T, f.data()).converged);
    const std::string advice = strata::core::grid_advice(grid, strata::core::GridDemand(mass, s.u.data(), s.T));
    CHECK_MESSAGE(advice.find(s.advice) == 0, advice);
    const VelocityGrid needed = strata::core::grid_needed(grid, strata::core::GridDemand(mass, s.u.data(), s.T));
    std::vector<double> g(needed.size());
    const auto r = discrete_maxwellian(needed, 1.0, 1.0, s.u, s.T, g.data());
    CHECK(r.converged);
    const auto m = conserved_moments(needed, g.data());
    CHECK(std::abs(m.rho - 1.0) < 1e-12);  // and its moments to round-off, as above
  }
  // Colder than any grid of the case format holds over that L: said, with the state's own
  // L where that would do (no integer overflow on the way: T = 1e-20 needs 1e11 points).
  const std::array<double, 3> still{0.0, 0.0, 0.0};
  const std::string cold = strata::core::grid_advice(grid, strata::core::GridDemand(mass, still.data(), 5e-4));
  CHECK_MESSAGE(cold.find("refine velocity.n to at least 716 ") == 0, cold);
  CHECK_MESSAGE(cold.find("; that is more than velocity.n's limit of 256: on velocity.L = 0.1 (this state's own reach) "
                          "it would take 10 points") != std::string::npos, cold);
  const std::string frozen = strata::core::grid_advice(grid, strata::core::GridDemand(mass, still.data(), 1e-20));
  CHECK_MESSAGE(frozen.find("no grid of the case format holds this state") != std::string::npos, frozen);
  // A state the grid holds gets the general advice (a refusal for another reason).
  const std::array<double, 3> rest{0.0, 0.0, 0.0};
  CHECK(strata::core::grid_advice(grid, strata::core::GridDemand(mass, rest.data(), 1.0)) == "widen velocity.L or refine velocity.n");
}
