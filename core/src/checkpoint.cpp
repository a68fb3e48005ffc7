#include "checkpoint.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <regex>

#include <hdf5.h>

#include "mesh.hpp"
#include "output.hpp"
#include "run_folder.hpp"
#include "strata/toolkit/format.hpp"

namespace strata::core {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// An HDF5 identifier closed when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&&) = delete;
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  operator hid_t() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// The system's reason behind HDF5's latest error, or "": HDF5's file drivers write errno
// into their messages ("..., errno = 28, error message = 'No space left on device', ...").
std::string system_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        try {  // called from HDF5's C code: nothing may escape
          static const std::regex errno_field(R"(errno = ([1-9]\d{0,4})\b)");
          std::cmatch m;
          auto& r = *static_cast<std::string*>(out);
          if (r.empty() && e->desc && std::regex_search(e->desc, m, errno_field)) r = write_error_text(std::stoi(m[1]));
        } catch (...) {
        }
        return 0;
      },
      &reason);
  return reason;
}

// Errors inside one file: each names the file, the object and, where the system gave
// one, the reason.
struct H5 {
  std::string file;
  bool reading = false;  // a failure to read is a damaged checkpoint
  [[noreturn]] void fail(const std::string& what) const {
    const std::string reason = system_reason();
    const std::string message = file + ": " + what + (reason.empty() ? "" : ": " + reason);
    if (reading) throw DamagedCheckpoint(message);
    throw RunError(message);
  }
  void check(herr_t status, const std::string& what) const {
    if (status < 0) fail(what);
  }
  // Names as the file has them: "dataset /kinetic/f", "attribute step" of the file,
  // "/work attribute output" of a group.
  static std::string group_path(hid_t loc) {  // "" for the file
    if (H5Iget_type(loc) == H5I_FILE) return "";
    char name[256];
    const ssize_t n = H5Iget_name(loc, name, sizeof name);
    return n > 0 ? std::string(name, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof name - 1)) : "";
  }
  static std::string dataset_name(hid_t loc, const std::string& name) {
    return "dataset " + group_path(loc) + "/" + name;
  }
  static std::string attribute_name(hid_t loc, const std::string& name) {
    const std::string g = group_path(loc);
    return (g.empty() ? "" : g + " ") + "attribute " + name;
  }

  // Writing.
  void dataset(hid_t loc, const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
               const void* data) const {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    if (!space.ok()) fail("cannot create the dataspace of " + dataset_name(loc, name));
    Handle set(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (!set.ok()) fail("cannot create " + dataset_name(loc, name));
    hsize_t count = 1;
    for (const hsize_t d : dims) count *= d;
    if (count > 0) check(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write " + dataset_name(loc, name));
  }
  void text(hid_t loc, const std::string& name, const std::string& value) const {
    // A NUL byte at the end keeps the dataset non-empty.
    dataset(loc, name, H5T_NATIVE_CHAR, {value.size() + 1}, value.c_str());
  }
  void attribute(hid_t loc, const std::string& name, hid_t type, const void* value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!a.ok()) fail("cannot create " + attribute_name(loc, name));
    check(H5Awrite(a, type, value), "cannot write " + attribute_name(loc, name));
  }
  void attribute(hid_t loc, const std::string& name, double v) const { attribute(loc, name, H5T_NATIVE_DOUBLE, &v); }
  void attribute(hid_t loc, const std::string& name, long v) const {
    const std::int64_t x = v;
    attribute(loc, name, H5T_NATIVE_INT64, &x);
  }
  void attribute(hid_t loc, const std::string& name, const std::string& v) const {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(H5Tset_size(type, std::max<std::size_t>(v.size(), 1)), "string type");
    std::string padded = v;
    padded.resize(std::max<std::size_t>(v.size(), 1), '\0');
    attribute(loc, name, type, padded.data());
  }

  // Reading.
  Handle open_set(hid_t loc, const std::string& name, std::vector<hsize_t>& dims) const {
    Handle set(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!set.ok()) fail(dataset_name(loc, name) + " is missing or unreadable");
    Handle space(H5Dget_space(set), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0) fail(dataset_name(loc, name) + " is unreadable");
    dims.assign(static_cast<std::size_t>(rank), 0);
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return set;
  }
  template <class T>
  std::vector<T> read(hid_t loc, const std::string& name, hid_t type, const std::vector<hsize_t>& expect) const {
    std::vector<hsize_t> dims;
    Handle set = open_set(loc, name, dims);
    bool match = dims.size() == expect.size();
    for (std::size_t k = 0; match && k < dims.size(); ++k) match = expect[k] == 0 || dims[k] == expect[k];
    if (!match) fail(dataset_name(loc, name) + " has an unexpected shape");
    hsize_t count = 1;
    for (const hsize_t d : dims) count *= d;
    std::vector<T> v(count);
    if (count > 0) check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "cannot read " + dataset_name(loc, name));
    return v;
  }
  std::string text(hid_t loc, const std::string& name) const {
    auto v = read<char>(loc, name, H5T_NATIVE_CHAR, {0});
    if (v.empty() || v.back() != '\0') fail(dataset_name(loc, name) + " is not a text");
    return std::string(v.data(), v.size() - 1);
  }
  // The attribute `name`, which must hold one value (H5Aread fills as many as it holds).
  Handle open_attribute(hid_t loc, const std::string& name) const {
    Handle a(H5Aopen(loc, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a.ok()) fail(attribute_name(loc, name) + " is missing");
    Handle space(H5Aget_space(a), H5Sclose);
    if (!space.ok() || H5Sget_simple_extent_npoints(space) != 1)
      fail(attribute_name(loc, name) + " does not hold one value (corrupted checkpoint?)");
    return a;
  }
  void read_attribute(hid_t loc, const std::string& name, hid_t type, void* value) const {
    Handle a = open_attribute(loc, name);
    check(H5Aread(a, type, value), "cannot read " + attribute_name(loc, name));
  }
  double number(hid_t loc, const std::string& name) const {
    double v = 0;
    read_attribute(loc, name, H5T_NATIVE_DOUBLE, &v);
    return v;
  }
  long integer(hid_t loc, const std::string& name) const {
    std::int64_t v = 0;
    read_attribute(loc, name, H5T_NATIVE_INT64, &v);
    return static_cast<long>(v);
  }
  std::string string(hid_t loc, const std::string& name) const {
    Handle a = open_attribute(loc, name);
    Handle stored(H5Aget_type(a), H5Tclose);
    if (H5Tget_class(stored) != H5T_STRING) fail(attribute_name(loc, name) + " is not a string");
    // Fixed-length as Strata writes them, or variable-length as h5py writes a str (a file
    // repaired by hand), ASCII or UTF-8.
    const bool variable = H5Tis_variable_str(stored) > 0;
    const std::size_t size = H5Tget_size(stored);
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(H5Tset_size(type, variable ? H5T_VARIABLE : size), "string type");
    check(H5Tset_cset(type, H5Tget_cset(stored)), "string type");
    if (variable) {
      char* v = nullptr;
      check(H5Aread(a, type, &v), "cannot read " + attribute_name(loc, name));
      const std::string value = v ? v : "";
      H5free_memory(v);
      return value;
    }
    std::string v(size, '\0');
    check(H5Aread(a, type, v.data()), "cannot read " + attribute_name(loc, name));
    v.resize(std::strlen(v.c_str()));
    return v;
  }
};

