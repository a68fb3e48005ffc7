#include "case.hpp"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "case_reader.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
using nlohmann::json;
namespace fs = std::filesystem;

const char* mode_name(RegimeMode mode) {
  switch (mode) {
    case RegimeMode::hybrid: return "hybrid";
    case RegimeMode::layer0: return "layer0";
    case RegimeMode::layer1: return "layer1";
    case RegimeMode::layer2: return "layer2";
  }
  return "?";
}

std::optional<int> fixed_layer(RegimeMode mode) {
  switch (mode) {
    case RegimeMode::hybrid: return std::nullopt;
    case RegimeMode::layer0: return 0;
    case RegimeMode::layer1: return 1;
    case RegimeMode::layer2: return 2;
  }
  return std::nullopt;
}

namespace {
constexpr RegimeMode regime_modes[] = {RegimeMode::hybrid, RegimeMode::layer0, RegimeMode::layer1, RegimeMode::layer2};
}  // namespace

std::vector<std::string> mode_names() {
  std::vector<std::string> names;
  for (const RegimeMode m : regime_modes) names.emplace_back(mode_name(m));
  return names;
}

std::optional<RegimeMode> mode_named(const std::string& name) {
  for (const RegimeMode m : regime_modes)
    if (name == mode_name(m)) return m;
  return std::nullopt;
}

AppliedOverride apply_override(json& document, const std::string& assignment) {
  const auto fail = [&](const std::string& why) -> CaseError {
    return CaseError({"--set " + describe_value(json(assignment)) + ": " + why});
  };
  if (!valid_utf8(assignment)) throw fail("not valid UTF-8 text");
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw fail("expected key=value, e.g. mesh.nx=200");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  std::string syntax_error;
  // Not JSON: a bare word is a string (--set regime.mode=layer0), and so is an
  // expression (knudsen=1e-3*(1+x)); a message about a value meant as JSON (an array, an
  // object, a quoted string or a number JSON does not take: .2, +1, 1.) says so.
  const std::optional<json> parsed = parse_json_text(text, "--set " + key, syntax_error);
  json value = parsed.value_or(json(text));
  static const std::regex number_like(R"([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)");
  const bool looks_like_json = !parsed && !text.empty() &&
                               (std::string_view("[{\"").find(text[0]) != std::string_view::npos ||
                                std::regex_match(text, number_like));
  json* node = &document;
  json* parent = nullptr;
  std::size_t index = 0;  // of `node` in `parent`, when that is an array
  std::string pointer, part;
  std::stringstream parts(key);
  while (std::getline(parts, part, '.')) {
    if (part.empty()) throw fail("empty key segment");
    pointer += "/" + part;
    parent = node;
    if (node->is_array()) {
      index = node->size();
      const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc{} || end != part.data() + part.size() || index >= node->size())
        throw fail(pointer + " is not an index of the array (size " + std::to_string(node->size()) + ")");
      node = &(*node)[index];
    } else {
      if (!node->is_object() && !node->is_null())
        throw fail(pointer + " lies inside a " + std::string(node->type_name()));
      // Removing a key that is not there changes nothing: no parents are made for it.
      if (value.is_null() && !(node->is_object() && node->contains(part))) return {pointer, "removed with --set"};
      node = &(*node)[part];
    }
  }
  // null removes the key (or the array's element): no key of a case takes null, and a
  // key left out takes its default.
  if (value.is_null() && parent) {
    if (parent->is_array()) parent->erase(index);
    else parent->erase(part);
    return {pointer, "removed with --set"};
  }
  *node = std::move(value);
  return {pointer, looks_like_json ? "set with --set; not JSON, so taken as text" : "set with --set"};
}

json plugins_loaded(const Case& c) {
  json plugins = json::object();
  for (const PluginChoice* p : {&c.fluid, &c.kinetic, &c.boltzmann, &c.indicator})
    if (p->needed && p->library) {
      const auto& d = p->library->descriptor();
      plugins[p->section] = {{"name", d.name}, {"version", d.version}, {"sdk_version", d.sdk_version},
                             {"parameters", p->params}};
    }
  return plugins;
}

json read_json(const fs::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) throw CaseError({file.string() + ": is a folder; expected a case file (JSON)"});
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CaseError({file.string() + ": cannot be read: " + std::strerror(errno)});
  // At most 16 MiB (cases are kilobytes), read in pieces, so that a pipe or /dev/zero
  // given as the case cannot fill the memory.
  constexpr std::size_t largest = 16u << 20;
  std::stringstream text;
  std::vector<char> piece(1 << 16);
  std::size_t size = 0;
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0) {
    size += static_cast<std::size_t>(in.gcount());
    if (size > largest) throw CaseError({file.string() + ": more than 16 MiB; a case file may have at most 16 MiB"});
    text.write(piece.data(), in.gcount());
  }
  std::string syntax_error;
  if (auto document = parse_json_text(text.str(), file.string(), syntax_error)) return *document;
  throw CaseError({file.string() + ": invalid JSON: " + syntax_error});
}

