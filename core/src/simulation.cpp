#include "simulation.hpp"


#include <algorithm>
#include <cstring>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "checkpoint.hpp"
#include "diagnostics.hpp"
#include "estimate.hpp"
#include "fault_report.hpp"
#include "output.hpp"
#include "ranks.hpp"
#include "run_folder.hpp"
#include "stop_signals.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long peak_memory_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

Simulation::Simulation(const Case& c, fs::path out_dir, int threads, Purpose purpose)
    : case_(c),
      threads_(threads),
      purpose_(purpose),
      plugins_(create_plugins(c, threads)),
      gas_(c, plugins_.fluid),
      domain_(c),
      coupling_(gas_, c.velocity),
      store_(coupling_, plugins_.host_memory),
      state_(domain_, gas_),
      transport_(domain_, gas_, coupling_, store_, plugins_.fluid),
      partition_(domain_, gas_, store_, transport_),
      stepper_(c, domain_, gas_, state_, store_, transport_, partition_, plugins_.fluid, plugins_.kinetic,
               plugins_.boltzmann,
               purpose == Purpose::run ? Layer2Device::for_run(c, coupling_, gas_, store_.f().get_allocator())
                                       : nullptr),
      regime_(c, domain_, gas_, coupling_, state_, store_, transport_, partition_, plugins_.indicator,
              plugins_.kinetic ? plugins_.kinetic : plugins_.boltzmann),
      diagnostics_(c, domain_, gas_, coupling_, state_, store_, partition_, transport_.loads()),
      out_dir_(std::move(out_dir)) {
  diagnostics_.take_layer2_entropy_from(stepper_.layer2_device());
  set_initial_state();
}

// The kinetic cells' stress and heat flux, as outputs read them from f, fall short of the
// flow's when the collision time is short against Δt (the IMEX step is asymptotic
// preserving for the Euler limit, not for the stress; docs/numerics.md, "Stress and
// heat flux at large time steps"). The largest Δt p/μ over this rank's kinetic cells, μ
// the cell's collision model's viscosity at its knudsen.
double Simulation::most_collision_times_per_step(double dt) const {
  const int nv = gas_.n_vars();
  double most = 0;
  for (int layer = 1; layer <= 2; ++layer) {
    const Collision& model = layer == 1 ? plugins_.kinetic : plugins_.boltzmann;
    std::vector<std::size_t> cells;
    for (const std::size_t c : domain_.owned_cells())
      if (domain_.layer(c) == layer) cells.push_back(c);
    if (!model || cells.empty()) continue;
    std::vector<double> W(cells.size() * static_cast<std::size_t>(nv)), mu(cells.size()), kappa(cells.size());
    for (std::size_t k = 0; k < cells.size(); ++k) gas_.to_primitive(layer, state_.cell(cells[k]), &W[k * nv]);
    const auto rows = static_cast<std::int64_t>(cells.size());
    model.call("transport_coefficients",
               [&] { return model->transport_coefficients({W.data(), rows, nv, nv}, mu.data(), kappa.data()); });
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const double* w = &W[k * nv];
      const double p = toolkit::number_density(gas_.layout(), gas_.mass(), w) * w[gas_.layout().temperature()];
      const double steps = dt * p / (domain_.knudsen()[cells[k]] * mu[k]);
      if (steps > most) most = steps;  // NaN never wins
    }
  }
  return most;
}

// Only advice, on the state at set-up: a model that cannot give its coefficients fails
// later, in its own call.
void Simulation::warn_short_collision_time(double dt) const {
  double most = 0;
  try {
    most = most_collision_times_per_step(dt);
  } catch (const std::exception&) {
    most = 0;
  }
  most = ranks::max(most);
  // The measured figures are ES-BGK's; a mixture's p/mu is an average over its species.
  const std::string measured = gas_.n_species() == 1 ? "Couette's P_xy: 1% low at 0.4 collision times per step, "
                                                       "8% at 1.2, 70% at 3.9; "
                                                     : "";
  if (most > 0.5)
    warn_once(case_.file.string() + ": /time: the time step " + toolkit::format_number(dt) + " is " +
              toolkit::format_number(most) + " collision times mu/p in the most collisional kinetic cell: the "
              "flow is computed right, but the stress and heat flux that outputs read from kinetic cells "
              "(pressure_tensor, heat_flux, probes) fall short of it (" + measured + "docs/numerics.md, \"Stress "
              "and heat flux at large time steps\"); for them, set time.dt to at most " +
              toolkit::format_number(0.4 * dt / most));
}

Simulation::~Simulation() {
  if (purpose_ == Purpose::run) prepare_fault_summary("", "", "");
}

// The summary a fatal signal leaves (fault_report.hpp): this one with status "crashed"
// (its checkpoints, if any, are then kept from a new run in the folder, as a killed run's)
// and the signal's report as its error, the figures as of now. The root rank has them;
// another rank, whose fault ends the run as well, leaves its step and time only.
void Simulation::prepare_fault_summary_now() const {
  static const std::string marker = "@STRATA_FATAL_SIGNAL@";
  const nlohmann::json crashed =
      output_ ? summary("crashed", marker)
              : nlohmann::json{{"case", case_.name}, {"case_file", case_.file.string()}, {"status", "crashed"},
                               {"steps", steps_}, {"final_time", t_},
                               {"error", "rank " + std::to_string(ranks::rank()) + ": " + marker}};
  const std::string text = crashed.dump(2) + "\n";
  const std::size_t at = text.find(marker);
  prepare_fault_summary((out_dir_ / "summary.json").string(), text.substr(0, at), text.substr(at + marker.size()));
}

// A state the kinetic layers will reconstruct (an obstacle's, an inflow's): a set-up
// problem, naming its key, where the velocity grid cannot hold its Maxwellian.
void Simulation::check_grid_holds(const std::vector<double>& W, const std::string& key, int i, int j,
                                  ReconstructionProblems& problems) const {
  problems.note(GridDemand(gas_, W.data()));
  std::vector<double> f(coupling_.values_per_cell());
  try {
    coupling_.sum_of_maxwellians({W}, f.data());
  } catch (const GridTooSmall& e) {
    problems.add(key, cell_problem(key, i, j, e.what()), e.demand);
  }
}

std::string Simulation::cell_problem(const std::string& key, int i, int j, const std::string& what) const {
  return case_.file.string() + ": " + key + ", cell (i=" + std::to_string(i) + ", j=" + std::to_string(j) + "): " + what;
}

