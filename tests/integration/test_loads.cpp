// The boundary loads (docs/user_guide.md §6.8) through the real program: pressure, shear
// and heat flux on walls against closed forms (free-molecular flow onto a diffuse
// wall, gas at rest, Couette flow), the balance of forces and of heat with the walls'
// work, the files and the coefficients, and bad input; and the pressure sides (§3.2),
// whose mass flow the loads measure.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "run_strata.hpp"
#include "strata/toolkit/maxwellian.hpp"

using namespace strata::test;
namespace fs = std::filesystem;

namespace {

// The rows of a surface file whose part is `part`, by column name (the first column,
// the part, is text).
std::vector<std::map<std::string, double>> surface_rows(const fs::path& file, const std::string& part) {
  std::ifstream in(file);
  std::vector<std::string> names;
  std::string line;
  std::getline(in, line);
  for (std::size_t at = 0, comma; at <= line.size(); at = comma + 1) {
    comma = line.find(',', at);
    if (comma == std::string::npos) comma = line.size();
    names.push_back(line.substr(at, comma - at));
  }
  std::vector<std::map<std::string, double>> rows;
  while (std::getline(in, line)) {
    std::size_t comma = line.find(',');
    if (line.substr(0, comma) != part) continue;
    std::map<std::string, double> row;
    for (std::size_t k = 1; k < names.size(); ++k) {
      const std::size_t at = comma + 1;
      comma = line.find(',', at);
      row[names[k]] = std::stod(line.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    }
    rows.push_back(row);
  }
  return rows;
}

std::string header(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

TEST_CASE("loads: free-molecular flow onto a diffuse wall has the closed-form pressure, shear and heat flux") {
  // A stream (rho, U normal to the wall, V along it, T) enters on the left and meets a
  // diffuse wall at T_w on the right; knudsen = 1e6: no collisions. The molecules that
  // arrive at the wall are the stream's half with v_x > 0 (a uniform state upwind of the
  // wall stays uniform in the scheme), and the wall re-emits their mass flux N as its
  // half-range Maxwellian. Per unit area, from the half-range moments of the stream
  // (s = U / sqrt(2T); erfc-type integrals I_k = ∫_0^∞ x^k exp(-(x - s)²) dx):
  //   N = rho sqrt(2T/π) I_1,  P = 2 rho T I_2 / sqrt(π),  E = rho (2T)^{3/2} I_3 / (2 sqrt(π)) + N (V² + 2T) / 2,
  //   p = P + N sqrt(π T_w / 2),  tau = V N,  heat = E - 2 T_w N
  // (the free-molecular surface fluxes for a diffuse wall, as in Bird, "Molecular Gas
  // Dynamics and the Direct Simulation of Gas Flows", 1994).
  const double rho = 1.0, U = 0.8, V = 0.5, T = 1.0, Tw = 1.5, L = 6.0;
  const int n = 16;
  const auto out = run_in_scratch("loads_free_molecular", R"({"mesh": {"nx": 8, "ny": 1, "x": [0, 0.1], "y": [0, 0.0125],
    "boundary": {"left": {"type": "inflow", "rho": 1, "ux": 0.8, "uy": 0.5, "T": 1},
                 "right": {"type": "wall", "accommodation": 1, "T": 1.5}, "bottom": "periodic", "top": "periodic"}},
    "velocity": {"n": 16, "L": 6}, "knudsen": 1e6, "time": {"end": 2},
    "initial": [{"rho": 1, "ux": 0.8, "uy": 0.5, "T": 1}], "regime": {"mode": "layer1"},
    "kinetic": {"plugin": "esbgk"}, "output": {"snapshots": false, "profiles": false}})");
  const auto rows = surface_rows(out / "surface_2.csv", "right");
  REQUIRE(rows.size() == 1);
  const double mass = rows[0].at("mass"), p = rows[0].at("p"), tau = rows[0].at("tau"), heat = rows[0].at("heat");
  CHECK(rows[0].at("nx") == 1);  // the normal into the wall
  CHECK(std::abs(mass) < 1e-13);  // the wall lets no mass through (1e-13: O(1) fluxes)

  // The same sums on the grid, from the discrete Maxwellians of stream and wall.
  const strata::toolkit::VelocityGrid grid{n, L};
  std::vector<double> stream(grid.size()), wall(grid.size());
  REQUIRE(strata::toolkit::discrete_maxwellian(grid, rho, 1.0, {U, V, 0}, T, stream.data()).converged);
  REQUIRE(strata::toolkit::discrete_maxwellian(grid, 1.0, 1.0, {0, 0, 0}, Tw, wall.data()).converged);
  double N = 0, P = 0, S = 0, E = 0, Nw = 0, Pw = 0, Ew = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) {
        const std::size_t q = grid.index(i, j, k);
        const double vx = grid.v(i), e = 0.5 * (vx * vx + grid.v(j) * grid.v(j) + grid.v(k) * grid.v(k));
        if (vx > 0) {
          N += vx * stream[q];
          P += vx * vx * stream[q];
          S += vx * grid.v(j) * stream[q];
          E += vx * e * stream[q];
        } else {
          Nw -= vx * wall[q];
          Pw += vx * vx * wall[q];
          Ew -= vx * e * wall[q];
        }
      }
  const double dv3 = grid.cell_volume();
  N *= dv3, P *= dv3, S *= dv3, E *= dv3, Nw *= dv3, Pw *= dv3, Ew *= dv3;
  MESSAGE("free-molecular wall: p = " << p << ", tau = " << tau << ", heat = " << heat << "; on the grid "
                                      << P + N * Pw / Nw << ", " << S << ", " << E - N * Ew / Nw);
  // The collision rate ~ rho T / knudsen = 1e-6 over t = 2 bends the state by ~1e-6.
  CHECK(p == doctest::Approx(P + N * Pw / Nw).epsilon(1e-5));
  CHECK(tau == doctest::Approx(S).epsilon(1e-5));
  CHECK(std::abs(heat - (E - N * Ew / Nw)) < 1e-5 * E);

