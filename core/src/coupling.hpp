#pragma once
// The coupling rules between the layers (paper §4.5): Maxwellian reconstruction of a
// distribution from a macroscopic state, and moment projection of a distribution onto
// one. A cell's distribution is S blocks of N^3 values, one per species.
#include <cmath>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "engine_types.hpp"
#include "gas.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::core {

// What a velocity grid must reach to hold the Maxwellians of some states of particles
// of the given masses: the largest reach max|u_d| + 4 sqrt(T/m_lightest) and the
// narrowest thermal speed sqrt(T/m_heaviest) among them.
struct GridDemand {
  double reach = 0.0;
  double narrowest = HUGE_VAL;
  // max|u_d|/2 + 6.5 sqrt(T/m_lightest): the velocity bound L within which layer 2's
  // collision operator keeps the hard-sphere viscosity to about 2% (measured:
  // docs/numerics.md, "Transport coefficients").
  double collision_reach = 0.0;
  GridDemand() = default;
  GridDemand(const std::vector<double>& masses, const double* u, double T) { add(masses, u, T); }
  // Of a primitive state W of the gas.
  GridDemand(const Gas& gas, const double* W)
      : GridDemand(gas.mass(), &W[gas.layout().velocity(0)], W[gas.layout().temperature()]) {}
  void add(const std::vector<double>& masses, const double* u, double T);
  void add(const GridDemand& other);
};

// The velocity grid that holds the demanded states: L at least the reach (rounded up to
// 0.1), n even and at least 2L / narrowest, one point per thermal speed; `grid`'s own L
// and n where they suffice.
toolkit::VelocityGrid grid_needed(const toolkit::VelocityGrid& grid, const GridDemand& demand);
// For a message: "widen velocity.L to at least X (...)", "refine velocity.n to at least
// N (...)", both, or "widen velocity.L or refine velocity.n" where `grid` already is
// grid_needed.
std::string grid_advice(const toolkit::VelocityGrid& grid, const GridDemand& demand);

// A Maxwellian the velocity grid cannot hold; `demand` is its state's.
class GridTooSmall : public RunError {
 public:
  GridTooSmall(const std::string& what, const GridDemand& state) : RunError(what), demand(state) {}
  GridDemand demand;
};

// The set-up's problems with the states the Maxwellian reconstruction must hold
// (initial regions, obstacles, inflows, walls): one message per key, all reported
// together. Where the grid's advice for one state would not hold another that failed,
// one more message names a grid that holds every state that failed.
class ReconstructionProblems {
 public:
  bool has(const std::string& key) const { return keys_.count(key) != 0; }
  // The first problem of `key` is kept; later ones of the same key only add their demand.
  void add(const std::string& key, const std::vector<std::string>& messages);
  void add(const std::string& key, const std::string& message, const GridDemand& state);
  // Every state checked, held or not.
  void note(const GridDemand& state) { every_.add(state); }
  const GridDemand& every_state() const { return every_; }
  // Throws CaseError with every problem found, if any.
  void throw_if_any(const std::string& file, const toolkit::VelocityGrid& grid) const;

 private:
  std::vector<std::string> messages_;
  std::set<std::string> keys_;
  GridDemand every_;
  GridDemand failed_;               // of every state the grid failed to hold
  std::vector<GridDemand> advised_;  // of the states whose messages advise a grid
};

class Coupling {
 public:
  Coupling(const Gas& gas, const toolkit::VelocityGrid& grid);
  const toolkit::VelocityGrid& grid() const { return grid_; }
  std::size_t points() const { return grid_.size(); }                    // N^3
  std::size_t values_per_cell() const { return points() * gas_.n_species(); }

  // Maxwellian reconstruction: each species gets the discrete Maxwellian (conservative,
  // toolkit/maxwellian.hpp) of its density with the common velocity and temperature of
  // U. Throws GridTooSmall naming the state when the velocity grid cannot hold it.
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