// States: obstacles (solid), initial regions (kinetic cells: the sum of the discrete
// Maxwellians of the region's components; fluid cells: the moments of that sum when it
// has several components), inflow ghosts, pressure and far-field ghosts. Every problem is found before any is reported
// (one per key); a cell whose state failed is left NaN.
void Simulation::set_initial_state() {
  const Mesh& m = domain_.mesh();
  const bool store = purpose_ == Purpose::run;
  if (store) {
    cost_ = partition_.prior_cost();
    partition_.assign(cost_);  // owners, faces, store
  } else {
    partition_.check_rank_count();  // what assign() would refuse
    transport_.classify_faces();
  }
  ReconstructionProblems problems;
  if (!domain_.knudsen_problem().empty()) problems.add("/knudsen", {domain_.knudsen_problem()});
  std::vector<double> buffer(coupling_.values_per_cell());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const double x = m.xc(i), y = m.yc(j);
      const std::size_t c = m.index(i, j);
      double* U = state_.cell(c);
      std::fill_n(U, gas_.n_vars(), std::numeric_limits<double>::quiet_NaN());
      if (const Obstacle* o = domain_.obstacle_at(x, y)) {
        const std::string key = "/obstacles/" + std::to_string(o - case_.obstacles.data());
        try {
          const auto W = gas_.evaluate(o->state, x, y, key);
          gas_.to_conserved(solid, W.data(), U);
          if (case_.mode != RegimeMode::layer0)  // the kinetic halo reconstructs it beside kinetic cells
            check_grid_holds(W, key, i, j, problems);
        } catch (const CaseError& e) {
          problems.add(key, e.messages());
        }
        continue;
      }
      const Region* region = nullptr;
      std::size_t k = 0;
      for (; k < case_.initial.size() && !region; ++k)
        if (!case_.initial[k].where || case_.initial[k].where->eval(x, y) != 0.0) region = &case_.initial[k];
      if (!region) {
        problems.add("/initial", {case_.file.string() + ": /initial: no region covers the cell at (x=" +
                                  toolkit::format_number(x) + ", y=" + toolkit::format_number(y) +
                                  "); add a last region without \"where\""});
        continue;
      }
      const std::string what = "/initial/" + std::to_string(k - 1);
      try {
        std::vector<std::vector<double>> components;
        for (std::size_t n = 0; n < region->components.size(); ++n)
          components.push_back(gas_.evaluate(region->components[n], x, y, what + "/components/" + std::to_string(n)));
        if (components.empty()) components.push_back(gas_.evaluate(region->state, x, y, what));
        if (region->bimodal) {  // ½(M[rho, u, T] + M[rho, -u, T]), paper §5.5
          for (int s = 0; s < gas_.n_species(); ++s) components[0][s] *= 0.5;
          components.push_back(components[0]);
          for (int d = 0; d < 3; ++d) components[1][gas_.layout().velocity(d)] *= -1.0;
        }
        for (const auto& W : components)
          problems.note(GridDemand(gas_, W.data()));
        if (domain_.is_kinetic(c) || components.size() > 1) {
          // Every rank sets up every cell's state; only the owner keeps its f.
          double* f = store && domain_.owned(c) && domain_.is_kinetic(c)
                          ? store_.f(static_cast<std::size_t>(store_.slot_of(c)))
                          : buffer.data();
          coupling_.sum_of_maxwellians(components, f);
          coupling_.project(f, U);
          if (components.size() > 1) {  // the state they relax to: hotter than each (two streams)
            std::vector<double> W(gas_.n_vars());
            gas_.to_primitive(1, U, W.data());
            problems.note(GridDemand(gas_, W.data()));
          }
        } else {
          gas_.to_conserved(domain_.layer(c), components[0].data(), U);
        }
      } catch (const GridTooSmall& e) {  // name the region and the cell (docs/architecture.md §5)
        problems.add(what, cell_problem(what, i, j, e.what()), e.demand);
      } catch (const CaseError& e) {
        problems.add(what, e.messages());
      }
    }
  for (const HaloRule& r : domain_.halo_rules()) {
    if (r.action != HaloAction::inflow && r.action != HaloAction::farfield) continue;
    const auto [gi, gj] = m.ij(r.ghost);
    const Boundary& side = case_.boundary[r.side];
    try {
      const auto W = gas_.evaluate(*side.given, m.xc(gi), m.yc(gj), side.key);
      gas_.to_conserved(0, W.data(), state_.given(r.ghost));
      if (case_.mode != RegimeMode::layer0) check_grid_holds(W, side.key, gi, gj, problems);
    } catch (const CaseError& e) {
      problems.add(side.key, e.messages());
    }
  }
  state_.fill_halo(state_.values());
  // Pressure and far-field ghosts, made from the gas beside the side, which the kinetic
  // halo reconstructs as it does an inflow's state.
  if (case_.mode != RegimeMode::layer0)
    for (const HaloRule& r : domain_.halo_rules()) {
      if ((r.action != HaloAction::pressure && r.action != HaloAction::farfield) || !domain_.updated(r.source)) continue;
      const auto [gi, gj] = m.ij(r.ghost);
      std::vector<double> W(static_cast<std::size_t>(gas_.n_vars()));
      gas_.to_primitive(0, state_.cell(r.ghost), W.data());
      if (std::all_of(W.begin(), W.end(), [](double v) { return std::isfinite(v); }))  // not a failed initial cell
        check_grid_holds(W, case_.boundary[r.side].key, gi, gj, problems);
    }
  transport_.place_walls(state_.values(), problems);
  problems.throw_if_any(case_.file.string(), coupling_.grid());
  if (plugins_.boltzmann && problems.every_state().collision_reach > case_.velocity.L)
    warn_once(case_.file.string() + ": /velocity/L: " + toolkit::format_number(case_.velocity.L) +
              " is narrow for layer 2's collision operator at the case's states (max |u|/2 + 6.5 sqrt(T/m) = " +
              toolkit::format_number(problems.every_state().collision_reach) +
              "): its viscosity departs from the hard-sphere value by 2% or more (at rest: 2% at L = 6.5 "
              "sqrt(T/m), 5% at 6, 24% at 5; docs/numerics.md, \"Transport coefficients\")");
  // Held, but truncated: the conservative discrete Maxwellian keeps a state's mass,
  // momentum and energy on a grid short of its reach or spacing, not its stress and heat
  // flux (a Mach 5 stream on L = 8, n = 16: P_xx 0.78, P_yy 1.11, q_x -0.19 at t = 0).
  // Warned where the grid falls well short of grid_needed's conservative bounds: a reach
  // (max |u| + 4 sqrt(T/m)) 10% beyond L, or a spacing of 1.5 thermal speeds (whose
  // quadrature error is about exp(-2 pi^2 / 1.5^2) = 2e-4).
  if (case_.mode != RegimeMode::layer0) {
    const toolkit::VelocityGrid& grid = coupling_.grid();
    const GridDemand& demand = problems.every_state();
    if (demand.reach > 1.1 * grid.L || 2.0 * grid.L / grid.n > 1.5 * demand.narrowest)
      warn_once(case_.file.string() + ": /velocity: the grid (" + std::to_string(grid.n) + " points on [-" +
                toolkit::format_number(grid.L) + ", " + toolkit::format_number(grid.L) + "]^3) holds the case's "
                "states only truncated: their discrete Maxwellians keep mass, momentum and energy but not the "
                "equilibrium's stress and heat flux (a Mach 5 stream on L = 8 with 16 points: P_xx 0.78 and P_yy "
                "1.11 where both are 1; docs/user_guide.md §3.4); " + grid_advice(grid, demand));
  }
  if (store) diagnostics_.set_baseline(diagnostics_.fields());  // reads the kinetic cells' f
}