  // The closed forms. The grid's half-range sums are the midpoint rule of integrals
  // over v_x > 0 whose integrand has a kink at 0: by Euler–Maclaurin a sum of g is
  // ∫ g + dv²/24 g'(0) + O(dv⁴). Only the mass fluxes have g'(0) ≠ 0 (g = v_x f:
  // g'(0) = f_x(0), the marginal at v_x = 0); with that term in, what is left is O(dv⁴)
  // (7 dv⁴/5760 g'''(0) ≈ 4e-4 at dv = 0.75), so 2e-3 of the incident fluxes.
  const double pi = std::numbers::pi, s = U / std::sqrt(2 * T), dv = grid.dv(), e2 = std::exp(-s * s),
               erf1 = 1 + std::erf(s);
  const double I1 = 0.5 * e2 + std::sqrt(pi) / 2 * s * erf1, I2 = s / 2 * e2 + std::sqrt(pi) / 4 * (1 + 2 * s * s) * erf1,
               I3 = 0.5 * (s * s + 1) * e2 + std::sqrt(pi) / 4 * s * (2 * s * s + 3) * erf1;
  const double N_c = rho * std::sqrt(2 * T / pi) * I1 + dv * dv / 24 * rho * std::exp(-U * U / (2 * T)) / std::sqrt(2 * pi * T);
  const double P_c = 2 * rho * T * I2 / std::sqrt(pi);
  const double E_c = rho * std::pow(2 * T, 1.5) * I3 / (2 * std::sqrt(pi)) + 0.5 * N_c * (V * V + 2 * T);
  const double ew = dv * dv / (24 * Tw);  // the wall's own half-range mass flux, sqrt(Tw / 2π) (1 + ew)
  const double p_c = P_c + N_c * (Tw / 2) / (std::sqrt(Tw / (2 * pi)) * (1 + ew));
  const double heat_c = E_c - N_c * Tw * (2 + ew) / (1 + ew);
  MESSAGE("closed form: p = " << p_c << ", tau = " << V * N_c << ", heat = " << heat_c);
  CHECK(p == doctest::Approx(p_c).epsilon(2e-3));
  CHECK(tau == doctest::Approx(V * N_c).epsilon(2e-3));
  CHECK(std::abs(heat - heat_c) < 2e-3 * E_c);
}

