#include "case_reader.hpp"

#include "schema.hpp"
#include "strata/toolkit/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace strata::core {
using nlohmann::json;

namespace {
// "number in [0, 1]", "integer > 0", "number" (built with += : GCC 12 warns
// falsely on "literal" + std::string&&).
std::string with_range(const char* type, const Range& range) {
  std::string what = type;
  if (const std::string r = range.text(); !r.empty()) what += " " + r;
  return what;
}

std::vector<std::string> split_choices(const char* choices) {
  std::vector<std::string> out;
  std::stringstream in(choices ? choices : "");
  for (std::string item; std::getline(in, item, '|');) out.push_back(item);
  return out;
}

// Integers up to 2^53 are exact as doubles; larger ones are refused so that every
// accepted integer converts without loss (and without overflow) to int64.
bool is_integer_value(const json& v) {
  constexpr double exact = 9007199254740992.0;  // 2^53
  if (!v.is_number()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d && std::abs(d) <= exact;
}

// Tracks the position of nlohmann's parser events to refuse deep nesting and
// duplicate keys with the JSON pointer where they occur.
class JsonGuard {
 public:
  explicit JsonGuard(const std::string& origin) : origin_(origin) {}

  bool operator()(int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (frames_.size() >= static_cast<std::size_t>(max_json_depth))
          throw CaseError({origin_ + ": " + pointer() + ": nested deeper than " +
                           std::to_string(max_json_depth) + " levels"});
        frames_.push_back({event == json::parse_event_t::object_start, {}, 0, {}});
        break;
      case json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second)
          throw CaseError({origin_ + ": " + pointer() + ": duplicate key; a key may appear once per object"});
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        next_element();
        break;
      case json::parse_event_t::value:
        next_element();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object;
    std::string key;        // objects: the current key
    std::size_t index;      // arrays: the current element
    std::set<std::string> keys;
  };
  void next_element() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }
  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) p += "/" + (f.object ? f.key : std::to_string(f.index));
    return p.empty() ? "/" : p;
  }
  const std::string& origin_;
  std::vector<Frame> frames_;
};

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string library_message(const std::exception& e) {
  std::string what = e.what();
  if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
  return what;
}
// The line of the block comment that `text` leaves open (0 when none): scanned from the
// start past strings and closed comments, as the parser reads them.
std::size_t open_comment_line(std::string_view text) {
  std::size_t line = 1;
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char ch = text[k];
    if (ch == '\n') {
      ++line;
    } else if (ch == '"') {
      for (++k; k < text.size() && text[k] != '"'; ++k)
        if (text[k] == '\\') ++k;
    } else if (text.substr(k, 2) == "//") {
      k = std::min(text.find('\n', k), text.size()) - 1;
    } else if (text.substr(k, 2) == "/*") {
      const auto close = text.find("*/", k + 2);
      if (close == std::string_view::npos) return line;
      line += static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(k),
                                                  text.begin() + static_cast<std::ptrdiff_t>(close), '\n'));
      k = close + 1;
    }
  }
  return 0;
}
}  // namespace

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

std::optional<json> parse_json_text(std::string_view text, const std::string& origin,
                                    std::string& syntax_error) {
  if (const auto nul = text.find('\0'); nul != std::string_view::npos)
    throw CaseError({origin + ": contains a NUL byte at offset " + std::to_string(nul) +
                     "; a case file is UTF-8 text"});
  JsonGuard guard(origin);
  try {
    return json::parse(text, std::ref(guard), true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    syntax_error = library_message(e);
    // The library quotes the whole token it last read: for a comment left open, the rest
    // of the file. Said instead: the line where that comment opened.
    const std::string quote = "last read: '";
    const auto begin = syntax_error.find(quote), end = syntax_error.find("'; ", begin);
    if (begin != std::string::npos && end != std::string::npos) {
      if (syntax_error.find("missing closing '*/'") != std::string::npos) {
        syntax_error.erase(begin, end + 3 - begin);
        if (const auto line = open_comment_line(text)) syntax_error += " (the comment opened at line " + std::to_string(line) + ")";
      } else if (end - begin - quote.size() > 60) {
        syntax_error.replace(begin + quote.size(), end - begin - quote.size(), "...");
      }
    }
    return std::nullopt;
  } catch (const json::out_of_range& e) {  // "number overflow parsing '1e400'"
    throw CaseError({origin + ": " + library_message(e) + " (numbers must fit a double)"});
  }
}

bool valid_utf8(std::string_view text) {
  std::size_t k = 0;
  while (k < text.size()) {
    const auto b = static_cast<unsigned char>(text[k]);
    // Sequence length and smallest code point (refusing overlong forms).
    const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || k + n > text.size()) return false;
    std::uint32_t cp = n == 1 ? b : b & (0xFFu >> (n + 1));
    for (std::size_t m = 1; m < n; ++m) {
      const auto c = static_cast<unsigned char>(text[k + m]);
      if ((c >> 6) != 0x2) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    k += n;
  }
  return true;
}

bool is_safe_name(std::string_view name) {
  return !name.empty() && name.size() <= max_name_length &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-';
         });
}

