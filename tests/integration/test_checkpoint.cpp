// Checkpoints and restarts through the real program (docs/user_guide.md,
// "Checkpoints"): a run continued from a checkpoint writes the same profiles,
// snapshots, history and conservation figures, bit for bit, as the run that was never
// stopped; a checkpoint of another case or a damaged file is refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include <hdf5.h>

#include "run_strata.hpp"

using namespace strata::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The lines of a CSV file without the column `drop` (wall time differs between runs).
std::vector<std::string> csv_without(const fs::path& p, const std::string& drop) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  int skip = -1;
  for (std::string line; std::getline(in, line);) {
    std::stringstream cells(line);
    std::vector<std::string> row;
    for (std::string c; std::getline(cells, c, ',');) row.push_back(c);
    if (skip < 0)
      for (std::size_t k = 0; k < row.size(); ++k)
        if (row[k] == drop) skip = static_cast<int>(k);
    std::string kept;
    for (std::size_t k = 0; k < row.size(); ++k)
      if (static_cast<int>(k) != skip) kept += row[k] + ",";
    lines.push_back(kept);
  }
  return lines;
}

// What must agree bit for bit between an uninterrupted run `a` and a continued run `b`.
void check_same_results(const fs::path& a, const fs::path& b, const std::vector<std::string>& files) {
  for (const auto& f : files) {
    CAPTURE(f);
    REQUIRE(fs::exists(b / f));
    CHECK(slurp(a / f) == slurp(b / f));
  }
  CHECK(csv_without(a / "history.csv", "wall_seconds") == csv_without(b / "history.csv", "wall_seconds"));
  CHECK(fs::exists(a / "loads.csv") == fs::exists(b / "loads.csv"));
  if (fs::exists(a / "loads.csv")) CHECK(slurp(a / "loads.csv") == slurp(b / "loads.csv"));
  const auto sa = read_json(a / "summary.json"), sb = read_json(b / "summary.json");
  CHECK(sb["status"] == "completed");
  CHECK(sb.contains("restarted_from"));
  for (const char* key : {"conservation", "cell_steps", "layer_switches", "steps", "final_time", "boundary_loads"}) {
    CAPTURE(key);
    REQUIRE(sa.contains(key) == sb.contains(key));  // a periodic box has no boundary loads
    if (sa.contains(key)) CHECK(sa[key] == sb[key]);
  }
}