TEST_CASE("loads: gas at rest presses on every wall with its pressure, in layers 0, 1 and 2") {
  // A closed box of gas at rest at the walls' temperature is an exact equilibrium of the
  // discrete walls; the momentum flux through each wall face is then the discrete
  // Maxwellian's Σ v_n² M, which is rho T to round-off (its energy is matched and the
  // grid is the same along each axis), and in layer 0 the Riemann solver's pressure
  // between the cell and its mirror image, exactly p. Round-off: 1e-13 of O(1) sums.
  // Collisionless (knudsen 1e6): ES-BGK's own discrete equilibrium differs from the
  // walls' Maxwellian by ~1e-11 (test_walls.cpp), which would show as heat.
  const double rho = 0.7, T = 1.3, p = rho * T;
  for (const char* mode : {"layer0", "layer1", "layer2"}) {
    CAPTURE(mode);
    const auto out = run_in_scratch(std::string("loads_rest_") + mode, R"({"mesh": {"nx": 4, "ny": 3, "x": [0, 1], "y": [0, 0.6],
      "boundary": {"left": {"type": "wall", "accommodation": 1, "T": 1.3}, "right": {"type": "wall", "accommodation": 0.4, "T": 1.3},
                   "bottom": "reflective", "top": {"type": "wall", "accommodation": 0.9, "T": 1.3}}},
      "velocity": {"n": 8, "L": 6}, "knudsen": 1e6, "time": {"end": 0.1},
      "initial": [{"rho": 0.7, "T": 1.3}], "regime": {"mode": ")" + std::string(mode) + R"("},
      "fluid": {"plugin": "euler"}, "kinetic": {"plugin": "esbgk"}, "boltzmann": {"plugin": "boltzmann_fft"},
      "output": {"snapshots": false, "profiles": false}})");
    for (const char* part : {"left", "right", "bottom", "top"}) {
      CAPTURE(part);
      const auto rows = surface_rows(out / "surface_0.1.csv", part);
      CHECK(rows.size() == (part[0] == 'l' || part[0] == 'r' ? 3u : 4u));
      for (const auto& r : rows) {
        CHECK(r.at("p") == doctest::Approx(p).epsilon(1e-13));
        CHECK(std::abs(r.at("tau")) < 1e-13);  // no shear
        CHECK(std::abs(r.at("heat")) < 1e-13);  // no heat
        CHECK(std::abs(r.at("mass")) < 1e-13);  // no mass
      }
    }
    // Per unit depth: the force of a side is p times its length, outward.
    const auto s = read_json(out / "summary.json")["boundary_loads"];
    CHECK(s["left"]["Fx"].get<double>() == doctest::Approx(-p * 0.6).epsilon(1e-13));
    CHECK(s["right"]["Fx"].get<double>() == doctest::Approx(p * 0.6).epsilon(1e-13));
    CHECK(s["bottom"]["Fy"].get<double>() == doctest::Approx(-p).epsilon(1e-13));
    CHECK(s["top"]["Fy"].get<double>() == doctest::Approx(p).epsilon(1e-13));
    CHECK(s["bottom"]["kind"] == "reflective");
    CHECK(s["top"]["kind"] == "wall");
  }
}

TEST_CASE("loads: Couette flow's plates carry its shear stress, and take the work of the plates as heat") {
  // Free-molecular Couette flow (plates at ±0.1, diffuse, T = 1), at steady state: the
  // shear on each plate is the gas's P_xy (the same at every height), the plates' forces
  // are equal and opposite, and the heat they receive is the work they do on the gas,
  // Σ heat = -Σ u_w F_x. Steady to ~2e-6 at t = 8 (test_walls.cpp's Couette test).
  const auto dir = scratch("loads_couette");
  const Result r = run_strata("run " + source("cases/couette.json") +
                              " --set knudsen=1e6 --set mesh.ny=10 --set time.end=8 -q --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const double pxy = read_csv(dir / "out" / "probe_center.csv").rows.back()[9];
  const auto s = read_json(dir / "out" / "summary.json")["boundary_loads"];
  const double width = 0.05;  // the plates' length in the case (per unit depth)
  const double bottom = s["bottom"]["Fx"].get<double>(), top = s["top"]["Fx"].get<double>();
  CHECK(bottom / width == doctest::Approx(-pxy).epsilon(2e-5));  // the gas drags the bottom plate along +x
  CHECK(top == doctest::Approx(-bottom).epsilon(2e-5));
  const double work = -(-0.1 * bottom + 0.1 * top);  // Σ u_w · (the plate's force on the gas), per unit time
  CHECK(work > 0);
  CHECK(s["bottom"]["heat"].get<double>() + s["top"]["heat"].get<double>() == doctest::Approx(work).epsilon(2e-5));
  CHECK(std::abs(s["bottom"]["mass"].get<double>()) < 1e-14);
  CHECK_FALSE(s.contains("left"));  // periodic sides are no part of the boundary
  const auto rows = surface_rows(dir / "out" / "surface_8.csv", "bottom");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("tau") == doctest::Approx(-pxy).epsilon(2e-5));  // tau along +x on a bottom wall
}