namespace {

// A file's stem as a safe name: other characters become '_'.
std::string file_name_component(std::string stem) {
  if (stem.size() > max_name_length) stem.resize(max_name_length);
  for (char& ch : stem)
    if (!is_safe_name(std::string_view(&ch, 1))) ch = '_';
  return stem.empty() ? "case" : stem;
}

// A name that becomes part of file names, CSV headers or XML attributes.
std::string safe_name(ObjectReader& r, const std::string& key, std::optional<std::string> fallback) {
  std::string name = r.text(key, fallback);
  if (const json* v = r.child(key); v && v->is_string() && !is_safe_name(name)) {
    r.diagnostics().expected(r.path(key), safe_name_text, json(name));
    name = fallback.value_or("");
  }
  return name;
}

StateSpec read_state(ObjectReader& r, std::size_t n_species, bool need_density) {
  StateSpec s;
  if (const json* rho = r.child("rho"); rho && rho->is_array()) {
    if (rho->size() != n_species) {
      r.diagnostics().expected(r.path("rho"), "an array of " + std::to_string(n_species) +
                                                  " densities (one per species)", *rho);
    } else {
      for (std::size_t k = 0; k < n_species; ++k)
        if (auto e = read_expression((*rho)[k], r.path("rho") + "/" + std::to_string(k), r.diagnostics()))
          s.rho.push_back(*e);
    }
  } else if (rho || need_density) {
    if (n_species != 1 && rho)
      r.diagnostics().expected(r.path("rho"), "an array of " + std::to_string(n_species) +
                                                  " densities (one per species)", *rho);
    else if (auto e = r.expression("rho", std::nullopt))
      s.rho.push_back(*e);
  }
  const char* names[3] = {"ux", "uy", "uz"};
  for (int d = 0; d < 3; ++d) s.u[d] = r.expression(names[d], 0.0);
  const bool has_T = r.has("T"), has_p = r.has("p");
  if (has_T && has_p) r.diagnostics().error(r.path("p"), "give either T or p, not both");
  if (!has_T && !has_p) {
    r.diagnostics().error(r.path("T"), "missing; expected T or p (a number or an expression of x and y)");
  }
  if (has_T) s.T = r.expression("T", std::nullopt);
  if (has_p) s.p = r.expression("p", std::nullopt);
  return s;
}

// A wall's keys: accommodation in [0, 1], T (default: the gas's next to it), the tangential velocity
// (`sides` are the sides it applies to: a velocity normal to one of them is refused)
// and the hybrid band.
Wall read_wall(ObjectReader& r, const std::vector<Side>& sides) {
  Wall w;
  w.accommodation = r.number("accommodation", 1.0, Range{0.0, 1.0});
  w.key = r.where();
  if (r.has("T")) w.T = r.number("T", std::nullopt, positive);
  auto has = [&](Side s) { return std::find(sides.begin(), sides.end(), s) != sides.end(); };
  const bool normal[3] = {has(left) || has(right), has(bottom) || has(top), false};
  const char* names[3] = {"ux", "uy", "uz"};
  for (int d = 0; d < 3; ++d) {
    w.u[d] = r.number(names[d], 0.0);
    if (normal[d] && w.u[d] != 0.0)
      r.diagnostics().expected(r.path(names[d]),
                               std::string("0 (a wall moves along itself; ") + names[d] + " is normal to the " +
                                   (d == 0 ? "left and right" : "bottom and top") + " sides)",
                               json(w.u[d]));
  }
  w.band = r.integer("band", 2, 0, 20);
  return w;
}

Boundary read_boundary(const json& value, const std::string& path, std::size_t n_species,
                       const std::vector<Side>& sides, Diagnostics& diag) {
  static const std::vector<std::string> kinds(boundary_kind_names.begin(), boundary_kind_names.end());
  Boundary b;
  b.key = path;
  // The kinds written as text; inflow, wall, pressure and far-field sides carry a
  // state, so they are objects.
  static const char* const forms =
      "\"outflow\", \"periodic\", \"reflective\", {\"type\": \"inflow\", rho, ux, uy, T or p}, "
      "{\"type\": \"wall\", T, ...}, {\"type\": \"pressure\", p, T} or {\"type\": \"farfield\", rho, ux, uy, T or p}";
  std::string kind;
  if (value.is_string()) {
    kind = value.get<std::string>();
  } else if (value.is_object() && value.contains("type") && value["type"].is_string()) {
    kind = value["type"].get<std::string>();
  } else {
    diag.expected(path, forms, value);
    return b;
  }
  const auto it = std::find(kinds.begin(), kinds.end(), kind);
  if (it == kinds.end()) {
    if (value.is_string())
      diag.expected(path, forms, value);
    else
      diag.expected(path + "/type", "one of " + quoted_list(kinds), json(kind));
    return b;
  }
  b.kind = static_cast<BoundaryKind>(it - kinds.begin());
  if (b.kind != BoundaryKind::outflow && b.kind != BoundaryKind::periodic && b.kind != BoundaryKind::reflective) {
    if (!value.is_object()) {
      diag.error(path, b.kind == BoundaryKind::inflow
                           ? "an inflow boundary needs its state: {\"type\": \"inflow\", \"rho\": .., \"ux\": .., \"T\": ..}"
                       : b.kind == BoundaryKind::wall
                           ? "a wall is an object: {\"type\": \"wall\", \"T\": .., \"accommodation\": .., \"ux\": ..}"
                       : b.kind == BoundaryKind::pressure
                           ? "a pressure side needs its pressure: {\"type\": \"pressure\", \"p\": .., \"T\": ..}"
                           : "a far-field side needs its free stream: {\"type\": \"farfield\", \"rho\": .., \"ux\": .., \"T\": ..}");
      return b;
    }
    ObjectReader r(value, path, diag);
    r.child("type");
    if (b.kind == BoundaryKind::inflow || b.kind == BoundaryKind::farfield) {
      b.given = read_state(r, n_species, true);
    } else if (b.kind == BoundaryKind::wall) {
      b.wall = read_wall(r, sides);
    } else {
      b.pressure.p = r.number("p", std::nullopt, positive);
      if (r.has("T")) b.pressure.T = r.number("T", std::nullopt, positive);
    }
    r.finish();
  } else if (value.is_object()) {
    ObjectReader r(value, path, diag);
    r.child("type");
    r.finish();
  }
  return b;
}

void read_mesh(ObjectReader& root, Case& c) {
  const json* node = root.child("mesh");
  if (!node) { root.diagnostics().error("/mesh", "missing; expected {\"nx\", \"ny\", \"x\", \"y\", \"boundary\"}"); return; }
  ObjectReader r(*node, "/mesh", root.diagnostics());
  c.nx = r.integer("nx", std::nullopt, 1, 100000);
  c.ny = r.integer("ny", std::nullopt, 1, 100000);
  for (const char* axis : {"x", "y"}) {
    auto& target = axis[0] == 'x' ? c.x : c.y;
    target = {0.0, 1.0};
    const json* v = r.child(axis);
    if (!v) continue;
    const int n = axis[0] == 'x' ? c.nx : c.ny;
    // The cell size must be a finite, normal number: [-1e308, 1e308] overflows.
    const auto cell_size_ok = [&] {
      const double h = ((*v)[1].get<double>() - (*v)[0].get<double>()) / n;
      return std::isfinite(h) && h >= std::numeric_limits<double>::min();
    };
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number() ||
        !((*v)[0].get<double>() < (*v)[1].get<double>()) || !cell_size_ok()) {
      r.diagnostics().expected(r.path(axis), "[min, max] with min < max and a finite cell size (max - min) / n" + std::string(axis), *v);
      // Unknown: the keys checked against the mesh (probes, vertices, profile_y) pass,
      // rather than be refused against the default [0, 1].
      target = {-HUGE_VAL, HUGE_VAL};
    } else
      target = {(*v)[0].get<double>(), (*v)[1].get<double>()};
  }
  const json* b = r.child("boundary");
  const std::size_t S = c.species.size();
  if (b && b->is_object() && !b->contains("type")) {
    ObjectReader sides(*b, r.path("boundary"), r.diagnostics());
    const char* names[4] = {"left", "right", "bottom", "top"};
    for (int s = 0; s < 4; ++s)
      if (const json* v = sides.child(names[s]))
        c.boundary[s] = read_boundary(*v, sides.path(names[s]), S, {static_cast<Side>(s)}, r.diagnostics());
    sides.finish();
  } else if (b) {
    const Boundary all = read_boundary(*b, r.path("boundary"), S, {left, right, bottom, top}, r.diagnostics());
    c.boundary.fill(all);
  }
  const auto periodic = [&](int s) { return c.boundary[s].kind == BoundaryKind::periodic; };
  if (periodic(left) != periodic(right))
    r.diagnostics().error(r.path("boundary"), "left and right must both be periodic or neither");
  if (periodic(bottom) != periodic(top))
    r.diagnostics().error(r.path("boundary"), "bottom and top must both be periodic or neither");
  r.finish();
}

