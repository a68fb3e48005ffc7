// The esbgk plugin through the SDK, as the engine drives it.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;

namespace {
const double mass = 1.0;

core::PluginObject<sdk::CollisionModel> make_esbgk(const toolkit::VelocityGrid& g, const std::string& params) {
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("esbgk");
  sdk::SetupInfo setup;
  setup.species_mass = &mass;
  setup.velocity_points = g.n;
  setup.velocity_bound = g.L;
  return lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
}

// A bi-Maxwellian: temperature Tx along x, Ty = Tz across; drift u.
std::vector<double> bi_maxwellian(const toolkit::VelocityGrid& g, double rho, double Tx, double Ty,
                                  std::array<double, 3> u) {
  std::vector<double> f(g.size());
  const double a = rho / std::pow(2 * M_PI, 1.5) / std::sqrt(Tx * Ty * Ty);
  for (int i = 0; i < g.n; ++i)
    for (int j = 0; j < g.n; ++j)
      for (int k = 0; k < g.n; ++k) {
        const double cx = g.v(i) - u[0], cy = g.v(j) - u[1], cz = g.v(k) - u[2];
        f[g.index(i, j, k)] = a * std::exp(-cx * cx / (2 * Tx) - (cy * cy + cz * cz) / (2 * Ty));
      }
  return f;
}

std::vector<double> solve(core::PluginObject<sdk::CollisionModel>& m, const toolkit::VelocityGrid& g,
                          const std::vector<double>& f, double h) {
  std::vector<double> y(f.size());
  const auto n = static_cast<std::int64_t>(g.size());
  m.check(m->implicit_solve({f.data(), 1, n, n}, &h, {y.data(), 1, n, n}), "implicit_solve");
  return y;
}
}  // namespace

TEST_CASE("esbgk: the implicit step conserves mass, momentum and energy to round-off") {
  const toolkit::VelocityGrid g{16, 8.0};
  auto model = make_esbgk(g, R"({"beta": -0.5, "nu_coefficient": 1.5707963267948966, "nu_temperature_exponent": 0})");
  auto f = bi_maxwellian(g, 0.8, 2.0, 0.7, {0.4, -0.2, 0.1});
  const auto second = bi_maxwellian(g, 0.5, 0.5, 0.5, {-1.0, 0.5, 0.0});
  for (std::size_t k = 0; k < f.size(); ++k) f[k] += second[k];  // far from equilibrium
  for (double h : {1e-3, 1.0, 1e6}) {
    CAPTURE(h);
    const auto y = solve(model, g, f, h);
    const auto a = toolkit::conserved_moments(g, f.data()), b = toolkit::conserved_moments(g, y.data());
    // Sums of N^3 = 4096 O(1) terms: 1e-14 relative is a few tens of ulp.
    CHECK(b.rho == doctest::Approx(a.rho).epsilon(1e-14));
    CHECK(b.energy == doctest::Approx(a.energy).epsilon(1e-14));
    for (int d = 0; d < 3; ++d) CHECK(std::abs(b.momentum[d] - a.momentum[d]) < 1e-14);
  }
}

