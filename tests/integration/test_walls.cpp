// Maxwell walls of the kinetic layers (docs/numerics.md, "Walls") through the real
// program: mass conservation in closed boxes, equilibrium at the wall state, the
// free-molecular Couette stress, the lid-driven cavity, the hybrid wall band and bad
// wall input.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <numbers>
#include <vector>

#include "run_strata.hpp"
#include "strata/toolkit/format.hpp"
#include "strata/toolkit/maxwellian.hpp"

using namespace strata::test;

namespace {
void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

// A closed box, four walls of different accommodation, temperature and speed.
const std::string box_walls = R"("boundary": {
    "left":   {"type": "wall", "accommodation": 1,   "T": 1.0, "uy": 0.2},
    "right":  {"type": "wall", "accommodation": 0.5, "T": 1.2},
    "bottom": {"type": "wall", "accommodation": 0.7, "T": 0.8, "ux": -0.3},
    "top":    {"type": "wall", "accommodation": 0,   "T": 1.0}})";

nlohmann::json run_case(const std::string& name, const std::string& text) {
  return read_json(run_in_scratch(name, text) / "summary.json");
}

std::string box_case(const std::string& mode, const std::string& initial, const std::string& boundary,
                     const std::string& t_end = "0.1", bool profiles = false, const std::string& extra = "") {
  return R"({"mesh": {"nx": 6, "ny": 6, )" + boundary + R"(},
    "velocity": {"n": 12, "L": 6}, "knudsen": 0.05, "time": {"end": )" + t_end + R"(},
    "initial": [)" + initial + R"(], "regime": {"mode": ")" + mode + R"("},
    "fluid": {"plugin": "euler"}, "kinetic": {"plugin": "esbgk"}, "boltzmann": {"plugin": "boltzmann_fft"},
    "probes": [{"name": "corner", "x": 0.05, "y": 0.05}, {"name": "side", "x": 0.95, "y": 0.5},
               {"name": "middle", "x": 0.5, "y": 0.5}],
    "output": {"snapshots": false, "profiles": )" + (profiles ? "true" : "false") + "}" + extra + "}";
}

const std::string swirl = R"j({"rho": "1 + 0.3*sin(2*pi*x)*cos(pi*y)", "ux": "0.3*cos(pi*y)",
                               "uy": "-0.2*sin(pi*x)", "T": "1 + 0.2*(x > 0.5)"})j";

// Mass crosses no wall face (the re-emitted half-range flux equals the arriving one):
// the box's mass in history.csv stays constant. Momentum and energy the walls exchange
// are booked, so all drifts stay at round-off. ~10 steps of O(1) sums over 36 cells:
// 1e-13 relative is a few hundred ulp.
void check_drifts(const nlohmann::json& s) {
  for (const char* q : {"mass", "momentum_x", "momentum_y", "energy"}) {
    CAPTURE(q);
    CHECK(s["conservation"][q].get<double>() < 1e-13);
  }
}

void check_closed_box(const std::string& name, const nlohmann::json& s) {
  check_drifts(s);
  const auto mass = read_csv(scratch_path(name) / "out" / "history.csv").column("mass");
  CHECK(mass.back() == doctest::Approx(mass.front()).epsilon(1e-13));
}

// Probe rows at the end of a run (t, rho, ux, uy, uz, T, ...).
std::vector<double> last_row(const std::string& name, const std::string& probe) {
  return read_csv(scratch_path(name) / "out" / ("probe_" + probe + ".csv")).rows.back();
}
}  // namespace

TEST_CASE("walls: a closed box with Maxwell walls conserves mass to round-off (layer 1)") {
  check_closed_box("walls_box1", run_case("walls_box1", box_case("layer1", swirl, box_walls)));
}

TEST_CASE("boltzmann: a closed box with Maxwell walls conserves mass to round-off (layer 2)") {
  check_closed_box("walls_box2", run_case("walls_box2", box_case("layer2", swirl, box_walls)));
}