TEST_CASE("loads: an obstacle in a stream, loads.csv, the surface file and the coefficients") {
  // A square obstacle with a Maxwell wall in a uniform stream at Mach ~1.5 (layer 1):
  // the files hold what the user guide says, the coefficients are the loads scaled by
  // the reference state, and the flow's symmetry about y = 0.5 gives zero lift. The gas
  // has mass 2: Cp refers to the reference's pressure, not to rho T.
  const auto out = run_in_scratch("loads_obstacle", R"({"mesh": {"nx": 16, "ny": 16, "x": [0, 1], "y": [0, 1],
      "boundary": {"left": {"type": "inflow", "rho": 1, "ux": 1.5, "T": 1}, "right": "outflow",
                   "bottom": "periodic", "top": "periodic"}},
      "species": [{"name": "heavy", "mass": 2}],
      "obstacles": [{"shape": "rectangle", "x": [0.375, 0.5], "y": [0.375, 0.625], "rho": 1, "T": 1,
                     "wall": {"accommodation": 1, "T": 1}}],
      "velocity": {"n": 8, "L": 5}, "knudsen": 0.1, "time": {"end": 0.1},
      "initial": [{"rho": 1, "ux": 1.5, "T": 1}], "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"},
      "output": {"times": [0.05, 0.1], "snapshots": false, "profiles": false,
                 "reference": {"rho": 1, "speed": 1.5, "p": 0.5, "length": 0.25}}})");
  CHECK_FALSE(fs::exists(out / "surface_0.csv"));  // no step, no loads
  CHECK(fs::exists(out / "surface_0.05.csv"));
  CHECK(header(out / "loads.csv") ==
        "step,t,left_mass,left_Fx,left_Fy,left_Fz,left_heat,right_mass,right_Fx,right_Fy,right_Fz,right_heat,"
        "obstacle0_mass,obstacle0_Fx,obstacle0_Fy,obstacle0_Fz,obstacle0_heat");
  CHECK(header(out / "surface_0.1.csv") == "part,position,x,y,nx,ny,mass,fx,fy,fz,p,tau,heat,Cp,Cf,Ch");
  const Table loads = read_csv(out / "loads.csv");
  const auto s = read_json(out / "summary.json");
  CHECK(loads.rows.size() == s["steps"].get<std::size_t>());  // one row per step, none at t = 0
  const auto obstacle = s["boundary_loads"]["obstacle0"];
  CHECK(obstacle["Fx"].get<double>() == loads.column("obstacle0_Fx").back());  // loads.csv reads back exactly
  CHECK(obstacle["Fx"].get<double>() > 0);  // drag
  CHECK(std::abs(obstacle["Fy"].get<double>()) < 1e-12 * obstacle["Fx"].get<double>());
  const double q = 0.5 * 1.5 * 1.5;  // ½ rho speed²
  CHECK(obstacle["C_x"].get<double>() == doctest::Approx(obstacle["Fx"].get<double>() / (q * 0.25)).epsilon(1e-14));

  // Its faces: 2 x 4 cells, 12 faces, counter-clockwise from the front (-x side) by
  // the angle about its centre (0.4375, 0.5).
  const auto faces = surface_rows(out / "surface_0.1.csv", "obstacle0");
  REQUIRE(faces.size() == 12);
  double fx = 0;
  for (std::size_t k = 0; k < faces.size(); ++k) {
    const auto& f = faces[k];
    CAPTURE(k);
    fx += f.at("fx") / 16;  // times the face's length, dx = dy = 1/16
    CHECK(std::abs(f.at("mass")) < 1e-13);  // no mass through the wall
    CHECK(f.at("Cp") == doctest::Approx((f.at("p") - 0.5) / q).epsilon(1e-14));
    CHECK(f.at("Cf") == doctest::Approx(f.at("tau") / q).epsilon(1e-14));
    CHECK(f.at("Ch") == doctest::Approx(f.at("heat") / (q * 1.5)).epsilon(1e-14));
    const double angle = std::atan2(f.at("y") - 0.5, f.at("x") - 0.4375) * 180 / std::numbers::pi + 180;
    CHECK(f.at("position") == doctest::Approx(std::fmod(angle, 360.0)).epsilon(1e-12));
    if (k > 0) CHECK(f.at("position") >= faces[k - 1].at("position"));
  }
  CHECK(fx == doctest::Approx(obstacle["Fx"].get<double>()).epsilon(1e-13));
  CHECK(faces.front().at("nx") == 1);  // the front face's normal points into the obstacle, along +x
  CHECK(faces.front().at("heat") > 0);  // the stream heats the front (stagnation temperature above the wall's)
  // An open side's momentum flux is no surface pressure: no coefficients there.
  for (const auto& f : surface_rows(out / "surface_0.1.csv", "left")) CHECK(std::isnan(f.at("Cp")));
  CHECK_FALSE(s["boundary_loads"]["left"].contains("C_x"));
}