std::optional<int> integer_value(const json& v, int min, int max) {
  if (!is_integer_value(v) || v.get<double>() < min || v.get<double>() > max) return std::nullopt;
  return static_cast<int>(v.get<double>());
}

bool Range::contains(double v) const {
  if (!std::isfinite(v)) return false;
  const bool above = min_open ? v > min : v >= min;
  const bool below = max_open ? v < max : v <= max;
  return above && below;
}

std::string Range::text() const {
  // A whole bound as a whole number ("[0, 1000000000]", not "[0, 1e+09]").
  auto bound = [](double v) {
    return v == std::trunc(v) && std::abs(v) < 0x1p53 ? std::to_string(static_cast<long long>(v))
                                                       : toolkit::format_number(v);
  };
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max) return (min_open ? "in (" : "in [") + bound(min) + ", " + bound(max) + (max_open ? ")" : "]");
  if (has_min) return (min_open ? "> " : ">= ") + bound(min);
  if (has_max) return (max_open ? "< " : "<= ") + bound(max);
  return "";
}

ObjectReader::ObjectReader(const json& value, std::string path, Diagnostics& diagnostics)
    : path_(std::move(path)), diag_(diagnostics) {
  if (value.is_object())
    object_ = &value;
  else
    diag_.expected(path_, "an object", value);
}

void ObjectReader::declare(const std::string& key) {
  // The reader and `strata schema` share one table of keys (schema.cpp).
  if (!core_key_declared(path_, key))
    throw std::logic_error("case reader: key \"" + key + "\" at " + (path_.empty() ? "/" : path_) +
                           " is read but not declared in core_sections() (core/src/schema.cpp)");
  known_.push_back(key);
}

bool ObjectReader::has(const std::string& key) {
  declare(key);
  return object_ && object_->contains(key);
}

const json* ObjectReader::lookup(const std::string& key) {
  declare(key);
  if (!object_) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

const json* ObjectReader::child(const std::string& key) { return lookup(key); }

double ObjectReader::number(const std::string& key, std::optional<double> fallback,
                            Range range) {
  const json* v = lookup(key);
  const std::string what = with_range("number", range);
  if (!v) {
    if (!fallback && object_) diag_.error(path(key), "missing; expected " + what);
    return fallback.value_or(0.0);
  }
  if (!v->is_number() || !range.contains(v->get<double>())) {
    diag_.expected(path(key), what, *v);
    return fallback.value_or(0.0);
  }
  return v->get<double>();
}

int ObjectReader::integer(const std::string& key, std::optional<int> fallback, int min,
                          int max) {
  const json* v = lookup(key);
  const std::string what = "integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!v) {
    if (!fallback && object_) diag_.error(path(key), "missing; expected " + what);
    return fallback.value_or(min);
  }
  const std::optional<int> value = integer_value(*v, min, max);
  if (!value) {
    diag_.expected(path(key), what, *v);
    return fallback.value_or(min);
  }
  return *value;
}

bool ObjectReader::boolean(const std::string& key, bool fallback) {
  const json* v = lookup(key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    diag_.expected(path(key), "true or false", *v);
    return fallback;
  }
  return v->get<bool>();
}

std::string ObjectReader::choice(const std::string& key, std::optional<std::string> fallback,
                                 const std::vector<std::string>& choices) {
  const json* v = lookup(key);
  const std::string what = "one of " + quoted_list(choices);
  if (!v) {
    if (!fallback && object_) diag_.error(path(key), "missing; expected " + what);
    return fallback.value_or(choices.front());
  }
  if (!v->is_string() ||
      std::find(choices.begin(), choices.end(), v->get<std::string>()) == choices.end()) {
    diag_.expected(path(key), what, *v);
    return fallback.value_or(choices.front());
  }
  return v->get<std::string>();
}