TEST_CASE("walls: gas at rest at the wall temperature stays at rest, whatever the accommodation") {
  // The discrete Maxwellian of the wall state is an exact equilibrium of the discrete
  // wall: arriving and re-emitted halves are both rho M_w. The density differs from any
  // the walls know (they carry none).
  const std::string walls = R"("boundary": {
      "left":   {"type": "wall", "accommodation": 1,   "T": 1.3},
      "right":  {"type": "wall", "accommodation": 0.4, "T": 1.3},
      "bottom": {"type": "wall", "accommodation": 0,   "T": 1.3},
      "top":    {"type": "wall", "accommodation": 0.9, "T": 1.3}})";
  std::string text = box_case("layer1", R"({"rho": 0.7, "T": 1.3})", walls, "1");
  // Collisionless, the walls alone: round-off (about 70 steps of O(1) updates, 1e-13 is
  // a few hundred ulp). With collisions (knudsen 0.05) the gas relaxes to ES-BGK's own
  // discrete equilibrium, the conservatively corrected sampled Gaussian, whose shape
  // differs from the exponential discrete Maxwellian M_w by the quadrature error of a
  // sampled Gaussian, ~exp(-2π²T/dv²) = 7e-12 at dv = 1: the gas settles 2.6e-12
  // (relative) warmer than T_w and stays there (measured until t = 6).
  const double knudsen[2] = {1e6, 0.05}, tolerance[2] = {1e-13, 1e-11};
  for (int k = 0; k < 2; ++k) {
    CAPTURE(knudsen[k]);
    std::string run = text;
    const std::string key = "\"knudsen\": 0.05";
    run.replace(run.find(key), key.size(), "\"knudsen\": " + std::to_string(knudsen[k]));
    run_case("walls_rest", run);
    for (const char* probe : {"corner", "side", "middle"}) {
      CAPTURE(probe);
      const auto row = last_row("walls_rest", probe);
      CHECK(std::abs(row[1] - 0.7) < tolerance[k]);
      CHECK(std::abs(row[2]) < tolerance[k]);
      CHECK(std::abs(row[3]) < tolerance[k]);
      CHECK(std::abs(row[5] - 1.3) < tolerance[k]);
    }
  }
}

TEST_CASE("walls: a wall with accommodation 0 is the reflective side, ghosts included") {
  // A column between a moving diffuse wall (bottom) and, on top, a reflective side or a
  // wall with α = 0: the same specular reflection, of the face flux and of the ghosts the
  // CWENO stencils read. The flow is not symmetric in v_y at the top (uy ≠ 0 there), so a
  // ghost that copied its source instead of mirroring it (as before) left the top probe
  // 1.4e-2 off. The two paths may compute the same values in another order (the face flux
  // re-emits v_n f(v*)/v*_n; measured: equal): 1e-13, a few hundred ulp over ~20 steps.
  std::vector<double> rows[2];
  const char* tops[2] = {R"("reflective")", R"({"type": "wall", "accommodation": 0, "T": 1.3})"};
  for (int k = 0; k < 2; ++k) {
    const std::string name = k == 0 ? "walls_specular_reflective" : "walls_specular_wall";
    run_case(name, std::string(R"({"mesh": {"nx": 1, "ny": 8, "x": [0, 0.125], "y": [0, 1],
        "boundary": {"left": "periodic", "right": "periodic",
                     "bottom": {"type": "wall", "T": 1.3, "ux": 0.2}, "top": )") + tops[k] + R"j(}},
      "velocity": {"n": 12, "L": 6}, "knudsen": 0.1, "time": {"end": 0.25},
      "initial": [{"rho": "1 + 0.3*cos(pi*(y - 1))", "uy": "0.1*sin(pi*(y - 1))", "T": 1}],
      "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"},
      "probes": [{"name": "top", "x": 0.06, "y": 0.94}, {"name": "middle", "x": 0.06, "y": 0.56}],
      "output": {"snapshots": false, "profiles": false}})j");
    for (const char* probe : {"top", "middle"}) {
      const auto row = last_row(name, probe);
      rows[k].insert(rows[k].end(), row.begin(), row.begin() + 6);
    }
  }
  REQUIRE(rows[0].size() == rows[1].size());
  for (std::size_t q = 0; q < rows[0].size(); ++q) {
    CAPTURE(q);
    CHECK(std::abs(rows[1][q] - rows[0][q]) < 1e-13);
  }
  CHECK(std::abs(rows[0][3]) > 1e-3);  // the flow at the top is not at rest
}

