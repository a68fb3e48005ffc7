// Pointwise kernels of the fast spectral operator on the GPU (see
// toolkit/fast_spectral.hpp): multiplier application on batches of half spectra,
// accumulation of the gain products, and the final Q = gain - f * loss.
#include "spectral_kernels.hpp"

namespace {

__global__ void multiply_kernel(const cufftDoubleComplex* fhat, const double* multiplier, double scale,
                                cufftDoubleComplex* out, std::size_t modes, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const double s = multiplier[i % modes] * scale;
  out[i].x = fhat[i].x * s;
  out[i].y = fhat[i].y * s;
}

__global__ void gain_kernel(double* gain, const double* a, const double* b, double weight, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i < total) gain[i] += weight * a[i] * b[i];
}

__global__ void finish_kernel(double* Q, const double* gain, const double* f, const double* loss, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i < total) Q[i] = gain[i] - f[i] * loss[i];
}

unsigned blocks(std::size_t total) { return static_cast<unsigned>((total + 255) / 256); }

}  // namespace

namespace strata::cufft {

void multiply(const cufftDoubleComplex* fhat, const double* multiplier, double scale, cufftDoubleComplex* out,
              std::size_t modes, std::size_t batch) {
  multiply_kernel<<<blocks(modes * batch), 256>>>(fhat, multiplier, scale, out, modes, modes * batch);
}

void accumulate_gain(double* gain, const double* a, const double* b, double weight, std::size_t total) {
  gain_kernel<<<blocks(total), 256>>>(gain, a, b, weight, total);
}

void finish(double* Q, const double* gain, const double* f, const double* loss, std::size_t total) {
  finish_kernel<<<blocks(total), 256>>>(Q, gain, f, loss, total);
}

}  // namespace strata::cufft
