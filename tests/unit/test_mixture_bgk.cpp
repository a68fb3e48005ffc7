// The mixture_bgk plugin through the SDK: its transport coefficients are those of its
// own relaxation (paper 000 eq. 1.1).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/velocity_grid.hpp"

using namespace strata;

TEST_CASE("mixture_bgk: viscosity and conductivity follow each species' measured relaxation rate") {
  // Two species of masses 2 and 1 at rest, each a bi-Maxwellian (Tx != Ty, common T): the
  // targets are isotropic, so one implicit step divides species k's Pxx - Pyy by exactly
  // 1 + h nu_k. The rates measured so must give mu = Σ p_k / nu_k and
  // kappa = Σ (5/2) p_k / (m_k nu_k), p_k = n_k T.
  const toolkit::VelocityGrid g{24, 8.0};
  const double masses[2] = {2.0, 1.0};
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load("mixture_bgk");
  sdk::SetupInfo setup;
  setup.n_species = 2;
  setup.species_mass = masses;
  setup.velocity_points = g.n;
  setup.velocity_bound = g.L;
  auto model = lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model,
                                                R"({"c_intra": 1.3, "c_inter": 0.7})", setup);
  const double n[2] = {0.3, 0.9}, Tx = 1.3, Ty = 0.85, T = (Tx + 2 * Ty) / 3;
  const std::size_t n3 = g.size();
  std::vector<double> f(2 * n3);
  for (int s = 0; s < 2; ++s) {  // mass densities m_s F_s
    const double m = masses[s], a = m * n[s] * std::pow(m / (2 * M_PI), 1.5) / std::sqrt(Tx * Ty * Ty);
    for (int i = 0; i < g.n; ++i)
      for (int j = 0; j < g.n; ++j)
        for (int k = 0; k < g.n; ++k)
          f[s * n3 + g.index(i, j, k)] =
              a * std::exp(-m * (g.v(i) * g.v(i) / Tx + (g.v(j) * g.v(j) + g.v(k) * g.v(k)) / Ty) / 2);
  }
  const auto anisotropy = [&](const std::vector<double>& h, int s) {
    double sum = 0;
    for (int i = 0; i < g.n; ++i)
      for (int j = 0; j < g.n; ++j)
        for (int k = 0; k < g.n; ++k) sum += h[s * n3 + g.index(i, j, k)] * (g.v(i) * g.v(i) - g.v(j) * g.v(j));
    return sum * g.cell_volume();
  };
  // The number densities the grid holds (the sampled Maxwellians' sums differ from n).
  double held[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    for (std::size_t k = 0; k < n3; ++k) held[s] += f[s * n3 + k];
    held[s] *= g.cell_volume() / masses[s];
  }
  const double h = 0.05;
  std::vector<double> y(f.size());
  const auto cols = static_cast<std::int64_t>(f.size());
  model.check(model->implicit_solve({f.data(), 1, cols, cols}, &h, {y.data(), 1, cols, cols}), "implicit_solve");
  double mu = 0, kappa = 0;
  for (int s = 0; s < 2; ++s) {
    const double nu = (anisotropy(f, s) / anisotropy(y, s) - 1) / h;
    CAPTURE(s);
    // The model's own rate, c_intra n_k + c_inter n_j, to round-off of the grid sums.
    CHECK(nu == doctest::Approx(1.3 * held[s] + 0.7 * held[1 - s]).epsilon(1e-10));
    mu += held[s] * T / nu;
    kappa += 2.5 * held[s] * T / (masses[s] * nu);
  }
  const std::array<double, 6> W = {masses[0] * held[0], masses[1] * held[1], 0, 0, 0, T};
  double viscosity = 0, conductivity = 0;
  model.check(model->transport_coefficients({W.data(), 1, 6, 6}, &viscosity, &conductivity), "transport_coefficients");
  CHECK(viscosity == doctest::Approx(mu).epsilon(1e-9));
  CHECK(conductivity == doctest::Approx(kappa).epsilon(1e-9));
}
