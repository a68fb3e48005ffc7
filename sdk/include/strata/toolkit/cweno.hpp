#pragma once
// Third-order CWENO reconstruction (Levy–Puppo–Russo 1999; Cravero–Puppo–Semplice–
// Visconti 2018), used per variable by the Euler layer and per velocity by the
// kinetic transport (paper §4.2, §4.3). From the cell averages of cells i-1, i, i+1
// it returns the values of cell i's reconstruction at its left and right faces.
//
// With s = (x - x_i)/h: P_opt is the parabola with the three cell averages, P_L and
// P_R the one-sided linear polynomials, P_0 = (P_opt - d_L P_L - d_R P_R)/d_0 with
// linear weights d_0 = 1/2, d_L = d_R = 1/4. Nonlinear weights
// w_k ∝ d_k / (eps + I_k)^2 with Jiang–Shu indicators I_k (in units of the data^2).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "strata/toolkit/host_device.hpp"

namespace strata::toolkit {

struct FaceValues {
  double left;   // value at x_{i-1/2}
  double right;  // value at x_{i+1/2}
};

namespace cweno_detail {
// std::bit_cast, written as the builtin it is made of, which nvcc also takes in C++17.
template <class To, class From>
STRATA_HD To bit_cast(From x) {
  return __builtin_bit_cast(To, x);
}
}  // namespace cweno_detail

// Values of the optimal parabola P_opt at the faces (the linear-weight limit).
STRATA_HD FaceValues optimal_reconstruction(double um, double u0, double up) {
  const double b = 0.5 * (up - um), c = 0.5 * (up - 2.0 * u0 + um);
  const double a = u0 - c * (1.0 / 12.0);
  return {a - 0.5 * b + 0.25 * c, a + 0.5 * b + 0.25 * c};
}

// Cell i's reconstruction at its right face x_{i+1/2} minus its average u0, from the
// one-sided differences bL = u0 - u_{i-1}, bR = u_{i+1} - u0. At s = +1/2:
//   P_L - u0 = bL/2,  P_R - u0 = bR/2,  P_0 = 2 P_opt - (P_L + P_R)/2 with
//   P_opt - u0 = b0/2 + c0/12,  so  P_0 - u0 = b0/2 + c0/6,
// b0 = (bL + bR)/2, c0 = bR - bL (P_0 = a0 + b0 s + c0 s^2). The weights
// d_k / (eps + I_k)^2 are taken over their common denominator and times 4
// (d_0 = 1/2, d_L = d_R = 1/4): w_0 : w_L : w_R = 2 sL sR : sR s0 : sL s0 with
// s_k = (eps + I_k)^2, so that one division remains (this runs four times per velocity
// point and kinetic cell-step).
STRATA_HD double cweno3_right_increment(double bL, double bR, double eps) {
  const double b0 = 0.5 * (bL + bR), c0 = bR - bL;
  const double eL = eps + bL * bL, eR = eps + bR * bR, e0 = eps + b0 * b0 + (13.0 / 3.0) * c0 * c0;
  const double sL = eL * eL, sR = eR * eR, s0 = e0 * e0;
  const double w0 = 2.0 * (sL * sR);
  const double numerator = w0 * (0.5 * b0 + c0 * (1.0 / 6.0)) + 0.5 * s0 * (sR * bL + sL * bR);
  return numerator / (w0 + s0 * (sL + sR));
}

// Value of cell i's reconstruction at its right face x_{i+1/2}. eps: the
// indicators' floor, in the units of the data squared.
STRATA_HD double cweno3_right(double um, double u0, double up, double eps) {
  return u0 + cweno3_right_increment(u0 - um, up - u0, eps);
}

// Both faces; the left face is the right face of the mirrored data (the scheme is
// symmetric: d_L = d_R).
STRATA_HD FaceValues cweno3(double um, double u0, double up, double eps) {
  return {cweno3_right(up, u0, um, eps), cweno3_right(um, u0, up, eps)};
}

// Scale-invariant CWENO3 at the right face: eps = h^2 in units of the local data
// magnitude m (Cravero et al. take eps = O(h^2)); h is the mesh spacing. Works for
// data of any size, from densities O(1) to distribution tails of 1e-100.
//
// The data are scaled by the power of two s = 2^-e with 2^e <= m < 2^(e+1), taken from
// m's exponent bits: exact, and no division (the reconstruction's own division is the
// one left). Scaled, the largest value is c = m s in [1, 2) and eps = h² c² keeps the
// floor at h² in units of m: the weights are homogeneous in (eps, I_k), so this is the
// reconstruction of the data divided by m, times m (the differences are taken of the
// scaled data, which cannot overflow, and the sum ū + increment unscaled last, since
// the increment alone may exceed the largest double where the data are near it). No
// branch, so that loops over velocities vectorise: all-zero data (c = 0) take
// eps = h² and give 0; subnormal m
// is scaled by 2^1022 like the smallest normal one.
STRATA_HD double cweno3_right_scaled(double um, double u0, double up, double h) {
  const double m = std::max(std::max(std::abs(um), std::abs(u0)), std::abs(up));
  // Biased exponent of m, kept in [1, 2045] so that both powers below are normal.
  const std::int64_t E = std::clamp<std::int64_t>(cweno_detail::bit_cast<std::int64_t>(m) >> 52, 1, 2045);
  const double s = cweno_detail::bit_cast<double>((2046 - E) << 52);  // 2^(1023 - E)
  const double unscale = cweno_detail::bit_cast<double>(E << 52);     // 1 / s
  const double c = std::max(m * s, 1.0);
  const double ms = um * s, us = u0 * s, ps = up * s;
  return unscale * (us + cweno3_right_increment(us - ms, ps - us, h * h * c * c));
}

}  // namespace strata::toolkit
