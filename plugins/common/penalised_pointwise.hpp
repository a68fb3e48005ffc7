#pragma once
// The per-value formulas of the penalised Boltzmann algorithm
// (penalised_boltzmann.hpp), shared by the CPU backend's loops and the GPU kernels
// (boltzmann_cufft/spectral_pointwise.hpp): they compile for the host and, under nvcc,
// for the device.
#include "strata/toolkit/host_device.hpp"

namespace strata::plugins {

// The penalised explicit part at one point: Q - Q_M - β (M - f) (Q_M = 0 when not
// well-balanced).
STRATA_HD double penalised(double Q, double QM, double M, double f, double beta) { return Q - QM - beta * (M - f); }

// The conservative projection at one point: q - M (λ . phi(v)), phi = (1, v, |v|²/2).
STRATA_HD double projected(double q, double M, const double* lambda, double vx, double vy, double vz) {
  return q - M * (lambda[0] + lambda[1] * vx + lambda[2] * vy + lambda[3] * vz +
                  lambda[4] * 0.5 * (vx * vx + vy * vy + vz * vz));
}

// The implicit BGK step at one point: (f + a M) / (1 + a), a = h β.
STRATA_HD double relaxed(double f, double M, double a) { return (f + a * M) * (1.0 / (1.0 + a)); }

}  // namespace strata::plugins
