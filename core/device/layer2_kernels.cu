// The GPU kernels of the engine's device-resident layer 2: one thread per value (per
// line and value for the faces), each calling the value's function in
// layer2_pointwise.hpp; the conserved moments (toolkit/cuda/moments_kernel.cuh) and the
// entropy sums one block per row.
// Built with --fmad=false: no contraction, so the device rounds as the host does.
#include "layer2_kernels.hpp"
#include "strata/toolkit/cuda/moments_kernel.cuh"

namespace strata::core::device {

namespace {

constexpr int threads = 256;

unsigned blocks(std::size_t total) { return static_cast<unsigned>((total + threads - 1) / threads); }

// f(i) for i in [0, n), one thread each.
template <class F>
__global__ void each_kernel(std::size_t n, F f) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i < n) f(i);
}

template <class F>
void each(std::size_t n, F f) {
  if (n > 0) each_kernel<<<blocks(n), threads>>>(n, f);
}

// One block per row: each thread sums a stride of the row, then a tree reduction.
__global__ void entropy_kernel(const double* f, std::size_t width, double* sums) {
  const double* row = f + blockIdx.x * width;
  double s = 0.0;
  for (std::size_t k = threadIdx.x; k < width; k += threads) s += entropy_term(row[k]);
  __shared__ double partial[threads];
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int half = threads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) sums[blockIdx.x] = partial[0];
}

}  // namespace

void pr222_first(const Pr222& c, const double* f, const double* Y, const double* q, double* sum, double* rhs,
                 std::size_t n) {
  each(n, [=] __device__(std::size_t i) { pr222_first_at(i, c, f, Y, q, sum, rhs); });
}

void pr222_second(const Pr222& c, const double* rhs, const double* Y, const double* q, double* sum, std::size_t n) {
  each(n, [=] __device__(std::size_t i) { pr222_second_at(i, c, rhs, Y, q, sum); });
}

void face_lines(const FaceLines& L, const double* Y, double* q) {
  each(L.n_lines * L.nf, [=] __device__(std::size_t t) { face_line_at(t, L, Y, q); });
}

void add_explicit(double* q, const double* E, const double* inv_eps, std::size_t nf, std::size_t n) {
  each(n, [=] __device__(std::size_t i) { add_explicit_at(i, q, E, inv_eps, nf); });
}

void gather_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to) {
  each(n_rows * width, [=] __device__(std::size_t i) { gather_at(i, from, rows, width, to); });
}

void scatter_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to,
                  bool add) {
  each(n_rows * width, [=] __device__(std::size_t i) { scatter_at(i, from, rows, width, to, add); });
}

void entropy_sums(const double* f, std::size_t rows, std::size_t width, double* sums) {
  if (rows > 0) entropy_kernel<<<static_cast<unsigned>(rows), threads>>>(f, width, sums);
}

void conserved_moments(int n, double L, const double* f, std::size_t blocks, double* moments) {
  if (blocks > 0)
    toolkit::cuda::conserved_moments_kernel<threads><<<static_cast<unsigned>(blocks), threads>>>(n, L, f, moments);
}

}  // namespace strata::core::device
