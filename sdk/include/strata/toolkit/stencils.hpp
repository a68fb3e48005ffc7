#pragma once
// Finite-difference helpers for indicators on the engine's fields with halos
// (sdk::IndicatorInput layout), paper eqs. 4.55–4.56, and the eigenvalues of a
// symmetric 3x3 matrix (paper eq. 4.54 in closed form).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "strata/sdk/plugin.hpp"

namespace strata::toolkit {

// Central differences and the 5-point Laplacian of a field at interior cell (i, j).
// The paper's eqs. 4.55–4.56 divide the 5-point sum by ΔxΔy, which is the Laplacian for
// square cells only; each axis here takes its own second difference, so that cells of
// any aspect ratio give the same Laplacian (exact on quadratics).
struct Stencil {
  const sdk::IndicatorInput& in;
  std::int64_t at(int i, int j) const { return (i + in.halo) + in.stride * (j + in.halo); }
  double dx(const double* q, int i, int j) const { return (q[at(i + 1, j)] - q[at(i - 1, j)]) / (2 * in.dx); }
  double dy(const double* q, int i, int j) const { return (q[at(i, j + 1)] - q[at(i, j - 1)]) / (2 * in.dy); }
  double laplacian(const double* q, int i, int j) const {
    const double centre = 2 * q[at(i, j)];
    return (q[at(i - 1, j)] + q[at(i + 1, j)] - centre) / (in.dx * in.dx) +
           (q[at(i, j - 1)] + q[at(i, j + 1)] - centre) / (in.dy * in.dy);
  }
};

// Eigenvalues of the symmetric matrix (xx, yy, zz, xy, xz, yz), ascending
// (trigonometric solution of the characteristic cubic).
inline std::array<double, 3> symmetric_eigenvalues(const std::array<double, 6>& a) {
  const double xx = a[0], yy = a[1], zz = a[2], xy = a[3], xz = a[4], yz = a[5];
  const double off = xy * xy + xz * xz + yz * yz;
  if (off == 0.0) {
    std::array<double, 3> e = {xx, yy, zz};
    std::sort(e.begin(), e.end());
    return e;
  }
  const double q = (xx + yy + zz) / 3.0;
  const double p2 = (xx - q) * (xx - q) + (yy - q) * (yy - q) + (zz - q) * (zz - q) + 2 * off;
  const double p = std::sqrt(p2 / 6.0);
  const double bxx = (xx - q) / p, byy = (yy - q) / p, bzz = (zz - q) / p, bxy = xy / p, bxz = xz / p, byz = yz / p;
  const double det = bxx * (byy * bzz - byz * byz) - bxy * (bxy * bzz - byz * bxz) + bxz * (bxy * byz - byy * bxz);
  const double r = std::clamp(det / 2.0, -1.0, 1.0);
  const double phi = std::acos(r) / 3.0;
  const double e1 = q + 2 * p * std::cos(phi);
  const double e3 = q + 2 * p * std::cos(phi + 2 * std::numbers::pi / 3);
  return {e3, 3 * q - e1 - e3, e1};
}

}  // namespace strata::toolkit
