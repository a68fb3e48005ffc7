#include "solver.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include <spdlog/spdlog.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "output.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/imex.hpp"

namespace strata::core {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const char* layer_name(int layer) {
  static const char* names[] = {"layer 0 (Euler)", "layer 1 (ES-BGK)", "layer 2 (Boltzmann)"};
  return layer >= 0 && layer <= 2 ? names[layer] : "solid";
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long peak_memory_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return -1;
}

bool inside(const Obstacle& o, double x, double y) {
  if (o.shape == Obstacle::Shape::circle)
    return std::hypot(x - o.center[0], y - o.center[1]) <= o.radius;
  return x >= o.x[0] && x <= o.x[1] && y >= o.y[0] && y <= o.y[1];
}

constexpr std::int8_t not_forced = -2;

const toolkit::ImexTableau tableau = toolkit::pr222();

}  // namespace

Simulation::Simulation(const Case& c, fs::path out_dir, int threads) : case_(c) {
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
  mesh_ = {c.nx, c.ny, 2, c.x[0], c.y[0], (c.x[1] - c.x[0]) / c.nx, (c.y[1] - c.y[0]) / c.ny};
  layout_.n_species = static_cast<int>(c.species.size());
  nvar_ = layout_.n_vars();
  for (const auto& s : c.species) mass_.push_back(s.mass);
  vgrid_ = c.velocity;
  nv3_ = vgrid_.size();
  nf_ = nv3_ * c.species.size();
  create_plugins();
  build_halo_rules();
  set_initial_state();
  if (c.species.size() > 1) {
    for (const auto& sp : c.species)
      for (const char* q : {"mass_", "ux_", "uy_", "T_"}) history_extra_.push_back(q + sp.name);
    history_extra_.push_back("distance_to_equilibrium");
    build_global_equilibrium();
  }
  out_dir_ = std::move(out_dir);
}

Simulation::~Simulation() = default;

void Simulation::create_plugins() {
  std::vector<const char*> names;
  for (const auto& s : case_.species) names.push_back(s.name.c_str());
  sdk::SetupInfo setup;
  setup.n_species = layout_.n_species;
  setup.species_mass = mass_.data();
  setup.species_name = names.data();
  setup.velocity_points = vgrid_.n;
  setup.velocity_bound = vgrid_.L;
  setup.dx = mesh_.dx;
  setup.dy = mesh_.dy;
#ifdef _OPENMP
  setup.threads = omp_get_max_threads();
#endif
  auto make = [&](const PluginChoice& p, sdk::PluginKind kind, auto& target) {
    using Kind = typename std::remove_reference_t<decltype(target)>::element_type;
    if (p.needed && p.library) target = p.library->create<Kind>(kind, p.params.dump(), setup);
  };
  make(case_.fluid, sdk::PluginKind::fluid_model, fluid_);
  make(case_.kinetic, sdk::PluginKind::collision_model, kinetic_);
  make(case_.boltzmann, sdk::PluginKind::collision_model, boltzmann_);
  make(case_.indicator, sdk::PluginKind::indicator, indicator_);
  if (indicator_ && !kinetic_ && !boltzmann_)
    throw RunError("the indicator needs the transport coefficients of a collision model: name a kinetic or boltzmann plugin");
}

// Ghost cells take their value from a source cell (DESIGN §3): x sides first over
// interior rows, then y sides over full rows, so corners are defined too.
void Simulation::build_halo_rules() {
  const Mesh& m = mesh_;
  auto add = [&](int gi, int gj, int si, int sj, HaloAction a) {
    halo_rules_.push_back({m.index(gi, gj), m.index(si, sj), a});
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
        src = low ? -1 - k : 2 * n - 1 - k;
        action = x_side ? HaloAction::reflect_x : HaloAction::reflect_y;
        break;
      case BoundaryKind::inflow: action = HaloAction::inflow; break;
    }
    if (x_side) add(k, j_or_i, src, j_or_i, action);
    else add(j_or_i, k, j_or_i, src, action);
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
}

const Obstacle* Simulation::obstacle_at(double x, double y) const {
  for (std::size_t k = 0; k < case_.obstacles.size(); ++k) {
    const auto off = k < obstacle_offset_.size() ? obstacle_offset_[k] : std::array<int, 2>{};
    if (inside(case_.obstacles[k], x - off[0] * mesh_.dx, y - off[1] * mesh_.dy)) return &case_.obstacles[k];
  }
  return nullptr;
}

