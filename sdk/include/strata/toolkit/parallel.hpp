#pragma once
// OpenMP loops whose body may throw (a plugin call, a Maxwellian the velocity grid
// cannot hold, a buffer that cannot be allocated), for the engine and the plugins. An
// exception must not leave an OpenMP region — the program would abort — so each is
// caught where it is thrown, iterations above the lowest failing index are skipped, and
// the exception of the lowest index is rethrown on the calling thread after the loop:
// the message does not depend on the thread count or schedule. Built without OpenMP
// (-Wunknown-pragmas aside), the loops run on the calling thread alone.
#include <atomic>
#include <cstddef>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string>

namespace strata::toolkit {

enum class Schedule { static_chunks, dynamic };

class LoopErrors {
 public:
  template <class F>
  void guard(std::size_t i, F&& f) {
    if (i > lowest_.load(std::memory_order_relaxed)) return;  // a lower index failed already
    try {
      f();
    } catch (...) {
      record(i, std::current_exception());
    }
  }
  void record(std::size_t i, std::exception_ptr e) {
    const std::lock_guard lock(mutex_);
    if (i >= lowest_.load(std::memory_order_relaxed) && error_) return;
    lowest_.store(i, std::memory_order_relaxed);
    error_ = std::move(e);
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }
  std::size_t lowest() const { return lowest_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::atomic<std::size_t> lowest_{std::numeric_limits<std::size_t>::max()};
  std::exception_ptr error_;
};

// body(i, scratch) for i in [0, n); `make_scratch()` gives each thread its buffers (a
// thread whose buffers cannot be made records the error as index 0 and skips its share).
// `failed`, when given, receives the index whose error is rethrown.
template <class MakeScratch, class Body>
void parallel_for(std::size_t n, Schedule schedule, MakeScratch make_scratch, Body body,
                  std::size_t* failed = nullptr) {
  LoopErrors errors;
#pragma omp parallel
  {
    std::optional<decltype(make_scratch())> scratch;
    try {
      scratch.emplace(make_scratch());
    } catch (...) {
      errors.record(0, std::current_exception());
    }
    if (schedule == Schedule::dynamic) {
#pragma omp for schedule(dynamic)
      for (std::size_t i = 0; i < n; ++i)
        if (scratch) errors.guard(i, [&] { body(i, *scratch); });
    } else {
#pragma omp for schedule(static)
      for (std::size_t i = 0; i < n; ++i)
        if (scratch) errors.guard(i, [&] { body(i, *scratch); });
    }
  }
  if (failed) *failed = errors.lowest();
  errors.rethrow();
}

// The same without per-thread buffers.
template <class Body>
void parallel_for(std::size_t n, Schedule schedule, Body body) {
  parallel_for(n, schedule, [] { return 0; }, [&](std::size_t i, int) { body(i); });
}

// For a plugin's rows (cells): body(i, scratch) returns "" or what went wrong with row i.
// Returns the message of the lowest failing row ("" when none), the same for any thread
// count; rows above it may be skipped. An exception (a buffer that cannot be allocated)
// propagates, and the engine reports it as the plugin's.
template <class MakeScratch, class Body>
std::string first_problem(std::size_t n, Schedule schedule, MakeScratch make_scratch, Body body) {
  struct Problem {  // not a std::exception: told apart from what else a row may throw
    std::string message;
  };
  try {
    parallel_for(n, schedule, make_scratch, [&](std::size_t i, auto& scratch) {
      if (std::string message = body(i, scratch); !message.empty()) throw Problem{std::move(message)};
    });
  } catch (const Problem& problem) {
    return problem.message;
  }
  return "";
}

}  // namespace strata::toolkit