TEST_CASE("loads: what leaves through the parts is what the domain's totals lose, moving walls and obstacles included") {
  // Σ over steps of Δt Σ_parts (mass, F, heat + u_w·F) is the fall of the domain's
  // mass, momentum and energy (history.csv) to round-off, with inflow and outflow sides,
  // a moving Maxwell wall, a walled obstacle and an obstacle that moves (the gas it
  // covers and frees is its load in the step it moves after). Round-off: 12 steps of
  // O(10) sums, 1e-12 of the totals' scale.
  // With output.history_every = 3 a row is the Δt-weighted mean of the three steps
  // before it (moves included), so the same balance holds over the rows' intervals.
  // history.csv's rows are then those of steps 0, 3, 6, ... and the last, as they are
  // when every step has one.
  std::vector<std::vector<double>> every_step;  // history.csv of the first run: step, mass, energy
  for (const std::string every : {"1", "3"}) {
    CAPTURE(every);
    const auto out = run_in_scratch("loads_balance", R"({"mesh": {"nx": 20, "ny": 12, "x": [0, 1], "y": [0, 0.6],
        "boundary": {"left": {"type": "inflow", "rho": 1, "ux": 0.8, "T": 1}, "right": "outflow",
                     "bottom": {"type": "wall", "accommodation": 0.7, "T": 1.2, "ux": 0.3, "uz": -0.2},
                     "top": "reflective"}},
        "obstacles": [{"shape": "rectangle", "x": [0.3, 0.4], "y": [0.2, 0.4], "rho": 1, "T": 1,
                       "wall": {"accommodation": 1, "T": 0.9}},
                      {"shape": "rectangle", "x": [0.6, 0.7], "y": [0.1, 0.2], "rho": 2, "T": 1.5,
                       "move": {"cells": [0, 1], "every": 4}}],
        "velocity": {"n": 8, "L": 5}, "knudsen": 0.05, "time": {"end": 0.06},
        "initial": [{"rho": 1, "ux": 0.8, "T": 1}], "regime": {"mode": "hybrid", "initial": 0},
        "fluid": {"plugin": "euler"}, "kinetic": {"plugin": "esbgk"}, "boltzmann": {"plugin": "boltzmann_fft"},
        "indicator": {"plugin": "realizability"},
        "output": {"snapshots": false, "profiles": false, "history_every": )" + every + "}}");
    const Table h = read_csv(out / "history.csv"), l = read_csv(out / "loads.csv");
    REQUIRE(l.rows.size() + 1 == h.rows.size());
    REQUIRE(l.rows.size() >= (every == "1" ? 8u : 4u));  // 12 steps: the obstacle has moved
    if (every == "1") {
      every_step = {h.column("step"), h.column("mass"), h.column("energy")};
    } else {
      const auto steps = h.column("step");
      for (std::size_t k = 0; k < h.rows.size(); ++k) {
        const auto s = static_cast<std::size_t>(steps[k]);
        CHECK((s % 3 == 0 || k + 1 == h.rows.size()));
        REQUIRE(s < every_step[0].size());
        CHECK(h.column("mass")[k] == every_step[1][s]);
        CHECK(h.column("energy")[k] == every_step[2][s]);
      }
      CHECK(steps.back() == every_step[0].back());
    }
    const std::vector<std::string> parts = {"left", "right", "bottom", "top", "obstacle0", "obstacle1"};
    const double u_wall[3] = {0.3, 0, -0.2};  // the bottom wall's
    const auto t = l.column("t");
    for (const char* q : {"mass", "momentum_x", "momentum_y", "momentum_z", "energy"}) {
      CAPTURE(q);
      const auto total = h.column(q);
      double left = 0;  // Σ Δt × what left through the parts
      for (std::size_t k = 0; k < l.rows.size(); ++k) {
        double rate = 0;
        for (const auto& part : parts) {
          const auto col = [&](const std::string& c) { return l.column(part + "_" + c)[k]; };
          const std::string name = q;
          if (name == "mass") rate += col("mass");
          else if (name == "momentum_x") rate += col("Fx");
          else if (name == "momentum_y") rate += col("Fy");
          else if (name == "momentum_z") rate += col("Fz");
          else rate += col("heat") + (part == "bottom" ? u_wall[0] * col("Fx") + u_wall[2] * col("Fz") : 0.0);
        }
        left += (t[k] - (k > 0 ? t[k - 1] : 0.0)) * rate;
      }
      const double scale = std::abs(h.column("energy")[0]);
      CHECK(std::abs(total.back() - total.front() + left) < 1e-12 * scale);
    }
  }
}

