#include "coupling.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include "engine_types.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

namespace strata::core {

Coupling::Coupling(const Gas& gas, const toolkit::VelocityGrid& grid) : gas_(gas), grid_(grid) {}

void Coupling::species_maxwellian(int s, double rho, const double* u, double T, double* f) const {
  if (rho == 0.0) {
    std::fill_n(f, grid_.size(), 0.0);
    return;
  }
  const double mass = gas_.mass()[s];
  const std::array<double, 3> velocity = {u[0], u[1], u[2]};
  if (!toolkit::discrete_maxwellian(grid_, mass, rho, velocity, T, f).converged) {
    std::ostringstream msg;
    msg << "the velocity grid (" << grid_.n << " points on [-" << grid_.L << ", " << grid_.L
        << "]^3) cannot hold a Maxwellian with rho = " << rho << ", u = (" << u[0] << ", "
        << u[1] << ", " << u[2] << "), T = " << T << " (mass " << mass
        << "): widen velocity.L or refine velocity.n";
    throw RunError(msg.str());
  }
}

void Coupling::reconstruct(const double* U, double* f) const {
  const auto& layout = gas_.layout();
  std::vector<double> W(gas_.n_vars());
  toolkit::conserved_to_primitive(layout, gas_.mass(), toolkit::monatomic_gamma, U, W.data());
  for (int s = 0; s < gas_.n_species(); ++s)
    species_maxwellian(s, W[s], &W[layout.velocity(0)], W[layout.temperature()], f + s * points());
}

void Coupling::sum_of_maxwellians(const std::vector<std::vector<double>>& components, double* f) const {
  const auto& layout = gas_.layout();
  const std::size_t n3 = points();
  std::fill_n(f, values_per_cell(), 0.0);
  std::vector<double> m(n3);
  for (const auto& W : components)
    for (int s = 0; s < gas_.n_species(); ++s) {
      species_maxwellian(s, W[s], &W[layout.velocity(0)], W[layout.temperature()], m.data());
      for (std::size_t k = 0; k < n3; ++k) f[s * n3 + k] += m[k];
    }
}

void Coupling::project(const double* f, double* U) const {
  std::fill_n(U, gas_.n_vars(), 0.0);
  for (int s = 0; s < gas_.n_species(); ++s) {
    const auto m = toolkit::conserved_moments(grid_, f + s * points());
    const double moments[5] = {m.rho, m.momentum[0], m.momentum[1], m.momentum[2], m.energy};
    add_species_moments(s, moments, U);
  }
}

void Coupling::add_species_moments(int s, const double* moments, double* U) const {
  const auto& layout = gas_.layout();
  U[s] = moments[0];
  for (int d = 0; d < 3; ++d) U[layout.momentum(d)] += moments[1 + d];
  U[layout.energy()] += moments[4];
}

}  // namespace strata::core
