#pragma once
// STRATA_HD marks a per-value function that compiles for the host and, under nvcc, for
// a CUDA device too, so that a GPU kernel and the host loop it must agree with call the
// same arithmetic (the engine's device-resident layer 2, the cuFFT plugin's kernels).
#ifdef __CUDACC__
#define STRATA_HD __host__ __device__ inline
#else
#define STRATA_HD inline
#endif
