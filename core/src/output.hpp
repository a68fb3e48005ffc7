#pragma once
// The output folder (docs/architecture.md §7): summary.json, history.csv, snapshot_NNNN.vti with
// snapshots.pvd for ParaView, profile_<t>.csv line cuts, loads.csv and surface_<t>.csv
// (the boundary loads, docs/user_guide.md §6.8). A run on several MPI ranks
// writes each snapshot as parallel VTK: snapshot_NNNN.pvti and one piece per rank,
// snapshot_NNNN_pR.vti, holding the rectangle of cells that rank owns. Every file is written to a
// temporary name and renamed, so an interrupted run never leaves a half-written file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "boundary_loads.hpp"
#include "case.hpp"
#include "mesh.hpp"

namespace strata::core {

struct Fields;

// Writes `content` to temporary_path(path), then commit_file, so that after a crash or
// a power cut the file is the old or the new one, never a part.
void write_atomically(const std::filesystem::path& path, const std::string& content);
// path.tmpPID: where a file is written before it is committed (run_folder.hpp removes
// leftovers).
std::filesystem::path temporary_path(const std::filesystem::path& path);
// Flushes `tmp` to disk (fsync; throws naming it when it cannot be), renames it to
// `path`, and flushes the folder (skipped where the file system refuses it).
void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& path);
// strerror(error), and for EFBIG the process's file size limit (ulimit -f).
std::string write_error_text(int error);
// A write that failed: removes `tmp` (on a full disk it holds the space the failed
// summary then needs) and throws RunError with `why` and the space left on that disk.
[[noreturn]] void abandon_write(const std::filesystem::path& tmp, const std::string& why);

struct SnapshotData {
  const Fields& fields;
  const std::vector<std::int8_t>& regime;  // interior, x fastest
  const std::vector<double>& knudsen;      // interior, x fastest
  const std::vector<std::string>& species_names;
  const std::vector<std::pair<std::string, std::vector<double>>>& extra;  // e.g. indicator diagnostics
};

class OutputWriter {
 public:
  // `extra_columns` follow the standard history columns (e.g. per-species masses);
  // `loads_columns` are those of loads.csv after step and t (none: no loads.csv).
  OutputWriter(std::filesystem::path dir, const Mesh& mesh, const std::vector<std::string>& extra_columns = {},
               const std::vector<std::string>& loads_columns = {});
  const std::filesystem::path& dir() const { return dir_; }

  // A piece of the mesh: cells [i0, i1) x [j0, j1).
  struct Extent {
    int i0, i1, j0, j1;
  };
  // The pieces of the next snapshots (one per rank); none or one: a single .vti.
  void set_pieces(std::vector<Extent> pieces) { pieces_ = std::move(pieces); }
  void snapshot(double t, const SnapshotData& data);
  void last_good(const SnapshotData& data);  // last_good.vti on failure
  bool wrote_last_good() const { return wrote_last_good_; }
  void profile(double t, const SnapshotData& data, int row);  // profile_<t>.csv: the cells of row j = `row`
  void history_row(const std::vector<double>& values);
  void loads_row(const std::vector<double>& values);  // loads.csv: step, t, the parts' loads
  // surface_<t>.csv: each boundary face's load per unit area, its normal and tangential
  // parts, and with a reference state the coefficients Cp, Cf, Ch.
  void surface(double t, const std::vector<BoundaryPart>& parts, const std::vector<FaceLoad>& faces,
               const std::optional<ReferenceState>& reference);
  // probe_<name>.csv: t, rho, u, T, pressure tensor, heat flux, regime.
  void probe_row(const std::string& name, const std::vector<double>& values);
  void flush_history();  // history.csv, loads.csv and the probe files
  void summary(const nlohmann::json& summary);

  static const std::vector<std::string>& history_columns();

  // What the folder's series hold so far, saved in checkpoints: a restarted run
  // continues them (docs/architecture.md §10).
  struct Record {
    std::string history;
    std::string loads;  // empty: none (a checkpoint written before loads.csv existed)
    std::vector<std::pair<std::string, std::string>> probes;  // name, CSV text
    std::vector<std::pair<double, std::string>> series;       // snapshot time, file
  };
  Record record() const { return {history_, loads_, probes_, series_}; }
  // A history written before the residual column was kept gets it, as nan.
  void restore(Record r);

 private:
  // The ImageData file of the cells in `piece` (the whole mesh when null); the names
  // and component counts of its arrays go to `arrays` when given (the .pvti lists them).
  std::string vti(const SnapshotData& data, const Extent* piece = nullptr,
                  std::vector<std::pair<std::string, int>>* arrays = nullptr) const;
  std::vector<Extent> pieces_;
  bool wrote_last_good_ = false;
  std::filesystem::path dir_;
  Mesh mesh_;
  std::vector<std::pair<double, std::string>> series_;
  std::string history_;
  std::string loads_;
  std::vector<std::pair<std::string, std::string>> probes_;  // name, CSV text
};

}  // namespace strata::core
