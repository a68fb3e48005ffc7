// Layers 1 and 2 in the engine (DESIGN §3, paper §4.3–4.5): storage of f for the
// kinetic cells and their halo, Maxwellian reconstruction and moment projection at
// regime boundaries, upwind CWENO transport with each face flux computed once, and
// the IMEX PR(2,2,2) stages that drive any collision plugin.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "solver.hpp"
#include "strata/toolkit/cweno.hpp"
#include "strata/toolkit/imex.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

namespace strata::core {

namespace {
const toolkit::ImexTableau tableau = toolkit::pr222();
}

void Simulation::charge_kinetic_time(double seconds) {
  const double n = static_cast<double>(n_layer1_ + n_layer2_);
  if (n == 0) return;
  wall_layer_[1] += seconds * static_cast<double>(n_layer1_) / n;
  wall_layer_[2] += seconds * static_cast<double>(n_layer2_) / n;
}

void Simulation::build_kinetic_layout() {
  const Mesh& m = mesh_;
  slot_cell_.clear();
  cell_slot_.assign(m.n_stored(), -1);
  auto assign = [&](std::size_t c) {
    cell_slot_[c] = static_cast<std::int64_t>(slot_cell_.size());
    slot_cell_.push_back(c);
  };
  for (int layer = 1; layer <= 2; ++layer)
    for (const std::size_t c : updated_cells_)
      if (regime_[c] == layer) assign(c);
  n_layer1_ = 0;
  for (const std::size_t c : slot_cell_) n_layer1_ += regime_[c] == 1;
  n_layer2_ = slot_cell_.size() - n_layer1_;
  // The halo: every other cell a kinetic face's stencil reads (needs the face lists).
  const std::size_t n_kinetic = slot_cell_.size();
  for (int dir = 0; dir < 2; ++dir) {
    const FaceList& faces = (dir == 0 ? kinetic_faces_x_ : kinetic_faces_y_).faces;
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    for (const std::size_t a : faces.left_cell)
      for (const std::ptrdiff_t off : {-step, std::ptrdiff_t{0}, step, 2 * step})
        if (cell_slot_[a + off] < 0) assign(a + off);
  }
  f_.assign(n_kinetic * nf_, 0.0);
  f_rhs_.assign(n_kinetic * nf_, 0.0);
  f_acc_.assign(n_kinetic * nf_, 0.0);
  q_.assign(n_kinetic * nf_, 0.0);
  fY_.assign(slot_cell_.size() * nf_, 0.0);
  for (auto& v : vel_) v.resize(nv3_);
  for (int i = 0; i < vgrid_.n; ++i)
    for (int j = 0; j < vgrid_.n; ++j)
      for (int k = 0; k < vgrid_.n; ++k) {
        const std::size_t q = vgrid_.index(i, j, k);
        vel_[0][q] = vgrid_.v(i);
        vel_[1][q] = vgrid_.v(j);
        vel_[2][q] = vgrid_.v(k);
      }
}

namespace {
// Discrete Maxwellian of one species, or a clear error naming the state and grid.
void species_maxwellian(const toolkit::VelocityGrid& g, double mass, double rho,
                        const std::array<double, 3>& u, double T, double* f) {
  if (rho == 0.0) {
    std::fill_n(f, g.size(), 0.0);
    return;
  }
  if (!toolkit::discrete_maxwellian(g, mass, rho, u, T, f).converged) {
    std::ostringstream msg;
    msg << "the velocity grid (" << g.n << " points on [-" << g.L << ", " << g.L
        << "]^3) cannot hold a Maxwellian with rho = " << rho << ", u = (" << u[0] << ", "
        << u[1] << ", " << u[2] << "), T = " << T << " (mass " << mass
        << "): widen velocity.L or refine velocity.n";
    throw RunError(msg.str());
  }
}
}  // namespace

void Simulation::init_kinetic_cell(std::size_t cell, const std::vector<std::vector<double>>& components) {
  std::vector<double> buffer;
  double* f = nullptr;
  if (is_kinetic(cell)) {
    f = &f_[static_cast<std::size_t>(cell_slot_[cell]) * nf_];
  } else {
    buffer.resize(nf_);
    f = buffer.data();
  }
  std::fill_n(f, nf_, 0.0);
  std::vector<double> m(nv3_);
  for (const auto& W : components) {
    const std::array<double, 3> u = {W[layout_.velocity(0)], W[layout_.velocity(1)], W[layout_.velocity(2)]};
    for (int s = 0; s < layout_.n_species; ++s) {
      species_maxwellian(vgrid_, mass_[s], W[s], u, W[layout_.temperature()], m.data());
      for (std::size_t k = 0; k < nv3_; ++k) f[s * nv3_ + k] += m[k];
    }
  }
  double* U = &U_[cell * nvar_];
  std::fill_n(U, nvar_, 0.0);
  for (int s = 0; s < layout_.n_species; ++s) {
    const auto mom = toolkit::conserved_moments(vgrid_, f + s * nv3_);
    U[s] = mom.rho;
    for (int d = 0; d < 3; ++d) U[layout_.momentum(d)] += mom.momentum[d];
    U[layout_.energy()] += mom.energy;
  }
}

void Simulation::kinetic_moments_to(const std::vector<double>& f, std::vector<double>& U) const {
  const std::size_t n_kinetic = n_layer1_ + n_layer2_;
#pragma omp parallel for schedule(static)
  for (std::size_t slot = 0; slot < n_kinetic; ++slot) {
    double* Uc = &U[slot_cell_[slot] * nvar_];
    std::fill_n(Uc, nvar_, 0.0);
    for (int s = 0; s < layout_.n_species; ++s) {
      const auto m = toolkit::conserved_moments(vgrid_, &f[slot * nf_ + s * nv3_]);
      Uc[s] = m.rho;
      for (int d = 0; d < 3; ++d) Uc[layout_.momentum(d)] += m.momentum[d];
      Uc[layout_.energy()] += m.energy;
    }
  }
}

// Maxwellian reconstruction (paper §4.5): each species gets the discrete Maxwellian
// of its density with the common velocity and temperature of U.
void Simulation::maxwellian_of(const double* U, double* f) const {
  std::vector<double> W(nvar_);
  toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, U, W.data());
  const std::array<double, 3> u = {W[layout_.velocity(0)], W[layout_.velocity(1)], W[layout_.velocity(2)]};
  for (int s = 0; s < layout_.n_species; ++s)
    species_maxwellian(vgrid_, mass_[s], W[s], u, W[layout_.temperature()], f + s * nv3_);
}

