#include "run_diagnostics.hpp"

#include "layer2_device.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

#include <spdlog/spdlog.h>

#include "diagnostics.hpp"
#include "mixture_diagnostics.hpp"
#include "output.hpp"
#include "strata/toolkit/parallel.hpp"
#include "ranks.hpp"
#include "strata/toolkit/format.hpp"
#include "strata/toolkit/moments.hpp"
#include "strata/toolkit/vector_clones.hpp"

namespace strata::core {

namespace {
// Σ_k entropy_term(f_k) of one cell (layer2_pointwise.hpp, which the device's sums call
// too), in eight partial sums of fixed order: one vector loop, and the same bits on
// every vector width.
STRATA_VECTOR_CLONES double entropy_sum(const double* f, std::size_t n) {
  double part[8] = {};
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8)
#pragma omp simd
    for (int l = 0; l < 8; ++l) part[l] += device::entropy_term(f[k + l]);
  for (; k < n; ++k) part[0] += device::entropy_term(f[k]);
  double h = 0.0;
  for (const double p : part) h += p;
  return h;
}
}  // namespace

RunDiagnostics::RunDiagnostics(const Case& c, const Domain& domain, const Gas& gas, const Coupling& coupling,
                               const MacroState& state, const KineticStore& store, const Partition& partition,
                               BoundaryLoads& loads)
    : case_(c), domain_(domain), gas_(gas), coupling_(coupling), state_(state), store_(store), partition_(partition),
      loads_(loads) {
  if (c.species.size() > 1)
    for (const auto& sp : c.species)
      for (const char* q : {"mass_", "ux_", "uy_", "T_"}) extra_columns_.push_back(q + sp.name);
  if (c.species.size() > 1) extra_columns_.push_back("distance_to_equilibrium");
  // Where each probe records, said once; a probe in an obstacle records its fixed state.
  if (ranks::root())
    for (std::size_t k = 0; k < c.probes.size(); ++k) {
      const auto [i, j] = probe_cell(c.probes[k]);
      const Mesh& m = domain.mesh();
      if (!domain.updated(m.index(i, j)))
        warn_once(c.file.string() + ": /probes/" + std::to_string(k) + " (\"" + c.probes[k].name +
                  "\") lies in an obstacle's cell (i=" + std::to_string(i) + ", j=" + std::to_string(j) +
                  "): it records the obstacle's fixed state");
      else
        spdlog::info("probe \"{}\" records cell (i={}, j={}), centre (x={}, y={})", c.probes[k].name, i, j,
                     toolkit::format_number(m.xc(i)), toolkit::format_number(m.yc(j)));
    }
}

std::array<int, 2> RunDiagnostics::probe_cell(const Probe& p) const {
  const Mesh& m = domain_.mesh();
  return {std::clamp(static_cast<int>((p.x - m.x0) / m.dx), 0, m.nx - 1),
          std::clamp(static_cast<int>((p.y - m.y0) / m.dy), 0, m.ny - 1)};
}

RunDiagnostics::~RunDiagnostics() = default;

RunDiagnostics::Primitive RunDiagnostics::primitive(std::size_t cell, const double* U, std::vector<double>& W) const {
  try {
    gas_.to_primitive(domain_.layer(cell), U, W.data());
  } catch (...) {
    rethrow_with_context(domain_.describe(cell));
  }
  const auto& layout = gas_.layout();
  Primitive w;
  for (int s = 0; s < gas_.n_species(); ++s) {
    w.rho += W[s];
    w.number += W[s] / gas_.mass()[s];
  }
  for (int d = 0; d < 3; ++d) w.u[d] = W[layout.velocity(d)];
  w.T = W[layout.temperature()];
  return w;
}

