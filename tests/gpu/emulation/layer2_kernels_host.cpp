// The launchers of core/device/layer2_kernels.hpp as host loops over the same per-value
// functions the GPU kernels call (layer2_pointwise.hpp), for the emulated build of the
// engine's device library (see cuda_runtime.h here).
#include "layer2_kernels.hpp"
#include "strata/toolkit/point_moments.hpp"

namespace strata::core::device {

void pr222_first(const Pr222& c, const double* f, const double* Y, const double* q, double* sum, double* rhs,
                 std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) pr222_first_at(i, c, f, Y, q, sum, rhs);
}

void pr222_second(const Pr222& c, const double* rhs, const double* Y, const double* q, double* sum, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) pr222_second_at(i, c, rhs, Y, q, sum);
}

void face_lines(const FaceLines& L, const double* Y, double* q) {
  for (std::size_t t = 0; t < L.n_lines * L.nf; ++t) face_line_at(t, L, Y, q);
}

void add_explicit(double* q, const double* E, const double* inv_eps, std::size_t nf, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) add_explicit_at(i, q, E, inv_eps, nf);
}

void gather_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to) {
  for (std::size_t i = 0; i < n_rows * width; ++i) gather_at(i, from, rows, width, to);
}

void scatter_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to,
                  bool add) {
  for (std::size_t i = 0; i < n_rows * width; ++i) scatter_at(i, from, rows, width, to, add);
}

void entropy_sums(const double* f, std::size_t rows, std::size_t width, double* sums) {
  for (std::size_t r = 0; r < rows; ++r) {
    double s = 0.0;
    for (std::size_t k = 0; k < width; ++k) s += entropy_term(f[r * width + k]);
    sums[r] = s;
  }
}

void conserved_moments(int n, double L, const double* f, std::size_t blocks, double* moments) {
  const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
  for (std::size_t b = 0; b < blocks; ++b) toolkit::block_moments(n, L, f + b * n3, moments + 5 * b);
}

}  // namespace strata::core::device