// Halo distributions: a ghost cell of a kinetic cell copies (or mirrors, at a
// reflective wall) its source's f; every other halo cell (fluid neighbours, solid
// cells, inflow ghosts) holds the Maxwellian of its macroscopic state. Copies run in
// the order of the halo rules, since a second ghost layer may copy the first (a
// periodic mesh one cell wide).
void Simulation::fill_kinetic_halo(const std::vector<double>& U) {
  const std::size_t n_kinetic = n_layer1_ + n_layer2_;
  const std::size_t n_slots = slot_cell_.size();
  auto copies = [&](std::size_t cell) {
    const std::int64_t r = ghost_rule_[cell];
    if (r < 0) return false;
    const HaloRule& rule = halo_rules_[static_cast<std::size_t>(r)];
    return rule.action != HaloAction::inflow && is_kinetic(rule.source) && cell_slot_[rule.source] >= 0;
  };
#pragma omp parallel for schedule(dynamic)
  for (std::size_t slot = n_kinetic; slot < n_slots; ++slot)
    if (!copies(slot_cell_[slot])) maxwellian_of(&U[slot_cell_[slot] * nvar_], &fY_[slot * nf_]);
  const int N = vgrid_.n;
  for (const HaloRule& rule : halo_rules_) {
    if (cell_slot_[rule.ghost] < 0 || !copies(rule.ghost)) continue;
    double* f = &fY_[static_cast<std::size_t>(cell_slot_[rule.ghost]) * nf_];
    const double* g = &fY_[static_cast<std::size_t>(cell_slot_[rule.source]) * nf_];
    for (int s = 0; s < layout_.n_species; ++s)
      for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
          const int si = rule.action == HaloAction::reflect_x ? N - 1 - i : i;
          const int sj = rule.action == HaloAction::reflect_y ? N - 1 - j : j;
          std::copy_n(g + s * nv3_ + vgrid_.index(si, sj, 0), N, f + s * nv3_ + vgrid_.index(i, j, 0));
        }
  }
}

