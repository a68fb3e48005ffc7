#include "stepper.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "imex_bookkeeping.hpp"
#include "ranks.hpp"
#include "strata/toolkit/format.hpp"
#include "strata/toolkit/imex.hpp"
#include "strata/toolkit/moments.hpp"

namespace strata::core {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
const toolkit::ImexTableau tableau = toolkit::pr222();
}  // namespace

Stepper::Stepper(const Case& c, const Domain& domain, const Gas& gas, MacroState& state, KineticStore& store,
                 Transport& transport, Partition& partition, PluginObject<sdk::FluidModel> fluid, Collision kinetic,
                 Collision boltzmann, std::unique_ptr<Layer2Device> device)
    : case_(c), domain_(domain), gas_(gas), state_(state), store_(store), transport_(transport),
      partition_(partition), fluid_(std::move(fluid)), kinetic_(std::move(kinetic)), boltzmann_(std::move(boltzmann)),
      device_(std::move(device)) {
  if (device_) transport_.leave_layer2_faces_to_device();
}

TimeStep Stepper::stable_dt() const {
  const int nv = gas_.n_vars();
  bool kinetic = false;
  std::vector<double> cells;
  for (const std::size_t c : domain_.owned_cells())
    if (domain_.is_kinetic(c)) kinetic = true;
    else cells.insert(cells.end(), state_.cell(c), state_.cell(c) + nv);
  // The states that inflow, pressure and far-field ghosts hold beside fluid cells enter
  // those cells' faces: a free stream at Mach 10 beside gas at rest sets the step. Each
  // made afresh from its owned source (a ghost's stored value may predate a rebalance).
  std::vector<double> ghost(static_cast<std::size_t>(nv));
  for (const HaloRule& r : domain_.halo_rules())
    if (!r.copies() && domain_.owned(r.source) && !domain_.is_kinetic(r.source)) {
      state_.ghost_value(r, state_.values(), ghost.data());
      cells.insert(cells.end(), ghost.begin(), ghost.end());
    }
  double s = 0.0;
  ranks::agreed([&] {
    if (cells.empty()) return;
    const auto n = static_cast<std::int64_t>(cells.size() / nv);
    fluid_.call("max_wave_speed", [&] { return fluid_->max_wave_speed({cells.data(), n, nv, nv}, &s); });
  });
  s = ranks::max(s);
  double speed = ranks::any(kinetic) ? case_.velocity.max_speed() : 0.0;
  if (!(s <= speed)) speed = s;  // a NaN too
  const Mesh& m = domain_.mesh();
  const double h = std::min(m.dx, m.dy);
  TimeStep step{case_.dt.value_or(case_.dt_dx * h), case_.dt ? "time.dt" : "time.dt_dx", speed};
  // An infinite speed gives Δt = 0, a NaN one a NaN Δt: both stop the run (simulation.cpp).
  if (speed > 0 || std::isnan(speed))
    if (const double cfl = case_.cfl * h / speed; !(cfl >= step.dt)) step = {cfl, "time.cfl", speed};
  return step;
}

void Stepper::evaluate_stage(int stage, double dt, std::vector<double>& K, Totals& exchange, LayerWork& work) {
  const double weight = dt * tableau.w_explicit[stage];
  const device::Pr222 c = pr222_constants(stage, dt);
  auto t0 = Clock::now();
  state_.fill_halo(Y_);
  transport_.fill_kinetic_halo(Y_);
  if (device_) device_->upload_halo(store_);
  work.coupling += seconds_since(t0);
  t0 = Clock::now();
  transport_.fluid_fluxes(Y_, weight, exchange);
  work.wall[0] += seconds_since(t0);
  t0 = Clock::now();
  const bool with_explicit[2] = {has_explicit(1), has_explicit(2)};
  transport_.kinetic_fluxes(weight, exchange, [&](std::size_t slot) {
    if (slot < host_slots()) complete_kinetic_cell(stage, c, slot, with_explicit[slot < store_.first_slot(2) ? 0 : 1]);
  });
  if (device_) {
    device_->transport(store_, has_explicit(2));
    device_->accumulate(stage, c);
  }
  work.charge_kinetic(seconds_since(t0), store_.n_layer(1), store_.n_layer(2));
  t0 = Clock::now();
  transport_.fluid_residual(K);
  work.wall[0] += seconds_since(t0);
}

