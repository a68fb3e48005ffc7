// Malformed cases: exit code 2, one message per bad key, never a crash.
#include <doctest/doctest.h>

#include <fstream>

#include "run_strata.hpp"
#include "strata/sdk/version.hpp"

using namespace strata::test;

TEST_CASE("bad input: several bad keys are reported together and nothing runs") {
  const auto out = scratch("bad_keys");
  const Result r = run_strata("run " + source("cases/sod.json") +
                              " --set regime.mode=layer0 --set mesh.ny=-3 --set time.cfl=x"
                              " --set fluid.plugin=eulr --set output.times=[0.5] --out " + out.string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/ny (set with --set): expected integer in [1, 100000], got -3"));
  CHECK(has(r, "/time/cfl (set with --set): expected number in (0, 1], got \"x\""));
  CHECK(has(r, "unknown plugin \"eulr\"; available fluid models: euler"));
  CHECK(has(r, "/output/times (set with --set): expected a non-empty array of times in (0, time.end = 0.2] (0.5 is "
               "later), got [0.5]"));
  CHECK(has(r, "4 problem(s) found; nothing was run"));
  CHECK_FALSE(std::filesystem::exists(out / "summary.json"));
}

TEST_CASE("bad input: strata compare checks every run and the reference before the first run starts") {
  // Each line names a mistake in a later run of the list, or a reference none of the
  // runs is: the earlier runs (the case runs for 300 steps as given) must not start.
  const auto out = scratch("compare_bad");
  const std::string compare = "compare " + source("cases/sod.json") + " -q --out " + out.string();
  Result r = run_strata(compare + " --modes hybrid,layer7");
  CHECK(r.exit_code == 2);
  // The options are named as options, not as --set lines of the case.
  CHECK(has(r, "compare: --modes: unknown mode \"layer7\"; expected hybrid, layer0, layer1 or layer2"));
  CHECK_FALSE(has(r, "set with --set"));
  r = run_strata(compare + " --modes hybrid,layer2 --indicators realizability,nosuch");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare: --indicators: unknown plugin \"nosuch\"; available indicators: knudsen_gradient, realizability"));
  r = run_strata(compare + " --modes hybrid,layer2 --indicators euler");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare: --indicators: plugin 'euler' is a fluid model, not an indicator"));
  r = run_strata(compare + " --modes hybrid,layer0");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare: --reference \"layer2\" is not among the runs (hybrid, layer0)"));
  CHECK(has(r, "nothing was run"));
  r = run_strata(compare + " --modes hybrid,layer0 --indicators realizability,knudsen_gradient --reference hybrid");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "--reference \"hybrid\" names several runs (hybrid:realizability, hybrid:knudsen_gradient)"));
  r = run_strata(compare + " --modes layer0,layer0 --reference layer0");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare: the run \"layer0\" is asked for twice"));
  r = run_strata(compare + " --modes layer0 --indicators realizability --reference layer0");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "--indicators applies to hybrid runs, and --modes has no hybrid"));
  r = run_strata(compare + " --modes , --reference layer0");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare: --modes is empty"));
  // A set-up check that `strata validate` makes (a velocity grid too small for the
  // initial state), in the second run: found before the first starts.
  r = run_strata(compare + " --modes layer0,layer1 --reference layer1 --set velocity.n=8 --set initial.0.ux=-6");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "compare, run \"layer1\": "));
  CHECK(has(r, "cannot hold a Maxwellian"));
  CHECK(std::filesystem::is_empty(out));  // no run's folder
}

TEST_CASE("bad input: two probes or two species of one name are refused (their files and columns would mix)") {
  Result r = run_strata("validate " + source("cases/sod.json") +
                        " --set 'probes=[{\"name\":\"p\",\"x\":0.1,\"y\":0.1},{\"name\":\"p\",\"x\":0.9,\"y\":0.1}]'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/probes/1/name (set with --set): expected a name no other probe has (/probes/0 has it), got \"p\""));
  r = run_strata("validate " + source("cases/mixture_relaxation.json") + " --set species.1.name=heavy");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/species/1/name (set with --set): expected a name no other species has (/species/0 has it), got \"heavy\""));
}

TEST_CASE("bad input: a --set value that began like JSON is named as taken for text, and only its key is blamed") {
  const Result r = run_strata("validate " + source("cases/sod.json") + " --set time.end=.2");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/time/end (set with --set; not JSON, so taken as text): expected number > 0, got \".2\""));
  CHECK_FALSE(has(r, "/output/times"));  // not checked against a time.end that was not read
  CHECK(has(r, "1 problem(s) found"));
  // The deepest --set covering a key speaks for it.
  const Result nested = run_strata("validate " + source("cases/sod.json") + " --set 'time={\"end\": 0.2}' --set time.cfl=.5");
  CHECK(has(nested, "/time/cfl (set with --set; not JSON, so taken as text): expected number in (0, 1], got \".5\""));
}

