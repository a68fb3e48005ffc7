#pragma once
// Read access to a plugin's parameters. The core hands them over as JSON text that
// it has already validated against the plugin's declarations and completed with
// their defaults, so a declared name is always present with its declared type.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace strata::sdk {

class Params {
 public:
  explicit Params(const char* json_text)
      : json_(nlohmann::json::parse(json_text ? json_text : "{}")) {}
  double number(const char* name) const { return json_.at(name).get<double>(); }
  std::int64_t integer(const char* name) const { return json_.at(name).get<std::int64_t>(); }
  bool boolean(const char* name) const { return json_.at(name).get<bool>(); }
  std::string string(const char* name) const { return json_.at(name).get<std::string>(); }

 private:
  nlohmann::json json_;
};

}  // namespace strata::sdk