TEST_CASE("walls: two plates at rest at one temperature keep the gas between them in equilibrium") {
  // cases/couette.json with the plates at rest, one of them partly specular, and a gas
  // denser than the initial state of the case at the plates' temperature.
  const auto dir = scratch("walls_plates");
  const Result r = run_strata("run " + source("cases/couette.json") +
                              " --set mesh.boundary.bottom.ux=0 --set mesh.boundary.top.ux=0"
                              " --set mesh.boundary.top.accommodation=0.6 --set initial.0.rho=2"
                              " --set mesh.ny=10 --set time.end=0.5 -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  for (const char* probe : {"bottom", "center", "top"}) {
    CAPTURE(probe);
    const auto row = read_csv(dir / "out" / ("probe_" + std::string(probe) + ".csv")).rows.back();
    // ~70 steps of O(1) updates: 1e-13 is a few hundred ulp.
    CHECK(std::abs(row[1] - 2.0) < 1e-13);
    CHECK(std::abs(row[2]) < 1e-13);
    CHECK(std::abs(row[5] - 1.0) < 1e-13);
    CHECK(std::abs(row[9]) < 1e-13);  // no shear stress
    CHECK(std::abs(row[13]) < 1e-13);  // no heat flux
  }
}

TEST_CASE("walls: free-molecular Couette flow has the closed-form shear stress") {
  // Plates at y = 0, 1 moving at -U and +U, diffuse (α = 1), knudsen = 1e6 (no
  // collisions). At steady state molecules with v_y > 0 come from the bottom plate, with
  // v_y < 0 from the top one, each half a Maxwellian at its plate's velocity:
  //   P_xy = ρ [∫_{v_y<0} v_x v_y M(U) + ∫_{v_y>0} v_x v_y M(−U)] = −ρ U √(2T/(π m))
  // (the free-molecular limit by which Sharipov & Seleznev, "Data on internal rarefied
  // gas flows", J. Phys. Chem. Ref. Data 27, 1998, normalise the Couette stress; derived
  // in docs/validation.md, "Walls"). On the grid the same sum holds with the discrete
  // Maxwellians: the steady state of the discrete scheme is exactly that distribution.
  const double U = 0.1, T = 1.0, L = 6.0;
  const int n = 16;
  const std::string name = "walls_couette_fm";
  const auto dir = scratch(name);
  const Result r = run_strata("run " + source("cases/couette.json") +
                              " --set knudsen=1e6 --set mesh.ny=10 --set time.end=8 -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto rows = read_csv(dir / "out" / "probe_center.csv");
  const double rho = rows.rows.back()[1], pxy = rows.rows.back()[9];

  // The discrete steady state's stress from the discrete wall Maxwellians.
  const strata::toolkit::VelocityGrid grid{n, L};
  std::vector<double> top(grid.size()), bottom(grid.size());
  REQUIRE(strata::toolkit::discrete_maxwellian(grid, 1.0, 1.0, {U, 0, 0}, T, top.data()).converged);
  REQUIRE(strata::toolkit::discrete_maxwellian(grid, 1.0, 1.0, {-U, 0, 0}, T, bottom.data()).converged);
  double discrete = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) {
        const std::size_t p = grid.index(i, j, k);
        discrete += grid.v(i) * grid.v(j) * (grid.v(j) < 0 ? top[p] : bottom[p]);
      }
  discrete *= rho * grid.cell_volume();
  const double closed = -rho * U * std::sqrt(2 * T / std::numbers::pi);
  MESSAGE("free-molecular Couette: Pxy = " << pxy << ", discrete formula " << discrete << ", closed form " << closed);
  // After 8 time units every velocity class has crossed the channel at least 3 times
  // (slowest |v_y| = dv/2 = 0.375); the transient left oscillates by about 2e-6
  // relative between t = 6 and 8, and the collision rate π/2·ρ/knudsen = 1.6e-6 bends
  // the free-molecular state by a few 1e-6 (measured: 4e-6).
  CHECK(pxy == doctest::Approx(discrete).epsilon(2e-5));
  // The grid's half-range flux Σ_{v>0} v M dv is the midpoint rule of ∫_0^∞ v M dv,
  // whose integrand has a kink at 0: Euler–Maclaurin gives the factor 1 + dv²/24
  // (dv = 0.75: 1.0234) with an O(dv⁴) remainder (≈ 7 dv⁴/1920 = 1.2e-3); the full-range
  // sums are spectrally accurate.
  const double dv = grid.dv();
  CHECK(pxy / closed == doctest::Approx(1 + dv * dv / 24).epsilon(2.5e-3));
}

