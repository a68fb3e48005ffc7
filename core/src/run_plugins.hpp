#pragma once
// The plugin objects of a run, created from the case: one per layer and the indicator,
// with the layers' names for messages, and the layer-1 model given layer 2's viscosity
// law when a run has both kinetic layers (docs/architecture.md §9).
#include "case.hpp"
#include "engine_types.hpp"
#include "host_memory.hpp"
#include "strata/sdk/plugin.hpp"

namespace strata::core {

using Collision = PluginObject<sdk::CollisionModel>;

struct RunPlugins {
  PluginObject<sdk::FluidModel> fluid;
  Collision kinetic, boltzmann;
  PluginObject<sdk::Indicator> indicator;
  LayerNames layer_names;
  // The kinetic store's memory: layer 2's collision model's STRATA_HOST_MEMORY, else
  // layer 1's, else none (ordinary memory).
  std::shared_ptr<const HostMemory> host_memory;
};

// Sets the OpenMP thread count (threads > 0) and creates the plugins the mode needs.
RunPlugins create_plugins(const Case& c, int threads);

}  // namespace strata::core
