#include "estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "diagnostics.hpp"
#include "ranks.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {

namespace {

constexpr double double_bytes = sizeof(double);

// Kinetic cells and slots (kinetic cells and their halo, docs/architecture.md §4) when
// every updated cell is kinetic: at most the interior, and the interior with the two
// ghost layers of each side that the kinetic faces' stencils read (not the corners).
struct KineticCells {
  double kinetic = 0.0, slots = 0.0;
};

// The kinetic store (kinetic_store.cpp), in records of S N³ doubles: f, rhs, sum and
// transport per kinetic cell (the sum also holds the f^n a refused step returns to), the
// stage values per slot (kinetic cells and halo); E(Y) per kinetic cell when layer 2 runs (its
// penalised models have an explicit part), with the 1/8 to spare that arrays keep once
// they grew in a hybrid run (relayout). Then the larger of two passing needs: when the
// regime map changes, the transport array's next storage (9/8 of a record per kinetic
// cell, taken before the old f's storage is given up); when output.checkpoint writes
// checkpoints, the copy of the kinetic cells' f that a checkpoint gathers
// (simulation.cpp, checkpoint_data).
double store_bytes(const Case& c, KineticCells cells, bool relayout) {
  const double nf = static_cast<double>(c.species.size()) * std::pow(static_cast<double>(c.velocity.n), 3);
  const bool layer2 = c.mode == RegimeMode::hybrid || c.mode == RegimeMode::layer2;
  const bool checkpoints = c.output.checkpoint.every_steps > 0 || c.output.checkpoint.every_minutes > 0;
  const double layout = 4 * cells.kinetic + cells.slots;
  const double spare = relayout ? 9.0 / 8.0 : 1.0;
  const double passing = std::max(relayout ? spare * cells.kinetic : 0.0, checkpoints ? cells.kinetic : 0.0);
  const double records = spare * (layout + (layer2 ? cells.kinetic : 0.0)) + passing;
  return records * nf * double_bytes;
}

// The layer-2 plugins of this repository (plugins/common/penalised_boltzmann.hpp): the
// spectral kernel, 2 D + 1 arrays of N² (N/2 + 1) modes for D directions of the angular
// rule; the penalty calibration's loss frequencies at up to 25 temperatures; for
// boltzmann_fft, per thread four N³ buffers and two complex spectra, four chunk
// buffers of threads · max(1, 2^17 / N³) cells, and with several threads D + 1 N³
// arrays for a cell whose directions are spread over them. Other plugins: unknown (0).
double collision_bytes(const Case& c, int threads) {
  if (c.mode != RegimeMode::hybrid && c.mode != RegimeMode::layer2) return 0.0;
  const std::string& name = c.boltzmann.name;
  if (name != "boltzmann_fft" && name != "boltzmann_cufft") return 0.0;
  const nlohmann::json& p = c.boltzmann.params;
  const double n = c.velocity.n, n3 = n * n * n, modes = n * n * (std::floor(n / 2) + 1);
  const bool sphere = p.value("angular_rule", "gauss_legendre") == "sphere";
  const double directions = sphere ? p.value("directions", 16) : p.value("A1", 4) * p.value("A2", 4);
  double values = (2 * directions + 1) * modes + 25 * n3;
  if (name == "boltzmann_fft") {
    const double chunk = threads * std::max(1.0, std::floor(131072.0 / n3));
    values += threads * (4 * n3 + 4 * modes) + 4 * chunk * n3;
    if (threads > 1) values += (directions + 1) * n3;  // a leftover cell's terms
  }
  return values * double_bytes;
}

long meminfo_kib(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(key + ":")) return std::stol(line.substr(key.size() + 1));
  return 0;
}


}  // namespace

MemoryEstimate estimate_memory(const Case& c, int threads) {
#ifdef _OPENMP
  if (threads <= 0) threads = omp_get_max_threads();
#endif
  threads = std::max(threads, 1);
  const double stored = static_cast<double>(c.nx + 4) * (c.ny + 4), interior = static_cast<double>(c.nx) * c.ny;
  const double species = static_cast<double>(c.species.size()), nvar = species + 4;
  MemoryEstimate e;
  // Per stored cell: the state, its kept copy, inflow states, the stage value, two
  // residuals, four face-flux arrays, the indicator's primitives, a checkpoint's copy
  // (12 of nvar), and ten scalars (regime, Knudsen number, indicator inputs). Per
  // interior cell: three copies of the output fields (15 + S values) and a snapshot's
  // text (21 fields in base64, about 4/3 of their bytes).
  e.fluid = double_bytes * (stored * (12 * nvar + 10) + interior * (3 * (15 + species) + 2 * 21));
  e.collision = collision_bytes(c, threads);
  const bool kinetic = c.mode != RegimeMode::layer0;
  const KineticCells all{kinetic ? interior : 0.0, kinetic ? interior + 4.0 * (c.nx + c.ny) : 0.0};
  const bool moving = std::any_of(c.obstacles.begin(), c.obstacles.end(), [](const Obstacle& o) { return o.move_every > 0; });
  const bool map_changes = c.mode == RegimeMode::hybrid && (c.indicator.needed || moving);
  e.kinetic = store_bytes(c, all, map_changes);
  // What the run needs whatever its regime map does: layer-0 hybrid runs may start with
  // no kinetic cell.
  const bool kinetic_at_start = kinetic && (c.mode != RegimeMode::hybrid || c.initial_layer > 0);
  e.least = e.fluid + e.collision + (kinetic_at_start ? store_bytes(c, all, false) : 0.0);
  e.cells = !kinetic ? "no kinetic cells" : "all cells kinetic";
  return e;
}

double physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * static_cast<double>(size) : 0.0;
}

double available_memory() { return 1024.0 * static_cast<double>(meminfo_kib("MemAvailable")); }

std::string gib(double bytes) {
  char buf[32];
  const double g = bytes / (1024.0 * 1024.0 * 1024.0);
  std::snprintf(buf, sizeof buf, g < 100 ? "%.3g GiB" : "%.0f GiB", g);
  return buf;
}

// What to reduce: without kinetic cells the velocity grid costs nothing.
std::string memory_fix(const MemoryEstimate& e) {
  return e.kinetic > 0 ? "; reduce velocity.n or mesh.nx, mesh.ny" : "; reduce mesh.nx, mesh.ny";
}

void check_memory(const Case& c, const MemoryEstimate& e) {
  const double physical = physical_memory(), available = available_memory();
  if (physical <= 0) return;
  const std::string where = c.file.string() + (e.kinetic > 0 ? ": /velocity/n: " : ": /mesh: ");
  const std::string fix = memory_fix(e);
  const std::string size = (e.kinetic > 0 ? "velocity.n = " + std::to_string(c.velocity.n) + ", " : std::string()) +
                           std::to_string(c.nx) + "x" + std::to_string(c.ny) + " cells";
  if (e.least > physical)
    throw CaseError({where + "the run needs about " + gib(e.least) + " of memory (" + e.cells +
                     (e.least < e.total() ? " from the start" : "") + "; " + size + "), the machine has " +
                     gib(physical) + fix});
  // Half of the machine: a run beside others, or with its outputs' page cache, may not fit.
  if (e.total() > 0.5 * physical || (available > 0 && e.total() > available))
    spdlog::warn("{}the run may need up to {} of memory ({}); the machine has {}, {} available now{}", where,
                 gib(e.total()), e.cells, gib(physical), gib(available), fix);
}

// The time loop lands on time.end when a step reaches it within 1e-12 time.end
// (simulation.cpp); the same tolerance keeps t_end / dt = 11.000000000000002 at 11.
double steps_to_end(const Case& c, double dt, double t) {
  return std::max(0.0, std::ceil((c.t_end - t - 1e-12 * c.t_end) / dt));
}

std::string step_budget_problem(const Case& c, double dt, const char* limit, double speed, double t,
                                long steps_done) {
  const double steps = steps_to_end(c, dt, t);
  const long budget = c.max_steps - steps_done;
  const bool finite = std::isfinite(dt) && dt > 0;
  // With time.steady the run may end long before time.end: only time.max_steps binds,
  // when the run reaches it.
  if (finite && (steps <= static_cast<double>(budget) || c.steady)) return "";
  std::string why = "the time step dt = " + toolkit::format_number(dt) + " (set by " + limit;
  if (std::string(limit) == "time.cfl") why += " = " + toolkit::format_number(c.cfl) + " and the fastest signal speed " + toolkit::format_number(speed);
  why += ")";
  if (!finite) return why + " is not a positive finite number: the run cannot advance; check the state and " + limit;
  if (budget <= 0)  // a restart whose checkpoint is past the budget
    return "time.max_steps = " + std::to_string(c.max_steps) + " is not above the " + std::to_string(steps_done) +
           " steps already taken (the checkpoint's step); raise time.max_steps";
  return why + " needs " + (std::isfinite(steps) ? "about " + toolkit::format_number(steps) : std::string("infinitely many")) +
         " steps from t = " + toolkit::format_number(t) + " to time.end = " + toolkit::format_number(c.t_end) + ", more than the " +
         std::to_string(budget) + " left of time.max_steps = " +
         std::to_string(c.max_steps) + "; raise " + limit + " or time.max_steps, or lower time.end";
}

std::string out_of_memory_message(const Case& c, int threads, const std::string& doing) {
  const MemoryEstimate e = estimate_memory(c, threads);
  rlimit address_space{};
  std::string limit;
  if (::getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY)
    limit = ", this process is limited to " + gib(static_cast<double>(address_space.rlim_cur)) + " (ulimit -v)";
  return "out of memory " + doing + ": the run needs about " + gib(e.least) +
         (e.least < e.total() ? " and up to " + gib(e.total()) : "") + " (" + e.cells + "), the machine has " +
         gib(physical_memory()) + " (" + gib(available_memory()) + " available now" + limit + ")" + memory_fix(e);
}

// What the ranks on this machine need together: each rank holds its share of the
// kinetic store and a whole copy of the rest (docs/design_notes.md, "Ranks").
MemoryEstimate on_this_machine(MemoryEstimate m) {
  const double here = ranks::size_on_this_machine(), share = here / ranks::size();
  if (share == 1.0) return m;
  const double before = m.total();
  m.kinetic *= share;
  m.fluid *= here;
  m.collision *= here;
  m.least *= m.total() / before;
  return m;
}

}  // namespace strata::core
