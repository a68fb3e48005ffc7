// Runs that cannot finish or cannot fit are refused before they start or stopped when
// they go so (docs/architecture.md §8), and an output folder holds one run
// (docs/user_guide.md §6): it is locked, cleared of an earlier run's files, and its
// summary says "running" until the run ends.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include <doctest/doctest.h>

#include "run_strata.hpp"

using namespace strata::test;
namespace fs = std::filesystem;

namespace {

// A small layer-0 Sod tube: a few hundred steps at most.
std::string small_sod(const std::string& command) {
  return command + " " + source("cases/sod.json") +
         " --set regime.mode=layer0 --set mesh.nx=50 --set mesh.ny=1 --set time.end=0.02 --set output.times=[0.02]";
}

void check_failed_output(const fs::path& out) {
  CHECK(fs::exists(out / "last_good.vti"));
  const auto summary = read_json(out / "summary.json");
  CHECK(summary["status"] == "failed");
}

// A periodic box with every cell in layer 1 on 16³ velocities: the kinetic store
// dominates its memory (6 records of 16³ doubles per cell, about 19 MiB per 100 cells).
std::string layer1_box(const std::string& command, int n) {
  return command + " " + source("cases/conservation_box.json") + " --set regime.mode=layer1 --set mesh.nx=" +
         std::to_string(n) + " --set mesh.ny=" + std::to_string(n) +
         " --set time.end=0.001 --set output.times=[0.001] --threads 1";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("run folder: a time step that cannot reach time.end within time.max_steps is refused at set-up") {
  struct Bad {
    std::string set, key;
  };
  for (const Bad& bad : {Bad{"time.dt=5e-324", "time.dt"}, Bad{"time.cfl=1e-308 --set time.dt_dx=1", "time.cfl"},
                         Bad{"time.end=1e308 --set output.times=[1e308]", "time.dt_dx"}}) {
    CAPTURE(bad.set);
    const Result v = run_strata(small_sod("validate") + " --set " + bad.set);
    CHECK(v.exit_code == 2);
    CHECK(has(v, "/time: the time step dt = "));
    CHECK(has(v, "(set by " + bad.key));
    CHECK(has(v, "time.max_steps = 10000000"));
    CHECK(has(v, "raise " + bad.key + " or time.max_steps, or lower time.end"));
    // The run is refused before it touches the output folder (unrefused, it would
    // have run into time.max_steps, here kept small).
    const auto out = scratch("refused_dt");
    const Result r = run_strata(small_sod("run") + " --set time.max_steps=100 --set " + bad.set + " --out " +
                                (out / "run").string());
    CHECK(r.exit_code == 2);
    CHECK(has(r, "/time: the time step dt = "));
    CHECK(!fs::exists(out / "run"));
  }
  // The figures: dt = 0.02 / 50 steps exactly, against time.max_steps = 49.
  const Result figures = run_strata(small_sod("validate") + " --set time.dt=0.0004 --set time.max_steps=49");
  CHECK(figures.exit_code == 2);
  CHECK(has(figures, "dt = 0.0004 (set by time.dt) needs about 50 steps from t = 0 to time.end = 0.02, more than "
                     "the 49 left of time.max_steps = 49"));
  const Result fits = run_strata(small_sod("validate") + " --set time.dt=0.0004 --set time.max_steps=50");
  CHECK_MESSAGE(fits.exit_code == 0, fits.output);
  CHECK(has(fits, "steps ≈ 50"));
}

TEST_CASE("run folder: an infinite wave speed (Δt = 0) is refused at set-up and stops a run cleanly") {
  const std::string runaway = " --set 'fluid={\"plugin\":\"runaway_speed\"}' --plugin-dir " STRATA_TEST_PLUGIN_DIR;
  const Result v = run_strata(small_sod("validate") + runaway);
  CHECK(v.exit_code == 2);
  CHECK(has(v, "the time step dt = 0 (set by time.cfl = 0.5 and the fastest signal speed inf) is not a positive "
               "finite number"));
  // Finite at the run's start, infinite from step 1 on: the run stops with the failure
  // path's files instead of stepping in place up to time.max_steps.
  const auto out = scratch("runaway_speed");
  const Result r = run_strata(small_sod("run") + runaway + " --set fluid.finite_calls=1 --set time.max_steps=300 --out " +
                              out.string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "step 1 at t = 0: the time step dt = 0"));
  CHECK(!has(r, "max_steps = 300 reached"));
  check_failed_output(out);
}

TEST_CASE("run folder: a run whose time step shrinks below what time.max_steps allows stops early") {
  // Sod from rest: the signal speed grows from c = 1.29 once the waves form, so Δt
  // shrinks below the first step's and the set-up estimate (exactly time.max_steps
  // here) cannot be met; the run stops when the steps left at its Δt exceed the budget.
  const std::string args = small_sod("") + " --set time.dt_dx=1";
  const Result v = run_strata("validate" + args);
  REQUIRE_MESSAGE(v.exit_code == 0, v.output);
  std::smatch m;
  REQUIRE(std::regex_search(v.output, m, std::regex("steps ≈ ([0-9]+)")));
  const std::string steps = m[1];
  const auto out = scratch("shrinking_dt");
  const Result r = run_strata("run" + args + " --set time.max_steps=" + steps + " --out " + out.string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "left of time.max_steps = " + steps + "; raise time.cfl or time.max_steps"));
  CHECK(!has(r, "reached at t"));  // before the budget ran out
  check_failed_output(out);
  CHECK(read_json(out / "summary.json")["steps"].get<long>() < std::stol(steps));
}

