#include "gas.hpp"

#include <cmath>
#include <sstream>

#include "diagnostics.hpp"
#include "engine_types.hpp"

namespace strata::core {

Gas::Gas(const Case& c, PluginObject<sdk::FluidModel> fluid) : case_(c), fluid_(std::move(fluid)) {
  layout_.n_species = static_cast<int>(c.species.size());
  for (const auto& s : c.species) mass_.push_back(s.mass);
  if (fluid_ && (c.kinetic.needed || c.boltzmann.needed)) check_monatomic();
}

// A cell that switches between layer 0 and a kinetic layer keeps its conserved
// state, so both must mean the same temperature: E = ½ρ|u|² + (3/2) n T.
void Gas::check_monatomic() const {
  const double g = gamma(0);
  if (std::abs(g - toolkit::monatomic_gamma) <= 1e-12) return;
  std::ostringstream msg;
  msg << case_.file.string() << ": /fluid: plugin '" << fluid_.name() << "' describes a gas with internal energy "
      << 1.0 / (g - 1.0) << " n T (gamma = " << g << "), but the kinetic layers of this " << mode_name(case_.mode)
      << " run are a monatomic gas with 3/2 n T (gamma = 5/3); set the fluid model's gamma to 5/3"
         " or run with regime.mode = layer0";
  throw CaseError({msg.str()});
}

double Gas::gamma(int layer) const {
  std::vector<double> W(n_vars(), 0.0), U(n_vars());
  for (int s = 0; s < n_species(); ++s) W[s] = mass_[s];  // one particle per unit volume each
  W[layout_.temperature()] = 1.0;
  to_conserved(layer, W.data(), U.data());
  return 1.0 + n_species() / U[layout_.energy()];
}

void Gas::to_conserved(int layer, const double* W, double* U) const {
  const int nv = n_vars();
  if (layer == 0 && fluid_)
    fluid_.call("to_conserved", [&] { return fluid_->to_conserved({W, 1, nv, nv}, {U, 1, nv, nv}); });
  else
    toolkit::primitive_to_conserved(layout_, mass_, toolkit::monatomic_gamma, W, U);
}

void Gas::to_primitive(int layer, const double* U, double* W) const {
  const int nv = n_vars();
  if (layer == 0 && fluid_)
    fluid_.call("to_primitive", [&] { return fluid_->to_primitive({U, 1, nv, nv}, {W, 1, nv, nv}); });
  else
    toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, U, W);
}

std::vector<double> Gas::evaluate(const StateSpec& spec, double x, double y, const std::string& what) const {
  std::vector<double> W(n_vars());
  double n = 0.0;
  for (int s = 0; s < n_species(); ++s) {
    W[s] = spec.rho[s].eval(x, y);
    n += W[s] / mass_[s];
  }
  for (int d = 0; d < 3; ++d) W[layout_.velocity(d)] = spec.u[d] ? spec.u[d]->eval(x, y) : 0.0;
  W[layout_.temperature()] = spec.T ? spec.T->eval(x, y) : spec.p->eval(x, y) / n;
  bool ok = n > 0 && std::isfinite(W[layout_.temperature()]) && W[layout_.temperature()] > 0;
  for (int s = 0; s < n_species(); ++s) ok = ok && W[s] >= 0 && std::isfinite(W[s]);
  int bad_velocity = -1;
  for (int d = 2; d >= 0; --d)
    if (!std::isfinite(W[layout_.velocity(d)])) bad_velocity = d;
  if (!ok || bad_velocity >= 0) {
    std::ostringstream msg;
    msg << case_.file.string() << ": " << what << " at (x=" << x << ", y=" << y << ") gives ";
    if (!ok)
      msg << "density " << W[0] << " and temperature " << W[layout_.temperature()] << "; both must be positive";
    else
      msg << "the velocity u" << "xyz"[bad_velocity] << " = " << W[layout_.velocity(bad_velocity)]
          << "; it must be finite";
    throw CaseError({msg.str()});
  }
  return W;
}

}  // namespace strata::core