TEST_CASE("walls: the lid-driven cavity conserves mass and turns clockwise (layer 1)") {
  // cases/cavity.json on 6 x 6 cells and 8^3 velocities to t = 1 (under a second): four
  // diffuse walls, the top one moving along +x. Mass crosses no wall (drifts at
  // round-off), and the lid drives a clockwise vortex: u_x > 0 below the lid and < 0
  // above the bottom on x = 1/2, u_y > 0 near the left wall and < 0 near the right on
  // y = 1/2. Measured |u| there at t = 1: 0.056, 0.010, 0.034, 0.032 (lid speed 0.2); the
  // threshold 1e-3 is far above round-off and far below those.
  const std::string name = "walls_cavity";
  const auto dir = scratch(name);
  const std::string probes = R"j('probes=[{"name": "top", "x": 0.5, "y": 0.92}, {"name": "bottom", "x": 0.5, "y": 0.08},
      {"name": "left", "x": 0.08, "y": 0.5}, {"name": "right", "x": 0.92, "y": 0.5}]')j";
  const Result r = run_strata("run " + source("cases/cavity.json") +
                              " --set mesh.nx=6 --set mesh.ny=6 --set velocity.n=8 --set time.end=1"
                              " --set output.snapshots=false --set " + probes + " -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  check_closed_box(name, read_json(dir / "out" / "summary.json"));
  CHECK(last_row(name, "top")[2] > 1e-3);
  CHECK(last_row(name, "bottom")[2] < -1e-3);
  CHECK(last_row(name, "left")[3] > 1e-3);
  CHECK(last_row(name, "right")[3] < -1e-3);
}

TEST_CASE("hybrid: a band of kinetic cells along a Maxwell wall, fluid cells elsewhere, closed box") {
  // Left wall diffuse with a 3-cell band in layer 1; the rest of the box in layer 0 with
  // reflective (slip) sides: the band is forced, the fluid | kinetic faces exchange the
  // moments of the kinetic flux, and mass still crosses no boundary.
  const std::string walls = R"("boundary": {
      "left":   {"type": "wall", "T": 1.1, "uy": 0.2, "band": 3},
      "right":  "reflective", "bottom": "reflective", "top": "reflective"})";
  const auto dir = scratch("walls_hybrid");
  write(dir / "case.json", box_case("hybrid", swirl, walls, "0.1", true));
  const Result r = run_strata("run " + (dir / "case.json").string() +
                              " --set regime.band_layer=1 --set regime.initial=0 -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto regime = read_csv(dir / "out" / "profile_0.1.csv").column("regime");
  CHECK(regime == std::vector<double>{1, 1, 1, 0, 0, 0});
  const auto s = read_json(dir / "out" / "summary.json");
  CHECK(s["conservation"]["mass"].get<double>() < 1e-13);
}

TEST_CASE("walls: a hot obstacle with a Maxwell wall heats the gas and lets no mass through") {
  // A square obstacle with a diffuse wall at T = 2 in a reflective box of gas at T = 1:
  // the obstacle gives energy to the gas (booked, so the energy drift stays at round-off)
  // and, unlike a solid cell acting as a fixed state, takes or gives no mass, so the total
  // mass in history.csv stays constant. Moving by a cell every 4 steps it covers and
  // frees cells (that exchange is booked too).
  for (const char* move : {"", R"(, "move": {"cells": [1, 0], "every": 4})"}) {
    CAPTURE(move);
    const std::string obstacle = R"(, "obstacles": [{"shape": "rectangle", "x": [0.3, 0.55], "y": [0.3, 0.55],
        "rho": 1, "T": 2, "wall": {"T": 2})" + std::string(move) + "}]";
    const auto s = run_case("walls_obstacle", box_case("layer1", R"({"rho": 1, "T": 1})", R"("boundary": "reflective")",
                                                       "0.1", false, obstacle));
    if (std::string(move).empty()) check_closed_box("walls_obstacle", s);
    else check_drifts(s);
    const auto energy = read_csv(scratch_path("walls_obstacle") / "out" / "history.csv").column("energy");
    CHECK(energy.back() > energy.front() * (1 + 1e-3));
  }
}

