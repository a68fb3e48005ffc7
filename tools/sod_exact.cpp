// Writes the exact Riemann solution of a shock tube as a profile CSV
// (x,rho,ux,uy,T,p,regime), for comparisons and figures:
//   sod_exact [--gamma 5/3] [--time 0.2] [--cells 400] [--x0 0.5] [rhoL uL pL rhoR uR pR]
// Defaults: the paper's Sod test (§5.1). Units of the engine: T = p / rho.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "exact_riemann.hpp"

int main(int argc, char** argv) {
  double gamma = 5.0 / 3.0, t = 0.2, x0 = 0.5;
  int cells = 400;
  double states[6] = {1.0, 0.0, 1.0, 0.125, 0.0, 0.1};
  int n_states = 0;
  for (int k = 1; k < argc; ++k) {
    auto value = [&] {
      if (k + 1 >= argc) {
        std::fprintf(stderr, "sod_exact: %s needs a value\n", argv[k]);
        std::exit(1);
      }
      return std::atof(argv[++k]);
    };
    if (!std::strcmp(argv[k], "--gamma")) gamma = value();
    else if (!std::strcmp(argv[k], "--time")) t = value();
    else if (!std::strcmp(argv[k], "--cells")) cells = static_cast<int>(value());
    else if (!std::strcmp(argv[k], "--x0")) x0 = value();
    else if (n_states < 6) states[n_states++] = std::atof(argv[k]);
  }
  try {
    const strata::test::ExactRiemann exact({states[0], states[1], states[2]}, {states[3], states[4], states[5]}, gamma);
    std::printf("x,rho,ux,uy,T,p,regime\n");
    for (int i = 0; i < cells; ++i) {
      const double x = (i + 0.5) / cells;
      const auto s = exact.sample((x - x0) / t);
      std::printf("%.10g,%.10g,%.10g,0,%.10g,%.10g,-1\n", x, s.rho, s.u, s.p / s.rho, s.p);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sod_exact: %s\n", e.what());
    return 1;
  }
}
