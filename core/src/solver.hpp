#pragma once
// The engine's time loop (DESIGN §3): one global time step, two explicit stages
// shared by all layers (Heun = TVD RK2 = explicit half of PR(2,2,2)), each face
// flux computed once per stage and used by both neighbouring cells. solver.cpp holds
// the loop, the fluid layer and the outputs; kinetic.cpp the kinetic storage,
// transport and IMEX stages of layers 1 and 2.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.hpp"
#include "mesh.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/toolkit/gas.hpp"
#include "strata/toolkit/velocity_grid.hpp"

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
// Pressure tensor (xx, yy, zz, xy, xz, yz) and heat flux are the kinetic moments in
// kinetic cells and p I, 0 in fluid cells.
struct Fields {
  std::vector<double> rho, ux, uy, uz, T, p;
  std::vector<std::vector<double>> rho_species;
  std::vector<std::array<double, 6>> pressure;
  std::vector<std::array<double, 3>> heat_flux;
};

// What a finished run leaves besides its files: the final fields and the summary.
struct RunResult {
  Fields fields;
  nlohmann::json summary;
};

class Simulation {
 public:
  // Sets everything up — plugins, regime map, initial state — without writing a file:
  // `strata validate` constructs one to check what only set-up can see.
  Simulation(const Case& c, std::filesystem::path out_dir, int threads);
  ~Simulation();
  // Runs to time.end, writing outputs; throws RunError when the state goes bad.
  RunResult run();

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
  // Kinetic faces grouped in lines (rows for x faces, columns for y faces): faces
  // of one line touch only cells of that line, so lines run in parallel.
  struct KineticFaces {
    FaceList faces;
    std::vector<std::size_t> line_start;  // faces of line l: [line_start[l], line_start[l+1])
  };
  using Collision = PluginObject<sdk::CollisionModel>;
  using NamedFields = std::vector<std::pair<std::string, std::vector<double>>>;

  // set-up (solver.cpp)
  void create_plugins();
  void build_halo_rules();
  void set_initial_state();
  void build_face_lists();
  // Solid cells of the obstacles at their current offsets, and the forced layer of
  // every stored cell (-2: none): obstacle bands and regime.regions (hybrid only).
  bool solid_at(double x, double y) const;
  const Obstacle* obstacle_at(double x, double y) const;
  void compute_forced();
  // Dynamic regime switching (paper Algorithm 1): the indicator proposes, forced
  // regions override, cells that change layer convert (paper §4.5), storage follows.
  void update_regime();
  void relayout(const std::vector<std::int8_t>& next);
  void move_obstacles();
  std::vector<double> evaluate_primitive(const StateSpec& spec, double x, double y,
                                         const std::string& what) const;
  void primitive_to_conserved(int layer, const double* W, double* U) const;
  bool is_kinetic(std::size_t cell) const { return regime_[cell] >= 1; }

  // one step (solver.cpp drives, kinetic.cpp does layers 1 and 2)
  void fill_halo(std::vector<double>& U) const;
  double stable_dt() const;
  void step(double dt);
  // Stage i: fluxes of the stage values (Y_ for fluid cells, fY_ for kinetic
  // cells) -> fluid residual K and kinetic right-hand side q_; boundary fluxes,
  // weighted by `weight` (dt times the stage weight), added to boundary_gain_.
  void evaluate_stage(std::vector<double>& K, double weight);
  void fluid_fluxes(const std::vector<double>& Y, double weight);
  void fluid_residual(std::vector<double>& K) const;
  void add_boundary_flux(std::size_t a, std::size_t b, const double* flux_moments, double weight,
                         double area, Totals& gain) const;

  // kinetic layers (kinetic.cpp)
  void build_kinetic_layout();
  // f := Σ discrete Maxwellians of the primitive states `components` (kinetic cells),
  // and U := its moments (every cell).
  void init_kinetic_cell(std::size_t cell, const std::vector<std::vector<double>>& components);
  void kinetic_stage_values(int stage, double dt);
  std::size_t explicit_rows();
  // U at the updated kinetic cells := moments of the distributions in `f` (f_ or fY_).
  void kinetic_moments_to(const std::vector<double>& f, std::vector<double>& U) const;
  void fill_kinetic_halo(const std::vector<double>& U);
  void kinetic_fluxes(double weight);
  void kinetic_explicit_collisions();
  void kinetic_accumulate(int stage, double dt);
  void maxwellian_of(const double* U, double* f) const;
  Collision& collision_of(int layer) { return layer == 1 ? kinetic_ : boltzmann_; }
  double kinetic_speed() const { return vgrid_.max_speed(); }
  // Adds kinetic work time to layers 1 and 2 in proportion to their cells.
  void charge_kinetic_time(double seconds);

