#pragma once
// A fatal signal (an invalid memory access, an abort, ...) cannot be recovered from, but it
// can be named (docs/architecture.md §8): the report says whether it came from inside a
// plugin's call, and which, or from Strata itself. Plugins are third parties' code run in
// Strata's process; the engine marks each call into one (PluginObject::call).
#include <string>

namespace strata::core {

// Marks a call into a plugin on this thread for its lifetime. `plugin` must outlive it
// (the plugin object's name); `call` is a string literal.
class PluginCallScope {
 public:
  PluginCallScope(const std::string& plugin, const char* call) noexcept;
  ~PluginCallScope();
  PluginCallScope(const PluginCallScope&) = delete;
  PluginCallScope& operator=(const PluginCallScope&) = delete;

 private:
  const char* previous_plugin_;
  const char* previous_call_;
};

// The summary.json a fatal signal leaves in place of the "running" one: the handler
// writes `before`, its one-line report (JSON-safe text), then `after` to `file`. The run's
// root rank prepares it from its summary with status "crashed" and refreshes it as the run
// goes; an empty `file` withdraws it (the run writes its own final summary).
void prepare_fault_summary(const std::string& file, const std::string& before, const std::string& after);

// Installs, on the calling thread (the main thread, from which the engine calls plugins
// that run their own threads), handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
// that write the report to standard error and then end the process by the signal's own
// default action (exit status, core file) as before. `rank` and `ranks` prefix the
// report under MPI. The report also goes into the prepared summary, if any.
void install_fault_report(int rank, int ranks);

// Gives the calling thread, once, an alternate signal stack and notes where its own stack
// ends, so that a stack overflow on it is reported as one; without, the handler cannot
// run there and the process ends unreported. install_fault_report calls it for the main
// thread, the set-up of a run for each of its OpenMP threads.
void report_faults_on_this_thread();

}  // namespace strata::core