void Stepper::step(double dt, Totals& exchange, LayerWork& work) {
  const int nv = gas_.n_vars();
  std::vector<double>& U = state_.values();
  const auto& cells = domain_.owned_cells();
  K_[0].resize(U.size());
  K_[1].resize(U.size());
  // The work between two exchanges runs only while no error is pending; the exchange
  // agrees on it, so every rank leaves the step at the same point.
  std::exception_ptr error;
  auto unless_failed = [&](auto&& work_part) {
    if (error) return;
    try {
      work_part();
    } catch (...) {
      error = std::current_exception();
    }
  };
  Totals boundary{};  // this rank's exchanges through the boundary, summed over ranks below
  transport_.loads().begin_step();
  std::vector<std::size_t> moment_slots;
  unless_failed([&] {
    const auto t0 = Clock::now();
    moment_slots = stage_moment_slots();
    if (device_) device_->prepare(store_, domain_, transport_, partition_);
    work.coupling += seconds_since(t0);
  });
  for (int stage = 0; stage < 2; ++stage) {
    unless_failed([&] {
      Y_ = U;
      if (stage == 1) {  // fluid cells: a kinetic cell's Y is the moments of its stage value (below)
#pragma omp parallel for schedule(static)
        for (std::size_t k = 0; k < cells.size(); ++k) {
          if (domain_.is_kinetic(cells[k])) continue;
          for (int v = 0; v < nv; ++v) {
            const std::size_t q = cells[k] * nv + v;
            Y_[q] += dt * tableau.a_explicit[1][0] * K_[0][q];
          }
        }
      }
      kinetic_stage_values(stage, dt, work);
      const auto t0 = Clock::now();
      store_.project_to(store_.stage(), Y_, nv, moment_slots);
      if (device_) device_->after_stage_values(store_, Y_, nv);
      work.coupling += seconds_since(t0);
    });
    partition_.exchange_stage(Y_, error);
    unless_failed([&] {
      evaluate_stage(stage, dt, K_[stage], boundary, work);
    });
  }
  unless_failed([&] {
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (domain_.is_kinetic(cells[k])) continue;
      for (int v = 0; v < nv; ++v) {
        const std::size_t q = cells[k] * nv + v;
        U[q] += dt * (tableau.w_explicit[0] * K_[0][q] + tableau.w_explicit[1] * K_[1][q]);
      }
    }
    store_.advance();
    const auto t0 = Clock::now();
    store_.project_to(store_.f(), U, nv, host_slots());
    if (device_) device_->finish_step(store_, U, nv);
    work.coupling += seconds_since(t0);
  });
  partition_.exchange_halo(U, error);
  // Pressure and far-field ghosts call the fluid model (MacroState::fill_halo): a refusal on
  // one rank stops every rank here, not in the collectives that follow.
  try {
    state_.fill_halo(U);
  } catch (...) {
    error = std::current_exception();
  }
  ranks::agree(error);
  ranks::sum(boundary.data(), 5);
  for (int k = 0; k < 5; ++k) exchange[k] += boundary[k];
  transport_.loads().end_step(dt);
}

std::vector<std::size_t> Stepper::stage_moment_slots() const {
  std::vector<std::size_t> slots;
  if (host_slots() == 0) return slots;
  std::vector<std::uint8_t> read(domain_.mesh().n_stored(), 0);
  transport_.mark_stage_moments_read(read);
  for (const std::size_t cell : partition_.cells_sent(Partition::Sent::values)) read[cell] = 1;
  for (std::size_t slot = 0; slot < host_slots(); ++slot)
    if (read[store_.slot_cell(slot)]) slots.push_back(slot);
  return slots;
}

// Stage values of the kinetic cells: Y_i = rhs_i + h P(Y_i), h = a_ii dt / eps, by each
// layer's collision model on its block of cells (paper eq. 4.15), with the explicit
// part E(Y_i) in the same call for the layers that have one, so that a device plugin
// keeps Y_i on its device between the two.
void Stepper::kinetic_stage_values(int stage, double dt, LayerWork& work) {
  const std::size_t n_kinetic = store_.n_kinetic(), nf = store_.values_per_cell();
  if (n_kinetic == 0) return;
  const double a = tableau.a_implicit[stage][stage];
  std::vector<double> h(n_kinetic);
  for (std::size_t slot = 0; slot < n_kinetic; ++slot) h[slot] = a * dt / domain_.knudsen(store_.slot_cell(slot));
  const KineticArray& rhs = stage == 0 ? store_.f() : store_.rhs();
  store_.size_explicit_part(explicit_first_row(2) + (has_explicit(2) && !device_ ? store_.n_layer(2) : 0));
  KineticArray& explicit_part = store_.explicit_part();
  const auto cols = static_cast<std::int64_t>(nf);
  for (int layer = 1; layer <= 2; ++layer) {
    const std::size_t n = store_.n_layer(layer), begin = store_.first_slot(layer);
    if (n == 0) continue;
    const auto t0 = Clock::now();
    const Collision& model = collision_model(layer);
    const auto rows = static_cast<std::int64_t>(n);
    const bool on_device = device_ && layer == 2;
    const sdk::ConstRows in = on_device ? device_->rhs(stage) : sdk::ConstRows{&rhs[begin * nf], rows, cols, cols};
    const sdk::Rows out = on_device ? device_->stage_values() : sdk::Rows{&store_.stage()[begin * nf], rows, cols, cols};
    const sdk::Rows e = on_device             ? device_->explicit_part(has_explicit(layer))
                        : has_explicit(layer) ? sdk::Rows{&explicit_part[explicit_first_row(layer) * nf], rows, cols, cols}
                                              : sdk::Rows{nullptr, 0, cols, cols};
    try {
      model.call("stage_value", [&] { return model->stage_value(in, &h[begin], out, e); });
    } catch (...) {
      const auto [where, hint] = locate_failure(layer, in, &h[begin]);
      rethrow_with_context(where, hint);
    }
    const double seconds = seconds_since(t0);
    work.wall[layer] += seconds;
    work.collision_model[layer] += seconds;
  }
}

