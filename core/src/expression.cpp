#include "expression.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <optional>
#include <span>

namespace strata::core {
namespace {

constexpr std::size_t kMaxStack = 64;    // values pending during evaluation
constexpr std::size_t kMaxNesting = 256; // recursion guard for the parser

using UnaryFn = double (*)(double);
using BinaryFn = double (*)(double, double);

constexpr double truth(bool b) { return b ? 1.0 : 0.0; }

struct Function {
  std::string_view name;
  UnaryFn f1;  // exactly one of f1, f2 is set
  BinaryFn f2;
  std::size_t arity() const { return f1 ? 1 : 2; }
};

constexpr auto kFunctions = std::to_array<Function>({
    {"sin", [](double a) { return std::sin(a); }, nullptr},
    {"cos", [](double a) { return std::cos(a); }, nullptr},
    {"tan", [](double a) { return std::tan(a); }, nullptr},
    {"asin", [](double a) { return std::asin(a); }, nullptr},
    {"acos", [](double a) { return std::acos(a); }, nullptr},
    {"atan", [](double a) { return std::atan(a); }, nullptr},
    {"sinh", [](double a) { return std::sinh(a); }, nullptr},
    {"cosh", [](double a) { return std::cosh(a); }, nullptr},
    {"tanh", [](double a) { return std::tanh(a); }, nullptr},
    {"exp", [](double a) { return std::exp(a); }, nullptr},
    {"log", [](double a) { return std::log(a); }, nullptr},
    {"log10", [](double a) { return std::log10(a); }, nullptr},
    {"sqrt", [](double a) { return std::sqrt(a); }, nullptr},
    {"abs", [](double a) { return std::abs(a); }, nullptr},
    {"floor", [](double a) { return std::floor(a); }, nullptr},
    {"ceil", [](double a) { return std::ceil(a); }, nullptr},
    {"atan2", nullptr, [](double a, double b) { return std::atan2(a, b); }},
    {"min", nullptr, [](double a, double b) { return std::min(a, b); }},
    {"max", nullptr, [](double a, double b) { return std::max(a, b); }},
    {"pow", nullptr, [](double a, double b) { return std::pow(a, b); }},
});

struct BinaryOp {
  std::string_view symbol;
  BinaryFn fn;
};

constexpr BinaryOp kOr[] = {{"||", [](double a, double b) { return truth(a != 0 || b != 0); }}};
constexpr BinaryOp kAnd[] = {{"&&", [](double a, double b) { return truth(a != 0 && b != 0); }}};
constexpr BinaryOp kCompare[] = {
    {"==", [](double a, double b) { return truth(a == b); }},
    {"!=", [](double a, double b) { return truth(a != b); }},
    {"<", [](double a, double b) { return truth(a < b); }},
    {"<=", [](double a, double b) { return truth(a <= b); }},
    {">", [](double a, double b) { return truth(a > b); }},
    {">=", [](double a, double b) { return truth(a >= b); }},
};
constexpr BinaryOp kSum[] = {{"+", [](double a, double b) { return a + b; }},
                             {"-", [](double a, double b) { return a - b; }}};
constexpr BinaryOp kProduct[] = {{"*", [](double a, double b) { return a * b; }},
                                 {"/", [](double a, double b) { return a / b; }}};
// Left-associative binary levels, lowest precedence first.
constexpr std::array<std::span<const BinaryOp>, 5> kLevels{kOr, kAnd, kCompare, kSum, kProduct};

constexpr UnaryFn kNegate = [](double a) { return -a; };
constexpr UnaryFn kNot = [](double a) { return truth(a == 0); };
constexpr BinaryFn kPower = [](double a, double b) { return std::pow(a, b); };

std::optional<double> constant(std::string_view name) {
  if (name == "pi") return std::numbers::pi;
  if (name == "e") return std::numbers::e;
  return std::nullopt;
}

const Function* find_function(std::string_view name) {
  const auto it = std::ranges::find(kFunctions, name, &Function::name);
  return it == kFunctions.end() ? nullptr : &*it;
}

std::string function_names() {
  std::string names;
  for (const Function& f : kFunctions) names += (names.empty() ? "" : ", ") + std::string(f.name);
  return names;
}

// ---- Lexer ----

enum class Tok { Number, Name, Symbol, End };

struct Token {
  Tok kind;
  std::string_view text;
  std::size_t column;  // 1-based
  double value = 0.0;  // Number
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string quoted(std::string_view s) {
  std::string out(1, '\'');
  out.append(s).push_back('\'');
  return out;
}

// digits [. digits] [(e|E) [+-] digits], at least one mantissa digit.
Token lex_number(std::string_view s, std::size_t i) {
  std::size_t j = i;
  const auto digits = [&] {
    const std::size_t start = j;
    while (j < s.size() && is_digit(s[j])) ++j;
    return j - start;
  };
  std::size_t mantissa = digits();
  if (j < s.size() && s[j] == '.') {
    ++j;
    mantissa += digits();
  }
  bool ok = mantissa > 0;
  if (ok && j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    ++j;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    ok = digits() > 0;
  }
  Token t{Tok::Number, s.substr(i, j - i), i + 1};
  if (!ok) throw ExpressionError("malformed number " + quoted(t.text), t.column);
  const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), t.value);
  if (ec != std::errc{}) throw ExpressionError("number " + quoted(t.text) + " is out of range", t.column);
  return t;
}

Token lex_token(std::string_view s, std::size_t i) {
  const char c = s[i];
  const std::size_t column = i + 1;
  if (is_digit(c) || c == '.') return lex_number(s, i);
  if (is_alpha(c)) {
    std::size_t j = i + 1;
    while (j < s.size() && (is_alpha(s[j]) || is_digit(s[j]))) ++j;
    return {Tok::Name, s.substr(i, j - i), column};
  }
  for (std::string_view two : {"&&", "||", "<=", ">=", "==", "!="}) {
    if (s.substr(i).starts_with(two)) return {Tok::Symbol, s.substr(i, 2), column};
  }
  if (c == '&' || c == '|' || c == '=') {
    throw ExpressionError("expected " + quoted(std::string(2, c)) + ", found " + quoted(s.substr(i, 1)), column);
  }
  if (std::string_view("+-*/^(),<>!").find(c) != std::string_view::npos) {
    return {Tok::Symbol, s.substr(i, 1), column};
  }
  throw ExpressionError("unexpected character " + quoted(s.substr(i, 1)), column);
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  for (std::size_t i = 0;;) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i == s.size()) break;
    tokens.push_back(lex_token(s, i));
    i += tokens.back().text.size();
  }
  tokens.push_back({Tok::End, {}, s.size() + 1});
  return tokens;
}

