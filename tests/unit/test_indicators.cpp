// The indicator plugins on fields built by hand (paper §3, Algorithm 1).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/stencils.hpp"

using namespace strata;

namespace {
// A (nx x ny) field set with 2 halo cells, from functions of the cell centre.
struct FieldSet {
  int nx, ny, halo = 2;
  double dx, dy;
  std::vector<double> rho, ux, uy, uz, T, eps, mu, kappa, distance;
  std::vector<std::int8_t> regime;
  FieldSet(int nx_, int ny_, std::function<void(double, double, double*)> state, double knudsen, int layer)
      : nx(nx_), ny(ny_), dx(1.0 / nx_), dy(1.0 / ny_) {
    const std::size_t n = std::size_t(nx + 4) * (ny + 4);
    for (auto* v : {&rho, &ux, &uy, &uz, &T, &eps, &mu, &kappa, &distance}) v->assign(n, 0.0);
    regime.assign(n, static_cast<std::int8_t>(layer));
    for (int j = -2; j < ny + 2; ++j)
      for (int i = -2; i < nx + 2; ++i) {
        const std::size_t c = std::size_t(i + 2) + std::size_t(nx + 4) * (j + 2);
        double s[5];
        state((i + 0.5) * dx, (j + 0.5) * dy, s);
        rho[c] = s[0]; ux[c] = s[1]; uy[c] = s[2]; uz[c] = 0; T[c] = s[4];
        eps[c] = knudsen;
        mu[c] = 0.5;
        kappa[c] = 1.25;
        distance[c] = layer > 0 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
      }
  }
  sdk::IndicatorInput input() const {
    sdk::IndicatorInput in;
    in.nx = nx; in.ny = ny; in.halo = halo; in.stride = nx + 4; in.dx = dx; in.dy = dy;
    in.rho = rho.data(); in.ux = ux.data(); in.uy = uy.data(); in.uz = uz.data(); in.T = T.data();
    in.knudsen = eps.data(); in.viscosity = mu.data(); in.conductivity = kappa.data();
    in.distance_to_maxwellian = distance.data(); in.regime = regime.data();
    return in;
  }
};

struct Proposal {
  std::vector<std::int8_t> next;
  std::vector<std::vector<double>> diag;
};

Proposal propose(const std::string& name, const std::string& params, const FieldSet& f) {
  const auto lib = core::PluginCatalog({STRATA_PLUGIN_BUILD_DIR}).load(name);
  auto ind = lib->create<sdk::Indicator>(sdk::PluginKind::indicator, params, sdk::SetupInfo{});
  Proposal p;
  p.next.resize(std::size_t(f.nx) * f.ny);
  p.diag.assign(ind->n_diagnostics(), std::vector<double>(p.next.size()));
  std::vector<double*> ptr;
  for (auto& d : p.diag) ptr.push_back(d.data());
  ind.check(ind->propose(f.input(), p.next.data(), ptr.data()), "propose");
  return p;
}
}  // namespace

TEST_CASE("indicators: the stencil's Laplacian is exact on quadratics for cells of any aspect ratio") {
  // 8 x 2 cells on the unit square: dx = 1/8, dy = 1/2. The paper's ΔxΔy form
  // (eqs. 4.55–4.56) would read a quarter of the x part and 4 times the y part here.
  const FieldSet f(8, 2, [](double x, double y, double* s) { s[0] = 3 * x * x - 5 * y * y + x * y + 2; s[1] = s[2] = 0; s[4] = 1; }, 0.1, 0);
  const sdk::IndicatorInput in = f.input();
  const toolkit::Stencil stencil{in};
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 8; ++i) {
      CAPTURE(i);
      CAPTURE(j);
      // Round-off of a second difference: ~1e-16 · |q| / dx² with |q| ≲ 6, dx = 1/8.
      CHECK(stencil.laplacian(f.rho.data(), i, j) == doctest::Approx(2 * 3 - 2 * 5).epsilon(1e-12));
    }
}

TEST_CASE("indicators: eigenvalues of symmetric 3x3 matrices") {
  const auto e = toolkit::symmetric_eigenvalues({2, 3, 5, 0, 0, 0});
  CHECK(e[0] == doctest::Approx(2));
  CHECK(e[2] == doctest::Approx(5));
  // [[2,1,0],[1,2,0],[0,0,7]]: 1, 3, 7.
  const auto f = toolkit::symmetric_eigenvalues({2, 2, 7, 1, 0, 0});
  CHECK(f[0] == doctest::Approx(1).epsilon(1e-12));
  CHECK(f[1] == doctest::Approx(3).epsilon(1e-12));
  CHECK(f[2] == doctest::Approx(7).epsilon(1e-12));
  // A full matrix: trace and determinant are kept.
  const auto g = toolkit::symmetric_eigenvalues({4, 1, 3, 0.5, -0.7, 0.2});
  CHECK(g[0] + g[1] + g[2] == doctest::Approx(8).epsilon(1e-12));
  const double det = 4 * (1 * 3 - 0.04) - 0.5 * (0.5 * 3 - 0.2 * -0.7) + -0.7 * (0.5 * 0.2 - 1 * -0.7);
  CHECK(g[0] * g[1] * g[2] == doctest::Approx(det).epsilon(1e-12));
}

