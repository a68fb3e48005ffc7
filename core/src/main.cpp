// The strata program (docs/architecture.md §7): run, validate, plugins, describe, schema, info.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "case.hpp"
#include "case_reader.hpp"
#include "checkpoint.hpp"
#include "compare.hpp"
#include "describe.hpp"
#include "diagnostics.hpp"
#include "estimate.hpp"
#include "fault_report.hpp"
#include "plugin_loader.hpp"
#include "ranks.hpp"
#include "schema.hpp"
#include "run_folder.hpp"
#include "simulation.hpp"
#include "stop_signals.hpp"
#include "strata/sdk/version.hpp"
#include "strata/toolkit/format.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace strata::core;

namespace {

constexpr const char* usage = R"(usage:
  strata run CASE.json [--out DIR] [--set key=value ...] [--threads N] [--plugin-dir DIR ...]
                      [--restart FILE.h5 | --resume OUTDIR | --start-from FILE.h5]
                      [--rebalance X]
  strata validate CASE.json [--set key=value ...] [--threads N] [--rebalance X] [--plugin-dir DIR ...]
  strata plugins [--plugin-dir DIR ...]
  strata describe NAME [--markdown] [--plugin-dir DIR ...]
  strata schema [--plugin-dir DIR ...]
  strata info [--plugin-dir DIR ...]
  strata compare CASE.json [--modes hybrid,layer0,layer2] [--indicators 'a,b{"key": value}'] [--reference layer2]
                 [--out DIR | --resume DIR] [--set key=value ...] [--threads N] [--plugin-dir DIR ...]
(-q, --quiet and -h, --help go with every command)
)";

// docs/user_guide.md, "Exit codes".
enum Exit { ok = 0, usage_error = 1, invalid_input = 2, run_failed = 3, interrupted = 4 };

// --threads: 0 (OpenMP's default) or 1 to 4 per hardware thread; more only slows a
// run down, and an absurd count makes the OpenMP runtime abort.
int threads(const po::variables_map& vm) {
  const int n = vm["threads"].as<int>();
  const int most = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (n < 0 || n > most)
    throw po::error("--threads " + std::to_string(n) + ": expected 0 (OpenMP's default) or 1 to " +
                    std::to_string(most) + " (4 per hardware thread of this machine)");
  return n;
}

// --rebalance: 0 (never) or a threshold of at least 1 on max/mean of the ranks' work.
double rebalance_threshold(const po::variables_map& vm) {
  const double x = vm["rebalance"].as<double>();
  if (!(x == 0 || (x >= 1 && x <= 100)))
    throw po::error("--rebalance " + strata::toolkit::format_number(x) + ": expected 0 (never) or a threshold from 1 to 100 on "
                    "the ratio of the busiest rank's work to the mean");
  return x;
}

// Paths and names end up in summary.json, which must be valid UTF-8.
void check_utf8(const std::string& what, const std::string& text) {
  if (!valid_utf8(text)) throw po::error(what + " is not valid UTF-8 text");
}

// --resume of a folder whose run completed, with a case that asks for no more than that
// run did (its end time, or a steady state to no lower tolerance): nothing to resume, so
// that a batch system requeueing a finished job changes none of its results. Returns what
// to say, or "" where the run is to continue (time.end raised, time.steady lowered, or
// no readable summary of a completed run).
std::string finished_run(const Case& c, const fs::path& dir) {
  std::ifstream in(dir / "summary.json");
  const nlohmann::json s = nlohmann::json::parse(in, nullptr, false);
  const auto number = [&](const nlohmann::json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_number();
  };
  if (!s.is_object() || !s.contains("status") || s["status"] != "completed" || !number(s, "final_time") ||
      !number(s, "steps"))
    return "";
  const double t = s["final_time"].get<double>();
  const bool was_steady = s.contains("steady") && number(s["steady"], "residual") &&
                          s["steady"].contains("reached") && s["steady"]["reached"] == true;
  // A steady run with time.steady kept ends at its steady state, whatever time.end says.
  const bool by_residual = was_steady && c.steady;
  const bool done = by_residual ? s["steady"]["residual"].get<double>() < *c.steady : c.t_end <= t + 1e-12 * c.t_end;
  if (!done) return "";
  return dir.string() + ": its run completed at t = " + strata::toolkit::format_number(t) + ", step " +
         std::to_string(s["steps"].get<long>()) + (was_steady ? ", steady" : "") +
         " (summary.json); nothing to resume. To run it further, " +
         (by_residual ? "lower time.steady (or remove it: --set time.steady=null)" : "raise time.end") +
         " and resume again";
}