double Simulation::check_step_budget() const {
  const TimeStep s = stepper_.stable_dt();
  if (const std::string problem = step_budget_problem(case_, s.dt, s.limit, s.speed, t_, steps_); !problem.empty())
    throw CaseError({case_.file.string() + ": /time: " + problem});
  // Layer 1 and 2 runs: a hybrid's kinetic cells are few where the paper's 0.8 holds,
  // and its first regime update decides which cells are kinetic.
  if (case_.mode == RegimeMode::layer1 || case_.mode == RegimeMode::layer2) {
    if (const std::string courant = courant_problem(s); !courant.empty())
      warn_once(case_.file.string() + ": /time: " + courant + " (the paper's 0.8 holds for hybrid runs whose "
                "kinetic cells are few)");
    warn_short_collision_time(s.dt);
  }
  return steps_to_end(case_, s.dt, t_);
}

void Simulation::write_outputs(const Fields& f, double t, bool snapshot, bool failed) {
  const NamedFields indicator = regime_.indicator_fields();  // collective
  // The last step's boundary loads (none before the first step, nor of a failed one).
  const BoundaryLoads& loads = transport_.loads();
  const bool surface = snapshot && !failed && case_.output.surface && loads.measured() && !loads.parts().empty();
  const std::vector<FaceLoad> faces = surface ? loads.surface() : std::vector<FaceLoad>{};  // collective
  if (!output_) return;  // ranks other than the root write nothing
  if (surface) output_->surface(t, loads.parts(), faces, case_.output.reference);
  const Mesh& m = domain_.mesh();
  const std::vector<std::int8_t> regime = domain_.interior_regime();
  std::vector<double> knudsen(m.n_interior());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) knudsen[static_cast<std::size_t>(j) * m.nx + i] = domain_.knudsen(m.index(i, j));
  std::vector<std::string> names;
  for (const auto& s : case_.species) names.push_back(s.name);
  NamedFields extra;
  for (const auto& [name, values] : indicator) extra.emplace_back("ind_" + name, values);
  const SnapshotData data{f, regime, knudsen, names, extra};
  if (failed) output_->last_good(data);
  if (snapshot && case_.output.snapshots) {
    std::vector<OutputWriter::Extent> pieces;
    for (const auto& p : partition_.pieces()) pieces.push_back({p[0], p[1], p[2], p[3]});
    output_->set_pieces(std::move(pieces));
    output_->snapshot(t, data);
  }
  if (snapshot && case_.output.profiles) {
    // The row holding output.profile_y (a stagnation line on a symmetry side), else the middle one.
    const Mesh& m = domain_.mesh();
    const int row = case_.output.profile_y
                        ? std::clamp(static_cast<int>(std::floor((*case_.output.profile_y - m.y0) / m.dy)), 0, m.ny - 1)
                        : m.ny / 2;
    output_->profile(t, data, row);
  }
  output_->flush_history();
}

void Simulation::report_progress() const {
  const double elapsed = seconds_since(start_);
  // Every 2 s at first, then a tenth of the time run, up to a minute: a run of hours
  // logs about a line a minute.
  const double interval = std::clamp(elapsed / 10.0, 2.0, 60.0);
  if (!ranks::root() || elapsed < 2.0 || seconds_since(last_progress_) < interval) return;
  last_progress_ = Clock::now();
  const double per_step = elapsed / static_cast<double>(std::max(steps_ - first_step_, 1L));
  // Wall time per unit of simulated time so far, not per step: a step shortened to land on
  // an output time would otherwise make the estimate jump.
  const double left = t_ > t_first_ ? (case_.t_end - t_) / (t_ - t_first_) * elapsed : 0.0;
  const auto& cs = work_.cell_steps;
  const long total = cs[0] + cs[1] + cs[2];
  auto share = [&](int l) { return total ? 100.0 * static_cast<double>(cs[l]) / static_cast<double>(total) : 0.0; };
  // With time.steady the run ends when the residual falls below it: time.end bounds it.
  const std::string residual = case_.steady ? fmt::format("residual {:.2e} (steady below {:.1e})", diagnostics_.residual(), *case_.steady)
                                            : fmt::format("residual {:.2e}", diagnostics_.residual());
  const std::string ranks_part =
      ranks::size() == 1 ? "" : fmt::format("  {} ranks, imbalance {:.2f}, {} rebalances", ranks::size(), imbalance_, rebalances_);
  spdlog::info("step {:>7}  t = {:.5g} / {:.5g}  layers 0/1/2: {:.0f}% {:.0f}% {:.0f}%  {}  {:.3g} s/step  {}~{:.0f} s left{}",
               steps_, t_, case_.t_end, share(0), share(1), share(2), residual, per_step, case_.steady ? "at most " : "",
               left, ranks_part);
}

