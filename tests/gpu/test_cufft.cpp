// The cuFFT plugin against the FFTW one on the same inputs (required: equal to 1e-12
// relative): explicit_part with the operator alone and with the default penalisation,
// implicit_solve and the fused stage_value, on batches that need several chunks of
// either plugin and on rows with a stride. Exits 77 — ctest's "skipped" — where the
// plugin is not built or no GPU is available, with a message saying which. Run with
// the emulated build's folder (tests/gpu/CMakeLists.txt) it tests the plugin's host
// logic and per-value arithmetic without a GPU.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/toolkit/maxwellian.hpp"

using namespace strata;

namespace {
const double mass = 1.0;
int failures = 0, checks = 0;

void compare(const char* what, int n, const std::vector<double>& cpu, const std::vector<double>& gpu) {
  double diff = 0, size = 0;
  bool finite = true;
  for (std::size_t k = 0; k < cpu.size(); ++k) {
    finite = finite && std::isfinite(cpu[k]) && std::isfinite(gpu[k]);
    const double d = std::abs(cpu[k] - gpu[k]);
    if (!(d <= diff)) diff = d;  // NaN-proof, unlike std::max
    size = std::max(size, std::abs(cpu[k]));
  }
  // Both compute the same sums in different orders (cuFFT vs FFTW, tree vs serial
  // reductions): round-off of O(N^3 log N) operations, far below 1e-12.
  const bool ok = finite && size > 0 && diff <= 1e-12 * size;
  std::printf("N = %d, %-40s max |cufft - fftw| / max |fftw| = %.3g %s\n", n, what, diff / size,
              ok ? "ok" : "FAILED (bound 1e-12)");
  failures += !ok;
  ++checks;
}
}  // namespace

int run(const char* first_dir) {
  std::vector<std::filesystem::path> dirs{STRATA_PLUGIN_BUILD_DIR};
  if (first_dir) {
    dirs.insert(dirs.begin(), first_dir);
    std::printf("boltzmann_cufft from %s first (the emulated build, when that is tests/gpu/emulation's)\n", first_dir);
  }
  const core::PluginCatalog catalog(dirs);
  if (catalog.find("boltzmann_cufft").empty()) {
    std::puts("SKIP: boltzmann_cufft is not built (no CUDA toolkit at configure time)");
    return 77;
  }
  const char* bare = R"({"penalty": "paper", "well_balanced": false, "conservative": false})";
  for (int n : {16, 32}) {
    const toolkit::VelocityGrid g{n, 8.0};
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = n;
    setup.velocity_bound = 8.0;
    // More cells than a GPU chunk at N = 16 (2048) would take too long on the CPU;
    // 300 cells split into GPU chunks 256 + 32 + 8 + 4 (and into several CPU chunks
    // where the CPU plugin has fewer than 10 threads).
    const int cells = n == 16 ? 300 : 40;
    const std::size_t n3 = g.size(), stride = n3 + 3;
    const auto cols = static_cast<std::int64_t>(n3), st = static_cast<std::int64_t>(stride);
    std::vector<double> f(cells * stride, 0.0), second(n3), h(cells);
    for (int c = 0; c < cells; ++c) {
      toolkit::sampled_maxwellian(g, mass, 0.6, {1.0 - 0.005 * c, 0.2, 0.0}, 0.6, &f[c * stride]);
      toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, 0.0, 0.001 * c}, 1.1, second.data());
      for (std::size_t k = 0; k < n3; ++k) f[c * stride + k] += second[k];
      h[c] = std::pow(10.0, -3 + 6.0 * c / cells);
    }
    for (const char* params : {bare, "{}"}) {
      core::PluginObject<sdk::CollisionModel> gpu;
      try {
        gpu = catalog.load("boltzmann_cufft")->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
      } catch (const core::PluginError& e) {
        // Only a machine without a GPU skips; any other failure to start is a failure.
        const bool no_gpu = std::string(e.what()).find("needs an NVIDIA GPU") != std::string::npos;
        std::printf("%s: %s\n", no_gpu ? "SKIP" : "FAILED", e.what());
        return no_gpu ? 77 : 1;
      }
      auto cpu = catalog.load("boltzmann_fft")->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, params, setup);
      const bool defaults = params[1] == '}';
      const sdk::ConstRows in{f.data(), cells, cols, st};
      std::vector<double> y_cpu(f.size()), y_gpu(f.size()), e_cpu(f.size()), e_gpu(f.size());
      auto rows = [&](std::vector<double>& v) { return sdk::Rows{v.data(), cells, cols, st}; };
      cpu.check(cpu->explicit_part(in, rows(e_cpu)), "explicit_part");
      gpu.check(gpu->explicit_part(in, rows(e_gpu)), "explicit_part");
      compare(defaults ? "explicit_part (defaults)" : "explicit_part (operator, paper penalty)", n, e_cpu, e_gpu);
      if (!defaults) continue;
      cpu.check(cpu->implicit_solve(in, h.data(), rows(y_cpu)), "implicit_solve");
      gpu.check(gpu->implicit_solve(in, h.data(), rows(y_gpu)), "implicit_solve");
      compare("implicit_solve", n, y_cpu, y_gpu);
      cpu.check(cpu->stage_value(in, h.data(), rows(y_cpu), rows(e_cpu)), "stage_value");
      gpu.check(gpu->stage_value(in, h.data(), rows(y_gpu), rows(e_gpu)), "stage_value");
      compare("stage_value: y", n, y_cpu, y_gpu);
      compare("stage_value: E(y)", n, e_cpu, e_gpu);
    }
  }
  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}

// test_gpu [DIR]: DIR is searched for boltzmann_cufft before the build's plugin folder.
int main(int argc, char** argv) {
  try {
    return run(argc > 1 ? argv[1] : nullptr);
  } catch (const std::exception& e) {  // a failing call, or boltzmann_fft not found
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
}
