#include "stop_signals.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <iterator>

#include "ranks.hpp"

namespace strata::core {
namespace {
// The first signal is acknowledged at once (write(2) is safe in a handler; a step or the
// set-up can take minutes), on the root rank only, where the run's messages go.
volatile std::sig_atomic_t stop_signal = 0;
volatile std::sig_atomic_t acknowledge_stop = 1;
extern "C" void request_stop(int) {
  if (!stop_signal && acknowledge_stop) {
    const int saved_errno = errno;
    static const char note[] =
        "strata: signal received: stopping after the step in progress (or the set-up), with a checkpoint\n";
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, note, sizeof note - 1);
    errno = saved_errno;
  }
  stop_signal = 1;
}

// mpirun forwards SIGUSR1 to every rank and waits; SIGTERM it follows with SIGKILL.
// SIGPIPE: Ctrl-C on `strata run … 2>&1 | tee log` also ends tee, so a write to its pipe
// must fail (EPIPE), not end the run before its checkpoint. SIGXFSZ: a file past the
// size limit (ulimit -f) must fail its write (EFBIG), reported as a failed write with the
// last good state kept, not end the process.
constexpr int stopping[] = {SIGTERM, SIGINT, SIGUSR1, SIGHUP, SIGXCPU};
constexpr int ignored[] = {SIGPIPE, SIGXFSZ};
}  // namespace

StopSignals::StopSignals() {
  static_assert(std::size(stopping) + std::size(ignored) == count);
  stop_signal = 0;
  acknowledge_stop = ranks::root();
  int k = 0;
  // A signal the parent ignores stays ignored: `nohup strata run …` outlives its
  // terminal (SIGHUP), and a job a script puts in the background ignores SIGINT.
  for (const int s : stopping) {
    previous_[k] = std::signal(s, request_stop);
    if (previous_[k++] == SIG_IGN) std::signal(s, SIG_IGN);
  }
  for (const int s : ignored) previous_[k++] = std::signal(s, SIG_IGN);
}

StopSignals::~StopSignals() {
  int k = 0;
  for (const int s : stopping) std::signal(s, previous_[k++]);
  for (const int s : ignored) std::signal(s, previous_[k++]);
}

bool stop_requested() { return stop_signal != 0; }

}  // namespace strata::core
