// The launchers of plugins/boltzmann_cufft/spectral_kernels.hpp as host loops over the
// same per-value functions the GPU kernels call (spectral_pointwise.hpp), for the
// emulated build of the plugin (see cuda_runtime.h here).
#include "spectral_kernels.hpp"

namespace strata::cufft {

namespace {
std::size_t values(Grid g, int rows) { return n3_of(g) * rows; }
}  // namespace

void spectra(const cufftDoubleComplex* fhat, const double* multipliers, int count, double scale,
             cufftDoubleComplex* out, std::size_t modes, std::size_t batch) {
  for (std::size_t i = 0; i < modes * batch; ++i) spectra_at(i, fhat, multipliers, count, scale, out, modes, batch);
}

void collision(double* Q, const double* f, const double* transforms, const double* weight, int directions,
               std::size_t values) {
  for (std::size_t i = 0; i < values; ++i) collision_at(i, Q, f, transforms, values, weight, directions);
}

void conserved_moments(Grid g, const double* f, int rows, double* moments) {
  for (int c = 0; c < rows; ++c) toolkit::block_moments(g.n, g.L, f + c * n3_of(g), moments + 5 * c);
}

void fill_maxwellians(Grid g, const double* centred, int rows, double* M) {
  for (std::size_t i = 0; i < values(g, rows); ++i) fill_at(i, g, centred, M);
}

void combine_explicit(Grid g, double* q, const double* qM, const double* M, const double* f, const double* beta,
                      bool well_balanced, int rows) {
  for (std::size_t i = 0; i < values(g, rows); ++i) explicit_at(i, g, q, qM, M, f, beta, well_balanced);
}

void project(Grid g, double* q, const double* M, const double* lambda, int rows) {
  for (std::size_t i = 0; i < values(g, rows); ++i) project_at(i, g, q, M, lambda);
}

void relax(Grid g, double* f, const double* M, const double* a, int rows) {
  for (std::size_t i = 0; i < values(g, rows); ++i) relax_at(i, g, f, M, a);
}

}  // namespace strata::cufft
