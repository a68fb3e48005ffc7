#pragma once
// OpenMP loops whose body may throw (a plugin call, a Maxwellian the velocity grid
// cannot hold). An exception must not leave an OpenMP region — the program would
// abort — so each is caught where it is thrown, the remaining iterations are
// skipped, and the exception of the lowest index is rethrown on the calling thread
// after the loop, so the message does not depend on the thread count.
#include <cstddef>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>

namespace strata::core {

enum class Schedule { static_chunks, dynamic };

class LoopErrors {
 public:
  template <class F>
  void guard(std::size_t i, F&& f) {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      f();
    } catch (...) {
      const std::lock_guard lock(mutex_);
      if (i < index_) {
        index_ = i;
        error_ = std::current_exception();
      }
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::size_t index_ = std::numeric_limits<std::size_t>::max();
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};  // a hint to skip work; the result is decided under the lock
};

// body(i, scratch) for i in [0, n); `make_scratch()` gives each thread its buffers.
template <class MakeScratch, class Body>
void parallel_for(std::size_t n, Schedule schedule, MakeScratch make_scratch, Body body) {
  LoopErrors errors;
#pragma omp parallel
  {
    auto scratch = make_scratch();
    if (schedule == Schedule::dynamic) {
#pragma omp for schedule(dynamic)
      for (std::size_t i = 0; i < n; ++i) errors.guard(i, [&] { body(i, scratch); });
    } else {
#pragma omp for schedule(static)
      for (std::size_t i = 0; i < n; ++i) errors.guard(i, [&] { body(i, scratch); });
    }
  }
  errors.rethrow();
}

// The same without per-thread buffers.
template <class Body>
void parallel_for(std::size_t n, Schedule schedule, Body body) {
  parallel_for(n, schedule, [] { return 0; }, [&](std::size_t i, int) { body(i); });
}

}  // namespace strata::core