TEST_CASE("bad input: an obstacle that misses the mesh or leaves it is reported; one that fills it is refused") {
  const std::string rect = "validate " + source("cases/rect_obstacle.json");
  Result r = run_strata(rect + " --set obstacles.0.x=[2,3]");  // the mesh is [0, 1]²
  CHECK(r.exit_code == 0);
  CHECK(has(r, "/obstacles/0 covers no cell centre of the mesh: it has no effect"));
  // The same with a wall that takes its temperature from the obstacle's cells: there are
  // none, and the wall is not placed (it was refused with T = -inf).
  r = run_strata(rect + " --set obstacles.0.x=[2,3] --set regime.mode=layer1 --set velocity.n=8"
                        " --set 'obstacles.0.wall={\"accommodation\":1}'");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(has(r, "/obstacles/0 covers no cell centre of the mesh: it has no effect"));
  // ... unless it moves onto the mesh later, where its wall needs a temperature.
  r = run_strata(rect + " --set obstacles.0.x=[-0.3,-0.2] --set regime.mode=layer1 --set velocity.n=8"
                        " --set 'obstacles.0.wall={\"accommodation\":1}'"
                        " --set 'obstacles.0.move={\"cells\":[1,0],\"every\":1}'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/obstacles/0/wall/T: not given, and the obstacle covers no cell at t = 0 to take the temperature "
               "from (it moves onto the mesh later); give the wall's temperature"));
  CHECK(has(r, "/obstacles/0 covers no cell centre of the mesh at t = 0: it acts only once its moves bring it onto "
               "the mesh"));
  CHECK_FALSE(has(r, "it has no effect"));
  // A diffuse side wall without T beside which obstacles cover every cell at t = 0: its
  // temperature cannot be taken from the gas, and moving obstacles may uncover it (it was
  // silently left out, a specular wall).
  const std::string covered = rect + " --set regime.mode=layer1 --set velocity.n=8"
      " --set 'mesh.boundary={\"left\":\"periodic\",\"right\":\"periodic\",\"bottom\":{\"type\":\"wall\"},"
      "\"top\":{\"type\":\"wall\",\"T\":1}}' --set 'obstacles=[{\"shape\":\"rectangle\",\"x\":[0,1],\"y\":[0,0.2],"
      "\"rho\":1,\"T\":2";
  r = run_strata(covered + ",\"move\":{\"cells\":[0,1],\"every\":3}}]'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/boundary/bottom/T: not given, and obstacles cover every cell beside the bottom side at t = 0"));
  // A fixed obstacle never uncovers it: the wall is never met, and nothing is refused.
  r = run_strata(covered + "}]'");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  r = run_strata(rect + " --set 'probes=[{\"name\":\"in\",\"x\":0.4,\"y\":0.5}]'");  // inside the rectangle
  CHECK(r.exit_code == 0);
  CHECK(has(r, "/probes/0 (\"in\") lies in an obstacle's cell (i=40, j=50): it records the obstacle's fixed state"));
  // compare sets up each run twice (planning, running): the same warning is given once.
  r = run_strata("compare " + source("cases/rect_obstacle.json") +
                 " --modes layer0,hybrid --reference layer0 --set mesh.nx=20 --set mesh.ny=20 --set velocity.n=8"
                 " --set time.end=0.005 --set output.times=[0.005] --set obstacles.0.x=[2,3] -q --out " +
                 scratch("compare_warns_once").string());
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(occurrences(r, "/obstacles/0 covers no cell centre of the mesh") == 1);
  r = run_strata(rect + " --set obstacles.0.x=[-1,2] --set obstacles.0.y=[-1,2]");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/obstacles cover every cell of the mesh: there is no gas to compute"));
  // 3 cells a step from x = 0.2 on 20 cells of 0.05: past x = 1 after the sixth step.
  r = run_strata("run " + source("cases/moving_object.json") +
                 " --set mesh.nx=20 --set mesh.ny=20 --set regime.mode=layer0 --set obstacles.0.move.cells=[3,0]"
                 " --set obstacles.0.move.every=1 --set time.end=0.05 --set output.times=[0.05] -q --out " +
                 scratch("obstacle_leaves").string());
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(has(r, "/obstacles/0 has moved off the mesh after step 6: it no longer acts on the flow"));
}