bool Simulation::solid_at(double x, double y) const { return obstacle_at(x, y) != nullptr; }

// Forced layers (DESIGN §3): in hybrid runs a band of regime.band cells around every
// obstacle is held in regime.band_layer (the paper: 2 cells in layer 2), and the
// regime.regions hold theirs.
void Simulation::compute_forced() {
  const Mesh& m = mesh_;
  forced_.assign(m.n_stored(), not_forced);
  if (case_.mode != RegimeMode::hybrid) return;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      for (const auto& f : case_.forced)
        if (f.where.eval(m.xc(i), m.yc(j)) != 0.0) forced_[c] = static_cast<std::int8_t>(f.layer);
      if (case_.band == 0 || solid_at(m.xc(i), m.yc(j))) continue;
      for (int dj = -case_.band; dj <= case_.band; ++dj)
        for (int di = -case_.band; di <= case_.band; ++di)
          if (m.interior(i + di, j + dj) && solid_at(m.xc(i + di), m.yc(j + dj))) forced_[c] = static_cast<std::int8_t>(case_.band_layer);
    }
}

void Simulation::primitive_to_conserved(int layer, const double* W, double* U) const {
  if (layer == 0 && fluid_) {
    fluid_.check(fluid_->to_conserved({W, 1, nvar_, nvar_}, {U, 1, nvar_, nvar_}), "to_conserved");
  } else {
    toolkit::primitive_to_conserved(layout_, mass_, toolkit::monatomic_gamma, W, U);
  }
}

std::vector<double> Simulation::evaluate_primitive(const StateSpec& spec, double x, double y,
                                                   const std::string& what) const {
  std::vector<double> W(nvar_);
  double n = 0.0;
  for (int s = 0; s < layout_.n_species; ++s) {
    W[s] = spec.rho[s].eval(x, y);
    n += W[s] / mass_[s];
  }
  for (int d = 0; d < 3; ++d) W[layout_.velocity(d)] = spec.u[d] ? spec.u[d]->eval(x, y) : 0.0;
  W[layout_.temperature()] = spec.T ? spec.T->eval(x, y) : spec.p->eval(x, y) / n;
  bool ok = n > 0 && std::isfinite(W[layout_.temperature()]) && W[layout_.temperature()] > 0;
  for (int s = 0; s < layout_.n_species; ++s) ok = ok && W[s] >= 0 && std::isfinite(W[s]);
  if (!ok) {
    std::ostringstream msg;
    msg << case_.file.string() << ": " << what << " at (x=" << x << ", y=" << y
        << ") gives density " << W[0] << " and temperature " << W[layout_.temperature()]
        << "; both must be positive";
    throw RunError(msg.str());
  }
  return W;
}

