// A seeded mutation driver for the case reader (docs/user_guide.md, "Robustness").
// Mutates the shipped cases/*.json — byte flips, truncation, key deletion and
// duplication, type swaps, huge numbers, deep nesting, hostile strings, random
// --set assignments — and reads each one in process with load_case (parsing,
// overrides, validation of core keys and plugin parameters). Every input must end
// in a valid Case or a CaseError within the time limit; anything else (another
// exception, a crash, a slow input) is a failure, and the input is saved to
// fuzz_failure_<n>.json in the working folder.
//
//   fuzz_case [--count N] [--seed S] [--cases DIR] [--plugins DIR] [--limit-ms MS]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "case.hpp"
#include "diagnostics.hpp"
#include "plugin_loader.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace strata::core;

namespace {

using Rng = std::mt19937_64;
constexpr const char* marker = "@@FUZZ@@";  // replaced by raw text after dumping

std::size_t pick(Rng& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

// Raw JSON text (possibly invalid) of a hostile value.
std::string hostile_value(Rng& rng) {
  static const std::vector<std::string> fixed = {
      "1e308", "-1e308", "1e400", "-1e400", "1e-320", "2147483648", "-2147483649", "9223372036854775807",
      "18446744073709551616", "0", "-0", "0.5", "-1", "true", "null", "[]", "{}", "\"\"", "[1, 2]",
      "\"1/0\"", "\"0/0\"", "\"x/(y-y)\"", "\"sin(\"", "\"((((((((((x))))))))))\"", "\"../../x\"",
      "\"a\\\"b<c,d\\ne\"", "\"euler\"", "\"layer0\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xF4\x90\x80\x80\""};
  switch (pick(rng, 4)) {
    case 0: {  // deep nesting, up to 131 072 levels
      const std::size_t depth = std::size_t{1} << pick(rng, 18);
      const bool object = pick(rng, 2) == 0;
      std::string text;
      for (std::size_t k = 0; k < depth; ++k) text += object ? "{\"a\":" : "[";
      text += "1";
      for (std::size_t k = 0; k < depth; ++k) text += object ? "}" : "]";
      return text;
    }
    case 1: {  // a long string
      std::string text((std::size_t{1} << pick(rng, 16)) + 2, static_cast<char>('a' + pick(rng, 26)));
      text.front() = text.back() = '"';
      return text;
    }
    default:
      return fixed[pick(rng, fixed.size())];
  }
}

// Every node of a document, as a JSON pointer.
void collect(const json& node, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (node.is_object())
    for (const auto& [key, value] : node.items()) collect(value, at / key, out);
  else if (node.is_array())
    for (std::size_t k = 0; k < node.size(); ++k) collect(node[k], at / k, out);
}

std::string dotted(const json::json_pointer& p) {
  std::string s = p.empty() ? "" : p.to_string().substr(1);
  std::replace(s.begin(), s.end(), '/', '.');
  return s;
}

struct Input {
  std::string text;
  std::vector<std::string> sets;
};

Input mutate(const std::string& original, Rng& rng) {
  Input in{original, {}};
  json doc = json::parse(original, nullptr, true, /*ignore_comments=*/true);
  std::vector<json::json_pointer> nodes;
  collect(doc, json::json_pointer(), nodes);
  const json::json_pointer target = nodes[pick(rng, nodes.size())];
  const auto with_raw = [&](const std::string& raw) {
    std::string text = doc.dump(1);
    const std::string quoted = std::string("\"") + marker + "\"";
    if (const auto at = text.find(quoted); at != std::string::npos) text.replace(at, quoted.size(), raw);
    return text;
  };
  switch (pick(rng, 8)) {
    case 0:  // byte flips
      for (std::size_t n = 1 + pick(rng, 8); n > 0; --n) in.text[pick(rng, in.text.size())] = static_cast<char>(pick(rng, 256));
      break;
    case 1:  // truncation
      in.text.resize(pick(rng, in.text.size()));
      break;
    case 2:  // key deletion
      if (!target.empty()) {
        json& parent = doc.at(target.parent_pointer());
        if (parent.is_array())
          parent.erase(std::stoul(target.back()));
        else
          parent.erase(target.back());
      }
      in.text = doc.dump(1);
      break;
    case 3:  // key duplication: the marker key becomes a second copy of a key
      if (doc.at(target).is_object() && !doc.at(target).empty()) {
        const std::string key = doc.at(target).begin().key();
        doc.at(target)[marker] = 0;
        in.text = doc.dump(1);
        const std::string quoted = std::string("\"") + marker + "\"";
        in.text.replace(in.text.find(quoted), quoted.size(), json(key).dump());
      }
      break;
    case 4:  // type swap
      doc.at(target) = pick(rng, 2) ? json(json::array({doc.at(target)})) : json(doc.at(target).dump());
      in.text = doc.dump(1);
      break;
    default:  // a hostile value in place of any node
      doc.at(target) = marker;
      in.text = with_raw(hostile_value(rng));
      break;
  }
  if (pick(rng, 3) == 0) {  // a random --set: a real key or garbage, a hostile value
    const std::string key = pick(rng, 4) ? dotted(nodes[pick(rng, nodes.size())]) : "a..b.99999999999999999999";
    std::string value = hostile_value(rng);
    if (value.size() > 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
    in.sets.push_back(key + "=" + value);
  }
  return in;
}

std::vector<std::pair<std::string, std::string>> read_cases(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".json") {
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      cases.emplace_back(entry.path().filename().string(), text.str());
    }
  std::sort(cases.begin(), cases.end());  // the seed alone fixes the sequence
  return cases;
}

}  // namespace

int main(int argc, char** argv) {
  long count = 1000;
  std::uint64_t seed = 1;
  fs::path cases_dir = fs::path(STRATA_SOURCE_DIR) / "cases", plugins = STRATA_PLUGIN_BUILD_DIR;
  double limit_ms = 2000.0;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string option = argv[k], value = argv[k + 1];
    if (option == "--count") count = std::stol(value);
    else if (option == "--seed") seed = std::stoull(value);
    else if (option == "--cases") cases_dir = value;
    else if (option == "--plugins") plugins = value;
    else if (option == "--limit-ms") limit_ms = std::stod(value);
    else {
      std::cerr << "usage: fuzz_case [--count N] [--seed S] [--cases DIR] [--plugins DIR] [--limit-ms MS]\n";
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::off);  // warnings of accepted inputs
  const PluginCatalog catalog({plugins});
  // Held for the whole run, so that loading a case finds its plugins already mapped.
  std::vector<std::shared_ptr<const PluginLibrary>> held;
  for (const auto& name : catalog.available()) held.push_back(catalog.load(name));
  const auto cases = read_cases(cases_dir);
  const fs::path file = fs::temp_directory_path() / ("strata_fuzz_" + std::to_string(::getpid()) + ".json");
  Rng rng(seed);
  long accepted = 0, refused = 0, failures = 0;
  double slowest_ms = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (long n = 0; n < count; ++n) {
    const auto& [name, text] = cases[pick(rng, cases.size())];
    const Input in = mutate(text, rng);
    std::ofstream(file, std::ios::binary) << in.text;
    std::string failure;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      load_case(file, in.sets, catalog);
      ++accepted;
    } catch (const CaseError&) {
      ++refused;
    } catch (const std::exception& e) {
      failure = std::string("unexpected exception: ") + e.what();
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    slowest_ms = std::max(slowest_ms, ms);
    if (failure.empty() && ms > limit_ms) failure = "took " + std::to_string(ms) + " ms";
    if (!failure.empty()) {
      ++failures;
      const std::string saved = "fuzz_failure_" + std::to_string(n) + ".json";
      std::ofstream(saved, std::ios::binary) << in.text;
      std::cerr << "input " << n << " (mutated " << name << ", saved as " << saved << ")";
      for (const auto& s : in.sets) std::cerr << " --set '" << s << "'";
      std::cerr << ": " << failure << "\n";
    }
  }
  fs::remove(file);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "fuzz_case: seed " << seed << ", " << count << " inputs in " << seconds << " s: " << accepted
            << " accepted, " << refused << " refused, " << failures << " failures; slowest input " << slowest_ms
            << " ms\n";
  return failures == 0 ? 0 : 1;
}