TEST_CASE("bad input: an inflow, obstacle or wall state the velocity grid cannot hold is refused at set-up, by key") {
  // Found by validate, not at the first step that reconstructs it in the kinetic halo.
  const std::string small = " --set velocity.n=8 --set time.end=0.01 --set output.times=[0.01]";
  Result r = run_strata("validate " + source("cases/sod.json") + small + " --set velocity.n=16 --set regime.mode=layer1" +
                        " --set 'mesh.boundary={\"left\":{\"type\":\"inflow\",\"rho\":1,\"ux\":50,\"T\":1},"
                        "\"right\":\"outflow\"}'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/boundary/left, cell (i=-1, j=0): the velocity grid (16 points on [-8, 8]^3) cannot hold a "
               "Maxwellian with rho = 1, u = (50, 0, 0), T = 1"));
  const std::string obstacle = " --set 'obstacles.0={\"shape\":\"rectangle\",\"x\":[0.35,0.45],\"y\":[0.35,0.65],"
                               "\"rho\":1,\"T\":1e-300}'";
  r = run_strata("validate " + source("cases/rect_obstacle.json") + small + obstacle);
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/obstacles/0, cell (i=35, j=35): the velocity grid"));
  r = run_strata("validate " + source("cases/rect_obstacle.json") + small + obstacle + " --set regime.mode=layer0");
  CHECK_MESSAGE(r.exit_code == 0, r.output);  // no kinetic layer reconstructs it
  r = run_strata("validate " + source("cases/couette.json") + small + " --set mesh.boundary.top.ux=100");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "couette.json: /mesh/boundary/top: the velocity grid (8 points on [-6, 6]^3) cannot hold the Maxwellian "
               "the wall re-emits, at u = (100, 0, 0), T = 1"));
}

TEST_CASE("bad input: output times that would share a profile's name are refused; checkpoint keep alone is taken") {
  Result r = run_strata("validate " + source("cases/sod.json") + " --set time.end=0.01 --set output.times=[0.005,0.0050000001]");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/output/times (set with --set): expected times that differ in their first six digits (two print as "
               "0.005 and would write one profile_0.005.csv"));
  r = run_strata("validate " + source("cases/sod.json") +
                 " --set time.end=0.01 --set output.times=[0.005,0.0050000001] --set output.profiles=false");
  CHECK_MESSAGE(r.exit_code == 0, r.output);  // no profiles, no names to share
  r = run_strata("validate " + source("cases/sod.json") + " --set output.checkpoint.keep=1");  // for a signal's checkpoint
  CHECK_MESSAGE(r.exit_code == 0, r.output);
}