namespace {
// Gas at rest at T = 1 in a box of walls at T = 1, around an obstacle whose wall is at
// T = 1 too: an equilibrium, whatever the obstacle's own density. The kinetic stencils
// read the wall's ghosts of the gas cells, not the obstacle's Maxwellian (with which
// rho = 3 set the gas moving: 1.6e-4 in rho at a probe by t = 0.5). Collisionless, so
// that the gas does not relax to the collision model's own discrete equilibrium (see
// "gas at rest" above); ~50 steps of O(1) updates: 1e-13.
void check_obstacle_state_unseen(const char* mode) {
  const std::string walls = R"("boundary": {"left": {"type": "wall", "T": 1}, "right": {"type": "wall", "T": 1},
      "bottom": {"type": "wall", "T": 1}, "top": {"type": "wall", "T": 1, "accommodation": 0.3}})";
  const std::string obstacle = R"(, "obstacles": [{"shape": "rectangle", "x": [0.34, 0.66], "y": [0.3, 0.55],
      "rho": 3, "T": 1, "wall": {"T": 1, "accommodation": 0.8}}])";
  std::string text = box_case(mode, R"({"rho": 1, "T": 1})", walls, "0.5", false, obstacle);
  const std::string key = "\"knudsen\": 0.05";
  text.replace(text.find(key), key.size(), "\"knudsen\": 1e6");
  run_case("walls_obstacle_state", text);
  for (const char* probe : {"corner", "side"}) {  // "middle" is in the obstacle
    CAPTURE(probe);
    const auto row = last_row("walls_obstacle_state", probe);
    CHECK(std::abs(row[1] - 1.0) < 1e-13);
    CHECK(std::abs(row[2]) < 1e-13);
    CHECK(std::abs(row[3]) < 1e-13);
    CHECK(std::abs(row[5] - 1.0) < 1e-13);
  }
}
}  // namespace

TEST_CASE("walls: behind an obstacle's wall its own state does not matter (layer 1)") {
  check_obstacle_state_unseen("layer1");
}

TEST_CASE("boltzmann: behind an obstacle's wall its own state does not matter (layer 2)") {
  check_obstacle_state_unseen("layer2");
}

TEST_CASE("walls: an obstacle's wall across the mesh is the domain's wall on the smaller mesh") {
  // The bottom quarter of a periodic column is an obstacle whose wall is that of the
  // other run's bottom side (T, accommodation): its kinetic faces and ghosts are the
  // domain wall's, so the gas above gives the same values. Obstacle walls are at rest.
  const std::string wall = R"({"type": "wall", "T": 1.3, "accommodation": 0.6})";
  const std::string rest = R"j("velocity": {"n": 12, "L": 6}, "knudsen": 0.1, "time": {"end": 0.25},
      "initial": [{"rho": "1 + 0.3*cos(pi*y)", "ux": "0.1*y", "uy": "0.1*sin(pi*y)", "T": "1 + 0.1*y"}],
      "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"},
      "probes": [{"name": "low", "x": 0.06, "y": 0.31}, {"name": "high", "x": 0.06, "y": 0.94}],
      "output": {"snapshots": false, "profiles": false})j";
  run_case("walls_domain_wall", R"({"mesh": {"nx": 1, "ny": 6, "x": [0, 0.125], "y": [0.25, 1],
      "boundary": {"left": "periodic", "right": "periodic", "bottom": )" + wall + R"(, "top": "reflective"}}, )" + rest + "}");
  run_case("walls_obstacle_wall", R"({"mesh": {"nx": 1, "ny": 8, "x": [0, 0.125], "y": [0, 1],
      "boundary": {"left": "periodic", "right": "periodic", "bottom": "reflective", "top": "reflective"}},
      "obstacles": [{"shape": "rectangle", "x": [0, 0.125], "y": [0, 0.25], "rho": 5, "T": 3,
                     "wall": {"T": 1.3, "accommodation": 0.6}}], )" + rest + "}");
  for (const char* probe : {"low", "high"}) {
    CAPTURE(probe);
    const auto a = last_row("walls_domain_wall", probe), b = last_row("walls_obstacle_wall", probe);
    for (std::size_t q = 1; q < 6; ++q) {
      CAPTURE(q);
      CHECK(std::abs(a[q] - b[q]) < 1e-13);  // the same operations (measured: equal)
    }
  }
}