void Simulation::set_initial_state() {
  const Mesh& m = mesh_;
  U_.assign(m.n_stored() * nvar_, 0.0);
  inflow_U_.assign(m.n_stored() * nvar_, 0.0);
  regime_.assign(m.n_stored(), 0);
  updated_.assign(m.n_stored(), 0);
  knudsen_.assign(m.n_stored(), 1.0);
  // Regime map: the mode's layer, or regime.initial and the forced layers (hybrid).
  obstacle_offset_.assign(case_.obstacles.size(), {0, 0});
  compute_forced();
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const double x = m.xc(i), y = m.yc(j);
      const std::size_t c = m.index(i, j);
      knudsen_[c] = case_.knudsen.eval(x, y);
      if (!(knudsen_[c] > 0))
        throw RunError(case_.file.string() + ": /knudsen must be positive, is " +
                       std::to_string(knudsen_[c]) + " at (x=" + std::to_string(x) +
                       ", y=" + std::to_string(y) + ")");
      int layer = case_.mode == RegimeMode::hybrid ? case_.initial_layer : static_cast<int>(case_.mode) - 1;
      if (forced_[c] != not_forced) layer = forced_[c];
      if (solid_at(x, y)) layer = -1;
      regime_[c] = static_cast<std::int8_t>(layer);
      updated_[c] = layer >= 0;
      if (layer >= 0) updated_cells_.push_back(c);
    }
  for (const HaloRule& r : halo_rules_)
    regime_[r.ghost] = r.action == HaloAction::inflow ? 0 : regime_[r.source];
  build_face_lists();
  build_kinetic_layout();
  // States: obstacles (solid), initial regions, inflow ghosts.
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const double x = m.xc(i), y = m.yc(j);
      const std::size_t c = m.index(i, j);
      double* U = &U_[c * nvar_];
      if (const Obstacle* o = obstacle_at(x, y)) {
        const auto W = evaluate_primitive(o->state, x, y, "/obstacles/" + std::to_string(o - case_.obstacles.data()));
        primitive_to_conserved(-1, W.data(), U);
        continue;
      }
      const Region* region = nullptr;
      std::size_t k = 0;
      for (; k < case_.initial.size() && !region; ++k)
        if (!case_.initial[k].where || case_.initial[k].where->eval(x, y) != 0.0) region = &case_.initial[k];
      if (!region)
        throw RunError(case_.file.string() + ": /initial: no region covers the cell at (x=" +
                       std::to_string(x) + ", y=" + std::to_string(y) +
                       "); add a last region without \"where\"");
      const std::string what = "/initial/" + std::to_string(k - 1);
      std::vector<std::vector<double>> components;
      for (std::size_t m = 0; m < region->components.size(); ++m)
        components.push_back(evaluate_primitive(region->components[m], x, y, what + "/components/" + std::to_string(m)));
      if (components.empty()) components.push_back(evaluate_primitive(region->state, x, y, what));
      if (region->bimodal) {  // ½(M[rho, u, T] + M[rho, -u, T])
        for (int s = 0; s < layout_.n_species; ++s) components[0][s] *= 0.5;
        components.push_back(components[0]);
        for (int d = 0; d < 3; ++d) components[1][layout_.velocity(d)] *= -1.0;
      }
      if (is_kinetic(c) || components.size() > 1) {
        init_kinetic_cell(c, components);
      } else {
        primitive_to_conserved(regime_[c], components[0].data(), U);
      }
    }
  for (const HaloRule& r : halo_rules_) {
    if (r.action != HaloAction::inflow) continue;
    const int gi = static_cast<int>(r.ghost % m.sx()) - m.halo;
    const int gj = static_cast<int>(r.ghost / m.sx()) - m.halo;
    const int side = gi < 0 ? left : gi >= m.nx ? right : gj < 0 ? bottom : top;
    const auto W = evaluate_primitive(*case_.boundary[side].inflow, m.xc(gi), m.yc(gj),
                                      "/mesh/boundary inflow state");
    primitive_to_conserved(0, W.data(), &inflow_U_[r.ghost * nvar_]);
  }
  fill_halo(U_);
  // Scales for the relative conservation drifts: total mass, momentum magnitude
  // including thermal motion (sum of rho (|u| + sqrt(T))), total energy.
  const Fields f = fields();
  scale_ = {};
  for (std::size_t k = 0; k < f.rho.size(); ++k) {
    const double mom = f.rho[k] * (std::hypot(f.ux[k], f.uy[k], f.uz[k]) + std::sqrt(f.T[k]));
    for (int d = 1; d <= 3; ++d) scale_[d] += mom;
  }
  for (double& s : scale_) s *= m.dx * m.dy;
  initial_totals_ = totals();
  scale_[0] = std::abs(initial_totals_[0]);
  scale_[4] = std::abs(initial_totals_[4]);
}

void Simulation::build_face_lists() {
  const Mesh& m = mesh_;
  fluid_faces_x_ = fluid_faces_y_ = {};
  kinetic_faces_x_ = kinetic_faces_y_ = {};
  // A face is computed when at least one neighbour is updated (a solid or ghost
  // neighbour acts as a fixed state, as in the paper); it is kinetic when either
  // side is kinetic, so the fluid side sees the kinetic upwind flux (DESIGN §3).
  auto add = [&](std::size_t a, std::size_t b, std::size_t slot, FaceList& fluid, KineticFaces& kinetic) {
    if (!updated_[a] && !updated_[b]) return;
    FaceList& list = is_kinetic(a) || is_kinetic(b) ? kinetic.faces : fluid;
    list.left_cell.push_back(a);
    list.slot.push_back(slot);
  };
  for (int j = 0; j < m.ny; ++j) {
    kinetic_faces_x_.line_start.push_back(kinetic_faces_x_.faces.slot.size());
    for (int i = -1; i < m.nx; ++i)
      add(m.index(i, j), m.index(i + 1, j), static_cast<std::size_t>(j) * (m.nx + 1) + (i + 1),
          fluid_faces_x_, kinetic_faces_x_);
  }
  kinetic_faces_x_.line_start.push_back(kinetic_faces_x_.faces.slot.size());
  for (int i = 0; i < m.nx; ++i) {
    kinetic_faces_y_.line_start.push_back(kinetic_faces_y_.faces.slot.size());
    for (int j = -1; j < m.ny; ++j)
      add(m.index(i, j), m.index(i, j + 1), static_cast<std::size_t>(j + 1) * m.nx + i,
          fluid_faces_y_, kinetic_faces_y_);
  }
  kinetic_faces_y_.line_start.push_back(kinetic_faces_y_.faces.slot.size());
  Fx_.assign(static_cast<std::size_t>(m.nx + 1) * m.ny * nvar_, 0.0);
  Fy_.assign(static_cast<std::size_t>(m.ny + 1) * m.nx * nvar_, 0.0);
}

