// Failure paths of a run (docs/architecture.md §8): whatever stops a run after set-up
// leaves last_good.vti and a failed summary.json, and the message says where.
#include <csignal>
#include <doctest/doctest.h>

#include "run_strata.hpp"

using namespace strata::test;

namespace {

void check_failed_output(const std::filesystem::path& out) {
  CHECK(std::filesystem::exists(out / "last_good.vti"));
  const auto summary = read_json(out / "summary.json");
  CHECK(summary["status"] == "failed");
  CHECK(summary.contains("error"));
}
}  // namespace

TEST_CASE("failures: a collision model that throws stops the run naming plugin, call, step, time and cell") {
  const auto out = scratch("throwing_model");
  const Result r = run_strata("run " + source("cases/conservation_box.json") +
                              " --set regime.mode=layer1 --set mesh.nx=4 --set mesh.ny=4 --set velocity.n=12"
                              " --set 'kinetic={\"plugin\":\"throwing\"}' --plugin-dir " STRATA_TEST_PLUGIN_DIR
                              " --out " + out.string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "step 1 from t = 0"));
  CHECK(has(r, "plugin 'throwing', stage_value: threw: boom in implicit_solve"));
  CHECK(has(r, "cell (i=0, j=0)"));  // every cell fails: the first one is named
  CHECK(has(r, "layer 1 (throwing)"));
  check_failed_output(out);
}

TEST_CASE("failures: an indicator's proposal that is not a layer, a NaN viscosity: the run stops naming plugin and cell") {
  // Before, the proposal was clamped to 0..2 (layer 7: every cell Boltzmann, exit 0) and
  // a NaN viscosity made every kinetic cell fluid, without a word.
  const std::string run = "run " + source("cases/sod.json") +
                          " --set mesh.nx=20 --set mesh.ny=1 --set velocity.n=18 --set time.end=0.01"
                          " --set output.times=[0.01] --set knudsen=1e-2 --plugin-dir " STRATA_TEST_PLUGIN_DIR " --out ";
  auto out = scratch("bad_layer");
  Result r = run_strata(run + out.string() + " --set 'indicator={\"plugin\":\"bad_layer\"}'");
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(has(r, "step 1 from t = 0 failed: plugin 'bad_layer', propose: layer 7 for cell (i=0, j=0)"), r.output);
  CHECK(has(r, "a gas cell's proposal is 0, 1 or 2"));
  check_failed_output(out);
  out = scratch("nan_viscosity");
  r = run_strata(run + out.string() + " --set kinetic.plugin=nan_viscosity" +
                 " --set 'indicator={\"plugin\":\"knudsen_gradient\"}'");
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(has(r, "plugin 'nan_viscosity', transport_coefficients: viscosity nan and conductivity 1 for cell"),
                r.output);
  CHECK(has(r, "(rho = 1, T = 1); both must be finite and positive"));
  check_failed_output(out);
}

TEST_CASE("failures: an indicator's declaration of its inputs and diagnostics is checked before anything runs") {
  const std::string validate = "validate " + source("cases/sod.json") + " --plugin-dir " STRATA_TEST_PLUGIN_DIR +
                               " --set 'indicator={\"plugin\":\"bad_diagnostics\",\"defect\":\"";
  const std::string who = "/cases/sod.json: /indicator: plugin 'bad_diagnostics', ";
  for (const auto& [defect, message] :
       {std::pair<std::string, std::string>{"negative_count", "n_diagnostics() = -1: expected 0 to 64"},
        {"null_name", "diagnostic_name(1) is a null pointer; expected a name"},
        {"duplicate", "diagnostic_name(1) = \"level\" is also diagnostic_name(0); the names must differ"},
        {"bad_name", "diagnostic_name(1) = \"a b\\x01\": expected 1 to 32 letters, digits and _"},
        {"unknown_input", "inputs() = 8: expected a bitwise or of the sdk::indicator_input flags of SDK "}}) {
    const Result r = run_strata(validate + defect + "\"}'");
    CHECK(r.exit_code == 2);
    const std::string seen = defect + ": " + r.output;
    CHECK_MESSAGE(has(r, who + message), seen);
  }
  const Result fine = run_strata(validate + "none\"}'");
  CHECK_MESSAGE(fine.exit_code == 0, fine.output);
}

