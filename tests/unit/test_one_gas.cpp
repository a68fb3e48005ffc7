// One gas across the kinetic layers: the hard-sphere layer 2 (boltzmann_fft, default
// parameters) relaxes stress and heat flux at the first-Sonine hard-sphere rates, its
// transport_coefficients are those rates, and ES-BGK with the adopted viscosity law
// relaxes stress as layer 2 does (docs/numerics.md, "transport coefficients").
// Homogeneous cells at N = 32 on [-8, 8]^3, the paper's velocity grid: a relaxation
// rate is read from one evaluation of the operator (d/dt of a moment over the moment),
// so each case costs a few evaluations plus the transport table (16 per temperature).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;
using toolkit::VelocityGrid;

namespace {
const double mass = 1.0;
const VelocityGrid grid{32, 8.0};

// First-Sonine hard-sphere viscosity for B = |v - v*| (diameter 2; Chapman–Cowling).
double mu1(double T) { return 5.0 / 64.0 * std::sqrt(T / M_PI); }

core::PluginObject<sdk::CollisionModel> make(const std::string& plugin, const std::string& params) {
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load(plugin);
  sdk::SetupInfo setup;
  setup.species_mass = &mass;
  setup.velocity_points = grid.n;
  setup.velocity_bound = grid.L;
  return lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
}

// Q(f) of boltzmann_fft with the default R, A1, A2 and angular rule: explicit_part with
// the paper's penalty and neither well-balancing nor projection is Q - 2 pi rho (M - f).
std::vector<double> collision(const std::vector<double>& f) {
  static auto model = make("boltzmann_fft", R"({"penalty": "paper", "well_balanced": false, "conservative": false})");
  const auto n = static_cast<std::int64_t>(grid.size());
  std::vector<double> Q(f.size()), M(f.size());
  model.check(model->explicit_part({f.data(), 1, n, n}, {Q.data(), 1, n, n}), "explicit_part");
  const auto m = toolkit::full_moments(grid, f.data(), mass);
  REQUIRE(toolkit::discrete_maxwellian(grid, mass, m.rho, m.u, m.T, M.data()).converged);
  for (std::size_t k = 0; k < f.size(); ++k) Q[k] += 2 * M_PI * m.rho * (M[k] - f[k]);
  return Q;
}

// Two Maxwellians of density 1/2 drifting at +-u along x, temperature T0: a stress
// anisotropy P_xx - (P_yy + P_zz)/2 = rho u^2 close to the first Sonine (Burnett)
// function (the next term is u^2/12 = 0.75% of it at u = 0.3).
std::vector<double> counter_streams(double u, double T0) {
  std::vector<double> f(grid.size()), second(grid.size());
  toolkit::sampled_maxwellian(grid, mass, 0.5, {u, 0.0, 0.0}, T0, f.data());
  toolkit::sampled_maxwellian(grid, mass, 0.5, {-u, 0.0, 0.0}, T0, second.data());
  for (std::size_t k = 0; k < f.size(); ++k) f[k] += second[k];
  return f;
}

// P_xx - (P_yy + P_zz)/2 and q_x of g (about u = 0).
double anisotropy(const std::vector<double>& g) {
  double s = 0;
  for (int i = 0; i < grid.n; ++i)
    for (int j = 0; j < grid.n; ++j)
      for (int k = 0; k < grid.n; ++k)
        s += g[grid.index(i, j, k)] * (grid.v(i) * grid.v(i) - 0.5 * (grid.v(j) * grid.v(j) + grid.v(k) * grid.v(k)));
  return s * grid.cell_volume();
}
double heat_flux_x(const std::vector<double>& g) {
  double s = 0;
  for (int i = 0; i < grid.n; ++i)
    for (int j = 0; j < grid.n; ++j)
      for (int k = 0; k < grid.n; ++k) {
        const double c2 = grid.v(i) * grid.v(i) + grid.v(j) * grid.v(j) + grid.v(k) * grid.v(k);
        s += g[grid.index(i, j, k)] * grid.v(i) * 0.5 * c2;
      }
  return s * grid.cell_volume();
}

struct Rates {
  double stress, heat, T;  // relaxation rates, and the temperature of their cells
};

// Layer 2's relaxation rates -d/dt log(moment) from one evaluation each: stress from
// the counter-streams, heat flux from M (1 + a c_x (|c|^2 - 5T)), the first Sonine
// function of the heat flux (its rate is the first-Sonine Rayleigh quotient; a = 0.01
// keeps the quadratic part of Q at 1% of the linear one).
Rates layer2_rates() {
  const auto f = counter_streams(0.3, 1.0);
  const auto m = toolkit::full_moments(grid, f.data(), mass);
  const double stress = -anisotropy(collision(f)) / anisotropy(f);
  std::vector<double> g(grid.size());
  REQUIRE(toolkit::discrete_maxwellian(grid, mass, 1.0, {0, 0, 0}, m.T, g.data()).converged);
  for (int i = 0; i < grid.n; ++i)
    for (int j = 0; j < grid.n; ++j)
      for (int k = 0; k < grid.n; ++k) {
        const double c2 = grid.v(i) * grid.v(i) + grid.v(j) * grid.v(j) + grid.v(k) * grid.v(k);
        g[grid.index(i, j, k)] *= 1 + 0.01 * grid.v(i) * (c2 - 5 * m.T);
      }
  const double heat = -heat_flux_x(collision(g)) / heat_flux_x(g);
  return {stress, heat, m.T};
}
}  // namespace

