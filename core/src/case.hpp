#pragma once
// A case file, read, overridden with --set, and validated against the core's keys
// and the declared parameters of the plugins it names (docs/architecture.md §7).
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "expression.hpp"
#include "plugin_loader.hpp"
#include "strata/toolkit/velocity_grid.hpp"

namespace strata::core {

enum class RegimeMode { hybrid, layer0, layer1, layer2 };
enum class BoundaryKind { outflow, periodic, inflow, reflective, wall, pressure, farfield };
// The kinds' names in case files ("type"), in BoundaryKind's order (docs/user_guide.md §3.2).
inline constexpr std::array<const char*, 7> boundary_kind_names = {"outflow",  "periodic", "inflow",  "reflective",
                                                                   "wall",     "pressure", "farfield"};
inline const char* name(BoundaryKind k) { return boundary_kind_names[static_cast<std::size_t>(k)]; }
enum Side { left = 0, right = 1, bottom = 2, top = 3 };

// A macroscopic state given by the user: densities per species, velocity and
// either T or p (p = n T). Entries are expressions of x and y.
struct StateSpec {
  std::vector<Expression> rho;  // one per species
  std::array<std::optional<Expression>, 3> u;
  std::optional<Expression> T, p;
};

// A Maxwell wall of the kinetic layers (docs/numerics.md, "Walls"): a fraction
// `accommodation` of the molecules arriving at it is re-emitted diffusely with the
// wall's temperature and tangential velocity, the rest specularly. Fluid cells see a
// reflective (slip) side.
struct Wall {
  double accommodation = 1.0;
  // Absent: the initial temperature of the gas next to a side, or of an obstacle's
  // cells, which must then be uniform (Transport::place_walls).
  std::optional<double> T;
  std::string key;  // the wall's JSON path ("/mesh/boundary/top"), for messages
  std::array<double, 3> u{};  // tangential: the normal component is zero
  int band = 2;  // hybrid runs: cells along the side held in regime.band_layer when accommodation > 0
};

// A side held at a pressure (`{"type": "pressure", "p": p_b, "T": T_b}`): its ghosts
// hold the gas next to the side brought to p_b (and to T_b where given) at its own
// velocity and composition — a reservoir's pressure at an inlet or an outlet that does
// not fix the flow (docs/user_guide.md §3.2).
struct PressureSide {
  double p = 1;
  std::optional<double> T;
};

struct Boundary {
  BoundaryKind kind = BoundaryKind::outflow;
  std::string key;                  // its JSON path ("/mesh/boundary/left"), for messages
  // An inflow side's state, or a far-field side's free stream (`{"type": "farfield",
  // rho, ux, uy, uz, T or p}`: ghosts from the Riemann invariants normal to the side,
  // the outgoing one the gas's, the incoming one the free stream's; docs/numerics.md,
  // "Far-field sides").
  std::optional<StateSpec> given;  // for kind == inflow or farfield
  Wall wall;                        // for kind == wall
  PressureSide pressure;            // for kind == pressure
};

struct Region {
  std::optional<Expression> where;  // absent: everywhere
  // Kinetic cells start from the sum of the discrete Maxwellians of the components
  // (one: `state`; "bimodal": ½(M[rho, u, T] + M[rho, -u, T]), paper §5.5; or the
  // listed "components"); fluid cells take the moments of that distribution.
  StateSpec state;
  bool bimodal = false;
  std::vector<StateSpec> components;
};

// A user region held in one layer (forced regions override the indicator, docs/architecture.md §3).
struct ForcedRegion {
  Expression where;
  int layer = 0;
};

// A point whose rho, u, T, pressure tensor and heat flux are recorded every step.
struct Probe {
  std::string name;
  double x = 0.0, y = 0.0;
};

struct Obstacle {
  enum class Shape { rectangle, circle, polygon } shape = Shape::rectangle;
  std::array<double, 2> x{}, y{};  // rectangle extents
  std::array<double, 2> center{};
  double radius = 0.0;
  std::vector<std::array<double, 2>> vertices;  // a simple polygon, in order
  StateSpec state;  // the paper's rho*, T* (= P*/rho*), u* = 0
  // A Maxwell wall for the kinetic layers (`"wall": {"accommodation", "T"}`, at rest;
  // T defaults to the obstacle's temperature);
  // without it the solid cells act as fixed states (the paper).
  std::optional<Wall> wall;
  // Motion by whole cells: `cells` (di, dj) every `every` steps (paper test 3).
  std::array<int, 2> move_cells{};
  int move_every = 0;  // 0: fixed
};

struct Species {
  std::string name;
  double mass = 1.0;
};

// One of the plugin sections: fluid, kinetic, boltzmann, indicator.
struct PluginChoice {
  std::string section;  // "fluid", ...
  std::string name;
  bool needed = false;  // the regime mode uses it
  nlohmann::json params = nlohmann::json::object();  // validated, with defaults
  std::shared_ptr<const PluginLibrary> library;      // loaded when found
};

// Checkpoints for restarts (docs/user_guide.md, "Checkpoints"): after every
// `every_steps` steps and/or every `every_minutes` minutes of wall time (0: never),
// keeping the newest `keep` files.
struct CheckpointSpec {
  int every_steps = 0;
  double every_minutes = 0.0;
  int keep = 2;
};

// The free stream that surface and force coefficients refer to (`output.reference`):
// Cp = (p_wall - p) / (rho speed^2 / 2), C_x = F_x / (rho speed^2 length / 2), ...
struct ReferenceState {
  double rho = 1, speed = 1, p = 1, length = 1;
};

struct OutputSpec {
  std::filesystem::path dir;
  CheckpointSpec checkpoint;
  std::vector<double> times;  // ascending, the last one is time.end
  bool snapshots = true;
  bool profiles = true;
  std::optional<double> profile_y;  // the line cut's row holds this y; else the middle row
  bool surface = true;  // surface_<t>.csv: the boundary faces' loads (docs/user_guide.md §6.8)
  std::optional<ReferenceState> reference;
  // history.csv, loads.csv (means over the steps between rows) and the probe files get
  // a row every N steps, at every output time and at the end (docs/user_guide.md §6.2).
  int history_every = 1;
};

// velocity.n's bounds in the case format.
inline constexpr int min_velocity_points = 4, max_velocity_points = 256;

struct Case {
  std::filesystem::path file;
  std::vector<std::string> overrides;  // the --set arguments, as given
  std::map<std::string, std::string> overridden;  // the JSON pointers they set, and how (located())
  nlohmann::json json;  // after --set overrides
  std::string name, description;

