#include "domain.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include <spdlog/spdlog.h>

#include "diagnostics.hpp"
#include "engine_types.hpp"
#include "ranks.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {

namespace {
// Even-odd rule; points on an edge are inside, as for the other shapes.
bool inside_polygon(const std::vector<std::array<double, 2>>& v, double x, double y) {
  bool in = false;
  for (std::size_t a = 0, b = v.size() - 1; a < v.size(); b = a++) {
    const auto &p = v[a], &q = v[b];
    const double cross = (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
    if (cross == 0 && std::min(p[0], q[0]) <= x && x <= std::max(p[0], q[0]) && std::min(p[1], q[1]) <= y &&
        y <= std::max(p[1], q[1]))
      return true;
    if ((p[1] > y) != (q[1] > y) && x < p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1])) in = !in;
  }
  return in;
}

bool inside(const Obstacle& o, double x, double y) {
  switch (o.shape) {
    case Obstacle::Shape::circle: return std::hypot(x - o.center[0], y - o.center[1]) <= o.radius;
    case Obstacle::Shape::polygon: return inside_polygon(o.vertices, x, y);
    case Obstacle::Shape::rectangle: break;
  }
  return x >= o.x[0] && x <= o.x[1] && y >= o.y[0] && y <= o.y[1];
}
}  // namespace

Domain::Domain(const Case& c) : case_(c) {
  mesh_ = {c.nx, c.ny, 2, c.x[0], c.y[0], (c.x[1] - c.x[0]) / c.nx, (c.y[1] - c.y[0]) / c.ny};
  build_halo_rules();
  const Mesh& m = mesh_;
  regime_.assign(m.n_stored(), 0);
  updated_.assign(m.n_stored(), 0);
  knudsen_.assign(m.n_stored(), 1.0);
  offset_.assign(case_.obstacles.size(), {0, 0});
  compute_forced();
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const double x = m.xc(i), y = m.yc(j);
      const std::size_t c = m.index(i, j);
      knudsen_[c] = case_.knudsen.eval(x, y);
      if (!(knudsen_[c] > 0)) {  // reported with the set-up's other problems (the first such cell)
        if (knudsen_problem_.empty())
          knudsen_problem_ = case_.file.string() + ": /knudsen: must be positive, is " +
                             toolkit::format_number(knudsen_[c]) + " at (x=" + toolkit::format_number(x) +
                             ", y=" + toolkit::format_number(y) + ")";
        knudsen_[c] = 1.0;  // a stand-in: the set-up stops before any step
      }
      int layer = fixed_layer(case_.mode).value_or(case_.initial_layer);
      if (forced_[c] != not_forced) layer = forced_[c];
      if (obstacle_at(x, y)) layer = solid;
      regime_[c] = static_cast<std::int8_t>(layer);
      updated_[c] = layer >= 0;
      if (layer >= 0) updated_cells_.push_back(c);
    }
  ghosts_follow();
  // An obstacle that misses every cell centre does nothing (unless it moves, when it may
  // enter the mesh later): said, not silently ignored; a mesh with no gas cell left has
  // nothing to compute.
  left_mesh_.assign(case_.obstacles.size(), 0);
  for (std::size_t k = 0; k < case_.obstacles.size(); ++k)
    if (!covers_a_cell(k))
      warn_once(case_.file.string() + ": /obstacles/" + std::to_string(k) + " covers no cell centre of the mesh" +
                (case_.obstacles[k].move_every > 0 ? " at t = 0: it acts only once its moves bring it onto the mesh"
                                                    : ": it has no effect"));
  if (updated_cells_.empty())
    throw CaseError({case_.file.string() + ": /obstacles cover every cell of the mesh: there is no gas to compute"});
  // Until the partition assigns owners: blocks of whole rows, in rank order.
  owner_.assign(m.n_stored(), -1);
  rank_ = ranks::rank();
  const auto P = static_cast<std::size_t>(ranks::size());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i)
      owner_[m.index(i, j)] = static_cast<std::int32_t>((static_cast<std::size_t>(j) * m.nx + i) * P / m.n_interior());
  list_owned();
}