void RunDiagnostics::kinetic_moments(std::size_t cell, const double u[3], double P[6], double q[3]) const {
  const std::size_t n3 = coupling_.points();
  const double* f = store_.f(static_cast<std::size_t>(store_.slot_of(cell)));
  std::array<double, 6> p{};
  std::array<double, 3> h{};
  for (int s = 0; s < gas_.n_species(); ++s) toolkit::add_central_moments(coupling_.grid(), f + s * n3, {u[0], u[1], u[2]}, p, h);
  const double vol = coupling_.grid().cell_volume();
  for (int k = 0; k < 6; ++k) P[k] = p[k] * vol;
  for (int k = 0; k < 3; ++k) q[k] = 0.5 * h[k] * vol;
}

Fields RunDiagnostics::fields() const {
  const Mesh& m = domain_.mesh();
  const std::size_t n = m.n_interior();
  const int S = gas_.n_species();
  Fields f;
  std::vector<double> U = state_.values(), moments(m.n_stored() * 9, 0.0);
  partition_.gather_to_root(U, gas_.n_vars());
  auto interior = [&](std::size_t cell) {
    const auto [i, j] = m.ij(cell);
    return static_cast<std::size_t>(j) * m.nx + i;
  };
  // Every rank learns of an error on any before the moments are shared.
  std::exception_ptr error;
  try {
    f.rho.assign(n, 0.0);
    f.p.assign(n, 0.0);
    f.ux.resize(n); f.uy.resize(n); f.uz.resize(n); f.T.resize(n);
    f.rho_species.assign(S, std::vector<double>(n));
    f.pressure.assign(n, {});
    f.heat_flux.assign(n, {});
    toolkit::parallel_for(n, toolkit::Schedule::static_chunks, [&] { return std::vector<double>(gas_.n_vars()); },
                 [&](std::size_t c, std::vector<double>& W) {
                   const std::size_t cell = m.index(static_cast<int>(c % m.nx), static_cast<int>(c / m.nx));
                   const Primitive w = primitive(cell, &U[cell * gas_.n_vars()], W);
                   for (int s = 0; s < S; ++s) f.rho_species[s][c] = W[s];
                   f.rho[c] = w.rho;
                   f.ux[c] = w.u[0];
                   f.uy[c] = w.u[1];
                   f.uz[c] = w.u[2];
                   f.T[c] = w.T;
                   f.p[c] = w.number * w.T;
                   f.pressure[c] = {f.p[c], f.p[c], f.p[c], 0.0, 0.0, 0.0};
                 });
    // Kinetic cells: the full pressure tensor and heat flux of f (mixture velocity),
    // computed by each cell's owner and shared (9 values per stored cell).
#pragma omp parallel for schedule(static)
    for (std::size_t slot = 0; slot < store_.n_kinetic(); ++slot) {
      const std::size_t cell = store_.slot_cell(slot), c = interior(cell);
      const double u[3] = {f.ux[c], f.uy[c], f.uz[c]};
      kinetic_moments(cell, u, &moments[cell * 9], &moments[cell * 9 + 6]);
    }
  } catch (...) {
    error = std::current_exception();
  }
  partition_.share_kinetic(moments, 9, error);
  for (const std::size_t cell : domain_.updated_cells()) {
    if (!domain_.is_kinetic(cell)) continue;
    const std::size_t c = interior(cell);
    std::copy_n(&moments[cell * 9], 6, f.pressure[c].data());
    std::copy_n(&moments[cell * 9 + 6], 3, f.heat_flux[c].data());
  }
  return f;
}

Totals RunDiagnostics::totals() const {
  const auto& layout = gas_.layout();
  Totals t{};
  for (const std::size_t c : domain_.owned_cells())  // each rank its cells, summed below
    add_to_totals(layout, state_.cell(c), 1.0, t);
  const Mesh& m = domain_.mesh();
  ranks::sum(t.data(), 5);
  for (double& v : t) v *= m.dx * m.dy;
  return t;
}

