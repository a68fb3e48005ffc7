#pragma once
// An output folder holds one run (docs/architecture.md §7, docs/user_guide.md §6): the
// run locks it for its whole time, and a new run first removes what an earlier run
// wrote there, so that no file of another run is mistaken for one of its own.
#include <filesystem>
#include <string>

namespace strata::core {

class RunFolder {
 public:
  // Creates `dir` and takes an exclusive flock on dir/.lock, writing this process's
  // PID into it; throws RunError naming the folder and the PID of the run that holds
  // it. When `continuing` (a restarted run continues the folder's series and
  // checkpoints), removes only last_good.vti and cut-short .tmpPID files; else
  // removes the files an earlier run wrote (is_run_output); where
  // those include checkpoints of an interrupted or killed run
  // (refuse_unfinished_checkpoints), throws RunError instead and removes nothing.
  RunFolder(const std::filesystem::path& dir, bool continuing);
  ~RunFolder();  // releases the lock; .lock stays, holding the last run's PID
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

 private:
  int fd_ = -1;
};

// What summary.json in an output folder says of its run: `status` ("completed",
// "failed", "interrupted", "running", "crashed"; "" where there is no readable summary),
// and `said`, for messages: "status S at step N, t = T", or "summary.json missing" /
// "summary.json unreadable".
struct RunRecord {
  std::string status;
  std::string said;
};
RunRecord run_record(const std::filesystem::path& dir);

// Where `dir` holds checkpoints (checkpoint_N.h5) of a run that was interrupted or killed
// (summary.json "interrupted", "running", or none), what it did, for messages ("status
// interrupted at step 74, t = 0.0912, newest checkpoint_74.h5"); else "". `strata
// compare` asks it of every run's folder before the first run.
std::string unfinished_run(const std::filesystem::path& dir);

// Throws RunError, naming --resume, where `dir` holds an unfinished run's checkpoints
// (unfinished_run): a new run there would remove them. RunFolder calls it.
void refuse_unfinished_checkpoints(const std::filesystem::path& dir);

// Whether a file name is one Strata writes into an output folder: summary.json,
// history.csv, snapshots.pvd, last_good.vti, snapshot_N.vti, profile_T.csv,
// probe_NAME.csv, checkpoint_N.h5, compared_run.h5, or one of those with a .tmpPID
// suffix (a write that was cut short).
bool is_run_output(const std::string& name);

// `word` as one shell word, for commands a message suggests: as it is where it holds only
// characters no shell treats specially, else in single quotes.
std::string shell_quoted(const std::string& word);

}  // namespace strata::core