std::string describe(const Token& t) { return t.kind == Tok::End ? "end of expression" : quoted(t.text); }

}  // namespace

ExpressionError::ExpressionError(const std::string& what, std::size_t column)
    : std::runtime_error("at column " + std::to_string(column) + ": " + what), column_(column) {}

// ---- Parser: recursive descent emitting postfix code, folding constants ----

class Expression::Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

  std::vector<Instr> run() {
    parse_binary(0);
    if (peek().kind != Tok::End) fail("expected operator or end of expression", peek());
    if (stack_depth() > kMaxStack) {
      throw ExpressionError("expression too complex: over " + std::to_string(kMaxStack) + " pending values", 1);
    }
    return std::move(code_);
  }

 private:
  [[noreturn]] static void fail(const std::string& expected, const Token& found) {
    throw ExpressionError(expected + ", found " + describe(found), found.column);
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }

  bool accept(std::string_view symbol) {
    if (peek().kind != Tok::Symbol || peek().text != symbol) return false;
    ++pos_;
    return true;
  }

  // Largest number of values on the stack while running the (folded) code.
  std::size_t stack_depth() const {
    std::size_t depth = 0, most = 0;
    for (const Instr& in : code_) {
      if (in.kind == Kind::Binary) --depth;
      if (in.kind != Kind::Unary && in.kind != Kind::Binary) most = std::max(most, ++depth);
    }
    return most;
  }

  void apply(UnaryFn f) {
    if (code_.back().kind == Kind::Const) {
      code_.back().value = f(code_.back().value);
    } else {
      code_.push_back({.kind = Kind::Unary, .f1 = f});
    }
  }

  // Two trailing constants are necessarily the whole left and right operands.
  void apply(BinaryFn f) {
    const std::size_t n = code_.size();
    if (code_[n - 2].kind == Kind::Const && code_[n - 1].kind == Kind::Const) {
      code_[n - 2].value = f(code_[n - 2].value, code_[n - 1].value);
      code_.pop_back();
    } else {
      code_.push_back({.kind = Kind::Binary, .f2 = f});
    }
  }

  void parse_binary(std::size_t level) {
    if (level == kLevels.size()) {
      parse_unary();
      return;
    }
    parse_binary(level + 1);
    while (const BinaryOp* op = match(kLevels[level])) {
      parse_binary(level + 1);
      apply(op->fn);
    }
  }

  const BinaryOp* match(std::span<const BinaryOp> ops) {
    for (const BinaryOp& op : ops) {
      if (accept(op.symbol)) return &op;
    }
    return nullptr;
  }

  void parse_unary() {
    if (++nesting_ > kMaxNesting) throw ExpressionError("expression nested too deeply", peek().column);
    if (accept("-")) {
      parse_unary();
      apply(kNegate);
    } else if (accept("!")) {
      parse_unary();
      apply(kNot);
    } else if (accept("+")) {
      parse_unary();
    } else {
      parse_power();
    }
    --nesting_;
  }

  // primary [^ unary]: right-associative, binds tighter than a leading unary minus.
  void parse_power() {
    parse_primary();
    if (accept("^")) {
      parse_unary();
      apply(kPower);
    }
  }

  void parse_primary() {
    const Token& t = next();
    if (t.kind == Tok::Number) {
      code_.push_back({.kind = Kind::Const, .value = t.value});
    } else if (t.kind == Tok::Name) {
      parse_name(t);
    } else if (t.kind == Tok::Symbol && t.text == "(") {
      parse_binary(0);
      if (!accept(")")) fail("expected ')'", peek());
    } else {
      fail("expected expression", t);
    }
  }

  void parse_name(const Token& name) {
    if (name.text == "x" || name.text == "y") {
      code_.push_back({.kind = name.text == "x" ? Kind::X : Kind::Y});
    } else if (const auto value = constant(name.text)) {
      code_.push_back({.kind = Kind::Const, .value = *value});
    } else if (const Function* f = find_function(name.text)) {
      parse_call(*f, name);
    } else if (peek().text == "(") {
      throw ExpressionError("unknown function " + quoted(name.text) + " (known: " + function_names() + ")",
                            name.column);
    } else {
      throw ExpressionError("unknown variable " + quoted(name.text) + " (known: x, y, pi, e)", name.column);
    }
  }

  void parse_call(const Function& f, const Token& name) {
    if (!accept("(")) fail("expected '(' after function " + quoted(name.text), peek());
    std::size_t argc = 0;
    if (!accept(")")) {
      do {
        parse_binary(0);
        ++argc;
      } while (accept(","));
      if (!accept(")")) fail(argc < f.arity() ? "expected ','" : "expected ')'", peek());
    }
    if (argc != f.arity()) {
      throw ExpressionError("function " + quoted(name.text) + " takes " + std::to_string(f.arity()) +
                                (f.arity() == 1 ? " argument" : " arguments") + ", found " + std::to_string(argc),
                            name.column);
    }
    if (f.f1) {
      apply(f.f1);
    } else {
      apply(f.f2);
    }
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::vector<Instr> code_;
  std::size_t nesting_ = 0;  // parse_unary recursion depth
};

Expression Expression::parse(std::string_view text) {
  Expression e;
  e.text_ = text;
  e.code_ = Parser(text).run();
  return e;
}

double Expression::eval(double x, double y) const {
  std::array<double, kMaxStack> stack;
  double* top = stack.data();  // one past the topmost value
  for (const Instr& in : code_) {
    switch (in.kind) {
      case Kind::Const: *top++ = in.value; break;
      case Kind::X: *top++ = x; break;
      case Kind::Y: *top++ = y; break;
      case Kind::Unary: top[-1] = in.f1(top[-1]); break;
      case Kind::Binary:
        --top;
        top[-1] = in.f2(top[-1], top[0]);
        break;
    }
  }
  return stack[0];
}

bool Expression::is_constant() const {
  return std::ranges::none_of(code_, [](const Instr& in) { return in.kind == Kind::X || in.kind == Kind::Y; });
}

}  // namespace strata::core
