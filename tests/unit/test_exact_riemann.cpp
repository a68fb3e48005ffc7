// Tests for the exact Riemann solver used as a reference in verification tests
// (tests/support/exact_riemann.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/exact_riemann.hpp"

using strata::test::ExactRiemann;
using strata::test::PrimitiveState;

namespace {

constexpr PrimitiveState kSodLeft{1.0, 0.0, 1.0};
constexpr PrimitiveState kSodRight{0.125, 0.0, 0.1};

double sound_speed(const PrimitiveState& s, double gamma) {
  return std::sqrt(gamma * s.p / s.rho);
}

// Independent implementation of the pressure function f_K(p), written in the
// mass-flux form rather than the A_K/B_K form used in the header:
//   shock:       f_K = (p - p_K) / Q_K,
//                Q_K = sqrt(rho_K ((gamma + 1) p + (gamma - 1) p_K) / 2)
//   rarefaction: f_K = 2 a_K / (gamma - 1) ((p / p_K)^((gamma - 1)/(2 gamma)) - 1)
double independent_pressure_function(double p, const PrimitiveState& s,
                                     double gamma) {
  if (p > s.p) {
    const double mass_flux =
        std::sqrt(0.5 * s.rho * ((gamma + 1.0) * p + (gamma - 1.0) * s.p));
    return (p - s.p) / mass_flux;
  }
  const double a = sound_speed(s, gamma);
  return 2.0 * a / (gamma - 1.0) *
         (std::exp((gamma - 1.0) / (2.0 * gamma) * std::log(p / s.p)) - 1.0);
}

bool same_state(const PrimitiveState& a, const PrimitiveState& b) {
  return a.rho == b.rho && a.u == b.u && a.p == b.p;
}

}  // namespace

TEST_CASE("exact riemann: Sod gamma = 1.4 matches published star state") {
  const ExactRiemann rs(kSodLeft, kSodRight, 1.4);
  // Published reference values (Toro, "Riemann Solvers and Numerical Methods
  // for Fluid Dynamics", test 1) are given to 5 significant digits:
  // p* = 0.30313, u* = 0.92745.  Rounding to 5 digits alone allows an error of
  // up to 5e-6; a tolerance of 1e-4 comfortably covers that while still being
  // far tighter than any wrong wave structure would produce.
  CHECK(std::abs(rs.star_pressure() - 0.30313) < 1e-4);
  CHECK(std::abs(rs.star_velocity() - 0.92745) < 1e-4);
  CHECK_FALSE(rs.left_wave_is_shock());
  CHECK(rs.right_wave_is_shock());
}

