#include "macro_state.hpp"

#include <algorithm>

namespace strata::core {

MacroState::MacroState(const Domain& domain, const Gas& gas)
    : domain_(domain), gas_(gas), nvar_(gas.n_vars()) {
  U_.assign(domain.mesh().n_stored() * nvar_, 0.0);
  inflow_.assign(domain.mesh().n_stored() * nvar_, 0.0);
}

void MacroState::fill_halo(std::vector<double>& U) const {
  const int nv = nvar_;
  const auto& layout = gas_.layout();
  std::vector<double> W(static_cast<std::size_t>(nv));
  for (const HaloRule& r : domain_.halo_rules()) {
    double* g = &U[r.ghost * nv];
    if (r.action == HaloAction::pressure) {
      // The gas beside the side at the side's pressure (and temperature, where given):
      // its velocity and composition, every species' density scaled alike, p = n T.
      const PressureSide& side = domain_.case_file().boundary[r.side].pressure;
      gas_.to_primitive(domain_.layer(r.source), &U[r.source * nv], W.data());
      const double T = side.T.value_or(W[static_cast<std::size_t>(layout.temperature())]);
      double n = 0;
      for (int s = 0; s < layout.n_species; ++s) n += W[static_cast<std::size_t>(s)] / gas_.mass()[static_cast<std::size_t>(s)];
      for (int s = 0; s < layout.n_species; ++s) W[static_cast<std::size_t>(s)] *= side.p / (n * T);
      W[static_cast<std::size_t>(layout.temperature())] = T;
      gas_.to_conserved(0, W.data(), g);
      continue;
    }
    const double* s = r.action == HaloAction::inflow ? &inflow_[r.ghost * nv] : &U[r.source * nv];
    std::copy(s, s + nv, g);
    if (r.action == HaloAction::reflect_x) g[layout.momentum(0)] = -g[layout.momentum(0)];
    if (r.action == HaloAction::reflect_y) g[layout.momentum(1)] = -g[layout.momentum(1)];
  }
}

}  // namespace strata::core