int run_case(const Case& c, const po::variables_map& vm) {
  if (vm.count("restart") + vm.count("resume") + vm.count("start-from") > 1)
    throw po::error("give one of --restart FILE, --resume OUTDIR and --start-from FILE");
  // --resume continues in the folder it names (unless --out says otherwise).
  const fs::path out = vm.count("out")      ? fs::path(vm["out"].as<std::string>())
                       : vm.count("resume") ? fs::path(vm["resume"].as<std::string>())
                                            : c.output.dir;
  fs::path checkpoint;
  std::string finished;  // --resume of a run that has nothing left to do: what it did
  ranks::agreed([&] {
    for (const char* option : {"restart", "start-from"}) {  // a wrong path is said before the set-up, not after it
      if (!vm.count(option)) continue;
      checkpoint = vm[option].as<std::string>();
      if (std::error_code ec; fs::is_directory(checkpoint, ec))
        throw RunError(checkpoint.string() + ": is a folder, not a checkpoint file (" +
                       (option == std::string("restart") ? "--resume " + checkpoint.string() + " takes the newest one in it)"
                                                         : "give one of its checkpoint_<step>.h5)"));
      if (std::error_code ec; !fs::is_regular_file(checkpoint, ec))
        throw RunError(checkpoint.string() + ": no such checkpoint file (--" + option + ")");
    }
    if (vm.count("resume")) {
      const fs::path dir = vm["resume"].as<std::string>();
      std::error_code ec;
      // The root's reading of the folder (the ranks must agree; see below). Continued
      // into another folder (--out), a finished run is continued as asked.
      if (ranks::root() && (!vm.count("out") || fs::equivalent(out, dir, ec))) finished = finished_run(c, dir);
      if (finished.empty()) checkpoint = newest_checkpoint(dir);
    }
    // A new run starts its folder afresh (run_folder.hpp), checkpoints included; the
    // checkpoint's folder is that of the file itself, not of a link to it.
    std::error_code ec;
    if (vm.count("start-from") && fs::weakly_canonical(fs::absolute(checkpoint), ec).parent_path() ==
                                      fs::weakly_canonical(fs::absolute(out), ec))
      throw RunError("--start-from " + checkpoint.string() + ": the new run would write into " + out.string() +
                     ", the checkpoint's folder, and start it afresh, removing the checkpoint; give another folder "
                     "with --out");
  });
  if (ranks::any(!finished.empty())) {  // true on the root alone, agreed by every rank
    if (ranks::root()) spdlog::warn("{}", finished);  // also with -q: a run that did nothing says why
    return ok;
  }
  const StopSignals signals;  // from here on a signal stops the run with a checkpoint, set-up included
  spdlog::info("case {} ({}): {}x{} cells, regime.mode {}, t_end {}, output in {}", c.name,
               c.file.string(), c.nx, c.ny, mode_name(c.mode), c.t_end, out.string());
  const int n_threads = threads(vm);
  // Every rank's memory check and checkpoint look-up, agreed before the first
  // collective call of the set-up.
  ranks::agreed([&] { check_memory(c, on_this_machine(estimate_memory(c, n_threads))); });
  const auto sim = within_memory(c, n_threads, "setting up the run (plugins, kinetic store, initial state)", [&] {
    auto s = std::make_unique<Simulation>(c, out, n_threads);
    s->set_rebalance_threshold(rebalance_threshold(vm));
    if (vm.count("start-from")) s->start_from(checkpoint);
    else if (!checkpoint.empty()) {
      try {
        s->restart(checkpoint);
      } catch (const DamagedCheckpoint& e) {
        // A newest checkpoint that cannot be read (a write cut short by a full disk or a
        // kill): the one before it may be whole. Moved aside, the damaged file is neither
        // taken again by --resume nor counted as the newest when checkpoints are pruned.
        const auto found = list_checkpoints(checkpoint.parent_path());
        if (!vm.count("resume") || found.size() < 2 || found.back().second != checkpoint) throw;
        throw RunError(std::string(e.what()) + "; the checkpoint before it, " + found[found.size() - 2].second.string() +
                       ", may be whole: move the damaged one aside (mv " + shell_quoted(checkpoint.string()) + " " +
                       shell_quoted(checkpoint.string() + ".damaged") + ") and resume again");
      }
    }
    return s;
  });
  const RunResult result = within_memory(c, n_threads, "during the run", [&] { return sim->run(); });
  if (result.interrupted) {
    if (ranks::root()) spdlog::warn("interrupted: checkpoint and summary in {}", out.string());
    return interrupted;
  }
  spdlog::info("done: results in {}", out.string());
  return ok;
}

