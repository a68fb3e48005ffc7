#include "compare.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <optional>
#include <utility>

#include <omp.h>
#include <spdlog/spdlog.h>

#include "boundary_loads.hpp"
#include "case.hpp"
#include "checkpoint.hpp"
#include "diagnostics.hpp"
#include "estimate.hpp"
#include "plugin_loader.hpp"
#include "ranks.hpp"
#include "output.hpp"
#include "run_folder.hpp"
#include "simulation.hpp"
#include "stop_signals.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
namespace fs = std::filesystem;

namespace {

struct Run {
  std::string label, mode, indicator;
  RunResult result;
  std::string folder;  // in the comparison's folder
};

// An --indicators item: the plugin's name, and the parameters given after it, if any.
std::pair<std::string, std::optional<nlohmann::json>> indicator_item(const std::string& item) {
  const std::size_t brace = item.find('{');
  if (brace == std::string::npos) return {item, std::nullopt};
  std::string name = item.substr(0, brace);
  name.erase(name.find_last_not_of(" \t") + 1);  // split_list trimmed the front
  if (name.empty())
    throw CaseError({"compare: --indicators: " + item + ": expected the indicator's name before '{'"});
  nlohmann::json params = nlohmann::json::parse(item.substr(brace), nullptr, false);
  if (params.is_discarded() || !params.is_object())
    throw CaseError({"compare: --indicators: " + item + ": what follows '" + name +
                     "' is not a JSON object of its parameters; expected NAME{\"key\": value, ...}"});
  if (params.contains("plugin"))
    throw CaseError({"compare: --indicators: " + item + ": the plugin is the name before '{', not a key"});
  return {name, params};
}

// Relative L1 distance of a field to the reference's over the cells that are gas in
// both runs (solid cells excluded).
double relative_l1(const std::vector<double>& a, const std::vector<double>& ref) {
  double num = 0, den = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!std::isfinite(a[k]) || !std::isfinite(ref[k])) continue;
    num += std::abs(a[k] - ref[k]);
    den += std::abs(ref[k]);
  }
  return den > 0 ? num / den : 0.0;
}

// One planned run: its case read and its set-up checked as `strata validate` checks it.
struct Planned {
  Run run;
  Case c;
  fs::path dir;
};

// The items of a list option, as split_list reads them back.
std::string joined(const std::vector<std::string>& items) {
  std::string list;
  for (const std::string& item : items) list += (list.empty() ? "" : ",") + item;
  return list;
}

// The command that continues this comparison after a stop: the options that shape its
// runs and --resume, each a shell word (`c`: one of its cases, for --plugin-dir).
std::string resume_compare_command(const CompareOptions& o, const Case& c) {
  const CompareOptions defaults;
  std::string command = "strata compare " + shell_quoted(o.case_file.string());
  if (o.modes != defaults.modes) command += " --modes " + shell_quoted(joined(o.modes));
  if (!o.indicators.empty()) command += " --indicators " + shell_quoted(joined(o.indicators));
  if (o.reference != defaults.reference) command += " --reference " + shell_quoted(o.reference);
  for (const std::string& set : o.overrides) command += " --set " + shell_quoted(set);
  if (o.threads > 0) command += " --threads " + std::to_string(o.threads);  // the wall times' conditions
  return command + plugin_dir_arguments(c) + " --resume " + shell_quoted(o.out_dir.string());
}

// Up to three JSON pointers where case `a` differs from `b`, for messages ("/knudsen,
// /time/end and 2 more").
std::string differing_keys(const nlohmann::json& a, const nlohmann::json& b) {
  const nlohmann::json changes = nlohmann::json::diff(a, b);
  std::string keys;
  for (std::size_t n = 0; n < changes.size() && n < 3; ++n) {
    const std::string path = changes[n]["path"].get<std::string>();
    keys += (keys.empty() ? "" : ", ") + (path.empty() ? std::string("the whole case") : path);
  }
  if (changes.size() > 3) keys += " and " + std::to_string(changes.size() - 3) + " more";
  return keys;
}

