// The gradient-length local Knudsen number of Boyd, Chen and Chandler (1995), for
// comparison with the realizability criterion:
//   Kn_GLL = λ max(|∇ρ|/ρ, |∇T|/T, |∇|u||/max(|u|, c)),  c = sqrt(5T/3),
// with λ the local mean free path of the run's gas, from the viscosity of its collision
// model (Bird's hard-sphere relation, units with gas constant and mass 1):
//   λ = (16/5) ε μ(ρ, T) / (ρ sqrt(2π T))            (mean_free_path: "viscosity"),
// or the case's Knudsen number itself, λ = ε           (mean_free_path: "knudsen").
// A cell is kinetic (layer 1) where Kn_GLL > kinetic_threshold and Boltzmann (layer 2)
// where Kn_GLL > boltzmann_threshold; elsewhere fluid.
#include <cmath>
#include <limits>

#include <strata/sdk.hpp>
#include <strata/toolkit/stencils.hpp>

namespace {
using namespace strata;
using sdk::Status;

constexpr sdk::ParamDecl params[] = {
    sdk::number_param("kinetic_threshold", "0.05", 0.0, sdk::unbounded, "",
                      "Kn_GLL above which a cell is kinetic (Boyd et al.: 0.05)", true),
    sdk::number_param("boltzmann_threshold", "0.2", 0.0, sdk::unbounded, "",
                      "Kn_GLL above which a kinetic cell uses the Boltzmann operator", true),
    sdk::choice_param("mean_free_path", "\"viscosity\"", "viscosity|knudsen",
                      "lambda from the collision model's viscosity, (16/5) eps mu / (rho sqrt(2 pi T)), or lambda = eps"),
};

constexpr sdk::Descriptor descriptor{
    STRATA_SDK_VERSION, "knudsen_gradient", sdk::PluginKind::indicator, "1.1.0",
    "gradient-length local Knudsen number (Boyd, Chen, Chandler 1995)", params, static_cast<int>(std::size(params))};

class KnudsenGradient final : public sdk::Indicator {
 public:
  KnudsenGradient(const sdk::Params& p, const sdk::SetupInfo&, const sdk::Host& host)
      : Indicator(host),
        kinetic_(p.number("kinetic_threshold")),
        boltzmann_(p.number("boltzmann_threshold")),
        from_viscosity_(p.string("mean_free_path") == "viscosity") {}

  unsigned inputs() const override { return from_viscosity_ ? sdk::indicator_input::transport_coefficients : 0u; }
  int n_diagnostics() const override { return 1; }
  const char* diagnostic_name(int) const override { return "knudsen_gll"; }

  Status propose(const sdk::IndicatorInput& in, std::int8_t* next, double* const* diag) override {
    const toolkit::Stencil s{in};
#pragma omp parallel for schedule(static)
    for (int j = 0; j < in.ny; ++j)
      for (int i = 0; i < in.nx; ++i) {
        const std::int64_t c = s.at(i, j), out = static_cast<std::int64_t>(j) * in.nx + i;
        if (in.regime[c] < 0) {
          next[out] = -1;
          diag[0][out] = std::numeric_limits<double>::quiet_NaN();
          continue;
        }
        auto speed = [&](std::int64_t k) { return std::hypot(in.ux[k], in.uy[k], in.uz[k]); };
        const double rho = in.rho[c], T = in.T[c];
        const double grad_rho = std::hypot(s.dx(in.rho, i, j), s.dy(in.rho, i, j));
        const double grad_T = std::hypot(s.dx(in.T, i, j), s.dy(in.T, i, j));
        const double grad_speed = std::hypot((speed(s.at(i + 1, j)) - speed(s.at(i - 1, j))) / (2 * in.dx),
                                             (speed(s.at(i, j + 1)) - speed(s.at(i, j - 1))) / (2 * in.dy));
        const double lambda = from_viscosity_
                                  ? 16.0 / 5.0 * in.knudsen[c] * in.viscosity[c] / (rho * std::sqrt(2 * M_PI * T))
                                  : in.knudsen[c];
        const double kn = lambda * std::max({grad_rho / rho, grad_T / T,
                                             grad_speed / std::max(speed(c), std::sqrt(5.0 * T / 3.0))});
        diag[0][out] = kn;
        next[out] = kn > boltzmann_ ? 2 : kn > kinetic_ ? 1 : 0;
      }
    return Status::ok;
  }

 private:
  double kinetic_, boltzmann_;
  bool from_viscosity_;
};

}  // namespace

STRATA_PLUGIN(KnudsenGradient, descriptor)
