#include "diagnostics.hpp"

#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "ranks.hpp"

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

namespace {
// Appends compact JSON of `value` to `out`, stopping once `out` holds more than
// `limit` characters: a huge or deep value costs no more than its first characters
// (the recursion ends at the limit, one level per character at most).
void render(const nlohmann::json& value, std::string& out, std::size_t limit) {
  if (out.size() > limit) return;
  if (value.is_object() || value.is_array()) {
    const bool object = value.is_object();
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = value.begin(); it != value.end() && out.size() <= limit; ++it, first = false) {
      if (!first) out += ',';
      if (object) out += nlohmann::json(it.key()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ':';
      render(*it, out, limit);
    }
    out += object ? '}' : ']';
  } else {
    out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}
}  // namespace

std::string describe_value(const nlohmann::json& value) {
  constexpr std::size_t shown = 60;
  std::string text;
  render(value, text, shown);
  if (text.size() > shown) text = text.substr(0, shown - 3) + "...";
  return text;
}

std::string located(const std::string& file, const std::map<std::string, std::string>& overridden,
                    const std::string& path) {
  std::string text = file + ": " + (path.empty() ? "/" : path);
  // The deepest --set that covers the path: after --set a={...} --set a.x=.2, /a/x is a.x's.
  const std::string* origin = nullptr;
  std::size_t depth = 0;
  for (const auto& [o, how] : overridden)
    if ((path == o || path.starts_with(o + "/")) && (!origin || o.size() > depth)) {
      origin = &how;
      depth = o.size();
    }
  return origin ? text + " (" + *origin + ")" : text;
}

std::string Diagnostics::where(const std::string& path) const { return located(file_, overridden_, path); }

void Diagnostics::expected(const std::string& path, const std::string& what,
                           const nlohmann::json& got, const std::string& origin) {
  messages_.push_back(where(path) + ": expected " + what + ", got " + describe_value(got) +
                      (origin.empty() ? "" : " (" + origin + ")"));
}

void Diagnostics::error(const std::string& path, const std::string& message) {
  messages_.push_back(where(path) + ": " + message);
}

void warn_once(const std::string& message) {
  if (!ranks::root()) return;  // every rank sets up the same case: the root speaks for all
  static std::mutex guard;
  static std::set<std::string> given;
  const std::lock_guard lock(guard);
  if (given.insert(message).second) spdlog::warn("{}", message);
}

void Diagnostics::warn(const std::string& path, const std::string& message) const {
  warn_once(where(path) + ": " + message);
}

void Diagnostics::throw_if_errors() const {
  if (!messages_.empty()) throw CaseError(messages_);
}

}  // namespace strata::core
