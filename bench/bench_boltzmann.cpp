// Time of one fast spectral operator evaluation per cell against the time of the FFTs
// it performs (1 real-to-complex + 2 A1 A2 + 1 complex-to-real transforms of N^3),
// for N = 16 and 32, printed as JSON lines:
//   build/bin/bench_boltzmann [PLUGIN [PLUGIN_DIR]]      (PLUGIN: boltzmann_fft, boltzmann_cufft)
// on one thread unless OMP_NUM_THREADS says otherwise. The operator is timed through
// the SDK (explicit_part with well_balanced and conservative off, penalty "paper": one
// evaluation of Q plus the moments and discrete Maxwellian of the penalisation), on a
// batch of cells as the engine calls it; then the engine's whole per-stage call
// (stage_value with the default parameters: implicit step, two evaluations, projection).
// A GPU plugin is timed on host rows (each call copies the batch over the bus and back,
// as a run without gpu.resident_layer2 calls it) and, where PLUGIN_DIR has
// engine_device.so, also on device rows (as layer 2 resident calls it): the operator
// without the bus.
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fftw3.h>
#include <omp.h>

#include "device_library.hpp"
#include "plugin_loader.hpp"
#include "strata/toolkit/maxwellian.hpp"

using namespace strata;
using Clock = std::chrono::steady_clock;

namespace {
double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Seconds per transform set (1 r2c + transforms c2r), best of several repetitions.
double fft_time(int n, int c2r_count) {
  const std::size_t n3 = std::size_t(n) * n * n, modes = std::size_t(n) * n * (n / 2 + 1);
  double* in = fftw_alloc_real(n3);
  double* out = fftw_alloc_real(n3);
  fftw_complex* spec = fftw_alloc_complex(modes);
  fftw_complex* tmp = fftw_alloc_complex(modes);
  fftw_plan f = fftw_plan_dft_r2c_3d(n, n, n, in, spec, FFTW_MEASURE);
  fftw_plan b = fftw_plan_dft_c2r_3d(n, n, n, tmp, out, FFTW_MEASURE);
  for (std::size_t k = 0; k < n3; ++k) in[k] = 1.0 / (1.0 + k % 7);
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    for (int it = 0; it < 20; ++it) {
      fftw_execute(f);
      for (int c = 0; c < c2r_count; ++c) {
        std::copy_n(&spec[0][0], 2 * modes, &tmp[0][0]);  // c2r destroys its input
        fftw_execute(b);
      }
    }
    best = std::min(best, seconds(t0) / 20);
  }
  fftw_destroy_plan(f);
  fftw_destroy_plan(b);
  fftw_free(in);
  fftw_free(out);
  fftw_free(spec);
  fftw_free(tmp);
  return best;
}
}  // namespace

int run(int argc, char** argv) {
  const std::string plugin = argc > 1 ? argv[1] : "boltzmann_fft";
  const std::string dir = argc > 2 ? argv[2] : STRATA_PLUGIN_BUILD_DIR;
  const bool gpu = plugin != "boltzmann_fft";
  if (!std::getenv("OMP_NUM_THREADS")) omp_set_num_threads(1);
  const auto lib = core::PluginCatalog({dir}).load(plugin);
  std::shared_ptr<core::DeviceLibrary> device;
  if (gpu) try {
      device = core::load_device_library({dir});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "no device rows: %s\n", e.what());
    }
  const double mass = 1.0;
  for (int n : {16, 32}) {
    const int A1 = 4, A2 = 4;
    // A GPU needs large batches (its plugin's chunk is 2^23 values); the CPU's cost per
    // cell does not depend on the batch.
    const int cells = gpu ? (n == 16 ? 2048 : 256) : (n == 16 ? 64 : 16);
    const toolkit::VelocityGrid g{n, 8.0};
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = n;
    setup.velocity_bound = 8.0;
    std::vector<double> f(cells * g.size()), e(f.size()), y(f.size()), second(g.size()), h(cells, 1e3);
    for (int c = 0; c < cells; ++c) {
      toolkit::sampled_maxwellian(g, mass, 0.6, {1.0, 0.1 * c / cells, 0.0}, 0.6, &f[c * g.size()]);
      toolkit::sampled_maxwellian(g, mass, 0.4, {-1.2, 0.0, 0.1}, 1.1, second.data());
      for (std::size_t k = 0; k < g.size(); ++k) f[c * g.size() + k] += second[k];
    }
    const auto cols = static_cast<std::int64_t>(g.size());
    const sdk::ConstRows in{f.data(), cells, cols, cols};
    const sdk::Rows out{e.data(), cells, cols, cols}, stage{y.data(), cells, cols, cols};
    // Best of three, after one untimed call (plans, allocations, device start-up).
    auto best_of = [&](auto&& call) {
      call();
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = Clock::now();
        call();
        best = std::min(best, seconds(t0) / cells);
      }
      return best;
    };
    auto bare = lib->create<sdk::CollisionModel>(
        sdk::PluginKind::collision_model,
        R"({"A1": 4, "A2": 4, "penalty": "paper", "well_balanced": false, "conservative": false})", setup);
    const double op = best_of([&] { bare.check(bare->explicit_part(in, out), "explicit_part"); });
    auto defaults = lib->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, "{}", setup);
    const double stage_time =
        best_of([&] { defaults.check(defaults->stage_value(in, h.data(), stage, out), "stage_value"); });
    // The same calls on device rows; the device copies between them are not waited for
    // by the calls, so each timing waits for the device.
    std::string on_device = "null, \"stage_value_device_rows_seconds_per_cell\": null";
    if (device) {
      core::DeviceEngine& engine = device->engine();
      const std::size_t bytes = f.size() * sizeof(double);
      const auto array = [&] {
        return std::unique_ptr<double, std::function<void(double*)>>(static_cast<double*>(engine.allocate(bytes)),
                                                                   [&engine](double* p) { engine.release(p); });
      };
      const auto df = array(), de = array(), dy = array();
      engine.to_device(df.get(), f.data(), bytes);
      const auto space = sdk::MemorySpace::cuda_device;
      const sdk::ConstRows din{df.get(), cells, cols, cols, space};
      const sdk::Rows dout{de.get(), cells, cols, cols, space}, dstage{dy.get(), cells, cols, cols, space};
      const double op_device = best_of([&] {
        bare.check(bare->explicit_part(din, dout), "explicit_part");
        engine.synchronize();
      });
      const double stage_device = best_of([&] {
        defaults.check(defaults->stage_value(din, h.data(), dstage, dout), "stage_value");
        engine.synchronize();
      });
      char figures[160];
      std::snprintf(figures, sizeof figures, "%.6g, \"stage_value_device_rows_seconds_per_cell\": %.6g", op_device,
                    stage_device);
      on_device = figures;
    }
    const double ffts = fft_time(n, 2 * A1 * A2 + 1);
    std::printf("{\"plugin\": \"%s\", \"threads\": %d, \"N\": %d, \"cells\": %d, \"transforms\": %d, "
                "\"operator_seconds_per_cell\": %.6g, \"fftw_seconds_per_cell\": %.6g, \"ratio\": %.3f, "
                "\"evaluations_per_second\": %.1f, \"stage_value_seconds_per_cell\": %.6g, "
                "\"operator_device_rows_seconds_per_cell\": %s}\n",
                plugin.c_str(), omp_get_max_threads(), n, cells, 2 + 2 * A1 * A2, op, ffts, op / ffts, 1.0 / op,
                stage_time, on_device.c_str());
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_boltzmann: %s\n", e.what());
    return 1;
  }
}
