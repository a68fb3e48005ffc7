// Plugins whose descriptors declare parameters they cannot have are refused at load
// (exit 2, naming the file and the parameter) and listed as not loadable, while the
// other plugins keep working; a constructor that reads its parameters wrongly is told
// which parameter and how (tests/plugins/bad_descriptor.cpp, misread_parameters.cpp).
#include <doctest/doctest.h>

#include <string>

#include "run_strata.hpp"
#include "strata/sdk/version.hpp"

using namespace strata::test;

namespace {
const std::string descriptors = STRATA_TEST_DESCRIPTOR_PLUGIN_DIR;
const std::string plugin_dir = " --plugin-dir " + descriptors;

std::string file_of(const std::string& name) { return descriptors + "/strata_" + name + ".so"; }

// Each test plugin of bad_descriptor.cpp with what the loader must say about it.
const std::pair<std::string, std::string> refused[] = {
    {"number_default", "parameter 'nu': its default -3 is outside its own declaration (number > 0)"},
    {"choice_default", "parameter 'mode': its default \"c\" is outside its own declaration (one of \"a\", \"b\")"},
    {"integer_default", "parameter 'cells': its default 2.5 is outside its own declaration (integer in [0, 10])"},
    {"default_not_json", "parameter 'nu': its default \"1.0.0\" is not JSON text"},
    {"min_above_max", "parameter 'nu': its range admits no value (number in [2, 1])"},
    {"integer_range", "parameter 'cells': its range admits no integer (integer in [0.2, 0.8])"},
    {"duplicate", "parameter 'nu': declared twice"},
    {"reserved_name", "parameter 'plugin': the name is reserved"},
    {"name_pattern", "parameter 1: invalid name \"Nu Rate\"; parameter names are 1 to 64 letters"},
    {"negative_count", "the descriptor declares -1 parameters"},
    {"null_doc", "parameter 'nu': its unit and doc are null pointers where text is expected (\"\" for none)"},
    {"descriptor_sdk", "its descriptor says SDK version " + std::to_string(STRATA_SDK_VERSION - 1) +
                           ", its library (strata_sdk_version) and this strata SDK version " +
                           std::to_string(STRATA_SDK_VERSION)},
};
}  // namespace

TEST_CASE("plugin descriptors: a declaration the plugin cannot have is refused at load, naming file and parameter") {
  for (const auto& [defect, message] : refused) {
    CAPTURE(defect);
    const Result r = run_strata("describe bad_" + defect + plugin_dir);
    CHECK(r.exit_code == 2);
    CHECK(has(r, "strata: error: " + file_of("bad_" + defect) + ": " + message));
  }
}

TEST_CASE("plugin descriptors: refused plugins are listed as not loadable; the others still list, describe and schema") {
  const Result listing = run_strata("plugins" + plugin_dir);
  CHECK(listing.exit_code == 0);
  for (const auto& [defect, message] : refused) {
    CAPTURE(defect);
    CHECK(has(listing, "not loadable: " + file_of("bad_" + defect) + ": " + message));
  }
  CHECK(has(listing, "fluid model"));  // euler, from the default folder
  const Result euler = run_strata("describe euler" + plugin_dir);
  CHECK(euler.exit_code == 0);
  CHECK(has(euler, "gamma: number in (1, 3]"));
  const Result schema = run_strata("schema -q" + plugin_dir);
  REQUIRE(schema.exit_code == 0);
  // The schema on stdout follows the warnings about the refused plugins on stderr.
  const auto json = nlohmann::json::parse(schema.output.substr(schema.output.starts_with("{") ? 0 : schema.output.find("\n{")));
  CHECK(json["$defs"]["plugins_fluid"].dump().find("\"const\":\"euler\"") != std::string::npos);
  CHECK(json["$defs"]["plugins_kinetic"].dump().find("bad_") == std::string::npos);
}

TEST_CASE("plugin descriptors: an unknown name lists the loadable plugins and names the others apart") {
  const Result r = run_strata("describe nothing_here" + plugin_dir);
  CHECK(r.exit_code == 2);
  const std::string line = r.output.substr(r.output.find("unknown plugin"));
  const std::string available = line.substr(0, line.find("; not loadable"));
  CHECK(available.find("euler") != std::string::npos);
  CHECK(available.find("reads_parameters_wrongly") != std::string::npos);
  CHECK(available.find("bad_") == std::string::npos);
  CHECK(has(r, "; not loadable (see strata plugins): bad_choice_default, "));
}

TEST_CASE("plugin descriptors: the name column of strata plugins fits the longest name") {
  const Result r = run_strata("plugins" + plugin_dir);
  CHECK(r.exit_code == 0);
  // The kind of the longest name's line and of euler's start in one column.
  const auto column = [&](const std::string& name, const std::string& kind) {
    const auto line = r.output.find("\n" + name + " ");
    return line == std::string::npos ? std::string::npos : r.output.find(kind, line) - line;
  };
  CHECK(has(r, "reads_parameters_wrongly  collision model"));
  CHECK(column("euler", "fluid model") == column("reads_parameters_wrongly", "collision model"));
}

TEST_CASE("plugin descriptors: a constructor reading a parameter wrongly is told which and how") {
  const std::string validate = "validate " + source("cases/conservation_box.json") + plugin_dir +
                               " --set regime.mode=layer1 --set kinetic.plugin=reads_parameters_wrongly";
  CHECK(run_strata(validate).exit_code == 0);  // read as declared
  for (const auto& [read, message] :
       {std::pair<std::string, std::string>{"as_string", "parameter 'nu': read as a string, but it holds a number (1.5)"},
        {"as_integer", "parameter 'nu': read as an integer, but it holds a number (1.5)"},
        {"undeclared", "parameter 'not_declared': read as a number, but the descriptor declares no such parameter"}}) {
    CAPTURE(read);
    const Result r = run_strata(validate + " --set kinetic.read=" + read);
    CHECK(r.exit_code == 2);
    CHECK(has(r, "plugin 'reads_parameters_wrongly' could not be created: " + message));
  }
}
