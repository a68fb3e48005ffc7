#pragma once
// A run: the engine's parts assembled for one case, and the time loop over them
// (docs/architecture.md). Each part owns its state:
//   Domain            mesh, halo rules, obstacles, Knudsen numbers, forced layers, regime map
//   Gas               state layout, species, conserved <-> primitive (the fluid model's)
//   Coupling          Maxwellian reconstruction and moment projection (paper §4.5)
//   MacroState        conserved variables of every stored cell
//   KineticStore      distributions of the kinetic cells and their halo
//   Transport         face lists and one flux per face, fluid and kinetic
//   Partition         owners of the cells (MPI ranks), stage exchanges, balance
//   Stepper           the stages of a step over all layers (PR(2,2,2))
//   RegimeController  indicator -> forced layers -> conversions; moving obstacles
//   RunDiagnostics    fields, totals and drifts, entropy, history and probes
#include <chrono>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "case.hpp"
#include "coupling.hpp"
#include "domain.hpp"
#include "engine_types.hpp"
#include "gas.hpp"
#include "kinetic_store.hpp"
#include "partition.hpp"
#include "macro_state.hpp"
#include "regime_controller.hpp"
#include "run_diagnostics.hpp"
#include "run_plugins.hpp"
#include "stepper.hpp"
#include "transport.hpp"

namespace strata::core {

class OutputWriter;

// What a finished run leaves besides its files: the final fields and the summary.
struct RunResult {
  Fields fields;
  nlohmann::json summary;
  bool interrupted = false;  // stopped by SIGTERM/SIGINT after writing a checkpoint
};

struct CheckpointData;

// The command that continues the run of case `c` in `dir` after a stop: the case file,
// its --set arguments and --resume, each a shell word.
std::string resume_command(const Case& c, const std::filesystem::path& dir);
// The --plugin-dir arguments that found the plugins of case `c` (those beside the default
// folders), each preceded by a space, for commands a message suggests.
std::string plugin_dir_arguments(const Case& c);

class Simulation {
 public:
  // `check`: what `strata validate` needs to see what only set-up can — plugins, regime
  // map, initial state, the first time step — without the kinetic store (kinetic cells'
  // initial distributions are built one at a time and only their moments kept).
  enum class Purpose { run, check };
  // Sets everything up without writing a file.
  Simulation(const Case& c, std::filesystem::path out_dir, int threads, Purpose purpose = Purpose::run);
  ~Simulation();
  // Throws CaseError when the first time step from the current state cannot reach
  // time.end within what is left of time.max_steps, and warns when it spans many collision
  // times of a kinetic cell (warn_short_collision_time); returns the estimated steps.
  double check_step_budget() const;
  // Runs to time.end, writing outputs; locks the output folder and, unless restarted,
  // clears what an earlier run left there (run_folder.hpp); summary.json says "running"
  // until the end. Throws CaseError before touching the folder when check_step_budget
  // fails; throws RunError when the state goes bad, after writing last_good.vti and a
  // summary.json with status "failed".
  // On SIGTERM or SIGINT the run finishes its step, writes a checkpoint and returns
  // with `interrupted` set and summary status "interrupted".
  RunResult run();
  // Ranks: the partition is recomputed when the predicted imbalance (max over mean of
  // the ranks' measured work) passes `threshold` (default 1.1; 0: never).
  void set_rebalance_threshold(double threshold) { rebalance_threshold_ = threshold; }
  // Before run(): continue from a checkpoint (docs/architecture.md §10); throws
  // RunError when the file is unreadable or the case differs in what it must match.
  void restart(const std::filesystem::path& file);
  // Before run(): a new run (t = 0, fresh output folder) from a checkpoint's state, with
  // this case's physics; throws RunError when the file is unreadable or its mesh,
  // velocity grid or species differ.
  void start_from(const std::filesystem::path& file);

