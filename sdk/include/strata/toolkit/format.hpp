#pragma once
// A number in a message or a file name as people write it: six significant digits,
// "0.006" and "1e-09", not std::to_string's "0.006000" and "0.000000" (which shows a
// mass of 1e-300 as zero). For the engine's messages and for plugins' alike.
#include <sstream>
#include <string>

namespace strata::toolkit {

inline std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace strata::toolkit
