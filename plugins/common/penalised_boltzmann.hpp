#pragma once
// What the CPU (FFTW) and GPU (cuFFT) Boltzmann plugins share: the parameters, the
// fast spectral kernel, and the BGK penalisation of the IMEX scheme (paper eqs.
// 4.17–4.24; docs/numerics.md). A derived plugin supplies only `collide`: the fast
// spectral Q(f) of a batch of cells.
//   explicit part E(f) = Q(f) [- Q(M[f])] - β (M[f] - f)  [projected onto zero mass,
//   momentum and energy along M[f]], implicit solve y = (rhs + hβ M[rhs]) / (1 + hβ).
// β is penalty_factor × the largest loss frequency on the grid for the cell's ρ, T
// (computed once from the operator itself), or the paper's 2πρ.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <strata/sdk.hpp>
#include <strata/toolkit/fast_spectral.hpp>

namespace strata::plugins {

inline constexpr sdk::ParamDecl boltzmann_params[] = {
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

class PenalisedBoltzmann : public sdk::CollisionModel {
 public:
  PenalisedBoltzmann(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host, const char* name)
      : CollisionModel(host),
        grid_{setup.velocity_points, setup.velocity_bound},
        mass_(setup.n_species == 1 ? setup.species_mass[0] : 1.0),
        paper_penalty_(p.string("penalty") == "paper"),
        penalty_factor_(p.number("penalty_factor")),
        well_balanced_(p.boolean("well_balanced")),
        conservative_(p.boolean("conservative")) {
    const std::string who = name;
    if (setup.n_species != 1) throw std::invalid_argument(who + " models a single species");
    if (grid_.n < 4 || grid_.n % 2) throw std::invalid_argument(who + " needs an even velocity.n >= 4");
    if (mass_ != 1.0) throw std::invalid_argument(who + " assumes particles of mass 1");
    const double R = p.number("R"), bound = 4.0 * grid_.L / (3.0 + std::sqrt(2.0));
    if (R > bound)
      throw std::invalid_argument("R = " + std::to_string(R) + " exceeds the no-aliasing bound 4L/(3+sqrt 2) = " +
                                  std::to_string(bound) + " for L = " + std::to_string(grid_.L));
    kernel_ = toolkit::make_spectral_kernel(grid_.n, grid_.L, R, static_cast<int>(p.integer("A1")),
                                            static_cast<int>(p.integer("A2")));
  }

  bool has_explicit_part() const override { return true; }

  sdk::Status explicit_part(sdk::ConstRows f, sdk::Rows out) override {
    const std::size_t n3 = grid_.size();
    std::string error;
    for (std::int64_t begin = 0; begin < f.rows && error.empty(); begin += chunk) {
      const std::int64_t rows = std::min<std::int64_t>(chunk, f.rows - begin);
      const std::size_t values = static_cast<std::size_t>(rows) * n3;
      // Work buffers live across calls: allocating and zeroing them per call cost
      // a third of the operator's time (bench/bench_boltzmann.cpp).
      if (q_.size() < values) {
        q_.resize(values);
        M_.resize(values);
        QM_.resize(values);
        fs_.resize(values);
        beta_.resize(chunk);
      }
      const bool contiguous = f.row_stride == static_cast<std::int64_t>(n3);
      const double* fs = contiguous ? f.row(begin) : fs_.data();
#pragma omp parallel for schedule(static)
      for (std::int64_t c = 0; c < rows; ++c) {
        if (!contiguous) std::copy_n(f.row(begin + c), n3, &fs_[c * n3]);
        const auto m = toolkit::full_moments(grid_, fs + c * n3, mass_);
        const bool ok = m.rho > 0 && m.T > 0 &&
                        toolkit::discrete_maxwellian(grid_, mass_, m.rho, m.u, m.T, &M_[c * n3]).converged;
        if (!ok) {
#pragma omp critical
          error = "explicit_part: non-positive density or temperature, or no discrete Maxwellian";
        }
        beta_[c] = ok ? penalty(m.rho, m.T) : 0.0;
      }
      if (!error.empty()) break;
      try {  // a derived plugin's failure (a device error) must not cross the library boundary
        collide(fs, rows, q_.data());
        if (well_balanced_) collide(M_.data(), rows, QM_.data());
      } catch (const std::exception& e) {
        return fail(sdk::Status::failure, std::string("explicit_part: ") + e.what());
      }
#pragma omp parallel for schedule(static)
      for (std::int64_t c = 0; c < rows; ++c) {
        double* e = out.row(begin + c);
        const std::size_t o = c * n3;
        for (std::size_t k = 0; k < n3; ++k)
          e[k] = q_[o + k] - (well_balanced_ ? QM_[o + k] : 0.0) - beta_[c] * (M_[o + k] - fs[o + k]);
        // Q conserves momentum and energy only to spectral accuracy, and the engine
        // divides E by the Knudsen number: project those errors out along M[f].
        if (conservative_ && !toolkit::remove_conserved_moments(grid_, &M_[o], e)) {
#pragma omp critical
          error = "explicit_part: the conservative projection is singular";
        }
      }
    }
    return error.empty() ? sdk::Status::ok : fail(sdk::Status::unphysical, error);
  }

  // y = (rhs + h β M[rhs]) / (1 + h β): M[y] = M[rhs] since y and rhs share moments.
  sdk::Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    const std::size_t n3 = grid_.size();
    if (rhs.cols != static_cast<std::int64_t>(n3))
      return fail(sdk::Status::invalid_argument, "implicit_solve: rows must hold N^3 values");
    std::string error;
#pragma omp parallel
    {
      std::vector<double> M(n3);
#pragma omp for schedule(static)
      for (std::int64_t c = 0; c < rhs.rows; ++c) {
        const double* r = rhs.row(c);
        const auto m = toolkit::full_moments(grid_, r, mass_);
        if (!(m.rho > 0 && m.T > 0) || !toolkit::discrete_maxwellian(grid_, mass_, m.rho, m.u, m.T, M.data()).converged) {
#pragma omp critical
          error = "implicit_solve: non-positive density or temperature, or no discrete Maxwellian";
          continue;  // outside the critical section: it covers the assignment only
        }
        const double a = h[c] * penalty(m.rho, m.T), inv = 1.0 / (1.0 + a);
        double* out = y.row(c);
        for (std::size_t k = 0; k < n3; ++k) out[k] = (r[k] + a * M[k]) * inv;
      }
    }
    return error.empty() ? sdk::Status::ok : fail(sdk::Status::unphysical, error);
  }

  // First Chapman–Enskog approximation for hard spheres of diameter 2 (the kernel
  // B = |v - v_*|, a differential cross-section of 1 per unit solid angle):
  // mu = 1.016034 (5/16) sqrt(pi m T) / (pi d^2), kappa = 1.025218 (75/64) sqrt(pi T/m) / (pi d^2).
  sdk::Status transport_coefficients(sdk::ConstRows primitive, double* viscosity, double* conductivity) override {
    const double d2 = 4.0, pi = std::numbers::pi;
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double T = primitive.row(c)[4];
      viscosity[c] = 1.016034 * (5.0 / 16.0) * std::sqrt(pi * mass_ * T) / (pi * d2);
      conductivity[c] = 1.025218 * (75.0 / 64.0) * std::sqrt(pi * T / mass_) / (pi * d2);
    }
    return sdk::Status::ok;
  }