TEST_CASE("loads: a wall moving along z is Couette flow turned, and its heat is the same") {
  // Plates moving at ∓0.1 along z instead of x: the same flow turned about y (the
  // velocity grid is the same along x and z), so the plates' Fz is the x-flow's Fx and
  // their heat the same, to round-off.
  const auto dir = scratch("loads_couette_z");
  const std::string run = "run " + source("cases/couette.json") + " --set knudsen=0.3 --set mesh.ny=8 --set time.end=1 -q";
  Result r = run_strata(run + " --out " + (dir / "x").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  r = run_strata(run + " --set mesh.boundary.bottom.ux=0 --set mesh.boundary.bottom.uz=-0.1 --set mesh.boundary.top.ux=0"
                       " --set mesh.boundary.top.uz=0.1 --out " + (dir / "z").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto x = read_json(dir / "x" / "summary.json")["boundary_loads"], z = read_json(dir / "z" / "summary.json")["boundary_loads"];
  for (const char* part : {"bottom", "top"}) {
    CAPTURE(part);
    CHECK(z[part]["Fz"].get<double>() == doctest::Approx(x[part]["Fx"].get<double>()).epsilon(1e-12));
    CHECK(z[part]["heat"].get<double>() == doctest::Approx(x[part]["heat"].get<double>()).epsilon(1e-12));
    CHECK(std::abs(x[part]["heat"].get<double>()) > 1e-6);  // the plates' work, heat by t = 1
  }
}

TEST_CASE("loads: across a periodic side an obstacle is one body; a step that fails leaves no loads") {
  // An obstacle against the top side of a box periodic in y: its faces at the bottom of
  // the mesh face its periodic image, and count as its top (about 270 degrees).
  const auto out = run_in_scratch("loads_periodic_obstacle", R"({"mesh": {"nx": 8, "ny": 8, "x": [0, 1], "y": [0, 1],
      "boundary": {"left": "reflective", "right": "reflective", "bottom": "periodic", "top": "periodic"}},
      "obstacles": [{"shape": "rectangle", "x": [0.375, 0.625], "y": [0.75, 1], "rho": 1, "T": 1, "wall": {}}],
      "time": {"end": 0.02}, "initial": [{"rho": 1, "ux": 0.3, "T": 1}], "regime": {"mode": "layer0"},
      "fluid": {"plugin": "euler"}, "output": {"snapshots": false, "profiles": false}})");
  const auto faces = surface_rows(out / "surface_0.02.csv", "obstacle0");
  REQUIRE(faces.size() == 8);  // 2 on each side of the 2 x 2 block
  for (const auto& f : faces) {
    CAPTURE(f.at("y"));
    if (f.at("y") == 0) CHECK(std::abs(f.at("position") - 270) < 45);  // its top, through the side
    if (f.at("y") == 0.75) CHECK(std::abs(f.at("position") - 90) < 45);  // its bottom
  }

  // Two streams flying apart at Mach ~23 (test_bad_input.cpp's vacuum): a step leaves a
  // non-positive temperature and the run fails; the loads it reports are the last good
  // step's, the last row of loads.csv, not those of the step that failed.
  const auto dir = scratch("loads_failed_step");
  std::ofstream(dir / "case.json") << R"j({"mesh": {"nx": 50, "ny": 2}, "time": {"end": 0.05},
      "initial": [{"rho": 1, "ux": "-30*(x < 0.5) + 30*(x >= 0.5)", "T": 1}],
      "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})j";
  const Result r = run_strata("run " + (dir / "case.json").string() + " --out " + (dir / "out").string());
  REQUIRE_MESSAGE(r.exit_code == 3, r.output);
  REQUIRE(has(r, "non-positive"));  // the state check after the step, not a failure inside it
  const auto s = read_json(dir / "out" / "summary.json");
  const Table l = read_csv(dir / "out" / "loads.csv");
  REQUIRE(l.rows.size() == s["steps"].get<std::size_t>());
  REQUIRE(!l.rows.empty());
  CHECK(s["boundary_loads"]["left"]["Fx"].get<double>() == l.column("left_Fx").back());
  CHECK(s["boundary_loads"]["right"]["heat"].get<double>() == l.column("right_heat").back());
}

TEST_CASE("loads: coefficients asked for an obstacle without a wall are warned about") {
  // The paper's obstacles are fixed states that take in and give out gas: not a body.
  const Result r = run_strata("validate " + source("cases/rect_obstacle.json") +
                              " --set 'output.reference={\"rho\":1,\"speed\":3,\"p\":1}'");
  CHECK(r.exit_code == 0);
  CHECK_MESSAGE(has(r, "/obstacles/0: no \"wall\": its cells are fixed states"), r.output);
  CHECK_FALSE(has(run_strata("validate " + source("cases/rect_obstacle.json")), "fixed states"));
}

