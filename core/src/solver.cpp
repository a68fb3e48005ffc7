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

}  // namespace

Simulation::Simulation(const Case& c, fs::path out_dir, int threads) : case_(c) {
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
  if (c.mode != RegimeMode::layer0)
    throw RunError(std::string("regime.mode \"") + mode_name(c.mode) +
                   "\" needs the kinetic layers, which this version of Strata does not have "
                   "yet; run with --set regime.mode=layer0");
  mesh_ = {c.nx, c.ny, 2, c.x[0], c.y[0], (c.x[1] - c.x[0]) / c.nx, (c.y[1] - c.y[0]) / c.ny};
  layout_.n_species = static_cast<int>(c.species.size());
  nvar_ = layout_.n_vars();
  for (const auto& s : c.species) mass_.push_back(s.mass);
  create_plugins();
  build_halo_rules();
  set_initial_state();
  build_face_lists();
  output_ = std::make_unique<OutputWriter>(std::move(out_dir), mesh_);
}

Simulation::~Simulation() = default;

void Simulation::create_plugins() {
  std::vector<const char*> names;
  for (const auto& s : case_.species) names.push_back(s.name.c_str());
  sdk::SetupInfo setup;
  setup.n_species = layout_.n_species;
  setup.species_mass = mass_.data();
  setup.species_name = names.data();
  setup.velocity_points = case_.velocity.n;
  setup.velocity_bound = case_.velocity.L;
  setup.dx = mesh_.dx;
  setup.dy = mesh_.dy;
#ifdef _OPENMP
  setup.threads = omp_get_max_threads();
#endif
  fluid_ = case_.fluid.library->create<sdk::FluidModel>(sdk::PluginKind::fluid_model,
                                                        case_.fluid.params.dump(), setup);
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
    const int k = (side == left || side == bottom) ? -1 - g : n + g;   // ghost position
    const int near = (side == left || side == bottom) ? 0 : n - 1;
    const int wrap = (side == left || side == bottom) ? n + k : k - n;
    const int mirror = (side == left || side == bottom) ? -1 - k : 2 * n - 1 - k;
    int src = near;
    HaloAction action = HaloAction::copy;
    switch (case_.boundary[side].kind) {
      case BoundaryKind::outflow: break;
      case BoundaryKind::periodic: src = wrap; break;
      case BoundaryKind::reflective:
        src = mirror;
        action = x_side ? HaloAction::reflect_x : HaloAction::reflect_y;
        break;
      case BoundaryKind::inflow: action = HaloAction::inflow; break;
    }
    if (x_side) add(k, j_or_i, src, j_or_i, action);
    else add(j_or_i, k, j_or_i, src, action);
  };
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
}

void Simulation::primitive_to_conserved(const double* W, double* U) const {
  const sdk::ConstRows in{W, 1, nvar_, nvar_};
  const sdk::Rows out{U, 1, nvar_, nvar_};
  fluid_.check(fluid_->to_conserved(in, out), "to_conserved");
}

std::vector<double> Simulation::evaluate_state(const StateSpec& spec, double x, double y,
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
  std::vector<double> U(nvar_);
  primitive_to_conserved(W.data(), U.data());
  return U;
}

