#pragma once
// The signals that stop a run cleanly (docs/user_guide.md §6.4): SIGTERM, SIGINT, SIGUSR1,
// SIGHUP and SIGXCPU (a batch system's time or CPU limit, Ctrl-C, a closed terminal).
// Installed before a run's set-up, so that a signal during a long set-up is acknowledged
// too; the time loop stops after the step in progress, with a checkpoint.

namespace strata::core {

// Installs the handlers for its lifetime and puts the previous ones back.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static constexpr int count = 7;
  void (*previous_[count])(int);
};

// Whether a stop signal arrived on this rank since the handlers were installed.
bool stop_requested();

}  // namespace strata::core
