#pragma once
// Launchers of the engine's layer-2 kernels (layer2_kernels.cu; host loops over the same
// per-value functions in tests/gpu/emulation), callable from host C++. All pointers but
// `c` and `L` are device pointers; `n` counts values.
#include <cstddef>
#include <cstdint>

#include "layer2_pointwise.hpp"

namespace strata::core::device {

void pr222_first(const Pr222& c, const double* f, const double* Y, const double* q, double* sum, double* rhs,
                 std::size_t n);
void pr222_second(const Pr222& c, const double* rhs, const double* Y, const double* q, double* sum, std::size_t n);
void face_lines(const FaceLines& L, const double* Y, double* q);
void add_explicit(double* q, const double* E, const double* inv_eps, std::size_t nf, std::size_t n);
void gather_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to);
void scatter_rows(const double* from, const std::int64_t* rows, std::size_t n_rows, std::size_t width, double* to,
                  bool add);
// sums[r] = Σ_k entropy_term(f[r][k]) over `rows` rows of `width` values, in point order
// on the host stand-ins, in a block reduction on the device.
void entropy_sums(const double* f, std::size_t rows, std::size_t width, double* sums);
// moments[5 b + p] = Σ_k phi_p(v_k) f[b][k] dv³ for `blocks` blocks of n^3 values (one
// species of one cell each), phi = (1, v, |v|²/2).
void conserved_moments(int n, double L, const double* f, std::size_t blocks, double* moments);

}  // namespace strata::core::device