Handle group(const H5& h, hid_t file, const std::string& name, bool create) {
  Handle g(create ? H5Gcreate2(file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                  : H5Gopen2(file, name.c_str(), H5P_DEFAULT),
           H5Gclose);
  if (!g.ok()) h.fail(create ? "cannot create group /" + name : "group /" + name + " is missing");
  return g;
}

hsize_t to_h(std::size_t n) { return static_cast<hsize_t>(n); }

// The keys a restart compares, flattened to "mesh.nx", "kinetic.tau", ...
std::map<std::string, json> flatten_setup(const json& s) {
  std::map<std::string, json> out;
  const json none = json::object();
  auto member = [&](const json& o, const char* key) -> const json& {
    return o.is_object() && o.contains(key) ? o.at(key) : none;
  };
  for (const char* part : {"mesh", "velocity"})
    for (const auto& [k, v] : member(s, part).items()) out[std::string(part) + "." + k] = v;
  out["species"] = member(s, "species");
  out["regime.mode"] = member(s, "regime_mode");
  for (const auto& [section, p] : member(s, "plugins").items()) {
    out[section + ".plugin"] = member(p, "name");
    for (const auto& [k, v] : member(p, "parameters").items()) out[section + "." + k] = v;
  }
  return out;
}

// The keys of a case document (as run, after --set) that change the physics of its
// continuation and that checkpoint_setup does not hold, flattened to "mesh.boundary.left.rho",
// "knudsen", "obstacles.0.x.1", "regime.band", ... Compared as written, but for white space
// in text: the same boundary
// written another way ("outflow" against {"type": "outflow"}) counts as a difference; an
// empty list or object is taken as absent (`"obstacles": []` is no obstacle).
// The initial state is among them (a wall without T takes the gas's initial temperature);
// regime.initial is not (the checkpoint holds the regime map).
std::map<std::string, json> physics_of_case(const json& c) {
  std::map<std::string, json> out;
  if (!c.is_object()) return out;
  // Text here is an expression or a keyword, where white space means nothing: compared
  // without it ("1 + x" is "1+x").
  const auto compact = [](const json& leaf) {
    if (!leaf.is_string()) return leaf;
    std::string text = leaf.get<std::string>();
    std::erase_if(text, [](unsigned char ch) { return std::isspace(ch); });
    return json(text);
  };
  auto add = [&](const std::string& prefix, const json& value) {
    if (value.is_structured() && value.empty()) return;
    if (!value.is_structured()) {
      out[prefix] = compact(value);
      return;
    }
    const json flat = value.flatten();  // named: items() of a temporary would dangle
    for (const auto& [pointer, leaf] : flat.items()) {
      std::string key = prefix + pointer;
      std::replace(key.begin(), key.end(), '/', '.');
      out[key] = compact(leaf);
    }
  };
  if (c.contains("mesh") && c["mesh"].is_object() && c["mesh"].contains("boundary"))
    add("mesh.boundary", c["mesh"]["boundary"]);
  for (const char* section : {"knudsen", "obstacles", "initial"})
    if (c.contains(section)) add(section, c[section]);
  if (c.contains("regime") && c["regime"].is_object())
    for (const auto& [k, v] : c["regime"].items())
      if (k != "mode" && k != "initial") add("regime." + k, v);
  return out;
}

}  // namespace