TEST_CASE("indicators: realizability — a uniform gas is fluid; a shear gives lambda_A = xi1 |a|") {
  const std::string params = R"({"eta0": 1e-3, "eta1": 1e-4, "delta0": 1e-3})";
  const FieldSet uniform(6, 6, [](double, double, double* s) { s[0] = 1; s[1] = 0.3; s[2] = 0; s[4] = 1.2; }, 1e-2, 0);
  const Proposal p = propose("realizability", params, uniform);
  for (auto r : p.next) CHECK(r == 0);
  for (double l : p.diag[0]) CHECK(l == doctest::Approx(0).epsilon(1e-14));
  // u_x = a y: D(u) has xy = a, so V = I - xi1 D has eigenvalues 1 +- xi1 a and 1.
  const double a = 2.0, eps = 1e-2;
  const FieldSet shear(6, 6, [&](double, double y, double* s) { s[0] = 1; s[1] = a * y; s[2] = 0; s[4] = 1; }, eps, 0);
  const Proposal q = propose("realizability", params, shear);
  const double xi1 = eps * 0.5 / (1.0 * 1.0);
  for (double l : q.diag[0]) CHECK(l == doctest::Approx(xi1 * a).epsilon(1e-12));
  for (auto r : q.next) CHECK(r == 1);  // 1e-2 > eta0: the Euler description is not realizable
  // lambda_B = eps^2 |grad u|^2 (no temperature gradient, no curvature): 4e-4 > eta1.
  for (double l : q.diag[1]) CHECK(l == doctest::Approx(eps * eps * a * a).epsilon(1e-12));
}

TEST_CASE("indicators: realizability follows Algorithm 1 between the layers") {
  const std::string params = R"({"eta0": 1e-3, "eta1": 1e-4, "delta0": 1e-3})";
  auto linear = [](double a) { return [a](double, double y, double* s) { s[0] = 1; s[1] = a * y; s[2] = 0; s[4] = 1; }; };
  // Layer 2 with lambda_B = 4e-6 <= eta1 goes to 1; with 4e-2 > eta1 stays.
  CHECK(propose("realizability", params, FieldSet(4, 4, linear(0.2), 1e-2, 2)).next[5] == 1);
  CHECK(propose("realizability", params, FieldSet(4, 4, linear(20), 1e-2, 2)).next[5] == 2);
  // Layer 1: to 2 when lambda_B > eta1; to 0 when realizable and close to its Maxwellian.
  CHECK(propose("realizability", params, FieldSet(4, 4, linear(20), 1e-2, 1)).next[5] == 2);
  CHECK(propose("realizability", params, FieldSet(4, 4, linear(0.01), 1e-2, 1)).next[5] == 0);
  FieldSet far(4, 4, linear(0.01), 1e-2, 1);
  for (double& d : far.distance) d = 0.5;  // far from equilibrium: stays kinetic
  CHECK(propose("realizability", params, far).next[5] == 1);
}

TEST_CASE("indicators: knudsen_gradient is lambda |grad rho| / rho on a density ramp") {
  const double eps = 0.1;
  const FieldSet ramp(8, 4, [](double x, double, double* s) { s[0] = 1 + 0.5 * x; s[1] = 0; s[2] = 0; s[4] = 1; }, eps, 0);
  // lambda = eps (the case's Knudsen number as the mean free path) ...
  Proposal p = propose("knudsen_gradient", R"({"kinetic_threshold": 0.03, "boltzmann_threshold": 0.2, "mean_free_path": "knudsen"})", ramp);
  for (int i = 0; i < 8; ++i) {
    const double x = (i + 0.5) / 8;
    CHECK(p.diag[0][i] == doctest::Approx(eps * 0.5 / (1 + 0.5 * x)).epsilon(1e-12));
    CHECK(p.next[i] == (eps * 0.5 / (1 + 0.5 * x) > 0.03 ? 1 : 0));
  }
  // ... or the gas's own, (16/5) eps mu / (rho sqrt(2 pi T)) with the collision model's
  // mu (0.5 in these fields, T = 1): Bird's hard-sphere mean free path.
  p = propose("knudsen_gradient", R"({"kinetic_threshold": 0.03, "boltzmann_threshold": 0.2})", ramp);
  for (int i = 0; i < 8; ++i) {
    const double x = (i + 0.5) / 8, rho = 1 + 0.5 * x;
    const double lambda = 16.0 / 5.0 * eps * 0.5 / (rho * std::sqrt(2 * M_PI));
    CHECK(p.diag[0][i] == doctest::Approx(lambda * 0.5 / rho).epsilon(1e-12));
    CHECK(p.next[i] == (lambda * 0.5 / rho > 0.03 ? 1 : 0));
  }
}
