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
