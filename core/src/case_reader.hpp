#pragma once
// Typed, validating access to one JSON object of a case file. Every getter checks
// type and range and records a problem in Diagnostics instead of throwing, so all
// problems of a file are reported together; finish() reports the keys nobody asked
// for, listing the valid ones. Plugin sections are checked against the plugin's own
// declarations (validate_plugin_params).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostics.hpp"
#include "expression.hpp"
#include "strata/sdk/descriptor.hpp"

namespace strata::core {

struct Range {
  double min = -sdk::unbounded, max = sdk::unbounded;
  bool min_open = false, max_open = false;
  bool contains(double v) const;
  std::string text() const;  // "in [0, 1)", "> 0", ... ("" when unbounded)
};
inline constexpr Range positive{0.0, sdk::unbounded, true, false};
inline constexpr Range non_negative{0.0, sdk::unbounded, false, false};

class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& value, std::string path, Diagnostics& diagnostics);
  bool valid() const { return object_ != nullptr; }
  bool has(const std::string& key);  // also marks the key as known
  std::string path(const std::string& key) const { return path_ + "/" + key; }
  const std::string& where() const { return path_; }  // the object's own path

  double number(const std::string& key, std::optional<double> fallback, Range range = {});
  int integer(const std::string& key, std::optional<int> fallback, int min, int max);
  bool boolean(const std::string& key, bool fallback);
  std::string choice(const std::string& key, std::optional<std::string> fallback,
                     const std::vector<std::string>& choices);
  std::string text(const std::string& key, std::optional<std::string> fallback);
  // A number or an expression of x and y.
  std::optional<Expression> expression(const std::string& key,
                                       std::optional<double> fallback);
  // The raw value (marks the key as known); nullptr when absent.
  const nlohmann::json* child(const std::string& key);
  void finish();
  Diagnostics& diagnostics() { return diag_; }

 private:
  void declare(const std::string& key);  // marks a key as known
  const nlohmann::json* lookup(const std::string& key);
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  Diagnostics& diag_;
  std::vector<std::string> known_;
};

// Hostile-input guards of the case format (docs/user_guide.md, "Robustness").
inline constexpr int max_json_depth = 64;
inline constexpr std::size_t max_name_length = 64;

// Parses JSON text (comments allowed) read from `origin` (a file name or "--set ...").
// Refuses, as a CaseError naming origin and the key path: NUL bytes, nesting deeper
// than max_json_depth, a key given twice in one object, numbers outside the range of
// a double. Returns nullopt, with the parser's message in `syntax_error`, when the
// text is not JSON at all.
std::optional<nlohmann::json> parse_json_text(std::string_view text, const std::string& origin,
                                              std::string& syntax_error);

bool valid_utf8(std::string_view text);
// 1 to max_name_length letters, digits, '_' or '-': safe in file names, CSV headers
// and XML attributes.
bool is_safe_name(std::string_view name);
inline constexpr const char* safe_name_text = "a name of 1 to 64 letters, digits, _ and -";
// The value as an int when it is an integer in [min, max].
std::optional<int> integer_value(const nlohmann::json& v, int min, int max);

inline constexpr const char* expression_text = "a number or an expression of x and y";
// A number or an expression of x and y at `path`; a constant must be finite.
std::optional<Expression> read_expression(const nlohmann::json& v, const std::string& path,
                                          Diagnostics& diagnostics);

// Checks a plugin section (its keys other than "plugin") against the declared
// parameters; returns the parameters completed with defaults, as JSON.
nlohmann::json validate_plugin_params(const nlohmann::json& section, const std::string& path,
                                      const sdk::Descriptor& descriptor,
                                      Diagnostics& diagnostics);

// "a", "b", "c": the items quoted, for messages.
std::string quoted_list(const std::vector<std::string>& items);

// "number in [0, 1)", "one of \"a\", \"b\"", ... for a declaration.
std::string expected_text(const sdk::ParamDecl& decl);

}  // namespace strata::core
