// Cost per velocity point of the toolkit's kernels inside a kinetic cell-step, one
// thread, the data in cache (the arithmetic side of docs/performance.md's cost model;
// bench/stream gives the memory side). Prints one JSON object per kernel and grid:
//   bench/toolkit_kernels [N ...]      (default 16 32)
// - conserved_moments: rho, rho u, E (the engine's moment projection, three per cell-step);
// - stress_moments: rho, rho u, E and the pressure tensor (the ES-BGK step's first sweep);
// - discrete_gaussian_blend: the ES-BGK Gaussian sampled, corrected and blended into y
//   (its second and third sweeps);
// - cweno3_upwind: one upwind CWENO3 flux per point, as the transport's vector loop;
// - entropy_term: -f ln f by the vector log (history.csv's entropy).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../core/device/layer2_pointwise.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/vector_clones.hpp"

using namespace strata;
using Clock = std::chrono::steady_clock;

namespace {
// The toolkit's per-value functions in vector loops as the engine runs them (the
// transport's runs of one sign of v_n; the history's sum of -f ln f).
STRATA_VECTOR_CLONES void upwind_run(std::size_t count, const double* vn, const double* far, const double* up,
                                     const double* down, double h, double* phi) {
#pragma omp simd
  for (std::size_t k = 0; k < count; ++k) phi[k] = vn[k] * toolkit::cweno3_right_scaled(far[k], up[k], down[k], h);
}

STRATA_VECTOR_CLONES double entropy(const double* f, std::size_t n) {
  double h = 0.0;
#pragma omp simd reduction(+ : h)
  for (std::size_t k = 0; k < n; ++k) h += core::device::entropy_term(f[k]);
  return h;
}

// Seconds per call of `work`, best of five rounds of `calls` calls.
template <class Work>
double best_seconds(int calls, Work work) {
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    const auto t0 = Clock::now();
    for (int c = 0; c < calls; ++c) work(c);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count() / calls);
  }
  return best;
}

// `check` is the kernel's last result, so that the work cannot be left out.
void print(const char* kernel, int n, double seconds, std::size_t points, double check) {
  std::printf("{\"kernel\": \"%s\", \"velocity_n\": %d, \"seconds_per_call\": %.3g, \"ns_per_point\": %.3f, \"check\": %.6g}\n",
              kernel, n, seconds, seconds * 1e9 / static_cast<double>(points), check);
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<int> grids;
  for (int a = 1; a < argc; ++a) grids.push_back(std::atoi(argv[a]));
  if (grids.empty()) grids = {16, 32};
  for (const int n : grids) {
    if (n < 4) {
      std::fprintf(stderr, "toolkit_kernels: N = %d; expected N >= 4\n", n);
      return 2;
    }
    const toolkit::VelocityGrid g{n, 8.0};
    const std::size_t points = g.size();
    // A bimodal distribution, far from its Gaussian (conservation_box's initial state).
    std::vector<double> f(points), second(points), G(points), y(points), vn(points, 0.5);
    toolkit::sampled_maxwellian(g, 1.0, 0.6, {0.3, -0.2, 0.1}, 1.1, f.data());
    toolkit::sampled_maxwellian(g, 1.0, 0.4, {-0.5, 0.4, 0.0}, 0.8, second.data());
    for (std::size_t k = 0; k < points; ++k) f[k] += second[k];
    const int calls = std::max(20, static_cast<int>(4e7 / static_cast<double>(points * 100)));
    double sink = 0.0, seconds = 0.0;
    toolkit::ConservedMoments c;
    seconds = best_seconds(calls, [&](int) { c = toolkit::conserved_moments(g, f.data()); });
    print("conserved_moments", n, seconds, points, c.energy);
    toolkit::FullMoments m;
    seconds = best_seconds(calls, [&](int) { m = toolkit::stress_moments(g, f.data(), 1.0); });
    print("stress_moments", n, seconds, points, m.T);
    toolkit::SymmetricTensor Tt;
    for (int k = 0; k < 6; ++k)  // the ES-BGK tensor, beta = -1/2
      Tt[k] = (k < 3 ? 1.5 * m.T : 0.0) - 0.5 * m.pressure[k] / m.rho;
    const double a = 0.3, inv = 1.0 / (1.0 + a);
    seconds = best_seconds(calls, [&](int) {
      toolkit::discrete_gaussian(g, 1.0, m.conserved, Tt, G.data(),
                                 [&](std::size_t k, double v) { y[k] = (f[k] + a * v) * inv; });
    });
    print("discrete_gaussian_blend", n, seconds, points, y[points / 2]);
    seconds = best_seconds(calls, [&](int) {
      for (std::size_t o = 0; o + 2 * n * n <= points; o += 2 * n * n)  // runs of N²/2, as v_y's
        upwind_run(static_cast<std::size_t>(n * n) / 2, &vn[o], &f[o], &second[o], &G[o], 0.1, &y[o]);
    });
    print("cweno3_upwind", n, seconds, points / 2, y[7]);
    seconds = best_seconds(calls, [&](int) { sink = entropy(f.data(), points); });
    print("entropy_term", n, seconds, points, sink);
  }
}