// Whether segments pq and rs share a point (proper crossings, touching and collinear
// overlaps alike).
bool segments_meet(const std::array<double, 2>& p, const std::array<double, 2>& q, const std::array<double, 2>& r,
                   const std::array<double, 2>& s) {
  auto cross = [](const std::array<double, 2>& o, const std::array<double, 2>& a, const std::array<double, 2>& b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  };
  auto sign = [](double v) { return (v > 0) - (v < 0); };
  auto on = [](const std::array<double, 2>& a, const std::array<double, 2>& b, const std::array<double, 2>& x) {
    return std::min(a[0], b[0]) <= x[0] && x[0] <= std::max(a[0], b[0]) && std::min(a[1], b[1]) <= x[1] &&
           x[1] <= std::max(a[1], b[1]);
  };
  const int d1 = sign(cross(r, s, p)), d2 = sign(cross(r, s, q)), d3 = sign(cross(p, q, r)), d4 = sign(cross(p, q, s));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (d1 == 0 && on(r, s, p)) || (d2 == 0 && on(r, s, q)) || (d3 == 0 && on(p, q, r)) || (d4 == 0 && on(p, q, s));
}

// A polygon obstacle's vertices: at least 3 points [x, y] inside the mesh, edges that
// meet only at their shared vertices.
void read_vertices(ObjectReader& r, const Case& c, Obstacle& o) {
  const json* v = r.child("vertices");
  const std::string path = r.path("vertices");
  if (!v || !v->is_array() || v->size() < 3) {
    r.diagnostics().expected(path, "an array of at least 3 vertices [x, y]", v ? *v : json());
    return;
  }
  for (std::size_t k = 0; k < v->size(); ++k) {
    const json& p = (*v)[k];
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      r.diagnostics().expected(path + "/" + std::to_string(k), "a vertex [x, y]", p);
      return;
    }
    const std::array<double, 2> q = {p[0].get<double>(), p[1].get<double>()};
    if (q[0] < c.x[0] || q[0] > c.x[1] || q[1] < c.y[0] || q[1] > c.y[1]) {
      std::ostringstream mesh;
      mesh << "a vertex inside the mesh [" << c.x[0] << ", " << c.x[1] << "] x [" << c.y[0] << ", " << c.y[1] << "]";
      r.diagnostics().expected(path + "/" + std::to_string(k), mesh.str(), p);
      return;
    }
    o.vertices.push_back(q);
  }
  const std::size_t n = o.vertices.size();
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b) {
      const bool adjacent = b == a + 1 || (a == 0 && b == n - 1);
      const auto &p = o.vertices[a], &q = o.vertices[(a + 1) % n], &s = o.vertices[b], &t = o.vertices[(b + 1) % n];
      // Adjacent edges share a vertex: neither may reach back onto the other.
      auto on = [](const std::array<double, 2>& x, const std::array<double, 2>& e0, const std::array<double, 2>& e1) {
        return segments_meet(e0, e1, x, x);
      };
      const bool meet = p == q || s == t ||
                        (!adjacent ? segments_meet(p, q, s, t)
                         : b == a + 1 ? on(p, s, t) || on(t, p, q)    // q == s shared
                                      : on(q, s, t) || on(s, p, q));  // t == p shared
      if (meet) {
        r.diagnostics().expected(path, "a simple polygon (edges " + std::to_string(a) + " and " + std::to_string(b) +
                                           " meet away from a shared vertex)", *v);
        return;
      }
    }
}