// Stage values of the kinetic cells: Y_i = rhs_i + h P(Y_i), h = a_ii dt / eps, by
// each layer's collision plugin on its block of cells (paper eq. 4.15), with the
// explicit part E(Y_i) in the same call (f_explicit_, for the layers that have one)
// so that a device plugin keeps Y_i on its device between the two.
void Simulation::kinetic_stage_values(int stage, double dt) {
  const std::size_t n_kinetic = n_layer1_ + n_layer2_;
  if (n_kinetic == 0) return;
  const double a = tableau.a_implicit[stage][stage];
  std::vector<double> h(n_kinetic);
  for (std::size_t slot = 0; slot < n_kinetic; ++slot) h[slot] = a * dt / knudsen_[slot_cell_[slot]];
  const std::vector<double>& rhs = stage == 0 ? f_ : f_rhs_;
  const auto cols = static_cast<std::int64_t>(nf_);
  f_explicit_.resize(explicit_rows() * nf_);
  std::size_t begin = 0, explicit_begin = 0;
  for (int layer = 1; layer <= 2; ++layer) {
    const std::size_t n = layer == 1 ? n_layer1_ : n_layer2_;
    if (n == 0) continue;
    const auto t0 = std::chrono::steady_clock::now();
    Collision& model = collision_of(layer);
    const auto rows = static_cast<std::int64_t>(n);
    const bool has_explicit = model->has_explicit_part();
    const sdk::ConstRows in{&rhs[begin * nf_], rows, cols, cols};
    const sdk::Rows out{&fY_[begin * nf_], rows, cols, cols};
    const sdk::Rows e = has_explicit ? sdk::Rows{&f_explicit_[explicit_begin * nf_], rows, cols, cols}
                                     : sdk::Rows{nullptr, 0, cols, cols};
    model.check(model->stage_value(in, &h[begin], out, e), "stage_value");
    wall_layer_[layer] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    begin += n;
    if (has_explicit) explicit_begin += n;
  }
}

// Kinetic cells whose layer's collision model has an explicit part.
std::size_t Simulation::explicit_rows() {
  std::size_t rows = 0;
  if (n_layer1_ > 0 && collision_of(1)->has_explicit_part()) rows += n_layer1_;
  if (n_layer2_ > 0 && collision_of(2)->has_explicit_part()) rows += n_layer2_;
  return rows;
}