std::string ObjectReader::text(const std::string& key, std::optional<std::string> fallback) {
  const json* v = lookup(key);
  if (!v) {
    if (!fallback && object_) diag_.error(path(key), "missing; expected a string");
    return fallback.value_or("");
  }
  if (!v->is_string()) {
    diag_.expected(path(key), "a string", *v);
    return fallback.value_or("");
  }
  return v->get<std::string>();
}

std::optional<Expression> ObjectReader::expression(const std::string& key,
                                                   std::optional<double> fallback) {
  const json* v = lookup(key);
  if (!v) {
    if (fallback) return Expression::parse(toolkit::format_number(*fallback));
    if (object_) diag_.error(path(key), "missing; expected " + std::string(expression_text));
    return std::nullopt;
  }
  return read_expression(*v, path(key), diag_);
}

std::optional<Expression> read_expression(const json& v, const std::string& path, Diagnostics& diagnostics) {
  if (!v.is_number() && !v.is_string()) {
    diagnostics.expected(path, expression_text, v);
    return std::nullopt;
  }
  try {
    Expression e = Expression::parse(v.is_number() ? v.dump() : v.get<std::string>());
    // A constant is evaluated here; others where they are used (set-up of the run).
    if (e.is_constant() && !std::isfinite(e.eval(0.0, 0.0))) {
      diagnostics.expected(path, "a finite value", v);
      return std::nullopt;
    }
    return e;
  } catch (const ExpressionError& e) {
    diagnostics.error(path, std::string("invalid expression ") + describe_value(v) + ": " + e.what());
    return std::nullopt;
  }
}

void ObjectReader::finish() {
  if (!object_) return;
  std::vector<std::string> valid;
  for (const auto& k : known_)
    if (std::find(valid.begin(), valid.end(), k) == valid.end()) valid.push_back(k);
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    diag_.error(path(key), "unknown key; valid keys here: " + quoted_list(valid));
  }
}

std::string expected_text(const sdk::ParamDecl& decl) {
  const Range range{decl.min, decl.max, decl.min_open, decl.max_open};
  switch (decl.type) {
    case sdk::ParamType::number:
      return with_range("number", range);
    case sdk::ParamType::integer:
      return with_range("integer", range);
    case sdk::ParamType::boolean:
      return "true or false";
    case sdk::ParamType::string:
      return decl.choices ? "one of " + quoted_list(split_choices(decl.choices)) : "a string";
  }
  return "a value";
}

namespace {
bool accepts(const sdk::ParamDecl& decl, const json& v) {
  const Range range{decl.min, decl.max, decl.min_open, decl.max_open};
  switch (decl.type) {
    case sdk::ParamType::number:
      return v.is_number() && range.contains(v.get<double>());
    case sdk::ParamType::integer:
      return is_integer_value(v) && range.contains(v.get<double>());
    case sdk::ParamType::boolean:
      return v.is_boolean();
    case sdk::ParamType::string: {
      if (!v.is_string()) return false;
      if (!decl.choices) return true;
      const auto c = split_choices(decl.choices);
      return std::find(c.begin(), c.end(), v.get<std::string>()) != c.end();
    }
  }
  return false;
}
}  // namespace

json validate_plugin_params(const json& section, const std::string& path,
                            const sdk::Descriptor& descriptor, Diagnostics& diagnostics) {
  const std::string origin = descriptor.name;
  json params = json::object();
  std::vector<std::string> names;
  for (int k = 0; k < descriptor.n_params; ++k) {
    const sdk::ParamDecl& decl = descriptor.params[k];
    names.push_back(decl.name);
    const std::string key_path = path + "/" + decl.name;
    if (section.contains(decl.name)) {
      const json& v = section.at(decl.name);
      if (!accepts(decl, v)) {
        diagnostics.expected(key_path, expected_text(decl), v, origin);
        continue;
      }
      params[decl.name] = decl.type == sdk::ParamType::integer
                              ? json(static_cast<std::int64_t>(v.get<double>()))
                              : v;
    } else if (decl.default_json) {
      params[decl.name] = json::parse(decl.default_json);
    } else {
      diagnostics.error(key_path, "missing; expected " + expected_text(decl) + " (" + origin + ")");
    }
  }
  for (const auto& [key, value] : section.items()) {
    if (key == "plugin" || std::find(names.begin(), names.end(), key) != names.end()) continue;
    diagnostics.error(path + "/" + key, "unknown parameter of plugin '" + origin +
                                            "'; its parameters: " +
                                            (names.empty() ? "none" : quoted_list(names)));
  }
  return params;
}

}  // namespace strata::core
