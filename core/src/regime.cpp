// The regime map in time (DESIGN §3 steps 1, 2 and 4; paper Algorithm 1 and §4.5):
// the indicator proposes the next map from the state at t^n, forced layers override,
// cells that change layer convert their state, storage and face lists follow, and
// obstacles that move by whole cells carve and free cells.
#include <algorithm>
#include <cmath>
#include <limits>

#include "solver.hpp"
#include "strata/toolkit/maxwellian.hpp"

namespace strata::core {

void Simulation::update_regime() {
  const Mesh& m = mesh_;
  const std::size_t n = m.n_stored();
  const int S = layout_.n_species;
  std::vector<double> W(n * nvar_), rho(n), ux(n), uy(n), uz(n), T(n), mu(n), kappa(n);
  std::vector<double> distance(n, std::numeric_limits<double>::quiet_NaN());
#pragma omp parallel for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    double* w = &W[c * nvar_];
    toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, &U_[c * nvar_], w);
    rho[c] = 0;
    for (int s = 0; s < S; ++s) rho[c] += w[s];
    ux[c] = w[layout_.velocity(0)];
    uy[c] = w[layout_.velocity(1)];
    uz[c] = w[layout_.velocity(2)];
    T[c] = w[layout_.temperature()];
  }
  // Transport coefficients of the layer-1 model (the paper's ES-BGK), for every cell.
  Collision& model = kinetic_ ? kinetic_ : boltzmann_;
  const auto rows = static_cast<std::int64_t>(n);
  model.check(model->transport_coefficients({W.data(), rows, nvar_, nvar_}, mu.data(), kappa.data()),
              "transport_coefficients");
  // ||f - M[f]||_L1 / rho in kinetic cells (paper eq. 3.21).
  const std::size_t n_kinetic = n_layer1_ + n_layer2_;
#pragma omp parallel
  {
    std::vector<double> M(nf_);
#pragma omp for schedule(dynamic)
    for (std::size_t slot = 0; slot < n_kinetic; ++slot) {
      const std::size_t cell = slot_cell_[slot];
      maxwellian_of(&U_[cell * nvar_], M.data());
      const double* f = &f_[slot * nf_];
      double d = 0;
      for (std::size_t k = 0; k < nf_; ++k) d += std::abs(f[k] - M[k]);
      distance[cell] = d * vgrid_.cell_volume() / rho[cell];
    }
  }
  sdk::IndicatorInput in;
  in.nx = m.nx;
  in.ny = m.ny;
  in.halo = m.halo;
  in.stride = m.sx();
  in.dx = m.dx;
  in.dy = m.dy;
  in.rho = rho.data();
  in.ux = ux.data();
  in.uy = uy.data();
  in.uz = uz.data();
  in.T = T.data();
  in.knudsen = knudsen_.data();
  in.viscosity = mu.data();
  in.conductivity = kappa.data();
  in.distance_to_maxwellian = distance.data();
  in.regime = regime_.data();
  const int n_diag = indicator_->n_diagnostics();
  indicator_fields_.resize(n_diag);
  std::vector<double*> diag(n_diag);
  for (int k = 0; k < n_diag; ++k) {
    indicator_fields_[k].first = indicator_->diagnostic_name(k);
    indicator_fields_[k].second.assign(m.n_interior(), 0.0);
    diag[k] = indicator_fields_[k].second.data();
  }
  std::vector<std::int8_t> proposal(m.n_interior());
  indicator_.check(indicator_->propose(in, proposal.data(), diag.data()), "propose");
  std::vector<std::int8_t> next(regime_);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      if (regime_[c] < 0) continue;  // solid cells stay solid
      const std::int8_t p = proposal[static_cast<std::size_t>(j) * m.nx + i];
      next[c] = forced_[c] >= 0 ? forced_[c] : std::clamp<std::int8_t>(p, 0, 2);
    }
  relayout(next);
}