void Simulation::fill_halo(std::vector<double>& U) const {
  const int nv = nvar_;
  for (const HaloRule& r : halo_rules_) {
    double* g = &U[r.ghost * nv];
    const double* s = r.action == HaloAction::inflow ? &inflow_U_[r.ghost * nv] : &U[r.source * nv];
    std::copy(s, s + nv, g);
    if (r.action == HaloAction::reflect_x) g[layout_.momentum(0)] = -g[layout_.momentum(0)];
    if (r.action == HaloAction::reflect_y) g[layout_.momentum(1)] = -g[layout_.momentum(1)];
  }
}

// Δt = min(user Δt or dt_dx h, cfl h / fastest signal of every active layer).
double Simulation::stable_dt() const {
  double speed = slot_cell_.empty() ? 0.0 : kinetic_speed();
  std::vector<double> cells;
  for (const std::size_t c : updated_cells_)
    if (!is_kinetic(c)) cells.insert(cells.end(), &U_[c * nvar_], &U_[c * nvar_] + nvar_);
  if (!cells.empty()) {
    double s = 0.0;
    const auto n = static_cast<std::int64_t>(cells.size() / nvar_);
    fluid_.check(fluid_->max_wave_speed({cells.data(), n, nvar_, nvar_}, &s), "max_wave_speed");
    speed = std::max(speed, s);
  }
  const double h = std::min(mesh_.dx, mesh_.dy);
  double dt = case_.dt.value_or(case_.dt_dx * h);
  if (speed > 0) dt = std::min(dt, case_.cfl * h / speed);
  return dt;
}

void Simulation::add_boundary_flux(std::size_t a, std::size_t b, const double* F, double weight,
                                   double area, Totals& gain) const {
  if (updated_[a] == updated_[b]) return;
  const double w = (updated_[b] ? 1.0 : -1.0) * weight * area;  // into the domain when b is inside
  for (int s = 0; s < layout_.n_species; ++s) gain[0] += w * F[s];
  for (int d = 0; d < 3; ++d) gain[1 + d] += w * F[layout_.momentum(d)];
  gain[4] += w * F[layout_.energy()];
}

void Simulation::fluid_fluxes(const std::vector<double>& Y, double weight) {
  const Mesh& m = mesh_;
  const int nv = nvar_;
  for (int dir = 0; dir < 2; ++dir) {
    const FaceList& faces = dir == 0 ? fluid_faces_x_ : fluid_faces_y_;
    const std::size_t n = faces.slot.size();
    if (n == 0) continue;
    std::vector<double>& F = dir == 0 ? Fx_ : Fy_;
    const std::ptrdiff_t step = dir == 0 ? 1 : m.sx();
    stencil_buf_.resize(n * 4 * nv);
    flux_buf_.resize(n * nv);
#pragma omp parallel for schedule(static)
    for (std::size_t f = 0; f < n; ++f)
      for (int s = 0; s < 4; ++s) {
        const std::size_t cell = faces.left_cell[f] + (s - 1) * step;
        std::copy_n(&Y[cell * nv], nv, &stencil_buf_[(f * 4 + s) * nv]);
      }
    double speed = 0.0;
    const sdk::ConstRows stencils{stencil_buf_.data(), static_cast<std::int64_t>(n), 4 * nv, 4 * nv};
    const sdk::Rows flux{flux_buf_.data(), static_cast<std::int64_t>(n), nv, nv};
    fluid_.check(fluid_->face_flux(dir, stencils, flux, &speed), "face_flux");
    const double area = dir == 0 ? m.dy : m.dx;
    for (std::size_t f = 0; f < n; ++f) {
      std::copy_n(&flux_buf_[f * nv], nv, &F[faces.slot[f] * nv]);
      const std::size_t a = faces.left_cell[f];
      add_boundary_flux(a, a + step, &flux_buf_[f * nv], weight, area, boundary_gain_);
    }
  }
}

