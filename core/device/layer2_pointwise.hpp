#pragma once
// The per-value work of layer 2 resident on a device (docs/architecture.md §6.2): the
// engine's host loops (stepper.cpp; upwind_flux.hpp through the same
// toolkit::cweno3_right_scaled) and the GPU kernels (layer2_kernels.cu) call these
// same functions, and tests/gpu/emulation calls them in
// host loops, so the machines without a GPU test the device path's arithmetic too.
// Compiles as C++17 under nvcc and as the engine's C++20.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "strata/toolkit/cweno.hpp"
#include "strata/toolkit/host_device.hpp"
#include "strata/toolkit/vector_math.hpp"

namespace strata::core::device {

// PR(2,2,2) bookkeeping of one value (paper eq. 4.15), with dt G_i = (Y_i - rhs_i) / a_ii
// recovered from the implicit solve rather than re-evaluated (Stepper::complete_kinetic_cell).
struct Pr222 {
  double dt, a_ii;  // the step, the implicit tableau's diagonal
  double we, wi;    // the stage's weights in f^{n+1}: explicit, implicit
  double ae, ai;    // stage 0 only: its weights in rhs_1
};
// Stage 0: sum = f + dt (w~_0 q_0 + w_0 G_0), rhs_1 = f + dt (a~_10 q_0 + a_10 G_0).
STRATA_HD void pr222_first_at(std::size_t i, const Pr222& c, const double* f, const double* Y, const double* q,
                              double* sum, double* rhs) {
  const double G_dt = (Y[i] - f[i]) / c.a_ii;
  sum[i] = f[i] + c.dt * c.we * q[i] + c.wi * G_dt;
  rhs[i] = f[i] + c.dt * c.ae * q[i] + c.ai * G_dt;
}
// Stage 1: f^{n+1} = sum + dt (w~_1 q_1 + w_1 G_1), built in sum.
STRATA_HD void pr222_second_at(std::size_t i, const Pr222& c, const double* rhs, const double* Y, const double* q,
                               double* sum) {
  const double G_dt = (Y[i] - rhs[i]) / c.a_ii;
  sum[i] += c.dt * c.we * q[i] + c.wi * G_dt;
}

// The upwind CWENO flux of one velocity through one face: phi = v_n f at the face, f
// from the upwind cell's reconstruction (paper §4.3): far, upwind, downwind averages.
STRATA_HD double upwind_flux(double vn, double far_left, double left, double right, double far_right, double h) {
  return vn > 0 ? vn * toolkit::cweno3_right_scaled(far_left, left, right, h)
                : vn * toolkit::cweno3_right_scaled(far_right, right, left, h);
}

// Faces between two layer-2 cells, grouped in mesh lines as the host's face lists are:
// one thread per (line, velocity value) runs through its line's faces in order, so no
// two threads touch the same value of q, and every cell gets its fluxes in the host's
// order. rows[4 f .. 4 f + 3]: the stage-value rows of face f's stencil (far left,
// left, right, far right); the left and right cells are layer-2 rows, whose q rows
// have the same numbers.
struct FaceLines {
  const std::int64_t* start;  // n_lines + 1 face offsets
  const std::int64_t* rows;
  std::size_t n_lines;
  const double* vn;  // v_n of the N^3 points
  std::size_t nf, n3;
  double h, inv_h;
};
STRATA_HD void face_line_at(std::size_t t, const FaceLines& L, const double* Y, double* q) {
  const std::size_t line = t / L.nf, k = t % L.nf;
  const double vn = L.vn[k % L.n3];
  for (std::int64_t face = L.start[line]; face < L.start[line + 1]; ++face) {
    const std::int64_t* r = L.rows + 4 * face;
    const std::size_t m = static_cast<std::size_t>(r[0]) * L.nf + k, a = static_cast<std::size_t>(r[1]) * L.nf + k;
    const std::size_t b = static_cast<std::size_t>(r[2]) * L.nf + k, p = static_cast<std::size_t>(r[3]) * L.nf + k;
    const double phi = upwind_flux(vn, Y[m], Y[a], Y[b], Y[p], L.h);
    q[a] -= phi * L.inv_h;
    q[b] += phi * L.inv_h;
  }
}

// q += E(Y)/eps of one value, inv_eps per row (the host's Stepper::complete_kinetic_cell
// adds the same product, its cell's inv_eps held once).
STRATA_HD void add_explicit_at(std::size_t i, double* q, const double* E, const double* inv_eps, std::size_t nf) {
  q[i] += E[i] * inv_eps[i / nf];
}

// A value's share of the entropy -Σ f ln f (RunDiagnostics::entropy), by the toolkit's
// vector log; 0 where f < 2^-1022 (|f ln f| is then below 1.6e-305).
STRATA_HD double entropy_term(double f) {
  return f >= 0x1p-1022 ? -(f * toolkit::log_normal(f)) : 0.0;
}

// Row copies between a packed block and chosen rows: to[r] = from[rows[r]] (gather) or
// to[rows[r]] = from[r], or += (scatter).
STRATA_HD void gather_at(std::size_t i, const double* from, const std::int64_t* rows, std::size_t width, double* to) {
  to[i] = from[static_cast<std::size_t>(rows[i / width]) * width + i % width];
}
STRATA_HD void scatter_at(std::size_t i, const double* from, const std::int64_t* rows, std::size_t width, double* to,
                          bool add) {
  double& target = to[static_cast<std::size_t>(rows[i / width]) * width + i % width];
  target = add ? target + from[i] : from[i];
}

}  // namespace strata::core::device
