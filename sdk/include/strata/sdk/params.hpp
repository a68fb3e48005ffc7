#pragma once
// Read access to a plugin's parameters. The core hands them over as JSON text that
// it has already validated against the plugin's declarations and completed with
// their defaults, so a declared name is always present with its declared type.
// Reading a name the descriptor does not declare, or with another accessor than its
// type's, is a bug of the plugin: it throws std::invalid_argument naming the parameter,
// how it was read and what it holds, which STRATA_PLUGIN passes on as the constructor's
// message.
// Header-only and compiled into the plugin: no change to what crosses the boundary.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace strata::sdk {

class Params {
 public:
  explicit Params(const char* json_text)
      : json_(nlohmann::json::parse(json_text ? json_text : "{}")) {}
  double number(const char* name) const {
    return value(name, "a number", [](const nlohmann::json& v) { return v.is_number(); }).get<double>();
  }
  std::int64_t integer(const char* name) const {
    return value(name, "an integer", [](const nlohmann::json& v) {
             return v.is_number_integer() || (v.is_number_float() && v.get<double>() == std::trunc(v.get<double>()));
           }).get<std::int64_t>();
  }
  bool boolean(const char* name) const {
    return value(name, "a boolean", [](const nlohmann::json& v) { return v.is_boolean(); }).get<bool>();
  }
  std::string string(const char* name) const {
    return value(name, "a string", [](const nlohmann::json& v) { return v.is_string(); }).get<std::string>();
  }

 private:
  // The value of `name`, which the caller reads as `read` (a value passing `fits`).
  const nlohmann::json& value(const char* name, const char* read, bool (*fits)(const nlohmann::json&)) const {
    const std::string what = "parameter '" + std::string(name ? name : "") + "': read as " + read;
    const auto it = json_.find(name ? name : "");
    if (it == json_.end()) throw std::invalid_argument(what + ", but the descriptor declares no such parameter");
    if (!fits(*it)) throw std::invalid_argument(what + ", but it holds " + held(*it) + " (" + it->dump() + ")");
    return *it;
  }
  // What the validated value is (a whole value of a number parameter reads as an
  // integer too, so integer() on a number parameter fails only where it has a fraction).
  static const char* held(const nlohmann::json& v) {
    return v.is_boolean() ? "a boolean" : v.is_string() ? "a string" : v.is_number() ? "a number" : "null";
  }
  nlohmann::json json_;
};

}  // namespace strata::sdk
