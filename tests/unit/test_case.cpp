#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "case.hpp"
#include "diagnostics.hpp"

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
}

TEST_CASE("case: each bad key is reported with file, path, expectation and value") {
  const std::string e = problems(sod, {"regime.mode=layer0", "mesh.nx=abc", "time.end=-1",
                                       "fluid.gama=1.4", "fluid.reconstruction=weno9",
                                       "mesh.boundary=open"});
  CHECK(contains(e, "sod.json: /mesh/nx (set with --set): expected integer in [1, 100000], got \"abc\""));
  CHECK(contains(e, "/time/end (set with --set): expected number > 0, got -1"));
  CHECK(contains(e, "/fluid/gama (set with --set): unknown parameter of plugin 'euler'; its parameters: \"gamma\", \"reconstruction\""));
  CHECK(contains(e, "/fluid/reconstruction (set with --set): expected one of \"cweno3\", \"first_order\", got \"weno9\" (euler)"));
  CHECK(contains(e, "/mesh/boundary (set with --set): expected one of \"outflow\", \"periodic\", \"inflow\", \"reflective\", \"wall\", got \"open\""));
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
  CHECK(contains(e, "/fluid/plugin (set with --set): unknown plugin \"eulerr\"; available: "));
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
  CHECK(apply_override(doc, "mesh.nx=200") == "/mesh/nx");
  CHECK(doc["mesh"]["nx"] == 200);
  apply_override(doc, "output.times.1=0.3");
  CHECK(doc["output"]["times"][1] == 0.3);
  apply_override(doc, "regime.mode=layer0");
  CHECK(doc["regime"]["mode"] == "layer0");
  CHECK_THROWS_AS(apply_override(doc, "mesh.nx"), CaseError);
  CHECK_THROWS_AS(apply_override(doc, "output.times.7=1"), CaseError);
  CHECK_THROWS_AS(apply_override(doc, "mesh.nx.deep=1"), CaseError);
}