void Simulation::fluid_residual(std::vector<double>& K) const {
  const Mesh& m = mesh_;
  const int nv = nvar_;
  const std::size_t fx_row = m.nx + 1;
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < updated_cells_.size(); ++k) {
    const std::size_t c = updated_cells_[k];
    if (is_kinetic(c)) continue;
    const int i = static_cast<int>(c % m.sx()) - m.halo, j = static_cast<int>(c / m.sx()) - m.halo;
    const double* fw = &Fx_[(j * fx_row + i) * nv];
    const double* fe = &Fx_[(j * fx_row + i + 1) * nv];
    const double* fs = &Fy_[(static_cast<std::size_t>(j) * m.nx + i) * nv];
    const double* fn = &Fy_[(static_cast<std::size_t>(j + 1) * m.nx + i) * nv];
    for (int v = 0; v < nv; ++v) K[c * nv + v] = -(fe[v] - fw[v]) / m.dx - (fn[v] - fs[v]) / m.dy;
  }
}

void Simulation::evaluate_stage(std::vector<double>& K, double weight) {
  auto t0 = Clock::now();
  kinetic_moments_to(fY_, Y_);
  fill_halo(Y_);
  fill_kinetic_halo(Y_);
  wall_coupling_ += seconds_since(t0);
  t0 = Clock::now();
  fluid_fluxes(Y_, weight);
  wall_layer_[0] += seconds_since(t0);
  t0 = Clock::now();
  kinetic_fluxes(weight);
  kinetic_explicit_collisions();
  charge_kinetic_time(seconds_since(t0));
  t0 = Clock::now();
  fluid_residual(K);
  wall_layer_[0] += seconds_since(t0);
}

// One step: the explicit tableau is Heun's (TVD RK2, eqs. 4.7–4.8) for every layer;
// kinetic cells add the implicit tableau of PR(2,2,2) (eq. 4.15) in kinetic.cpp.
void Simulation::step(double dt) {
  const int nv = nvar_;
  K0_.resize(U_.size());
  K1_.resize(U_.size());
  for (int stage = 0; stage < 2; ++stage) {
    Y_ = U_;
    if (stage == 1) {
#pragma omp parallel for schedule(static)
      for (std::size_t k = 0; k < updated_cells_.size(); ++k)
        for (int v = 0; v < nv; ++v) {
          const std::size_t q = updated_cells_[k] * nv + v;
          Y_[q] += dt * tableau.a_explicit[1][0] * K0_[q];
        }
    }
    kinetic_stage_values(stage, dt);
    evaluate_stage(stage == 0 ? K0_ : K1_, dt * tableau.w_explicit[stage]);
    kinetic_accumulate(stage, dt);
  }
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < updated_cells_.size(); ++k) {
    if (is_kinetic(updated_cells_[k])) continue;
    for (int v = 0; v < nv; ++v) {
      const std::size_t q = updated_cells_[k] * nv + v;
      U_[q] += dt * (tableau.w_explicit[0] * K0_[q] + tableau.w_explicit[1] * K1_[q]);
    }
  }
  kinetic_moments_to(f_, U_);
  fill_halo(U_);
  cell_steps_[0] += static_cast<long>(updated_cells_.size() - n_layer1_ - n_layer2_);
  cell_steps_[1] += static_cast<long>(n_layer1_);
  cell_steps_[2] += static_cast<long>(n_layer2_);
}

