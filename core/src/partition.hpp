#pragma once
// The partition of a run over its MPI ranks (docs/architecture.md §11). Each rank owns
// a set of cells (Domain::owned) and computes only their stage values, collision
// stages and residuals, and the faces next to them; the kinetic store holds the
// distributions of its own kinetic cells and of the cells its kinetic stencils read.
//   - stage exchange: before the halo of each stage, the owners send the stage values
//     (and, for kinetic cells, the stage distributions) of the cells another rank's
//     stencils read; a face on a rank boundary is computed by both ranks from the same
//     values, so both get the same bits and conservation holds to round-off;
//   - halo: after a step each rank receives the owners' conserved variables of the
//     cells its stencils and its indicator frame read (exchange_halo); per-cell values
//     every rank needs (the distance to the Maxwellian of kinetic cells) are shared,
//     totals are summed and the outputs gathered on the root;
//   - balance: owners from Zoltan's recursive coordinate bisection weighted by each
//     layer's measured cost per cell-step, recomputed when the predicted imbalance
//     passes a threshold; distributions migrate with their cells.
// With one rank every cell is owned and every exchange is empty.
#include <array>
#include <cstdint>
#include <exception>
#include <vector>

#include "domain.hpp"
#include "gas.hpp"
#include "kinetic_store.hpp"
#include "transport.hpp"

namespace strata::core {

// Seconds per cell-step of each layer: what a cell weighs in the partition.
using LayerCost = std::array<double, 3>;

class Partition {
 public:
  Partition(Domain& domain, const Gas& gas, KineticStore& store, Transport& transport);

  // A priori costs per cell-step (layer 0: one Euler cell; kinetic layers: from the
  // points of the velocity grid), used until the run has measured its own.
  LayerCost prior_cost() const;
  // Owners for the current regime map, then the faces, an empty kinetic store and the
  // exchange plan for them (set-up and restart: no distribution to keep).
  void assign(const LayerCost& cost);
  // Throws RunError on every rank where there are more ranks than cells to update.
  void check_rank_count() const;
  // During a run: new owners when the predicted imbalance exceeds `threshold`; the
  // conserved variables U and the distributions of cells that change owner move with
  // them. Returns whether the owners changed.
  bool rebalance(const LayerCost& cost, double threshold, std::vector<double>& U);
  // After every change of the regime map (faces classified, store laid out).
  void plan();
  // Max over mean of the ranks' Σ cost of their cells (1 with one rank), for the
  // current owners or for `owners`.
  double imbalance(const LayerCost& cost) const { return imbalance(cost, domain_.owners()); }
  double imbalance(const LayerCost& cost, const std::vector<std::int32_t>& owners) const;

  // Every rank agrees on `error` (ranks::agree), then receives the stage values Y and
  // the store's stage distributions of the cells its stencils read from their owners.
  void exchange_stage(std::vector<double>& Y, std::exception_ptr error);
  // The cells whose stage values Y this rank sends in exchange_stage, or those of them
  // whose stage distributions go too.
  enum class Sent { values, distributions };
  std::vector<std::size_t> cells_sent(Sent what) const;
  // The same for the conserved variables alone, after a step: the cells a rank's
  // stencils and the indicator read (one and two cells along the axes) are current.
  void exchange_halo(std::vector<double>& U, std::exception_ptr error);
  // The root receives `values` (width per stored cell) of every interior cell from its
  // owner (outputs, checkpoints); the other ranks keep theirs.
  void gather_to_root(std::vector<double>& values, int width) const;
  // Every rank agrees on `error`, then `values` (width per stored cell) of every
  // kinetic cell takes its owner's values.
  void share_kinetic(std::vector<double>& values, int width, std::exception_ptr error) const;
  // The rectangle of interior cells [i0, i1) x [j0, j1) each rank owns (ranks without
  // cells left out), for parallel snapshots; empty when the ranks' cells are not
  // rectangles (then one file holds the whole mesh).
  std::vector<std::array<int, 4>> pieces() const;
  // The rectangle [i0, i1) x [j0, j1) of this rank's cells when every rank's cells
  // form one (RCB), else the whole mesh.
  std::array<int, 4> own_rectangle() const;
  // Bytes this rank has sent so far: stage exchanges, sharing, migration.
  struct Traffic {
    double stage = 0, share = 0, migration = 0;
  };
  const Traffic& traffic() const { return traffic_; }

 private:
  std::vector<std::int32_t> zoltan_owners(const LayerCost& cost) const;
  // The plan's exchange of Y (nvar per cell) and, when `distributions`, stage values.
  void exchange(std::vector<double>& Y, bool distributions);
  Domain& domain_;
  const Gas& gas_;
  KineticStore& store_;
  Transport& transport_;
  // Per rank r: the cells this rank receives from r, the cells it sends to r, each
  // with whether its distribution travels too.
  struct Link {
    std::vector<std::size_t> cells;
    std::vector<std::uint8_t> with_f;
  };
  std::vector<Link> receive_, send_;
  mutable Traffic traffic_;
};

}  // namespace strata::core
