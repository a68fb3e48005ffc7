#pragma once
// STRATA_VECTOR_CLONES before a function with a hot vector loop: on x86-64, GCC
// compiles it for AVX-512, AVX2 and the baseline (SSE2) and picks one when the
// program loads (target_clones), so one binary uses the vector width of the machine
// it runs on. The targets do not include FMA: contraction would change the rounding,
// and results would depend on the machine.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define STRATA_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STRATA_VECTOR_CLONES
#endif

// STRATA_CLONE_INLINE on a lambda or helper that a cloned function's loops call: it is
// a function of its own, compiled for the baseline unless it is inlined into each
// clone (measured: the ES-BGK Gaussian's blocked sums ran 2× slower than the row loops
// they replaced until their lambdas were inlined).
#if defined(__GNUC__) && !defined(__CUDACC__)
#define STRATA_CLONE_INLINE __attribute__((always_inline))
#else
#define STRATA_CLONE_INLINE
#endif

#include <type_traits>

namespace strata::toolkit {

// block(k0, width, lanes) for the indices [k0, k0 + lanes) of 0..n-1 in blocks of eight:
// width is std::integral_constant<int, 8>, the size of a block's sums, which a
// compile-time size lets the compiler keep in registers; lanes is 8, or less for a
// last partial block. A sum per lane, added in a fixed order, does not depend on
// the vector width a clone was compiled for.
template <class Block>
STRATA_CLONE_INLINE inline void for_each_lane_block(int n, Block&& block) {
  constexpr int width = 8;
  int k0 = 0;
  for (; k0 + width <= n; k0 += width) block(k0, std::integral_constant<int, width>{}, width);
  if (k0 < n) block(k0, std::integral_constant<int, width>{}, n - k0);
}

}  // namespace strata::toolkit
