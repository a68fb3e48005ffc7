#pragma once
// Collects every problem found in a case file before a run starts, each as
// "<file>: <json path>: expected <what>, got <value>" (docs/architecture.md §7), and reports
// them together.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace strata::core {

class CaseError : public std::runtime_error {
 public:
  explicit CaseError(const std::vector<std::string>& messages);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// A warning about a case's set-up, given once per process and by the root rank only
// (every rank sets up the same case): `strata compare` reads and sets up each of its
// runs twice (planning, then running), and its runs share the case.
void warn_once(const std::string& message);

// "case.json: /mesh/nx (set with --set)": a key's place in the case, and the --set
// that gave it, if one did (`overridden` as for Diagnostics).
std::string located(const std::string& file, const std::map<std::string, std::string>& overridden,
                    const std::string& path);

class Diagnostics {
 public:
  // `overridden`: the JSON pointers --set gave, each with how it was set (a message
  // about one, or about a key below it, says so in parentheses).
  Diagnostics(std::string file, std::map<std::string, std::string> overridden)
      : file_(std::move(file)), overridden_(std::move(overridden)) {}
  // `path` is a JSON pointer such as /mesh/nx; `got` is the offending value.
  void expected(const std::string& path, const std::string& what, const nlohmann::json& got,
                const std::string& origin = "");
  void error(const std::string& path, const std::string& message);
  void warn(const std::string& path, const std::string& message) const;
  bool ok() const { return messages_.empty(); }
  void throw_if_errors() const;
  const std::string& file() const { return file_; }

 private:
  std::string where(const std::string& path) const;
  std::string file_;
  std::map<std::string, std::string> overridden_;
  std::vector<std::string> messages_;
};

// A short rendering of a JSON value for messages: strings quoted, long values cut.
std::string describe_value(const nlohmann::json& value);

}  // namespace strata::core
