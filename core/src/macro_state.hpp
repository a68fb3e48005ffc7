#pragma once
// The macroscopic state: conserved variables of every stored cell in the gas's layout
// (kinetic cells: the moments of their distribution), the fixed states of inflow
// ghosts, and the state of the last completed step (restored when a step fails).
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
  double* inflow(std::size_t ghost) { return &inflow_[ghost * nvar_]; }
  // Ghost cells of U (the state or a stage value) from the halo rules.
  void fill_halo(std::vector<double>& U) const;
  void keep() { previous_ = U_; }       // before a step
  void restore() { U_.swap(previous_); }  // after a failed one
  const double* previous(std::size_t c) const { return &previous_[c * nvar_]; }  // as kept

 private:
  const Domain& domain_;
  const Gas& gas_;
  int nvar_;
  std::vector<double> U_, previous_, inflow_;
};

}  // namespace strata::core