TEST_CASE("outputs: output.profile_y chooses the line cut's row; outside the mesh it is refused") {
  // rho = 1 + y on 4 rows of [0, 1]: the rows' centres are at 0.125, 0.375, 0.625, 0.875.
  const std::string run = "run " + source("cases/sod.json") +
                          " --set regime.mode=layer0 --set mesh.nx=8 --set mesh.ny=4 --set mesh.y=[0,1]"
                          " --set 'initial=[{\"rho\":\"1+y\",\"p\":1}]' --set time.end=0.001"
                          " --set output.times=[0.001] -q --out ";
  const auto middle = scratch("profile_middle"), bottom = scratch("profile_bottom");
  Result r = run_strata(run + middle.string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(read_csv(middle / "profile_0.csv").column("rho").front() == doctest::Approx(1.625).epsilon(1e-12));
  r = run_strata(run + bottom.string() + " --set output.profile_y=0.1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK(read_csv(bottom / "profile_0.csv").column("rho").front() == doctest::Approx(1.125).epsilon(1e-12));
  r = run_strata("validate " + source("cases/sod.json") + " --set output.profile_y=2");
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(has(r, "/output/profile_y"), r.output);
}

TEST_CASE("outputs: output.history_every is a whole number of steps, at least 1") {
  for (const std::string every : {"0", "2.5", "'\"10\"'"}) {  // through a shell: a JSON string in single quotes
    CAPTURE(every);
    const Result r = run_strata("validate " + source("cases/sod.json") + " --set output.history_every=" + every);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(has(r, "/output/history_every (set with --set): expected"), r.output);
  }
}

TEST_CASE("bad input: broken JSON, missing file, unknown command") {
  const auto dir = scratch("bad_json");
  std::ofstream(dir / "broken.json") << "{\"mesh\": {\"nx\": 10,,}}";
  Result r = run_strata("validate " + (dir / "broken.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "broken.json: invalid JSON: parse error at line 1"));
  // A comment left open: the message says where it opened and quotes only the end.
  {
    std::ofstream open_comment(dir / "open_comment.json");
    open_comment << "{\"name\": \"x /* in a string */\", // a line comment /*\n  /* never closed: see cases/*.json\n";
    for (int k = 0; k < 200; ++k) open_comment << "  \"key" << k << "\": " << k << ",\n";
    open_comment << "}\n";
  }
  r = run_strata("validate " + (dir / "open_comment.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "missing closing '*/'"));
  CHECK(has(r, "(the comment opened at line 2)"));
  CHECK_FALSE(has(r, "key100"));  // not the whole rest of the file
  r = run_strata("validate " + dir.string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, dir.string() + ": is a folder; expected a case file (JSON)"));
  std::ofstream(dir / "a_file") << "x\n";
  r = run_strata("run " + source("cases/sod.json") + " --set regime.mode=layer0 -q --out " + (dir / "a_file").string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "the output folder " + (dir / "a_file").string() + " cannot be made: "));
  CHECK(has(r, "; give another folder with --out or output.dir"));
  r = run_strata("validate /dev/zero");  // never ends: read up to the limit, not into all memory
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/dev/zero: more than 16 MiB; a case file may have at most 16 MiB"));
  // A named pipe is a case file too (as bash's <(...) gives one).
  const auto fifo = dir / "case.fifo";
  r = run_strata("validate " + fifo.string() + " --set name=piped",
                 "mkfifo " + fifo.string() + " && (timeout 10 cat " + source("cases/sod.json") + " > " + fifo.string() +
                     " &) && ");
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK(has(r, "case.fifo: valid ("));
  r = run_strata("validate " + (dir / "absent.json").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "absent.json: cannot be read"));
  r = run_strata("frobnicate");
  CHECK(r.exit_code == 1);
  CHECK(has(r, "unknown command"));
}

TEST_CASE("bad input: a region that leaves cells uncovered or states that are unphysical") {
  const auto dir = scratch("bad_state");
  std::ofstream(dir / "hole.json") << R"({"mesh": {"nx": 4, "ny": 4}, "time": {"end": 0.1},
    "initial": [{"where": "x < 0.5", "rho": 1, "T": 1}], "regime": {"mode": "layer0"},
    "fluid": {"plugin": "euler"}})";
  // Problems of the case found while setting it up: invalid input, as validate says.
  Result r = run_strata("run " + (dir / "hole.json").string() + " --out " + (dir / "o").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial: no region covers the cell at (x=0.625"));
  CHECK_FALSE(std::filesystem::exists(dir / "o"));
  // A Knudsen number that is not positive is one more problem of the set-up, said with the others.
  r = run_strata("validate " + (dir / "hole.json").string() + " --set knudsen=-1");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/knudsen: must be positive, is -1 at (x=0.125, y=0.125)"));
  CHECK(has(r, "/initial: no region covers the cell at (x=0.625"));
  CHECK(has(r, "strata: 2 problem(s) found; nothing was run"));
  r = run_strata("run " + (dir / "hole.json").string() + " --set initial.0.where=1 --set initial.0.T=x-0.5 --out " +
                 (dir / "o").string());
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial/0/T (set with --set) at (x=0.125, y=0.125) gives -0.375; the temperature must be finite and positive"));
}

TEST_CASE("bad input: the kinetic modes are refused clearly until their layers exist") {
  const Result r = run_strata("run " + source("cases/sod.json") + " --set regime.mode=layer1 --set kinetic.plugin=euler");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/kinetic/plugin (set with --set): plugin 'euler' is a fluid model, this section needs a collision model"));
  const Result indicator = run_strata("validate " + source("cases/sod.json") + " --set kinetic.plugin=realizability");
  CHECK(indicator.exit_code == 2);
  CHECK(has(indicator, "plugin 'realizability' is an indicator, this section needs a collision model"));
}

TEST_CASE("plugins and describe list the Euler plugin with its parameters") {
  Result r = run_strata("plugins");
  CHECK(r.exit_code == 0);
  CHECK(has(r, "euler"));
  CHECK(has(r, "fluid model"));
  r = run_strata("describe euler");
  CHECK(r.exit_code == 0);
  CHECK(has(r, "gamma: number in (1, 3], default 1.6666666666666667"));
  r = run_strata("describe nothing_here");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "unknown plugin \"nothing_here\""));
}

TEST_CASE("bad input: a run that goes unphysical stops naming time, cell and layer, keeps its last good state") {
  // Two streams at Mach ~23 flying apart open a near-vacuum that the scheme cannot
  // resolve at this resolution: the temperature goes negative within a few steps.
  const auto dir = scratch("vacuum");
  std::ofstream(dir / "vacuum.json") << R"case({"mesh": {"nx": 50, "ny": 2}, "time": {"end": 0.05},
    "initial": [{"rho": 1, "ux": "-30*(x < 0.5) + 30*(x >= 0.5)", "T": 1}],
    "regime": {"mode": "layer0"}, "fluid": {"plugin": "euler"}})case";
  const Result r = run_strata("run " + (dir / "vacuum.json").string() + " --out " + (dir / "o").string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "unphysical state at t = "));
  CHECK(has(r, "layer 0 (euler)"));  // the layer is named by the plugin that runs it
  CHECK(has(r, "cell (i="));
  CHECK(std::filesystem::exists(dir / "o" / "last_good.vti"));
  const auto summary = read_json(dir / "o" / "summary.json");
  CHECK(summary["status"] == "failed");
  CHECK(summary["error"].get<std::string>().find("non-positive") != std::string::npos);
  // The check runs over the threads, and both rows of cells go bad at once: the cell
  // named is the first in mesh order (i before j = 1), the same on one thread.
  CHECK(summary["error"].get<std::string>().find(", j=0)") != std::string::npos);
  const Result one = run_strata("run " + (dir / "vacuum.json").string() + " --threads 1 --out " + (dir / "o1").string());
  REQUIRE(one.exit_code == 3);
  CHECK(read_json(dir / "o1" / "summary.json")["error"] == summary["error"]);
}

