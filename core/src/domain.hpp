#pragma once
// The domain: the mesh, the halo rules of its sides, the obstacles and their motion,
// the Knudsen number of every cell, the forced layers, and the regime map — the layer
// of every stored cell (docs/architecture.md). The regime map changes only through
// install_regime, so the index lists that follow from it (updated cells) stay in step.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "case.hpp"
#include "mesh.hpp"

namespace strata::core {

enum class HaloAction : std::uint8_t { copy, reflect_x, reflect_y, inflow, pressure, farfield };

// A ghost cell takes its value from `source` (copied or mirrored), from the fixed
// inflow state of the ghost itself, from `source` brought to a side's pressure, or from
// `source` and the ghost's free stream by the Riemann invariants of a far-field side
// (MacroState::fill_halo); `side` is the side whose rule it is (a corner ghost belongs
// to the bottom or top side).
struct HaloRule {
  std::size_t ghost, source;
  HaloAction action;
  Side side;
  // The ghost holds its source's values, mirrored or not (also its distribution, where
  // the source is kinetic); inflow, pressure and far-field ghosts are fluid states of
  // their own.
  bool copies() const { return action == HaloAction::copy || action == HaloAction::reflect_x || action == HaloAction::reflect_y; }
};

inline constexpr std::int8_t not_forced = -2;
inline constexpr std::int8_t solid = -1;

class Domain {
 public:
  // Mesh, halo rules, Knudsen numbers, forced layers and the initial regime map: the
  // mode's layer, or regime.initial overridden by forced layers (hybrid); -1 in solids.
  explicit Domain(const Case& c);

  const Case& case_file() const { return case_; }
  const Mesh& mesh() const { return mesh_; }

  // The regime map (stored cells; ghosts copy their source, inflow ghosts are fluid).
  int layer(std::size_t cell) const { return regime_[cell]; }
  bool is_kinetic(std::size_t cell) const { return regime_[cell] >= 1; }
  bool updated(std::size_t cell) const { return updated_[cell] != 0; }  // interior, not solid
  const std::vector<std::int8_t>& regime() const { return regime_; }
  const std::vector<std::size_t>& updated_cells() const { return updated_cells_; }
  // Cells per layer among the updated cells.
  std::array<long, 3> layer_counts() const;

  // Ownership (partition.hpp): the MPI rank that updates each interior cell (-1 for
  // ghosts). A rank computes only its owned cells; with one rank it owns every cell.
  int owner(std::size_t cell) const { return owner_[cell]; }
  const std::vector<std::int32_t>& owners() const { return owner_; }
  bool owned(std::size_t cell) const { return updated_[cell] != 0 && owner_[cell] == rank_; }
  const std::vector<std::size_t>& owned_cells() const { return owned_cells_; }  // ascending
  void set_owners(std::vector<std::int32_t> owner, int rank);
  // The layer of every interior cell, x fastest (outputs, checkpoints).
  std::vector<std::int8_t> interior_regime() const;
  // True when `next` differs from the map in an interior cell.
  bool differs(const std::vector<std::int8_t>& next) const;
  // Installs `next` for the interior cells (stored indexing, -1 solid); returns how
  // many cells changed layer.
  long install_regime(const std::vector<std::int8_t>& next);

  double knudsen(std::size_t cell) const { return knudsen_[cell]; }
  const std::vector<double>& knudsen() const { return knudsen_; }
  // The first cell where the case's Knudsen number is not positive, as a message; "" if none.
  const std::string& knudsen_problem() const { return knudsen_problem_; }
  int forced(std::size_t cell) const { return forced_[cell]; }  // not_forced or a layer

  const std::vector<HaloRule>& halo_rules() const { return halo_rules_; }
  // The halo rules' indices by level: level 0 copies interior cells, level k ghosts of
  // level k - 1 (a second ghost layer or a corner). The rules of one level are
  // independent of each other, so each level may run in parallel after the one before.
  const std::vector<std::vector<std::size_t>>& halo_rule_levels() const { return halo_rule_levels_; }
  // The rule that fills `cell`, or nullptr for a cell that is not a ghost.
  const HaloRule* ghost_rule(std::size_t cell) const {
    return ghost_rule_[cell] < 0 ? nullptr : &halo_rules_[static_cast<std::size_t>(ghost_rule_[cell])];
  }
  // visit(c) for `cell` and, where it is a ghost, for the cells its values come from in
  // turn (a ghost may copy a ghost; a pressure or far-field ghost is made from its
  // source's values, so it is followed too; an inflow ghost reads none).
  template <class Visit>
  void for_each_source(std::size_t cell, Visit visit) const {
    for (;;) {
      visit(cell);
      const HaloRule* rule = ghost_rule(cell);
      if (!rule || rule->action == HaloAction::inflow) return;
      cell = rule->source;
    }
  }
  // "cell (i=3, j=0) at (x=0.35, y=0.01)" for messages; ghost cells have i or j outside the mesh.
  std::string describe(std::size_t cell) const;

  // The obstacle covering (x, y) at its current position, or nullptr.
  const Obstacle* obstacle_at(double x, double y) const;
  // Whether an obstacle moves after `step`; advance_obstacles moves those that do and
  // recomputes the forced layers.
  bool obstacles_due(long step) const;
  void advance_obstacles(long step);
  const std::vector<std::array<int, 2>>& obstacle_offsets() const { return offset_; }
  // Puts the obstacles at `offsets` (cells moved so far; a restart, docs/architecture.md
  // §10, or an obstacle move undone) and recomputes the forced layers; the regime map
  // follows with install_regime.
  void restore_obstacle_offsets(const std::vector<std::array<int, 2>>& offsets);

 private:
  void build_halo_rules();
  void compute_forced();
  bool near_diffuse_wall(int i, int j) const;  // within the band of a Maxwell wall
  bool covers_a_cell(std::size_t k) const;      // obstacle k, where it is now, covers a cell centre
  void ghosts_follow();
  const Case& case_;
  Mesh mesh_;
  std::vector<HaloRule> halo_rules_;
  std::vector<std::int64_t> ghost_rule_;  // index into halo_rules_ of each ghost cell, -1 elsewhere
  std::vector<std::vector<std::size_t>> halo_rule_levels_;
  std::vector<std::array<int, 2>> offset_;  // cells each obstacle has moved
  std::vector<std::uint8_t> left_mesh_;     // obstacles reported as having moved off the mesh
  std::vector<std::int8_t> forced_;
  std::vector<std::int8_t> regime_;
  std::vector<std::uint8_t> updated_;
  std::vector<std::size_t> updated_cells_, owned_cells_;
  std::vector<std::int32_t> owner_;
  int rank_ = 0;
  void list_owned();
  std::vector<double> knudsen_;
  std::string knudsen_problem_;
};

}  // namespace strata::core