TEST_CASE("walls: an obstacle's wall lets no mass into or out of fluid cells either (layer 0, hybrid without band)") {
  // Fluid faces at an obstacle's wall see the mirror image of the gas, as at a reflective
  // side: the flux through them carries pressure, no mass. (As a fixed state, which it
  // was, the obstacle's dense gas flowed into the box: +19% mass by t = 0.5.) The
  // obstacle's gas is denser than the box's and the box's swirls into it, so any mass a
  // wall face let through would show; 1e-13 as in check_drifts.
  // Three places on the 6 x 6 mesh (cells of 1/6): inside; one gas cell from a reflective
  // side (the side's second ghost then mirrors the obstacle's cell); at a periodic side
  // (its image beyond the other side is behind the wall too, for fluid and kinetic faces).
  struct Layout {
    const char* name;
    const char* x;
    const char* boundary;
  };
  const Layout layouts[] = {
      {"inside", "[0.3, 0.55]", R"("boundary": "reflective")"},
      {"beside_side", "[0.7, 0.8]", R"("boundary": "reflective")"},
      {"periodic", "[0.85, 1.0]",
       R"("boundary": {"left": "periodic", "right": "periodic", "bottom": "reflective", "top": "reflective"})"}};
  for (const Layout& at : layouts)
    for (const char* mode : {"layer0", "hybrid"}) {
      CAPTURE(at.name);
      CAPTURE(mode);
      const std::string obstacle = std::string(R"(, "obstacles": [{"shape": "rectangle", "x": )") + at.x +
                                   R"(, "y": [0.3, 0.55], "rho": 2, "T": 1.5, "wall": {"T": 1.5}}])";
      const std::string name = std::string("walls_obstacle_fluid_") + at.name + "_" + mode;
      const auto dir = scratch(name);
      write(dir / "case.json", box_case(mode, swirl, at.boundary, "0.1", false, obstacle));
      const Result r = run_strata("run " + (dir / "case.json").string() +
                                  " --set regime.initial=0 --set regime.band=0"
                                  " --set 'indicator={\"plugin\":\"realizability\"}' -q --out " + (dir / "out").string());
      REQUIRE_MESSAGE(r.exit_code == 0, r.output);
      check_closed_box(name, read_json(dir / "out" / "summary.json"));
    }
}

TEST_CASE("walls: a layer0 run says that its walls' temperature and velocity act on no cell") {
  // Fluid cells see a wall as a reflective side: the Couette plates move and the gas
  // stays at rest, which the user is told once for both plates.
  const std::string validate = "validate " + source("cases/couette.json") +
                               " --set regime.mode=layer0 --set 'fluid={\"plugin\":\"euler\"}'";
  Result r = run_strata(validate);
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(has(r, "couette.json: /mesh/boundary/bottom, /mesh/boundary/top: in a layer0 run a wall is a reflective "
               "(slip) side: its temperature and velocity act only on kinetic cells, and this run has none"));
  r = run_strata(validate + " --set 'mesh.boundary.bottom={\"type\":\"wall\"}'"
                            " --set 'mesh.boundary.top={\"type\":\"wall\"}'");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK_FALSE(has(r, "in a layer0 run a wall"));  // walls without T or velocity: nothing lost
}

TEST_CASE("hybrid: a band along a diffuse wall of 0 cells, or held in layer 0, is warned about") {
  // Fluid cells beside the wall would see a slip side, on which T and u act not at all.
  const std::string hybrid = "validate " + source("cases/couette.json") +
                             " --set regime.mode=hybrid --set 'fluid={\"plugin\":\"euler\"}'"
                             " --set 'indicator={\"plugin\":\"realizability\"}'"
                             " --set 'boltzmann={\"plugin\":\"boltzmann_fft\"}'";
  Result r = run_strata(hybrid + " --set mesh.boundary.top.band=0");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(has(r, "couette.json: /mesh/boundary/top: no band holds the cells beside this diffuse wall kinetic (its band "
               "is 0): where the indicator leaves them fluid they see a reflective (slip) side"));
  r = run_strata(hybrid + " --set regime.band_layer=0");
  CHECK(has(r, "couette.json: /mesh/boundary/bottom, /mesh/boundary/top: no band holds the cells beside this diffuse "
               "wall kinetic (regime.band_layer is 0)"));
  r = run_strata(hybrid);
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK_FALSE(has(r, "no band holds"));
}