// Every 10 steps the ranks measure each layer's cost per cell-step over those steps
// (seconds summed over ranks, divided by the layer's cell-steps) and the imbalance of
// their work (busiest rank over the mean, waiting excluded). After a measurement, and
// after every step that changed the regime map, the partition is recomputed when the
// imbalance predicted from these costs passes the threshold.
void Simulation::balance_ranks() {
  const long since = steps_ - steps_at_window_;
  const bool measure = since > 0 && since % 10 == 0;
  if (measure) {
    auto busy_of = [](const LayerWork& w) { return w.wall[0] + w.wall[1] + w.wall[2] + w.coupling; };
    double layer[3];
    for (int l = 0; l < 3; ++l) layer[l] = work_.wall[l] - work_at_window_.wall[l];
    double busy[2] = {busy_of(work_) - busy_of(work_at_window_), busy_of(work_) - busy_of(work_at_start_)};
    const double busiest[2] = {ranks::max(busy[0]), ranks::max(busy[1])};
    ranks::sum(layer, 3);
    ranks::sum(busy, 2);
    const double P = ranks::size();
    imbalance_ = busy[0] > 0 ? busiest[0] / (busy[0] / P) : 1.0;
    run_imbalance_ = busy[1] > 0 ? busiest[1] / (busy[1] / P) : 1.0;
    for (int l = 0; l < 3; ++l)
      if (const long cells = work_.cell_steps[l] - work_at_window_.cell_steps[l]; cells > 0 && layer[l] > 0)
        cost_[l] = layer[l] / static_cast<double>(cells);
    work_at_window_ = work_;
    steps_at_window_ = steps_;
  }
  if (ranks::size() == 1) return;  // the costs are measured for the summary; one rank has nothing to balance
  const bool map_changed = regime_.switches() != switches_at_balance_;
  switches_at_balance_ = regime_.switches();
  if (!(measure || map_changed) || rebalance_threshold_ <= 0) return;
  if (partition_.rebalance(cost_, rebalance_threshold_, state_.values())) {
    ++rebalances_;
    spdlog::debug("partition rebalanced at step {} (measured imbalance {:.3f})", steps_, imbalance_);
  }
}

// Runs one part of a step; false, with `failure` saying why, where it threw.
template <class Part>
bool Simulation::attempt(std::string& failure, Part&& part) {
  try {
    part();
    return true;
  } catch (const UnphysicalState& e) {
    failure = e.what();
  } catch (const std::bad_alloc&) {
    failure = "step " + std::to_string(steps_ + 1) + " from t = " + toolkit::format_number(t_) + ": " +
              out_of_memory_message(case_, threads_, "during the step");
  } catch (const std::exception& e) {  // PluginError, RunError and whatever else a part throws
    failure = "step " + std::to_string(steps_ + 1) + " from t = " + toolkit::format_number(t_) + " failed: " + e.what();
  }
  // An error that one of several ranks met alone, outside an agreement point: the
  // others wait in a collective call, so every rank ends now with its message.
  if (ranks::size() > 1 && !ranks::failure_agreed()) ranks::abort_all(failure, 3);
  return false;
}

// The time step's Courant number per direction, Δt s / min(Δx, Δy); the unsplit scheme
// adds the two directions', up to twice that at the velocity grid's corners
// (docs/numerics.md, "A limit measured in 2D"). "" where it is at most 0.5 or the mesh
// is one row or column, else what happens above 0.5 and the setting that keeps it there.
std::string Simulation::courant_problem(const TimeStep& s) const {
  const Mesh& m = domain_.mesh();
  const double h = std::min(m.dx, m.dy), courant = s.dt * s.speed / h;
  if (m.nx == 1 || m.ny == 1 || !(courant > 0.5 * (1 + 1e-12))) return "";
  const bool by_cfl = std::string(s.limit) == "time.cfl";
  return "the time step " + toolkit::format_number(s.dt) + " (set by " + s.limit + ") is a Courant number of " +
         toolkit::format_number(courant) + " per direction, and on a 2D mesh the two directions' add up, to twice "
         "that at the velocity grid's corners: kinetic and strongly supersonic fluid cells were measured unstable "
         "above 0.5, even near equilibrium (docs/numerics.md, \"A limit measured in 2D\"); --set " +
         (by_cfl ? std::string("time.cfl=0.5") : "time.dt=" + toolkit::format_number(0.5 * h / s.speed)) +
         " keeps it at 0.5";
}

bool Simulation::update_regime(std::string& failure) {
  return attempt(failure, [&] {
    if (regime_.has_indicator()) {
      const auto t0 = Clock::now();
      regime_.update();
      work_.indicator += seconds_since(t0);
    }
    balance_ranks();
  });
}

bool Simulation::advance(const TimeStep& step, double dt, double t_new, std::string& failure) {
  bool kept = false;
  if (attempt(failure, [&] {
        state_.keep();
        store_.keep();
        kept = true;
        stepper_.step(dt, diagnostics_.exchange(), work_);
        diagnostics_.check_state(t_new, steps_ + 1, plugins_.layer_names);
      })) {
    transport_.loads().commit(dt);  // a step that failed its state check leaves the last good step's
    const auto cells = domain_.layer_counts();
    for (int l = 0; l < 3; ++l) work_.cell_steps[l] += cells[l];
    return true;
  }
  if (const std::string courant = courant_problem(step); !courant.empty())
    failure += "; if the time step is the cause: " + courant;
  if (kept) {
    state_.restore();
    store_.restore();
  }
  return false;
}

namespace {
// The snapshot series of a run restarted into a folder other than its checkpoint's: the
// earlier snapshots stay where they were written, so their entries become paths from
// `here` to them in `from`; those no longer there are left out, with a warning.
void link_earlier_snapshots(std::vector<std::pair<double, std::string>>& series, const fs::path& from,
                            const fs::path& here) {
  std::size_t kept = 0;
  for (auto& [t, file] : series) {
    std::error_code ec;
    const fs::path earlier = from / file;
    if (!fs::exists(earlier, ec)) continue;
    series[kept++] = {t, fs::relative(earlier, here, ec).generic_string()};
  }
  if (kept < series.size())
    spdlog::warn("{} earlier snapshot(s) of the checkpoint's series are not in {}: snapshots.pvd leaves them out",
                 series.size() - kept, from.string());
  series.resize(kept);
}
}  // namespace

double Simulation::wall_seconds() const { return wall_before_ + seconds_since(start_); }

