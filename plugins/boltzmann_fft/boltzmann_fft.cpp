// Layer 2 on the CPU: the hard-sphere Boltzmann operator by the fast spectral method
// (paper §2.1, §4.4.1; toolkit/fast_spectral.hpp) with FFTW, penalised for the IMEX
// scheme by plugins/common/penalised_boltzmann.hpp. FFTW plans are made once per
// thread at creation; one evaluation per cell is one real-to-complex transform and
// 2 A1 A2 + 1 complex-to-real ones (bench/bench_boltzmann.cpp: 1.1–1.2 × their time).
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fftw3.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "penalised_boltzmann.hpp"

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "boltzmann_fft", sdk::PluginKind::collision_model, "1.1.0",
    "hard-sphere Boltzmann by the fast spectral method with FFTW, BGK-penalised (paper 4.4)",
    plugins::boltzmann_params, static_cast<int>(std::size(plugins::boltzmann_params))};

struct FftwFree {
  void operator()(void* p) const { fftw_free(p); }
};
template <class T>
using FftwBuffer = std::unique_ptr<T[], FftwFree>;
template <class T>
FftwBuffer<T> fftw_buffer(std::size_t n) {
  return FftwBuffer<T>(static_cast<T*>(fftw_malloc(n * sizeof(T))));
}

// One thread's buffers and plans (FFTW's planner is not thread-safe; execution is).
struct Workspace {
  FftwBuffer<double> in, a, b, gain;
  FftwBuffer<fftw_complex> fhat, tmp;
  fftw_plan forward = nullptr, backward = nullptr;

  Workspace(int n, std::size_t modes) {
    const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
    in = fftw_buffer<double>(n3);
    a = fftw_buffer<double>(n3);
    b = fftw_buffer<double>(n3);
    gain = fftw_buffer<double>(n3);
    fhat = fftw_buffer<fftw_complex>(modes);
    tmp = fftw_buffer<fftw_complex>(modes);
    forward = fftw_plan_dft_r2c_3d(n, n, n, in.get(), fhat.get(), FFTW_MEASURE);
    backward = fftw_plan_dft_c2r_3d(n, n, n, tmp.get(), a.get(), FFTW_MEASURE);
    if (!forward || !backward) throw std::runtime_error("FFTW could not plan the transforms");
  }
  ~Workspace() {
    fftw_destroy_plan(forward);
    fftw_destroy_plan(backward);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
};

class BoltzmannFft final : public plugins::PenalisedBoltzmann {
 public:
  BoltzmannFft(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : PenalisedBoltzmann(p, setup, host, "boltzmann_fft") {
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    for (int t = 0; t < threads; ++t) work_.push_back(std::make_unique<Workspace>(grid().n, kernel().modes));
    init_penalty();
  }

 protected:
  void collide(const double* f, std::int64_t rows, double* Q, double* loss_frequency) override {
    const std::size_t n3 = grid().size();
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t c = 0; c < rows; ++c) {
      int t = 0;
#ifdef _OPENMP
      t = omp_get_thread_num();
#endif
      collide_cell(*work_[static_cast<std::size_t>(t) % work_.size()], f + c * n3, Q + c * n3,
                   loss_frequency ? loss_frequency + c * n3 : nullptr);
    }
  }

 private:
  // Inverse transform of multiplier * f̂ into `out` (normalised: FFTW's are not).
  void apply(Workspace& w, const double* multiplier, double* out) const {
    const double scale = 1.0 / static_cast<double>(grid().size());
    for (std::size_t m = 0; m < kernel().modes; ++m) {
      const double s = multiplier[m] * scale;
      w.tmp[m][0] = w.fhat[m][0] * s;
      w.tmp[m][1] = w.fhat[m][1] * s;
    }
    fftw_execute_dft_c2r(w.backward, w.tmp.get(), out);
  }

  void collide_cell(Workspace& w, const double* f, double* Q, double* loss_frequency) const {
    const auto& K = kernel();
    const std::size_t n3 = grid().size();
    std::copy_n(f, n3, w.in.get());
    fftw_execute_dft_r2c(w.forward, w.in.get(), w.fhat.get());
    std::fill_n(w.gain.get(), n3, 0.0);
    for (int d = 0; d < K.directions; ++d) {
      apply(w, &K.phi[d * K.modes], w.a.get());
      apply(w, &K.psi[d * K.modes], w.b.get());
      const double wd = K.weight[d];
      for (std::size_t k = 0; k < n3; ++k) w.gain[k] += wd * w.a[k] * w.b[k];
    }
    apply(w, K.loss.data(), w.a.get());
    for (std::size_t k = 0; k < n3; ++k) Q[k] = w.gain[k] - f[k] * w.a[k];
    if (loss_frequency) std::copy_n(w.a.get(), n3, loss_frequency);
  }

  std::vector<std::unique_ptr<Workspace>> work_;
};

}  // namespace

STRATA_PLUGIN(BoltzmannFft, descriptor)
