#include "run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <string_view>

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "checkpoint.hpp"
#include "engine_types.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
namespace fs = std::filesystem;

namespace {

std::string read_all(int fd) {
  std::string text;
  char buf[64];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

RunRecord run_record(const fs::path& dir) {
  std::ifstream in(dir / "summary.json");
  if (!in) return {"", "summary.json missing"};
  const nlohmann::json s = nlohmann::json::parse(in, nullptr, false);
  if (!s.is_object() || !s.contains("status") || !s["status"].is_string()) return {"", "summary.json unreadable"};
  RunRecord run{s["status"].get<std::string>(), ""};
  run.said = "status " + run.status;
  // A running run's summary is that of its start: its step and time say nothing.
  if (run.status != "running" && s.contains("steps") && s["steps"].is_number_integer() && s.contains("final_time") &&
      s["final_time"].is_number())
    run.said += " at step " + std::to_string(s["steps"].get<long>()) + ", t = " +
                toolkit::format_number(s["final_time"].get<double>());
  return run;
}

// A new run into a folder whose run was interrupted or killed, and left checkpoints to
// continue from, would delete hours of work: refused, naming --resume (docs/user_guide.md §6).
std::string unfinished_run(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "";
  const auto found = list_checkpoints(dir);
  if (found.empty()) return "";
  const RunRecord run = run_record(dir);
  // A completed run is done with its checkpoints, and a failed one is rerun with other
  // settings more often than resumed; an interrupted or killed run is resumed.
  if (run.status == "completed" || run.status == "failed") return "";
  return run.said + ", newest " + found.back().second.filename().string();
}

void refuse_unfinished_checkpoints(const fs::path& dir) {
  if (const std::string run = unfinished_run(dir); !run.empty())
    throw RunError("the output folder " + dir.string() + " holds the checkpoints of a run that did not finish (" + run +
                   "): continue it with --resume " + shell_quoted(dir.string()) +
                   ", or remove the folder (or its checkpoint files) to start again, or give another folder with --out");
}

bool is_run_output(const std::string& name) {
  static const std::regex pattern(
      R"((summary\.json|history\.csv|loads\.csv|snapshots\.pvd|last_good\.vti|snapshot_[0-9]+(_p[0-9]+)?\.vti|snapshot_[0-9]+\.pvti|profile_[^/]+\.csv|surface_[^/]+\.csv|)"
      R"(probe_[^/]+\.csv|checkpoint_[0-9]+\.h5|compared_run\.h5)(\.tmp[0-9]+)?)");
  return std::regex_match(name, pattern);
}

RunFolder::RunFolder(const fs::path& dir, bool continuing) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw RunError("the output folder " + dir.string() + " cannot be made: " +
                   (ec ? ec.message() : std::string("a file of that name is there")) +
                   "; give another folder with --out or output.dir");
  const fs::path lock = dir / ".lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int error = errno;
    throw RunError(lock.string() + ": cannot be opened: " + std::strerror(error) +
                   (error == EROFS || error == EACCES || error == EPERM
                        ? std::string("; a run writes into its output folder: give a writable one with --out") +
                              (continuing ? " (a restart into another folder continues the series there)" : "")
                        : std::string()));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = error == EWOULDBLOCK ? read_all(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw RunError(lock.string() + ": cannot be locked: " + std::strerror(error));
    throw RunError("the output folder " + dir.string() + " is in use by another strata run (PID " +
                   (holder.empty() ? std::string("unknown") : holder) +
                   "); wait for it to finish or give another folder with --out");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    spdlog::warn("{}: cannot record this run's PID", lock.string());
  if (continuing) {
    // What the stopped run left that the continued run does not write again: the last
    // good state of a failed attempt, files whose writing was cut short, and compare's
    // record of how the run ended (it ends elsewhere now).
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      static const std::regex cut_short(R"(.*\.tmp[0-9]+)");
      if (entry.is_regular_file() && is_run_output(name) &&
          (name == "last_good.vti" || name == "compared_run.h5" || std::regex_match(name, cut_short)))
        fs::remove(entry.path(), ec);
    }
    return;
  }
  long removed = 0;
  try {
    refuse_unfinished_checkpoints(dir);
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && is_run_output(entry.path().filename().string())) {
        fs::remove(entry.path());
        ++removed;
      }
  } catch (...) {
    ::close(fd_);
    throw;
  }
  if (removed > 0) spdlog::info("{}: removed {} file(s) of an earlier run", dir.string(), removed);
}

std::string shell_quoted(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+=,:@%").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string q = "'";
  for (const char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

RunFolder::~RunFolder() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace strata::core
