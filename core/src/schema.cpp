#include "schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <spdlog/spdlog.h>

#include "case.hpp"
#include "strata/sdk/plugin.hpp"

namespace strata::core {
using nlohmann::json;

namespace {

json ref(const std::string& def) { return {{"$ref", "#/$defs/" + def}}; }
json array_of(const json& item, int min_items = 0) {
  json a = {{"type", "array"}, {"items", item}};
  if (min_items > 0) a["minItems"] = min_items;
  return a;
}
json integer(double min, double max) { return {{"type", "integer"}, {"minimum", min}, {"maximum", max}}; }
json number_above(double min) { return {{"type", "number"}, {"exclusiveMinimum", min}}; }
json number_from(double min) { return {{"type", "number"}, {"minimum", min}}; }
json one_of(std::vector<std::string> choices) { return {{"enum", choices}}; }
const json number = {{"type", "number"}};
const json boolean = {{"type", "boolean"}};
const json text = {{"type", "string"}};
const json unit_interval = {{"type", "number"}, {"minimum", 0}, {"maximum", 1}};

// rho, ux, uy, uz, T, p: a macroscopic state (docs/user_guide.md §3.4), which needs rho
// and either T or p (`state_rules`).
std::vector<CoreKey> state_keys(std::vector<CoreKey> others) {
  for (const char* u : {"ux", "uy", "uz"}) others.push_back({u, ref("expression")});
  others.push_back({"rho", ref("densities")});
  others.push_back({"T", ref("expression")});
  others.push_back({"p", ref("expression")});
  return others;
}
const json state_rules = {{"required", {"rho"}}, {"oneOf", {{{"required", {"T"}}}, {{"required", {"p"}}}}}};

// A boundary object's "type" (docs/user_guide.md §3.2).
CoreKey boundary_type(std::vector<BoundaryKind> kinds) {
  std::vector<std::string> names;
  for (const BoundaryKind k : kinds) names.push_back(name(k));
  return {"type", one_of(names), true};
}
const std::vector<std::string> boundary_places = {"/mesh/boundary", "/mesh/boundary/*"};

json pair_of(const json& item) { return {{"type", "array"}, {"items", item}, {"minItems", 2}, {"maxItems", 2}}; }

// An obstacle's shape and the keys that give it: it `needs` those, and none of the others.
json shape_rule(const std::string& shape, const std::vector<std::string>& needs) {
  json others = json::array();
  for (const char* key : {"x", "y", "center", "radius", "vertices"})
    if (std::ranges::find(needs, key) == needs.end()) others.push_back({{"required", {key}}});
  return {{"properties", {{"shape", {{"const", shape}}}}}, {"required", needs}, {"not", {{"anyOf", others}}}};
}

std::vector<CoreSection> make_sections() {
  return {
      {"case", {""}, "A Strata case file (docs/user_guide.md §3)",
       {{"$schema", text},
        {"name", ref("name")},
        {"description", text},
        {"species", array_of(ref("species"), 1)},
        {"mesh", ref("mesh"), true},
        {"obstacles", array_of(ref("obstacle"))},
        {"velocity", ref("velocity")},
        {"knudsen", ref("expression")},
        {"time", ref("time"), true},
        {"initial", array_of(ref("region"), 1), true},
        {"regime", ref("regime")},
        {"probes", array_of(ref("probe"))},
        {"output", ref("output")},
        {"gpu", ref("gpu")},
        {"fluid", ref("plugins_fluid")},
        {"kinetic", ref("plugins_kinetic")},
        {"boltzmann", ref("plugins_boltzmann")},
        {"indicator", ref("plugins_indicator")}}},
      {"species", {"/species/*"}, "A species of the gas", {{"name", ref("name")}, {"mass", number_above(0)}}},
      {"mesh", {"/mesh"}, "The Cartesian mesh and its sides",
       {{"nx", integer(1, 100000), true},
        {"ny", integer(1, 100000), true},
        {"x", ref("interval")},
        {"y", ref("interval")},
        {"boundary", {{"anyOf", {ref("boundary"), ref("sides")}}}}}},
      {"sides", {"/mesh/boundary"}, "One boundary per side",
       {{"left", ref("boundary")}, {"right", ref("boundary")}, {"bottom", ref("boundary")}, {"top", ref("boundary")}}},
      // A boundary given as an object: one section per kind, with the keys that kind reads.
      {"boundary_inflow", boundary_places, "An inflow side: the state that enters (numbers or expressions of x and y)",
       state_keys({boundary_type({BoundaryKind::inflow})}), state_rules},
      {"boundary_farfield", boundary_places, "A far-field side: its free stream (as an inflow's state)",
       state_keys({boundary_type({BoundaryKind::farfield})}), state_rules},
      {"boundary_wall", boundary_places,
       "A Maxwell wall: its accommodation, temperature and tangential velocity (numbers: a wall has one "
       "temperature and one velocity)",
       {boundary_type({BoundaryKind::wall}),
        {"accommodation", unit_interval},
        {"T", number_above(0)},
        {"ux", number},
        {"uy", number},
        {"uz", number},
        {"band", integer(0, 20)}}},
      {"boundary_pressure", boundary_places, "A pressure side: p, and T where the side fixes it (numbers)",
       {boundary_type({BoundaryKind::pressure}), {"p", number_above(0), true}, {"T", number_above(0)}}},
      {"boundary_plain", boundary_places, "A side without keys of its own, written as an object",
       {boundary_type({BoundaryKind::outflow, BoundaryKind::periodic, BoundaryKind::reflective})}},
      {"obstacle", {"/obstacles/*"}, "A solid rectangle, circle or polygon with its state",
       state_keys({{"shape", one_of({"rectangle", "circle", "polygon"}), true},
                   {"x", ref("interval")},
                   {"y", ref("interval")},
                   {"center", pair_of(number)},
                   {"radius", number_above(0)},
                   {"vertices", array_of(pair_of(number), 3)},
                   {"wall", ref("obstacle_wall")},
                   {"move", ref("move")}}),
       {{"allOf", {state_rules, {{"oneOf", {shape_rule("rectangle", {"x", "y"}), shape_rule("circle", {"center", "radius"}),
                                            shape_rule("polygon", {"vertices"})}}}}}}},
      {"obstacle_wall", {"/obstacles/*/wall"}, "The Maxwell wall of an obstacle's faces",
       {{"accommodation", unit_interval}, {"T", number_above(0)}}},
      {"move", {"/obstacles/*/move"}, "Motion by whole cells",
       {{"cells", pair_of({{"type", "integer"}}), true}, {"every", integer(1, 1000000)}}},
      {"velocity", {"/velocity"}, "The velocity grid of the kinetic layers",
       {{"n", integer(min_velocity_points, max_velocity_points)}, {"L", number_above(0)}}},
      {"time", {"/time"}, "End time and time step",
       {{"end", number_above(0), true},
        {"dt", number_above(0)},
        {"dt_dx", number_above(0)},
        {"cfl", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1}}},
        {"max_steps", integer(1, Case::largest_max_steps)},
        {"steady", number_above(0)}}},
      {"region", {"/initial/*"}, "An initial region",
       state_keys({{"where", ref("expression")},
                   {"components", array_of(ref("component"), 1)},
                   {"distribution", one_of({"maxwellian", "bimodal"})}}),
       {{"oneOf", {{{"required", {"components"}}}, state_rules}}}},
      {"component", {"/initial/*/components/*"}, "One Maxwellian of an initial region", state_keys({}), state_rules},
      {"regime", {"/regime"}, "The regime mode and forced regions",
       {{"mode", one_of({"hybrid", "layer0", "layer1", "layer2"})},
        {"initial", integer(0, 2)},
        {"band", integer(0, 20)},
        {"band_layer", integer(0, 2)},
        {"regions", array_of(ref("forced_region"))}}},
      {"forced_region", {"/regime/regions/*"}, "Cells held in one layer",
       {{"where", ref("expression"), true}, {"layer", integer(0, 2), true}}},
      {"probe", {"/probes/*"}, "A point recorded every step",
       {{"name", ref("name"), true}, {"x", number, true}, {"y", number, true}}},
      {"output", {"/output"}, "The output folder and what is written",
       {{"dir", text},
        {"times", array_of(number_above(0), 1)},
        {"snapshots", boolean},
        {"profiles", boolean},
        {"profile_y", number},
        {"surface", boolean},
        {"history_every", integer(1, 1000000000)},
        {"reference", ref("reference")},
        {"checkpoint", ref("checkpoint")}}},
      {"reference", {"/output/reference"}, "The free stream of the surface and force coefficients",
       {{"rho", number_above(0), true}, {"speed", number_above(0), true}, {"p", number_above(0), true},
        {"length", number_above(0)}}},
      {"checkpoint", {"/output/checkpoint"}, "Checkpoints for restarts",
       {{"every_steps", integer(0, 2147483647)}, {"every_minutes", number_from(0)}, {"keep", integer(1, 1000)}},
       {{"minProperties", 1}}},
      {"gpu", {"/gpu"}, "Layer 2 kept in GPU memory from step to step (needs a layer-2 model that takes device views)",
       {{"resident_layer2", boolean}}},
  };
}

