#pragma once
// The kinetic transport's vector loops through one face (paper §4.3): the upwind
// CWENO3 flux of a run of velocities, and its taking into the cells' q. One place for
// Transport::kinetic_fluxes and for bench/toolkit_kernels, which times them in cache.
#include <cstddef>

#include "strata/toolkit/cweno.hpp"
#include "strata/toolkit/vector_clones.hpp"

namespace strata::core {

// A run of `count` velocities whose v_n (vn, one per velocity) has one sign:
// phi_k = v_n f_k at the face, f from the upwind cell's CWENO3 reconstruction (far,
// upwind, downwind cell averages). Compiled for AVX-512 and AVX2 besides the baseline
// and chosen at load time; no FMA contraction, so every variant gives the same bits.
STRATA_VECTOR_CLONES inline void upwind_flux_run(std::size_t count, const double* vn, const double* far,
                                                 const double* up, const double* down, double h, double* phi) {
#pragma omp simd
  for (std::size_t k = 0; k < count; ++k) phi[k] = vn[k] * toolkit::cweno3_right_scaled(far[k], up[k], down[k], h);
}

// The same run through a face between two kinetic cells of this rank, applied at once:
// q_a -= phi / h, q_b += phi / h (the same operations as through phi, so the same bits),
// or q_b = phi / h where this face is q_b's first (FirstForB; Transport::kinetic_fluxes).
template <bool FirstForB>
STRATA_VECTOR_CLONES inline void upwind_flux_run_apply(std::size_t count, const double* vn, const double* far,
                                                       const double* up, const double* down, double h, double inv_h,
                                                       double* qa, double* qb) {
#pragma omp simd
  for (std::size_t k = 0; k < count; ++k) {
    const double phi = vn[k] * toolkit::cweno3_right_scaled(far[k], up[k], down[k], h);
    qa[k] -= phi * inv_h;
    if constexpr (FirstForB)
      qb[k] = phi * inv_h;
    else
      qb[k] += phi * inv_h;
  }
}

// A face's flux phi, taken into q at one of its sides: q -= phi / h on the left cell,
// q += phi / h (or q = phi / h, its first face) on the right one; the operations of
// upwind_flux_run_apply, so a face through a wall or the rank's edge rounds alike.
enum class FluxInto { left_cell, right_cell_first, right_cell };
STRATA_VECTOR_CLONES inline void apply_face_flux(std::size_t count, const double* phi, double inv_h, FluxInto side,
                                                 double* q) {
  if (side == FluxInto::left_cell) {
#pragma omp simd
    for (std::size_t k = 0; k < count; ++k) q[k] -= phi[k] * inv_h;
  } else if (side == FluxInto::right_cell_first) {
#pragma omp simd
    for (std::size_t k = 0; k < count; ++k) q[k] = phi[k] * inv_h;
  } else {
#pragma omp simd
    for (std::size_t k = 0; k < count; ++k) q[k] += phi[k] * inv_h;
  }
}

}  // namespace strata::core