void Simulation::set_initial_state() {
  const Mesh& m = mesh_;
  U_.assign(m.n_stored() * nvar_, 0.0);
  inflow_U_.assign(m.n_stored() * nvar_, 0.0);
  regime_.assign(m.n_stored(), 0);
  updated_.assign(m.n_stored(), 0);
  knudsen_.assign(m.n_stored(), 0.0);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const double x = m.xc(i), y = m.yc(j);
      const std::size_t c = m.index(i, j);
      knudsen_[c] = case_.knudsen.eval(x, y);
      if (!(knudsen_[c] > 0))
        throw RunError(case_.file.string() + ": /knudsen must be positive, is " +
                       std::to_string(knudsen_[c]) + " at (x=" + std::to_string(x) +
                       ", y=" + std::to_string(y) + ")");
      const StateSpec* spec = nullptr;
      std::string what;
      for (std::size_t k = 0; k < case_.obstacles.size() && !spec; ++k)
        if (inside(case_.obstacles[k], x, y)) {
          spec = &case_.obstacles[k].state;
          what = "/obstacles/" + std::to_string(k);
          regime_[c] = -1;
        }
      for (std::size_t k = 0; k < case_.initial.size() && !spec; ++k) {
        const Region& r = case_.initial[k];
        if (!r.where || r.where->eval(x, y) != 0.0) {
          spec = &r.state;
          what = "/initial/" + std::to_string(k);
        }
      }
      if (!spec)
        throw RunError(case_.file.string() + ": /initial: no region covers the cell at (x=" +
                       std::to_string(x) + ", y=" + std::to_string(y) +
                       "); add a last region without \"where\"");
      const auto U = evaluate_state(*spec, x, y, what);
      std::copy(U.begin(), U.end(), U_.begin() + c * nvar_);
      if (regime_[c] == 0) {
        updated_[c] = 1;
        updated_cells_.push_back(c);
      }
    }
  for (const HaloRule& r : halo_rules_) {
    regime_[r.ghost] = regime_[r.source];
    if (r.action != HaloAction::inflow) continue;
    const int gi = static_cast<int>(r.ghost % m.sx()) - m.halo;
    const int gj = static_cast<int>(r.ghost / m.sx()) - m.halo;
    const int side = gi < 0 ? left : gi >= m.nx ? right : gj < 0 ? bottom : top;
    const auto U = evaluate_state(*case_.boundary[side].inflow, m.xc(gi), m.yc(gj),
                                  "/mesh/boundary inflow state");
    std::copy(U.begin(), U.end(), inflow_U_.begin() + r.ghost * nvar_);
    regime_[r.ghost] = 0;
  }
  fill_halo(U_);
  // Scales for the relative conservation drifts: total mass, momentum magnitude
  // including thermal motion (sum of rho (|u| + sqrt(T))), total energy.
  const Fields f = fields();
  scale_ = {};
  for (std::size_t k = 0; k < f.rho.size(); ++k) {
    scale_[0] += f.rho[k];
    const double mom = f.rho[k] * (std::hypot(f.ux[k], f.uy[k], f.uz[k]) + std::sqrt(f.T[k]));
    scale_[1] += mom;
    scale_[2] += mom;
    scale_[3] += mom;
  }
  for (double& s : scale_) s *= m.dx * m.dy;
  initial_totals_ = totals();
  scale_[0] = std::abs(initial_totals_[0]);
  scale_[4] = std::abs(initial_totals_[4]);
}