Fields Simulation::fields() const {
  const Mesh& m = mesh_;
  const std::size_t n = m.n_interior();
  Fields f;
  f.rho.assign(n, 0.0);
  f.p.assign(n, 0.0);
  f.ux.resize(n); f.uy.resize(n); f.uz.resize(n); f.T.resize(n);
  f.rho_species.assign(layout_.n_species, std::vector<double>(n));
  f.pressure.assign(n, {});
  f.heat_flux.assign(n, {});
#pragma omp parallel
  {
  std::vector<double> W(nvar_);  // one buffer per thread: this runs every step
#pragma omp for schedule(static)
  for (std::size_t c = 0; c < n; ++c) {
    const int i = static_cast<int>(c % m.nx), j = static_cast<int>(c / m.nx);
    const std::size_t cell = m.index(i, j);
    const double* U = &U_[cell * nvar_];
    if (regime_[cell] == 0 && fluid_) fluid_->to_primitive({U, 1, nvar_, nvar_}, {W.data(), 1, nvar_, nvar_});
    else toolkit::conserved_to_primitive(layout_, mass_, toolkit::monatomic_gamma, U, W.data());
    double number = 0.0;
    for (int s = 0; s < layout_.n_species; ++s) {
      f.rho_species[s][c] = W[s];
      f.rho[c] += W[s];
      number += W[s] / mass_[s];
    }
    f.ux[c] = W[layout_.velocity(0)];
    f.uy[c] = W[layout_.velocity(1)];
    f.uz[c] = W[layout_.velocity(2)];
    f.T[c] = W[layout_.temperature()];
    f.p[c] = number * f.T[c];
    f.pressure[c] = {f.p[c], f.p[c], f.p[c], 0.0, 0.0, 0.0};
  }
  }
  // Kinetic cells: the full pressure tensor and heat flux of f (mixture velocity).
#pragma omp parallel for schedule(static)
  for (std::size_t slot = 0; slot < n_layer1_ + n_layer2_; ++slot) {
    const std::size_t cell = slot_cell_[slot];
    const std::size_t c = static_cast<std::size_t>((cell / m.sx()) - m.halo) * m.nx + (cell % m.sx() - m.halo);
    const std::array<double, 3> u = {f.ux[c], f.uy[c], f.uz[c]};
    std::array<double, 6> P{};
    std::array<double, 3> q{};
    for (std::size_t s = 0; s < mass_.size(); ++s) {
      const double* fs = &f_[slot * nf_ + s * nv3_];
      for (std::size_t k = 0; k < nv3_; ++k) {
        const double cx = vel_[0][k] - u[0], cy = vel_[1][k] - u[1], cz = vel_[2][k] - u[2];
        const double w = fs[k], c2 = cx * cx + cy * cy + cz * cz;
        P[0] += cx * cx * w; P[1] += cy * cy * w; P[2] += cz * cz * w;
        P[3] += cx * cy * w; P[4] += cx * cz * w; P[5] += cy * cz * w;
        q[0] += 0.5 * cx * c2 * w; q[1] += 0.5 * cy * c2 * w; q[2] += 0.5 * cz * c2 * w;
      }
    }
    const double vol = vgrid_.cell_volume();
    for (int k = 0; k < 6; ++k) f.pressure[c][k] = P[k] * vol;
    for (int k = 0; k < 3; ++k) f.heat_flux[c][k] = q[k] * vol;
  }
  return f;
}

Totals Simulation::totals() const {
  Totals t{};
  for (const std::size_t c : updated_cells_) {
    const double* U = &U_[c * nvar_];
    for (int s = 0; s < layout_.n_species; ++s) t[0] += U[s];
    for (int d = 0; d < 3; ++d) t[1 + d] += U[layout_.momentum(d)];
    t[4] += U[layout_.energy()];
  }
  for (double& v : t) v *= mesh_.dx * mesh_.dy;
  return t;
}

void Simulation::check_state(const Fields& f, double t, long step) const {
  const Mesh& m = mesh_;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = static_cast<std::size_t>(j) * m.nx + i;
      if (!updated_[m.index(i, j)]) continue;
      const bool finite = std::isfinite(f.rho[c]) && std::isfinite(f.ux[c]) &&
                          std::isfinite(f.uy[c]) && std::isfinite(f.uz[c]) && std::isfinite(f.T[c]);
      const char* problem = !finite ? "a non-finite value (NaN or inf)"
                            : f.rho[c] <= 0 ? "a non-positive density"
                            : f.T[c] <= 0 ? "a non-positive temperature" : nullptr;
      if (!problem) continue;
      std::ostringstream msg;
      msg << "unphysical state at t = " << t << " (step " << step << "): cell (i=" << i
          << ", j=" << j << ") at (x=" << m.xc(i) << ", y=" << m.yc(j) << "), "
          << layer_name(regime_[m.index(i, j)]) << ", has " << problem << " (rho = " << f.rho[c]
          << ", T = " << f.T[c] << ")";
      throw RunError(msg.str());
    }
}