TEST_CASE("failures: a fatal signal inside a plugin names the plugin and its call") {
  // An indicator reading the viscosity it did not declare in inputs() reads a null pointer:
  // the process ends by SIGSEGV, as before, but standard error says where it came from.
  const auto out = scratch("reads_undeclared");
  const Result r = run_strata("run " + source("cases/sod.json") +
                                  " --set mesh.nx=20 --set mesh.ny=1 --set velocity.n=12 --set time.end=0.01"
                                  " --set output.times=[0.01] --plugin-dir " STRATA_TEST_PLUGIN_DIR " --out " +
                                  out.string() + " --set 'indicator={\"plugin\":\"reads_undeclared\"}'",
                              "ulimit -c 0; ");
  CHECK(r.exit_code == 128 + SIGSEGV);
  CHECK_MESSAGE(has(r, "strata: fatal: an invalid memory access (SIGSEGV) inside plugin 'reads_undeclared', in its call "
                       "propose. The plugin's code failed"),
                r.output);
  CHECK(has(r, "An indicator finds null pointers for the inputs it did not declare in inputs()"));
  CHECK(has(r, "summary.json says \"crashed\" with this report."));
  // The summary the handler leaves: the run's, crashed, with the report as its error.
  const auto summary = read_json(out / "summary.json");
  CHECK(summary["status"] == "crashed");
  CHECK(summary["error"] == "fatal: an invalid memory access (SIGSEGV) inside plugin 'reads_undeclared', in its call propose");
  CHECK(summary["plugins"]["indicator"]["name"] == "reads_undeclared");
}

TEST_CASE("failures: a stack overflow on another thread than the main one is reported as one") {
  // The indicator recurses without end on the second thread of its OpenMP team. Without an
  // alternate signal stack on that thread the handler could not run: the process ended by
  // SIGSEGV with no word, and summary.json said "running".
  const auto out = scratch("deep_recursion");
  const Result r = run_strata("run " + source("cases/sod.json") +
                                  " --set mesh.nx=20 --set mesh.ny=1 --set velocity.n=12 --set time.end=0.01"
                                  " --set output.times=[0.01] --threads 2 --plugin-dir " STRATA_TEST_PLUGIN_DIR " --out " +
                                  out.string() + " --set 'indicator={\"plugin\":\"deep_recursion\"}'",
                              "ulimit -c 0; ");
  CHECK(r.exit_code == 128 + SIGSEGV);
  CHECK_MESSAGE(has(r, "strata: fatal: a stack overflow (SIGSEGV: a recursion without end, or too large an array on "
                       "the stack) inside plugin 'deep_recursion', in its call propose (on another thread than the "
                       "call's: most likely one the plugin started)"),
                r.output);
  const auto summary = read_json(out / "summary.json");
  CHECK(summary["status"] == "crashed");
  CHECK(summary["error"].get<std::string>().starts_with("fatal: a stack overflow (SIGSEGV"));
}

TEST_CASE("failures: a collision model's failure where the grid is coarse for the cell's state says which grid") {
  // n = 8 on [-7, 7] holds each species' Maxwellian (set-up's check), not the mixture
  // model's mixed targets: the run stops at step 1, and the advice, followed, runs.
  const std::string run = "run " + source("cases/mixture_relaxation.json") +
                          " --set time.end=0.02 --set output.times=[0.02] -q --out ";
  const auto out = scratch("coarse_mixture");
  Result r = run_strata(run + out.string() + " --set velocity.n=8");
  CHECK(r.exit_code == 3);
  CHECK(has(r, "layer 1 (mixture_bgk): plugin 'mixture_bgk', stage_value: "));
  CHECK_MESSAGE(has(r, "; if the velocity grid is the cause: it is coarse or narrow for this cell's state (u = ("), r.output);
  CHECK(has(r, "T = 1.225): refine velocity.n to at least 16 (the spacing 2L/n is 1.75"));
  check_failed_output(out);
  r = run_strata(run + scratch("coarse_mixture_advised").string() + " --set velocity.n=16");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
}

TEST_CASE("hybrid: a state the velocity grid cannot hold stops the run cleanly, naming the cell") {
  // Sod's post-shock states do not fit 8 velocity points on [-8, 8]^3: the first cells
  // that switch to a kinetic layer cannot be given a discrete Maxwellian.
  const auto out = scratch("coarse_velocity_grid");
  const Result r = run_strata("run " + source("cases/sod.json") +
                              " --set velocity.n=8 --set mesh.ny=2 --set time.end=0.05"
                              " --set output.times=[0.05] --out " + out.string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "cannot hold a Maxwellian"));
  CHECK(has(r, "cell (i="));
  CHECK(has(r, "from t = "));
  check_failed_output(out);
}