void read_obstacles(ObjectReader& root, Case& c) {
  const json* list = root.child("obstacles");
  if (!list) return;
  if (!list->is_array()) { root.diagnostics().expected("/obstacles", "an array of obstacles", *list); return; }
  for (std::size_t k = 0; k < list->size(); ++k) {
    ObjectReader r((*list)[k], "/obstacles/" + std::to_string(k), root.diagnostics());
    if (!r.valid()) continue;
    Obstacle o;
    const std::string shape = r.choice("shape", std::nullopt, {"rectangle", "circle", "polygon"});
    auto pair = [&](const char* key, std::array<double, 2>& out, bool ordered) {
      const json* v = r.child(key);
      if (!v || !v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number() ||
          (ordered && !((*v)[0].get<double>() < (*v)[1].get<double>()))) {
        r.diagnostics().expected(r.path(key), ordered ? "[min, max] with min < max" : "[x, y]",
                                 v ? *v : json());
        return;
      }
      out = {(*v)[0].get<double>(), (*v)[1].get<double>()};
    };
    if (shape == "circle") {
      o.shape = Obstacle::Shape::circle;
      pair("center", o.center, false);
      o.radius = r.number("radius", std::nullopt, positive);
    } else if (shape == "polygon") {
      o.shape = Obstacle::Shape::polygon;
      read_vertices(r, c, o);
    } else {
      pair("x", o.x, true);
      pair("y", o.y, true);
    }
    o.state = read_state(r, c.species.size(), true);
    if (const json* wall = r.child("wall")) {
      ObjectReader w(*wall, r.path("wall"), r.diagnostics());
      if (w.valid()) {
        o.wall = Wall{};
        o.wall->accommodation = w.number("accommodation", 1.0, Range{0.0, 1.0});
        o.wall->key = w.where();
        if (w.has("T")) o.wall->T = w.number("T", std::nullopt, positive);
        w.finish();
      }
    }
    if (const json* move = r.child("move")) {
      ObjectReader mv(*move, r.path("move"), r.diagnostics());
      // At most the mesh's size along each axis per move, and a move that moves.
      const json* cells = mv.child("cells");
      const auto whole = [&](std::size_t k) {
        const int n = k == 0 ? c.nx : c.ny;
        return integer_value((*cells)[k], -n, n);
      };
      const std::string what = "[di, dj], whole cells per move with |di| <= nx (" + std::to_string(c.nx) +
                               ") and |dj| <= ny (" + std::to_string(c.ny) + "), not both 0";
      if (!cells)
        r.diagnostics().error(mv.path("cells"), "missing; expected " + what);
      else if (!cells->is_array() || cells->size() != 2 || !whole(0) || !whole(1) || (*whole(0) == 0 && *whole(1) == 0))
        r.diagnostics().expected(mv.path("cells"), what, *cells);
      else
        o.move_cells = {*whole(0), *whole(1)};
      o.move_every = mv.integer("every", 1, 1, 1000000);
      mv.finish();
    }
    r.finish();
    c.obstacles.push_back(std::move(o));
  }
}