// Upwind kinetic flux per velocity on CWENO-reconstructed f, each face once:
// q of kinetic cells gets -div(v f); a fluid neighbour gets the moments of the same
// flux through Fx_/Fy_ (DESIGN §3), so domain totals change only at the boundary.
void Simulation::kinetic_fluxes(double weight) {
  const Mesh& m = mesh_;
  const std::size_t n_kinetic = n_layer1_ + n_layer2_;
  if (n_kinetic == 0) return;
  std::fill(q_.begin(), q_.end(), 0.0);
  const double vol = vgrid_.cell_volume();
  const int S = layout_.n_species;
  for (int dir = 0; dir < 2; ++dir) {
    const KineticFaces& kf = dir == 0 ? kinetic_faces_x_ : kinetic_faces_y_;
    std::vector<double>& F = dir == 0 ? Fx_ : Fy_;
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    const double h = dir == 0 ? m.dx : m.dy, inv_h = 1.0 / h, area = dir == 0 ? m.dy : m.dx;
    const double* vn = vel_[dir].data();
    const std::size_t n_lines = kf.line_start.size() - 1;
    Totals gain{};
#pragma omp parallel
    {
      std::vector<double> phi(nf_);
      std::vector<double> moments(nvar_);
      Totals local{};
#pragma omp for schedule(dynamic)
      for (std::size_t line = 0; line < n_lines; ++line)
        for (std::size_t face = kf.line_start[line]; face < kf.line_start[line + 1]; ++face) {
          const std::size_t a = kf.faces.left_cell[face], b = a + step;
          const double* fm = &fY_[static_cast<std::size_t>(cell_slot_[a - step]) * nf_];
          const double* fa = &fY_[static_cast<std::size_t>(cell_slot_[a]) * nf_];
          const double* fb = &fY_[static_cast<std::size_t>(cell_slot_[b]) * nf_];
          const double* fp = &fY_[static_cast<std::size_t>(cell_slot_[b + step]) * nf_];
          for (int s = 0; s < S; ++s) {
            const std::size_t o = s * nv3_;
            for (std::size_t k = 0; k < nv3_; ++k) {
              const double v = vn[k];
              phi[o + k] = v > 0 ? v * toolkit::cweno3_right_scaled(fm[o + k], fa[o + k], fb[o + k], h)
                                 : v * toolkit::cweno3_right_scaled(fp[o + k], fb[o + k], fa[o + k], h);
            }
          }
          const bool kin_a = updated_[a] && is_kinetic(a), kin_b = updated_[b] && is_kinetic(b);
          if (kin_a) {
            double* qa = &q_[static_cast<std::size_t>(cell_slot_[a]) * nf_];
            for (std::size_t k = 0; k < nf_; ++k) qa[k] -= phi[k] * inv_h;
          }
          if (kin_b) {
            double* qb = &q_[static_cast<std::size_t>(cell_slot_[b]) * nf_];
            for (std::size_t k = 0; k < nf_; ++k) qb[k] += phi[k] * inv_h;
          }
          const bool fluid_side = (updated_[a] && !kin_a) || (updated_[b] && !kin_b);
          if (!fluid_side && updated_[a] == updated_[b]) continue;
          // Moments of the flux: mass per species, total momentum and energy.
          std::fill(moments.begin(), moments.end(), 0.0);
          for (int s = 0; s < S; ++s) {
            const double* p = &phi[s * nv3_];
            double m0 = 0, mx = 0, my = 0, mz = 0, e = 0;
            for (std::size_t k = 0; k < nv3_; ++k) {
              m0 += p[k];
              mx += vel_[0][k] * p[k];
              my += vel_[1][k] * p[k];
              mz += vel_[2][k] * p[k];
              e += 0.5 * (vel_[0][k] * vel_[0][k] + vel_[1][k] * vel_[1][k] + vel_[2][k] * vel_[2][k]) * p[k];
            }
            moments[s] = m0 * vol;
            moments[layout_.momentum(0)] += mx * vol;
            moments[layout_.momentum(1)] += my * vol;
            moments[layout_.momentum(2)] += mz * vol;
            moments[layout_.energy()] += e * vol;
          }
          std::copy(moments.begin(), moments.end(), &F[kf.faces.slot[face] * nvar_]);
          add_boundary_flux(a, b, moments.data(), weight, area, local);
        }
#pragma omp critical
      for (int k = 0; k < 5; ++k) gain[k] += local[k];
    }
    for (int k = 0; k < 5; ++k) boundary_gain_[k] += gain[k];
  }
}

// q += E(Y)/eps for collision models with an explicit part (the penalised Boltzmann
// operator's Q - P, paper eqs. 4.17–4.24), E from kinetic_stage_values; BGK-type
// models have none.
void Simulation::kinetic_explicit_collisions() {
  std::size_t begin = 0, explicit_begin = 0;
  for (int layer = 1; layer <= 2; ++layer) {
    const std::size_t n = layer == 1 ? n_layer1_ : n_layer2_;
    if (n > 0 && collision_of(layer)->has_explicit_part()) {
#pragma omp parallel for schedule(static)
      for (std::size_t c = 0; c < n; ++c) {
        const double inv_eps = 1.0 / knudsen_[slot_cell_[begin + c]];
        double* q = &q_[(begin + c) * nf_];
        const double* e = &f_explicit_[(explicit_begin + c) * nf_];
        for (std::size_t k = 0; k < nf_; ++k) q[k] += e[k] * inv_eps;
      }
      explicit_begin += n;
    }
    begin += n;
  }
}

// PR(2,2,2) bookkeeping with G_i = P(Y_i)/eps = (Y_i - rhs_i) / (a_ii dt), recovered
// from the implicit solve rather than re-evaluated (DESIGN §5):
//   stage 0: f_acc = f + dt (w~_0 q_0 + w_0 G_0),  rhs_1 = f + dt (a~_10 q_0 + a_10 G_0);
//   stage 1: f^{n+1} = f_acc + dt (w~_1 q_1 + w_1 G_1).
void Simulation::kinetic_accumulate(int stage, double dt) {
  const std::size_t n = (n_layer1_ + n_layer2_) * nf_;
  const double g = tableau.a_implicit[stage][stage];
  const double we = tableau.w_explicit[stage], wi = tableau.w_implicit[stage];
  if (stage == 0) {
    const double ae = tableau.a_explicit[1][0], ai = tableau.a_implicit[1][0];
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < n; ++k) {
      const double G_dt = (fY_[k] - f_[k]) / g;  // dt G_0
      f_acc_[k] = f_[k] + dt * we * q_[k] + wi * G_dt;
      f_rhs_[k] = f_[k] + dt * ae * q_[k] + ai * G_dt;
    }
  } else {
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < n; ++k) {
      const double G_dt = (fY_[k] - f_rhs_[k]) / g;  // dt G_1
      f_[k] = f_acc_[k] + dt * we * q_[k] + wi * G_dt;
    }
  }
}