TEST_CASE("info names the SDK version and the plugin folders") {
  const Result r = run_strata("info");
  CHECK(r.exit_code == 0);
  CHECK(has(r, "SDK version: " + std::to_string(STRATA_SDK_VERSION)));
  CHECK(has(r, "plugin folders:"));
  CHECK(has(r, "OpenMP: yes"));
  CHECK(has(r, "this process: rank 0 of 1"));  // "MPI: yes (...)" or "MPI: no (built without MPI)"
}

TEST_CASE("bad input: hostile command lines end with a clear message, never a signal") {
  const std::string sod = source("cases/sod.json") + " --set regime.mode=layer0";
  Result r = run_strata("validate " + sod + " --threads 100000");
  CHECK(r.exit_code == 1);
  CHECK(has(r, "--threads 100000: expected 0 (OpenMP's default) or 1 to "));
  r = run_strata("validate " + sod + " --threads -2");
  CHECK(r.exit_code == 1);
  // An option of another command, or an argument of a command that takes none, is
  // refused, not ignored (run would otherwise run the case's own mode).
  for (const auto& [line, message] : {std::pair<std::string, std::string>{"run " + sod + " --modes layer0",
                                                                         "--modes is an option of compare, not of run"},
                                      {"validate " + sod + " --restart a.h5", "--restart is an option of run, not of validate"},
                                      {"compare " + sod + " --restart a.h5", "--restart is an option of run, not of compare"},
                                      {"plugins --markdown", "--markdown is an option of describe, not of plugins"},
                                      {"info extra", "info takes no argument, got \"extra\""},
                                      {"plugins --plugin-dir /nonexistent", "--plugin-dir /nonexistent: no such folder"},
                                      {"plugins --plugin-dir " + source("cases/sod.json"), "/cases/sod.json: not a folder"},
                                      // An unset variable in a batch script: not a fresh run from t = 0.
                                      {"run " + sod + " --restart ''", "--restart is empty; expected a checkpoint file"},
                                      {"run " + sod + " --resume ''", "--resume is empty; expected a folder"},
                                      {"compare " + sod + " --out ''", "--out is empty; expected a folder"}}) {
    CAPTURE(line);
    r = run_strata(line);
    CHECK(r.exit_code == 1);
    CHECK(has(r, message));
  }
  for (const auto& [x, shown] : {std::pair{"0.5", "0.5"}, {"nan", "nan"}, {"1e9", "1e+09"}}) {
    CAPTURE(x);
    r = run_strata("validate " + sod + " --rebalance " + x);
    CHECK(r.exit_code == 1);
    CHECK(has(r, std::string("--rebalance ") + shown + ": expected 0 (never) or a threshold from 1 to 100"));
  }
  r = run_strata("validate " + sod + " --set mesh.nx=1e400");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "--set mesh.nx: number overflow parsing '1e400'"));
  r = run_strata("validate " + sod + " --set initial.99999999999999999999.rho=1");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial/99999999999999999999 is not an index of the array (size 2)"));
  r = run_strata("validate " + sod + " --set fluid.plugin=" + std::string(30000, 'a'));
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/fluid/plugin (set with --set): invalid plugin name"));
  r = run_strata("validate " + sod + " --set \"$(printf 'name=caf\\303')\"");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "not valid UTF-8 text"));
}

TEST_CASE("bad input: a state that is no gas is refused at set-up, naming the key, the point and the species") {
  const std::string sod = "validate " + source("cases/sod.json") + " --set regime.mode=layer0";
  Result r = run_strata(sod + " --set 'initial.1.ux=1/(x-x)'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial/1/ux (set with --set) at (x=0.505"));
  CHECK(has(r, "; a velocity must be finite"));
  // A pressure is named as the pressure (it was reported as a temperature), on a side too.
  r = run_strata(sod + " --set 'mesh.boundary={\"type\": \"inflow\", \"rho\": 1, \"p\": -1}'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/mesh/boundary/p (set with --set) at (x=-0.005, y=0.005) gives -1; the pressure must be finite and positive"));
  // A mixture's species by its index and name (it was reported as the first species' density).
  r = run_strata(sod + " --set 'species=[{\"name\": \"heavy\", \"mass\": 2}, {\"name\": \"light\", \"mass\": 1}]'"
                       " --set 'initial.0.rho=[1, \"x - 1\"]' --set 'initial.1.rho=[0.1, 0.025]'");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial/0/rho/1 (set with --set) at (x=0.005, y=0.005) gives -0.995 (species light); a density must be "
               "finite and >= 0"));
}