// Names within a list must differ: a species' name heads snapshot fields and history
// columns, a probe's names its file (probe_NAME.csv).
template <class Named>
void refuse_repeated_names(Diagnostics& d, const std::string& list, const std::vector<Named>& items, const char* item) {
  for (std::size_t k = 0; k < items.size(); ++k)
    for (std::size_t j = 0; j < k; ++j)
      if (items[j].name == items[k].name) {
        d.expected(list + "/" + std::to_string(k) + "/name",
                   std::string("a name no other ") + item + " has (" + list + "/" + std::to_string(j) + " has it)",
                   items[k].name);
        break;
      }
}

void read_species(ObjectReader& root, Case& c) {
  const json* list = root.child("species");
  if (!list) { c.species = {{"gas", 1.0}}; return; }
  if (!list->is_array() || list->empty()) {
    root.diagnostics().expected("/species", "a non-empty array of {\"name\", \"mass\"}", *list);
    c.species = {{"gas", 1.0}};
    return;
  }
  for (std::size_t k = 0; k < list->size(); ++k) {
    ObjectReader r((*list)[k], "/species/" + std::to_string(k), root.diagnostics());
    Species s;
    s.name = safe_name(r, "name", "species" + std::to_string(k));
    s.mass = r.number("mass", 1.0, positive);
    r.finish();
    c.species.push_back(s);
  }
  refuse_repeated_names(root.diagnostics(), "/species", c.species, "species");
}

void read_time(ObjectReader& root, Case& c) {
  const json* node = root.child("time");
  if (!node) { root.diagnostics().error("/time", "missing; expected {\"end\": ...}"); return; }
  ObjectReader r(*node, "/time", root.diagnostics());
  c.t_end = r.number("end", std::nullopt, positive);
  if (r.has("dt")) c.dt = r.number("dt", std::nullopt, positive);
  c.dt_dx = r.number("dt_dx", 0.1, positive);
  c.cfl = r.number("cfl", 0.5, {0.0, 1.0, true, false});
  c.max_steps = r.integer("max_steps", c.max_steps, 1, Case::largest_max_steps);
  if (r.has("steady")) c.steady = r.number("steady", std::nullopt, positive);
  r.finish();
}