TEST_CASE("run folder: validate prints the memory and step estimates and refuses a case larger than the machine") {
  const Result v = run_strata(layer1_box("validate", 8));
  REQUIRE_MESSAGE(v.exit_code == 0, v.output);
  CHECK(has(v, "estimated memory: "));
  CHECK(has(v, " GiB (peak, all cells kinetic), steps ≈ "));
  // 10⁶ cells of 64³ velocities: petabytes.
  const Result huge = run_strata("validate " + source("cases/conservation_box.json") +
                                 " --set regime.mode=layer2 --set mesh.nx=1000 --set mesh.ny=1000 --set velocity.n=64");
  CHECK(huge.exit_code == 2);
  CHECK(has(huge, "/velocity/n: the run needs about "));
  CHECK(has(huge, "(all cells kinetic; velocity.n = 64, 1000x1000 cells), the machine has "));
  CHECK(has(huge, "reduce velocity.n or mesh.nx, mesh.ny"));
  // Without kinetic cells the mesh alone is to blame: 9·10⁸ fluid cells.
  const Result fluid = run_strata("validate " + source("cases/sod.json") +
                                  " --set regime.mode=layer0 --set mesh.nx=30000 --set mesh.ny=30000");
  CHECK(fluid.exit_code == 2);
  CHECK(has(fluid, "sod.json: /mesh: the run needs about "));
  CHECK(has(fluid, "(no kinetic cells; 30000x30000 cells), the machine has "));
  CHECK(has(fluid, "; reduce mesh.nx, mesh.ny\n"));
  const auto out = scratch("huge");
  const Result run = run_strata("run " + source("cases/conservation_box.json") +
                                " --set regime.mode=layer2 --set mesh.nx=1000 --set mesh.ny=1000 --set velocity.n=64"
                                " --out " + out.string());
  CHECK(run.exit_code == 2);
  CHECK(has(run, "/velocity/n: the run needs about "));
}

