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

struct HostMemory {
  void* (*allocate)(std::size_t bytes) = nullptr;
  void (*release)(void* p, std::size_t bytes) = nullptr;
  std::shared_ptr<const void> library;  // kept loaded while memory from it lives
  std::string plugin;                   // whose memory, for summary.json
};

// A std::allocator that takes its memory from a HostMemory (none: operator new).
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
    if (!memory_) return static_cast<T*>(::operator new(n * sizeof(T)));
    void* p = memory_->allocate(n * sizeof(T));
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (memory_) memory_->release(p, n * sizeof(T));
    else ::operator delete(p);
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
