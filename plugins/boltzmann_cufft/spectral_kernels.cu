// The GPU kernels of the Boltzmann backend: one thread per value, each calling the
// value's function in spectral_pointwise.hpp (what each step means:
// plugins/common/penalised_boltzmann.hpp), except the conserved moments, one block per
// cell with a shared-memory tree reduction (toolkit/cuda/moments_kernel.cuh).
#include "spectral_kernels.hpp"
#include "strata/toolkit/cuda/moments_kernel.cuh"

namespace {

using namespace strata::cufft;

constexpr int threads = 256;  // per block; a power of two for the moment reduction

unsigned blocks(std::size_t total) { return static_cast<unsigned>((total + threads - 1) / threads); }

__device__ std::size_t thread_index() { return blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; }

__global__ void spectra_kernel(const cufftDoubleComplex* fhat, const double* multipliers, int count, double scale,
                               cufftDoubleComplex* out, std::size_t modes, std::size_t batch) {
  const std::size_t i = thread_index();
  if (i < modes * batch) spectra_at(i, fhat, multipliers, count, scale, out, modes, batch);
}

__global__ void collision_kernel(double* Q, const double* f, const double* transforms, const double* weight,
                                 int directions, std::size_t values) {
  const std::size_t i = thread_index();
  if (i < values) collision_at(i, Q, f, transforms, values, weight, directions);
}

__global__ void fill_kernel(Grid g, const double* centred, double* M, std::size_t total) {
  const std::size_t i = thread_index();
  if (i < total) fill_at(i, g, centred, M);
}

__global__ void explicit_kernel(Grid g, double* q, const double* qM, const double* M, const double* f,
                                const double* beta, bool well_balanced, std::size_t total) {
  const std::size_t i = thread_index();
  if (i < total) explicit_at(i, g, q, qM, M, f, beta, well_balanced);
}

__global__ void project_kernel(Grid g, double* q, const double* M, const double* lambda, std::size_t total) {
  const std::size_t i = thread_index();
  if (i < total) project_at(i, g, q, M, lambda);
}

__global__ void relax_kernel(Grid g, double* f, const double* M, const double* a, std::size_t total) {
  const std::size_t i = thread_index();
  if (i < total) relax_at(i, g, f, M, a);
}

std::size_t values(Grid g, int rows) { return n3_of(g) * rows; }

}  // namespace

namespace strata::cufft {

void spectra(const cufftDoubleComplex* fhat, const double* multipliers, int count, double scale,
             cufftDoubleComplex* out, std::size_t modes, std::size_t batch) {
  spectra_kernel<<<blocks(modes * batch), threads>>>(fhat, multipliers, count, scale, out, modes, batch);
}

void collision(double* Q, const double* f, const double* transforms, const double* weight, int directions,
               std::size_t values) {
  collision_kernel<<<blocks(values), threads>>>(Q, f, transforms, weight, directions, values);
}

void conserved_moments(Grid g, const double* f, int rows, double* moments) {
  strata::toolkit::cuda::conserved_moments_kernel<threads><<<rows, threads>>>(g.n, g.L, f, moments);
}

void fill_maxwellians(Grid g, const double* centred, int rows, double* M) {
  fill_kernel<<<blocks(values(g, rows)), threads>>>(g, centred, M, values(g, rows));
}

void combine_explicit(Grid g, double* q, const double* qM, const double* M, const double* f, const double* beta,
                      bool well_balanced, int rows) {
  explicit_kernel<<<blocks(values(g, rows)), threads>>>(g, q, qM, M, f, beta, well_balanced, values(g, rows));
}

void project(Grid g, double* q, const double* M, const double* lambda, int rows) {
  project_kernel<<<blocks(values(g, rows)), threads>>>(g, q, M, lambda, values(g, rows));
}

void relax(Grid g, double* f, const double* M, const double* a, int rows) {
  relax_kernel<<<blocks(values(g, rows)), threads>>>(g, f, M, a, values(g, rows));
}

}  // namespace strata::cufft