RunResult Simulation::run() {
  if (purpose_ != Purpose::run) throw std::logic_error("Simulation::run: set up for checking only");
  ranks::agreed([&] { check_step_budget(); });
  // The root rank holds the output folder and writes every output. A run restarted in
  // its checkpoint's own folder continues that folder; restarted into another, it starts
  // that one afresh and its snapshot series points back at the earlier snapshots.
  std::error_code ec;
  const fs::path here = fs::weakly_canonical(fs::absolute(out_dir_), ec);
  // The checkpoint's folder: that of the file itself, not of a link to it.
  const fs::path from = restarted_ ? fs::weakly_canonical(fs::absolute(restarted_from_), ec).parent_path() : fs::path();
  const bool continuing = restarted_ && from == here;
  std::optional<RunFolder> folder;
  start_ = last_progress_ = last_checkpoint_ = last_series_flush_ = Clock::now();  // the summaries' wall time
  ranks::agreed([&] {
    if (!ranks::root()) return;
    folder.emplace(out_dir_, continuing);
    output_ = std::make_unique<OutputWriter>(out_dir_, domain_.mesh(), diagnostics_.extra_columns(),
                                             diagnostics_.loads_columns());
    output_->summary(summary("running", ""));  // until the run ends: a killed run keeps this status
  });
  prepare_fault_summary_now();
  std::string failure;
  bool interrupted = false;
  if (!restarted_) {
    const Fields f = diagnostics_.fields();
    try {  // a file that cannot be written fails the run as it would after any step
      ranks::agreed([&] {  // collective parts first, then the root's writes
        diagnostics_.record(output_.get(), steps_, 0.0, 0.0, wall_seconds(), plugins_.layer_names);
        write_outputs(f, 0.0, true, false);
      });
    } catch (const std::exception& e) {
      failure = "the outputs at t = 0: " + std::string(e.what());
    }
  } else {  // the series continue: history and probe rows, snapshots up to the checkpoint's step
    if (output_) {
      if (!continuing) link_earlier_snapshots(pending_->output.series, from, here);
      output_->restore(std::move(pending_->output));
    }
    pending_.reset();
  }
  const CheckpointSpec& ck = case_.output.checkpoint;
  // A stop: the checkpoint of the state reached, the series flushed with it.
  const auto stop_here = [&](const std::string& when) {
    try {
      write_checkpoint_now();
    } catch (const std::exception& e) {
      failure = "the checkpoint " + when + " could not be written: " + e.what() + checkpoint_advice(e.what());
      return;
    }
    if (ranks::root())
      spdlog::warn("stopped by a signal {} at t = {}; continue with: {}", when, toolkit::format_number(t_),
                   resume_command(case_, out_dir_));
    interrupted = true;
  };
  // A signal during the set-up (the handlers are installed before it): the run stops
  // before its first step, resumable from its start.
  if (failure.empty() && ranks::any(stop_requested())) stop_here("during the set-up, before step " + std::to_string(steps_ + 1));
  while (!interrupted && next_output_ < case_.output.times.size() && failure.empty()) {
    if (steps_ >= case_.max_steps) {
      failure = "time.max_steps = " + std::to_string(case_.max_steps) + " reached at t = " + toolkit::format_number(t_);
      break;
    }
    // The regime map first: Δt bounds the layers the step's cells are in (a cell made
    // kinetic brings its transport's CFL limit; docs/architecture.md §3).
    if (!update_regime(failure)) break;
    const double target = case_.output.times[next_output_];
    TimeStep step;
    try {
      step = stepper_.stable_dt();
    } catch (const std::exception& e) {
      failure = "the time step at t = " + toolkit::format_number(t_) + " could not be set: " + e.what();
      break;
    }
    // Δt zero, non-finite, or too small for the steps left (docs/architecture.md §8).
    failure = step_budget_problem(case_, step.dt, step.limit, step.speed, t_, steps_);
    if (!failure.empty()) {
      failure = "step " + std::to_string(steps_ + 1) + " at t = " + toolkit::format_number(t_) + ": " + failure;
      break;
    }
    double dt = step.dt;
    bool reaches = false;
    if (t_ + dt >= target - 1e-12 * case_.t_end) {
      dt = target - t_;
      reaches = true;
    }
    const double t_new = reaches ? target : t_ + dt;
    if (!advance(step, dt, t_new, failure)) break;
    ++steps_;
    t_ = t_new;
    try {
      // Collective parts first (moves, fields, totals), then the root's writes; every
      // rank learns of a failure on any.
      ranks::agreed([&] {
        diagnostics_.measure_residual(dt, steps_);  // before obstacles move: they change the state too
        regime_.move_obstacles(steps_, dt, diagnostics_.exchange());
        const auto t1 = Clock::now();
        steady_ = case_.steady && diagnostics_.residual_complete() &&  // summed over ranks: the same on all
                  diagnostics_.residual() < *case_.steady;
        // A row every output.history_every steps, and at every output time and the end.
        if (steps_ % case_.output.history_every == 0 || reaches || steady_)
          diagnostics_.record(output_.get(), steps_, t_, dt, wall_seconds(), plugins_.layer_names);
        if (reaches || steady_) write_outputs(diagnostics_.fields(), t_, true, false);
        wall_output_ += seconds_since(t1);
      });
      if (reaches) ++next_output_;
    } catch (const std::exception& e) {
      failure = "after step " + std::to_string(steps_) + " at t = " + toolkit::format_number(t_) + ": " + e.what();
    }
    if (!failure.empty()) break;
    // Signals and the checkpoint clock as every rank sees them (the root's clock). A
    // signal during the last step lets the run complete: a checkpoint at time.end could
    // not be resumed.
    const bool finished = next_output_ == case_.output.times.size() || steady_;
    const bool stop = !finished && ranks::any(stop_requested());
    // A steady state always gets one: the start of a --start-from march to other
    // parameters (a restart from it steps on to the next step that measures the
    // distributions, up to 10 more, unless time.steady is lower).
    const bool scheduled = (ck.every_steps > 0 && steps_ % ck.every_steps == 0) ||
                           ranks::any(ranks::root() && ck.every_minutes > 0 &&
                                      seconds_since(last_checkpoint_) >= 60.0 * ck.every_minutes);
    if (stop) {
      stop_here("after step " + std::to_string(steps_));
      break;
    }
    if (scheduled || steady_) {
      try {
        write_checkpoint_now();
      } catch (const std::exception& e) {
        const std::string why = "the checkpoint after step " + std::to_string(steps_) + " could not be written: " + e.what();
        if (scheduled) {
          failure = why + checkpoint_advice(e.what());
          break;
        }
        // Only the steady state's own, which no setting asked for: the run stays completed.
        if (ranks::root()) spdlog::warn("{}", why);
      }
    }
    flush_series_now_and_then();
    if (steady_) {
      if (ranks::root())
        spdlog::info("steady at step {}, t = {}: the residual {} is below time.steady = {}{}", steps_,
                     toolkit::format_number(t_), toolkit::format_number(diagnostics_.residual()),
                     toolkit::format_number(*case_.steady),
                     next_output_ < case_.output.times.size() ? "; the later output times are not written" : "");
      // A residual that never fell far: the tolerance was above the flow's own rate of
      // change (at low Mach numbers the residual is about the speed's size; §6.2).
      if (ranks::root() && diagnostics_.residual() > 0.1 * diagnostics_.largest_residual())
        spdlog::warn("the residual fell only from {} to {} before passing time.steady = {}: the state may have "
                     "hardly changed. The residual is a rate of change per unit of the mean rho (|u| + sqrt T) "
                     "(docs/user_guide.md §6.2), so at low Mach numbers even the first steps' is small; set "
                     "time.steady orders of magnitude below it",
                     toolkit::format_number(diagnostics_.largest_residual()), toolkit::format_number(diagnostics_.residual()),
                     toolkit::format_number(*case_.steady));
      break;
    }
    report_progress();
  }
  if (!interrupted && failure.empty() && ranks::any(stop_requested()) && ranks::root())
    spdlog::info("the signal arrived during the last step: the run completed, and needs no checkpoint");
  bool last_good_written = false;
  if (!failure.empty()) {
    try {
      write_outputs(diagnostics_.fields(), t_, false, true);
      last_good_written = true;
    } catch (const std::exception& e) {
      last_good_written = output_ && output_->wrote_last_good();  // then the history or loads failed
      failure += (last_good_written ? "; last_good.vti was written, but not all of the run's other outputs: "
                                    : "; the outputs of the last good state could not all be written either: ") +
                 std::string(e.what());
    }
  }
  prepare_fault_summary("", "", "");  // the run's own summary from here on
  nlohmann::json s;
  if (output_) {
    s = summary(!failure.empty() ? "failed" : interrupted ? "interrupted" : "completed", failure);
    output_->summary(s);
  }
  if (!failure.empty())  // the same failure on every rank
    ranks::agree(std::make_exception_ptr(RunError(
        failure + (last_good_written ? "; the last good state is in " + (out_dir_ / "last_good.vti").string() : ""))));
  return {diagnostics_.fields(), std::move(s), interrupted};
}

