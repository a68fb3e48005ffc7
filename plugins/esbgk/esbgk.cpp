// Layer 1: the ES-BGK collision model (paper §2.2, eq. 2.9, and §4.3):
//   Q(f) = nu(rho, T) (G[f] - f),  G = Gaussian with temperature tensor
//   𝒯 = (1 - beta) T I + beta Θ,   Θ = (m/rho) ∫ (v-u)⊗(v-u) f dv,  Pr = 1/(1 - beta).
// There is no explicit part; the implicit step y = rhs + h Q(y) has a closed form
// (docs/numerics.md): rho, u, T of y equal those of rhs, the stress relaxes as
//   Θ_y = (Θ_rhs + h nu (1 - beta) T I) / (1 + h nu (1 - beta)),
// and y = (rhs + h nu G[rho, u, 𝒯_y]) / (1 + h nu), with G the conservative discrete
// Gaussian of the toolkit, so the step conserves mass, momentum and energy to round-off.
// The stress relaxes at nu (1 - beta) = p / mu and the heat flux at nu = p / (m kappa) 5/2.
// nu = "matched": once the engine passes the layer-2 model's viscosity law mu(T)
// (CollisionModel::adopt_viscosity), nu = p / ((1 - beta) mu(T)), so both kinetic layers
// relax stress alike at every (rho, T); until then, and with nu = "formula",
// nu = c rho T^omega.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <strata/sdk.hpp>
#include <strata/toolkit/parallel.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("beta", "-0.5", -0.5, 1.0, "",
                      "ES-BGK parameter; Prandtl number 1/(1 - beta), -0.5 gives Pr = 2/3", false, true),
    sdk::choice_param("nu", "\"matched\"", "matched|formula",
                      "collision frequency: matched to the layer-2 model's viscosity, nu = p / ((1 - beta) mu(T)), when the run has a layer 2 (the engine passes its law); else, and with formula, nu = c rho T^omega"),
    sdk::number_param("nu_coefficient", "1.5707963267948966", 0.0, sdk::unbounded, "",
                      "c in the collision frequency nu = c rho T^omega (the paper: pi/2)", true),
    sdk::number_param("nu_temperature_exponent", "0", 0.0, 1.0, "",
                      "omega in nu = c rho T^omega (0: the paper; 0.5: hard-sphere-like)"),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "esbgk", sdk::PluginKind::collision_model, "1.0.0",
    "ES-BGK relaxation with a closed-form conservative implicit step (paper 2.2, 4.3)",
    params, static_cast<int>(std::size(params))};

// y = (rhs + a G) / (1 + a) with G the discrete Gaussian (G's buffer: N³ values),
// written as G's last sweep produces it; a solve in place (y over rhs) blends after G
// is final, since a refined G is emitted twice and the second blend would read the
// first. False if the tensor is not positive definite.
bool blend_gaussian(const toolkit::VelocityGrid& grid, double mass, const toolkit::ConservedMoments& target,
                    const toolkit::SymmetricTensor& Tt, const double* rhs, double a, double* y, double* G) {
  const double inv = 1.0 / (1.0 + a);
  const std::size_t n = grid.size();
  const auto blend = [&](std::size_t k, double g) { y[k] = (rhs[k] + a * g) * inv; };
  if (!(y < rhs + n && rhs < y + n)) return toolkit::discrete_gaussian(grid, mass, target, Tt, G, blend).converged;
  if (!toolkit::discrete_gaussian(grid, mass, target, Tt, G).converged) return false;
  for (std::size_t k = 0; k < n; ++k) blend(k, G[k]);
  return true;
}

class EsBgk final : public sdk::CollisionModel {
 public:
  EsBgk(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : CollisionModel(host),
        beta_(p.number("beta")),
        c_nu_(p.number("nu_coefficient")),
        omega_(p.number("nu_temperature_exponent")),
        matched_(p.string("nu") == "matched"),
        grid_{setup.velocity_points, setup.velocity_bound},
        mass_(setup.n_species == 1 ? setup.species_mass[0] : 1.0) {
    if (setup.n_species != 1)
      throw std::invalid_argument("esbgk models a single species; for two species use mixture_bgk");
    if (grid_.n <= 0) throw std::invalid_argument("esbgk needs a velocity grid");
  }

  bool has_explicit_part() const override { return false; }

  Status explicit_part(sdk::ConstRows, sdk::Rows out) override {
    for (std::int64_t c = 0; c < out.rows; ++c) std::fill_n(out.row(c), out.cols, 0.0);
    return Status::ok;
  }

  Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    if (rhs.cols != static_cast<std::int64_t>(grid_.size()) || y.cols != rhs.cols || y.rows != rhs.rows)
      return fail(Status::invalid_argument, "implicit_solve: rows must hold N^3 values");
    const std::string error = toolkit::first_problem(
        static_cast<std::size_t>(rhs.rows), toolkit::Schedule::static_chunks,
        [&] { return std::vector<double>(grid_.size()); },
        [&](std::size_t c, std::vector<double>& G) { return relax(rhs.row(c), h[c], y.row(c), G.data()); });
    return error.empty() ? Status::ok : fail(Status::unphysical, error);
  }

