#pragma once
// A number in a message or a file name as people write it: six significant digits,
// "0.006" and "1e-09", not std::to_string's "0.006000" and "0.000000".
#include <sstream>
#include <string>

namespace strata::core {

inline std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace strata::core
