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
  for (const HaloRule& r : domain_.halo_rules()) {
    double* g = &U[r.ghost * nv];
    const double* s = r.action == HaloAction::inflow ? &inflow_[r.ghost * nv] : &U[r.source * nv];
    std::copy(s, s + nv, g);
    if (r.action == HaloAction::reflect_x) g[layout.momentum(0)] = -g[layout.momentum(0)];
    if (r.action == HaloAction::reflect_y) g[layout.momentum(1)] = -g[layout.momentum(1)];
  }
}

}  // namespace strata::core
