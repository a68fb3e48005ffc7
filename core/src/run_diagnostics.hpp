#pragma once
// What a run reports about itself each step: the primitive fields of the interior
// cells, domain totals and their drifts from the initial totals plus the boundary
// exchanges, the entropy, the history row, the probes (docs/user_guide.md lists the
// columns) and the boundary loads' row (loads.csv). Mixture runs add the per-species
// totals and the distance to the global equilibrium (mixture_diagnostics.hpp).
#include <array>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "boundary_loads.hpp"
#include "coupling.hpp"
#include "domain.hpp"
#include "engine_types.hpp"
#include "kinetic_store.hpp"
#include "macro_state.hpp"
#include "partition.hpp"

namespace strata::core {

class MixtureDiagnostics;
class OutputWriter;
class Layer2Device;

class RunDiagnostics {
 public:
  RunDiagnostics(const Case& c, const Domain& domain, const Gas& gas, const Coupling& coupling,
                 const MacroState& state, const KineticStore& store, const Partition& partition,
                 BoundaryLoads& loads);
  ~RunDiagnostics();

  // The fields of every interior cell on the root, from the owners' states and kinetic
  // moments (other ranks: from their own copy of the state, which is whole only at
  // set-up); collective, like check_state() and record(). Outputs only: the per-step
  // diagnostics below read each rank's own cells.
  Fields fields() const;
  Totals totals() const;
  // The initial totals and the scales of the relative drifts: total mass, momentum
  // magnitude including thermal motion (Σ ρ (|u| + √T)), total energy.
  void set_baseline(const Fields& f);
  // Exchanges with the outside (fluxes through the boundary, moving walls) since t = 0.
  Totals& exchange() { return exchange_; }
  const Totals& max_drift() const { return max_drift_; }
  // What the drifts are measured from, saved in checkpoints and restored on restart
  // (docs/architecture.md §10): initial totals, exchanges, scales, maximal drifts.
  // Mixtures: each species' number of particles at t = 0, of which the global
  // equilibrium is made (a run started from a checkpoint has other ones than its case's).
  // And the distributions' part of the residual as last measured, so that a restart
  // writes the same residual column, and the largest complete residual so far. And
  // the loads.csv row's open window (BoundaryLoads::window).
  struct Baseline {
    Totals initial{}, exchange{}, scale{}, max_drift{};
    std::vector<double> species_number;
    double kinetic_residual = 0;
    double largest_residual = 0;
    std::vector<double> loads_window;
  };
  Baseline baseline() const;
  void restore_baseline(const Baseline& b);
  // Throws RunError naming the first interior cell with a non-finite value, a
  // non-positive density or temperature, with its time, position and layer.
  // Every rank checks its cells; the first bad cell in mesh order is reported on all.
  void check_state(double t, long step, const LayerNames& names) const;
  // The residual of step `step`, from the state MacroState and KineticStore kept before
  // it: right after the step, before anything else changes the state (moving obstacles).
  // The distributions' part at step 1 and every `kinetic_residual_every` steps (a pass
  // over f costs about 8% of an ES-BGK step at 16^3). Collective.
  static constexpr long kinetic_residual_every = 10;
  void measure_residual(double dt, long step);
  // The residual of the last step: the state's rate of change, the largest of (a) for
  // mass, momentum and energy density, the RMS over the gas cells of |ΔU|/Δt over its
  // mean scale (the drift scales over the gas area), and (b) the relative L2 change of
  // the kinetic cells' distributions over Δt, as last measured; 1/time, small in a
  // steady state. NaN before the first step.
  double residual() const { return residual_; }
  // Whether the last step measured the distributions' part too: time.steady decides then.
  bool residual_complete() const { return residual_complete_; }
  // The largest residual of the steps that measured the distributions too, since t = 0
  // (a steady state reached with a residual near it had hardly changed).
  double largest_residual() const { return largest_residual_; }
  // The history row of this step (updates the drifts) and the probe rows, written to
  // `out` where there is one (the root rank); a drift far above round-off is warned
  // about, naming the layers in use (`layers`: their plugins).
  void record(OutputWriter* out, long step, double t, double dt, double wall_seconds, const LayerNames& layers);
  // With layer 2 on a device, its cells' entropy sums are computed there (nullptr: none).
  void take_layer2_entropy_from(Layer2Device* device) { layer2_device_ = device; }
  // Columns after the standard ones (mixtures: per-species quantities).
  const std::vector<std::string>& extra_columns() const { return extra_columns_; }
  // loads.csv's columns after step and t: per boundary part, <part>_mass, _Fx, _Fy, _Fz, _heat.
  std::vector<std::string> loads_columns() const;

 private:
  // Primitive values of a cell from the (shared) state; rho, u, T and the number density.
  struct Primitive {
    double rho = 0, u[3] = {0, 0, 0}, T = 0, number = 0;
  };
  Primitive primitive(std::size_t cell, const double* U, std::vector<double>& W) const;
  Primitive primitive(std::size_t cell, std::vector<double>& W) const { return primitive(cell, state_.cell(cell), W); }
  // Pressure tensor (xx, yy, zz, xy, xz, yz) and heat flux of an owned kinetic cell's f.
  void kinetic_moments(std::size_t cell, const double u[3], double P[6], double q[3]) const;
  double entropy() const;
  // probe_<name>.csv rows: each from its cell's owner, gathered to the root.
  void record_probes(OutputWriter* out, double t) const;
  std::array<int, 2> probe_cell(const Probe& p) const;  // (i, j) of the cell holding the probe
  Layer2Device* layer2_device_ = nullptr;
  const Case& case_;
  const Domain& domain_;
  const Gas& gas_;
  const Coupling& coupling_;
  const MacroState& state_;
  const KineticStore& store_;
  const Partition& partition_;
  BoundaryLoads& loads_;
  Totals initial_{}, exchange_{}, scale_{}, max_drift_{};
  double drift_to_report_ = 1e-8;  // the next level of the largest drift that is warned about
  double residual_ = std::numeric_limits<double>::quiet_NaN();
  double kinetic_residual_ = 0;  // (b) of residual(), as last measured
  double largest_residual_ = 0;
  bool residual_complete_ = false;
  std::vector<std::string> extra_columns_;
  std::unique_ptr<MixtureDiagnostics> mixture_;
};

}  // namespace strata::core