TEST_CASE("bad input: a truncated plugin is listed as not loadable and the others are still listed") {
  const auto dir = scratch("truncated_plugin");
  const auto euler = std::filesystem::path(STRATA_EXE).parent_path() / ".." / "lib" / "strata" / "plugins" /
                     "strata_euler.so";
  REQUIRE(std::filesystem::exists(euler));
  std::filesystem::copy_file(euler, dir / "strata_broken.so");
  std::filesystem::resize_file(dir / "strata_broken.so", std::filesystem::file_size(euler) / 2);
  const Result r = run_strata("plugins --plugin-dir " + dir.string());
  CHECK(r.exit_code == 0);
  CHECK(has(r, "not loadable: " + (dir / "strata_broken.so").string() + ": not a loadable shared object: truncated"));
  CHECK(has(r, "fluid model"));  // euler, from the default folder
  // A folder or a dangling link named like a plugin is not offered as one.
  std::filesystem::create_directories(dir / "strata_folder.so");
  std::filesystem::create_symlink(dir / "nowhere.so", dir / "strata_dangling.so");
  const Result unknown = run_strata("validate " + source("cases/sod.json") + " --set fluid.plugin=folder --plugin-dir " +
                                    dir.string());
  CHECK(unknown.exit_code == 2);
  CHECK(has(unknown, "unknown plugin \"folder\"; available fluid models: "));
  CHECK_FALSE(has(unknown, ", folder,"));
  CHECK_FALSE(has(unknown, "dangling"));
}

TEST_CASE("bad input: a velocity grid too small for the initial state names the region and the cell") {
  const Result r = run_strata("validate " + source("cases/sod.json") +
                              " --set regime.mode=layer1 --set velocity.L=0.5 --set velocity.n=8"
                              " --set mesh.nx=4 --set mesh.ny=1");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "sod.json: /initial/0, cell (i=0, j=0): the velocity grid (8 points on [-0.5, 0.5]^3) cannot hold"));
}

TEST_CASE("bad input: every state's problem is reported at once, with one grid for all where each advice falls short") {
  // Three keys fail at set-up: a cold region (needs a finer grid), an uncovered cell and a
  // hot wall (needs a wider one); each is named once, not once per cell, and the last
  // message names the grid that holds both the cold gas and the hot wall.
  const Result r = run_strata("validate " + source("cases/couette.json") +
                              " --set 'initial=[{\"where\":\"y<0.5\",\"rho\":1,\"T\":0.05}]'"
                              " --set mesh.boundary.bottom.T=40");
  CHECK(r.exit_code == 2);
  CHECK(has(r, "/initial/0, cell (i=0, j=0): the velocity grid (16 points on [-6, 6]^3) cannot hold a Maxwellian "
               "with rho = 1, u = (0, 0, 0), T = 0.05 (mass 1): refine velocity.n to at least 54"));
  CHECK(has(r, "/initial: no region covers the cell at (x=0.025, y=0.525)"));
  CHECK(has(r, "/mesh/boundary/bottom: the velocity grid (16 points on [-6, 6]^3) cannot hold the Maxwellian the wall "
               "re-emits, at u = (-0.1, 0, 0), T = 40: widen velocity.L to at least 25.4"));
  // L = 25.4 from the wall; n = 2 ceil(25.4 / sqrt(0.05)) = 228 from the cold gas.
  CHECK(has(r, "couette.json: /velocity: each piece of advice above is for one state (a region's first cell that "
               "failed), and none of them holds every state that failed; for all of them: widen velocity.L to at "
               "least 25.4 (max |u| + 4 sqrt(T/m) = 25.3982) and refine velocity.n to at least 228"));
  CHECK(has(r, "4 problem(s) found"));
  CHECK(occurrences(r, "cannot hold a Maxwellian") == 1);  // one per key, not one per cell
  // A wall that takes the temperature of the gas beside it reads no cell whose state
  // failed (left NaN): only the region's problem is reported, not one of the wall's.
  const auto dir = scratch("state_problems");
  std::ofstream(dir / "walls.json") << R"({"mesh": {"nx": 1, "ny": 8, "boundary": {"left": "periodic",
    "right": "periodic", "bottom": {"type": "wall"}, "top": {"type": "wall"}}},
    "velocity": {"n": 8, "L": 6}, "time": {"end": 0.1},
    "initial": [{"where": "y < 0.2", "rho": -1, "T": 1}, {"rho": 1, "T": "1 + y"}],
    "regime": {"mode": "layer1"}, "kinetic": {"plugin": "esbgk"}})";
  const Result walls = run_strata("validate " + (dir / "walls.json").string());
  CHECK(walls.exit_code == 2);
  CHECK(has(walls, "/initial/0/rho at (x=0.5, y=0.0625) gives -1; the density must be finite and positive"));
  CHECK_MESSAGE(has(walls, "1 problem(s) found"), walls.output);
}

