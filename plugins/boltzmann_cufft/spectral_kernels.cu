// Pointwise and per-cell kernels of the GPU Boltzmann backend (see
// plugins/common/penalised_boltzmann.hpp for what each step means and
// plugins/boltzmann_fft for the same steps on the CPU): multipliers on batches of half
// spectra, the gain products, Q = gain - f * loss, conserved moments (one block per
// cell), the separable Maxwellian fill, the penalised explicit part, the conservative
// projection and the implicit BGK step.
#include "spectral_kernels.hpp"

namespace {

using strata::cufft::Grid;

constexpr int threads = 256;  // per block; a power of two for the moment reduction

unsigned blocks(std::size_t total) { return static_cast<unsigned>((total + threads - 1) / threads); }

__device__ std::size_t n3_of(Grid g) { return static_cast<std::size_t>(g.n) * g.n * g.n; }

// Grid velocities of point k of a cell.
__device__ void velocity(Grid g, std::size_t k, double& vx, double& vy, double& vz) {
  const double dv = 2.0 * g.L / g.n;
  const int n = g.n;
  vx = -g.L + (static_cast<int>(k / (static_cast<std::size_t>(n) * n)) + 0.5) * dv;
  vy = -g.L + (static_cast<int>((k / n) % n) + 0.5) * dv;
  vz = -g.L + (static_cast<int>(k % n) + 0.5) * dv;
}

// The cell of point i of a batch, and the point's velocities.
__device__ std::size_t cell_of_point(Grid g, std::size_t i, double& vx, double& vy, double& vz) {
  const std::size_t n3 = n3_of(g);
  velocity(g, i % n3, vx, vy, vz);
  return i / n3;
}

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

__global__ void moments_kernel(Grid g, const double* f, double* moments) {
  const std::size_t n3 = n3_of(g);
  const double* fc = f + blockIdx.x * n3;
  double s[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  for (std::size_t k = threadIdx.x; k < n3; k += threads) {
    double vx, vy, vz;
    velocity(g, k, vx, vy, vz);
    const double w = fc[k];
    s[0] += w;
    s[1] += vx * w;
    s[2] += vy * w;
    s[3] += vz * w;
    s[4] += 0.5 * (vx * vx + vy * vy + vz * vz) * w;
  }
  __shared__ double partial[5][threads];
  for (int p = 0; p < 5; ++p) partial[p][threadIdx.x] = s[p];
  __syncthreads();
  for (int half = threads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half)
      for (int p = 0; p < 5; ++p) partial[p][threadIdx.x] += partial[p][threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const double dv = 2.0 * g.L / g.n;
    for (int p = 0; p < 5; ++p) moments[5 * blockIdx.x + p] = partial[p][0] * dv * dv * dv;
  }
}

__global__ void fill_kernel(Grid g, const double* centred, double* M, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  double vx, vy, vz;
  const double* c = centred + 5 * cell_of_point(g, i, vx, vy, vz);
  // The same factors and order of products as toolkit::fill_separable_maxwellian.
  const double wx = vx - c[1], wy = vy - c[2], wz = vz - c[3];
  const double X = exp(c[4] * wx * wx), Y = exp(c[4] * wy * wy), Z = exp(c[4] * wz * wz);
  M[i] = exp(c[0]) * X * Y * Z;
}

__global__ void explicit_kernel(Grid g, double* q, const double* qM, const double* M, const double* f,
                                const double* beta, bool well_balanced, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i < total) q[i] -= (well_balanced ? qM[i] : 0.0) + beta[i / n3_of(g)] * (M[i] - f[i]);
}

__global__ void project_kernel(Grid g, double* q, const double* M, const double* lambda, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  double vx, vy, vz;
  const double* l = lambda + 5 * cell_of_point(g, i, vx, vy, vz);
  q[i] -= M[i] * (l[0] + l[1] * vx + l[2] * vy + l[3] * vz + l[4] * 0.5 * (vx * vx + vy * vy + vz * vz));
}

__global__ void relax_kernel(Grid g, double* f, const double* M, const double* a, std::size_t total) {
  const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const double ac = a[i / n3_of(g)];
  f[i] = (f[i] + ac * M[i]) * (1.0 / (1.0 + ac));
}

std::size_t values(Grid g, int rows) { return static_cast<std::size_t>(g.n) * g.n * g.n * rows; }

}  // namespace

namespace strata::cufft {

void multiply(const cufftDoubleComplex* fhat, const double* multiplier, double scale, cufftDoubleComplex* out,
              std::size_t modes, std::size_t batch) {
  multiply_kernel<<<blocks(modes * batch), threads>>>(fhat, multiplier, scale, out, modes, modes * batch);
}

void accumulate_gain(double* gain, const double* a, const double* b, double weight, std::size_t total) {
  gain_kernel<<<blocks(total), threads>>>(gain, a, b, weight, total);
}

void finish(double* Q, const double* gain, const double* f, const double* loss, std::size_t total) {
  finish_kernel<<<blocks(total), threads>>>(Q, gain, f, loss, total);
}

void conserved_moments(Grid g, const double* f, int rows, double* moments) {
  moments_kernel<<<rows, threads>>>(g, f, moments);
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