void read_initial(ObjectReader& root, Case& c) {
  const json* list = root.child("initial");
  if (!list) { root.diagnostics().error("/initial", "missing; expected an array of regions {\"where\", \"rho\", \"ux\", \"uy\", \"T\" or \"p\"}"); return; }
  if (!list->is_array() || list->empty()) {
    root.diagnostics().expected("/initial", "a non-empty array of regions", *list);
    return;
  }
  for (std::size_t k = 0; k < list->size(); ++k) {
    ObjectReader r((*list)[k], "/initial/" + std::to_string(k), root.diagnostics());
    if (!r.valid()) continue;
    Region region;
    if (r.has("where")) region.where = r.expression("where", std::nullopt);
    if (const json* list = r.child("components")) {
      if (!list->is_array() || list->empty())
        r.diagnostics().expected(r.path("components"), "a non-empty array of states {rho, ux, uy, uz, T or p}", *list);
      for (std::size_t m = 0; list->is_array() && m < list->size(); ++m) {
        ObjectReader item((*list)[m], r.path("components") + "/" + std::to_string(m), r.diagnostics());
        if (!item.valid()) continue;
        region.components.push_back(read_state(item, c.species.size(), true));
        item.finish();
      }
      r.finish();
      c.initial.push_back(std::move(region));
      continue;
    }
    region.bimodal = r.choice("distribution", "maxwellian", {"maxwellian", "bimodal"}) == "bimodal";
    region.state = read_state(r, c.species.size(), true);
    r.finish();
    c.initial.push_back(std::move(region));
  }
}

void read_regime(ObjectReader& root, Case& c) {
  const json* node = root.child("regime");
  if (!node) return;
  ObjectReader r(*node, "/regime", root.diagnostics());
  c.mode = mode_named(r.choice("mode", "hybrid", mode_names())).value_or(RegimeMode::hybrid);
  c.initial_layer = r.integer("initial", 0, 0, 2);
  c.band = r.integer("band", 2, 0, 20);
  c.band_layer = r.integer("band_layer", 2, 0, 2);
  if (const json* list = r.child("regions")) {
    if (!list->is_array()) r.diagnostics().expected(r.path("regions"), "an array of {\"where\", \"layer\"}", *list);
    for (std::size_t k = 0; list->is_array() && k < list->size(); ++k) {
      ObjectReader item((*list)[k], r.path("regions") + "/" + std::to_string(k), r.diagnostics());
      const auto where = item.expression("where", std::nullopt);
      const int layer = item.integer("layer", std::nullopt, 0, 2);
      item.finish();
      if (where) c.forced.push_back({*where, layer});
    }
  }
  r.finish();
}

void read_probes(ObjectReader& root, Case& c) {
  const json* list = root.child("probes");
  if (!list) return;
  if (!list->is_array()) { root.diagnostics().expected("/probes", "an array of {\"name\", \"x\", \"y\"}", *list); return; }
  for (std::size_t k = 0; k < list->size(); ++k) {
    ObjectReader r((*list)[k], "/probes/" + std::to_string(k), root.diagnostics());
    Probe p;
    p.name = safe_name(r, "name", std::nullopt);
    p.x = r.number("x", std::nullopt, {c.x[0], c.x[1]});
    p.y = r.number("y", std::nullopt, {c.y[0], c.y[1]});
    r.finish();
    c.probes.push_back(p);
  }
  refuse_repeated_names(root.diagnostics(), "/probes", c.probes, "probe");
}