TEST_CASE("exact riemann: Sod gamma = 5/3 satisfies independent checks") {
  const double gamma = 5.0 / 3.0;
  const ExactRiemann rs(kSodLeft, kSodRight, gamma);
  const double p_star = rs.star_pressure();
  const double u_star = rs.star_velocity();

  // Same wave structure as for gamma = 1.4: left rarefaction, right shock.
  REQUIRE(p_star < kSodLeft.p);
  REQUIRE(p_star > kSodRight.p);
  REQUIRE(u_star > 0.0);

  SUBCASE("pressure function residual vanishes") {
    const double residual =
        independent_pressure_function(p_star, kSodLeft, gamma) +
        independent_pressure_function(p_star, kSodRight, gamma) +
        (kSodRight.u - kSodLeft.u);
    CHECK(std::abs(residual) < 1e-12);
    // u* from the right wave relation, independently of the left one.
    const double u_from_right =
        kSodRight.u + independent_pressure_function(p_star, kSodRight, gamma);
    CHECK(std::abs(u_from_right - u_star) < 1e-12);
  }

  SUBCASE("Rankine-Hugoniot conditions across the right shock") {
    // Locate the shock in the sampled solution itself, by bisection between
    // a point in the right star region and a point in the undisturbed state.
    double lo = u_star + 1e-9;  // just right of the contact: star-right state
    double hi = 100.0;          // far right: initial right state
    REQUIRE(!same_state(rs.sample(lo), kSodRight));
    REQUIRE(same_state(rs.sample(hi), kSodRight));
    for (int k = 0; k < 200; ++k) {
      const double mid = 0.5 * (lo + hi);
      if (mid <= lo || mid >= hi) break;
      if (same_state(rs.sample(mid), kSodRight)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    const double s = 0.5 * (lo + hi);
    const PrimitiveState behind = rs.sample(lo);
    const PrimitiveState ahead = rs.sample(hi);
    REQUIRE(same_state(ahead, kSodRight));
    CHECK(std::abs(behind.p - p_star) < 1e-15);
    CHECK(std::abs(behind.u - u_star) < 1e-15);
    CHECK(behind.rho > ahead.rho);  // compressive shock

    const double wb = behind.u - s;  // velocities in the shock frame
    const double wa = ahead.u - s;
    const double mass_b = behind.rho * wb;
    const double mass_a = ahead.rho * wa;
    CHECK(std::abs(mass_b - mass_a) < 1e-10);
    const double mom_b = behind.rho * wb * wb + behind.p;
    const double mom_a = ahead.rho * wa * wa + ahead.p;
    CHECK(std::abs(mom_b - mom_a) < 1e-10);
    const double energy_b =
        wb * (gamma / (gamma - 1.0) * behind.p + 0.5 * behind.rho * wb * wb);
    const double energy_a =
        wa * (gamma / (gamma - 1.0) * ahead.p + 0.5 * ahead.rho * wa * wa);
    CHECK(std::abs(energy_b - energy_a) < 1e-10);
  }

  SUBCASE("isentropic and Riemann invariants across the left rarefaction") {
    const double a_left = sound_speed(kSodLeft, gamma);
    const double entropy_left = kSodLeft.p / std::pow(kSodLeft.rho, gamma);
    const double riemann_left = kSodLeft.u + 2.0 * a_left / (gamma - 1.0);
    const double head = kSodLeft.u - a_left;
    // From ahead of the fan head, through the fan and the star-left region,
    // up to (but not across) the contact.
    const int n = 400;
    int in_fan = 0;
    for (int i = 0; i <= n; ++i) {
      const double xi =
          (head - 0.5) + (u_star - 1e-9 - (head - 0.5)) * i / static_cast<double>(n);
      const PrimitiveState w = rs.sample(xi);
      const double entropy = w.p / std::pow(w.rho, gamma);
      CHECK(std::abs(entropy - entropy_left) < 1e-12 * entropy_left);
      const double riemann = w.u + 2.0 * sound_speed(w, gamma) / (gamma - 1.0);
      CHECK(std::abs(riemann - riemann_left) < 1e-12 * riemann_left);
      if (w.p < kSodLeft.p && w.p > p_star) ++in_fan;
    }
    CHECK(in_fan > 10);  // the fan interior was actually sampled
  }
}

TEST_CASE("exact riemann: far-field samples equal the initial states") {
  struct Problem {
    PrimitiveState left, right;
    double gamma;
  };
  const std::vector<Problem> problems{
      {kSodLeft, kSodRight, 1.4},
      {kSodLeft, kSodRight, 5.0 / 3.0},
      {{1.0, -2.0, 0.4}, {1.0, 2.0, 0.4}, 1.4},          // two rarefactions
      {{1.0, 0.0, 1000.0}, {1.0, 0.0, 0.01}, 1.4},       // strong blast
      {{5.99924, 19.5975, 460.894}, {5.99242, -6.19633, 46.0950}, 1.4},
      {{1.0, 1.0, 1.0}, {1.0, -1.0, 1.0}, 1.4},          // two shocks
  };
  for (const Problem& pb : problems) {
    const ExactRiemann rs(pb.left, pb.right, pb.gamma);
    CHECK(same_state(rs.sample(-1e3), pb.left));
    CHECK(same_state(rs.sample(1e3), pb.right));
    CHECK(same_state(rs.sample(-INFINITY), pb.left));
    CHECK(same_state(rs.sample(INFINITY), pb.right));
    // Star state is consistent with the independent pressure functions.
    const double residual =
        independent_pressure_function(rs.star_pressure(), pb.left, pb.gamma) +
        independent_pressure_function(rs.star_pressure(), pb.right, pb.gamma) +
        (pb.right.u - pb.left.u);
    CHECK(std::abs(residual) < 1e-12 * (1.0 + std::abs(pb.right.u - pb.left.u)));
  }
}

TEST_CASE("exact riemann: density is monotone non-increasing across Sod") {
  for (const double gamma : {1.4, 5.0 / 3.0}) {
    CAPTURE(gamma);
    const ExactRiemann rs(kSodLeft, kSodRight, gamma);
    const int n = 20000;
    double previous = rs.sample(-3.0).rho;
    CHECK(previous == kSodLeft.rho);
    bool monotone = true;
    for (int i = 1; i <= n; ++i) {
      const double xi = -3.0 + 6.0 * i / static_cast<double>(n);
      const double rho = rs.sample(xi).rho;
      if (rho > previous + 1e-14) monotone = false;
      previous = rho;
    }
    CHECK(monotone);
    CHECK(previous == kSodRight.rho);
  }
}

TEST_CASE("exact riemann: symmetric collision gives u* = 0 and two shocks") {
  const PrimitiveState left{1.0, 1.0, 1.0};
  const PrimitiveState right{1.0, -1.0, 1.0};
  const double gamma = 1.4;
  const ExactRiemann rs(left, right, gamma);
  CHECK(std::abs(rs.star_velocity()) < 1e-14);
  CHECK(rs.star_pressure() > left.p);
  CHECK(rs.star_pressure() > right.p);
  CHECK(rs.left_wave_is_shock());
  CHECK(rs.right_wave_is_shock());
  // By symmetry each shock must stop its own side: f(p*) = 1 on both sides.
  CHECK(std::abs(independent_pressure_function(rs.star_pressure(), left, gamma) -
                 1.0) < 1e-12);
  // Compressed, symmetric star region; sharp jumps to the initial states.
  const PrimitiveState sl = rs.sample(-1e-3);
  const PrimitiveState sr = rs.sample(1e-3);
  CHECK(sl.rho > left.rho);
  CHECK(std::abs(sl.rho - sr.rho) < 1e-14);
  CHECK(std::abs(sl.u) < 1e-14);
  CHECK(std::abs(sr.u) < 1e-14);
  CHECK(std::abs(rs.star_density_left() - rs.star_density_right()) < 1e-14);
}

TEST_CASE("exact riemann: cell averages of the density") {
  const ExactRiemann rs(kSodLeft, kSodRight, 1.4);
  const double x0 = 0.5;
  const double t = 0.2;
  // Cells entirely inside constant regions.
  CHECK(rs.cell_average_density(0.0, 0.1, x0, t) == doctest::Approx(1.0));
  CHECK(rs.cell_average_density(0.95, 1.0, x0, t) == doctest::Approx(0.125));
  // Initial data at t = 0.
  CHECK(rs.cell_average_density(0.4, 0.6, x0, 0.0, 4) == doctest::Approx(0.5625));
  // A cell straddling the shock averages between the adjacent states and
  // converges with the number of sub-samples to the exact mean.
  double lo = rs.star_velocity();
  double hi = 10.0;
  for (int k = 0; k < 200; ++k) {
    const double mid = 0.5 * (lo + hi);
    if (rs.sample(mid).rho == kSodRight.rho) hi = mid; else lo = mid;
  }
  const double x_shock = x0 + t * 0.5 * (lo + hi);
  const double xa = x_shock - 0.013;
  const double xb = x_shock + 0.027;
  const double exact = (rs.star_density_right() * (x_shock - xa) +
                        kSodRight.rho * (xb - x_shock)) / (xb - xa);
  const double coarse = rs.cell_average_density(xa, xb, x0, t);
  CHECK(coarse < rs.star_density_right());
  CHECK(coarse > kSodRight.rho);
  CHECK(std::abs(rs.cell_average_density(xa, xb, x0, t, 4096) - exact) < 1e-3);
  CHECK_THROWS_AS(rs.cell_average_density(0.2, 0.1, x0, t), std::invalid_argument);
  CHECK_THROWS_AS(rs.cell_average_density(0.1, 0.2, x0, t, 0), std::invalid_argument);
  CHECK_THROWS_AS(rs.cell_average_density(0.1, 0.2, x0, -1.0), std::invalid_argument);
}

TEST_CASE("exact riemann: invalid input throws") {
  const PrimitiveState good{1.0, 0.0, 1.0};
  CHECK_THROWS_AS(ExactRiemann({0.0, 0.0, 1.0}, good, 1.4), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann(good, {-1.0, 0.0, 1.0}, 1.4), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann({1.0, 0.0, 0.0}, good, 1.4), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann(good, {1.0, 0.0, -0.1}, 1.4), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann(good, {NAN, 0.0, 1.0}, 1.4), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann(good, good, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(ExactRiemann(good, good, 0.5), std::invalid_argument);
  // Strong expansion: u_R - u_L = 20 exceeds 2 (a_L + a_R) / (gamma - 1)
  // = 5 * 2 * sqrt(1.4) ~ 11.83, so vacuum is generated.
  bool threw = false;
  try {
    const ExactRiemann rs({1.0, -10.0, 1.0}, {1.0, 10.0, 1.0}, 1.4);
    (void)rs;
  } catch (const std::invalid_argument& e) {
    threw = true;
    CHECK(std::string(e.what()).find("vacuum") != std::string::npos);
  }
  CHECK(threw);
  // Just below the critical velocity difference is still admissible.
  const double crit = 2.0 * 2.0 * std::sqrt(1.4) / 0.4;
  const ExactRiemann near({1.0, -0.49 * crit, 1.0}, {1.0, 0.49 * crit, 1.0}, 1.4);
  CHECK(near.star_pressure() > 0.0);
  CHECK(near.star_pressure() < 1e-5);
  CHECK_THROWS_AS(near.sample(NAN), std::invalid_argument);
}
