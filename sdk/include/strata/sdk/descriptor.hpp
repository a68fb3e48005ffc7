#pragma once
// What a plugin says about itself: name, kind, version and its declared
// parameters. The core validates case files against these declarations, prints
// them with `strata describe` and generates docs/parameters.md from them.
#include <limits>

namespace strata::sdk {

enum class PluginKind : int { fluid_model = 0, collision_model = 1, indicator = 2 };

enum class ParamType : int { number = 0, integer = 1, boolean = 2, string = 3 };

struct ParamDecl {
  const char* name;
  ParamType type;
  const char* default_json;  // JSON text of the default value; nullptr: required
  double min;                // allowed range of number and integer parameters
  double max;
  bool min_open;             // true: min itself is excluded
  bool max_open;
  const char* choices;       // string parameters: allowed values "a|b|c"; nullptr: any
  const char* unit;          // "" for dimensionless
  const char* doc;           // one line
};

struct Descriptor {
  int sdk_version;
  const char* name;         // [a-z0-9_]+, the name case files use
  PluginKind kind;
  const char* version;      // the plugin's own version
  const char* description;  // one line
  const ParamDecl* params;
  int n_params;
};

inline constexpr double unbounded = std::numeric_limits<double>::infinity();

// Concise declarations for plugin authors.
constexpr ParamDecl number_param(const char* name, const char* default_json, double min,
                                 double max, const char* unit, const char* doc,
                                 bool min_open = false, bool max_open = false) {
  return {name, ParamType::number, default_json, min, max, min_open, max_open, nullptr,
          unit, doc};
}
constexpr ParamDecl integer_param(const char* name, const char* default_json, double min,
                                  double max, const char* doc) {
  return {name, ParamType::integer, default_json, min, max, false, false, nullptr, "", doc};
}
constexpr ParamDecl boolean_param(const char* name, const char* default_json,
                                  const char* doc) {
  return {name, ParamType::boolean, default_json, 0, 0, false, false, nullptr, "", doc};
}
constexpr ParamDecl choice_param(const char* name, const char* default_json,
                                 const char* choices, const char* doc) {
  return {name, ParamType::string, default_json, 0, 0, false, false, choices, "", doc};
}

constexpr const char* kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::fluid_model: return "fluid model";
    case PluginKind::collision_model: return "collision model";
    case PluginKind::indicator: return "indicator";
  }
  return "unknown";
}

}  // namespace strata::sdk
