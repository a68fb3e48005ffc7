#include "regime_controller.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.hpp"
#include "ranks.hpp"

namespace strata::core {

RegimeController::RegimeController(const Case& c, Domain& domain, const Gas& gas, const Coupling& coupling,
                                   MacroState& state, KineticStore& store, Transport& transport,
                                   Partition& partition, PluginObject<sdk::Indicator> indicator,
                                   PluginObject<sdk::CollisionModel> transport_model)
    : case_(c), domain_(domain), gas_(gas), coupling_(coupling), state_(state), store_(store),
      transport_(transport), partition_(partition), indicator_(std::move(indicator)), transport_model_(std::move(transport_model)) {}

// The indicator's inputs on this rank: primitive fields of every stored cell (from the
// shared state), transport coefficients and distances where the indicator reads them
// (distances: this rank's kinetic cells only).
RegimeController::Inputs RegimeController::inputs(unsigned needs) const {
  const std::size_t n = domain_.mesh().n_stored();
  const int nvar = gas_.n_vars();
  const auto& layout = gas_.layout();
  Inputs x;
  x.W.resize(n * nvar);
  for (auto* v : {&x.rho, &x.ux, &x.uy, &x.uz, &x.T}) v->resize(n);
  parallel_for(n, Schedule::static_chunks, [&](std::size_t c) {
    double* w = &x.W[c * nvar];
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
    x.mu.resize(n);
    x.kappa.resize(n);
    const auto rows = static_cast<std::int64_t>(n);
    transport_model_.call("transport_coefficients", [&] {
      return transport_model_->transport_coefficients({x.W.data(), rows, nvar, nvar}, x.mu.data(), x.kappa.data());
    });
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian) x.distance = distance_to_maxwellian(x.rho);
  return x;
}

void RegimeController::update() {
  const Mesh& m = domain_.mesh();
  const unsigned needs = indicator_->inputs();
  // Every rank learns of an error on any before the proposal; the distances of other
  // ranks' kinetic cells arrive with the same agreement.
  Inputs x;
  std::exception_ptr error;
  try {
    x = inputs(needs);
  } catch (...) {
    error = std::current_exception();
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian)
    partition_.share(x.distance, 1, error, Partition::Cells::kinetic);
  else
    ranks::agree(error);
  sdk::IndicatorInput in;
  in.nx = m.nx;
  in.ny = m.ny;
  in.halo = m.halo;
  in.stride = m.sx();
  in.dx = m.dx;
  in.dy = m.dy;
  in.rho = x.rho.data();
  in.ux = x.ux.data();
  in.uy = x.uy.data();
  in.uz = x.uz.data();
  in.T = x.T.data();
  in.knudsen = domain_.knudsen().data();
  if (needs & sdk::indicator_input::transport_coefficients) {
    in.viscosity = x.mu.data();
    in.conductivity = x.kappa.data();
  }
  if (needs & sdk::indicator_input::distance_to_maxwellian) in.distance_to_maxwellian = x.distance.data();
  in.regime = domain_.regime().data();
  const int n_diag = indicator_->n_diagnostics();
  indicator_fields_.resize(n_diag);
  std::vector<double*> diag(n_diag);
  for (int k = 0; k < n_diag; ++k) {
    indicator_fields_[k].first = indicator_->diagnostic_name(k);
    indicator_fields_[k].second.assign(m.n_interior(), 0.0);
    diag[k] = indicator_fields_[k].second.data();
  }
  std::vector<std::int8_t> proposal(m.n_interior());
  ranks::agreed(
      [&] { indicator_.call("propose", [&] { return indicator_->propose(in, proposal.data(), diag.data()); }); });
  std::vector<std::int8_t> next(domain_.regime());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      if (domain_.layer(c) < 0) continue;  // solid cells stay solid
      const std::int8_t p = proposal[static_cast<std::size_t>(j) * m.nx + i];
      next[c] = domain_.forced(c) >= 0 ? static_cast<std::int8_t>(domain_.forced(c)) : std::clamp<std::int8_t>(p, 0, 2);
    }
  install(next);
}

// ||f - M[f]||_L1 / rho in this rank's kinetic cells (paper eq. 3.21), NaN elsewhere.
std::vector<double> RegimeController::distance_to_maxwellian(const std::vector<double>& rho) const {
  std::vector<double> distance(rho.size(), std::numeric_limits<double>::quiet_NaN());
  const std::size_t nf = store_.values_per_cell();
  const double dv = coupling_.grid().cell_volume();
  parallel_for(store_.n_kinetic(), Schedule::dynamic, [&] { return std::vector<double>(nf); },
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
  partition_.share(state_.values(), gas_.n_vars());
}

// Obstacles that move by whole cells (paper test 3): cells they cover become solid with
// the obstacle's state, cells they leave take the state of the obstacle that left them
// as gas, in the layer of the mode (hybrid: the band layer).
void RegimeController::move_obstacles(long step, Totals& exchange) {
  if (!domain_.obstacles_due(step)) return;
  // A move that cannot be completed (a freed cell's state the velocity grid cannot
  // hold) leaves the obstacles, the states and the exchanges as they were.
  const auto offsets = domain_.obstacle_offsets();
  const Totals exchange_before = exchange;
  state_.keep();
  try {
    carve_and_free(step, exchange);
  } catch (...) {
    state_.restore();
    exchange = exchange_before;
    domain_.restore_obstacle_offsets(offsets);
    throw;
  }
}

void RegimeController::carve_and_free(long step, Totals& exchange) {
  const Mesh& m = domain_.mesh();
  std::vector<const Obstacle*> covered_by(m.n_stored(), nullptr);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) covered_by[m.index(i, j)] = domain_.obstacle_at(m.xc(i), m.yc(j));
  domain_.advance_obstacles(step);
  std::vector<std::int8_t> next(domain_.regime());
  // Freed cells join the band's layer in hybrid runs (the initial layer without a band).
  const int mode_layer = case_.mode != RegimeMode::hybrid ? static_cast<int>(case_.mode) - 1
                         : case_.band > 0                 ? case_.band_layer
                                                          : case_.initial_layer;
  const double area = m.dx * m.dy;
  const auto& layout = gas_.layout();
  auto account = [&](const double* U, double sign) {
    for (int s = 0; s < layout.n_species; ++s) exchange[0] += sign * U[s] * area;
    for (int d = 0; d < 3; ++d) exchange[1 + d] += sign * U[layout.momentum(d)] * area;
    exchange[4] += sign * U[layout.energy()] * area;
  };
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      const Obstacle* o = domain_.obstacle_at(m.xc(i), m.yc(j));
      const bool was_solid = domain_.layer(c) < 0;
      double* U = state_.cell(c);
      const std::string where = "/obstacles/";
      if (o && !was_solid) {  // covered: its gas leaves the domain
        account(U, -1.0);
        const auto W = gas_.evaluate(o->state, m.xc(i), m.yc(j), where + std::to_string(o - case_.obstacles.data()));
        gas_.to_conserved(solid, W.data(), U);
        next[c] = solid;
      } else if (!o && was_solid) {  // freed: gas in the state of the obstacle that left
        const Obstacle* mover = covered_by[c];
        const auto W = gas_.evaluate(mover->state, m.xc(i), m.yc(j), where + std::to_string(mover - case_.obstacles.data()));
        gas_.to_conserved(0, W.data(), U);
        account(U, 1.0);
        next[c] = static_cast<std::int8_t>(domain_.forced(c) >= 0 ? domain_.forced(c) : mode_layer);
      } else if (!o && domain_.forced(c) >= 0) {
        next[c] = static_cast<std::int8_t>(domain_.forced(c));
      }
    }
  install(next);
  state_.fill_halo(state_.values());
}

}  // namespace strata::core