TEST_CASE("loads: output.surface false writes no surface files; a bad reference state is refused naming its key") {
  const std::string base = R"({"mesh": {"nx": 4, "ny": 1, "x": [0, 1], "y": [0, 0.25], "boundary": "reflective"},
      "time": {"end": 0.05}, "initial": [{"rho": 1, "T": 1}], "regime": {"mode": "layer0"},
      "fluid": {"plugin": "euler"}, "output": {"snapshots": false, "profiles": false)";
  const auto out = run_in_scratch("loads_no_surface", base + R"(, "surface": false}})");
  CHECK(fs::exists(out / "loads.csv"));
  for (const auto& e : fs::directory_iterator(out)) CHECK(e.path().filename().string().rfind("surface_", 0) != 0);

  const auto dir = scratch("loads_bad_reference");
  for (const auto& [reference, expected] :
       std::vector<std::pair<std::string, std::string>>{{R"({"rho": 1, "speed": -2, "p": 1})", "/output/reference/speed"},
                                                        {R"({"rho": 1, "p": 1})", "/output/reference/speed: missing"},
                                                        {R"({"rho": 1, "speed": 2, "T": 1})", "/output/reference/T"},
                                                        {R"({"rho": 1, "speed": 1e-300, "p": 1})", "ordinary positive numbers"},
                                                        {R"({"rho": 1e300, "speed": 1e300, "p": 1})", "ordinary positive numbers"},
                                                        {R"(3)", "/output/reference"}}) {
    CAPTURE(reference);
    std::ofstream(dir / "case.json") << base + R"(, "reference": )" + reference + "}}";
    const Result r = run_strata("run " + (dir / "case.json").string() + " --out " + (dir / "out").string());
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(has(r, expected), r.output);
  }
}

TEST_CASE("pressure: gas at rest at a pressure side's pressure stays at rest, in layers 0 and 1") {
  // The ghost is the gas beside the side at the side's pressure: the same state, so the
  // uniform gas is an exact equilibrium (fluxes of equal states: round-off). Collisionless
  // (knudsen 1e6): ES-BGK's own discrete equilibrium differs from the discrete Maxwellian
  // the ghost's state is reconstructed as by the sampled Gaussian's quadrature error,
  // ~exp(-2π²T/dv²) = 1e-5 at dv = 1.5, which would drive a flow of that order.
  for (const char* mode : {"layer0", "layer1"}) {
    CAPTURE(mode);
    const auto out = run_in_scratch(std::string("pressure_rest_") + mode, R"({"mesh": {"nx": 6, "ny": 4, "x": [0, 1], "y": [0, 0.5],
        "boundary": {"left": {"type": "pressure", "p": 0.91, "T": 1.3}, "right": {"type": "pressure", "p": 0.91},
                     "bottom": "reflective", "top": "reflective"}},
        "velocity": {"n": 8, "L": 6}, "knudsen": 1e6, "time": {"end": 0.2},
        "initial": [{"rho": 0.7, "T": 1.3}], "regime": {"mode": ")" + std::string(mode) + R"("},
        "fluid": {"plugin": "euler"}, "kinetic": {"plugin": "esbgk"}, "output": {"snapshots": false}})");
    const Table p = read_csv(out / "profile_0.2.csv");
    for (std::size_t k = 0; k < p.rows.size(); ++k) {
      CHECK(p.column("rho")[k] == doctest::Approx(0.7).epsilon(1e-13));
      CHECK(std::abs(p.column("ux")[k]) < 1e-13);
      CHECK(p.column("T")[k] == doctest::Approx(1.3).epsilon(1e-13));
    }
    const auto s = read_json(out / "summary.json")["boundary_loads"];
    CHECK(s["left"]["kind"] == "pressure");
    CHECK(std::abs(s["left"]["mass"].get<double>()) < 1e-13);
  }
}

TEST_CASE("pressure: a channel between two pressures carries a mass flow from high to low, the same at both ends") {
  // Diffuse walls at T = 1, p = 1.2 on the left, 1 on the right, Kn 0.1 (layer 1). The
  // flow settles: what enters on the left leaves on the right. By t = 6 the two mass
  // flows agree to 9e-4 of their size (measured; 1.5e-3 at t = 4: still settling), the
  // pressure falls along the channel, and the cells beside each side sit within 0.5% of
  // its pressure (the jump across the side's half cell).
  const auto out = run_in_scratch("pressure_channel", R"({"mesh": {"nx": 20, "ny": 6, "x": [0, 2], "y": [0, 0.6],
      "boundary": {"left": {"type": "pressure", "p": 1.2, "T": 1}, "right": {"type": "pressure", "p": 1.0},
                   "bottom": {"type": "wall", "T": 1}, "top": {"type": "wall", "T": 1}}},
      "velocity": {"n": 12, "L": 5}, "knudsen": 0.1, "time": {"end": 6},
      "initial": [{"rho": "1.2 - 0.1*x", "T": 1}], "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"},
      "output": {"snapshots": false, "times": [6]}})", "--threads 2");
  const auto s = read_json(out / "summary.json")["boundary_loads"];
  const double in = -s["left"]["mass"].get<double>(), out_flow = s["right"]["mass"].get<double>();
  CHECK(in > 0.05);
  CHECK(std::abs(out_flow - in) < 2e-3 * in);  // 4e-2 at t = 2, 9e-4 at t = 6
  const Table p = read_csv(out / "profile_6.csv");
  const auto pressure = p.column("p");
  for (std::size_t k = 1; k < pressure.size(); ++k) CHECK(pressure[k] < pressure[k - 1]);
  CHECK(std::abs(pressure.front() - 1.2) < 5e-3 * 1.2);  // measured 0.12%
  CHECK(std::abs(pressure.back() - 1.0) < 5e-3);         // measured 0.38%
}

