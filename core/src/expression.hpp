#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace strata::core {

// Parse error. what() reads "at column N: <message>", N being 1-based.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(const std::string& what, std::size_t column);
  std::size_t column() const { return column_; }

 private:
  std::size_t column_;
};

// A compiled expression of x and y, e.g. "1e-6 + 0.5*(atan(1+30*x) + atan(1-30*x))".
// Precedence, lowest first: || ; && ; == != < <= > >= ; + - ; * / ; unary - + ! ;
// ^ (right-associative). Comparisons and logic give 1.0 or 0.0; nonzero is true.
// Functions: sin cos tan asin acos atan sinh cosh tanh exp log log10 sqrt abs
// floor ceil (one argument), atan2 min max pow (two). Constants: pi, e.
class Expression {
 public:
  static Expression parse(std::string_view text);  // throws ExpressionError
  double eval(double x, double y) const;           // thread-safe, no allocation
  const std::string& text() const { return text_; }
  bool is_constant() const;  // uses neither x nor y

 private:
  class Parser;
  using UnaryFn = double (*)(double);
  using BinaryFn = double (*)(double, double);
  enum class Kind : unsigned char { Const, X, Y, Unary, Binary };
  // One instruction of the postfix program run on a value stack.
  struct Instr {
    Kind kind;
    double value = 0.0;    // Const
    UnaryFn f1 = nullptr;  // Unary
    BinaryFn f2 = nullptr; // Binary
  };

  Expression() = default;

  std::string text_;
  std::vector<Instr> code_;
};

}  // namespace strata::core
