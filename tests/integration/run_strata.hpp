#pragma once
// Runs the strata program as a user would and reads back what it wrote.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace strata::test {

struct Result {
  int exit_code = -1;   // -1: killed by a signal (a crash)
  std::string output;   // stdout and stderr together
};

// `prefix`: shell commands run before, in the same shell (e.g. "ulimit -v 300000; ").
inline Result run_strata(const std::string& args, const std::string& prefix = "") {
  const std::string command = prefix + std::string(STRATA_EXE) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Whether the program's output holds `part`, and how many times.
inline bool has(const Result& r, const std::string& part) { return r.output.find(part) != std::string::npos; }
inline int occurrences(const Result& r, const std::string& part) {
  int n = 0;
  for (auto at = r.output.find(part); at != std::string::npos; at = r.output.find(part, at + part.size())) ++n;
  return n;
}

// This process's scratch root, so that two test runs at once keep apart; main() removes it
// when every test passed and keeps it for a look otherwise.
inline std::filesystem::path scratch_root() {
  return std::filesystem::temp_directory_path() / ("strata_it_" + std::to_string(getpid()));
}

inline std::filesystem::path scratch_path(const std::string& name) { return scratch_root() / name; }

// A fresh, empty scratch folder.
inline std::filesystem::path scratch(const std::string& name) {
  const auto p = scratch_path(name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// Writes `text` as case.json in a fresh scratch folder `name`, runs it quietly (with
// `options`), requires it to succeed and returns its output folder.
inline std::filesystem::path run_in_scratch(const std::string& name, const std::string& text,
                                            const std::string& options = "") {
  const auto dir = scratch(name);
  std::ofstream(dir / "case.json") << text;
  const Result r = run_strata("run " + (dir / "case.json").string() + " --out " + (dir / "out").string() + " -q " + options);
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  return dir / "out";
}

inline std::string source(const std::string& relative) {
  return (std::filesystem::path(STRATA_SOURCE_DIR) / relative).string();
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// A CSV file as a header and rows of numbers.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  std::vector<double> column(const std::string& name) const {
    std::size_t k = 0;
    while (k < columns.size() && columns[k] != name) ++k;
    std::vector<double> out;
    for (const auto& r : rows) out.push_back(r.at(k));
    return out;
  }
};

inline Table read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  Table t;
  std::string line;
  std::getline(in, line);
  std::stringstream header(line);
  for (std::string c; std::getline(header, c, ',');) t.columns.push_back(c);
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::vector<double> values;
    for (std::string c; std::getline(row, c, ',');) values.push_back(std::stod(c));
    t.rows.push_back(values);
  }
  return t;
}

// Largest difference between two profile files' columns, over the scale of the column
// (velocities: over the largest |u|, since a component may be zero up to round-off).
inline double profile_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const Table pa = read_csv(a), pb = read_csv(b);
  double worst = 0;
  for (const auto& columns : std::vector<std::vector<const char*>>{{"rho"}, {"T"}, {"ux", "uy"}}) {
    double diff = 0, size = 0;
    for (const char* column : columns) {
      const auto x = pa.column(column), y = pb.column(column);
      if (x.size() != y.size()) return std::numeric_limits<double>::infinity();  // other meshes
      for (std::size_t i = 0; i < x.size(); ++i) {
        diff = std::max(diff, std::abs(x[i] - y[i]));
        size = std::max(size, std::abs(x[i]));
      }
    }
    worst = std::max(worst, diff / size);
  }
  return worst;
}

}  // namespace strata::test