void Simulation::build_face_lists() {
  const Mesh& m = mesh_;
  faces_x_ = {};
  faces_y_ = {};
  // A face is computed when at least one neighbour is updated (a solid or ghost
  // neighbour acts as a fixed state, as in the paper).
  for (int j = 0; j < m.ny; ++j)
    for (int i = -1; i < m.nx; ++i)
      if (updated_[m.index(i, j)] || updated_[m.index(i + 1, j)]) {
        faces_x_.left_cell.push_back(m.index(i, j));
        faces_x_.slot.push_back(static_cast<std::size_t>(j) * (m.nx + 1) + (i + 1));
      }
  for (int j = -1; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i)
      if (updated_[m.index(i, j)] || updated_[m.index(i, j + 1)]) {
        faces_y_.left_cell.push_back(m.index(i, j));
        faces_y_.slot.push_back(static_cast<std::size_t>(j + 1) * m.nx + i);
      }
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

double Simulation::stable_dt() const {
  std::vector<double> cells(updated_cells_.size() * nvar_);
  for (std::size_t k = 0; k < updated_cells_.size(); ++k)
    std::copy_n(&U_[updated_cells_[k] * nvar_], nvar_, &cells[k * nvar_]);
  double speed = 0.0;
  const sdk::ConstRows rows{cells.data(), static_cast<std::int64_t>(updated_cells_.size()), nvar_, nvar_};
  fluid_.check(fluid_->max_wave_speed(rows, &speed), "max_wave_speed");
  const double h = std::min(mesh_.dx, mesh_.dy);
  double dt = case_.dt.value_or(case_.dt_dx * h);
  if (speed > 0) dt = std::min(dt, case_.cfl * h / speed);
  return dt;
}

void Simulation::flux_divergence(std::vector<double>& Y, std::vector<double>& K, double weight) {
  const Mesh& m = mesh_;
  const int nv = nvar_;
  fill_halo(Y);
  for (int dir = 0; dir < 2; ++dir) {
    const FaceList& faces = dir == 0 ? faces_x_ : faces_y_;
    std::vector<double>& F = dir == 0 ? Fx_ : Fy_;
    const std::size_t n = faces.slot.size();
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
    // Boundary accounting: flux through a face with one updated side changes the
    // domain totals; area = face length.
    const double area = dir == 0 ? m.dy : m.dx;
    for (std::size_t f = 0; f < n; ++f) {
      std::copy_n(&flux_buf_[f * nv], nv, &F[faces.slot[f] * nv]);
      const std::size_t a = faces.left_cell[f], b = a + step;
      if (updated_[a] == updated_[b]) continue;
      const double sign = updated_[b] ? 1.0 : -1.0;  // into the domain when b is inside
      for (int s = 0; s < layout_.n_species; ++s) boundary_gain_[0] += sign * weight * area * flux_buf_[f * nv + s];
      for (int d = 0; d < 3; ++d)
        boundary_gain_[1 + d] += sign * weight * area * flux_buf_[f * nv + layout_.momentum(d)];
      boundary_gain_[4] += sign * weight * area * flux_buf_[f * nv + layout_.energy()];
    }
  }
  const std::size_t fx_row = m.nx + 1;
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < updated_cells_.size(); ++k) {
    const std::size_t c = updated_cells_[k];
    const int i = static_cast<int>(c % m.sx()) - m.halo, j = static_cast<int>(c / m.sx()) - m.halo;
    const double* fw = &Fx_[(j * fx_row + i) * nv];
    const double* fe = &Fx_[(j * fx_row + i + 1) * nv];
    const double* fs = &Fy_[(static_cast<std::size_t>(j) * m.nx + i) * nv];
    const double* fn = &Fy_[(static_cast<std::size_t>(j + 1) * m.nx + i) * nv];
    for (int v = 0; v < nv; ++v)
      K[c * nv + v] = -(fe[v] - fw[v]) / m.dx - (fn[v] - fs[v]) / m.dy;
  }
}

// One step of the shared explicit tableau (Heun): Y1 = U^n, Y2 = U^n + dt L(Y1),
// U^{n+1} = U^n + dt (L(Y1) + L(Y2)) / 2 — the TVD RK2 of paper eqs. 4.7–4.8.
void Simulation::step(double dt) {
  static const toolkit::ImexTableau tableau = toolkit::pr222();
  const int nv = nvar_;
  K0_.resize(U_.size());
  K1_.resize(U_.size());
  Y_ = U_;
  flux_divergence(Y_, K0_, dt * tableau.w_explicit[0]);
  Y_ = U_;
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < updated_cells_.size(); ++k)
    for (int v = 0; v < nv; ++v) {
      const std::size_t q = updated_cells_[k] * nv + v;
      Y_[q] = U_[q] + dt * tableau.a_explicit[1][0] * K0_[q];
    }
  flux_divergence(Y_, K1_, dt * tableau.w_explicit[1]);
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < updated_cells_.size(); ++k)
    for (int v = 0; v < nv; ++v) {
      const std::size_t q = updated_cells_[k] * nv + v;
      U_[q] += dt * (tableau.w_explicit[0] * K0_[q] + tableau.w_explicit[1] * K1_[q]);
    }
  fill_halo(U_);
  cell_steps_[0] += static_cast<long>(updated_cells_.size());
}