json checkpoint_setup(const Case& c) {
  json species = json::array();
  for (const auto& s : c.species) species.push_back({{"name", s.name}, {"mass", s.mass}});
  json plugins = json::object();
  for (const PluginChoice* p : {&c.fluid, &c.kinetic, &c.boltzmann, &c.indicator})
    if (p->needed) {
      plugins[p->section] = {{"name", p->name}, {"parameters", p->params}};
      if (p->library) plugins[p->section]["version"] = p->library->descriptor().version;
    }
  return {{"mesh", {{"nx", c.nx}, {"ny", c.ny}, {"x", c.x}, {"y", c.y}}},
          {"velocity", {{"n", c.velocity.n}, {"L", c.velocity.L}}},
          {"species", species},
          {"regime_mode", mode_name(c.mode)},
          {"plugins", plugins}};
}

namespace {
// Before any HDF5 call: errors are the engine's to report (no HDF5-DIAG dump), and no
// clean-up at exit: a file HDF5 failed to write (a full disk) stays open in the library,
// and its own clean-up would walk into it and crash the process after the run's failed
// summary (HDF5 1.10; exit 139 where 3 was due).
void hdf5_as_the_engine_uses_it() {
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// The checkpoint into `tmp`; write_checkpoint commits it, or removes it on an error.
void write_checkpoint_file(const fs::path& tmp, const CheckpointData& d) {
  const H5 h{tmp.string()};
  {
    Handle f(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) h.fail("cannot be created");
    h.attribute(f, "format", std::string("strata checkpoint"));
    h.attribute(f, "format_version", static_cast<long>(d.format_version));
    h.attribute(f, "time", d.t);
    h.attribute(f, "step", d.step);
    h.attribute(f, "next_output", d.next_output);
    h.attribute(f, "layer_switches", d.switches);
    h.attribute(f, "case", d.case_json);
    h.attribute(f, "setup", d.setup.dump());
    if (!d.started_from.empty()) h.attribute(f, "started_from", d.started_from);
    h.attribute(f, "nvar", static_cast<long>(d.nvar));
    h.attribute(f, "values_per_kinetic_cell", static_cast<long>(d.nf));
    {
      Handle g = group(h, f, "domain", true);
      const int nx = d.setup["mesh"]["nx"], ny = d.setup["mesh"]["ny"];
      h.dataset(g, "regime", H5T_NATIVE_INT8, {to_h(ny), to_h(nx)}, d.regime.data());
      std::vector<int> offsets;
      for (const auto& o : d.obstacle_offsets) offsets.insert(offsets.end(), o.begin(), o.end());
      h.dataset(g, "obstacle_offsets", H5T_NATIVE_INT, {to_h(d.obstacle_offsets.size()), 2}, offsets.data());
    }
    {
      Handle g = group(h, f, "macro", true);
      h.dataset(g, "U", H5T_NATIVE_DOUBLE, {to_h(d.U.size() / d.nvar), to_h(d.nvar)}, d.U.data());
    }
    {
      Handle g = group(h, f, "kinetic", true);
      h.dataset(g, "cells", H5T_NATIVE_UINT64, {to_h(d.kinetic_cells.size())}, d.kinetic_cells.data());
      h.dataset(g, "f", H5T_NATIVE_DOUBLE, {to_h(d.kinetic_cells.size()), to_h(d.nf)}, d.kinetic_f.data());
    }
    {
      Handle g = group(h, f, "diagnostics", true);
      const RunDiagnostics::Baseline& b = d.baseline;
      h.dataset(g, "initial", H5T_NATIVE_DOUBLE, {5}, b.initial.data());
      h.dataset(g, "exchange", H5T_NATIVE_DOUBLE, {5}, b.exchange.data());
      h.dataset(g, "scale", H5T_NATIVE_DOUBLE, {5}, b.scale.data());
      h.dataset(g, "max_drift", H5T_NATIVE_DOUBLE, {5}, b.max_drift.data());
      h.dataset(g, "kinetic_residual", H5T_NATIVE_DOUBLE, {1}, &b.kinetic_residual);
      h.dataset(g, "largest_residual", H5T_NATIVE_DOUBLE, {1}, &b.largest_residual);
      if (!b.species_number.empty())
        h.dataset(g, "species_number", H5T_NATIVE_DOUBLE, {to_h(b.species_number.size())}, b.species_number.data());
      if (!b.loads_window.empty())
        h.dataset(g, "loads_window", H5T_NATIVE_DOUBLE, {to_h(b.loads_window.size())}, b.loads_window.data());
    }
    {
      Handle g = group(h, f, "work", true);
      h.dataset(g, "wall", H5T_NATIVE_DOUBLE, {3}, d.work.wall.data());
      const std::array<std::int64_t, 3> cs = {d.work.cell_steps[0], d.work.cell_steps[1], d.work.cell_steps[2]};
      h.dataset(g, "cell_steps", H5T_NATIVE_INT64, {3}, cs.data());
      h.attribute(g, "coupling", d.work.coupling);
      h.attribute(g, "indicator", d.work.indicator);
      h.attribute(g, "layer1_collision_model", d.work.collision_model[1]);
      h.attribute(g, "layer2_collision_model", d.work.collision_model[2]);
      h.attribute(g, "wall_seconds", d.wall_seconds);
      h.attribute(g, "output", d.wall_output);
      h.attribute(g, "checkpoint", d.wall_checkpoint);
    }
    {
      Handle g = group(h, f, "output", true);
      h.text(g, "history", d.output.history);
      h.text(g, "loads", d.output.loads);
      h.text(g, "probes", json(d.output.probes).dump());
      h.text(g, "snapshots", json(d.output.series).dump());
    }
    h.check(H5Fflush(f, H5F_SCOPE_GLOBAL), "cannot be flushed");
  }
}
}  // namespace

namespace {
// `write(tmp)` makes the HDF5 file at a temporary name, which commit_file then puts in
// place as `file`. A refusal by HDF5 (a write that failed) removes it and fails with the
// system's reason and `size`, the bytes the file needs; anything else (out of memory)
// removes it and passes on as it is.
template <class Write>
void write_hdf5_atomically(const fs::path& file, double size, Write&& write) {
  hdf5_as_the_engine_uses_it();
  const fs::path tmp = temporary_path(file);
  try {
    write(tmp);
  } catch (const RunError& e) {
    abandon_write(tmp, std::string(e.what()) + "; the file needs about " + toolkit::format_number(size / (1 << 20)) +
                           " MiB");
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  commit_file(tmp, file);
}
}  // namespace

void write_checkpoint(const fs::path& file, const CheckpointData& d) {
  const double bytes = 8.0 * static_cast<double>(d.kinetic_f.size() + d.U.size()) + static_cast<double>(d.case_json.size());
  write_hdf5_atomically(file, bytes, [&](const fs::path& tmp) { write_checkpoint_file(tmp, d); });
}

void write_compared_run(const fs::path& file, const ComparedRun& run) {
  const double bytes = 8.0 * static_cast<double>(run.rho.size() + run.T.size()) + static_cast<double>(run.case_json.size());
  write_hdf5_atomically(file, bytes, [&](const fs::path& tmp) {
    const H5 h{tmp.string()};
    Handle f(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!f.ok()) h.fail("cannot be created");
    h.attribute(f, "format", std::string(compared_run_format));
    h.attribute(f, "case", run.case_json);
    h.dataset(f, "rho", H5T_NATIVE_DOUBLE, {to_h(run.rho.size())}, run.rho.data());
    h.dataset(f, "T", H5T_NATIVE_DOUBLE, {to_h(run.T.size())}, run.T.data());
  });
}

std::string read_checkpoint_case(const fs::path& file) {
  hdf5_as_the_engine_uses_it();
  const H5 h{file.string(), true};
  if (H5Fis_hdf5(file.c_str()) <= 0) h.fail("not an HDF5 file (truncated or corrupted checkpoint?)");
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) h.fail("cannot be opened as HDF5 (truncated or corrupted checkpoint?)");
  return h.string(f, "case");
}

ComparedRun read_compared_run(const fs::path& file) {
  hdf5_as_the_engine_uses_it();
  const H5 h{file.string()};
  if (H5Fis_hdf5(file.c_str()) <= 0) h.fail("not an HDF5 file");
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) h.fail("cannot be opened as HDF5");
  if (H5Aexists(f, "format") <= 0 || h.string(f, "format") != compared_run_format)
    h.fail(std::string("no attribute format = \"") + compared_run_format + "\"");
  ComparedRun run;
  run.case_json = h.string(f, "case");
  run.rho = h.read<double>(f, "rho", H5T_NATIVE_DOUBLE, {0});
  run.T = h.read<double>(f, "T", H5T_NATIVE_DOUBLE, {0});
  return run;
}


