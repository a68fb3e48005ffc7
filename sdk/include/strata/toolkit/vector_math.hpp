#pragma once
// exp and log as branch-free arithmetic, so that a loop calling them vectorises (the
// toolkit is compiled without floating-point traps, sdk/CMakeLists.txt, which lets the
// compiler turn comparisons into selects) and a device kernel computes the same bits:
// the library functions are calls that no vector loop can take. Both are within two
// units in the last place of std::exp and std::log (tests/unit/test_maxwellian.cpp).
#include <cstdint>

#include "strata/toolkit/host_device.hpp"

namespace strata::toolkit {

namespace vector_math_detail {
constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;  // Cody–Waite
constexpr double shifter = 0x1.8p52;  // y + shifter holds round(y) in its low bits, |y| < 2^51
}  // namespace vector_math_detail

// exp(x) for x <= 0 (the Gaussian factors): x = k ln 2 + r with |r| <= ln 2 / 2, exp(r)
// by its Taylor polynomial to r^13 / 13! (truncation below 2e-17), times 2^k built in
// the exponent bits; 0 below -708 (std::exp is 3.3e-308 there, and subnormal below
// -708.4). NaN stays NaN.
STRATA_HD double exp_nonpositive(double x) {
  using namespace vector_math_detail;
  const double xc = x < -708.0 ? -708.0 : x;
  const double kd = xc * 1.4426950408889634 + shifter;
  const double k = kd - shifter;
  const double r = (xc - k * ln2_hi) - k * ln2_lo;
  const double inverse_factorial[14] = {1.0,           1.0,          1.0 / 2,       1.0 / 6,         1.0 / 24,
                                        1.0 / 120,     1.0 / 720,    1.0 / 5040,    1.0 / 40320,     1.0 / 362880,
                                        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800};
  double p = inverse_factorial[13];
  for (int q = 12; q >= 0; --q) p = p * r + inverse_factorial[q];
  const std::int64_t ki = __builtin_bit_cast(std::int64_t, kd) - __builtin_bit_cast(std::int64_t, shifter);
  const double e = p * __builtin_bit_cast(double, static_cast<std::uint64_t>(ki + 1023) << 52);
  return x < -708.0 ? 0.0 : e;
}

// log(x) for normal x > 0 (x >= 2^-1022; anything else gives a meaningless number, for
// the caller's select to discard): x = 2^e m with m in [sqrt(1/2), sqrt(2)), read from
// the bits (unsigned arithmetic only, which every vector unit has), and
// log m = 2 atanh(s), s = (m - 1)/(m + 1), |s| < 0.172, by its series to s^23 / 23
// (truncation below 1e-18).
STRATA_HD double log_normal(double x) {
  using namespace vector_math_detail;
  const std::uint64_t bits = __builtin_bit_cast(std::uint64_t, x);
  // The biased exponent of x / sqrt(1/2): e + 1023.
  const std::uint64_t biased = (bits - 0x3fe6a09e667f3bcdULL + (1023ULL << 52)) >> 52;
  const double m = __builtin_bit_cast(double, bits - (biased << 52) + (1023ULL << 52));
  const double e = (__builtin_bit_cast(double, __builtin_bit_cast(std::uint64_t, shifter) + biased) - shifter) - 1023.0;
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  const double inverse_odd[11] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                  1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23};
  double p = inverse_odd[10];
  for (int j = 9; j >= 0; --j) p = p * s2 + inverse_odd[j];  // Σ_j s^(2j) / (2j + 3)
  return e * ln2_hi + (2.0 * s + (2.0 * s * s2 * p + e * ln2_lo));
}

}  // namespace strata::toolkit