TEST_CASE("one gas: layer 2 relaxes stress at p/mu1 and heat flux at (2/3) p/mu1 (first Sonine, hard spheres)") {
  const Rates r = layer2_rates();
  const double p = 1.0 * r.T, rate = p / mu1(r.T);
  MESSAGE("T = " << r.T << ": stress " << r.stress / rate << " p/mu1, heat flux " << r.heat / rate
                 << " p/mu1, ratio " << r.heat / r.stress);
  // The discrete operator differs from the continuous one by the truncation R (below
  // e^{-R^2/4} of the collisions, R = 6.52), the 4 x 4 angular rule (a few % of Q
  // pointwise, less in these moments), the aliasing of the tails and the grid; the
  // anisotropy's departure from the Burnett function is 0.75%. Measured within 0.4%;
  // 3% holds them. With R = 3.3 (the paper's) the stress rate is 0.54 p/mu1.
  CHECK(r.stress == doctest::Approx(rate).epsilon(0.03));
  CHECK(r.heat == doctest::Approx(2.0 / 3.0 * rate).epsilon(0.03));
  // Pr = 2/3 of first-Sonine hard spheres shows in the ratio of the two rates.
  CHECK(r.heat / r.stress == doctest::Approx(2.0 / 3.0).epsilon(0.03));
}

TEST_CASE("one gas: layer 2's transport coefficients are its own relaxation rates") {
  auto model = make("boltzmann_fft", "{}");
  const Rates r = layer2_rates();
  // Up to T ~ 1.4 on [-8, 8]^3: hotter Maxwellians reach the box, and their heat-flux
  // function (growing like |c|^3) aliases (at T = 2, kappa is 18% low).
  for (double T : {0.5, 1.0, r.T, 1.4}) {
    const double W[5] = {1.7, 0.3, 0.0, 0.0, T};
    double mu = 0, kappa = 0;
    model.check(model->transport_coefficients({W, 1, 5, 5}, &mu, &kappa), "transport_coefficients");
    MESSAGE("T = " << T << ": mu = " << mu << " (" << mu / mu1(T) << " mu1), kappa = " << kappa << " ("
                   << kappa / (3.75 * mu1(T)) << " (15/4) mu1), Pr = " << 2.5 * mu / kappa);
    // At T = 1 within a few % of the hard-sphere value (the same budget as the rates);
    // the table is exact at T = 0.5, 1 (points 2^{k/2}) and interpolates between.
    CHECK(mu == doctest::Approx(mu1(T)).epsilon(0.03));
    CHECK(kappa == doctest::Approx(3.75 * mu1(T)).epsilon(0.03));
    if (T == r.T) {
      // mu and kappa reproduce the measured rates p/mu and (5/2) p/kappa to 1%: they
      // come from the same operator, averaged over directions (the rates above use x).
      CHECK(T / mu == doctest::Approx(r.stress).epsilon(0.01));
      CHECK(2.5 * T / kappa == doctest::Approx(r.heat).epsilon(0.01));
    }
  }
}