  bool adopts_viscosity() const override { return matched_; }

  // Keeps (log T, log mu) and interpolates linearly in them: a power law between the
  // points (exact for the hard-sphere mu ~ sqrt T), monotone where the table is; beyond
  // its ends mu ~ sqrt T (hard spheres) from the end value.
  Status adopt_viscosity(const sdk::ViscosityLaw& law) override {
    if (!matched_)
      return fail(Status::invalid_argument,
                  "esbgk with nu = \"formula\" keeps its own collision frequency; set nu = \"matched\" to adopt a viscosity law");
    if (law.n < 1 || !law.temperature || !law.viscosity)
      return fail(Status::invalid_argument, "adopt_viscosity: the law needs n >= 1 temperatures and viscosities");
    std::vector<std::array<double, 2>> table;
    for (int k = 0; k < law.n; ++k) {
      const double T = law.temperature[k], mu = law.viscosity[k];
      if (!(std::isfinite(T) && T > 0 && std::isfinite(mu) && mu > 0) ||
          (k > 0 && !(T > law.temperature[k - 1])))
        return fail(Status::invalid_argument, "adopt_viscosity: point " + std::to_string(k) + " (T = " +
                                                  std::to_string(T) + ", mu = " + std::to_string(mu) +
                                                  ") is not positive or its T does not ascend");
      table.push_back({std::log(T), std::log(mu)});
    }
    law_ = std::move(table);
    return Status::ok;
  }

  // mu = p / ((1 - beta) nu), kappa = (5/2) p / (m nu): Pr = 1/(1 - beta).
  Status transport_coefficients(sdk::ConstRows primitive, double* viscosity,
                                double* conductivity) override {
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double* W = primitive.row(c);  // rho, ux, uy, uz, T
      const double p = W[0] / mass_ * W[4], nu = frequency(W[0], W[4]);
      viscosity[c] = p / ((1.0 - beta_) * nu);
      conductivity[c] = 2.5 * p / (mass_ * nu);
    }
    return Status::ok;
  }

 private:
  double frequency(double rho, double T) const {
    if (law_.empty()) return c_nu_ * rho * std::pow(T, omega_);
    return rho * T / mass_ / ((1.0 - beta_) * viscosity(T));
  }

  // mu(T) of the adopted law (law_ not empty).
  double viscosity(double T) const {
    const double x = std::log(T);
    if (x <= law_.front()[0]) return std::exp(law_.front()[1] + 0.5 * (x - law_.front()[0]));
    if (x >= law_.back()[0]) return std::exp(law_.back()[1] + 0.5 * (x - law_.back()[0]));
    const auto hi = std::lower_bound(law_.begin(), law_.end(), x,
                                     [](const std::array<double, 2>& row, double v) { return row[0] < v; });
    const auto& lo = *(hi - 1);
    return std::exp(lo[1] + ((*hi)[1] - lo[1]) * (x - lo[0]) / ((*hi)[0] - lo[0]));
  }

  // One cell of the closed-form implicit step; returns an error message or "".
  std::string relax(const double* f, double h, double* out, double* G) const {
    const auto m = toolkit::stress_moments(grid_, f, mass_);
    // The output's lines are asked for (to be written) before the Gaussian's sample,
    // which reads no memory, so that their read for ownership overlaps it and the blend
    // writes into the cache (docs/performance.md: the model's part 8–15% less at 16³
    // than with the thread's next cell asked for instead, up to 8% less at 32³).
    for (std::size_t k = 0; k < grid_.size(); k += 8) __builtin_prefetch(out + k, 1, 2);  // a 64-byte line
    if (!(m.rho > 0 && m.T > 0)) return "implicit_solve: a cell has non-positive density or temperature";
    const double a = h * frequency(m.rho, m.T);
    const double relax_stress = a * (1.0 - beta_);
    toolkit::SymmetricTensor Tt;
    for (int k = 0; k < 6; ++k) {
      const double theta = mass_ * m.pressure[k] / m.rho;
      const double iso = k < 3 ? m.T : 0.0;
      const double theta_y = (theta + relax_stress * iso) / (1.0 + relax_stress);
      Tt[k] = (1.0 - beta_) * iso + beta_ * theta_y;
    }
    if (!blend_gaussian(grid_, mass_, m.conserved, Tt, f, a, out, G))
      return "implicit_solve: the ES-BGK temperature tensor is not positive definite";
    return "";
  }

  double beta_, c_nu_, omega_;
  bool matched_;
  std::vector<std::array<double, 2>> law_;  // adopted (log T, log mu), T ascending; empty: the formula
  toolkit::VelocityGrid grid_;
  double mass_;
};

}  // namespace

STRATA_PLUGIN(EsBgk, descriptor)
