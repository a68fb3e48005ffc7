#include "gas.hpp"

#include <cmath>
#include <sstream>

#include "diagnostics.hpp"
#include "engine_types.hpp"
#include "strata/toolkit/format.hpp"

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

// The state at (x, y); a value that is no gas is refused naming the key that gave it.
std::vector<double> Gas::evaluate(const StateSpec& spec, double x, double y, const std::string& what) const {
  const auto refuse = [&](const std::string& key, const std::string& value, const char* rule) {
    std::ostringstream msg;
    msg << located(case_.file.string(), case_.overridden, what + key) << " at (x=" << x << ", y=" << y << ") gives "
        << value << "; " << rule;
    throw CaseError({msg.str()});
  };
  std::vector<double> W(n_vars());
  double n = 0.0;
  for (int s = 0; s < n_species(); ++s) {
    W[s] = spec.rho[s].eval(x, y);
    if (!(W[s] >= 0 && std::isfinite(W[s])))
      refuse(n_species() > 1 ? "/rho/" + std::to_string(s) : "/rho",
             toolkit::format_number(W[s]) + (n_species() > 1 ? " (species " + case_.species[s].name + ")" : ""),
             n_species() > 1 ? "a density must be finite and >= 0" : "the density must be finite and positive");
    n += W[s] / mass_[s];
  }
  if (!(n > 0))
    refuse("/rho", "no gas (every density 0)", n_species() > 1 ? "at least one density must be positive" : "the density must be finite and positive");
  const char* names[3] = {"/ux", "/uy", "/uz"};
  for (int d = 0; d < 3; ++d) {
    W[layout_.velocity(d)] = spec.u[d] ? spec.u[d]->eval(x, y) : 0.0;
    if (!std::isfinite(W[layout_.velocity(d)]))
      refuse(names[d], toolkit::format_number(W[layout_.velocity(d)]), "a velocity must be finite");
  }
  double& T = W[layout_.temperature()];
  if (spec.T) {
    T = spec.T->eval(x, y);
    if (!(T > 0 && std::isfinite(T))) refuse("/T", toolkit::format_number(T), "the temperature must be finite and positive");
  } else {
    const double p = spec.p->eval(x, y);
    T = p / n;
    if (!(p > 0 && std::isfinite(p))) refuse("/p", toolkit::format_number(p), "the pressure must be finite and positive");
    if (!(T > 0 && std::isfinite(T)))
      refuse("/p", toolkit::format_number(p) + ", so T = p/n = " + toolkit::format_number(T),
             "the temperature must be finite and positive");
  }
  return W;
}

}  // namespace strata::core