void Domain::set_owners(std::vector<std::int32_t> owner, int rank) {
  owner_ = std::move(owner);
  rank_ = rank;
  list_owned();
}

void Domain::list_owned() {
  owned_cells_.clear();
  for (const std::size_t c : updated_cells_)
    if (owner_[c] == rank_) owned_cells_.push_back(c);
}

std::array<long, 3> Domain::layer_counts() const {
  std::array<long, 3> n{};
  for (const std::size_t c : updated_cells_) ++n[regime_[c]];
  return n;
}

// Ghost cells take their value from a source cell: x sides first over interior rows,
// then y sides over full rows, so corners are defined too.
void Domain::build_halo_rules() {
  const Mesh& m = mesh_;
  auto add = [&](int gi, int gj, int si, int sj, HaloAction a, Side side) {
    halo_rules_.push_back({m.index(gi, gj), m.index(si, sj), a, side});
  };
  auto rule = [&](Side side, int g, int j_or_i, bool x_side) {
    const int n = x_side ? m.nx : m.ny;
    const bool low = side == left || side == bottom;
    const int k = low ? -1 - g : n + g;  // ghost position
    int src = low ? 0 : n - 1;
    HaloAction action = HaloAction::copy;
    switch (case_.boundary[side].kind) {
      case BoundaryKind::outflow: break;
      case BoundaryKind::periodic: src = low ? n + k : k - n; break;
      case BoundaryKind::reflective:
      case BoundaryKind::wall:  // fluid cells: slip; kinetic ghosts re-emit (Transport)
        src = low ? -1 - k : 2 * n - 1 - k;
        action = x_side ? HaloAction::reflect_x : HaloAction::reflect_y;
        break;
      case BoundaryKind::inflow: action = HaloAction::inflow; break;
      case BoundaryKind::pressure: action = HaloAction::pressure; break;  // from the cell beside the side
      case BoundaryKind::farfield: action = HaloAction::farfield; break;  // from it and the free stream
    }
    if (x_side) add(k, j_or_i, src, j_or_i, action, side);
    else add(j_or_i, k, j_or_i, src, action, side);
  };
  ghost_rule_.assign(m.n_stored(), -1);
  for (int g = 0; g < m.halo; ++g)
    for (int j = 0; j < m.ny; ++j) {
      rule(left, g, j, true);
      rule(right, g, j, true);
    }
  for (int g = 0; g < m.halo; ++g)
    for (int i = -m.halo; i < m.nx + m.halo; ++i) {
      rule(bottom, g, i, false);
      rule(top, g, i, false);
    }
  for (std::size_t r = 0; r < halo_rules_.size(); ++r) ghost_rule_[halo_rules_[r].ghost] = static_cast<std::int64_t>(r);
  for (std::size_t r = 0; r < halo_rules_.size(); ++r) {
    std::size_t level = 0;  // the ghosts between the rule's source and the interior
    if (halo_rules_[r].action != HaloAction::inflow)
      for_each_source(halo_rules_[r].source, [&](std::size_t c) { level += ghost_rule_[c] >= 0; });
    if (level >= halo_rule_levels_.size()) halo_rule_levels_.resize(level + 1);
    halo_rule_levels_[level].push_back(r);
  }
}

std::string Domain::describe(std::size_t cell) const {
  const auto [i, j] = mesh_.ij(cell);
  std::ostringstream s;
  s << "cell (i=" << i << ", j=" << j << ") at (x=" << mesh_.xc(i) << ", y=" << mesh_.yc(j) << ")";
  return s.str();
}

bool Domain::covers_a_cell(std::size_t k) const {
  const Obstacle& o = case_.obstacles[k];
  for (int j = 0; j < mesh_.ny; ++j)
    for (int i = 0; i < mesh_.nx; ++i)
      if (inside(o, mesh_.xc(i) - offset_[k][0] * mesh_.dx, mesh_.yc(j) - offset_[k][1] * mesh_.dy)) return true;
  return false;
}

const Obstacle* Domain::obstacle_at(double x, double y) const {
  for (std::size_t k = 0; k < case_.obstacles.size(); ++k)
    if (inside(case_.obstacles[k], x - offset_[k][0] * mesh_.dx, y - offset_[k][1] * mesh_.dy))
      return &case_.obstacles[k];
  return nullptr;
}