// The values of dataset `name` in the HDF5 file `file`; `at` and `value`, when given,
// change one of them in the file first.
template <class T>
std::vector<T> dataset(const fs::path& file, const char* name, hid_t type, std::optional<std::size_t> at = {},
                       T value = T()) {
  const hid_t f = H5Fopen(file.c_str(), at ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t set = H5Dopen2(f, name, H5P_DEFAULT);
  REQUIRE(set >= 0);
  const hid_t space = H5Dget_space(set);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  if (at) {
    values.at(*at) = value;
    REQUIRE(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  }
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(f);
  return values;
}

// A copy of `from` at `to` whose dataset `name` has `value` at flat index `at`: a
// checkpoint damaged inside, where HDF5 itself sees nothing wrong.
template <class T>
void damaged_copy(const fs::path& from, const fs::path& to, const char* name, hid_t type, std::size_t at, T value) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  dataset<T>(to, name, type, at, value);
}

// Sets the root attribute `name` of the HDF5 file `file` to `value`, in the attribute's
// own type (a double or a 64-bit integer).
void set_attribute(const fs::path& file, const char* name, double value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  REQUIRE(a >= 0);
  const hid_t type = H5Aget_type(a);
  if (H5Tget_class(type) == H5T_INTEGER) {
    const std::int64_t whole = static_cast<std::int64_t>(value);
    REQUIRE(H5Awrite(a, H5T_NATIVE_INT64, &whole) >= 0);
  } else {
    REQUIRE(H5Awrite(a, H5T_NATIVE_DOUBLE, &value) >= 0);
  }
  H5Tclose(type);
  H5Aclose(a);
  H5Fclose(f);
}

// A copy of `from` at `to`, changed by `edit` (given the open file).
void edited_copy(const fs::path& from, const fs::path& to, const std::function<void(hid_t)>& edit) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  const hid_t f = H5Fopen(to.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  edit(f);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("checkpoint: hybrid conservation_box (switching layers) continues bit for bit at 1 and 2 threads") {
  for (const int threads : {1, 2}) {
    CAPTURE(threads);
    const auto dir = scratch("ckpt_box_" + std::to_string(threads));
    const std::string args = "run " + source("cases/conservation_box.json") +
                             " --set mesh.nx=10 --set mesh.ny=10 --set velocity.n=10 --set time.end=0.06"
                             " --set output.times=[0.03,0.06] --set output.checkpoint.every_steps=2"
                             " --set output.checkpoint.keep=100 -q --threads " + std::to_string(threads);
    const Result a = run_strata(args + " --out " + (dir / "a").string());
    REQUIRE_MESSAGE(a.exit_code == 0, a.output);
    const auto sa = read_json(dir / "a" / "summary.json");
    REQUIRE(sa["layer_switches"].get<long>() > 0);
    REQUIRE(fs::exists(dir / "a" / "checkpoint_2.h5"));
    const Result b = run_strata(args + " --restart " + (dir / "a" / "checkpoint_2.h5").string() + " --out " +
                                (dir / "b").string());
    REQUIRE_MESSAGE(b.exit_code == 0, b.output);
    check_same_results(dir / "a", dir / "b",
                       {"profile_0.03.csv", "profile_0.06.csv", "snapshot_0001.vti", "snapshot_0002.vti"});
    // Restarted into another folder: the series points back at the snapshot written before.
    const std::string pvd = slurp(dir / "b" / "snapshots.pvd");
    CHECK_MESSAGE(pvd.find("file=\"../a/snapshot_0000.vti\"") != std::string::npos, pvd);
    CHECK(pvd.find("file=\"snapshot_0002.vti\"") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "b" / "snapshot_0000.vti"));
  }
}

TEST_CASE("checkpoint: a moving obstacle continues bit for bit (offsets, forced band, wall exchange)") {
  // With output.history_every = 3 the checkpoint at step 7 falls inside a loads.csv
  // row's window (steps 7 to 9), which it keeps.
  for (const std::string every : {"1", "3"}) {
    CAPTURE(every);
    const auto dir = scratch("ckpt_moving");
    const std::string args = "run " + source("cases/moving_object.json") +
                             " --set mesh.nx=30 --set mesh.ny=30 --set velocity.n=8 --set velocity.L=6 --set time.end=0.04"
                             " --set output.times=[0.02,0.04] --set output.checkpoint.every_steps=7"
                             " --set output.checkpoint.keep=100 -q --threads 2 --set output.history_every=" + every;
    const Result a = run_strata(args + " --out " + (dir / "a").string());
    REQUIRE_MESSAGE(a.exit_code == 0, a.output);
    REQUIRE(fs::exists(dir / "a" / "checkpoint_7.h5"));
    // The obstacle moves every 5 steps: at step 7 it has moved once and moves again at 10.
    const Result b = run_strata(args + " --restart " + (dir / "a" / "checkpoint_7.h5").string() + " --out " +
                                (dir / "b").string());
    REQUIRE_MESSAGE(b.exit_code == 0, b.output);
    check_same_results(dir / "a", dir / "b", {"profile_0.04.csv", "snapshot_0002.vti", "surface_0.04.csv"});
  }
}

TEST_CASE("checkpoint: a two-species mixture continues bit for bit, probes included; keep prunes old files") {
  const auto dir = scratch("ckpt_mixture");
  const std::string args = "run " + source("cases/mixture_relaxation.json") +
                           " --set velocity.n=12 --set time.end=0.4 --set output.times=[0.2,0.4]"
                           " --set output.checkpoint.every_steps=10 -q --threads 1";
  const Result a = run_strata(args + " --out " + (dir / "a").string());
  REQUIRE_MESSAGE(a.exit_code == 0, a.output);
  // 40 steps, a checkpoint every 10, the newest 2 kept (the default).
  CHECK(!fs::exists(dir / "a" / "checkpoint_10.h5"));
  REQUIRE(fs::exists(dir / "a" / "checkpoint_30.h5"));
  // --resume continues in its folder from the newest checkpoint: a copy of the run
  // that stopped at step 30.
  fs::create_directories(dir / "b");
  fs::copy_file(dir / "a" / "checkpoint_30.h5", dir / "b" / "checkpoint_30.h5");
  const Result b = run_strata(args + " --resume " + (dir / "b").string());
  REQUIRE_MESSAGE(b.exit_code == 0, b.output);
  check_same_results(dir / "a", dir / "b", {"profile_0.4.csv", "probe_cell.csv", "snapshot_0002.vti"});
  CHECK(slurp(dir / "a" / "snapshots.pvd") == slurp(dir / "b" / "snapshots.pvd"));

  // A continued run may go further, with other output times after the checkpoint's.
  const Result longer = run_strata(args + " --set time.end=0.6 --set output.times=[0.35,0.6] --restart " +
                                   (dir / "a" / "checkpoint_30.h5").string() + " --out " + (dir / "c").string());
  REQUIRE_MESSAGE(longer.exit_code == 0, longer.output);
  CHECK(fs::exists(dir / "c" / "profile_0.35.csv"));
  CHECK(fs::exists(dir / "c" / "profile_0.6.csv"));
  CHECK(read_json(dir / "c" / "summary.json")["steps"] == 60);
}

TEST_CASE("checkpoint: a restart with another mesh or from a damaged file is refused with a message") {
  const auto dir = scratch("ckpt_refuse");
  const std::string args = "run " + source("cases/mixture_relaxation.json") +
                           " --set velocity.n=12 --set time.end=0.1 --set output.times=[0.1] --set output.checkpoint.every_steps=5 -q";
  const Result a = run_strata(args + " --out " + (dir / "a").string());
  REQUIRE_MESSAGE(a.exit_code == 0, a.output);
  const fs::path ck = dir / "a" / "checkpoint_5.h5";
  REQUIRE(fs::exists(ck));

  const Result mesh = run_strata(args + " --set mesh.nx=2 --restart " + ck.string() + " --out " + (dir / "m").string());
  CHECK(mesh.exit_code == 3);
  CHECK_MESSAGE(mesh.output.find("mesh.nx is 1 in the checkpoint and 2 in this case") != std::string::npos, mesh.output);

  const Result params = run_strata(args + " --set kinetic.delta=0.4 --restart " + ck.string() + " --out " +
                                   (dir / "p").string());
  CHECK(params.exit_code == 3);
  CHECK_MESSAGE(params.output.find("kinetic.delta") != std::string::npos, params.output);

  // Every difference in one message, the mesh before the plugins' parameters.
  const Result both = run_strata(args + " --set kinetic.delta=0.4 --set mesh.ny=3 --restart " + ck.string() +
                                 " --out " + (dir / "b").string());
  CHECK(both.exit_code == 3);
  CHECK_MESSAGE(both.output.find(": 2 difference(s) from this case: mesh.ny is 1 in the checkpoint and 3 in this case; "
                                 "kinetic.delta is ") != std::string::npos,
                both.output);

  // The physics the set-up does not hold, read from the case documents; the time step's
  // settings may change.
  const Result physics = run_strata(args + " --set knudsen=10 --set mesh.boundary=reflective --restart " + ck.string() +
                                    " --out " + (dir / "k").string());
  CHECK(physics.exit_code == 3);
  CHECK_MESSAGE(physics.output.find(": 2 difference(s) from this case: mesh.boundary is \"periodic\" in the checkpoint "
                                    "and \"reflective\" in this case; knudsen is 1.0 in the checkpoint and 10 in this case") !=
                    std::string::npos,
                physics.output);
  // An empty list is no list: "obstacles": [] is the case without obstacles.
  const Result allowed = run_strata(args + " --set time.dt=0.02 --set name=renamed --set 'obstacles=[]' --restart " +
                                    ck.string() + " --out " + (dir / "c").string());
  CHECK_MESSAGE(allowed.exit_code == 0, allowed.output);

  const std::string bytes = slurp(ck);
  const fs::path cut = dir / "truncated.h5";
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  const Result t = run_strata(args + " --restart " + cut.string() + " --out " + (dir / "t").string());
  CHECK(t.exit_code == 3);
  CHECK_MESSAGE(t.output.find("truncated or corrupted") != std::string::npos, t.output);
  CHECK_MESSAGE(t.output.find("HDF5-DIAG") == std::string::npos, t.output);

  const Result folder = run_strata(args + " --restart " + (dir / "a").string() + " --out " + (dir / "f").string());
  CHECK(folder.exit_code == 3);
  CHECK(folder.output.find("/a: is a folder, not a checkpoint file (--resume ") != std::string::npos);

  const Result none = run_strata(args + " --resume " + (dir / "t").string());
  CHECK(none.exit_code == 3);

  const Result keys = run_strata("validate " + source("cases/mixture_relaxation.json") +
                                 " --set output.checkpoint.keep=0 --set output.checkpoint.every=3");
  CHECK(keys.exit_code == 2);
  CHECK_MESSAGE(keys.output.find("/output/checkpoint/keep (set with --set): expected integer in [1, 1000], got 0") != std::string::npos,
                keys.output);
  CHECK_MESSAGE(keys.output.find("/output/checkpoint/every") != std::string::npos, keys.output);
}

TEST_CASE("start-from: a new run from a checkpoint's state, with the same case, another Knudsen number or another layer") {
  const auto dir = scratch("start_from");
  const std::string box = "run " + source("cases/conservation_box.json") +
                          " --set mesh.nx=10 --set mesh.ny=10 --set velocity.n=10 -q --threads 1";
  const Result a = run_strata(box + " --set time.end=0.06 --set output.times=[0.03,0.06] --set output.checkpoint.every_steps=2"
                                    " --set output.checkpoint.keep=100 --out " + (dir / "a").string());
  REQUIRE_MESSAGE(a.exit_code == 0, a.output);
  const fs::path ck = dir / "a" / "checkpoint_4.h5";  // t = 0.04, Δt = 0.01 throughout
  REQUIRE(fs::exists(ck));
  const Table history = read_csv(dir / "a" / "history.csv");
  // The checkpoint's row of a's history against the first row of a run started from it:
  // the same state on the same regime map (the indicator decides the layers), so the
  // same totals and entropy, bit for bit.
  auto starts_as_checkpoint = [&](const fs::path& out) {
    const Table h = read_csv(out / "history.csv");
    for (const char* q : {"t", "mass", "energy", "entropy", "cells_layer0", "cells_layer1", "cells_layer2"}) {
      CAPTURE(q);
      CHECK(h.column(q)[0] == (std::string(q) == "t" ? 0.0 : history.column(q)[4]));
    }
  };

  // The same case from its step 4 for two steps: a's last two steps from another time
  // origin, so Δt differs in its last bits (0.01 accumulated from 0 or from 0.04).
  const Result same = run_strata(box + " --set time.end=0.02 --set output.times=[0.02] --start-from " + ck.string() +
                                 " --out " + (dir / "same").string());
  REQUIRE_MESSAGE(same.exit_code == 0, same.output);
  starts_as_checkpoint(dir / "same");
  const double diff = profile_difference(dir / "a" / "profile_0.06.csv", dir / "same" / "profile_0.02.csv");
  MESSAGE("started from step 4 against the run that went on: largest profile difference / scale = " << diff);
  CHECK(diff <= 1e-12);  // round-off of Δt over two steps (measured 4e-16)
  const auto summary = read_json(dir / "same" / "summary.json");
  CHECK(summary["started_from"] == fs::weakly_canonical(ck).string());  // absolute, links resolved
  CHECK_FALSE(summary.contains("restarted_from"));
  CHECK(summary["steps"] == 2);  // counted from this run's start
  CHECK(fs::exists(dir / "same" / "snapshot_0000.vti"));  // a series of its own

  // Another Knudsen number (a restart refuses it): the same start, then its own physics.
  const Result kn = run_strata(box + " --set knudsen=0.01 --set time.end=0.02 --set output.times=[0.02] --start-from " +
                               ck.string() + " --out " + (dir / "kn").string());
  REQUIRE_MESSAGE(kn.exit_code == 0, kn.output);
  starts_as_checkpoint(dir / "kn");
  CHECK(profile_difference(dir / "same" / "profile_0.02.csv", dir / "kn" / "profile_0.02.csv") > 1e-3);
  for (const char* q : {"mass", "momentum_x", "energy"})
    CHECK(read_json(dir / "kn" / "summary.json")["conservation"][q].get<double>() < 1e-12);

  // An Euler run's state into layer 1 on another velocity grid (an Euler checkpoint has
  // none): each cell the Maxwellian reconstruction of its conserved state, whose moments
  // the conservative discrete Maxwellian keeps (paper §4.5) to round-off.
  const std::string sod = "run " + source("cases/sod.json") + " --set mesh.nx=40 -q --threads 1";
  const Result euler = run_strata(sod + " --set regime.mode=layer0 --set time.end=0.05 --set output.times=[0.05]"
                                        " --set output.checkpoint.every_steps=40 --out " + (dir / "euler").string());
  REQUIRE_MESSAGE(euler.exit_code == 0, euler.output);
  const fs::path euler_ck = dir / "euler" / "checkpoint_40.h5";
  REQUIRE(fs::exists(euler_ck));
  const Result kinetic = run_strata(sod + " --set regime.mode=layer1 --set velocity.n=16 --set time.end=0.01"
                                          " --set output.times=[0.01] --start-from " + euler_ck.string() + " --out " +
                                    (dir / "kinetic").string());
  REQUIRE_MESSAGE(kinetic.exit_code == 0, kinetic.output);
  const Table h0 = read_csv(dir / "euler" / "history.csv"), h1 = read_csv(dir / "kinetic" / "history.csv");
  for (const char* q : {"mass", "momentum_x", "energy"}) {
    CAPTURE(q);
    CHECK(std::abs(h1.column(q)[0] - h0.column(q)[40]) <= 1e-13 * std::abs(h0.column(q)[40]));
  }
  CHECK(h1.column("cells_layer1")[0] == h0.column("cells_layer0")[40]);  // every cell kinetic

  // Refused: another mesh; a gas cell the checkpoint holds inside an obstacle; two
  // starting points; a folder.
  const Result mesh = run_strata(box + " --set mesh.nx=12 --start-from " + ck.string() + " --out " + (dir / "m").string());
  CHECK(mesh.exit_code == 3);
  CHECK_MESSAGE(has(mesh, "cannot start from " + ck.string() + ": 1 difference(s) from this case: mesh.nx is 10 in the "
                          "checkpoint and 12 in this case"), mesh.output);
  const std::string rect = "run " + source("cases/rect_obstacle.json") +
                           " --set mesh.nx=20 --set mesh.ny=20 --set velocity.n=12 -q --threads 1";
  const Result obstacle = run_strata(rect + " --set time.end=0.01 --set output.times=[0.01] --set output.checkpoint.every_steps=2"
                                            " --out " + (dir / "rect").string());
  REQUIRE_MESSAGE(obstacle.exit_code == 0, obstacle.output);
  const Result removed = run_strata(rect + " --set obstacles=[] --start-from " + (dir / "rect" / "checkpoint_2.h5").string() +
                                    " --out " + (dir / "r").string());
  CHECK(removed.exit_code == 3);
  CHECK_MESSAGE(has(removed, ": 12 gas cell(s) of this case are inside an obstacle in the checkpoint (the first: cell (i=7, j=7)"),
                removed.output);
  const Result two = run_strata(box + " --start-from " + ck.string() + " --restart " + ck.string());
  CHECK(two.exit_code == 1);
  CHECK(has(two, "give one of --restart FILE, --resume OUTDIR and --start-from FILE"));
  const Result into = run_strata(box + " --start-from " + ck.string() + " --out " + (dir / "a" / ".").string());
  CHECK(into.exit_code == 3);
  CHECK_MESSAGE(has(into, "the checkpoint's folder, and start it afresh, removing the checkpoint; give another folder"),
                into.output);
  CHECK(fs::exists(ck));
  const Result folder = run_strata(box + " --start-from " + (dir / "a").string());
  CHECK(folder.exit_code == 3);
  CHECK(has(folder, "/a: is a folder, not a checkpoint file (give one of its checkpoint_<step>.h5)"));
}

TEST_CASE("start-from: a run begun from a checkpoint restarts bit for bit (walls without T, a mixture's equilibrium)") {
  const auto dir = scratch("start_from_restart");
  // Walls without T take the case's initial temperature (1), also in a run started from
  // a state whose gas next to them is no longer uniform, and in its restart.
  const std::string cavity = "run " + source("cases/cavity.json") +
                             " --set mesh.nx=8 --set mesh.ny=8 --set velocity.n=10 -q --threads 1"
                             " --set 'mesh.boundary.left={\"type\":\"wall\"}' --set 'mesh.boundary.right={\"type\":\"wall\"}'"
                             " --set 'mesh.boundary.bottom={\"type\":\"wall\"}' --set output.checkpoint.keep=100";
  const Result a = run_strata(cavity + " --set time.end=0.3 --set output.times=[0.3] --set output.checkpoint.every_steps=10"
                                       " --out " + (dir / "a").string());
  REQUIRE_MESSAGE(a.exit_code == 0, a.output);
  const std::string started = cavity + " --set time.end=0.3 --set output.times=[0.15,0.3] --set output.checkpoint.every_steps=5"
                                       " --start-from " + (dir / "a" / "checkpoint_10.h5").string();
  const Result b = run_strata(started + " --out " + (dir / "b").string());
  REQUIRE_MESSAGE(b.exit_code == 0, b.output);
  const Result c = run_strata(started.substr(0, started.find(" --start-from")) + " --restart " +
                              (dir / "b" / "checkpoint_5.h5").string() + " --out " + (dir / "c").string());
  REQUIRE_MESSAGE(c.exit_code == 0, c.output);
  check_same_results(dir / "b", dir / "c", {"probe_center.csv", "snapshot_0002.vti"});
  // Still a run begun from a's state: the checkpoint carries where it started.
  CHECK(read_json(dir / "c" / "summary.json")["started_from"] == fs::weakly_canonical(dir / "a" / "checkpoint_10.h5").string());

  // A mixture's global equilibrium is that of the state the run started from, not of the
  // case's initial state (here another one), in the run and in its restart.
  const std::string mixture = "run " + source("cases/mixture_relaxation.json") +
                              " --set velocity.n=12 -q --threads 1 --set output.checkpoint.keep=100";
  const Result m = run_strata(mixture + " --set time.end=0.1 --set output.times=[0.1] --set output.checkpoint.every_steps=5"
                                        " --out " + (dir / "m").string());
  REQUIRE_MESSAGE(m.exit_code == 0, m.output);
  const std::string mixture_started = mixture + " --set initial.0.components.0.rho=[3.0,0.0] --set time.end=0.2"
                                                " --set output.times=[0.1,0.2] --set output.checkpoint.every_steps=5";
  const Result ms = run_strata(mixture_started + " --start-from " + (dir / "m" / "checkpoint_5.h5").string() + " --out " +
                               (dir / "ms").string());
  REQUIRE_MESSAGE(ms.exit_code == 0, ms.output);
  const Result mr = run_strata(mixture_started + " --restart " + (dir / "ms" / "checkpoint_10.h5").string() + " --out " +
                               (dir / "mr").string());
  REQUIRE_MESSAGE(mr.exit_code == 0, mr.output);
  check_same_results(dir / "ms", dir / "mr", {"probe_cell.csv"});  // history: distance_to_equilibrium included
  // A closed box keeps each species' number: the started run's equilibrium is m's, so
  // the distance continues m's (to round-off: the equilibrium is recomputed).
  const auto dm = read_csv(dir / "m" / "history.csv").column("distance_to_equilibrium");
  const auto ds = read_csv(dir / "ms" / "history.csv").column("distance_to_equilibrium");
  CHECK(ds[0] == doctest::Approx(dm[5]).epsilon(1e-12));
}

TEST_CASE("start-from and restart: a link, a layer the case holds, a layer-0 run, damaged or foreign files") {
  const auto dir = scratch("start_from_more");
  const std::string box = "run " + source("cases/conservation_box.json") +
                          " --set mesh.nx=10 --set mesh.ny=10 --set velocity.n=10 -q --threads 1";
  const Result a = run_strata(box + " --set time.end=0.04 --set output.times=[0.04] --set output.checkpoint.every_steps=2"
                                    " --out " + (dir / "a").string());
  REQUIRE_MESSAGE(a.exit_code == 0, a.output);
  const fs::path ck = dir / "a" / "checkpoint_2.h5";
  REQUIRE(fs::exists(ck));

  // A link to the checkpoint names the folder of the file itself.
  fs::create_symlink(ck, dir / "link.h5");
  const Result link = run_strata(box + " --start-from " + (dir / "link.h5").string() + " --out " + (dir / "a").string());
  CHECK(link.exit_code == 3);
  CHECK_MESSAGE(has(link, "the checkpoint's folder, and start it afresh"), link.output);
  CHECK(fs::exists(ck));

  // A layer-0 run takes no distribution: the velocity grid may differ.
  const Result euler = run_strata(box + " --set regime.mode=layer0 --set velocity.n=12 --set time.end=0.01"
                                        " --set output.times=[0.01] --start-from " + ck.string() + " --out " +
                                  (dir / "euler").string());
  CHECK_MESSAGE(euler.exit_code == 0, euler.output);

  // The band the case holds in layer 2 around an obstacle starts there, though the
  // checkpoint (a layer-0 run without the obstacle) has it in layer 0.
  const std::string rect = "run " + source("cases/rect_obstacle.json") +
                           " --set mesh.nx=20 --set mesh.ny=20 --set velocity.n=12 -q --threads 1 --set time.end=0.01"
                           " --set output.times=[0.01]";
  const Result fluid = run_strata(rect + " --set regime.mode=layer0 --set obstacles=[] --set output.checkpoint.every_steps=2"
                                         " --out " + (dir / "fluid").string());
  REQUIRE_MESSAGE(fluid.exit_code == 0, fluid.output);
  const Result fresh = run_strata(rect + " --out " + (dir / "fresh").string());
  REQUIRE_MESSAGE(fresh.exit_code == 0, fresh.output);
  const Result banded = run_strata(rect + " --start-from " + (dir / "fluid" / "checkpoint_2.h5").string() + " --out " +
                                   (dir / "banded").string());
  REQUIRE_MESSAGE(banded.exit_code == 0, banded.output);
  const double band = read_csv(dir / "fresh" / "history.csv").column("cells_layer2")[0];
  CHECK(band > 0);
  CHECK(read_csv(dir / "banded" / "history.csv").column("cells_layer2")[0] == band);

  // Contents no run can have written, where HDF5 sees nothing wrong: refused by a
  // restart and a start alike, naming what is wrong.
  struct Damage {
    std::string name, expected;
  };
  damaged_copy<double>(ck, dir / "density.h5", "/macro/U", H5T_NATIVE_DOUBLE, (2 * 14 + 2) * 5, -1.0);  // cell (0, 0): ρ
  damaged_copy<double>(ck, dir / "f.h5", "/kinetic/f", H5T_NATIVE_DOUBLE, 7, std::nan(""));
  damaged_copy<std::int8_t>(ck, dir / "layer.h5", "/domain/regime", H5T_NATIVE_INT8, 0, 7);
  const auto cells = dataset<std::uint64_t>(ck, "/kinetic/cells", H5T_NATIVE_UINT64);  // the first cell twice
  REQUIRE(cells.size() > 1);
  damaged_copy<std::uint64_t>(ck, dir / "cells.h5", "/kinetic/cells", H5T_NATIVE_UINT64, 1, cells[0]);
  const std::string twice = std::to_string(cells[0]);
  for (const Damage& d : {Damage{"density", "/macro/U: the gas cell (i=0, j=0) has no finite positive density and internal energy"},
                          Damage{"f", "/kinetic/f: a value that is not finite in the distribution of cell (i=0, j=0)"},
                          Damage{"layer", "/domain/regime: cell (i=0, j=0) is in layer 7"},
                          Damage{"cells", "/kinetic/cells: cell " + twice + " follows cell " + twice +
                                              ", where each cell appears once, by ascending index"}})
    for (const char* how : {" --restart ", " --start-from "}) {
      CAPTURE(d.name);
      CAPTURE(how);
      const Result r = run_strata(box + how + (dir / (d.name + ".h5")).string() + " --out " + (dir / "x").string());
      CHECK(r.exit_code == 3);
      CHECK_MESSAGE(has(r, d.expected + " (corrupted checkpoint?)"), r.output);
    }
  // A mixture's species dips below 0 by a trace beside a region without it (mixture_bgk
  // leaves it out of its relaxation): a checkpoint that holds such a trace is one a run
  // wrote, and continues.
  const std::string mixture = "run " + source("cases/mixture_near_equilibrium.json") +
                              " --set velocity.n=12 --set mesh.nx=32 --set mesh.ny=2 --set knudsen=100 -q --threads 1"
                              " --set 'initial=[{\"where\":\"x<0.5\",\"rho\":[1,0],\"T\":1},{\"rho\":[0.5,0.5],\"T\":1}]'"
                              " --set time.end=0.03 --set output.times=[0.03] --set output.checkpoint.every_steps=1"
                              " --set output.checkpoint.keep=100";
  const Result trace = run_strata(mixture + " --out " + (dir / "trace").string());
  REQUIRE_MESSAGE(trace.exit_code == 0, trace.output);
  const fs::path trace_ck = dir / "trace" / "checkpoint_2.h5";
  const auto U = dataset<double>(trace_ck, "/macro/U", H5T_NATIVE_DOUBLE);
  double lowest = 0;
  for (std::size_t k = 1; k < U.size(); k += 6) lowest = std::min(lowest, U[k]);  // the light density
  MESSAGE("the lowest light density in the checkpoint: " << lowest);
  CHECK(lowest < 0);
  const Result continued = run_strata(mixture + " --restart " + trace_ck.string() + " --out " + (dir / "trace2").string());
  CHECK_MESSAGE(continued.exit_code == 0, continued.output);
  // Attributes no run writes: refused too, naming the attribute.
  for (const auto& [attribute, value] :
       {std::pair{"time", std::nan("")}, {"time", -1.0}, {"step", -5.0}, {"step", 0x1p40}}) {
    CAPTURE(attribute);
    CAPTURE(value);
    fs::copy_file(ck, dir / "attribute.h5", fs::copy_options::overwrite_existing);
    set_attribute(dir / "attribute.h5", attribute, value);
    const Result r = run_strata(box + " --restart " + (dir / "attribute.h5").string() + " --out " + (dir / "x").string());
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(has(r, "attribute.h5: attribute " + std::string(attribute) + " is "), r.output);
    CHECK(has(r, ", which no run writes (corrupted checkpoint?)"));
  }
  // Damage HDF5 sees: each message names the object by its path in the file.
  edited_copy(ck, dir / "no_f.h5", [](hid_t f) { REQUIRE(H5Ldelete(f, "/kinetic/f", H5P_DEFAULT) >= 0); });
  edited_copy(ck, dir / "offsets.h5", [](hid_t f) {  // one row where the case has no obstacle
    REQUIRE(H5Ldelete(f, "/domain/obstacle_offsets", H5P_DEFAULT) >= 0);
    const hsize_t dims[2] = {1, 2};
    const int offsets[2] = {0, 0};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t set = H5Dcreate2(f, "/domain/obstacle_offsets", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT);
    REQUIRE(H5Dwrite(set, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, offsets) >= 0);
    H5Dclose(set);
    H5Sclose(space);
  });
  // A case that is no JSON, stored as h5py stores a str (variable-length UTF-8), which
  // the reader takes as it takes its own fixed-length strings.
  edited_copy(ck, dir / "case.h5", [](hid_t f) {
    REQUIRE(H5Adelete(f, "case") >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(f, "case", type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char* text = "{not json";
    REQUIRE(H5Awrite(a, type, &text) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  });
  // Two strings where one is due: read into one, they overran it (undefined behaviour).
  edited_copy(ck, dir / "two_cases.h5", [](hid_t f) {
    REQUIRE(H5Adelete(f, "case") >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hsize_t two = 2;
    const hid_t space = H5Screate_simple(1, &two, nullptr);
    const hid_t a = H5Acreate2(f, "case", type, space, H5P_DEFAULT, H5P_DEFAULT);
    const char* texts[2] = {"{}", "{}"};
    REQUIRE(H5Awrite(a, type, texts) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  });
  for (const auto& [file, expected] :
       {std::pair{"two_cases.h5", "two_cases.h5: attribute case does not hold one value (corrupted checkpoint?)"},
        {"no_f.h5", "no_f.h5: dataset /kinetic/f is missing or unreadable"},
        {"offsets.h5", "offsets.h5: dataset /domain/obstacle_offsets has 1 rows, one per obstacle of the case, which has "
                       "0 (corrupted checkpoint?)"},
        {"case.h5", "case.h5: attribute case is not JSON (corrupted checkpoint?)"}}) {
    CAPTURE(file);
    const Result r = run_strata(box + " --restart " + (dir / file).string() + " --out " + (dir / "x").string());
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(has(r, expected), r.output);
  }
  // An HDF5 file that is not a checkpoint.
  const hid_t foreign = H5Fcreate((dir / "foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(foreign >= 0);
  H5Fclose(foreign);
  const Result f = run_strata(box + " --restart " + (dir / "foreign.h5").string() + " --out " + (dir / "x").string());
  CHECK(f.exit_code == 3);
  CHECK_MESSAGE(has(f, "foreign.h5: an HDF5 file, but not a Strata checkpoint"), f.output);
}

namespace {
// Runs `strata <args> --out <dir>/<out>` in the background and sends it SIGTERM as soon as
// <dir>/<watch> exists; returns its exit status (its output in <dir>/log).
int run_until_signal(const fs::path& dir, const std::string& args, const std::string& out, const std::string& watch) {
  std::ofstream(dir / "stop.sh") << "cd " << dir.string() << "\n"
                                 << STRATA_EXE << " " << args << " --out " << out << " > log 2>&1 &\n"
                                 << "pid=$!\n"
                                 << "for k in $(seq 400); do [ -f " << watch << " ] && break; sleep 0.05; done\n"
                                 << "kill -TERM $pid\nwait $pid\necho $? > rc\n";
  REQUIRE(std::system(("bash " + (dir / "stop.sh").string()).c_str()) == 0);
  std::ifstream rc_file(dir / "rc");
  int rc = -1;
  rc_file >> rc;
  return rc;
}
}  // namespace

TEST_CASE("checkpoint: SIGTERM stops after the step with a checkpoint and exit code 4; --resume completes it") {
  const auto dir = scratch("ckpt_sigterm");
  // About 1.2 s on one thread of the development machine, of which 0.1 s before the
  // t = 0 history: the signal, sent as soon as that history is seen, arrives about a
  // second before the run would end.
  const std::string args = "run " + source("cases/mixture_relaxation.json") +
                           " --set velocity.n=32 --set time.end=6 --set output.times=[3,6] -q --threads 1";
  const int rc = run_until_signal(dir, args, "stopped", "stopped/history.csv");
  CHECK_MESSAGE(rc == 4, slurp(dir / "log"));
  CHECK(slurp(dir / "log").find("strata: signal received: stopping after the step in progress") != std::string::npos);
  const auto s = read_json(dir / "stopped" / "summary.json");
  CHECK(s["status"] == "interrupted");
  bool has_checkpoint = false;
  for (const auto& e : fs::directory_iterator(dir / "stopped"))
    has_checkpoint = has_checkpoint || e.path().extension() == ".h5";
  CHECK(has_checkpoint);
  // The series are written with the checkpoint: a row per step, t = 0 included, not only
  // those of the output times before the stop.
  CHECK(read_csv(dir / "stopped" / "history.csv").rows.size() == s["steps"].get<std::size_t>() + 1);
  CHECK(read_csv(dir / "stopped" / "probe_cell.csv").rows.size() == s["steps"].get<std::size_t>() + 1);
  // The message says how to continue, as a command to paste: case, --set lines, folder.
  CHECK_MESSAGE(slurp(dir / "log").find("continue with: strata run " + source("cases/mixture_relaxation.json") +
                                        " --set velocity.n=32 --set time.end=6 --set 'output.times=[3,6]' --resume stopped") !=
                    std::string::npos,
                slurp(dir / "log"));

  // The same command again, without --resume, would delete those checkpoints: refused.
  const Result again = run_strata(args + " --out " + (dir / "stopped").string());
  CHECK(again.exit_code == 3);
  CHECK_MESSAGE(again.output.find("holds the checkpoints of a run that did not finish (status interrupted at step ") !=
                    std::string::npos,
                again.output);
  CHECK(again.output.find("continue it with --resume " + (dir / "stopped").string()) != std::string::npos);
  CHECK(read_json(dir / "stopped" / "summary.json")["status"] == "interrupted");

  const Result resumed = run_strata(args + " --resume " + (dir / "stopped").string());
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  const Result full = run_strata(args + " --out " + (dir / "full").string());
  REQUIRE_MESSAGE(full.exit_code == 0, full.output);
  check_same_results(dir / "full", dir / "stopped", {"profile_6.csv", "probe_cell.csv", "snapshot_0002.vti"});

  // A batch system that requeues the finished job: nothing to resume, nothing changed.
  const std::string summary = slurp(dir / "stopped" / "summary.json"), history = slurp(dir / "stopped" / "history.csv");
  const Result requeued = run_strata(args + " --resume " + (dir / "stopped").string());
  CHECK_MESSAGE(requeued.exit_code == 0, requeued.output);
  CHECK_MESSAGE(has(requeued, (dir / "stopped").string() + ": its run completed at t = 6, step "), requeued.output);
  CHECK(has(requeued, "(summary.json); nothing to resume. To run it further, raise time.end and resume again"));
  CHECK(slurp(dir / "stopped" / "summary.json") == summary);
  CHECK(slurp(dir / "stopped" / "history.csv") == history);
  // With time.end raised the run goes on from its newest checkpoint.
  const Result further = run_strata(args + " --set time.end=6.5 --set output.times=[3,6,6.5] --resume " +
                                    (dir / "stopped").string());
  CHECK_MESSAGE(further.exit_code == 0, further.output);
  CHECK(read_json(dir / "stopped" / "summary.json")["final_time"] == 6.5);
  // --resume names a folder; given a checkpoint file, the message points to --restart.
  const fs::path file = dir / "stopped" / read_json(dir / "stopped" / "summary.json")["restarted_from"].get<std::string>();
  const Result wrong = run_strata(args + " --resume " + file.string());
  CHECK(wrong.exit_code == 3);
  CHECK_MESSAGE(has(wrong, file.string() + ": --resume takes the output folder, not a checkpoint file: --resume " +
                               (dir / "stopped").string() + " continues from the folder's newest checkpoint, --restart " +
                               file.string() + " --out " + (dir / "stopped").string() + " from this one"),
                wrong.output);
  // A run that failed before its first checkpoint is run again: the message says what it did.
  const Result failed = run_strata(args + " --set time.max_steps=2 --set time.steady=1e-30 --out " +
                                     (dir / "failed").string());
  REQUIRE(failed.exit_code == 3);
  const Result none = run_strata(args + " --resume " + (dir / "failed").string());
  CHECK(none.exit_code == 3);
  CHECK_MESSAGE(has(none, (dir / "failed").string() + ": no checkpoint_<step>.h5 to resume from (status failed at step 2, t = "),
                none.output);
  CHECK(has(none, "run the case again without --resume"));
}

TEST_CASE("checkpoint: a signal during the last step lets the run complete (a checkpoint at time.end could not resume)") {
  const auto dir = scratch("ckpt_last_step");
  // One step of layer 2 at 16³ on 24 × 24 cells: about 0.7 s on one thread of the
  // development machine, begun right after the t = 0 history the signal waits for.
  const std::string args = "run " + source("cases/conservation_box.json") +
                           " --set regime.mode=layer2 --set velocity.n=16 --set time.dt=0.004 --set time.end=0.004"
                           " --set output.times=[0.004] -q --threads 1";
  const int rc = run_until_signal(dir, args, "last", "last/history.csv");
  CHECK_MESSAGE(rc == 0, slurp(dir / "log"));
  CHECK(read_json(dir / "last" / "summary.json")["status"] == "completed");
}

TEST_CASE("checkpoint: a signal during strata compare stops it, exit code 4; compare --resume continues the comparison") {
  const auto dir = scratch("compare_sigterm");
  // The layer-1 run lasts about 4 s on one thread of the development machine, 0.3 s of
  // them before its t = 0 history, when the signal is sent; the layer-0 run must not start.
  const std::string logged = "compare " + source("cases/conservation_box.json") +
                             " --modes layer1,layer0 --reference layer0 --set velocity.n=24 --threads 1";
  const std::string args = logged + " -q";
  const int rc = run_until_signal(dir, args, "cmp", "cmp/layer1/history.csv");
  const std::string log = slurp(dir / "log");
  const std::string resume = "Continue the comparison with: strata compare " + source("cases/conservation_box.json") +
                             " --modes layer1,layer0 --reference layer0 --set velocity.n=24 --threads 1 --resume cmp";
  CHECK_MESSAGE(rc == 4, log);
  CHECK_MESSAGE(log.find("compare: interrupted in the run layer1; nothing compared. " + resume) != std::string::npos, log);
  CHECK(read_json(dir / "cmp" / "layer1" / "summary.json")["status"] == "interrupted");
  CHECK_FALSE(fs::exists(dir / "cmp" / "layer0"));
  const auto planned = read_json(dir / "cmp" / "comparison.json");  // the runs it planned, how far it got
  CHECK(planned["status"] == "interrupted");
  CHECK(planned["runs"].size() == 2);
  CHECK_FALSE(planned.contains("reference"));
  // Run again without --resume, the comparison would remove that checkpoint: refused
  // before any run starts.
  const Result again = run_strata(args + " --out " + (dir / "cmp").string());
  CHECK(again.exit_code == 3);
  CHECK_MESSAGE(has(again, "compare, run \"layer1\": the output folder " + (dir / "cmp" / "layer1").string() +
                               " holds the checkpoints of this comparison's run layer1, which did not finish (status "
                               "interrupted at step "),
                again.output);
  CHECK(has(again, "continue the comparison with strata compare "));
  CHECK_FALSE(fs::exists(dir / "cmp" / "layer0"));

  // --resume with another case: refused before any run starts, though a restart alone
  // would take it (another time step); nothing is run.
  const Result changed = run_strata(args + " --set time.dt=0.002 --resume " + (dir / "cmp").string());
  CHECK(changed.exit_code == 3);
  CHECK_MESSAGE(has(changed, "compare --resume: the run layer1 in " + (dir / "cmp" / "layer1").string() +
                                 " was interrupted with another case (/time/dt differ); give the options it ran with, "
                                 "or remove the folder"),
                changed.output);
  CHECK_FALSE(fs::exists(dir / "cmp" / "layer0"));
  CHECK(read_json(dir / "cmp" / "comparison.json")["status"] == "interrupted");  // refused before it was written

  // --resume: layer1 continues from its checkpoint, layer0 runs; the comparison is the
  // uninterrupted one's, the continued run bit for bit.
  const Result resumed = run_strata(args + " --resume " + (dir / "cmp").string());
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  const Result whole = run_strata(args + " --out " + (dir / "whole").string());
  REQUIRE_MESSAGE(whole.exit_code == 0, whole.output);
  for (const char* run : {"layer1", "layer0"}) {
    CAPTURE(run);
    CHECK(read_json(dir / "cmp" / run / "summary.json")["steps"] == read_json(dir / "whole" / run / "summary.json")["steps"]);
    for (const auto& e : fs::directory_iterator(dir / "whole" / run))
      if (e.path().filename().string().starts_with("profile_"))
        CHECK(slurp(e.path()) == slurp(dir / "cmp" / run / e.path().filename()));
  }
  const auto l1 = [](const fs::path& file) {
    std::vector<double> values;
    const auto doc = read_json(file);
    for (const auto& r : doc["runs"]) values.push_back(r["l1_rho"].get<double>() + r["l1_T"].get<double>());
    return values;
  };
  const std::vector<double> expected = l1(dir / "whole" / "comparison.json");
  REQUIRE(expected.size() == 2);
  CHECK(expected[0] > 0);  // layer1 against layer0: a comparison that can fail
  CHECK(l1(dir / "cmp" / "comparison.json") == expected);

  // Resumed again: both runs are compared as they ended, none runs.
  const std::string history = slurp(dir / "cmp" / "layer1" / "history.csv");
  const Result done = run_strata(logged + " --resume " + (dir / "cmp").string());
  REQUIRE_MESSAGE(done.exit_code == 0, done.output);
  CHECK_MESSAGE(has(done, "compare: the run layer1 completed before in " + (dir / "cmp" / "layer1").string() +
                              ": compared as it ended"),
                done.output);
  CHECK(slurp(dir / "cmp" / "layer1" / "history.csv") == history);
  CHECK(l1(dir / "cmp" / "comparison.json") == expected);
  // On two threads: compared as they ended, with a warning that their wall times were not.
  std::string two = logged;
  two.replace(two.find("--threads 1"), 11, "--threads 2");
  const Result other_threads = run_strata(two + " --resume " + (dir / "cmp").string());
  REQUIRE_MESSAGE(other_threads.exit_code == 0, other_threads.output);
  CHECK_MESSAGE(has(other_threads, "compare: the run layer1 was timed on 1 rank(s) of 1 thread(s), this comparison "
                                   "runs on 1 of 2: its wall time and the speed-ups against it compare unlike conditions"),
                other_threads.output);
  CHECK(read_json(dir / "cmp" / "comparison.json")["runs"][0]["threads_per_rank"] == 1);
  // A summary without the plugin the run needs: run again, not a failure of the comparison.
  auto summary = read_json(dir / "cmp" / "layer0" / "summary.json");
  summary["plugins"].erase("fluid");
  std::ofstream(dir / "cmp" / "layer0" / "summary.json") << summary.dump();
  const Result no_plugin = run_strata(logged + " --resume " + (dir / "cmp").string());
  CHECK_MESSAGE(no_plugin.exit_code == 0, no_plugin.output);
  CHECK_MESSAGE(has(no_plugin, "compare: the run layer0 in " + (dir / "cmp" / "layer0").string() +
                                   " ran another fluid plugin or other parameters (name none, version none; "),
                no_plugin.output);
  // Another case: its runs run again, the keys that differ named.
  const Result other = run_strata(logged + " --set knudsen=0.5 --resume " + (dir / "cmp").string());
  REQUIRE_MESSAGE(other.exit_code == 0, other.output);
  CHECK_MESSAGE(has(other, "compare: the run layer0 in " + (dir / "cmp" / "layer0").string() +
                               " ran another case (/knudsen differ): running it again"),
                other.output);
  // Options that do not fit.
  const Result missing = run_strata(args + " --resume " + (dir / "none").string());
  CHECK(missing.exit_code == 1);
  CHECK(has(missing, "compare --resume " + (dir / "none").string() + ": no such folder"));
}

TEST_CASE("outputs: one at t = 0 that cannot be put in place fails the run as one after a step does") {
  // A folder where profile_0.csv should go: the summary said "running" (a killed run)
  // and no last_good.vti was written.
  const auto dir = scratch("output_blocked");
  fs::create_directories(dir / "run" / "profile_0.csv");
  const Result r = run_strata("run " + source("cases/sod.json") + " --set regime.mode=layer0 --set mesh.nx=20"
                              " --set time.end=0.01 --set output.times=[0.01] -q --out " + (dir / "run").string());
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(has(r, "the outputs at t = 0: " + (dir / "run" / "profile_0.csv").string() + ": cannot be put in place"),
                r.output);
  CHECK(read_json(dir / "run" / "summary.json")["status"] == "failed");
  CHECK(fs::exists(dir / "run" / "last_good.vti"));
  // history.csv blocked: the failure's outputs fail at it too, after last_good.vti, and
  // the message says which of them was written (it said none was).
  fs::create_directories(dir / "history" / "history.csv");
  const Result h = run_strata("run " + source("cases/sod.json") + " --set regime.mode=layer0 --set mesh.nx=20"
                              " --set time.end=0.01 --set output.times=[0.01] -q --out " + (dir / "history").string());
  CHECK(h.exit_code == 3);
  CHECK_MESSAGE(has(h, "; last_good.vti was written, but not all of the run's other outputs: " +
                           (dir / "history" / "history.csv").string() + ": cannot be put in place"),
                h.output);
  CHECK(has(h, "; the last good state is in " + (dir / "history" / "last_good.vti").string()));
  CHECK(fs::exists(dir / "history" / "last_good.vti"));
}

TEST_CASE("checkpoint: one that cannot be put in place fails the run cleanly, its temporary file removed") {
  const auto dir = scratch("ckpt_blocked");
  // A folder where the sixth step's checkpoint should go: its rename fails.
  fs::create_directories(dir / "run" / "checkpoint_6.h5");
  const std::string sets = " --set regime.mode=layer0 --set mesh.nx=50 --set time.end=0.02 --set output.times=[0.02]"
                           " --set output.checkpoint.every_steps=3";
  const Result r = run_strata("run " + source("cases/sod.json") + sets + " -q --out " + (dir / "run").string());
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(r.output.find("the checkpoint after step 6 could not be written: ") != std::string::npos, r.output);
  CHECK(r.output.find("checkpoint_6.h5: cannot be put in place: ") != std::string::npos);
  // The one before is named, with the command that continues from it.
  CHECK_MESSAGE(has(r, "; the newest complete checkpoint is " + (dir / "run" / "checkpoint_3.h5").string() +
                           ": continue from it with strata run " + source("cases/sod.json") +
                           " --set regime.mode=layer0"),
                r.output);
  CHECK(read_json(dir / "run" / "summary.json")["status"] == "failed");
  for (const auto& e : fs::directory_iterator(dir / "run"))
    CHECK_MESSAGE(e.path().filename().string().find(".tmp") == std::string::npos, e.path().string());
  CHECK(fs::exists(dir / "run" / "last_good.vti"));

  // Continued from checkpoint_3.h5: a budget the checkpoint is already past is named as such.
  fs::remove(dir / "run" / "checkpoint_6.h5");
  const std::string resume = "run " + source("cases/sod.json") + sets + " -q --resume " + (dir / "run").string();
  const Result short_budget = run_strata(resume + " --set time.max_steps=3");
  CHECK(short_budget.exit_code == 2);
  CHECK_MESSAGE(has(short_budget, "time.max_steps = 3 is not above the 3 steps already taken (the checkpoint's step); "
                                  "raise time.max_steps"),
                short_budget.output);
  // Resumed to the end: the failed attempt's last_good.vti and a cut-short file go.
  std::ofstream(dir / "run" / "history.csv.tmp12345") << "cut short";
  const Result resumed = run_strata(resume);
  CHECK_MESSAGE(resumed.exit_code == 0, resumed.output);
  CHECK(read_json(dir / "run" / "summary.json")["status"] == "completed");
  CHECK_FALSE(fs::exists(dir / "run" / "last_good.vti"));
  CHECK_FALSE(fs::exists(dir / "run" / "history.csv.tmp12345"));

  // The newest checkpoint cut short: --resume (of a longer run) names the one before it
  // and says to move the damaged file aside.
  std::vector<fs::path> checkpoints;
  for (const auto& e : fs::directory_iterator(dir / "run"))
    if (e.path().extension() == ".h5") checkpoints.push_back(e.path());
  REQUIRE(checkpoints.size() >= 2);
  std::sort(checkpoints.begin(), checkpoints.end(), [](const fs::path& a, const fs::path& b) {
    return std::stol(a.stem().string().substr(11)) < std::stol(b.stem().string().substr(11));
  });
  fs::resize_file(checkpoints.back(), fs::file_size(checkpoints.back()) / 2);
  const Result damaged = run_strata(resume + " --set time.end=0.03 --set output.times=[0.02,0.03]");
  CHECK(damaged.exit_code == 3);
  CHECK_MESSAGE(has(damaged, "; the checkpoint before it, " + checkpoints[checkpoints.size() - 2].string() +
                                 ", may be whole: move the damaged one aside (mv " + checkpoints.back().string()),
                damaged.output);
}

TEST_CASE("checkpoint: one larger than the process may write fails the run with the system's reason, not a signal") {
  // ulimit -f 1024: files of at most 0.5 MiB (dash counts 512-byte blocks), 1 MiB (bash). The ES-BGK store of 16 x 16 cells on 12³
  // velocities is 3.4 MiB, the snapshots and profiles a few kB. Without SIGXFSZ ignored
  // the kernel ends the process at the checkpoint's first write past 1 MiB.
  const auto dir = scratch("ckpt_too_large");
  const Result r = run_strata("run " + source("cases/conservation_box.json") +
                                  " --set regime.mode=layer1 --set mesh.nx=16 --set mesh.ny=16 --set velocity.n=12"
                                  " --set time.end=0.002 --set output.times=[0.002] --set output.checkpoint.every_steps=1"
                                  " --threads 1 -q --out " + dir.string(),
                              "ulimit -f 1024; ");
  CHECK(r.exit_code == 3);
  CHECK_MESSAGE(r.output.find("the checkpoint after step 1 could not be written: ") != std::string::npos, r.output);
  // HDF5's message carries errno; the engine turns it into the system's words.
  CHECK(r.output.find(": cannot write dataset /kinetic/f: File too large (this process may write files of at most ") !=
        std::string::npos);
  CHECK(r.output.find(" MiB: ulimit -f); the file needs about 3.39") != std::string::npos);
  CHECK(fs::exists(dir / "last_good.vti"));
  CHECK(read_json(dir / "summary.json")["status"] == "failed");
  for (const auto& e : fs::directory_iterator(dir))
    CHECK_MESSAGE(e.path().filename().string().find(".tmp") == std::string::npos, e.path().string());
}

TEST_CASE("checkpoint: --resume of a run that reached its steady state is a no-op until time.steady is lowered") {
  const auto dir = scratch("ckpt_steady_requeue");
  const std::string args = "run " + source("cases/couette.json") +
                           " --set mesh.ny=20 --set velocity.n=12 --set velocity.L=5 --set time.end=40 -q --threads 1";
  const Result first = run_strata(args + " --set time.steady=1e-4 --out " + dir.string());
  REQUIRE_MESSAGE(first.exit_code == 0, first.output);
  const auto s = read_json(dir / "summary.json");
  REQUIRE(s["steady"]["reached"] == true);
  const std::string summary = slurp(dir / "summary.json");
  // Requeued as it was: the steady state stands, whatever time.end says.
  const Result requeued = run_strata(args + " --set time.steady=1e-4 --resume " + dir.string());
  CHECK(requeued.exit_code == 0);
  CHECK_MESSAGE(has(requeued, ", steady (summary.json); nothing to resume. To run it further, lower time.steady (or "
                              "remove it: --set time.steady=null) and resume again"),
                requeued.output);
  CHECK(slurp(dir / "summary.json") == summary);
  // A lower tolerance continues from the steady state's checkpoint to the new one.
  const Result lower = run_strata(args + " --set time.steady=5e-5 --resume " + dir.string());
  CHECK_MESSAGE(lower.exit_code == 0, lower.output);
  const auto t = read_json(dir / "summary.json");
  CHECK(t["steady"]["reached"] == true);
  CHECK(t["steady"]["residual"].get<double>() < 5e-5);
  CHECK(t["steps"].get<long>() > s["steps"].get<long>());
}
