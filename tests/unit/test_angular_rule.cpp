#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "strata/toolkit/fast_spectral.hpp"

using namespace strata::toolkit;

namespace {
double double_factorial(int k) {
  double r = 1;
  for (; k > 1; k -= 2) r *= k;
  return r;
}

// The mean of x^a y^b z^c over the unit sphere: (a-1)!! (b-1)!! (c-1)!! / (a+b+c+1)!! for
// a, b, c even, 0 otherwise (odd powers cancel between e and -e).
double sphere_mean(int a, int b, int c) {
  if (a % 2 || b % 2 || c % 2) return 0;
  return double_factorial(a - 1) * double_factorial(b - 1) * double_factorial(c - 1) / double_factorial(a + b + c + 1);
}

// The largest error of the rule's mean over the monomials of total degree `degree`.
double monomial_error(const std::vector<Direction>& rule, int degree) {
  double worst = 0;
  for (int a = 0; a <= degree; ++a)
    for (int b = 0; a + b <= degree; ++b) {
      const int c = degree - a - b;
      double s = 0;
      for (const auto& d : rule) s += d.weight * std::pow(d.e[0], a) * std::pow(d.e[1], b) * std::pow(d.e[2], c);
      worst = std::max(worst, std::abs(s - sphere_mean(a, b, c)));
    }
  return worst;
}
}  // namespace

TEST_CASE("angular rule: the sphere rules integrate polynomials up to their degree exactly") {
  // Every spherical harmonic of degree <= d is the restriction of a polynomial of degree
  // <= d, and the monomials of degree exactly d (d even) restrict to all of degree d, d-2, ...
  for (const auto& r : sphere_rules) {
    CAPTURE(r.directions);
    const auto full = full_sphere_rule(r.directions);
    CHECK(full.size() == std::size_t(2 * r.directions));
    for (const auto& d : full) CHECK(std::hypot(d.e[0], d.e[1], d.e[2]) == doctest::Approx(1.0).epsilon(1e-15));
    for (int degree = 0; degree <= r.degree; ++degree) {
      CAPTURE(degree);
      CHECK(monomial_error(full, degree) < 1e-14);
    }
    // ... and no further: the stated degree is the rule's (the next even degree fails).
    CHECK(monomial_error(full, r.degree + 1) > 1e-6);
    // The half-sphere rule: one of each pair ±e, weights summing to the area 2π.
    const auto half = sphere_rule(r.directions);
    double area = 0;
    for (const auto& d : half) {
      area += d.weight;
      CHECK(d.weight > 0);
      for (const auto& o : half)  // no antipodal pair left
        if (&o != &d) CHECK(std::abs(o.e[0] + d.e[0]) + std::abs(o.e[1] + d.e[1]) + std::abs(o.e[2] + d.e[2]) > 1e-9);
    }
    CHECK(area == doctest::Approx(2 * std::numbers::pi).epsilon(1e-15));
  }
  CHECK_THROWS(sphere_rule(17));
}

TEST_CASE("angular rule: the product rules' half-sphere weights integrate even polynomials") {
  // Gauss–Legendre A1 x uniform A2 on the half sphere: as a full-sphere rule (with -e)
  // exact to degree min(2 A1 - 1, 2 A2 - 1); 4 x 4: degree 7.
  auto product = product_rule(4, 4, AngularRule::gauss_legendre);
  std::vector<Direction> full;
  for (const auto& d : product) {
    full.push_back({{d.e[0], d.e[1], d.e[2]}, d.weight / (4 * std::numbers::pi)});
    full.push_back({{-d.e[0], -d.e[1], -d.e[2]}, d.weight / (4 * std::numbers::pi)});
  }
  for (int degree = 0; degree <= 7; ++degree) CHECK(monomial_error(full, degree) < 1e-14);
  CHECK(monomial_error(full, 8) > 1e-6);
}
