#pragma once
// The engine's time loop (DESIGN §3): one global time step, two explicit stages
// shared by all layers (Heun = TVD RK2 = explicit half of PR(2,2,2)), each face
// flux computed once per stage and used by both neighbouring cells.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "case.hpp"
#include "mesh.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/toolkit/gas.hpp"

namespace strata::core {

class OutputWriter;

// A run that went unphysical or could not go on; the message names time, cell, layer.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Domain totals: mass, momentum x/y/z, energy (integrals over the updated cells).
using Totals = std::array<double, 5>;

// Primitive fields of the interior cells, x fastest: what outputs and indicators read.
struct Fields {
  std::vector<double> rho, ux, uy, uz, T, p;
  std::vector<std::vector<double>> rho_species;
};

class Simulation {
 public:
  Simulation(const Case& c, std::filesystem::path out_dir, int threads);
  ~Simulation();
  // Runs to time.end, writing outputs; throws RunError when the state goes bad.
  void run();

  const Mesh& mesh() const { return mesh_; }
  Fields fields() const;
  Totals totals() const;

 private:
  enum class HaloAction : std::uint8_t { copy, reflect_x, reflect_y, inflow };
  struct HaloRule {
    std::size_t ghost, source;
    HaloAction action;
  };
  struct FaceList {
    std::vector<std::size_t> left_cell;  // stored index of the cell on the low side
    std::vector<std::size_t> slot;       // index into the face flux array
  };

  void create_plugins();
  void build_halo_rules();
  void set_initial_state();
  void build_face_lists();
  void primitive_to_conserved(const double* W, double* U) const;
  std::vector<double> evaluate_state(const StateSpec& spec, double x, double y,
                                     const std::string& what) const;

  void fill_halo(std::vector<double>& U) const;
  double stable_dt() const;
  // K := L(Y) (minus the flux divergence) for updated cells; adds the boundary
  // fluxes, weighted by `weight` (dt times the stage weight), to boundary_gain_.
  void flux_divergence(std::vector<double>& Y, std::vector<double>& K, double weight);
  void step(double dt);
  // Throws RunError naming time, cell and layer at the first unphysical cell.
  void check_state(const Fields& f, double t, long step) const;
  void record_history(const Fields& f, double t, double dt);
  // Snapshot and profile at t (when `snapshot`), last_good.vti (when `failed`), history.
  void write_outputs(const Fields& f, double t, bool snapshot, bool failed);
  void report_progress(double t, long step, double dt);

  const Case& case_;
  Mesh mesh_;
  toolkit::StateLayout layout_;
  int nvar_ = 0;
  std::vector<double> mass_;

  PluginObject<sdk::FluidModel> fluid_;

  std::vector<double> U_, U_prev_, Y_, K0_, K1_, inflow_U_;
  std::vector<double> Fx_, Fy_;
  std::vector<double> stencil_buf_, flux_buf_;
  std::vector<std::int8_t> regime_;  // layer per stored cell, -1 solid
  std::vector<std::uint8_t> updated_;  // interior, non-solid
  std::vector<std::size_t> updated_cells_;
  std::vector<double> knudsen_;
  std::vector<HaloRule> halo_rules_;
  FaceList faces_x_, faces_y_;

  Totals initial_totals_{}, boundary_gain_{}, scale_{}, max_drift_{};
  std::array<long, 3> cell_steps_{};
  std::unique_ptr<OutputWriter> output_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  double t_ = 0.0;
  long steps_ = 0;
};

}  // namespace strata::core
