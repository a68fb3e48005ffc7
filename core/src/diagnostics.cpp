#include "diagnostics.hpp"

#include <spdlog/spdlog.h>

namespace strata::core {

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}
}  // namespace

CaseError::CaseError(const std::vector<std::string>& messages)
    : std::runtime_error(join_lines(messages)), messages_(messages) {}

std::string describe_value(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string Diagnostics::where(const std::string& path) const {
  std::string text = file_ + ": " + (path.empty() ? "/" : path);
  for (const auto& o : overridden_)
    if (path == o || path.starts_with(o + "/")) return text + " (set with --set)";
  return text;
}

void Diagnostics::expected(const std::string& path, const std::string& what,
                           const nlohmann::json& got, const std::string& origin) {
  messages_.push_back(where(path) + ": expected " + what + ", got " + describe_value(got) +
                      (origin.empty() ? "" : " (" + origin + ")"));
}

void Diagnostics::error(const std::string& path, const std::string& message) {
  messages_.push_back(where(path) + ": " + message);
}

void Diagnostics::warn(const std::string& path, const std::string& message) const {
  spdlog::warn("{}: {}", where(path), message);
}

void Diagnostics::throw_if_errors() const {
  if (!messages_.empty()) throw CaseError(messages_);
}

}  // namespace strata::core
