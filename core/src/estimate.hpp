#pragma once
// What a run will need, known before anything large is allocated (docs/architecture.md
// §8): its memory, from the case alone, and its step count, from a time step. `strata
// validate` prints both; validate and run refuse a case that cannot fit in the machine's
// memory or cannot reach time.end within time.max_steps.
#include <new>
#include <string>

#include "case.hpp"
#include "engine_types.hpp"

namespace strata::core {

// Bytes at the peak of a run, taking `cells` as kinetic (in hybrid runs: all, the worst
// case), and `least`, what the run needs whatever its regime map does (a hybrid run that
// starts in layer 0 may never hold a distribution).
struct MemoryEstimate {
  double fluid = 0.0;      // conserved state, its kept copy, stage values, residuals, fields
  double kinetic = 0.0;    // the kinetic store (docs/architecture.md §4)
  double collision = 0.0;  // the layer-2 plugin's tables and working buffers, where known
  double least = 0.0;
  std::string cells;       // "all cells kinetic", "no kinetic cells"
  double total() const { return fluid + kinetic + collision; }
};

// `threads`: as given to `strata run` (0: OpenMP's default).
MemoryEstimate estimate_memory(const Case& c, int threads);
// What the ranks sharing this machine need together (the estimate is one rank's).
MemoryEstimate on_this_machine(MemoryEstimate m);

// The machine's physical memory and what it has available now (bytes; 0 when unknown).
double physical_memory();
double available_memory();

// "3.2 GiB"
std::string gib(double bytes);

// Throws CaseError when `least` exceeds the physical memory; warns when the peak
// exceeds half of it or what is available now.
void check_memory(const Case& c, const MemoryEstimate& estimate);

// Why the run cannot reach time.end within time.max_steps when its steps from t on are
// no longer than `dt` (limited by the case key `limit`, at signal speed `speed`), after
// `steps_done` steps; empty when it can. Steps are counted in floating point, so an
// infinite or NaN count is reported too.
std::string step_budget_problem(const Case& c, double dt, const char* limit, double speed, double t,
                                long steps_done);
double steps_to_end(const Case& c, double dt, double t);

// The message of an allocation that failed while `doing` (e.g. "setting up the run").
std::string out_of_memory_message(const Case& c, int threads, const std::string& doing);

// Runs `work`; an allocation that fails in it becomes a RunError with the run's memory
// estimate (docs/user_guide.md, "Exit codes").
template <class Work>
auto within_memory(const Case& c, int threads, const std::string& doing, Work work) {
  try {
    return work();
  } catch (const std::bad_alloc&) {
    throw RunError(out_of_memory_message(c, threads, doing));
  }
}

}  // namespace strata::core