TEST_CASE("bad input: wall accommodation out of range, a normal wall velocity") {
  const auto dir = scratch("walls_bad");
  write(dir / "case.json", R"({"mesh": {"nx": 4, "ny": 4, "boundary": {
      "left": {"type": "wall", "T": 1, "accommodation": 1.5},
      "right": {"type": "wall", "T": 1, "ux": 0.1},
      "bottom": {"type": "wall"}, "top": "reflective"}},
    "time": {"end": 0.1}, "initial": [{"rho": 1, "T": 1}],
    "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"}})");
  const Result r = run_strata("validate " + (dir / "case.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/boundary/left/accommodation: expected number in [0, 1], got 1.5"));
  CHECK(has(r, "/mesh/boundary/right/ux: expected 0 (a wall moves along itself; ux is normal to the left and right sides), got 0.1"));
}

TEST_CASE("walls: without T a wall takes the initial temperature next to it, which must be uniform") {
  // A box at rest at T = 1.3 whose walls and obstacle wall give no T: they take 1.3 and
  // the gas stays at rest (the equilibrium of the test above, collisionless: round-off;
  // the solid cell holds the gas's state, since the CWENO stencils of its faces read it).
  const std::string walls = R"("boundary": {"type": "wall", "accommodation": 0.6})";
  const std::string obstacle = R"(, "obstacles": [{"shape": "rectangle", "x": [0.3, 0.5], "y": [0.3, 0.5],
                                       "rho": 0.7, "T": 1.3, "wall": {"accommodation": 1}}])";
  std::string text = box_case("layer1", R"({"rho": 0.7, "T": 1.3})", walls, "0.5", false, obstacle);
  text.replace(text.find("\"knudsen\": 0.05"), 15, "\"knudsen\": 1e6");
  run_case("walls_default_T", text);
  for (const char* probe : {"corner", "side"}) {
    CAPTURE(probe);
    const auto row = last_row("walls_default_T", probe);
    CHECK(std::abs(row[1] - 0.7) < 1e-13);
    CHECK(std::abs(row[5] - 1.3) < 1e-13);
  }
  // Warmer gas along the left side, hotter cells in the obstacle: no one temperature.
  const auto dir = scratch("walls_default_T_bad");
  write(dir / "case.json", box_case("layer1", R"({"rho": 0.7, "T": "1 + 0.1*y"})", walls, "0.5", false,
                                    R"(, "obstacles": [{"shape": "rectangle", "x": [0.2, 0.6], "y": [0.3, 0.5],
                                       "rho": 2, "T": "1 + x", "wall": {"accommodation": 1}}])"));
  const Result r = run_strata("validate " + (dir / "case.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/boundary/T: not given, and the initial temperature next to the left wall varies from 1.00833 "
               "to 1.09167; give the wall's temperature"));
  CHECK(has(r, "/obstacles/0/wall/T: not given, and the initial temperature of the obstacle varies"));
}

TEST_CASE("walls: a polygon obstacle is the staircase of the cells whose centres it holds") {
  // Triangle (0.2, 0.1), (0.8, 0.1), (0.5, 0.9): at the profile row's centre y = 7/12 its
  // edges are at x = 0.381 and 0.619, so of the centres 1/12, 3/12, ..., 11/12 the third
  // and fourth are solid.
  const auto dir = scratch("walls_polygon");
  write(dir / "case.json", box_case("layer0", R"({"rho": 1, "T": 1})", R"("boundary": "reflective")", "0.05", true,
                                    R"(, "obstacles": [{"shape": "polygon", "vertices": [[0.2, 0.1], [0.8, 0.1], [0.5, 0.9]],
                                          "rho": 1, "T": 1}])"));
  const Result r = run_strata("run " + (dir / "case.json").string() + " -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(read_csv(dir / "out" / "profile_0.05.csv").column("regime") == std::vector<double>{0, 0, -1, -1, 0, 0});
}