// Whether a run's summary.json has what the comparison's table reads, in its types.
bool comparable(const nlohmann::json& s) {
  const auto number = [](const nlohmann::json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_number();
  };
  if (!s.is_object() || !number(s, "final_time") || !number(s, "layer_switches") || !s.contains("wall_seconds") ||
      !number(s["wall_seconds"], "total") || !s.contains("ranks") || !number(s["ranks"], "count") ||
      !number(s["ranks"], "threads_per_rank") || !s.contains("plugins") || !s["plugins"].is_object() ||
      !s.contains("conservation") || !s["conservation"].is_object() || !s.contains("layer_share"))
    return false;
  const nlohmann::json& share = s["layer_share"];
  if (!share.is_array() || share.size() != 3) return false;
  for (const auto& v : share)
    if (!v.is_number()) return false;
  for (const auto& [section, plugin] : s["plugins"].items())
    if (!plugin.is_object() || !plugin.contains("name") || !plugin["name"].is_string()) return false;
  return true;
}

// What `compare --resume` finds in a planned run's folder (read on the root rank).
enum class Found {
  nothing,     // no run of this comparison to go on from: run it afresh
  completed,   // completed with this case: its summary and final fields are in the result
  unfinished,  // interrupted or killed: continue it from its newest checkpoint
};
// A completed run is run again where it cannot be compared as it ended: said as a
// warning, since the run's folder is then started afresh.
Found found_in(const Planned& p, int threads, RunResult& result) {
  if (!unfinished_run(p.dir).empty()) return Found::unfinished;  // its case is checked by plan_runs
  if (run_record(p.dir).status != "completed") return Found::nothing;
  const auto again = [&](const std::string& why) {
    spdlog::warn("compare: the run {} in {} {}: running it again", p.run.label, p.dir.string(), why);
    return Found::nothing;
  };
  const fs::path file = p.dir / "compared_run.h5";
  if (!fs::exists(file))
    return again("completed, but without compare's record of it (compared_run.h5: a run completed outside this "
                 "comparison, or continued alone with strata run --resume)");
  ComparedRun record;
  try {
    record = read_compared_run(file);
  } catch (const RunError& e) {
    return again(std::string("has a damaged record (") + e.what() + ")");
  }
  const nlohmann::json ran = nlohmann::json::parse(record.case_json, nullptr, false);
  if (ran.is_discarded()) return again("has a damaged record (its case is not JSON)");
  if (ran != p.c.json)  // the case file or the options changed since
    return again("ran another case (" + differing_keys(ran, p.c.json) + " differ)");
  std::ifstream in(p.dir / "summary.json");
  nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
  const std::size_t cells = static_cast<std::size_t>(p.c.nx) * p.c.ny;
  if (!comparable(summary) || record.rho.size() != cells || record.T.size() != cells)
    return again("has a summary.json or a record that is not whole");
  // Plugins rebuilt since (another version) may compute otherwise.
  const nlohmann::json loads = plugins_loaded(p.c);
  for (const auto& [section, now] : loads.items()) {
    const nlohmann::json then = summary["plugins"].contains(section) ? summary["plugins"][section] : nlohmann::json();
    const auto text = [&](const char* key) {
      return then.is_object() && then.contains(key) ? then[key].dump() : std::string("none");
    };
    if (then != now)
      return again("ran another " + section + " plugin or other parameters (name " + text("name") + ", version " +
                   text("version") + "; this comparison loads " + now["name"].dump() + ", " + now["version"].dump() + ")");
  }
  // Its wall time stands as measured: say where that was under other conditions.
  const int then_ranks = summary["ranks"]["count"].get<int>(), then_threads = summary["ranks"]["threads_per_rank"].get<int>();
  if (then_ranks != ranks::size() || then_threads != threads)
    spdlog::warn("compare: the run {} was timed on {} rank(s) of {} thread(s), this comparison runs on {} of {}: "
                 "its wall time and the speed-ups against it compare unlike conditions",
                 p.run.label, then_ranks, then_threads, ranks::size(), threads);
  result.summary = std::move(summary);
  result.fields.rho = std::move(record.rho);
  result.fields.T = std::move(record.T);
  return Found::completed;
}