TEST_CASE("one gas: ES-BGK with layer 2's viscosity law relaxes stress as layer 2 does, at every rho and T") {
  auto layer2 = make("boltzmann_fft", "{}");
  auto esbgk = make("esbgk", "{}");  // nu = "matched", beta = -1/2
  REQUIRE(esbgk->adopts_viscosity());
  // The law as the engine builds it (sdk/plugin.hpp): rho = 1, u = 0, T = 2^{k/4}.
  std::vector<double> W, temperature, viscosity(65), conductivity(65);
  for (int k = -40; k <= 24; ++k) {
    temperature.push_back(std::exp2(0.25 * k));
    W.insert(W.end(), {1.0, 0.0, 0.0, 0.0, temperature.back()});
  }
  layer2.check(layer2->transport_coefficients({W.data(), 65, 5, 5}, viscosity.data(), conductivity.data()),
               "transport_coefficients");
  esbgk.check(esbgk->adopt_viscosity({65, temperature.data(), viscosity.data()}), "adopt_viscosity");
  for (double rho : {0.2, 1.0, 3.0})
    for (double T : {0.6, 1.0, 1.7}) {
      CAPTURE(rho);
      CAPTURE(T);
      const double Wc[5] = {rho, 0.0, 0.0, 0.0, T};
      double mu1_layer = 0, mu2_layer = 0, k1 = 0, k2 = 0;
      esbgk.check(esbgk->transport_coefficients({Wc, 1, 5, 5}, &mu1_layer, &k1), "transport_coefficients");
      layer2.check(layer2->transport_coefficients({Wc, 1, 5, 5}, &mu2_layer, &k2), "transport_coefficients");
      // Interpolated in log T between points 2^{1/4} apart of a law close to sqrt T.
      CHECK(mu1_layer == doctest::Approx(mu2_layer).epsilon(1e-3));
      CHECK(2.5 * mu1_layer / k1 == doctest::Approx(2.0 / 3.0));  // Pr of ES-BGK, beta = -1/2
    }
  // The stress of the counter-streams relaxes in ES-BGK at the rate layer 2 measures:
  // one implicit step of h = 1e-3 divides it by 1 + h nu (1 - beta) (the closed form).
  const auto f = counter_streams(0.3, 1.0);
  const auto m = toolkit::full_moments(grid, f.data(), mass);
  const auto n = static_cast<std::int64_t>(grid.size());
  std::vector<double> y(f.size());
  const double h = 1e-3;
  esbgk.check(esbgk->implicit_solve({f.data(), 1, n, n}, &h, {y.data(), 1, n, n}), "implicit_solve");
  const double stress = (anisotropy(f) / anisotropy(y) - 1) / h;
  const double heat_over_stress = (1.0 / (1 - (-0.5)));  // nu / (nu (1 - beta))
  const Rates r = layer2_rates();
  MESSAGE("T = " << m.T << ": ES-BGK stress rate " << stress << ", layer 2 " << r.stress
                 << "; heat/stress: ES-BGK " << heat_over_stress << ", layer 2 " << r.heat / r.stress);
  CHECK(stress == doctest::Approx(r.stress).epsilon(0.03));
  CHECK(heat_over_stress == doctest::Approx(r.heat / r.stress).epsilon(0.03));
}

TEST_CASE("one gas: a viscosity law is refused where it cannot be adopted") {
  auto formula = make("esbgk", R"({"nu": "formula"})");
  CHECK_FALSE(formula->adopts_viscosity());
  const double T[2] = {1.0, 2.0}, mu[2] = {0.04, 0.06}, descending[2] = {2.0, 1.0};
  CHECK(formula->adopt_viscosity({2, T, mu}) == sdk::Status::invalid_argument);
  auto matched = make("esbgk", "{}");
  CHECK(matched->adopt_viscosity({2, descending, mu}) == sdk::Status::invalid_argument);
  CHECK(matched->adopt_viscosity({0, T, mu}) == sdk::Status::invalid_argument);
  CHECK(matched->adopt_viscosity({2, T, mu}) == sdk::Status::ok);
  auto layer2 = make("boltzmann_fft", "{}");
  CHECK_FALSE(layer2->adopts_viscosity());
  CHECK(layer2->adopt_viscosity({2, T, mu}) == sdk::Status::invalid_argument);
}