TEST_CASE("bad input: a self-intersecting polygon, a vertex outside the mesh") {
  const auto dir = scratch("walls_bad_polygon");
  write(dir / "case.json", R"({"mesh": {"nx": 4, "ny": 4, "boundary": "reflective"},
    "time": {"end": 0.1}, "initial": [{"rho": 1, "T": 1}],
    "obstacles": [{"shape": "polygon", "vertices": [[0.1, 0.1], [0.5, 0.5], [0.5, 0.1], [0.1, 0.5]], "rho": 1, "T": 1},
                  {"shape": "polygon", "vertices": [[0.1, 0.1], [1.5, 0.1], [0.5, 0.5]], "rho": 1, "T": 1},
                  {"shape": "rectangle", "x": [0.6, 0.8], "y": [0.6, 0.8], "rho": 1, "T": 1, "wall": {"accommodation": 0.5}}],
    "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})");
  const Result r = run_strata("validate " + (dir / "case.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/obstacles/0/vertices: expected a simple polygon (edges 0 and 2 meet away from a shared vertex)"));
  CHECK(has(r, "/obstacles/1/vertices/1: expected a vertex inside the mesh [0, 1] x [0, 1], got [1.5,0.1]"));
}

TEST_CASE("walls: Couette flow with time.steady ends at its steady state, with a uniform shear stress") {
  // ES-BGK Couette (Kn = 0.1): the residual (history.csv) decays exponentially once the
  // shear wave has crossed the channel; the run ends after the first step below
  // time.steady that measured the distributions too (every 10th), with its outputs and a
  // checkpoint at that time instead of time.end.
  const auto dir = scratch("walls_couette_steady");
  const double tolerance = 1e-4;
  const Result r = run_strata("run " + source("cases/couette.json") +
                              " --set mesh.ny=10 --set velocity.n=12 --set time.steady=1e-4 --set output.profiles=true"
                              " -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto s = read_json(dir / "out" / "summary.json");
  CHECK(s["status"] == "completed");
  REQUIRE(s["steady"]["reached"] == true);
  const double t = s["steady"]["t"].get<double>();
  CHECK(t < 8.0);
  CHECK(s["final_time"].get<double>() == t);
  CHECK(s["steady"]["output_times_not_written"] == nlohmann::json::array({8.0}));
  const Table history = read_csv(dir / "out" / "history.csv");
  const auto residual = history.column("residual");
  REQUIRE(residual.size() > 3);
  CHECK(std::isnan(residual[0]));  // no step yet
  const long steps = s["steps"].get<long>();
  CHECK(steps % 10 == 0);
  CHECK(residual.back() < tolerance);
  CHECK(residual[residual.size() - 11] >= tolerance);  // the measuring step before did not end it
  CHECK(residual[residual.size() / 2] > 10 * tolerance);
  CHECK(std::filesystem::exists(dir / "out" / ("checkpoint_" + std::to_string(steps) + ".h5")));
  CHECK(s["steady"]["residual"].get<double>() == residual.back());
  CHECK_MESSAGE(std::filesystem::exists(dir / "out" / ("profile_" + strata::toolkit::format_number(t) + ".csv")),
                "the outputs at the steady time");
  // Steady means what it says: the shear stress at the centre equals that of the same run
  // taken on to time.end = 8, to the state's remaining change. With the residual r below
  // 1e-4 per unit time and decaying as e^(-t/τ) (τ ≈ 0.75 here, read off history.csv),
  // what is left to change is about r τ = 7.5e-5 of the scale ρ(|u| + √T) ≈ 1, i.e. about
  // 1% of Pxy ≈ 8e-3; measured 0.27%.
  const Result full = run_strata("run " + source("cases/couette.json") +
                                 " --set mesh.ny=10 --set velocity.n=12 -q --out " + (dir / "full").string());
  REQUIRE_MESSAGE(full.exit_code == 0, full.output);
  const double steady = read_csv(dir / "out" / "probe_center.csv").rows.back()[9];
  const double later = read_csv(dir / "full" / "probe_center.csv").rows.back()[9];
  MESSAGE("Couette centre Pxy at the steady time t = " << t << ": " << steady << ", at t = 8: " << later);
  CHECK(std::abs(steady - later) <= 1e-2 * std::abs(later));
}