// Every run's case is read and set up (memory, plugins, initial state, step budget, as
// `strata validate` does), and the reference found among the runs, before the first run
// starts: a mistake in the options or the case stops here, not after the runs before it.
std::vector<Planned> plan_runs(const CompareOptions& options, const PluginCatalog& catalog) {
  if (options.modes.empty()) throw CaseError({"compare: --modes is empty; expected modes such as hybrid,layer0,layer2"});
  if (!options.indicators.empty() && std::find(options.modes.begin(), options.modes.end(), "hybrid") == options.modes.end())
    throw CaseError({"compare: --indicators applies to hybrid runs, and --modes has no hybrid"});
  // The options' own words first: they reach the case as --set lines, but did not come from one.
  for (const std::string& mode : options.modes)
    if (!mode_named(mode))
      throw CaseError({"compare: --modes: unknown mode \"" + mode + "\"; expected hybrid, layer0, layer1 or layer2"});
  for (const std::string& item : options.indicators) {
    const std::string indicator = indicator_item(item).first;
    std::shared_ptr<const PluginLibrary> library;
    try {
      library = catalog.load(indicator, sdk::PluginKind::indicator);
    } catch (const PluginError& e) {
      throw CaseError({"compare: --indicators: " + std::string(e.what())});
    }
    if (library->descriptor().kind != sdk::PluginKind::indicator)
      throw CaseError({"compare: --indicators: plugin '" + indicator + "' is " + with_article(library->descriptor().kind) +
                       ", not an indicator"});
  }
  for (const std::string& o : options.overrides)
    if (o.starts_with("regime.mode=") || o.starts_with("regime="))
      warn_once("compare: --set " + o + ": each run's regime.mode is its entry of --modes, which replaces it");
  // The case's own indicator plugin (after --set): another named without parameters takes
  // its place before the --set lines, which then apply to it.
  nlohmann::json document = read_json(options.case_file);
  for (const std::string& o : options.overrides) apply_override(document, o);
  const nlohmann::json* own = document.is_object() && document.contains("indicator") ? &document["indicator"] : nullptr;
  const std::string own_indicator =
      own && own->is_object() && own->contains("plugin") && (*own)["plugin"].is_string() ? (*own)["plugin"].get<std::string>() : "";
  std::vector<Planned> plan;
  for (const std::string& mode : options.modes) {
    std::vector<std::string> indicators = {""};
    if (mode == "hybrid" && !options.indicators.empty()) indicators = options.indicators;
    for (std::size_t k = 0; k < indicators.size(); ++k) {
      const auto [indicator, params] = indicator_item(indicators[k]);
      // One plugin given several times (other parameters): its runs are numbered.
      int occurrence = 0, occurrences = 0;
      for (std::size_t j = 0; j < indicators.size(); ++j)
        if (indicator_item(indicators[j]).first == indicator) {
          ++occurrences;
          occurrence += j <= k;
        }
      std::string name = indicator;
      if (occurrences > 1) name.append("#").append(std::to_string(occurrence));
      Run run{mode + (indicator.empty() ? "" : ":" + name), mode, indicator, {}, {}};
      for (const Planned& p : plan)
        if (p.run.label == run.label) throw CaseError({"compare: the run \"" + run.label + "\" is asked for twice"});
      // Parameters given with the indicator come first, so that --set lines still apply;
      // another plugin than the case's, named without parameters, runs with its defaults.
      std::vector<std::string> sets;
      if (params || (!indicator.empty() && indicator != own_indicator)) {
        nlohmann::json section = params ? *params : nlohmann::json::object();
        section["plugin"] = indicator;
        sets.push_back("indicator=" + section.dump());
      }
      sets.insert(sets.end(), options.overrides.begin(), options.overrides.end());
      sets.push_back("regime.mode=" + mode);
      try {
        Case c = load_case(options.case_file, sets, catalog);
        for (const Planned& p : plan)  // the same indicator with the same parameters
          if (!indicator.empty() && p.run.mode == mode && p.c.indicator.name == c.indicator.name &&
              p.c.indicator.params == c.indicator.params)
            throw CaseError({"--indicators: " + indicators[k] + " is the run " + p.run.label +
                             " again (the same plugin and parameters); give each indicator once"});
        ranks::agreed([&] { check_memory(c, on_this_machine(estimate_memory(c, options.threads))); });
        within_memory(c, options.threads, "setting up the run to check it", [&] {
          Simulation(c, c.output.dir, options.threads, Simulation::Purpose::check).check_step_budget();
        });
        std::string folder = mode + (indicator.empty() ? "" : "_" + name);
        std::replace(folder.begin(), folder.end(), '#', '_');
        const fs::path dir = options.out_dir / folder;
        run.folder = folder;
        ranks::agreed([&] {  // the root rank holds the output folders
          if (!ranks::root()) return;
          const std::string unfinished = unfinished_run(dir);
          if (unfinished.empty()) return;
          if (!options.resume)
            throw RunError("the output folder " + dir.string() + " holds the checkpoints of this comparison's run " +
                           run.label + ", which did not finish (" + unfinished + "): continue the comparison with " +
                           resume_compare_command(options, c) + ", or remove the folder to compare afresh");
          // Continued, the run must be the one this comparison plans, to the last key
          // (a restart alone accepts another time step or end): found before any run starts.
          const fs::path newest = newest_checkpoint(dir);
          nlohmann::json was;
          try {
            was = nlohmann::json::parse(read_checkpoint_case(newest), nullptr, false);
          } catch (const std::exception& e) {  // a write cut short: the one before may be whole
            throw RunError("compare --resume: the run " + run.label + " in " + dir.string() + ": " + e.what() +
                           "; move it aside (mv " + shell_quoted(newest.string()) + " " +
                           shell_quoted(newest.string() + ".damaged") +
                           ") to continue from the checkpoint before it, or remove the folder to run it afresh");
          }
          if (was != c.json)
            throw RunError("compare --resume: the run " + run.label + " in " + dir.string() + " was interrupted " +
                           (was.is_discarded() ? std::string("with a checkpoint whose case is not JSON")
                                               : "with another case (" + differing_keys(was, c.json) + " differ)") +
                           "; give the options it ran with, or remove the folder " + dir.string() + " to run it afresh");
        });
        plan.push_back({std::move(run), std::move(c), dir});
      } catch (const CaseError& e) {
        // The keys of the parameters given with the indicator came from --indicators.
        std::vector<std::string> messages;
        for (std::string m : e.messages()) {
          if (const auto at = m.find(" (set with --set)"); params && at != std::string::npos &&
                                                                 m.find(": /indicator/") != std::string::npos)
            m.replace(at, 17, " (given in --indicators)");
          messages.push_back("compare, run \"" + run.label + "\": " + m);
        }
        throw CaseError(messages);
      } catch (...) {
        rethrow_with_context("compare, run \"" + run.label + "\"");
      }
    }
  }
  std::string labels, matches;
  for (const Planned& p : plan) {
    labels += (labels.empty() ? "" : ", ") + p.run.label;
    if (p.run.label == options.reference || p.run.mode == options.reference)
      matches += (matches.empty() ? "" : ", ") + p.run.label;
  }
  if (matches.empty())
    throw CaseError({"compare: --reference \"" + options.reference + "\" is not among the runs (" + labels + ")"});
  if (matches.find(", ") != std::string::npos)
    throw CaseError({"compare: --reference \"" + options.reference + "\" names several runs (" + matches +
                     "); give one of them"});
  return plan;
}

