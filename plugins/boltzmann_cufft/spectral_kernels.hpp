#pragma once
// Launchers of the GPU kernels (spectral_kernels.cu), callable from host C++.
#include <cstddef>

#include <cufft.h>

namespace strata::cufft {

// out[b][m] = fhat[b][m] * multiplier[m] * scale for `batch` half spectra of `modes`.
void multiply(const cufftDoubleComplex* fhat, const double* multiplier, double scale, cufftDoubleComplex* out,
              std::size_t modes, std::size_t batch);
// gain += weight * a * b, elementwise over `total` values.
void accumulate_gain(double* gain, const double* a, const double* b, double weight, std::size_t total);
// Q = gain - f * loss, elementwise.
void finish(double* Q, const double* gain, const double* f, const double* loss, std::size_t total);

}  // namespace strata::cufft
