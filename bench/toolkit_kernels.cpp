// Cost per velocity point of the toolkit's kernels inside a kinetic cell-step, one
// thread, the data in cache (the arithmetic side of docs/performance.md's cost model;
// bench/stream gives the memory side). Prints one JSON object per kernel and grid:
//   bench/toolkit_kernels [N ...]      (default 16 32)
// - conserved_moments: rho, rho u, E (the engine's moment projection, three per cell-step);
// - stress_moments: rho, rho u, E and the pressure tensor (the ES-BGK step's first sweep);
// - discrete_gaussian_blend: the ES-BGK Gaussian sampled, corrected and blended into y
//   (its second and third sweeps);
// - transport_face: one face of the kinetic transport per point (the upwind CWENO3 flux,
//   taken into both cells' q: core/src/upwind_flux.hpp), a face's six distributions in
//   cache;
// - transport_face_line: the same faces along a line of cells whose distributions (f and
//   q, 128 MiB) are four times the L3 cache, so that each face's new cell comes from
//   memory (arrays of the kinetic store's kind, core::KineticArray), in the order the
//   transport runs them (all faces add to q here, where the transport's x faces set
//   the q of their right cell): if it costs what transport_face costs, the transport is
//   bound by its arithmetic;
// - pr222_bookkeeping: both stages' PR(2,2,2) sums of one cell-step (core/src/
//   imex_bookkeeping.hpp), in cache;
// - entropy_term: -f ln f by the vector log (history.csv's entropy).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../core/device/layer2_pointwise.hpp"
#include "../core/src/host_memory.hpp"
#include "../core/src/imex_bookkeeping.hpp"
#include "../core/src/upwind_flux.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/vector_clones.hpp"

using namespace strata;
using Clock = std::chrono::steady_clock;

namespace {
// The history's sum of -f ln f, as the engine runs it.
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
    // A face of the x direction: v_x < 0 in the first half of the values, > 0 in the
    // second (VelocityGrid's order), each half one run from its upwind side.
    const std::size_t half = points / 2;
    for (std::size_t k = 0; k < points; ++k) vn[k] = k < half ? -0.5 : 0.5;
    auto face = [&](const double* fm, const double* fa, const double* fb, const double* fp, double* qa, double* qb) {
      core::upwind_flux_run_apply<false>(half, vn.data(), fp, fb, fa, 0.1, 10.0, qa, qb);
      core::upwind_flux_run_apply<false>(half, vn.data() + half, fm + half, fa + half, fb + half, 0.1, 10.0,
                                         qa + half, qb + half);
    };
    std::fill(G.begin(), G.end(), 0.0);
    std::fill(y.begin(), y.end(), 0.0);
    seconds = best_seconds(calls, [&](int) { face(second.data(), f.data(), second.data(), f.data(), G.data(), y.data()); });
    print("transport_face", n, seconds, points, y[7]);
    // Cells of the line, which holds two more on each side for the stencil: f and q of
    // the line take 128 MiB.
    const std::size_t line = (std::size_t{128} << 20) / (2 * sizeof(double) * points) - 4;
    core::KineticArray Yline((line + 4) * points), qline((line + 4) * points, 0.0);
    for (std::size_t c = 0; c < line + 4; ++c) std::copy(f.begin(), f.end(), Yline.begin() + c * points);
    seconds = best_seconds(std::max(2, calls / static_cast<int>(line)), [&](int) {
      for (std::size_t c = 1; c <= line + 1; ++c)  // the faces c | c + 1 of the line's cells 2 .. line + 1
        face(&Yline[(c - 1) * points], &Yline[c * points], &Yline[(c + 1) * points], &Yline[(c + 2) * points],
             &qline[c * points], &qline[(c + 1) * points]);
    });
    print("transport_face_line", n, seconds / static_cast<double>(line + 1), points, qline[points + 7]);
    // Both stages' bookkeeping of one cell-step, its arrays (f, Y, q, sum, rhs) in cache;
    // its cost does not depend on the tableau's constants.
    const core::device::Pr222 pr{0.01, 0.3, 0.5, 0.5, 1.0, 0.4};
    std::vector<double> rhs(points);
    seconds = best_seconds(calls, [&](int) {
      core::pr222_first(0, points, pr, f.data(), second.data(), G.data(), y.data(), rhs.data());
      core::pr222_second(0, points, pr, rhs.data(), second.data(), G.data(), y.data());
    });
    print("pr222_bookkeeping", n, seconds, points, y[7]);
    seconds = best_seconds(calls, [&](int) { sink = entropy(f.data(), points); });
    print("entropy_term", n, seconds, points, sink);
  }
}