TEST_CASE("failures: a run with kinetic layers refuses a fluid model of another gamma; layer 0 alone takes it") {
  Result r = run_strata("validate " + source("cases/sod.json") + " --set fluid.gamma=1.4");
  CHECK(r.exit_code == 2);  // a problem of the case
  CHECK(has(r, "/fluid: plugin 'euler' describes a gas with internal energy 2.5 n T (gamma = 1.4)"));
  // In layer 0 the fluid model's own gamma holds everywhere, outputs included: the
  // initial left state p = 1, rho = 1 has T = p/n = 1 whatever gamma is.
  const auto out = scratch("gamma_1_4");
  r = run_strata("run " + source("cases/sod.json") + " --set regime.mode=layer0 --set fluid.gamma=1.4"
                 " --set mesh.nx=40 --set mesh.ny=1 --set time.end=0.01 --set output.times=[0.01] --out " +
                 out.string());
  CHECK(r.exit_code == 0);
  const auto profile = read_csv(out / "profile_0.csv");
  REQUIRE(!profile.rows.empty());
  CHECK(profile.column("T").front() == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("failures: a fluid flux that fails names the face, and the plugin's call once") {
  // Two streams leaving x = 0.5 at Mach 20 empty the middle: the Euler flux meets a
  // non-positive pressure after a few steps (faces are computed in blocks of up to 512).
  const auto out = scratch("vacuum_face");
  const Result r = run_strata("run " + source("cases/sod.json") +
                              " --set regime.mode=layer0 --set initial.0.ux=-30 --set initial.1.ux=30"
                              " --set time.end=0.02 --set output.times=[0.02] -q --out " + out.string());
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(has(r, "failed: the face between cell (i=50, j=0) at (x=0.505, y=0.005) and its left neighbour: "
                       "plugin 'euler', face_flux: the state reconstructed on the right of the face has density "),
                r.output);
  CHECK(has(r, "(CWENO3 overshoots beside a near vacuum or a strong shock; a smaller time step, or "
               "fluid.reconstruction \"first_order\", may hold it)"));
}

TEST_CASE("failures: a conservation drift far above round-off is reported once, naming quantity, step and time") {
  // Layer 2 at Kn = 1e-26 multiplies the operator's round-off by dt/Kn: mass drift 2.5e-7
  // after the first step (docs/user_guide.md §6.1); at Kn = 1e-10 it stays near 1e-15.
  const std::string run = "run " + source("cases/sod.json") +
                          " --set mesh.nx=20 --set mesh.ny=4 --set velocity.n=8 --set velocity.L=4"
                          " --set regime.mode=layer2 --set time.end=0.02 --set output.times=[0.02] -q --out ";
  const Result tiny = run_strata(run + scratch("drift_tiny_knudsen").string() + " --set knudsen=1e-26");
  CHECK_MESSAGE(tiny.exit_code == 0, tiny.output);
  CHECK(has(tiny, "conservation: the mass drift has reached "));
  CHECK(has(tiny, " of its scale at step "));  // the first step on this machine (FFTW plans differ)
  CHECK(occurrences(tiny, "conservation: the ") == 1);
  const Result usual = run_strata(run + scratch("drift_usual_knudsen").string() + " --set knudsen=1e-10");
  CHECK_MESSAGE(usual.exit_code == 0, usual.output);
  CHECK_FALSE(has(usual, "conservation: the "));
  // A collision model that loses 1e-3 of f a stage: said at once, naming the layer and
  // its plugin (not layer 2's Knudsen number: this run has no layer 2), and again as the
  // drift passes the next power of 100 it names (3e-3 after the first step, past 1e-2
  // within 20 steps).
  const Result leaky = run_strata("run " + source("cases/conservation_box.json") +
                                  " --set regime.mode=layer1 --set mesh.nx=4 --set mesh.ny=4 --set velocity.n=12"
                                  " --set kinetic.plugin=leaky --plugin-dir " STRATA_TEST_PLUGIN_DIR " -q --out " +
                                  scratch("drift_leaky").string());
  CHECK_MESSAGE(leaky.exit_code == 0, leaky.output);
  CHECK(has(leaky, "at step 1, t = "));
  CHECK(has(leaky, "(layer 1 (leaky): 16 cells); the layers conserve to round-off"));
  CHECK_FALSE(has(leaky, "Knudsen number"));
  CHECK(occurrences(leaky, "conservation: the ") == 2);
  CHECK(has(leaky, "Said again if it passes 0.01"));
  // Restarted after both warnings (the run has 4 steps; the second warning came at step
  // 3), the run warns no more, as the uninterrupted one: the next level follows from the
  // drifts the checkpoint keeps (before, it started again from 1e-8 and warned at step 4).
  const std::string leaky_run = "run " + source("cases/conservation_box.json") +
                                " --set regime.mode=layer1 --set mesh.nx=4 --set mesh.ny=4 --set velocity.n=12"
                                " --set kinetic.plugin=leaky --set output.checkpoint.every_steps=1"
                                " --set output.checkpoint.keep=1000 --plugin-dir " STRATA_TEST_PLUGIN_DIR " -q";
  const Result first = run_strata(leaky_run + " --out " + scratch("drift_leaky_checkpoints").string());
  REQUIRE_MESSAGE(first.exit_code == 0, first.output);
  REQUIRE(occurrences(first, "at step 3, t = ") == 1);
  const Result restarted = run_strata(leaky_run + " --restart " +
                                      (scratch_path("drift_leaky_checkpoints") / "checkpoint_3.h5").string() + " --out " +
                                      scratch("drift_leaky_restarted").string());
  REQUIRE_MESSAGE(restarted.exit_code == 0, restarted.output);
  CHECK_MESSAGE(occurrences(restarted, "conservation: the ") == 0, restarted.output);
}
