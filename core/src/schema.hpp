#pragma once
// The core keys of a case file in one declarative table (docs/architecture.md §7):
// ObjectReader refuses to read a key the table does not declare at that place, and
// `strata schema` prints the table, with every installed plugin's declared
// parameters, as a JSON Schema (draft 2020-12).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin_loader.hpp"

namespace strata::core {

struct CoreKey {
  std::string name;
  nlohmann::json schema;  // JSON Schema of the value
  bool required = false;
};

struct CoreSection {
  std::string name;                   // its name under "$defs"
  std::vector<std::string> places;    // JSON pointers where it is read; '*' is any one segment
  std::string description;
  std::vector<CoreKey> keys;
  nlohmann::json rules = nlohmann::json::object();  // further JSON Schema keywords (which keys go together)
};

const std::vector<CoreSection>& core_sections();

// Whether a section read at `path` (a JSON pointer such as /obstacles/3) declares `key`.
bool core_key_declared(std::string_view path, std::string_view key);

// The whole case format: the core's sections and, for each plugin section, one
// alternative per installed plugin of the right kind with its parameters.
nlohmann::json case_schema(const PluginCatalog& catalog);

}  // namespace strata::core