// Segment by segment; '*' in the pattern matches any one segment.
bool matches(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    const auto p_end = pattern.find('/', 1), q_end = path.find('/', 1);
    const std::string_view p = pattern.substr(0, p_end), q = path.substr(0, q_end);
    if (p != "/*" && p != q) return false;
    pattern.remove_prefix(p.size());
    path.remove_prefix(q.size());
  }
  return pattern.empty() && path.empty();
}

json object_schema(const std::string& description, const std::vector<CoreKey>& keys,
                   json rules = json::object()) {
  json properties = json::object(), required = json::array();
  for (const CoreKey& k : keys) {
    properties[k.name] = k.schema;
    if (k.required) required.push_back(k.name);
  }
  if (rules.contains("required")) {  // the rules' required keys join the keys' own
    for (const json& key : rules["required"]) required.push_back(key);
    rules.erase("required");
  }
  json s = {{"type", "object"}, {"description", description}, {"properties", properties},
            {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  s.update(rules);
  return s;
}

json param_schema(const sdk::ParamDecl& p) {
  json s;
  switch (p.type) {
    case sdk::ParamType::number: s["type"] = "number"; break;
    case sdk::ParamType::integer: s["type"] = "integer"; break;
    case sdk::ParamType::boolean: s["type"] = "boolean"; break;
    case sdk::ParamType::string: s["type"] = "string"; break;
  }
  if (p.type == sdk::ParamType::number || p.type == sdk::ParamType::integer) {
    if (std::isfinite(p.min)) s[p.min_open ? "exclusiveMinimum" : "minimum"] = p.min;
    if (std::isfinite(p.max)) s[p.max_open ? "exclusiveMaximum" : "maximum"] = p.max;
  }
  if (p.type == sdk::ParamType::string && p.choices) {
    std::vector<std::string> choices;
    std::string_view rest = p.choices;
    for (std::size_t bar; (bar = rest.find('|')) != std::string_view::npos; rest.remove_prefix(bar + 1))
      choices.emplace_back(rest.substr(0, bar));
    choices.emplace_back(rest);
    s["enum"] = choices;
  }
  if (p.doc) s["description"] = std::string(p.doc) + (p.unit && *p.unit ? std::string(" [") + p.unit + "]" : "");
  if (p.default_json) s["default"] = json::parse(p.default_json);
  return s;
}

// One alternative per plugin: {"plugin": NAME, its parameters}.
json plugin_schema(const sdk::Descriptor& d) {
  std::vector<CoreKey> keys = {{"plugin", {{"const", d.name}}, true}};
  for (int k = 0; k < d.n_params; ++k) keys.push_back({d.params[k].name, param_schema(d.params[k]), !d.params[k].default_json});
  return object_schema(std::string(d.name) + ": " + (d.description ? d.description : ""), keys);
}

}  // namespace

const std::vector<CoreSection>& core_sections() {
  static const std::vector<CoreSection> sections = make_sections();
  return sections;
}

bool core_key_declared(std::string_view path, std::string_view key) {
  return std::ranges::any_of(core_sections(), [&](const CoreSection& s) {
    return std::ranges::any_of(s.places, [&](const std::string& p) { return matches(p, path); }) &&
           std::ranges::any_of(s.keys, [&](const CoreKey& k) { return k.name == key; });
  });
}

json case_schema(const PluginCatalog& catalog) {
  json defs = {
      {"expression", {{"type", {"number", "string"}}, {"description", "a number or an expression of x and y (docs/user_guide.md §4)"}}},
      {"densities", {{"anyOf", {ref("expression"), array_of(ref("expression"), 1)}}, {"description", "one density, or one per species"}}},
      {"interval", {{"type", "array"}, {"items", number}, {"minItems", 2}, {"maxItems", 2}}},
      {"name", {{"type", "string"}, {"pattern", "^[A-Za-z0-9_-]{1,64}$"}}},
      {"boundary", {{"oneOf", {one_of({name(BoundaryKind::outflow), name(BoundaryKind::periodic), name(BoundaryKind::reflective)}),
                               ref("boundary_plain"), ref("boundary_inflow"), ref("boundary_wall"),
                               ref("boundary_pressure"), ref("boundary_farfield")}}}},
  };
  for (const CoreSection& s : core_sections()) defs[s.name] = object_schema(s.description, s.keys, s.rules);
  static const std::map<std::string, sdk::PluginKind> kinds = {
      {"fluid", sdk::PluginKind::fluid_model}, {"kinetic", sdk::PluginKind::collision_model},
      {"boltzmann", sdk::PluginKind::collision_model}, {"indicator", sdk::PluginKind::indicator}};
  std::map<std::string, json> alternatives;
  for (const auto& name : catalog.available()) {
    try {
      const auto library = catalog.load(name);
      for (const auto& [section, kind] : kinds)
        if (library->descriptor().kind == kind) alternatives[section].push_back(plugin_schema(library->descriptor()));
    } catch (const PluginError& e) {
      spdlog::warn("schema: {}", e.what());
    }
  }
  for (const auto& [section, kind] : kinds) {
    const std::string def = "plugins_" + section;
    defs[def] = alternatives.count(section) ? json{{"oneOf", alternatives[section]}}
                                            : object_schema("no " + std::string(sdk::kind_name(kind)) + " installed",
                                                            {{"plugin", text, true}});
  }
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"title", "Strata case file"},
          {"$ref", "#/$defs/case"},
          {"$defs", defs}};
}

}  // namespace strata::core
