#include "regime_controller.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "strata/toolkit/parallel.hpp"
#include "ranks.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {

RegimeController::RegimeController(const Case& c, Domain& domain, const Gas& gas, const Coupling& coupling,
                                   MacroState& state, KineticStore& store, Transport& transport,
                                   Partition& partition, PluginObject<sdk::Indicator> indicator,
                                   PluginObject<sdk::CollisionModel> transport_model)
    : case_(c), domain_(domain), gas_(gas), coupling_(coupling), state_(state), store_(store),
      transport_(transport), partition_(partition), indicator_(std::move(indicator)), transport_model_(std::move(transport_model)) {}

// The indicator's inputs on this rank: primitive fields of the cells of `box` and of a
// frame of halo width around it (from the shared state), transport coefficients there
// where the indicator reads them, distances of this rank's kinetic cells.
RegimeController::Inputs RegimeController::inputs(unsigned needs, const std::array<int, 4>& box) const {
  const Mesh& m = domain_.mesh();
  const std::size_t n = m.n_stored();
  const int nvar = gas_.n_vars();
  const auto& layout = gas_.layout();
  std::vector<std::size_t> frame;
  if (box[1] > box[0] && box[3] > box[2])
    for (int j = box[2] - m.halo; j < box[3] + m.halo; ++j)
      for (int i = box[0] - m.halo; i < box[1] + m.halo; ++i) frame.push_back(m.index(i, j));
  Inputs x;
  std::vector<double> W(frame.size() * nvar);
  for (auto* v : {&x.rho, &x.ux, &x.uy, &x.uz, &x.T}) v->assign(n, 0.0);
  toolkit::parallel_for(frame.size(), toolkit::Schedule::static_chunks, [&](std::size_t k) {
    const std::size_t c = frame[k];
    double* w = &W[k * nvar];
    try {
      gas_.to_primitive(domain_.layer(c), state_.cell(c), w);
    } catch (...) {
      rethrow_with_context(domain_.describe(c));
    }
    x.rho[c] = 0;
    for (int s = 0; s < layout.n_species; ++s) x.rho[c] += w[s];
    x.ux[c] = w[layout.velocity(0)];
    x.uy[c] = w[layout.velocity(1)];
    x.uz[c] = w[layout.velocity(2)];
    x.T[c] = w[layout.temperature()];
  });
  if (needs & sdk::indicator_input::transport_coefficients) {
    std::vector<double> mu(frame.size()), kappa(frame.size());
    const auto rows = static_cast<std::int64_t>(frame.size());
    transport_model_.call("transport_coefficients", [&] {
      return transport_model_->transport_coefficients({W.data(), rows, nvar, nvar}, mu.data(), kappa.data());
    });
    x.mu.assign(n, 0.0);
    x.kappa.assign(n, 0.0);
    for (std::size_t k = 0; k < frame.size(); ++k) {
      if (!(std::isfinite(mu[k]) && mu[k] > 0 && std::isfinite(kappa[k]) && kappa[k] > 0))
        throw PluginError("plugin '" + transport_model_.name() + "', transport_coefficients: viscosity " +
                          toolkit::format_number(mu[k]) + " and conductivity " + toolkit::format_number(kappa[k]) +
                          " for " + domain_.describe(frame[k]) + " (rho = " + toolkit::format_number(x.rho[frame[k]]) +
                          ", T = " + toolkit::format_number(x.T[frame[k]]) + "); both must be finite and positive");
      x.mu[frame[k]] = mu[k];
      x.kappa[frame[k]] = kappa[k];
    }
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian) x.distance = distance_to_maxwellian(x.rho);
  return x;
}