namespace {
// What a state must be wherever the checkpoint came from: arrays the shape of its set-up
// (S + 4 conserved variables, S n^3 values per kinetic cell); a layer of -1..2 in every
// interior cell; in gas cells finite values, a positive total density (a species may dip
// below 0 by a trace beside a region without it, as in a run: at most mixture_bgk's
// trace_fraction, 1e-4, of the cell's density) and an energy above the kinetic one;
// finite distributions (f may dip below 0).
void check_contents(const H5& h, const CheckpointData& d, int nx, int ny) {
  const Mesh mesh{nx, ny};  // only the storage layout: interior (i, j) -> stored index
  const json& species = d.setup.at("species");
  const int S = species.is_array() ? static_cast<int>(species.size()) : 0;
  const std::size_t n = d.setup.at("velocity").at("n").get<std::size_t>();
  if (S < 1 || d.nvar != S + 4 || d.U.size() != mesh.n_stored() * static_cast<std::size_t>(d.nvar))
    h.fail("/macro/U does not fit the mesh and species of its set-up (corrupted checkpoint?)");
  if (!d.kinetic_cells.empty() && d.nf != static_cast<std::size_t>(S) * n * n * n)
    h.fail("/kinetic/f does not fit the velocity grid and species of its set-up (corrupted checkpoint?)");
  // Written by ascending stored index: a cell twice would leave another without its f.
  for (std::size_t k = 1; k < d.kinetic_cells.size(); ++k)
    if (d.kinetic_cells[k] <= d.kinetic_cells[k - 1])
      h.fail("/kinetic/cells: cell " + std::to_string(d.kinetic_cells[k]) + " follows cell " +
             std::to_string(d.kinetic_cells[k - 1]) + ", where each cell appears once, by ascending index "
             "(corrupted checkpoint?)");
  // The attributes a run's loop reads back: a time, counts and wall times no run has.
  const auto attribute = [&](const char* name, double value, bool valid) {
    if (!valid)
      h.fail("attribute " + std::string(name) + " is " + toolkit::format_number(value) +
             ", which no run writes (corrupted checkpoint?)");
  };
  attribute("time", d.t, std::isfinite(d.t) && d.t >= 0);
  attribute("step", static_cast<double>(d.step), d.step >= 0 && d.step <= Case::largest_max_steps);
  attribute("next_output", static_cast<double>(d.next_output), d.next_output >= 0);
  attribute("layer_switches", static_cast<double>(d.switches), d.switches >= 0);
  for (const auto& [name, value] : {std::pair{"/work wall_seconds", d.wall_seconds}, {"/work output", d.wall_output},
                                    {"/work checkpoint", d.wall_checkpoint}, {"/work coupling", d.work.coupling},
                                    {"/work indicator", d.work.indicator}})
    attribute(name, value, std::isfinite(value) && value >= 0);
  for (int l = 0; l < 3; ++l)
    if (!(d.work.cell_steps[l] >= 0 && std::isfinite(d.work.wall[l]) && d.work.wall[l] >= 0))
      h.fail("/work: layer " + std::to_string(l) + "'s cell-steps or wall time are negative or not finite "
             "(corrupted checkpoint?)");
  auto cell = [](long i, long j) { return "cell (i=" + std::to_string(i) + ", j=" + std::to_string(j) + ")"; };
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const int layer = d.regime[static_cast<std::size_t>(j) * nx + i];
      if (layer < -1 || layer > 2)
        h.fail("/domain/regime: " + cell(i, j) + " is in layer " + std::to_string(layer) + " (corrupted checkpoint?)");
      if (layer < 0) continue;
      const double* U = &d.U[mesh.index(i, j) * static_cast<std::size_t>(d.nvar)];
      double rho = 0, lowest = 0;
      bool finite = true;
      for (int s = 0; s < d.nvar; ++s) finite = finite && std::isfinite(U[s]);
      for (int s = 0; s < S; ++s) {
        rho += U[s];
        lowest = std::min(lowest, U[s]);
      }
      const double kinetic = 0.5 * (U[S] * U[S] + U[S + 1] * U[S + 1] + U[S + 2] * U[S + 2]) / rho;
      if (!(finite && rho > 0 && lowest >= -1e-4 * rho && U[S + 3] > kinetic))
        h.fail("/macro/U: the gas " + cell(i, j) + " has no finite positive density and internal energy "
               "(corrupted checkpoint?)");
    }
  for (std::size_t k = 0; k < d.kinetic_f.size(); ++k)
    if (!std::isfinite(d.kinetic_f[k])) {
      const auto [i, j] = mesh.ij(d.kinetic_cells[k / std::max<std::size_t>(d.nf, 1)]);
      h.fail("/kinetic/f: a value that is not finite in the distribution of " + cell(i, j) + " (corrupted checkpoint?)");
    }
}
}  // namespace

