#pragma once
// The regime map in time (paper Algorithm 1 and §4.5): the indicator proposes the next
// map from the state at t^n, forced layers override, cells that change layer convert
// their state, the faces and the kinetic store follow; obstacles that move by whole
// cells carve and free cells.
#include <string>
#include <utility>
#include <vector>

#include "coupling.hpp"
#include "domain.hpp"
#include "engine_types.hpp"
#include "kinetic_store.hpp"
#include "macro_state.hpp"
#include "partition.hpp"
#include "transport.hpp"

namespace strata::core {

using NamedFields = std::vector<std::pair<std::string, std::vector<double>>>;

class RegimeController {
 public:
  RegimeController(const Case& c, Domain& domain, const Gas& gas, const Coupling& coupling, MacroState& state,
                   KineticStore& store, Transport& transport, Partition& partition,
                   PluginObject<sdk::Indicator> indicator,
                   PluginObject<sdk::CollisionModel> transport_model);

  bool has_indicator() const { return static_cast<bool>(indicator_); }
  // Asks the indicator for the next map and installs it. Each rank asks about its own
  // rectangle, reading a two-cell frame around it (its halo); the changes are sent to
  // every rank, so every rank installs the same map (docs/architecture.md §11).
  void update();
  // Moves the obstacles due after `step`; what the moving walls swallow or release is
  // added to `exchange` (flux through the domain boundary) and to each obstacle's
  // boundary load of the step `dt` (BoundaryLoads::add_move).
  void move_obstacles(long step, double dt, Totals& exchange);
  // Diagnostic fields of the indicator's last proposal (interior cells), from every
  // rank's rectangle; collective.
  NamedFields indicator_fields() const;
  long switches() const { return switches_; }
  void restore_switches(long n) { switches_ = n; }  // restart (docs/architecture.md §10)

 private:
  // Installs `next` (stored cells, -1 solid): cells that become kinetic start from the
  // Maxwellian reconstruction of their state (0 -> 1, 2), cells that leave the kinetic
  // layers keep the moments of their f, which U already holds (1, 2 -> 0). Both
  // conversions conserve.
  void install(const std::vector<std::int8_t>& next);
  struct Inputs {
    std::vector<double> W, rho, ux, uy, uz, T, mu, kappa, distance;
  };
  Inputs inputs(unsigned needs, const std::array<int, 4>& box) const;
  std::vector<double> distance_to_maxwellian(const std::vector<double>& rho) const;
  // What enters the domain with the cells each obstacle covers and frees.
  std::vector<Totals> carve_and_free(long step);

  const Case& case_;
  Domain& domain_;
  const Gas& gas_;
  const Coupling& coupling_;
  MacroState& state_;
  KineticStore& store_;
  Transport& transport_;
  Partition& partition_;
  PluginObject<sdk::Indicator> indicator_;
  PluginObject<sdk::CollisionModel> transport_model_;  // gives the indicator its viscosity and conductivity
  std::array<int, 4> box_{};                  // the rectangle of the last proposal
  std::vector<std::vector<double>> diagnostics_;  // its diagnostic fields, per rectangle cell
  long switches_ = 0;
};

}  // namespace strata::core