void RunDiagnostics::set_baseline(const Fields& f) {
  const Mesh& m = domain_.mesh();
  scale_ = {};
  const std::vector<std::int8_t> regime = domain_.interior_regime();
  for (std::size_t k = 0; k < f.rho.size(); ++k) {
    if (regime[k] < 0) continue;  // gas cells, as the totals
    const double mom = f.rho[k] * (std::hypot(f.ux[k], f.uy[k], f.uz[k]) + std::sqrt(f.T[k]));
    for (int d = 1; d <= 3; ++d) scale_[d] += mom;
  }
  for (double& s : scale_) s *= m.dx * m.dy;
  initial_ = totals();
  scale_[0] = std::abs(initial_[0]);
  scale_[4] = std::abs(initial_[4]);
  if (gas_.n_species() > 1)
    mixture_ = std::make_unique<MixtureDiagnostics>(domain_, gas_, coupling_, state_, store_, initial_,
                                                    MixtureDiagnostics::species_number(domain_, gas_, state_));
}

RunDiagnostics::Baseline RunDiagnostics::baseline() const {
  return {initial_, exchange_, scale_, max_drift_, mixture_ ? mixture_->initial_number() : std::vector<double>{},
          kinetic_residual_, largest_residual_, loads_.window()};
}

void RunDiagnostics::restore_baseline(const Baseline& b) {
  initial_ = b.initial;
  exchange_ = b.exchange;
  scale_ = b.scale;
  max_drift_ = b.max_drift;
  // The next drift warned about follows from the drifts so far, as in record().
  drift_to_report_ = 1e-8;
  while (*std::max_element(max_drift_.begin(), max_drift_.end()) > drift_to_report_) drift_to_report_ *= 100;
  kinetic_residual_ = b.kinetic_residual;
  largest_residual_ = b.largest_residual;
  loads_.restore_window(b.loads_window);
  // A checkpoint written before the species' numbers were kept: those of the case's
  // initial state, which set_baseline used.
  if (mixture_ && b.species_number.size() == static_cast<std::size_t>(gas_.n_species()))
    mixture_ = std::make_unique<MixtureDiagnostics>(domain_, gas_, coupling_, state_, store_, initial_, b.species_number);
}

void RunDiagnostics::check_state(double t, long step, const LayerNames& names) const {
  const Mesh& m = domain_.mesh();
  const auto& cells = domain_.owned_cells();  // ascending: mesh order
  // In parallel; the error reported is the first bad cell's in mesh order, whatever the
  // threads (parallel_for rethrows the lowest index's, and says which).
  std::size_t first_bad = 0;
  std::exception_ptr problem;
  try {
    toolkit::parallel_for(
        cells.size(), toolkit::Schedule::static_chunks, [&] { return std::vector<double>(gas_.n_vars()); },
        [&](std::size_t k, std::vector<double>& W) {
          const std::size_t cell = cells[k];
          const Primitive w = primitive(cell, W);
          const bool finite = std::isfinite(w.rho) && std::isfinite(w.u[0]) && std::isfinite(w.u[1]) &&
                              std::isfinite(w.u[2]) && std::isfinite(w.T);
          const char* what = !finite ? "a non-finite value (NaN or inf)"
                             : w.rho <= 0 ? "a non-positive density"
                             : w.T <= 0 ? "a non-positive temperature" : nullptr;
          if (!what) return;
          const auto [i, j] = m.ij(cell);
          std::ostringstream msg;
          msg << "unphysical state at t = " << t << " (step " << step << "): cell (i=" << i << ", j=" << j
              << ") at (x=" << m.xc(i) << ", y=" << m.yc(j) << "), " << names(domain_.layer(cell)) << ", has "
              << what << " (rho = " << w.rho << ", T = " << w.T << ")";
          throw UnphysicalState(msg.str());
        },
        &first_bad);
  } catch (...) {
    problem = std::current_exception();
  }
  // Stored index of this rank's first bad cell.
  const double first = !problem || cells.empty() ? HUGE_VAL : static_cast<double>(cells[first_bad]);
  // The first bad cell over all ranks is reported on every rank.
  const double lowest = -ranks::max(-first);
  ranks::agree(first == lowest ? problem : nullptr);
}

