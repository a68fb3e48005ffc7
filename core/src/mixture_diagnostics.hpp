#pragma once
// Diagnostics of gas mixtures (paper 000): per-species domain totals, and the distance
// Σ_k ∫∫ |F_k - μ_k|² / μ_k dv dx to the global equilibrium μ_k of the initial totals
// (paper 000, Theorem 1.1), F_k = f_k / m_k the number densities.
#include <vector>

#include "coupling.hpp"
#include "domain.hpp"
#include "engine_types.hpp"
#include "kinetic_store.hpp"
#include "macro_state.hpp"

namespace strata::core {

class MixtureDiagnostics {
 public:
  // The global equilibrium of the initial totals `initial` and each species' initial
  // number of particles `number` (species_number of the initial state).
  MixtureDiagnostics(const Domain& domain, const Gas& gas, const Coupling& coupling, const MacroState& state,
                     const KineticStore& store, const Totals& initial, std::vector<double> number);
  // Σ_cells ρ_s / m_s ΔxΔy of each species over the gas cells of `state`, on every rank
  // (every rank holds the whole state at set-up).
  static std::vector<double> species_number(const Domain& domain, const Gas& gas, const MacroState& state);
  const std::vector<double>& initial_number() const { return number_; }
  // Per species: mass, momentum x/y/z, energy over the domain; kinetic cells by the
  // moments of each species' f, fluid cells sharing the cell's u and T.
  std::vector<Totals> species_totals() const;
  double distance_to_equilibrium() const;

 private:
  const Domain& domain_;
  const Gas& gas_;
  const Coupling& coupling_;
  const MacroState& state_;
  const KineticStore& store_;
  std::vector<double> number_;       // of each species at t = 0
  std::vector<double> equilibrium_;  // S blocks of N^3 number densities
};

}  // namespace strata::core
