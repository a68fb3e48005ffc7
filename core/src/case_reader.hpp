#pragma once
// Typed, validating access to one JSON object of a case file. Every getter checks
// type and range and records a problem in Diagnostics instead of throwing, so all
// problems of a file are reported together; finish() reports the keys nobody asked
// for, listing the valid ones. Plugin sections are checked against the plugin's own
// declarations (validate_plugin_params).
#include <optional>
#include <string>
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
  const nlohmann::json* lookup(const std::string& key);
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  Diagnostics& diag_;
  std::vector<std::string> known_;
};

// Checks a plugin section (its keys other than "plugin") against the declared
// parameters; returns the parameters completed with defaults, as JSON.
nlohmann::json validate_plugin_params(const nlohmann::json& section, const std::string& path,
                                      const sdk::Descriptor& descriptor,
                                      Diagnostics& diagnostics);

// "number in [0, 1)", "one of \"a\", \"b\"", ... for a declaration.
std::string expected_text(const sdk::ParamDecl& decl);

}  // namespace strata::core