// Forced layers: in hybrid runs a band of regime.band cells around every obstacle,
// and one of the wall's `band` cells along every Maxwell wall with accommodation > 0,
// is held in regime.band_layer (the paper: 2 cells in layer 2), and the
// regime.regions hold theirs.
void Domain::compute_forced() {
  const Mesh& m = mesh_;
  forced_.assign(m.n_stored(), not_forced);
  if (case_.mode != RegimeMode::hybrid) return;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      for (const auto& f : case_.forced)
        if (f.where.eval(m.xc(i), m.yc(j)) != 0.0) forced_[c] = static_cast<std::int8_t>(f.layer);
      if (near_diffuse_wall(i, j)) forced_[c] = static_cast<std::int8_t>(case_.band_layer);
      if (case_.band == 0 || obstacle_at(m.xc(i), m.yc(j))) continue;
      for (int dj = -case_.band; dj <= case_.band; ++dj)
        for (int di = -case_.band; di <= case_.band; ++di)
          if (m.interior(i + di, j + dj) && obstacle_at(m.xc(i + di), m.yc(j + dj)))
            forced_[c] = static_cast<std::int8_t>(case_.band_layer);
    }
}

bool Domain::near_diffuse_wall(int i, int j) const {
  const int distance[4] = {i, mesh_.nx - 1 - i, j, mesh_.ny - 1 - j};  // cells from left, right, bottom, top
  for (int s = 0; s < 4; ++s) {
    const Boundary& b = case_.boundary[s];
    if (b.kind == BoundaryKind::wall && b.wall.accommodation > 0 && distance[s] < b.wall.band) return true;
  }
  return false;
}

void Domain::ghosts_follow() {
  for (const HaloRule& r : halo_rules_) regime_[r.ghost] = r.copies() ? regime_[r.source] : 0;
}

std::vector<std::int8_t> Domain::interior_regime() const {
  std::vector<std::int8_t> out;
  out.reserve(mesh_.n_interior());
  for (int j = 0; j < mesh_.ny; ++j)
    for (int i = 0; i < mesh_.nx; ++i) out.push_back(regime_[mesh_.index(i, j)]);
  return out;
}

bool Domain::differs(const std::vector<std::int8_t>& next) const {
  for (int j = 0; j < mesh_.ny; ++j)
    for (int i = 0; i < mesh_.nx; ++i)
      if (next[mesh_.index(i, j)] != regime_[mesh_.index(i, j)]) return true;
  return false;
}

long Domain::install_regime(const std::vector<std::int8_t>& next) {
  const Mesh& m = mesh_;
  long switched = 0;
  updated_cells_.clear();
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      switched += next[c] != regime_[c];
      regime_[c] = next[c];
      updated_[c] = regime_[c] >= 0;
      if (updated_[c]) updated_cells_.push_back(c);
    }
  ghosts_follow();
  list_owned();
  return switched;
}

namespace {
bool moves_after(const Obstacle& o, long step) { return o.move_every > 0 && step % o.move_every == 0; }
}  // namespace

bool Domain::obstacles_due(long step) const {
  for (const Obstacle& o : case_.obstacles)
    if (moves_after(o, step)) return true;
  return false;
}

void Domain::restore_obstacle_offsets(const std::vector<std::array<int, 2>>& offsets) {
  if (offsets.size() != offset_.size()) throw std::logic_error("restore_obstacle_offsets: one offset per obstacle");
  offset_ = offsets;
  compute_forced();
}

void Domain::advance_obstacles(long step) {
  for (std::size_t k = 0; k < case_.obstacles.size(); ++k) {
    const Obstacle& o = case_.obstacles[k];
    if (!moves_after(o, step)) continue;
    offset_[k][0] += o.move_cells[0];
    offset_[k][1] += o.move_cells[1];
    if (!left_mesh_[k] && !covers_a_cell(k)) {
      left_mesh_[k] = 1;
      if (ranks::root())
        spdlog::warn("{}: /obstacles/{} has moved off the mesh after step {}: it no longer acts on the flow",
                     case_.file.string(), k, step);
    }
  }
  compute_forced();
}

}  // namespace strata::core
