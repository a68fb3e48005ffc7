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

TEST_CASE("output: a history from a checkpoint written before the residual column gets it, as nan") {
  // A restart continues the checkpoint's history text; rows after it carry the residual
  // before wall_seconds, so an older text must have that column too, mixture columns after.
  const fs::path dir = fs::temp_directory_path() / "strata_test_output_restore";
  fs::remove_all(dir);
  Mesh mesh;
  mesh.nx = mesh.ny = 1;
  OutputWriter out(dir, mesh, {"mass_a", "distance_to_equilibrium"});
  OutputWriter::Record old;
  old.history =
      "step,t,dt,mass,momentum_x,momentum_y,momentum_z,energy,entropy,cells_layer0,cells_layer1,cells_layer2,"
      "wall_seconds,mass_a,distance_to_equilibrium\n"
      "0,0,0,1,0,0,0,1.5,4,0,1,0,0.001,0.5,2\n"
      "1,0.1,0.1,1,0,0,0,1.5,4,0,1,0,0.002,0.5,1.9\n";
  out.restore(old);
  const std::string now = out.record().history;
  CHECK(now ==
        "step,t,dt,mass,momentum_x,momentum_y,momentum_z,energy,entropy,cells_layer0,cells_layer1,cells_layer2,"
        "residual,wall_seconds,mass_a,distance_to_equilibrium\n"
        "0,0,0,1,0,0,0,1.5,4,0,1,0,nan,0.001,0.5,2\n"
        "1,0.1,0.1,1,0,0,0,1.5,4,0,1,0,nan,0.002,0.5,1.9\n");
  // A current history is left as it is.
  OutputWriter::Record current;
  current.history = now;
  out.restore(current);
  CHECK(out.record().history == now);
  fs::remove_all(dir);
}
