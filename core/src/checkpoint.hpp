#pragma once
// Checkpoints (docs/architecture.md §10, docs/user_guide.md "Checkpoints"): the state a
// run needs to continue bit for bit, in one HDF5 file. Every dataset is indexed by
// global cell (interior x fastest, or stored cell with its ghosts), never by a
// process, so a distributed run can write the same layout collectively.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.hpp"
#include "engine_types.hpp"
#include "output.hpp"
#include "run_diagnostics.hpp"

namespace strata::core {

inline constexpr int checkpoint_format_version = 1;

struct CheckpointData {
  int format_version = checkpoint_format_version;
  double t = 0.0;
  long step = 0;
  long next_output = 0;  // index into output.times of the next output
  long switches = 0;
  double wall_seconds = 0.0, wall_output = 0.0, wall_checkpoint = 0.0;  // accumulated so far
  std::string case_json;  // the case as run (after --set)
  std::string started_from;  // the checkpoint this run (or the one it continues) started from, if any
  nlohmann::json setup;   // checkpoint_setup(): what a restart must match
  int nvar = 0;           // conserved variables per cell
  std::size_t nf = 0;     // distribution values per kinetic cell (S N^3)
  std::vector<std::int8_t> regime;                   // interior cells, x fastest; -1 solid
  std::vector<std::array<int, 2>> obstacle_offsets;  // cells each obstacle has moved
  std::vector<double> U;                             // every stored cell, nvar values each
  std::vector<std::uint64_t> kinetic_cells;          // stored index of each kinetic cell, ascending
  std::vector<double> kinetic_f;                     // their distributions, nf values each
  RunDiagnostics::Baseline baseline;
  LayerWork work;
  OutputWriter::Record output;
};

// What a restart must match: mesh, velocity grid, species, regime mode, plugins and
// their parameters (plugin versions are kept for information).
nlohmann::json checkpoint_setup(const Case& c);

// Writes `file` atomically: a temporary name in the same folder, fsync, rename.
void write_checkpoint(const std::filesystem::path& file, const CheckpointData& d);
// Reads a checkpoint; throws RunError with a message of its own (never HDF5's error
// stack) when the file is missing, truncated, corrupted or of another format, or when
// its contents cannot be a state (a layer outside -1..2, a non-finite value, a gas cell
// without positive density and internal energy).
CheckpointData read_checkpoint(const std::filesystem::path& file);
// Throws RunError listing every key whose value differs between the checkpoint and this
// case: the set-ups (checkpoint_setup: mesh, velocity grid, species, regime mode, plugins)
// and, from the case documents as run, the physics the set-up does not hold (boundaries,
// Knudsen number, initial state, obstacles, the regime's bands and forced regions).
void check_restart_setup(const std::filesystem::path& file, const nlohmann::json& saved_setup,
                         const nlohmann::json& saved_case, const nlohmann::json& now_setup,
                         const nlohmann::json& now_case);

// --start-from: throws RunError listing every difference in what the checkpoint's state
// is laid out on (mesh, species, and the velocity grid when `distributions` carry over);
// returns a warning to give when its gas has another ratio of specific heats (the
// conserved state carries over), else "".
std::string check_start_setup(const std::filesystem::path& file, const nlohmann::json& saved_setup,
                              const nlohmann::json& now_setup, bool distributions);

// strata compare's record of a run it completed (compared_run.h5 in the run's folder): the
// case the run ran (after --set) and its final density and temperature, which with the
// run's summary.json are all that `compare --resume` needs to compare it again without
// running it (docs/user_guide.md §7). write_compared_run writes atomically;
// read_compared_run throws RunError naming the file.
struct ComparedRun {
  std::string case_json;
  std::vector<double> rho, T;
};
inline constexpr const char* compared_run_format = "strata compared run";
void write_compared_run(const std::filesystem::path& file, const ComparedRun& run);
ComparedRun read_compared_run(const std::filesystem::path& file);

// The case (JSON text, after --set) of the run that wrote checkpoint `file`, read alone;
// throws as read_checkpoint does.
std::string read_checkpoint_case(const std::filesystem::path& file);

// checkpoint_<step>.h5 in `dir`.
std::filesystem::path checkpoint_path(const std::filesystem::path& dir, long step);
// The checkpoints checkpoint_<step>.h5 in `dir`, by ascending step.
std::vector<std::pair<long, std::filesystem::path>> list_checkpoints(const std::filesystem::path& dir);
// The checkpoint of the highest step in `dir`; throws RunError when there is none.
std::filesystem::path newest_checkpoint(const std::filesystem::path& dir);
// Removes all but the newest `keep` checkpoints in `dir`.
void prune_checkpoints(const std::filesystem::path& dir, int keep);

}  // namespace strata::core