  int nx = 0, ny = 0;
  std::array<double, 2> x{}, y{};
  std::array<Boundary, 4> boundary;
  std::vector<Obstacle> obstacles;

  toolkit::VelocityGrid velocity;
  std::vector<Species> species;
  Expression knudsen = Expression::parse("1");

  double t_end = 0.0;
  std::optional<double> dt;  // fixed time step, if given
  double dt_dx = 0.1;        // dt <= dt_dx * min(dx, dy) (the paper's 0.1 dx)
  double cfl = 0.5;          // dt <= cfl * min(dx, dy) / fastest wave of every layer
  int max_steps = 10'000'000;
  static constexpr int largest_max_steps = 2'000'000'000;  // time.max_steps' upper bound
  // time.steady: the run ends, completed, after the first step whose residual
  // (RunDiagnostics::residual) is below this: a steady state, reached before time.end.
  std::optional<double> steady;

  std::vector<Region> initial;
  RegimeMode mode = RegimeMode::hybrid;
  int initial_layer = 0;
  std::vector<ForcedRegion> forced;
  int band = 2;        // cells around obstacles held in band_layer in hybrid runs (paper: 2)
  int band_layer = 2;
  std::vector<Probe> probes;

  PluginChoice fluid, kinetic, boltzmann, indicator;
  // gpu.resident_layer2: layer 2 kept on the device (layer2_device.hpp), checked against
  // the layer-2 model here; the engine's device library is loaded by a run from the
  // plugin folders, so that validating a case needs no GPU.
  bool resident_layer2 = false;
  std::vector<std::filesystem::path> plugin_dirs;
  OutputSpec output;
};

const char* mode_name(RegimeMode mode);
// The one layer of a layer0/layer1/layer2 run: 0, 1, 2; none for a hybrid.
std::optional<int> fixed_layer(RegimeMode mode);
// Every mode's name, in the order messages list them: "hybrid", "layer0", "layer1", "layer2".
std::vector<std::string> mode_names();
// The mode of that name, if any.
std::optional<RegimeMode> mode_named(const std::string& name);

// Reads the file, applies overrides ("a.b.c=value", value parsed as JSON when it
// parses, else taken as a string), validates everything and loads the plugins
// the mode needs. Throws CaseError listing every problem.
Case load_case(const std::filesystem::path& file, const std::vector<std::string>& overrides,
               const PluginCatalog& catalog);

// The plugins a run of `c` loads, as summary.json and comparison.json name them: per
// section, {name, version, sdk_version, parameters (defaults filled in)}.
nlohmann::json plugins_loaded(const Case& c);

// The case file's JSON (comments allowed), before --set; a file that is no case file
// (a folder, unreadable, over 16 MiB, not JSON) is a CaseError naming it.
nlohmann::json read_json(const std::filesystem::path& file);

// Applies one "dotted.path=value" override to a JSON document; returns the JSON
// pointer it set and how a message about it should say it was set: "set with --set",
// and where the value is not JSON but looks meant to be (".2", "[0.1, 0.2"), that it was
// taken as text. Throws CaseError on a malformed override.
struct AppliedOverride {
  std::string pointer, origin;
};
AppliedOverride apply_override(nlohmann::json& document, const std::string& assignment);

}  // namespace strata::core
