#pragma once
// The PR(2,2,2) bookkeeping's vector loops over values [begin, end) (paper eq. 4.15;
// the per-value work in layer2_pointwise.hpp), compiled for each vector width: a
// division per value, at the baseline two at a time. One place for
// Stepper::complete_kinetic_cell and for bench/toolkit_kernels, which times them.
#include <cstddef>

#include "../device/layer2_pointwise.hpp"
#include "strata/toolkit/vector_clones.hpp"

namespace strata::core {

// Stage 0: sum = f + dt (w~_0 q_0 + w_0 G_0), rhs_1 = f + dt (a~_10 q_0 + a_10 G_0).
STRATA_VECTOR_CLONES inline void pr222_first(std::size_t begin, std::size_t end, const device::Pr222& c,
                                             const double* f, const double* Y, const double* q, double* sum,
                                             double* rhs) {
#pragma omp simd
  for (std::size_t k = begin; k < end; ++k) device::pr222_first_at(k, c, f, Y, q, sum, rhs);
}

// Stage 1: f^{n+1} = sum + dt (w~_1 q_1 + w_1 G_1), built in sum.
STRATA_VECTOR_CLONES inline void pr222_second(std::size_t begin, std::size_t end, const device::Pr222& c,
                                              const double* rhs, const double* Y, const double* q, double* sum) {
#pragma omp simd
  for (std::size_t k = begin; k < end; ++k) device::pr222_second_at(k, c, rhs, Y, q, sum);
}

}  // namespace strata::core