void Simulation::record_history(const Fields& f, double t, double dt) {
  const Totals tot = totals();
  // Entropy -H: kinetic cells -Σ f ln f dv, fluid cells the same for their local
  // Maxwellian, H = ρ (ln(ρ (2πT/m)^{-3/2}) - 3/2), summed over species.
  double entropy = 0.0;
  for (int j = 0; j < mesh_.ny; ++j)
    for (int i = 0; i < mesh_.nx; ++i) {
      const std::size_t c = static_cast<std::size_t>(j) * mesh_.nx + i, cell = mesh_.index(i, j);
      if (!updated_[cell]) continue;
      if (is_kinetic(cell)) {
        entropy += kinetic_entropy(static_cast<std::size_t>(cell_slot_[cell]));
        continue;
      }
      for (int s = 0; s < layout_.n_species; ++s)
        if (const double r = f.rho_species[s][c]; r > 0)
          entropy -= r * (std::log(r * std::pow(2 * std::numbers::pi * f.T[c] / mass_[s], -1.5)) - 1.5);
    }
  entropy *= mesh_.dx * mesh_.dy;
  for (int k = 0; k < 5; ++k) {
    const double drift = std::abs(tot[k] - initial_totals_[k] - boundary_gain_[k]) / (scale_[k] > 0 ? scale_[k] : 1.0);
    max_drift_[k] = std::max(max_drift_[k], drift);
  }
  const double n_kinetic = static_cast<double>(n_layer1_ + n_layer2_);
  std::vector<double> row = {static_cast<double>(steps_), t, dt, tot[0], tot[1], tot[2], tot[3], tot[4],
                             entropy, static_cast<double>(updated_cells_.size()) - n_kinetic,
                             static_cast<double>(n_layer1_), static_cast<double>(n_layer2_), seconds_since(start_)};
  if (layout_.n_species > 1) {  // per species: mass, mean velocity, temperature over the domain
    const auto species = species_totals();
    for (int s = 0; s < layout_.n_species; ++s) {
      const Totals& q = species[s];
      const double kinetic = 0.5 * (q[1] * q[1] + q[2] * q[2] + q[3] * q[3]) / q[0];
      row.insert(row.end(), {q[0], q[1] / q[0], q[2] / q[0], (q[4] - kinetic) / (1.5 * q[0] / mass_[s])});
    }
    row.push_back(distance_to_global_equilibrium());
  }
  output_->history_row(row);
  for (const Probe& p : case_.probes) {
    const int i = std::clamp(static_cast<int>((p.x - mesh_.x0) / mesh_.dx), 0, mesh_.nx - 1);
    const int j = std::clamp(static_cast<int>((p.y - mesh_.y0) / mesh_.dy), 0, mesh_.ny - 1);
    const std::size_t c = static_cast<std::size_t>(j) * mesh_.nx + i;
    const auto& P = f.pressure[c];
    const auto& q = f.heat_flux[c];
    output_->probe_row(p.name, {t, f.rho[c], f.ux[c], f.uy[c], f.uz[c], f.T[c], P[0], P[1], P[2], P[3], P[4],
                                P[5], q[0], q[1], q[2], static_cast<double>(regime_[mesh_.index(i, j)])});
  }
}

void Simulation::write_outputs(const Fields& f, double t, bool snapshot, bool failed) {
  const Mesh& m = mesh_;
  std::vector<std::int8_t> regime(m.n_interior());
  std::vector<double> knudsen(m.n_interior());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      regime[static_cast<std::size_t>(j) * m.nx + i] = regime_[m.index(i, j)];
      knudsen[static_cast<std::size_t>(j) * m.nx + i] = knudsen_[m.index(i, j)];
    }
  std::vector<std::string> names;
  for (const auto& s : case_.species) names.push_back(s.name);
  NamedFields extra;
  for (const auto& [name, values] : indicator_fields_) extra.emplace_back("ind_" + name, values);
  const SnapshotData data{f, regime, knudsen, names, extra};
  if (failed) output_->last_good(t, data);
  if (snapshot && case_.output.snapshots) output_->snapshot(t, data);
  if (snapshot && case_.output.profiles) output_->profile(t, data);
  output_->flush_history();
}

void Simulation::report_progress(double t, long step, double dt) {
  const double elapsed = seconds_since(start_);
  if (elapsed < 2.0 || seconds_since(last_progress_) < 2.0) return;
  last_progress_ = Clock::now();
  const double per_step = elapsed / static_cast<double>(step);
  const double left = (case_.t_end - t) / dt * per_step;
  const long total = cell_steps_[0] + cell_steps_[1] + cell_steps_[2];
  auto share = [&](int l) { return total ? 100.0 * static_cast<double>(cell_steps_[l]) / static_cast<double>(total) : 0.0; };
  spdlog::info("step {:>7}  t = {:.5g} / {:.5g}  layers 0/1/2: {:.0f}% {:.0f}% {:.0f}%  {:.3g} s/step  ~{:.0f} s left",
               step, t, case_.t_end, share(0), share(1), share(2), per_step, left);
}