// Entropy -H, H the mixture's H-function Σ_s ∫ F_s ln F_s dv of the number densities
// F_s = f_s / m_s (paper 000, §2: the quantity the H-theorem makes fall; a sum over the
// mass densities f_s would weigh the species by their masses): per species
// (∫ f_s ln f_s dv − ρ_s ln m_s) / m_s. Kinetic cells sum f ln f over the velocity grid,
// fluid cells take their local Maxwellians', ∫ F ln F = n (ln(n (2πT/m)^{-3/2}) − 3/2).
double RunDiagnostics::entropy() const {
  const Mesh& m = domain_.mesh();
  const std::size_t n3 = coupling_.points();
  const auto S = static_cast<std::size_t>(gas_.n_species());
  const double dv = coupling_.grid().cell_volume();
  // The kinetic cells' sums per store slot and species over the threads (a logarithm
  // per velocity point, a vector one: with the library's, the history took 15% of an
  // ES-BGK run), added below in mesh order as before. Layer 2 has one species.
  std::vector<double> kinetic(store_.n_kinetic() * S);
  const bool on_device = layer2_device_ && layer2_device_->entropy_sums(store_, kinetic);
  toolkit::parallel_for(on_device ? store_.first_slot(2) : store_.n_kinetic(), toolkit::Schedule::static_chunks, [&](std::size_t slot) {
    for (std::size_t s = 0; s < S; ++s) kinetic[slot * S + s] = entropy_sum(store_.f(slot) + s * n3, n3);
  });
  // The fluid cells' terms per species over the threads too (0 for an absent species),
  // subtracted below in mesh order.
  const auto& cells = domain_.owned_cells();
  std::vector<double> fluid(cells.size() * S, 0.0);
  toolkit::parallel_for(cells.size(), toolkit::Schedule::static_chunks, [&] { return std::vector<double>(gas_.n_vars()); },
               [&](std::size_t k, std::vector<double>& W) {
                 if (domain_.is_kinetic(cells[k])) return;
                 const Primitive w = primitive(cells[k], W);
                 for (std::size_t s = 0; s < S; ++s)
                   if (const double n = W[s] / gas_.mass()[s]; n > 0)
                     fluid[k * S + s] = n * (std::log(n * std::pow(2 * std::numbers::pi * w.T / gas_.mass()[s], -1.5)) - 1.5);
               });
  double entropy = 0.0;  // this rank's cells, in mesh order; then summed over ranks
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (domain_.is_kinetic(cells[k])) {
      const auto slot = static_cast<std::size_t>(store_.slot_of(cells[k]));
      for (std::size_t s = 0; s < S; ++s) {
        const double mass = gas_.mass()[s];
        entropy += (kinetic[slot * S + s] * dv + state_.cell(cells[k])[s] * std::log(mass)) / mass;  // -H_s
      }
      continue;
    }
    for (std::size_t s = 0; s < S; ++s) entropy -= fluid[k * S + s];
  }
  ranks::sum(&entropy, 1);
  return entropy * (m.dx * m.dy);
}

void RunDiagnostics::record_probes(OutputWriter* out, double t) const {
  if (case_.probes.empty()) return;
  const Mesh& m = domain_.mesh();
  std::vector<double> W(gas_.n_vars()), rows;  // per owned probe: its index, then its row
  for (std::size_t k = 0; k < case_.probes.size(); ++k) {
    const auto [i, j] = probe_cell(case_.probes[k]);
    const std::size_t cell = m.index(i, j);
    if (domain_.owner(cell) != ranks::rank()) continue;
    const Primitive w = primitive(cell, W);
    const double pressure = w.number * w.T;
    double P[6] = {pressure, pressure, pressure, 0, 0, 0}, q[3] = {0, 0, 0};
    if (domain_.updated(cell) && domain_.is_kinetic(cell)) kinetic_moments(cell, w.u, P, q);
    rows.insert(rows.end(), {static_cast<double>(k), t, w.rho, w.u[0], w.u[1], w.u[2], w.T, P[0], P[1], P[2], P[3],
                             P[4], P[5], q[0], q[1], q[2], static_cast<double>(domain_.layer(cell))});
  }
  rows = ranks::gather_to_root(rows);
  if (!out) return;
  constexpr std::size_t width = 17;
  std::vector<const double*> by_probe(case_.probes.size(), nullptr);
  for (std::size_t r = 0; r + width <= rows.size(); r += width) by_probe[static_cast<std::size_t>(rows[r])] = &rows[r + 1];
  for (std::size_t k = 0; k < case_.probes.size(); ++k)
    out->probe_row(case_.probes[k].name, std::vector<double>(by_probe[k], by_probe[k] + width - 1));
}

