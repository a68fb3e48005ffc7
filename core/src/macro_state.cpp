#include "macro_state.hpp"

#include <algorithm>
#include <cmath>

namespace strata::core {

MacroState::MacroState(const Domain& domain, const Gas& gas)
    : domain_(domain), gas_(gas), nvar_(gas.n_vars()), gamma_(toolkit::monatomic_gamma) {
  U_.assign(domain.mesh().n_stored() * nvar_, 0.0);
  given_.assign(domain.mesh().n_stored() * nvar_, 0.0);
  const auto& sides = domain.case_file().boundary;
  if (std::any_of(sides.begin(), sides.end(), [](const Boundary& b) { return b.kind == BoundaryKind::farfield; }))
    gamma_ = gas.gamma(0);
}

void MacroState::fill_halo(std::vector<double>& U) const {
  for (const HaloRule& r : domain_.halo_rules()) ghost_value(r, U, &U[r.ghost * nvar_]);
}

void MacroState::ghost_value(const HaloRule& r, const std::vector<double>& U, double* g) const {
  const int nv = nvar_;
  const auto& layout = gas_.layout();
  if (r.action == HaloAction::pressure || r.action == HaloAction::farfield) {
    std::vector<double> W(static_cast<std::size_t>(nv));
    gas_.to_primitive(domain_.layer(r.source), &U[r.source * nv], W.data());
    if (r.action == HaloAction::pressure) {
      at_side_pressure(domain_.case_file().boundary[r.side].pressure, W.data());
    } else {
      std::vector<double> free_stream(static_cast<std::size_t>(nv));
      gas_.to_primitive(0, &given_[r.ghost * nv], free_stream.data());
      far_field(r.side, W.data(), free_stream.data());
    }
    gas_.to_conserved(0, W.data(), g);
    return;
  }
  const double* s = r.action == HaloAction::inflow ? &given_[r.ghost * nv] : &U[r.source * nv];
  std::copy(s, s + nv, g);
  if (r.action == HaloAction::reflect_x) g[layout.momentum(0)] = -g[layout.momentum(0)];
  if (r.action == HaloAction::reflect_y) g[layout.momentum(1)] = -g[layout.momentum(1)];
}

// The gas beside the side at the side's pressure (and temperature, where given): its
// velocity and composition, every species' density scaled alike, p = n T.
void MacroState::at_side_pressure(const PressureSide& side, double* W) const {
  const auto& layout = gas_.layout();
  const double T = side.T.value_or(W[layout.temperature()]);
  const double n = toolkit::number_density(layout, gas_.mass(), W);
  for (int s = 0; s < layout.n_species; ++s) W[s] *= side.p / (n * T);
  W[layout.temperature()] = T;
}

// A far-field side (docs/numerics.md, "Far-field sides"): along the outward normal n the
// 1D Euler equations carry R+ = u_n + 2c/(γ-1) out of the domain (the gas's, in W) and
// R- = u_n - 2c/(γ-1) into it (the free stream's), so the side's state has
// u_n = (R+ + R-)/2 and c = (γ-1)(R+ - R-)/4. Both invariants are taken at the gas's
// entropy and composition, where c ~ p^((γ-1)/(2γ)): the free stream enters with the c its
// pressure has there, so that an entropy difference between the gas and the free stream
// sends no sound, and the side's pressure is p_gas (c/c_gas)^(2γ/(γ-1)). Entropy,
// tangential velocity and composition come from upstream: the gas where u_n >= 0, else the
// free stream, brought to that pressure: each density times (p/p_s)^(1/γ), T times
// (p/p_s)^((γ-1)/γ). Where the gas crosses the side supersonically, everything comes from
// upstream.
void MacroState::far_field(Side side, double* W, const double* free_stream) const {
  const auto& layout = gas_.layout();
  const int d = side == left || side == right ? 0 : 1;
  const double sign = side == left || side == bottom ? -1.0 : 1.0;
  const auto pressure = [&](const double* V) {
    return toolkit::number_density(layout, gas_.mass(), V) * V[layout.temperature()];
  };
  const double p_gas = pressure(W), c_gas = std::sqrt(gamma_ * p_gas / toolkit::total_density(layout, W));
  const double un_gas = sign * W[layout.velocity(d)], un_free = sign * free_stream[layout.velocity(d)];
  if (un_gas <= -c_gas) {  // supersonic inflow
    std::copy(free_stream, free_stream + nvar_, W);
    return;
  }
  if (un_gas >= c_gas) return;  // supersonic outflow
  const double k = 2.0 / (gamma_ - 1.0);
  // The sound speed at the gas's entropy and the free stream's pressure.
  const double c_free = c_gas * std::pow(pressure(free_stream) / p_gas, 0.5 / gamma_ * (gamma_ - 1.0));
  const double r_out = un_gas + k * c_gas, r_in = un_free - k * c_free;
  const double un = 0.5 * (r_out + r_in), c = 0.25 * (gamma_ - 1.0) * (r_out - r_in);
  // The free stream leaves faster than the gas can follow (c <= 0, a vacuum at the side):
  // the gas's own state, as at an outflow side.
  if (!(c > 0)) return;
  // The upstream state s at the side's pressure: scaled by c over the sound speed at the
  // gas's entropy and s's pressure.
  double c_upstream = c_gas;
  if (un < 0) {
    std::copy(free_stream, free_stream + nvar_, W);
    c_upstream = c_free;
  }
  const double ratio = c / c_upstream, density_scale = std::pow(ratio, k);
  for (int s = 0; s < layout.n_species; ++s) W[s] *= density_scale;
  W[layout.temperature()] *= ratio * ratio;
  W[layout.velocity(d)] = sign * un;
}

}  // namespace strata::core