namespace {
// A set-up warning that `validate` + `warned` gives (containing `message`), and that
// `validate` + each of `quiet` does not (none containing `part`); every run valid.
void check_warning(const std::string& validate, const std::string& warned, const std::string& message,
                   std::initializer_list<const char*> quiet, const std::string& part) {
  Result r = run_strata(validate + warned);
  CHECK_MESSAGE(r.exit_code == 0, r.output);
  CHECK_MESSAGE(has(r, message), r.output);
  for (const char* args : quiet) {
    CAPTURE(args);
    r = run_strata(validate + args);
    CHECK_MESSAGE(r.exit_code == 0, r.output);
    CHECK_FALSE(has(r, part));
  }
}
}  // namespace

TEST_CASE("bad input: a velocity box narrow for layer 2's collision operator is warned about, in runs with a layer 2") {
  // At L = 5 sqrt(T) the operator's viscosity is 23.5% above the hard-sphere value
  // (docs/numerics.md, "Transport coefficients"); at the case's L = 8, 0.1%; a layer-1
  // run has no layer 2.
  check_warning("validate " + source("cases/homogeneous_relaxation.json") + " --set velocity.n=12",
                " --set velocity.L=5",
                "homogeneous_relaxation.json: /velocity/L: 5 is narrow for layer 2's collision operator at the case's "
                "states (max |u|/2 + 6.5 sqrt(T/m) = ",
                {"", " --set velocity.L=5 --set regime.mode=layer1 --set 'kinetic={\"plugin\":\"esbgk\"}'"},
                "narrow for layer 2");
  // Counter-streams at +-2, T = 1 each, relax to T = 2.33, which L = 8 does not hold
  // (6.5 sqrt(2.33) = 9.93): the mixed state counts, not only its components.
  check_warning("validate " + source("cases/homogeneous_relaxation.json") + " --set velocity.n=12",
                " --set 'initial.0.components=[{\"rho\":0.5,\"ux\":2,\"T\":1},{\"rho\":0.5,\"ux\":-2,\"T\":1}]'",
                "/velocity/L: 8 is narrow for layer 2's collision operator at the case's states (max |u|/2 + 6.5 "
                "sqrt(T/m) = 9.92891)",
                {}, "");
}

TEST_CASE("bad input: a velocity grid that holds a state only truncated is warned about, with the grid it needs") {
  // A Mach 5 stream (u = 6.455) on L = 8 with 16 points: its discrete Maxwellian keeps
  // the conserved moments but reads P_xx 0.78, P_yy 1.11 (docs/user_guide.md §3.4); the
  // shipped Sod's states are well inside the grid, and layer 0 has none.
  check_warning("validate " + source("cases/sod.json") + " --set velocity.n=16 --set regime.mode=layer1",
                " --set 'initial=[{\"rho\":1,\"ux\":6.455,\"T\":1}]'",
                "sod.json: /velocity: the grid (16 points on [-8, 8]^3) holds the case's states only truncated: "
                "their discrete Maxwellians keep mass, momentum and energy but not the equilibrium's stress and heat "
                "flux",
                {"", " --set 'initial=[{\"rho\":1,\"ux\":6.455,\"T\":1}]' --set regime.mode=layer0"},
                "holds the case's states only truncated");
  // A cold wall, T = 0.25: thermal speed 0.5 against the spacing 1 of 16 points on [-8, 8].
  check_warning("validate " + source("cases/couette.json") + " --set velocity.n=16 --set velocity.L=8",
                " --set mesh.boundary.bottom.T=0.25", "refine velocity.n to at least 32", {""},
                "holds the case's states only truncated");
}

