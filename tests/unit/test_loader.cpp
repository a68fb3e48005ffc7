#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "plugin_loader.hpp"
#include "strata/sdk/plugin.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/maxwellian.hpp"
#include "strata/toolkit/moments.hpp"

using namespace strata;
using core::PluginCatalog;
using core::PluginError;

namespace {
PluginCatalog test_catalog() { return PluginCatalog({STRATA_TEST_PLUGIN_DIR, STRATA_PLUGIN_BUILD_DIR}); }

std::string load_error(const std::string& name) {
  try {
    test_catalog().load(name);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("loader: an unknown plugin is refused with the available ones listed") {
  const std::string e = load_error("eulerr");
  CHECK(e.find("unknown plugin \"eulerr\"") != std::string::npos);
  CHECK(e.find("euler") != std::string::npos);
  CHECK(e.find("bgk_example") != std::string::npos);
}

TEST_CASE("loader: a name that is a path is refused before any file access") {
  for (const char* name : {"../euler", "/tmp/x", "Euler", "a.so"})
    CHECK(load_error(name).find("invalid plugin name") != std::string::npos);
}

TEST_CASE("loader: a plugin built for another SDK version is refused") {
  const std::string e = load_error("wrong_sdk");
  CHECK(e.find("SDK version 999") != std::string::npos);
  CHECK(e.find("SDK version " + std::to_string(strata::sdk::sdk_version)) != std::string::npos);
}

TEST_CASE("loader: a library without the entry points is refused") {
  CHECK(load_error("not_a_plugin").find("not a Strata plugin") != std::string::npos);
}

TEST_CASE("loader: a plugin object keeps its library alive; calls and errors cross the boundary") {
  core::PluginObject<sdk::CollisionModel> model;
  const toolkit::VelocityGrid grid{12, 6.0};
  const double mass = 1.0;
  {
    const auto library = test_catalog().load("bgk_example");
    CHECK(library->descriptor().kind == sdk::PluginKind::collision_model);
    sdk::SetupInfo setup;
    setup.species_mass = &mass;
    setup.velocity_points = grid.n;
    setup.velocity_bound = grid.L;
    model = library->create<sdk::CollisionModel>(sdk::PluginKind::collision_model,
                                                 R"({"nu": 2.0})", setup);
    // Asking for the wrong kind is an error, not a bad cast.
    CHECK_THROWS_AS(library->create<sdk::FluidModel>(sdk::PluginKind::fluid_model, "{}", setup),
                    PluginError);
  }  // the catalog's handle is gone; the object must still work.
  // Two cells of a far-from-equilibrium (bimodal) gas.
  std::vector<double> f(2 * grid.size()), y(f.size()), M(grid.size());
  toolkit::sampled_maxwellian(grid, mass, 0.6, {1.0, 0.0, 0.0}, 0.5, f.data());
  toolkit::sampled_maxwellian(grid, mass, 0.4, {-1.0, 0.5, 0.0}, 0.8, M.data());
  for (std::size_t k = 0; k < grid.size(); ++k) {
    f[k] += M[k];
    f[grid.size() + k] = 2 * M[k];
  }
  const double h[2] = {0.5, 1e6};
  const auto n = static_cast<std::int64_t>(grid.size());
  model.check(model->implicit_solve({f.data(), 2, n, n}, h, {y.data(), 2, n, n}), "implicit_solve");
  for (int c = 0; c < 2; ++c) {
    const auto a = toolkit::conserved_moments(grid, &f[c * grid.size()]);
    const auto b = toolkit::conserved_moments(grid, &y[c * grid.size()]);
    // BGK relaxation toward the discrete Maxwellian conserves to round-off.
    CHECK(b.rho == doctest::Approx(a.rho).epsilon(1e-13));
    CHECK(b.energy == doctest::Approx(a.energy).epsilon(1e-13));
    for (int d = 0; d < 3; ++d) CHECK(std::abs(b.momentum[d] - a.momentum[d]) < 1e-13);
  }
  // A wrongly sized batch comes back as a status with the plugin's message.
  try {
    model.check(model->implicit_solve({f.data(), 1, 7, 7}, h, {y.data(), 1, 7, 7}), "implicit_solve");
    FAIL("expected an error");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("not N^3 long") != std::string::npos);
  }
}

TEST_CASE("loader: a plugin constructor's exception becomes a clear error") {
  const auto library = test_catalog().load("bgk_example");
  sdk::SetupInfo setup;  // no velocity grid
  const double mass = 1.0;
  setup.species_mass = &mass;
  try {
    library->create<sdk::CollisionModel>(sdk::PluginKind::collision_model, "{\"nu\": 1}", setup);
    FAIL("expected an error");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("needs a velocity grid") != std::string::npos);
  }
}
