#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "expression.hpp"

using strata::core::Expression;
using strata::core::ExpressionError;

namespace {

double eval(const char* text, double x = 0.0, double y = 0.0) { return Expression::parse(text).eval(x, y); }

// Message of the ExpressionError thrown by parsing `text`, checked to name `column`.
std::string error_of(const char* text, std::size_t column) {
  try {
    Expression::parse(text);
  } catch (const ExpressionError& e) {
    CHECK(e.column() == column);
    const std::string message = e.what();
    CHECK(message.find("at column " + std::to_string(column) + ":") != std::string::npos);
    return message;
  }
  FAIL("no ExpressionError for \"" << text << "\"");
  return {};
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("expression: numbers and constants") {
  CHECK(eval("123") == 123.0);
  CHECK(eval("1.5") == 1.5);
  CHECK(eval("1e-6") == 1e-6);
  CHECK(eval(".5") == 0.5);
  CHECK(eval("2.E3") == 2000.0);
  CHECK(eval("2.5e+2") == 250.0);
  CHECK(eval("pi") == std::numbers::pi);
  CHECK(eval("e") == std::numbers::e);
  CHECK(eval("  \t1 +\n 2 ") == 3.0);
}

TEST_CASE("expression: precedence and associativity") {
  CHECK(eval("2^3^2") == 512.0);
  CHECK(eval("-2^2") == -4.0);
  CHECK(eval("(-2)^2") == 4.0);
  CHECK(eval("2^-1") == 0.5);
  CHECK(eval("1+2*3") == 7.0);
  CHECK(eval("(1+2)*3") == 9.0);
  CHECK(eval("8-3-2") == 3.0);
  CHECK(eval("8/4/2") == 1.0);
  CHECK(eval("-3*-2") == 6.0);
  CHECK(eval("--+3") == 3.0);
  CHECK(eval("2*3^2") == 18.0);
}

TEST_CASE("expression: comparisons and logic") {
  CHECK(eval("1 < 2") == 1.0);
  CHECK(eval("2 < 1") == 0.0);
  CHECK(eval("2 <= 2") == 1.0);
  CHECK(eval("3 > 2") == 1.0);
  CHECK(eval("2 >= 3") == 0.0);
  CHECK(eval("2 == 2") == 1.0);
  CHECK(eval("2 != 2") == 0.0);
  CHECK(eval("1 && 0") == 0.0);
  CHECK(eval("2 && -1") == 1.0);
  CHECK(eval("0 || 0") == 0.0);
  CHECK(eval("0 || 3") == 1.0);
  CHECK(eval("!0") == 1.0);
  CHECK(eval("!5") == 0.0);
  CHECK(eval("!!5") == 1.0);
  CHECK(eval("1 || 0 && 0") == 1.0);  // && binds tighter than ||
  CHECK(eval("1 + 1 == 2") == 1.0);   // + binds tighter than ==
  CHECK(eval("3 > 2 > 1") == 0.0);    // (3 > 2) > 1
  CHECK(eval("x <= 0.5 && y > 0.1", 0.5, 0.2) == 1.0);
  CHECK(eval("x <= 0.5 && y > 0.1", 0.6, 0.2) == 0.0);
  CHECK(eval("x <= 0.5 && y > 0.1", 0.4, 0.1) == 0.0);
  const Expression circle = Expression::parse("(x-0.5)^2 + (y-0.5)^2 < 0.1^2");
  CHECK(circle.eval(0.5, 0.55) == 1.0);
  CHECK(circle.eval(0.5, 0.65) == 0.0);
}

TEST_CASE("expression: functions match <cmath>") {
  for (double v : {-0.7, 0.0, 0.3, 0.9}) {
    CAPTURE(v);
    CHECK(eval("sin(x)", v) == std::sin(v));
    CHECK(eval("cos(x)", v) == std::cos(v));
    CHECK(eval("tan(x)", v) == std::tan(v));
    CHECK(eval("asin(x)", v) == std::asin(v));
    CHECK(eval("acos(x)", v) == std::acos(v));
    CHECK(eval("atan(x)", v) == std::atan(v));
    CHECK(eval("sinh(x)", v) == std::sinh(v));
    CHECK(eval("cosh(x)", v) == std::cosh(v));
    CHECK(eval("tanh(x)", v) == std::tanh(v));
    CHECK(eval("exp(x)", v) == std::exp(v));
    CHECK(eval("abs(x)", v) == std::abs(v));
    CHECK(eval("floor(x)", v) == std::floor(v));
    CHECK(eval("ceil(x)", v) == std::ceil(v));
    CHECK(eval("atan2(x, y)", v, 0.4) == std::atan2(v, 0.4));
    CHECK(eval("min(x, y)", v, 0.4) == std::min(v, 0.4));
    CHECK(eval("max(x, y)", v, 0.4) == std::max(v, 0.4));
    CHECK(eval("pow(y, x)", v, 0.4) == std::pow(0.4, v));
    CHECK(eval("y ^ x", v, 0.4) == std::pow(0.4, v));
  }
  for (double v : {0.1, 1.0, 7.5}) {
    CAPTURE(v);
    CHECK(eval("log(x)", v) == std::log(v));
    CHECK(eval("log10(x)", v) == std::log10(v));
    CHECK(eval("sqrt(x)", v) == std::sqrt(v));
  }
  CHECK(eval("max(1, 2) + min(3, 4)") == 5.0);
  CHECK(eval("sqrt(abs(-16))") == 4.0);
}

TEST_CASE("expression: variables") {
  const Expression e = Expression::parse("2*x - y/4");
  CHECK(e.eval(1.0, 2.0) == 1.5);
  CHECK(e.eval(-3.0, 0.0) == -6.0);
  CHECK(e.eval(0.25, 1.0) == 0.25);
  CHECK(e.text() == "2*x - y/4");
}

TEST_CASE("expression: Knudsen formula matches C++") {
  const Expression kn = Expression::parse("1e-6 + 0.5*(atan(1+30*x) + atan(1-30*x))");
  for (double x : {-0.5, -0.05, 0.0, 0.01, 0.1, 0.5, 1.0}) {
    CAPTURE(x);
    const double expected = 1e-6 + 0.5 * (std::atan(1 + 30 * x) + std::atan(1 - 30 * x));
    CHECK(kn.eval(x, 0.3) == doctest::Approx(expected).epsilon(1e-15));
  }
}

TEST_CASE("expression: is_constant") {
  CHECK(Expression::parse("1 + 2*pi").is_constant());
  CHECK(Expression::parse("sin(e) < 1").is_constant());
  CHECK_FALSE(Expression::parse("x").is_constant());
  CHECK_FALSE(Expression::parse("1 + 0*y").is_constant());
  CHECK_FALSE(Expression::parse("max(1, x)").is_constant());
}

TEST_CASE("expression: errors name the column and the offending token") {
  std::string m = error_of("1 + sinn(x)", 5);
  CHECK(contains(m, "unknown function 'sinn'"));
  CHECK(contains(m, "known: sin, cos"));

  m = error_of("x + z", 5);
  CHECK(contains(m, "unknown variable 'z'"));

  m = error_of("(1 + 2", 7);
  CHECK(contains(m, "expected ')'"));
  CHECK(contains(m, "found end of expression"));

  m = error_of("sin(x", 6);
  CHECK(contains(m, "expected ')'"));

  m = error_of("1 + 2 foo", 7);
  CHECK(contains(m, "expected operator or end of expression"));
  CHECK(contains(m, "'foo'"));

  m = error_of("(1))", 4);
  CHECK(contains(m, "')'"));

  m = error_of("", 1);
  CHECK(contains(m, "expected expression"));
  CHECK(contains(m, "found end of expression"));

  m = error_of("   ", 4);
  CHECK(contains(m, "expected expression"));

  m = error_of("1 + atan2(x)", 5);
  CHECK(contains(m, "'atan2' takes 2 arguments, found 1"));

  m = error_of("sin(x, y)", 1);
  CHECK(contains(m, "'sin' takes 1 argument, found 2"));

  m = error_of("sin()", 1);
  CHECK(contains(m, "found 0"));

  m = error_of("atan2(x y)", 9);
  CHECK(contains(m, "expected ','"));
  CHECK(contains(m, "found 'y'"));

  m = error_of("sin + 1", 5);
  CHECK(contains(m, "expected '(' after function 'sin'"));

  m = error_of("1 * * 2", 5);
  CHECK(contains(m, "expected expression, found '*'"));

  m = error_of("x = 1", 3);
  CHECK(contains(m, "expected '=='"));

  m = error_of("x & y", 3);
  CHECK(contains(m, "expected '&&'"));

  m = error_of("1 # 2", 3);
  CHECK(contains(m, "unexpected character '#'"));

  m = error_of("2 + 1e", 5);
  CHECK(contains(m, "malformed number '1e'"));

  m = error_of("3 + .", 5);
  CHECK(contains(m, "malformed number '.'"));
}

TEST_CASE("expression: deep nesting is rejected, not crashing") {
  const std::string deep = std::string(10000, '(') + "1" + std::string(10000, ')');
  CHECK_THROWS_AS(Expression::parse(deep), ExpressionError);
  std::string sum = "1";
  for (int i = 0; i < 100; ++i) sum = "1+(" + sum + ")";
  CHECK(Expression::parse(sum).eval(0, 0) == 101.0);
  std::string wide = "x";
  for (int i = 0; i < 100; ++i) wide = "x+(" + wide + ")";
  CHECK_THROWS_WITH(Expression::parse(wide), doctest::Contains("too complex"));
  CHECK(Expression::parse("x+(" + std::string("x+(x)") + ")").eval(1, 0) == 3.0);
}