// An option given to a command that does not take it is refused rather than ignored
// (`strata run case.json --modes layer0` would otherwise run the case's own mode). What
// each command takes is the usage above (validate takes --threads and --rebalance to
// check them as run would).
void refuse_foreign_options(const std::string& command, const std::string& target, const po::variables_map& vm) {
  static const std::map<std::string, std::set<std::string>> takes = {
      {"run", {"out", "set", "threads", "rebalance", "restart", "resume", "start-from", "plugin-dir"}},
      {"validate", {"set", "threads", "rebalance", "plugin-dir"}},
      {"plugins", {"plugin-dir"}},
      {"describe", {"markdown", "plugin-dir"}},
      {"schema", {"plugin-dir"}},
      {"info", {"plugin-dir"}},
      {"compare", {"out", "set", "threads", "plugin-dir", "modes", "indicators", "reference", "resume"}}};
  const auto command_takes = takes.find(command);
  if (command_takes == takes.end()) return;  // dispatch names the unknown command
  for (const auto& [name, value] : vm) {
    if (value.defaulted() || name == "command" || name == "target" || name == "help" || name == "quiet") continue;
    if (!command_takes->second.contains(name)) {
      std::string owners;
      for (const auto& [other, options] : takes)
        if (options.contains(name)) owners += (owners.empty() ? "" : ", ") + other;
      throw po::error("--" + name + " is an option of " + owners + ", not of " + command);
    }
  }
  if (!target.empty() && (command == "plugins" || command == "schema" || command == "info"))
    throw po::error(command + " takes no argument, got \"" + target + "\"");
}