TEST_CASE("pressure: a mixture's side pressure is n T, its species scaled alike; T too hot for the grid is refused") {
  // Masses 1.5 and 1, densities 0.75 and 0.5 at T = 1: n T = 1 where rho T = 1.25. A side
  // at p = 1 holds the mixture at rest (to round-off, collisionless); at p = 1.25 it
  // pushes gas in. Both species are scaled: a side that scaled one only would drive a
  // diffusion flow of each species even at p = 1.
  const std::string mixture = R"({"species": [{"name": "heavy", "mass": 1.5}, {"name": "light", "mass": 1}],
      "mesh": {"nx": 6, "ny": 1, "x": [0, 1], "y": [0, 0.1667], "boundary": {"left": {"type": "pressure", "p": PB, "T": 1},
               "right": "reflective", "bottom": "periodic", "top": "periodic"}},
      "velocity": {"n": 8, "L": 6}, "knudsen": 1e6, "time": {"end": 0.2},
      "initial": [{"rho": [0.75, 0.5], "T": 1}], "regime": {"mode": "layer1"}, "kinetic": {"plugin": "mixture_bgk"},
      "output": {"snapshots": false}})";
  auto with_pressure = [&](const std::string& pb) {
    std::string text = mixture;
    text.replace(text.find("PB"), 2, pb);
    return text;
  };
  auto out = run_in_scratch("pressure_mixture_rest", with_pressure("1"));
  const Table rest = read_csv(out / "profile_0.2.csv");
  for (std::size_t k = 0; k < rest.rows.size(); ++k) {
    CHECK(std::abs(rest.column("ux")[k]) < 1e-13);
    CHECK(rest.column("rho")[k] == doctest::Approx(1.25).epsilon(1e-13));
  }
  const auto h = read_csv(out / "history.csv");
  for (const char* species : {"mass_heavy", "mass_light"})  // no species diffuses in or out
    CHECK(h.column(species).back() == doctest::Approx(h.column(species).front()).epsilon(1e-13));
  out = run_in_scratch("pressure_mixture_push", with_pressure("1.25"));
  CHECK(read_csv(out / "profile_0.2.csv").column("ux")[0] > 1e-3);

  // A side's temperature is a state the kinetic halo reconstructs: the grid must hold it.
  const auto dir = scratch("pressure_hot");
  std::ofstream(dir / "case.json") << R"({"mesh": {"nx": 4, "ny": 1, "boundary": {"left": {"type": "pressure", "p": 60, "T": 60}}},
      "velocity": {"n": 8, "L": 5}, "time": {"end": 0.1}, "initial": [{"rho": 1, "T": 1}],
      "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"}})";
  const Result r = run_strata("validate " + (dir / "case.json").string());
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(has(r, "/mesh/boundary/left, cell (i=-1, j=0): the velocity grid"), r.output);
}

TEST_CASE("pressure: a side's pressure is required and positive; the kind is named among the others") {
  const auto dir = scratch("pressure_bad");
  for (const auto& [side, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"("pressure")", "a pressure side needs its pressure"},
           {R"({"type": "pressure"})", "/mesh/boundary/left/p: missing"},
           {R"({"type": "pressure", "p": -1})", "/mesh/boundary/left/p"},
           {R"({"type": "pressure", "p": 1, "T": 0})", "/mesh/boundary/left/T"},
           {R"({"type": "pressur", "p": 1})", R"("wall", "pressure")"}}) {
    CAPTURE(side);
    std::ofstream(dir / "case.json") << R"({"mesh": {"nx": 4, "ny": 1, "boundary": {"left": )" + side +
                                            R"(}}, "time": {"end": 0.1}, "initial": [{"rho": 1, "T": 1}],
        "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})";
    const Result r = run_strata("validate " + (dir / "case.json").string());
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(has(r, expected), r.output);
  }
}