RunResult Simulation::run() {
  output_ = std::make_unique<OutputWriter>(out_dir_, mesh_, history_extra_);
  start_ = last_progress_ = Clock::now();
  double wall_output = 0.0;
  Fields f = fields();
  record_history(f, 0.0, 0.0);
  write_outputs(f, 0.0, true, false);
  std::string failure;
  std::size_t next_output = 0;
  while (next_output < case_.output.times.size()) {
    if (steps_ >= case_.max_steps) {
      failure = "time.max_steps = " + std::to_string(case_.max_steps) + " reached at t = " + std::to_string(t_);
      break;
    }
    const double target = case_.output.times[next_output];
    double dt = stable_dt();
    bool reaches = false;
    if (t_ + dt >= target - 1e-12 * case_.t_end) {
      dt = target - t_;
      reaches = true;
    }
    const double t_new = reaches ? target : t_ + dt;
    try {
      if (indicator_) {
        const auto t0 = Clock::now();
        update_regime();
        wall_indicator_ += seconds_since(t0);
      }
      U_prev_ = U_;
      f_prev_ = f_;
      step(dt);
      ++steps_;
      f = fields();
      check_state(f, t_new, steps_);
    } catch (const RunError& e) {
      failure = e.what();
    } catch (const PluginError& e) {
      failure = "step " + std::to_string(steps_ + 1) + " from t = " + std::to_string(t_) + " failed: " + e.what();
    }
    if (!failure.empty()) {
      U_.swap(U_prev_);
      f_.swap(f_prev_);
      break;
    }
    t_ = t_new;
    move_obstacles();
    if (!case_.obstacles.empty()) f = fields();
    const auto t1 = Clock::now();
    record_history(f, t_, dt);
    if (reaches) {
      write_outputs(f, t_, true, false);
      ++next_output;
    }
    wall_output += seconds_since(t1);
    report_progress(t_, steps_, dt);
  }
  if (!failure.empty()) write_outputs(fields(), t_, false, true);
  const long total = cell_steps_[0] + cell_steps_[1] + cell_steps_[2];
  auto share = [&](int l) { return total ? static_cast<double>(cell_steps_[l]) / static_cast<double>(total) : 0.0; };
  nlohmann::json plugins = nlohmann::json::object();
  for (const PluginChoice* p : {&case_.fluid, &case_.kinetic, &case_.boltzmann, &case_.indicator})
    if (p->needed && p->library) {
      const auto& d = p->library->descriptor();
      plugins[p->section] = {{"name", d.name}, {"version", d.version}, {"sdk_version", d.sdk_version},
                             {"parameters", p->params}};
    }
  nlohmann::json summary = {
      {"case", case_.name},
      {"case_file", case_.file.string()},
      {"status", failure.empty() ? "completed" : "failed"},
      {"regime_mode", mode_name(case_.mode)},
      {"mesh", {{"nx", mesh_.nx}, {"ny", mesh_.ny}, {"dx", mesh_.dx}, {"dy", mesh_.dy}}},
      {"velocity_grid", {{"n", vgrid_.n}, {"L", vgrid_.L}}},
      {"plugins", plugins},
      {"sdk_version", sdk::sdk_version},
      {"steps", steps_},
      {"final_time", t_},
      {"wall_seconds", {{"total", seconds_since(start_)}, {"layer0", wall_layer_[0]}, {"layer1", wall_layer_[1]},
                        {"layer2", wall_layer_[2]}, {"coupling", wall_coupling_}, {"indicator", wall_indicator_},
                        {"output", wall_output}}},
      {"cell_steps", {cell_steps_[0], cell_steps_[1], cell_steps_[2]}},
      {"layer_share", {share(0), share(1), share(2)}},
      {"layer_switches", switches_},
      {"conservation", {{"mass", max_drift_[0]}, {"momentum_x", max_drift_[1]}, {"momentum_y", max_drift_[2]},
                        {"momentum_z", max_drift_[3]}, {"energy", max_drift_[4]}}},
      {"peak_memory_kib", peak_memory_kib()},
  };
  if (!failure.empty()) summary["error"] = failure;
  output_->summary(summary);
  if (!failure.empty()) throw RunError(failure + "; the last good state is in " + (output_->dir() / "last_good.vti").string());
  return {std::move(f), std::move(summary)};
}

}  // namespace strata::core