// Where a batch call failed: the first cell whose own call fails, found by calling
// the model on one cell at a time (only after a failure, so its cost does not matter).
// A state the set-up's check let through may still be too much for a model's own
// Maxwellians (a mixture's mixed targets, layer 2's exponent fit): where the cell's state
// asks for another grid by the rule of one point per thermal speed, the hint says which.
std::pair<std::string, std::string> Stepper::locate_failure(int layer, const sdk::ConstRows& rhs,
                                                            const double* h) const {
  const Collision& model = collision_model(layer);
  const std::size_t nf = store_.values_per_cell();
  const auto cols = static_cast<std::int64_t>(nf);
  std::vector<double> y(nf), e(nf);
  const std::string where = "layer " + std::to_string(layer) + " (" + model.name() + ")";
  for (std::int64_t r = 0; r < rhs.rows; ++r) {
    const sdk::ConstRows one{rhs.row(r), 1, cols, cols, rhs.space};
    bool ok = false;
    try {
      const PluginCallScope in_plugin(model.name(), "stage_value (one cell at a time, to find the failing one)");
      ok = model->stage_value(one, h + r, {y.data(), 1, cols, cols}, {e.data(), 1, cols, cols}) == sdk::Status::ok;
    } catch (...) {
    }
    if (ok) continue;
    const std::string cell =
        domain_.describe(store_.slot_cell(store_.first_slot(layer) + static_cast<std::size_t>(r))) + ", " + where;
    if (rhs.space != sdk::MemorySpace::host) return {cell, ""};  // its values are on the device
    const Coupling& coupling = store_.coupling();
    std::vector<double> U(gas_.n_vars()), W(gas_.n_vars());
    coupling.project(rhs.row(r), U.data());
    toolkit::conserved_to_primitive(gas_.layout(), gas_.mass(), toolkit::monatomic_gamma, U.data(), W.data());
    const double T = W[gas_.layout().temperature()];
    if (!(T > 0 && std::isfinite(T))) return {cell, ""};
    const GridDemand demand(gas_, W.data());
    const toolkit::VelocityGrid needed = grid_needed(coupling.grid(), demand);
    if (needed.n == coupling.grid().n && needed.L == coupling.grid().L) return {cell, ""};
    // The model's failure may have another cause (its own message says): hence "if".
    return {cell, "if the velocity grid is the cause: it is coarse or narrow for this cell's state (u = (" +
                      toolkit::format_number(W[gas_.layout().velocity(0)]) + ", " +
                      toolkit::format_number(W[gas_.layout().velocity(1)]) + ", " +
                      toolkit::format_number(W[gas_.layout().velocity(2)]) + "), T = " + toolkit::format_number(T) +
                      "): " + grid_advice(coupling.grid(), demand)};
  }
  return {where + ", " + std::to_string(rhs.rows) + " cells", ""};
}

device::Pr222 Stepper::pr222_constants(int stage, double dt) const {
  return {dt,
          tableau.a_implicit[stage][stage],
          tableau.w_explicit[stage],
          tableau.w_implicit[stage],
          tableau.a_explicit[1][0],
          tableau.a_implicit[1][0]};
}

// A host kinetic cell whose q the stage's transport has completed: q += E(Y)/eps where
// its collision model has an explicit part (the penalised Boltzmann operator's Q - P,
// paper eqs. 4.17–4.24; BGK-type models have none), then the PR(2,2,2) bookkeeping
// (layer2_pointwise.hpp), while q is in cache:
//   stage 0: sum = f + dt (w~_0 q_0 + w_0 G_0),  rhs_1 = f + dt (a~_10 q_0 + a_10 G_0);
//   stage 1: f^{n+1} = sum + dt (w~_1 q_1 + w_1 G_1), built in sum (KineticStore::advance).
// The device's layer 2 does the same in Layer2Device::transport and accumulate.
void Stepper::complete_kinetic_cell(int stage, const device::Pr222& c, std::size_t slot, bool with_explicit) {
  const std::size_t nf = store_.values_per_cell(), begin = slot * nf, end = begin + nf;
  double* q = store_.transport().data();
  if (with_explicit) {
    const int layer = slot < store_.first_slot(2) ? 1 : 2;
    const std::size_t row = explicit_first_row(layer) + slot - store_.first_slot(layer);
    const double inv_eps = 1.0 / domain_.knudsen(store_.slot_cell(slot));
    const double* e = &store_.explicit_part()[row * nf];
    for (std::size_t k = 0; k < nf; ++k) q[begin + k] += e[k] * inv_eps;
  }
  const double* f = store_.f().data();
  const double* Y = store_.stage().data();
  double* rhs = store_.rhs().data();
  double* sum = store_.sum().data();
  if (stage == 0) pr222_first(begin, end, c, f, Y, q, sum, rhs);
  else pr222_second(begin, end, c, rhs, Y, q, sum);
}

}  // namespace strata::core