  // diagnostics and output (solver.cpp)
  Fields fields() const;
  Totals totals() const;
  void check_state(const Fields& f, double t, long step) const;
  void record_history(const Fields& f, double t, double dt);
  void write_outputs(const Fields& f, double t, bool snapshot, bool failed);
  void report_progress(double t, long step, double dt);
  double kinetic_entropy(std::size_t slot) const;
  // Mixtures: Σ_k ∫∫ |F_k - μ_k|² / μ_k dv dx, μ_k the global equilibrium of the initial
  // totals (paper 000, Theorem 1.1), F_k = f_k / m_k the number densities.
  void build_global_equilibrium();
  double distance_to_global_equilibrium() const;
  // Mixtures: per-species domain totals (mass, momentum x/y/z, energy), kinetic cells
  // by the moments of each species' f, fluid cells sharing the cell's u and T.
  std::vector<Totals> species_totals() const;

  const Case& case_;
  Mesh mesh_;
  toolkit::StateLayout layout_;
  int nvar_ = 0;
  std::vector<double> mass_;
  toolkit::VelocityGrid vgrid_;
  std::size_t nv3_ = 0, nf_ = 0;  // N^3 and S N^3 values per kinetic cell

  PluginObject<sdk::FluidModel> fluid_;
  Collision kinetic_, boltzmann_;
  PluginObject<sdk::Indicator> indicator_;
  NamedFields indicator_fields_;  // interior diagnostics of the last proposal
  std::vector<std::int8_t> forced_;
  std::vector<std::array<int, 2>> obstacle_offset_;  // cells moved so far

  // Macroscopic state of every stored cell (kinetic cells: moments of f).
  std::vector<double> U_, U_prev_, Y_, K0_, K1_, inflow_U_;
  std::vector<double> Fx_, Fy_;  // face fluxes (moments for kinetic faces) per stage
  std::vector<double> stencil_buf_, flux_buf_;
  std::vector<std::int8_t> regime_;    // layer per stored cell, -1 solid; ghosts copy their source
  std::vector<std::uint8_t> updated_;  // interior, non-solid
  std::vector<std::size_t> updated_cells_;
  std::vector<double> knudsen_;
  std::vector<HaloRule> halo_rules_;
  FaceList fluid_faces_x_, fluid_faces_y_;
  KineticFaces kinetic_faces_x_, kinetic_faces_y_;

  // Kinetic storage (DESIGN §3, storage follows the layers): slots [0, n_kinetic)
  // are the updated kinetic cells, layer 1 first, then layer 2; slots
  // [n_kinetic, n_slots) the halo cells whose f is derived each stage. f_ holds f^n,
  // fY_ the stage values (and the halo), f_rhs_ the implicit solve's right-hand
  // side, f_acc_ the growing sum for f^{n+1}, q_ the explicit right-hand side,
  // f_explicit_ E(Y) of the layers whose collision model has an explicit part.
  std::vector<std::size_t> slot_cell_;
  std::vector<std::int64_t> cell_slot_;
  std::size_t n_layer1_ = 0, n_layer2_ = 0;
  std::vector<double> f_, fY_, f_rhs_, f_acc_, q_, f_prev_, f_explicit_;
  std::vector<std::int64_t> ghost_rule_;  // index into halo_rules_ of each ghost cell, -1 elsewhere
  std::vector<double> vel_[3];  // v_x, v_y, v_z of each of the N^3 grid points
  std::vector<double> global_equilibrium_;  // S blocks of N^3 number densities (mixtures)

  Totals initial_totals_{}, boundary_gain_{}, scale_{}, max_drift_{};
  std::array<long, 3> cell_steps_{};
  std::array<double, 3> wall_layer_{};
  double wall_coupling_ = 0.0, wall_indicator_ = 0.0;
  long switches_ = 0;  // cells that changed layer
  std::filesystem::path out_dir_;
  std::vector<std::string> history_extra_;  // per-species columns of mixtures
  std::unique_ptr<OutputWriter> output_;
  std::chrono::steady_clock::time_point start_, last_progress_;
  double t_ = 0.0;
  long steps_ = 0;
};

}  // namespace strata::core
