// Closed boxes: domain totals change only at round-off, through every face.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "run_strata.hpp"

using namespace strata::test;

namespace {
void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

constexpr const char* box = R"case({
  "name": "box",
  "mesh": {"nx": 24, "ny": 20, "x": [0, 1], "y": [0, 1], "boundary": "BOUNDARY"},
  "time": {"end": 0.15},
  "initial": [{"rho": "1 + 0.3*sin(2*pi*x)*cos(2*pi*y)", "ux": "0.4*cos(2*pi*y)",
               "uy": "-0.3*sin(2*pi*x)", "T": "1 + 0.2*(x > 0.5)"}],
  "obstacles": OBSTACLES,
  "regime": {"mode": "layer0"},
  "fluid": {"plugin": "euler"},
  "output": {"snapshots": false, "profiles": false}
})case";

nlohmann::json run_box(const std::string& boundary, const std::string& obstacles) {
  std::string text = box;
  text.replace(text.find("BOUNDARY"), 8, boundary);
  text.replace(text.find("OBSTACLES"), 9, obstacles);
  const auto dir = scratch("box_" + boundary);
  write(dir / "box.json", text);
  const Result r = run_strata("run " + (dir / "box.json").string() + " --out " + (dir / "out").string() + " -q");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  return read_json(dir / "out" / "summary.json");
}
}  // namespace

TEST_CASE("conservation: periodic box conserves mass, momentum and energy to round-off") {
  const auto s = run_box("periodic", "[]");
  // 480 cells x ~100 steps of O(1) sums: 1e-13 relative is a few hundred ulp.
  for (const char* q : {"mass", "momentum_x", "momentum_y", "energy"}) {
    CAPTURE(q);
    CHECK(s["conservation"][q].get<double>() < 1e-13);
  }
}

TEST_CASE("conservation: reflective walls and a solid obstacle, wall fluxes accounted") {
  const auto s = run_box("reflective",
                         R"([{"shape": "circle", "center": [0.5, 0.5], "radius": 0.15, "rho": 1, "T": 1}])");
  for (const char* q : {"mass", "momentum_x", "momentum_y", "energy"}) {
    CAPTURE(q);
    CHECK(s["conservation"][q].get<double>() < 1e-13);
  }
}

TEST_CASE("conservation: a uniform stream through inflow and outflow sides stays uniform") {
  // Inflow on the left with the same state as the interior, outflow on the right:
  // the exact solution is the initial one, and mass, momentum and energy enter and
  // leave at the same rate, which the boundary accounting must balance.
  const auto dir = scratch("stream");
  write(dir / "stream.json", R"case({
    "mesh": {"nx": 20, "ny": 4, "boundary": {"left": {"type": "inflow", "rho": 1.2, "ux": 0.5, "uy": 0.1, "T": 0.9},
                                             "right": "outflow", "bottom": "periodic", "top": "periodic"}},
    "time": {"end": 0.2}, "initial": [{"rho": 1.2, "ux": 0.5, "uy": 0.1, "T": 0.9}],
    "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})case");
  const Result r = run_strata("run " + (dir / "stream.json").string() + " --out " + (dir / "o").string() + " -q");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const Table profile = read_csv(dir / "o" / "profile_0.2.csv");
  for (const double rho : profile.column("rho")) CHECK(rho == doctest::Approx(1.2).epsilon(1e-13));
  for (const double ux : profile.column("ux")) CHECK(ux == doctest::Approx(0.5).epsilon(1e-13));
  const auto s = read_json(dir / "o" / "summary.json");
  for (const char* q : {"mass", "momentum_x", "momentum_y", "energy"}) {
    CAPTURE(q);
    CHECK(s["conservation"][q].get<double>() < 1e-13);
  }
  const Table history = read_csv(dir / "o" / "history.csv");
  CHECK(history.column("mass").back() == doctest::Approx(history.column("mass").front()).epsilon(1e-13));
}

TEST_CASE("hybrid: results and drifts do not depend on the thread count") {
  // Every reduction over cells or faces runs in a fixed order (boundary exchanges are
  // summed per face line, then in line order), so one and two threads agree bit for bit;
  // reflective walls make the kinetic faces exchange momentum with the outside.
  nlohmann::json summaries[2];
  std::string profiles[2];
  for (int threads : {1, 2}) {
    const auto out = scratch("threads_" + std::to_string(threads));
    const Result r = run_strata("run " + source("cases/conservation_box.json") +
                                " --set mesh.boundary=reflective --set mesh.nx=8 --set mesh.ny=8 --set velocity.n=12 --set time.end=0.02"
                                " --set output.times=[0.02] -q --threads " + std::to_string(threads) +
                                " --out " + out.string());
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    summaries[threads - 1] = read_json(out / "summary.json");
    std::ifstream in(out / "profile_0.02.csv");
    profiles[threads - 1].assign(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(!profiles[0].empty());
  CHECK(profiles[0] == profiles[1]);
  CHECK(summaries[0]["conservation"] == summaries[1]["conservation"]);
  CHECK(summaries[0]["layer_switches"] == summaries[1]["layer_switches"]);
}
