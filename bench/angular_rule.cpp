// Accuracy against cost of the half-sphere angular rule of the fast spectral operator:
// Q(f) of a bimodal f (two drifting Maxwellians of different temperatures) for
// A1 = A2 = A = 2..16 with the midpoint rule in theta (the paper's eqs. 4.49-4.52) and
// with Gauss-Legendre in cos theta, against the same truncated operator with a fine
// rule (Gauss-Legendre, A1 = A2 = 32: the continuous truncated operator to the
// accuracy the last column shows); then the Lebedev and icosahedral rules of
// angular_rule "sphere". Printed as Markdown tables (docs/numerics.md):
//   build/bin/angular_rule [N [R [PLUGIN_DIR]]]     (N = 32, L = 8; R = 0: the default)
// One thread unless OMP_NUM_THREADS says otherwise.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include <omp.h>

#include "plugin_loader.hpp"
#include "strata/toolkit/fast_spectral.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;

namespace {
const double mass = 1.0;

struct Result {
  std::vector<double> Q;
  double seconds;  // per evaluation
};

// Q(f) through the SDK: explicit_part with penalty "paper", no well-balancing and no
// projection is Q - 2 pi rho (M[f] - f), M[f] the discrete Maxwellian.
double R = 0;  // 0: the plugin's default

// `rule`: the angular parameters, e.g. "\"A1\": 4, \"A2\": 4, \"angular_rule\": \"midpoint\"".
Result collision(const core::PluginLibrary& lib, const toolkit::VelocityGrid& g, const std::vector<double>& f,
                 const std::string& rule, bool repeat = true) {
  sdk::SetupInfo setup;
  setup.species_mass = &mass;
  setup.velocity_points = g.n;
  setup.velocity_bound = g.L;
  auto model = lib.create<sdk::CollisionModel>(
      sdk::PluginKind::collision_model,
      "{\"R\": " + std::to_string(R) + ", " + rule + ", \"penalty\": \"paper\", \"well_balanced\": false, \"conservative\": false}",
      setup);
  const auto n = static_cast<std::int64_t>(g.size());
  std::vector<double> Q(f.size()), M(f.size());
  double best = 1e30;
  for (int rep = 0; rep < (repeat ? 3 : 1); ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    model.check(model->explicit_part({f.data(), 1, n, n}, {Q.data(), 1, n, n}), "explicit_part");
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const auto m = toolkit::full_moments(g, f.data(), mass);
  if (!toolkit::discrete_maxwellian(g, mass, m.rho, m.u, m.T, M.data()).converged) std::exit(1);
  for (std::size_t k = 0; k < f.size(); ++k) Q[k] += 2 * std::numbers::pi * m.rho * (M[k] - f[k]);
  return {Q, best};
}

std::string product(int A1, int A2, const char* rule) {
  return "\"A1\": " + std::to_string(A1) + ", \"A2\": " + std::to_string(A2) + ", \"angular_rule\": \"" + rule + "\"";
}

double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (std::size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a[k] - b[k]));
  return d;
}
}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 32;
  R = argc > 2 ? std::atof(argv[2]) : 0.0;
  const std::string dir = argc > 3 ? argv[3] : STRATA_PLUGIN_BUILD_DIR;
  if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(1);
  const auto lib = core::PluginCatalog({dir}).load("boltzmann_fft");
  const toolkit::VelocityGrid g{n, 8.0};
  // The bimodal f of tests/unit/test_boltzmann.cpp.
  std::vector<double> f(g.size()), second(g.size());
  toolkit::sampled_maxwellian(g, mass, 0.6, {1.0, 0.2, 0.0}, 0.6, f.data());
  toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, -0.3, 0.1}, 1.1, second.data());
  for (std::size_t k = 0; k < f.size(); ++k) f[k] += second[k];
  const auto reference = collision(*lib, g, f, product(32, 32, "gauss_legendre"), false);
  const auto check = collision(*lib, g, f, product(24, 24, "gauss_legendre"), false);
  double size = 0;
  for (double q : reference.Q) size = std::max(size, std::abs(q));
  std::printf("N = %d, L = 8, R = %g (0: the default, 0.9 x 4L/(3+sqrt 2)); reference: Gauss-Legendre A1 = A2 = 32 "
              "(its distance to A1 = A2 = 24: %.1e of max|Q|)\n\n",
              n, R, max_difference(reference.Q, check.Q) / size);
  std::printf("| A1 = A2 | FFTs | s per evaluation | midpoint: max error / max|Q| | Gauss-Legendre: max error / max|Q| |\n");
  std::printf("|---|---|---|---|---|\n");
  for (int A : {2, 3, 4, 6, 8, 12, 16}) {
    const auto mid = collision(*lib, g, f, product(A, A, "midpoint"));
    const auto gl = collision(*lib, g, f, product(A, A, "gauss_legendre"));
    std::printf("| %d | %d | %.2e | %.1e | %.1e |\n", A, 2 * A * A + 2, gl.seconds,
                max_difference(mid.Q, reference.Q) / size, max_difference(gl.Q, reference.Q) / size);
  }
  std::printf("\n| sphere rule | directions | degree | FFTs | s per evaluation | max error / max|Q| |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& r : toolkit::sphere_rules) {
    const auto q = collision(*lib, g, f, "\"angular_rule\": \"sphere\", \"directions\": " + std::to_string(r.directions));
    std::printf("| %s | %d | %d | %d | %.2e | %.1e |\n", r.directions == 16 ? "icosahedral" : "Lebedev", r.directions,
                r.degree, 2 * r.directions + 2, q.seconds, max_difference(q.Q, reference.Q) / size);
  }
}
