#include "host_memory.hpp"

#include <sys/mman.h>

namespace strata::core {

namespace {
constexpr std::size_t huge_page = std::size_t{2} << 20;
}

void* system_allocate(std::size_t bytes) {
  if (bytes < huge_page) return ::operator new(bytes);
  void* p = ::operator new(bytes, std::align_val_t{huge_page});
  // Advice only: where the kernel has no huge pages to give (or none enabled), the
  // array keeps ordinary pages, as before.
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

void system_release(void* p, std::size_t bytes) {
  if (bytes < huge_page) ::operator delete(p);
  else ::operator delete(p, std::align_val_t{huge_page});
}

}  // namespace strata::core
