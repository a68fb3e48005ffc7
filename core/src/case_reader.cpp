#include "case_reader.hpp"

#include <cmath>
#include <sstream>

namespace strata::core {
using nlohmann::json;

namespace {
std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

// "number in [0, 1]", "integer > 0", "number" (built with += : GCC 12 warns
// falsely on "literal" + std::string&&).
std::string with_range(const char* type, const Range& range) {
  std::string what = type;
  if (const std::string r = range.text(); !r.empty()) what += " " + r;
  return what;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

std::vector<std::string> split_choices(const char* choices) {
  std::vector<std::string> out;
  std::stringstream in(choices ? choices : "");
  for (std::string item; std::getline(in, item, '|');) out.push_back(item);
  return out;
}

bool is_integer_value(const json& v) {
  if (v.is_number_integer()) return true;
  return v.is_number_float() && std::isfinite(v.get<double>()) &&
         std::floor(v.get<double>()) == v.get<double>();
}
}  // namespace

bool Range::contains(double v) const {
  if (!std::isfinite(v)) return false;
  const bool above = min_open ? v > min : v >= min;
  const bool below = max_open ? v < max : v <= max;
  return above && below;
}

std::string Range::text() const {
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max)
    return (min_open ? "in (" : "in [") + format_number(min) + ", " + format_number(max) +
           (max_open ? ")" : "]");
  if (has_min) return (min_open ? "> " : ">= ") + format_number(min);
  if (has_max) return (max_open ? "< " : "<= ") + format_number(max);
  return "";
}

ObjectReader::ObjectReader(const json& value, std::string path, Diagnostics& diagnostics)
    : path_(std::move(path)), diag_(diagnostics) {
  if (value.is_object())
    object_ = &value;
  else
    diag_.expected(path_, "an object", value);
}

bool ObjectReader::has(const std::string& key) {
  known_.push_back(key);
  return object_ && object_->contains(key);
}

const json* ObjectReader::lookup(const std::string& key) {
  known_.push_back(key);
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
  if (!is_integer_value(*v) || v->get<double>() < min || v->get<double>() > max) {
    diag_.expected(path(key), what, *v);
    return fallback.value_or(min);
  }
  return static_cast<int>(v->get<double>());
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
  const std::string what = "a number or an expression of x and y";
  if (!v) {
    if (fallback) return Expression::parse(format_number(*fallback));
    if (object_) diag_.error(path(key), "missing; expected " + what);
    return std::nullopt;
  }
  if (v->is_number()) return Expression::parse(v->dump());
  if (!v->is_string()) {
    diag_.expected(path(key), what, *v);
    return std::nullopt;
  }
  try {
    return Expression::parse(v->get<std::string>());
  } catch (const ExpressionError& e) {
    diag_.error(path(key), std::string("invalid expression ") + describe_value(*v) + ": " +
                               e.what());
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