// Install the regime map `next` (interior cells; -1 solid): ghosts follow their
// sources, faces are reclassified, f moves with the cells that stay kinetic, and
// cells that become kinetic start from the discrete Maxwellian of their moments
// (0 -> 1, 2, paper §4.5); cells that leave the kinetic layers keep the moments of
// their f, which U_ already holds (1, 2 -> 0). Both conversions conserve.
void Simulation::relayout(const std::vector<std::int8_t>& next) {
  const Mesh& m = mesh_;
  bool changed = false;
  for (int j = 0; j < m.ny && !changed; ++j)
    for (int i = 0; i < m.nx && !changed; ++i) changed = next[m.index(i, j)] != regime_[m.index(i, j)];
  if (!changed) return;
  const std::vector<std::int64_t> old_slot = cell_slot_;
  const std::size_t old_kinetic = n_layer1_ + n_layer2_;
  const std::vector<double> old_f = std::move(f_);
  updated_cells_.clear();
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      switches_ += next[c] != regime_[c];
      regime_[c] = next[c];
      updated_[c] = regime_[c] >= 0;
      if (updated_[c]) updated_cells_.push_back(c);
    }
  for (const HaloRule& r : halo_rules_) regime_[r.ghost] = r.action == HaloAction::inflow ? 0 : regime_[r.source];
  build_face_lists();
  build_kinetic_layout();
#pragma omp parallel for schedule(dynamic)
  for (std::size_t slot = 0; slot < n_layer1_ + n_layer2_; ++slot) {
    const std::size_t cell = slot_cell_[slot];
    const std::int64_t before = old_slot[cell];
    double* f = &f_[slot * nf_];
    if (before >= 0 && static_cast<std::size_t>(before) < old_kinetic)
      std::copy_n(&old_f[static_cast<std::size_t>(before) * nf_], nf_, f);
    else
      maxwellian_of(&U_[cell * nvar_], f);
  }
  kinetic_moments_to(f_, U_);
}

// Obstacles that move by whole cells (paper test 3): cells they cover become solid
// with the obstacle's state, cells they leave take the obstacle's state as gas and the
// layer of the mode (hybrid: the band layer). What the moving walls swallow or release
// counts as flux through the domain boundary, so the conservation drift still measures
// only the scheme.
void Simulation::move_obstacles() {
  const Mesh& m = mesh_;
  bool moved = false;
  for (std::size_t k = 0; k < case_.obstacles.size(); ++k) {
    const Obstacle& o = case_.obstacles[k];
    if (o.move_every == 0 || steps_ % o.move_every != 0) continue;
    obstacle_offset_[k][0] += o.move_cells[0];
    obstacle_offset_[k][1] += o.move_cells[1];
    moved = true;
  }
  if (!moved) return;
  compute_forced();
  std::vector<std::int8_t> next(regime_);
  const int mode_layer = case_.mode == RegimeMode::hybrid ? case_.band_layer : static_cast<int>(case_.mode) - 1;
  const Obstacle* mover = &*std::find_if(case_.obstacles.begin(), case_.obstacles.end(),
                                         [](const Obstacle& o) { return o.move_every > 0; });
  const double area = m.dx * m.dy;
  auto account = [&](const double* U, double sign) {
    for (int s = 0; s < layout_.n_species; ++s) boundary_gain_[0] += sign * U[s] * area;
    for (int d = 0; d < 3; ++d) boundary_gain_[1 + d] += sign * U[layout_.momentum(d)] * area;
    boundary_gain_[4] += sign * U[layout_.energy()] * area;
  };
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      const Obstacle* o = obstacle_at(m.xc(i), m.yc(j));
      const bool was_solid = regime_[c] < 0;
      double* U = &U_[c * nvar_];
      if (o && !was_solid) {  // covered: its gas leaves the domain
        account(U, -1.0);
        const auto W = evaluate_primitive(o->state, m.xc(i), m.yc(j), "/obstacles");
        primitive_to_conserved(-1, W.data(), U);
        next[c] = -1;
      } else if (!o && was_solid) {  // freed: gas in the moving obstacle's state enters
        const auto W = evaluate_primitive(mover->state, m.xc(i), m.yc(j), "/obstacles");
        primitive_to_conserved(0, W.data(), U);
        account(U, 1.0);
        next[c] = static_cast<std::int8_t>(forced_[c] >= 0 ? forced_[c] : mode_layer);
      } else if (!o && forced_[c] >= 0) {
        next[c] = forced_[c];
      }
    }
  relayout(next);
  fill_halo(U_);
}

}  // namespace strata::core