int dispatch(const std::string& command, const std::string& target, const po::variables_map& vm) {
  refuse_foreign_options(command, target, vm);
  const auto dirs = vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>()
                                           : std::vector<std::string>{};
  for (const std::string& dir : dirs) {  // a folder that is not there would only be skipped
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw po::error("--plugin-dir " + dir + (fs::exists(dir, ec) ? ": not a folder" : ": no such folder"));
  }
  const PluginCatalog catalog(PluginCatalog::default_search_dirs({dirs.begin(), dirs.end()}));
  const auto sets = vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  check_utf8("the case file or plugin name", target);
  // An empty path (an unset variable in a batch script) would be ignored or misread.
  for (const std::string option : {"out", "restart", "resume", "start-from"})
    if (vm.count(option)) {
      if (vm[option].as<std::string>().empty())
        throw po::error("--" + option + " is empty; expected " +
                        (option == "restart" || option == "start-from" ? "a checkpoint file" : "a folder"));
      check_utf8(std::string("--") + option, vm[option].as<std::string>());
    }
  threads(vm);
  rebalance_threshold(vm);
  if (command == "run" || command == "validate") {
    if (target.empty()) throw po::error(command + " needs a case file");
    // Under mpirun every rank reads the case; the first collective call agrees on it.
    std::optional<Case> loaded;
    ranks::agreed([&] { loaded.emplace(load_case(target, sets, catalog)); });
    const Case& c = *loaded;
    if (command == "validate") {
      // Memory first, then set-up without the kinetic store: plugins check what depends
      // on the case (a mixture's admissible ranges, the no-aliasing bound of R), initial
      // regions must cover the mesh, the first time step must reach time.end in
      // time.max_steps.
      const int n_threads = threads(vm);
      const MemoryEstimate memory = on_this_machine(estimate_memory(c, n_threads));
      ranks::agreed([&] { check_memory(c, memory); });  // as run_case checks it
      const double steps = within_memory(c, n_threads, "during set-up", [&] {
        const Simulation setup(c, c.output.dir, n_threads, Simulation::Purpose::check);
        return setup.check_step_budget();
      });
      if (ranks::root())
        std::cout << target << ": valid (" << c.nx << "x" << c.ny << " cells, regime.mode " << mode_name(c.mode)
                  << ", plugins created, initial state set)\n"
                  << "estimated memory: " << gib(memory.total())
                  << (ranks::size_on_this_machine() > 1
                          ? " for the " + std::to_string(ranks::size_on_this_machine()) + " ranks on this machine"
                          : "")
                  << " (peak, " << memory.cells << ")"
                  << (memory.least < memory.total() ? ", at least " + gib(memory.least) : "") << ", steps ≈ "
                  << static_cast<long long>(steps) << "\n";
      return ok;
    }
    return run_case(c, vm);
  }
  if (command == "plugins") {
    print_plugins(std::cout, catalog);
    return ok;
  }
  if (command == "describe") {
    if (target.empty()) throw po::error("describe needs a plugin name");
    const auto lib = catalog.load(target);
    if (vm.count("markdown")) print_markdown(std::cout, lib->descriptor());
    else print_descriptor(std::cout, *lib);
    return ok;
  }
  if (command == "compare") {
    if (target.empty()) throw po::error("compare needs a case file");
    CompareOptions options;
    options.case_file = target;
    options.out_dir = vm.count("out")      ? fs::path(vm["out"].as<std::string>())
                      : vm.count("resume") ? fs::path(vm["resume"].as<std::string>())
                                           : fs::path("out") / (fs::path(target).stem().string() + "_compare");
    if (vm.count("resume")) {  // the comparison continues in its own folder
      const fs::path dir = vm["resume"].as<std::string>();
      std::error_code ec;
      if (!fs::is_directory(dir, ec))
        throw po::error("compare --resume " + dir.string() + ": no such folder (a comparison starts with --out " +
                        dir.string() + ")");
      if (vm.count("out") && !fs::equivalent(options.out_dir, dir, ec))
        throw po::error("compare --resume " + dir.string() + " continues the comparison in that folder; --out names "
                        "another: give one of them");
      options.resume = true;
    }
    options.overrides = sets;
    options.threads = threads(vm);
    if (vm.count("modes")) options.modes = split_list(vm["modes"].as<std::string>());
    if (vm.count("indicators")) options.indicators = split_list(vm["indicators"].as<std::string>());
    if (vm.count("reference")) options.reference = vm["reference"].as<std::string>();
    if (!compare(options, catalog, std::cout)) return interrupted;
    spdlog::info("comparison written to {}", (options.out_dir / "comparison.json").string());
    return ok;
  }
  if (command == "schema") {
    std::cout << case_schema(catalog).dump(2) << "\n";
    return ok;
  }
  if (command == "info") {
    print_info(std::cout, catalog);
    return ok;
  }
  throw po::error("unknown command \"" + command + "\"");
}

}  // namespace

// The exit status of an error that ends the program (docs/user_guide.md, "Exit codes").
static int exit_status(const std::exception& e) {
  return dynamic_cast<const CaseError*>(&e) || dynamic_cast<const PluginError*>(&e) ? invalid_input : run_failed;
}