Fields Simulation::fields() const {
  const Mesh& m = mesh_;
  const std::size_t n = m.n_interior();
  std::vector<double> cons(n * nvar_), prim(n * nvar_);
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i)
      std::copy_n(&U_[m.index(i, j) * nvar_], nvar_, &cons[(static_cast<std::size_t>(j) * m.nx + i) * nvar_]);
  fluid_.check(fluid_->to_primitive({cons.data(), static_cast<std::int64_t>(n), nvar_, nvar_},
                                    {prim.data(), static_cast<std::int64_t>(n), nvar_, nvar_}),
               "to_primitive");
  Fields f;
  f.rho.assign(n, 0.0);
  f.p.assign(n, 0.0);
  f.rho_species.assign(layout_.n_species, std::vector<double>(n));
  f.ux.resize(n); f.uy.resize(n); f.uz.resize(n); f.T.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    const double* W = &prim[c * nvar_];
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
  // Entropy: -Σ_cells Σ_s H of the local Maxwellian, H = ρ (ln(ρ (2πT/m)^{-3/2}) - 3/2).
  double entropy = 0.0;
  for (int j = 0; j < mesh_.ny; ++j)
    for (int i = 0; i < mesh_.nx; ++i) {
      const std::size_t c = static_cast<std::size_t>(j) * mesh_.nx + i;
      if (!updated_[mesh_.index(i, j)]) continue;
      for (int s = 0; s < layout_.n_species; ++s)
        if (const double r = f.rho_species[s][c]; r > 0)
          entropy -= r * (std::log(r * std::pow(2 * std::numbers::pi * f.T[c] / mass_[s], -1.5)) - 1.5);
    }
  entropy *= mesh_.dx * mesh_.dy;
  for (int k = 0; k < 5; ++k) {
    const double drift = std::abs(tot[k] - initial_totals_[k] - boundary_gain_[k]) / (scale_[k] > 0 ? scale_[k] : 1.0);
    max_drift_[k] = std::max(max_drift_[k], drift);
  }
  output_->history_row({static_cast<double>(steps_), t, dt, tot[0], tot[1], tot[2], tot[3], tot[4],
                        entropy, static_cast<double>(updated_cells_.size()), 0.0, 0.0, seconds_since(start_)});
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
  const SnapshotData data{f, regime, knudsen, names};
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

void Simulation::run() {
  start_ = last_progress_ = Clock::now();
  double wall_output = 0.0, wall_layer0 = 0.0;
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
    U_prev_ = U_;
    const auto t0 = Clock::now();
    const double t_new = reaches ? target : t_ + dt;
    try {
      step(dt);
      ++steps_;
      f = fields();
      check_state(f, t_new, steps_);
    } catch (const RunError& e) {
      failure = e.what();
    } catch (const PluginError& e) {
      failure = "step " + std::to_string(steps_ + 1) + " from t = " + std::to_string(t_) +
                " failed in layer 0 (Euler): " + e.what();
    }
    wall_layer0 += seconds_since(t0);
    if (!failure.empty()) {
      U_.swap(U_prev_);
      break;
    }
    t_ = t_new;
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
      {"plugins", plugins},
      {"sdk_version", sdk::sdk_version},
      {"steps", steps_},
      {"final_time", t_},
      {"wall_seconds", {{"total", seconds_since(start_)}, {"layer0", wall_layer0}, {"layer1", 0.0},
                        {"layer2", 0.0}, {"coupling", 0.0}, {"indicator", 0.0}, {"output", wall_output}}},
      {"cell_steps", {cell_steps_[0], cell_steps_[1], cell_steps_[2]}},
      {"layer_share", {total ? static_cast<double>(cell_steps_[0]) / static_cast<double>(total) : 0.0,
                       total ? static_cast<double>(cell_steps_[1]) / static_cast<double>(total) : 0.0,
                       total ? static_cast<double>(cell_steps_[2]) / static_cast<double>(total) : 0.0}},
      {"conservation", {{"mass", max_drift_[0]}, {"momentum_x", max_drift_[1]}, {"momentum_y", max_drift_[2]},
                        {"momentum_z", max_drift_[3]}, {"energy", max_drift_[4]}}},
      {"peak_memory_kib", peak_memory_kib()},
  };
  if (!failure.empty()) summary["error"] = failure;
  output_->summary(summary);
  if (!failure.empty()) throw RunError(failure + "; the last good state is in " + (output_->dir() / "last_good.vti").string());
}

}  // namespace strata::core
