// Writing files atomically: a write that fails leaves no temporary file behind and says why.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine_types.hpp"
#include "output.hpp"

using namespace strata::core;
namespace fs = std::filesystem;

TEST_CASE("output: a write that cannot be put in place removes its temporary file and names the reason") {
  const fs::path dir = fs::temp_directory_path() / "strata_test_output";
  fs::remove_all(dir);
  fs::create_directories(dir / "summary.json");  // a folder where the file should go: the rename fails
  try {
    write_atomically(dir / "summary.json", "{}\n");
    FAIL("the write should have failed");
  } catch (const RunError& e) {
    const std::string what = e.what();
    CHECK_MESSAGE(what.find("summary.json: cannot be put in place: ") != std::string::npos, what);
    CHECK_MESSAGE(what.find(" MiB free on its disk, the partial file removed)") != std::string::npos, what);
  }
  CHECK_FALSE(fs::exists(temporary_path(dir / "summary.json")));
  // And an ordinary write still lands.
  write_atomically(dir / "history.csv", "t\n0\n");
  std::ifstream in(dir / "history.csv");
  std::string line;
  std::getline(in, line);
  CHECK(line == "t");
  fs::remove_all(dir);
}
