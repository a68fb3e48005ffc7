// Exact Riemann solver for the one-dimensional Euler equations of an ideal
// (polytropic) gas with arbitrary ratio of specific heats gamma > 1.
//
// Test-support code: header-only, no dependencies beyond the standard library.
//
// Method
// ------
// The solution of the Riemann problem consists of a left wave (shock or
// rarefaction), a contact discontinuity and a right wave, separating four
// constant states: W_L, W*_L, W*_R, W_R.  Pressure and velocity are continuous
// across the contact, so the star pressure p* is the root of
//
//     g(p) = f_L(p) + f_R(p) + (u_R - u_L) = 0,
//
// where f_K links p to the velocity change across the K-wave:
//
//   shock       (p > p_K):  f_K = (p - p_K) * sqrt(A_K / (p + B_K)),
//                           A_K = 2 / ((gamma + 1) rho_K),
//                           B_K = (gamma - 1) / (gamma + 1) * p_K
//                           (from the Rankine-Hugoniot conditions);
//   rarefaction (p <= p_K): f_K = 2 a_K / (gamma - 1) * ((p/p_K)^((gamma-1)/(2 gamma)) - 1)
//                           (from isentropy and the generalised Riemann invariant).
//
// g is monotonically increasing and concave in p, and g(0) = (u_R - u_L) -
// 2 (a_L + a_R) / (gamma - 1); a positive root therefore exists iff g(0) < 0
// (the pressure positivity condition; otherwise the data generate vacuum).
// The root is found with Newton's method, safeguarded by a bisection bracket.
// The star velocity is u* = (u_L + u_R)/2 + (f_R(p*) - f_L(p*))/2.
//
// The solution is self-similar: it depends on x and t only through
// xi = (x - x0) / t, and sample(xi) evaluates it there.
#pragma once

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace strata::test {

struct PrimitiveState {
  double rho;
  double u;
  double p;
};

class ExactRiemann {
 public:
  // Throws std::invalid_argument on non-finite input, non-positive density or
  // pressure, gamma <= 1, or data for which the pressure positivity condition
  // fails (the solution would contain a vacuum region).
  ExactRiemann(PrimitiveState left, PrimitiveState right, double gamma)
      : left_(left), right_(right), gamma_(gamma) {
    validate_gamma(gamma);
    validate_state(left, "left");
    validate_state(right, "right");

    a_left_ = std::sqrt(gamma_ * left_.p / left_.rho);
    a_right_ = std::sqrt(gamma_ * right_.p / right_.rho);

    const double du = right_.u - left_.u;
    const double du_crit = 2.0 / (gamma_ - 1.0) * (a_left_ + a_right_);
    if (!(du < du_crit)) {
      std::ostringstream msg;
      msg.precision(17);
      msg << "ExactRiemann: pressure positivity condition violated, the data "
             "generate vacuum: u_R - u_L = "
          << du << " must be < 2 (a_L + a_R) / (gamma - 1) = " << du_crit;
      throw std::invalid_argument(msg.str());
    }

    p_star_ = solve_star_pressure();
    const PressureFunction fl = pressure_function(p_star_, left_, a_left_);
    const PressureFunction fr = pressure_function(p_star_, right_, a_right_);
    u_star_ = 0.5 * (left_.u + right_.u) + 0.5 * (fr.value - fl.value);

    const double g6 = (gamma_ - 1.0) / (gamma_ + 1.0);
    rho_star_left_ = star_density(left_, g6);
    rho_star_right_ = star_density(right_, g6);
  }

  double star_pressure() const { return p_star_; }
  double star_velocity() const { return u_star_; }

  // Additional read-only information about the wave structure.
  double gamma() const { return gamma_; }
  double star_density_left() const { return rho_star_left_; }
  double star_density_right() const { return rho_star_right_; }
  bool left_wave_is_shock() const { return p_star_ > left_.p; }
  bool right_wave_is_shock() const { return p_star_ > right_.p; }

  // Solution at xi = (x - x0) / t.  +-infinity are allowed (they give the
  // initial states); NaN throws std::invalid_argument.
  PrimitiveState sample(double xi) const {
    if (std::isnan(xi)) {
      throw std::invalid_argument("ExactRiemann::sample: xi is NaN");
    }
    return xi <= u_star_ ? sample_left(xi) : sample_right(xi);
  }

  // Cell average of the density over [xa, xb] at time t >= 0 for an initial
  // discontinuity located at x0: midpoint rule with `sub` equal sub-intervals.
  // At t == 0 the initial data are sampled (left state for x < x0, right state
  // for x >= x0).
  double cell_average_density(double xa, double xb, double x0, double t,
                              int sub = 16) const {
    if (!std::isfinite(xa) || !std::isfinite(xb) || !std::isfinite(x0) ||
        !std::isfinite(t)) {
      throw std::invalid_argument(
          "ExactRiemann::cell_average_density: non-finite argument");
    }
    if (!(xb > xa)) {
      throw std::invalid_argument(
          "ExactRiemann::cell_average_density: requires xb > xa");
    }
    if (t < 0.0) {
      throw std::invalid_argument(
          "ExactRiemann::cell_average_density: requires t >= 0");
    }
    if (sub < 1) {
      throw std::invalid_argument(
          "ExactRiemann::cell_average_density: requires sub >= 1");
    }
    const double h = (xb - xa) / static_cast<double>(sub);
    double sum = 0.0;
    for (int k = 0; k < sub; ++k) {
      const double x = xa + (static_cast<double>(k) + 0.5) * h;
      if (t == 0.0) {
        sum += x < x0 ? left_.rho : right_.rho;
      } else {
        sum += sample((x - x0) / t).rho;
      }
    }
    return sum / static_cast<double>(sub);
  }

 private:
  struct PressureFunction {
    double value;
    double derivative;
  };

  static void validate_gamma(double gamma) {
    if (!std::isfinite(gamma) || !(gamma > 1.0)) {
      std::ostringstream msg;
      msg.precision(17);
      msg << "ExactRiemann: gamma must be finite and > 1, got " << gamma;
      throw std::invalid_argument(msg.str());
    }
  }

  static void validate_state(const PrimitiveState& s, const char* side) {
    if (!std::isfinite(s.rho) || !std::isfinite(s.u) || !std::isfinite(s.p)) {
      throw std::invalid_argument(std::string("ExactRiemann: ") + side +
                                  " state has non-finite components");
    }
    if (!(s.rho > 0.0)) {
      std::ostringstream msg;
      msg.precision(17);
      msg << "ExactRiemann: " << side << " density must be > 0, got " << s.rho;
      throw std::invalid_argument(msg.str());
    }
    if (!(s.p > 0.0)) {
      std::ostringstream msg;
      msg.precision(17);
      msg << "ExactRiemann: " << side << " pressure must be > 0, got " << s.p;
      throw std::invalid_argument(msg.str());
    }
  }

  // f_K(p) and f_K'(p) for the wave adjacent to state K.
  PressureFunction pressure_function(double p, const PrimitiveState& s,
                                     double a) const {
    if (p > s.p) {
      const double A = 2.0 / ((gamma_ + 1.0) * s.rho);
      const double B = (gamma_ - 1.0) / (gamma_ + 1.0) * s.p;
      const double q = std::sqrt(A / (p + B));
      return {(p - s.p) * q, q * (1.0 - 0.5 * (p - s.p) / (p + B))};
    }
    const double g1 = (gamma_ - 1.0) / (2.0 * gamma_);
    const double ratio = p / s.p;
    const double value = 2.0 * a / (gamma_ - 1.0) * (std::pow(ratio, g1) - 1.0);
    const double derivative =
        std::pow(ratio, -(gamma_ + 1.0) / (2.0 * gamma_)) / (s.rho * a);
    return {value, derivative};
  }

  double residual(double p, double* derivative) const {
    const PressureFunction fl = pressure_function(p, left_, a_left_);
    const PressureFunction fr = pressure_function(p, right_, a_right_);
    if (derivative != nullptr) *derivative = fl.derivative + fr.derivative;
    return fl.value + fr.value + (right_.u - left_.u);
  }

  double solve_star_pressure() const {
    // Bracket [lo, hi] with g(lo) < 0 <= g(hi).  g(0+) < 0 by the positivity
    // check; g grows like sqrt(p) for large p, so doubling finds hi.
    double lo = 0.0;
    double hi = std::fmax(left_.p, right_.p);
    for (int k = 0; residual(hi, nullptr) < 0.0; ++k) {
      if (k > 4000) {
        throw std::runtime_error("ExactRiemann: failed to bracket p*");
      }
      lo = hi;
      hi *= 2.0;
    }

    // Initial guess: two-rarefaction approximation (exact if both waves are
    // rarefactions); it is positive when the positivity condition holds.
    const double g1 = (gamma_ - 1.0) / (2.0 * gamma_);
    const double num =
        a_left_ + a_right_ - 0.5 * (gamma_ - 1.0) * (right_.u - left_.u);
    const double den =
        a_left_ / std::pow(left_.p, g1) + a_right_ / std::pow(right_.p, g1);
    double p = std::pow(num / den, 1.0 / g1);
    if (!(p > lo && p < hi)) p = 0.5 * (lo + hi);

    constexpr double kRelTol = 1e-15;
    constexpr int kMaxIter = 2000;  // bisection alone converges well before
    for (int iter = 0; iter < kMaxIter; ++iter) {
      double dg = 0.0;
      const double g = residual(p, &dg);
      if (g == 0.0) return p;
      if (g < 0.0) {
        lo = p;
      } else {
        hi = p;
      }
      double p_new = p - g / dg;
      if (!(p_new > lo && p_new < hi)) p_new = 0.5 * (lo + hi);
      const double change = std::fabs(p_new - p);
      p = p_new;
      if (change <= kRelTol * p || hi - lo <= kRelTol * hi) return p;
    }
    return p;
  }

  double star_density(const PrimitiveState& s, double g6) const {
    const double ratio = p_star_ / s.p;
    if (p_star_ > s.p) {
      return s.rho * (ratio + g6) / (g6 * ratio + 1.0);  // shock (Hugoniot)
    }
    return s.rho * std::pow(ratio, 1.0 / gamma_);  // rarefaction (isentrope)
  }

  PrimitiveState sample_left(double xi) const {
    const double g = gamma_;
    if (p_star_ > left_.p) {
      const double shock_speed =
          left_.u - a_left_ * std::sqrt((g + 1.0) / (2.0 * g) * p_star_ / left_.p +
                                        (g - 1.0) / (2.0 * g));
      if (xi <= shock_speed) return left_;
      return {rho_star_left_, u_star_, p_star_};
    }
    const double head = left_.u - a_left_;
    if (xi <= head) return left_;
    const double a_star =
        a_left_ * std::pow(p_star_ / left_.p, (g - 1.0) / (2.0 * g));
    const double tail = u_star_ - a_star;
    if (xi > tail) return {rho_star_left_, u_star_, p_star_};
    // Inside the left rarefaction fan (C+ characteristics through origin).
    const double c =
        2.0 / (g + 1.0) * (a_left_ + 0.5 * (g - 1.0) * (left_.u - xi));
    const double u = 2.0 / (g + 1.0) * (a_left_ + 0.5 * (g - 1.0) * left_.u + xi);
    const double ratio = c / a_left_;
    return {left_.rho * std::pow(ratio, 2.0 / (g - 1.0)), u,
            left_.p * std::pow(ratio, 2.0 * g / (g - 1.0))};
  }

  PrimitiveState sample_right(double xi) const {
    const double g = gamma_;
    if (p_star_ > right_.p) {
      const double shock_speed =
          right_.u + a_right_ * std::sqrt((g + 1.0) / (2.0 * g) * p_star_ / right_.p +
                                          (g - 1.0) / (2.0 * g));
      if (xi >= shock_speed) return right_;
      return {rho_star_right_, u_star_, p_star_};
    }
    const double head = right_.u + a_right_;
    if (xi >= head) return right_;
    const double a_star =
        a_right_ * std::pow(p_star_ / right_.p, (g - 1.0) / (2.0 * g));
    const double tail = u_star_ + a_star;
    if (xi < tail) return {rho_star_right_, u_star_, p_star_};
    // Inside the right rarefaction fan.
    const double c =
        2.0 / (g + 1.0) * (a_right_ - 0.5 * (g - 1.0) * (right_.u - xi));
    const double u =
        2.0 / (g + 1.0) * (-a_right_ + 0.5 * (g - 1.0) * right_.u + xi);
    const double ratio = c / a_right_;
    return {right_.rho * std::pow(ratio, 2.0 / (g - 1.0)), u,
            right_.p * std::pow(ratio, 2.0 * g / (g - 1.0))};
  }

  PrimitiveState left_;
  PrimitiveState right_;
  double gamma_;
  double a_left_ = 0.0;
  double a_right_ = 0.0;
  double p_star_ = 0.0;
  double u_star_ = 0.0;
  double rho_star_left_ = 0.0;
  double rho_star_right_ = 0.0;
};

}  // namespace strata::test