TEST_CASE("esbgk: the stress relaxes toward T I at the rate nu (1 - beta)") {
  // Homogeneous bi-Maxwellian, well resolved (N = 32 on [-8, 8]^3): the implicit
  // step predicts Θ_y - T I = (Θ - T I) / (1 + h nu (1 - beta)).
  const toolkit::VelocityGrid g{32, 8.0};
  for (double beta : {-0.5, 0.0, 0.5}) {
    CAPTURE(beta);
    auto model = make_esbgk(g, R"({"beta": )" + std::to_string(beta) +
                                   R"(, "nu_coefficient": 2.0, "nu_temperature_exponent": 0})");
    const double rho = 1.3, Tx = 1.6, Ty = 0.9;
    const auto f = bi_maxwellian(g, rho, Tx, Ty, {0.3, 0.0, 0.0});
    const auto m0 = toolkit::full_moments(g, f.data(), mass);
    const double nu = 2.0 * rho, h = 0.4;
    const auto y = solve(model, g, f, h);
    const auto m1 = toolkit::full_moments(g, y.data(), mass);
    const double predicted = (m0.pressure[0] / rho - m0.T) / (1 + h * nu * (1 - beta));
    // The discrete Gaussian's pressure tensor equals rho 𝒯 / m to the grid's
    // (spectral) quadrature accuracy: 1e-8 relative on this grid.
    CHECK(m1.pressure[0] / rho - m1.T == doctest::Approx(predicted).epsilon(1e-8));
    CHECK(m1.T == doctest::Approx(m0.T).epsilon(1e-13));
  }
  // Many small steps follow the exponential decay exp(-nu (1 - beta) t).
  auto model = make_esbgk(g, R"({"beta": -0.5, "nu_coefficient": 1.0, "nu_temperature_exponent": 0})");
  auto f = bi_maxwellian(g, 1.0, 1.6, 0.9, {0.0, 0.0, 0.0});
  const auto m0 = toolkit::full_moments(g, f.data(), mass);
  const double h = 0.01, t = 0.5;
  for (int s = 0; s < 50; ++s) f = solve(model, g, f, h);
  const auto m1 = toolkit::full_moments(g, f.data(), mass);
  const double exact = (m0.pressure[0] - m0.T) * std::exp(-1.5 * t);
  // Backward Euler's first-order error: (1 + 1.5 h)^{-50} vs exp(-0.75), 0.4% apart.
  CHECK(m1.pressure[0] - m1.T == doctest::Approx(exact).epsilon(6e-3));
}

TEST_CASE("esbgk: stiff limit gives the Maxwellian; Prandtl number 1/(1 - beta)") {
  const toolkit::VelocityGrid g{24, 8.0};
  auto model = make_esbgk(g, R"({"beta": -0.5, "nu_coefficient": 1.0, "nu_temperature_exponent": 0.5})");
  const auto f = bi_maxwellian(g, 0.9, 2.0, 1.0, {0.2, 0.1, 0.0});
  const auto y = solve(model, g, f, 1e12);  // h nu -> infinity: asymptotic preservation
  const auto m = toolkit::full_moments(g, y.data(), mass);
  for (int d = 0; d < 3; ++d) CHECK(m.pressure[d] == doctest::Approx(m.rho * m.T).epsilon(1e-8));
  for (int d = 0; d < 3; ++d) CHECK(std::abs(m.heat_flux[d]) < 1e-8);
  const double W[5] = {0.9, 0.0, 0.0, 0.0, 1.3};
  double mu = 0, kappa = 0;
  model.check(model->transport_coefficients({W, 1, 5, 5}, &mu, &kappa), "transport_coefficients");
  CHECK(2.5 * mu / kappa == doctest::Approx(1.0 / 1.5));  // Pr = c_p mu / kappa, c_p = 5/2
  CHECK(mu == doctest::Approx(0.9 * 1.3 / (1.5 * 0.9 * std::sqrt(1.3))));
}

TEST_CASE("esbgk: a solve in place (y over rhs) gives the bits of a solve into another array") {
  // The step writes y while its Gaussian's last sweep runs; in place it must wait for
  // the final Gaussian instead (a refined one is produced twice).
  const toolkit::VelocityGrid g{16, 8.0};
  auto model = make_esbgk(g, R"({"beta": -0.5, "nu_coefficient": 1.0, "nu_temperature_exponent": 0.5})");
  const auto f = bi_maxwellian(g, 0.9, 1.6, 0.7, {0.8, -0.3, 0.1});
  for (const double h : {0.01, 1.0, 100.0}) {
    CAPTURE(h);
    const auto y = solve(model, g, f, h);
    std::vector<double> inplace = f;
    const auto n = static_cast<std::int64_t>(g.size());
    model.check(model->implicit_solve({inplace.data(), 1, n, n}, &h, {inplace.data(), 1, n, n}), "implicit_solve");
    CHECK(inplace == y);
  }
}

TEST_CASE("esbgk: a second species is refused with a clear message") {
  const toolkit::VelocityGrid g{8, 8.0};
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("esbgk");
  const double masses[2] = {1.0, 0.5};
  sdk::SetupInfo setup;
  setup.n_species = 2;
  setup.species_mass = masses;
  setup.velocity_points = g.n;
  setup.velocity_bound = g.L;
  CHECK_THROWS_WITH_AS(lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model,
                                                        R"({"beta": -0.5, "nu_coefficient": 1, "nu_temperature_exponent": 0})", setup),
                       doctest::Contains("single species"), core::PluginError);
}
