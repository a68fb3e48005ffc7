// Layer 2: the full hard-sphere Boltzmann operator by the fast spectral method
// (paper §2.1, §4.4, §4.4.1; toolkit/fast_spectral.hpp) on the CPU with FFTW, and its
// BGK penalisation for the IMEX scheme (paper eqs. 4.17–4.24):
//   P(f) = β (M[f] - f),  explicit part E(f) = Q(f) - P(f),  implicit solve
//   y = (rhs + h β M[rhs]) / (1 + h β)  (conservative: M is the discrete Maxwellian).
// β is a multiple (penalty_factor, 4 by default) of the largest loss frequency over the
// velocity grid, or the paper's 2πρ. In the stiff limit PR(2,2,2) with this splitting
// multiplies a mode of the linearised operator with eigenvalue -|λ| by
// 1 - 6.83 s + 5.83 s² per step, s = |λ|/β: that is -1 at s = 0.59, so β must sit well
// above the spectral radius (s <= 1/4 gives |factor| <= 0.34 for s >= 0.1). FFTW plans are made once per thread at creation; the per-cell
// evaluation uses one real-to-complex transform and 2 A1 A2 + 1 complex-to-real ones.
// The spectral Q(M) of a Maxwellian is small but not zero (2% of max M at N = 16 on
// [-8, 8]^3), and the explicit part is divided by the Knudsen number: at eps = 1e-6 that
// residual would dominate. With well_balanced (default) the explicit part is
// Q(f) - Q(M[f]) - P(f), which vanishes on every discrete Maxwellian; with
// conservative (default) its mass, momentum and energy are projected out (the
// spectral errors of Q in momentum and energy would otherwise be amplified by 1/eps).
#include <algorithm>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <fftw3.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <strata/sdk.hpp>
#include <strata/toolkit/fast_spectral.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("R", "3.3", 0.0, sdk::unbounded, "velocity",
                      "truncation radius of the Carleman variables (paper: about 3.3 on [-8, 8]^3); at most 4L/(3+sqrt 2)",
                      true),
    sdk::integer_param("A1", "4", 1, 64, "quadrature points in theta on the half sphere (paper: 4)"),
    sdk::integer_param("A2", "4", 1, 64, "quadrature points in phi on the half sphere (paper: 4)"),
    sdk::choice_param("penalty", "\"loss_frequency\"", "loss_frequency|paper",
                      "beta of the BGK penalisation: penalty_factor times the largest loss frequency on the grid for the cell's rho, T; or the paper's 2 pi rho"),
    sdk::number_param("penalty_factor", "4", 1.0, 100.0, "",
                      "beta / largest loss frequency; PR(2,2,2) damps all modes in the stiff limit only for beta well above the operator's spectral radius (docs/numerics.md)"),
    sdk::boolean_param("conservative", "true",
                       "project the explicit part onto zero mass, momentum and energy (weighted by M[f]) so the IMEX step conserves to round-off"),
    sdk::boolean_param("well_balanced", "true",
                       "subtract Q(M[f]) so that Maxwellians are exact equilibria; needed at small Knudsen numbers on coarse grids, costs a second evaluation"),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "boltzmann_fft", sdk::PluginKind::collision_model, "1.0.0",
    "hard-sphere Boltzmann by the fast spectral method with FFTW, BGK-penalised (paper 4.4)",
    params, static_cast<int>(std::size(params))};

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
  std::vector<double> maxwellian, equilibrium;  // M[f] and Q(M[f])

  Workspace(int n, std::size_t modes) {
    const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
    in = fftw_buffer<double>(n3);
    a = fftw_buffer<double>(n3);
    b = fftw_buffer<double>(n3);
    gain = fftw_buffer<double>(n3);
    fhat = fftw_buffer<fftw_complex>(modes);
    tmp = fftw_buffer<fftw_complex>(modes);
    maxwellian.resize(n3);
    equilibrium.resize(n3);
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

class BoltzmannFft final : public sdk::CollisionModel {
 public:
  BoltzmannFft(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : CollisionModel(host),
        grid_{setup.velocity_points, setup.velocity_bound},
        mass_(setup.n_species == 1 ? setup.species_mass[0] : 1.0),
        paper_penalty_(p.string("penalty") == "paper"),
        penalty_factor_(p.number("penalty_factor")),
        well_balanced_(p.boolean("well_balanced")),
        conservative_(p.boolean("conservative")) {
    if (setup.n_species != 1) throw std::invalid_argument("boltzmann_fft models a single species");
    if (grid_.n < 4 || grid_.n % 2) throw std::invalid_argument("boltzmann_fft needs an even velocity.n >= 4");
    if (mass_ != 1.0) throw std::invalid_argument("boltzmann_fft assumes particles of mass 1");
    const double R = p.number("R"), bound = 4.0 * grid_.L / (3.0 + std::sqrt(2.0));
    if (R > bound)
      throw std::invalid_argument("R = " + std::to_string(R) + " exceeds the no-aliasing bound 4L/(3+sqrt 2) = " +
                                  std::to_string(bound) + " for L = " + std::to_string(grid_.L));
    kernel_ = toolkit::make_spectral_kernel(grid_.n, grid_.L, R, static_cast<int>(p.integer("A1")),
                                            static_cast<int>(p.integer("A2")));
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    for (int t = 0; t < threads; ++t) work_.push_back(std::make_unique<Workspace>(grid_.n, kernel_.modes));
    beta_unit_ = unit_loss_bound();
  }

  bool has_explicit_part() const override { return true; }

  // E(f) = Q(f) [- Q(M[f])] - β (M[f] - f).
  Status explicit_part(sdk::ConstRows f, sdk::Rows out) override {
    return for_cells(f.rows, [&](Workspace& w, std::int64_t c) {
      const double* fc = f.row(c);
      double* e = out.row(c);
      const auto m = toolkit::full_moments(grid_, fc, mass_);
      if (!(m.rho > 0 && m.T > 0)) return std::string("explicit_part: non-positive density or temperature");
      if (!toolkit::discrete_maxwellian(grid_, mass_, m.rho, m.u, m.T, w.maxwellian.data()).converged)
        return std::string("explicit_part: the discrete Maxwellian did not converge");
      if (well_balanced_) {
        collide(w, w.maxwellian.data(), w.equilibrium.data());
        collide(w, fc, e);
        for (std::size_t k = 0; k < grid_.size(); ++k) e[k] -= w.equilibrium[k];
      } else {
        collide(w, fc, e);
      }
      const double beta = penalty(m.rho, m.T);
      for (std::size_t k = 0; k < grid_.size(); ++k) e[k] -= beta * (w.maxwellian[k] - fc[k]);
      // Q conserves momentum and energy only to spectral accuracy, and the engine
      // divides E by the Knudsen number: project those errors out along M[f].
      if (conservative_ && !toolkit::remove_conserved_moments(grid_, w.maxwellian.data(), e))
        return std::string("explicit_part: the conservative projection is singular");
      return std::string();
    });
  }

  // y = (rhs + h β M[rhs]) / (1 + h β): M[y] = M[rhs] since y and rhs share moments.
  Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    if (rhs.cols != static_cast<std::int64_t>(grid_.size()))
      return fail(Status::invalid_argument, "implicit_solve: rows must hold N^3 values");
    return for_cells(rhs.rows, [&](Workspace& w, std::int64_t c) {
      const double* r = rhs.row(c);
      const auto m = toolkit::full_moments(grid_, r, mass_);
      if (!(m.rho > 0 && m.T > 0)) return std::string("implicit_solve: non-positive density or temperature");
      if (!toolkit::discrete_maxwellian(grid_, mass_, m.rho, m.u, m.T, w.maxwellian.data()).converged)
        return std::string("implicit_solve: the discrete Maxwellian did not converge");
      const double a = h[c] * penalty(m.rho, m.T), inv = 1.0 / (1.0 + a);
      double* out = y.row(c);
      for (std::size_t k = 0; k < grid_.size(); ++k) out[k] = (r[k] + a * w.maxwellian[k]) * inv;
      return std::string();
    });
  }

  // First Chapman–Enskog approximation for hard spheres of diameter 2 (the kernel
  // B = |v - v_*|, i.e. a differential cross-section of 1 per unit solid angle):
  // mu = 1.016034 (5/16) sqrt(pi m T) / (pi d^2), kappa = 1.025218 (75/64) sqrt(pi T/m) / (pi d^2).
  Status transport_coefficients(sdk::ConstRows primitive, double* viscosity, double* conductivity) override {
    const double d2 = 4.0, pi = std::numbers::pi;
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double T = primitive.row(c)[4];
      viscosity[c] = 1.016034 * (5.0 / 16.0) * std::sqrt(pi * mass_ * T) / (pi * d2);
      conductivity[c] = 1.025218 * (75.0 / 64.0) * std::sqrt(pi * T / mass_) / (pi * d2);
    }
    return Status::ok;
  }

 private:
  // Runs `body(workspace, cell)` for every cell, in parallel, collecting the first error.
  template <class Body>
  Status for_cells(std::int64_t rows, Body body) {
    std::string error;
#pragma omp parallel
    {
      int t = 0;
#ifdef _OPENMP
      t = omp_get_thread_num();
#endif
      Workspace& w = *work_[static_cast<std::size_t>(t) % work_.size()];
#pragma omp for schedule(dynamic)
      for (std::int64_t c = 0; c < rows; ++c) {
        const std::string e = body(w, c);
        if (!e.empty()) {
#pragma omp critical
          error = e;
        }
      }
    }
    return error.empty() ? Status::ok : fail(Status::unphysical, error);
  }

  // Inverse transform of multiplier * f̂ into `out` (normalised: FFTW's are not).
  void apply(Workspace& w, const double* multiplier, double* out) const {
    const double scale = 1.0 / static_cast<double>(grid_.size());
    for (std::size_t m = 0; m < kernel_.modes; ++m) {
      const double s = multiplier[m] * scale;
      w.tmp[m][0] = w.fhat[m][0] * s;
      w.tmp[m][1] = w.fhat[m][1] * s;
    }
    fftw_execute_dft_c2r(w.backward, w.tmp.get(), out);
  }

  // Q(f) on the grid; `loss_frequency` (optional) receives F⁻¹[L̂ f̂].
  void collide(Workspace& w, const double* f, double* Q, double* loss_frequency = nullptr) const {
    const std::size_t n3 = grid_.size();
    std::copy_n(f, n3, w.in.get());
    fftw_execute_dft_r2c(w.forward, w.in.get(), w.fhat.get());
    std::fill_n(w.gain.get(), n3, 0.0);
    for (int d = 0; d < kernel_.directions; ++d) {
      apply(w, &kernel_.phi[d * kernel_.modes], w.a.get());
      apply(w, &kernel_.psi[d * kernel_.modes], w.b.get());
      const double wd = kernel_.weight[d];
      for (std::size_t k = 0; k < n3; ++k) w.gain[k] += wd * w.a[k] * w.b[k];
    }
    apply(w, kernel_.loss.data(), w.a.get());
    for (std::size_t k = 0; k < n3; ++k) Q[k] = w.gain[k] - f[k] * w.a[k];
    if (loss_frequency) std::copy_n(w.a.get(), n3, loss_frequency);
  }

  // The largest loss frequency over the grid for the Maxwellian rho = 1, u = 0, T = 1;
  // hard spheres scale it as rho sqrt(T) (DESIGN §5: beta from the operator itself).
  double unit_loss_bound() const {
    std::vector<double> M(grid_.size()), Q(grid_.size()), nu(grid_.size());
    toolkit::discrete_maxwellian(grid_, mass_, 1.0, {0.0, 0.0, 0.0}, 1.0, M.data());
    collide(*work_.front(), M.data(), Q.data(), nu.data());
    return *std::max_element(nu.begin(), nu.end());
  }

  double penalty(double rho, double T) const {
    return paper_penalty_ ? 2.0 * std::numbers::pi * rho : penalty_factor_ * beta_unit_ * rho * std::sqrt(T);
  }

  toolkit::VelocityGrid grid_;
  double mass_;
  bool paper_penalty_;
  double penalty_factor_;
  bool well_balanced_, conservative_;
  toolkit::SpectralKernel kernel_;
  std::vector<std::unique_ptr<Workspace>> work_;
  double beta_unit_ = 0.0;
};

}  // namespace

STRATA_PLUGIN(BoltzmannFft, descriptor)