// The message and exit status of an error that ends the program.
static int report(std::ostream& err) {
  try {
    throw;
  } catch (const CaseError& e) {
    for (const auto& m : e.messages()) err << "strata: error: " << m << "\n";
    err << "strata: " << e.messages().size() << " problem(s) found; nothing was run\n";
    return exit_status(e);
  } catch (const std::exception& e) {
    err << "strata: error: " << e.what() << "\n";
    return exit_status(e);
  }
}

static int run_command_line(int argc, char** argv) {
  // Logs and progress on stderr; stdout carries only what a command prints as its result.
  spdlog::set_default_logger(spdlog::stderr_color_mt("strata"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");
  // Under mpirun the root rank speaks for all: every rank meets the same errors
  // (ranks::agree), the others log warnings only.
  if (!ranks::root()) spdlog::set_level(spdlog::level::warn);
  std::ostringstream others;
  std::ostream& err = ranks::root() ? std::cerr : others;
  po::options_description visible("options");
  visible.add_options()
      ("help,h", "show this help")
      ("out", po::value<std::string>(), "output folder (default: run, output.dir of the case or out/<name>; compare, "
                                   "out/<case file's name>_compare)")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a case key: --set mesh.nx=200")
      ("threads", po::value<int>()->default_value(0), "OpenMP threads (0: OpenMP's default), per MPI rank")
      ("rebalance", po::value<double>()->default_value(1.1, "1.1"),
       "run under mpirun: repartition when the predicted imbalance (max/mean work) exceeds this; 0: never")
      ("restart", po::value<std::string>(), "run: continue from this checkpoint file (checkpoint_<step>.h5)")
      ("resume", po::value<std::string>(),
       "run: continue from the newest checkpoint in this output folder; compare: continue the comparison in this "
       "folder (its completed runs compared as they ended, an interrupted one continued)")
      ("start-from", po::value<std::string>(),
       "run: a new run from t = 0 whose initial state is this checkpoint's (same mesh, velocity grid and species; "
       "the rest of the case may differ, e.g. the Knudsen number)")
      ("plugin-dir", po::value<std::vector<std::string>>()->composing(), "extra plugin folder (searched first)")
      ("markdown", "describe: print the parameter table as Markdown")
      ("modes", po::value<std::string>(), "compare: regime modes, comma-separated (default hybrid,layer0,layer2)")
      ("indicators", po::value<std::string>(), "compare: indicator plugins for the hybrid runs, comma-separated, each NAME or NAME{JSON parameters}")
      ("reference", po::value<std::string>(), "compare: the run the others are measured against (default layer2)")
      ("quiet,q", "only warnings and errors");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>())("target", po::value<std::string>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("target", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help") || !vm.count("command")) {
      std::cout << usage << "\n" << visible;
      if (vm.count("help")) return ok;
      err << "strata: no command given; expected run, validate, compare, plugins, describe, schema or info\n";
      return usage_error;
    }
    if (vm.count("quiet")) spdlog::set_level(spdlog::level::warn);
    return dispatch(vm["command"].as<std::string>(),
                    vm.count("target") ? vm["target"].as<std::string>() : "", vm);
  } catch (const po::error& e) {
    err << "strata: " << e.what() << "\n" << usage;
    return usage_error;  // the command line is every rank's: no rank waits for another
  } catch (const std::exception& e) {
    // An error on one of several ranks that no agreement point saw. Where every rank
    // met one (a problem of the case that the set-up finds is met by all alike), they
    // agree on it and the root reports it once; else the others may wait for this rank
    // in a collective call, so all end now with its message.
    if (ranks::size() > 1 && !ranks::failure_agreed()) {
      try {
        if (!ranks::agree_when_all_failed(std::current_exception(), 5.0)) ranks::abort_all(e.what(), exit_status(e));
      } catch (const std::exception&) {
        return report(err);  // the agreed error, on every rank (the root prints it)
      }
    }
    return report(err);
  }
}


int main(int argc, char** argv) {
  strata::core::ranks::init(argc, argv);
  strata::core::install_fault_report(strata::core::ranks::rank(), strata::core::ranks::size());
  const int code = run_command_line(argc, argv);
  strata::core::ranks::finalize();
  return code;
}