CheckpointData Simulation::checkpoint_data(const std::vector<double>& U, const std::vector<std::int64_t>& cells,
                                           const std::vector<double>& f) const {
  CheckpointData d;
  d.t = t_;
  d.step = steps_;
  d.next_output = static_cast<long>(next_output_);
  d.switches = regime_.switches();
  d.wall_seconds = wall_seconds();
  d.wall_output = wall_output_;
  d.wall_checkpoint = wall_checkpoint_;
  d.case_json = case_.json.dump();
  d.started_from = started_from_;
  d.setup = checkpoint_setup(case_);
  d.nvar = gas_.n_vars();
  d.nf = store_.values_per_cell();
  d.regime = domain_.interior_regime();
  d.obstacle_offsets = domain_.obstacle_offsets();
  d.U = U;
  // Kinetic cells only, by ascending stored index (not by slot): fluid cells' and halo
  // distributions are derived, never saved.
  std::vector<std::size_t> order(cells.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cells[a] < cells[b]; });
  d.kinetic_f.reserve(f.size());
  for (const std::size_t k : order) {
    d.kinetic_cells.push_back(static_cast<std::uint64_t>(cells[k]));
    d.kinetic_f.insert(d.kinetic_f.end(), &f[k * d.nf], &f[k * d.nf] + d.nf);
  }
  d.baseline = diagnostics_.baseline();
  d.work = work_;
  d.output = output_->record();
  return d;
}

std::string plugin_dir_arguments(const Case& c) {
  std::string arguments;
  const auto defaults = PluginCatalog::default_search_dirs({});
  for (const fs::path& d : c.plugin_dirs)
    if (std::find(defaults.begin(), defaults.end(), d) == defaults.end())
      arguments += " --plugin-dir " + shell_quoted(d.string());
  return arguments;
}

std::string resume_command(const Case& c, const fs::path& dir) {
  std::string command = "strata run " + shell_quoted(c.file.string());
  for (const std::string& set : c.overrides) command += " --set " + shell_quoted(set);
  return command + plugin_dir_arguments(c) + " --resume " + shell_quoted(dir.string());
}

std::string Simulation::checkpoint_advice(const std::string& error) const {
  const auto found = list_checkpoints(out_dir_);
  if (found.empty()) return "";
  const bool full = error.find(std::strerror(ENOSPC)) != std::string::npos ||
                    error.find(std::strerror(EDQUOT)) != std::string::npos;
  return "; the newest complete checkpoint is " + found.back().second.string() + ": " +
         (full ? "make room (the new checkpoint is written before the oldest kept is removed, so keep = 1 needs room "
                 "for two) and continue"
               : "continue from it") +
         " with " + resume_command(case_, out_dir_);
}

void Simulation::flush_series_now_and_then() {
  if (seconds_since(last_series_flush_) >= 30.0) write_series();
}

void Simulation::write_series() {
  last_series_flush_ = Clock::now();
  prepare_fault_summary_now();
  if (!output_) return;
  try {
    output_->flush_history();
  } catch (const std::exception& e) {
    if (!series_flush_failed_) spdlog::warn("history.csv and the probes could not be written now: {}", e.what());
    series_flush_failed_ = true;  // an output time's own write reports its failure
  }
}

void Simulation::write_checkpoint_now() {
  const auto t0 = Clock::now();
  const fs::path file = checkpoint_path(out_dir_, steps_);
  // Each rank sends its kinetic cells' distributions to the root, which writes.
  std::vector<std::int64_t> cells;
  std::vector<double> f;
  const std::size_t nf = store_.values_per_cell();
  ranks::agreed([&] {
    for (const std::size_t c : domain_.owned_cells())
      if (domain_.is_kinetic(c)) {
        cells.push_back(static_cast<std::int64_t>(c));
        const double* fc = store_.f(static_cast<std::size_t>(store_.slot_of(c)));
        f.insert(f.end(), fc, fc + nf);
      }
  });
  cells = ranks::gather_to_root(cells);
  f = ranks::gather_to_root(f);
  std::vector<double> U = state_.values();  // the owners' states, on the root
  partition_.gather_to_root(U, gas_.n_vars());
  ranks::agreed([&] {
    if (!output_) return;
    CheckpointData d = checkpoint_data(U, cells, f);
    d.wall_checkpoint += seconds_since(t0);  // the time up to here; writing is measured below
    write_checkpoint(file, d);
    prune_checkpoints(out_dir_, case_.output.checkpoint.keep);
    write_series();  // the series up to the checkpoint, as a resume has them
  });
  wall_checkpoint_ += seconds_since(t0);
  last_checkpoint_ = Clock::now();
  if (ranks::root()) spdlog::info("checkpoint {} ({:.3g} s)", file.string(), seconds_since(t0));
}

