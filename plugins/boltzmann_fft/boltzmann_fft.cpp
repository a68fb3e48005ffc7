// Layer 2 on the CPU: the hard-sphere Boltzmann operator by the fast spectral method
// (paper §2.1, §4.4.1; toolkit/fast_spectral.hpp) with FFTW, penalised for the IMEX
// scheme by plugins/common/penalised_boltzmann.hpp, whose backend this is: host
// buffers for a chunk of cells and OpenMP loops over them. FFTW plans are made once
// per thread at creation; one evaluation per cell is one real-to-complex transform and
// 2 A1 A2 + 1 complex-to-real ones (bench/bench_boltzmann.cpp).
#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fftw3.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "penalised_boltzmann.hpp"
#include "penalised_pointwise.hpp"

namespace {
using namespace strata;

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "boltzmann_fft", sdk::PluginKind::collision_model, "1.2.0",
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
// FFTW_ESTIMATE chooses the algorithm without timing it, so on one machine and FFTW
// build every thread, every run and a restarted run transform alike and results repeat
// bit for bit; FFTW_MEASURE chose by timing, and at 32³ one run in six differed in the
// last digits (1e-15). (ESTIMATE still follows wisdom already in the process: a host
// program that plans these sizes with FFTW_MEASURE first brings the timing back.) The
// operator's speed is the same within noise (bench/bench_boltzmann, docs/performance.md).
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
    forward = fftw_plan_dft_r2c_3d(n, n, n, in.get(), fhat.get(), FFTW_ESTIMATE);
    backward = fftw_plan_dft_c2r_3d(n, n, n, tmp.get(), a.get(), FFTW_ESTIMATE);
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
    // About 1 MiB per buffer and thread: a chunk's four buffers stay in cache
    // between the passes the penalisation makes over them.
    chunk_ = threads * std::max<std::int64_t>(1, (std::int64_t{1} << 17) / static_cast<std::int64_t>(grid().size()));
    init_tables();
  }

 protected:
  std::int64_t chunk_rows(std::int64_t remaining) const override { return std::min(chunk_, remaining); }

  void reserve(std::int64_t rows) override {
    const std::size_t values = static_cast<std::size_t>(rows) * grid().size();
    for (auto& b : buffer_)
      if (b.size() < values) b.resize(values);
  }

  void load(Buffer to, const sdk::ConstRows& from, std::int64_t begin, std::int64_t rows) override {
    const std::size_t n3 = grid().size();
    double* dst = data(to);
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < rows; ++c) std::copy_n(from.row(begin + c), n3, dst + c * n3);
  }

  void store(Buffer from, const sdk::Rows& to, std::int64_t begin, std::int64_t rows) override {
    const std::size_t n3 = grid().size();
    const double* src = data(from);
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < rows; ++c) std::copy_n(src + c * n3, n3, to.row(begin + c));
  }

  void conserved_moments(Buffer of, std::int64_t rows, Vector5* moments) override {
    const double* f = data(of);
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < rows; ++c) {
      const auto m = toolkit::conserved_moments(grid(), f + c * grid().size());
      moments[c] = {m.rho, m.momentum[0], m.momentum[1], m.momentum[2], m.energy};
    }
  }

  void fill_maxwellians(const Vector5* centred, std::int64_t rows) override {
    double* M = data(Buffer::maxwellian);
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < rows; ++c) toolkit::fill_separable_maxwellian(grid(), centred[c], M + c * grid().size());
  }

  // Cells in parallel, one per thread; the cells left over when the batch does not
  // divide among the threads (a hybrid step with a few layer-2 cells) spread their
  // directions over the threads instead (collide_spread), so no thread idles. Both give
  // the same bits.
  void collide(Buffer in, Buffer out, std::int64_t rows) override {
    const std::int64_t threads = team();
    const std::int64_t whole = threads > 1 ? rows / threads * threads : rows;
    for_cells(whole, [&](Workspace& w, std::size_t o) { collide_cell(w, data(in) + o, data(out) + o); });
    const std::size_t n3 = grid().size();
    for (std::int64_t c = whole; c < rows; ++c) collide_spread(data(in) + c * n3, data(out) + c * n3);
  }

  void loss_frequency(Buffer in, Buffer out, std::int64_t rows) override {
    for_cells(rows, [&](Workspace& w, std::size_t o) {
      std::copy_n(data(in) + o, grid().size(), w.in.get());
      fftw_execute_dft_r2c(w.forward, w.in.get(), w.fhat.get());
      apply(w, kernel().loss.data(), w.a.get());  // FFTW's planned (aligned) arrays
      std::copy_n(w.a.get(), grid().size(), data(out) + o);
    });
  }

  void combine_explicit(const double* beta, bool well_balanced, std::int64_t rows) override {
    const std::size_t n3 = grid().size();
    const double *f = data(Buffer::f), *M = data(Buffer::maxwellian), *QM = data(Buffer::q_maxwellian);
    double* q = data(Buffer::q);
    // Point by point over the whole chunk, so that a chunk of one cell uses every thread.
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < static_cast<std::size_t>(rows) * n3; ++k)
      q[k] = plugins::penalised(q[k], well_balanced ? QM[k] : 0.0, M[k], f[k], beta[k / n3]);
  }

  void project(const Vector5* lambda, std::int64_t rows) override {
    const toolkit::VelocityGrid& g = grid();
    const double* M = data(Buffer::maxwellian);
    double* q = data(Buffer::q);
#pragma omp parallel for collapse(2) schedule(static)
    for (std::int64_t c = 0; c < rows; ++c)
      for (int i = 0; i < g.n; ++i)
        for (int j = 0; j < g.n; ++j) {
          const std::size_t row = c * g.size() + g.index(i, j, 0);
          for (int k = 0; k < g.n; ++k)
            q[row + k] = plugins::projected(q[row + k], M[row + k], lambda[c].data(), g.v(i), g.v(j), g.v(k));
        }
  }

  void relax(const double* a, std::int64_t rows) override {
    const std::size_t n3 = grid().size();
    const double* M = data(Buffer::maxwellian);
    double* f = data(Buffer::f);
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < static_cast<std::size_t>(rows) * n3; ++k) f[k] = plugins::relaxed(f[k], M[k], a[k / n3]);
  }

 private:
  double* data(Buffer b) { return buffer_[static_cast<int>(b)].data(); }

  // work(thread's workspace, offset of the cell's values) for each cell, in parallel.
  template <class Work>
  void for_cells(std::int64_t rows, Work work) {
    const std::size_t n3 = grid().size();
#pragma omp parallel for schedule(dynamic) num_threads(team())
    for (std::int64_t c = 0; c < rows; ++c) work(this_threads_workspace(), c * n3);
  }

  // Inverse transform of multiplier * f̂ into `out` (normalised: FFTW's are not); f̂
  // defaults to the workspace's own.
  void apply(Workspace& w, const double* multiplier, double* out, const fftw_complex* fhat = nullptr) const {
    if (!fhat) fhat = w.fhat.get();
    const double scale = 1.0 / static_cast<double>(grid().size());
    for (std::size_t m = 0; m < kernel().modes; ++m) {
      const double s = multiplier[m] * scale;
      w.tmp[m][0] = fhat[m][0] * s;
      w.tmp[m][1] = fhat[m][1] * s;
    }
    fftw_execute_dft_c2r(w.backward, w.tmp.get(), out);
  }

  // Threads of the loops that use workspaces: no more than there are workspaces (made
  // for the thread count at creation), so that no two threads share one.
  int team() const {
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    return std::min(threads, static_cast<int>(work_.size()));
  }

  Workspace& this_threads_workspace() {
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    return *work_[static_cast<std::size_t>(t) % work_.size()];
  }

  // collide_cell for one cell with its D gain terms w_d F⁻¹[φ_d f̂] F⁻¹[ψ_d f̂] and the
  // loss transform computed by all threads, one term each at a time, into D + 1
  // arrays; the terms are then summed in the order of collide_cell (from 0, d
  // ascending), so the bits are the same.
  void collide_spread(const double* f, double* Q) {
    const auto& K = kernel();
    const std::size_t n3 = grid().size();
    const auto terms = static_cast<std::size_t>(K.directions) + 1;
    if (spread_.size() < terms * n3) spread_.resize(terms * n3);
    Workspace& first = *work_[0];
    std::copy_n(f, n3, first.in.get());
    fftw_execute_dft_r2c(first.forward, first.in.get(), first.fhat.get());
    const fftw_complex* fhat = first.fhat.get();
    double* loss = &spread_[static_cast<std::size_t>(K.directions) * n3];
#pragma omp parallel for schedule(dynamic) num_threads(team())
    for (int d = 0; d <= K.directions; ++d) {
      Workspace& w = this_threads_workspace();
      if (d == K.directions) {
        apply(w, K.loss.data(), w.a.get(), fhat);
        std::copy_n(w.a.get(), n3, loss);
        continue;
      }
      apply(w, &K.phi[d * K.modes], w.a.get(), fhat);
      apply(w, &K.psi[d * K.modes], w.b.get(), fhat);
      const double wd = K.weight[d];
      double* term = &spread_[static_cast<std::size_t>(d) * n3];
      for (std::size_t k = 0; k < n3; ++k) term[k] = wd * w.a[k] * w.b[k];
    }
    // In blocks of points that stay in the L1 cache while the D terms are added.
    constexpr std::size_t block = 256;
#pragma omp parallel for schedule(static)
    for (std::size_t begin = 0; begin < n3; begin += block) {
      const std::size_t size = std::min(block, n3 - begin);
      double gain[block] = {};
      for (int d = 0; d < K.directions; ++d) {
        const double* term = &spread_[static_cast<std::size_t>(d) * n3 + begin];
        for (std::size_t k = 0; k < size; ++k) gain[k] += term[k];
      }
      for (std::size_t k = 0; k < size; ++k) Q[begin + k] = gain[k] - f[begin + k] * loss[begin + k];
    }
  }

  // Q = Σ_d w_d F⁻¹[φ_d f̂] F⁻¹[ψ_d f̂] - f F⁻¹[L̂ f̂] (toolkit/fast_spectral.hpp).
  void collide_cell(Workspace& w, const double* f, double* Q) const {
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
  }

  std::vector<std::unique_ptr<Workspace>> work_;
  std::int64_t chunk_ = 1;
  std::array<std::vector<double>, 4> buffer_;  // indexed by Buffer
  std::vector<double> spread_;                 // collide_spread's D + 1 terms, N³ each
};

}  // namespace

STRATA_PLUGIN(BoltzmannFft, descriptor)
