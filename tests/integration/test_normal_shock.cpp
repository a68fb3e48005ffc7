// cases/normal_shock.json (Mach 2, hard spheres, x in upstream mean free paths) in
// layer 1 at reduced resolution: ES-BGK with the hard-sphere-matched collision
// frequency nu = 14.885 rho sqrt(T) (docs/validation.md "Normal shock structure").
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "run_strata.hpp"

using namespace strata::test;

TEST_CASE("normal shock, Mach 2, layer 1: stationary, Rankine-Hugoniot states, monotone, thickness") {
  const auto out = scratch("normal_shock_m2");
  // 48 cells of 0.75 lambda1, 12^3 velocities on [-9, 9]^3, t = 10 (0.7 upstream flow-through
  // times of the 36-lambda1 domain; the structure forms within a few lambda1 / u1, and the
  // thickness changes by 3% from t = 6 to 10): 1-2 s on 2 idle cores.
  const Result r = run_strata("run " + source("cases/normal_shock.json") +
                              " --set regime.mode=layer1 --set kinetic.nu_coefficient=14.885"
                              " --set kinetic.nu_temperature_exponent=0.5 --set mesh.nx=48 --set velocity.n=12"
                              " --set velocity.L=9 --set time.end=10 --set 'output.times=[6]' -q --out " +
                              out.string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto summary = read_json(out / "summary.json");
  for (const char* q : {"mass", "momentum_x", "energy"}) {
    CAPTURE(q);
    CHECK(summary["conservation"][q].get<double>() < 1e-11);  // inflow fluxes accounted for
  }

  // Rankine-Hugoniot, gamma = 5/3, M = 2: rho2 = 16/7, T2 = 133/64, u2 = 7 u1 / 16.
  const double u1 = 2.0 * std::sqrt(5.0 / 3.0), rho2 = 16.0 / 7.0, T2 = 133.0 / 64.0, u2 = u1 / rho2;
  const Table late = read_csv(out / "profile_10.csv"), early = read_csv(out / "profile_6.csv");
  const auto x = late.column("x"), rho = late.column("rho"), ux = late.column("ux"), T = late.column("T");
  const std::size_t n = x.size();
  REQUIRE(n == 48);

  // End states: the inflow ghosts fix them; what remains is the sound the initial jump
  // sends towards the ends while the structure forms (measured: below 0.6% here at t = 10;
  // below 0.8% on 90 cells and 20^3 velocities, where it keeps oscillating at that level
  // to t = 24). 2% bounds it with margin and is far below the jump itself (129% in rho).
  CHECK(std::abs(rho[n - 1] / rho2 - 1) < 0.02);
  CHECK(std::abs(ux[n - 1] / u2 - 1) < 0.02);
  CHECK(std::abs(T[n - 1] / T2 - 1) < 0.02);
  CHECK(std::abs(rho[0] - 1) < 0.01);
  CHECK(std::abs(ux[0] / u1 - 1) < 0.01);
  CHECK(std::abs(T[0] - 1) < 0.01);

  // Monotone profiles across the structure, up to the sound ripples (1% of the jump).
  for (std::size_t i = 1; i < n; ++i) {
    CAPTURE(x[i]);
    CHECK(rho[i] >= rho[i - 1] - 0.01 * (rho2 - 1));
    CHECK(T[i] >= T[i - 1] - 0.01 * (T2 - 1));
  }

  // Stationary: the density midpoint stays near x = 0 and moves little between t = 6 and 10.
  auto midpoint = [&](const Table& t) {
    const auto xs = t.column("x"), r = t.column("rho");
    const double mid = 0.5 * (1 + rho2);
    for (std::size_t i = 0; i + 1 < xs.size(); ++i)
      if ((r[i] - mid) * (r[i + 1] - mid) <= 0 && r[i + 1] != r[i])
        return xs[i] + (mid - r[i]) * (xs[i + 1] - xs[i]) / (r[i + 1] - r[i]);
    return 1e9;
  };
  const double x_late = midpoint(late), x_early = midpoint(early);
  MESSAGE("density midpoint at t = 6: " << x_early << ", at t = 10: " << x_late << " (lambda1)");
  CHECK(std::abs(x_late) < 2.0);
  CHECK(std::abs(x_late - x_early) < 0.5);

  // Reciprocal thickness lambda1/delta, delta = (rho2 - rho1) / max|drho/dx| (centred
  // differences, as tools/shock_thickness.py). The band is this code's own, not a published
  // value: the Navier-Stokes-Fourier shock of the same gas (0.333, tools/shock_thickness.py ns 2)
  // is thinner than the kinetic one at Mach 2 (Hicks, Yen & Reilly 1972), so 0.333 is an
  // upper bound; the coarse cells spread the shock (layer 1 measured 0.236, 0.259, 0.281,
  // 0.290 on 36, 48, 72, 90 cells), so the lower bound is 0.2.
  double slope = 0;
  for (std::size_t i = 1; i + 1 < n; ++i) slope = std::max(slope, std::abs(rho[i + 1] - rho[i - 1]) / (x[i + 1] - x[i - 1]));
  const double inverse_thickness = slope / (rho2 - 1);
  MESSAGE("lambda1/delta = " << inverse_thickness);
  CHECK(inverse_thickness > 0.2);
  CHECK(inverse_thickness < 0.333);
}
