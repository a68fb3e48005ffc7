// The cuFFT plugin against the FFTW one on the same inputs (issue: equal to 1e-12
// relative). Exits 77 — ctest's "skipped" — where the plugin is not built or no GPU is
// available, with a message saying which.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/maxwellian.hpp"

using namespace strata;

int main() {
  const core::PluginCatalog catalog({STRATA_PLUGIN_BUILD_DIR});
  if (catalog.find("boltzmann_cufft").empty()) {
    std::puts("SKIP: boltzmann_cufft is not built (no CUDA toolkit at configure time)");
    return 77;
  }
  const double mass = 1.0;
  const char* params = R"({"R": 3.3, "A1": 4, "A2": 4, "penalty": "paper", "well_balanced": false, "conservative": false})";
  int failures = 0;
  for (int n : {16, 32}) {
    const toolkit::VelocityGrid g{n, 8.0};
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = n;
    setup.velocity_bound = 8.0;
    core::PluginObject<sdk::CollisionModel> gpu;
    try {
      gpu = catalog.load("boltzmann_cufft")->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
    } catch (const core::PluginError& e) {
      std::printf("SKIP: %s\n", e.what());
      return 77;
    }
    auto cpu = catalog.load("boltzmann_fft")->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
    const int cells = 5;
    std::vector<double> f(cells * g.size()), second(g.size()), a(f.size()), b(f.size());
    for (int c = 0; c < cells; ++c) {
      toolkit::sampled_maxwellian(g, mass, 0.6, {1.0 - 0.3 * c, 0.2, 0.0}, 0.6, &f[c * g.size()]);
      toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, 0.0, 0.1 * c}, 1.1, second.data());
      for (std::size_t k = 0; k < g.size(); ++k) f[c * g.size() + k] += second[k];
    }
    const auto cols = static_cast<std::int64_t>(g.size());
    cpu.check(cpu->explicit_part({f.data(), cells, cols, cols}, {a.data(), cells, cols, cols}), "explicit_part");
    gpu.check(gpu->explicit_part({f.data(), cells, cols, cols}, {b.data(), cells, cols, cols}), "explicit_part");
    double diff = 0, size = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      diff = std::max(diff, std::abs(a[k] - b[k]));
      size = std::max(size, std::abs(a[k]));
    }
    const bool ok = diff <= 1e-12 * size;
    std::printf("N = %d: max |E_cufft - E_fftw| / max |E| = %.3g %s\n", n, diff / size, ok ? "ok" : "FAILED (bound 1e-12)");
    failures += !ok;
  }
  std::printf("%d passed, %d failed\n", 2 - failures, failures);
  return failures ? 1 : 0;
}
