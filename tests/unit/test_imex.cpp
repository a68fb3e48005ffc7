#include <doctest/doctest.h>

#include <cmath>

#include "strata/toolkit/imex.hpp"

TEST_CASE("imex: PR(2,2,2) satisfies the second-order conditions") {
  const auto t = strata::toolkit::pr222();
  const double tol = 1e-15;  // exact arithmetic up to one rounding of sqrt(2)
  CHECK(std::abs(t.w_explicit[0] + t.w_explicit[1] - 1) < tol);
  CHECK(std::abs(t.w_implicit[0] + t.w_implicit[1] - 1) < tol);
  CHECK(std::abs(t.w_explicit[0] * t.c_explicit[0] + t.w_explicit[1] * t.c_explicit[1] - 0.5) < tol);
  CHECK(std::abs(t.w_implicit[0] * t.c_implicit[0] + t.w_implicit[1] * t.c_implicit[1] - 0.5) < tol);
  // Coupling conditions of IMEX order 2: w . c_implicit = w~ . c_explicit = 1/2 crosswise.
  CHECK(std::abs(t.w_explicit[0] * t.c_implicit[0] + t.w_explicit[1] * t.c_implicit[1] - 0.5) < tol);
  CHECK(std::abs(t.w_implicit[0] * t.c_explicit[0] + t.w_implicit[1] * t.c_explicit[1] - 0.5) < tol);
  // Row sums give c; the implicit part is L-stable-friendly: diagonal g = 1 - 1/sqrt 2.
  for (int i = 0; i < 2; ++i) {
    CHECK(std::abs(t.a_explicit[i][0] + t.a_explicit[i][1] - t.c_explicit[i]) < tol);
    CHECK(std::abs(t.a_implicit[i][0] + t.a_implicit[i][1] - t.c_implicit[i]) < tol);
  }
  CHECK(std::abs(t.a_implicit[0][0] - (1 - 1 / std::sqrt(2.0))) < tol);
}