TEST_CASE("bad input: time steps of many collision times, and 2D Courant numbers above 0.5, are warned about") {
  // Couette in layer 1 (ES-BGK formula nu, p/mu = 1.5 (pi/2) / knudsen): at knudsen 0.01
  // the default dt = 0.005 is 1.18 collision times, at 0.1 0.12 (docs/numerics.md,
  // "Stress and heat flux at large time steps").
  check_warning("validate " + source("cases/couette.json"), " --set knudsen=0.01",
                "couette.json: /time: the time step 0.005 is 1.1781 collision times mu/p in the most collisional "
                "kinetic cell",
                {" --set knudsen=0.1", " --set knudsen=0.01 --set time.dt=0.0015"}, "collision times mu/p");
  // conservation_box on 24 x 24 cells, L = 8 with 16 points: Δt is the paper's 0.1 Δx,
  // against the fastest grid velocity 7.5 a Courant number of 0.75, warned in layer 1 and 2 on
  // its 2D mesh, not as a hybrid (whose first regime update decides its kinetic cells),
  // nor at Courant 0.5; the cavity's dt_dx 0.1 with L = 5 is 0.46.
  const std::string box = "validate " + source("cases/conservation_box.json") + " --set velocity.n=16";
  for (const char* mode : {" --set regime.mode=layer1", " --set regime.mode=layer2"})
    check_warning(box, mode,
                  "conservation_box.json: /time: the time step 0.00416667 (set by time.dt_dx) is a Courant number "
                  "of 0.75 per direction, and on a 2D mesh the two directions' add up",
                  {"", " --set regime.mode=layer2 --set time.cfl=0.5", " --set regime.mode=layer2 --set time.dt_dx=0.05"},
                  "per direction, and on a 2D mesh");
  check_warning("validate " + source("cases/cavity.json"), " --set time.dt_dx=0.2", "is a Courant number of 0.8",
                {""}, "per direction, and on a 2D mesh");
  // Nor is a hybrid's band at knudsen 1e-4 warned of its collision times.
  check_warning("validate " + source("cases/rect_obstacle.json") + " --set velocity.n=12",
                " --set regime.mode=layer1 --set mesh.nx=20 --set mesh.ny=20", "collision times mu/p", {""},
                "collision times mu/p");
}

TEST_CASE("steady: a steady state reached with a residual that hardly fell is warned about") {
  // Couette with plates at -+1e-5: the residual's scale is the thermal speed, so the
  // first step's is already below 1e-4 (docs/user_guide.md §6.2); at -+0.1 it falls
  // by orders of magnitude before it passes time.steady.
  const std::string run = "run " + source("cases/couette.json") + " --set knudsen=1.666 --set time.steady=1e-4"
                          " -q --threads 1 --out ";
  const auto slow = scratch("steady_slow"), fast = scratch("steady_fast");
  Result r = run_strata(run + slow.string() + " --set mesh.boundary.bottom.ux=-1e-5 --set mesh.boundary.top.ux=1e-5");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK_MESSAGE(has(r, "before passing time.steady = 0.0001: the state may have hardly changed"), r.output);
  const auto s = read_json(slow / "summary.json");
  CHECK(s["steps"] == 1);
  CHECK(s["steady"]["largest_residual"].get<double>() == s["steady"]["residual"].get<double>());
  r = run_strata(run + fast.string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  CHECK_FALSE(has(r, "the state may have hardly changed"));
  const auto f = read_json(fast / "summary.json");
  CHECK(f["steady"]["largest_residual"].get<double>() > 100 * f["steady"]["residual"].get<double>());
}

TEST_CASE("failures: a 2D run above Courant 0.5 that fails names the time step as a possible cause") {
  // conservation_box in layer 1 at its shipped Δt (Courant 0.75) continued to t = 0.5
  // stops at step 48 (docs/numerics.md, "A limit measured in 2D").
  const Result r = run_strata("run " + source("cases/conservation_box.json") +
                              " --set regime.mode=layer1 --set mesh.nx=16 --set mesh.ny=16 --set velocity.n=16"
                              " --set time.end=0.5 --set output.times=[0.5] -q --threads 1 --out " +
                              scratch("courant_failure").string());
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(has(r, "; if the time step is the cause: the time step 0.00625 (set by time.dt_dx) is a Courant number "
                       "of 0.75 per direction"),
                r.output);
  CHECK(has(r, "--set time.dt=0.00416667 keeps it at 0.5; the last good state is in"));
}

TEST_CASE("bad input: a layer-1 run of a case with a layer-2 model is warned that its ES-BGK gas is another") {
  // The same knudsen relaxes stress ten times more slowly in a layer-1 run (the ES-BGK
  // formula) than in the case's layer-2 and hybrid runs, where esbgk adopts layer 2's law;
  // nu = "formula" chooses the formula knowingly.
  check_warning("validate " + source("cases/sod.json") + " --set velocity.n=12", " --set regime.mode=layer1",
                "sod.json: /kinetic: regime.mode \"layer1\" has no layer 2, so 'esbgk' keeps its own viscosity law "
                "instead of adopting that of 'boltzmann_fft'",
                {" --set regime.mode=layer1 --set kinetic.nu=formula", ""}, "keeps its own viscosity law");
  // A hybrid whose layer-1 model keeps its own law: two gases, switched between.
  check_warning("validate " + source("cases/sod.json") + " --set velocity.n=12", " --set kinetic.nu=formula",
                "sod.json: /kinetic: 'esbgk' does not adopt the viscosity law of 'boltzmann_fft' (adopts_viscosity() "
                "is false), so layers 1 and 2 of this run are two gases",
                {"", " --set regime.mode=layer1 --set kinetic.nu=formula"}, "does not adopt the viscosity law");
}