CheckpointData read_checkpoint(const fs::path& file) {
  hdf5_as_the_engine_uses_it();
  const H5 h{file.string(), true};
  if (!fs::is_regular_file(file)) throw RunError(file.string() + ": no such checkpoint file");
  if (H5Fis_hdf5(file.c_str()) <= 0) h.fail("not an HDF5 file (truncated or corrupted checkpoint?)");
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.ok()) h.fail("cannot be opened as HDF5 (truncated or corrupted checkpoint?)");
  CheckpointData d;
  try {
    // Files that are whole, but not for this program: no earlier checkpoint does better.
    if (H5Aexists(f, "format") <= 0 || h.string(f, "format") != "strata checkpoint")
      throw RunError(file.string() + ": an HDF5 file, but not a Strata checkpoint (no attribute format = \"strata checkpoint\")");
    d.format_version = static_cast<int>(h.integer(f, "format_version"));
    if (d.format_version != checkpoint_format_version)
      throw RunError(file.string() + ": checkpoint format version " + std::to_string(d.format_version) +
                     ", this program reads version " + std::to_string(checkpoint_format_version));
    d.t = h.number(f, "time");
    d.step = h.integer(f, "step");
    d.next_output = h.integer(f, "next_output");
    d.switches = h.integer(f, "layer_switches");
    // Texts that hold JSON: one that does not parse is named.
    const auto parsed = [&](const std::string& text, const std::string& what) {
      json v = json::parse(text, nullptr, false);
      if (v.is_discarded()) h.fail(what + " is not JSON (corrupted checkpoint?)");
      return v;
    };
    d.case_json = h.string(f, "case");
    parsed(d.case_json, "attribute case");
    d.setup = parsed(h.string(f, "setup"), "attribute setup");
    if (H5Aexists(f, "started_from") > 0) d.started_from = h.string(f, "started_from");
    d.nvar = static_cast<int>(h.integer(f, "nvar"));
    d.nf = static_cast<std::size_t>(h.integer(f, "values_per_kinetic_cell"));
    const int nx = d.setup.at("mesh").at("nx"), ny = d.setup.at("mesh").at("ny");
    {
      Handle g = group(h, f, "domain", false);
      d.regime = h.read<std::int8_t>(g, "regime", H5T_NATIVE_INT8, {to_h(ny), to_h(nx)});
      const auto offsets = h.read<int>(g, "obstacle_offsets", H5T_NATIVE_INT, {0, 2});
      for (std::size_t k = 0; k + 1 < offsets.size(); k += 2) d.obstacle_offsets.push_back({offsets[k], offsets[k + 1]});
    }
    {
      Handle g = group(h, f, "macro", false);
      d.U = h.read<double>(g, "U", H5T_NATIVE_DOUBLE, {0, to_h(d.nvar)});
    }
    {
      Handle g = group(h, f, "kinetic", false);
      d.kinetic_cells = h.read<std::uint64_t>(g, "cells", H5T_NATIVE_UINT64, {0});
      d.kinetic_f = h.read<double>(g, "f", H5T_NATIVE_DOUBLE, {to_h(d.kinetic_cells.size()), to_h(d.nf)});
    }
    {
      Handle g = group(h, f, "diagnostics", false);
      auto totals = [&](const char* name) {
        const auto v = h.read<double>(g, name, H5T_NATIVE_DOUBLE, {5});
        Totals t{};
        std::copy(v.begin(), v.end(), t.begin());
        return t;
      };
      d.baseline = {};
      d.baseline.initial = totals("initial");
      d.baseline.exchange = totals("exchange");
      d.baseline.scale = totals("scale");
      d.baseline.max_drift = totals("max_drift");
      if (H5Lexists(g, "species_number", H5P_DEFAULT) > 0)  // mixtures (absent before they were kept)
        d.baseline.species_number = h.read<double>(g, "species_number", H5T_NATIVE_DOUBLE, {0});
      if (H5Lexists(g, "kinetic_residual", H5P_DEFAULT) > 0)  // absent before the residual was kept
        d.baseline.kinetic_residual = h.read<double>(g, "kinetic_residual", H5T_NATIVE_DOUBLE, {1})[0];
      if (H5Lexists(g, "largest_residual", H5P_DEFAULT) > 0)  // absent before it was kept
        d.baseline.largest_residual = h.read<double>(g, "largest_residual", H5T_NATIVE_DOUBLE, {1})[0];
      if (H5Lexists(g, "loads_window", H5P_DEFAULT) > 0)  // absent before it was kept, or without loads
        d.baseline.loads_window = h.read<double>(g, "loads_window", H5T_NATIVE_DOUBLE, {0});
    }
    {
      Handle g = group(h, f, "work", false);
      const auto wall = h.read<double>(g, "wall", H5T_NATIVE_DOUBLE, {3});
      const auto cs = h.read<std::int64_t>(g, "cell_steps", H5T_NATIVE_INT64, {3});
      for (int l = 0; l < 3; ++l) {
        d.work.wall[l] = wall[l];
        d.work.cell_steps[l] = static_cast<long>(cs[l]);
      }
      d.work.coupling = h.number(g, "coupling");
      d.work.indicator = h.number(g, "indicator");
      // A checkpoint written before these were kept lacks them: 0.
      for (int l = 1; l <= 2; ++l)
        if (const std::string name = "layer" + std::to_string(l) + "_collision_model"; H5Aexists(g, name.c_str()) > 0)
          d.work.collision_model[l] = h.number(g, name);
      d.wall_seconds = h.number(g, "wall_seconds");
      d.wall_output = h.number(g, "output");
      d.wall_checkpoint = h.number(g, "checkpoint");
    }
    {
      Handle g = group(h, f, "output", false);
      d.output.history = h.text(g, "history");
      if (H5Lexists(g, "loads", H5P_DEFAULT) > 0)  // absent before loads.csv was kept
        d.output.loads = h.text(g, "loads");
      d.output.probes = parsed(h.text(g, "probes"), "dataset /output/probes").get<decltype(d.output.probes)>();
      d.output.series = parsed(h.text(g, "snapshots"), "dataset /output/snapshots").get<decltype(d.output.series)>();
    }
    check_contents(h, d, nx, ny);
  } catch (const json::exception& e) {
    h.fail(std::string("corrupted checkpoint: ") + e.what());
  }
  return d;
}