TEST_CASE("run folder: the memory estimate is close to the measured peak of a run") {
  // 32 x 32 cells in layer 1 (no regime change, no explicit part): the store holds 4
  // records of 16³ doubles per kinetic cell (f, rhs, sum, transport; the sum keeps f^n
  // for a refused step) and one per slot (stage values; 1280 slots with the halo),
  // 168 MiB, as the estimate counts
  // them; it counts the fluid arrays roughly (< 1 MiB here), and leaves out the program
  // itself (code, libraries, OpenMP), 14 MiB in a 10-cell layer-0 run.
  // So the measured peak (VmHWM) lies between 95% of the estimate and 5% plus 32 MiB
  // above it.
  const auto out = scratch("memory_estimate");
  const Result r = run_strata(layer1_box("run", 32) + " --out " + out.string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const auto s = read_json(out / "summary.json");
  const double peak = s["peak_memory_kib"].get<double>(), estimate = s["estimated_memory_kib"]["peak"].get<double>();
  CAPTURE(peak);
  CAPTURE(estimate);
  CHECK(estimate > 160 * 1024);
  CHECK(peak > 0.95 * estimate);
  CHECK(peak < 1.05 * estimate + 32 * 1024);
}

TEST_CASE("run folder: validate does not allocate the kinetic store; a run out of memory says so and exits 3") {
  // The store of 40 x 40 cells on 16³ velocities takes 260 MiB; the address space is
  // limited to 195 MiB, several times what set-up needs without the store (the whole
  // program maps about 40 MiB in a small layer-0 run).
  const std::string limit = "ulimit -v 200000; ";
  const Result v = run_strata(layer1_box("validate", 40), limit);
  CHECK_MESSAGE(v.exit_code == 0, v.output);
  CHECK(has(v, "estimated memory: 0.256 GiB (peak, all cells kinetic), steps ≈ 1"));
  const auto out = scratch("out_of_memory");
  const Result r = run_strata(layer1_box("run", 40) + " --out " + out.string(), limit);
  CHECK(r.exit_code == 3);
  CHECK(has(r, "out of memory setting up the run (plugins, kinetic store, initial state): the run needs about "
               "0.256 GiB (all cells kinetic), the machine has "));
  CHECK(has(r, "this process is limited to 0.191 GiB (ulimit -v)); reduce velocity.n or mesh.nx, mesh.ny"));
  // compare's runs say the same, naming the run.
  const Result c = run_strata(layer1_box("compare", 40) + " --modes layer1 --reference layer1 --out " +
                              scratch("out_of_memory_compare").string(), limit);
  CHECK(c.exit_code == 3);
  CHECK(has(c, "compare, run \"layer1\": out of memory setting up the run (plugins, kinetic store, initial state): "
               "the run needs about 0.256 GiB"));
}

TEST_CASE("run folder: a second run into a locked folder is refused, naming the folder and the holder's PID") {
  const auto out = scratch("locked");
  std::ofstream(out / "summary.json") << "{\"status\": \"running\"}\n";
  const int fd = ::open((out / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const std::string pid = std::to_string(::getpid());
  REQUIRE(::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
  const Result r = run_strata(small_sod("run") + " --out " + out.string());
  CHECK(r.exit_code == 3);
  CHECK(has(r, "the output folder " + out.string() + " is in use by another strata run (PID " + pid + ")"));
  CHECK(slurp(out / "summary.json") == "{\"status\": \"running\"}\n");  // the holder's files untouched
  ::close(fd);
  const Result after = run_strata(small_sod("run") + " --out " + out.string());
  CHECK_MESSAGE(after.exit_code == 0, after.output);
  CHECK(read_json(out / "summary.json")["status"] == "completed");
}

TEST_CASE("run folder: a new run removes the files of an earlier run, and only those") {
  const auto out = scratch("stale");
  const Result longer = run_strata(small_sod("run") + " --set output.times=[0.005,0.01,0.015,0.02] --out " + out.string());
  REQUIRE_MESSAGE(longer.exit_code == 0, longer.output);
  REQUIRE(fs::exists(out / "snapshot_0004.vti"));
  REQUIRE(fs::exists(out / "profile_0.015.csv"));
  REQUIRE(fs::exists(out / "surface_0.015.csv"));
  for (const char* name : {"checkpoint_999.h5", "history.csv.tmp12345", "last_good.vti", "notes.txt",
                           "snapshot_0001.vti.bak"})
    std::ofstream(out / name) << "x\n";
  fs::create_directories(out / "analysis");
  std::ofstream(out / "analysis" / "profile_0.1.csv") << "x\n";
  const Result shorter = run_strata(small_sod("run") + " --set time.end=0.01 --set output.times=[0.01] --out " +
                                    out.string());
  REQUIRE_MESSAGE(shorter.exit_code == 0, shorter.output);
  for (const char* gone : {"snapshot_0002.vti", "snapshot_0004.vti", "profile_0.015.csv", "profile_0.02.csv",
                           "surface_0.015.csv", "surface_0.02.csv", "checkpoint_999.h5", "history.csv.tmp12345",
                           "last_good.vti"})
    CHECK_MESSAGE(!fs::exists(out / gone), gone);
  for (const char* kept : {"snapshot_0000.vti", "snapshot_0001.vti", "profile_0.01.csv", "surface_0.01.csv", "notes.txt",
                           "snapshot_0001.vti.bak", "analysis/profile_0.1.csv", ".lock"})
    CHECK_MESSAGE(fs::exists(out / kept), kept);
  CHECK(read_csv(out / "history.csv").column("t").back() == doctest::Approx(0.01));

  // A run continued with --resume keeps the folder: its checkpoints and series go on.
  const auto resumed = scratch("stale_resume");
  const std::string args = small_sod("run") + " --set output.checkpoint.every_steps=5";
  REQUIRE(run_strata(args + " --out " + resumed.string()).exit_code == 0);
  REQUIRE(fs::exists(resumed / "checkpoint_10.h5"));
  const Result r = run_strata(args + " --set time.end=0.03 --set output.times=[0.02,0.03] --resume " + resumed.string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  for (const char* kept : {"snapshot_0000.vti", "snapshot_0001.vti", "snapshot_0002.vti", "checkpoint_15.h5"})
    CHECK_MESSAGE(fs::exists(resumed / kept), kept);
  CHECK(read_csv(resumed / "history.csv").column("step").size() == 16);  // steps 0 to 15
}

TEST_CASE("run folder: summary.json says running while a run is in progress, and still after kill -9") {
  const auto dir = scratch("killed");
  const std::string args = small_sod("run") + " --set mesh.nx=2000 --set time.end=10 --set output.times=[10] -q";
  std::ofstream(dir / "kill.sh") << "cd " << dir.string() << "\n"
                                 << STRATA_EXE << " " << args << " --out killed > log 2>&1 &\n"
                                 << "pid=$!\n"
                                 << "for k in $(seq 400); do [ -f killed/summary.json ] && break; sleep 0.05; done\n"
                                 << "cp killed/summary.json during.json\n"
                                 << "kill -KILL $pid\nwait $pid\necho $? > rc\n";
  REQUIRE(std::system(("bash " + (dir / "kill.sh").string()).c_str()) == 0);
  REQUIRE_MESSAGE(fs::exists(dir / "during.json"), slurp(dir / "log"));
  CHECK(read_json(dir / "during.json")["status"] == "running");
  CHECK(slurp(dir / "rc") == "137\n");  // killed, not finished
  CHECK(read_json(dir / "killed" / "summary.json")["status"] == "running");
}
