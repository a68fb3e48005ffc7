// Writes the exact Riemann solution of a shock tube as a profile CSV
// (x,rho,ux,uy,T,p,regime), for comparisons and figures:
//   sod_exact [--gamma 5/3] [--time 0.2] [--cells 400] [--x0 0.5] [rhoL uL pL rhoR uR pR]
// (all six states or none; --help prints the usage).
// Defaults: the paper's Sod test (§5.1). Units of the engine: T = p / rho.
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "exact_riemann.hpp"

namespace {

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: sod_exact [--gamma G] [--time T] [--cells N] [--x0 X0] [rhoL uL pL rhoR uR pR]\n"
               "Writes the exact Riemann solution of a shock tube on x in [0, 1] to standard output as\n"
               "a profile CSV (x,rho,ux,uy,T,p,regime; T = p / rho, regime -1: not a computed cell).\n"
               "  --gamma G    ratio of specific heats, > 1 (default 5/3)\n"
               "  --time T     time of the solution, > 0 (default 0.2)\n"
               "  --cells N    number of cells, sampled at their centres (default 400)\n"
               "  --x0 X0      position of the initial discontinuity (default 0.5)\n"
               "  rhoL uL pL rhoR uR pR   density, velocity and pressure left and right of X0:\n"
               "               all six or none (default Sod: 1 0 1 0.125 0 0.1)\n"
               "  -h, --help   this message\n");
}

[[noreturn]] void wrong_usage(const char* why, const char* what) {
  std::fprintf(stderr, "sod_exact: %s%s\n", why, what);
  usage(stderr);
  std::exit(1);
}

double number(const char* text) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v)) wrong_usage("not a finite number: ", text);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  double gamma = 5.0 / 3.0, t = 0.2, x0 = 0.5;
  int cells = 400;
  double states[6] = {1.0, 0.0, 1.0, 0.125, 0.0, 0.1};
  int n_states = 0;
  for (int k = 1; k < argc; ++k) {
    const char* arg = argv[k];
    auto value = [&] {
      if (k + 1 >= argc) wrong_usage(arg, " needs a value");
      return number(argv[++k]);
    };
    if (!std::strcmp(arg, "-h") || !std::strcmp(arg, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!std::strcmp(arg, "--gamma")) gamma = value();
    else if (!std::strcmp(arg, "--time")) t = value();
    else if (!std::strcmp(arg, "--cells")) {
      const double n = value();
      if (!(n >= 1 && n <= 1e8) || n != std::floor(n)) wrong_usage("--cells needs a whole number >= 1, got ", argv[k]);
      cells = static_cast<int>(n);
    } else if (!std::strcmp(arg, "--x0")) x0 = value();
    else if (arg[0] == '-' && arg[1] != '\0' && !std::isdigit(static_cast<unsigned char>(arg[1])) && arg[1] != '.')
      wrong_usage("unknown option ", arg);
    else if (n_states < 6) states[n_states++] = number(arg);
    else wrong_usage("more than six state values, at ", arg);
  }
  if (n_states != 0 && n_states != 6) {
    std::fprintf(stderr, "sod_exact: the states need six values (rhoL uL pL rhoR uR pR), got %d\n", n_states);
    usage(stderr);
    return 1;
  }
  if (!(t > 0)) {
    std::fprintf(stderr, "sod_exact: --time must be > 0, got %g\n", t);
    return 1;
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
