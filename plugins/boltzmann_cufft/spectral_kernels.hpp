#pragma once
// Launchers of the GPU kernels (spectral_kernels.cu; host loops over the same
// per-value functions in tests/gpu/emulation), callable from host C++. All pointers
// are device pointers; a batch is `rows` cells of n^3 values (spectral_pointwise.hpp).
#include <cstddef>

#include <cufft.h>

#include "spectral_pointwise.hpp"

namespace strata::cufft {

// out[s][b][m] = fhat[b][m] * multipliers[s][m] * scale for `count` multipliers and
// `batch` half spectra of `modes` (spectra_at).
void spectra(const cufftDoubleComplex* fhat, const double* multipliers, int count, double scale,
             cufftDoubleComplex* out, std::size_t modes, std::size_t batch);
// Q = Σ_d weight[d] t_{2d} t_{2d+1} - f t_{2D} over `values` values, t_s = transforms + s
// values (collision_at).
void collision(double* Q, const double* f, const double* transforms, const double* weight, int directions,
               std::size_t values);
// moments[5c + p] = Σ_k phi_p(v_k) f[c][k] dv³, phi = (1, v, |v|²/2).
void conserved_moments(Grid g, const double* f, int rows, double* moments);
// M[c] = exp(c0) exp(c4 (vx - c1)²) exp(c4 (vy - c2)²) exp(c4 (vz - c3)²), c = centred[5c..]
// (toolkit::centred_exponents).
void fill_maxwellians(Grid g, const double* centred, int rows, double* M);
// q -= [qM if well_balanced] + beta[c] (M - f).
void combine_explicit(Grid g, double* q, const double* qM, const double* M, const double* f, const double* beta,
                      bool well_balanced, int rows);
// q -= M (λ_c . phi), λ_c = lambda[5c..].
void project(Grid g, double* q, const double* M, const double* lambda, int rows);
// f = (f + a[c] M) / (1 + a[c]).
void relax(Grid g, double* f, const double* M, const double* a, int rows);

}  // namespace strata::cufft