void Simulation::restart(const fs::path& file) {
  std::unique_ptr<CheckpointData> d;
  ranks::agreed([&] {  // every rank reads the file
    d = std::make_unique<CheckpointData>(read_checkpoint(file));
    check_restart_setup(file, d->setup, nlohmann::json::parse(d->case_json, nullptr, false), checkpoint_setup(case_),
                        case_.json);
  });
  const Mesh& m = domain_.mesh();
  const std::size_t nf = store_.values_per_cell();
  if (d->nvar != gas_.n_vars() || d->nf != nf || d->U.size() != state_.values().size() ||
      d->regime.size() != m.n_interior() || d->kinetic_f.size() != d->kinetic_cells.size() * nf)
    throw RunError(file.string() + ": the arrays do not fit this case's mesh and velocity grid (corrupted checkpoint?)");
  if (d->obstacle_offsets.size() != case_.obstacles.size())
    throw RunError(file.string() + ": dataset /domain/obstacle_offsets has " + std::to_string(d->obstacle_offsets.size()) +
                   " rows, one per obstacle of the case, which has " + std::to_string(case_.obstacles.size()) +
                   " (corrupted checkpoint?)");
  if (d->t >= case_.t_end)
    throw RunError(file.string() + ": the checkpoint is at t = " + toolkit::format_number(d->t) + ", not before time.end = " +
                   toolkit::format_number(case_.t_end));
  // The regime map and the obstacles where they were; the store laid out for that map.
  domain_.restore_obstacle_offsets(d->obstacle_offsets);
  std::vector<std::int8_t> map(domain_.regime());
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) map[m.index(i, j)] = d->regime[static_cast<std::size_t>(j) * m.nx + i];
  domain_.install_regime(map);
  partition_.assign(cost_);  // owners for this map (any number of ranks), faces, store
  state_.values() = d->U;
  // The ghosts as the step that wrote the checkpoint left them (Stepper::step ends with
  // fill_halo): the file's are stale where the root did not own their sources.
  state_.fill_halo(state_.values());
  const auto layers = domain_.layer_counts();
  if (d->kinetic_cells.size() != static_cast<std::size_t>(layers[1] + layers[2]))
    throw RunError(file.string() + ": " + std::to_string(d->kinetic_cells.size()) + " kinetic distributions for " +
                   std::to_string(layers[1] + layers[2]) + " kinetic cells of its regime map (corrupted checkpoint?)");
  for (std::size_t k = 0; k < d->kinetic_cells.size(); ++k) {
    const std::uint64_t c = d->kinetic_cells[k];
    if (c >= m.n_stored() || !domain_.updated(c) || !domain_.is_kinetic(c))
      throw RunError(file.string() + ": a distribution for cell " + std::to_string(c) +
                     ", which is not kinetic in its regime map (corrupted checkpoint?)");
    if (domain_.owned(c))  // each rank keeps its own cells
      std::copy_n(&d->kinetic_f[k * nf], nf, store_.f(static_cast<std::size_t>(store_.slot_of(c))));
  }
  std::vector<double>().swap(d->kinetic_f);  // run() needs only the output series
  std::vector<double>().swap(d->U);
  diagnostics_.restore_baseline(d->baseline);
  regime_.restore_switches(d->switches);
  work_ = work_at_window_ = work_at_start_ = d->work;
  steps_at_window_ = d->step;
  t_ = d->t;
  steps_ = first_step_ = d->step;
  t_first_ = d->t;
  // The first output time after the checkpoint's (an output at exactly its time was
  // written before it); with unchanged output.times this is the saved index.
  const auto& times = case_.output.times;
  next_output_ = static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), t_) - times.begin());
  wall_before_ = d->wall_seconds;
  wall_output_ = d->wall_output;
  wall_checkpoint_ = d->wall_checkpoint;
  restarted_ = true;
  restarted_from_ = fs::weakly_canonical(fs::absolute(file)).string();
  started_from_ = d->started_from;  // a run begun with --start-from stays one
  pending_ = std::move(d);
  if (ranks::root()) spdlog::info("restarting from {} at step {}, t = {}", file.string(), steps_, toolkit::format_number(t_));
}

// The checkpoint's state on this case's regime map (docs/user_guide.md §6.5, "Starting a
// new run from a checkpoint"): every gas cell takes the checkpoint's conserved state; a kinetic cell its
// distribution where the checkpoint has one, else the Maxwellian reconstruction of that
// state (paper §4.5, as at a switch from layer 0). Obstacles, inflows and walls are this
// case's (a wall without T takes the case's initial temperature, as a restart of this
// run will). A run whose indicator decides the layers starts from the checkpoint's
// regime map, except in cells the case holds in a layer (bands, regime.regions); a run
// whose layers the case fixes (one layer, or hybrid without an indicator), from its own.
void Simulation::start_from(const fs::path& file) {
  std::unique_ptr<CheckpointData> d;
  std::string note;
  ranks::agreed([&] {  // every rank reads the file
    d = std::make_unique<CheckpointData>(read_checkpoint(file));
    note = check_start_setup(file, d->setup, checkpoint_setup(case_),
                             !d->kinetic_cells.empty() && case_.mode != RegimeMode::layer0);
  });
  if (!note.empty() && ranks::root()) spdlog::warn("{}", note);
  // The arrays fit this case: read_checkpoint checked their shapes against the
  // checkpoint's set-up (check_contents), check_start_setup that set-up against this case's.
  const Mesh& m = domain_.mesh();
  const std::size_t nf = store_.values_per_cell();
  const std::size_t nvar = static_cast<std::size_t>(gas_.n_vars());
  std::vector<std::int8_t> map(domain_.regime());
  long lost = 0;  // gas cells here that are solid in the checkpoint
  std::string first_lost;
  for (int j = 0; j < m.ny; ++j)
    for (int i = 0; i < m.nx; ++i) {
      const std::size_t c = m.index(i, j);
      const std::int8_t saved = d->regime[static_cast<std::size_t>(j) * m.nx + i];
      if (map[c] < 0) continue;  // an obstacle of this case
      if (saved < 0 && lost++ == 0) first_lost = domain_.describe(c);
      if (saved >= 0 && regime_.has_indicator() && domain_.forced(c) == not_forced) map[c] = saved;
    }
  if (lost > 0)
    throw RunError("cannot start from " + file.string() + ": " + std::to_string(lost) +
                   " gas cell(s) of this case are inside an obstacle in the checkpoint (the first: " + first_lost +
                   "); the checkpoint has no gas state there");
  domain_.install_regime(map);
  partition_.assign(cost_);  // owners for this map, faces, store
  std::vector<std::size_t> saved_f(m.n_stored(), d->kinetic_cells.size());  // index into kinetic_cells
  for (std::size_t k = 0; k < d->kinetic_cells.size(); ++k) {
    if (d->kinetic_cells[k] >= m.n_stored())
      throw RunError(file.string() + ": a distribution for cell " + std::to_string(d->kinetic_cells[k]) +
                     ", outside the mesh (corrupted checkpoint?)");
    saved_f[d->kinetic_cells[k]] = k;
  }
  // Every rank sets every gas cell's state; only the owner keeps a kinetic cell's f.
  std::vector<double> buffer(nf);
  for (const std::size_t c : domain_.updated_cells()) {
    double* U = state_.cell(c);
    std::copy_n(&d->U[c * nvar], nvar, U);
    if (!domain_.is_kinetic(c)) continue;
    double* f = domain_.owned(c) ? store_.f(static_cast<std::size_t>(store_.slot_of(c))) : buffer.data();
    if (saved_f[c] < d->kinetic_cells.size()) {
      std::copy_n(&d->kinetic_f[saved_f[c] * nf], nf, f);
    } else {
      try {
        coupling_.reconstruct(U, f);
      } catch (const RunError& e) {
        throw RunError("cannot start from " + file.string() + ": " + domain_.describe(c) + ": " + e.what());
      }
      coupling_.project(f, U);  // the moments the kinetic layers see (as at set-up)
    }
  }
  state_.fill_halo(state_.values());  // the walls stay as set_initial_state placed them (the case's)
  diagnostics_.set_baseline(diagnostics_.fields());  // conservation counted from this state
  started_from_ = fs::weakly_canonical(fs::absolute(file)).string();
  if (ranks::root())
    spdlog::info("starting from the state of {} (its step {}, t = {}) at t = 0", file.string(), d->step,
                 toolkit::format_number(d->t));
}