void RunDiagnostics::measure_residual(double dt, long step) {
  const auto& layout = gas_.layout();
  double sums[4] = {0, 0, 0, 0};  // Σ ΔU² of mass, momentum, energy; gas cells
  for (const std::size_t c : domain_.owned_cells()) {
    const double *now = state_.cell(c), *before = state_.previous(c);
    double mass = 0;
    for (int s = 0; s < layout.n_species; ++s) mass += now[s] - before[s];
    sums[0] += mass * mass;
    for (int d = 0; d < 3; ++d) {
      const double m = now[layout.momentum(d)] - before[layout.momentum(d)];
      sums[1] += m * m;
    }
    const double e = now[layout.energy()] - before[layout.energy()];
    sums[2] += e * e;
    sums[3] += 1;
  }
  // The distributions of the kinetic cells: a relaxation that keeps every cell's moments
  // (a homogeneous box, a mixture's species exchanging momentum) changes f alone.
  // Per slot, then summed in slot order: the same sum at any thread count.
  residual_complete_ = step == 1 || step % kinetic_residual_every == 0;  // the same step on every rank
  const std::size_t slots = residual_complete_ ? store_.n_kinetic() : 0, nf = store_.values_per_cell();
  std::vector<double> change(2 * slots, 0.0);
  if (slots > 0 && store_.previous_f(0))
    toolkit::parallel_for(slots, toolkit::Schedule::static_chunks, [&](std::size_t slot) {
      const double *now = store_.f(slot), *before = store_.previous_f(slot);
      double d = 0, size = 0;
      for (std::size_t k = 0; k < nf; ++k) {
        d += (now[k] - before[k]) * (now[k] - before[k]);
        size += before[k] * before[k];
      }
      change[2 * slot] = d;
      change[2 * slot + 1] = size;
    });
  double kinetic[2] = {0, 0};  // Σ |Δf|², Σ f² over this rank's kinetic cells
  for (std::size_t slot = 0; slot < slots; ++slot) {
    kinetic[0] += change[2 * slot];
    kinetic[1] += change[2 * slot + 1];
  }
  ranks::sum(sums, 4);
  if (residual_complete_) ranks::sum(kinetic, 2);
  const Mesh& m = domain_.mesh();
  const double area = sums[3] * m.dx * m.dy;
  const double scale[3] = {scale_[0] / area, scale_[1] / area, scale_[4] / area};  // mean densities
  residual_ = 0;
  for (int q = 0; q < 3; ++q)
    if (scale[q] > 0) residual_ = std::max(residual_, std::sqrt(sums[q] / sums[3]) / (dt * scale[q]));
  if (residual_complete_) kinetic_residual_ = kinetic[1] > 0 ? std::sqrt(kinetic[0] / kinetic[1]) / dt : 0.0;
  residual_ = std::max(residual_, kinetic_residual_);
  if (residual_complete_) largest_residual_ = std::max(largest_residual_, residual_);
}

