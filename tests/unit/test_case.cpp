#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "case.hpp"
#include "case_reader.hpp"
#include "diagnostics.hpp"
#include "domain.hpp"
#include "schema.hpp"

using namespace strata::core;
namespace fs = std::filesystem;

namespace {
const fs::path sod = fs::path(STRATA_SOURCE_DIR) / "cases" / "sod.json";
PluginCatalog catalog() { return PluginCatalog({STRATA_PLUGIN_BUILD_DIR}); }

// All messages of a failing load, joined; "" when the case is valid.
std::string problems(const fs::path& file, const std::vector<std::string>& sets) {
  try {
    load_case(file, sets, catalog());
  } catch (const CaseError& e) {
    return e.what();
  }
  return "";
}

fs::path write_case(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("strata_test_" + name + ".json");
  std::ofstream(p) << text;
  return p;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("case: sod.json is valid in layer0 and reads the paper's parameters") {
  const Case c = load_case(sod, {"regime.mode=layer0"}, catalog());
  CHECK(c.nx == 100);
  CHECK(c.ny == 16);
  CHECK(c.mode == RegimeMode::layer0);
  CHECK(c.t_end == 0.2);
  CHECK(c.velocity.n == 32);
  CHECK(c.fluid.needed);
  CHECK_FALSE(c.kinetic.needed);
  CHECK(c.fluid.params.at("gamma").get<double>() == doctest::Approx(5.0 / 3.0));
  CHECK(c.output.times.back() == 0.2);
  // output.dir "~/..." is under the home folder, as a shell would read it.
  if (const char* home = std::getenv("HOME")) {
    const Case h = load_case(sod, {"regime.mode=layer0", "output.dir=~/runs/sod"}, catalog());
    CHECK(h.output.dir == fs::path(home) / "runs/sod");
  }
}

TEST_CASE("case: each bad key is reported with file, path, expectation and value") {
  const std::string e = problems(sod, {"regime.mode=layer0", "mesh.nx=abc", "time.end=-1",
                                       "fluid.gama=1.4", "fluid.reconstruction=weno9",
                                       "mesh.boundary=open"});
  CHECK(contains(e, "sod.json: /mesh/nx (set with --set): expected integer in [1, 100000], got \"abc\""));
  CHECK(contains(e, "/time/end (set with --set): expected number > 0, got -1"));
  CHECK(contains(e, "/fluid/gama (set with --set): unknown parameter of plugin 'euler'; its parameters: \"gamma\", \"reconstruction\""));
  CHECK(contains(e, "/fluid/reconstruction (set with --set): expected one of \"cweno3\", \"first_order\", got \"weno9\" (euler)"));
  CHECK(contains(e, "/mesh/boundary (set with --set): expected \"outflow\", \"periodic\", \"reflective\", {\"type\": \"inflow\", rho, ux, uy, T or p}, {\"type\": \"wall\", T, ...}, {\"type\": \"pressure\", p, T} or {\"type\": \"farfield\", rho, ux, uy, T or p}, got \"open\""));
}

TEST_CASE("case: out-of-range plugin parameter names the range and the plugin") {
  const std::string e = problems(sod, {"regime.mode=layer0", "fluid.gamma=1"});
  CHECK(contains(e, "/fluid/gamma (set with --set): expected number in (1, 3], got 1 (euler)"));
}

TEST_CASE("case: unknown keys are refused with the valid ones listed") {
  const std::string e = problems(sod, {"regime.mode=layer0", "mesh.nxx=3", "colour=1"});
  CHECK(contains(e, "/mesh/nxx (set with --set): unknown key; valid keys here: \"nx\", \"ny\""));
  CHECK(contains(e, "/colour (set with --set): unknown key"));
}

TEST_CASE("case: an unknown plugin that the mode needs lists the available ones") {
  const std::string e = problems(sod, {"regime.mode=layer0", "fluid.plugin=eulerr"});
  CHECK(contains(e, "/fluid/plugin (set with --set): unknown plugin \"eulerr\"; available fluid models: "));
  CHECK(contains(e, "euler"));
  // hybrid needs the kinetic layers' plugins, which this build may lack: named, not crashed.
  const std::string hybrid = problems(sod, {"kinetic.plugin=nope"});
  CHECK(contains(hybrid, "/kinetic/plugin (set with --set): unknown plugin \"nope\""));
}

TEST_CASE("case: broken JSON names the file, line and column") {
  const fs::path p = write_case("broken", "{\n  \"name\": \"x\",\n  \"mesh\": {\"nx\": 10,}\n}\n");
  const std::string e = problems(p, {});
  CHECK(contains(e, p.string() + ": invalid JSON"));
  CHECK(contains(e, "line 3"));
}

TEST_CASE("case: expressions are checked before the run") {
  const std::string e = problems(sod, {"regime.mode=layer0", "knudsen=1e-3*sinn(x)"});
  CHECK(contains(e, "/knudsen (set with --set): invalid expression"));
  CHECK(contains(e, "sinn"));
}

TEST_CASE("case: state specifications need T or p, not both, and per-species densities") {
  const fs::path p = write_case("state", R"({
    "mesh": {"nx": 4, "ny": 4}, "time": {"end": 0.1},
    "species": [{"name": "a", "mass": 1}, {"name": "b", "mass": 0.5}],
    "initial": [{"rho": 1.0, "T": 1, "p": 1}],
    "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})");
  const std::string e = problems(p, {});
  CHECK(contains(e, "/initial/0/rho: expected an array of 2 densities (one per species), got 1"));
  CHECK(contains(e, "/initial/0/p: give either T or p, not both"));
}

TEST_CASE("case: periodic sides must come in pairs; missing sections are named") {
  const fs::path p = write_case("periodic", R"({
    "mesh": {"nx": 4, "ny": 4, "boundary": {"left": "periodic", "right": "outflow"}},
    "initial": [{"rho": 1.0, "T": 1}], "regime": {"mode": "layer0"}})");
  const std::string e = problems(p, {});
  CHECK(contains(e, "/mesh/boundary: left and right must both be periodic or neither"));
  CHECK(contains(e, "/time: missing"));
  CHECK(contains(e, "/fluid: missing; a {\"plugin\": NAME, ...} section is needed because regime.mode is \"layer0\""));
}

TEST_CASE("case: --set overrides nested keys and array entries, and refuses malformed ones") {
  nlohmann::json doc = {{"mesh", {{"nx", 1}}}, {"output", {{"times", {0.1, 0.2}}}}};
  const AppliedOverride nx = apply_override(doc, "mesh.nx=200");
  CHECK(nx.pointer == "/mesh/nx");
  CHECK(nx.origin == "set with --set");
  CHECK(doc["mesh"]["nx"] == 200);
  // Not JSON but begun like JSON: kept as text, and a message about it will say so.
  const AppliedOverride end = apply_override(doc, "time.end=.2");
  CHECK(doc["time"]["end"] == ".2");
  CHECK(end.origin == "set with --set; not JSON, so taken as text");
  apply_override(doc, "output.times.1=0.3");
  CHECK(doc["output"]["times"][1] == 0.3);
  apply_override(doc, "regime.mode=layer0");
  CHECK(doc["regime"]["mode"] == "layer0");
  CHECK_THROWS_AS(apply_override(doc, "mesh.nx"), CaseError);
  CHECK_THROWS_AS(apply_override(doc, "output.times.7=1"), CaseError);
  CHECK_THROWS_AS(apply_override(doc, "mesh.nx.deep=1"), CaseError);
  // null removes a key, or an array's element; a key that is not there stays absent.
  CHECK(apply_override(doc, "regime.mode=null").origin == "removed with --set");
  CHECK_FALSE(doc["regime"].contains("mode"));
  apply_override(doc, "output.times.0=null");
  CHECK(doc["output"]["times"] == nlohmann::json::array({0.3}));
  apply_override(doc, "time.cfl=null");
  CHECK_FALSE(doc["time"].contains("cfl"));
  // A key that is not there stays absent, and no parent section is made for it.
  apply_override(doc, "indicator.plugin=null");
  CHECK_FALSE(doc.contains("indicator"));
}

TEST_CASE("case: hostile JSON is refused naming the file and the key: depth, duplicates, NUL, overflow") {
  // 100 000 levels once overflowed the stack when the value was echoed in a message.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string e = problems(write_case("deep", R"({"mesh": {"nx": )" + deep + "}}"), {});
  CHECK(contains(e, "strata_test_deep.json: /mesh/nx/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"));
  CHECK(contains(e, "nested deeper than 64 levels"));
  e = problems(write_case("duplicate", R"({"mesh": {"nx": 4, "ny": 4, "nx": 5}})"), {});
  CHECK(contains(e, "strata_test_duplicate.json: /mesh/nx: duplicate key"));
  e = problems(write_case("duplicate_in_array", R"({"initial": [{"rho": 1}, {"T": 1, "T": 2}]})"), {});
  CHECK(contains(e, "/initial/1/T: duplicate key"));
  const fs::path nul = write_case("nul", "");
  std::ofstream(nul, std::ios::binary) << std::string("{\"name\": \"a\"}\0{\"more\": 1}", 25);
  e = problems(nul, {});
  CHECK(contains(e, "strata_test_nul.json: contains a NUL byte at offset 13"));
  e = problems(write_case("overflow", R"({"mesh": {"nx": 1e400}})"), {});
  CHECK(contains(e, "strata_test_overflow.json: number overflow parsing '1e400'"));
}

TEST_CASE("case: --set values, indices and text are checked before they reach the case") {
  nlohmann::json doc = {{"mesh", {{"nx", 1}}}, {"initial", {{{"rho", 1}}}}};
  auto error = [&](const std::string& assignment) {
    try {
      apply_override(doc, assignment);
    } catch (const CaseError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(contains(error("mesh.nx=1e400"), "--set mesh.nx: number overflow parsing '1e400'"));
  CHECK(contains(error("initial.99999999999999999999.rho=1"),
                 "/initial/99999999999999999999 is not an index of the array (size 1)"));
  CHECK(contains(error("initial.-1.rho=1"), "/initial/-1 is not an index of the array (size 1)"));
  CHECK(contains(error("name=caf\xC3"), "not valid UTF-8 text"));
  CHECK(contains(error("name=\xC0\xAF"), "not valid UTF-8 text"));  // an overlong '/'
  CHECK(contains(error("mesh.nx=" + std::string(100, '[') + std::string(100, ']')),
                 "--set mesh.nx: /0/0/0"));
  CHECK(contains(error("mesh.nx={\"a\": 1, \"a\": 2}"), "--set mesh.nx: /a: duplicate key"));
  CHECK(error("name=caf\xC3\xA9").empty());  // valid UTF-8 is a plain string value
  CHECK(doc["name"] == "caf\xC3\xA9");
}

TEST_CASE("case: names that become files, CSV columns and XML attributes are plain identifiers") {
  for (const char* bad : {"a\"b", "a<b", "a,b", "a\nb", "", "../x"}) {
    const std::string species = problems(sod, {"regime.mode=layer0",
                                               "species=[{\"name\": " + nlohmann::json(bad).dump() + "}]"});
    CHECK(contains(species, "/species/0/name (set with --set): expected a name of 1 to 64 letters, digits, _ and -"));
  }
  std::string e = problems(sod, {"regime.mode=layer0", "probes=[{\"name\": \"p<1\", \"x\": 0.5, \"y\": 0.5}]"});
  CHECK(contains(e, "/probes/0/name (set with --set): expected a name of 1 to 64 letters"));
  e = problems(sod, {"regime.mode=layer0", "name=../../x"});
  CHECK(contains(e, "/name (set with --set): expected a name of 1 to 64 letters, digits, _ and -, got \"../../x\""));
  e = problems(sod, {"regime.mode=layer0", "name=.hidden"});
  CHECK(contains(e, "/name (set with --set): expected a name of 1 to 64"));
  // Without a name, the file's stem is made safe.
  const fs::path odd = write_case("odd name.v2", R"({"mesh": {"nx": 4, "ny": 4}, "time": {"end": 0.1},
    "initial": [{"rho": 1, "T": 1}], "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})");
  CHECK(load_case(odd, {}, catalog()).name == "strata_test_odd_name_v2");
}

TEST_CASE("case: non-finite or overflowing numbers are refused where they are read") {
  const std::string e = problems(sod, {"regime.mode=layer0", "mesh.x=[-1e308, 1e308]", "initial.0.ux=1e308*10",
                                       "initial.0.p=0/0"});
  CHECK(contains(e, "/mesh/x (set with --set): expected [min, max] with min < max and a finite cell size"));
  CHECK(contains(e, "/initial/0/ux (set with --set): expected a finite value, got \"1e308*10\""));
  CHECK(contains(e, "/initial/0/p (set with --set): expected a finite value, got \"0/0\""));
  const std::string moving = problems(fs::path(STRATA_SOURCE_DIR) / "cases" / "moving_object.json",
                                      {"obstacles.0.move.cells=[2147483648, 0]"});
  CHECK(contains(moving, "/obstacles/0/move/cells (set with --set): expected [di, dj], whole cells per move"));
  CHECK(contains(moving, "got [2147483648,0]"));
}

TEST_CASE("case: a move is at most the mesh's size along each axis, and moves; a refused mesh range refuses nothing else") {
  const fs::path moving = fs::path(STRATA_SOURCE_DIR) / "cases" / "moving_object.json";
  const std::string nx = std::to_string(load_case(moving, {}, catalog()).nx);
  const std::string too_far = problems(moving, {"obstacles.0.move.cells=[" + nx + "1, 0]"});
  CHECK(contains(too_far, "whole cells per move with |di| <= nx (" + nx + ")"));
  CHECK(contains(problems(moving, {"obstacles.0.move.cells=[0, 0]"}), "not both 0, got [0,0]"));
  CHECK(contains(problems(moving, {"obstacles.0.move={\"every\": 2}"}), "/obstacles/0/move/cells (set with --set): missing; expected [di, dj]"));
  CHECK(problems(moving, {"obstacles.0.move.cells=[" + nx + ", 0]"}).empty());
  // The probe lies in the mesh the user meant; only the mesh's range is reported.
  const std::string e = problems(sod, {"mesh.x=[3, 2]", "probes=[{\"name\": \"a\", \"x\": 2.5, \"y\": 0.05}]",
                                       "output.profile_y=0.05"});
  CHECK(contains(e, "/mesh/x (set with --set): expected [min, max] with min < max"));
  CHECK_FALSE(contains(e, "/probes"));
  // An empty output folder name passed validate and failed the run with a filesystem error.
  CHECK(contains(problems(sod, {"output.dir=\"\""}), "/output/dir (set with --set): expected a folder name: not empty"));
}

TEST_CASE("schema: every core section and every plugin's parameters; the reader reads only declared keys") {
  const nlohmann::json schema = case_schema(catalog());
  CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  CHECK(nlohmann::json::parse(schema.dump()) == schema);
  for (const char* section : {"case", "species", "mesh", "sides", "boundary_inflow", "boundary_farfield", "boundary_wall",
                              "boundary_pressure", "boundary_plain", "obstacle", "move", "velocity",
                              "time", "region", "component", "regime", "forced_region", "probe", "output", "checkpoint"})
    CHECK_MESSAGE(schema.at("$defs").contains(section), section);
  const auto& defs = schema.at("$defs");
  CHECK(defs.at("mesh").at("properties").at("nx").at("maximum") == 100000);
  CHECK(defs.at("case").at("additionalProperties") == false);
  int plugins = 0;
  for (const auto& name : catalog().available()) {
    const auto library = catalog().load(name);  // the descriptor lives in the library
    const auto& d = library->descriptor();
    const std::string section = d.kind == strata::sdk::PluginKind::fluid_model ? "plugins_fluid"
                              : d.kind == strata::sdk::PluginKind::indicator   ? "plugins_indicator"
                                                                               : "plugins_kinetic";
    const auto& alternatives = defs.at(section).at("oneOf");
    const auto it = std::find_if(alternatives.begin(), alternatives.end(), [&](const nlohmann::json& a) {
      return a.at("properties").at("plugin").at("const") == name;
    });
    REQUIRE_MESSAGE(it != alternatives.end(), name);
    for (int k = 0; k < d.n_params; ++k) CHECK_MESSAGE(it->at("properties").contains(d.params[k].name), name);
    ++plugins;
  }
  CHECK(plugins >= 4);
  CHECK(defs.at("plugins_fluid").at("oneOf")[0].at("properties").at("gamma").at("exclusiveMinimum") == 1);
  // "$schema" is a key the reader accepts, for editors.
  CHECK(problems(sod, {"regime.mode=layer0", "$schema=strata-case.schema.json"}).empty());
  // Reading a key the table does not declare is a programming error, caught by any test that reads it.
  const nlohmann::json empty = nlohmann::json::object();
  Diagnostics diagnostics("f.json", {});
  ObjectReader reader(empty, "/mesh", diagnostics);
  CHECK_THROWS_AS(reader.number("nz", 1.0), std::logic_error);
  CHECK(reader.integer("nx", 4, 1, 10) == 4);
}

TEST_CASE("case: a value echoed in a message is cut at 60 characters, however deep or long") {
  nlohmann::json deep = 1;
  for (int k = 0; k < 200000; ++k) deep = nlohmann::json::array({std::move(deep)});
  const std::string text = describe_value(deep);
  CHECK(text.size() == 60);
  CHECK(text == std::string(57, '[') + "...");
  CHECK(describe_value(nlohmann::json(std::string(100000, 'a'))).size() == 60);
  CHECK(describe_value(nlohmann::json("caf\xC3")) == "\"caf\xEF\xBF\xBD\"");  // U+FFFD for the bad byte
  CHECK(describe_value(nlohmann::json::parse(R"({"a": [1, 2]})")) == R"({"a":[1,2]})");
}

TEST_CASE("domain: the halo rules come in levels, each reading only cells filled before it") {
  // Transport::fill_kinetic_halo copies a level's ghosts in parallel after the levels
  // before it: a corner ghost copies a side's ghost, and in a mesh one cell wide a
  // second ghost layer copies the first.
  const std::vector<std::vector<std::string>> meshes = {
      {"mesh.nx=1", "mesh.ny=1", "mesh.boundary=periodic"},
      {"mesh.nx=1", "mesh.ny=2", "mesh.boundary=reflective"},
      {"mesh.nx=5", "mesh.ny=3", "mesh.boundary=periodic"}};
  for (const auto& mesh : meshes) {
    CAPTURE(mesh[2]);
    std::vector<std::string> sets = {"regime.mode=layer0"};
    sets.insert(sets.end(), mesh.begin(), mesh.end());
    const Domain d(load_case(sod, sets, catalog()));
    const auto& rules = d.halo_rules();
    std::vector<int> level(rules.size(), -1);
    for (std::size_t l = 0; l < d.halo_rule_levels().size(); ++l)
      for (const std::size_t r : d.halo_rule_levels()[l]) {
        CHECK(level[r] == -1);  // one level per rule
        level[r] = static_cast<int>(l);
      }
    CHECK(d.halo_rule_levels().size() >= 2);  // the corners at least
    for (std::size_t r = 0; r < rules.size(); ++r) {
      REQUIRE(level[r] >= 0);
      if (const HaloRule* from = d.ghost_rule(rules[r].source))
        CHECK(level[static_cast<std::size_t>(from - rules.data())] < level[r]);
    }
  }
}