// The planned runs, then the table (compare, below, keeps comparison.json's status).
std::optional<nlohmann::json> compare_planned(const CompareOptions& options, std::vector<Planned>& plan,
                                              std::ostream& table, const std::function<void(const char*)>& mark) {
  const fs::path document = options.out_dir / "comparison.json";
  const StopSignals signals;  // a signal stops the run in progress, set-up included, with a checkpoint
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();  // as each run will have it
  std::vector<Run> runs;
  const Run* ref = nullptr;
  for (Planned& p : plan) {
    const std::string of = "(run " + std::to_string(&p - plan.data() + 1) + " of " + std::to_string(plan.size()) + ")";
    Found found = Found::nothing;
    ranks::agreed([&] {  // the root reads the folders; an error there is every rank's
      if (options.resume && ranks::root()) found = found_in(p, threads, p.run.result);
    });
    // Every rank runs what the root found to run.
    if (ranks::any(found == Found::completed)) {
      spdlog::info("compare: the run {} completed before in {}: compared as it ended {}", p.run.label, p.dir.string(), of);
      runs.push_back(std::move(p.run));
      continue;
    }
    const bool unfinished = ranks::any(found == Found::unfinished);
    spdlog::info("compare: {} {} in {} {}", unfinished ? "continuing" : "running", p.run.label, p.dir.string(), of);
    try {
      const auto sim = within_memory(p.c, options.threads, "setting up the run (plugins, kinetic store, initial state)", [&] {
        auto s = std::make_unique<Simulation>(p.c, p.dir, options.threads);
        if (unfinished) s->restart(newest_checkpoint(p.dir));
        return s;
      });
      p.run.result = within_memory(p.c, options.threads, "during the run", [&] { return sim->run(); });
    } catch (...) {
      rethrow_with_context("compare, run \"" + p.run.label + "\"");
    }
    if (p.run.result.interrupted) {
      if (ranks::root()) {
        spdlog::warn("compare: interrupted in the run {}; nothing compared. Continue the comparison with: {}",
                     p.run.label, resume_compare_command(options, p.c));
        mark("interrupted");
      }
      return std::nullopt;
    }
    if (ranks::root()) {  // the root alone holds the fields
      try {
        write_compared_run(p.dir / "compared_run.h5", {p.c.json.dump(), p.run.result.fields.rho, p.run.result.fields.T});
      } catch (const RunError& e) {
        spdlog::warn("compare: {}; a resumed comparison would run {} again", e.what(), p.run.label);
      }
    }
    runs.push_back(std::move(p.run));
  }
  if (!ranks::root()) return nlohmann::json::object();  // the root alone holds the runs' summaries and fields
  for (const Run& r : runs)
    if (r.label == options.reference || r.mode == options.reference) ref = &r;
  const double ref_wall = ref->result.summary["wall_seconds"]["total"].get<double>();
  nlohmann::json doc = {{"case", options.case_file.string()}, {"status", "completed"}, {"reference", ref->label},
                        {"runs", nlohmann::json::array()}};
  table << std::left << std::setw(28) << "run" << std::right << std::setw(12) << "L1(rho)" << std::setw(12) << "L1(T)"
        << std::setw(10) << "wall s" << std::setw(10) << "speed-up" << std::setw(22) << "layer share 0/1/2" << "\n";
  for (const Run& r : runs) {
    const auto& s = r.result.summary;
    const double wall = s["wall_seconds"]["total"].get<double>();
    const double l1_rho = relative_l1(r.result.fields.rho, ref->result.fields.rho);
    const double l1_T = relative_l1(r.result.fields.T, ref->result.fields.T);
    const auto share = s["layer_share"];
    const std::string indicator = s["plugins"].contains("indicator") ? s["plugins"]["indicator"]["name"].get<std::string>() : "";
    doc["runs"].push_back({{"label", r.label}, {"folder", r.folder}, {"mode", r.mode}, {"indicator", indicator},
                           {"wall_seconds", wall}, {"speed_up", wall > 0 ? ref_wall / wall : 0.0},
                           {"l1_rho", l1_rho}, {"l1_T", l1_T}, {"layer_share", share},
                           {"layer_switches", s["layer_switches"]}, {"conservation", s["conservation"]},
                           {"final_time", s["final_time"]}, {"ranks", s["ranks"]["count"]},
                           {"threads_per_rank", s["ranks"]["threads_per_rank"]}});
    if (s.contains("boundary_loads")) doc["runs"].back()["boundary_loads"] = s["boundary_loads"];
    if (s["plugins"].contains("indicator"))  // as run, defaults included
      doc["runs"].back()["indicator_parameters"] = s["plugins"]["indicator"]["parameters"];
    char shares[64];
    std::snprintf(shares, sizeof shares, "%.3f %.3f %.3f", share[0].get<double>(), share[1].get<double>(),
                  share[2].get<double>());
    table << std::left << std::setw(28) << r.label << std::right << std::setw(12) << std::setprecision(3)
          << std::scientific << l1_rho << std::setw(12) << l1_T << std::fixed << std::setprecision(1)
          << std::setw(10) << wall << std::setw(10) << std::setprecision(2) << (wall > 0 ? ref_wall / wall : 0.0)
          << std::setw(22) << shares << "\n";
  }
  table << "L1: relative L1 distance of the final fields to " << ref->label << "; speed-up: its wall time / the run's\n";
  // The force on every wall and body at the end (docs/user_guide.md §6.8), per run, and
  // the largest distance to the reference's relative to its magnitude.
  if (ref->result.summary.contains("boundary_loads"))
    for (const auto& [part, ref_load] : ref->result.summary["boundary_loads"].items()) {
      if (!is_surface_kind(ref_load["kind"].get<std::string>())) continue;
      auto force = [&](const nlohmann::json& l) {
        return std::array<double, 3>{l["Fx"].get<double>(), l["Fy"].get<double>(), l["Fz"].get<double>()};
      };
      const auto f_ref = force(ref_load);
      const double size = std::hypot(f_ref[0], f_ref[1], f_ref[2]);
      double largest = 0;
      std::string values;
      for (const Run& r : runs) {
        const auto f = force(r.result.summary.at("boundary_loads").at(part));  // every run has the same parts
        largest = std::max(largest, std::hypot(f[0] - f_ref[0], f[1] - f_ref[1], f[2] - f_ref[2]));
        values += (values.empty() ? "" : ", ") + r.label + " (" + toolkit::format_number(f[0]) + ", " +
                  toolkit::format_number(f[1]) + ")";
      }
      table << "force on " << part << " (Fx, Fy): " << values << "; largest difference "
            << toolkit::format_number(size > 0 ? largest / size : largest) << (size > 0 ? " of the reference's" : "")
            << "\n";
    }
  // time.steady ends each run at its own steady state: the fields and wall times are
  // then those of different simulated times, which the table must say.
  std::string times;
  for (const Run& r : runs)
    if (r.result.summary["final_time"] != ref->result.summary["final_time"])
      times += (times.empty() ? "" : ", ") + r.label + " at t = " +
               toolkit::format_number(r.result.summary["final_time"].get<double>());
  if (!times.empty())
    table << "note: the runs ended at different times (time.steady): " << ref->label << " at t = "
          << toolkit::format_number(ref->result.summary["final_time"].get<double>()) << ", " << times
          << "; the L1 distances compare their steady states, the speed-ups their times to reach them\n";
  write_atomically(document, doc.dump(2) + "\n");
  return doc;
}

}  // namespace

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> items(1);
  int depth = 0;
  bool quoted = false, escaped = false;  // inside a JSON string: braces and commas are text
  for (const char c : list) {
    if (quoted) {
      quoted = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == '"') {
      quoted = true;
    } else {
      depth = std::max(0, depth + (c == '{' ? 1 : c == '}' ? -1 : 0));
    }
    if (c == ',' && depth == 0 && !quoted) items.emplace_back();
    else items.back() += c;
  }
  for (std::string& item : items) {  // spaces around an item are not part of it
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
  }
  std::erase_if(items, [](const std::string& s) { return s.empty(); });
  return items;
}