void Simulation::build_global_equilibrium() {
  const Totals tot = totals();
  double volume = 0;
  std::vector<double> number(layout_.n_species, 0.0);
  for (const std::size_t c : updated_cells_) {
    volume += mesh_.dx * mesh_.dy;
    for (int s = 0; s < layout_.n_species; ++s) number[s] += U_[c * nvar_ + s] / mass_[s] * mesh_.dx * mesh_.dy;
  }
  const std::array<double, 3> u = {tot[1] / tot[0], tot[2] / tot[0], tot[3] / tot[0]};
  double n_total = 0;
  for (double n : number) n_total += n;
  const double T = (tot[4] - 0.5 * (tot[1] * u[0] + tot[2] * u[1] + tot[3] * u[2])) / (1.5 * n_total);
  global_equilibrium_.resize(nf_);
  for (int s = 0; s < layout_.n_species; ++s) {  // number-density Maxwellians: M[rho]/m with rho = m n
    toolkit::sampled_maxwellian(vgrid_, mass_[s], mass_[s] * number[s] / volume, u, T, &global_equilibrium_[s * nv3_]);
    for (std::size_t k = 0; k < nv3_; ++k) global_equilibrium_[s * nv3_ + k] /= mass_[s];
  }
}

double Simulation::distance_to_global_equilibrium() const {
  double d = 0;
  std::vector<double> M(nf_);
  for (const std::size_t c : updated_cells_) {
    const double* f = nullptr;
    if (is_kinetic(c)) {
      f = &f_[static_cast<std::size_t>(cell_slot_[c]) * nf_];
    } else {
      maxwellian_of(&U_[c * nvar_], M.data());
      f = M.data();
    }
    for (int s = 0; s < layout_.n_species; ++s)
      for (std::size_t k = 0; k < nv3_; ++k) {
        const double mu = global_equilibrium_[s * nv3_ + k];
        if (mu < 1e-200) continue;
        const double diff = f[s * nv3_ + k] / mass_[s] - mu;
        d += diff * diff / mu;
      }
  }
  return d * vgrid_.cell_volume() * mesh_.dx * mesh_.dy;
}

std::vector<Totals> Simulation::species_totals() const {
  std::vector<Totals> out(layout_.n_species, Totals{});
  std::vector<double> W(nvar_);
  for (const std::size_t c : updated_cells_) {
    if (is_kinetic(c)) {
      for (int s = 0; s < layout_.n_species; ++s) {
        const auto m = toolkit::conserved_moments(vgrid_, &f_[static_cast<std::size_t>(cell_slot_[c]) * nf_ + s * nv3_]);
        out[s][0] += m.rho;
        for (int d = 0; d < 3; ++d) out[s][1 + d] += m.momentum[d];
        out[s][4] += m.energy;
      }
      continue;
    }
    toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, &U_[c * nvar_], W.data());
    for (int s = 0; s < layout_.n_species; ++s) {
      double u2 = 0;
      out[s][0] += W[s];
      for (int d = 0; d < 3; ++d) {
        out[s][1 + d] += W[s] * W[layout_.velocity(d)];
        u2 += W[layout_.velocity(d)] * W[layout_.velocity(d)];
      }
      out[s][4] += 0.5 * W[s] * u2 + 1.5 * W[s] / mass_[s] * W[layout_.temperature()];
    }
  }
  for (auto& t : out)
    for (double& v : t) v *= mesh_.dx * mesh_.dy;
  return out;
}

double Simulation::kinetic_entropy(std::size_t slot) const {
  double h = 0.0;
  const double* f = &f_[slot * nf_];
  for (std::size_t k = 0; k < nf_; ++k)
    if (f[k] > 0) h -= f[k] * std::log(f[k]);
  return h * vgrid_.cell_volume();
}

}  // namespace strata::core
