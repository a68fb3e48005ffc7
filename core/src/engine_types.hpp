#pragma once
// What the engine's parts exchange and report: domain totals, the primitive fields of
// the interior cells, and the error of a run that cannot go on (docs/architecture.md).
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "plugin_loader.hpp"
#include "strata/toolkit/gas.hpp"

namespace strata::core {

// A run that went unphysical or could not go on; the message names time, cell, layer.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A state check that failed; its message already names time, cell and layer.
class UnphysicalState : public RunError {
 public:
  using RunError::RunError;
};

// A checkpoint file that cannot be read as a whole one (truncated, corrupted, contents no
// run writes); a file of another kind or format version is a plain RunError.
class DamagedCheckpoint : public RunError {
 public:
  using RunError::RunError;
};

// Inside a catch block: rethrows the exception being handled with `where` put before
// its message (and `hint`, when given, after it: "; hint") — a CaseError stays one (each
// of its messages prefixed; nothing ran), a PluginError too (its message names the
// plugin and the call), anything else becomes a RunError.
[[noreturn]] inline void rethrow_with_context(const std::string& where, const std::string& hint = "") {
  const std::string after = hint.empty() ? "" : "; " + hint;
  try {
    throw;
  } catch (const CaseError& e) {
    std::vector<std::string> messages;
    for (const std::string& m : e.messages()) messages.push_back(where + ": " + m + after);
    throw CaseError(messages);
  } catch (const PluginError& e) {
    throw PluginError(where + ": " + e.what() + after);
  } catch (const std::exception& e) {
    throw RunError(where + ": " + e.what() + after);
  }
}

// Domain totals: mass, momentum x/y/z, energy (integrals over the updated cells).
using Totals = std::array<double, 5>;

// t += weight · (Σ_s ρ_s, ρu, ρE) of a conserved state U (or a flux of one).
inline void add_to_totals(const toolkit::StateLayout& layout, const double* U, double weight, Totals& t) {
  for (int s = 0; s < layout.n_species; ++s) t[0] += weight * U[s];
  for (int d = 0; d < 3; ++d) t[1 + d] += weight * U[layout.momentum(d)];
  t[4] += weight * U[layout.energy()];
}

// Primitive fields of the interior cells, x fastest: what outputs and indicators read.
// Pressure tensor (xx, yy, zz, xy, xz, yz) and heat flux are the kinetic moments in
// kinetic cells and p I, 0 in fluid cells.
struct Fields {
  std::vector<double> rho, ux, uy, uz, T, p;
  std::vector<std::vector<double>> rho_species;
  std::vector<std::array<double, 6>> pressure;
  std::vector<std::array<double, 3>> heat_flux;
};

// Measured work: wall seconds per layer, coupling and indicator, and cell-steps per
// layer (kinetic transport and IMEX bookkeeping time is shared by layers 1 and 2 in
// proportion to cells).
struct LayerWork {
  std::array<double, 3> wall{};
  // The part of wall[1], wall[2] spent inside the collision models' stage_value calls;
  // the rest of a kinetic layer's seconds is the engine's (transport, bookkeeping).
  std::array<double, 3> collision_model{};
  double coupling = 0.0, indicator = 0.0;
  std::array<long, 3> cell_steps{};
  void charge_kinetic(double seconds, std::size_t n_layer1, std::size_t n_layer2) {
    const double n = static_cast<double>(n_layer1 + n_layer2);
    if (n == 0) return;
    wall[1] += seconds * static_cast<double>(n_layer1) / n;
    wall[2] += seconds * static_cast<double>(n_layer2) / n;
  }
};

// The layer names of messages and logs: the plugin that runs the layer.
struct LayerNames {
  std::array<std::string, 3> plugin;  // "" where the run has no such layer
  std::string operator()(int layer) const {
    if (layer < 0 || layer > 2) return "a solid cell";
    const std::string base = "layer " + std::to_string(layer);
    return plugin[layer].empty() ? base : base + " (" + plugin[layer] + ")";
  }
};

}  // namespace strata::core
