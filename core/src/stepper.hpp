#pragma once
// The time step over all layers (paper §4.1–4.3): one global Δt and two stages per
// step. The explicit tableau is Heun's (TVD RK2, eqs. 4.7–4.8) for every layer, so all
// cells share the stages' face fluxes; kinetic cells add the implicit tableau of
// PR(2,2,2) (eq. 4.15), each layer's collision model solving its stage values on its
// block of cells.
#include <string>
#include <vector>

#include "domain.hpp"
#include "engine_types.hpp"
#include "kinetic_store.hpp"
#include "layer2_device.hpp"
#include "macro_state.hpp"
#include "partition.hpp"
#include "run_plugins.hpp"
#include "transport.hpp"

namespace strata::core {

// A step's Δt and what set it: the case key that bounds it ("time.dt", "time.dt_dx" or
// "time.cfl") and the fastest signal speed of the active layers (0: none).
struct TimeStep {
  double dt = 0.0;
  const char* limit = "";
  double speed = 0.0;
};

class Stepper {
 public:
  Stepper(const Case& c, const Domain& domain, const Gas& gas, MacroState& state, KineticStore& store,
          Transport& transport, Partition& partition, PluginObject<sdk::FluidModel> fluid, Collision kinetic,
          Collision boltzmann, std::unique_ptr<Layer2Device> device = nullptr);

  // Δt = min(user Δt or dt_dx h, cfl h / fastest signal of every active layer on
  // every rank).
  TimeStep stable_dt() const;
  // Advances the state by dt; fluxes through the boundary go to `exchange`. With
  // several ranks each computes its own cells, the stage values other ranks read are
  // exchanged at every stage, and afterwards each rank has its own cells and its halo
  // (exchange_halo; docs/architecture.md §11); an error on any rank is thrown on every
  // rank (ranks::agree) with the state as it was.
  void step(double dt, Totals& exchange, LayerWork& work);
  const Collision& collision_model(int layer) const { return layer == 1 ? kinetic_ : boltzmann_; }
  // Layer 2 resident on a device (gpu.resident_layer2), or nullptr.
  const Layer2Device* layer2_device() const { return device_.get(); }
  Layer2Device* layer2_device() { return device_.get(); }

 private:
  // Stage i, after the stage exchange: the explicit right-hand sides of the stage
  // values (fluid residual K, kinetic store.transport()), the boundary exchanges
  // weighted by dt times the stage's weight, and the kinetic cells' PR(2,2,2) sums.
  void evaluate_stage(int stage, double dt, std::vector<double>& K, Totals& exchange, LayerWork& work);
  void kinetic_stage_values(int stage, double dt, LayerWork& work);
  // Where a batch call of a collision model failed, and a hint when the velocity grid
  // is coarse or narrow for that cell's state (grid_advice): {where, hint}.
  std::pair<std::string, std::string> locate_failure(int layer, const sdk::ConstRows& rhs, const double* h) const;
  device::Pr222 pr222_constants(int stage, double dt) const;
  void complete_kinetic_cell(int stage, const device::Pr222& c, std::size_t slot, bool with_explicit);
  bool has_explicit(int layer) const {
    const Collision& model = collision_model(layer);
    return store_.n_layer(layer) > 0 && model.ask("has_explicit_part", [&] { return model->has_explicit_part(); });
  }
  // The store's explicit part holds E(Y) of the host's cells with one: layer 1's rows,
  // then layer 2's (none for a layer 2 on the device).
  std::size_t explicit_first_row(int layer) const { return layer == 2 && has_explicit(1) ? store_.n_layer(1) : 0; }

  const Case& case_;
  const Domain& domain_;
  const Gas& gas_;
  MacroState& state_;
  KineticStore& store_;
  Transport& transport_;
  Partition& partition_;
  PluginObject<sdk::FluidModel> fluid_;
  Collision kinetic_, boltzmann_;
  std::unique_ptr<Layer2Device> device_;
  // The kinetic slots the host computes: all, or layer 1 when layer 2 is on the device.
  std::size_t host_slots() const { return device_ ? store_.n_layer(1) : store_.n_kinetic(); }
  // Of those, the slots whose stage moments are read: by this rank's fluid stencils and
  // halo reconstructions (Transport::mark_stage_moments_read) or by other ranks. Only
  // these are projected at a stage; every kinetic cell is after the step.
  std::vector<std::size_t> stage_moment_slots() const;
  std::vector<double> Y_, K_[2];  // fluid stage values and residuals
};

}  // namespace strata::core
