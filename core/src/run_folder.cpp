#include "run_folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include <spdlog/spdlog.h>

#include "engine_types.hpp"

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

bool is_run_output(const std::string& name) {
  static const std::regex pattern(
      R"((summary\.json|history\.csv|snapshots\.pvd|last_good\.vti|snapshot_[0-9]+(_p[0-9]+)?\.vti|snapshot_[0-9]+\.pvti|profile_[^/]+\.csv|)"
      R"(probe_[^/]+\.csv|checkpoint_[0-9]+\.h5)(\.tmp[0-9]+)?)");
  return std::regex_match(name, pattern);
}

RunFolder::RunFolder(const fs::path& dir, bool continuing) {
  fs::create_directories(dir);
  const fs::path lock = dir / ".lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw RunError(lock.string() + ": cannot be opened: " + std::strerror(errno));
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
  if (continuing) return;
  long removed = 0;
  try {
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

RunFolder::~RunFolder() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace strata::core