nlohmann::json Simulation::summary(const char* status, const std::string& failure) const {
  const auto& cs = work_.cell_steps;
  const long total = cs[0] + cs[1] + cs[2];
  auto share = [&](int l) { return total ? static_cast<double>(cs[l]) / static_cast<double>(total) : 0.0; };
  const nlohmann::json plugins = plugins_loaded(case_);
  const Mesh& m = domain_.mesh();
  const Totals& drift = diagnostics_.max_drift();
  const MemoryEstimate estimate = estimate_memory(case_, threads_);
  nlohmann::json summary = {
      {"case", case_.name},
      {"case_file", case_.file.string()},
      {"status", status},
      {"regime_mode", mode_name(case_.mode)},
      {"mesh", {{"nx", m.nx}, {"ny", m.ny}, {"dx", m.dx}, {"dy", m.dy}}},
      {"velocity_grid", {{"n", case_.velocity.n}, {"L", case_.velocity.L}}},
      {"plugins", plugins},
      {"sdk_version", sdk::sdk_version},
      {"steps", steps_},
      {"final_time", t_},
      {"wall_seconds", {{"total", wall_seconds()}, {"layer0", work_.wall[0]}, {"layer1", work_.wall[1]},
                        {"layer2", work_.wall[2]}, {"layer1_collision_model", work_.collision_model[1]},
                        {"layer2_collision_model", work_.collision_model[2]}, {"coupling", work_.coupling},
                        {"indicator", work_.indicator},
                        {"output", wall_output_}, {"checkpoint", wall_checkpoint_}}},
      {"cell_steps", {cs[0], cs[1], cs[2]}},
      {"layer_share", {share(0), share(1), share(2)}},
      {"layer_switches", regime_.switches()},
      {"conservation", {{"mass", drift[0]}, {"momentum_x", drift[1]}, {"momentum_y", drift[2]},
                        {"momentum_z", drift[3]}, {"energy", drift[4]}}},
      {"peak_memory_kib", peak_memory_kib()},
      {"kinetic_store_memory", store_.memory()},
      {"estimated_memory_kib", {{"least", estimate.least / 1024}, {"peak", estimate.total() / 1024},
                                {"kinetic_cells", estimate.cells}}},
  };
  if (const Layer2Device* device = stepper_.layer2_device()) {
    double up = 0, down = 0, seconds = 0;
    device->bus_traffic(up, down, seconds);
    summary["layer2_on_device"] = {{"device", device->device_name()}, {"bytes_to_device", up},
                                   {"bytes_to_host", down}, {"bus_seconds", seconds}};
  }
  if (const BoundaryLoads& loads = transport_.loads(); loads.measured() && !loads.parts().empty()) {
    // The last step's, per unit depth; coefficients per ½ rho speed² length (speed³ for heat).
    auto& parts = summary["boundary_loads"] = nlohmann::json::object();
    for (std::size_t k = 0; k < loads.parts().size(); ++k) {
      const Load& l = loads.part_loads()[k];
      auto& p = parts[loads.parts()[k].name] = {{"kind", loads.parts()[k].kind}, {"mass", l.mass}, {"Fx", l.fx},
                                                {"Fy", l.fy}, {"Fz", l.fz}, {"heat", l.heat}};
      if (const auto& r = case_.output.reference; r && loads.parts()[k].surface()) {
        const double q = 0.5 * r->rho * r->speed * r->speed * r->length;
        p["C_x"] = l.fx / q;
        p["C_y"] = l.fy / q;
        p["C_heat"] = l.heat / (q * r->speed);
      }
    }
  }
  if (!failure.empty()) summary["error"] = failure;
  if (restarted_) summary["restarted_from"] = restarted_from_;
  if (!started_from_.empty()) summary["started_from"] = started_from_;
  if (case_.steady) {
    summary["steady"] = {{"tolerance", *case_.steady}, {"reached", steady_}, {"residual", diagnostics_.residual()},
                         {"largest_residual", diagnostics_.largest_residual()}};
    if (steady_) {
      summary["steady"]["t"] = t_;
      summary["steady"]["output_times_not_written"] =
          std::vector<double>(case_.output.times.begin() + static_cast<std::ptrdiff_t>(next_output_), case_.output.times.end());
    }
  }
  summary["ranks"] = {{"count", ranks::size()},
                      {"threads_per_rank", omp_get_max_threads()},  // as run: --threads, or OpenMP's default
                      {"rebalances", rebalances_},
                      {"imbalance", {{"last_10_steps", imbalance_}, {"run", run_imbalance_},
                                     {"predicted", partition_.imbalance(cost_)}}},
                      {"cost_per_cell_step", cost_},
                      {"bytes_sent_by_root", {{"stage_exchange", partition_.traffic().stage},
                                              {"sharing", partition_.traffic().share},
                                              {"migration", partition_.traffic().migration}}}};
  return summary;
}

}  // namespace strata::core