namespace {
// Every key whose value differs between the checkpoint's `a` and this case's `b`, in one
// list: the regime mode, the mesh and the velocity grid first, then the species and the
// plugins; a plugin section that only one side has is one difference, not one per
// parameter. Empty when they agree.
std::string differences(const std::map<std::string, json>& a, const std::map<std::string, json>& b,
                        std::size_t& count) {
  std::map<std::string, json> keys(a);
  keys.insert(b.begin(), b.end());
  auto text = [](const json& v) { return v.is_null() ? std::string("absent") : v.dump(); };
  auto rank = [](const std::string& key) {
    for (int r = 0; const char* first : {"regime.", "mesh.", "velocity.", "species"}) {
      if (key.starts_with(first)) return r;
      ++r;
    }
    return 4;
  };
  std::vector<std::string> found;
  for (const auto& [key, unused] : keys) {
    const json va = a.count(key) ? a.at(key) : json(), vb = b.count(key) ? b.at(key) : json();
    if (va == vb) continue;
    const std::string section = key.substr(0, key.find('.'));
    const std::string plugin = section + ".plugin";
    if (key != plugin && keys.count(plugin) && (!a.count(plugin) || !b.count(plugin) || a.at(plugin) != b.at(plugin)))
      continue;  // another plugin, or none: its own line says so
    found.push_back(key + " is " + text(va) + " in the checkpoint and " + text(vb) + " in this case");
  }
  std::stable_sort(found.begin(), found.end(),
                   [&](const std::string& x, const std::string& y) { return rank(x) < rank(y); });
  std::string list;
  for (const std::string& d : found) list += (list.empty() ? "" : "; ") + d;
  count = found.size();
  return list;
}

// The ratio of specific heats of a set-up's gas: its fluid model's "gamma" when it has
// one, 5/3 when it has only kinetic layers (docs/architecture.md, "One gas"); absent
// when a fluid model does not say.
std::optional<double> gas_gamma(const json& setup) {
  const json none = json::object();
  const json& plugins = setup.is_object() && setup.contains("plugins") ? setup["plugins"] : none;
  if (!plugins.is_object() || !plugins.contains("fluid")) return 5.0 / 3.0;
  const json& fluid = plugins["fluid"];
  if (fluid.is_object() && fluid.contains("parameters") && fluid["parameters"].is_object() &&
      fluid["parameters"].contains("gamma") && fluid["parameters"]["gamma"].is_number())
    return fluid["parameters"]["gamma"].get<double>();
  return std::nullopt;
}
}  // namespace