// Each rank asks the indicator about its own rectangle of cells (the whole mesh with
// one rank, or when the ranks' cells are not rectangles), reading a frame of halo
// width around it: the indicators' stencils reach one cell (toolkit/stencils.hpp), so
// every cell gets the proposal it would get on one rank. The proposals are then shared
// and every rank installs the same map.
void RegimeController::update() {
  const Mesh& m = domain_.mesh();
  const unsigned needs = indicator_.ask("inputs", [&] { return indicator_->inputs(); });
  box_ = partition_.own_rectangle();
  const int w = box_[1] - box_[0], h = box_[3] - box_[2];
  // Every rank learns of an error on any before the proposal; the distances of other
  // ranks' kinetic cells arrive with the same agreement (the frame may hold some).
  Inputs x;
  std::exception_ptr error;
  try {
    x = inputs(needs, box_);
  } catch (...) {
    error = std::current_exception();
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian)
    partition_.share_kinetic(x.distance, 1, error);
  else
    ranks::agree(error);
  // Arrays seen from the rectangle's first cell: interior cell (i, j) of the view is
  // mesh cell (box_[0] + i, box_[2] + j).
  const std::ptrdiff_t o = static_cast<std::ptrdiff_t>(m.index(box_[0], box_[2]) - m.index(0, 0));
  sdk::IndicatorInput in;
  in.nx = w;
  in.ny = h;
  in.halo = m.halo;
  in.stride = m.sx();
  in.dx = m.dx;
  in.dy = m.dy;
  in.rho = x.rho.data() + o;
  in.ux = x.ux.data() + o;
  in.uy = x.uy.data() + o;
  in.uz = x.uz.data() + o;
  in.T = x.T.data() + o;
  in.knudsen = domain_.knudsen().data() + o;
  if (needs & sdk::indicator_input::transport_coefficients) {
    in.viscosity = x.mu.data() + o;
    in.conductivity = x.kappa.data() + o;
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian) in.distance_to_maxwellian = x.distance.data() + o;
  in.regime = domain_.regime().data() + o;
  const int n_diag = indicator_.ask("n_diagnostics", [&] { return indicator_->n_diagnostics(); });
  diagnostics_.assign(n_diag, std::vector<double>(static_cast<std::size_t>(w) * h, 0.0));
  std::vector<double*> diag(n_diag);
  for (int k = 0; k < n_diag; ++k) diag[k] = diagnostics_[k].data();
  std::vector<std::int8_t> proposal(static_cast<std::size_t>(w) * h);
  ranks::agreed(
      [&] { indicator_.call("propose", [&] { return indicator_->propose(in, proposal.data(), diag.data()); }); });
  // Each rank's cells that change layer (forced layers win over the proposal; solid
  // cells stay solid), as (cell, layer) pairs for every rank: the same map everywhere.
  // A gas cell's proposal is a layer, 0, 1 or 2 (solid cells' entries are not read).
  std::vector<std::int64_t> changes;
  ranks::agreed([&] {
    for (int j = 0; j < h; ++j)
      for (int i = 0; i < w; ++i) {
        const std::size_t c = m.index(box_[0] + i, box_[2] + j);
        if (!domain_.owned(c)) continue;
        const std::int8_t p = proposal[static_cast<std::size_t>(j) * w + i];
        if (p < 0 || p > 2)
          throw PluginError("plugin '" + indicator_.name() + "', propose: layer " + std::to_string(p) + " for " +
                            domain_.describe(c) + "; a gas cell's proposal is 0, 1 or 2");
        const int layer = domain_.forced(c) >= 0 ? domain_.forced(c) : p;
        if (layer != domain_.layer(c)) changes.insert(changes.end(), {static_cast<std::int64_t>(c), layer});
      }
  });
  changes = ranks::all_gather(changes);
  std::vector<std::int8_t> next(domain_.regime());
  for (std::size_t k = 0; k + 1 < changes.size(); k += 2)
    next[static_cast<std::size_t>(changes[k])] = static_cast<std::int8_t>(changes[k + 1]);
  install(next);
}

NamedFields RegimeController::indicator_fields() const {
  const Mesh& m = domain_.mesh();
  NamedFields out;
  if (!indicator_) return out;
  // Each rank's rectangle of the last proposal and its diagnostic values, to the root
  // (the owners may have changed since: the rectangles are those of the proposal).
  const std::size_t n_diag = diagnostics_.size();
  std::vector<double> mine(box_.begin(), box_.end());
  for (std::size_t q = 0; q < (n_diag ? diagnostics_[0].size() : 0); ++q)
    for (std::size_t k = 0; k < n_diag; ++k) mine.push_back(diagnostics_[k][q]);
  const std::vector<double> all = ranks::gather_to_root(mine);
  if (!ranks::root()) return out;
  for (std::size_t k = 0; k < n_diag; ++k)
    out.emplace_back(indicator_.ask("diagnostic_name", [&] { return indicator_->diagnostic_name(static_cast<int>(k)); }),
                     std::vector<double>(m.n_interior(), 0.0));
  for (std::size_t at = 0; at + 4 <= all.size();) {
    const int i0 = static_cast<int>(all[at]), i1 = static_cast<int>(all[at + 1]);
    const int j0 = static_cast<int>(all[at + 2]), j1 = static_cast<int>(all[at + 3]);
    at += 4;
    for (int j = j0; j < j1; ++j)
      for (int i = i0; i < i1; ++i, at += n_diag)
        for (std::size_t k = 0; k < n_diag; ++k) out[k].second[static_cast<std::size_t>(j) * m.nx + i] = all[at + k];
  }
  return out;
}

