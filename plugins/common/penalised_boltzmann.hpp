#pragma once
// What the CPU (FFTW) and GPU (cuFFT) Boltzmann plugins share: the parameters, the
// fast spectral kernel, and the BGK penalisation of the IMEX scheme (paper eqs.
// 4.17–4.24; docs/numerics.md). A derived plugin is a backend: buffers for a chunk of
// cells and the bulk operations on them (the fast spectral Q among them).
//   explicit part E(f) = Q(f) [- Q(M[f])] - β (M[f] - f)  [projected onto zero mass,
//   momentum and energy along M[f]], implicit solve y = (rhs + hβ M[rhs]) / (1 + hβ).
// β is penalty_factor × the largest loss frequency on the grid for the cell's ρ, T
// (computed once from the operator itself), or the paper's 2πρ. The transport
// coefficients are the operator's own, from its linearisation (transport_table()).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <strata/sdk.hpp>
#include <strata/toolkit/fast_spectral.hpp>
#include <strata/toolkit/format.hpp>
#include <strata/toolkit/maxwellian.hpp>

namespace strata::plugins {

// The truncation of the Carleman variables |x|, |y| <= R for the velocity box
// [-L, L]^3: f supported in the ball of radius S needs R = 2S to keep every collision,
// and the periodised operator has no aliasing for L >= (3 + sqrt 2) S / 2 (Mouhot and
// Pareschi 2006; the paper's text after eq. 4.27 and §4.4.1). The largest S the box
// allows is 2L/(3 + sqrt 2), hence the bound R <= 4L/(3 + sqrt 2). A Maxwellian is not
// compactly supported, and at the bound the tails alias: at T = 1 on [-8, 8]^3 the heat
// flux then relaxes 2% too fast. The default is 0.9 of the bound (6.52 on [-8, 8]^3),
// where the stress and heat-flux rates are within 0.3% of hard spheres' (docs/numerics.md).
inline double aliasing_bound(double L) { return 4.0 * L / (3.0 + std::sqrt(2.0)); }
inline double default_truncation_radius(double L) { return 0.9 * aliasing_bound(L); }

inline constexpr sdk::ParamDecl boltzmann_params[] = {
    sdk::number_param("R", "0", 0.0, sdk::unbounded, "velocity",
                      "truncation radius of |x|, |y| in the Carleman form, at most the no-aliasing bound 4L/(3+sqrt 2); 0: from the velocity box, 0.9 of that bound (6.52 on [-8, 8]^3); 3.3 reproduces the paper's runs (docs/numerics.md)"),
    sdk::integer_param("A1", "4", 1, 64, "quadrature points in theta of the product rules on the half sphere (paper: 4); unused with angular_rule sphere"),
    sdk::integer_param("A2", "4", 1, 64, "quadrature points in phi of the product rules on the half sphere (paper: 4); unused with angular_rule sphere"),
    sdk::choice_param("angular_rule", "\"gauss_legendre\"", "gauss_legendre|midpoint|sphere",
                      "directions e of the half sphere: A1 x A2 product rule with Gauss-Legendre in cos theta (exact sin theta weights) or the paper's midpoint rule in theta (eqs. 4.49-4.52); or sphere: a Lebedev or icosahedral rule of `directions` directions (A1, A2 unused; docs/numerics.md)"),
    sdk::integer_param("directions", "16", 3, 25,
                       "half-sphere directions of angular_rule sphere: 3, 7, 13, 19, 25 (Lebedev, degree 3 to 11) or 16 (icosahedral, degree 9); unused by the product rules"),
    sdk::choice_param("penalty", "\"loss_frequency\"", "loss_frequency|paper",
                      "beta of the BGK penalisation: penalty_factor times the largest loss frequency on the grid for the cell's rho, T; or the paper's 2 pi rho, which amplifies stiff modes once dt / knudsen is well above 1 (docs/numerics.md)"),
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
    if (setup.n_species != 1)
      throw std::invalid_argument(who + " models a single species; the case has " + std::to_string(setup.n_species));
    if (grid_.n < 4 || grid_.n % 2)
      throw std::invalid_argument(who + " needs an even velocity.n >= 4; got velocity.n = " +
                                  std::to_string(grid_.n));
    if (mass_ != 1.0)
      throw std::invalid_argument(who + " assumes particles of mass 1; the species has mass " + toolkit::format_number(mass_));
    const double bound = aliasing_bound(grid_.L), R = p.number("R") > 0 ? p.number("R") : default_truncation_radius(grid_.L);
    if (R > bound)
      throw std::invalid_argument("R = " + toolkit::format_number(R) + " exceeds the no-aliasing bound 4L/(3+sqrt 2) = " +
                                  toolkit::format_number(bound) + " for L = " + toolkit::format_number(grid_.L));
    const std::string rule = p.string("angular_rule");
    if (rule == "sphere") {
      const int directions = static_cast<int>(p.integer("directions"));
      if (std::none_of(std::begin(toolkit::sphere_rules), std::end(toolkit::sphere_rules),
                       [&](const toolkit::SphereRule& r) { return r.directions == directions; }))
        throw std::invalid_argument(who + ": directions must be 3, 7, 13, 16, 19 or 25 with angular_rule sphere; got " +
                                    std::to_string(directions));
      kernel_ = toolkit::make_spectral_kernel(grid_.n, grid_.L, R, toolkit::sphere_rule(directions));
    } else {
      kernel_ = toolkit::make_spectral_kernel(grid_.n, grid_.L, R, static_cast<int>(p.integer("A1")),
                                              static_cast<int>(p.integer("A2")),
                                              rule == "midpoint" ? toolkit::AngularRule::midpoint
                                                                 : toolkit::AngularRule::gauss_legendre);
    }
  }