void check_restart_setup(const fs::path& file, const json& saved_setup, const json& saved_case, const json& now_setup,
                         const json& now_case) {
  auto a = flatten_setup(saved_setup), b = flatten_setup(now_setup);
  a.merge(physics_of_case(saved_case));
  b.merge(physics_of_case(now_case));
  std::size_t count = 0;
  const std::string list = differences(a, b, count);
  if (count == 0) return;
  throw RunError("cannot restart from " + file.string() + ": " + std::to_string(count) +
                 " difference(s) from this case: " + list +
                 ". A restart needs the same mesh and boundaries, velocity grid, species, Knudsen number, "
                 "initial state, obstacles, regime settings and plugins with their parameters (time.end, the "
                 "time step's settings, output times and checkpoint settings may change): give the --set of "
                 "the run that wrote it, or start a new run from its state with --start-from");
}

std::string check_start_setup(const fs::path& file, const json& saved_setup, const json& now_setup,
                              bool distributions) {
  auto grid = [&](const json& setup) {
    std::map<std::string, json> kept;
    for (auto& [key, value] : flatten_setup(setup))
      if (key.starts_with("mesh.") || (distributions && key.starts_with("velocity.")) || key == "species")
        kept[key] = value;
    return kept;
  };
  std::size_t count = 0;
  const std::string list = differences(grid(saved_setup), grid(now_setup), count);
  if (count > 0)
    throw RunError("cannot start from " + file.string() + ": " + std::to_string(count) +
                   " difference(s) from this case: " + list +
                   ". A run started from a checkpoint needs the same mesh (nx, ny, x, y) and species, and the same "
                   "velocity grid (n, L) when the checkpoint has kinetic cells and this run may have some (not "
                   "layer0); the rest of the case may differ");
  const auto before = gas_gamma(saved_setup), now = gas_gamma(now_setup);
  if (before && now && std::abs(*before - *now) > 1e-12 * *now)
    return file.string() + ": its gas has gamma = " + toolkit::format_number(*before) + ", this run's " +
           toolkit::format_number(*now) + ": the conserved state (mass, momentum and energy densities) is "
           "taken as it is, so the same energy is another temperature here";
  return "";
}

