#include "fault_report.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>

namespace strata::core {
namespace {

// The plugin call in progress on a thread; the main thread's is also read by the handler
// on other threads (a plugin's own OpenMP threads start from a call on the main thread).
// Atomics, as another thread reads them: `call` is stored before `plugin` is published,
// and `plugin` cleared first, so a reader that sees a plugin sees a call (or, in a race
// with the end of the scope, none: hint_for takes that).
struct CallInProgress {
  std::atomic<const char*> plugin{nullptr};
  std::atomic<const char*> call{nullptr};
};
thread_local CallInProgress this_thread;
CallInProgress* main_thread = nullptr;

// A thread's alternate signal stack, on which the handler runs when the thread's own stack
// is spent, and the lowest address of its own stack: a SIGSEGV at most a guard's distance
// below it, or just above, is a stack overflow.
struct AlternateStack {
  static constexpr std::size_t size = 1 << 16;
  std::unique_ptr<char[]> memory;
  ~AlternateStack() {  // the thread ends: the kernel must not use the freed memory
    if (!memory) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
};
thread_local AlternateStack alternate_stack;
thread_local std::uintptr_t stack_low = 0;

bool stack_overflow(int signal, const siginfo_t* info) {
  if (signal != SIGSEGV || !info || stack_low == 0) return false;
  const auto at = reinterpret_cast<std::uintptr_t>(info->si_addr);
  constexpr std::uintptr_t guard = 1 << 20, page = 1 << 12;
  return at + guard >= stack_low && at < stack_low + page;
}
int report_rank = 0, report_ranks = 1;

// Two copies of the prepared summary: the main thread fills the one the handler does not
// read, then switches, so that a fault on another thread never reads a half-made one.
struct FaultSummary {
  std::string file, before, after;
};
FaultSummary fault_summaries[2];
std::atomic<int> fault_summary_in_use{-1};  // -1: none prepared

// Only async-signal-safe work below: write(2) of fixed text into a buffer of our own.
// With `json`, the text is the inside of a JSON string: '"' and '\\' escaped (a plugin's
// file path may hold them), control characters made spaces.
struct Report {
  char text[1024];
  std::size_t size = 0;
  bool json = false;
  Report& operator<<(const char* s) {
    for (; s && *s && size + 1 < sizeof text; ++s) {
      if (json && (*s == '"' || *s == '\\')) text[size++] = '\\';
      text[size++] = json && static_cast<unsigned char>(*s) < 0x20 ? ' ' : *s;
    }
    return *this;
  }
  Report& operator<<(int n) {
    char digits[12];
    int k = 0;
    do digits[k++] = static_cast<char>('0' + n % 10);
    while ((n /= 10) > 0 && k < 11);
    while (k > 0 && size < sizeof text) text[size++] = digits[--k];
    return *this;
  }
};

const char* what_signal(int signal, bool overflow) {
  if (overflow) return "a stack overflow (SIGSEGV: a recursion without end, or too large an array on the stack)";
  switch (signal) {
    case SIGSEGV: return "an invalid memory access (SIGSEGV)";
    case SIGBUS: return "a bus error (SIGBUS)";
    case SIGFPE: return "an arithmetic exception (SIGFPE)";
    case SIGILL: return "an illegal instruction (SIGILL)";
    default: return "an abort (SIGABRT: an exception escaping an OpenMP region or a thread, or a failed assertion)";
  }
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    default: return "SIGABRT";
  }
}

// What a plugin author should look at first, for the calls whose contract has a usual trap.
const char* hint_for(const char* call) {
  if (call && std::strcmp(call, "propose") == 0)
    return " An indicator finds null pointers for the inputs it did not declare in inputs(), "
           "and may read at most `halo` cells beyond its rectangle (sdk/plugin.hpp, IndicatorInput).";
  return "";
}

extern "C" void report_fault(int signal, siginfo_t* info, void*) {
  // Sent by kill(2) or raise(3) (si_code ≤ 0: SI_USER, SI_TKILL, ...), not a fault of this
  // process's code: abort() raises SIGABRT so, and is reported as below.
  const bool sent = info && info->si_code <= 0 && signal != SIGABRT;
  // This thread's call, else the main thread's: a thread that is not in a call of its own
  // is taken for one the plugin started (it may also be one of Strata's, which the report
  // then cannot tell apart).
  const char* plugin = this_thread.plugin.load();
  const char* call = this_thread.call.load();
  const bool on_other_thread = !plugin && main_thread && main_thread->plugin.load();
  const bool overflow = !sent && stack_overflow(signal, info);
  if (on_other_thread) {
    plugin = main_thread->plugin.load();
    call = main_thread->call.load();
  }
  Report r;
  r << "strata";
  if (report_ranks > 1) r << " (rank " << report_rank << ")";
  r << ": fatal: ";
  if (sent) {
    r << signal_name(signal) << " sent by another process (kill), not a fault of this one.";
  } else if (plugin) {
    r << what_signal(signal, overflow) << " inside plugin '" << plugin << "', in its call " << (call ? call : "?")
      << (on_other_thread ? " (on another thread than the call's: most likely one the plugin started)" : "")
      << ". The plugin's code failed; Strata cannot go on after it." << (overflow ? "" : hint_for(call));
  } else {
    r << what_signal(signal, overflow)
      << " in Strata itself, outside any plugin call: please report it with the case file and the command.";
  }
  r << " What the run wrote before it is kept";
  const int in_use = fault_summary_in_use.load();
  r << (in_use >= 0 ? "; summary.json says \"crashed\" with this report.\n" : ".\n");
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, r.text, r.size);
  if (in_use >= 0) {
    const FaultSummary& s = fault_summaries[in_use];
    Report error;
    error.json = true;
    error << "fatal: ";
    if (sent) error << signal_name(signal) << " sent by another process (kill)";
    else if (plugin) error << what_signal(signal, overflow) << " inside plugin '" << plugin << "', in its call " << (call ? call : "?");
    else error << what_signal(signal, overflow) << " in Strata itself, outside any plugin call";
    const int fd = ::open(s.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      written = ::write(fd, s.before.data(), s.before.size());
      written = ::write(fd, error.text, error.size);
      written = ::write(fd, s.after.data(), s.after.size());
      ::close(fd);
    }
  }
  // The default action, once this handler returns (the signal is blocked until then).
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void prepare_fault_summary(const std::string& file, const std::string& before, const std::string& after) {
  if (file.empty()) {
    fault_summary_in_use = -1;
    return;
  }
  const int next = fault_summary_in_use.load() == 0 ? 1 : 0;
  fault_summaries[next] = {file, before, after};
  fault_summary_in_use = next;
}

PluginCallScope::PluginCallScope(const std::string& plugin, const char* call) noexcept
    : previous_plugin_(this_thread.plugin.load(std::memory_order_relaxed)),
      previous_call_(this_thread.call.load(std::memory_order_relaxed)) {
  this_thread.call.store(call, std::memory_order_relaxed);
  this_thread.plugin.store(plugin.c_str(), std::memory_order_release);
}

PluginCallScope::~PluginCallScope() {
  this_thread.plugin.store(previous_plugin_, std::memory_order_release);
  this_thread.call.store(previous_call_, std::memory_order_relaxed);
}

void report_faults_on_this_thread() {
  if (alternate_stack.memory) return;
  alternate_stack.memory = std::make_unique<char[]>(AlternateStack::size);
  stack_t stack{};
  stack.ss_sp = alternate_stack.memory.get();
  stack.ss_size = AlternateStack::size;
  sigaltstack(&stack, nullptr);
  pthread_attr_t attributes;
  if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
    void* low = nullptr;
    std::size_t size = 0;
    if (pthread_attr_getstack(&attributes, &low, &size) == 0) stack_low = reinterpret_cast<std::uintptr_t>(low);
    pthread_attr_destroy(&attributes);
  }
}

void install_fault_report(int rank, int ranks) {
  main_thread = &this_thread;
  report_rank = rank;
  report_ranks = ranks;
  report_faults_on_this_thread();
  struct sigaction action {};
  action.sa_sigaction = report_fault;
  action.sa_flags = SA_ONSTACK | SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (const int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(s, &action, nullptr);
}

}  // namespace strata::core
