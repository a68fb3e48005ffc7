#pragma once
// The macroscopic state: conserved variables of every stored cell in the gas's layout
// (kinetic cells: the moments of their distribution), the given states of inflow and
// far-field ghosts, and the state of the last completed step (restored when a step fails).
#include <vector>

#include "domain.hpp"
#include "gas.hpp"

namespace strata::core {

class MacroState {
 public:
  MacroState(const Domain& domain, const Gas& gas);
  std::vector<double>& values() { return U_; }
  const std::vector<double>& values() const { return U_; }
  double* cell(std::size_t c) { return &U_[c * nvar_]; }
  const double* cell(std::size_t c) const { return &U_[c * nvar_]; }
  // The state an inflow ghost holds, or a far-field ghost's free stream (layer 0's
  // conserved variables), set once at set-up.
  double* given(std::size_t ghost) { return &given_[ghost * nvar_]; }
  // Ghost cells of U (the state or a stage value) from the halo rules.
  void fill_halo(std::vector<double>& U) const;
  // The value rule.ghost takes from U (its source's current value, not U's ghost itself).
  void ghost_value(const HaloRule& rule, const std::vector<double>& U, double* g) const;
  void keep() { previous_ = U_; }       // before a step
  void restore() { U_.swap(previous_); }  // after a failed one
  const double* previous(std::size_t c) const { return &previous_[c * nvar_]; }  // as kept

 private:
  // Primitive states (toolkit/gas.hpp) of a pressure or far-field ghost; W holds its
  // source's on entry, `free_stream` the far-field side's.
  void at_side_pressure(const PressureSide& side, double* W) const;
  void far_field(Side side, double* W, const double* free_stream) const;
  const Domain& domain_;
  const Gas& gas_;
  int nvar_;
  double gamma_;  // the fluid's ratio of specific heats, for far-field sides
  std::vector<double> U_, previous_, given_;
};

}  // namespace strata::core
