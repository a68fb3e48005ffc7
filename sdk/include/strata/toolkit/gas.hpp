#pragma once
// The engine's macroscopic state of a cell (docs/architecture.md §4, units with gas constant 1):
// conserved U = (rho_1..rho_S, rho u_x, rho u_y, rho u_z, E) and primitive
// W = (rho_1..rho_S, u_x, u_y, u_z, T), with number density n = Σ rho_s / m_s,
// pressure p = n T and E = ½ rho |u|² + p / (gamma - 1) (gamma = 5/3 for the
// monatomic gas of the kinetic layers).
#include <span>

namespace strata::toolkit {

inline constexpr double monatomic_gamma = 5.0 / 3.0;

struct StateLayout {
  int n_species = 1;
  int n_vars() const { return n_species + 4; }
  int momentum(int d) const { return n_species + d; }  // d = 0, 1, 2
  int energy() const { return n_species + 3; }
  int velocity(int d) const { return n_species + d; }  // in primitive W
  int temperature() const { return n_species + 3; }
};

inline double total_density(const StateLayout& s, const double* U) {
  double rho = 0;
  for (int k = 0; k < s.n_species; ++k) rho += U[k];
  return rho;
}

inline double number_density(const StateLayout& s, std::span<const double> mass,
                             const double* U) {
  double n = 0;
  for (int k = 0; k < s.n_species; ++k) n += U[k] / mass[k];
  return n;
}

inline void conserved_to_primitive(const StateLayout& s, std::span<const double> mass,
                                   double gamma, const double* U, double* W) {
  const double rho = total_density(s, U), n = number_density(s, mass, U);
  double kinetic = 0;
  for (int k = 0; k < s.n_species; ++k) W[k] = U[k];
  for (int d = 0; d < 3; ++d) {
    const double u = U[s.momentum(d)] / rho;
    W[s.velocity(d)] = u;
    kinetic += 0.5 * rho * u * u;
  }
  W[s.temperature()] = (gamma - 1.0) * (U[s.energy()] - kinetic) / n;
}

inline void primitive_to_conserved(const StateLayout& s, std::span<const double> mass,
                                   double gamma, const double* W, double* U) {
  const double rho = total_density(s, W), n = number_density(s, mass, W);
  double kinetic = 0;
  for (int k = 0; k < s.n_species; ++k) U[k] = W[k];
  for (int d = 0; d < 3; ++d) {
    const double u = W[s.velocity(d)];
    U[s.momentum(d)] = rho * u;
    kinetic += 0.5 * rho * u * u;
  }
  U[s.energy()] = kinetic + n * W[s.temperature()] / (gamma - 1.0);
}

}  // namespace strata::toolkit