void read_output(ObjectReader& root, Case& c) {
  c.output.dir = fs::path("out") / c.name;
  c.output.times = {c.t_end};
  const json* node = root.child("output");
  if (!node) return;
  ObjectReader r(*node, "/output", root.diagnostics());
  if (r.has("dir")) {
    // "~/runs" as a shell would read it: no shell reads a case file.
    std::string dir = r.text("dir", std::nullopt);
    if (dir.empty() || dir.find('\0') != std::string::npos)
      r.diagnostics().expected(r.path("dir"), "a folder name: not empty, without NUL characters", json(dir));
    const char* home = std::getenv("HOME");
    if (home && (dir == "~" || dir.starts_with("~/"))) dir = home + dir.substr(1);
    c.output.dir = dir;
  }
  if (const json* times = r.child("times")) {
    // Against time.end only where it was read: a bad time.end is its own message.
    const bool end_known = c.t_end > 0 && std::isfinite(c.t_end);
    bool ok = times->is_array() && !times->empty();
    for (const auto& t : ok ? *times : json::array())
      ok = ok && t.is_number() && t.get<double>() > 0 && (!end_known || t.get<double>() <= c.t_end * (1 + 1e-12));
    if (!ok) {
      // The bound and the first time past it: a shortened time.end (--set time.end=0.01)
      // leaves the case's own output times behind.
      std::string what = "a non-empty array of times in (0, time.end]";
      if (end_known) {
        what = "a non-empty array of times in (0, time.end = " + toolkit::format_number(c.t_end) + "]";
        for (const auto& t : times->is_array() ? *times : json::array())
          if (t.is_number() && t.get<double>() > c.t_end * (1 + 1e-12)) {
            what += " (" + toolkit::format_number(t.get<double>()) + " is later)";
            break;
          }
      }
      r.diagnostics().expected(r.path("times"), what, *times);
    } else {
      c.output.times = times->get<std::vector<double>>();
      std::sort(c.output.times.begin(), c.output.times.end());
      c.output.times.erase(std::unique(c.output.times.begin(), c.output.times.end()), c.output.times.end());
      if (c.output.times.back() < c.t_end * (1 - 1e-12)) c.output.times.push_back(c.t_end);
      c.output.times.back() = c.t_end;
      // Profiles are named by their time to six digits (profile_0.005.csv): two times
      // that print alike would write one file (snapshots are numbered, not named).
      const bool profiles = !r.has("profiles") || (*node)["profiles"] != json(false);
      for (std::size_t k = 1; profiles && k < c.output.times.size(); ++k)
        if (const std::string shown = toolkit::format_number(c.output.times[k]);
            toolkit::format_number(c.output.times[k - 1]) == shown) {
          r.diagnostics().expected(r.path("times"), "times that differ in their first six digits (two print as " +
                                                        shown + " and would write one profile_" + shown +
                                                        ".csv; time.end is always an output time)",
                                   *times);
          break;
        }
    }
  }
  c.output.snapshots = r.boolean("snapshots", true);
  c.output.profiles = r.boolean("profiles", true);
  if (r.has("profile_y")) c.output.profile_y = r.number("profile_y", std::nullopt, {c.y[0], c.y[1]});
  c.output.surface = r.boolean("surface", true);
  c.output.history_every = r.integer("history_every", 1, 1, 1000000000);
  if (const json* ref = r.child("reference")) {
    ObjectReader k(*ref, r.path("reference"), r.diagnostics());
    if (k.valid()) {
      ReferenceState& s = c.output.reference.emplace();
      s.rho = k.number("rho", std::nullopt, positive);
      s.speed = k.number("speed", std::nullopt, positive);
      s.p = k.number("p", std::nullopt, positive);
      s.length = k.number("length", 1.0, positive);
      // The coefficients divide by ½ rho speed² and ½ rho speed³ length: both must be
      // ordinary positive numbers, not 0 or infinity in floating point.
      const double q = 0.5 * s.rho * s.speed * s.speed;
      if (k.valid() && s.rho > 0 && s.speed > 0 && s.p > 0 && s.length > 0 &&
          !(std::isnormal(q) && std::isnormal(q * s.speed * s.length) && std::isnormal(s.p / q)))
        r.diagnostics().expected(r.path("reference"),
                                 "a free stream whose rho speed^2 / 2, rho speed^3 length / 2 and p over the first are "
                                 "ordinary positive numbers (the coefficients divide by them)",
                                 *ref);
      k.finish();
    }
  }
  if (const json* ck = r.child("checkpoint")) {
    ObjectReader k(*ck, r.path("checkpoint"), r.diagnostics());
    if (k.valid()) {
      CheckpointSpec& spec = c.output.checkpoint;
      spec.every_steps = k.integer("every_steps", 0, 0, std::numeric_limits<int>::max());
      spec.every_minutes = k.number("every_minutes", 0.0, non_negative);
      spec.keep = k.integer("keep", 2, 1, 1000);
      // keep alone is a choice too: it applies to the checkpoint a signal writes.
      if (!k.has("every_steps") && !k.has("every_minutes") && !k.has("keep"))
        r.diagnostics().expected(r.path("checkpoint"), "{\"every_steps\": N, \"every_minutes\": M, \"keep\": K} with at least one of them", *ck);
      k.finish();
    }
  }
  r.finish();
}

// Which plugin sections a case needs. A hybrid run with an indicator may put any
// cell in any layer; without one its regime map stays as initialised (regime.initial
// and regime.regions: a static decomposition), so only the layers named there count.
bool section_needed(const std::string& section, const Case& c, bool has_indicator) {
  const int layer = section == "fluid" ? 0 : section == "kinetic" ? 1 : section == "boltzmann" ? 2 : -1;
  if (const auto fixed = fixed_layer(c.mode)) return layer == *fixed;
  if (has_indicator || layer < 0) return true;
  bool used = c.initial_layer == layer || (!c.obstacles.empty() && c.band > 0 && c.band_layer == layer);
  for (const Boundary& b : c.boundary)  // the band along a Maxwell wall (Domain::compute_forced)
    used = used || (b.kind == BoundaryKind::wall && b.wall.accommodation > 0 && b.wall.band > 0 && c.band_layer == layer);
  for (const auto& f : c.forced) used = used || f.layer == layer;
  return used;
}