void RunDiagnostics::record(OutputWriter* out, long step, double t, double dt, double wall_seconds,
                            const LayerNames& layers) {
  const Totals tot = totals();
  const double S_total = entropy();
  for (int k = 0; k < 5; ++k) {
    const double drift = std::abs(tot[k] - initial_[k] - exchange_[k]) / (scale_[k] > 0 ? scale_[k] : 1.0);
    max_drift_[k] = std::max(max_drift_[k], drift);
  }
  // Every layer, its coupling and the boundary exchange conserve to round-off (1e-15 to
  // 1e-13 of the scale in the shipped cases); a drift far above that means a run gone
  // wrong without becoming unphysical: said when the largest drift passes 1e-8, and
  // again whenever it passes the next of 1e-6, 1e-4, ..., with the layers then in use.
  static const char* names[5] = {"mass", "momentum_x", "momentum_y", "momentum_z", "energy"};
  if (const auto worst = std::max_element(max_drift_.begin(), max_drift_.end()); *worst > drift_to_report_) {
    while (*worst > drift_to_report_) drift_to_report_ *= 100;
    const auto cells = domain_.layer_counts();
    std::string in_use;
    for (int l = 0; l < 3; ++l)
      if (cells[l] > 0) in_use += (in_use.empty() ? "" : ", ") + layers(l) + ": " + std::to_string(cells[l]) + " cells";
    if (ranks::root())
      spdlog::warn("conservation: the {} drift has reached {} of its scale at step {}, t = {} ({}); the layers "
                   "conserve to round-off, so the run is losing accuracy: {}{} (docs/user_guide.md §6.1). Said "
                   "again if it passes {}",
                   names[worst - max_drift_.begin()], toolkit::format_number(*worst), step, toolkit::format_number(t),
                   in_use, cells[1] + cells[2] > 0 ? "a collision model that does not conserve" : "a fluid model that does not conserve",
                   cells[2] > 0 ? ", or in layer 2 a Knudsen number below about 1e-20, which amplifies round-off" : "",
                   toolkit::format_number(drift_to_report_));
  }
  // Mixtures: per species mass, mean velocity and temperature over the domain, and the
  // distance to the global equilibrium (sums over ranks: every rank takes part).
  std::vector<double> species_columns;
  if (mixture_) {
    const auto species = mixture_->species_totals();
    for (int s = 0; s < gas_.n_species(); ++s) {
      const Totals& q = species[s];
      if (!(q[0] > 0)) {  // a species absent from the whole domain: no velocity, no temperature
        constexpr double none = std::numeric_limits<double>::quiet_NaN();
        species_columns.insert(species_columns.end(), {q[0], none, none, none});
        continue;
      }
      const double kinetic = 0.5 * (q[1] * q[1] + q[2] * q[2] + q[3] * q[3]) / q[0];
      species_columns.insert(species_columns.end(),
                             {q[0], q[1] / q[0], q[2] / q[0], (q[4] - kinetic) / (1.5 * q[0] / gas_.mass()[s])});
    }
    species_columns.push_back(mixture_->distance_to_equilibrium());
  }
  record_probes(out, t);  // collective: before the root's early return
  if (!out) return;
  const auto n = domain_.layer_counts();
  std::vector<double> row = {static_cast<double>(step), t, dt, tot[0], tot[1], tot[2], tot[3], tot[4], S_total,
                             static_cast<double>(n[0]), static_cast<double>(n[1]), static_cast<double>(n[2]),
                             residual_, wall_seconds};
  row.insert(row.end(), species_columns.begin(), species_columns.end());
  out->history_row(row);
  if (loads_.measured() && !loads_.parts().empty()) {
    std::vector<double> loads = {static_cast<double>(step), t};
    for (const Load& l : loads_.take_window()) loads.insert(loads.end(), {l.mass, l.fx, l.fy, l.fz, l.heat});
    out->loads_row(loads);
  }
}

std::vector<std::string> RunDiagnostics::loads_columns() const {
  std::vector<std::string> columns;
  for (const BoundaryPart& p : loads_.parts())
    for (const char* q : {"_mass", "_Fx", "_Fy", "_Fz", "_heat"}) columns.push_back(p.name + q);
  return columns;
}

}  // namespace strata::core
