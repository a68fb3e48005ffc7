// A minimal collision-model plugin: the BGK operator P(f) = nu (M[f] - f) for one
// species, written against the installed Strata SDK only. It shows the whole
// contract: declared parameters, the constructor, the batch calls, and the export.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include <strata/sdk.hpp>

namespace {
using namespace strata;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("nu", "1.0", 0.0, sdk::unbounded, "1/time",
                      "collision frequency (relaxation rate toward the Maxwellian)", true),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "bgk_example", sdk::PluginKind::collision_model, "0.1.0",
    "plain BGK relaxation, the plugin-author guide's example", params, 1};

class BgkExample final : public sdk::CollisionModel {
 public:
  BgkExample(const sdk::Params& p, const sdk::SetupInfo& setup, const sdk::Host& host)
      : CollisionModel(host), nu_(p.number("nu")),
        grid_{setup.velocity_points, setup.velocity_bound},
        mass_(setup.n_species > 0 ? setup.species_mass[0] : 1.0) {
    if (setup.n_species != 1) throw std::invalid_argument("bgk_example models one species");
    if (grid_.n <= 0) throw std::invalid_argument("bgk_example needs a velocity grid");
  }

  bool has_explicit_part() const override { return false; }

  sdk::Status explicit_part(sdk::ConstRows, sdk::Rows out) override {
    for (std::int64_t c = 0; c < out.rows; ++c)
      std::fill_n(out.row(c), out.cols, 0.0);
    return sdk::Status::ok;
  }

  // y = rhs + h nu (M[y] - y). M[y] = M[rhs] because P conserves mass, momentum and
  // energy, so y = (rhs + h nu M[rhs]) / (1 + h nu) in closed form.
  sdk::Status implicit_solve(sdk::ConstRows rhs, const double* h, sdk::Rows y) override {
    if (rhs.cols != static_cast<std::int64_t>(grid_.size()))
      return fail(sdk::Status::invalid_argument, "implicit_solve: rows are not N^3 long");
    std::vector<double> M(grid_.size());
    for (std::int64_t c = 0; c < rhs.rows; ++c) {
      const double* f = rhs.row(c);
      const auto m = toolkit::conserved_moments(grid_, f);
      const std::array<double, 3> u = {m.momentum[0] / m.rho, m.momentum[1] / m.rho,
                                       m.momentum[2] / m.rho};
      const double kinetic = 0.5 * m.rho * (u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
      const double T = (m.energy - kinetic) * mass_ / (1.5 * m.rho);
      if (!(m.rho > 0 && T > 0))
        return fail(sdk::Status::unphysical, "implicit_solve: non-positive density or temperature");
      if (!toolkit::discrete_maxwellian(grid_, mass_, m.rho, u, T, M.data()).converged)
        return fail(sdk::Status::failure, "implicit_solve: the discrete Maxwellian did not converge");
      const double a = h[c] * nu_;
      double* out = y.row(c);
      for (std::size_t k = 0; k < grid_.size(); ++k) out[k] = (f[k] + a * M[k]) / (1.0 + a);
    }
    return sdk::Status::ok;
  }

  // BGK: mu = p / nu, kappa = (5/2) p / (m nu) (Prandtl number 1).
  sdk::Status transport_coefficients(sdk::ConstRows primitive, double* viscosity,
                                     double* conductivity) override {
    for (std::int64_t c = 0; c < primitive.rows; ++c) {
      const double* W = primitive.row(c);  // rho, ux, uy, uz, T
      const double p = W[0] / mass_ * W[4];
      viscosity[c] = p / nu_;
      conductivity[c] = 2.5 * p / (mass_ * nu_);
    }
    return sdk::Status::ok;
  }

 private:
  double nu_;
  toolkit::VelocityGrid grid_;
  double mass_;
};

}  // namespace

STRATA_PLUGIN(BgkExample, descriptor)
