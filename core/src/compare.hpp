#pragma once
// `strata compare` (docs/architecture.md §7): one case in several regime modes and with several
// indicators, each run in its own folder, then a table of accuracy against a reference
// run (layer2 by default) and of cost, written to comparison.json and printed.
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin_loader.hpp"

namespace strata::core {

struct CompareOptions {
  std::filesystem::path case_file, out_dir;
  std::vector<std::string> modes = {"hybrid", "layer0", "layer2"};
  // For hybrid runs, each NAME or NAME{JSON parameters}; empty: the case's own.
  std::vector<std::string> indicators;
  std::string reference = "layer2";
  std::vector<std::string> overrides;
  int threads = 0;
  // --resume: a run of an earlier attempt at this comparison in out_dir is compared as it
  // ended where it completed with the same case, and continued from its newest
  // checkpoint where it was interrupted; the others run afresh.
  bool resume = false;
};

// The items of a comma-separated list, commas inside {...} kept: --modes, and --indicators
// whose items may carry parameters ("realizability,knudsen_gradient{\"kinetic_threshold\": 0.1}").
std::vector<std::string> split_list(const std::string& list);

// Returns the comparison document (also written to out_dir/comparison.json; on ranks
// other than the root, which hold no summaries, an empty object), or nothing when a
// signal interrupted one of the runs (its checkpoint kept; nothing compared).
std::optional<nlohmann::json> compare(const CompareOptions& options, const PluginCatalog& catalog,
                                      std::ostream& table);

}  // namespace strata::core