void read_plugin(ObjectReader& root, Case& c, PluginChoice& choice, const PluginCatalog& catalog) {
  Diagnostics& diag = root.diagnostics();
  const std::string path = "/" + choice.section;
  const json* node = root.child(choice.section);
  if (choice.section == "indicator" && !node) return;  // hybrid without indicator: static map
  choice.needed = section_needed(choice.section, c, c.json.contains("indicator"));
  const std::string why = std::string("regime.mode is \"") + mode_name(c.mode) + "\"";
  if (!node) {
    if (choice.needed) diag.error(path, "missing; a {\"plugin\": NAME, ...} section is needed because " + why);
    return;
  }
  if (!node->is_object()) { diag.expected(path, "an object {\"plugin\": NAME, parameters...}", *node); return; }
  if (!node->contains("plugin") || !(*node)["plugin"].is_string()) {
    diag.expected(path + "/plugin", "the name of a plugin (a string)", node->value("plugin", json()));
    return;
  }
  choice.name = (*node)["plugin"].get<std::string>();
  static const std::map<std::string, sdk::PluginKind> kinds = {
      {"fluid", sdk::PluginKind::fluid_model}, {"kinetic", sdk::PluginKind::collision_model},
      {"boltzmann", sdk::PluginKind::collision_model}, {"indicator", sdk::PluginKind::indicator}};
  try {
    choice.library = catalog.load(choice.name, kinds.at(choice.section));
  } catch (const PluginError& e) {
    if (choice.needed) diag.error(path + "/plugin", e.what());
    else diag.warn(path + "/plugin", std::string(e.what()) + " (not needed: " + why + ")");
    return;
  }
  const sdk::Descriptor& d = choice.library->descriptor();
  if (d.kind != kinds.at(choice.section)) {
    diag.error(path + "/plugin", "plugin '" + choice.name + "' is " + with_article(d.kind) +
                                     ", this section needs " + with_article(kinds.at(choice.section)));
    return;
  }
  choice.params = validate_plugin_params(*node, path, d, diag);
}

// gpu.resident_layer2 (docs/user_guide.md §3.9): needs a layer-2 model that takes device
// views; the run then loads the engine's device library (layer2_device.hpp).
void read_gpu(ObjectReader& root, Case& c) {
  const json* node = root.child("gpu");
  if (!node) return;
  ObjectReader r(*node, "/gpu", root.diagnostics());
  c.resident_layer2 = r.boolean("resident_layer2", false);
  r.finish();
  if (!c.resident_layer2 || !c.boltzmann.needed || !c.boltzmann.library) return;
  const std::string path = r.path("resident_layer2");
  if (!c.boltzmann.library->takes_device_views())
    root.diagnostics().error(path, "true needs a layer-2 collision model that takes device views "
                                   "(STRATA_DEVICE_VIEWS, e.g. boltzmann_cufft); boltzmann.plugin is \"" +
                                       c.boltzmann.name + "\"");
}

}  // namespace

Case load_case(const fs::path& file, const std::vector<std::string>& overrides,
               const PluginCatalog& catalog) {
  Case c;
  c.file = file;
  c.overrides = overrides;
  c.json = read_json(file);
  for (const auto& o : overrides) {
    const AppliedOverride applied = apply_override(c.json, o);
    c.overridden[applied.pointer] = applied.origin;
  }

  Diagnostics diag(file.string(), c.overridden);
  ObjectReader root(c.json, "", diag);
  diag.throw_if_errors();
  if (!valid_utf8(file.string())) throw CaseError({describe_value(json(file.string())) + ": the path is not valid UTF-8"});
  // The name becomes the output folder out/<name>: a plain name, no path.
  c.name = safe_name(root, "name", file_name_component(file.stem().string()));
  c.description = root.text("description", "");
  root.text("$schema", "");  // for editors (docs/user_guide.md §3.10)
  read_species(root, c);
  read_mesh(root, c);
  read_obstacles(root, c);
  if (const json* v = root.child("velocity")) {
    ObjectReader r(*v, "/velocity", diag);
    c.velocity.n = r.integer("n", 32, min_velocity_points, max_velocity_points);
    c.velocity.L = r.number("L", 8.0, positive);
    r.finish();
  } else {
    c.velocity = {32, 8.0};
  }
  if (auto k = root.expression("knudsen", 1.0)) c.knudsen = *k;
  read_time(root, c);
  read_initial(root, c);
  read_regime(root, c);
  read_probes(root, c);
  read_output(root, c);
  c.fluid.section = "fluid";
  c.kinetic.section = "kinetic";
  c.boltzmann.section = "boltzmann";
  c.indicator.section = "indicator";
  for (PluginChoice* p : {&c.fluid, &c.kinetic, &c.boltzmann, &c.indicator})
    read_plugin(root, c, *p, catalog);
  read_gpu(root, c);
  c.plugin_dirs = catalog.search_dirs();
  root.finish();
  diag.throw_if_errors();
  return c;
}

}  // namespace strata::core
