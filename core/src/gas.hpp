#pragma once
// The gas of a run: the state layout (toolkit/gas.hpp), the species, and the
// conversions between conserved and primitive states. Fluid cells convert with the
// fluid model's own equation of state; kinetic cells are the monatomic gas of a 3D
// velocity space (γ = 5/3), and a run that has both refuses a fluid model whose
// internal energy differs from it (docs/architecture.md, "One gas").
#include <string>
#include <vector>

#include "case.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/toolkit/gas.hpp"

namespace strata::core {

class Gas {
 public:
  Gas(const Case& c, PluginObject<sdk::FluidModel> fluid);

  const toolkit::StateLayout& layout() const { return layout_; }
  int n_vars() const { return layout_.n_vars(); }
  int n_species() const { return layout_.n_species; }
  const std::vector<double>& mass() const { return mass_; }

  // W -> U and U -> W of a cell in `layer` (0: the fluid model when the run has one;
  // kinetic and solid cells: the monatomic gas). Throw PluginError on a failed call.
  void to_conserved(int layer, const double* W, double* U) const;
  void to_primitive(int layer, const double* U, double* W) const;
  // The ratio of specific heats of a cell in `layer`, 1 + n T / (E - ½ρ|u|²) at rest
  // and T = 1 (the fluid model's for layer 0, 5/3 for the monatomic gas).
  double gamma(int layer) const;

  // A user state at (x, y), checked to have positive densities and temperature;
  // `what` names its place in the case file for the message.
  std::vector<double> evaluate(const StateSpec& spec, double x, double y, const std::string& what) const;

 private:
  void check_monatomic() const;
  const Case& case_;
  toolkit::StateLayout layout_;
  std::vector<double> mass_;
  PluginObject<sdk::FluidModel> fluid_;
};

}  // namespace strata::core