  bool has_explicit_part() const override { return true; }

  sdk::Status explicit_part(sdk::ConstRows f, sdk::Rows e) override {
    if (!fits(f, e)) return fail(sdk::Status::invalid_argument, "explicit_part: " + shape_error());
    return over_chunks("explicit_part", f.rows, [&](std::int64_t begin, std::int64_t rows) {
      load(Buffer::f, f, begin, rows);
      equilibria(rows, begin);
      explicit_in_chunk(rows, begin);
      store(Buffer::q, e, begin, rows);
    });
  }

  // y = (rhs + h β M[rhs]) / (1 + h β): M[y] = M[rhs] since y and rhs share moments.
  sdk::Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    if (!fits(rhs, y)) return fail(sdk::Status::invalid_argument, "implicit_solve: " + shape_error());
    return over_chunks("implicit_solve", rhs.rows, [&](std::int64_t begin, std::int64_t rows) {
      load(Buffer::f, rhs, begin, rows);
      equilibria(rows, begin);
      relax_in_chunk(h + begin, rows);
      store(Buffer::f, y, begin, rows);
    });
  }

  // Both in one pass over the data: Y and its Maxwellian never leave the backend's
  // memory between the implicit solve and the explicit part (for boltzmann_cufft: the
  // device), and M[Y] = M[rhs], β and the Gram matrix carry over.
  sdk::Status stage_value(sdk::ConstRows rhs, const double* h, sdk::Rows y, sdk::Rows e) override {
    if (!fits(rhs, y) || !fits(rhs, e)) return fail(sdk::Status::invalid_argument, "stage_value: " + shape_error());
    return over_chunks("stage_value", rhs.rows, [&](std::int64_t begin, std::int64_t rows) {
      load(Buffer::f, rhs, begin, rows);
      equilibria(rows, begin);
      relax_in_chunk(h + begin, rows);
      store(Buffer::f, y, begin, rows);
      explicit_in_chunk(rows, begin);
      store(Buffer::q, e, begin, rows);
    });
  }

  // The first-Sonine (Chapman–Enskog) viscosity and conductivity of the discrete
  // operator itself: mu = p / lambda_mu, kappa = (5/2) p / (m lambda_q), lambda the
  // Rayleigh quotients of the linearised operator on the traceless tensors c c - |c|^2/3
  // and on c (|c|^2 - 5T) (docs/numerics.md, "transport coefficients"), tabulated in T
  // on first use (transport_table()), linear in log T of mu / sqrt T (constant beyond
  // the table: hard spheres). These are the rates at which the layer relaxes stress
  // (p / mu) and heat flux (p / (m kappa) 5/2) in a homogeneous cell; for the untruncated
  // operator mu is (5/64) sqrt(T / pi) (Chapman–Cowling, diameter 2), 1.6% below the
  // converged Chapman–Enskog value.
  sdk::Status transport_coefficients(sdk::ConstRows primitive, double* viscosity, double* conductivity) override {
    try {
      if (transport_table_.empty()) transport_table();
    } catch (const std::exception& e) {
      return fail(sdk::Status::failure, std::string("transport_coefficients: ") + e.what());
    }
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double rho = primitive.row(c)[0], T = primitive.row(c)[4];
      if (!(rho > 0 && T > 0))
        return fail(sdk::Status::unphysical, "transport_coefficients: non-positive density or temperature in row " +
                                                   std::to_string(c));
      const auto [mu, kappa] = transport_at(T);
      viscosity[c] = mu;
      conductivity[c] = kappa;
    }
    return sdk::Status::ok;
  }

 protected:
  using Vector5 = std::array<double, 5>;
  // A derived plugin is a backend: it keeps a chunk of cells' distributions in four
  // buffers of rows x N^3 values (host arrays for FFTW, device arrays for cuFFT) and
  // performs the O(N^3)-per-cell work on them; the per-cell scalar work (equilibrium
  // exponents by Newton, penalty, projection coefficients) is done here, on the host.
  enum class Buffer { f, maxwellian, q, q_maxwellian };

  // Cells in the next chunk, at most `remaining`; buffers are then reserved for it.
  virtual std::int64_t chunk_rows(std::int64_t remaining) const = 0;
  virtual void reserve(std::int64_t rows) = 0;
  // Host rows [begin, begin + rows) of `from` into a buffer, and back.
  virtual void load(Buffer to, const sdk::ConstRows& from, std::int64_t begin, std::int64_t rows) = 0;
  virtual void store(Buffer from, const sdk::Rows& to, std::int64_t begin, std::int64_t rows) = 0;
  // Σ phi f dv³, phi = (1, v, |v|²/2), of each cell (host output: rho, rho u, E).
  virtual void conserved_moments(Buffer of, std::int64_t rows, Vector5* moments) = 0;
  // maxwellian := exp(c0 + c4 Σ_d (v_d - c_{1+d})²) with the cell's centred exponents
  // (toolkit::centred_exponents, toolkit::fill_separable_maxwellian).
  virtual void fill_maxwellians(const Vector5* centred, std::int64_t rows) = 0;
  // out := Q(in), the fast spectral operator (toolkit/fast_spectral.hpp).
  virtual void collide(Buffer in, Buffer out, std::int64_t rows) = 0;
  // out := F⁻¹[L̂ F[in]], the loss frequency field of `in`.
  virtual void loss_frequency(Buffer in, Buffer out, std::int64_t rows) = 0;
  // q := q [- q_maxwellian if well_balanced] - β_c (maxwellian - f).
  virtual void combine_explicit(const double* beta, bool well_balanced, std::int64_t rows) = 0;
  // q -= maxwellian (λ_c . phi): the conservative projection.
  virtual void project(const Vector5* lambda, std::int64_t rows) = 0;
  // f := (f + a_c maxwellian) / (1 + a_c): the implicit BGK step.
  virtual void relax(const double* a, std::int64_t rows) = 0;

  // Call at the end of the derived constructor: finds the temperatures T = 2^{k/2}
  // (k = -14..10) whose unit-density Maxwellian the grid represents, and tabulates the
  // largest loss frequency over the grid of each from the operator itself (the
  // penalty): the truncated kernel caps the relative speeds, so it does not grow like
  // sqrt(T) (N = 16, R = 3.3: 35 at T = 0.3, 28 at T = 1, 10 at T = 10). Linear in rho.
  void init_tables() {
    for (int k = -14; k <= 10; ++k) {
      const double T = std::exp2(0.5 * k);
      const auto m = toolkit::discrete_maxwellian_exponents(grid_, mass_, 1.0, {0.0, 0.0, 0.0}, T);
      if (!m.result.converged) continue;
      temperatures_.push_back(T);
      unit_maxwellians_.push_back(toolkit::centred_exponents(m.a));
    }
    if (paper_penalty_) return;  // 2 pi rho needs no calibration
    if (std::find(temperatures_.begin(), temperatures_.end(), 1.0) == temperatures_.end())
      throw std::invalid_argument("the velocity grid (N = " + std::to_string(grid_.n) + ", L = " +
                                  toolkit::format_number(grid_.L) +
                                  ") cannot represent the Maxwellian rho = 1, T = 1 that calibrates the penalty; "
                                  "use a finer grid or penalty = \"paper\"");
    const std::size_t n3 = grid_.size();
    const auto cols = static_cast<std::int64_t>(n3);
    const auto total = static_cast<std::int64_t>(temperatures_.size());
    std::vector<double> nu(total * n3);
    for (std::int64_t begin = 0; begin < total;) {  // in the backend's own batch sizes
      const std::int64_t rows = chunk_rows(total - begin);
      reserve(rows);
      fill_maxwellians(&unit_maxwellians_[begin], rows);
      loss_frequency(Buffer::maxwellian, Buffer::q, rows);
      store(Buffer::q, {&nu[begin * n3], rows, cols, cols}, 0, rows);
      begin += rows;
    }
    for (std::int64_t r = 0; r < total; ++r) {
      const double largest = *std::max_element(&nu[r * n3], &nu[(r + 1) * n3]);
      if (!(std::isfinite(largest) && largest > 0))
        throw std::invalid_argument("the penalty calibration gave a loss frequency of " + toolkit::format_number(largest) +
                                    " at T = " + toolkit::format_number(temperatures_[r]) + "; use penalty = \"paper\"");
      loss_table_.push_back({std::log(temperatures_[r]), largest});
    }
  }

  // (log T, mu / sqrt T, kappa / sqrt T) at the temperatures of init_tables(), from the
  // discrete operator. Q is bilinear, so its linearisation at the Maxwellian M is
  // exactly L h = (Q(M + h) - Q(M - h)) / 2: two evaluations per test function
  // h = M b, b the five traceless tensors 2 c_x c_y, 2 c_y c_z, 2 c_z c_x, c_x^2 - c_y^2,
  // (c_x^2 + c_y^2 - 2 c_z^2)/sqrt 3 (orthogonal, of equal norm for the weight M, so
  // their summed quotient is the average over directions) and the three c_i (|c|^2 - 5T);
  // lambda = -Σ_b Σ_v b L(M b) / Σ_b Σ_v b^2 M. 16 evaluations per temperature.
  void transport_table() {
    const toolkit::VelocityGrid& g = grid_;
    const std::size_t n3 = g.size();
    const auto cols = static_cast<std::int64_t>(n3);
    constexpr int n_tests = 8, n_rows = 2 * n_tests;
    std::vector<double> M(n3), in(n_rows * n3), out(n_rows * n3);
    for (std::size_t r = 0; r < temperatures_.size(); ++r) {
      const double T = temperatures_[r];
      reserve(1);
      fill_maxwellians(&unit_maxwellians_[r], 1);
      store(Buffer::maxwellian, {M.data(), 1, cols, cols}, 0, 1);
      double rho = 0;
      for (double m : M) rho += m * g.cell_volume();
      // b_t(v) / T (stress) and / T^{3/2} (heat), so that every h is of the order of M.
      auto test = [&](int t, double x, double y, double z) {
        const double c2 = x * x + y * y + z * z;
        switch (t) {
          case 0: return 2 * x * y / T;
          case 1: return 2 * y * z / T;
          case 2: return 2 * z * x / T;
          case 3: return (x * x - y * y) / T;
          case 4: return (x * x + y * y - 2 * z * z) / (std::sqrt(3.0) * T);
          default: return (t == 5 ? x : t == 6 ? y : z) * (c2 - 5 * T) / (T * std::sqrt(T));
        }
      };
      for (int i = 0; i < g.n; ++i)
        for (int j = 0; j < g.n; ++j)
          for (int k = 0; k < g.n; ++k) {
            const std::size_t at = g.index(i, j, k);
            for (int t = 0; t < n_tests; ++t) {
              const double h = M[at] * test(t, g.v(i), g.v(j), g.v(k));
              in[(2 * t) * n3 + at] = M[at] + h;
              in[(2 * t + 1) * n3 + at] = M[at] - h;
            }
          }
      for (std::int64_t begin = 0; begin < n_rows;) {  // in the backend's own batch sizes
        const std::int64_t rows = chunk_rows(n_rows - begin);
        reserve(rows);
        load(Buffer::f, {in.data(), n_rows, cols, cols}, begin, rows);
        collide(Buffer::f, Buffer::q, rows);
        store(Buffer::q, {&out[begin * n3], rows, cols, cols}, 0, rows);
        begin += rows;
      }
      double numerator[2] = {0, 0}, denominator[2] = {0, 0};  // stress, heat
      for (int i = 0; i < g.n; ++i)
        for (int j = 0; j < g.n; ++j)
          for (int k = 0; k < g.n; ++k) {
            const std::size_t at = g.index(i, j, k);
            for (int t = 0; t < n_tests; ++t) {
              const double b = test(t, g.v(i), g.v(j), g.v(k));
              const double Lh = 0.5 * (out[(2 * t) * n3 + at] - out[(2 * t + 1) * n3 + at]);
              numerator[t < 5 ? 0 : 1] -= b * Lh;
              denominator[t < 5 ? 0 : 1] += b * b * M[at];
            }
          }
      const double lambda_mu = numerator[0] / denominator[0], lambda_q = numerator[1] / denominator[1];
      if (!(std::isfinite(lambda_mu) && lambda_mu > 0 && std::isfinite(lambda_q) && lambda_q > 0)) continue;
      const double p = rho * T / mass_;
      transport_table_.push_back({std::log(T), p / lambda_mu / std::sqrt(T), 2.5 * p / (mass_ * lambda_q) / std::sqrt(T)});
    }
    if (transport_table_.empty())
      throw std::invalid_argument("the velocity grid (N = " + std::to_string(grid_.n) + ", L = " +
                                  toolkit::format_number(grid_.L) +
                                  ") represents no Maxwellian whose linearised operator gives transport coefficients");
  }

  const toolkit::SpectralKernel& kernel() const { return kernel_; }
  const toolkit::VelocityGrid& grid() const { return grid_; }

 private:
  // A state the operator cannot take (the call then returns Status::unphysical).
  struct Unphysical : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  // Runs `work(begin, rows)` over the call's cells chunk by chunk; a backend's failure
  // (a device error) becomes a Status and a message, never an exception across the
  // library boundary.
  template <class Work>
  sdk::Status over_chunks(const char* call, std::int64_t cells, Work work) {
    try {
      for (std::int64_t begin = 0; begin < cells;) {
        const std::int64_t rows = chunk_rows(cells - begin);
        reserve(rows);
        if (static_cast<std::int64_t>(beta_.size()) < rows) {
          moments_.resize(rows);
          centred_.resize(rows);
          lambda_.resize(rows);
          gram_.resize(rows);
          beta_.resize(rows);
          a_.resize(rows);
        }
        work(begin, rows);
        begin += rows;
      }
    } catch (const Unphysical& e) {
      return fail(sdk::Status::unphysical, std::string(call) + ": " + e.what());
    } catch (const std::exception& e) {
      return fail(sdk::Status::failure, std::string(call) + ": " + e.what());
    }
    return sdk::Status::ok;
  }

  // M[f] of the chunk in Buffer::maxwellian, with β and the Gram matrix of each cell.
  void equilibria(std::int64_t rows, std::int64_t begin) {
    conserved_moments(Buffer::f, rows, moments_.data());
    std::int64_t failed = rows;  // the first cell without a discrete Maxwellian, if any
#pragma omp parallel for schedule(static) reduction(min : failed)
    for (std::int64_t c = 0; c < rows; ++c) {
      const auto [rho, u, T] = primitive(moments_[c]);
      toolkit::MaxwellianExponents ex;
      if (rho > 0 && T > 0) ex = toolkit::discrete_maxwellian_exponents(grid_, mass_, rho, u, T);
      if (!ex.result.converged) {
        failed = std::min(failed, c);
        continue;
      }
      centred_[c] = toolkit::centred_exponents(ex.a);
      gram_[c] = ex.gram;
      beta_[c] = penalty(rho, T);
    }
    if (failed < rows) {
      const auto [rho, u, T] = primitive(moments_[failed]);
      throw Unphysical("cell " + std::to_string(begin + failed) + " of the call: " +
                       (rho > 0 && T > 0 ? "no discrete Maxwellian" : "non-positive density or temperature") +
                       " (rho = " + toolkit::format_number(rho) + ", T = " + toolkit::format_number(T) + ")");
    }
    fill_maxwellians(centred_.data(), rows);
  }

  struct Primitive {
    double rho;
    std::array<double, 3> u;
    double T;
  };
  // rho, u, T from the conserved moments (rho, rho u, E).
  Primitive primitive(const Vector5& m) const {
    const double rho = m[0];
    const std::array<double, 3> u = {m[1] / rho, m[2] / rho, m[3] / rho};
    return {rho, u, mass_ * (2.0 * m[4] / rho - (u[0] * u[0] + u[1] * u[1] + u[2] * u[2])) / 3.0};
  }

  // Rows of N^3 values with room for them, and an output for every input row.
  bool fits(const sdk::ConstRows& in, const sdk::Rows& out) const {
    const auto n3 = static_cast<std::int64_t>(grid_.size());
    return in.cols == n3 && out.cols == n3 && in.row_stride >= n3 && out.row_stride >= n3 && out.rows >= in.rows;
  }
  std::string shape_error() const {
    return "rows must hold N^3 = " + std::to_string(grid_.size()) +
           " values within their stride, and outputs must have a row for every input row";
  }

  // Buffer::q := E(f) = Q(f) [- Q(M)] - β (M - f) [projected], from equilibria().
  void explicit_in_chunk(std::int64_t rows, std::int64_t begin) {
    collide(Buffer::f, Buffer::q, rows);
    if (well_balanced_) collide(Buffer::maxwellian, Buffer::q_maxwellian, rows);
    combine_explicit(beta_.data(), well_balanced_, rows);
    // Q conserves momentum and energy only to spectral accuracy, and the engine
    // divides E by the Knudsen number: project those errors out along M[f].
    if (!conservative_) return;
    conserved_moments(Buffer::q, rows, moments_.data());
    for (std::int64_t c = 0; c < rows; ++c)
      if (!toolkit::conservative_projection(gram_[c], moments_[c], lambda_[c]))
        throw Unphysical("cell " + std::to_string(begin + c) + " of the call: the conservative projection is singular");
    project(lambda_.data(), rows);
  }

  void relax_in_chunk(const double* h, std::int64_t rows) {
    for (std::int64_t c = 0; c < rows; ++c) a_[c] = h[c] * beta_[c];
    relax(a_.data(), rows);
  }

  // Linear interpolation in x of column `col` of a table of rows (x, ...) with x
  // ascending; its end values beyond it.
  template <std::size_t K>
  static double interpolate(const std::vector<std::array<double, K>>& table, double x, std::size_t col) {
    const auto above = std::lower_bound(table.begin(), table.end(), x,
                                        [](const std::array<double, K>& row, double v) { return row[0] < v; });
    if (above == table.begin()) return table.front()[col];
    if (above == table.end()) return table.back()[col];
    const auto& hi = *above;
    const auto& lo = *(above - 1);
    return lo[col] + (hi[col] - lo[col]) * (x - lo[0]) / (hi[0] - lo[0]);
  }

  // β = penalty_factor × rho × the largest loss frequency at T, interpolated linearly
  // in log T in the table (its end values beyond it), or the paper's 2 pi rho.
  double penalty(double rho, double T) const {
    if (paper_penalty_) return 2.0 * std::numbers::pi * rho;
    return penalty_factor_ * rho * interpolate(loss_table_, std::log(T), 1);
  }

  // mu and kappa at T from transport_table_ (not empty).
  std::array<double, 2> transport_at(double T) const {
    const double x = std::log(T), root = std::sqrt(T);
    return {root * interpolate(transport_table_, x, 1), root * interpolate(transport_table_, x, 2)};
  }

  toolkit::VelocityGrid grid_;
  double mass_;
  bool paper_penalty_;
  double penalty_factor_;
  bool well_balanced_, conservative_;
  toolkit::SpectralKernel kernel_;
  std::vector<double> temperatures_;       // the unit-density Maxwellians the grid represents, ascending
  std::vector<Vector5> unit_maxwellians_;  // and their centred exponents
  std::vector<std::array<double, 2>> loss_table_;  // (log T, largest loss frequency at rho = 1), T ascending
  std::vector<std::array<double, 3>> transport_table_;  // (log T, mu / sqrt T, kappa / sqrt T), T ascending
  // Per-cell values of the current chunk.
  std::vector<Vector5> moments_, centred_, lambda_;  // centred_: the Maxwellians' centred exponents
  std::vector<std::array<Vector5, 5>> gram_;
  std::vector<double> beta_, a_;
};

}  // namespace strata::plugins
