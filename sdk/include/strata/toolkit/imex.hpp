#pragma once
// Butcher tableaux of the time integrators (paper §4.2–4.3, eq. 4.15).
// The explicit half of PR(2,2,2) is Heun's method, which is also the TVD RK2 of
// the Euler layer (eqs. 4.7–4.8): this shared explicit tableau is what lets all
// layers advance stage-synchronously with one flux per face per stage.
#include <cmath>

namespace strata::toolkit {

struct ImexTableau {
  static constexpr int stages = 2;
  double a_explicit[2][2];
  double w_explicit[2];
  double c_explicit[2];
  double a_implicit[2][2];
  double w_implicit[2];
  double c_implicit[2];
};

// PR(2,2,2) of Pareschi–Russo with C = 1/sqrt(2), written with g = 1 - C:
// implicit A = [[g, 0], [1 - 2g, g]], w = (1/2, 1/2), c = (g, 1 - g).
inline ImexTableau pr222() {
  const double g = 1.0 - 1.0 / std::sqrt(2.0);
  return {{{0.0, 0.0}, {1.0, 0.0}}, {0.5, 0.5}, {0.0, 1.0},
          {{g, 0.0}, {1.0 - 2.0 * g, g}}, {0.5, 0.5}, {g, 1.0 - g}};
}

}  // namespace strata::toolkit