std::optional<nlohmann::json> compare(const CompareOptions& options, const PluginCatalog& catalog,
                                      std::ostream& table) {
  std::vector<Planned> plan = plan_runs(options, catalog);
  // comparison.json says from the start which runs are this comparison's and how far it
  // got ("status": running, interrupted, failed), so that no earlier comparison's
  // results describe the runs this one replaces; the results replace it at the end.
  const fs::path document = options.out_dir / "comparison.json";
  nlohmann::json planned = nlohmann::json::array();
  for (const Planned& p : plan) planned.push_back({{"label", p.run.label}, {"folder", p.run.folder}, {"mode", p.run.mode}});
  const auto write_plan = [&](const char* status) {
    fs::create_directories(options.out_dir);
    write_atomically(document, nlohmann::json{{"case", options.case_file.string()}, {"status", status}, {"runs", planned}}
                                   .dump(2) + "\n");
  };
  ranks::agreed([&] {
    if (ranks::root()) write_plan("running");
  });
  // How the comparison ended, on the root: a failure to write it is warned about, and
  // does not take the place of what happened.
  const auto mark = [&](const char* status) {
    try {
      write_plan(status);
    } catch (const std::exception& e) {
      spdlog::warn("compare: the status {} could not be written: {}", status, e.what());
    }
  };
  try {
    return compare_planned(options, plan, table, mark);
  } catch (...) {
    if (ranks::root()) mark("failed");
    throw;
  }
}

}  // namespace strata::core