 protected:
  // Q(f) of `rows` cells of N^3 values each (host memory); `loss_frequency`, if not
  // null, receives F⁻¹[L̂ f̂] of each cell.
  virtual void collide(const double* f, std::int64_t rows, double* Q, double* loss_frequency = nullptr) = 0;

  // The largest loss frequency over the grid for the Maxwellian rho = 1, u = 0, T = 1;
  // hard spheres scale it as rho sqrt(T). Call at the end of the derived constructor.
  void init_penalty() {
    std::vector<double> M(grid_.size()), Q(grid_.size()), nu(grid_.size());
    toolkit::discrete_maxwellian(grid_, mass_, 1.0, {0.0, 0.0, 0.0}, 1.0, M.data());
    collide(M.data(), 1, Q.data(), nu.data());
    beta_unit_ = *std::max_element(nu.begin(), nu.end());
  }

  const toolkit::SpectralKernel& kernel() const { return kernel_; }
  const toolkit::VelocityGrid& grid() const { return grid_; }

 private:
  static constexpr std::int64_t chunk = 64;  // cells per batched evaluation (bounds memory)

  double penalty(double rho, double T) const {
    return paper_penalty_ ? 2.0 * std::numbers::pi * rho : penalty_factor_ * beta_unit_ * rho * std::sqrt(T);
  }

  toolkit::VelocityGrid grid_;
  double mass_;
  bool paper_penalty_;
  double penalty_factor_;
  bool well_balanced_, conservative_;
  toolkit::SpectralKernel kernel_;
  double beta_unit_ = 0.0;
  std::vector<double> q_, M_, QM_, fs_, beta_;  // explicit_part's work buffers
};

}  // namespace strata::plugins
