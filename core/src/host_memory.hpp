#pragma once
// Where the kinetic store's arrays live (docs/architecture.md §6): ordinary memory, or
// the memory a collision model's library offers through STRATA_HOST_MEMORY
// (sdk/export.hpp) — boltzmann_cufft's pinned pages, which its GPU copies five to
// eight times faster than ordinary ones (docs/performance.md, "The GPU plugin").
#include <cstddef>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

namespace strata::core {

// Ordinary memory for the store: operator new, and for arrays of 2 MiB or more 2 MiB
// pages where the system offers them (Linux transparent huge pages, asked for with
// madvise): the transport streams six distributions at once (f of four cells, q of two),
// each entering a new 4 KiB page every 512 values, and huge pages make the engine's
// share of a kinetic step 10-20% cheaper (docs/performance.md, "Huge pages for the
// kinetic store"). Bitwise neutral: only where the values live changes.
void* system_allocate(std::size_t bytes);
void system_release(void* p, std::size_t bytes);

struct HostMemory {
  void* (*allocate)(std::size_t bytes) = nullptr;
  void (*release)(void* p, std::size_t bytes) = nullptr;
  std::shared_ptr<const void> library;  // kept loaded while memory from it lives
  std::string plugin;                   // whose memory, for summary.json
};

// A std::allocator that takes its memory from a HostMemory (none: system_allocate).
// Arrays with the same HostMemory may swap and move their storage.
template <class T>
class HostAllocator {
 public:
  using value_type = T;
  using propagate_on_container_copy_assignment = std::true_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;

  HostAllocator() = default;
  explicit HostAllocator(std::shared_ptr<const HostMemory> memory) : memory_(std::move(memory)) {}
  // Copies only: a moved-from allocator must keep its memory (the allocator
  // requirements), which an implicit move of the shared_ptr would not.
  HostAllocator(const HostAllocator&) = default;
  HostAllocator& operator=(const HostAllocator&) = default;
  template <class U>
  HostAllocator(const HostAllocator<U>& other) : memory_(other.memory()) {}

  T* allocate(std::size_t n) {
    if (!memory_) return static_cast<T*>(system_allocate(n * sizeof(T)));
    void* p = memory_->allocate(n * sizeof(T));
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (memory_) memory_->release(p, n * sizeof(T));
    else system_release(p, n * sizeof(T));
  }
  const std::shared_ptr<const HostMemory>& memory() const { return memory_; }
  template <class U>
  bool operator==(const HostAllocator<U>& other) const { return memory_ == other.memory(); }

 private:
  std::shared_ptr<const HostMemory> memory_;
};

// One kinetic store array: records of S N^3 values (kinetic_store.hpp).
using KineticArray = std::vector<double, HostAllocator<double>>;

}  // namespace strata::core