// ||f - M[f]||_L1 / rho in this rank's kinetic cells (paper eq. 3.21), NaN elsewhere.
std::vector<double> RegimeController::distance_to_maxwellian(const std::vector<double>& rho) const {
  std::vector<double> distance(rho.size(), std::numeric_limits<double>::quiet_NaN());
  const std::size_t nf = store_.values_per_cell();
  const double dv = coupling_.grid().cell_volume();
  toolkit::parallel_for(store_.n_kinetic(), toolkit::Schedule::dynamic, [&] { return std::vector<double>(nf); },
               [&](std::size_t slot, std::vector<double>& M) {
                 const std::size_t cell = store_.slot_cell(slot);
                 try {
                   coupling_.reconstruct(state_.cell(cell), M.data());
                 } catch (...) {
                   rethrow_with_context("indicator input (distance to the Maxwellian), " + domain_.describe(cell));
                 }
                 const double* f = store_.f(slot);
                 double d = 0;
                 for (std::size_t k = 0; k < nf; ++k) d += std::abs(f[k] - M[k]);
                 distance[cell] = d * dv / rho[cell];
               });
  return distance;
}

void RegimeController::install(const std::vector<std::int8_t>& next) {
  if (!domain_.differs(next)) return;
  const std::vector<std::int8_t> before = domain_.regime();
  const long switched = domain_.install_regime(next);
  transport_.classify_faces();
  try {
    store_.relayout(domain_, transport_.faces(), state_.values(), gas_.n_vars());
  } catch (...) {  // the velocity grid cannot hold a new kinetic cell: keep the old map
    domain_.install_regime(before);
    transport_.classify_faces();
    throw;
  }
  partition_.plan();
  switches_ += switched;
  store_.project_to(store_.f(), state_.values(), gas_.n_vars());
  partition_.exchange_halo(state_.values(), nullptr);  // the neighbours' projected states
}

// Obstacles that move by whole cells (paper test 3): cells they cover become solid with
// the obstacle's state, cells they leave take the state of the obstacle that left them
// as gas, in the layer of the mode (hybrid: the band layer).
void RegimeController::move_obstacles(long step, double dt, Totals& exchange) {
  if (!domain_.obstacles_due(step)) return;
  // A move that cannot be completed (a freed cell's state the velocity grid cannot
  // hold) leaves the obstacles, the states, the exchanges and the loads as they were.
  const auto offsets = domain_.obstacle_offsets();
  state_.keep();
  std::vector<Totals> moved;
  try {
    moved = carve_and_free(step);
  } catch (...) {
    state_.restore();
    domain_.restore_obstacle_offsets(offsets);
    throw;
  }
  for (std::size_t k = 0; k < moved.size(); ++k) {
    for (int q = 0; q < 5; ++q) exchange[q] += moved[k][q];
    transport_.loads().add_move(k, moved[k], dt);
  }
}

std::vector<Totals> RegimeController::carve_and_free(long step) {
  const Mesh& m = domain_.mesh();
  std::vector<const Obstacle*> covered_by(m.n_stored(), nullptr);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) covered_by[m.index(i, j)] = domain_.obstacle_at(m.xc(i), m.yc(j));
  domain_.advance_obstacles(step);
  std::vector<std::int8_t> next(domain_.regime());
  // Freed cells join the band's layer in hybrid runs (the initial layer without a band).
  const int mode_layer = fixed_layer(case_.mode).value_or(case_.band > 0 ? case_.band_layer : case_.initial_layer);
  const double area = m.dx * m.dy;
  const auto& layout = gas_.layout();
  // Per obstacle, by the owners of the cells, summed over ranks below.
  std::vector<Totals> moved(case_.obstacles.size(), Totals{});
  auto account = [&](const Obstacle* o, std::size_t c, const double* U, double sign) {
    if (domain_.owner(c) == ranks::rank())
      add_to_totals(layout, U, sign * area, moved[static_cast<std::size_t>(o - case_.obstacles.data())]);
  };
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      const Obstacle* o = domain_.obstacle_at(m.xc(i), m.yc(j));
      const bool was_solid = domain_.layer(c) < 0;
      double* U = state_.cell(c);
      const std::string where = "/obstacles/";
      if (o && !was_solid) {  // covered: its gas leaves the domain
        account(o, c, U, -1.0);
        const auto W = gas_.evaluate(o->state, m.xc(i), m.yc(j), where + std::to_string(o - case_.obstacles.data()));
        gas_.to_conserved(solid, W.data(), U);
        next[c] = solid;
      } else if (!o && was_solid) {  // freed: gas in the state of the obstacle that left
        const Obstacle* mover = covered_by[c];
        const auto W = gas_.evaluate(mover->state, m.xc(i), m.yc(j), where + std::to_string(mover - case_.obstacles.data()));
        gas_.to_conserved(0, W.data(), U);
        account(mover, c, U, 1.0);
        next[c] = static_cast<std::int8_t>(domain_.forced(c) >= 0 ? domain_.forced(c) : mode_layer);
      } else if (!o && domain_.forced(c) >= 0) {
        next[c] = static_cast<std::int8_t>(domain_.forced(c));
      }
    }
  for (Totals& t : moved) ranks::sum(t.data(), 5);
  install(next);
  state_.fill_halo(state_.values());
  return moved;
}

}  // namespace strata::core