 private:
  void check_grid_holds(const std::vector<double>& W, const std::string& key, int i, int j,
                        ReconstructionProblems& problems) const;
  // "<file>: <key>, cell (i=…, j=…): <what>"
  std::string cell_problem(const std::string& key, int i, int j, const std::string& what) const;
  void set_initial_state();
  double most_collision_times_per_step(double dt) const;
  void warn_short_collision_time(double dt) const;
  // The regime update (and rank balance) before a step; false when it failed (`failure`
  // then holds why).
  bool update_regime(std::string& failure);
  // One step from t_ with dt (`step`: the stable step it came from, for the message);
  // false when the step failed (`failure` then holds why and the state is that of t_,
  // after the regime update).
  bool advance(const TimeStep& step, double dt, double t_new, std::string& failure);
  template <class Part>
  bool attempt(std::string& failure, Part&& part);
  // What a time step whose two directions' Courant numbers may add up past 1 risks, and
  // the setting that avoids it; "" for a safe one.
  std::string courant_problem(const TimeStep& s) const;
  void write_outputs(const Fields& f, double t, bool snapshot, bool failed);
  void report_progress() const;
  // status: "running", "completed", "failed" (with `failure`) or "interrupted".
  nlohmann::json summary(const char* status, const std::string& failure) const;
  void prepare_fault_summary_now() const;
  double wall_seconds() const;  // of this run, and of the runs it continues
  // On the root: the checkpoint of the run, with the state U, the kinetic cells and
  // their distributions gathered from every rank (cells in rank order).
  CheckpointData checkpoint_data(const std::vector<double>& U, const std::vector<std::int64_t>& cells,
                                 const std::vector<double>& f) const;
  void write_checkpoint_now();
  // After a checkpoint that could not be written: the newest one there is, and how to
  // continue from it.
  std::string checkpoint_advice(const std::string& error) const;
  // history.csv and the probe files, rewritten at least every 30 s of wall time between
  // output times (and at each output and checkpoint), so that a long run can be watched
  // and a killed one keeps its rows; on the root.
  void flush_series_now_and_then();
  void write_series();  // now; a failure is warned of once, not thrown

  const Case& case_;
  int threads_;
  Purpose purpose_;
  RunPlugins plugins_;
  Gas gas_;
  Domain domain_;
  Coupling coupling_;
  KineticStore store_;
  MacroState state_;
  Transport transport_;
  Partition partition_;
  Stepper stepper_;
  RegimeController regime_;
  RunDiagnostics diagnostics_;

  std::filesystem::path out_dir_;
  std::unique_ptr<OutputWriter> output_;
  LayerWork work_;
  // Ranks: the threshold, the measured costs per cell-step the partition is weighed
  // with, this rank's work at the start of the run and of the measuring window, and
  // the measured imbalance of the last window and of the whole run.
  double rebalance_threshold_ = 1.1;
  LayerCost cost_{};
  LayerWork work_at_window_, work_at_start_;
  long steps_at_window_ = 0, rebalances_ = 0, switches_at_balance_ = 0;
  double imbalance_ = 1.0, run_imbalance_ = 1.0;
  void balance_ranks();
  std::chrono::steady_clock::time_point start_;
  mutable std::chrono::steady_clock::time_point last_progress_;
  double t_ = 0.0;
  long steps_ = 0;
  bool steady_ = false;  // time.steady reached: the run ends after this step
  // Restarts: where the loop continues, and what earlier runs accumulated.
  bool restarted_ = false;
  std::size_t next_output_ = 0;
  long first_step_ = 0;
  double t_first_ = 0.0;  // the simulated time at which this process began stepping
  double wall_before_ = 0.0, wall_output_ = 0.0, wall_checkpoint_ = 0.0;
  std::string restarted_from_;
  std::string started_from_;  // --start-from: the checkpoint whose state this run began with
  std::unique_ptr<CheckpointData> pending_;  // the checkpoint's output series, until run() opens the folder
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::chrono::steady_clock::time_point last_series_flush_;
  bool series_flush_failed_ = false;  // warned once
};

}  // namespace strata::core
