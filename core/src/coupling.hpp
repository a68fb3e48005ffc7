#pragma once
// The coupling rules between the layers (paper §4.5): Maxwellian reconstruction of a
// distribution from a macroscopic state, and moment projection of a distribution onto
// one. A cell's distribution is S blocks of N^3 values, one per species.
#include <cstddef>
#include <string>
#include <vector>

#include "gas.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::core {

// The velocity grid that holds the Maxwellian at velocity u and temperature T of
// particles of the given masses: L at least its reach max|u_d| + 4 sqrt(T/m) (rounded up
// to 0.1), n even and at least 2L / sqrt(T/m), one point per thermal speed; `grid`'s own
// L and n where they suffice.
toolkit::VelocityGrid grid_needed(const toolkit::VelocityGrid& grid, const std::vector<double>& masses,
                                  const double* u, double T);
// For a message: "widen velocity.L to at least X (...)", "refine velocity.n to at least
// N (...)", both, or "widen velocity.L or refine velocity.n" where `grid` already is
// grid_needed.
std::string grid_advice(const toolkit::VelocityGrid& grid, const std::vector<double>& masses, const double* u, double T);

class Coupling {
 public:
  Coupling(const Gas& gas, const toolkit::VelocityGrid& grid);
  const toolkit::VelocityGrid& grid() const { return grid_; }
  std::size_t points() const { return grid_.size(); }                    // N^3
  std::size_t values_per_cell() const { return points() * gas_.n_species(); }

  // Maxwellian reconstruction: each species gets the discrete Maxwellian (conservative,
  // toolkit/maxwellian.hpp) of its density with the common velocity and temperature of
  // U. Throws RunError naming the state when the velocity grid cannot hold it.
  void reconstruct(const double* U, double* f) const;
  // f := Σ of the species' discrete Maxwellians of the primitive states `components`.
  void sum_of_maxwellians(const std::vector<std::vector<double>>& components, double* f) const;
  // Moment projection: U := mass of each species, total momentum and energy of f.
  void project(const double* f, double* U) const;
  // Species s's share of U from its five moments (rho, rho u, E), U zeroed before the first species.
  void add_species_moments(int s, const double* moments, double* U) const;

 private:
  void species_maxwellian(int s, double rho, const double* u, double T, double* f) const;
  const Gas& gas_;
  toolkit::VelocityGrid grid_;
};

}  // namespace strata::core