fs::path checkpoint_path(const fs::path& dir, long step) {
  return dir / ("checkpoint_" + std::to_string(step) + ".h5");
}

std::vector<std::pair<long, fs::path>> list_checkpoints(const fs::path& dir) {
  static const std::regex name(R"(checkpoint_([0-9]{1,17})\.h5)");  // 17 digits: a long
  std::vector<std::pair<long, fs::path>> found;
  std::error_code ec;  // a folder that cannot be read holds none (also called where errors are reported)
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch m;
    const std::string file = it->path().filename().string();
    std::error_code kind;
    if (std::regex_match(file, m, name) && it->is_regular_file(kind)) found.emplace_back(std::stol(m[1]), it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

fs::path newest_checkpoint(const fs::path& dir) {
  if (std::error_code ec; fs::is_regular_file(dir, ec)) {
    const std::string folder = shell_quoted(dir.parent_path().empty() ? "." : dir.parent_path().string());
    throw RunError(dir.string() + ": --resume takes the output folder, not a checkpoint file: --resume " + folder +
                   " continues from the folder's newest checkpoint, --restart " + shell_quoted(dir.string()) +
                   " --out " + folder + " from this one");
  }
  if (!fs::is_directory(dir)) throw RunError(dir.string() + ": --resume needs an output folder; there is none");
  const auto found = list_checkpoints(dir);
  if (found.empty()) {
    // Said with what the folder's run did: one that failed or crashed before its first
    // checkpoint is run again, not resumed.
    const RunRecord run = run_record(dir);
    throw RunError(dir.string() + ": no checkpoint_<step>.h5 to resume from (" + run.said +
                   "): a run writes checkpoints where output.checkpoint asks for them (every_steps, "
                   "every_minutes) and when a stop signal arrives; run the case again without --resume");
  }
  return found.back().second;
}

void prune_checkpoints(const fs::path& dir, int keep) {
  const auto found = list_checkpoints(dir);
  for (std::size_t k = 0; k + static_cast<std::size_t>(keep) < found.size(); ++k) {
    std::error_code ec;
    fs::remove(found[k].second, ec);
  }
}

}  // namespace strata::core
